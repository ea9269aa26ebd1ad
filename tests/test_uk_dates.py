"""UK dates are read everywhere dates are read: evidence files, self-assessments and --as-of options."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.common.dates import DateError, parse_date, parse_optional_date, uk
from pxrules.errors import EvidenceError
from pxrules.evidence.io import read_evidence_files

HEAD = "id,org,period_start,period_end,source.title,setting,responses,eligible,percentage_positive"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("02/04/2026", dt.date(2026, 4, 2)),
        ("2/4/2026", dt.date(2026, 4, 2)),
        ("31/03/2027", dt.date(2027, 3, 31)),
        ("2026-04-02", dt.date(2026, 4, 2)),
        (" 29/02/2024 ", dt.date(2024, 2, 29)),
        ("02/04/2026 00:00:00", dt.date(2026, 4, 2)),
        ("02.04.2026", dt.date(2026, 4, 2)),
    ],
)
def test_reads_uk_and_iso_text(text: str, expected: dt.date) -> None:
    assert parse_date(text) == expected


def test_reads_excel_cells() -> None:
    assert parse_date(dt.datetime(2026, 4, 2)) == dt.date(2026, 4, 2)
    assert parse_date(dt.date(2026, 4, 2)) == dt.date(2026, 4, 2)
    with pytest.raises(DateError, match="time of day"):
        parse_date(dt.datetime(2026, 4, 2, 13, 5))
    assert parse_optional_date("  ") is None
    assert uk(dt.date(2026, 4, 2)) == "02/04/2026"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("03/31/2026", "month 31 .dates are day first"),
        ("31/02/2026", "day is out of range"),
        ("02/04/26", "ambiguous: give the year in full"),
        ("April 2nd", "not a date"),
        ("2026-13-01", "month must be in 1..12"),
    ],
)
def test_refuses_impossible_and_ambiguous(text: str, why: str) -> None:
    with pytest.raises(DateError, match=why):
        parse_date(text)


def test_excel_saved_csv_imports(tmp_path: Path) -> None:
    path = tmp_path / "fft_monthly-2026.csv"
    path.write_text(f"{HEAD}\nf1,RX1,01/03/2026,31/03/2026 00:00:00,FFT,ae,10,100,80\n", encoding="utf-8")
    (item,) = read_evidence_files([path])
    assert (item.period_start, item.end) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    iso = tmp_path / "fft_monthly-iso.csv"
    iso.write_text(f"{HEAD}\nf1,RX1,2026-03-01,2026-03-31,FFT,ae,10,100,80\n", encoding="utf-8")
    assert read_evidence_files([iso])[0].content_hash() == item.content_hash()


def test_bad_date_names_file_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "fft_monthly-bad.csv"
    rows = ["f1,RX1,01/03/2026,31/03/2026,FFT,ae,10,100,80", "f2,RX1,01/04/2026,04/31/2026,FFT,ae,10,100,80"]
    path.write_text("\n".join([HEAD, *rows]) + "\n", encoding="utf-8")
    with pytest.raises(EvidenceError) as caught:
        read_evidence_files([path])
    text = str(caught.value) + " ".join(f"{w}: {m}" for w, m in caught.value.problems)
    assert "fft_monthly-bad.csv line 3" in text
    assert "period_end" in text and "month 31" in text


def test_yaml_document_dates(tmp_path: Path) -> None:
    path = tmp_path / "docs.yaml"
    path.write_text(
        "kind: document\nid: d1\norg: RX1\nperiod_start: 02/04/2025\nsource: {title: Strategy}\n"
        "doc_type: px_strategy\ntitle: Strategy\napproved_on: 02/04/2025\nreview_due: 01/04/2028\n",
        encoding="utf-8",
    )
    (item,) = read_evidence_files([path])
    assert item.model_dump()["review_due"] == dt.date(2028, 4, 1)


def test_cli_as_of_takes_uk_dates(tmp_path: Path) -> None:
    runner = CliRunner()
    url = f"sqlite:///{tmp_path / 'd.db'}"
    assert runner.invoke(app, ["--db", url, "init"]).exit_code == 0
    assert runner.invoke(app, ["--db", url, "org", "add", "RX1", "--name", "T", "--type", "acute"]).exit_code == 0
    good = runner.invoke(app, ["--db", url, "evidence", "due", "--org", "RX1", "--as-of", "31/03/2026", "--json"])
    assert good.exit_code == 0, good.output
    bad = runner.invoke(app, ["--db", url, "evidence", "due", "--org", "RX1", "--as-of", "03/31/2026"])
    assert bad.exit_code == 1
    assert "--as-of" in bad.output and "day first" in bad.output
