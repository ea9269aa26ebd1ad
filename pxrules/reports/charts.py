"""Inline SVG charts for the board report, drawn here so the report needs no script, font or network.

Every label passes through markupsafe.escape; numbers are formatted by us. Each chart is an <svg> with
role="img", a <title> and a data-chart name (the browser test looks for them).
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from pxrules.board.compare import AGREED, FLAGS, NOT_SCORED, OVER, UNDER, UNEVIDENCED, Group, Row
from pxrules.board.trend import Line

BLUE, DARK, GREY, PALE, TEXT = "#005EB8", "#003087", "#768692", "#E8EDEE", "#212B32"
FLAG_COLOURS = {
    OVER: "#D5281B",
    UNDER: "#7C2855",
    UNEVIDENCED: "#ED8B00",
    AGREED: "#007F3B",
    NOT_SCORED: GREY,
}
FONT = "Arial,Helvetica,sans-serif"  # an attribute, not a style: the web pages' CSP allows no inline style


def _svg(name: str, title: str, width: int, height: int, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-chart="{name}" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="{FONT}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _text(
    x: float,
    y: float,
    label: object,
    *,
    size: int = 11,
    anchor: str = "start",
    fill: str = TEXT,
    weight: str = "normal",
    extra: str = "",
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
        f'font-weight="{weight}"{extra}>{escape(label)}</text>'
    )


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def _wrap(text: str, width: int) -> list[str]:
    """Split a label into at most two lines of about `width` characters (the second one cut with …)."""
    if len(text) <= width:
        return [text]
    cut = text.rfind(" ", 0, width)
    cut = cut if cut > 0 else width
    rest = text[cut:].strip()
    return [text[:cut], rest if len(rest) <= width else rest[: width - 1] + "…"]


def section_profile(groups: Sequence[Group]) -> Markup:
    """Horizontal bars: the mean suggested score of each group (section or CQC key question), with the
    board's own mean as a dark tick, on the framework's 0-5 scale."""
    label_w, plot_w, row_h, top = 330, 560, 40, 30
    height = top + row_h * len(groups) + 30
    width = label_w + plot_w + 140
    body = [
        _text(
            label_w, 16, "Mean suggested score (bar) and the board's own mean (tick), 0-5", size=12, fill=GREY
        )
    ]
    for score in range(6):
        x = label_w + plot_w * score / 5
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 26}" stroke="{PALE}"/>')
        body.append(_text(x, height - 12, score, size=11, anchor="middle", fill=GREY))
    for i, g in enumerate(groups):
        y = top + i * row_h
        lines = _wrap(g.title, 44)
        for k, part in enumerate(lines):
            dy = 20 + (k - (len(lines) - 1) / 2) * 14
            body.append(_text(label_w - 10, y + dy, part, size=12, anchor="end"))
        value = g.suggested_mean or 0.0
        end = plot_w * value / 5
        body.append(
            f'<rect x="{label_w}" y="{y + 8}" width="{end:.1f}" height="22" rx="2" '
            f'fill="{BLUE}"><title>{escape(g.title)}: suggested {_fmt(g.suggested_mean)}</title></rect>'
        )
        right = end
        note = _fmt(g.suggested_mean)
        if g.self_mean is not None:
            x = plot_w * g.self_mean / 5
            right = max(right, x)
            body.append(
                f'<rect x="{label_w + x - 2:.1f}" y="{y + 3}" width="4" height="32" fill="{DARK}">'
                f"<title>{escape(g.title)}: board {_fmt(g.self_mean)}</title></rect>"
            )
        body.append(_text(label_w + right + 8, y + 24, note, size=13, fill=BLUE, weight="bold"))
        if g.self_mean is not None:
            body.append(
                _text(
                    label_w + right + 8 + 8 * len(note) + 4,
                    y + 24,
                    f"board {_fmt(g.self_mean)}",
                    size=12,
                    fill=DARK,
                )
            )
    return _svg("section-profile", "Profile: mean suggested and self-assessed scores", width, height, body)


def self_vs_suggested(rows: Sequence[Row], sections: Sequence[Group]) -> Markup:
    """One column per sub-requirement: board score minus suggested score, coloured by flag, in framework
    order with the sections marked; above the line the board claims more than the evidence shows."""
    col, left, top, half = 17, 40, 40, 70
    width = left + col * len(rows) + 20
    mid = top + half
    height = mid + half + 70
    body = [_text(left, 16, "Board score minus suggested score, per sub-requirement", size=11, fill=GREY)]
    for step in (-4, -2, 0, 2, 4):
        y = mid - step * half / 5
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" '
            f'stroke="{GREY if step == 0 else PALE}"/>'
        )
        body.append(_text(left - 6, y + 4, f"{step:+d}" if step else "0", size=10, anchor="end", fill=GREY))
    for band, y in ((2, mid - 2 * half / 5), (-2, mid + 2 * half / 5)):
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" '
            f'stroke="{FLAG_COLOURS[OVER if band > 0 else UNDER]}" '
            f'stroke-dasharray="3 3" stroke-width="0.8"/>'
        )
    start = 0
    for s in sections:
        x = left + start * col
        body.append(f'<line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{mid + half + 8}" stroke="{PALE}"/>')
        body.append(
            _text(
                x + len(s.ids) * col / 2,
                mid + half + 24,
                short_title(s.key, s.title),
                size=11,
                anchor="middle",
                fill=GREY,
            )
        )
        start += len(s.ids)
    for i, r in enumerate(rows):
        x = left + i * col + 2
        colour = FLAG_COLOURS[r.flag]
        board = r.self_score if r.self_score is not None else "not scored"
        tip = escape(f"{r.id}: board {board}, suggested {r.suggested} ({r.flag})")
        diff = r.difference
        if diff is None:
            body.append(
                f'<circle cx="{x + 4}" cy="{mid}" r="3" fill="none" stroke="{colour}">'
                f"<title>{tip}</title></circle>"
            )
        elif diff == 0:
            body.append(
                f'<rect x="{x}" y="{mid - 1.5}" width="{col - 4}" height="3" fill="{colour}">'
                f"<title>{tip}</title></rect>"
            )
        else:
            h = abs(diff) * half / 5
            y = mid - h if diff > 0 else mid
            body.append(
                f'<rect x="{x}" y="{y:.1f}" width="{col - 4}" height="{h:.1f}" fill="{colour}">'
                f"<title>{tip}</title></rect>"
            )
        if r.flag in (OVER, UNDER):
            ly = (
                mid - abs(diff or 0) * half / 5 - 4
                if (diff or 0) > 0
                else mid + abs(diff or 0) * half / 5 + 11
            )
            body.append(
                _text(x + (col - 4) / 2, ly, r.id, size=9, anchor="middle", fill=colour, weight="bold")
            )
    lx = left
    for flag in FLAGS:
        body.append(f'<rect x="{lx}" y="{height - 18}" width="10" height="10" fill="{FLAG_COLOURS[flag]}"/>')
        body.append(_text(lx + 14, height - 9, flag, size=10))
        lx += 14 + 6 * len(flag) + 22
    return _svg(
        "self-vs-suggested",
        "Self-assessed against suggested score for every sub-requirement",
        width,
        height,
        body,
    )


SHORT = {
    "leadership": "Leadership",
    "culture": "Culture",
    "collecting_feedback": "Collecting feedback",
    "analysis": "Analysis",
    "using_feedback": "Using feedback",
    "reporting": "Reporting",
    "all": "All",
}


def short_title(key: str, title: str) -> str:
    """A section's name short enough for a chart label."""
    return SHORT.get(key, title if len(title) <= 20 else title[:19] + "…")


def trend_chart(lines: Sequence[Line], dates: Sequence[str], self_dates: Sequence[str]) -> Markup:
    """Small multiples: for each line (overall first, then sections) the mean suggested score (solid) and
    the board's own mean (dashed) across the assessment dates."""
    cols, cell_w, cell_h, pad = 4, 260, 140, 30
    rows_n = (len(lines) + cols - 1) // cols
    width, height = cols * cell_w, rows_n * cell_h + 40
    every = sorted(set(dates) | set(self_dates))
    body = [
        f'<line x1="10" y1="14" x2="30" y2="14" stroke="{BLUE}" stroke-width="2.5"/>',
        _text(34, 18, "suggested", size=10),
        (
            f'<line x1="100" y1="14" x2="120" y2="14" stroke="{DARK}" stroke-width="1.5" '
            'stroke-dasharray="4 3"/>'
        ),
        _text(124, 18, "board's own", size=10),
    ]
    if len(every) < 2:
        body.append(_text(10, 40, "A trend needs assessments on two or more dates.", size=11, fill=GREY))
    for n, line in enumerate(lines):
        ox, oy = (n % cols) * cell_w, 30 + (n // cols) * cell_h
        x0, x1, y0, y1 = ox + pad, ox + cell_w - 20, oy + 26, oy + cell_h - 24
        body.append(_text(ox + pad, oy + 14, short_title(line.key, line.title), size=12, weight="bold"))
        for score in range(6):
            y = y1 - (y1 - y0) * score / 5
            body.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="{PALE}"/>')
            if score in (0, 5):
                body.append(_text(x0 - 4, y + 3, score, size=9, anchor="end", fill=GREY))

        def px(day: str, x0: float = x0, x1: float = x1) -> float:
            i = every.index(day)
            return x0 + (x1 - x0) * (i / (len(every) - 1) if len(every) > 1 else 0.5)

        def py(value: float, y0: float = y0, y1: float = y1) -> float:
            return y1 - (y1 - y0) * value / 5

        for series, days, colour, dash in (
            (line.suggested, dates, BLUE, ""),
            (line.self, self_dates, DARK, ' stroke-dasharray="4 3"'),
        ):
            pts = [(px(d), py(v)) for d, v in zip(days, series, strict=True) if v is not None]
            if len(pts) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in pts)
                body.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
                )
            for x, y in pts:
                body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        last = next((v for v in reversed(line.suggested) if v is not None), None)
        if last is not None:
            change = line.change
            note = f"{last:.1f}" + ("" if change is None else f" ({change:+.1f})")
            body.append(_text(x1, oy + 14, note, size=12, anchor="end", fill=BLUE, weight="bold"))
        for d in (every[0], every[-1]) if every else ():
            body.append(_text(px(d), y1 + 13, d[:7], size=9, anchor="middle", fill=GREY))
    return _svg("trend", "Trend of mean scores by section across assessment dates", width, height, body)
