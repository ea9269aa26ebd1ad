"""The board report as one self-contained HTML file: inline CSS and SVG, no script, no network, A4 print.

Jinja2 autoescapes every value, so text from evidence or a self-assessment that contains HTML or script
is shown as text; only the SVG charts we draw (escaped as they are built) are inserted as markup.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from pxrules.board.compare import FLAGS
from pxrules.reports import charts
from pxrules.reports.model import Report

TEMPLATES = Path(__file__).resolve().parent / "templates"
SHORT_FLAGS = {"over-claim": "Over", "under-claim": "Under", "not evidenced": "Not evid.", "agreed": "Agreed",
               "not scored": "Not scored"}


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
    env.filters.update(signed=_signed, score=_score, flag_class=_flag_class)
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
            short_flags=SHORT_FLAGS,
            chart_profile=by_cqc if report.by == "cqc" else by_section,
            chart_diff=charts.self_vs_suggested(report.comparison.rows, report.comparison.sections),
            chart_trend=trend,
        )
    )


def write_html(report: Report, path: Path) -> Path:
    """Render and write the report (UTF-8)."""
    Path(path).write_text(render_html(report), encoding="utf-8")
    return Path(path)
