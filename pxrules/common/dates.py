"""Dates: one reading of a date for every input, and dates after today refused unless allowed with a reason.

NHS staff write dates the UK way (31/03/2026) and Excel saves CSV dates so; ISO (2026-03-31) is still
read. A US-looking date is never guessed at: 03/31/2026 is refused as impossible, and a two-digit year
(02/04/26) as ambiguous, each with a message that says how to write it.

A future as-of date or evidence period would otherwise be stored, then used by every later report and
comparison as if it had happened. Commands run their work inside `allowing_future(reason)` when given
--allow-future REASON; the reason goes into the audit trail (see `store.audit_chain.future_event`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Any

from pydantic import BeforeValidator

from pxrules.errors import EvidenceError

_ALLOWED: ContextVar[str | None] = ContextVar("pxrules_allow_future", default=None)
HINT = "give --allow-future REASON if it is meant"


@contextmanager
def allowing_future(reason: str | None) -> Iterator[None]:
    """Within the block, dates after today are accepted (when `reason` is given)."""
    token = _ALLOWED.set(reason.strip() if reason and reason.strip() else None)
    try:
        yield
    finally:
        _ALLOWED.reset(token)


def future_allowed() -> str | None:
    """The reason dates after today are accepted now, or None when they are refused."""
    return _ALLOWED.get()


def check_not_future(day: dt.date, what: str) -> dt.date:
    """`day`, or EvidenceError when it is after today and no --allow-future reason was given."""
    today = dt.date.today()
    if day > today and future_allowed() is None:
        raise EvidenceError(
            f"{what} {day.isoformat()} is after today ({today.isoformat()}): dates after the recording date "
            f"are refused; {HINT}"
        )
    return day


_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_UK = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_SHORT_YEAR = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$")
_MIDNIGHT = re.compile(r"^(.+?)[ T]00:00(?::00(?:\.0+)?)?$")
HOW = "write dd/mm/yyyy, e.g. 31/03/2026, or yyyy-mm-dd"


class DateError(ValueError):
    """A text that is not a date; the message says why and how to write one."""


def _build(year: int, month: int, day: int, text: str, *, day_first: bool) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        if day_first and month > 12 and day <= 12:
            raise DateError(f"{text!r} is not a date: month {month} (dates are day first; {HOW})") from exc
        raise DateError(f"{text!r} is not a date: {exc} ({HOW})") from exc


def parse_date(value: Any) -> dt.date:
    """A date from a date, an Excel datetime at midnight, or text in dd/mm/yyyy or yyyy-mm-dd.

    Raises DateError (a ValueError, so pydantic reports it against the field) for anything else.
    """
    if isinstance(value, dt.datetime):
        if value.time() != dt.time():
            raise DateError(f"{value.isoformat()} has a time of day; a date is expected ({HOW})")
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DateError(f"{value!r} is not a date ({HOW})")
    text = value.strip()
    midnight = _MIDNIGHT.match(text)  # Excel's CSV export of a date cell can carry "00:00:00"
    if midnight:
        text = midnight.group(1)
    iso = _ISO.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
        return _build(year, month, day, value.strip(), day_first=False)
    uk = _UK.match(text)
    if uk:
        day, month, year = (int(g) for g in uk.groups())
        return _build(year, month, day, value.strip(), day_first=True)
    if _SHORT_YEAR.match(text):
        raise DateError(f"{value.strip()!r} is ambiguous: give the year in full ({HOW})")
    raise DateError(f"{value.strip()!r} is not a date ({HOW})")


def parse_optional_date(value: Any) -> dt.date | None:
    """parse_date, with None or blank text read as no date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value)


def uk_moment(moment: dt.datetime) -> str:
    """14:05 on 7 December 2026: a stored UTC moment in UK time (said to be UTC where no zone data is installed)."""
    try:
        from zoneinfo import ZoneInfo

        local, zone = moment.astimezone(ZoneInfo("Europe/London")), ""
    except Exception:  # a machine without a time-zone database: say the time is UTC rather than guess
        local, zone = moment.astimezone(dt.UTC), " UTC"
    return f"{local:%H:%M}{zone} on {local.day} {local:%B %Y}"


def uk(day: dt.date) -> str:
    """31/03/2026: how a date is shown to a person."""
    return day.strftime("%d/%m/%Y")


def _lenient(value: Any) -> Any:
    # pydantic still checks the type afterwards; this only turns UK text and Excel datetimes into dates.
    if isinstance(value, str | dt.datetime) and not (isinstance(value, str) and not value.strip()):
        return parse_date(value)
    return value


UkDate = Annotated[dt.date, BeforeValidator(_lenient)]
"""A model field's date that also accepts dd/mm/yyyy text and Excel date cells (the schema stays `date`)."""
