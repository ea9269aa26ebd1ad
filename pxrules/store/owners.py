"""Who looks after each evidence item, and when it is next reviewed: kept beside the register, not in it.

An owner or review date is not part of what was observed, so it never enters the item's payload or its
content hash (existing items and their audit events stay exactly as they were). Each setting is a new row
of `evidence_owner` with its own audit event; the latest row of an item is its current owner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pxrules.errors import EvidenceError
from pxrules.store.audit_chain import append_event, lock_chain
from pxrules.store.repo import get_evidence
from pxrules.store.tables import EvidenceOwner, utc_now

MAX_OWNER = 320


@dataclass(frozen=True)
class OwnerRecord:
    """The current owner and review date of an evidence item."""

    evidence_id: str
    owner: str
    review_date: dt.date | None
    set_at: dt.datetime
    set_by: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        return {"evidence_id": self.evidence_id, "owner": self.owner or None,
                "review_date": self.review_date.isoformat() if self.review_date else None,
                "set_at": self.set_at.isoformat(), "set_by": self.set_by}  # fmt: skip


def _record(row: EvidenceOwner) -> OwnerRecord:
    return OwnerRecord(row.evidence_id, row.owner, row.review_date, row.set_at, row.set_by)


def set_evidence_owner(
    evidence_id: str, *, session: Session, by: str, owner: str | None = None, review_date: dt.date | None = None,
    clear_review: bool = False,
) -> OwnerRecord:  # fmt: skip
    """Record an item's owner and/or review date (what is not given is carried over), audited."""
    lock_chain(session)
    record = get_evidence(evidence_id, session=session)
    current = owners_of([evidence_id], session=session).get(evidence_id)
    name = (owner if owner is not None else current.owner if current else "").strip()
    if len(name) > MAX_OWNER or any(ord(c) < 32 for c in name):
        raise EvidenceError(f"owner {name[:40]!r} is not an email address or name")
    review = None if clear_review else review_date if review_date is not None else (
        current.review_date if current else None)  # fmt: skip
    if current is not None and (current.owner, current.review_date) == (name, review):
        return current
    row = EvidenceOwner(evidence_id=evidence_id, owner=name, review_date=review, set_at=utc_now(), set_by=by[:500])
    session.add(row)
    session.flush()
    append_event(session, action="evidence.owner", by=by, org=record.org, subject=f"owner of evidence {evidence_id}",
                 refs={"evidence_owner": [int(row.id or 0)]}, details={"owner": name})  # fmt: skip
    return _record(row)


def owners_of(evidence_ids: Sequence[str] | None, *, session: Session) -> dict[str, OwnerRecord]:
    """The current owner record of each item that has one (every item when ids is None)."""
    latest = select(EvidenceOwner.evidence_id, sa.func.max(EvidenceOwner.id).label("id")).group_by(
        col(EvidenceOwner.evidence_id)
    )
    if evidence_ids is not None:
        if not evidence_ids:
            return {}
        latest = latest.where(col(EvidenceOwner.evidence_id).in_(list(evidence_ids)))
    sub = latest.subquery()
    rows = session.exec(select(EvidenceOwner).join(sub, col(EvidenceOwner.id) == sub.c.id)).all()
    return {r.evidence_id: _record(r) for r in rows}
