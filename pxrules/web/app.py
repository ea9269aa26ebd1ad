"""The web application: routers by page, security middleware, static files, error pages, API docs.

`create_app(config)` builds it (tests use it with TestClient); `from_env()` is what `pxrules serve` names
for uvicorn, so every worker process builds its own from the environment.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import FileResponse, Response
from fastapi.staticfiles import StaticFiles

from pxrules.reports.html import TEMPLATES as REPORT_TEMPLATES
from pxrules.web import (
    routes_actions,
    routes_admin,
    routes_audit,
    routes_auth,
    routes_board,
    routes_evidence,
    routes_org,
    routes_selfassess,
    routes_selfassess_lines,
)
from pxrules.web.auth import Auth, lookup, signed_in
from pxrules.web.config import WebConfig
from pxrules.web.render import STATIC, render
from pxrules.web.security import BodyLimit, SecurityHeaders, install_error_pages

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
    for module in (routes_auth, routes_org, routes_evidence, routes_board, routes_selfassess, routes_selfassess_lines,
                   routes_audit, routes_admin, routes_actions):
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
    app.add_middleware(BodyLimit, limit=config.max_body)
    app.add_middleware(SecurityHeaders)
    return app


def from_env() -> Any:
    """uvicorn's factory: the store and settings from PXRULES_DB and PXRULES_SECURE_COOKIES."""
    return create_app(WebConfig.from_env())
