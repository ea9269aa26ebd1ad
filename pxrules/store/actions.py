"""The board's planned actions, each with an owner, a due date and a status, and every change kept.

An action is a series of versions (rows are never updated): adding one writes version 1, each update the
next version, each with its own audit event, so the history of who changed what and when is the rows
themselves. Owners are plain email addresses or names, as the self-assessment's owner column holds them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pxrules.common.dates import uk
from pxrules.errors import EvidenceError, NotFoundError
from pxrules.store.audit_chain import append_event, lock_chain
from pxrules.store.orgs import get_org
from pxrules.store.tables import ACTION_STATUSES, ActionRow, utc_now

MAX_TITLE = 5000
MAX_OWNER = 320
_UNSET: Any = object()


@dataclass(frozen=True)
class ActionRecord:
    """One version of an action (the latest, unless read from the history)."""

    id: int
    version: int
    org: str
    sub_requirement: str
    title: str
    owner: str
    due_date: dt.date | None
    status: str
    note: str
    changed_at: dt.datetime
    changed_by: str

    def is_overdue(self, today: dt.date) -> bool:
        return self.status != "done" and self.due_date is not None and self.due_date < today

    def as_dict(self, today: dt.date | None = None) -> dict[str, Any]:
        """JSON-ready, stable keys (with `overdue` when a date is given)."""
        data = {"id": self.id, "version": self.version, "org": self.org, "sub_requirement": self.sub_requirement,
                "title": self.title, "owner": self.owner or None,
                "due_date": self.due_date.isoformat() if self.due_date else None, "status": self.status,
                "note": self.note or None, "changed_at": self.changed_at.isoformat(),
                "changed_by": self.changed_by}  # fmt: skip
        if today is not None:
            data["overdue"] = self.is_overdue(today)
        return data

    def line(self) -> str:
        due = f"due {uk(self.due_date)}" if self.due_date else "no due date"
        return f"#{self.id} {self.sub_requirement} [{self.status}] {due}: {self.title}"


def _record(row: ActionRow) -> ActionRecord:
    assert row.action_id is not None
    return ActionRecord(row.action_id, row.version, row.org, row.sub_requirement, row.title, row.owner,
                        row.due_date, row.status, row.note, row.changed_at, row.changed_by)  # fmt: skip


def _check(title: str, owner: str, status: str, sub_requirement: str) -> None:
    from pxrules.rules.catalogue import load_catalogue

    if not title.strip() or len(title) > MAX_TITLE:
        raise EvidenceError(f"action: the title must be 1-{MAX_TITLE} characters")
    if len(owner) > MAX_OWNER or any(ord(c) < 32 for c in owner):
        raise EvidenceError(f"action: owner {owner[:40]!r} is not an email address or name")
    if status not in ACTION_STATUSES:
        raise EvidenceError(f"action: status {status!r} is not one of {', '.join(ACTION_STATUSES)}")
    known = {s.id for s in load_catalogue().sub_requirements}
    if sub_requirement not in known:
        raise NotFoundError(f"action: {sub_requirement!r} is not a sub-requirement of the framework (1A ... 23A)")


def _audit(row: ActionRow, session: Session, by: str, verb: str) -> None:
    session.add(row)
    session.flush()
    append_event(session, action=f"action.{verb}", by=by, org=row.org,
                 subject=f"action {row.action_id} v{row.version} ({row.sub_requirement})",
                 refs={"action": [int(row.row or 0)]}, details={"status": row.status})  # fmt: skip


def add_action(
    *, session: Session, by: str, org: str, sub_requirement: str, title: str, owner: str = "",
    due_date: dt.date | None = None, status: str = "open", note: str = "",
) -> ActionRecord:  # fmt: skip
    """Add an action (version 1), audited."""
    sub_requirement = sub_requirement.strip().upper()
    _check(title, owner.strip(), status, sub_requirement)
    get_org(org, session=session)
    lock_chain(session)
    next_id = int(session.execute(sa.select(sa.func.max(ActionRow.action_id))).scalar() or 0) + 1
    row = ActionRow(action_id=next_id, version=1, org=org, sub_requirement=sub_requirement, title=title.strip(),
                    owner=owner.strip(), due_date=due_date, status=status, note=note.strip(),
                    changed_at=utc_now(), changed_by=by[:500])  # fmt: skip
    _audit(row, session, by, "add")
    return _record(row)


def _latest_row(action_id: int, session: Session) -> ActionRow:
    row = session.exec(
        select(ActionRow).where(ActionRow.action_id == action_id).order_by(col(ActionRow.version).desc()).limit(1)
    ).first()
    if row is None:
        raise NotFoundError(f"no action #{action_id}")
    return row


def get_action(action_id: int, *, session: Session) -> ActionRecord:
    """The latest version of an action; NotFoundError when there is none."""
    return _record(_latest_row(action_id, session))


def update_action(
    action_id: int, *, session: Session, by: str, owner: str | None = None, due_date: Any = _UNSET,
    status: str | None = None, title: str | None = None, note: str | None = None,
) -> ActionRecord:  # fmt: skip
    """A new version with the given fields changed (the others carried over), audited; unchanged if none differ."""
    lock_chain(session)
    old = _latest_row(action_id, session)
    new = ActionRow(action_id=old.action_id, version=old.version + 1, org=old.org,
                    sub_requirement=old.sub_requirement, title=old.title if title is None else title.strip(),
                    owner=old.owner if owner is None else owner.strip(),
                    due_date=old.due_date if due_date is _UNSET else due_date,
                    status=old.status if status is None else status,
                    note=old.note if note is None else note.strip(), changed_at=utc_now(),
                    changed_by=by[:500])  # fmt: skip
    _check(new.title, new.owner, new.status, new.sub_requirement)
    fields = ("title", "owner", "due_date", "status", "note")
    if all(getattr(old, f) == getattr(new, f) for f in fields):
        return _record(old)
    _audit(new, session, by, "update")
    return _record(new)


def _latest_rows(session: Session, org: str | None) -> list[ActionRow]:
    latest = (
        select(ActionRow.action_id, sa.func.max(ActionRow.version).label("version"))
        .group_by(col(ActionRow.action_id))
        .subquery()
    )
    statement = select(ActionRow).join(
        latest, sa.and_(col(ActionRow.action_id) == latest.c.action_id, col(ActionRow.version) == latest.c.version)
    )
    if org is not None:
        statement = statement.where(ActionRow.org == org)
    return list(session.exec(statement.order_by(col(ActionRow.action_id))).all())


def list_actions(
    *, session: Session, org: str | None = None, owner: str | None = None, overdue: bool = False,
    due_within: int | None = None, status: Sequence[str] | None = None, today: dt.date | None = None,
    include_done: bool = False,
) -> list[ActionRecord]:  # fmt: skip
    """Latest versions, filtered: by owner (case-insensitive), overdue, due within N days, status."""
    day = today or dt.date.today()
    if org is not None:
        get_org(org, session=session)
    found = []
    for record in (_record(r) for r in _latest_rows(session, org)):
        if owner is not None and record.owner.lower() != owner.strip().lower():
            continue
        if status is not None and record.status not in status:
            continue
        if status is None and not include_done and record.status == "done":
            continue
        if overdue and not record.is_overdue(day):
            continue
        if due_within is not None and (
            record.status == "done" or record.due_date is None or record.due_date > day + dt.timedelta(days=due_within)
        ):
            continue
        found.append(record)
    return sorted(found, key=lambda r: (r.due_date or dt.date.max, r.id))


def action_history(action_id: int, *, session: Session) -> list[ActionRecord]:
    """Every version of an action, oldest first."""
    rows = session.exec(
        select(ActionRow).where(ActionRow.action_id == action_id).order_by(col(ActionRow.version))
    ).all()
    if not rows:
        raise NotFoundError(f"no action #{action_id}")
    return [_record(r) for r in rows]


def actions_from_self_assessment(
    *, session: Session, by: str, org: str, check: Callable[[str], str] | None = None
) -> list[ActionRecord]:
    """An action for every planned action of the latest self-assessment not already tracked (owner, review date).

    `check` turns each owner into the owner stored, or refuses it (the accounts layer passes its own check).
    """
    from pxrules.store.records import latest_self_assessment

    latest = latest_self_assessment(org, session=session)
    if latest is None:
        raise NotFoundError(f"{org} has no self-assessment: import one with `pxrules self-assess import`")
    tracked = {(r.sub_requirement, r.title) for r in _latest_rows(session, org)}
    added = []
    for line in latest.rows:
        title = line.planned_action.strip()
        if not title or (line.sub_requirement, title) in tracked:
            continue
        owner = line.owner.strip()[:MAX_OWNER]
        added.append(add_action(session=session, by=by, org=org, sub_requirement=line.sub_requirement, title=title,
                                owner=check(owner) if check else owner, due_date=line.review_date))  # fmt: skip
    return added
