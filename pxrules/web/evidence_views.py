"""The register and item pages' data: the library's register, `evidence show`, history and what cites it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pxrules.board.compare import score_evidence
from pxrules.board.register import RegisterFilter, register_entry
from pxrules.board.register import register as library_register
from pxrules.errors import NotFoundError
from pxrules.evidence import parse_evidence
from pxrules.scoring.due import validity
from pxrules.store.amend import current_withdrawal, withdrawals
from pxrules.store.db import unit_of_work
from pxrules.store.records import latest_assessment
from pxrules.store.repo import evidence_history
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
    }
