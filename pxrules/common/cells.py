"""Spreadsheet text that stays text: no formula injection in xlsx cells or CSV fields, and a lossless undo."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# A spreadsheet treats a field starting with one of these as a formula (or DDE payload) when it is typed or
# opened from CSV; OWASP's list, plus tab and carriage return which Excel strips before parsing.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def is_risky(text: str) -> bool:
    """True when `text` would be read as a formula by a spreadsheet."""
    return text.startswith(FORMULA_PREFIXES)


def put_text(cell: Any, value: str) -> None:
    """Write `value` into an openpyxl cell as a string, never as a formula or error code.

    openpyxl infers a formula from a leading '=' and an error from '#N/A'; forcing data_type 's' stores a
    shared string, and quotePrefix tells Excel to keep it as text if someone edits the cell. Control
    characters XML cannot carry are dropped (openpyxl would refuse the whole workbook otherwise).
    """
    text = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = text
    cell.data_type = "s"
    if is_risky(text):
        cell.quotePrefix = True


def csv_out(value: str) -> str:
    """A CSV field that a spreadsheet shows as text: a leading apostrophe before a formula prefix.

    Values that already start with an apostrophe get one more, so `csv_in` undoes exactly what this did.
    """
    if is_risky(value) or value.startswith(_QUOTE):
        return _QUOTE + value
    return value


def csv_in(value: str) -> str:
    """Undo `csv_out`: drop the one apostrophe it added (a lone leading apostrophe typed by hand stays)."""
    if value.startswith(_QUOTE) and len(value) > 1 and (is_risky(value[1:]) or value[1] == _QUOTE):
        return value[1:]
    return value
