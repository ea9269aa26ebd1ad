"""Who is asking: a session cookie or an API token, the role a page needs, the organisation scope, CSRF.

Anything outside a user's scope, or above their role, is answered 404 exactly as a code that does not
exist, so organisation codes and pages cannot be probed. A form without the session's CSRF token is 403.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from fastapi import HTTPException, Request

from pxrules.accounts.sessions import find_session
from pxrules.accounts.tokens import user_for_token
from pxrules.accounts.users import UserRecord, find_user
from pxrules.errors import NotFoundError
from pxrules.store.db import unit_of_work
from pxrules.store.repo import get_org
from pxrules.web.config import WebConfig

COOKIE = "pxr_session"
PRE_COOKIE = "pxr_signin"  # the sign-in form's own CSRF token, before there is a session


@dataclass(frozen=True)
class Auth:
    """The signed-in account, how it signed in, and its session's CSRF token (None for API tokens)."""

    user: UserRecord
    csrf: str | None
    cookie: str | None


def config_of(request: Request) -> WebConfig:
    config = request.app.state.config
    assert isinstance(config, WebConfig)
    return config


def lookup(request: Request) -> Auth | None:
    """The account behind the request's bearer token or session cookie, or None."""
    url = config_of(request).db_url
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        with unit_of_work(url) as session:
            user = user_for_token(session, header[7:].strip())
        return None if user is None else Auth(user, None, None)
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    with unit_of_work(url) as session:
        info = find_session(session, cookie)
        found = None if info is None else find_user(session, info.email)
    if info is None or found is None or found.disabled:
        return None
    return Auth(found, info.csrf, cookie)


def signed_in(request: Request) -> Auth:
    """Dependency: the caller's account (401: a browser is sent to the sign-in page)."""
    auth = lookup(request)
    if auth is None:
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
    request.state.auth = auth
    return auth


def need(auth: Auth, role: str) -> None:
    """404 unless the account has `role` or above."""
    if not auth.user.at_least(role):
        raise HTTPException(404)


def in_scope(request: Request, auth: Auth, code: str) -> str:
    """The organisation's name when the account may see it; 404 (never 403) otherwise or when unknown."""
    if not auth.user.can_see(code):
        raise HTTPException(404)
    try:
        with unit_of_work(config_of(request).db_url) as session:
            return get_org(code, session=session).name
    except NotFoundError:
        raise HTTPException(404) from None


def check_csrf(auth: Auth, token: str) -> None:
    """403 unless the form carries this session's CSRF token (compared in constant time)."""
    if auth.csrf is None or not token or not hmac.compare_digest(auth.csrf.encode(), token.encode()):
        raise HTTPException(403)
