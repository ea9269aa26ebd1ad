"""The web application: routers by page, security middleware, static files, error pages, API docs.

`create_app(config)` builds it (tests use it with TestClient); `from_env()` is what `pxrules serve` names
for uvicorn, so every worker process builds its own from the environment.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from pxrules.reports.html import TEMPLATES as REPORT_TEMPLATES
from pxrules.web import (
    routes_actions,
    routes_admin,
    routes_audit,
    routes_auth,
    routes_board,
    routes_evidence,
    routes_evidence_amend,
    routes_evidence_forms,
    routes_org,
    routes_selfassess,
    routes_selfassess_lines,
    routes_uploads,
)
from pxrules.web.auth import Auth, lookup, signed_in
from pxrules.web.config import WebConfig
from pxrules.web.render import STATIC, render
from pxrules.web.security import BodyLimit, SecurityHeaders, install_error_pages, too_large_message, wants_json

# The routes that take a file (an attachment or an evidence workbook): only these may exceed MAX_BODY.
UPLOAD_PATHS = re.compile(r"^/orgs/[^/]+/evidence/(?:new/[^/]+|[^/]+/correct|upload)$")
DESCRIPTION = (
    "The pxrules governance workspace's JSON API. Every page of the workspace is also here, with the same keys "
    "as the command line's `--json`. Authenticate with `Authorization: Bearer TOKEN` (`pxrules token create "
    "--user EMAIL`) or a signed-in session. Organisations outside your scope answer 404."
)


def create_app(config: WebConfig) -> FastAPI:
    """The application over the store `config.db_url` (which must be initialised)."""
    app = FastAPI(title="pxrules workspace", version="1", description=DESCRIPTION, docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")  # fmt: skip
    app.state.config = config
    # The evidence forms' fixed paths (/evidence/new, /evidence/upload) come before the item page's /{id}.
    for module in (routes_auth, routes_org, routes_evidence_forms, routes_uploads, routes_evidence_amend,
                   routes_evidence, routes_board, routes_selfassess, routes_selfassess_lines, routes_audit,
                   routes_admin, routes_actions):  # fmt: skip
        app.include_router(module.router)

    @app.get("/static/report.css", include_in_schema=False)
    def report_css() -> Response:
        # The report's own stylesheet, served as it is (one stylesheet, not a copy).
        return FileResponse(REPORT_TEMPLATES / "report.css", media_type="text/css")

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/docs", include_in_schema=False)
    def api_docs(request: Request, auth: Auth = Depends(signed_in)) -> Response:
        return render(request, "api_docs.html.j2", spec=app.openapi())

    async def error_page(request: Request, status: int, message: str, reference: str | None) -> Response:
        if getattr(request.state, "auth", None) is None:
            try:
                request.state.auth = lookup(request)
            except Exception:
                request.state.auth = None
        return render(request, "error.html.j2", status=status, code=status, message=message, reference=reference)

    install_error_pages(app, error_page)

    async def too_large(scope: Any, limit: int, upload: bool) -> Response:
        request = Request(scope)
        message = too_large_message(limit, upload)
        if wants_json(request):
            return JSONResponse({"error": message}, status_code=413)
        return await error_page(request, 413, message, None)

    app.add_middleware(BodyLimit, limit=config.max_body, upload_limit=config.upload_body, uploads=UPLOAD_PATHS,
                       too_large=too_large, upload_shown=config.attachment_max)  # fmt: skip
    app.add_middleware(SecurityHeaders)
    return app


def from_env() -> Any:
    """uvicorn's factory: the store and settings from PXRULES_DB and PXRULES_SECURE_COOKIES."""
    return create_app(WebConfig.from_env())
