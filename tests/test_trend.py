"""Trend arithmetic: one assessment per date, means per section and overall, changes since the previous
date, improvements and deteriorations with the reason now."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from report_support import DATES, ORG, seed
from typer.testing import CliRunner

from pxrules.board.trend import build, trend
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.records import AssessmentRecord, ScoreLine, SelfAssessmentLine, SelfAssessmentRecord

NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def assessment(record_id: int, day: dt.date, scores: dict[str, int], default: int = 2) -> AssessmentRecord:
    ids = load_catalogue().ids
    lines = [ScoreLine(s, scores.get(s, default)) for s in ids]
    result = {"scores": [{"id": s, "because": [f"{s} now {scores.get(s, default)}"]} for s in ids]}
    return AssessmentRecord(record_id, ORG, day, "r", "peif-2018", NOW, "t", [], result, "h", lines)


def own(record_id: int, day: dt.date, scores: dict[str, int | None]) -> SelfAssessmentRecord:
    lines = [SelfAssessmentLine(s, scores.get(s, 3)) for s in load_catalogue().ids]
    return SelfAssessmentRecord(record_id, ORG, day, NOW, "t", "f.csv", "0" * 64, "h", lines)


def test_means_changes_and_movements() -> None:
    d1, d2, d3 = dt.date(2025, 3, 31), dt.date(2025, 9, 30), dt.date(2026, 3, 31)
    runs = [
        assessment(1, d1, {"1A": 1}),
        assessment(2, d3, {"1A": 4, "1B": 0, "23A": 5}),
        assessment(3, d2, {"1A": 3, "1B": 1}),
        assessment(4, d1, {"1A": 0}),  # a later run of the same date replaces assessment 1
    ]
    t = build(ORG, "Test", runs, [own(1, d2, {"1A": None, "1B": 5}), own(2, d3, {})])
    assert t.dates == ["2025-03-31", "2025-09-30", "2026-03-31"] and [a.id for a in t.assessments] == [
        4,
        3,
        2,
    ]
    one_a = next(s for s in t.subs if s.key == "1A")
    assert (one_a.suggested, one_a.change, one_a.self, one_a.self_change) == ([0, 3, 4], 1, [None, 3], None)
    leadership = t.sections[0]
    # leadership has 10 sub-requirements, all 2 except: d1 1A=0; d2 1A=3, 1B=1; d3 1A=4, 1B=0
    assert leadership.suggested == [pytest.approx(1.8), pytest.approx(2.0), pytest.approx(2.0)]
    assert leadership.change == pytest.approx(0.0)
    assert leadership.self == [pytest.approx(29 / 9), pytest.approx(3.0)]
    assert leadership.to_json()["self"] == [3.22, 3.0]
    overall = t.overall
    assert overall.suggested[-1] == pytest.approx((2 * 54 + 4 + 0 + 5) / 57)
    assert overall.to_json()["change"] == round(overall.suggested[-1] - overall.suggested[-2], 2)
    assert [(m.id, m.before, m.after) for m in t.improvements] == [("23A", 2, 5), ("1A", 3, 4)]
    assert [(m.id, m.before, m.after, m.change) for m in t.deteriorations] == [("1B", 1, 0, -1)]
    assert t.improvements[0].because == "23A now 5"


def test_single_assessment_has_no_change() -> None:
    t = build(ORG, "Test", [assessment(1, dt.date(2025, 3, 31), {})], [])
    assert t.overall.change is None and t.improvements == [] and t.deteriorations == []
    assert t.to_json()["overall"]["self"] == []


@pytest.fixture
def seeded(db_url: str, tmp_path: Path) -> str:
    seed(db_url, tmp_path)
    return db_url


def test_trend_from_the_store_and_cli(seeded: str) -> None:
    t = trend(seeded, ORG)
    assert t.dates == [d.isoformat() for d in DATES]
    two_b = next(s for s in t.subs if s.key == "2B")
    assert two_b.suggested == [1, 2, 2]
    assert [m.id for m in t.improvements] == ["4A"]
    assert [(m.id, m.before, m.after) for m in t.deteriorations] == [("3A", 2, 0)]
    from cli.main import app

    result = CliRunner().invoke(app, ["--db", seeded, "trend", "--org", ORG, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [a["as_of"] for a in data["assessments"]] == [d.isoformat() for d in DATES]
    assert data["deteriorations"][0]["id"] == "3A" and data["deteriorations"][0]["change"] == -2
    assert len(data["sections"]) == 6 and len(data["sub_requirements"]) == 57
    result = CliRunner().invoke(app, ["--db", seeded, "trend", "--org", ORG])
    assert result.exit_code == 0, result.output
    assert "Deteriorated since 2024-09-30" in result.output and "3A 2 -> 0" in result.output
