"""`pxrules init`: create the store, or upgrade it to the schema this pxrules needs."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import db_url, echo, library_errors, print_json


def init(
    as_json: Annotated[bool, typer.Option("--json", help="Print {url, revision} as JSON.")] = False,
) -> None:
    """Create the database (default sqlite:///pxrules.db), or upgrade an existing one; safe to re-run."""
    from pxrules.store.db import display_url, init_db

    with library_errors():
        url = db_url()
        revision = init_db(url)
    if as_json:
        print_json({"url": display_url(url), "revision": revision})
        return
    echo(f"database ready at {display_url(url)} (schema revision {revision})")
