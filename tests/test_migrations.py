"""Schema migrations: a store filled at revision 0001 upgrades to head with its data intact and sealed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from audit_support import benchmark, fft, query, tamper, verify_json
from sqlalchemy import inspect
from sqlmodel import Session

from pxrules.audit.verify import verify_store
from pxrules.store import repo
from pxrules.store.audit_chain import list_events
from pxrules.store.db import _alembic_config, current_revision, init_db, make_engine, schema_heads, unit_of_work
from pxrules.store.records import assessment_hash, sha256_of
from pxrules.store.tables import (
    Assessment,
    AssessmentScore,
    EvidenceRow,
    Organisation,
    SelfAssessment,
    SelfAssessmentRow,
    utc_now,
)


def _alembic(url: str, action: str, target: str) -> None:
    config = _alembic_config(url)
    with make_engine(url).begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, target)


def _fill_at_0001(url: str) -> None:
    """Rows as pxrules 0001 wrote them (no audit trail existed then)."""
    now = utc_now()
    with Session(make_engine(url)) as session:
        session.add(Organisation(code="RX1", name="Old Trust", type="acute", created_at=now, created_by="old"))
        session.flush()
        for item in (fft("old-1"), fft("old-2", responses=20), benchmark()):
            session.add(EvidenceRow(
                evidence_id=item.id, version=1, org=item.org, kind=item.kind, period_start=item.period_start,
                period_end=item.end, content_hash=item.content_hash(),
                payload=json.dumps(item.model_dump(mode="json"), sort_keys=True, ensure_ascii=False),
                recorded_by="old", recorded_at=now, import_file="old.json"))  # fmt: skip
        result: dict[str, Any] = {"scores": []}
        as_of = dt.date(2025, 4, 1)
        assessment = Assessment(
            org="RX1", as_of=as_of, rules_hash="e" * 64, catalogue_version="c0", created_at=now, created_by="old",
            evidence_ids=json.dumps(["old-1"]), result=json.dumps(result),
            content_hash=assessment_hash("RX1", as_of, "e" * 64, "c0", ["old-1"], result))  # fmt: skip
        session.add(assessment)
        session.flush()
        assert assessment.id is not None
        session.add(AssessmentScore(assessment_id=assessment.id, sub_requirement="1A", suggested=3))
        rows = [{"sub_requirement": "1A", "score": 2, "current_position": "", "planned_action": "",
                 "what_good_looks_like": "", "owner": "", "review_date": None}]  # fmt: skip
        head = SelfAssessment(
            org="RX1", as_of=as_of, imported_at=now, imported_by="old", source_file="s.xlsx",
            source_sha256="d" * 64, content_hash=sha256_of({"org": "RX1", "as_of": as_of, "rows": rows}))
        session.add(head)
        session.flush()
        assert head.id is not None
        session.add(SelfAssessmentRow(self_assessment_id=head.id, sub_requirement="1A", score=2))
        session.commit()


@pytest.fixture
def old_store(store_url: str) -> str:
    _alembic(store_url, "upgrade", "0001")
    assert current_revision(store_url) == "0001"
    assert not inspect(make_engine(store_url)).has_table("audit_event")
    _fill_at_0001(store_url)
    return store_url


def test_upgrading_a_filled_0001_store_keeps_its_data_and_seals_it(old_store: str) -> None:
    assert init_db(old_store, by="upgrader") == schema_heads()[0]
    with unit_of_work(old_store) as session:
        assert [o.name for o in repo.list_orgs(session=session)] == ["Old Trust"]
        assert [e.evidence_id for e in repo.list_evidence(session=session)] == ["bm-ae", "old-1", "old-2"]
        assert repo.get_assessment(1, session=session).scores[0].suggested == 3
        assert repo.get_self_assessment(1, session=session).rows[0].score == 2
        events = list_events(session)
    assert [(e.seq, e.action, e.actor) for e in events] == [(1, "genesis", "upgrader")]
    assert events[0].details["rows"] == {
        "organisation": 1, "evidence": 3, "evidence_withdrawal": 0, "assessment": 1, "self_assessment": 1}
    report = verify_store(old_store)
    assert report.ok and report.rows == 6, report.problems
    # Writing after the upgrade extends the same chain.
    with unit_of_work(old_store) as session:
        repo.store_evidence([fft("new-1")], session=session, by="after")
    assert verify_store(old_store).events == 2


def test_rows_from_before_auditing_are_protected_by_the_genesis_event(old_store: str) -> None:
    init_db(old_store)
    tamper(old_store, "UPDATE assessment_score SET suggested = 5")
    code, report = verify_json(old_store)
    assert code == 1 and report["first_broken_event"] == 1, report


def test_downgrade_and_upgrade_again_keep_the_data(old_store: str) -> None:
    init_db(old_store)
    _alembic(old_store, "downgrade", "0001")
    assert current_revision(old_store) == "0001"
    assert query(old_store, "SELECT COUNT(*) FROM evidence")[0][0] == 3
    assert init_db(old_store) == schema_heads()[0]
    assert verify_store(old_store).ok


def test_models_and_migrations_do_not_drift(db_url: str) -> None:
    # `alembic check` compares the tables in pxrules/store/tables.py with the migrated database.
    config = _alembic_config(db_url)
    with make_engine(db_url).begin() as connection:
        config.attributes["connection"] = connection
        command.check(config)


def test_migrations_never_import_live_code() -> None:
    """A migration is frozen: importing pxrules (or sqlmodel models) would let a later refactor change it."""
    import ast

    versions = Path(__file__).resolve().parent.parent / "pxrules" / "store" / "migrations" / "versions"
    for path in sorted(versions.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            for name in names:
                assert name.split(".")[0] not in ("pxrules", "sqlmodel", "cli"), f"{path.name} imports {name}"
