"""`pxrules org`: register the organisations (by ODS code) that evidence and assessments are about."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import actor, console, db_url, echo, library_errors, print_json

app = typer.Typer(
    help="Organisations (NHS trusts by ODS code) that evidence is recorded for.", no_args_is_help=True
)

_TYPES = "acute, community, mental-health, ambulance or other"


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="ODS code, e.g. RX1 (2-12 upper-case letters or digits).")],
    name: Annotated[str, typer.Option("--name", help="The organisation's name.")],
    org_type: Annotated[str, typer.Option("--type", help=f"One of {_TYPES}.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the new organisation as JSON.")] = False,
) -> None:
    """Add an organisation."""
    from pxrules.store.services import add_organisation

    with library_errors():
        record = add_organisation(db_url(), code, name, org_type, by=actor())
    if as_json:
        print_json(record.as_dict())
        return
    echo(f"added {record.code}: {record.name} ({record.type})")


@app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array, one object each.")] = False,
) -> None:
    """List the organisations."""
    from pxrules.store.services import organisations

    with library_errors():
        records = organisations(db_url())
    if as_json:
        print_json([r.as_dict() for r in records])
        return
    if not records:
        echo("no organisations yet: add one with `pxrules org add CODE --name NAME --type TYPE`")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(records)} organisation(s)", title_justify="left")
    for column in ("Code", "Name", "Type", "Added", "By"):
        table.add_column(column)
    for r in records:
        added = r.created_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(r.code, escape(r.name), r.type, added, escape(r.created_by))
    console().print(table)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE.csv", help="CSV with a header code,name,type.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print {added, unchanged, file, sha256} as JSON.")] = False,
) -> None:
    """Register many organisations from a CSV (code, name, type) in one transaction: all or nothing."""
    from pxrules.importers.orgs_csv import import_orgs_csv

    with library_errors():
        done = import_orgs_csv(db_url(), file, by=actor())
    if as_json:
        print_json(done.as_dict())
        return
    echo(f"{done.file}: {len(done.added)} added, {len(done.unchanged)} already registered")
