"""Build FFT monthly workbooks in NHS England's published layout (Notes, Summary, ICB, Trusts, Sites, Wards).

The layout follows the publication's own files: a title on the Notes sheet, tables under a two-row header
(measures on the first row; the Very Good .. Don't Know breakdown, and in A&E the modes, on the second),
England rows, the interactive "Selection (excluding suppressed data)" row, then one row per organisation.
All figures are the tests' own. Percentages are stored as fractions, as the workbooks do.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook

BREAKDOWN_HEADERS = ("Very Good", "Good", "Neither Good nor Poor", "Poor", "Very Poor", "Don't Know")
BREAKDOWN_FIELDS = ("very_good", "good", "neither", "poor", "very_poor", "dont_know")
INPATIENT_MODES = {
    "sms": "Mode SMS",
    "electronic_discharge": "Mode Electronic Discharge",
    "electronic_home": "Mode Electronic Home",
    "paper_discharge": "Mode Paper Discharge",
    "paper_home": "Mode Paper Home",
    "telephone": "Mode Telephone",
    "online": "Mode Online",
    "other": "Mode Other",
}
OUTPATIENT_MODES = {
    "sms": "Mode SMS",
    "electronic_at_appointment": "Mode Electronic At Appointment",
    "electronic_after_appointment": "Mode Electronic After Appointment",
    "paper_at_appointment": "Mode Paper At Appointment",
    "paper_after_appointment": "Mode Paper After Appointment",
    "telephone": "Mode Telephone",
    "online": "Mode Online",
    "other": "Mode Other",
}
LEAD = {
    "trust": [("icb", "ICB Code"), ("org", "Trust Code"), ("org_name", "Trust Name")],
    "site": [
        ("icb", "ICB Code"),
        ("org", "Trust Code"),
        ("org_name", "Trust Name"),
        ("site_code", "Site Code"),
        ("site_name", "Site Name"),
    ],
    "ward": [
        ("icb", "ICB Code"),
        ("org", "Trust Code"),
        ("org_name", "Trust Name"),
        ("site_code", "Site Code"),
        ("site_name", "Site Name"),
        ("ward", "Ward Name"),
    ],
}
NAME_FIELD = {"trust": "org_name", "site": "site_name", "ward": "ward"}


@dataclass
class Sheet:
    """One table: its level, its rows (dicts of field -> cell value), and which optional columns it has."""

    name: str
    level: str  # trust | site | ward
    rows: list[dict[str, Any]]
    england: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (label, figures)
    eligible: bool = True
    percentages: bool = True
    breakdown: bool = True
    modes: dict[str, str] = field(default_factory=dict)  # field -> header
    modes_on_second_row: bool = False  # A&E puts "Mode of Collection" above the mode names
    header_row: int = 10
    selection_row: bool = True


def columns(sheet: Sheet) -> list[tuple[str, str | None, str | None]]:
    """(field, first header row text, second header row text) per column, as the publication lays them out."""
    out: list[tuple[str, str | None, str | None]] = [(f, h, None) for f, h in LEAD[sheet.level]]
    out.append(("responses", "Total Responses", None))
    if sheet.eligible:
        out.append(("eligible", "Total Eligible", None))
    if sheet.percentages:
        out += [
            ("percentage_positive", "Percentage Positive", None),
            ("percentage_negative", "Percentage Negative", None),
        ]
    if sheet.breakdown:
        for i, (f, h) in enumerate(zip(BREAKDOWN_FIELDS, BREAKDOWN_HEADERS, strict=True)):
            out.append((f, "Breakdown of Responses" if i == 0 else None, h))
    for i, (f, h) in enumerate(sheet.modes.items()):
        if sheet.modes_on_second_row:
            out.append((f"mode:{f}", "Mode of Collection" if i == 0 else None, h))
        else:
            out.append((f"mode:{f}", h, None))
    if sheet.level == "ward":
        out += [("speciality_1", "First Speciality", None), ("speciality_2", "Second Speciality", None)]
    return out


def _write_sheet(book: Workbook, sheet: Sheet) -> None:
    ws = book.create_sheet(sheet.name)
    ws.cell(row=2, column=2, value="   Sort data by:           ")
    if not sheet.modes_on_second_row and sheet.modes:
        ws.cell(row=sheet.header_row - 1, column=len(LEAD[sheet.level]) + 11, value="Mode of Collection")
    cols = columns(sheet)
    two_rows = any(second for _, _, second in cols)
    for index, (_, first, second) in enumerate(cols, start=1):
        if first:
            ws.cell(row=sheet.header_row, column=index, value=first)
        if second:
            ws.cell(row=sheet.header_row + 1, column=index, value=second)
    row = sheet.header_row + (2 if two_rows else 1)
    name_col = next(i for i, (f, _, _) in enumerate(cols, start=1) if f == NAME_FIELD[sheet.level])
    for label, figures in sheet.england:
        ws.cell(row=row, column=name_col, value=label)
        _write_figures(ws, row, cols, figures)
        row += 1
    if sheet.selection_row:
        ws.cell(row=row, column=name_col, value="Selection (excluding suppressed data)")
        for index, (f, _, _) in enumerate(cols, start=1):
            if f in ("responses", "eligible", *BREAKDOWN_FIELDS) or f.startswith("mode:"):
                ws.cell(row=row, column=index, value=0)
            elif f.startswith("percentage"):
                ws.cell(row=row, column=index, value="-")
        row += 2  # the publication leaves a blank row before the organisations
    for data in sheet.rows:
        _write_figures(ws, row, cols, data)
        row += 1


def _write_figures(
    ws: Any, row: int, cols: Sequence[tuple[str, str | None, str | None]], data: dict[str, Any]
) -> None:
    for index, (f, _, _) in enumerate(cols, start=1):
        key = f.removeprefix("mode:")
        value = data.get("modes", {}).get(key) if f.startswith("mode:") else data.get(f)
        if value is not None:
            cell = ws.cell(row=row, column=index, value=value)
            if f.startswith("percentage") and isinstance(value, float):
                cell.number_format = "0%"


def build_workbook(
    path: Path,
    sheets: Sequence[Sheet],
    *,
    title: str | None,
    summary_month: dt.date | None = None,
    summary_labels: Sequence[str] = ("Total", "NHS", "IS"),
) -> Path:
    """Write the workbook; `title` None leaves the Notes sheet untitled (so --setting/--month are needed)."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Notes"
    if title:
        notes.cell(row=2, column=1, value=title)
    summary = book.create_sheet("Summary")
    summary.cell(row=6, column=2, value="FFT")
    for col, text in (
        (3, "Number of organisations submitting"),
        (4, "Total responses to date"),
        (5, "Responses"),
        (7, "Percentage Positive"),
        (9, "Percentage Negative"),
    ):
        summary.cell(row=6, column=col, value=text)
    if summary_month is not None:
        for col in range(3, 11):
            month = summary_month if col in (3, 4, 5, 7, 9) else summary_month - dt.timedelta(days=5)
            summary.cell(row=7, column=col, value=dt.datetime(month.year, month.month, month.day))
    for offset, text in enumerate(summary_labels):
        summary.cell(row=8 + offset, column=2, value=text)
    icb = book.create_sheet("ICB")
    for col, text in enumerate(("ICB Code", "ICB Name", "Total Responses", "Total Eligible"), start=1):
        icb.cell(row=10, column=col, value=text)
    icb.cell(row=12, column=2, value="England (including Independent Sector Providers)")
    icb.cell(row=13, column=1, value="QZZ")
    icb.cell(row=13, column=3, value=999)
    for sheet in sheets:
        _write_sheet(book, sheet)
    # The hidden look-up sheet: trust codes and measure names in lists, not a table.
    bs = book.create_sheet("BS")
    bs.cell(row=1, column=5, value="Trust code")
    for offset, text in enumerate(
        ("ICB Code", "Trust Code", "Trust Name", "Total Responses", "Total Eligible")
    ):
        bs.cell(row=2 + offset, column=12, value=text)
    book.save(path)
    return path
