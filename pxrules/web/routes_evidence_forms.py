"""Recording evidence in the browser: choose a kind, fill in its form, correct an item with a reason.

The forms are built from the evidence models (web/forms.py) and stored by web/evidence_save.py through
the same `store_evidence` as `evidence import`, by the signed-in person; contributors and above, in scope.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from pxrules.errors import NotFoundError
from pxrules.evidence import KIND_LABELS, KIND_MODELS, KINDS
from pxrules.web.auth import Auth, check_csrf, config_of, in_scope, need, signed_in
from pxrules.web.evidence_save import latest_payload, read_upload, save_correction, save_new
from pxrules.web.forms import FormState, blank_form, filled_form
from pxrules.web.render import render

router = APIRouter()
ALLOWED_FILES = "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), plain text or CSV"
ACCEPT = ".pdf,.png,.jpg,.jpeg,.docx,.xlsx,.txt,.csv"


def kind_description(kind: str) -> str:
    """A kind in a sentence: the model's own one-line docstring."""
    return (KIND_MODELS[kind].__doc__ or "").strip().splitlines()[0]


def _contributor(request: Request, auth: Auth, code: str) -> dict[str, str]:
    need(auth, "contributor")
    return {"code": code, "name": in_scope(request, auth, code)}


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise HTTPException(404)
    return kind


def _form_page(request: Request, org: dict[str, str], state: FormState, *, action: str, evidence_id: str | None,
               reason: str = "", status: int = 200, current_file: str | None = None) -> Response:  # fmt: skip
    limit = config_of(request).attachment_max
    return render(request, "evidence_form.html.j2", status=status, org=org, state=state, action=action,
                  kind_label=KIND_LABELS[state.kind], kind_description=kind_description(state.kind),
                  evidence_id=evidence_id, reason=reason, accept=ACCEPT, allowed_files=ALLOWED_FILES,
                  current_file=current_file,
                  max_mb=max(1, round(limit / (1024 * 1024))), max_bytes=limit)  # fmt: skip


@router.get("/orgs/{code}/evidence/new", include_in_schema=False)
def choose_kind(request: Request, code: str, auth: Auth = Depends(signed_in)) -> Response:
    org = _contributor(request, auth, code)
    kinds = [{"key": k, "label": KIND_LABELS[k], "description": kind_description(k)} for k in KINDS]
    return render(request, "evidence_new.html.j2", org=org, kinds=kinds)


@router.get("/orgs/{code}/evidence/new/{kind}", include_in_schema=False)
def new_form(request: Request, code: str, kind: str, auth: Auth = Depends(signed_in)) -> Response:
    org = _contributor(request, auth, code)
    return _form_page(request, org, blank_form(_kind(kind)), action=request.url.path, evidence_id=None)


@router.post("/orgs/{code}/evidence/new/{kind}", include_in_schema=False)
async def record(request: Request, code: str, kind: str, auth: Auth = Depends(signed_in)) -> Response:
    org = _contributor(request, auth, code)
    kind = _kind(kind)
    limit = config_of(request).attachment_max
    async with request.form() as form:  # closing it removes an upload's spooled file
        check_csrf(auth, str(form.get("csrf") or ""))
        upload = await read_upload(form, "attachment", limit)
        state, stored = save_new(config_of(request).db_url, code, kind, form, upload, by=auth.user.email,
                                 limit=limit)  # fmt: skip
    if stored is None:
        return _form_page(request, org, state, action=request.url.path, evidence_id=None, status=422)
    return RedirectResponse(f"/orgs/{code}/evidence/{stored}?done=recorded", status_code=303)


def _latest(request: Request, code: str, evidence_id: str) -> tuple[str, dict[str, Any]]:
    try:
        return latest_payload(config_of(request).db_url, code, evidence_id)
    except NotFoundError:
        raise HTTPException(404) from None


@router.get("/orgs/{code}/evidence/{evidence_id}/correct", include_in_schema=False)
def correction_form(request: Request, code: str, evidence_id: str, auth: Auth = Depends(signed_in)) -> Response:
    org = _contributor(request, auth, code)
    kind, payload = _latest(request, code, evidence_id)
    return _form_page(request, org, filled_form(kind, payload), action=request.url.path, evidence_id=evidence_id,
                      current_file=(payload.get("source") or {}).get("attachment"))  # fmt: skip


@router.post("/orgs/{code}/evidence/{evidence_id}/correct", include_in_schema=False)
async def correct(request: Request, code: str, evidence_id: str, auth: Auth = Depends(signed_in)) -> Response:
    org = _contributor(request, auth, code)
    payload = _latest(request, code, evidence_id)[1]
    limit = config_of(request).attachment_max
    async with request.form() as form:
        check_csrf(auth, str(form.get("csrf") or ""))
        upload = await read_upload(form, "attachment", limit)
        state, done = save_correction(config_of(request).db_url, code, evidence_id, form, upload,
                                      by=auth.user.email, limit=limit)  # fmt: skip
        reason = str(form.get("reason") or "")
    if not done:
        return _form_page(request, org, state, action=request.url.path, evidence_id=evidence_id, reason=reason,
                          status=422, current_file=(payload.get("source") or {}).get("attachment"))  # fmt: skip
    return RedirectResponse(f"/orgs/{code}/evidence/{evidence_id}?done=corrected", status_code=303)
