"""The board report as Markdown for a board paper: the same content as the HTML, every value escaped.

Text from evidence or a self-assessment may hold Markdown or HTML; `md` backslash-escapes Markdown
punctuation and turns < > & into entities, so it renders as the literal text in any CommonMark or GFM
viewer, and `cell` also keeps table cells on one line.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pxrules.board.compare import FLAGS, Row
from pxrules.reports.labels import cap_sentence, kind_label, kinds_label, next_level_sentences, plain
from pxrules.reports.model import Report

# Inline syntax anywhere (emphasis, code, links, tables, strikethrough); block syntax only where a line
# starts (headings, quotes, lists, setext underlines), so dates and sentences stay readable as plain text.
_INLINE = re.compile(r"([\\`*_\[\]|~])")
_BLOCK = re.compile(r"^(\s*)(\d*)([#+\-=.)])", re.M)


def md(value: Any) -> str:
    """Escape text for Markdown: HTML-significant characters as entities, Markdown punctuation with \\."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    return _BLOCK.sub(_block, text)


def _block(m: re.Match[str]) -> str:
    spaces, digits, mark = m.groups()
    if digits and mark not in ".)":
        return m.group(0)  # "2026-..." or "3+" starting a line is no list marker
    return f"{spaces}{digits}\\{mark}"


def cell(value: Any) -> str:
    """Escape text for a table cell: as `md`, and line breaks as <br> (a table row is one line)."""
    return "<br>".join(md(part) for part in str("" if value is None else value).splitlines()) or " "


def _n(value: Any, places: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:.{places}f}" if places else str(value)


def _signed(value: Any, places: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:+.{places}f}" if places else f"{value:+d}"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return [*out, ""]


def _sub(r: Report, row: Row) -> list[str]:
    line = row.line
    change = r.change(row.id)
    since = f", {change:+d} since {r.previous_date}" if change else ""
    out = [
        f"#### {row.id} {md(row.text)}",
        "",
        f"**Board {_n(row.self_score)}**, **evidence {row.suggested}** ({row.flag}{since})",
        "",
        f"Why the evidence suggests {row.suggested}:",
        "",
    ]
    out += [f"- {md(plain(b))}" for b in row.because]
    out += [f"- *{md(cap_sentence(c, row.supporting_kinds))}*" for c in row.caps] + [""]
    if row.next_level:
        out += [f"To reach {row.next_level['level']}:", ""]
        gaps = next_level_sentences(row.next_level) or [plain(row.next_level["because"])]
        out += [f"- {md(s)}" for s in gaps] + [""]
    if line is not None:
        out += _table(
            ["Current position", "Planned action", "What good looks like", "Owner", "Review"],
            [
                [
                    cell(line.current_position),
                    cell(line.planned_action),
                    cell(line.what_good_looks_like),
                    cell(line.owner),
                    line.review_date.isoformat() if line.review_date else " ",
                ]
            ],
        )
    if row.evidence:
        rows = []
        for e in row.evidence:
            if e.get("missing"):
                rows.append(["An item no longer in the register", " ", " ", " "])
                continue
            period = e["period_start"] + (
                "" if e["period_end"] == e["period_start"] else f" to {e['period_end']}"
            )
            ref = e.get("reference") or e.get("publication") or ""
            rows.append([cell(plain(e["title"])), cell(ref), period, kind_label(e["kind"])])
        out += [
            f"Evidence ({len(row.evidence)}):",
            "",
            *_table(["Source", "Reference", "Period", "Kind"], rows),
        ]
    else:
        out += [f"No current evidence; evidence that would support it: {kinds_label(row.supporting_kinds)}.", ""]
    return out


def render_markdown(r: Report) -> str:
    """The report as one Markdown document."""
    c, t, o = r.comparison, r.trend, r.overall
    sa = c.self_assessment
    out = [
        f"# {md(r.name)} ({r.org}): patient experience board report",
        "",
        f"{md(r.pairing.describe())} Produced {r.generated.isoformat()}.",
        "",
        *([md(r.sign_off_note), ""] if r.sign_off_note else []),
        "## Summary",
        "",
        md(r.headline),
        "",
    ]
    change = "" if t.overall.change is None else f" ({t.overall.change:+.2f} since {r.previous_date})"
    out += [
        f"- Mean suggested score: **{_n(o.suggested_mean, 2)}**{change}",
        f"- Board's own mean: **{_n(o.self_mean, 2)}**",
    ]
    out += [f"- {f}: **{o.flags[f]}**" for f in FLAGS] + [""]
    label = "Key question" if r.by == "cqc" else "Section"
    out += _table(
        [label, "Sub-req.", "Suggested", "Board", "Difference", *FLAGS],
        [
            [
                md(g.title),
                str(len(g.ids)),
                _n(g.suggested_mean, 2),
                _n(g.self_mean, 2),
                _signed(g.difference_mean, 2),
                *(str(g.flags[f]) for f in FLAGS),
            ]
            for g in [*r.summary_groups, o]
        ],
    )
    out += ["## Over-claims: where the evidence does not support the board's score", ""]
    if not r.over_claims:
        out += ["None." if sa else "No self-assessment has been imported.", ""]
    for row in r.over_claims:
        out += [
            f"### {row.id} {md(row.text)}",
            "",
            f"Board **{row.self_score}** against the evidence **{row.suggested}** ({row.difference:+d}).",
            "",
            "What the evidence shows:",
            "",
        ]
        out += [f"- {md(plain(b))}" for b in row.because]
        out += [f"- *{md(cap_sentence(x, row.supporting_kinds))}*" for x in row.caps] + [""]
        if row.next_level:
            out += [f"What is missing for level {row.next_level['level']}:", ""]
            out += [f"- {md(s)}" for s in next_level_sentences(row.next_level)] + [""]
        if row.line is not None and row.line.planned_action:
            out += [f"Board's planned action: {md(row.line.planned_action)}", ""]
    if r.under_claims:
        out += [
            "### Under-claims",
            "",
            *_table(
                ["Id", "Sub-requirement", "Board", "Suggested"],
                [[x.id, cell(x.text), _n(x.self_score), str(x.suggested)] for x in r.under_claims],
            ),
        ]
    if r.unevidenced:
        out += [
            "### Not yet evidenced",
            "",
            *_table(
                ["Id", "Sub-requirement", "Board", "Evidence that would support it"],
                [
                    [
                        x.id,
                        cell(x.text),
                        _n(x.self_score),
                        kinds_label(x.supporting_kinds),
                    ]
                    for x in r.unevidenced
                ],
            ),
        ]
    out += ["## Trend", ""]
    if t.dates:
        out += _table(
            ["", *t.dates, "Change"],
            [
                [md(line.title), *(_n(v, 2) for v in line.suggested), _signed(line.change, 2)]
                for line in [*t.sections, t.overall]
            ],
        )
    for title, moves in (("Improved", t.improvements), ("Deteriorated", t.deteriorations)):
        if r.previous_date:
            out += [
                f"{title} since {r.previous_date}: "
                + (", ".join(f"{m.id} {m.before}→{m.after}" for m in moves) or "none")
                + ".",
                "",
            ]
    out += ["## Every sub-requirement" + (", by CQC key question" if r.by == "cqc" else ""), ""]
    for g in r.groups:
        out += [f"### {md(g.title)}", "", md(g.intro), ""]
        if g.related:
            out += [
                "Also bearing on it: " + ", ".join(f"{x.id} ({x.suggested})" for x in g.related) + ".",
                "",
            ]
        for row in g.rows:
            out += _sub(r, row)
    out += [
        "---",
        "",
        (
            "Flags: over-claim = board score two or more above the suggested score, and recorded evidence "
            "shows the lower level; under-claim = two or more below; not evidenced = the register holds "
            "nothing yet that bears on the board's score (evidence to record, not a contradiction); "
            "agreed = within one point; not scored = no board score."
        ),
        "",
        md(r.chain_note),
        "",
    ]
    provenance = (
        f"Provenance: assessment {c.assessment.id} as of {c.assessment.as_of.isoformat()}, rules "
        f"{c.assessment.rules_hash[:12]}, run by {md(c.assessment.created_by)}"
        + (f"; self-assessment {sa.id} imported by {md(sa.imported_by)}" if sa else "")
        + "."
    )
    out += ["", provenance, ""]
    return "\n".join(out)


def write_markdown(report: Report, path: Path) -> Path:
    """Render and write the Markdown report (UTF-8)."""
    Path(path).write_text(render_markdown(report), encoding="utf-8")
    return Path(path)
