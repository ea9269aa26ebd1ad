"""What the actions pages show, as JSON-ready data from the same library calls as `pxrules action list --json`.

Each action is exactly the command line's dictionary (`ActionRecord.as_dict(today)`); beside the list are
the names behind owners who have an account and the framework's words for each sub-requirement, so a page
shows nothing its /api/ twin does not. Nothing here is cached: actions change with every update, and the
"my actions" lists depend on who asks.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session

from pxrules.accounts.users import UserRecord, list_users
from pxrules.errors import NotFoundError
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.actions import ActionRecord, action_history, list_actions
from pxrules.store.db import unit_of_work
from pxrules.store.tables import ACTION_STATUSES

SOON = 30  # days: "due in the next 30 days", as `action list --due-within 30`
# The lists, in the order of the tabs: key -> (heading, what it holds).
LISTS: dict[str, tuple[str, str]] = {
    "mine": ("My actions", "Open and in-progress actions you own."),
    "overdue": ("Overdue", "Open and in-progress actions whose due date has passed."),
    "soon": ("Due in the next 30 days", f"Open and in-progress actions due within {SOON} days, overdue ones included."),
    "open": ("All open", "Every action that is open or in progress."),
    "done": ("Done", "Actions marked done."),
}
STATUS_WORDS = {"open": "Open", "in progress": "In progress", "done": "Done"}
assert set(STATUS_WORDS) == set(ACTION_STATUSES)
FIELD_WORDS = {"title": "action", "owner": "owner", "due_date": "due date", "status": "status", "note": "note"}


def _filters(show: str, email: str) -> dict[str, Any]:
    """`list_actions` arguments for a list, as the command line's options give them."""
    filters: dict[str, dict[str, Any]] = {
        "mine": {"owner": email},
        "overdue": {"overdue": True},
        "soon": {"due_within": SOON},
        "open": {},
        "done": {"status": ["done"]},
    }
    return filters[show]


def _names(session: Session, emails: Iterable[str]) -> dict[str, str]:
    """Account names of the owners and authors who have an account (keyed by their email)."""
    wanted = {e.lower() for e in emails if e and "@" in e}
    return {u.email: u.name for u in list_users(session) if u.email in wanted} if wanted else {}


def _subs(ids: Iterable[str]) -> dict[str, str]:
    catalogue = load_catalogue()
    return {i: catalogue.get(i).text for i in sorted(set(ids), key=catalogue.ids.index)}


def action_list(url: str, org: str | None, show: str, user: UserRecord, today: dt.date,
                mine: bool = False) -> dict[str, Any]:  # fmt: skip
    """One list (`show` a key of LISTS, only the user's own with `mine`, as `--mine` does) of an organisation's
    actions, or of every organisation the user sees when `org` is None; with each list's count."""
    with unit_of_work(url) as session:

        def listed(key: str, only_mine: bool = False) -> list[ActionRecord]:
            where = _filters(key, user.email) | ({"owner": user.email} if only_mine else {})
            found = list_actions(session=session, org=org, today=today, **where)
            return [r for r in found if user.can_see(r.org)]

        records = listed(show, mine)
        counts = {key: len(records) if key == show and not mine else len(listed(key)) for key in LISTS}
        names = _names(session, [r.owner for r in records])
    return {
        "organisation": org,
        "list": show,
        "mine": mine or show == "mine",
        "today": today.isoformat(),
        "counts": counts,
        "count": len(records),
        "actions": [r.as_dict(today) for r in records],
        "owner_names": names,
        "sub_requirements": _subs(r.sub_requirement for r in records),
    }


def my_summary(url: str, org: str, user: UserRecord, today: dt.date) -> dict[str, int]:
    """The signed-in user's open actions in an organisation: how many, how many overdue, how many due soon."""
    with unit_of_work(url) as session:
        mine = list_actions(session=session, org=org, owner=user.email, today=today)
    return {
        "open": len(mine),
        "overdue": sum(r.is_overdue(today) for r in mine),
        "due_soon": sum(r.due_date is not None and r.due_date <= today + dt.timedelta(days=SOON) for r in mine),
    }


def _changes(versions: list[ActionRecord]) -> list[list[str]]:
    """For each version, the fields it changed from the one before (the first version sets them all)."""
    fields = list(FIELD_WORDS)
    out: list[list[str]] = [[]]
    for before, after in itertools.pairwise(versions):
        out.append([f for f in fields if getattr(before, f) != getattr(after, f)])
    return out


def action_detail(url: str, org: str, action_id: int, today: dt.date) -> dict[str, Any] | None:
    """An action and its history (`action history --json`, each version with the fields it changed), or None
    when it does not exist or belongs to another organisation."""
    with unit_of_work(url) as session:
        try:
            versions = action_history(action_id, session=session)
        except NotFoundError:
            return None
        if versions[-1].org != org:
            return None
        names = _names(session, [v.owner for v in versions] + [v.changed_by for v in versions])
    latest = versions[-1]
    return {
        "action": latest.as_dict(today),
        "history": [{**v.as_dict(), "changed": c} for v, c in zip(versions, _changes(versions), strict=True)],
        "owner_names": names,
        "sub_requirements": _subs([latest.sub_requirement]),
    }


def sub_actions(url: str, org: str, sub_id: str, today: dt.date) -> dict[str, Any]:
    """A sub-requirement's actions, open first then done (`action list --all --json` for that sub-requirement)."""
    with unit_of_work(url) as session:
        found = [r for r in list_actions(session=session, org=org, today=today, include_done=True)
                 if r.sub_requirement == sub_id]  # fmt: skip
        names = _names(session, [r.owner for r in found])
    found.sort(key=lambda r: r.status == "done")  # stable: soonest due first within each
    return {"actions": [r.as_dict(today) for r in found], "owner_names": names}


def owner_choices(url: str, org: str) -> list[dict[str, str]]:
    """Enabled accounts that can see the organisation: the people an action can be given to."""
    with unit_of_work(url) as session:
        users = list_users(session)
    return [{"email": u.email, "name": u.name} for u in users if not u.disabled and u.can_see(org)]


def sub_choices() -> list[dict[str, str]]:
    """Every sub-requirement in the framework's order, with its words."""
    return [{"id": s.id, "text": s.text} for s in load_catalogue().sub_requirements]
