"""Reading a spreadsheet or CSV input safely: where a problem is, size and row limits, every zip part scanned.

Shared by the evidence readers and the NHS publication importers, so both refuse the same hostile files the
same way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from pxrules.common.input_file import read_input
from pxrules.common.workbook_scan import MAX_ROWS as MAX_ROWS
from pxrules.common.workbook_scan import scan_workbook
from pxrules.errors import ImportFormatError


def where(file: str, *, sheet: str | None = None, row: int | None = None, column: str | None = None) -> str:
    """'file.xlsx, sheet Trusts, row 14, column E (Total Eligible)' - the parts that are known."""
    parts = [file]
    if sheet is not None:
        parts.append(f"sheet {sheet!r}")
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column}")
    return ", ".join(parts)



def layout_error(location: str, message: str) -> ImportFormatError:
    """An unknown layout: one problem, naming where the importer looked."""
    return ImportFormatError(f"{location}: {message}; nothing was imported", [(location, message)])



# --- size limits -------------------------------------------------------------------------------------------

# Far above any publication (the national ward-level FFT sheet has tens of thousands of rows); a file past
# them is refused at once rather than after minutes of parsing and gigabytes of rows held in memory.
MAX_FILE_BYTES = 64 * 1024 * 1024


def _refuser(path: Path) -> Callable[[str], ImportFormatError]:
    return lambda message: layout_error(where(path.name), message)


def check_size(path: Path) -> None:
    """ImportFormatError unless `path` is a regular file within MAX_FILE_BYTES whose zip parts (if it is a
    workbook) pass every check of workbook_scan; only the file's metadata and, for a workbook, its parts
    are read."""
    read_checked(path)


def read_checked(path: Path) -> bytes:
    """The bytes of an input file after check_size's checks (read once, never past the limit)."""
    path = Path(path)
    try:
        data = read_input(path, MAX_FILE_BYTES, ImportFormatError)
    except ImportFormatError as exc:
        raise layout_error(where(path.name), str(exc).removeprefix(f"{path.name}: ")) from exc
    if data[:2] == b"PK":
        scan_workbook(data, _refuser(path))
    return data


def _too_many_rows(location: str, count: str) -> ImportFormatError:
    return layout_error(location, f"{count} rows, over the limit of {MAX_ROWS:,}: not a publication this reads")


def csv_rows(text: str, file: str) -> list[list[str]]:
    """The rows of CSV text, stopping with ImportFormatError past MAX_ROWS."""
    import csv
    import io
    from itertools import islice

    try:
        rows = list(islice(csv.reader(io.StringIO(text, newline="")), MAX_ROWS + 1))
    except csv.Error as exc:
        raise layout_error(where(file), f"malformed CSV: {exc}") from exc
    if len(rows) > MAX_ROWS:
        raise _too_many_rows(where(file), f"more than {MAX_ROWS:,}")
    return rows


def sheet_rows(sheet: Any, file: str) -> list[tuple[Any, ...]]:
    """Every row of a read-only worksheet as values; ImportFormatError past MAX_ROWS (declared or found)."""
    from itertools import islice

    location = where(file, sheet=str(sheet.title))
    declared = getattr(sheet, "max_row", None)  # from the sheet's <dimension>, when it has one
    if isinstance(declared, int) and declared > MAX_ROWS:
        raise _too_many_rows(location, f"{declared:,}")
    try:
        rows = list(islice(sheet.iter_rows(min_row=1, values_only=True), MAX_ROWS + 1))
    except Exception as exc:  # openpyxl raises ValueError, KeyError, XML errors ... for a damaged sheet
        raise layout_error(location, f"cannot read the sheet ({type(exc).__name__}: {exc})") from exc
    if len(rows) > MAX_ROWS:
        raise _too_many_rows(location, f"more than {MAX_ROWS:,}")
    return rows
