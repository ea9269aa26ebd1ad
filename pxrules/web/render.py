"""Pages from Jinja2 templates (autoescaped, like the report, whose stylesheet, filters and charts they share)."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined
from starlette.requests import Request
from starlette.responses import HTMLResponse

from pxrules.board.compare import FLAGS
from pxrules.common.dates import uk_moment
from pxrules.reports.html import SHORT_FLAGS
from pxrules.reports.html import TEMPLATES as REPORT_TEMPLATES
from pxrules.reports.html import environment as report_environment
from pxrules.reports.labels import kind_label, number
from pxrules.web.action_views import STATUS_WORDS
from pxrules.web.auth import Auth
from pxrules.web.security import HEADERS

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC = Path(__file__).resolve().parent / "static"
FLAG_WORDS = {
    "over-claim": "Over-claim",
    "under-claim": "Under-claim",
    "not evidenced": "Not evidenced",
    "agreed": "Agreed",
    "not scored": "Not scored",
}
# A symbol beside each flag's word, so no flag is told by colour alone.
FLAG_MARKS = {"over-claim": "▲", "under-claim": "▼", "not evidenced": "?", "agreed": "✓", "not scored": "–"}
ROLE_WORDS = {"viewer": "Viewer", "contributor": "Contributor", "lead": "Governance lead", "executive": "Executive",
              "admin": "Administrator"}  # fmt: skip


def _measure_words(name: str) -> str:
    """A measure as people read it: its registered description (the key stays beside it, small)."""
    from pxrules.measures import MEASURES

    spec = MEASURES.get(name)
    return spec.description if spec else name


def _measure_value(value: Any, name: str) -> str:
    """A measured value as people write it (58%, yes/no), in the measure's unit."""
    from pxrules.measures import MEASURES

    spec = MEASURES.get(name)
    return number(value, spec.unit if spec else None)


_OP_WORDS = {"gte": "{} or more", "gt": "more than {}", "lte": "{} or less", "lt": "less than {}", "eq": "{}",
             "neq": "anything but {}"}


def _threshold_words(condition: dict[str, Any]) -> str:
    """A rule's threshold in words: 'needs 80% or more'."""
    shown = _measure_value(condition["threshold"], condition["measure"])
    return "needs " + _OP_WORDS.get(condition["op"], "{}").format(shown)


def _uk_date(value: Any) -> str:
    """'2027-03-31' (or a date) as 31/03/2027."""
    import datetime as dt

    from pxrules.common.dates import uk

    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return uk(day)


def _file_size(size: int) -> str:
    """Bytes as people read them: 812 bytes, 42 KB, 3.1 MB."""
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


_FILE_TYPES = {"application/pdf": "PDF", "image/png": "PNG image", "image/jpeg": "JPEG image", "text/plain": "text",
               "text/csv": "CSV", "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel"}  # fmt: skip


def _clock(value: Any) -> str:
    """A stored moment as people in a trust read it: 14:05 on 7 December 2026, UK time."""
    import datetime as dt

    if value is None:
        return "–"
    return uk_moment(value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value)))


@cache
def environment() -> Environment:
    """Autoescape on for every template; undefined names are errors, as in the report."""
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(TEMPLATES)), FileSystemLoader(str(REPORT_TEMPLATES))]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(report_environment().filters)
    env.filters.update(measure_words=_measure_words, measure_value=_measure_value, kind_words=kind_label,
                       threshold_words=_threshold_words, clock=_clock, uk_date=_uk_date, file_size=_file_size,
                       file_type=lambda t: _FILE_TYPES.get(t, t))  # fmt: skip
    env.globals.update(flags=FLAGS, short_flags=SHORT_FLAGS, flag_words=FLAG_WORDS, flag_marks=FLAG_MARKS,
                       role_words=ROLE_WORDS, status_words=STATUS_WORDS)  # fmt: skip
    return env


def render(request: Request, template: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A page for the signed-in account (or the sign-in and error pages, where there is none)."""
    auth: Auth | None = getattr(request.state, "auth", None)
    html = environment().get_template(template).render(
        request_path=request.url.path,
        user=None if auth is None else auth.user,
        csrf=None if auth is None else auth.csrf,
        **context,
    )
    return HTMLResponse(html, status_code=status, headers=HEADERS | {"cache-control": "no-store"})
