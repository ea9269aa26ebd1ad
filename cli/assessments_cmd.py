"""`pxrules assessments`: the stored assessments of an organisation, with the ids that pin a report."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import console, db_url, echo, library_errors, print_json

app = typer.Typer(
    help="Stored assessments: list them (ids for report, compare and trend --assessment).", no_args_is_help=True
)


@app.command("list")
def list_(
    org: Annotated[str, typer.Option("--org", help="Organisation code (ODS).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """List the assessments of an organisation, oldest first: id, as-of date, rules hash, who ran it."""
    with library_errors():
        from pxrules.board.pairing import assessment_summaries

        records = assessment_summaries(db_url(), org)
    if as_json:
        print_json(records)
        return
    if not records:
        echo(f"{org} has no stored assessment: run `pxrules assess --org {org} --as-of DATE`")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(records)} assessment(s) of {org}", title_justify="left")
    for column in ("Id", "As of", "Rules", "Mean", "Run", "By"):
        table.add_column(column)
    for r in records:
        table.add_row(
            str(r["id"]),
            r["as_of"],
            r["rules_hash"][:12],
            f"{r['mean_suggested']:.2f}",
            r["created_at"][:16].replace("T", " "),
            escape(r["created_by"]),
        )
    console().print(table)
