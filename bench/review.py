"""`python -m bench.review`: the board's self-assessment in the workspace, on the 2,000-item benchmark trust.

Medians (in-process, FastAPI's TestClient) of a section page with the suggestions hidden and revealed, the
version's page with its comparison, one line saved as htmx saves it, and sign-off, each beside the warm
sub-requirement page measured in the same run (the baseline). Then six editors save one line at once, each
their own field, from pages loaded before the others' saves: every save must merge (no conflict, nothing
lost) and the line must end with every editor's last value. SQLite always; PostgreSQL too when
PXRULES_BENCH_PG_URL or PXRULES_TEST_PG_URL names a server. Writes bench/results-review.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import synth
from bench.stores import CACHE_DIR, store_copy

RESULTS = Path(__file__).resolve().parent / "results-review.json"
PASSWORD = "benchmark password 1"
PEOPLE = {"lead": "lead@bench.example", "contributor": "contrib@bench.example", "executive": "exec@bench.example"}
FIELDS = ("current_position", "planned_action", "what_good_looks_like", "owner", "score", "review_date")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _prepare(url: str) -> str:
    from pxrules.accounts.users import add_user
    from pxrules.scoring.stored import run_assessment
    from pxrules.store.db import unit_of_work

    code = synth.org_code(1)
    run_assessment(url, code, dt.date(2026, 6, 30), by="pxrules bench")
    with unit_of_work(url) as session:
        for role, email in PEOPLE.items():
            add_user(session, email, name=role.title(), role=role, orgs=[code], password=PASSWORD, by="bench")
    return code


def _client(url: str, role: str) -> Any:
    from fastapi.testclient import TestClient

    from pxrules.web.app import create_app
    from pxrules.web.config import WebConfig

    client = TestClient(create_app(WebConfig(url)))
    page = client.get("/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    answer = client.post("/signin", data={"email": PEOPLE[role], "password": PASSWORD, "csrf": csrf.group(1),
                                          "next": "/"}, follow_redirects=False)  # fmt: skip
    assert answer.status_code == 303, answer.text[:300]
    return client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _median(fn: Callable[[], Any], repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def _editors(url: str, code: str, draft: int, saves: int) -> dict[str, Any]:
    """Six editors, one field each, saving line 3A at once from stale pages: every save must merge."""
    from pxrules.board import review

    base = review.draft(url, code, draft).line("3A").values()
    outcomes: list[tuple[str, tuple[str, ...], int]] = []
    lock = threading.Lock()

    def edit(field: str) -> None:
        started = dict(base)
        for n in range(saves):
            value: Any = {"score": n % 6, "review_date": dt.date(2027, 1, 1) + dt.timedelta(days=n)}.get(
                field, f"{field} {n}")
            result = review.save(url, code, draft, "3A", base=started, mine={**started, field: value},
                                 by=PEOPLE["contributor"])  # fmt: skip
            started = {**started, field: value}  # what this editor's page now shows
            with lock:
                outcomes.append((field, result.saved, len(result.conflicts)))

    began = time.perf_counter()
    threads = [threading.Thread(target=edit, args=(f,)) for f in FIELDS]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    final = review.draft(url, code, draft).line("3A")
    last = {"score": (saves - 1) % 6, "review_date": dt.date(2027, 1, 1) + dt.timedelta(days=saves - 1)}
    kept = all(getattr(final, f) == last.get(f, f"{f} {saves - 1}") for f in FIELDS)
    return {"editors": len(FIELDS), "saves": len(outcomes), "saved": sum(1 for o in outcomes if o[1]),
            "conflicts": sum(o[2] for o in outcomes), "every_last_value_kept": kept,
            "revision": final.revision, "saves_per_s": round(len(outcomes) / elapsed, 1)}  # fmt: skip


def run(url: str, repeats: int) -> dict[str, Any]:
    code = _prepare(url)
    lead = _client(url, "lead")
    root = f"/orgs/{code}/self-assessment"
    made = lead.post(root, data={"as_of": "30/06/2026", "hide": "true", "csrf": _csrf(lead.get(root).text)},
                     follow_redirects=False)  # fmt: skip
    version = made.headers["location"]
    draft = int(version.rsplit("/", 1)[1])
    csrf = _csrf(lead.get(version).text)
    out: dict[str, Any] = {"baseline_sub_page_ms": _median(lambda: lead.get(f"/orgs/{code}/sub/3A"), repeats)}
    out["section_hidden_ms"] = _median(lambda: lead.get(f"{version}/section/1"), repeats)
    turn = iter(range(10**6))

    def save() -> None:
        n = next(turn)
        answer = lead.post(f"{version}/lines/1A", headers={"hx-request": "true"},
                           data={"csrf": csrf, "score": str(n % 6), "base_score": str((n - 1) % 6) if n else ""})
        assert "Saved at" in answer.text, answer.text[:300]

    out["line_save_ms"] = _median(save, repeats)
    lead.post(f"{version}/reveal", data={"csrf": csrf})
    out["section_revealed_ms"] = _median(lambda: lead.get(f"{version}/section/1"), repeats)
    out["version_page_ms"] = _median(lambda: lead.get(version), repeats)
    out["concurrent_editors"] = _editors(url, code, draft, saves=max(10, repeats))
    lead.post(f"{version}/submit", data={"csrf": csrf})
    executive = _client(url, "executive")
    started = time.perf_counter()
    signed = executive.post(f"{version}/decide", data={"csrf": _csrf(executive.get(version).text),
                                                        "decision": "sign"}, follow_redirects=False)  # fmt: skip
    out["sign_off_ms"] = (time.perf_counter() - started) * 1000
    assert signed.status_code == 303
    for key in [k for k in out if k.endswith("_ms") and k != "baseline_sub_page_ms"]:
        out[key.replace("_ms", "_x_baseline")] = round(out[key] / out["baseline_sub_page_ms"], 2)
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=2000, help="evidence items of the trust (default 2000)")
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="pxrules-bench-review-") as work:
        url = store_copy(f"one-{args.size}", [args.size], 7, Path(work) / "one.db", log, CACHE_DIR)
        log("SQLite ...")
        results["sqlite"] = run(url, args.repeats)
        server = os.environ.get("PXRULES_BENCH_PG_URL") or os.environ.get("PXRULES_TEST_PG_URL")
        if server:
            from bench.web import _postgres

            log("PostgreSQL ...")
            pg_url, drop = _postgres(server, args.size, 7)
            try:
                results["postgresql"] = run(pg_url, args.repeats)
            finally:
                from pxrules.store.db import dispose_engines

                dispose_engines()
                drop()
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
