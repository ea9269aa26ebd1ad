"""The board report as one self-contained HTML file: inline CSS and SVG, no script, no network, A4 print.

Jinja2 autoescapes every value, so text from evidence or a self-assessment that contains HTML or script
is shown as text; only the SVG charts we draw (escaped as they are built) are inserted as markup.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pxrules.board.compare import AGREED, FLAGS, NOT_SCORED, OVER, UNDER, UNEVIDENCED
from pxrules.reports import charts, labels
from pxrules.reports.model import Report
from pxrules.rules.catalogue import load_catalogue

TEMPLATES = Path(__file__).resolve().parent / "templates"
# Short column headings (the web pages' tables use them).
SHORT_FLAGS = {OVER: "Over", UNDER: "Under", UNEVIDENCED: "Not evid.", AGREED: "Agreed", NOT_SCORED: "Not scored"}


def _signed(value: Any, places: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:+.{places}f}" if places else f"{value:+d}"


def _score(value: Any, places: int = 0) -> str:
    if value is None:
        return "–"
    return f"{value:.{places}f}" if places else str(value)


def _flag_class(flag: str) -> str:
    return "flag-" + flag.replace(" ", "-")


def _day(value: Any) -> str:
    """A date as people write it: 30 September 2026."""
    if value is None:
        return "–"
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return f"{day.day} {day:%B %Y}"


@cache
def environment() -> Environment:
    """The (cached) Jinja2 environment: autoescape on for every template, undefined names are errors."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        signed=_signed,
        score=_score,
        flag_class=_flag_class,
        day=_day,
        next_day=lambda d: d + dt.timedelta(days=1),
        plain=labels.plain,
        kind=labels.kind_label,
        kinds=labels.kinds_label,
        flag_label=labels.FLAG_LABELS.get,
        flag_meaning=labels.FLAG_MEANINGS.get,
        symbol=labels.FLAG_SYMBOLS.get,
        next_sentences=labels.next_level_sentences,
        cap=labels.cap_sentence,
    )
    return env


def render_html(report: Report) -> str:
    """The report as a complete HTML document."""
    by_section = charts.section_profile(report.comparison.sections)
    by_cqc = charts.section_profile(report.comparison.cqc)
    trend = charts.trend_chart(
        [report.trend.overall, *report.trend.sections], report.trend.dates, report.trend.self_dates
    )
    return (
        environment()
        .get_template("report.html.j2")
        .render(
            r=report,
            c=report.comparison,
            t=report.trend,
            flags=FLAGS,
            catalogue=load_catalogue(),
            chart_profile=by_cqc if report.by == "cqc" else by_section,
            chart_diff=charts.self_vs_suggested(report.comparison.rows, report.comparison.sections),
            chart_trend=trend,
        )
    )


def write_html(report: Report, path: Path) -> Path:
    """Render and write the report (UTF-8)."""
    Path(path).write_text(render_html(report), encoding="utf-8")
    return Path(path)
