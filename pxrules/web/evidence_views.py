"""The register and item pages' data: the library's register, `evidence show`, history and what cites it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col

from pxrules.board.compare import score_evidence
from pxrules.board.register import RegisterFilter, register_entry
from pxrules.board.register import register as library_register
from pxrules.errors import NotFoundError
from pxrules.evidence import KINDS, parse_evidence
from pxrules.scoring.due import validity
from pxrules.store.amend import current_withdrawal, withdrawals
from pxrules.store.attachments import AttachmentRecord, attachments_folder, get_attachment, read_attachment
from pxrules.store.db import unit_of_work
from pxrules.store.owners import owners_of
from pxrules.store.records import latest_assessment
from pxrules.store.repo import evidence_history
from pxrules.store.tables import EvidenceRow
from pxrules.web.views import cached


def register(url: str, org: str, where: RegisterFilter) -> list[dict[str, Any]]:
    """The filtered register as of today."""

    def build() -> list[dict[str, Any]]:
        with unit_of_work(url) as session:
            return library_register(session, org, as_of=dt.date.today(), where=where)

    result: list[dict[str, Any]] = cached(url, ("register", org, where), build)
    return result


def item(url: str, org: str, evidence_id: str) -> dict[str, Any] | None:
    """`evidence show --json` of an item of `org` (or a national benchmark), with its versions, withdrawals
    and the latest assessment's scores that cite it; None when there is no such item for `org`."""
    with unit_of_work(url) as session:
        try:
            history = evidence_history(evidence_id, session=session)
        except NotFoundError:
            return None
        latest = history[-1]
        if latest.org not in (org, None):
            return None
        withdrawal = current_withdrawal(evidence_id, session=session)
        every_withdrawal = withdrawals(evidence_id, session=session)
        assessment = latest_assessment(org, session=session)
        owner = owners_of([evidence_id], session=session).get(evidence_id)
        sha = (latest.payload.get("source") or {}).get("sha256")
        attachment = _attachment(sha, session)
    supports = []
    if assessment is not None:
        for score in assessment.result["scores"]:
            if evidence_id in score_evidence(score):
                supports.append({"id": score["id"], "suggested": score["suggested"]})
    state = validity(parse_evidence(latest.payload), dt.date.today(), withdrawn=withdrawal is not None)
    return {
        **register_entry(latest, state),
        "versions": len(history),
        "payload": latest.payload,
        "withdrawn": withdrawal.as_dict() if withdrawal else None,
        "withdrawals": [w.as_dict() for w in every_withdrawal],
        "history": [r.summary() for r in history],
        "supports": supports,
        "assessment": None if assessment is None else {"id": assessment.id, "as_of": assessment.as_of.isoformat()},
        "owner": owner.as_dict() if owner else None,
        "attachment": attachment,
        "observed": observed(latest.kind, latest.payload),
    }


_ENVELOPE = {"id", "org", "period_start", "period_end", "notes", "sub_requirements"}


def observed(kind: str, payload: dict[str, Any]) -> list[tuple[str, str]]:
    """What the item records, as (heading, value) in the words of the form and template (Yes/No, labels)."""
    from pxrules.common.dates import uk
    from pxrules.evidence.columns import columns

    shown: list[tuple[str, str]] = []
    for column in columns(kind) if kind in KINDS else ():
        if column.key in _ENVELOPE or column.key.startswith("source."):
            continue
        cell = column.cell_in(payload)
        if cell in ([], {}):
            cell = None
        if cell is not None:
            shown.append((column.heading, uk(cell) if isinstance(cell, dt.date) else str(cell)))
    for key in ("sub_requirements", "notes"):
        if payload.get(key):
            text = "; ".join(payload[key]) if isinstance(payload[key], list) else str(payload[key])
            shown.append(("Sub-requirements offered for" if key == "sub_requirements" else "Notes", text))
    return shown


def _attachment(sha: Any, session: Session) -> dict[str, Any] | None:
    """A stored attachment's description (None when the item pins no file, or a file not in the store)."""
    if not isinstance(sha, str):
        return None
    try:
        return get_attachment(sha, session=session).as_dict()
    except NotFoundError:
        return None


def attachments(url: str, shas: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The stored attachments among `shas`, by sha256."""
    found: dict[str, dict[str, Any]] = {}
    with unit_of_work(url) as session:
        for sha in sorted(set(shas)):
            described = _attachment(sha, session)
            if described is not None:
                found[sha] = described
    return found


def attachment_file(url: str, org: str, sha256: str) -> tuple[AttachmentRecord, bytes] | None:
    """The attachment's description and bytes when an item of `org` (or a national one), in any version, pins
    it; None otherwise, so a hash seen elsewhere opens nothing outside the organisation's scope."""
    key = sha256.strip().lower()
    if len(key) != 64 or any(c not in "0123456789abcdef" for c in key):
        return None
    with unit_of_work(url) as session:
        query = sa.select(EvidenceRow.payload).where(  # type: ignore[call-overload]
            sa.or_(col(EvidenceRow.org) == org, col(EvidenceRow.org).is_(None)), col(EvidenceRow.payload).contains(key))
        cited = any((json.loads(p).get("source") or {}).get("sha256") == key for p in session.execute(query).scalars())
        if not cited:
            return None
        try:
            return read_attachment(key, session=session, folder=attachments_folder())
        except NotFoundError:
            return None
