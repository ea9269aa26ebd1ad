"""Inline SVG charts for the board report, drawn here so the report needs no script, font or network.

Every label passes through markupsafe.escape; numbers are formatted by us. Each chart is an <svg> with
role="img", a <title> and a data-chart name (the browser test looks for them). Charts are drawn at their own
size in CSS pixels (a narrow screen scrolls them rather than shrinking them), so no text is under 12 px; the
text colours meet WCAG AA on white, and flags are told apart by symbol as well as colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

from pxrules.board.compare import AGREED, FLAGS, NOT_SCORED, OVER, UNDER, UNEVIDENCED, Group, Row
from pxrules.board.trend import Line

BLUE, DARK, GREY, PALE, TEXT = "#005EB8", "#003087", "#4C6272", "#E8EDEE", "#212B32"
MIN_TEXT = 12  # px: the smallest text any chart draws
FLAG_COLOURS = {
    OVER: "#B3200F",
    UNDER: "#7C2855",
    UNEVIDENCED: "#8A4500",
    AGREED: "#006747",
    NOT_SCORED: GREY,
}
FLAG_SYMBOLS = {OVER: "▲", UNDER: "▼", UNEVIDENCED: "?", AGREED: "✓", NOT_SCORED: "–"}
FLAG_NAMES = {OVER: "Over-claim", UNDER: "Under-claim", UNEVIDENCED: "Not evidenced", AGREED: "Agreed",
              NOT_SCORED: "Not scored"}
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
    size: int = MIN_TEXT,
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
    board's own mean as a dark tick, on the framework's 0-5 scale. Each value is written at its own mark:
    the suggested score at the end of its bar, the board's above its tick."""
    label_w, plot_w, row_h, top = 300, 420, 56, 34
    height = top + row_h * len(groups) + 30
    width = label_w + plot_w + 40
    body = [_text(8, 18, "Mean score the evidence suggests (bar) and the board's own mean (tick), 0-5", fill=GREY)]
    for score in range(6):
        x = label_w + plot_w * score / 5
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 26}" stroke="{PALE}"/>')
        body.append(_text(x, height - 10, score, anchor="middle", fill=GREY))
    for i, g in enumerate(groups):
        y = top + i * row_h
        lines = _wrap(g.title, 38)
        for k, part in enumerate(lines):
            dy = 34 + (k - (len(lines) - 1) / 2) * 15
            body.append(_text(label_w - 10, y + dy, part, anchor="end"))
        value = g.suggested_mean or 0.0
        end = plot_w * value / 5
        body.append(
            f'<rect x="{label_w}" y="{y + 22}" width="{end:.1f}" height="22" rx="2" '
            f'fill="{BLUE}"><title>{escape(g.title)}: suggested {_fmt(g.suggested_mean)}</title></rect>'
        )
        note = _fmt(g.suggested_mean)
        if end >= 40:
            body.append(_text(label_w + end - 5, y + 38, note, size=13, anchor="end", fill="#FFFFFF", weight="bold"))
        else:
            body.append(_text(label_w + end + 5, y + 38, note, size=13, fill=BLUE, weight="bold"))
        if g.self_mean is not None:
            x = label_w + plot_w * g.self_mean / 5
            body.append(
                f'<rect x="{x - 2:.1f}" y="{y + 16}" width="4" height="34" fill="{DARK}">'
                f"<title>{escape(g.title)}: board {_fmt(g.self_mean)}</title></rect>"
            )
            anchor = "end" if x > label_w + plot_w - 30 else ("start" if x < label_w + 30 else "middle")
            body.append(_text(x, y + 12, f"board {_fmt(g.self_mean)}", anchor=anchor, fill=DARK))
    return _svg("section-profile", "Profile: mean suggested and self-assessed scores", width, height, body)


def self_vs_suggested(rows: Sequence[Row], sections: Sequence[Group]) -> Markup:
    """One column per sub-requirement: board score minus suggested score, coloured by flag, in framework
    order with the sections marked; above the line the board claims more than the evidence shows."""
    col, left, top, half = 17, 40, 110, 70
    width = left + col * len(rows) + 20
    mid = top + half
    height = mid + half + 80
    body = [_text(left, 16, "Board score minus suggested score, per sub-requirement", fill=GREY)]
    for step in (-4, -2, 0, 2, 4):
        y = mid - step * half / 5
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" '
            f'stroke="{GREY if step == 0 else PALE}"/>'
        )
        body.append(_text(left - 6, y + 4, f"{step:+d}" if step else "0", anchor="end", fill=GREY))
    for band, y in ((2, mid - 2 * half / 5), (-2, mid + 2 * half / 5)):
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" '
            f'stroke="{FLAG_COLOURS[OVER if band > 0 else UNDER]}" '
            f'stroke-dasharray="3 3" stroke-width="0.8"/>'
        )
    start = 0
    for s in sections:
        x = left + start * col
        body.append(f'<line x1="{x:.1f}" y1="30" x2="{x:.1f}" y2="{mid + half + 8}" stroke="{PALE}"/>')
        body.append(
            _text(
                x + len(s.ids) * col / 2,
                44,
                short_title(s.key, s.title),
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
            # Written upright along the column, beyond its end, so neighbouring labels never overlap.
            up = (diff or 0) > 0
            ly = mid - abs(diff or 0) * half / 5 - 4 if up else mid + abs(diff or 0) * half / 5 + 4
            cx = x + (col - 4) / 2 + 4
            body.append(
                _text(cx, ly, f"{FLAG_SYMBOLS[r.flag]}{r.id}", anchor="start" if up else "end", fill=colour,
                      weight="bold", extra=f' transform="rotate(-90 {cx:.1f} {ly:.1f})"')
            )
    lx = left
    for flag in FLAGS:
        body.append(f'<rect x="{lx}" y="{height - 20}" width="12" height="12" fill="{FLAG_COLOURS[flag]}"/>')
        name = f"{FLAG_SYMBOLS[flag]} {FLAG_NAMES[flag]}"
        body.append(_text(lx + 16, height - 9, name))
        lx += 16 + 7 * len(name) + 18
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
        _text(34, 18, "suggested"),
        (
            f'<line x1="100" y1="14" x2="120" y2="14" stroke="{DARK}" stroke-width="1.5" '
            'stroke-dasharray="4 3"/>'
        ),
        _text(124, 18, "board's own"),
    ]
    if len(every) < 2:
        body.append(_text(10, 40, "A trend needs assessments on two or more dates.", fill=GREY))
    for n, line in enumerate(lines):
        ox, oy = (n % cols) * cell_w, 30 + (n // cols) * cell_h
        x0, x1, y0, y1 = ox + pad, ox + cell_w - 20, oy + 26, oy + cell_h - 24
        body.append(_text(ox + pad, oy + 14, short_title(line.key, line.title), size=12, weight="bold"))
        for score in range(6):
            y = y1 - (y1 - y0) * score / 5
            body.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x1}" y2="{y:.1f}" stroke="{PALE}"/>')
            if score in (0, 5):
                body.append(_text(x0 - 4, y + 3, score, anchor="end", fill=GREY))

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
        for d, anchor in ((every[0], "start"), (every[-1], "end")) if len(every) > 1 else ():
            body.append(_text(px(d), y1 + 15, d[:7], anchor=anchor, fill=GREY))
    return _svg("trend", "Trend of mean scores by section across assessment dates", width, height, body)
