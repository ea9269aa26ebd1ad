"""The NHS Staff Survey importer: benchmark workbooks and question-level CSVs with MADE-UP figures."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.errors import EvidenceError, NotFoundError
from pxrules.evidence.feedback import Benchmark, SurveyQuestion
from pxrules.importers import import_staff_survey, read_nof, read_nss_csv, read_nss_workbook, shipped_file
from tests.survey_workbooks import NSS_GROUPS, nss_score, nss_workbook

ACUTE = "Acute&Acute Community Trusts"


def _items(published: object, code: str) -> dict[str, SurveyQuestion]:
    return {i.id: i for i in published.org_items[code]}  # type: ignore[attr-defined]


def test_workbook_gives_group_quartiles_and_a_fallback_for_small_groups(tmp_path: Path) -> None:
    made = read_nss_workbook(nss_workbook(tmp_path / "nss.xlsx"))
    assert sorted(made.orgs) == sorted(c for codes in NSS_GROUPS.values() for c in codes)
    assert made.orgs["RYG"].type == "ambulance" and made.orgs["RYA"].type == "acute"
    item = _items(made, "RYA")["nss-raising-concerns-2024-RYA"]
    scores = [nss_score(c, "PP3_2", 2024) for c in NSS_GROUPS[ACUTE]]
    low, mid, high = statistics.quantiles(sorted(scores), n=4, method="inclusive")
    assert (item.question_key, item.wave, item.scale, item.score) == (
        "nss.raising_concerns", "NSS 2024", "score10", nss_score("RYA", "PP3_2", 2024))
    assert (item.peer_lower_quartile, item.peer_median, item.peer_upper_quartile) == pytest.approx((low, mid, high))
    assert item.notes and "the 6 organisations of the Acute&Acute Community Trusts group" in item.notes
    small = _items(made, "RYG")["nss-engagement-2023-RYG"]
    assert small.notes and "only 2 organisation(s)" in small.notes and "all 8 organisations in the file" in small.notes
    every = [nss_score(c, "theme_engagement", 2023) for codes in NSS_GROUPS.values() for c in codes]
    assert small.peer_median == pytest.approx(statistics.median(every))
    benchmarks = {b.id: b for b in made.benchmarks}
    group = benchmarks["nss-raising-concerns-2024-peer-acute-acute-community-trusts"]
    assert isinstance(group, Benchmark) and group.n_organisations == 6 and group.median == pytest.approx(mid)
    assert group.method and "minimum group size 5" in group.method and "QUARTILE.INC" in group.method
    assert group.source.sha256 == made.file.sha256 and made.file.sha256 in (group.source.reference or "")
    assert not any(b.scope == "peer.ambulance_trusts" for b in made.benchmarks)  # too small: no group figure


def test_keys_and_waves_match_the_oversight_framework_import(tmp_path: Path) -> None:
    made = read_nss_workbook(nss_workbook(tmp_path / "nss.xlsx"))
    ours = {(i.question_key, i.wave) for items in made.org_items.values() for i in items}
    nof = read_nof(shipped_file("nof-mh-community-2025-26-q1-q4.csv"))
    theirs = {(i.question_key, i.wave) for items in nof.org_items.values() for i in items
              if isinstance(i, SurveyQuestion) and i.question_key.startswith("nss.")}
    assert {k for k, _ in theirs} <= {k for k, _ in ours}  # nss.engagement, nss.raising_concerns
    assert {w for _, w in theirs} & {"NSS 2023", "NSS 2024"}  # one label per survey year, "NSS <year>"


def test_import_is_idempotent_and_a_missing_org_lists_the_file(db_url: str, tmp_path: Path) -> None:
    path = nss_workbook(tmp_path / "nss.xlsx")
    first = import_staff_survey(db_url, path, all_orgs=True, register_orgs=True)
    assert first.new == 48 + len(read_nss_workbook(path).benchmarks) and len(first.registered) == 8
    again = import_staff_survey(db_url, path, all_orgs=True)
    assert (again.new, again.corrected) == (0, 0)
    with pytest.raises(NotFoundError, match=r"no organisation RZZ.*it covers RYA, RYB"):
        import_staff_survey(db_url, path, orgs=["RZZ"])


def _csv(path: Path, rows: list[str]) -> Path:
    header = "org_code,survey_year,question_key,percent_positive,respondents,benchmarking_group"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


QUESTIONS = [f"{code},2024,q25b,{pct},600,{ACUTE}" for code, pct in
             (("RYA", 78.0), ("RYB", 64.0), ("RYC", 69.5), ("RYD", 60.1), ("RYE", 73.3), ("RYF", 55.0))]


def test_question_level_csv_maps_numbers_by_year_and_moves_the_ladder(db_url: str, tmp_path: Path) -> None:
    path = _csv(tmp_path / "q.csv", QUESTIONS)
    made = read_nss_csv(path)
    top = _items(made, "RYA")["nss-acts-on-concerns-2024-RYA"]
    assert (top.question_key, top.question_number, top.scale, top.respondents) == (
        "nss.acts_on_concerns", "q25b", "percent", 600)
    assert top.peer_median == pytest.approx(statistics.median([78.0, 64.0, 69.5, 60.1, 73.3, 55.0]))
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db_url, "import", "staff-survey", str(path), "--all",
                               "--register-orgs"]).exit_code == 0
    bands = {}
    for code in ("RYA", "RYF"):
        assert runner.invoke(app, ["--db", db_url, "assess", "--org", code, "--as-of", "2025-06-30"]).exit_code == 0
        out = runner.invoke(app, ["--db", db_url, "explain", "6A", "--org", code, "--json"])
        assert out.exit_code == 0, out.output
        measures = json.loads(out.stdout)["measures"]
        found = measures["culture.nss_acts_on_concerns_band"] if isinstance(measures, dict) else next(
            m for m in measures if m["name"] == "culture.nss_acts_on_concerns_band")
        bands[code] = found["value"]
    assert bands == {"RYA": 4, "RYF": 1}  # upper quartile in one wave only is 4; bottom quartile is 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: (p / "x.xlsx").write_bytes(b"not a workbook at all") and p / "x.xlsx",
         r"x\.xlsx: not a spreadsheet workbook"),
        (lambda p: nss_workbook(p / "sheets.xlsx", {"Trusts": ["RYA"]}),
         r"sheets\.xlsx: no benchmarking-group sheet: not the NHS Staff Survey's .* found Notes, Trusts"),
        (lambda p: nss_workbook(p / "head.xlsx", header=["code", "name"]),
         r"head\.xlsx, sheet 'Acute&Acute Community Trusts': no header row with org_id"),
        (lambda p: nss_workbook(p / "text.xlsx", cells={("RYB", "PP1_2024"): "high"}),
         r"text\.xlsx, sheet 'Acute&Acute Community Trusts', row 3, column I \(PP1_2024\): 'high' is not a number"),
        (lambda p: nss_workbook(p / "nan.xlsx", cells={("RYC", "PP3_2_2023"): "NaN"}),
         r"nan\.xlsx, sheet 'Acute&Acute Community Trusts', row 4, column D \(PP3_2_2023\): 'NaN' is not a number"),
        (lambda p: nss_workbook(p / "twice.xlsx", extra_rows={"Ambulance Trusts": [["RYA", "Again", "x"]]}),
         r"twice\.xlsx, sheet 'Ambulance Trusts', row 4, column A \(org_id\): organisation RYA appears twice"),
        (lambda p: _csv(p / "twice.csv", [*QUESTIONS, QUESTIONS[0]]),
         r"twice\.csv, row 8: RYA 2024 nss\.acts_on_concerns appears twice \(rows 2 and 8\)"),
        (lambda p: _csv(p / "key.csv", [f"RYA,2024,q99z,50,10,{ACUTE}"]),
         r"key\.csv, row 2, column question_key: 'q99z' is no 2024 question pxrules maps"),
        (lambda p: (p / "cols.csv").write_text("code,year\nRYA,2024\n", encoding="utf-8") and p / "cols.csv",
         r"cols\.csv, row 1: missing column\(s\) org_code"),
    ],
    ids=["not-a-workbook", "wrong-sheets", "wrong-header", "text-in-number", "nan", "trust-twice", "csv-twice",
         "csv-unknown-question", "csv-wrong-columns"],
)
def test_hostile_staff_survey_files_are_refused_and_nothing_is_stored(
    db_url: str, tmp_path: Path, table_counts: Callable[[str], dict[str, int]],
    make: Callable[[Path], Path], message: str,
) -> None:
    path = make(tmp_path)
    before = table_counts(db_url)
    with pytest.raises(EvidenceError, match=message):
        import_staff_survey(db_url, path, all_orgs=True, register_orgs=True)
    assert table_counts(db_url) == before
