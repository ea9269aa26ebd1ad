"""The board paper as a Word document (python-docx) the board secretary can edit: real headings, styles and
tables (no pictures of text), the NHS cover sheet first, a short summary, then the appendices.

It says what the HTML paper says, in the same words (labels.py), without the charts: their numbers are in
the summary's tables. Page header and "page N of M" footer are Word fields, so they stay right after edits.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pxrules.board.compare import FLAGS, OVER, UNDER, UNEVIDENCED, Row
from pxrules.errors import PxRulesError
from pxrules.reports import labels
from pxrules.reports.model import Report
from pxrules.rules.catalogue import load_catalogue

NHS_BLUE = "005EB8"


def _docx() -> Any:
    try:
        import docx
    except ModuleNotFoundError as exc:
        raise PxRulesError("--format docx needs the paper extra: pip install 'pxrules[paper]' (python-docx)") from exc
    return docx


def _day(value: Any) -> str:
    return "–" if value is None else f"{value.day} {value:%B %Y}"


def _field(paragraph: Any, code: str) -> None:
    """Insert a Word field (PAGE, NUMPAGES) into `paragraph`."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, code), ("separate", None), (None, "1"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        elif text == code:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {code} "
        else:
            el = OxmlElement("w:t")
            el.text = text
        run._r.append(el)


def _shade(cell: Any, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _table(doc: Any, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[float] = ()) -> Any:
    """A table in Word's 'Table Grid' style with a repeated, shaded header row."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, RGBColor

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        run.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
        _shade(cell, NHS_BLUE)
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().append(repeat)
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    for j, width in enumerate(widths):
        for row in table.rows:
            row.cells[j].width = Cm(width)
    return table


def _setup(doc: Any, report: Report) -> None:
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(18))
    section.top_margin = section.bottom_margin = Mm(18)
    head = section.header.paragraphs[0]
    head.text = (
        f"{report.name} ({report.org}) · Patient experience board paper, "
        f"{_day(report.comparison.assessment.as_of)}"
    )
    head.style = doc.styles["Header"]
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    foot.add_run("Page ")
    _field(foot, "PAGE")
    foot.add_run(" of ")
    _field(foot, "NUMPAGES")
    doc.core_properties.title = f"{report.cover.title}: {report.name}"
    doc.core_properties.subject = "Patient experience improvement framework board paper"


def _cover(doc: Any, report: Report) -> None:
    doc.add_paragraph(f"{report.name} ({report.org})", style="Subtitle")
    doc.add_heading(report.cover.title, level=0)
    rows = [*report.cover.rows(), ("Scores reported", report.pairing.describe())]
    if report.sign_off_note:
        rows.append(("Signed off", report.sign_off_note))
    table = _table(doc, ("Cover sheet", ""), rows, (6, 11))
    for row in table.rows[1:]:
        row.cells[0].paragraphs[0].runs[0].bold = True
    doc.add_paragraph()
    doc.add_paragraph(report.headline)


def _summary(doc: Any, report: Report) -> None:
    c, t, o = report.comparison, report.trend, report.overall
    doc.add_page_break()
    doc.add_heading("Summary", level=1)
    counts = "; ".join(f"{labels.FLAG_SYMBOLS[f]} {labels.FLAG_LABELS[f]}: {o.flags[f]}" for f in FLAGS)
    change = t.overall.change
    doc.add_paragraph(
        f"Mean score the evidence suggests: {o.suggested_mean:.1f} of 5"
        + (f" ({change:+.1f} since {_day(t.assessments[-2].as_of)})" if change is not None else "")
        + (f"; the board's own mean: {o.self_mean:.1f}." if o.self_mean is not None else ".")
    )
    doc.add_paragraph(counts + ".")
    doc.add_heading("Position by " + ("CQC key question" if report.by == "cqc" else "section"), level=2)
    _table(
        doc,
        ("Section" if report.by == "section" else "Key question", "Evidence", "Board", "Difference",
         "▲ Over", "▼ Under", "? Not evidenced"),
        [
            (g.title, _num(g.suggested_mean), _num(g.self_mean), _signed(g.difference_mean),
             str(g.flags[OVER]), str(g.flags[UNDER]), str(g.flags[UNEVIDENCED]))
            for g in [*report.summary_groups, o]
        ],
        (6.5, 1.8, 1.8, 2, 1.6, 1.6, 2),
    )
    doc.add_heading("For the board to challenge: over-claims", level=2)
    if report.over_claims:
        _table(
            doc,
            ("Id", "Sub-requirement", "Board", "Evidence", "What the evidence shows", "What is missing"),
            [(r.id, r.text, str(r.self_score), str(r.suggested), _first(r.because), _gap(r))
             for r in report.over_claims],
            (1.1, 5, 1.3, 1.5, 4, 4),
        )
    else:
        doc.add_paragraph("None: no board score is two or more points above the evidence."
                          if c.self_assessment else "No self-assessment is paired with this assessment.")
    if report.unevidenced:
        doc.add_heading("Not evidenced: board scores with no current evidence behind them", level=2)
        _table(doc, ("Id", "Sub-requirement", "Board", "Evidence that would support it"),
               [(r.id, r.text, str(r.self_score), labels.kinds_label(r.supporting_kinds))
                for r in report.unevidenced])
    if report.under_claims:
        doc.add_heading("Under-claims: the evidence supports more than the board claims", level=2)
        _table(doc, ("Id", "Sub-requirement", "Board", "Evidence"),
               [(r.id, r.text, str(r.self_score), str(r.suggested)) for r in report.under_claims],
               (1.1, 12, 1.5, 1.8))
    doc.add_heading("What changed since the last paper"
                    + (f" ({_day(t.assessments[-2].as_of)})" if report.previous_date else ""), level=2)
    if not report.previous_date:
        doc.add_paragraph("This is the first assessment stored, so there is nothing to compare with yet.")
    else:
        ups = ", ".join(f"{m.id} {m.before}→{m.after}" for m in t.improvements) or "none"
        doc.add_paragraph(f"Improved ({len(t.improvements)}): {ups}.")
        downs = ", ".join(f"{m.id} {m.before}→{m.after} ({labels.plain(m.because)})" for m in t.deteriorations)
        doc.add_paragraph(f"Fell ({len(t.deteriorations)}): {downs or 'none'}.")
    if report.lapsing_until:
        doc.add_heading(f"What lapses before the next paper ({_day(report.lapsing_until)})", level=2)
        if report.lapsing:
            _table(doc, ("Evidence", "Lapses on", "Scores that fall unless it is renewed"),
                   [(f"{labels.plain(x.item.source.title)} ({labels.kind_label(x.item.kind)})",
                     _day(x.valid_until + _one_day()),
                     ", ".join(f"{d.id} {d.before}→{d.after}" for d in x.drops)) for x in report.lapsing],
                   (9, 3.5, 5))
        else:
            doc.add_paragraph("No evidence lapses in that time in a way that lowers a score.")
        if report.lapsing_other:
            doc.add_paragraph(f"{report.lapsing_other} other items lapse in that time without lowering a score.")


def _one_day() -> Any:
    import datetime as dt

    return dt.timedelta(days=1)


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _signed(value: float | None) -> str:
    return "–" if value is None else f"{value:+.1f}"


def _first(lines: Sequence[str]) -> str:
    return labels.plain(lines[0]) if lines else ""


def _gap(row: Row) -> str:
    gaps = labels.next_level_sentences(row.next_level)
    if not gaps:
        return "Nothing: already at the top level."
    return gaps[0] + (f" (and {len(gaps) - 1} more)" if len(gaps) > 1 else "")


def _appendix_a(doc: Any, report: Report) -> None:
    doc.add_page_break()
    doc.add_heading("Appendix A. Every sub-requirement, with its reasons and evidence", level=1)
    for group in report.groups:
        doc.add_heading(group.title, level=2)
        for row in group.rows:
            doc.add_heading(f"{row.id} {row.text}", level=3)
            doc.add_paragraph(
                f"Board {row.self_score if row.self_score is not None else '–'} · Evidence {row.suggested} · "
                f"{labels.FLAG_SYMBOLS[row.flag]} {labels.FLAG_LABELS[row.flag]}"
            )
            doc.add_paragraph(f"Why the evidence suggests {row.suggested}", style="Heading 4")
            for line in row.because:
                doc.add_paragraph(labels.plain(line), style="List Bullet")
            for cap in row.caps:
                doc.add_paragraph(labels.cap_sentence(cap, row.supporting_kinds), style="List Bullet")
            if row.next_level:
                doc.add_paragraph(f"To reach {row.next_level['level']}", style="Heading 4")
                for gap in labels.next_level_sentences(row.next_level) or [labels.plain(row.next_level["because"])]:
                    doc.add_paragraph(gap, style="List Bullet")
            if row.line:
                doc.add_paragraph("Board's self-assessment", style="Heading 4")
                for name, value in (("Current position", row.line.current_position),
                                    ("Planned action", row.line.planned_action),
                                    ("What good looks like", row.line.what_good_looks_like),
                                    ("Owner", row.line.owner)):
                    para = doc.add_paragraph()
                    para.add_run(f"{name}: ").bold = True
                    para.add_run(value or "–")
            live = [e for e in row.evidence if not e.get("missing")]
            if live:
                _table(doc, ("Source", "Reference", "Period", "Kind"),
                       [(labels.plain(e["title"]), e.get("reference") or e.get("publication") or "",
                         e["period_start"] + ("" if e["period_end"] == e["period_start"] else f" to {e['period_end']}"),
                         labels.kind_label(e["kind"])) for e in live],
                       (7, 4.5, 3, 3))
            else:
                doc.add_paragraph("No current evidence. Evidence that would support it: "
                                  + labels.kinds_label(row.supporting_kinds) + ".")


def _appendix_b(doc: Any, report: Report) -> None:
    catalogue = load_catalogue()
    doc.add_page_break()
    doc.add_heading("Appendix B. The self-assessment in the framework's layout", level=1)
    c = report.comparison
    for section in catalogue.sections:
        doc.add_heading(section.title, level=2)
        rows = []
        for ch in section.characteristics:
            for sub in ch.sub_requirements:
                row = c.row(sub.id)
                line = row.line
                rows.append((
                    f"{ch.number}. {ch.text}" if sub is ch.sub_requirements[0] else "",
                    sub.text,
                    "" if row.self_score is None else str(row.self_score),
                    line.current_position if line else "",
                    line.planned_action if line else "",
                    line.what_good_looks_like if line else "",
                    f"{row.suggested} {labels.FLAG_SYMBOLS[row.flag]}",
                ))
        _table(doc, (*catalogue.table_headings, *catalogue.scoring_columns, "Evidence suggests"), rows)


def _provenance(doc: Any, report: Report) -> None:
    a, own = report.comparison.assessment, report.comparison.self_assessment
    doc.add_heading("How to read this paper", level=2)
    doc.add_paragraph(
        "The evidence-backed score of each sub-requirement is the highest level (0-5) whose conditions the "
        f"trust's evidence register meets as of {_day(a.as_of)}, capped at 2 where a level rests on attestation "
        "alone. " + "; ".join(f"{labels.FLAG_SYMBOLS[f]} {labels.FLAG_LABELS[f]}: {labels.FLAG_MEANINGS[f]}"
                              for f in FLAGS) + "."
    )
    text = (
        f"Provenance. Assessment {a.id} as of {a.as_of.isoformat()}, run {a.created_at:%Y-%m-%d %H:%M} by "
        f"{a.created_by}, rules {a.rules_hash[:12]}, framework {a.catalogue_version}"
    )
    if own is not None:
        text += (f"; self-assessment {own.id} as of {own.as_of.isoformat()}, imported "
                 f"{own.imported_at:%Y-%m-%d %H:%M} by {own.imported_by}")
    doc.add_paragraph(text + ".", style="Footer")


def write_docx(report: Report, path: Path) -> Path:
    """Write the board paper as .docx."""
    doc = _docx().Document()
    _setup(doc, report)
    _cover(doc, report)
    _summary(doc, report)
    _appendix_a(doc, report)
    _appendix_b(doc, report)
    _provenance(doc, report)
    doc.save(str(path))
    return Path(path)
