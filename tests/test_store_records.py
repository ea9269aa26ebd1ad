"""Assessments and imported self-assessments: the thin save/read functions the scoring code relies on."""

from __future__ import annotations

import datetime as dt

import pytest

from pxrules.errors import NotFoundError, StoreError
from pxrules.store import repo
from pxrules.store.db import unit_of_work


@pytest.fixture
def org_url(db_url: str) -> str:
    with unit_of_work(db_url) as session:
        repo.add_org("RX1", "Test Trust", "acute", session=session, by="tester")
        repo.add_org("RX2", "Other Trust", "community", session=session, by="tester")
    return db_url


def test_assessments_round_trip(org_url: str) -> None:
    with unit_of_work(org_url) as session:
        saved = repo.save_assessment(
            session=session,
            org="RX1",
            as_of=dt.date(2025, 6, 30),
            rules_hash="a" * 64,
            catalogue_version="2018.1",
            evidence_ids=["b", "a"],
            result={"overall": 2.5, "as_of": dt.date(2025, 6, 30)},
            scores=[
                repo.ScoreLine("10A", 3, capped=True, evidence_count=4),
                {"sub_requirement": "2A", "suggested": 1},
            ],
            by="t",
        )
        repo.save_assessment(
            session=session,
            org="RX1",
            as_of=dt.date(2025, 9, 30),
            rules_hash="b" * 64,
            catalogue_version="2018.1",
            evidence_ids=[],
            result={},
            scores=[],
            by="t",
        )
    with unit_of_work(org_url) as session:
        got = repo.get_assessment(saved.id, session=session)
        assert got == saved
        assert got.evidence_ids == ["a", "b"] and got.result == {"overall": 2.5, "as_of": "2025-06-30"}
        assert [s.sub_requirement for s in got.scores] == ["2A", "10A"]
        assert got.scores[1] == repo.ScoreLine("10A", 3, True, 4)
        assert len(got.content_hash) == 64
        assert [a.as_of.month for a in repo.list_assessments(session=session, org="RX1")] == [6, 9]
        latest = repo.latest_assessment("RX1", session=session)
        assert latest is not None and latest.as_of == dt.date(2025, 9, 30)
        assert repo.latest_assessment("RX2", session=session) is None
        assert got.as_dict()["as_of"] == "2025-06-30"
        with pytest.raises(NotFoundError):
            repo.get_assessment(999, session=session)
        with pytest.raises(StoreError, match=r"not 0\.\.5"):
            repo.save_assessment(
                session=session,
                org="RX1",
                as_of=dt.date(2025, 1, 1),
                rules_hash="c",
                catalogue_version="x",
                evidence_ids=[],
                result={},
                scores=[{"sub_requirement": "1A", "suggested": 6}],
                by="t",
            )
        with pytest.raises(StoreError, match="given twice"):
            repo.save_assessment(
                session=session,
                org="RX1",
                as_of=dt.date(2025, 1, 1),
                rules_hash="c",
                catalogue_version="x",
                evidence_ids=[],
                result={},
                scores=[repo.ScoreLine("1A", 1), repo.ScoreLine("1A", 2)],
                by="t",
            )
        with pytest.raises(NotFoundError):
            repo.save_assessment(
                session=session,
                org="NOPE",
                as_of=dt.date(2025, 1, 1),
                rules_hash="c",
                catalogue_version="x",
                evidence_ids=[],
                result={},
                scores=[],
                by="t",
            )


def test_self_assessments_round_trip(org_url: str) -> None:
    rows = [
        {
            "sub_requirement": "3B",
            "score": 2,
            "current_position": "ok",
            "owner": "CN",
            "review_date": dt.date(2025, 12, 1),
        },
        repo.SelfAssessmentLine("1A"),
    ]
    with unit_of_work(org_url) as session:
        saved = repo.save_self_assessment(
            session=session,
            org="RX1",
            as_of=dt.date(2025, 6, 30),
            rows=rows,
            source_file="sa.xlsx",
            source_sha256="f" * 64,
            by="t",
        )
        again = repo.save_self_assessment(
            session=session,
            org="RX1",
            as_of=dt.date(2025, 6, 30),
            rows=rows[::-1],
            source_file="sa2.xlsx",
            source_sha256="e" * 64,
            by="u",
        )
    assert saved.content_hash == again.content_hash  # the content, not who imported it or from where
    with unit_of_work(org_url) as session:
        latest = repo.latest_self_assessment("RX1", session=session)
        assert latest is not None and latest.id == again.id
        assert [r.sub_requirement for r in latest.rows] == ["1A", "3B"]
        assert latest.rows[1].review_date == dt.date(2025, 12, 1) and latest.rows[0].score is None
        assert [s.source_file for s in repo.list_self_assessments(session=session)] == ["sa.xlsx", "sa2.xlsx"]
        assert repo.get_self_assessment(saved.id, session=session) == saved
        assert repo.latest_self_assessment("RX2", session=session) is None
        with pytest.raises(StoreError, match="unknown SelfAssessmentLine field"):
            repo.save_self_assessment(
                session=session,
                org="RX1",
                as_of=dt.date(2025, 1, 1),
                rows=[{"sub_requirement": "1A", "scor": 1}],
                source_file="x",
                source_sha256="f" * 64,
                by="t",
            )
        with pytest.raises(StoreError, match="not a sub-requirement"):
            repo.save_self_assessment(
                session=session,
                org="RX1",
                as_of=dt.date(2025, 1, 1),
                rows=[{"sub_requirement": "24A"}],
                source_file="x",
                source_sha256="f" * 64,
                by="t",
            )
