"""Bulk in and out: `org import` from CSV, `scores` and `export scores` read stored results without assessing."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import event
from typer.testing import CliRunner

from cli.main import app
from pxrules.errors import EvidenceError
from pxrules.importers.orgs_csv import import_orgs_csv
from pxrules.store.db import make_engine, unit_of_work
from pxrules.store.repo import list_orgs

RUNNER = CliRunner()
SURVEY = "pxrules/data/public/cqc-adult-inpatient-survey-2022-trust-benchmark.ods"


def _orgs(path: Path, rows: list[str]) -> Path:
    path.write_text("\n".join(["code,name,type", *rows]) + "\n", encoding="utf-8")
    return path


def _cli(db_url: str, *args: str) -> str:
    result = RUNNER.invoke(app, ["--db", db_url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_org_import_registers_all_once_and_again_changes_nothing(db_url: str, tmp_path: Path) -> None:
    path = _orgs(tmp_path / "orgs.csv", ["RXA,Alpha NHS Trust,acute", "RXB,Beta NHS Trust,mental-health"])
    first = import_orgs_csv(db_url, path, by="test")
    assert (first.added, first.unchanged) == (["RXA", "RXB"], [])
    again = json.loads(_cli(db_url, "org", "import", str(path), "--json"))
    assert (again["added"], again["unchanged"]) == ([], ["RXA", "RXB"])


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["RXA,Alpha,acute", "rx b,Beta,acute"], r"orgs\.csv, row 4, column code: organisation code 'rx b' is not"),
        (["RXA,Alpha,hospital"], r"row 3, column type: organisation type 'hospital' is not one of"),
        (["RXA,,acute"], r"row 3, column name: organisation name must be 1-200 characters"),
        (["RXA,Alpha,acute", "RXA,Alpha again,acute"],
         r"row 4, column code: organisation RXA appears twice \(rows 3 and 4\)"),
        (["RX1,Renamed,acute"], r"row 3, column code: organisation RX1 already exists as 'Existing'"),
    ],
    ids=["bad-code", "bad-type", "no-name", "twice", "renamed"],
)
def test_org_import_is_all_or_nothing(db_url: str, tmp_path: Path, table_counts: Callable[[str], dict[str, int]],
                                      rows: list[str], message: str) -> None:
    _cli(db_url, "org", "add", "RX1", "--name", "Existing", "--type", "acute")
    before = table_counts(db_url)
    with pytest.raises(EvidenceError, match=message):
        import_orgs_csv(db_url, _orgs(tmp_path / "orgs.csv", ["RXZ,Fine NHS Trust,acute", *rows]), by="test")
    assert table_counts(db_url) == before
    with unit_of_work(db_url) as session:
        assert [o.code for o in list_orgs(session=session)] == ["RX1"]


def test_scores_reads_the_stored_assessment_without_assessing_again(db_url: str) -> None:
    _cli(db_url, "import", "patient-survey", SURVEY, "--org", "RNA", "--register-orgs")
    _cli(db_url, "assess", "--org", "RNA", "--as-of", "2024-03-31")
    _cli(db_url, "assess", "--org", "RNA", "--as-of", "2023-06-30")  # stored later, dated earlier
    shown = json.loads(_cli(db_url, "scores", "--org", "RNA", "--json"))
    assert shown["as_of"] == "2024-03-31" and shown["assessment_id"] == 1 and len(shown["scores"]) == 57
    line = next(s for s in shown["scores"] if s["sub_requirement"] == "17C")
    assert line["suggested"] == 1 and line["self_assessed"] is None and line["reasons"]
    earlier = json.loads(_cli(db_url, "scores", "--org", "RNA", "--as-of", "2023-12-31", "--json"))
    assert earlier["assessment_id"] == 2
    listed = json.loads(_cli(db_url, "assess", "--help") and _cli(db_url, "scores", "--org", "RNA", "--json"))
    assert listed["assessment_id"] == 1  # `scores` stored nothing new
    table = _cli(db_url, "scores", "--org", "RNA")
    assert "17C" in table and "assessment 1 as of 2024-03-31" in table
    missing = RUNNER.invoke(app, ["--db", db_url, "scores", "--org", "RNA", "--as-of", "2020-01-01"])
    assert missing.exit_code == 1 and "no stored assessment on or before 2020-01-01" in missing.output


@contextmanager
def _counting(db_url: str) -> Iterator[list[str]]:
    engine = make_engine(db_url)
    seen: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_export_scores_writes_every_organisation_in_a_handful_of_queries(db_url: str, tmp_path: Path) -> None:
    _cli(db_url, "import", "patient-survey", SURVEY, "--org", "RNA", "--org", "RL1", "--register-orgs")
    _cli(db_url, "org", "import", str(_orgs(tmp_path / "more.csv", [f"RZ{i},Trust {i},acute" for i in range(8)])))
    for code in ("RNA", "RL1"):
        _cli(db_url, "assess", "--org", code, "--as-of", "2024-03-31")
    out = tmp_path / "scores.csv"
    with _counting(db_url) as selects:
        done = json.loads(_cli(db_url, "export", "scores", "--format", "csv", "-o", str(out), "--json"))
    assert (done["organisations"], done["assessed"], done["rows"]) == (10, 2, 570)
    assert len(selects) <= 8, selects  # not one query per organisation
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rl1 = next(r for r in rows if r["organisation"] == "RL1" and r["sub_requirement"] == "17C")
    rna = next(r for r in rows if r["organisation"] == "RNA" and r["sub_requirement"] == "17C")
    assert int(rl1["suggested"]) > int(rna["suggested"]) and rl1["rules_hash"] and "CQC" in rl1["reasons"]
    never = next(r for r in rows if r["organisation"] == "RZ0" and r["sub_requirement"] == "1A")
    assert (never["suggested"], never["reasons"]) == ("", "not assessed")  # never a zero
    as_json = tmp_path / "scores.json"
    _cli(db_url, "export", "scores", "--format", "json", "-o", str(as_json))
    data = json.loads(as_json.read_text(encoding="utf-8"))
    assert [o["organisation"] for o in data["organisations"]][:2] == ["RL1", "RNA"]
    again = RUNNER.invoke(app, ["--db", db_url, "export", "scores", "--format", "json", "-o", str(as_json)])
    assert again.exit_code == 1 and "already exists" in again.output
    store = db_url.removeprefix("sqlite:///")
    if db_url.startswith("sqlite"):
        over = RUNNER.invoke(app, ["--db", db_url, "export", "scores", "-o", store, "--force"])
        assert over.exit_code == 1 and "it is the store" in over.output
