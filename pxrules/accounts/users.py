"""Accounts: append-only versions of who a user is, their role and the organisations they may see.

Every change (add, role or scope, disable, enable, password reset) is a new audited `app_user` row in the
same transaction as its audit event; the password hash itself lives in `user_password`, outside the
audited rows, so an exported audit bundle never carries a secret.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pxrules.accounts.passwords import hash_password
from pxrules.errors import AccountError, NotFoundError
from pxrules.store.audit_chain import append_event, lock_chain
from pxrules.store.tables import AppUser, Organisation, UserPassword, utc_now

ROLES: tuple[str, ...] = ("viewer", "contributor", "lead", "executive", "admin")
ALL_ORGS = "*"
_EMAIL = re.compile(r"^[^@\s<>\"']{1,64}@[A-Za-z0-9.-]{1,189}\.[A-Za-z]{2,24}$")


def normal_email(email: str) -> str:
    """The email as accounts are keyed (trimmed, lower case); AccountError when it is not an address."""
    email = email.strip().lower()
    if not _EMAIL.match(email):
        raise AccountError(f"{email[:80]!r} is not an email address")
    return email


@dataclass(frozen=True)
class UserRecord:
    """The current version of an account."""

    email: str
    version: int
    name: str
    role: str
    orgs: tuple[str, ...]
    disabled: bool
    password_version: int
    changed_at: dt.datetime
    changed_by: str

    @property
    def all_orgs(self) -> bool:
        return ALL_ORGS in self.orgs

    def at_least(self, role: str) -> bool:
        """Whether this account's role is `role` or above (viewer < contributor < lead < executive < admin)."""
        return ROLES.index(self.role) >= ROLES.index(role)

    def can_see(self, org: str) -> bool:
        """Whether the organisation is in this account's scope."""
        return self.all_orgs or org in self.orgs

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys (never the password hash)."""
        return {
            "email": self.email,
            "name": self.name,
            "role": self.role,
            "orgs": list(self.orgs),
            "disabled": self.disabled,
            "version": self.version,
            "changed_at": self.changed_at.isoformat(),
            "changed_by": self.changed_by,
        }


def _record(row: AppUser) -> UserRecord:
    return UserRecord(row.email, row.version, row.name, row.role, tuple(json.loads(row.orgs)), row.disabled,
                      row.password_version, row.changed_at, row.changed_by)  # fmt: skip


def _latest(email: str, session: Session) -> AppUser | None:
    statement = select(AppUser).where(AppUser.email == email).order_by(col(AppUser.version).desc()).limit(1)
    return session.exec(statement).first()


def _check(name: str, role: str, orgs: Sequence[str], session: Session) -> tuple[str, str, list[str]]:
    name = name.strip()
    if not name or len(name) > 200:
        raise AccountError("a name must be 1-200 characters")
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")
    codes = sorted(set(orgs))
    if ALL_ORGS in codes:
        return name, role, [ALL_ORGS]
    if codes:
        known = set(session.exec(select(Organisation.code).where(col(Organisation.code).in_(codes))).all())
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise NotFoundError(f"unknown organisation(s) {', '.join(unknown)}: add them with `pxrules org add`")
    return name, role, codes


def _write(session: Session, before: AppUser | None, fields: dict[str, Any], *, action: str, by: str,
           details: dict[str, Any]) -> UserRecord:  # fmt: skip
    row = AppUser(version=1 if before is None else before.version + 1, changed_at=utc_now(), changed_by=by, **fields)
    session.add(row)
    session.flush()
    assert row.row is not None
    append_event(session, action=action, by=by, subject=f"account {row.email}", refs={"app_user": [row.row]},
                 details=details)  # fmt: skip
    return _record(row)


def _set_password(session: Session, email: str, password: str) -> None:
    hashed = hash_password(password)
    existing = session.get(UserPassword, email)
    if existing is None:
        session.add(UserPassword(email=email, password_hash=hashed, changed_at=utc_now()))
    else:
        existing.password_hash = hashed
        existing.changed_at = utc_now()
        session.add(existing)


def add_user(session: Session, email: str, *, name: str, role: str, orgs: Sequence[str], password: str,
             by: str) -> UserRecord:  # fmt: skip
    """A new account; AccountError when the email is taken, the role unknown or the password too short."""
    email = normal_email(email)
    name, role, codes = _check(name, role, [*orgs, ALL_ORGS] if role == "admin" and not orgs else orgs, session)
    lock_chain(session)
    if _latest(email, session) is not None:
        raise AccountError(f"an account for {email} already exists")
    _set_password(session, email, password)
    fields = {"email": email, "name": name, "role": role, "orgs": json.dumps(codes), "disabled": False,
              "password_version": 1}  # fmt: skip
    return _write(session, None, fields, action="user.add", by=by, details={"role": role, "orgs": codes})


def get_user(session: Session, email: str) -> UserRecord:
    """The account's current version; NotFoundError when there is none."""
    row = _latest(email.strip().lower(), session)
    if row is None:
        raise NotFoundError(f"no account for {email.strip()[:80]!r}")
    return _record(row)


def find_user(session: Session, email: str) -> UserRecord | None:
    """The account's current version, or None (sign-in looks up whatever was typed)."""
    row = _latest(email.strip().lower(), session)
    return None if row is None else _record(row)


def list_users(session: Session) -> list[UserRecord]:
    """Every account's current version, by email."""
    newest = (
        sa.select(col(AppUser.email), sa.func.max(col(AppUser.version)).label("v"))
        .group_by(col(AppUser.email))
        .subquery()
    )
    statement = (
        select(AppUser)
        .join(newest, sa.and_(col(AppUser.email) == newest.c.email, col(AppUser.version) == newest.c.v))
        .order_by(col(AppUser.email))
    )
    return [_record(r) for r in session.exec(statement).all()]


def change_user(session: Session, email: str, *, by: str, name: str | None = None, role: str | None = None,
                orgs: Sequence[str] | None = None, disabled: bool | None = None,
                password: str | None = None) -> UserRecord:  # fmt: skip
    """A new version with the given fields changed (a password is re-hashed); audited as one event."""
    email = normal_email(email)
    lock_chain(session)
    before = _latest(email, session)
    if before is None:
        raise NotFoundError(f"no account for {email!r}")
    current = _record(before)
    new_name, new_role, codes = _check(
        current.name if name is None else name,
        current.role if role is None else role,
        list(current.orgs) if orgs is None else orgs,
        session,
    )
    old = {"name": current.name, "role": current.role, "orgs": list(current.orgs)}
    new = {"name": new_name, "role": new_role, "orgs": codes}
    changed: dict[str, Any] = {key: value for key, value in new.items() if value != old[key]}
    if disabled is not None and disabled != current.disabled:
        changed["disabled"] = disabled
    if password is not None:
        _set_password(session, email, password)
        changed["password"] = "reset"
    if not changed:
        return current
    action = ("user.password" if "password" in changed else
              "user.disable" if changed.get("disabled") is True else
              "user.enable" if changed.get("disabled") is False else "user.change")  # fmt: skip
    fields = {"email": email, "name": new_name, "role": new_role, "orgs": json.dumps(codes),
              "disabled": current.disabled if disabled is None else disabled,
              "password_version": current.password_version + (1 if password is not None else 0)}  # fmt: skip
    record = _write(session, before, fields, action=action, by=by, details=changed)
    if "disabled" in changed or "password" in changed or "role" in changed or "orgs" in changed:
        from pxrules.accounts.sessions import end_sessions_of

        end_sessions_of(session, email)
    return record


def password_hash_of(session: Session, email: str) -> str | None:
    """The stored argon2 hash (only sign-in reads it)."""
    row = session.get(UserPassword, email)
    return None if row is None else row.password_hash


def visible_orgs(user: UserRecord, codes: Sequence[str]) -> list[str]:
    """The codes among `codes` that the user may see, in the given order."""
    return [c for c in codes if user.can_see(c)]
