"""`pxrules schemas`: write the JSON Schema of every evidence kind, for editors and other tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import db_url, echo, library_errors, print_json

app = typer.Typer(help="JSON Schemas of the evidence kinds.", no_args_is_help=True)


@app.command("export")
def export(
    directory: Annotated[
        Path | None, typer.Option("--dir", help="Folder to write (default: the bundled evidence_schemas/).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace schema files that differ (unchanged ones are left alone).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the files written as JSON.")] = False,
) -> None:
    """Write <kind>.schema.json for every kind, plus evidence.schema.json for any item."""
    from pxrules.evidence.schema import export_schemas
    from pxrules.paths import schemas_dir

    target = directory if directory is not None else schemas_dir()
    with library_errors():
        try:
            written = export_schemas(target, force=force, store_url=db_url())
        except OSError as exc:
            from pxrules.errors import PxRulesError

            raise PxRulesError(f"cannot write schemas to {target}: {exc.strerror or exc}") from exc
    if as_json:
        print_json({"dir": str(target), "files": [p.name for p in written]})
        return
    echo(f"wrote {len(written)} schema(s) to {target}")
