"""What can be done to a stored item from its page (withdraw with a reason, set its owner and review date),
its attachment's download (always as a file, never shown in the browser), and running an assessment."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from pxrules.accounts.owners import check_owner
from pxrules.common.dates import DateError, parse_date
from pxrules.errors import NotFoundError, PxRulesError
from pxrules.scoring.stored import run_assessment
from pxrules.store.amend import withdraw_evidence
from pxrules.store.attachments import AttachmentMissing
from pxrules.store.db import unit_of_work
from pxrules.store.owners import set_evidence_owner
from pxrules.web import evidence_views
from pxrules.web.auth import Auth, check_csrf, config_of, in_scope, need, signed_in
from pxrules.web.render import render
from pxrules.web.routes_evidence import item_data, item_page

router = APIRouter()


def _item_of(request: Request, auth: Auth, code: str, evidence_id: str, role: str, csrf: str) -> None:
    need(auth, role)
    item = item_data(request, auth, code, evidence_id)  # 404 unless an item of this organisation
    if item.get("org") != code:
        raise HTTPException(404)  # a national benchmark is changed with the command line
    check_csrf(auth, csrf)


@router.post("/orgs/{code}/evidence/{evidence_id}/withdraw", include_in_schema=False)
def withdraw(request: Request, code: str, evidence_id: str, csrf: str = Form(""), reason: str = Form(""),
             auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    _item_of(request, auth, code, evidence_id, "contributor", csrf)
    problem = None
    if not reason.strip():
        problem = "Say why the item is withdrawn (for example, recorded for the wrong meeting)."
    else:
        try:
            with unit_of_work(config_of(request).db_url) as session:
                withdraw_evidence(evidence_id, reason=reason, session=session, by=auth.user.email)
        except PxRulesError as exc:
            problem = str(exc)
    if problem:
        return item_page(request, auth, code, evidence_id, problems={"reason": problem}, typed={"reason": reason},
                         status=422)  # fmt: skip
    return RedirectResponse(f"/orgs/{code}/evidence/{quote(evidence_id)}?done=withdrawn", status_code=303)


@router.post("/orgs/{code}/evidence/{evidence_id}/owner", include_in_schema=False)
def set_owner(request: Request, code: str, evidence_id: str, csrf: str = Form(""), owner: str = Form(""),
              review: str = Form(""), auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    _item_of(request, auth, code, evidence_id, "lead", csrf)
    problems: dict[str, str] = {}
    day = None
    if review.strip():
        try:
            day = parse_date(review)
        except DateError as exc:
            problems["review"] = str(exc)
    if not problems:
        try:
            with unit_of_work(config_of(request).db_url) as session:
                name = check_owner(owner, session=session, org=code)
                set_evidence_owner(evidence_id, session=session, by=auth.user.email, owner=name, review_date=day,
                                   clear_review=day is None)  # fmt: skip
        except PxRulesError as exc:
            problems["owner"] = str(exc)
    if problems:
        return item_page(request, auth, code, evidence_id, problems=problems, status=422,
                         typed={"owner": owner, "review": review})  # fmt: skip
    return RedirectResponse(f"/orgs/{code}/evidence/{quote(evidence_id)}?done=owner", status_code=303)


def safe_file_name(name: str) -> str:
    """An ASCII name for Content-Disposition's filename= (the full name goes in filename*=)."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._ -]", "_", plain).strip(" .") or "attachment"
    return plain[:150]


@router.get("/orgs/{code}/attachments/{sha256}", include_in_schema=False)
def download(request: Request, code: str, sha256: str, auth: Auth = Depends(signed_in)) -> Response:
    in_scope(request, auth, code)
    try:
        found = evidence_views.attachment_file(config_of(request).db_url, code, sha256)
    except AttachmentMissing:
        message = ("This file is missing from the store or no longer matches its sha256, so it is not handed out. "
                   "Tell your administrator: `pxrules audit verify` reports it.")  # fmt: skip
        return render(request, "error.html.j2", status=500, code=500, message=message, reference=None)
    if found is None:
        raise HTTPException(404)
    record, data = found
    name = record.file_name
    disposition = f"attachment; filename=\"{safe_file_name(name)}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(data, media_type=record.media_type, headers={
        "content-disposition": disposition, "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox", "cache-control": "no-store"})  # fmt: skip


@router.post("/orgs/{code}/assess", include_in_schema=False)
def assess(request: Request, code: str, csrf: str = Form(""), as_of: str = Form(""),
           auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    need(auth, "lead")
    in_scope(request, auth, code)
    check_csrf(auth, csrf)
    try:
        day = parse_date(as_of) if as_of.strip() else dt.date.today()
    except DateError:
        return RedirectResponse(f"/orgs/{code}?done=assess-bad-date", status_code=303)
    if day > dt.date.today():
        return RedirectResponse(f"/orgs/{code}?done=assess-future", status_code=303)
    try:
        run_assessment(config_of(request).db_url, code, day, by=auth.user.email)
    except NotFoundError:
        raise HTTPException(404) from None
    return RedirectResponse(f"/orgs/{code}?done=assessed", status_code=303)
