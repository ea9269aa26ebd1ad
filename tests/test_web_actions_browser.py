"""Actions in headless Chromium, served by `pxrules serve`: a lead adds an action owned by the contributor,
due in the future, then moves its due date to yesterday; the contributor, signing in, finds it overdue in
"My actions", in "Overdue" and on the home page's summary. A bad date is shown beside its field and nothing is
stored; a viewer reads without a form. axe-core finds no serious or critical violation on any actions page.
Screenshots are kept (PXRULES_SCREENSHOTS names a folder for them)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from browser_support import Session, axe, shot
from web_support import DEMO, USERS

pytestmark = pytest.mark.browser



def _done(s: Session) -> None:
    # The refused forms answer 422 on purpose, which Chromium logs as a failed resource.
    s.errors = [e for e in s.errors if "status of 422" not in e]
    s.clean()


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
    page.get_by_role("button", name="Track the latest self-assessment's planned actions").click()
    page.wait_for_url("**show=open&tracked=*")
    assert "planned actions are now tracked" in page.get_by_role("status").inner_text()
    axe(page, "actions-tracked")
    shot(page, "actions-tracked", tmp_path)
    page.get_by_role("link", name="Add an action").click()
    page.wait_for_url(f"{server}/orgs/{DEMO}/actions/new")
    axe(page, "action-new")
    shot(page, "action-new", tmp_path)
    page.get_by_role("button", name="Add action").click()  # nothing filled in: every problem beside its field
    for field in ("sub", "title", "owner", "due"):
        assert page.locator(f"#{field}-error").is_visible(), field
    assert page.get_by_role("alert").get_by_role("link").count() == 4
    axe(page, "action-new-errors")
    shot(page, "action-new-errors", tmp_path)
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
    axe(page, "action-error")
    shot(page, "action-error", tmp_path)
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
    axe(page, "action")
    shot(page, "action", tmp_path)
    _done(lead)

    owner = Session(browser, server, "contributor")
    page = owner.go(f"/orgs/{DEMO}")
    summary = page.locator("section[aria-labelledby=my-actions-title]")
    assert "1 overdue" in " ".join(summary.inner_text().split())
    shot(page, "home-my-actions", tmp_path)
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
        axe(page, f"actions-{show}")
        shot(page, f"actions-{show}", tmp_path)
    page = owner.go(f"/orgs/{DEMO}/sub/3A")
    panel = page.locator("section[aria-labelledby=actions-title]")
    assert TITLE in panel.inner_text() and "Overdue" in panel.inner_text()
    axe(page, "sub-actions")
    page = owner.go("/my/actions")
    assert page.locator("#results tbody tr", has_text=TITLE).count() == 1
    axe(page, "my-actions")
    shot(page, "my-actions", tmp_path)
    _done(owner)

    viewer = Session(browser, server, "viewer")
    page = viewer.go(action_url.replace(server, ""))
    assert page.locator("form[method=post]").count() == 1  # the sign-out form only
    assert page.get_by_role("heading", name="History").is_visible()
    axe(page, "action-viewer")
    _done(viewer)
