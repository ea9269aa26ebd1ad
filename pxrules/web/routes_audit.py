"""The audit trail: an organisation's events (leads), one item's history (contributors), the chain check
(administrators), read through the same library as `audit log` and `audit verify`."""

from __future__ import annotations

from enum import Enum
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from sqlmodel import select

from pxrules.audit.verify import verify_store
from pxrules.errors import NotFoundError
from pxrules.store.audit_chain import list_events
from pxrules.store.db import unit_of_work
from pxrules.store.repo import evidence_history
from pxrules.store.tables import EvidenceRow, EvidenceWithdrawal
from pxrules.web.auth import Auth, config_of, in_scope, need, signed_in
from pxrules.web.render import render

router = APIRouter()
TAGS: list[str | Enum] = ["audit"]
LIMIT = 200
ITEM_ACTIONS = ("evidence.import", "evidence.correct", "evidence.withdraw")


def item_events(url: str, org: str, evidence_id: str) -> list[dict[str, Any]] | None:
    """Events that wrote any version or withdrawal of an item of `org` (`audit log --json` keys); None when
    `org` has no such item (national benchmarks belong to every organisation)."""
    with unit_of_work(url) as session:
        try:
            history = evidence_history(evidence_id, session=session)
        except NotFoundError:
            return None
        item_org = history[-1].org
        if item_org not in (org, None):
            return None
        rows = set(session.exec(select(EvidenceRow.row).where(EvidenceRow.evidence_id == evidence_id)))
        withdrawn = set(
            session.exec(select(EvidenceWithdrawal.id).where(EvidenceWithdrawal.evidence_id == evidence_id))
        )
        if item_org is not None:
            events = list_events(session, org=item_org)
        else:
            events = [e for action in ITEM_ACTIONS for e in list_events(session, action=action)]
    out = []
    for event in sorted(events, key=lambda e: e.seq):
        if rows & set(event.refs.get("evidence", [])) or withdrawn & set(event.refs.get("evidence_withdrawal", [])):
            out.append(event.as_dict())
    return out


def audit_data(request: Request, auth: Auth, code: str, item: str | None) -> dict[str, Any]:
    in_scope(request, auth, code)
    url = config_of(request).db_url
    if item:
        need(auth, "contributor")
        events = item_events(url, code, item)
        if events is None:
            raise HTTPException(404)
        return {"organisation": code, "item": item, "events": events}
    need(auth, "lead")
    with unit_of_work(url) as session:
        records = list_events(session, org=code, limit=LIMIT)
    return {"organisation": code, "item": None, "events": [e.as_dict() for e in reversed(records)]}


@router.get("/orgs/{code}/audit", include_in_schema=False)
def audit(request: Request, code: str, item: str | None = Query(None, max_length=128),
          auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    data = audit_data(request, auth, code, item)
    org = {"code": code, "name": in_scope(request, auth, code)}
    return render(request, "audit.html.j2", org=org, d=data, limit=LIMIT)


@router.get("/api/orgs/{code}/audit", tags=TAGS, summary="Audit events of an organisation, or of one item (`?item=ID`)")
def api_audit(request: Request, code: str, item: str | None = Query(None, max_length=128),
              auth: Auth = Depends(signed_in)) -> dict[str, Any]:  # fmt: skip
    return audit_data(request, auth, code, item)


def chain_data(request: Request, auth: Auth) -> dict[str, Any]:
    need(auth, "admin")
    return verify_store(config_of(request).db_url).as_dict()


@router.get("/admin/chain", include_in_schema=False)
def chain(request: Request, auth: Auth = Depends(signed_in)) -> Response:
    return render(request, "chain.html.j2", d=chain_data(request, auth))


@router.get("/api/admin/chain", tags=TAGS, summary="Verify the audit chain (`audit verify --json`; administrators)")
def api_chain(request: Request, auth: Auth = Depends(signed_in)) -> dict[str, Any]:
    return chain_data(request, auth)
