"""The FFT headline (summary) importer on the shipped April 2026 workbook."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.main import app
from pxrules.errors import ImportFormatError
from pxrules.evidence.feedback import FFT_SETTINGS, Benchmark
from pxrules.importers import import_fft_summary, read_fft_summary, shipped_file

SUMMARY = shipped_file("fft-summary-2026-04.xlsx")


def test_headline_settings_and_months_become_benchmarks() -> None:
    published = read_fft_summary(SUMMARY)
    assert published.period == "2026-04"
    assert published.details == {"settings": sorted(FFT_SETTINGS), "months": ["2026-03", "2026-04"]}
    by_id = {b.id: b for b in published.benchmarks if isinstance(b, Benchmark)}
    assert len(by_id) == 60  # 10 settings x 2 months x (positive, negative, responses)
    ae = by_id["fft-summary-2026-04-ae-percentage_positive"]
    # As published: A&E April 2026, 80.2% positive (0.8021849585247471), 125 organisations submitting.
    assert (ae.measure, ae.unit, ae.scope, ae.n_organisations) == (
        "fft.percentage_positive.ae",
        "percent",
        "england",
        125,
    )
    assert ae.value == pytest.approx(80.21849585247471, abs=1e-6)
    assert (ae.period_start, ae.end) == (dt.date(2026, 4, 1), dt.date(2026, 4, 30))
    assert (ae.source.sheet, ae.source.row, ae.source.attachment) == ("Headline figures", 6, SUMMARY.name)
    march = by_id["fft-summary-2026-03-inpatient-percentage_negative"]
    assert march.value == pytest.approx(2.38760244070566, abs=1e-6) and march.end == dt.date(2026, 3, 31)
    assert by_id["fft-summary-2026-04-outpatient-responses"].value == 418088
    postnatal = by_id["fft-summary-2026-04-maternity_postnatal_community-percentage_positive"]
    assert postnatal.value == pytest.approx(91.39382600561272, abs=1e-6)
    ambulance = by_id["fft-summary-2026-04-ambulance-percentage_negative"]
    assert ambulance.value == pytest.approx(6.83111954459203, abs=1e-6)
    sheet = load_workbook(SUMMARY)["Headline figures"]
    assert ae.source.row is not None and sheet.cell(row=ae.source.row, column=2).value == "A&E"


def test_import_is_idempotent(db_url: str) -> None:
    first = import_fft_summary(db_url)
    assert (first.new, first.organisations) == (60, [])
    again = import_fft_summary(db_url, SUMMARY)
    assert (again.new, again.unchanged, again.corrected) == (0, 60, 0)


def test_text_in_a_figure_and_unknown_settings_are_refused(
    db_url: str, tmp_path: Path, table_counts: Callable[[str], dict[str, int]]
) -> None:
    book = load_workbook(SUMMARY)
    sheet = book["Headline figures"]
    sheet["G7"] = "ninety"
    sheet["B8"] = "Hospice"
    bad = tmp_path / "bad.xlsx"
    book.save(bad)
    before = table_counts(db_url)
    with pytest.raises(ImportFormatError) as raised:
        import_fft_summary(db_url, bad)
    problems = dict(raised.value.problems)
    assert problems[
        f"{bad.name}, sheet 'Headline figures', row 7, column G (percentage positive 2026-04)"
    ] == ("'ninety' is not a number")
    assert (
        problems[f"{bad.name}, sheet 'Headline figures', row 8, column B"] == "unknown FFT setting 'Hospice'"
    )
    assert table_counts(db_url) == before
    with pytest.raises(ImportFormatError, match="not an FFT headline"):
        read_fft_summary(_monthly_like(tmp_path))


def _monthly_like(tmp_path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "Friends and Family Test - April 2026"
    path = tmp_path / "other.xlsx"
    book.save(path)
    return path


def test_cli_import_fft_summary(db_url: str) -> None:
    result = CliRunner().invoke(app, ["--db", db_url, "import", "fft-summary", str(SUMMARY), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["new"], data["kinds"], data["period"]) == (60, {"benchmark": 60}, "2026-04"), result.output
