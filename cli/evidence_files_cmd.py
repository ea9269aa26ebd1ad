"""`pxrules evidence template|attach|download`: the spreadsheet template and attached files of the register.

Registered on the `evidence` group by cli/evidence_cmd.py; each command is one library call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import db_url, fail, library_errors, print_json


def template(
    kind: Annotated[str | None, typer.Argument(metavar="KIND", help="Evidence kind, e.g. board_meeting.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="The workbook to write (.xlsx).")] = Path(
        "evidence-template.xlsx"
    ),
    every: Annotated[bool, typer.Option("--all", help="One workbook with a sheet for every kind.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace OUTPUT if it exists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print {file, kinds} as JSON.")] = False,
) -> None:
    """Write an Excel template for KIND (or --all kinds): plain headings, drop-downs, a worked example."""
    from pxrules.evidence.template import write_template

    if (kind is None) == (not every):
        fail("name one KIND or give --all (not both)")
    with library_errors():
        kinds = None if every else [kind or ""]
        path = write_template(output, kinds, force=force, store_url=db_url())
    from pxrules.evidence.registry import KINDS

    written = list(KINDS) if every else [kind]
    if as_json:
        print_json({"file": str(path), "kinds": written})
        return
    typer.echo(f"wrote {path}: {len(written)} sheet(s) to fill in ({', '.join(str(k) for k in written)}), "
               f"and a Help sheet; import it with `pxrules evidence import {path.name}`")
