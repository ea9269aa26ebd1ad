"""API tokens for scripts: `Authorization: Bearer pxr_...`; only the sha256 is stored; revoked by a row.

A token is 32 random bytes, so its sha256 is as good as a slow hash and lets a request find it in one
indexed lookup. Creation and revocation are audited rows; a token acts as its account does, and stops
working when the account is disabled.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from pxrules.accounts.users import UserRecord, find_user, get_user
from pxrules.errors import AccountError, NotFoundError
from pxrules.store.audit_chain import append_event, lock_chain
from pxrules.store.tables import ApiToken, ApiTokenRevocation, utc_now

PREFIX = "pxr_"


def token_sha256(secret: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenRecord:
    """A token as stored (never its secret)."""

    id: int
    email: str
    label: str
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        return {
            "id": self.id,
            "email": self.email,
            "label": self.label,
            "created_at": self.created_at.isoformat(),
            "created_by": self.created_by,
            "expires_at": None if self.expires_at is None else self.expires_at.isoformat(),
            "revoked_at": None if self.revoked_at is None else self.revoked_at.isoformat(),
        }


def _record(row: ApiToken, revoked: ApiTokenRevocation | None) -> TokenRecord:
    assert row.id is not None
    return TokenRecord(row.id, row.email, row.label, row.created_at, row.created_by, row.expires_at,
                       None if revoked is None else revoked.revoked_at)  # fmt: skip


def create_token(
    session: Session, email: str, *, label: str, by: str, days: int | None = None
) -> tuple[TokenRecord, str]:
    """A new token for the account: (its record, the secret to hand over once; it cannot be shown again)."""
    user = get_user(session, email)
    if user.disabled:
        raise AccountError(f"the account {user.email} is disabled")
    label = label.strip() or "API token"
    if len(label) > 200:
        raise AccountError("a token label may have at most 200 characters")
    if days is not None and days < 1:
        raise AccountError("a token must last at least one day")
    lock_chain(session)
    secret = PREFIX + secrets.token_urlsafe(32)
    now = utc_now()
    row = ApiToken(email=user.email, label=label, token_sha256=token_sha256(secret), created_at=now, created_by=by,
                   expires_at=None if days is None else now + dt.timedelta(days=days))  # fmt: skip
    session.add(row)
    session.flush()
    assert row.id is not None
    append_event(session, action="token.create", by=by, subject=f"API token {row.id} of {user.email}",
                 refs={"api_token": [row.id]}, details={"label": label})  # fmt: skip
    return _record(row, None), secret


def list_tokens(session: Session, email: str | None = None) -> list[TokenRecord]:
    """Tokens (of one account, or all), oldest first, with when each was revoked."""
    statement = select(ApiToken).order_by(col(ApiToken.id))
    if email is not None:
        statement = statement.where(ApiToken.email == email.strip().lower())
    rows = session.exec(statement).all()
    revoked = {r.token_id: r for r in session.exec(select(ApiTokenRevocation)).all()}
    return [_record(r, revoked.get(r.id or 0)) for r in rows]


def revoke_token(session: Session, token_id: int, *, by: str) -> TokenRecord:
    """Revoke a token for good (audited); revoking it again changes nothing."""
    lock_chain(session)
    row = session.get(ApiToken, token_id)
    if row is None:
        raise NotFoundError(f"no API token {token_id}")
    done = session.exec(select(ApiTokenRevocation).where(ApiTokenRevocation.token_id == token_id)).first()
    if done is not None:
        return _record(row, done)
    revocation = ApiTokenRevocation(token_id=token_id, revoked_at=utc_now(), revoked_by=by)
    session.add(revocation)
    session.flush()
    assert revocation.id is not None
    append_event(session, action="token.revoke", by=by, subject=f"API token {token_id} of {row.email}",
                 refs={"api_token_revocation": [revocation.id]})  # fmt: skip
    return _record(row, revocation)


def user_for_token(session: Session, secret: str) -> UserRecord | None:
    """The (enabled) account a live token acts for, or None for an unknown, revoked or expired token."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_sha256 == token_sha256(secret))).first()
    if row is None or (row.expires_at is not None and row.expires_at <= utc_now()):
        return None
    if session.exec(select(ApiTokenRevocation).where(ApiTokenRevocation.token_id == row.id)).first() is not None:
        return None
    user = find_user(session, row.email)
    return None if user is None or user.disabled else user
