"""The self-assessment file written out in the framework's assessment-tool layout (template and export).

xlsx: a protected sheet where only the columns the trust fills in are unlocked; the framework text and the
pxrules suggestion are locked and grey. CSV: the same columns, read-only ones marked in their heading.
Text is written so that a spreadsheet shows it as text (no formula injection) and import reads it back
exactly (see cells.csv_out / csv_in).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pxrules.board.scale import FRAMEWORK_ON_SCORING, SCALE, SHORT_SCALE
from pxrules.board.selfassess_file import FORMATS, SHEET, Column, Suggestion, layout
from pxrules.common.cells import csv_out, put_text
from pxrules.errors import ImportFormatError, PxRulesError
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.records import SelfAssessmentLine

SCALE_SHEET = "Scale (0-5)"


def _rows(
    lines: Mapping[str, SelfAssessmentLine], suggestions: Mapping[str, Suggestion]
) -> list[dict[str, Any]]:
    out = []
    for sub in load_catalogue().sub_requirements:
        line = lines.get(sub.id, SelfAssessmentLine(sub.id))
        hint = suggestions.get(sub.id)
        out.append(
            {
                "section": sub.section,
                "characteristic": f"{sub.characteristic}. {sub.characteristic_text}",
                "id": sub.id,
                "text": sub.text,
                "score": line.score,
                "current_position": line.current_position,
                "planned_action": line.planned_action,
                "what_good_looks_like": line.what_good_looks_like,
                "owner": line.owner,
                "review_date": line.review_date,
                "scale": SHORT_SCALE,
                "suggested": None if hint is None else hint.score,
                "reason": "" if hint is None else hint.reason,
            }
        )
    return out


def write_file(
    path: Path,
    org: str,
    org_name: str,
    lines: Mapping[str, SelfAssessmentLine],
    suggestions: Mapping[str, Suggestion],
    note: str,
    *,
    show_suggested: bool = True,
) -> None:
    """Write the 57-row layout to `path` (.xlsx or .csv), filled from `lines` where given; the suggested
    scores appear (last, read-only) only with `show_suggested`."""
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ImportFormatError(
            f"{path.name}: unsupported file type {suffix or '(none)'!r}; use .xlsx or .csv"
        )
    rows = _rows(lines, suggestions)
    try:
        cols = layout(suggested=show_suggested)
        if suffix == ".csv":
            _write_csv(path, rows, cols)
        else:
            _write_xlsx(path, org, org_name, rows, note, cols)
    except OSError as exc:
        raise PxRulesError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _cell_text(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, rows: list[dict[str, Any]], cols: tuple[Column, ...]) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.header for c in cols])
    for row in rows:
        writer.writerow([csv_out(_cell_text(c.key, row[c.key])) for c in cols])
    # A BOM makes Excel open the file as UTF-8; import skips it.
    path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")


def _write_xlsx(
    path: Path, org: str, org_name: str, rows: list[dict[str, Any]], note: str, cols: tuple[Column, ...]
) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    wb.properties.title = "Patient experience improvement framework: self-assessment"
    wb.properties.subject = f"pxrules self-assessment {org}"
    ws = wb.active
    ws.title = SHEET
    put_text(ws.cell(1, 1), f"{org_name} ({org}): patient experience improvement framework self-assessment")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    put_text(ws.cell(2, 1), note)
    ws.cell(2, 1).font = Font(italic=True, color="595959")
    header_row = 4
    grey = PatternFill("solid", fgColor="E7E6E6")
    ours = PatternFill("solid", fgColor="D0CECE")
    head = PatternFill("solid", fgColor="005EB8")  # NHS blue
    wrap = Alignment(wrap_text=True, vertical="top")
    for j, col in enumerate(cols, start=1):
        cell = ws.cell(header_row, j)
        put_text(cell, col.header)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = head
        cell.alignment = wrap
        ws.column_dimensions[get_column_letter(j)].width = col.width
    scores = DataValidation(
        type="whole",
        operator="between",
        formula1="0",
        formula2="5",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Org. score",
        error="A whole number from 0 to 5",
        showInputMessage=True,
        promptTitle="Org. score (0-5)",
        prompt=(SHORT_SCALE + ". Definitions: the 'Scale (0-5)' sheet.")[:255],
    )
    ws.add_data_validation(scores)
    for i, row in enumerate(rows, start=header_row + 1):
        for j, col in enumerate(cols, start=1):
            cell = ws.cell(i, j)
            value = row[col.key]
            if isinstance(value, str):
                put_text(cell, value)
            else:
                cell.value = value
            if col.key == "review_date":
                cell.number_format = "yyyy-mm-dd"
            cell.alignment = wrap
            if col.editable:
                cell.protection = Protection(locked=False)
            else:
                cell.fill = ours if col.key in ("suggested", "reason") else grey
                if col.key in ("suggested", "reason"):
                    cell.font = Font(color="595959")
        scores.add(ws.cell(i, 1 + [c.key for c in cols].index("score")))
    ws.freeze_panes = ws.cell(header_row + 1, 3)
    ws.protection.sheet = True
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToHeight = 0
    _scale_sheet(wb)
    wb.save(path)


def _scale_sheet(wb: Any) -> None:
    """A sheet of its own with the 0-5 definitions and the framework's own words on scoring."""
    from openpyxl.styles import Alignment, Font

    ws = wb.create_sheet(SCALE_SHEET)
    put_text(ws.cell(1, 1), "How to score each sub-requirement (Org. score, 0-5)")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    put_text(ws.cell(2, 1), "The framework (NHS Improvement, 2018) on scoring:")
    ws.cell(2, 1).font = Font(bold=True)
    put_text(ws.cell(3, 1), FRAMEWORK_ON_SCORING)
    put_text(ws.cell(4, 1), "The framework does not define the levels; pxrules scores the evidence on this scale, "
             "so the board's score and the evidence-backed suggestion use the same one.")
    for j, head in enumerate(("Score", "Level", "What it means"), start=1):
        put_text(ws.cell(6, j), head)
        ws.cell(6, j).font = Font(bold=True)
    for i, level in enumerate(SCALE, start=7):
        ws.cell(i, 1).value = level.level
        put_text(ws.cell(i, 2), level.name)
        put_text(ws.cell(i, 3), level.meaning)
    for row in ws.iter_rows(min_row=3, max_row=6 + len(SCALE)):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=3, start_column=1, end_row=3, end_column=3)
    ws.merge_cells(start_row=4, start_column=1, end_row=4, end_column=3)
    ws.row_dimensions[3].height = 60
    ws.row_dimensions[4].height = 32
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 16
    ws.column_dimensions["C"].width = 90
    ws.protection.sheet = True
