"""Actions in headless Chromium, served by `pxrules serve`: a lead adds an action owned by the contributor,
due in the future, then moves its due date to yesterday; the contributor, signing in, finds it overdue in
"My actions", in "Overdue" and on the home page's summary. A bad date is shown beside its field and nothing is
stored; a viewer reads without a form. axe-core finds no serious or critical violation on any actions page.
Screenshots are kept (PXRULES_SCREENSHOTS names a folder for them)."""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import DEMO, PASSWORD, USERS, build_store

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    pytest.importorskip("uvicorn", reason="the web extra is not installed")
    folder = tmp_path_factory.mktemp("web")
    url = build_store(f"sqlite:///{folder / 'pxrules.db'}")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-c", "from cli.main import run; run()", "--db", url, "serve", "--port", str(port)]
    log = (folder / "server.log").open("w")
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PXRULES_DB": ""})
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


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


class Session:
    """One signed-in browser context that records console errors, dialogs and off-site requests."""

    def __init__(self, browser: Any, base: str, role: str) -> None:
        self.base = base
        self.context = browser.new_context(viewport={"width": 1280, "height": 1000})
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
        # Chromium logs a failed resource (our own 404s, a refused form's 422) as a console error: the test's doing.
        real = [e for e in self.errors if "status of 404" not in e and "status of 422" not in e]
        assert real == [], real
        assert self.offsite == [] and self.dialogs == []
        self.context.close()


def _shot(page: Any, name: str, tmp_path: Path) -> None:
    folder = Path(os.environ.get("PXRULES_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    page.screenshot(path=str(folder / f"{name}-top.png"))


def _axe(page: Any, name: str) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    bad = [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]]) for v in results.response["violations"]
           if v["impact"] in ("serious", "critical")]  # fmt: skip
    assert bad == [], (name, bad)



TITLE = "Patient story actions tracked to completion"


def _uk(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def test_an_action_becomes_overdue_and_reaches_its_owner(browser: Any, server: str, tmp_path: Path) -> None:
    today = dt.date.today()
    lead = Session(browser, server, "lead")
    page = lead.go(f"/orgs/{DEMO}")
    page.get_by_role("link", name="Actions", exact=True).click()
    page.wait_for_url(f"{server}/orgs/{DEMO}/actions")
    page.get_by_role("link", name="Add an action").click()
    page.wait_for_url(f"{server}/orgs/{DEMO}/actions/new")
    _axe(page, "action-new")
    _shot(page, "action-new", tmp_path)
    page.get_by_role("button", name="Add action").click()  # nothing filled in: every problem beside its field
    for field in ("sub", "title", "owner", "due"):
        assert page.locator(f"#{field}-error").is_visible(), field
    assert page.get_by_role("alert").get_by_role("link").count() == 4
    _axe(page, "action-new-errors")
    _shot(page, "action-new-errors", tmp_path)
    page.get_by_label("Sub-requirement").select_option("3A")
    page.get_by_role("textbox", name="Action").fill(TITLE)
    page.get_by_label("Owner").fill(USERS["contributor"][0])
    page.get_by_label("Due date").fill(_uk(today + dt.timedelta(days=45)))
    page.get_by_role("button", name="Add action").click()
    page.wait_for_url("**/actions/*?saved=added")
    action_url = page.url.split("?")[0]
    assert page.get_by_role("status").inner_text().strip() == "The action is added."
    assert page.locator("h1").inner_text() == TITLE
    assert "Overdue" not in page.locator("main").inner_text()

    page.get_by_label("Due date").fill("31/02/2026")  # no such day: shown beside the field, nothing stored
    page.get_by_role("button", name="Save changes").click()
    error = page.locator("#due-error")
    assert error.is_visible() and "day is out of range" in error.inner_text()
    assert page.get_by_role("alert").is_visible()
    _axe(page, "action-error")
    _shot(page, "action-error", tmp_path)
    assert page.request.get(action_url.replace("/orgs/", "/api/orgs/")).json()["action"]["version"] == 1

    yesterday = today - dt.timedelta(days=1)
    page.get_by_label("Due date").fill(_uk(yesterday))
    page.get_by_label("Note").fill("Moved: the patient panel met late")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url("**?saved=updated")
    facts = page.locator("dl.facts").inner_text()
    assert _long(yesterday) in facts and "Overdue" in facts and USERS["contributor"][1] in facts
    history = page.locator("section[aria-labelledby=history-title] tbody tr")
    assert history.count() == 2 and "Due date, note" in history.first.inner_text()
    _axe(page, "action")
    _shot(page, "action", tmp_path)
    lead.clean()

    owner = Session(browser, server, "contributor")
    page = owner.go(f"/orgs/{DEMO}")
    summary = page.locator("section[aria-labelledby=my-actions-title]")
    assert "1 overdue" in " ".join(summary.inner_text().split())
    _shot(page, "home-my-actions", tmp_path)
    summary.get_by_role("link", name="1 overdue", exact=True).click()
    page.wait_for_url("**show=overdue&mine=true")
    assert TITLE in page.locator("#results").inner_text()
    for show, name in (("mine", "My actions"), ("overdue", "Overdue"), ("soon", "Due in the next 30 days"),
                       ("open", "All open"), ("done", "Done")):  # fmt: skip
        page = owner.go(f"/orgs/{DEMO}/actions?show={show}")
        assert page.locator("nav.tabs [aria-current=page]").inner_text().startswith(name)
        if show != "done":
            row = page.locator("#results tbody tr", has_text=TITLE)
            assert row.count() == 1, show
            assert "Overdue" in row.inner_text() and _long(yesterday) in row.inner_text()
        _axe(page, f"actions-{show}")
        _shot(page, f"actions-{show}", tmp_path)
    page = owner.go(f"/orgs/{DEMO}/sub/3A")
    panel = page.locator("section[aria-labelledby=actions-title]")
    assert TITLE in panel.inner_text() and "Overdue" in panel.inner_text()
    _axe(page, "sub-actions")
    page = owner.go("/my/actions")
    assert page.locator("#results tbody tr", has_text=TITLE).count() == 1
    _axe(page, "my-actions")
    _shot(page, "my-actions", tmp_path)
    owner.clean()

    viewer = Session(browser, server, "viewer")
    page = viewer.go(action_url.replace(server, ""))
    assert page.locator("form[method=post]").count() == 1  # the sign-out form only
    assert page.get_by_role("heading", name="History").is_visible()
    _axe(page, "action-viewer")
    viewer.clean()
