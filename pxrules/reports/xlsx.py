"""The board report as a workbook: the framework's layout with the suggested scores and evidence references
beside the board's own, plus summary, trend and evidence sheets. Every text cell is written as text, so a
value starting with = + - @ can never run as a formula (see cells.put_text)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pxrules.board.compare import FLAGS, Row
from pxrules.common.cells import put_text
from pxrules.reports.labels import next_level_sentences, plain
from pxrules.reports.model import Report

_HEAD_FILL = "005EB8"
_FLAG_FILLS = {
    "over-claim": "F7D4D1",
    "under-claim": "EAD4DF",
    "not evidenced": "FBE3C2",
    "agreed": "D5EADC",
    "not scored": "E8EDEE",
}


def _put(ws: Any, row: int, col: int, value: Any) -> Any:
    cell = ws.cell(row, col)
    if isinstance(value, str):
        put_text(cell, value)
    else:
        cell.value = value
    return cell


def _header(ws: Any, row: int, headings: Sequence[str], widths: Sequence[int] | None = None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for j, heading in enumerate(headings, start=1):
        cell = _put(ws, row, j, heading)
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor=_HEAD_FILL)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if widths:
            ws.column_dimensions[get_column_letter(j)].width = widths[j - 1]


def _evidence_line(e: dict[str, Any]) -> str:
    if e.get("missing"):
        return f"{e['id']} (no longer in the register)"
    period = e["period_start"] + ("" if e["period_end"] == e["period_start"] else f" to {e['period_end']}")
    ref = e.get("reference") or e.get("publication")
    return f"{e['id']}: {e['title']}" + (f" [{ref}]" if ref else "") + f", {period}"


def _summary(ws: Any, r: Report) -> None:
    from openpyxl.styles import Alignment, Font

    o = r.overall
    _put(ws, 1, 1, f"{r.name} ({r.org}): patient experience board report").font = Font(bold=True, size=14)
    _put(ws, 2, 1, r.pairing.describe())
    _put(ws, 3, 1, r.headline).alignment = Alignment(wrap_text=False)
    if r.sign_off_note:
        _put(ws, 4, 1, r.sign_off_note)
    label = "Key question" if r.by == "cqc" else "Section"
    _header(
        ws,
        5,
        [label, "Sub-req.", "Suggested mean", "Board mean", "Difference", *FLAGS],
        [46, 9, 11, 11, 11, 11, 11, 12, 9, 11],
    )
    row = 6
    for g in [*r.summary_groups, o]:
        values = [
            g.title,
            len(g.ids),
            g.suggested_mean,
            g.self_mean,
            g.difference_mean,
            *(g.flags[f] for f in FLAGS),
        ]
        for j, v in enumerate(values, start=1):
            _put(ws, row, j, v)
        row += 1
    row += 1
    _put(ws, row, 1, "Over-claims (board score two or more above the evidence)").font = Font(bold=True)
    row += 1
    _header(ws, row, ["Id", "Board", "Suggested", "What the evidence shows", "What is missing"])
    for x in r.over_claims:
        row += 1
        gaps = "\n".join(next_level_sentences(x.next_level))
        because = "\n".join(plain(b) for b in x.because)
        for j, v in enumerate([x.id, x.self_score, x.suggested, because, gaps], start=1):
            _put(ws, row, j, v).alignment = Alignment(wrap_text=True, vertical="top")


def _ordered_rows(r: Report) -> list[Row]:
    return [row for g in r.groups for row in g.rows]


def _assessment(ws: Any, r: Report) -> None:
    from openpyxl.styles import Alignment, PatternFill

    cqc = r.by == "cqc"
    heads = (["CQC key question"] if cqc else []) + [
        "Section",
        "Characteristic",
        "Id",
        "Suggested requirement needed to meet the characteristic",
        "Org. score (0-5)",
        "Current position",
        "Planned action to improve",
        "What will good look like?",
        "Owner",
        "Review date",
        "Suggested score (pxrules)",
        "Difference",
        "Flag",
        "Why (pxrules)",
        "To reach the next level",
        "Evidence references",
        "Other CQC key questions",
    ]
    widths = ([14] if cqc else []) + [20, 30, 6, 50, 9, 36, 36, 36, 16, 11, 10, 10, 12, 60, 50, 70, 18]
    _header(ws, 1, heads, widths)
    wrap = Alignment(wrap_text=True, vertical="top")
    for i, x in enumerate(_ordered_rows(r), start=2):
        line = x.line
        values: list[Any] = ([x.cqc[0]] if cqc else []) + [
            x.section,
            f"{x.characteristic}. {x.characteristic_text}",
            x.id,
            x.text,
            None if line is None else line.score,
            "" if line is None else line.current_position,
            "" if line is None else line.planned_action,
            "" if line is None else line.what_good_looks_like,
            "" if line is None else line.owner,
            None if line is None else line.review_date,
            x.suggested,
            x.difference,
            x.flag,
            "\n".join([*x.because, *x.caps]),
            "\n".join((x.next_level or {}).get("sentences", [])),
            "\n".join(_evidence_line(e) for e in x.evidence),
            ", ".join(x.cqc[1:] if cqc else x.cqc),
        ]
        for j, v in enumerate(values, start=1):
            cell = _put(ws, i, j, v)
            cell.alignment = wrap
            if heads[j - 1] == "Review date":
                cell.number_format = "yyyy-mm-dd"
            if heads[j - 1] == "Flag":
                cell.fill = PatternFill("solid", fgColor=_FLAG_FILLS[x.flag])
    ws.freeze_panes = ws.cell(2, 5 + (1 if cqc else 0))
    ws.auto_filter.ref = ws.dimensions


def _trend(ws: Any, r: Report) -> None:
    t = r.trend
    _header(ws, 1, ["", *t.dates, "Change"], [46] + [12] * (len(t.dates) + 1))
    for i, line in enumerate([*t.sections, t.overall], start=2):
        for j, v in enumerate([line.title, *line.suggested, line.change], start=1):
            _put(ws, i, j, None if v is None else (round(v, 2) if isinstance(v, float) else v))
    row = len(t.sections) + 4
    _header(ws, row, ["Id", *t.dates, "Change", "Reason now"])
    reasons = {x.id: x.because[0] if x.because else "" for x in r.comparison.rows}
    for line in t.subs:
        row += 1
        for j, v in enumerate([line.key, *line.suggested, line.change, reasons.get(line.key, "")], start=1):
            _put(ws, row, j, v)


def _evidence(ws: Any, r: Report) -> None:
    used: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for x in r.comparison.rows:
        for e in x.evidence:
            used.setdefault(e["id"], (e, []))[1].append(x.id)
    _header(
        ws,
        1,
        [
            "Id",
            "Kind",
            "Source",
            "Reference",
            "Publication",
            "Period start",
            "Period end",
            "File",
            "Supports",
        ],
        [36, 16, 60, 30, 20, 12, 12, 24, 24],
    )
    for i, (evidence_id, (e, subs)) in enumerate(sorted(used.items()), start=2):
        values = [
            evidence_id,
            e.get("kind", ""),
            e.get("title", "(no longer in the register)"),
            e.get("reference") or "",
            e.get("publication") or "",
            e.get("period_start", ""),
            e.get("period_end", ""),
            e.get("import_file") or "",
            ", ".join(subs),
        ]
        for j, v in enumerate(values, start=1):
            _put(ws, i, j, v)
    ws.freeze_panes = "B2"


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the report workbook."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.properties.title = f"Patient experience board report: {report.org}"
    ws = wb.active
    ws.title = "Summary"
    _summary(ws, report)
    _assessment(wb.create_sheet("Assessment"), report)
    _trend(wb.create_sheet("Trend"), report)
    _evidence(wb.create_sheet("Evidence"), report)
    wb.properties.description = report.chain_note
    _put(ws, ws.max_row + 2, 1, report.chain_note)
    wb.save(path)
    return Path(path)
