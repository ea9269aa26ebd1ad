"""Recording evidence in the browser (TestClient, SQLite and PostgreSQL): a form per kind in plain words,
errors beside their fields with nothing stored, a stored item by the signed-in person with the import's
audit event, corrections and withdrawals with reasons, owners, roles, scope and CSRF on every new route."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed")

from fastapi.testclient import TestClient
from web_support import DEMO, OTHER, USERS, build_store, csrf_of, sign_in

from pxrules.evidence import KINDS
from pxrules.evidence.columns import columns
from pxrules.store.audit_chain import list_events
from pxrules.store.db import unit_of_work
from pxrules.store.repo import evidence_history
from pxrules.web.forms import NOT_TYPED

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
Counts = Callable[[str], dict[str, int]]


@pytest.fixture(scope="module")
def url(module_store_url: str) -> str:
    return build_store(module_store_url)


def as_role(client: TestClient, role: str) -> TestClient:
    client.cookies.clear()
    assert sign_in(client, role).status_code == 303
    return client


def board(client: TestClient, **fields: str) -> dict[str, str]:
    """A board meeting with a patient story, as the form sends it."""
    page = client.get(f"/orgs/{DEMO}/evidence/new/board_meeting")
    data = {"csrf": csrf_of(page.text), "period_start": "01/12/2026", "patient_story": "yes",
            "story_presenter": "carer", "source.title": "Board meeting in public, 1 December 2026",
            "source.reference": "Minutes item 4", "sub_requirements": "3A"}  # fmt: skip
    data.update(fields)
    return data


def post_board(client: TestClient, data: dict[str, str], files: dict[str, tuple[str, bytes, str]] | None = None,
               ) -> object:  # fmt: skip
    return client.post(f"/orgs/{DEMO}/evidence/new/board_meeting", data=data, files=files, follow_redirects=False)


def test_every_kind_has_a_form_in_plain_words(client: TestClient) -> None:
    as_role(client, "contributor")
    chooser = client.get(f"/orgs/{DEMO}/evidence/new")
    assert chooser.status_code == 200 and "One meeting of the board" in chooser.text
    for kind in KINDS:
        page = client.get(f"/orgs/{DEMO}/evidence/new/{kind}")
        assert page.status_code == 200, kind
        labels = re.findall(r"<(?:label for=\"f-[^\"]+\"|legend)>([^<]+)", page.text)
        assert labels, kind
        for column in columns(kind):
            if column.key in NOT_TYPED:
                assert f'name="{column.key}"' not in page.text
                continue
            assert f'name="{column.key}"' in page.text, (kind, column.key)
            assert column.heading in labels or f"{column.heading} " in " ".join(labels), (kind, column.heading)
            if column.shape == "choice":
                options = [f">{escape(label, quote=False)}</option>" for _, label in column.choices]
                assert all(o in page.text for o in options), (kind, column.key)
        # Internal keys appear only small beside a label, never as the label itself.
        assert not [text for text in labels if "_" in text], (kind, labels)
        assert 'type="file"' in page.text and 'enctype="multipart/form-data"' in page.text


def test_a_bad_value_shows_beside_its_field_and_nothing_is_stored(client: TestClient, url: str,
                                                                   table_counts: Counts) -> None:  # fmt: skip
    as_role(client, "contributor")
    before = table_counts(url)
    answer = post_board(client, board(client, period_start="31/13/2026", **{"source.title": ""}))
    assert answer.status_code == 422  # type: ignore[attr-defined]
    text = answer.text  # type: ignore[attr-defined]
    assert "<title>Error: Record board and committee meeting papers" in text
    assert 'href="#f-period_start"' in text and 'href="#f-source-title"' in text
    assert re.search(r'id="f-period_start-error"[^>]*>.*month must be in 1..12', text)
    field = re.search(r'<input type="text" id="f-period_start"[^>]*>', text)
    assert field and 'value="31/13/2026"' in field.group(0) and 'aria-invalid="true"' in field.group(0)
    assert "f-period_start-hint f-period_start-error" in field.group(0)
    assert 'value="Minutes item 4"' in text, "what was typed is kept"
    assert table_counts(url) == before

    mixed = post_board(client, board(client, story_presenter="none"))
    assert mixed.status_code == 422  # type: ignore[attr-defined]
    said = "‘Patient story’ is Yes but ‘Story presenter’ is ‘None’"
    assert mixed.text.count(said) >= 3  # type: ignore[attr-defined]  # summary, and beside both fields
    assert "story_presenter is" not in mixed.text  # type: ignore[attr-defined]
    future = post_board(client, board(client, period_start="01/01/2999"))
    assert future.status_code == 422 and "after today" in future.text  # type: ignore[attr-defined]
    taken = post_board(client, board(client, id="demo-analysis-qc-2024-06-20"))
    assert taken.status_code == 422 and "already in the register" in taken.text  # type: ignore[attr-defined]
    assert table_counts(url) == before


def test_a_good_form_stores_one_item_by_the_user_with_the_import_event(client: TestClient, url: str,
                                                                        table_counts: Counts) -> None:  # fmt: skip
    as_role(client, "contributor")
    client.get(f"/orgs/{DEMO}/evidence", params={"q": "2026-11-02"})  # cached before the item exists
    before = table_counts(url)
    typed = board(client, period_start="02/11/2026", agenda="celebration", sub_requirements="3a, 4A")
    answer = post_board(client, typed, files={"attachment": ("minutes.pdf", PDF, "application/pdf")})
    assert answer.status_code == 303  # type: ignore[attr-defined]
    where = answer.headers["location"]  # type: ignore[attr-defined]
    evidence_id = re.fullmatch(rf"/orgs/{DEMO}/evidence/([^?]+)\?done=recorded", where).group(1)  # type: ignore[union-attr]
    assert evidence_id == f"{DEMO.lower()}-board-meeting-2026-11-02"
    after = table_counts(url)
    assert after["evidence"] == before["evidence"] + 1 and after["attachment"] == before["attachment"] + 1
    assert after["audit_event"] == before["audit_event"] + 2  # evidence.import and attachment.store
    with unit_of_work(url) as session:
        stored = evidence_history(evidence_id, session=session)[-1]
        events = list_events(session, limit=5)
    assert stored.recorded_by == USERS["contributor"][0] and stored.payload["agenda"] == ["celebration"]
    assert stored.payload["sub_requirements"] == ["3A", "4A"]
    assert stored.payload["source"]["attachment"] == "minutes.pdf" and len(stored.payload["source"]["sha256"]) == 64
    imported = next(e for e in events if e.action == "evidence.import")
    assert imported.actor == USERS["contributor"][0] and evidence_id in imported.subject
    page = client.get(where)
    assert "Recorded: the item is in the register" in page.text and "minutes.pdf" in page.text
    assert "<dt>Story presenter</dt><dd>Carer</dd>" in page.text and "<dt>Agenda</dt><dd>Celebration</dd>" in page.text
    # The register's cached view moves on with the new row (the cache keys on the append-only tables).
    assert evidence_id in client.get(f"/orgs/{DEMO}/evidence", params={"q": "2026-11-02"}).text
    again = post_board(client, board(client, period_start="02/11/2026"))
    assert again.headers["location"].startswith(f"/orgs/{DEMO}/evidence/{evidence_id}-2?")  # type: ignore[attr-defined]


def test_correction_needs_a_reason_and_makes_a_new_version(client: TestClient, url: str,
                                                           table_counts: Counts) -> None:  # fmt: skip
    as_role(client, "contributor")
    first = post_board(client, board(client, period_start="03/10/2026"))
    evidence_id = first.headers["location"].split("/")[-1].split("?")[0]  # type: ignore[attr-defined]
    form = client.get(f"/orgs/{DEMO}/evidence/{evidence_id}/correct")
    assert form.status_code == 200 and 'value="03/10/2026"' in form.text and 'value="Minutes item 4"' in form.text
    data = {"csrf": csrf_of(form.text), "period_start": "03/10/2026", "patient_story": "yes",
            "story_presenter": "staff", "source.title": "Board meeting in public, 3 October 2026"}  # fmt: skip
    before = table_counts(url)
    no_reason = client.post(f"/orgs/{DEMO}/evidence/{evidence_id}/correct", data=data)
    assert no_reason.status_code == 422 and 'id="f-reason-error"' in no_reason.text
    assert table_counts(url) == before
    done = client.post(f"/orgs/{DEMO}/evidence/{evidence_id}/correct", data={**data, "reason": "Presenter was staff"},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].endswith("?done=corrected")
    with unit_of_work(url) as session:
        history = evidence_history(evidence_id, session=session)
        event = list_events(session, limit=1)[0]
    assert [r.version for r in history] == [1, 2] and history[-1].payload["story_presenter"] == "staff"
    assert event.action == "evidence.correct" and event.details["reason"] == "Presenter was staff"
    assert event.actor == USERS["contributor"][0]
    same = client.post(f"/orgs/{DEMO}/evidence/{evidence_id}/correct", data={**data, "reason": "again"})
    assert same.status_code == 422 and "Nothing was changed" in same.text


def test_withdrawal_needs_a_reason(client: TestClient, url: str, table_counts: Counts) -> None:
    as_role(client, "contributor")
    first = post_board(client, board(client, period_start="04/09/2026"))
    evidence_id = first.headers["location"].split("/")[-1].split("?")[0]  # type: ignore[attr-defined]
    page = client.get(f"/orgs/{DEMO}/evidence/{evidence_id}")
    before = table_counts(url)
    blank = client.post(f"/orgs/{DEMO}/evidence/{evidence_id}/withdraw", data={"csrf": csrf_of(page.text)})
    assert blank.status_code == 422 and 'id="f-reason-error"' in blank.text and table_counts(url) == before
    done = client.post(f"/orgs/{DEMO}/evidence/{evidence_id}/withdraw",
                       data={"csrf": csrf_of(page.text), "reason": "Recorded against the wrong meeting"})
    assert done.status_code == 200 and "Withdrawn: assessments no longer count this item" in done.text
    with unit_of_work(url) as session:
        event = list_events(session, limit=1)[0]
    assert event.action == "evidence.withdraw" and event.actor == USERS["contributor"][0]
    assert "Withdraw this item</summary>" not in client.get(f"/orgs/{DEMO}/evidence/{evidence_id}").text


def test_a_lead_sets_the_owner_and_review_date(client: TestClient, url: str) -> None:
    as_role(client, "lead")
    item = f"/orgs/{DEMO}/evidence/demo-analysis-qc-2024-06-20"
    csrf = csrf_of(client.get(item).text)
    stranger = client.post(f"{item}/owner", data={"csrf": csrf, "owner": USERS["other"][0], "review": ""})
    assert stranger.status_code == 422 and f"cannot see {DEMO}" in stranger.text
    bad_day = client.post(f"{item}/owner", data={"csrf": csrf, "owner": "lead", "review": "31/02/2027"})
    assert bad_day.status_code == 422 and 'id="f-review-error"' in bad_day.text
    done = client.post(f"{item}/owner", data={"csrf": csrf, "owner": USERS["contributor"][0], "review": "31/03/2027"})
    assert done.status_code == 200 and "31/03/2027" in done.text and USERS["contributor"][0] in done.text
    assert client.get(f"/api{item}").json()["owner"]["review_date"] == "2027-03-31"
    as_role(client, "contributor")
    csrf = csrf_of(client.get(item).text)
    assert client.post(f"{item}/owner", data={"csrf": csrf, "owner": "lead"}).status_code == 404


def test_roles_scope_and_csrf_on_the_new_routes(client: TestClient) -> None:
    as_role(client, "viewer")
    for path in ("/evidence/new", "/evidence/new/board_meeting", "/evidence/upload", "/evidence/template/all.xlsx",
                 "/evidence/demo-analysis-qc-2024-06-20/correct"):  # fmt: skip
        assert client.get(f"/orgs/{DEMO}{path}").status_code == 404, path
    item = client.get(f"/orgs/{DEMO}/evidence/demo-analysis-qc-2024-06-20")
    assert "Correct this item" not in item.text and "Run an assessment" not in client.get(f"/orgs/{DEMO}").text
    as_role(client, "contributor")
    assert client.get(f"/orgs/{OTHER}/evidence/new/board_meeting").status_code == 404
    assert client.get(f"/orgs/{DEMO}/evidence/new/no_such_kind").status_code == 404
    assert post_board(client, {**board(client), "csrf": "forged"}).status_code == 403  # type: ignore[attr-defined]
    csrf = csrf_of(client.get(f"/orgs/{DEMO}").text)
    assert client.post(f"/orgs/{DEMO}/assess", data={"csrf": csrf}).status_code == 404
    assert client.post(f"/orgs/{OTHER}/evidence/new/board_meeting", data=board(client)).status_code == 404
    as_role(client, "lead")
    csrf = csrf_of(client.get(f"/orgs/{DEMO}").text)
    assert client.post(f"/orgs/{DEMO}/assess", data={"csrf": "forged"}).status_code == 403
    future = client.post(f"/orgs/{DEMO}/assess", data={"csrf": csrf, "as_of": "01/01/2999"})
    assert "cannot be after today" in future.text


def test_run_an_assessment_then_the_sub_requirement_cites_the_item_and_its_file(client: TestClient) -> None:
    as_role(client, "contributor")
    data = board(client, period_start="05/08/2026")
    recorded = post_board(client, data, files={"attachment": ("story-minutes.pdf", PDF + b"% 3A\n", "application/pdf")})
    evidence_id = recorded.headers["location"].split("/")[-1].split("?")[0]  # type: ignore[attr-defined]
    sha = client.get(f"/api/orgs/{DEMO}/evidence/{evidence_id}").json()["attachment"]["sha256"]
    as_role(client, "lead")
    ran = client.post(f"/orgs/{DEMO}/assess", data={"csrf": csrf_of(client.get(f"/orgs/{DEMO}").text)})
    assert ran.status_code == 200 and "Assessed:" in ran.text
    page = client.get(f"/orgs/{DEMO}/sub/3A")
    assert evidence_id in page.text and sha in page.text and "story-minutes.pdf" in page.text
    assert client.get(f"/api/orgs/{DEMO}/sub/3A").json()["attachments"][sha]["file_name"] == "story-minutes.pdf"
    download = client.get(f"/orgs/{DEMO}/attachments/{sha}")
    assert download.status_code == 200 and download.content == PDF + b"% 3A\n"
    assert download.headers["content-disposition"].startswith('attachment; filename="story-minutes.pdf"')
    assert download.headers["x-content-type-options"] == "nosniff"
    as_role(client, "other")
    assert client.get(f"/orgs/{OTHER}/attachments/{sha}").status_code == 404, "a hash opens nothing out of scope"


def test_an_open_list_offers_its_codes_as_tick_boxes_and_takes_named_ones(client: TestClient, url: str) -> None:
    as_role(client, "contributor")
    page = client.get(f"/orgs/{DEMO}/evidence/new/document")
    assert 'name="contents" value="board_lead"' in page.text and "Names a board-level lead" in page.text
    assert 'name="contents.other"' in page.text and "px_example.name" in page.text
    data = {"csrf": csrf_of(page.text), "period_start": "01/09/2026", "doc_type": "px_strategy",
            "title": "Patient experience strategy 2026-2029", "status": "approved", "approved_on": "01/09/2026",
            "contents": ["board_lead", "delivery_plan"], "contents.other": "px_example.discharge_lounge",
            "source.title": "Board papers, September 2026"}  # fmt: skip
    answer = client.post(f"/orgs/{DEMO}/evidence/new/document", data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:3000]
    evidence_id = answer.headers["location"].split("/")[-1].split("?")[0]
    stored = client.get(f"/api/orgs/{DEMO}/evidence/{evidence_id}").json()["payload"]
    assert stored["contents"] == ["board_lead", "delivery_plan", "px_example.discharge_lounge"]
    form = client.get(f"/orgs/{DEMO}/evidence/{evidence_id}/correct").text
    assert re.search(r'value="board_lead"[^>]*checked', form) and 'value="px_example.discharge_lounge"' in form
    bad = client.post(f"/orgs/{DEMO}/evidence/new/document", data={**data, "contents.other": "made_up"})
    assert bad.status_code == 422 and 'id="f-contents-error"' in bad.text
    assert "‘made_up’ is not one of the list" in bad.text and "document.schema.json" not in bad.text
