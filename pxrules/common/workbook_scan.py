"""Scan every part of a zipped workbook (XLSX, ODS) before any parser opens it: sizes, ratio, rows, formulas.

openpyxl finds a worksheet through the workbook's relationships, wherever the part sits in the archive, and
loads shared strings and styles whole into memory; so every part is checked, by its declared sizes first
(cheap: a zip bomb is refused before one byte is unpacked) and then by streaming it, counting what it
really unpacks to. The formula check runs on every part too: a sheet stored outside xl/worksheets/ is still
a sheet.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Callable
from typing import IO

from pxrules.errors import ImportFormatError

MAX_ROWS = 100_000
MAX_PARTS = 10_000
MAX_SHEET_XML_BYTES = 512 * 1024 * 1024  # one streamed part, unpacked
MAX_TOTAL_BYTES = 1024 * 1024 * 1024  # every part together, unpacked
MAX_RATIO = 200  # unpacked / packed, for a part over RATIO_FLOOR: real XML packs 5-30 times
RATIO_FLOOR = 8 * 1024 * 1024

_NS = rb"(?:[A-Za-z_][\w.-]{0,15}:)?"
_ROW_TAG = re.compile(rb"<" + _NS + rb"row[\s/>]")
# A formula cell whose value was never computed (e.g. written by a script): read "as data" it is just empty.
_UNVALUED_FORMULA = re.compile(
    rb"(?:</" + _NS + rb"f>|<" + _NS + rb"f\b[^<>]{0,200}/>)[ \t\r\n]{0,16}"
    rb"(?:<" + _NS + rb"v\s*/>|<" + _NS + rb"v>[ \t\r\n]{0,16}</" + _NS + rb"v>|</" + _NS + rb"c>)"
)
_CARRY = 512  # longer than any match of the two patterns, so one straddling two blocks is seen whole

Refuse = Callable[[str], ImportFormatError]


def scan_part(xml: IO[bytes], limit: int = MAX_SHEET_XML_BYTES) -> tuple[int, int, bool]:
    """(rows, unpacked bytes, has a formula without a value) of one part's XML, stopping past the limits."""
    rows = unpacked = 0
    unvalued = False
    tail = b""
    while block := xml.read(1 << 20):
        unpacked += len(block)
        data = tail + block
        cut = max(0, len(data) - _CARRY)  # a match starting after `cut` is counted with the next block
        rows += sum(1 for m in _ROW_TAG.finditer(data) if m.start() < cut)
        unvalued = unvalued or any(m.start() < cut for m in _UNVALUED_FORMULA.finditer(data))
        tail = data[cut:]
        if rows > MAX_ROWS or unpacked > limit:
            return rows, unpacked, unvalued
    return rows + len(_ROW_TAG.findall(tail)), unpacked, unvalued or bool(_UNVALUED_FORMULA.search(tail))


def _declared(infos: list[zipfile.ZipInfo], refuse: Refuse) -> None:
    if len(infos) > MAX_PARTS:
        raise refuse(f"the archive has {len(infos):,} parts, over the limit of {MAX_PARTS:,}")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > MAX_SHEET_XML_BYTES:
            raise refuse(f"part {info.filename} unpacks to over {MAX_SHEET_XML_BYTES:,} bytes")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise refuse(
                f"part {info.filename} unpacks {info.file_size // max(info.compress_size, 1):,} times its packed "
                f"size (over {MAX_RATIO}): a zip bomb, not a workbook"
            )
    if total > MAX_TOTAL_BYTES:
        raise refuse(f"the parts unpack to {total:,} bytes in all, over the limit of {MAX_TOTAL_BYTES:,}")


def scan_workbook(data: bytes, refuse: Refuse, *, formulas: bool = True) -> None:
    """Refuse (via `refuse(message)`) a zip whose parts are too big, too packed, too long or unvalued.

    Bytes that are not a zip archive pass: the reader says in its own words that it cannot open them.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return
    with archive:
        infos = archive.infolist()
        _declared(infos, refuse)
        total = 0
        for info in infos:
            if info.is_dir():
                continue
            try:
                with archive.open(info) as part:
                    rows, unpacked, unvalued = scan_part(part)
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError, RuntimeError):
                continue  # damaged or encrypted: the reader reports it
            total += unpacked
            name = info.filename
            if unpacked > MAX_SHEET_XML_BYTES:
                raise refuse(f"worksheet {name.rsplit('/', 1)[-1]} unpacks to over {MAX_SHEET_XML_BYTES:,} bytes")
            if total > MAX_TOTAL_BYTES:
                raise refuse(f"the parts unpack to over {MAX_TOTAL_BYTES:,} bytes in all")
            if unpacked > RATIO_FLOOR and unpacked > MAX_RATIO * max(info.compress_size, 1):
                raise refuse(f"part {name} unpacks over {MAX_RATIO} times its packed size: a zip bomb, not a workbook")
            if rows > MAX_ROWS:
                raise refuse(f"worksheet {name.rsplit('/', 1)[-1]} has more than {MAX_ROWS:,} rows, over the limit "
                             f"of {MAX_ROWS:,}: not a publication this reads")
            if formulas and unvalued:
                raise refuse(
                    f"worksheet {name.rsplit('/', 1)[-1]} has formula cells with no saved value (formulas are "
                    "never run here): open and save the file in a spreadsheet program, or paste the values"
                )
