"""Helpers for the audit tests: a store with one write of every kind, and tampering from outside pxrules."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cli.main import app
from pxrules.evidence import parse_evidence
from pxrules.store import repo
from pxrules.store.amend import withdraw_evidence
from pxrules.store.audit_chain import list_events
from pxrules.store.db import dispose_engines, sqlite_file, unit_of_work
from pxrules.store.records import ScoreLine, SelfAssessmentLine

runner = CliRunner()


def fft(id_: str, org: str | None = "RX1", responses: int = 10, **extra: Any) -> Any:
    return parse_evidence(
        {
            "kind": "fft_monthly",
            "id": id_,
            "org": org,
            "period_start": "2025-01-01",
            "period_end": "2025-01-31",
            "source": {"title": "FFT"},
            "setting": "ae",
            "responses": responses,
            "eligible": 100,
            **extra,
        }
    )


def benchmark(id_: str = "bm-ae", value: float = 12.5) -> Any:
    return parse_evidence(
        {
            "kind": "benchmark",
            "id": id_,
            "period_start": "2025-01-01",
            "source": {"title": "NHSE"},
            "measure": "fft.response_rate.ae",
            "value": value,
        }
    )


def scores(value: int = 2) -> list[ScoreLine]:
    return [ScoreLine("1A", value, False, 1), ScoreLine("1B", 1, True, 0), ScoreLine("2A", 0)]


def populate(url: str) -> dict[str, int]:
    """One write of every audited kind; returns action -> the seq of its (last) event."""
    with unit_of_work(url) as session:
        repo.add_org("RX1", "Test Trust", "acute", session=session, by="alice")
        repo.add_org("RX2", "Other Trust", "community", session=session, by="alice")
    with unit_of_work(url) as session:
        repo.store_evidence(
            [fft("fft-1"), fft("fft-2", org="RX2"), benchmark()], session=session, by="bob", import_file="a.json"
        )
    with unit_of_work(url) as session:
        repo.store_evidence([fft("fft-1", responses=12)], session=session, by="bob", correct=True, reason="typo")
    with unit_of_work(url) as session:
        repo.store_evidence([fft("fft-3")], session=session, by="bob")
        withdraw_evidence("fft-3", reason="wrong trust", session=session, by="carol")
    with unit_of_work(url) as session:
        repo.save_assessment(
            session=session, org="RX1", as_of=dt.date(2025, 6, 1), rules_hash="a" * 64, catalogue_version="c1",
            evidence_ids=["fft-1", "bm-ae"], result={"scores": [], "note": "x"}, scores=scores(), by="dave",
        )
    with unit_of_work(url) as session:
        repo.save_self_assessment(
            session=session, org="RX1", as_of=dt.date(2025, 6, 1), source_file="self.xlsx",
            source_sha256="b" * 64, by="erin",
            rows=[SelfAssessmentLine("1A", 3, "ok", "more", "good", "CEO", dt.date(2026, 1, 1)),
                  SelfAssessmentLine("1B", None)],
        )  # fmt: skip
    with unit_of_work(url) as session:
        return {e.action: e.seq for e in list_events(session)}


def tamper(url: str, *statements: str) -> None:
    """Run SQL on the store behind pxrules' back (the SQLite file through sqlite3 itself)."""
    dispose_engines()
    path = sqlite_file(url)
    if path is not None:
        connection = sqlite3.connect(path)
        try:
            for statement in statements:
                connection.execute(statement)
            connection.commit()
        finally:
            connection.close()
        return
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def query(url: str, statement: str) -> list[tuple[Any, ...]]:
    """Read rows with plain SQL (sqlite3 or SQLAlchemy), outside pxrules."""
    path = sqlite_file(url)
    if path is not None:
        connection = sqlite3.connect(path)
        try:
            return list(connection.execute(statement).fetchall())
        finally:
            connection.close()
    engine = create_engine(make_url(url).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.exec_driver_sql(statement).fetchall()]
    finally:
        engine.dispose()


def cli(url: str, *args: str, by: str = "tester") -> Any:
    return runner.invoke(app, ["--db", url, "--by", by, *args])


def verify_json(url: str, *extra: str) -> tuple[int, Mapping[str, Any]]:
    """(exit code, report) of `pxrules audit verify --json`."""
    result = cli(url, "audit", "verify", "--json", *extra)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def snapshot(url: str) -> tuple[dict[str, int], str]:
    """Row counts of the audited tables and the chain head: equal before and after a rejected write."""
    tables = ("organisation", "evidence", "evidence_withdrawal", "assessment", "assessment_score",
              "self_assessment", "self_assessment_row", "audit_event")  # fmt: skip
    counts = {t: int(query(url, f"SELECT COUNT(*) FROM {t}")[0][0]) for t in tables}
    return counts, str(query(url, "SELECT hash FROM audit_head")[0][0])
