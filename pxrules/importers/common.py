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
from typing import Any, TypeVar

from pydantic import ValidationError

from pxrules.common.tabular import (  # re-exported: the importers read them from here
    MAX_FILE_BYTES as MAX_FILE_BYTES,
)
from pxrules.common.tabular import (
    MAX_ROWS as MAX_ROWS,
)
from pxrules.common.tabular import (
    check_size as check_size,
)
from pxrules.common.tabular import (
    csv_rows as csv_rows,
)
from pxrules.common.tabular import (
    layout_error as layout_error,
)
from pxrules.common.tabular import (
    read_checked as read_checked,
)
from pxrules.common.tabular import (
    sheet_rows as sheet_rows,
)
from pxrules.common.tabular import (
    where as where,
)
from pxrules.errors import EvidenceError, ImportFormatError, NotFoundError
from pxrules.evidence.base import EvidenceBase

PUBLIC_DATA = Path(__file__).resolve().parent.parent / "data" / "public"
ORG_CODE = re.compile(r"^[A-Z0-9]{2,12}\Z")
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


# Years a publication can be about: checked before any date arithmetic (dt.date stops at 9999).
EARLIEST_YEAR, LATEST_YEAR = 1900, 2999


def check_year(year: int, what: str) -> int:
    """The year, or EvidenceError when it is outside EARLIEST_YEAR..LATEST_YEAR."""
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise EvidenceError(f"{what}: year {year} is outside {EARLIEST_YEAR}..{LATEST_YEAR}")
    return year


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    """First and last day of a month (EvidenceError for a year out of range or a month not 1..12)."""
    import calendar

    check_year(year, f"month {year:04d}-{month:02d}")
    if not 1 <= month <= 12:
        raise EvidenceError(f"month {year:04d}-{month:02d} is not a month")
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def parse_month(text: str) -> tuple[int, int]:
    """'2026-03' -> (2026, 3); ImportFormatError otherwise."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise EvidenceError(f"month {text!r} is not YYYY-MM (e.g. 2026-03)")
    check_year(int(match.group(1)), f"month {text.strip()!r}")
    return int(match.group(1)), int(match.group(2))


def month_in_text(text: str) -> tuple[int, int] | None:
    """The 'July 2025' in a title, as (2025, 7)."""
    match = re.search(r"\b(" + "|".join(MONTHS) + r")\s+(\d{4})\b", text.lower())
    if not match:
        return None
    check_year(int(match.group(2)), f"{match.group(1).title()} {match.group(2)}")
    return int(match.group(2)), MONTHS.index(match.group(1)) + 1


# --- files, sources, problems ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileInfo:
    """The imported file: its bare name (for sources) and sha256 (so an auditor can match the original)."""

    path: Path
    name: str
    sha256: str

    data: bytes = field(default=b"", repr=False, compare=False)

    @classmethod
    def of(cls, path: Path) -> FileInfo:
        """The checked file (regular, within the limits, workbook parts scanned), read once into `data`."""
        path = Path(path)
        data = read_checked(path)
        return cls(path=path, name=path.name, sha256=hashlib.sha256(data).hexdigest(), data=data)

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
