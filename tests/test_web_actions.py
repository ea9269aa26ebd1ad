"""Actions in the workspace, through TestClient: the lists ("my actions", overdue, due soon, all open, done) hold
what `action list --json` holds; an action's history; adding and updating through forms, audited with the
signed-in user as actor; errors beside the field with nothing stored; viewers read only; scope is 404; CSRF."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the web extra is not installed")

from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_support import DEMO, OTHER, USERS, build_store, csrf_of, sign_in

from cli.main import app as cli_app
from pxrules.accounts.owners import add_owned_action, update_owned_action
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.actions import ActionRecord, action_history
from pxrules.store.audit_chain import list_events
from pxrules.store.db import unit_of_work
from pxrules.web.app import create_app
from pxrules.web.config import WebConfig

TODAY = dt.date.today()
CONTRIB, LEAD = USERS["contributor"][0], USERS["lead"][0]


@pytest.fixture(scope="module")
def url(module_store_url: str) -> str:
    return build_store(module_store_url)


@pytest.fixture(scope="module")
def made(url: str) -> dict[str, ActionRecord]:
    """Four actions: the contributor's overdue one and one due soon, the lead's due later, one done."""

    def add(title: str, owner: str, days: int, sub: str = "3A") -> ActionRecord:
        return add_owned_action(url, by=LEAD, org=DEMO, sub_requirement=sub, title=title, owner=owner,
                                due_date=TODAY + dt.timedelta(days=days))  # fmt: skip

    done = add("Publish the complaints report", "Director of Nursing", 5, "8C")
    return {
        "overdue": add("Track patient story actions", CONTRIB, -3),
        "soon": add("Raise the FFT response rate", CONTRIB.upper(), 10, "12C"),
        "later": add("Agree the strategy", LEAD, 100, "1A"),
        "done": update_owned_action(url, done.id, by=LEAD, status="done"),
    }


def _as(client: TestClient, role: str) -> TestClient:
    assert sign_in(client, role).status_code == 303
    return client


def _cli(url: str, *args: str) -> Any:
    result = CliRunner().invoke(cli_app, ["--db", url, "--by", CONTRIB, *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _ids(data: dict[str, Any], made: dict[str, ActionRecord]) -> set[str]:
    mine = {r.id: key for key, r in made.items()}
    return {mine[a["id"]] for a in data["actions"] if a["id"] in mine}


def test_each_list_holds_what_action_list_json_holds(
    client: TestClient, url: str, made: dict[str, ActionRecord]
) -> None:
    _as(client, "contributor")
    lists = {show: client.get(f"/api/orgs/{DEMO}/actions?show={show}").json() for show in
             ("mine", "overdue", "soon", "open", "done")}  # fmt: skip
    assert _ids(lists["mine"], made) == {"overdue", "soon"}
    assert _ids(lists["overdue"], made) == {"overdue"}
    assert _ids(lists["soon"], made) == {"overdue", "soon"}
    assert _ids(lists["open"], made) == {"overdue", "soon", "later"}
    assert _ids(lists["done"], made) == {"done"}
    cli = {"mine": ["--mine"], "overdue": ["--overdue"], "soon": ["--due-within", "30"], "open": [],
           "done": ["--status", "done"]}  # fmt: skip
    for show, options in cli.items():
        assert lists[show]["actions"] == _cli(url, "action", "list", "--org", DEMO, "--json", *options), show
        assert lists[show]["counts"][show] == lists[show]["count"] == len(lists[show]["actions"])
    assert lists["soon"]["owner_names"][CONTRIB] == USERS["contributor"][1]
    assert lists["open"]["sub_requirements"]["3A"] == load_catalogue().get("3A").text  # the framework's words
    mine_overdue = client.get(f"/api/orgs/{DEMO}/actions?show=overdue&mine=true").json()
    assert mine_overdue["actions"] == _cli(url, "action", "list", "--org", DEMO, "--json", "--mine", "--overdue")


def test_the_list_page_marks_overdue_in_words_and_shows_names_and_uk_dates(
    client: TestClient, made: dict[str, ActionRecord]
) -> None:
    _as(client, "contributor")
    page = client.get(f"/orgs/{DEMO}/actions?show=overdue")
    assert page.status_code == 200
    text = page.text
    overdue = made["overdue"]
    row = text[text.index(f'/orgs/{DEMO}/actions/{overdue.id}"') :].split("</tr>")[0]
    assert "Overdue" in row and "⚠" in row and USERS["contributor"][1] in row
    due = overdue.due_date
    assert due is not None and f"{due.day} {due:%B %Y}" in row
    assert f'href="/orgs/{DEMO}/sub/3A"' in text and 'aria-current="page">Overdue' in text
    assert "Track patient story actions" in client.get(f"/orgs/{DEMO}/actions").text  # "my actions" by default
    assert "Agree the strategy" not in client.get(f"/orgs/{DEMO}/actions").text
    assert client.get(f"/orgs/{DEMO}/actions?show=nonsense").status_code == 422


def test_an_update_is_a_new_version_audited_with_the_signed_in_user(
    client: TestClient, url: str, made: dict[str, ActionRecord]
) -> None:
    action = made["later"]
    _as(client, "contributor")
    page = client.get(f"/orgs/{DEMO}/actions/{action.id}")
    assert page.status_code == 200 and "Update this action" in page.text
    form = {"csrf": csrf_of(page.text), "status": "in progress", "owner": LEAD, "due": "01/02/2031",
            "note": "Draft with the patient panel"}  # fmt: skip
    saved = client.post(f"/orgs/{DEMO}/actions/{action.id}", data=form, follow_redirects=False)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?saved=updated")
    history = client.get(f"/api/orgs/{DEMO}/actions/{action.id}").json()["history"]
    last = history[-1]
    assert (last["version"], last["status"], last["due_date"], last["changed_by"]) == (
        2, "in progress", "2031-02-01", CONTRIB)  # fmt: skip
    assert sorted(last["changed"]) == ["due_date", "note", "status"]
    assert [{k: v for k, v in h.items() if k != "changed"} for h in history] == _cli(
        url, "action", "history", str(action.id), "--json")  # fmt: skip
    with unit_of_work(url) as session:
        event = list_events(session, action="action.update")[-1]
    assert event.actor == CONTRIB and event.org == DEMO and f"action {action.id} v2" in event.subject
    shown = client.get(saved.headers["location"]).text
    assert "saved as version 2" in shown and "1 February 2031" in shown and "Colin Contributor" in shown
    again = client.post(f"/orgs/{DEMO}/actions/{action.id}", data=form, follow_redirects=False)
    assert again.headers["location"].endswith("?saved=same")
    assert len(action_history_of(url, action.id)) == 2


def action_history_of(url: str, action_id: int) -> list[ActionRecord]:
    with unit_of_work(url) as session:
        return action_history(action_id, session=session)


def test_adding_an_action_through_the_form(client: TestClient, url: str) -> None:
    _as(client, "lead")
    page = client.get(f"/orgs/{DEMO}/actions/new")
    assert page.status_code == 200
    assert page.text.index('value="1A"') < page.text.index('value="3A"') < page.text.index('value="23A"')
    form = {"csrf": csrf_of(page.text), "sub": "13a", "title": "Co-design the discharge leaflet",
            "owner": CONTRIB.upper(), "due": "30/06/2031"}  # fmt: skip
    added = client.post(f"/orgs/{DEMO}/actions", data=form, follow_redirects=False)
    assert added.status_code == 303
    action_id = int(added.headers["location"].split("/")[-1].split("?")[0])
    data = client.get(f"/api/orgs/{DEMO}/actions/{action_id}").json()["action"]
    assert (data["sub_requirement"], data["owner"], data["due_date"], data["status"]) == (
        "13A", CONTRIB, "2031-06-30", "open")  # fmt: skip
    with unit_of_work(url) as session:
        event = list_events(session, action="action.add")[-1]
    assert event.actor == LEAD and f"action {action_id} v1 (13A)" == event.subject


@pytest.mark.parametrize(("field", "value", "why"), [
    ("due", "31/02/2031", "day is out of range"), ("due", "02/31/2031", "month 31"), ("due", "", "Enter the due date"),
    ("owner", "nobody@trust.nhs.uk", "has no account here"), ("owner", USERS["other"][0], f"cannot see {DEMO}"),
    ("title", " ", "Enter what will be done"), ("sub", "", "Choose the sub-requirement"),
])  # fmt: skip
def test_bad_input_is_shown_beside_its_field_and_nothing_is_stored(
    client: TestClient, url: str, field: str, value: str, why: str
) -> None:
    _as(client, "lead")
    token = csrf_of(client.get(f"/orgs/{DEMO}/actions/new").text)
    before = client.get(f"/api/orgs/{DEMO}/actions?show=open").json()["count"]
    form = {"csrf": token, "sub": "3A", "title": "Something", "owner": CONTRIB, "due": "30/06/2031", field: value}
    refused = client.post(f"/orgs/{DEMO}/actions", data=form, follow_redirects=False)
    assert refused.status_code == 422
    beside = refused.text.split(f'id="{field}-error"')[1].split("</p>")[0]
    assert why in beside, beside
    assert f'aria-describedby="{field}-hint {field}-error" aria-invalid="true"' in refused.text
    assert "Nothing has been saved" in refused.text
    if field in ("owner", "due"):
        assert f'name="{field}" value="{value}"' in refused.text, "what was typed is kept"
    assert client.get(f"/api/orgs/{DEMO}/actions?show=open").json()["count"] == before


def test_a_bad_update_changes_nothing(client: TestClient, url: str, made: dict[str, ActionRecord]) -> None:
    action = made["soon"]
    _as(client, "contributor")
    token = csrf_of(client.get(f"/orgs/{DEMO}/actions/{action.id}").text)
    before = action_history_of(url, action.id)
    for field, value in (("due", "2031-13-01"), ("owner", "nobody@trust.nhs.uk"), ("status", "finished")):
        form = {"csrf": token, "status": "done", "owner": CONTRIB, "due": "01/01/2031", "note": "", field: value}
        refused = client.post(f"/orgs/{DEMO}/actions/{action.id}", data=form)
        assert refused.status_code == 422 and f'id="{field}-error"' in refused.text
    assert action_history_of(url, action.id) == before


def test_viewers_read_but_cannot_change(client: TestClient, url: str, made: dict[str, ActionRecord]) -> None:
    action = made["overdue"]
    _as(client, "viewer")
    page = client.get(f"/orgs/{DEMO}/actions/{action.id}")
    assert page.status_code == 200 and "History" in page.text and "Update this action" not in page.text
    assert "Add an action" not in client.get(f"/orgs/{DEMO}/actions").text
    assert client.get(f"/orgs/{DEMO}/actions/new").status_code == 404
    token = csrf_of(page.text)  # the sign-out form's: a viewer has a session token too
    form = {"csrf": token, "status": "done", "owner": CONTRIB, "due": "01/01/2031", "note": ""}
    assert client.post(f"/orgs/{DEMO}/actions/{action.id}", data=form).status_code == 404
    add = {"csrf": token, "sub": "3A", "title": "x", "owner": CONTRIB, "due": "01/01/2031"}
    assert client.post(f"/orgs/{DEMO}/actions", data=add).status_code == 404
    assert len(action_history_of(url, action.id)) == 1


def test_posts_without_the_csrf_token_are_refused(client: TestClient, url: str, made: dict[str, ActionRecord]) -> None:
    action = made["overdue"]
    _as(client, "lead")
    form = {"status": "done", "owner": CONTRIB, "due": "01/01/2031", "note": ""}
    assert client.post(f"/orgs/{DEMO}/actions/{action.id}", data=form).status_code == 403
    assert client.post(f"/orgs/{DEMO}/actions/{action.id}", data={**form, "csrf": "forged"}).status_code == 403
    add = {"sub": "3A", "title": "forged", "owner": CONTRIB, "due": "01/01/2031"}
    assert client.post(f"/orgs/{DEMO}/actions", data=add).status_code == 403
    assert len(action_history_of(url, action.id)) == 1


def test_another_organisation_is_404(client: TestClient, made: dict[str, ActionRecord]) -> None:
    action = made["overdue"]
    _as(client, "other")
    missing = client.get("/orgs/NOPE2/actions").text
    for path in (f"/orgs/{DEMO}/actions", f"/orgs/{DEMO}/actions/{action.id}", f"/orgs/{DEMO}/actions/new"):
        response = client.get(path)
        assert response.status_code == 404 and response.text == missing, path
    assert client.get(f"/api/orgs/{DEMO}/actions").status_code == 404
    assert client.get(f"/orgs/{OTHER}/actions/{action.id}").status_code == 404, "an action is checked by its org"
    assert client.get("/api/my/actions?show=open").json()["actions"] == []


def test_the_api_is_described(client: TestClient) -> None:
    _as(client, "viewer")
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/orgs/{code}/actions", "/api/orgs/{code}/actions/{action_id}", "/api/my/actions"} <= set(paths)
    assert "/orgs/{code}/actions" not in paths, "pages stay out of the API description"


def test_home_summary_and_my_actions_everywhere(client: TestClient, made: dict[str, ActionRecord]) -> None:
    _as(client, "contributor")
    summary = client.get(f"/api/orgs/{DEMO}").json()["my_actions"]
    mine = client.get(f"/api/orgs/{DEMO}/actions?show=mine").json()["actions"]
    assert summary["open"] == len(mine) and summary["overdue"] == sum(a["overdue"] for a in mine) >= 1
    home = client.get(f"/orgs/{DEMO}").text
    assert "My actions" in home and f"/orgs/{DEMO}/actions?show=overdue&amp;mine=true" in home
    everywhere = client.get("/api/my/actions").json()
    assert [a["id"] for a in everywhere["actions"]] == [a["id"] for a in mine]
    page = client.get("/my/actions")
    assert page.status_code == 200 and "Track patient story actions" in page.text


def test_hostile_text_in_an_action_stays_text(client: TestClient, url: str) -> None:
    hostile = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'
    record = add_owned_action(url, by=LEAD, org=DEMO, sub_requirement="3A", title=hostile, owner="Chief <b>Nurse</b>",
                              due_date=TODAY, note=hostile)  # fmt: skip
    _as(client, "viewer")
    for path in (f"/orgs/{DEMO}/actions/{record.id}", f"/orgs/{DEMO}/actions?show=open"):
        page = client.get(path).text
        assert "<script>alert" not in page and "<img src=x" not in page and "<b>Nurse" not in page
        assert "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;" in page


def test_a_stale_form_shows_the_conflict_instead_of_undoing_a_change(client: TestClient, url: str) -> None:
    record = add_owned_action(url, by=LEAD, org=DEMO, sub_requirement="6A", title="Two people at once", owner=LEAD,
                              due_date=TODAY + dt.timedelta(days=60))  # fmt: skip
    path = f"/orgs/{DEMO}/actions/{record.id}"
    with TestClient(create_app(WebConfig(url)), raise_server_exceptions=False) as other:
        _as(other, "contributor")
        _as(client, "lead")
        lead_form, contrib_form = csrf_of(client.get(path).text), csrf_of(other.get(path).text)
        base = {"status": "open", "owner": LEAD, "due": (TODAY + dt.timedelta(days=60)).strftime("%d/%m/%Y"),
                "note": "", "version": "1"}  # fmt: skip
        first = other.post(path, data={**base, "csrf": contrib_form, "status": "in progress"}, follow_redirects=False)
        assert first.status_code == 303
        stale = client.post(path, data={**base, "csrf": lead_form, "note": "Agreed at the board"})
        assert stale.status_code == 409 and "Someone else saved a change first" in stale.text
        assert "Agreed at the board" in stale.text, "the user's own changes stay in the form"
        assert [v.status for v in action_history_of(url, record.id)] == ["open", "in progress"]
        again = client.post(path, data={**base, "csrf": lead_form, "note": "Agreed", "status": "in progress",
                                         "version": "2"}, follow_redirects=False)  # fmt: skip
        assert again.status_code == 303
    assert [(v.status, v.note) for v in action_history_of(url, record.id)][-1] == ("in progress", "Agreed")


def test_a_sub_requirement_lists_its_actions_and_offers_to_add_one(
    client: TestClient, url: str, made: dict[str, ActionRecord]
) -> None:
    _as(client, "viewer")
    api = client.get(f"/api/orgs/{DEMO}/sub/8C").json()["actions"]
    assert made["done"].id in [a["id"] for a in api["actions"]] and {a["sub_requirement"] for a in api["actions"]} == {
        "8C"}  # fmt: skip
    page = client.get(f"/orgs/{DEMO}/sub/3A").text
    assert "Track patient story actions" in page and "Overdue" in page
    assert "Add an action for 3A" not in page
    client.cookies.clear()
    _as(client, "contributor")
    page = client.get(f"/orgs/{DEMO}/sub/3A").text
    assert f'href="/orgs/{DEMO}/actions/new?sub=3A"' in page
    form = client.get(f"/orgs/{DEMO}/actions/new?sub=3A").text
    assert '<option value="3A" selected>' in form


def test_a_lead_tracks_the_self_assessments_planned_actions_once(client: TestClient, url: str) -> None:
    _as(client, "contributor")
    token = csrf_of(client.get(f"/orgs/{DEMO}/actions").text)
    assert "Track the latest self-assessment" not in client.get(f"/orgs/{DEMO}/actions").text
    assert client.post(f"/orgs/{DEMO}/actions/from-self-assessment", data={"csrf": token}).status_code == 404
    client.cookies.clear()
    _as(client, "lead")
    page = client.get(f"/orgs/{DEMO}/actions").text
    assert "Track the latest self-assessment" in page
    assert client.post(f"/orgs/{DEMO}/actions/from-self-assessment", data={}).status_code == 403
    before = client.get(f"/api/orgs/{DEMO}/actions?show=open").json()["count"]
    done = client.post(f"/orgs/{DEMO}/actions/from-self-assessment", data={"csrf": csrf_of(page)},
                       follow_redirects=False)  # fmt: skip
    assert done.status_code == 303 and done.headers["location"].endswith("?show=open&tracked=57")
    after = client.get(f"/api/orgs/{DEMO}/actions?show=open").json()
    assert after["count"] == before + 57 and "Chief Nurse" in {a["owner"] for a in after["actions"]}
    assert "57 planned actions are now tracked" in client.get(done.headers["location"]).text
    again = client.post(f"/orgs/{DEMO}/actions/from-self-assessment", data={"csrf": csrf_of(page)},
                        follow_redirects=False)  # fmt: skip
    assert again.headers["location"].endswith("tracked=0")
    with unit_of_work(url) as session:
        assert list_events(session, action="action.add")[-1].actor == LEAD
