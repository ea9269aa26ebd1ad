"""Import NHS England's monthly FFT headline workbook: England percentage positive and negative per setting.

The sheet "Headline figures" has one row per setting and, under each heading (Responses, Percentage Positive,
Percentage Negative), one column per month (this month and the last). Every (setting, month) becomes
`benchmark` items `fft.percentage_positive.<setting>`, `fft.percentage_negative.<setting>` and
`fft.responses.<setting>`. GP and dental rows are not settings of the framework and are skipped.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

from pxrules.evidence.feedback import Benchmark
from pxrules.importers.common import (
    CellError,
    FileInfo,
    Problems,
    cell_text,
    column_letter,
    layout_error,
    month_bounds,
    month_in_text,
    parse_count,
    parse_fraction_percent,
    sheet_rows,
    shipped_file,
    where,
)
from pxrules.importers.storing import ImportResult, Published, store_published

PUBLICATION = "Friends and Family Test"
SHIPPED = "fft-summary-2026-04.xlsx"
# Row labels as published (lower case, spaces and brackets collapsed) -> setting; None = not a setting.
SETTING_LABELS: dict[str, str | None] = {
    "a&e": "ae",
    "inpatient": "inpatient",
    "maternity antenatal": "maternity_antenatal",
    "maternity birth": "maternity_birth",
    "maternity postnatal ward": "maternity_postnatal_ward",
    "maternity postnatal": "maternity_postnatal_community",
    "maternity postnatal community": "maternity_postnatal_community",
    "outpatient": "outpatient",
    "outpatients": "outpatient",
    "ambulance including patient transport": "ambulance",
    "ambulance": "ambulance",
    "community": "community",
    "mental health": "mental_health",
    "gp": None,
    "dental": None,
    "total": None,
}
HEADINGS = {
    "percentage positive": "percentage_positive",
    "percentage negative": "percentage_negative",
    "responses": "responses",
    "number of organisations submitting": "organisations",
}
HEADER_SCAN_ROWS = 30


def normalise_label(value: Any) -> str:
    """'Maternity  (Postnatal Ward) ' -> 'maternity postnatal ward'."""
    return re.sub(r"\s+", " ", re.sub(r"[()]", " ", cell_text(value).lower())).strip()


def _month_of(value: Any) -> tuple[int, int] | None:
    if isinstance(value, dt.datetime | dt.date):
        return value.year, value.month
    return month_in_text(cell_text(value)) if isinstance(value, str) else None


def read_fft_summary(path: Path) -> Published:
    """The headline benchmarks of one FFT summary workbook; ImportFormatError on a bad layout or cell."""
    from openpyxl import load_workbook

    info = FileInfo.of(path)
    try:
        workbook = load_workbook(io.BytesIO(info.data), read_only=True, data_only=True)
    except (
        Exception
    ) as exc:  # openpyxl raises zipfile, KeyError, ValueError ... for a file that is not a workbook
        raise layout_error(where(info.name), f"cannot open as an Excel workbook ({exc})") from exc
    try:
        for sheet in workbook.worksheets:
            rows = sheet_rows(sheet, info.name)
            header = next(
                (
                    i
                    for i, r in enumerate(rows[:HEADER_SCAN_ROWS])
                    if {"fft", "percentage positive"} <= {normalise_label(c) for c in r}
                ),
                None,
            )
            if header is not None:
                return _read_sheet(info, sheet.title, rows, header)
    finally:
        workbook.close()
    raise layout_error(
        where(info.name),
        "no sheet has an 'FFT' / 'Percentage Positive' header row: not an FFT headline (summary) workbook",
    )


def _read_sheet(info: FileInfo, sheet: str, rows: list[tuple[Any, ...]], header: int) -> Published:
    problems = Problems(info.name)
    head, dates = rows[header], rows[header + 1] if header + 1 < len(rows) else ()
    label_col = next(i for i, c in enumerate(head) if normalise_label(c) == "fft")
    columns: dict[tuple[str, tuple[int, int]], int] = {}
    heading: str | None = None
    for index in range(label_col + 1, len(head)):
        if cell_text(head[index]):
            heading = HEADINGS.get(normalise_label(head[index]))
        month = _month_of(dates[index]) if index < len(dates) else None
        if heading is not None and month is not None:
            columns.setdefault((heading, month), index)
    for needed in ("percentage_positive", "percentage_negative"):
        if not any(h == needed for h, _ in columns):
            raise layout_error(
                where(info.name, sheet=sheet, row=header + 1),
                f"no {needed.replace('_', ' ')} column with a month under it",
            )
    title = next((cell_text(c) for r in rows[:header] for c in r if month_in_text(cell_text(c))), "")
    latest = max(m for _, m in columns)
    published = Published(PUBLICATION, info, f"{latest[0]}-{latest[1]:02d}")
    settings: set[str] = set()
    for number, row in enumerate(rows[header + 2 :], start=header + 3):
        label = normalise_label(row[label_col]) if label_col < len(row) else ""
        cells = {key: row[i] if i < len(row) else None for key, i in columns.items()}
        if not label:
            continue
        if label not in SETTING_LABELS:
            if any(isinstance(v, int | float) for v in cells.values()):
                problems.add(
                    where(info.name, sheet=sheet, row=number, column=column_letter(label_col)),
                    f"unknown FFT setting {cell_text(row[label_col])!r}",
                )
            continue  # a note under the table
        setting = SETTING_LABELS[label]
        if setting is None:
            continue
        settings.add(setting)
        values: dict[tuple[str, tuple[int, int]], float | None] = {}
        for (kind, month), value in cells.items():
            location = where(
                info.name,
                sheet=sheet,
                row=number,
                column=f"{column_letter(columns[kind, month])} "
                f"({kind.replace('_', ' ')} {month[0]}-{month[1]:02d})",
            )
            try:
                parsed = (
                    parse_fraction_percent(value) if kind.startswith("percentage") else parse_count(value)
                )
            except CellError as exc:
                problems.add(location, str(exc))
                continue
            values[kind, month] = None if parsed is None else float(parsed)
        for (kind, month), value in sorted(values.items()):
            if value is None or kind == "organisations":
                continue
            start, end = month_bounds(*month)
            label_month = f"{month[0]}-{month[1]:02d}"
            orgs = values.get(("organisations", month))
            item = problems.build(
                Benchmark,
                where(info.name, sheet=sheet, row=number),
                id=f"fft-summary-{label_month}-{setting}-{kind}",
                measure=f"fft.{kind}.{setting}",
                scope="england",
                value=value,
                unit="count" if kind == "responses" else "percent",
                n_organisations=None if orgs is None else int(orgs),
                period_start=start,
                period_end=end,
                source=info.source(
                    f"NHS England, {title or 'Friends and Family Test'}: headline figures, "
                    f"{cell_text(row[label_col])} {label_month}",
                    PUBLICATION,
                    sheet=sheet,
                    row=number,
                    reference=f"{kind.replace('_', ' ')} for {label_month}, column "
                    f"{column_letter(columns[kind, month])}",
                ),
            )
            if item is not None:
                published.benchmarks.append(item)
    problems.raise_if_any()
    if not settings:
        raise layout_error(where(info.name, sheet=sheet), "no FFT setting rows under the header")
    published.details = {
        "settings": sorted(settings),
        "months": sorted({f"{y}-{m:02d}" for _, (y, m) in columns}),
    }
    return published


def import_fft_summary(
    url: str | None, path: Path | str | None = None, *, by: str = "pxrules import"
) -> ImportResult:
    """Import an FFT headline workbook (default: the shipped April 2026 one) as England benchmarks."""
    published = read_fft_summary(Path(path) if path is not None else shipped_file(SHIPPED))
    return store_published(url, published, orgs=None, all_orgs=False, register_orgs=False, by=by)
