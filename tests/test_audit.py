"""The audit chain: every write appends a linked event, and `audit verify` catches any change made behind it."""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from audit_support import benchmark, cli, fft, populate, query, tamper, verify_json
from sqlmodel import SQLModel

import pxrules.store.tables  # noqa: F401  (registers the tables)
from pxrules.audit.verify import verify_store
from pxrules.errors import AuditError, EvidenceError, StoreError
from pxrules.store import repo
from pxrules.store.audit_chain import COLUMNS, GENESIS_PREV, KEYS, append_event, event_hash, head, list_events
from pxrules.store.db import unit_of_work

ACTIONS = [
    "genesis", "org.add", "org.add", "evidence.import", "evidence.import", "evidence.import", "evidence.correct",
    "evidence.import", "evidence.withdraw", "rulepack.use", "assessment.save", "self_assessment.import",
]  # fmt: skip


@pytest.fixture
def filled(db_url: str) -> tuple[str, dict[str, int]]:
    return db_url, populate(db_url)


def test_audited_columns_are_exactly_the_tables_columns() -> None:
    # A new column must be added to COLUMNS on purpose (and hashed from then on), never missed.
    for name, columns in COLUMNS.items():
        table = SQLModel.metadata.tables[name]
        assert [c for c, _ in columns] == [c.name for c in table.columns], name
    covered = set(COLUMNS)
    # Not audited: the chain itself, password hashes (secrets), browser sessions (disposable) and the working
    # copy of a self-assessment being written (its review steps are audited, and sign-off stores the record).
    unaudited = {"audit_event", "audit_head", "user_password", "web_session", "self_assessment_draft",
                 "self_assessment_draft_row"}
    assert covered | unaudited == set(SQLModel.metadata.tables)
    assert set(KEYS) <= covered


def test_every_write_appends_a_linked_event_naming_who_and_what(filled: tuple[str, dict[str, int]]) -> None:
    url, _ = filled
    with unit_of_work(url) as session:
        events = list_events(session)
        current = head(session)
    assert [e.action for e in events] == ACTIONS
    assert [e.seq for e in events] == list(range(1, len(ACTIONS) + 1))
    assert events[0].prev_hash == GENESIS_PREV
    for before, after in itertools.pairwise(events):
        assert after.prev_hash == before.hash
    assert current == (events[-1].seq, events[-1].hash)
    by_action = {e.action: e for e in events}
    assert [e.actor for e in events[1:3]] == ["alice", "alice"]
    assert [(e.org, e.subject) for e in events[3:6]] == [
        (None, "evidence bm-ae v1"), ("RX1", "evidence fft-1 v1"), ("RX2", "evidence fft-2 v1")]
    assert by_action["evidence.correct"].details == {"items": 1, "files": [], "reason": "typo"}
    assert by_action["evidence.withdraw"].actor == "carol"
    assert by_action["evidence.withdraw"].details["reason"] == "wrong trust"
    assert by_action["rulepack.use"].subject == "rule pack " + "a" * 64
    assert by_action["assessment.save"].refs == {"assessment": [1]}
    assert by_action["self_assessment.import"].actor == "erin"
    assert len({e.hash for e in events}) == len(events)


def test_an_untouched_store_verifies(filled: tuple[str, dict[str, int]]) -> None:
    url, _ = filled
    report = verify_store(url)
    assert report.ok, report.problems
    assert (report.events, report.rows) == (len(ACTIONS), 10)
    code, data = verify_json(url)
    assert code == 0 and data["ok"] and data["first_broken_event"] is None, data
    text = cli(url, "audit", "verify")
    assert text.exit_code == 0 and "verified: 12 event(s), 10 row(s)" in text.output, text.output


def test_a_rule_pack_version_is_recorded_once(filled: tuple[str, dict[str, int]]) -> None:
    url, _ = filled
    for _ in range(2):
        with unit_of_work(url) as session:
            repo.save_assessment(session=session, org="RX2", as_of=pxrules_date(), rules_hash="a" * 64,
                                 catalogue_version="c1", evidence_ids=[], result={}, scores=[], by="x")
    with unit_of_work(url) as session:
        repo.save_assessment(session=session, org="RX2", as_of=pxrules_date(), rules_hash="f" * 64,
                             catalogue_version="c1", evidence_ids=[], result={}, scores=[], by="x")
        uses = [e.subject for e in list_events(session, action="rulepack.use")]
    assert uses == ["rule pack " + "a" * 64, "rule pack " + "f" * 64]


def pxrules_date() -> Any:
    import datetime as dt

    return dt.date(2025, 7, 1)


def test_a_rejected_write_leaves_rows_and_chain_unchanged(
    filled: tuple[str, dict[str, int]], table_counts: Callable[[str], dict[str, int]]
) -> None:
    url, _ = filled
    before, chain = table_counts(url), verify_store(url).head_hash
    with pytest.raises(EvidenceError), unit_of_work(url) as session:
        repo.store_evidence([fft("fft-9"), fft("fft-1", responses=99)], session=session, by="x")
    with pytest.raises(StoreError, match="already exists"), unit_of_work(url) as session:
        repo.add_org("RX1", "Again", "acute", session=session, by="x")
    with pytest.raises(StoreError, match=r"not 0\.\.5"), unit_of_work(url) as session:
        repo.save_assessment(session=session, org="RX1", as_of=pxrules_date(), rules_hash="c" * 64,
                             catalogue_version="c1", evidence_ids=[], result={},
                             scores=[{"sub_requirement": "1A", "suggested": 9}], by="x")
    assert table_counts(url) == before
    assert verify_store(url).head_hash == chain


def test_unchanged_reimports_write_no_event(filled: tuple[str, dict[str, int]]) -> None:
    url, _ = filled
    with unit_of_work(url) as session:
        summary = repo.store_evidence([fft("fft-2", org="RX2"), benchmark()], session=session, by="x")
        assert summary.unchanged == 2
        assert len(list_events(session)) == len(ACTIONS)


def test_audit_of_unknown_tables_or_unflushed_rows_is_refused(db_url: str) -> None:
    with pytest.raises(AuditError, match="table 'nope'"), unit_of_work(db_url) as session:
        append_event(session, action="x", by="t", subject="s", refs={"nope": [1]})
    with pytest.raises(AuditError, match="evidence row 99 not found"), unit_of_work(db_url) as session:
        append_event(session, action="x", by="t", subject="s", refs={"evidence": [99]})


# --- the log ---------------------------------------------------------------------------------------------


def test_audit_log_lists_filters_and_prints_json(filled: tuple[str, dict[str, int]]) -> None:
    url, _ = filled
    everything = json.loads(cli(url, "audit", "log", "--json").stdout)
    assert [e["action"] for e in everything] == ACTIONS
    assert set(everything[0]) == {"seq", "at", "actor", "action", "org", "subject", "refs", "details",
                                  "content_hash", "prev_hash", "hash"}
    rx2 = json.loads(cli(url, "audit", "log", "--org", "RX2", "--json").stdout)
    assert [(e["action"], e["subject"]) for e in rx2] == [
        ("org.add", "organisation RX2"), ("evidence.import", "evidence fft-2 v1")]
    last = json.loads(cli(url, "audit", "log", "--limit", "2", "--json").stdout)
    assert [e["seq"] for e in last] == [11, 12]
    table = cli(url, "audit", "log", "--action", "evidence.withdraw")
    assert table.exit_code == 0 and "carol" in table.output and "evidence.withdraw" in table.output, table.output
    unknown = cli(url, "audit", "log", "--org", "RX3")
    assert unknown.exit_code == 1 and "unknown organisation 'RX3'" in unknown.output


# --- withdrawals -----------------------------------------------------------------------------------------


def test_withdraw_via_cli_hides_from_assessment_but_keeps_it_readable(filled: tuple[str, dict[str, int]]) -> None:
    url, _ = filled
    with unit_of_work(url) as session:
        assert {i.id for i in repo.load_evidence("RX1", session=session)} == {"fft-1", "bm-ae"}
    done = cli(url, "evidence", "withdraw", "fft-1", "--reason", "duplicate of a KO41a figure", "--json")
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["version"] == 2
    with unit_of_work(url) as session:
        assert {i.id for i in repo.load_evidence("RX1", session=session)} == {"bm-ae"}
        assert len(repo.evidence_history("fft-1", session=session)) == 2
    shown = json.loads(cli(url, "evidence", "show", "fft-1", "--json").stdout)
    assert shown["withdrawn"]["reason"] == "duplicate of a KO41a figure" and shown["payload"]["responses"] == 12
    assert "withdrawn:" in cli(url, "evidence", "show", "fft-1").output
    again = cli(url, "evidence", "withdraw", "fft-1", "--reason", "again")
    assert again.exit_code == 1 and "already withdrawn" in again.output, again.output
    missing = cli(url, "evidence", "withdraw", "fft-0", "--reason", "x")
    assert missing.exit_code == 1 and "no evidence with id 'fft-0'" in missing.output, missing.output
    blank = cli(url, "evidence", "withdraw", "fft-2", "--reason", "  ")
    assert blank.exit_code == 1 and "needs a reason" in blank.output
    assert verify_store(url).ok


def test_a_correction_after_a_withdrawal_brings_the_item_back(filled: tuple[str, dict[str, int]]) -> None:
    from pxrules.store.amend import correct_evidence

    url, _ = filled
    with unit_of_work(url) as session:
        summary = correct_evidence([fft("fft-3", responses=30)], session=session, by="x", reason="right trust")
        assert summary.corrected == 1
        assert "fft-3" in {i.id for i in repo.load_evidence("RX1", session=session)}
    with pytest.raises(EvidenceError, match="not in the register"), unit_of_work(url) as session:
        correct_evidence([fft("fft-new")], session=session, by="x")
    assert verify_store(url).ok


# --- tampering -------------------------------------------------------------------------------------------

# (name, SQL run behind pxrules' back, the event expected to be named first (by action) or None, phrase)
TAMPERING: list[tuple[str, list[str], str | None, str]] = [
    ("edit an evidence value",
     [("UPDATE evidence SET payload = REPLACE(payload, '\"responses\": 10', '\"responses\": 11') "
       "WHERE evidence_id = 'fft-2'")],
     "evidence.import#RX2", "no longer match its content hash"),
    ("edit who recorded evidence", ["UPDATE evidence SET recorded_by = 'mallory' WHERE evidence_id = 'fft-2'"],
     "evidence.import#RX2", "no longer match its content hash"),
    ("edit an organisation name", ["UPDATE organisation SET name = 'Renamed' WHERE code = 'RX2'"],
     "org.add#RX2", "no longer match"),
    ("edit a suggested score", ["UPDATE assessment_score SET suggested = 5 WHERE sub_requirement = '1A'"],
     "assessment.save", "no longer match"),
    ("delete a score row", ["DELETE FROM assessment_score WHERE sub_requirement = '2A'"],
     "assessment.save", "no longer match"),
    ("add a score row",
     [("INSERT INTO assessment_score (assessment_id, sub_requirement, suggested, capped, evidence_count) "
       "VALUES (1, '3A', 5, false, 0)")], "assessment.save", "no longer match"),
    ("edit an assessment result", ["UPDATE assessment SET result = '{}' WHERE id = 1"],
     "assessment.save", "no longer match"),
    ("edit a self-assessment row", ["UPDATE self_assessment_row SET owner = 'Nobody' WHERE sub_requirement = '1A'"],
     "self_assessment.import", "no longer match"),
    ("delete an evidence row", ["DELETE FROM evidence WHERE evidence_id = 'fft-2'"],
     "evidence.import#RX2", "which no longer exist"),
    ("delete a withdrawal", ["DELETE FROM evidence_withdrawal"], "evidence.withdraw", "which no longer exist"),
    ("insert evidence outside pxrules",
     [("INSERT INTO evidence (evidence_id, version, org, kind, period_start, period_end, content_hash, payload, "
       "recorded_by, recorded_at) SELECT 'fake', 1, org, kind, period_start, period_end, content_hash, payload, "
       "'mallory', recorded_at FROM evidence WHERE evidence_id = 'fft-2'")],
     None, "covered by no audit event"),
    ("delete an event in the middle", ["DELETE FROM audit_event WHERE seq = 5"], "#6", "sequence number 6"),
    ("delete the last event", ["DELETE FROM audit_event WHERE seq = 12"], "#11", "chain head records event 12"),
    ("swap two events",
     ["UPDATE audit_event SET seq = -1 WHERE seq = 4", "UPDATE audit_event SET seq = 4 WHERE seq = 5",
      "UPDATE audit_event SET seq = 5 WHERE seq = -1"], "#4", "does not link to the event before it"),
    ("edit an event's actor", ["UPDATE audit_event SET actor = 'mallory' WHERE seq = 7"], "#7",
     "the event was edited"),
    ("edit an event's details", ["UPDATE audit_event SET details = '{}' WHERE seq = 9"], "#9",
     "the event was edited"),
    ("edit the chain head", ["UPDATE audit_head SET seq = 3"], "#12", "chain head records event 3"),
]


def _expected_seq(url: str, target: str) -> int | None:
    if target.startswith("#"):
        return int(target[1:])
    action, _, org = target.partition("#")
    found = query(url, f"SELECT seq, org FROM audit_event WHERE action = '{action}' ORDER BY seq")
    if org:
        found = [row for row in found if str(row[1]) == org]
    return int(found[0][0])


@pytest.mark.parametrize(
    ("statements", "target", "phrase"), [pytest.param(s, t, p, id=n) for n, s, t, p in TAMPERING]
)
def test_verify_names_the_first_broken_event_for_every_tampering(
    filled: tuple[str, dict[str, int]], statements: list[str], target: str | None, phrase: str
) -> None:
    url, _ = filled
    expected = None if target is None else _expected_seq(url, target)
    tamper(url, *statements)
    code, report = verify_json(url)
    assert code == 1, report
    assert report["first_broken_event"] == expected, report
    assert phrase in report["problems"][0]["message"], report
    text = cli(url, "audit", "verify")
    assert text.exit_code == 1, text.output
    assert "error: audit trail does not verify" in text.output, text.output


def test_a_payload_edited_with_its_own_hash_recomputed_is_caught_by_the_chain(
    filled: tuple[str, dict[str, int]],
) -> None:
    from pxrules.audit.verify import evidence_content_hash

    url, _ = filled
    tamper(url, "UPDATE evidence SET payload = REPLACE(payload, '\"value\": 12.5', '\"value\": 99.5') "
                "WHERE evidence_id = 'bm-ae'")
    payload = query(url, "SELECT payload FROM evidence WHERE evidence_id = 'bm-ae'")[0][0]
    assert '"value": 99.5' in payload
    tamper(url, f"UPDATE evidence SET content_hash = '{evidence_content_hash(payload)}' WHERE evidence_id = 'bm-ae'")
    code, report = verify_json(url)
    assert code == 1 and report["first_broken_event"] == _expected_seq(url, "evidence.import#None"), report
    assert "no longer match its content hash" in report["problems"][0]["message"], report
    assert not any("stored content_hash" in p["message"] for p in report["problems"]), report


def test_an_event_edited_and_rehashed_breaks_the_next_link(filled: tuple[str, dict[str, int]]) -> None:
    url, _ = filled
    tamper(url, "UPDATE audit_event SET actor = 'mallory' WHERE seq = 7")
    _rehash_event(url, 7)
    code, report = verify_json(url)
    assert code == 1 and report["first_broken_event"] == 8, report
    assert "does not link to the event before it" in report["problems"][0]["message"], report


def _rehash_event(url: str, seq: int) -> None:
    row = query(url, "SELECT seq, at, actor, action, org, subject, refs, details, content_hash, prev_hash "
                     f"FROM audit_event WHERE seq = {seq}")[0]
    names = ["seq", "at", "actor", "action", "org", "subject", "refs", "details", "content_hash", "prev_hash"]
    event = dict(zip(names, row, strict=True))
    with unit_of_work(url) as session:  # read `at` back through the store's own type, as verify does
        event["at"] = next(e.at for e in list_events(session) if e.seq == seq)
    tamper(url, f"UPDATE audit_event SET hash = '{event_hash(event)}' WHERE seq = {seq}")


def test_a_rewritten_chain_is_caught_by_the_head_recorded_earlier(filled: tuple[str, dict[str, int]]) -> None:
    url, _ = filled
    recorded = verify_store(url).head_hash
    assert verify_json(url, "--head", recorded)[0] == 0
    # Rewrite the whole tail consistently (edit event 12, re-hash it, move the head): only the anchor shows it.
    tamper(url, "UPDATE audit_event SET actor = 'mallory' WHERE seq = 12")
    _rehash_event(url, 12)
    new_hash = query(url, "SELECT hash FROM audit_event WHERE seq = 12")[0][0]
    tamper(url, f"UPDATE audit_head SET hash = '{new_hash}'")
    assert verify_json(url)[0] == 0
    code, report = verify_json(url, "--head", recorded)
    assert code == 1 and "no longer contains the head" in report["problems"][0]["message"], report


def test_verify_survives_garbage_in_event_refs(filled: tuple[str, dict[str, int]]) -> None:
    url, _ = filled
    tamper(url, "UPDATE audit_event SET refs = '[[1]]' WHERE seq = 4",
           "UPDATE audit_event SET refs = '{\"nope\": [1]}' WHERE seq = 5",
           "UPDATE evidence SET payload = 'not json' WHERE evidence_id = 'fft-2'")
    code, report = verify_json(url)
    assert code == 1 and report["first_broken_event"] == 4, report
    messages = " | ".join(p["message"] for p in report["problems"])
    assert "refs are not readable" in messages and "unknown table(s) nope" in messages
    assert "cannot be re-hashed" in messages


# --- 10,000 events -----------------------------------------------------------------------------------------


@pytest.mark.slow
def test_ten_thousand_events_verify_quickly(db_url: str) -> None:
    # Built through the real writers in one transaction: 99 organisations, then 99 imports of one item
    # for each of 100 organisations (one event per organisation per import), plus the genesis event.
    started = time.perf_counter()
    with unit_of_work(db_url) as session:
        for n in range(99):
            repo.add_org(f"R{n:03d}", f"Trust {n}", "acute", session=session, by="bulk")
        repo.add_org("R099", "Trust 99", "acute", session=session, by="bulk")
        for batch in range(99):
            items = [fft(f"e-{batch}-{n}", org=f"R{n:03d}", responses=batch) for n in range(100)]
            repo.store_evidence(items, session=session, by="bulk")
    built = time.perf_counter() - started
    report = verify_store(db_url)
    assert report.ok, report.problems[:3]
    assert (report.events, report.rows) == (10_001, 10_000)
    timing = f"10,001 events built in {built:.1f} s, verified in {report.seconds:.2f} s"
    print(timing)
    assert report.seconds < 20, timing
