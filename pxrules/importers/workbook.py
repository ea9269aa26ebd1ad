"""Reading .ods and .xlsx workbooks with python-calamine, after checking the zip container is not a bomb.

CQC publishes its survey workbooks as OpenDocument (.ods) and the NHS Staff Survey as .xlsx; calamine reads
both (cached values only, never running a formula). Before it sees a file, every part of the zip is
decompressed as a stream and counted, so a part that unpacks past the limit is refused in a second rather
than held in memory.
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from pxrules.errors import ImportFormatError
from pxrules.importers.common import MAX_ROWS, MAX_SHEET_XML_BYTES, layout_error, where

WORKBOOK_SUFFIXES = (".ods", ".xlsx", ".xlsm")
# All parts together: a workbook of the size pxrules reads unpacks to tens of megabytes.
MAX_UNPACKED_BYTES = MAX_SHEET_XML_BYTES
MAX_PARTS = 10_000


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


def check_archive(path: Path) -> None:
    """ImportFormatError when the file is not a zip container or a part unpacks past the limits."""
    location = where(path.name)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise layout_error(location, f"not a spreadsheet workbook (.ods or .xlsx are zip files; {exc})") from exc
    with archive:
        parts = archive.infolist()
        if len(parts) > MAX_PARTS:
            raise layout_error(location, f"{len(parts):,} parts in the zip, over the limit of {MAX_PARTS:,}")
        total = 0
        for part in parts:
            if part.file_size > MAX_UNPACKED_BYTES:
                raise layout_error(location, f"part {part.filename} declares {part.file_size:,} bytes unpacked, "
                                   f"over the {MAX_UNPACKED_BYTES:,}-byte limit (a zip bomb?)")
            try:
                with archive.open(part) as stream:
                    # The declared size may lie: count what actually comes out.
                    while block := stream.read(1 << 20):
                        total += len(block)
                        if total > MAX_UNPACKED_BYTES:
                            raise layout_error(location, f"the workbook unpacks to over {MAX_UNPACKED_BYTES:,} "
                                               "bytes (a zip bomb?)")
            except ImportFormatError:
                raise
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError) as exc:
                raise layout_error(location, f"damaged zip part {part.filename}: {exc}") from exc


def open_workbook(path: Path, file: str) -> Workbook:
    """The workbook at `path` (already hashed and size-checked by FileInfo.of), checked and opened."""
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        raise layout_error(where(file), f"expected a workbook ({', '.join(WORKBOOK_SUFFIXES)}), "
                           f"not a {path.suffix or 'file without an extension'}")
    check_archive(path)
    from python_calamine import CalamineWorkbook

    try:
        reader = CalamineWorkbook.from_path(str(path))
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
