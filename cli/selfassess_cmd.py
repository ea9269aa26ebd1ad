"""`pxrules self-assess`: the board's own scores, in the framework's assessment-tool layout, in and out."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import AllowFuture, actor, console, db_url, echo, future_dates, library_errors, parse_date, print_json

app = typer.Typer(
    help="Self-assessments: write a template, import a filled-in file, export one back, list them.",
    no_args_is_help=True,
)

OrgOpt = Annotated[str, typer.Option("--org", help="Organisation code (ODS).")]
OutOpt = Annotated[Path, typer.Option("-o", "--output", help="File to write: .xlsx or .csv.")]
ShowOpt = Annotated[
    bool,
    typer.Option(
        "--show-suggested/--hide-suggested",
        help="Add the evidence-backed suggested scores (read-only, last columns); hidden by default so a "
        "board's first pass is its own.",
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Replace the file if it exists (never the store).")]


@app.command("template")
def template(
    org: OrgOpt,
    output: OutOpt,
    show_suggested: ShowOpt = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Write the 57 rows for the board to fill in (its own columns first, the 0-5 scale on a sheet of its own
    and in every row); the evidence-backed suggestions are hidden unless --show-suggested."""
    with library_errors():
        from pxrules.board.selfassess import write_template

        path = write_template(db_url(), org, output, force=force, show_suggested=show_suggested)
    if as_json:
        print_json({"organisation": org, "path": str(path)})
        return
    echo(
        f"wrote {path}: fill in the white columns, then `pxrules self-assess import {path.name} --org {org}`"
    )


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A filled-in .xlsx or .csv.")],
    org: OrgOpt,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Date of the self-assessment (default today).")
    ] = None,
    allow_future: AllowFuture = None,
    as_json: JsonOpt = False,
) -> None:
    """Import a filled-in self-assessment, all or nothing; each import is kept as a dated record."""
    day = parse_date(as_of, allow_future=allow_future)
    with library_errors(), future_dates(allow_future, "self-assess import", org):
        from pxrules.board.selfassess import already_imported, import_self_assessment
        from pxrules.board.selfassess_file import summary

        again = already_imported(db_url(), org, file) is not None
        record = import_self_assessment(db_url(), file, org, as_of=day, by=actor())
    data = summary(record)
    if as_json:
        print_json({**data, "already_imported": again})
        return
    if again:
        echo(
            f"{file.name} was already imported as self-assessment {record.id} of {org} (as of {data['as_of']}, "
            f"same file by its sha256): no second record"
        )
        return
    echo(
        f"imported self-assessment {record.id} of {org} as of {data['as_of']}: "
        f"{data['scored']} of {data['rows']} scored, mean {data['mean_score']}"
    )


@app.command("export")
def export(
    org: OrgOpt,
    output: OutOpt,
    self_id: Annotated[
        int | None, typer.Option("--id", help="Self-assessment id (default the latest).")
    ] = None,
    show_suggested: ShowOpt = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Write a stored self-assessment back out in the template's layout."""
    with library_errors():
        from pxrules.board.selfassess import export_self_assessment

        record = export_self_assessment(
            db_url(), org, output, self_id, force=force, show_suggested=show_suggested
        )
    if as_json:
        print_json({"organisation": org, "id": record.id, "path": str(output)})
        return
    echo(f"wrote self-assessment {record.id} (as of {record.as_of.isoformat()}) to {output}")


def _signed(step: dict[str, Any] | None) -> str:
    from rich.markup import escape

    return "–" if step is None else escape(f"{step['by']}, hash {step['content_hash']}")


@app.command("list")
def list_(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """List the stored self-assessments of an organisation, oldest first."""
    with library_errors():
        from pxrules.board.review import sign_offs
        from pxrules.board.selfassess import self_assessments
        from pxrules.board.selfassess_file import summary

        signed = sign_offs(db_url(), org)
        records = [{**summary(r), "signed_off": signed[r.id].as_dict() if r.id in signed else None}
                   for r in self_assessments(db_url(), org)]  # fmt: skip
    if as_json:
        print_json(records)
        return
    if not records:
        echo(f"{org} has no self-assessment yet: start from `pxrules self-assess template --org {org}`")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(records)} self-assessment(s) of {org}", title_justify="left")
    for column in ("Id", "As of", "Scored", "Mean", "File", "Imported", "By", "Signed off"):
        table.add_column(column)
    for r in records:
        table.add_row(
            str(r["id"]),
            r["as_of"],
            f"{r['scored']}/{r['rows']}",
            str(r["mean_score"]),
            escape(r["source_file"]),
            r["imported_at"][:16].replace("T", " "),
            escape(r["imported_by"]),
            _signed(r["signed_off"]),
        )
    console().print(table)
