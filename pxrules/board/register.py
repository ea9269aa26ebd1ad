"""The evidence register as a governance team reads it: each item's state today and the filters they use.

An item's validity (in date, lapsing, lapsed, withdrawn) is the one assessments use (`due.validity`); the
sub-requirement filter keeps the items the latest assessment cites for it, so "the evidence behind 12C"
means the same in the register as in the explanation.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, select

from pxrules.board.compare import score_evidence
from pxrules.evidence import parse_evidence
from pxrules.scoring.due import DEFAULT_WITHIN, VALIDITY, validity
from pxrules.store.records import latest_assessment
from pxrules.store.repo import EvidenceRecord, list_evidence
from pxrules.store.tables import EvidenceWithdrawal


@dataclass(frozen=True)
class RegisterFilter:
    """What the register is narrowed to (None: no narrowing)."""

    kind: str | None = None
    sub_requirement: str | None = None
    start: dt.date | None = None  # items whose period ends on or after this
    end: dt.date | None = None  # items whose period starts on or before this
    validity: str | None = None
    text: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "sub_requirement": self.sub_requirement,
            "from": None if self.start is None else self.start.isoformat(),
            "to": None if self.end is None else self.end.isoformat(),
            "validity": self.validity,
            "text": self.text,
        }


def withdrawn_ids(session: Session, records: Iterable[EvidenceRecord]) -> set[str]:
    """The ids among `records` (latest versions) whose latest version is withdrawn."""
    latest = {r.evidence_id: r.version for r in records}
    out: set[str] = set()
    for row in session.exec(select(EvidenceWithdrawal)).all():
        if row.evidence_id in latest and row.version >= latest[row.evidence_id]:
            out.add(row.evidence_id)
    return out


def register_entry(record: EvidenceRecord, state: str) -> dict[str, Any]:
    """One line of the register: `evidence list --json`'s keys plus the source's title and the validity."""
    source = record.payload.get("source") or {}
    return {
        **record.summary(),
        "title": source.get("title", ""),
        "reference": source.get("reference"),
        "validity": state,
    }


def cited_for(session: Session, org: str, sub_requirement: str) -> set[str] | None:
    """The evidence ids the latest assessment of `org` cites for the sub-requirement (None: no assessment)."""
    record = latest_assessment(org, session=session)
    if record is None:
        return None
    for score in record.result["scores"]:
        if score["id"] == sub_requirement:
            return set(score_evidence(score))
    return set()


def register(
    session: Session, org: str, *, as_of: dt.date, where: RegisterFilter, within: int = DEFAULT_WITHIN
) -> list[dict[str, Any]]:
    """The organisation's items (latest versions, national benchmarks included) that pass the filter."""
    if where.validity is not None and where.validity not in VALIDITY:
        raise ValueError(f"validity {where.validity!r} is not one of {', '.join(VALIDITY)}")
    records = list_evidence(session=session, org=org, kind=where.kind)
    if where.kind in (None, "benchmark") and (where.kind or where.sub_requirement or where.text):
        # National benchmarks are shared by every trust: listed when asked for, not in the trust's own list.
        records += [r for r in list_evidence(session=session, kind="benchmark") if r.org is None]
    withdrawn = withdrawn_ids(session, records)
    cited = None if where.sub_requirement is None else cited_for(session, org, where.sub_requirement) or set()
    needle = (where.text or "").strip().casefold()
    out = []
    for record in records:
        if cited is not None and record.evidence_id not in cited:
            continue
        if where.start is not None and record.period_end < where.start:
            continue
        if where.end is not None and record.period_start > where.end:
            continue
        state = validity(parse_evidence(record.payload), as_of, withdrawn=record.evidence_id in withdrawn,
                         within=within)  # fmt: skip
        if where.validity is not None and state != where.validity:
            continue
        entry = register_entry(record, state)
        if needle and not any(needle in str(entry.get(k) or "").casefold() for k in ("id", "title", "reference")):
            continue
        out.append(entry)
    out.sort(key=lambda e: (e["period_end"], e["id"]), reverse=True)
    return out
