"""Excel templates for recording evidence without YAML: plain-English headings, drop-down lists, UK dates.

Each kind gets a sheet named for it: headings on row 1 (required ones marked *, help in a comment), the
field keys on a hidden row 2 (so a renamed heading still imports), a worked example on row 3 that the
import skips, and drop-down lists for every closed vocabulary (kept on a hidden Lists sheet). A Help sheet
comes first. Everything is derived from `columns`, so the template can never drift from the models.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pxrules.errors import NotFoundError, PxRulesError
from pxrules.evidence.columns import LIST_SEPARATOR, Column, columns, humanise
from pxrules.evidence.examples import EXAMPLES
from pxrules.evidence.registry import KIND_MODELS, KINDS

EXAMPLE_MARK = "EXAMPLE (not imported)"
HELP_SHEET = "Help"
LISTS_SHEET = "Lists"
HEADING_ROW, KEY_ROW, EXAMPLE_ROW = 1, 2, 3
VALIDATED_ROWS = 5000  # drop-downs and date formats reach this far down each sheet
DATE_FORMAT = "DD/MM/YYYY"
_REQUIRED_MARK = " *"


def heading_text(column: Column) -> str:
    """The heading as written on the sheet (required columns marked with *)."""
    return column.heading + (_REQUIRED_MARK if column.required else "")


def plain_heading(text: str) -> str:
    """A sheet heading back to the column's heading (without the required mark)."""
    return text.strip().removesuffix(_REQUIRED_MARK.strip()).strip()


def _example_cells(kind: str) -> dict[str, Any]:
    item = KIND_MODELS[kind].model_validate(EXAMPLES[kind]).model_dump(mode="json")
    flat: dict[str, Any] = {}
    for column in columns(kind):
        flat[column.key] = column.cell_in(item)
    flat["id"] = EXAMPLE_MARK
    return flat


def _help_rows(kinds: Sequence[str]) -> list[list[str]]:
    rows = [
        ["Recording evidence for pxrules"],
        [],
        ["How to fill in this workbook"],
        ["One row per evidence item, on the sheet of its kind. Leave sheets you do not need empty."],
        ["Columns marked * are required; hover over a heading for what to enter."],
        ["Dates are day first: dd/mm/yyyy (31/03/2026). Yes/No and lists of choices have drop-downs."],
        [f"Several values in one cell are separated by '{LIST_SEPARATOR}' (e.g. 3A; 12C)."],
        [f"Row 3 of each sheet is a worked example (its identifier says {EXAMPLE_MARK}): it is never imported."],
        ["Do not rename the sheets. Import with: pxrules evidence import FILE.xlsx --org YOURCODE"],
        ["The import is all or nothing: every problem is listed with its sheet, row and column, and nothing"],
        ["is stored until every row is right."],
        [],
    ]
    for kind in kinds:
        rows.append([f"Sheet {kind}: {KIND_MODELS[kind].__doc__ or humanise(kind)}".strip()])
        rows.append(["Column", "Required", "What to enter", "Field"])
        for column in columns(kind):
            choices = ", ".join(label for _, label in column.choices) if column.shape == "choice" else ""
            what = " ".join(p for p in (column.help, f"One of: {choices}." if choices else "") if p)
            rows.append([column.heading, "yes" if column.required else "", what, column.key])
        rows.append([])
    return rows


def _write_help(book: Any, kinds: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = book.create_sheet(HELP_SHEET, 0)
    for row in _help_rows(kinds):
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=1, max_row=sheet.max_row):
        first = cells[0]
        text = str(first.value or "")
        if first.row == 1:
            first.font = Font(bold=True, size=14)
        elif text.startswith("Sheet ") or text == "How to fill in this workbook" or text == "Column":
            for cell in cells:
                cell.font = Font(bold=True)
        for cell in cells[2:3]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for letter, width in zip("ABCD", (34, 10, 90, 28), strict=True):
        sheet.column_dimensions[letter].width = width


class _Lists:
    """The hidden sheet holding each drop-down's choices, one column per distinct list."""

    def __init__(self, book: Any) -> None:
        self.sheet = book.create_sheet(LISTS_SHEET)
        self.sheet.sheet_state = "hidden"
        self.ranges: dict[tuple[str, ...], str] = {}

    def range_of(self, labels: tuple[str, ...]) -> str:
        from openpyxl.utils import get_column_letter

        if labels not in self.ranges:
            col = len(self.ranges) + 1
            for row, label in enumerate(labels, start=1):
                self.sheet.cell(row=row, column=col, value=label)
            letter = get_column_letter(col)
            self.ranges[labels] = f"{LISTS_SHEET}!${letter}$1:${letter}${len(labels)}"
        return self.ranges[labels]


def _write_kind(book: Any, kind: str, lists: _Lists) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet = book.create_sheet(kind)
    example = _example_cells(kind)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    heading_fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns(kind), start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=HEADING_ROW, column=index, value=heading_text(column))
        head.font = Font(bold=True)
        head.fill = required_fill if column.required else heading_fill
        head.alignment = Alignment(wrap_text=True, vertical="top")
        if column.help:
            head.comment = Comment(column.help, "pxrules", width=300, height=120)
        sheet.cell(row=KEY_ROW, column=index, value=column.key)
        cell = sheet.cell(row=EXAMPLE_ROW, column=index, value=example.get(column.key))
        cell.font = Font(italic=True, color="666666")
        sheet.column_dimensions[letter].width = max(14, min(40, len(column.heading) + 4))
        span = f"{letter}{EXAMPLE_ROW}:{letter}{VALIDATED_ROWS}"
        if column.shape in {"date", "datetime"}:
            cell.number_format = DATE_FORMAT if column.shape == "date" else "DD/MM/YYYY HH:MM"
            for row in range(EXAMPLE_ROW + 1, EXAMPLE_ROW + 200):
                sheet.cell(row=row, column=index).number_format = cell.number_format
        labels: tuple[str, ...] = ()
        if column.shape == "choice":
            labels = tuple(label for _, label in column.choices)
        elif column.shape == "yesno":
            labels = ("Yes", "No")
        if labels:
            rule = DataValidation(type="list", formula1=lists.range_of(labels), allow_blank=True)
            rule.error = f"Choose one of the list ({', '.join(labels)[:200]})"
            rule.errorTitle = column.heading
            rule.showErrorMessage = True
            rule.add(span)
            sheet.add_data_validation(rule)
    sheet.row_dimensions[KEY_ROW].hidden = True
    sheet.row_dimensions[HEADING_ROW].height = 45
    sheet.freeze_panes = f"B{EXAMPLE_ROW}"


def write_template(
    path: str | Path, kinds: Sequence[str] | None = None, *, force: bool = False, store_url: str | None = None
) -> Path:
    """Write an .xlsx template for the given kinds (every kind when None): Help, one sheet per kind, Lists."""
    from openpyxl import Workbook

    chosen = list(kinds) if kinds else list(KINDS)
    unknown = [k for k in chosen if k not in KIND_MODELS]
    if unknown:
        raise NotFoundError(f"unknown evidence kind {unknown[0]!r} (one of {', '.join(KINDS)})")
    target = Path(path)
    if target.suffix.lower() != ".xlsx":
        raise PxRulesError(f"{target.name}: a template is an .xlsx workbook; name it ....xlsx")
    book = Workbook()
    book.remove(book.active)
    lists = _Lists(book)
    for kind in chosen:
        _write_kind(book, kind, lists)
    _write_help(book, chosen)
    book.move_sheet(LISTS_SHEET, offset=len(book.sheetnames))
    book.active = 0
    book.properties.title = "pxrules evidence template"
    book.properties.subject = f"pxrules evidence: {', '.join(chosen)}"
    from pxrules.common.output_file import write_output

    write_output(target, book.save, store_url=store_url, force=force)
    return target


__all__ = ["EXAMPLE_MARK", "HELP_SHEET", "LISTS_SHEET", "heading_text", "plain_heading", "write_template"]
