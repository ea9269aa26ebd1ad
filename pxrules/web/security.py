"""Safe by default: security headers on every response, a request size limit, and error pages that never
show a stack trace (the trace goes to the server log, the browser gets a reference to quote).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOG = logging.getLogger("pxrules.web")

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=()",
}


class SecurityHeaders:
    """Adds HEADERS to every response (and no-store to anything but static files)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = str(scope.get("path", "")).startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode("latin-1").lower() != "server"]
                present = {k.decode("latin-1").lower() for k, _ in headers}
                extra = dict(HEADERS)
                if not static:
                    extra["cache-control"] = "no-store"
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k not in present]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


TooLarge = Callable[[Scope, int, bool], Awaitable[Response]]


async def _plain_too_large(scope: Scope, limit: int, upload: bool) -> Response:
    return PlainTextResponse("Request too large.", status_code=413)


class BodyLimit:
    """Refuses a request body over `limit` bytes with 413, whether it says its length or streams it.

    A POST to a path `uploads` matches may carry up to `upload_limit` (a file): only there. A declared
    length over the limit is answered before any of the body is read; a streamed body is counted as it
    arrives and refused at the first chunk past the limit, so an oversized upload is never held whole.
    """

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int | None = None,
                 uploads: re.Pattern[str] | None = None, too_large: TooLarge | None = None,
                 upload_shown: int | None = None) -> None:  # fmt: skip
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit if upload_limit is not None else limit
        self.uploads = uploads
        self.too_large = too_large or _plain_too_large
        self.upload_shown = upload_shown or self.upload_limit  # the file limit people are told

    def shown(self, limit: int, upload: bool) -> int:
        return self.upload_shown if upload else limit

    def limit_for(self, scope: Scope) -> tuple[int, bool]:
        path = str(scope.get("path", ""))
        upload = scope.get("method") == "POST" and self.uploads is not None and bool(self.uploads.match(path))
        return (self.upload_limit if upload else self.limit), upload

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit, upload = self.limit_for(scope)
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            response = await self.too_large(scope, self.shown(limit, upload), upload)
            response.headers["connection"] = "close"
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> MutableMapping[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > limit:
                scope.setdefault("state", {})["too_large"] = (self.shown(limit, upload), upload)
                raise StarletteHTTPException(413, "Request too large.")
            return message

        await self.app(scope, counted, send)


ErrorPage = Callable[[Request, int, str, str | None], Awaitable[Response]]

MESSAGES = {
    400: "The request was not understood.",
    401: "Please sign in.",
    403: "This form has expired or did not come from this site. Go back, reload the page and try again.",
    404: "Page not found. If you typed the web address, check it is correct.",
    405: "That cannot be done here.",
    413: "The request is too large.",
    422: "Some of what was sent is not valid.",
    429: "Too many requests: wait a minute and try again.",
    500: "Sorry, there is a problem with the service. Try again later.",
}


def too_large_message(limit: int, upload: bool) -> str:
    """What a refused body is told, in plain words (an upload's limit in megabytes)."""
    if not upload:
        return MESSAGES[413]
    megabytes = max(1, round(limit / (1024 * 1024)))
    return (f"The file is too large: an upload may be at most about {megabytes} MB. Nothing was stored. "
            "Go back and choose a smaller file (save a scan at a lower resolution, or split a spreadsheet).")


def wants_json(request: Request) -> bool:
    """API paths (and callers that ask for JSON) get JSON errors; browsers get pages."""
    return request.url.path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def _unstorable(exc: BaseException) -> bool:
    """Whether the database refused a value as out of its range or type (sent by the caller, not our fault)."""
    from sqlalchemy.exc import DataError

    # PostgreSQL says DataError; SQLite's driver raises OverflowError for an integer past 64 bits.
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, DataError | OverflowError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def install_error_pages(app: Any, page: ErrorPage) -> None:
    """HTTP errors and unexpected exceptions as plain pages or JSON, never a trace."""

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        status = exc.status_code if exc.status_code in MESSAGES else 400
        if exc.status_code == 401 and not wants_json(request):
            from starlette.responses import RedirectResponse

            return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
        message = MESSAGES[status]
        if status == 413 and "too_large" in request.scope.get("state", {}):
            message = too_large_message(*request.scope["state"]["too_large"])
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=status, headers=exc.headers)
        return await page(request, status, message, None)

    async def validation_error(request: Request, exc: Exception) -> Response:
        if wants_json(request):
            return JSONResponse({"error": MESSAGES[422]}, status_code=422)
        return await page(request, 422, MESSAGES[422], None)

    async def unexpected(request: Request, exc: Exception) -> Response:
        if _unstorable(exc):
            # A value no column can hold (an id past the integer range, say): nothing with it exists.
            status = 404 if request.method in ("GET", "HEAD") else 422
            LOG.warning("%s %s: %s", request.method, request.url.path, exc)
            if wants_json(request):
                return JSONResponse({"error": MESSAGES[status]}, status_code=status)
            return await page(request, status, MESSAGES[status], None)
        reference = secrets.token_hex(4)
        LOG.error("error %s on %s %s", reference, request.method, request.url.path, exc_info=exc)
        if wants_json(request):
            return JSONResponse({"error": MESSAGES[500], "reference": reference}, status_code=500)
        return await page(request, 500, MESSAGES[500], reference)

    from fastapi.exceptions import RequestValidationError

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(Exception, unexpected)
