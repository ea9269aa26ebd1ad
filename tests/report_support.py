"""A small store for the self-assessment, compare, trend, due and report tests: real assessments on three
dates from a handful of attestations, and a self-assessment with over-, under-claims and not-evidenced rows.

Attestations are the one evidence kind every sub-requirement's rules accept (capped at 2), so the scores
here do not depend on how any section's measured-evidence rules are calibrated.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from pxrules.board.selfassess import import_self_assessment
from pxrules.board.tool_file import write_file
from pxrules.evidence import parse_evidence
from pxrules.scoring.stored import run_assessment
from pxrules.store.db import unit_of_work
from pxrules.store.records import SelfAssessmentLine
from pxrules.store.repo import add_org, store_evidence

ORG = "RX9"
DATES = (dt.date(2024, 3, 31), dt.date(2024, 9, 30), dt.date(2025, 3, 31))
HOSTILE = {
    "script": "<script>alert('x')</script>",
    "img": '<img src=x onerror="alert(1)">',
    "formula": '=HYPERLINK("http://evil.example","click")',
    "dde": "=cmd|' /C calc'!A0",
    "plus": "+SUM(A1:A2)",
    "minus": "-2+3",
    "at": "@SUM(1,2)",
    "markdown": "**bold** [link](javascript:alert(1)) | pipe # heading `code`",
    "quote": "'=already quoted",
    "error": "#N/A",
}
HOSTILE_TEXT = " ".join(HOSTILE.values())


def attestation(item_id: str, sub: str, day: dt.date, level: int | None, text: str = "") -> dict[str, Any]:
    """An attestation of `sub` on `day` claiming `level` (None: the default level)."""
    return {
        "id": item_id,
        "kind": "attestation",
        "org": ORG,
        "period_start": day.isoformat(),
        "statement": text or f"We meet {sub} in part.",
        "person": text[:100] or "A. Director",
        "role": "Chief Nurse",
        "claimed_level": level,
        "sub_requirements": [sub],
        "source": {"title": text[:400] or f"Board minute on {sub}", "reference": text[:200] or f"TB/{sub}"},
        "recorded_by": "test",
        "recorded_at": f"{day.isoformat()}T12:00:00",
    }


def evidence(hostile: bool = False) -> list[dict[str, Any]]:
    """1A and 2B attested throughout (2B rising 1 -> 2); 3A lapsing before the last date; 4A attested only
    before the last date; 23A never."""
    text = HOSTILE_TEXT if hostile else ""
    return [
        attestation("att-1a", "1A", dt.date(2023, 12, 1), 2, text),
        attestation("att-1a-renewed", "1A", dt.date(2024, 11, 1), 2, text),
        attestation("att-2b-old", "2B", dt.date(2023, 12, 1), 1, text),
        attestation("att-2b-new", "2B", dt.date(2024, 6, 1), 2, text),
        attestation("att-3a", "3A", dt.date(2024, 1, 15), 2, text),
        attestation("att-4a", "4A", dt.date(2025, 1, 15), 1, text),
        # Recorded evidence against 2B's level 4 (10% of audited appraisals used patient feedback; level 4
        # needs 75%): the board's 4 is an over-claim, not merely unevidenced.
        {"id": "audit-2b", "kind": "staff_process", "org": ORG, "process": "appraisal_with_patient_feedback",
         "period_start": "2024-10-01", "period_end": "2024-12-31", "population": 100, "compliant": 10,
         "source": {"title": "Appraisal audit Q3"}, "recorded_by": "test", "recorded_at": "2025-01-05T12:00:00"},
    ]


def self_lines(hostile: bool = False) -> dict[str, SelfAssessmentLine]:
    """Board scores: 2B over-claims (4 vs 2), 1A under-claims (0 vs 2), 23A is not evidenced, 5A unscored."""
    text = HOSTILE_TEXT if hostile else "Position on {}"
    scores = {"1A": 0, "2B": 4, "3A": 1, "4A": 1, "23A": 3}
    lines = {}
    for sub, score in scores.items():
        lines[sub] = SelfAssessmentLine(
            sub,
            score,
            text.format(sub) if not hostile else text,
            HOSTILE["formula"] if hostile else f"Plan for {sub}",
            HOSTILE["markdown"] if hostile else "Good",
            HOSTILE["at"] if hostile else "Chief Nurse",
            dt.date(2025, 6, 30),
        )
    return lines


def all_lines(lines: dict[str, SelfAssessmentLine]) -> dict[str, SelfAssessmentLine]:
    """Every sub-requirement: the given rows, the rest scored 0 except 5A which is left unscored."""
    from pxrules.rules.catalogue import load_catalogue

    out = {}
    for sub in load_catalogue().ids:
        out[sub] = lines.get(sub, SelfAssessmentLine(sub, None if sub == "5A" else 0))
    return out


def seed(url: str, folder: Path, *, hostile: bool = False, assess: bool = True) -> None:
    """Register the organisation, store the evidence, import a self-assessment, assess on DATES."""
    name = f"Test Trust {HOSTILE['script']} {HOSTILE['formula']}" if hostile else "Test Valley NHS Trust"
    with unit_of_work(url) as session:
        add_org(ORG, name, "acute", session=session, by="test")
        store_evidence([parse_evidence(e) for e in evidence(hostile)], session=session, by="test")
    path = folder / f"{ORG}-self.csv"
    write_file(path, ORG, name, all_lines(self_lines(hostile)), {}, "")
    import_self_assessment(url, path, ORG, as_of=DATES[-1], by="test")
    if assess:
        for day in DATES:
            run_assessment(url, ORG, day, by="test")
