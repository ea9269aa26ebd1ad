"""The board's self-assessment in headless Chromium: a lead scores with the suggested scores hidden (each
change saved as it is made), reveals them, submits; an executive signs off and the frozen hash on screen is
the one in the exported report; two people editing one line see a conflict, never a silent overwrite;
axe-core finds no serious or critical violation on any of these pages."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from browser_support import Session, axe, shot
from web_support import DEMO

pytestmark = pytest.mark.browser
BASE = f"/orgs/{DEMO}/self-assessment"



def _open_version(s: Session) -> str:
    """The version in progress (started blank by this lead, suggestions hidden, when there is none): its path."""
    page = s.go(BASE)
    start = page.get_by_role("button", name=re.compile(r"^Start version"))
    if start.count():
        page.get_by_label("Self-assessment date").fill("30/09/2026")
        page.get_by_label("Start from the latest self-assessment's scores and notes").uncheck()
        start.click()
    else:
        page.get_by_role("link", name=re.compile(r"^Open version")).click()
    page.wait_for_url(re.compile(r".*/self-assessment/\d+$"))
    return str(page.url).removeprefix(s.base)


def _line(page: Any, sub: str) -> Any:
    return page.locator(f"#line-{sub}")


def _score(page: Any, sub: str, value: int) -> None:
    _line(page, sub).get_by_role("radio", name=re.compile(rf"^{value} ")).check()


def test_two_editors_see_a_conflict_never_an_overwrite(browser: Any, server: str, tmp_path: Path) -> None:
    lead = Session(browser, server, "lead")
    version = _open_version(lead)
    other = Session(browser, server, "contributor")
    mine = lead.go(f"{version}/section/1")
    theirs = other.go(f"{version}/section/1")
    _score(theirs, "3B", 2)
    theirs.wait_for_selector("#status-3B .saved")
    # The lead's page was loaded before that save: the same field, changed differently, is a conflict.
    _score(mine, "3B", 4)
    conflict = mine.wait_for_selector("#status-3B .conflict")
    assert "theirs is “2”, yours is “4”" in conflict.inner_text()
    axe(mine, "self-assessment-conflict")
    shot(mine, "self-assessment-conflict", tmp_path)
    stored = mine.request.get(f"{server}/api{version}").json()
    assert next(r for r in stored["rows"] if r["sub_requirement"] == "3B")["score"] == 2
    # A different field of the same line, changed by the lead, merges with the contributor's change.
    _line(mine, "3B").get_by_label("Planned action to improve").fill("Review the story programme")
    _line(mine, "3B").get_by_label("Owner").click()
    mine.wait_for_function("() => !document.querySelector('#status-3B .conflict')"
                           " || document.querySelector('#status-3B').textContent.includes('Not saved')")
    mine.locator("#status-3B").get_by_role("button", name="Keep mine").click()
    mine.wait_for_selector("#status-3B .saved")
    row = next(r for r in mine.request.get(f"{server}/api{version}").json()["rows"] if r["sub_requirement"] == "3B")
    assert row["score"] == 4 and row["planned_action"] == "Review the story programme"
    lead.clean()
    other.clean()


def test_lead_scores_hidden_reveals_submits_and_executive_signs(browser: Any, server: str, tmp_path: Path) -> None:
    lead = Session(browser, server, "lead")
    axe(lead.go(BASE), "self-assessment-list")
    shot(lead.page, "self-assessment-list", tmp_path)
    version = _open_version(lead)
    page = lead.go(version)
    axe(page, "self-assessment-version")
    shot(page, "self-assessment-version", tmp_path)
    page = lead.go(f"{version}/section/1")
    assert page.get_by_text("Suggested by the evidence").count() == 0
    assert page.get_by_text("The suggested scores are hidden").is_visible()
    for sub, value in (("1A", 3), ("3A", 4)):
        _score(page, sub, value)
        page.wait_for_selector(f"#status-{sub} .saved")
    _line(page, "3A").get_by_label("Current position").fill("A patient story opens every public board meeting.")
    _line(page, "3A").get_by_label("Calendar").fill("2027-03-31")  # picked: the typed field follows
    assert _line(page, "3A").get_by_label("Review date").input_value() == "31/03/2027"
    _line(page, "3A").get_by_label("Owner").click()  # leaving the field saves it
    page.wait_for_function("() => document.querySelector('#status-3A').textContent.includes('Saved at')")
    axe(page, "self-assessment-section-hidden")
    shot(page, "self-assessment-section-hidden", tmp_path)
    page = lead.go(version)
    page.get_by_role("button", name="Reveal the suggested scores and the comparison").click()
    page.wait_for_selector("text=Where the board and the evidence differ")
    page = lead.go(f"{version}/section/1")
    assert _line(page, "3A").get_by_text("Suggested by the evidence").is_visible()
    axe(page, "self-assessment-section-revealed")
    shot(page, "self-assessment-section-revealed", tmp_path)
    page = lead.go(version)
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_selector("text=Nobody can change it while it is under review")
    lead.clean()

    executive = Session(browser, server, "executive")
    page = executive.go(version)
    axe(page, "self-assessment-review")
    page.get_by_label("Comments").fill("Agreed at the October board.")
    page.get_by_role("button", name="Sign off").click()
    digest = page.locator("#frozen-hash").inner_text()
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    axe(page, "self-assessment-signed")
    shot(page, "self-assessment-signed", tmp_path)
    page = executive.go(f"/orgs/{DEMO}/reports")
    page.get_by_label("Markdown").check()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    report = Path(info.value.path()).read_text(encoding="utf-8")
    assert f"its content hash is {digest}" in report and "Evan Executive" in report
    executive.clean()
