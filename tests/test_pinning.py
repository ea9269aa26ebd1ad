"""Pinned reports: `report`, `compare` and `trend` take --assessment ID or --as-of DATE and --self ID; each
pairing is the one asked for and is printed on the paper's face; a pair more than a quarter apart is
refused unless allowed; `assessments list` and `self-assess list` give the ids."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from report_support import DATES, ORG, all_lines, seed, self_lines
from typer.testing import CliRunner

from cli.main import app
from pxrules.board.pairing import MismatchError
from pxrules.board.selfassess import import_self_assessment
from pxrules.board.tool_file import write_file
from pxrules.reports import write_report
from pxrules.store.records import SelfAssessmentLine


@pytest.fixture
def two_and_two(db_url: str, tmp_path: Path) -> tuple[str, dict[str, int], dict[str, int]]:
    """Assessments on three dates and self-assessments on the first and the last (ids by date)."""
    seed(db_url, tmp_path)
    path = tmp_path / "board-first.csv"
    lines = all_lines(self_lines())
    lines["1A"] = SelfAssessmentLine("1A", 1, "An earlier position")  # a different board assessment
    write_file(path, ORG, "Test Valley NHS Trust", lines, {}, "")
    import_self_assessment(db_url, path, ORG, as_of=DATES[0], by="test")
    runner = CliRunner()
    listed = runner.invoke(app, ["--db", db_url, "assessments", "list", "--org", ORG, "--json"])
    assert listed.exit_code == 0, listed.output
    assessments = {a["as_of"]: a["id"] for a in json.loads(listed.output)}
    assert all(len(a["rules_hash"]) == 64 and a["created_by"] == "test" for a in json.loads(listed.output))
    listed = runner.invoke(app, ["--db", db_url, "self-assess", "list", "--org", ORG, "--json"])
    selfs = {s["as_of"]: s["id"] for s in json.loads(listed.output)}
    assert len(assessments) == 3 and len(selfs) == 2
    return db_url, assessments, selfs


def _cover_pairing(html: str) -> str:
    match = re.search(r"<th scope=\"row\">Scores reported</th><td>([^<]*)</td>", html)
    assert match, "no pairing on the cover"
    return match.group(1)


def test_each_pairing_is_the_one_asked_for_and_printed_on_the_cover(
    two_and_two: tuple[str, dict[str, int], dict[str, int]], tmp_path: Path
) -> None:
    url, assessments, selfs = two_and_two
    first, last = DATES[0].isoformat(), DATES[-1].isoformat()
    runner = CliRunner()
    cases = [
        ([], assessments[last], selfs[last]),  # default: latest, and the self-assessment nearest it
        (["--as-of", first], assessments[first], selfs[first]),
        (["--assessment", str(assessments[first]), "--self", str(selfs[first])], assessments[first], selfs[first]),
        (["--as-of", last, "--self", str(selfs[last])], assessments[last], selfs[last]),
    ]
    for n, (options, want_a, want_s) in enumerate(cases):
        out = tmp_path / f"paper-{n}.html"
        result = runner.invoke(app, ["--db", url, "report", "--org", ORG, "-o", str(out), *options])
        assert result.exit_code == 0, result.output
        html = out.read_text(encoding="utf-8")
        face = _cover_pairing(html)
        a_day = next(d for d, i in assessments.items() if i == want_a)
        s_day = next(d for d, i in selfs.items() if i == want_s)
        assert f"assessment {want_a} as of {a_day}" in face, (options, face)
        assert f"self-assessment {want_s} as of {s_day}" in face, (options, face)
        assert "RX9-self.csv" not in html and "board-first.csv" not in html  # file names never shown
        compared = runner.invoke(app, ["--db", url, "compare", "--org", ORG, "--json", *options])
        assert compared.exit_code == 0, compared.output
        data = json.loads(compared.output)
        assert (data["assessment"]["id"], data["self_assessment"]["id"]) == (want_a, want_s)
        trended = runner.invoke(app, ["--db", url, "trend", "--org", ORG, "--json", *options])
        history = json.loads(trended.output)
        assert history["assessments"][-1]["id"] == want_a  # the history ends at the pinned assessment
        assert history["self_assessments"][-1]["id"] == want_s


def test_a_pair_more_than_a_quarter_apart_is_refused_unless_allowed(
    two_and_two: tuple[str, dict[str, int], dict[str, int]], tmp_path: Path
) -> None:
    url, assessments, selfs = two_and_two
    first, last = DATES[0].isoformat(), DATES[-1].isoformat()
    with pytest.raises(MismatchError, match="365 days apart, more than a quarter"):
        write_report(url, ORG, "html", tmp_path / "r.html", pin=_pin(assessments[last], selfs[first]))
    runner = CliRunner()
    options = ["--assessment", str(assessments[last]), "--self", str(selfs[first])]
    out = tmp_path / "mismatch.html"
    refused = runner.invoke(app, ["--db", url, "report", "--org", ORG, "-o", str(out), *options])
    assert refused.exit_code == 1 and "--allow-mismatch" in refused.output and not out.exists()
    assert len(refused.output.strip().splitlines()) == 1
    allowed = runner.invoke(
        app, ["--db", url, "report", "--org", ORG, "-o", str(out), *options, "--allow-mismatch"]
    )
    assert allowed.exit_code == 0, allowed.output
    face = _cover_pairing(out.read_text(encoding="utf-8"))
    assert f"assessment {assessments[last]} as of {last}" in face
    assert f"self-assessment {selfs[first]} as of {first}" in face
    assert "365 days apart" in face
    both = runner.invoke(app, ["--db", url, "report", "--org", ORG, "--assessment", "1", "--as-of", first])
    assert both.exit_code == 1 and "not both" in both.output
    missing = runner.invoke(app, ["--db", url, "compare", "--org", ORG, "--as-of", "2020-01-01"])
    assert missing.exit_code == 1 and "no assessment as of 2020-01-01" in missing.output


def _pin(assessment: int, own: int) -> object:
    from pxrules.board.pairing import Pin

    return Pin(assessment, None, own, False)
