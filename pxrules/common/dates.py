"""Dates after the recording date (today) are refused everywhere, unless the user allows them with a reason.

A future as-of date or evidence period would otherwise be stored, then used by every later report and
comparison as if it had happened. Commands run their work inside `allowing_future(reason)` when given
--allow-future REASON; the reason goes into the audit trail (see store.audit_chain.future_event).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

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
