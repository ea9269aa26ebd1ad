"""The NHS Oversight Framework importer on the shipped 2025/26 mental health and community trust metrics."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.errors import ImportFormatError
from pxrules.evidence.feedback import SurveyQuestion
from pxrules.importers import import_nof, read_nof, shipped_file
from pxrules.store.db import unit_of_work
from pxrules.store.repo import get_org, load_evidence

NOF = shipped_file("nof-mh-community-2025-26-q1-q4.csv")


def test_every_trust_and_survey_metric_reads_cleanly() -> None:
    published = read_nof(NOF)
    assert len(published.orgs) == 61
    items = [i for v in published.org_items.values() for i in v]
    assert len(items) == 1164  # OF0061, OF0084, OF1061, OF1084 (244 rows each) and OF1035 (188)
    assert published.details["survey_metrics"] == ["OF0061", "OF0084", "OF1035", "OF1061", "OF1084"]
    assert published.details["skipped_rows"] == {"other_metrics": 7607, "not_reported": 0}
    assert published.details["quarters"] == ["2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4"]
    by_id = {i.id: i for i in items}
    # North East London NHS FT, staff engagement, Q4 2025/26 (2025 staff survey), as published.
    q4 = by_id["nof-OF0084-2025-26-Q4-RAT"]
    assert isinstance(q4, SurveyQuestion)
    assert (q4.survey, q4.question_key, q4.scale, q4.wave) == (
        "nof",
        "nss.engagement",
        "score10",
        "NSS 2025",  # the survey year, so Q1-Q3 (all NSS 2024) count as one wave
    )
    assert (q4.score, q4.peer_median, q4.peer_lower_quartile, q4.peer_upper_quartile) == (
        7.04,
        7.02,
        6.84,
        7.15,
    )
    assert (q4.period_start, q4.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert q4.source.row == 7111 and q4.source.attachment == NOF.name
    assert q4.notes and "data period 2025" in q4.notes
    q1 = by_id["nof-OF0084-2025-26-Q1-RAT"]
    assert isinstance(q1, SurveyQuestion) and (q1.score, q1.peer_median) == (7.2, 7.08)
    assert (q1.period_start, q1.end) == (dt.date(2025, 4, 1), dt.date(2025, 6, 30))
    concerns = by_id["nof-OF0061-2025-26-Q1-TAD"]
    assert isinstance(concerns, SurveyQuestion) and concerns.question_key == "nss.raising_concerns"
    assert (concerns.score, concerns.peer_median, concerns.peer_lower_quartile) == (6.83, 6.81, 6.57)
    nof_score = by_id["nof-OF1084-2025-26-Q4-RAT"]
    assert isinstance(nof_score, SurveyQuestion)
    assert (nof_score.question_key, nof_score.scale, nof_score.score, nof_score.peer_median) == (
        "nof.of1084",
        "score5",
        2.4,
        None,
    )
    assert published.orgs["TAD"].type == "mental-health"  # a Care Trust; KO41a also lists it as mental health
    assert published.orgs["R1A"].type == "community" and published.orgs["RAT"].type == "mental-health"


def test_import_one_trust_and_load_it_for_assessment(db_url: str) -> None:
    result = import_nof(db_url, orgs=["RAT"], register_orgs=True)
    assert (result.new, result.kinds, result.registered) == (20, {"survey_question": 20}, ["RAT"])
    assert import_nof(db_url, NOF, orgs=["RAT"]).unchanged == 20
    with unit_of_work(db_url) as session:
        org = get_org("RAT", session=session)
        loaded = load_evidence("RAT", session=session)
    assert (org.name, org.type) == ("North East London NHS Foundation Trust", "mental-health")
    keys = sorted({i.question_key for i in loaded if isinstance(i, SurveyQuestion)})
    assert keys == ["nof.of1035", "nof.of1061", "nof.of1084", "nss.engagement", "nss.raising_concerns"]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            ",out of 10,7.04,7.02,",
            ",out of 10,seven,7.02,",
            r"row 7111, column Value: 'seven' is not a number",
        ),
        (
            "Q4 2025/26,London,Mental health and community trust,Mental Health and Learning Disability,RAT",
            "Quarter 4,London,Mental health and community trust,Mental Health and Learning Disability,RAT",
            r"column Quarter: 'Quarter 4' is not a quarter",
        ),
        ("Metric_ID,", "Metric,", r"missing column\(s\) Metric_ID"),
    ],
)
def test_bad_files_name_row_and_column_and_write_nothing(
    db_url: str,
    tmp_path: Path,
    table_counts: Callable[[str], dict[str, int]],
    old: str,
    new: str,
    message: str,
) -> None:
    text = NOF.read_text(encoding="utf-8-sig")
    bad = tmp_path / "bad.csv"
    bad.write_text(text.replace(old, new, 1), encoding="utf-8")
    before = table_counts(db_url)
    with pytest.raises(ImportFormatError, match=message):
        import_nof(db_url, bad, all_orgs=True, register_orgs=True)
    assert table_counts(db_url) == before


def test_a_renumbered_metric_is_caught(tmp_path: Path) -> None:
    bad = tmp_path / "renumbered.csv"
    bad.write_text(
        NOF.read_text(encoding="utf-8-sig").replace(
            ",OF0084,NHS staff survey engagement", ",OF0061,NHS staff survey engagement"
        ),
        encoding="utf-8",
    )
    with pytest.raises(
        ImportFormatError, match=r"OF0061 is described as .*engagement.*expected the raising concerns"
    ):
        read_nof(bad)


def test_cli_import_nof_all(db_url: str) -> None:
    result = CliRunner().invoke(
        app, ["--db", db_url, "import", "nof", str(NOF), "--all", "--register-orgs", "--json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["new"], len(data["organisations"]), len(data["registered"])) == (1164, 61, 61), result.output
