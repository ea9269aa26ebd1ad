"""The evidence register (filtered as governance teams look for things) and one item with its history."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response

from pxrules.board.register import RegisterFilter
from pxrules.evidence import KINDS
from pxrules.rules.catalogue import load_catalogue
from pxrules.scoring.due import VALIDITY
from pxrules.web import evidence_views
from pxrules.web.auth import Auth, config_of, in_scope, signed_in
from pxrules.web.render import render

router = APIRouter()
TAGS: list[str | Enum] = ["evidence"]
PAGE = 100


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise HTTPException(422) from None


def _filter(kind: str | None, sub: str | None, start: str | None, end: str | None, validity: str | None,
            q: str | None) -> RegisterFilter:  # fmt: skip
    kind = kind or None
    if kind is not None and kind not in KINDS:
        raise HTTPException(422)
    sub = (sub or "").upper() or None
    if sub is not None and sub not in load_catalogue().ids:
        raise HTTPException(422)
    validity = validity or None
    if validity is not None and validity not in VALIDITY:
        raise HTTPException(422)
    return RegisterFilter(kind, sub, _date(start), _date(end), validity, (q or "").strip()[:200] or None)


def register_data(request: Request, auth: Auth, code: str, where: RegisterFilter) -> dict[str, Any]:
    in_scope(request, auth, code)
    items = evidence_views.register(config_of(request).db_url, code, where)
    return {"organisation": code, "filter": where.as_dict(), "count": len(items), "items": items}


Kind = Query(None, max_length=40, description="An evidence kind, e.g. fft_monthly")
Sub = Query(None, max_length=3, description="A sub-requirement id: the items its latest score cites")
Start = Query(None, alias="from", max_length=10, description="Items whose period ends on or after (YYYY-MM-DD)")
End = Query(None, alias="to", max_length=10, description="Items whose period starts on or before (YYYY-MM-DD)")
Valid = Query(None, max_length=12, description="in date, lapsing, lapsed or withdrawn")
Text = Query(None, max_length=200, description="Words in the id, title or reference")


@router.get("/orgs/{code}/evidence", include_in_schema=False)
def register(request: Request, code: str, kind: str | None = Kind, sub: str | None = Sub, start: str | None = Start,
             end: str | None = End, validity: str | None = Valid, q: str | None = Text,
             page: int = Query(1, ge=1, le=10_000), auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    where = _filter(kind, sub, start, end, validity, q)
    data = register_data(request, auth, code, where)
    pages = max(1, -(-data["count"] // PAGE))
    shown = data["items"][(page - 1) * PAGE : page * PAGE]
    org = {"code": code, "name": in_scope(request, auth, code)}
    asked = {"q": where.text, "kind": where.kind, "sub": where.sub_requirement, "validity": where.validity,
             "from": start, "to": end}  # fmt: skip
    query = urlencode({k: v for k, v in asked.items() if v})
    return render(request, "evidence.html.j2", org=org, d=data, shown=shown, page=min(page, pages), pages=pages,
                  query=query, kinds=KINDS, subs=load_catalogue().ids, validities=VALIDITY)  # fmt: skip


@router.get("/api/orgs/{code}/evidence", tags=TAGS, summary="The evidence register, filtered (`evidence list` keys)")
def api_register(request: Request, code: str, kind: str | None = Kind, sub: str | None = Sub,
                 start: str | None = Start, end: str | None = End, validity: str | None = Valid,
                 q: str | None = Text, auth: Auth = Depends(signed_in)) -> dict[str, Any]:  # fmt: skip
    return register_data(request, auth, code, _filter(kind, sub, start, end, validity, q))


def item_data(request: Request, auth: Auth, code: str, evidence_id: str) -> dict[str, Any]:
    in_scope(request, auth, code)
    found = evidence_views.item(config_of(request).db_url, code, evidence_id)
    if found is None:
        raise HTTPException(404)
    return found


# What a form that led back to the item page did (the message is chosen here, never taken from the URL).
DONE = {
    "recorded": "Recorded: the item is in the register, with you as the person who recorded it.",
    "corrected": "Corrected: a new version is recorded; the earlier ones stay in its history.",
    "withdrawn": "Withdrawn: assessments no longer count this item. Its versions stay readable here.",
    "owner": "The owner and review date are saved.",
}


def item_page(request: Request, auth: Auth, code: str, evidence_id: str, *, done: str | None = None,
              problems: dict[str, str] | None = None, typed: dict[str, str] | None = None,
              status: int = 200) -> Response:  # fmt: skip
    """The item page, with a banner for what was just done, or a form's problems beside its fields."""
    data = item_data(request, auth, code, evidence_id)
    org = {"code": code, "name": in_scope(request, auth, code)}
    return render(request, "item.html.j2", status=status, org=org, d=data, banner=DONE.get(done or ""),
                  problems=problems or {}, typed=typed or {})  # fmt: skip


@router.get("/orgs/{code}/evidence/{evidence_id}", include_in_schema=False)
def item(request: Request, code: str, evidence_id: str, done: str | None = Query(None, max_length=20),
         auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    return item_page(request, auth, code, evidence_id, done=done)


@router.get("/api/orgs/{code}/evidence/{evidence_id}", tags=TAGS,
            summary="One item: `evidence show --json`, its versions and the scores it supports")  # fmt: skip
def api_item(request: Request, code: str, evidence_id: str, auth: Auth = Depends(signed_in)) -> dict[str, Any]:
    return item_data(request, auth, code, evidence_id)
