"""What the browser tests share: `pxrules serve` on a free loopback port over a store, Debian's Chromium
through Playwright, a signed-in session that records console errors, dialogs and off-site requests,
screenshots (PXRULES_SCREENSHOTS names a folder to keep them) and axe-core's serious and critical findings."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from web_support import PASSWORD, USERS

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def skip_without_browser() -> None:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    pytest.importorskip("uvicorn", reason="the web extra is not installed")


@contextmanager
def serve(folder: Path, build: Callable[[str], str], env: dict[str, str] | None = None) -> Iterator[str]:
    """`pxrules serve` over a store `build` fills at a SQLite file in `folder`; yields the base URL."""
    skip_without_browser()
    url = build(f"sqlite:///{folder / 'pxrules.db'}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", "from cli.main import run; run()", "--db", url, "serve", "--port", str(port)]
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                               env={**os.environ, "PXRULES_DB": "", **(env or {})})  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/signin", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "server.log").read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.close()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Session:
    """One signed-in browser context that records console errors, dialogs and off-site requests."""

    def __init__(self, browser: Any, base: str, role: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="en-GB")
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.offsite: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("request", lambda r: None if r.url.startswith((base, "data:")) else self.offsite.append(r.url))
        self.page.goto(f"{base}/signin")
        self.page.get_by_label("Email address").fill(USERS[role][0])
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()
        self.page.wait_for_url(f"{base}/")

    def go(self, path: str, status: int = 200) -> Any:
        response = self.page.goto(self.base + path)
        assert response is not None and response.status == status, (path, response and response.status)
        return self.page

    def clean(self) -> None:
        # Chromium logs a failed resource (our own 404s) as a console error; those are the test's doing.
        real = [e for e in self.errors if "status of 404" not in e]
        assert real == [], real
        assert self.offsite == [] and self.dialogs == []
        self.context.close()


def shot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("PXRULES_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    page.screenshot(path=str(folder / f"{name}-top.png"))


def axe(page: Any, name: str) -> None:
    """No serious or critical axe-core violation on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert bad == [], (name, bad)
