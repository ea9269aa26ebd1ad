"""The board's self-assessment in the workspace: its versions, one version's overview and review (reveal,
submit, return, sign off), over `pxrules.board.review`; the lines themselves are in routes_selfassess_lines.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from pxrules.board import review
from pxrules.board.scale import FRAMEWORK_ON_SCORING, SCALE
from pxrules.common.dates import DateError, parse_date
from pxrules.errors import NotFoundError, PxRulesError
from pxrules.rules.catalogue import load_catalogue
from pxrules.store.drafts import DraftRecord
from pxrules.web import views
from pxrules.web.auth import Auth, check_csrf, config_of, in_scope, need, signed_in
from pxrules.web.render import render

router = APIRouter()
TAGS: list[str | Enum] = ["self-assessment"]
STATUS_WORDS = {"draft": "Being written", "submitted": "Submitted for review", "returned": "Returned for changes",
                "signed": "Signed off"}  # fmt: skip


def base_of(code: str, draft_id: int | None = None) -> str:
    return f"/orgs/{code}/self-assessment" + ("" if draft_id is None else f"/{draft_id}")


def version_of(request: Request, auth: Auth, code: str, draft_id: int) -> DraftRecord:
    """The version, for an account that may see its organisation (404 otherwise, and for another's)."""
    in_scope(request, auth, code)
    try:
        return review.draft(config_of(request).db_url, code, draft_id)
    except NotFoundError:
        raise HTTPException(404) from None


def may_sign(auth: Auth, record: DraftRecord) -> bool:
    """An executive (or above) who did not submit this version, while it is submitted."""
    submitted = record.last("submitted")
    return (record.status == "submitted" and auth.user.at_least("executive")
            and (submitted is None or submitted.by.lower() != auth.user.email.lower()))  # fmt: skip


def version_data(request: Request, record: DraftRecord) -> dict[str, Any]:
    """A version (`as_dict`) and, unless the suggestions are hidden, its comparison with the evidence."""
    data = record.as_dict()
    data["suggestions_hidden"] = record.suggestions_hidden
    data["compare"] = None if record.suggestions_hidden else views.draft_comparison(config_of(request).db_url,
                                                                                    record)  # fmt: skip
    return data


def _versions(request: Request, auth: Auth, code: str) -> list[DraftRecord]:
    in_scope(request, auth, code)
    return review.drafts(config_of(request).db_url, code)


@router.get("/orgs/{code}/self-assessment", include_in_schema=False)
def versions(request: Request, code: str, auth: Auth = Depends(signed_in)) -> Response:
    return _list_page(request, auth, code)


def _list_page(request: Request, auth: Auth, code: str, *, problem: dict[str, str] | None = None,
               typed: dict[str, str] | None = None, status: int = 200) -> Response:  # fmt: skip
    found = _versions(request, auth, code)
    org = {"code": code, "name": in_scope(request, auth, code)}
    return render(request, "sa_list.html.j2", status=status, org=org, versions=found, words=STATUS_WORDS,
                  open=next((v for v in found if v.status != "signed"), None), problem=problem or {},
                  typed=typed or {"as_of": dt.date.today().strftime("%d/%m/%Y")})  # fmt: skip


@router.get("/api/orgs/{code}/self-assessment", tags=TAGS, summary="Self-assessment versions written here")
def api_versions(request: Request, code: str, auth: Auth = Depends(signed_in)) -> list[dict[str, Any]]:
    return [v.as_dict(with_rows=False) for v in _versions(request, auth, code)]


@router.post("/orgs/{code}/self-assessment", include_in_schema=False)
def start(request: Request, code: str, as_of: str = Form("", max_length=40), hide: bool = Form(False),
          carry_over: bool = Form(False), csrf: str = Form("", max_length=100),
          auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    in_scope(request, auth, code)
    need(auth, "lead")
    check_csrf(auth, csrf)
    typed = {"as_of": as_of, "hide": "1" if hide else "", "carry_over": "1" if carry_over else ""}
    try:
        day = parse_date(as_of)
    except DateError as exc:
        return _list_page(request, auth, code, problem={"as_of": str(exc)}, typed=typed, status=422)
    try:
        record = review.start(config_of(request).db_url, code, by=auth.user.email, by_name=auth.user.name,
                              as_of=day, hide_suggestions=hide, carry_over=carry_over)  # fmt: skip
    except PxRulesError as exc:
        return _list_page(request, auth, code, problem={"form": str(exc)}, typed=typed, status=422)
    return RedirectResponse(base_of(code, record.id), status_code=303)


def version_page(request: Request, auth: Auth, code: str, draft_id: int, *, problem: str | None = None,
                 status: int = 200) -> Response:  # fmt: skip
    record = version_of(request, auth, code, draft_id)
    data = version_data(request, record)
    org = {"code": code, "name": in_scope(request, auth, code)}
    catalogue = load_catalogue()
    progress = [{"key": s.key, "title": s.title, "number": n, "total": sum(len(c.sub_requirements) for c in
                 s.characteristics), "scored": sum(1 for c in s.characteristics for x in c.sub_requirements
                 if record.line(x.id).score is not None)} for n, s in enumerate(catalogue.sections, 1)]  # fmt: skip
    return render(request, "sa_version.html.j2", status=status, org=org, d=data, record=record,
                  words=STATUS_WORDS, progress=progress, scale=SCALE, on_scoring=FRAMEWORK_ON_SCORING,
                  may_sign=may_sign(auth, record), problem=problem)  # fmt: skip


@router.get("/orgs/{code}/self-assessment/{draft_id}", include_in_schema=False)
def version(request: Request, code: str, draft_id: int, auth: Auth = Depends(signed_in)) -> Response:
    return version_page(request, auth, code, draft_id)


@router.get("/api/orgs/{code}/self-assessment/{draft_id}", tags=TAGS,
            summary="One version: its lines, review steps and (once revealed) the comparison (`compare --json`)")
def api_version(request: Request, code: str, draft_id: int, auth: Auth = Depends(signed_in)) -> dict[str, Any]:
    return version_data(request, version_of(request, auth, code, draft_id))


def _review(request: Request, auth: Auth, code: str, draft_id: int, csrf: str, role: str, step: Any) -> Response:
    version_of(request, auth, code, draft_id)
    need(auth, role)
    check_csrf(auth, csrf)
    try:
        step()
    except PxRulesError as exc:
        return version_page(request, auth, code, draft_id, problem=str(exc), status=422)
    return RedirectResponse(base_of(code, draft_id), status_code=303)


@router.post("/orgs/{code}/self-assessment/{draft_id}/reveal", include_in_schema=False)
def reveal(request: Request, code: str, draft_id: int, csrf: str = Form("", max_length=100),
           auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    url, who = config_of(request).db_url, auth.user
    return _review(request, auth, code, draft_id, csrf, "lead",
                   lambda: review.reveal(url, code, draft_id, by=who.email, by_name=who.name))


@router.post("/orgs/{code}/self-assessment/{draft_id}/submit", include_in_schema=False)
def submit(request: Request, code: str, draft_id: int, comment: str = Form("", max_length=5000),
           csrf: str = Form("", max_length=100), auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    url, who = config_of(request).db_url, auth.user
    return _review(request, auth, code, draft_id, csrf, "lead",
                   lambda: review.submit(url, code, draft_id, by=who.email, by_name=who.name, comment=comment))


@router.post("/orgs/{code}/self-assessment/{draft_id}/decide", include_in_schema=False)
def decide(request: Request, code: str, draft_id: int, decision: str = Form(..., max_length=10),
           comment: str = Form("", max_length=5000), csrf: str = Form("", max_length=100),
           auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    url, who = config_of(request).db_url, auth.user
    if decision not in ("sign", "return"):
        raise HTTPException(422)
    act = review.sign_off if decision == "sign" else review.send_back
    return _review(request, auth, code, draft_id, csrf, "executive",
                   lambda: act(url, code, draft_id, by=who.email, by_name=who.name, comment=comment))
