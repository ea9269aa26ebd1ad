"""Owners of actions and evidence checked against the accounts, and the writes that must check them.

A store with no accounts (the command line alone) takes any email address or name. Once the workspace has
accounts, an owner given as an email address must be an enabled account that can see the organisation (so
reminders and "my actions" reach a real person), and is stored as that account's email; a name without an
address is kept as written (a role such as "Director of Nursing", as the board's self-assessment may hold).

The store sits below the accounts, so it cannot check owners itself: the command line and the workspace
write actions and evidence owners through the functions here, each one unit of work that checks the owner
and then calls the store.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from pxrules.accounts.users import find_user
from pxrules.errors import EvidenceError
from pxrules.store.actions import (
    ActionRecord,
    actions_from_self_assessment,
    add_action,
    get_action,
    update_action,
)
from pxrules.store.audit_chain import lock_chain
from pxrules.store.db import unit_of_work
from pxrules.store.evidence_reads import get_evidence
from pxrules.store.orgs import get_org
from pxrules.store.owners import OwnerRecord, set_evidence_owner
from pxrules.store.tables import AppUser

MAX_OWNER = 320  # an email address's longest


class OwnerError(EvidenceError):
    """An owner that cannot be stored (forms show it beside the owner field)."""


class ChangedMeanwhile(EvidenceError):
    """The action changed after the form was opened: saving would silently undo someone else's change."""


def has_accounts(session: Session) -> bool:
    """Whether any account exists (before the first, owners are not checked against accounts)."""
    return session.execute(sa.select(col(AppUser.email)).limit(1)).first() is not None


def check_owner(owner: str, *, session: Session, org: str | None) -> str:
    """The owner as stored (an account's canonical email when accounts exist); EvidenceError otherwise."""
    name = owner.strip()
    if len(name) > MAX_OWNER:
        raise OwnerError(f"owner: at most {MAX_OWNER} characters (this one has {len(name)})")
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise OwnerError(f"owner {name[:40]!r} holds a control character: give an email address or a name")
    if "@" not in name or not has_accounts(session):
        return name
    user = find_user(session, name)
    if user is None or user.disabled:
        state = "is disabled" if user is not None else "has no account here"
        raise OwnerError(f"owner {name!r} {state}: name someone with an account, or add one (`pxrules user add`)")
    if org is not None and not user.can_see(org):
        raise OwnerError(f"owner {user.email} cannot see {org}: name someone who can, or widen their account")
    return user.email


def add_owned_action(
    url: str | None, *, by: str, org: str, sub_requirement: str, title: str, owner: str = "",
    due_date: dt.date | None = None, status: str = "open", note: str = "",
) -> ActionRecord:  # fmt: skip
    """Add an action whose owner has been checked against the accounts, in one transaction."""
    with unit_of_work(url) as session:
        get_org(org, session=session)
        checked = check_owner(owner, session=session, org=org)
        return add_action(session=session, by=by, org=org, sub_requirement=sub_requirement, title=title,
                          owner=checked, due_date=due_date, status=status, note=note)  # fmt: skip


def update_owned_action(url: str | None, action_id: int, *, by: str, owner: str | None = None,
                        expected_version: int | None = None, **changes: Any) -> ActionRecord:  # fmt: skip
    """Change an action (status, due_date, title, note; a new owner is checked first), in one transaction;
    ChangedMeanwhile when `expected_version` (the version the change was made from) is no longer the latest."""
    with unit_of_work(url) as session:
        lock_chain(session)  # no other writer between reading the latest version and writing the next
        current = get_action(action_id, session=session)
        if expected_version is not None and current.version != expected_version:
            raise ChangedMeanwhile(f"action {action_id} was changed by {current.changed_by} (now version "
                                   f"{current.version}) after you opened it")  # fmt: skip
        if owner is not None:
            owner = check_owner(owner, session=session, org=current.org)
        return update_action(action_id, session=session, by=by, owner=owner, **changes)


def add_planned_actions(url: str | None, *, by: str, org: str) -> list[ActionRecord]:
    """An action for each planned action of the latest self-assessment not yet tracked, owners checked."""
    with unit_of_work(url) as session:
        return actions_from_self_assessment(session=session, by=by, org=org,
                                            check=lambda name: check_owner(name, session=session, org=org))  # fmt: skip


def set_checked_evidence_owner(url: str | None, evidence_id: str, *, by: str, owner: str | None = None,
                               review_date: dt.date | None = None) -> OwnerRecord:  # fmt: skip
    """Record an item's owner (checked against the accounts) and/or review date, in one transaction."""
    with unit_of_work(url) as session:
        if owner is not None:
            owner = check_owner(owner, session=session, org=get_evidence(evidence_id, session=session).org)
        return set_evidence_owner(evidence_id, session=session, by=by, owner=owner, review_date=review_date)
