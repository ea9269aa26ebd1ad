"""Find the tables of NHS England's monthly provider-level FFT workbook: setting, month and columns.

The publication (sheets Notes, Summary, ICB, Trusts or Orgs, Sites, Wards; maternity has one set per
question, "Trusts Q1".."Trusts Q4") puts a title such as "A&E Friends and Family Test (FFT) data - July 2025"
on its first sheet and each table under a two-row header: the measures on one row, the Very Good ... Don't
Know breakdown and the modes of collection either on the same row or on the row below. Tables are found by
their header labels, not by fixed positions, so rows and optional columns may move.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pxrules.evidence.feedback import FFT_MODES
from pxrules.importers.common import cell_text, column_letter, layout_error, month_in_text, where

Row = tuple[Any, ...]
HEADER_SCAN_ROWS = 40
# Title words -> setting family, most specific first ("community mental health" is mental health).
FAMILIES = (
    ("maternity", "maternity"),
    ("a&e", "ae"),
    ("a & e", "ae"),
    ("accident and emergency", "ae"),
    ("inpatient", "inpatient"),
    ("outpatient", "outpatient"),
    ("mental health", "mental_health"),
    ("community", "community"),
    ("ambulance", "ambulance"),
)
# The maternity workbook asks four questions, one per point of care, each in its own set of sheets.
MATERNITY_QUESTIONS = {
    "Q1": "maternity_antenatal",
    "Q2": "maternity_birth",
    "Q3": "maternity_postnatal_ward",
    "Q4": "maternity_postnatal_community",
}
CODE_LABELS = {"trust code": "org", "org code": "org", "organisation code": "org", "provider code": "org"}
FIELD_LABELS = {
    "icb code": "icb",
    "trust name": "org_name",
    "org name": "org_name",
    "organisation name": "org_name",
    "provider name": "org_name",
    "site code": "site_code",
    "site name": "site_name",
    "ward name": "ward",
    "first speciality": "speciality_1",
    "second speciality": "speciality_2",
    "total responses": "responses",
    "total eligible": "eligible",
    "percentage positive": "percentage_positive",
    "percentage negative": "percentage_negative",
    "very good": "very_good",
    "good": "good",
    "neither good nor poor": "neither",
    "poor": "poor",
    "very poor": "very_poor",
    "don't know": "dont_know",
}
GROUP_LABELS = {"breakdown of responses", "mode of collection", "response mode", "modes of collection"}
MEASURES = {"responses", "eligible", "percentage_positive", "percentage_negative"}
MODE_ALIASES = {"tablet/kiosk": "tablet_kiosk", "tablet kiosk": "tablet_kiosk", "kiosk": "tablet_kiosk"}


def label(value: Any) -> str:
    """A header cell, lower case with single spaces and straight apostrophes."""
    return re.sub(r"\s+", " ", cell_text(value).replace("\u2019", "'").lower()).strip()


def mode_of(header: str) -> str | None:
    """'Mode Electronic At Appointment' -> 'electronic_at_appointment'; None if not a mode column."""
    if not header.startswith("mode "):
        return None
    rest = header.removeprefix("mode ").strip()
    return MODE_ALIASES.get(rest, re.sub(r"[^a-z0-9]+", "_", rest).strip("_"))


@dataclass(frozen=True)
class Table:
    """One trust, site or ward table of a workbook, with where its columns and data are."""

    sheet: str
    level: str  # trust | site | ward
    setting: str
    columns: dict[str, int]  # field -> 0-based column
    modes: dict[str, int]  # FFT mode -> 0-based column
    headers: dict[int, str]  # 0-based column -> header as printed, for messages
    first_data_row: int  # 1-based

    def column_name(self, field: str) -> str:
        index = self.modes[field] if field in self.modes else self.columns[field]
        return f"{column_letter(index)} ({self.headers[index]})"


def family_from_title(text: str) -> str | None:
    """The setting family a workbook title names ('maternity' covers the four maternity settings)."""
    lowered = text.lower()
    if "friends and family" not in lowered and "fft" not in lowered:
        return None
    return next((family for word, family in FAMILIES if word in lowered), None)


@dataclass(frozen=True)
class Title:
    """The workbook's own statement of setting and month, and where it was read."""

    text: str
    family: str | None
    month: tuple[int, int] | None
    sheet: str


def find_title(sheets: Sequence[tuple[str, list[Row]]]) -> Title | None:
    """The first 'Friends and Family Test' title in the first rows of any sheet."""
    for name, rows in sheets:
        for row in rows[:10]:
            for cell in row:
                text = cell_text(cell) if isinstance(cell, str) else ""
                if text and family_from_title(text) is not None:
                    return Title(text, family_from_title(text), month_in_text(text), name)
    return None


def summary_month(sheets: Sequence[tuple[str, list[Row]]]) -> tuple[int, int] | None:
    """The month of the Summary sheet's first dated column (used when the title carries none)."""
    for name, rows in sheets:
        if name.strip().lower() != "summary":
            continue
        for row in rows[:HEADER_SCAN_ROWS]:
            for cell in row:
                if isinstance(cell, dt.datetime | dt.date):
                    return cell.year, cell.month
    return None


@dataclass(frozen=True)
class Header:
    """A table's header: column -> label (lower case) and as printed; its row and first data row (1-based)."""

    labels: dict[int, str]
    printed: dict[int, str]
    row: int
    first_data_row: int


def _merged_headers(rows: list[Row], index: int) -> Header:
    """Column -> header label over the header row and, when it is a sub-header, the row below it."""
    main = rows[index]
    below = rows[index + 1] if index + 1 < len(rows) else ()
    below_labels = [label(c) for c in below]
    sub_header = (
        any(below_labels)
        and all(
            not text or text in FIELD_LABELS or text in GROUP_LABELS or mode_of(text) is not None
            for text in below_labels
        )
        and all(c is None or isinstance(c, str) for c in below)
    )
    labels: dict[int, str] = {}
    printed: dict[int, str] = {}
    for col in range(max(len(main), len(below) if sub_header else 0)):
        for source in (below, main) if sub_header else (main,):
            if col < len(source) and label(source[col]) and label(source[col]) not in GROUP_LABELS:
                labels[col] = label(source[col])
                printed[col] = cell_text(source[col])
                break
    return Header(labels, printed, index + 1, index + (3 if sub_header else 2))


def find_table(rows: list[Row]) -> Header | None:
    """The header of the sheet's trust/site/ward table, or None when the sheet holds none (Notes, ICB, BS)."""
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        labels = {label(c) for c in row}
        if not labels & set(CODE_LABELS):
            continue
        header = _merged_headers(rows, index)
        fields = {CODE_LABELS.get(text) or FIELD_LABELS.get(text) for text in header.labels.values()}
        if "org" not in fields or (
            not fields & MEASURES and not any(mode_of(t) for t in header.labels.values())
        ):
            continue  # the hidden BS look-up sheets name codes and measures, not as a table
        return header
    return None


def build_table(sheet: str, setting: str, header: Header, file: str) -> Table:
    """Map a found header to fields and modes; ImportFormatError naming a missing or unknown column."""
    printed = header.printed
    columns: dict[str, int] = {}
    modes: dict[str, int] = {}
    header_row = header.row
    for col, text in header.labels.items():
        mode = mode_of(text)
        if mode is not None:
            if mode not in FFT_MODES:
                raise layout_error(
                    where(file, sheet=sheet, row=header_row, column=f"{column_letter(col)} ({printed[col]})"),
                    f"unknown mode of collection (known: {', '.join(FFT_MODES)})",
                )
            modes[mode] = col
            continue
        field = CODE_LABELS.get(text) or FIELD_LABELS.get(text)
        if field is None:
            continue  # a column this importer does not use (e.g. a helper column of the publication)
        if field in columns:
            raise layout_error(
                where(file, sheet=sheet, row=header_row, column=f"{column_letter(col)} ({printed[col]})"),
                f"a second {printed[col]!r} column (the first is {column_letter(columns[field])})",
            )
        columns[field] = col
    level = "ward" if "ward" in columns else "site" if "site_code" in columns else "trust"
    required = {
        "trust": ("org", "responses"),
        "site": ("org", "site_code", "responses"),
        "ward": ("org", "ward", "responses"),
    }[level]
    missing = [f for f in required if f not in columns]
    if missing:
        names = {
            "org": "Trust Code",
            "responses": "Total Responses",
            "site_code": "Site Code",
            "ward": "Ward Name",
        }
        raise layout_error(
            where(file, sheet=sheet, row=header_row),
            f"missing column(s) {', '.join(names[m] for m in missing)}",
        )
    return Table(sheet, level, setting, columns, modes, printed, header.first_data_row)


def setting_of_sheet(sheet: str, family: str, file: str) -> str:
    """The setting a sheet holds: the family's, or for maternity the question in the sheet name (Q1..Q4)."""
    if family != "maternity":
        return family
    match = re.search(r"\bQ([1-4])\s*$", sheet.strip(), flags=re.IGNORECASE)
    if not match:
        raise layout_error(
            where(file, sheet=sheet),
            "a maternity table without its question (Q1..Q4) in the sheet name, so its setting is unknown",
        )
    return MATERNITY_QUESTIONS[f"Q{match.group(1)}"]
