"""`pxrules scores` and `pxrules export scores`: the latest stored scores, read back without assessing again."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import console, db_url, echo, library_errors, parse_date, print_json

export_app = typer.Typer(help="Write stored results of every organisation to one file.", no_args_is_help=True)

AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="YYYY-MM-DD: the newest assessment dated on or before this (default: the newest)."),
]


def scores(
    org: Annotated[str, typer.Option("--org", help="Organisation code (ODS).")],
    as_of: AsOfOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Show an organisation's latest stored suggested and self-assessed scores (nothing is assessed again)."""
    day = parse_date(as_of)
    from pxrules.errors import NotFoundError
    from pxrules.scoring.latest import latest_scores
    from pxrules.store.db import unit_of_work
    from pxrules.store.orgs import get_org

    with library_errors():
        with unit_of_work(db_url()) as session:
            get_org(org, session=session)
            found = latest_scores(session, as_of=day, orgs=[org])[0]
        if found.assessment_id is None:
            when = f" on or before {day}" if day else ""
            raise NotFoundError(f"{org} has no stored assessment{when}: run `pxrules assess --org {org}"
                                f"{' --as-of ' + str(day) if day else ''}` first")
    if as_json:
        print_json(found.as_dict())
        return
    from rich.markup import escape
    from rich.table import Table

    echo(f"{found.code} {found.name}: assessment {found.assessment_id} as of {found.as_of} "
         f"(rules {str(found.rules_hash)[:12]})"
         + (f"; self-assessment {found.self_assessment_id} as of {found.self_as_of}" if found.self_as_of else
            "; no self-assessment"))
    table = Table(title_justify="left")
    for column in ("Sub-req", "Suggested", "Board", "Why"):
        table.add_column(column)
    for r in found.rows:
        suggested = "not assessed" if r.suggested is None else f"{r.suggested}" + (" (capped)" if r.capped else "")
        board = "-" if r.self_assessed is None else str(r.self_assessed)
        table.add_row(r.sub_requirement, suggested, board, escape(r.reasons[0] if r.reasons else ""))
    console().print(table)


@export_app.command("scores")
def export_scores(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    as_of: AsOfOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists (never the store).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print {path, format, organisations, ...} as JSON.")] = False,
) -> None:
    """Write every organisation's latest suggested and self-assessed score per sub-requirement, with reasons."""
    day = parse_date(as_of)
    from pxrules.reports.scores_export import export_scores as write

    with library_errors():
        done = write(db_url(), output, fmt, as_of=day, force=force)
    if as_json:
        print_json(done.as_dict())
        return
    echo(f"wrote {done.path}: {done.rows} rows, {done.organisations} organisation(s), {done.assessed} assessed")
