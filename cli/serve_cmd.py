"""`pxrules serve`: the governance workspace in the browser (FastAPI under uvicorn; the `web` extra)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from cli.common import db_url, fail, library_errors


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1,
                                         help="Worker processes (use several on PostgreSQL).")] = 1,
    secure_cookies: Annotated[bool, typer.Option("--secure-cookies",
                                                 help="Mark cookies Secure (behind a TLS reverse proxy).")] = False,
    proxy_headers: Annotated[bool, typer.Option("--proxy-headers",
                                                help="Trust X-Forwarded-For/-Proto from 127.0.0.1 (a proxy).")] = False,
) -> None:
    """Serve the workspace: scores, explanations, evidence, comparison, trend, reports and audit."""
    try:
        import uvicorn
    except ImportError:
        fail("the web workspace needs the web extra: pip install 'pxrules[web]'")
    url = db_url()
    with library_errors():
        from pxrules.store.db import check_ready, display_url, sqlite_file

        check_ready(url)
    if workers > 1 and sqlite_file(url) is not None:
        typer.echo("note: several workers share one SQLite file; PostgreSQL suits a team better", err=True)
    # Each worker process builds its app from the environment (uvicorn imports the factory afresh).
    os.environ["PXRULES_DB"] = url
    os.environ["PXRULES_SECURE_COOKIES"] = "1" if secure_cookies else ""
    typer.echo(f"pxrules workspace on http://{host}:{port}/ ({display_url(url)}, {workers} worker(s)); Ctrl+C stops")
    uvicorn.run("pxrules.web.app:from_env", factory=True, host=host, port=port, workers=workers,
                proxy_headers=proxy_headers, forwarded_allow_ips="127.0.0.1" if proxy_headers else None,
                server_header=False, log_level="warning", access_log=False)  # fmt: skip
