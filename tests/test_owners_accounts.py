"""Owners of actions and evidence are checked against the accounts once there are any: an email must be an
enabled account that sees the organisation (stored as its canonical email); a role name is kept as written;
nothing is stored when an owner is refused. Through the library and the command line, SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from cli_support import BOARD, ok
from typer.testing import CliRunner

from cli.main import app

pytest.importorskip("argon2", reason="accounts need the web extra")

from pxrules.accounts.owners import add_owned_action, check_owner, set_checked_evidence_owner, update_owned_action
from pxrules.accounts.users import add_user, change_user
from pxrules.errors import EvidenceError
from pxrules.store.actions import list_actions
from pxrules.store.db import unit_of_work
from pxrules.store.repo import add_org

runner = CliRunner()
PASSWORD = "correct horse battery staple"


@pytest.fixture
def url(db_url: str) -> str:
    with unit_of_work(db_url) as session:
        add_org("RX1", "One", "acute", session=session, by="test")
        add_org("RX2", "Two", "acute", session=session, by="test")
    return db_url


def _user(url: str, email: str, orgs: list[str], role: str = "contributor") -> None:
    with unit_of_work(url) as session:
        add_user(session, email, name="Jo Bloggs", role=role, orgs=orgs, password=PASSWORD, by="test")


def _check(url: str, owner: str, org: str | None = "RX1") -> str:
    with unit_of_work(url) as session:
        return check_owner(owner, session=session, org=org)


def test_without_accounts_any_email_or_name_is_taken(url: str) -> None:
    assert _check(url, " anyone@x.nhs.uk ") == "anyone@x.nhs.uk"
    assert _check(url, "Director of Nursing") == "Director of Nursing"
    assert _check(url, "") == ""


@pytest.mark.parametrize(("owner", "why"), [("a" * 321, "at most 320"), ("jo\x07@x.nhs.uk", "control character"),
                                            ("Jo\nBloggs", "control character")])  # fmt: skip
def test_over_long_or_control_characters_refused(url: str, owner: str, why: str) -> None:
    with pytest.raises(EvidenceError, match=why):
        _check(url, owner)


def test_once_accounts_exist_an_email_must_be_an_enabled_account_that_sees_the_org(url: str) -> None:
    _user(url, "Jo@Trust.nhs.uk", ["RX1"])
    assert _check(url, "JO@trust.NHS.uk") == "jo@trust.nhs.uk"  # the account's canonical email
    assert _check(url, "Director of Nursing") == "Director of Nursing"  # a role is kept as written
    with pytest.raises(EvidenceError, match="has no account here"):
        _check(url, "nobody@trust.nhs.uk")
    with pytest.raises(EvidenceError, match="cannot see RX2"):
        _check(url, "jo@trust.nhs.uk", "RX2")
    with unit_of_work(url) as session:
        change_user(session, "jo@trust.nhs.uk", by="test", disabled=True)
    with pytest.raises(EvidenceError, match="is disabled"):
        _check(url, "jo@trust.nhs.uk")


def test_the_services_check_before_they_store(url: str) -> None:
    _user(url, "jo@trust.nhs.uk", ["RX1"])
    with pytest.raises(EvidenceError, match="has no account"):
        add_owned_action(url, by="t", org="RX1", sub_requirement="3A", title="x", owner="nobody@trust.nhs.uk")
    with unit_of_work(url) as session:
        assert list_actions(session=session, include_done=True) == []
    added = add_owned_action(url, by="lead@trust.nhs.uk", org="RX1", sub_requirement="3a", title="Stories",
                             owner="JO@trust.nhs.uk", due_date=dt.date(2030, 1, 31))  # fmt: skip
    assert (added.owner, added.sub_requirement, added.version) == ("jo@trust.nhs.uk", "3A", 1)
    _user(url, "two@trust.nhs.uk", ["RX2"])
    with pytest.raises(EvidenceError, match="cannot see RX1"):
        update_owned_action(url, added.id, by="t", owner="two@trust.nhs.uk")
    moved = update_owned_action(url, added.id, by="t", status="in progress", due_date=dt.date(2030, 2, 1))
    assert (moved.owner, moved.status, moved.version) == ("jo@trust.nhs.uk", "in progress", 2)


def test_the_command_line_checks_owners(url: str, tmp_path: Path) -> None:
    def pxr(*args: str) -> Any:
        return runner.invoke(app, ["--db", url, "--by", "lead@trust.nhs.uk", *args])

    ok(pxr("action", "add", "--org", "RX1", "--sub", "3A", "--title", "Before accounts", "--owner", "anyone@x.nhs.uk"))
    _user(url, "Jo@Trust.nhs.uk", ["RX1"], role="lead")
    unknown = pxr("action", "add", "--org", "RX1", "--sub", "3A", "--title", "t", "--owner", "nobody@trust.nhs.uk")
    assert unknown.exit_code == 1 and "has no account here" in unknown.output
    blind = pxr("action", "add", "--org", "RX2", "--sub", "3A", "--title", "t", "--owner", "jo@trust.nhs.uk")
    assert blind.exit_code == 1 and "cannot see RX2" in blind.output
    added = json.loads(ok(pxr("action", "add", "--org", "RX1", "--sub", "3A", "--title", "t", "--owner",
                              "JO@trust.nhs.uk", "--json")).output)  # fmt: skip
    assert added[0]["owner"] == "jo@trust.nhs.uk"
    ok(pxr("action", "add", "--org", "RX1", "--sub", "3A", "--title", "t", "--owner", "Director of Nursing"))
    refused = pxr("action", "update", "1", "--owner", "nobody@trust.nhs.uk", "--status", "done")
    assert refused.exit_code == 1 and "has no account here" in refused.output
    assert json.loads(ok(pxr("action", "history", "1", "--json")).output)[-1]["status"] == "open"  # nothing stored
    (tmp_path / "board.yaml").write_text(BOARD, encoding="utf-8")
    ok(pxr("evidence", "import", str(tmp_path / "board.yaml")))
    assert pxr("evidence", "owner", "bm-1", "--owner", "nobody@trust.nhs.uk").exit_code == 1
    ok(pxr("evidence", "owner", "bm-1", "--owner", "JO@trust.nhs.uk"))
    record = set_checked_evidence_owner(url, "bm-1", by="t", review_date=dt.date(2030, 1, 1))
    assert (record.owner, record.review_date) == ("jo@trust.nhs.uk", dt.date(2030, 1, 1))
    ok(pxr("audit", "verify"))


def test_planned_actions_from_a_self_assessment_check_their_owners(url: str, tmp_path: Path) -> None:
    import csv
    import io

    from pxrules.accounts.owners import add_planned_actions
    from pxrules.board.selfassess_file import layout

    def pxr(*args: str) -> Any:
        return runner.invoke(app, ["--db", url, "--by", "lead@trust.nhs.uk", *args])

    template = tmp_path / "board.csv"
    ok(pxr("self-assess", "template", "--org", "RX1", "-o", str(template)))
    parsed = list(csv.reader(io.StringIO(template.read_text(encoding="utf-8-sig"))))
    headings = {c.key: c.header for c in layout()}
    at_header = next(i for i, row in enumerate(parsed) if headings["id"] in row)
    at = {key: parsed[at_header].index(h) for key, h in headings.items() if h in parsed[at_header]}
    for row in parsed[at_header + 1 :]:
        if row and row[at["id"]] in ("3A", "12C"):
            row[at["planned_action"]] = f"Planned for {row[at['id']]}"
            row[at["owner"]] = "sam@trust.nhs.uk" if row[at["id"]] == "3A" else "Director of Nursing"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(parsed)
    template.write_text(out.getvalue(), encoding="utf-8")
    ok(pxr("self-assess", "import", str(template), "--org", "RX1", "--as-of", "31/03/2026"))
    _user(url, "jo@trust.nhs.uk", ["RX1"])
    with pytest.raises(EvidenceError, match=r"sam@trust\.nhs\.uk' has no account"):
        add_planned_actions(url, by="t", org="RX1")
    with unit_of_work(url) as session:
        assert list_actions(session=session, include_done=True) == []  # all or nothing
    _user(url, "Sam@trust.nhs.uk", ["RX1"])
    added = add_planned_actions(url, by="t", org="RX1")
    assert sorted((a.sub_requirement, a.owner) for a in added) == [
        ("12C", "Director of Nursing"), ("3A", "sam@trust.nhs.uk")]  # fmt: skip
