"""What every NHS publication importer shares: cell parsing, file hashing, sources and problem reports.

An importer first reads a whole file into a `Published` (storing.py), collecting every cell problem with its
sheet, row and column in `Problems`; only a clean file reaches the store, so any error writes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import ValidationError

from pxrules.errors import EvidenceError, ImportFormatError, NotFoundError
from pxrules.evidence.base import EvidenceBase

if TYPE_CHECKING:
    pass

PUBLIC_DATA = Path(__file__).resolve().parent.parent / "data" / "public"
ORG_CODE = re.compile(r"^[A-Z0-9]{2,12}$")
# What the publications print where a figure is suppressed or not applicable: recorded as None, never 0.
NOT_REPORTED = frozenset({"", "*", "-", "\u2212", "\u2013", "\u2014", "..", ":", "n/a", "na", "x"})
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_SLUG = re.compile(r"[^a-z0-9]+")
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)

M = TypeVar("M", bound=EvidenceBase)


def shipped_file(name: str) -> Path:
    """A published file bundled with pxrules (pxrules/data/public/), e.g. 'ko41a-2024-25-org-level.csv'."""
    path = PUBLIC_DATA / name
    if not path.is_file():
        shipped = sorted(p.name for p in PUBLIC_DATA.iterdir() if p.name != "README.md")
        raise NotFoundError(f"no shipped file {name!r} (shipped: {', '.join(shipped)})")
    return path


# --- cells ---------------------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read as the figure its column holds; the caller adds where it is."""


def _text(value: Any) -> str:
    return str(value).replace("\xa0", " ").strip()


def is_not_reported(value: Any) -> bool:
    """True for an empty cell or a suppression marker ("*", "-", "N/A" ...)."""
    return value is None or (isinstance(value, str) and _text(value).lower() in NOT_REPORTED)


def parse_number(value: Any) -> float | None:
    """A number, or None where not reported; text that is not a number raises CellError."""
    if is_not_reported(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            raise CellError(f"{value!r} is not a finite number")
        return float(value)
    text = _text(value)
    if _NUMBER.match(text):
        return float(text.replace(",", ""))
    raise CellError(f"{text!r} is not a number")


def parse_count(value: Any) -> int | None:
    """A whole non-negative count, or None where not reported."""
    number = parse_number(value)
    if number is None:
        return None
    if number < 0 or not number.is_integer():
        raise CellError(f"{value!r} is not a count (a whole number, 0 or more)")
    return int(number)


def parse_fraction_percent(value: Any) -> float | None:
    """A percentage cell as 0..100: workbooks hold fractions (0.85 shown as 85%); '85%' text is accepted."""
    if isinstance(value, str) and _text(value).endswith("%"):
        number = parse_number(_text(value)[:-1].strip())
        if number is None or not 0 <= number <= 100:
            raise CellError(f"{value!r} is not a percentage")
        return round(number, 6)
    number = parse_number(value)
    if number is None:
        return None
    if not 0 <= number <= 1:
        raise CellError(f"{value!r} is not a percentage held as a fraction (0 to 1, shown as 0% to 100%)")
    return round(number * 100, 6)


def cell_text(value: Any) -> str:
    """A cell as stripped text ('' for empty)."""
    return "" if value is None else _text(value)


def column_letter(index: int) -> str:
    """0-based column index -> spreadsheet letter (0 -> A, 26 -> AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def slug(text: str, limit: int = 40) -> str:
    """Lower-case letters and digits joined by '_', for ids and keys."""
    return _SLUG.sub("_", text.lower()).strip("_")[:limit].strip("_") or "x"


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a month."""
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def parse_month(text: str) -> tuple[int, int]:
    """'2026-03' -> (2026, 3); ImportFormatError otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise EvidenceError(f"month {text!r} is not YYYY-MM (e.g. 2026-03)")
    return int(match.group(1)), int(match.group(2))


def month_in_text(text: str) -> tuple[int, int] | None:
    """The 'July 2025' in a title, as (2025, 7)."""
    match = re.search(r"\b(" + "|".join(MONTHS) + r")\s+(\d{4})\b", text.lower())
    if not match:
        return None
    return int(match.group(2)), MONTHS.index(match.group(1)) + 1


# --- files, sources, problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileInfo:
    """The imported file: its bare name (for sources) and sha256 (so an auditor can match the original)."""

    path: Path
    name: str
    sha256: str

    @classmethod
    def of(cls, path: Path) -> FileInfo:
        check_size(path)
        try:
            digest = hashlib.sha256()
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise EvidenceError(f"{path.name}: cannot read: {exc.strerror or exc}") from exc
        return cls(path=path, name=path.name, sha256=digest.hexdigest())

    def source(
        self,
        title: str,
        publication: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        reference: str | None = None,
    ) -> dict[str, Any]:
        """The `source` of an item read from this file."""
        return {
            "title": title[:500],
            "publication": publication,
            "attachment": self.name,
            "sha256": self.sha256,
            "sheet": sheet[:100] if sheet else None,
            "row": row,
            "reference": reference,
        }


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


@dataclass
class Problems:
    """Every problem found in a file, raised together so one run shows them all."""

    file: str
    found: list[tuple[str, str]] = field(default_factory=list)

    def add(self, location: str, message: str) -> None:
        self.found.append((location, message))

    def raise_if_any(self) -> None:
        if self.found:
            raise ImportFormatError(
                f"{self.file}: {len(self.found)} problem(s) in the published file; nothing was imported",
                list(self.found),
            )

    def build(self, model: type[M], location: str, **fields: Any) -> M | None:
        """The validated item, or None after recording why the row's figures do not fit the model."""
        try:
            return model(**fields)
        except ValidationError as exc:
            reasons = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) + ': ' if e['loc'] else ''}"
                f"{str(e['msg']).removeprefix('Value error, ')}"
                for e in exc.errors()
            )
            self.add(location, reasons)
            return None


def layout_error(location: str, message: str) -> ImportFormatError:
    """An unknown layout: one problem, naming where the importer looked."""
    return ImportFormatError(f"{location}: {message}; nothing was imported", [(location, message)])


# --- size limits -------------------------------------------------------------------------------------------

# Far above any publication (the national ward-level FFT sheet has tens of thousands of rows); a file past
# them is refused at once rather than after minutes of parsing and gigabytes of rows held in memory.
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_ROWS = 100_000


def check_size(path: Path) -> None:
    """ImportFormatError when a file is over MAX_FILE_BYTES (nothing else is read first)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise EvidenceError(f"{path.name}: cannot read: {exc.strerror or exc}") from exc
    if size > MAX_FILE_BYTES:
        raise layout_error(where(path.name), f"the file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit")
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        _check_workbook(path)


_NS = rb"(?:[A-Za-z_][\w.-]{0,15}:)?"
_ROW_TAG = re.compile(rb"<" + _NS + rb"row[\s/>]")
# A formula cell whose value was never computed (e.g. written by a script): read "as data" it is just empty.
_UNVALUED_FORMULA = re.compile(
    rb"(?:</" + _NS + rb"f>|<" + _NS + rb"f\b[^<>]{0,200}/>)[ \t\r\n]{0,16}"
    rb"(?:<" + _NS + rb"v\s*/>|<" + _NS + rb"v>[ \t\r\n]{0,16}</" + _NS + rb"v>|</" + _NS + rb"c>)"
)
_CARRY = 512  # longer than any match of the two patterns, so one straddling two blocks is seen whole
MAX_SHEET_XML_BYTES = 512 * 1024 * 1024  # unpacked: a zip bomb stops here, not in memory


def _scan_sheet(xml: Any) -> tuple[int, int, bool]:
    """(rows, unpacked bytes, has a formula without a value) of one sheet's XML, stopping past the limits."""
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
        if rows > MAX_ROWS or unpacked > MAX_SHEET_XML_BYTES:
            return rows, unpacked, unvalued
    return rows + len(_ROW_TAG.findall(tail)), unpacked, unvalued or bool(_UNVALUED_FORMULA.search(tail))


def _check_workbook(path: Path) -> None:
    """Check each sheet's XML before openpyxl sees it: row count, unpacked size, formulas without values.

    openpyxl parses a whole sheet just to open a workbook whose sheets do not declare their size, so a
    10^6-row sheet would cost minutes before any limit could apply; scanning the XML costs a second.
    """
    import zipfile

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        return  # not a workbook at all: the reader says so in its own words
    with archive:
        for info in archive.infolist():
            if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
                continue
            try:
                with archive.open(info) as xml:
                    rows, unpacked, unvalued = _scan_sheet(xml)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError):
                return  # damaged: the reader reports it
            sheet = info.filename.rsplit("/", 1)[-1]
            if unpacked > MAX_SHEET_XML_BYTES:
                raise layout_error(where(path.name), f"worksheet {sheet} unpacks to over {MAX_SHEET_XML_BYTES:,} bytes")
            if rows > MAX_ROWS:
                raise _too_many_rows(where(path.name), f"worksheet {sheet} has more than {MAX_ROWS:,}")
            if unvalued:
                raise layout_error(where(path.name), (
                    f"worksheet {sheet} has formula cells with no saved value (formulas are never run here): "
                    "open and save the file in a spreadsheet program, or paste the values"))


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


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """Lower quartile, median, upper quartile (inclusive method, as Excel's QUARTILE.INC)."""
    import statistics

    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0], ordered[0], ordered[0]
    low, mid, high = statistics.quantiles(ordered, n=4, method="inclusive")
    return low, mid, high


def header_index(header: Sequence[Any]) -> Mapping[str, int]:
    """Column name -> 0-based index for a CSV header (names stripped of BOM and spaces)."""
    return {cell_text(name).lstrip("\ufeff"): i for i, name in enumerate(header)}
