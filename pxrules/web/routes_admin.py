"""Accounts in the browser, for administrators: the same library calls as `pxrules user` and `token`."""

from __future__ import annotations

import secrets
from enum import Enum
from typing import Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from pxrules.accounts.tokens import create_token, list_tokens, revoke_token
from pxrules.accounts.users import ALL_ORGS, ROLES, add_user, change_user, list_users
from pxrules.errors import PxRulesError
from pxrules.store.db import unit_of_work
from pxrules.store.repo import list_orgs
from pxrules.web.auth import Auth, check_csrf, config_of, need, signed_in
from pxrules.web.render import render

router = APIRouter()
TAGS: list[str | Enum] = ["accounts"]


def accounts_data(request: Request, auth: Auth) -> dict[str, Any]:
    need(auth, "admin")
    with unit_of_work(config_of(request).db_url) as session:
        return {
            "users": [u.as_dict() for u in list_users(session)],
            "tokens": [t.as_dict() for t in list_tokens(session)],
            "orgs": [o.as_dict() for o in list_orgs(session=session)],
        }


def _page(request: Request, auth: Auth, *, problem: str | None = None, shown: dict[str, str] | None = None,
          status: int = 200) -> Response:  # fmt: skip
    return render(request, "accounts.html.j2", status=status, d=accounts_data(request, auth), roles=ROLES,
                  problem=problem, shown=shown)  # fmt: skip


@router.get("/admin/users", include_in_schema=False)
def accounts(request: Request, auth: Auth = Depends(signed_in)) -> Response:
    return _page(request, auth)


@router.get("/api/users", tags=TAGS, summary="Accounts and API tokens (`user list --json`, `token list --json`)")
def api_accounts(request: Request, auth: Auth = Depends(signed_in)) -> dict[str, Any]:
    return accounts_data(request, auth)


def _act(request: Request, auth: Auth, csrf: str, action: Any) -> Response:
    """Check role and CSRF, run `action(session)` in one transaction; show the page with what it returns."""
    need(auth, "admin")
    check_csrf(auth, csrf)
    try:
        with unit_of_work(config_of(request).db_url) as session:
            shown = action(session)
    except PxRulesError as exc:
        return _page(request, auth, problem=str(exc), status=422)
    if shown:
        return _page(request, auth, shown=shown)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users", include_in_schema=False)
def add(request: Request, email: str = Form(..., max_length=254), name: str = Form(..., max_length=200),
        role: str = Form(..., max_length=20), orgs: list[str] = Form([]), csrf: str = Form("", max_length=100),
        auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    password = secrets.token_urlsafe(15)

    def action(session: Any) -> dict[str, str]:
        user = add_user(session, email, name=name, role=role, orgs=orgs, password=password, by=auth.user.email)
        return {"title": f"Account added for {user.email}", "secret": password,
                "note": "The first password, shown once: give it to them safely; they can be given a new one here."}

    return _act(request, auth, csrf, action)


@router.post("/admin/users/change", include_in_schema=False)
def change(request: Request, email: str = Form(..., max_length=254), role: str = Form(..., max_length=20),
           orgs: list[str] = Form([]), all_orgs: bool = Form(False), csrf: str = Form("", max_length=100),
           auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    scope = [ALL_ORGS] if all_orgs else orgs
    by = auth.user.email
    return _act(request, auth, csrf, lambda s: change_user(s, email, by=by, role=role, orgs=scope) and None)


@router.post("/admin/users/state", include_in_schema=False)
def state(request: Request, email: str = Form(..., max_length=254), disabled: bool = Form(...),
          csrf: str = Form("", max_length=100), auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    return _act(request, auth, csrf, lambda s: change_user(s, email, by=auth.user.email, disabled=disabled) and None)


@router.post("/admin/users/password", include_in_schema=False)
def password(request: Request, email: str = Form(..., max_length=254), csrf: str = Form("", max_length=100),
             auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    new = secrets.token_urlsafe(15)

    def action(session: Any) -> dict[str, str]:
        user = change_user(session, email, by=auth.user.email, password=new)
        return {"title": f"New password for {user.email}", "secret": new,
                "note": "Shown once. They are signed out everywhere until they sign in with it."}

    return _act(request, auth, csrf, action)


@router.post("/admin/tokens", include_in_schema=False)
def token(request: Request, email: str = Form(..., max_length=254), label: str = Form("API token", max_length=200),
          csrf: str = Form("", max_length=100), auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    def action(session: Any) -> dict[str, str]:
        record, secret = create_token(session, email, label=label, by=auth.user.email)
        return {"title": f"API token {record.id} for {record.email}", "secret": secret,
                "note": "Shown once: scripts send it as 'Authorization: Bearer TOKEN'. Only its hash is kept."}

    return _act(request, auth, csrf, action)


@router.post("/admin/tokens/revoke", include_in_schema=False)
def revoke(request: Request, token_id: int = Form(..., ge=1), csrf: str = Form("", max_length=100),
           auth: Auth = Depends(signed_in)) -> Response:  # fmt: skip
    return _act(request, auth, csrf, lambda s: revoke_token(s, token_id, by=auth.user.email) and None)
