"""The workspace in headless Chromium, served by `pxrules serve` on a free loopback port: each role signs in
and sees what it may; scope is 404 for pages and API alike; forms need their CSRF token; hostile evidence
text stays text; nothing is fetched from elsewhere; the console stays clean; axe-core finds no serious or
critical violation on any page type. Screenshots are kept (PXRULES_SCREENSHOTS names a folder for them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from browser_support import Session, axe, shot
from web_support import DEMO, HOSTILE, HOSTILE_ID, OTHER

pytestmark = pytest.mark.browser



def test_a_viewer_reads_an_explanation_and_the_evidence_behind_it(browser: Any, server: str, tmp_path: Path) -> None:
    s = Session(browser, server, "viewer")
    page = s.go(f"/orgs/{DEMO}")
    assert page.get_by_role("heading", name="Look at these first").is_visible()
    page.get_by_role("link", name="12C", exact=True).first.click()
    page.wait_for_url(f"{server}/orgs/{DEMO}/sub/12C")
    assert page.get_by_role("heading", name="Why the evidence suggests").is_visible()
    assert page.locator("text=Rules that held").is_visible()
    item = page.locator("section[aria-labelledby=evidence-title] tbody a").first
    evidence_id = item.inner_text()
    item.click()
    page.wait_for_url(f"**/evidence/{evidence_id}")
    assert page.get_by_role("heading", name="Provenance").is_visible()
    assert page.get_by_role("heading", name="Scores it supports").is_visible()
    s.go(f"/orgs/{DEMO}/audit", status=404)
    s.go("/admin/users", status=404)
    assert page.get_by_role("link", name="Audit", exact=True).count() == 0
    s.clean()


def test_the_register_filters_in_place_with_htmx(browser: Any, server: str) -> None:
    s = Session(browser, server, "viewer")
    page = s.go(f"/orgs/{DEMO}/evidence")
    before = page.locator("#results-title").inner_text()
    page.get_by_label("Kind").select_option("board_meeting")
    page.wait_for_url("**kind=board_meeting**")
    page.wait_for_function(f"() => document.querySelector('#results-title').textContent.trim() !== {before!r}")
    kinds = page.locator("#results tbody tr td:nth-child(2)").all_inner_texts()
    assert kinds and set(kinds) == {"board_meeting"}
    s.clean()


def test_a_user_scoped_to_one_trust_gets_404_for_another(browser: Any, server: str) -> None:
    s = Session(browser, server, "other")
    page = s.go("/")
    assert page.get_by_role("link", name=OTHER, exact=False).count() == 1
    s.go(f"/orgs/{DEMO}", status=404)
    assert page.get_by_role("heading", name="Page not found").is_visible()
    s.go(f"/orgs/{DEMO}/sub/12C", status=404)
    assert page.request.get(f"{server}/api/orgs/{DEMO}").status == 404
    assert page.request.get(f"{server}/api/orgs/{DEMO}/evidence/{HOSTILE_ID}").status == 404
    s.clean()


def test_a_post_without_the_csrf_token_is_refused(browser: Any, server: str) -> None:
    s = Session(browser, server, "admin")
    form = {"email": "x@trust.nhs.uk", "name": "X", "role": "admin"}
    refused = s.page.request.post(f"{server}/admin/users", form=form)
    assert refused.status == 403
    users = s.page.request.get(f"{server}/api/users").json()["users"]
    assert "x@trust.nhs.uk" not in {u["email"] for u in users}
    s.clean()


def test_hostile_evidence_text_shows_as_text(browser: Any, server: str) -> None:
    s = Session(browser, server, "viewer")
    page = s.go(f"/orgs/{DEMO}/evidence/{HOSTILE_ID}")
    assert page.locator("h1").inner_text() == HOSTILE
    assert page.locator("main img, main script").count() == 0
    s.go(f"/orgs/{DEMO}/evidence?q=pwned")
    assert HOSTILE in page.locator("#results").inner_text()
    s.clean()


PAGES: dict[str, list[tuple[str, str]]] = {
    "viewer": [("orgs", "/"), ("home", f"/orgs/{DEMO}"), ("sub-requirement", f"/orgs/{DEMO}/sub/3A"),
               ("evidence", f"/orgs/{DEMO}/evidence"), ("item", f"/orgs/{DEMO}/evidence/{HOSTILE_ID}"),
               ("compare", f"/orgs/{DEMO}/compare"), ("trend", f"/orgs/{DEMO}/trend"),
               ("reports", f"/orgs/{DEMO}/reports"), ("api-docs", "/docs")],
    "contributor": [("item-audit", f"/orgs/{DEMO}/audit?item={HOSTILE_ID}")],
    "lead": [("audit", f"/orgs/{DEMO}/audit")],
    "admin": [("accounts", "/admin/users"), ("chain", "/admin/chain")],
}  # fmt: skip


@pytest.mark.parametrize("role", list(PAGES))
def test_every_page_type_is_accessible_and_clean(browser: Any, server: str, role: str, tmp_path: Path) -> None:
    s = Session(browser, server, role)
    for name, path in PAGES[role]:
        page = s.go(path)
        assert page.locator("main h1").count() == 1, name
        axe(page, name)
        shot(page, name, tmp_path)
    if role == "viewer":
        page = s.go("/orgs/NOPE1", status=404)
        axe(page, "not-found")
        shot(page, "not-found", tmp_path)
    s.clean()


def test_the_sign_in_page_is_accessible_and_keyboard_first(browser: Any, server: str, tmp_path: Path) -> None:
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{server}/signin")
    axe(page, "signin")
    shot(page, "signin", tmp_path)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    context.close()


def test_reports_download_for_a_chosen_assessment(browser: Any, server: str) -> None:
    s = Session(browser, server, "viewer")
    page = s.go(f"/orgs/{DEMO}/reports")
    page.get_by_label("Markdown").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    download = info.value
    assert download.suggested_filename.endswith("-board-report.md")
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.count("\n") > 100 and "Fictional Valley Hospitals" in text
    s.clean()
