"""The CQC patient survey importer on the shipped 2022 adult inpatient workbook and made-up .xlsx copies."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.errors import EvidenceError, NotFoundError
from pxrules.evidence.feedback import Benchmark, SurveyQuestion
from pxrules.importers import import_npsp, read_npsp, shipped_file
from pxrules.importers.survey_map import npsp_map
from pxrules.rules.pack import default_rulepack
from tests.survey_workbooks import CQC_TRUSTS, cqc_workbook

WORKBOOK = shipped_file("cqc-adult-inpatient-survey-2022-trust-benchmark.ods")


@pytest.fixture(scope="module")
def published() -> object:
    return read_npsp(WORKBOOK)


def _item(published: object, code: str, number: str) -> SurveyQuestion:
    items = published.org_items[code]  # type: ignore[attr-defined]
    found = next(i for i in items if i.question_number == number)
    assert isinstance(found, SurveyQuestion)
    return found


def test_the_real_workbook_reads_whole_with_published_figures(published: object) -> None:
    p = published
    assert len(p.orgs) == 133  # type: ignore[attr-defined]
    assert sum(len(v) for v in p.org_items.values()) == 5978  # type: ignore[attr-defined]
    assert len(p.benchmarks) == 45 and not p.warnings  # type: ignore[attr-defined]
    # As published in Trust_Scores (mean, band) and Trust_Respondents (respondents).
    q24 = _item(p, "RNA", "Q24")
    assert (q24.question_key, q24.score, q24.expected_range, q24.respondents) == (
        "npsp.ip.involved_in_decisions", 6.427805, "worse", 422)
    assert (q24.wave, q24.survey, q24.scale, q24.source.sheet, q24.source.row) == (
        "2022", "npsp_inpatient", "score10", "Trust_Scores", q24.source.row)
    q45 = _item(p, "RTH", "Q45")
    assert (q45.question_key, q45.score, q45.expected_range, q45.respondents) == (
        "npsp.ip.dignity_respect", 9.414652, "somewhat_better", 537)
    r0a = _item(p, "R0A", "Q24")
    assert (r0a.previous_wave, r0a.change, r0a.respondents) == ("2021", "no_significant_change", 380)
    assert r0a.expected_low is not None and r0a.expected_low < r0a.score < (r0a.expected_high or 0)
    england = {b.id: b for b in p.benchmarks}  # type: ignore[attr-defined]
    q24e = england["npsp-ip-2022-q24-england"]
    assert isinstance(q24e, Benchmark)
    assert (q24e.minimum, q24e.maximum, q24e.n_organisations) == (6.37168464857272, 8.2490636386343, 133)
    assert q24e.value == 6.977583 and q24e.scope == "england" and q24e.method and "QUARTILE.INC" in q24e.method
    q45e = england["npsp-ip-2022-q45-england"]
    assert isinstance(q45e, Benchmark) and (q45e.minimum, q45e.maximum) == (8.4197564841622, 9.80803965413508)
    # An unmapped question keeps a key bound to its year, which no rule reads.
    assert _item(p, "R0A", "Q5_1").question_key == "npsp.ip.2022_q5_1"


def test_the_question_map_names_rules_that_read_its_keys() -> None:
    pack = default_rulepack()
    survey = npsp_map().years[("npsp_inpatient", 2022)]
    for question in survey.questions.values():
        for sub, measure in question.read_by.items():
            assert measure in pack.measures_used(sub), f"{question.number}: {sub} does not read {measure}"


def test_import_is_idempotent_and_org_errors_list_the_file(db_url: str) -> None:
    first = import_npsp(db_url, WORKBOOK, orgs=["RNA", "RL1"], register_orgs=True)
    assert first.registered == ["RNA", "RL1"] and first.kinds["benchmark"] == 45
    assert first.new == first.kinds["benchmark"] + first.kinds["survey_question"]
    again = import_npsp(db_url, WORKBOOK, orgs=["RNA", "RL1"])
    assert (again.new, again.corrected, again.unchanged) == (0, 0, first.new)
    with pytest.raises(NotFoundError, match=r"no organisation RZZ.*it covers R0A, R0B.*\(133 in all\)"):
        import_npsp(db_url, WORKBOOK, orgs=["RZZ"])


def test_two_trusts_in_different_bands_score_differently_and_explain_why(db_url: str) -> None:
    runner = CliRunner()
    out = runner.invoke(app, ["--db", db_url, "import", "patient-survey", str(WORKBOOK), "--org", "RNA",
                              "--org", "RL1", "--register-orgs", "--json"])
    assert out.exit_code == 0, out.output
    scores = {}
    for code in ("RNA", "RL1"):
        done = runner.invoke(app, ["--db", db_url, "assess", "--org", code, "--as-of", "2024-03-31", "--json"])
        assert done.exit_code == 0, done.output
        data = json.loads(done.stdout)
        scores[code] = {s["id"]: s["suggested"] for s in data["scores"]}
    assert scores["RNA"]["17C"] < scores["RL1"]["17C"]
    assert scores["RNA"]["17B"] < scores["RL1"]["17B"]
    explained = runner.invoke(app, ["--db", db_url, "explain", "17C", "--org", "RNA"])
    assert explained.exit_code == 0, explained.output
    text = explained.stdout
    assert "Q24" in text and "6.43 out of 10" in text and "worse than expected" in text and "422 respondents" in text


@pytest.mark.parametrize("suffix", [".xlsx"])
def test_a_made_up_xlsx_in_the_same_layout_reads(tmp_path: Path, suffix: str) -> None:
    made = read_npsp(cqc_workbook(tmp_path / f"made-up{suffix}"))
    assert sorted(made.orgs) == sorted(CQC_TRUSTS)
    alpha = _item(made, "RXA", "Q24")
    assert (alpha.score, alpha.expected_range, alpha.respondents) == (6.2, "worse", 310)
    assert not any(i.question_number == "Q45" for i in made.org_items["RXC"])  # not shown: never zero


def _bomb(path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        with z.open("content.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1 << 24)
            for _ in range(40):  # 640 MB of zeros, a few hundred kilobytes packed
                part.write(block)
    return path


def _trusts_with(code: str, number: str, value: object) -> dict[str, tuple[str, dict[str, tuple[object, ...]]]]:
    trusts = {k: (n, dict(f)) for k, (n, f) in CQC_TRUSTS.items()}
    figures = list(trusts[code][1][number])
    figures[0] = value
    trusts[code][1][number] = tuple(figures)
    return trusts  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: (p / "notes.ods").write_bytes(b"just some text, not a workbook") and p / "notes.ods",
         r"notes\.ods: not a spreadsheet workbook"),
        (lambda p: _bomb(p / "bomb.ods"), r"bomb\.ods: .*(zip bomb|unpacks to over)"),
        (lambda p: cqc_workbook(p / "wrong.xlsx", sheets=["Guidance", "Key"]),
         r"wrong\.xlsx: no sheet 'Trust_Scores'.*not CQC's trust-level benchmark workbook"),
        (lambda p: cqc_workbook(p / "title.xlsx", title="Some other survey 2022"),
         r"title\.xlsx, sheet 'Guidance', row 1: title .* names no survey"),
        (lambda p: cqc_workbook(p / "text.xlsx", _trusts_with("RXB", "Q24", "seven")),
         r"text\.xlsx, sheet 'Trust_Scores', row 3, column D \(meanQ24\): 'seven' is not a number"),
        (lambda p: cqc_workbook(p / "nan.xlsx", _trusts_with("RXA", "Q45", "NaN")),
         r"nan\.xlsx, sheet 'Trust_Scores', row 2, column M \(meanQ45\): 'NaN' is not a number"),
        (lambda p: cqc_workbook(p / "twice.xlsx", extra_rows=[["RXA", "Made-up Alpha again", 600]]),
         r"twice\.xlsx, sheet 'Trust_Scores', row 5, column A \(TrustCode\): trust RXA appears twice \(rows 2 and 5\)"),
    ],
    ids=["not-a-workbook", "zip-bomb", "wrong-sheets", "unknown-survey", "text-in-number", "nan", "trust-twice"],
)
def test_hostile_workbooks_are_refused_and_nothing_is_stored(
    db_url: str, tmp_path: Path, table_counts: Callable[[str], dict[str, int]],
    make: Callable[[Path], Path], message: str,
) -> None:
    path = make(tmp_path)
    before = table_counts(db_url)
    with pytest.raises(EvidenceError, match=message):
        import_npsp(db_url, path, all_orgs=True, register_orgs=True)
    assert table_counts(db_url) == before
    result = CliRunner().invoke(app, ["--db", db_url, "import", "patient-survey", str(path), "--all"])
    assert result.exit_code == 1 and result.output.startswith(f"error: {path.name}")
