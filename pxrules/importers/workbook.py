"""Reading .ods and .xlsx workbooks with python-calamine, from bytes already checked by FileInfo.of.

CQC publishes its survey workbooks as OpenDocument (.ods) and the NHS Staff Survey as .xlsx; calamine reads
both (cached values only, never running a formula). FileInfo.of has already refused anything that is not a
regular file within the size limit and scanned every zip part (sizes, ratio, rows), so a zip bomb never
reaches calamine; the bytes it read are the bytes parsed, so the sha256 recorded is of what was imported.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from pxrules.common.workbook_scan import MAX_ROWS
from pxrules.errors import ImportFormatError
from pxrules.importers.common import FileInfo, layout_error, where

WORKBOOK_SUFFIXES = (".ods", ".xlsx", ".xlsm")


@dataclass
class Workbook:
    """The sheets of one workbook, read lazily by name: rows as lists of cell values ('' for empty)."""

    file: str
    reader: Any
    names: list[str]

    def has(self, name: str) -> bool:
        return name in self.names

    def rows(self, name: str) -> list[list[Any]]:
        """Every row of a sheet; ImportFormatError past MAX_ROWS or for a sheet calamine cannot read."""
        location = where(self.file, sheet=name)
        try:
            sheet = self.reader.get_sheet_by_name(name)
            height = int(sheet.height)
            if height > MAX_ROWS:
                raise layout_error(location, f"{height:,} rows, over the limit of {MAX_ROWS:,}")
            rows = [list(r) for r in islice(sheet.iter_rows(), MAX_ROWS + 1)]
        except ImportFormatError:
            raise
        except Exception as exc:  # calamine raises its own errors, ValueError ... for a damaged sheet
            raise layout_error(location, f"cannot read the sheet ({type(exc).__name__}: {exc})") from exc
        if len(rows) > MAX_ROWS:
            raise layout_error(location, f"more than {MAX_ROWS:,} rows")
        return rows


def open_workbook(info: FileInfo) -> Workbook:
    """The workbook FileInfo.of read and checked, opened from its bytes."""
    file = info.name
    if info.path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise layout_error(where(file), f"expected a workbook ({', '.join(WORKBOOK_SUFFIXES)}), "
                           f"not a {info.path.suffix or 'file without an extension'}")
    if not info.data.startswith(b"PK"):
        raise layout_error(where(file), "not a spreadsheet workbook (.ods and .xlsx files are zip archives)")
    from python_calamine import CalamineWorkbook

    try:
        reader = CalamineWorkbook.from_filelike(io.BytesIO(info.data))
    except Exception as exc:  # CalamineError and friends: not a workbook calamine understands
        raise layout_error(where(file), f"cannot open the workbook ({type(exc).__name__}: {exc})") from exc
    return Workbook(file, reader, [str(n) for n in reader.sheet_names])


def require_sheets(book: Workbook, names: Sequence[str], what: str) -> None:
    """ImportFormatError naming the missing sheets, the ones found, and what layout was expected."""
    missing = [n for n in names if not book.has(n)]
    if missing:
        raise layout_error(
            where(book.file),
            f"no sheet {', '.join(repr(m) for m in missing)}: not {what} (expected sheets "
            f"{', '.join(names)}; found {', '.join(book.names[:12]) or 'none'})",
        )
