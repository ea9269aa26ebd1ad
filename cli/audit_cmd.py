"""`pxrules audit`: list the audit trail, verify it (store or exported bundle), export a signed-off bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import actor, console, db_url, echo, fail, library_errors, print_json

app = typer.Typer(
    help="The tamper-evident audit trail of every write: list, verify, export.", no_args_is_help=True
)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists (never the store or an input).")]


@app.command("log")
def log(
    org: Annotated[str | None, typer.Option("--org", help="Only events about this organisation.")] = None,
    action: Annotated[
        str | None, typer.Option("--action", help="Only this action, e.g. evidence.import, assessment.save.")
    ] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help="Only the last N events.")] = None,
    as_json: JsonOption = False,
) -> None:
    """List audit events, oldest first: who wrote what, when, and the hashes that chain them."""
    from pxrules.store.services import audit_log

    with library_errors():
        events = audit_log(db_url(), org=org, action=action, limit=limit)
    if as_json:
        print_json([e.as_dict() for e in events])
        return
    if not events:
        echo("no audit events match")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(events)} event(s)", title_justify="left")
    for column in ("Seq", "When (UTC)", "Who", "Action", "Org", "Subject", "Hash"):
        table.add_column(column, overflow="fold")
    for e in events:
        table.add_row(
            str(e.seq),
            e.at.strftime("%Y-%m-%d %H:%M:%S"),
            escape(e.actor),
            e.action,
            e.org or "-",
            escape(e.subject),
            e.hash[:12],
        )
    console().print(table)


@app.command("verify")
def verify(
    bundle: Annotated[
        Path | None, typer.Option("--bundle", help="Verify this exported bundle instead of the database.")
    ] = None,
    head: Annotated[
        str | None,
        typer.Option("--head", help="A head hash recorded earlier that the chain must still contain."),
    ] = None,
    anchor: Annotated[
        list[Path] | None,
        typer.Option("--anchor", help="An anchor file (from `audit anchor`) to check; repeat for more. "
                                      "Default: the files in $PXRULES_ANCHORS."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute the chain and every content hash, and check every anchor; exit 1 naming what is broken."""
    from pxrules.audit.anchor import anchor_files
    from pxrules.audit.bundle import verify_bundle
    from pxrules.audit.verify import verify_store

    with library_errors():
        files = anchor_files(anchor)
        report = (
            verify_bundle(bundle, expect_head=head, anchors=files)
            if bundle
            else verify_store(db_url(), expect_head=head, anchors=files)
        )
    if as_json:
        print_json(report.as_dict())
        if not report.ok:
            raise typer.Exit(1)
        return
    if not report.ok:
        echo(f"error: audit trail does not verify: {report.problems[0]}", err=True)
        for problem in report.problems[1:20]:
            echo(f"  also: {problem}", err=True)
        if len(report.problems) > 20:
            echo(f"  ... and {len(report.problems) - 20} more", err=True)
        raise typer.Exit(1)
    where = f"bundle {bundle.name}" if bundle else "the store"
    echo(
        f"audit trail of {where} verified: {report.events} event(s), {report.rows} row(s) covered, "
        f"head {report.head_seq} {report.head_hash} ({report.seconds:.2f} s)"
    )
    if report.anchors:
        echo(f"  {report.anchors} anchor(s) in {len(files)} file(s) still held by the chain")
    else:
        echo("  no anchor checked: without one, a store rewritten whole with pxrules' own hashing would pass "
             "(`pxrules audit anchor FILE` records the head outside the store)")


@app.command("anchor")
def anchor_(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Anchor file outside the store (appended to).")],
    as_json: JsonOption = False,
) -> None:
    """Verify the store, then append its chain head with the time to FILE, kept somewhere else."""
    from pxrules.audit.anchor import append_anchor
    from pxrules.audit.verify import verify_store

    with library_errors():
        url = db_url()
        report = verify_store(url)
        report.raise_if_broken()
        line = append_anchor(file, report.head_seq, report.head_hash, store_url=url)
    if as_json:
        print_json({"file": str(file), "line": line, "head": {"seq": report.head_seq, "hash": report.head_hash}})
        return
    echo(f"appended to {file}: {line}")
    echo("check it later with `pxrules audit verify --anchor FILE` (or list FILE in $PXRULES_ANCHORS)")


@app.command("export")
def export(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the bundle (JSON).")],
    force: ForceOption = False,
    as_json: JsonOption = False,
) -> None:
    """Verify the store, then write a signed-off bundle (head, events, covered rows) that verifies offline."""
    from pxrules.audit.bundle import export_bundle

    if file.is_dir():
        fail(f"{file} is a folder: give a file name, e.g. audit-bundle.json")
    with library_errors():
        summary = export_bundle(db_url(), file, by=actor(), force=force)
    if as_json:
        print_json(summary.as_dict())
        return
    echo(
        f"wrote {file}: {summary.events} event(s), {summary.rows} row(s); head {summary.head_seq} "
        f"{summary.head_hash}; bundle sha256 {summary.bundle_sha256}"
    )
    echo("keep the head hash: `pxrules audit verify --head HASH` proves the chain still extends it")
