"""The self-assessment in the workspace, through TestClient: a lead starts a version with the suggestions
hidden; lines save (htmx or a plain form) and a second editor's stale save is a conflict shown in the line,
never an overwrite; bad values are refused beside the field; reveal, submit, return and sign-off by the
right people only; the signed hash is the one in the exported report; roles, scope and CSRF hold."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed")

from fastapi.testclient import TestClient
from web_support import DEMO, OTHER, build_store, csrf_of, sign_in

from pxrules.web.app import create_app
from pxrules.web.config import WebConfig

HX = {"hx-request": "true"}
BASE = f"/orgs/{DEMO}/self-assessment"


@pytest.fixture
def url(store_url: str) -> str:
    from pxrules.store.db import init_db

    init_db(store_url)
    return build_store(store_url)


def _client(url: str, role: str) -> TestClient:
    client = TestClient(create_app(WebConfig(url)), raise_server_exceptions=False)
    assert sign_in(client, role).status_code == 303
    return client


@pytest.fixture
def lead(url: str) -> Iterator[TestClient]:
    with _client(url, "lead") as c:
        yield c


def _start(client: TestClient, hide: bool = True, carry_over: bool = False) -> str:
    csrf = csrf_of(client.get(BASE).text)
    form = {"as_of": "30/09/2026", "csrf": csrf, **({"hide": "true"} if hide else {}),
            **({"carry_over": "true"} if carry_over else {})}
    made = client.post(BASE, data=form, follow_redirects=False)
    assert made.status_code == 303, made.text[:2000]
    return str(made.headers["location"])


def _line_form(page: str, sub: str) -> dict[str, str]:
    """The values a browser would send for one line, as the section page shows them."""
    form = re.search(rf'<form method="post" action="[^"]*/lines/{sub}".*?</form>', page, re.S)
    assert form, f"no form for {sub}"
    html = form.group(0)
    hidden = r'<input type="hidden" (?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"'
    data = {m[0]: m[1] for m in re.findall(hidden, html)}
    checked = re.search(r'name="score" value="(\d?)" checked', html)
    data["score"] = checked.group(1) if checked else ""
    for name in ("current_position", "planned_action", "what_good_looks_like"):
        found = re.search(rf'name="{name}" rows="3">(.*?)</textarea>', html, re.S)
        data[name] = found.group(1) if found else ""
    for name in ("owner", "review_date"):
        found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html)
        data[name] = found.group(1) if found else ""
    return data


def test_lines_save_merge_and_a_stale_save_is_a_conflict(url: str, lead: TestClient) -> None:
    version = _start(lead)
    section = lead.get(f"{version}/section/1")
    assert section.status_code == 200
    assert "Org. score (0-5)" in section.text and "What will good look like?" in section.text
    assert "Suggested by the evidence" not in section.text  # hidden while the board scores
    mine = _line_form(section.text, "3A")
    with _client(url, "contributor") as other:
        theirs = _line_form(other.get(f"{version}/section/1").text, "3A")
        saved = other.post(f"{version}/lines/3A", data={**theirs, "score": "2"}, headers=HX)
        assert saved.status_code == 200 and "Saved at" in saved.text and 'hx-swap-oob="true"' in saved.text
    # The lead's page still holds the old values: their score change is a conflict, their note is saved.
    answer = lead.post(f"{version}/lines/3A", data={**mine, "score": "4", "planned_action": "Story\r\nevery month"},
                       headers=HX)  # fmt: skip
    assert answer.status_code == 200
    assert "Not saved: contrib@trust.nhs.uk changed this line" in answer.text
    assert "theirs is “2”, yours is “4”" in answer.text and "Keep mine" in answer.text
    stored = lead.get(f"/api{version}").json()
    row = next(r for r in stored["rows"] if r["sub_requirement"] == "3A")
    assert row["score"] == 2 and row["planned_action"] == "Story\nevery month"
    # Keep mine (a plain form post: the section page again, then saved).
    kept = lead.post(f"{version}/lines/3A", data={**mine, "score": "4", "planned_action": "Story\nevery month",
                                                  "resolve": "mine"}, follow_redirects=False)  # fmt: skip
    assert kept.status_code == 303 and kept.headers["location"].endswith("/section/1#line-3A")
    row = next(r for r in lead.get(f"/api{version}").json()["rows"] if r["sub_requirement"] == "3A")
    assert row["score"] == 4 and row["changed_by"] == "lead@trust.nhs.uk" and row["revision"] == 3


def test_a_bad_value_is_shown_beside_its_field_and_nothing_is_saved(lead: TestClient) -> None:
    version = _start(lead)
    form = _line_form(lead.get(f"{version}/section/1").text, "1A")
    page = lead.post(f"{version}/lines/1A", data={**form, "score": "3", "review_date": "31/02/2027"})
    assert page.status_code == 422
    assert 'id="err-1A-review_date"' in page.text and 'aria-invalid="true"' in page.text
    assert 'value="31/02/2027"' not in page.text or "is not a date" in page.text
    assert next(r for r in lead.get(f"/api{version}").json()["rows"] if r["sub_requirement"] == "1A")["score"] is None
    assert lead.post(f"{version}/lines/1A", data={**form, "score": "9"}, headers=HX).text.count("Choose a score") == 1
    # An over-long text is refused beside its field: never cut, never dropped (which would clear the field).
    long = lead.post(f"{version}/lines/1A", data={**form, "planned_action": "x" * 5001})
    assert long.status_code == 422 and 'id="err-1A-planned_action"' in long.text and "At most 5,000" in long.text


def test_reveal_submit_return_and_sign_off_by_the_right_people(url: str, lead: TestClient) -> None:
    version = _start(lead)
    draft_id = version.rsplit("/", 1)[1]
    form = _line_form(lead.get(f"{version}/section/1").text, "1A")
    assert lead.post(f"{version}/lines/1A", data={**form, "score": "5"}, headers=HX).status_code == 200
    page = lead.get(version).text
    assert "hidden while the board scores" in page
    csrf = csrf_of(page)
    blind = "with the suggested scores hidden"
    assert all(blind in lead.get(p).text for p in (f"/orgs/{DEMO}", f"/orgs/{DEMO}/compare", f"/orgs/{DEMO}/sub/3A"))
    assert lead.post(f"{version}/reveal", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert not any(blind in lead.get(p).text for p in (f"/orgs/{DEMO}", f"/orgs/{DEMO}/compare"))
    revealed = lead.get(version).text
    assert "Where the board and the evidence differ" in revealed and "Suggested by the evidence" in lead.get(
        f"{version}/section/1").text
    assert lead.post(f"{version}/submit", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    assert "Not saved" in lead.post(f"{version}/lines/1A", data={**form, "score": "1"}, headers=HX).text
    # A lead cannot sign (404, as for any page above one's role); an executive can.
    assert lead.post(f"{version}/decide", data={"csrf": csrf, "decision": "sign"}).status_code == 404
    with _client(url, "executive") as executive:
        csrf_x = csrf_of(executive.get(version).text)
        assert "Sign off" in executive.get(version).text
        refused = executive.post(f"{version}/decide", data={"csrf": csrf_x, "decision": "return", "comment": ""})
        assert refused.status_code == 422 and "say what needs to change" in refused.text
        signed = executive.post(f"{version}/decide", data={"csrf": csrf_x, "decision": "sign"}, follow_redirects=False)
        assert signed.status_code == 303
        shown = executive.get(version).text
        digest = re.search(r'<code class="hash" id="frozen-hash">([0-9a-f]{64})</code>', shown)
        assert digest, shown[:3000]
        data = executive.get(f"/api{version}").json()
        assert data["status"] == "signed" and data["steps"][-1]["content_hash"] == digest.group(1)
        self_id = data["self_assessment_id"]
        reports = executive.get(f"/api/orgs/{DEMO}/reports").json()
        report = executive.get(f"/orgs/{DEMO}/reports/download", params={"assessment": reports[0]["id"]})
        assert report.status_code == 200 and digest.group(1) in report.text
        assert f"self-assessment {self_id}" in report.text and "Evan Executive" in report.text
        compared = executive.get(f"/api/orgs/{DEMO}/compare").json()["self_assessment"]
        assert compared["id"] == self_id and compared["signed_off"]["content_hash"] == digest.group(1)
        assert digest.group(1) in executive.get(f"/orgs/{DEMO}/compare").text
    assert draft_id.isdigit()


def test_roles_scope_and_csrf(url: str, lead: TestClient) -> None:
    version = _start(lead)
    form = _line_form(lead.get(f"{version}/section/1").text, "1A")
    assert lead.post(f"{version}/lines/1A", data={**form, "csrf": "forged", "score": "2"}).status_code == 403
    with _client(url, "viewer") as viewer:
        assert viewer.get(version).status_code == 200
        assert "<form method=\"post\" action=\"" + version not in viewer.get(f"{version}/section/1").text
        assert viewer.post(f"{version}/lines/1A", data={**form, "score": "2"}).status_code == 404
        assert viewer.post(BASE, data={"as_of": "30/09/2026", "csrf": form["csrf"]}).status_code == 404
    with _client(url, "other") as other:
        assert other.get(version).status_code == 404
        assert other.get(f"/orgs/{OTHER}/self-assessment/{version.rsplit('/', 1)[1]}").status_code == 404
    assert lead.get(f"{version}/section/9").status_code == 404


def test_starting_refuses_a_bad_date_and_a_second_open_version(lead: TestClient) -> None:
    csrf = csrf_of(lead.get(BASE).text)
    bad: Any = lead.post(BASE, data={"as_of": "2026-13-01", "csrf": csrf})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text and "is not a date" in bad.text
    _start(lead)
    page = lead.get(BASE).text
    assert "Version 1 is in progress" in page and "Start version" not in page
    assert "Open version 1" in lead.get(f"/orgs/{DEMO}").text
