"""Signing in and out: the form (with its own CSRF token before a session exists), cookies, redirects."""

from __future__ import annotations

import hmac
import secrets

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from pxrules.accounts.sessions import ABSOLUTE
from pxrules.accounts.signin import sign_in, sign_out
from pxrules.store.db import unit_of_work
from pxrules.web.auth import COOKIE, PRE_COOKIE, config_of, lookup
from pxrules.web.render import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only a path on this site (never //host or a scheme), so the sign-in form cannot redirect elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target or len(target) > 500:
        return "/"
    return target


def _form(request: Request, *, next_path: str, email: str = "", problem: str | None = None,
          status: int = 200) -> Response:  # fmt: skip
    token = request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, "signin.html.j2", status=status, signin_csrf=token, next_path=next_path,
                      email=email, problem=problem, demo_hint=config_of(request).demo_hint)  # fmt: skip
    response.set_cookie(PRE_COOKIE, token, httponly=True, samesite="strict", secure=config_of(request).secure_cookies,
                        path="/signin")  # fmt: skip
    return response


@router.get("/signin")
def signin_page(request: Request, next: str | None = None) -> Response:
    if lookup(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, next_path=safe_next(next))


@router.post("/signin")
def signin_submit(
    request: Request,
    email: str = Form("", max_length=300),
    password: str = Form("", max_length=1024),
    csrf: str = Form("", max_length=100),
    next: str = Form("/", max_length=500),
) -> Response:
    expected = request.cookies.get(PRE_COOKIE, "")
    if not expected or not csrf or not hmac.compare_digest(expected.encode(), csrf.encode()):
        raise HTTPException(403)
    client = request.client.host if request.client else "-"
    with unit_of_work(config_of(request).db_url) as session:
        outcome = sign_in(session, email, password, client=client)
    if outcome.cookie is None:
        status = 429 if outcome.retry_after else 401
        response = _form(request, next_path=safe_next(next), email=email, problem=outcome.problem, status=status)
        if outcome.retry_after:
            response.headers["retry-after"] = str(outcome.retry_after)
        return response
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, outcome.cookie, httponly=True, samesite="lax", secure=config_of(request).secure_cookies,
                        max_age=int(ABSOLUTE.total_seconds()), path="/")  # fmt: skip
    response.delete_cookie(PRE_COOKIE, path="/signin")
    return response


@router.post("/signout")
def signout(request: Request, csrf: str = Form("", max_length=100)) -> Response:
    auth = lookup(request)
    if auth is not None and auth.cookie is not None:
        if auth.csrf is None or not hmac.compare_digest(auth.csrf.encode(), csrf.encode()):
            raise HTTPException(403)
        with unit_of_work(config_of(request).db_url) as session:
            sign_out(session, auth.cookie, auth.user)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response
