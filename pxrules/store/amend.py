"""Corrections and withdrawals of stored evidence: new rows and audit events, never an edit of an old row.

A correction is a new version (the old one stays in the history); a withdrawal is a row of its own that
stops assessments loading the item up to the version it names, while `evidence show` and the history keep
every version readable. A later correction (a new version) brings a withdrawn item back.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from pxrules.errors import EvidenceError, StoreError
from pxrules.evidence import Evidence
from pxrules.store.audit_chain import append_event, lock_chain
from pxrules.store.repo import ImportSummary, evidence_history, store_evidence
from pxrules.store.tables import EvidenceRow, EvidenceWithdrawal, utc_now

MAX_REASON = 2000


@dataclass(frozen=True)
class WithdrawalRecord:
    """A stored withdrawal: which item, up to which version, why, by whom and when."""

    id: int
    evidence_id: str
    version: int
    reason: str
    withdrawn_by: str
    withdrawn_at: dt.datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        return {
            "id": self.id,
            "evidence_id": self.evidence_id,
            "version": self.version,
            "reason": self.reason,
            "withdrawn_by": self.withdrawn_by,
            "withdrawn_at": self.withdrawn_at.isoformat(),
        }


def _record(row: EvidenceWithdrawal) -> WithdrawalRecord:
    assert row.id is not None
    return WithdrawalRecord(
        row.id, row.evidence_id, row.version, row.reason, row.withdrawn_by, row.withdrawn_at
    )


def _reason(reason: str) -> str:
    text = reason.strip()
    if not text:
        raise StoreError("a withdrawal needs a reason (--reason TEXT)")
    if len(text) > MAX_REASON:
        raise StoreError(f"the reason is {len(text):,} characters; keep it under {MAX_REASON:,}")
    return text


def withdrawals(evidence_id: str, *, session: Session) -> list[WithdrawalRecord]:
    """Every withdrawal of one item, oldest first."""
    rows = session.exec(
        select(EvidenceWithdrawal)
        .where(col(EvidenceWithdrawal.evidence_id) == evidence_id)
        .order_by(col(EvidenceWithdrawal.id))
    ).all()
    return [_record(r) for r in rows]


def current_withdrawal(evidence_id: str, *, session: Session) -> WithdrawalRecord | None:
    """The withdrawal in force for an item (one covering its latest version), or None."""
    history = evidence_history(evidence_id, session=session)
    latest = history[-1].version
    found = [w for w in withdrawals(evidence_id, session=session) if w.version >= latest]
    return found[-1] if found else None


def withdraw_evidence(evidence_id: str, *, reason: str, session: Session, by: str) -> WithdrawalRecord:
    """Withdraw an item (its latest version and every earlier one): assessments stop loading it.

    NotFoundError if the id was never stored; StoreError if it is already withdrawn or no reason is given.
    """
    text = _reason(reason)
    lock_chain(session)
    latest = evidence_history(evidence_id, session=session)[-1]
    held = current_withdrawal(evidence_id, session=session)
    if held is not None:
        raise StoreError(
            f"evidence {evidence_id} version {latest.version} is already withdrawn "
            f"(by {held.withdrawn_by} at {held.withdrawn_at.isoformat()}: {held.reason})"
        )
    row = EvidenceWithdrawal(
        evidence_id=evidence_id, version=latest.version, reason=text, withdrawn_by=by, withdrawn_at=utc_now()
    )
    session.add(row)
    session.flush()
    assert row.id is not None
    append_event(
        session,
        action="evidence.withdraw",
        by=by,
        org=latest.org,
        subject=f"evidence {evidence_id} v{latest.version} withdrawn",
        refs={"evidence_withdrawal": [row.id]},
        details={"evidence_id": evidence_id, "version": latest.version, "reason": text},
    )
    return _record(row)


def correct_evidence(
    items: Iterable[Evidence],
    *,
    session: Session,
    by: str,
    reason: str | None = None,
    import_file: str | Mapping[str, str] | None = None,
) -> ImportSummary:
    """Record corrected versions of items already in the register (each id must exist), all or nothing."""
    batch = list(items)
    lock_chain(session)
    ids = sorted({i.id for i in batch})
    known: set[str] = set()
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        known.update(
            session.exec(select(EvidenceRow.evidence_id).where(col(EvidenceRow.evidence_id).in_(chunk)))
        )
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise EvidenceError(
            f"{len(unknown)} item(s) to correct are not in the register; nothing was stored",
            [(f"evidence {i}", "not stored yet: import it first") for i in unknown],
        )
    return store_evidence(batch, session=session, by=by, correct=True, import_file=import_file, reason=reason)


__all__ = [
    "MAX_REASON",
    "WithdrawalRecord",
    "correct_evidence",
    "current_withdrawal",
    "withdraw_evidence",
    "withdrawals",
]
