"""Who may own an evidence item (or an action) of an organisation: an account that can see it, or a role.

Stands in for `pxrules.accounts.owners.check_owner` (same signature) until that module reaches main; the
workspace's owner form calls it, so an owner is always someone the reminders can reach and who can see
the organisation, never a typing slip.
"""

from __future__ import annotations

from sqlmodel import Session

from pxrules.accounts.users import ROLES, find_user, normal_email
from pxrules.errors import AccountError

ROLE_OWNERS = {"contributor": "contributor", "contributors": "contributor", "lead": "lead", "leads": "lead",
               "governance lead": "lead", "governance leads": "lead", "executive": "executive",
               "executives": "executive", "admin": "admin",
               "administrator": "admin", "administrators": "admin"}  # fmt: skip


def check_owner(owner: str, *, session: Session, org: str) -> str:
    """The owner as stored: a role name (lead, contributor, executive, admin) or the email of an account, enabled, that
    can see `org`; AccountError saying what is wrong otherwise. An empty owner stays empty (no owner)."""
    text = " ".join(owner.split())
    if not text:
        return ""
    role = ROLE_OWNERS.get(text.lower())
    if role is not None:
        assert role in ROLES
        return role
    if "@" not in text:
        raise AccountError(f"{text[:80]!r} is neither an email address nor a role (lead, contributor or admin)")
    email = normal_email(text)
    user = find_user(session, email)
    if user is None or user.disabled:
        raise AccountError(f"{email} has no account here: an administrator adds it first (Accounts)")
    if not user.can_see(org):
        raise AccountError(f"{email} cannot see {org}: choose someone whose account covers it")
    return email
