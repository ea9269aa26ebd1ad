"""Read an evidence workbook (the filled-in template, or any sheet named for a kind) into raw records.

Like the other readers it only reads: cells become the values the model expects (choices by label or
value, Yes/No, lists, Excel dates) and `io` validates, so a workbook's errors read like a CSV's, with the
sheet, row and column heading in each.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pxrules.errors import PxRulesError
from pxrules.evidence.columns import Column, column_index, unflatten
from pxrules.evidence.readers import MAX_RECORDS, Problems, Raw, did_you_mean
from pxrules.evidence.registry import KINDS
from pxrules.evidence.template import EXAMPLE_MARK, HELP_SHEET, LISTS_SHEET, plain_heading

_SKIPPED_SHEETS = {HELP_SHEET.lower(), LISTS_SHEET.lower()}


def _header(
    rows: list[tuple[Any, ...]], kind: str, where: str, problems: Problems
) -> tuple[list[Column | None], int] | None:
    """The column of each cell position and the first data row's index; None after reporting a problem."""
    index = column_index(kind)
    headings = [plain_heading(str(c)) if c is not None else "" for c in rows[0]]
    keys = [str(c).strip() if c is not None else "" for c in rows[1]] if len(rows) > 1 else []
    # The template's hidden key row: every non-empty cell a field key of this kind.
    if keys and any(keys) and all(k.lower() in index for k in keys if k):
        return [index[k.lower()] if k else None for k in keys], 2
    found: list[Column | None] = []
    for number, heading in enumerate(headings, start=1):
        if not heading:
            found.append(None)
            continue
        column = index.get(heading.lower())
        if column is None:
            names = [c.heading for c in index.values()]
            problems.append(
                (f"{where} column {number}", f"{heading!r} is not a column of {kind}{did_you_mean(heading, names)}")
            )
            return None
        found.append(column)
    return found, 1


def _sheet_records(sheet: Any, label: str, rows: list[tuple[Any, ...]], problems: Problems) -> list[Raw]:
    title = str(sheet.title)
    where = f"{label} sheet {title}"
    kind = title.strip()
    if kind not in KINDS:
        problems.append(
            (
                where,
                f"sheet {title!r} is not an evidence kind{did_you_mean(kind, KINDS)} (name each sheet for its kind)",
            )
        )
        return []
    header = _header(rows, kind, where, problems)
    if header is None:
        return []
    columns, first = header
    records: list[Raw] = []
    for offset, row in enumerate(rows[first:], start=first + 1):
        if not any(c is not None and (not isinstance(c, str) or c.strip()) for c in row):
            continue
        if row and isinstance(row[0], str) and row[0].strip() == EXAMPLE_MARK:
            continue  # the worked example
        data: dict[str, Any] = {}
        headings: dict[str, str] = {}
        for column, cell in zip(columns, row, strict=False):
            if column is None:
                continue
            value = column.to_value(cell)
            headings[column.key] = column.heading
            if value is not None or column.notes_absence(cell):
                data[column.key] = value
        item = unflatten(data)
        item["kind"] = kind
        records.append(Raw(f"{where} row {offset}", item, headings=tuple(headings.items())))
    return records


def xlsx_records(path: Path, label: str, problems: Problems) -> list[Raw]:
    """Every item on every kind's sheet (Help and Lists skipped); reading problems go to `problems`."""
    import io

    from pxrules.common.tabular import read_checked, sheet_rows

    try:
        data = read_checked(path)  # a regular file within limits, every workbook part scanned, read once
    except PxRulesError as exc:
        problems.append((label, str(exc).removeprefix(f"{path.name}: ")))
        return []
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors for a damaged file
        problems.append((label, f"not a readable .xlsx workbook ({type(exc).__name__})"))
        return []
    records: list[Raw] = []
    try:
        for sheet in book.worksheets:
            if str(sheet.title).strip().lower() in _SKIPPED_SHEETS or sheet.sheet_state != "visible":
                continue
            try:
                rows = sheet_rows(sheet, label)
            except PxRulesError as exc:
                problems.append((label, str(exc)))
                return []
            if not rows or not any(c is not None for c in rows[0]):
                continue
            records.extend(_sheet_records(sheet, label, rows, problems))
            if len(records) > MAX_RECORDS:
                problems.append((label, f"more than {MAX_RECORDS:,} records, over the limit per file; split it"))
                return []
    finally:
        book.close()
    return records
