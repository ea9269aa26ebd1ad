"""Signing in: check a password, throttle repeated failures, and audit every sign-in, failure and sign-out.

Failures are counted from the audit trail itself (`user.signin_failed` events for the email within
`WINDOW`), so the throttle holds across every worker process and restart. An unknown email costs the same
argon2 work as a wrong password and gets the same answer, so accounts cannot be probed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col

from pxrules.accounts.passwords import burn_time, verify_password
from pxrules.accounts.sessions import SessionInfo, end_session, start_session
from pxrules.accounts.users import UserRecord, find_user, password_hash_of
from pxrules.store.audit_chain import append_event, lock_chain
from pxrules.store.tables import AuditEvent, utc_now

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=15)
FAILED = "user.signin_failed"
REFUSED = "user.signin_throttled"


@dataclass(frozen=True)
class SignIn:
    """The outcome: the account and its new session (cookie, info), or why not (`problem`, plain English)."""

    user: UserRecord | None
    cookie: str | None
    info: SessionInfo | None
    problem: str | None
    retry_after: int = 0


def _subject(email: str) -> str:
    return f"sign-in as {email.strip().lower()[:254]}"


def recent_failures(session: Session, email: str, *, now: dt.datetime | None = None) -> list[dt.datetime]:
    """When the failed sign-ins for this email within the window happened, oldest first."""
    since = (now or utc_now()) - WINDOW
    statement = (
        sa.select(col(AuditEvent.at))
        .where(col(AuditEvent.action) == FAILED, col(AuditEvent.subject) == _subject(email),
               col(AuditEvent.at) >= since)
        .order_by(col(AuditEvent.at))
    )
    return list(session.execute(statement).scalars())


def sign_in(session: Session, email: str, password: str, *, client: str) -> SignIn:
    """Check the credentials; on success start a session. Every outcome is an audit event (committed with it)."""
    now = utc_now()
    details = {"client": client[:100]}
    lock_chain(session)  # failures are counted and appended in turn, whichever worker handles the attempt
    failures = recent_failures(session, email, now=now)
    if len(failures) >= MAX_FAILURES:
        wait = int((failures[-MAX_FAILURES] + WINDOW - now).total_seconds()) + 1
        append_event(session, action=REFUSED, by=email[:254] or "-", subject=_subject(email), details=details)
        minutes = max(1, -(-wait // 60))
        return SignIn(None, None, None, f"Too many failed attempts: try again in {minutes} minute(s).", wait)
    user = find_user(session, email) if email.strip() else None
    stored = None if user is None else password_hash_of(session, user.email)
    if stored is None:
        burn_time(password)
        ok = False
    else:
        ok = verify_password(stored, password)
    if not ok or user is None or user.disabled:
        reason = "unknown account" if user is None else "disabled" if ok else "wrong password"
        append_event(session, action=FAILED, by=email[:254] or "-", subject=_subject(email),
                     details={**details, "reason": reason})  # fmt: skip
        return SignIn(None, None, None, "The email address or password is not right, or the account is disabled.")
    cookie, info = start_session(session, user.email, now=now)
    append_event(session, action="user.signin", by=user.email, subject=_subject(user.email), details=details)
    return SignIn(user, cookie, info, None)


def sign_out(session: Session, cookie: str, user: UserRecord) -> None:
    """End the browser's session (audited)."""
    end_session(session, cookie)
    append_event(session, action="user.signout", by=user.email, subject=_subject(user.email))
