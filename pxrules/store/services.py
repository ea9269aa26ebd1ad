"""The store's commands as the CLI runs them: one function each, opening its own unit of work.

The command line parses, calls one of these (or another library function such as scoring.stored's), prints
and translates errors; it never opens a session itself. Each takes the store's URL and returns plain frozen
records, usable after the session has closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pxrules.errors import NotFoundError
from pxrules.evidence import KINDS
from pxrules.store.amend import WithdrawalRecord, current_withdrawal, withdraw_evidence
from pxrules.store.audit_chain import AuditEventRecord, list_events
from pxrules.store.db import unit_of_work
from pxrules.store.owners import OwnerRecord, owners_of
from pxrules.store.repo import (
    EvidenceRecord,
    OrgRecord,
    add_org,
    did_you_mean,
    evidence_history,
    get_evidence,
    get_org,
    list_evidence,
    list_orgs,
)


def add_organisation(url: str, code: str, name: str, org_type: str, *, by: str) -> OrgRecord:
    """`pxrules org add`: register an organisation (audited)."""
    with unit_of_work(url) as session:
        return add_org(code, name, org_type, session=session, by=by)


def organisations(url: str) -> list[OrgRecord]:
    """`pxrules org list`: every organisation, by code."""
    with unit_of_work(url) as session:
        return list_orgs(session=session)


def evidence_listing(url: str, *, org: str | None = None, kind: str | None = None,
                     history: bool = False) -> list[EvidenceRecord]:
    """`pxrules evidence list`: latest versions (or every version), optionally of one organisation or kind."""
    if kind is not None and kind not in KINDS:
        hint = did_you_mean(kind, KINDS) or f" (one of {', '.join(KINDS)})"
        raise NotFoundError(f"unknown kind {kind!r}{hint}")
    with unit_of_work(url) as session:
        if org is not None:
            get_org(org, session=session)
        return list_evidence(session=session, org=org, kind=kind, include_history=history)


@dataclass(frozen=True)
class EvidenceShown:
    """One item as `pxrules evidence show` prints it: the version asked for, how many exist, any withdrawal."""

    record: EvidenceRecord
    versions: int
    withdrawal: WithdrawalRecord | None
    owner: OwnerRecord | None = None  # who looks after it and when it is next reviewed (beside the register)

    def as_dict(self) -> dict[str, Any]:
        return {**self.record.summary(), "versions": self.versions, "payload": self.record.payload,
                "withdrawn": self.withdrawal.as_dict() if self.withdrawal else None,
                "owner": (self.owner.owner or None) if self.owner else None,
                "review_date": self.owner.review_date.isoformat() if self.owner and self.owner.review_date else None}


def show_evidence(url: str, evidence_id: str, version: int | None = None) -> EvidenceShown:
    """`pxrules evidence show`: one item (latest or given version), its version count and withdrawal."""
    with unit_of_work(url) as session:
        record = get_evidence(evidence_id, session=session, version=version)
        versions = len(evidence_history(evidence_id, session=session))
        owner = owners_of([evidence_id], session=session).get(evidence_id)
        return EvidenceShown(record, versions, current_withdrawal(evidence_id, session=session), owner)


def withdraw(url: str, evidence_id: str, *, reason: str, by: str) -> WithdrawalRecord:
    """`pxrules evidence withdraw`: withdraw every version of an item so far (audited)."""
    with unit_of_work(url) as session:
        return withdraw_evidence(evidence_id, reason=reason, session=session, by=by)


def audit_log(url: str, *, org: str | None = None, action: str | None = None,
              limit: int | None = None) -> list[AuditEventRecord]:
    """`pxrules audit log`: events oldest first, optionally about one organisation or action, or the last N."""
    with unit_of_work(url) as session:
        if org is not None:
            get_org(org, session=session)
        return list_events(session, org=org, action=action, limit=limit)
