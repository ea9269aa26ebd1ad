"""`python -m bench.web`: the workspace under load. `pxrules serve` on 127.0.0.1 (only), 20 simulated users
signed in and browsing for 60 s, on SQLite and on PostgreSQL (when PXRULES_BENCH_PG_URL or
PXRULES_TEST_PG_URL names a server): errors, median and p95 page times for the 2,000-item trust's home and
sub-requirement pages (target p95 <= 300 ms), requests per second. Writes bench/results-web.json.

The store is the benchmark's one-trust store (bench/stores.py) with two assessments; every server worker
builds each page once before the timed run (the first, cold loads are reported apart: a cold home page
works out what lapses in the next 90 days and what each lapse would cost).
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from bench import synth
from bench.stores import CACHE_DIR, store_copy

RESULTS = Path(__file__).resolve().parent / "results-web.json"
EMAIL, PASSWORD = "bench@pxrules.example", "benchmark password 1"
DATES = (dt.date(2026, 3, 31), dt.date(2026, 6, 30))
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prepare(url: str) -> str:
    """Assess the trust on two dates and add the account the simulated users share."""
    from pxrules.accounts.users import add_user
    from pxrules.scoring.stored import run_assessment
    from pxrules.store.db import dispose_engines, unit_of_work

    code = synth.org_code(1)
    for day in DATES:
        run_assessment(url, code, day, by="pxrules bench")
    with unit_of_work(url) as session:
        add_user(session, EMAIL, name="Benchmark user", role="viewer", orgs=[code], password=PASSWORD, by="bench")
    dispose_engines()
    return code


def _postgres(server_url: str, size: int, seed: int) -> tuple[str, Any]:
    """A fresh database on the server filled through the ordinary import path; (url, drop function)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from pxrules.store.db import dispose_engines, init_db, unit_of_work
    from pxrules.store.repo import add_org, store_evidence

    admin_url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"pxrules_bench_web_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    init_db(url, by="pxrules bench")
    trust = synth.make_trust(1, size, seed)
    with unit_of_work(url) as session:
        store_evidence(synth.benchmarks(synth.layers_for(size)), session=session, by="pxrules bench")
        add_org(trust.code, "Synthetic trust 1 (benchmark, not a real trust)", "acute", session=session,
                by="pxrules bench")
        store_evidence(trust.items, session=session, by="pxrules bench")

    def drop() -> None:
        dispose_engines()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return url, drop


class Client:
    """One simulated user: a keep-alive connection, its session cookie, and the times of what it asked."""

    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection(HOST, port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for value in response.headers.get_all("set-cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def sign_in(self) -> None:
        _, page = self.request("GET", "/signin")
        token = re.search(r'name="csrf" value="([^"]+)"', page)
        assert token, "no CSRF token on the sign-in page"
        status, _ = self.request("POST", "/signin", urlencode({"email": EMAIL, "password": PASSWORD,
                                                               "csrf": token.group(1), "next": "/"}))
        if status != 303:
            raise RuntimeError(f"sign-in answered {status}")


def _pages(code: str, rng: random.Random, subs: list[str]) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.35:
        return "home", f"/orgs/{code}"
    if roll < 0.80:
        return "sub-requirement", f"/orgs/{code}/sub/{rng.choice(subs)}"
    if roll < 0.90:
        return "evidence", f"/orgs/{code}/evidence"
    if roll < 0.95:
        return "compare", f"/orgs/{code}/compare"
    return "trend", f"/orgs/{code}/trend"


def _run_load(port: int, code: str, users: int, seconds: float) -> dict[str, Any]:
    from pxrules.rules.catalogue import load_catalogue

    subs = load_catalogue().ids
    times: dict[str, list[float]] = {}
    errors: list[str] = []
    lock = threading.Lock()
    clock: list[float] = [0.0, 0.0]  # began, deadline: set as the barrier opens, before any user reads them

    def open_gate() -> None:
        clock[0] = time.monotonic()
        clock[1] = clock[0] + seconds

    start_gate = threading.Barrier(users + 1, action=open_gate)
    per_user = [0] * users

    def user(n: int) -> None:
        rng = random.Random(n)
        client = Client(port)
        try:
            client.sign_in()
        except Exception as exc:
            with lock:
                errors.append(f"user {n} sign-in: {exc}")
        start_gate.wait()
        while time.monotonic() < clock[1]:
            kind, path = _pages(code, rng, subs)
            began = time.perf_counter()
            try:
                status, _ = client.request("GET", path)
            except (OSError, http.client.HTTPException) as exc:
                # The server may close an idle keep-alive connection: reconnect, keeping the session cookie.
                status, detail = 0, f"{type(exc).__name__}: {exc}"
                cookies = client.cookies
                client = Client(port)
                client.cookies = cookies
                try:
                    status, _ = client.request("GET", path)
                except (OSError, http.client.HTTPException) as again:
                    detail = f"{type(again).__name__}: {again}"
                if status == 0:
                    with lock:
                        errors.append(f"{path}: {detail}")
            took = (time.perf_counter() - began) * 1000
            with lock:
                if status not in (0, 200):
                    errors.append(f"{path}: {status}")
                times.setdefault(kind, []).append(took)
                per_user[n] += 1
            time.sleep(rng.uniform(0.0, 0.2))  # a person reads for a moment (mean 0.1 s: a heavy load)

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    began = clock[0]
    for thread in threads:
        thread.join(timeout=seconds + 180)
    elapsed = time.monotonic() - began
    stuck = sum(thread.is_alive() for thread in threads)
    if stuck:
        errors.append(f"{stuck} user(s) still waiting for an answer 180 s after the end")
    total = sum(len(v) for v in times.values())
    out: dict[str, Any] = {"seconds": round(elapsed, 1), "users": users, "requests": total,
                           "requests_per_second": round(total / elapsed, 1), "errors": len(errors),
                           "error_examples": errors[:5], "requests_per_user": per_user,
                           "longest_ms": round(max((max(v) for v in times.values()), default=0), 1)}  # fmt: skip
    for kind, values in sorted(times.items()):
        values.sort()
        out[kind] = {"count": len(values), "median_ms": round(statistics.median(values), 1),
                     "p95_ms": round(values[max(0, int(len(values) * 0.95) - 1)], 1)}  # fmt: skip
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def serve_and_load(url: str, code: str, *, workers: int, users: int, seconds: float) -> dict[str, Any]:
    """Start `pxrules serve` on a free loopback port, warm every worker, run the load, stop the server."""
    port = _free_port()
    command = [sys.executable, "-c", "from cli.main import run; run()", "--db", url, "serve", "--host", HOST,
               "--port", str(port), "--workers", str(workers)]  # fmt: skip
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection((HOST, port), timeout=1):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    reason = server.stderr.read() if server.stderr else ""
                    raise RuntimeError(f"the server did not start: {reason}") from None
                time.sleep(0.2)
        warm = Client(port)
        warm.sign_in()
        first = time.perf_counter()
        warm.request("GET", f"/orgs/{code}")
        first_home = (time.perf_counter() - first) * 1000
        # Each worker keeps its own view cache: new connections spread over the workers.
        first = time.perf_counter()
        warm.request("GET", f"/orgs/{code}/sub/1A")
        first_sub = (time.perf_counter() - first) * 1000
        from pxrules.rules.catalogue import load_catalogue

        pages = [f"/orgs/{code}", f"/orgs/{code}/evidence", f"/orgs/{code}/compare", f"/orgs/{code}/trend",
                 *(f"/orgs/{code}/sub/{sub}" for sub in load_catalogue().ids)]  # fmt: skip
        for _ in range(workers * 3):
            client = Client(port)
            client.sign_in()
            for path in pages:
                client.request("GET", path)
        log(f"  warm ({first_home:.0f} ms for the first home page); {users} users for {seconds:.0f} s ...")
        result = _run_load(port, code, users, seconds)
        result["first_home_ms"] = round(first_home, 1)
        result["first_sub_requirement_ms"] = round(first_sub, 1)
        result["workers"] = workers
        return result
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.web", description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0, help="how long the users browse (max 300)")
    parser.add_argument("--users", type=int, default=20, help="simulated users (max 100)")
    parser.add_argument("--size", type=int, default=2000, help="evidence items of the trust")
    parser.add_argument("--pg-workers", type=int, default=2, help="server worker processes on PostgreSQL")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args(argv)
    seconds, users = min(args.seconds, 300.0), min(args.users, 100)
    results: dict[str, Any] = {"when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                               "size": args.size, "target_p95_ms": 300}  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="pxrules-bench-web-") as work:
        url = store_copy(f"one-{args.size}", [args.size], 7, Path(work) / "one.db", log, CACHE_DIR)
        code = _prepare(url)
        if not args.skip_sqlite:
            log(f"SQLite ({args.size} items), 1 worker")
            results["sqlite"] = serve_and_load(url, code, workers=1, users=users, seconds=seconds)
        server = os.environ.get("PXRULES_BENCH_PG_URL") or os.environ.get("PXRULES_TEST_PG_URL")
        if server and not args.skip_postgres:
            log(f"PostgreSQL ({args.size} items), {args.pg_workers} workers: building the store ...")
            pg_url, drop = _postgres(server, args.size, 7)
            try:
                _prepare(pg_url)
                results["postgres"] = serve_and_load(pg_url, code, workers=args.pg_workers, users=users,
                                                     seconds=seconds)  # fmt: skip
            finally:
                drop()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for backend in ("sqlite", "postgres"):
        r = results.get(backend)
        if r is None:
            continue
        print(f"{backend}: {r['requests']} requests in {r['seconds']} s = {r['requests_per_second']}/s, "
              f"{r['errors']} errors, {r['workers']} worker(s); first (cold) home page {r['first_home_ms']} ms, "
              f"sub-requirement page {r['first_sub_requirement_ms']} ms")
        for kind in ("home", "sub-requirement", "evidence", "compare", "trend"):
            if kind in r:
                k = r[kind]
                print(f"  {kind:<16} n={k['count']:<5} median {k['median_ms']:>7.1f} ms   p95 {k['p95_ms']:>7.1f} ms")
    print(f"wrote {RESULTS}")
    return 1 if any(results.get(b, {}).get("errors") for b in ("sqlite", "postgres")) else 0


if __name__ == "__main__":
    raise SystemExit(main())
