"""Browser sessions: a random cookie whose sha256 is the key of a `web_session` row, with its CSRF token.

A session ends when signed out, after `IDLE` without a request, after `ABSOLUTE` however busy, and when the
account is disabled or its role, scope or password changes. Rows are disposable (not audited).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from pxrules.store.tables import WebSession, utc_now

IDLE = dt.timedelta(minutes=30)
ABSOLUTE = dt.timedelta(hours=10)
_TOUCH_EVERY = dt.timedelta(seconds=60)  # one write a minute per session at most, not one per page


def _key(cookie: str) -> str:
    return hashlib.sha256(cookie.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SessionInfo:
    """A live session: whose it is and the CSRF token its forms must carry."""

    email: str
    csrf: str
    expires_at: dt.datetime


def start_session(session: Session, email: str, *, now: dt.datetime | None = None) -> tuple[str, SessionInfo]:
    """A new session for the account: (the cookie value to send, its info). Old expired rows are swept."""
    now = now or utc_now()
    cookie = secrets.token_urlsafe(32)
    info = SessionInfo(email, secrets.token_urlsafe(32), now + ABSOLUTE)
    session.execute(sa.delete(WebSession).where(col(WebSession.expires_at) < now - IDLE))
    session.add(WebSession(id_sha256=_key(cookie), email=email, csrf=info.csrf, created_at=now,
                           expires_at=info.expires_at, last_seen_at=now))  # fmt: skip
    return cookie, info


def find_session(session: Session, cookie: str, *, now: dt.datetime | None = None) -> SessionInfo | None:
    """The live session of a cookie (touching its last-seen time), or None when unknown or expired."""
    if not cookie or len(cookie) > 200:
        return None
    now = now or utc_now()
    row = session.get(WebSession, _key(cookie))
    if row is None:
        return None
    if now >= row.expires_at or now - row.last_seen_at >= IDLE:
        session.delete(row)
        return None
    if now - row.last_seen_at >= _TOUCH_EVERY:
        row.last_seen_at = now
        session.add(row)
    return SessionInfo(row.email, row.csrf, row.expires_at)


def end_session(session: Session, cookie: str) -> None:
    """Sign a browser out (nothing happens for an unknown cookie)."""
    session.execute(sa.delete(WebSession).where(col(WebSession.id_sha256) == _key(cookie)))


def end_sessions_of(session: Session, email: str) -> None:
    """Sign an account out everywhere (after it is disabled, or its role, scope or password changes)."""
    session.execute(sa.delete(WebSession).where(col(WebSession.email) == email))
