"""Comparison flags, per-section and per-CQC-question arithmetic, over-claims first with their evidence."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from report_support import ORG, seed
from typer.testing import CliRunner

from pxrules.board.compare import (
    AGREED,
    FLAGS,
    NOT_SCORED,
    OVER,
    UNDER,
    UNEVIDENCED,
    build,
    compare,
    flag_of,
)
from pxrules.errors import NotFoundError
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.records import AssessmentRecord, SelfAssessmentLine, SelfAssessmentRecord


@pytest.mark.parametrize(
    ("self_score", "suggested", "no_evidence", "flag"),
    [
        (None, 3, False, NOT_SCORED),
        (None, 0, True, NOT_SCORED),
        (2, 0, True, UNEVIDENCED),
        (0, 0, True, AGREED),
        (5, 3, False, OVER),
        (4, 3, False, AGREED),
        (1, 3, False, UNDER),
        (2, 3, False, AGREED),
        (3, 3, False, AGREED),
        (5, 0, False, OVER),
        (0, 5, False, UNDER),
    ],
)
def test_flag_of(self_score: int | None, suggested: int, no_evidence: bool, flag: str) -> None:
    assert flag_of(self_score, suggested, no_evidence) == flag


@given(st.integers(0, 5), st.integers(0, 5))
def test_flags_with_evidence_follow_the_two_point_gap(self_score: int, suggested: int) -> None:
    flag = flag_of(self_score, suggested, False)
    diff = self_score - suggested
    assert flag == (OVER if diff >= 2 else UNDER if diff <= -2 else AGREED)


def _score(
    sub: str, suggested: int, *, no_evidence: bool = False, evidence: list[str] | None = None
) -> dict[str, Any]:
    return {
        "id": sub,
        "suggested": suggested,
        "raw_level": suggested,
        "because": [f"because {sub}"],
        "firings": [],
        "evidence_ids": evidence or [],
        "caps": [],
        "no_evidence": no_evidence,
        "next_level": None
        if suggested == 5
        else {
            "level": suggested + 1,
            "rule_id": f"{sub}.L",
            "because": "more",
            "unmet": [],
            "sentences": [f"gap {sub}"],
        },
        "supporting_kinds": ["document", "attestation"],
        "measures": {},
    }


def records(
    suggested: dict[str, int], own: dict[str, int | None], unevidenced: frozenset[str] = frozenset()
) -> tuple[AssessmentRecord, SelfAssessmentRecord]:
    """A stored-looking assessment (3 by default) and self-assessment (the board's `own`, 3 by default)."""
    ids = load_catalogue().ids
    result = {
        "scores": [
            _score(
                s,
                suggested.get(s, 3),
                no_evidence=s in unevidenced,
                evidence=[] if s in unevidenced else [f"ev-{s}"],
            )
            for s in ids
        ]
    }
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    assessment = AssessmentRecord(
        1, ORG, dt.date(2025, 12, 31), "r" * 64, "peif-2018", now, "t", [], result, "h", []
    )
    lines = [SelfAssessmentLine(s, own.get(s, 3)) for s in ids]
    own_record = SelfAssessmentRecord(1, ORG, dt.date(2025, 12, 31), now, "t", "f.csv", "0" * 64, "h", lines)
    return assessment, own_record


def test_build_flags_groups_and_means() -> None:
    assessment, own = records(
        {"1A": 1, "1B": 5, "2A": 0, "23A": 4}, {"1A": 4, "1B": 2, "2A": 2, "1C": None}, frozenset({"2A"})
    )
    evidence = {
        f"ev-{s}": {
            "id": f"ev-{s}",
            "kind": "document",
            "title": f"Doc {s}",
            "period_start": "2025-01-01",
            "period_end": "2025-01-01",
            "missing": False,
        }
        for s in load_catalogue().ids
    }
    c = build(assessment, own, "Test", evidence)
    flags = {r.id: r.flag for r in c.rows}
    assert (flags["1A"], flags["1B"], flags["2A"], flags["1C"], flags["23A"]) == (
        OVER,
        UNDER,
        UNEVIDENCED,
        NOT_SCORED,
        AGREED,
    )
    assert c.row("1A").difference == 3 and c.row("1B").difference == -3 and c.row("1C").difference is None
    leadership = c.sections[0]
    assert leadership.key == "leadership" and len(leadership.ids) == 10
    # suggested: 1A 1, 1B 5, 2A 0, seven others 3 -> 27/10; self over the nine scored: 4+2+2+3*6 = 26/9
    assert leadership.suggested_mean == 2.7
    assert leadership.self_mean == round(26 / 9, 2)
    assert leadership.difference_mean == round((3 - 3 + 2 + 0 * 6) / 9, 2)
    assert leadership.flags == {OVER: 1, UNDER: 1, UNEVIDENCED: 1, AGREED: 6, NOT_SCORED: 1}
    assert sum(g.flags[f] for g in c.sections for f in FLAGS) == 57
    cqc = {g.key: g for g in c.cqc}
    assert len(cqc) == 5
    for question, group in cqc.items():
        members = [s.id for s in load_catalogue().sub_requirements if question in s.cqc_key_questions]
        assert group.ids == members
        assert sum(group.flags.values()) == len(members)
    over = c.to_json()["over_claims"]
    assert [o["id"] for o in over] == ["1A"]
    assert over[0]["because"] == ["because 1A"] and over[0]["next_level"]["sentences"] == ["gap 1A"]
    assert over[0]["evidence"][0]["title"] == "Doc 1A"


def test_over_claims_biggest_gap_first() -> None:
    assessment, own = records({"3A": 2, "9B": 0, "12C": 1}, {"3A": 4, "9B": 5, "12C": 4})
    c = build(assessment, own, "Test", {})
    assert [r.id for r in c.flagged(OVER)] == ["9B", "12C", "3A"]


@pytest.fixture
def seeded(db_url: str, tmp_path: Path) -> str:
    seed(db_url, tmp_path)
    return db_url


def test_compare_against_the_store(seeded: str) -> None:
    c = compare(seeded, ORG)
    assert c.assessment.as_of == dt.date(2025, 3, 31)
    flags = {r.id: r.flag for r in c.rows}
    assert (flags["2B"], flags["1A"], flags["23A"], flags["3A"], flags["5A"]) == (
        OVER,
        UNDER,
        UNEVIDENCED,
        UNEVIDENCED,
        NOT_SCORED,
    )
    two_b = c.row("2B")
    assert (two_b.self_score, two_b.suggested) == (4, 2)
    assert [e["id"] for e in two_b.evidence] == ["att-2b-new"]
    assert two_b.evidence[0]["kind"] == "attestation" and two_b.evidence[0]["period_start"] == "2024-06-01"


def test_compare_cli_json(seeded: str) -> None:
    from cli.main import app

    result = CliRunner().invoke(app, ["--db", seeded, "compare", "--org", ORG, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["over_claims"][0]["id"] == "2B"
    assert data["totals"]["flags"][OVER] == 1 and data["totals"]["flags"][UNDER] == 1
    assert len(data["sub_requirements"]) == 57 and len(data["sections"]) == 6
    assert [q["key"] for q in data["cqc_key_questions"]] == [
        "safe",
        "effective",
        "caring",
        "responsive",
        "well-led",
    ]
    result = CliRunner().invoke(app, ["--db", seeded, "compare", "--org", ORG])
    assert result.exit_code == 0, result.output
    assert "Over-claims" in result.output and "2B self 4 vs suggested 2" in result.output


def test_compare_needs_a_self_assessment_and_an_assessment(db_url: str, tmp_path: Path) -> None:
    seed(db_url, tmp_path, assess=False)
    with pytest.raises(NotFoundError, match="has no stored assessment"):
        compare(db_url, ORG)
    with pytest.raises(NotFoundError, match="no self-assessment with id 99"):
        compare(db_url, ORG, self_id=99)
