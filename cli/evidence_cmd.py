"""`pxrules evidence`: import, validate, list and show items of the append-only evidence register."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer

from cli import evidence_files_cmd
from cli.common import AllowFuture, actor, console, db_url, echo, future_dates, library_errors, print_json

app = typer.Typer(
    help="The evidence register: import files, validate them, list and show items.", no_args_is_help=True
)

Files = Annotated[
    list[Path], typer.Argument(metavar="FILE...", help=".json, .yaml/.yml, .csv or .xlsx (the template) files.")
]
OrgOption = Annotated[
    str | None, typer.Option("--org", help="ODS code for items that name none (benchmarks keep none).")
]


def _pruned(data: dict[str, Any]) -> dict[str, Any]:
    # Unset optional fields would drown the ones that were recorded.
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = _pruned(value)
        if value not in (None, [], {}):
            out[key] = value
    return out


VersionOption = Annotated[int | None, typer.Option("--version", min=1, help="This version, not the latest.")]


@app.command("import")
def import_(
    files: Files,
    org: OrgOption = None,
    correct: Annotated[
        bool,
        typer.Option(
            "--correct", help="Record changed items as a new version (the old version stays readable)."
        ),
    ] = False,
    allow_future: AllowFuture = None,
    attachments: evidence_files_cmd.AttachmentsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {new, unchanged, corrected, ids}.")] = False,
) -> None:
    """Validate FILE... (and every file they attach) and add every item to the register, all or nothing."""
    from pxrules.store.attachments import attachments_folder
    from pxrules.store.db import unit_of_work
    from pxrules.store.evidence_files import import_evidence_files

    with library_errors(), future_dates(allow_future, "evidence import", org), unit_of_work(db_url()) as session:
        result = import_evidence_files(
            files, session=session, by=actor(), org=org, correct=correct, folder=attachments_folder(attachments)
        )
    if as_json:
        print_json(result.as_dict())
        return
    echo(str(result))


@app.command("validate")
def validate(
    files: Files,
    org: OrgOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {total, kinds} as JSON.")] = False,
) -> None:
    """Check FILE... without storing anything; report how many items of each kind they hold."""
    from pxrules.store.evidence_files import check_evidence_files

    with library_errors():
        items = check_evidence_files(files, org=org)
    kinds = dict(sorted(Counter(i.kind for i in items).items()))
    if as_json:
        print_json({"total": len(items), "kinds": kinds})
        return
    echo(f"{len(items)} valid item(s) in {len(files)} file(s)")
    for kind, count in kinds.items():
        echo(f"  {kind}: {count}")


@app.command("list")
def list_(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind, e.g. fft_monthly.")] = None,
    history: Annotated[bool, typer.Option("--history", help="Every version, not just the latest.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array, one object each.")] = False,
) -> None:
    """List stored evidence (the latest version of each item unless --history)."""
    from pxrules.store.services import evidence_listing

    with library_errors():
        records = evidence_listing(db_url(), org=org, kind=kind, history=history)
    if as_json:
        print_json([r.summary() for r in records])
        return
    if not records:
        echo("no evidence matches")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(records)} item(s)", title_justify="left")
    for column in ("ID", "Ver", "Org", "Kind", "Period", "Recorded", "By", "File"):
        table.add_column(column, overflow="fold")
    for r in records:
        period = (
            r.period_start.isoformat()
            if r.period_start == r.period_end
            else f"{r.period_start.isoformat()}..{r.period_end.isoformat()}"
        )
        recorded = r.recorded_at.strftime("%Y-%m-%d %H:%M")
        table.add_row(
            escape(r.evidence_id),
            str(r.version),
            r.org or "-",
            r.kind,
            period,
            recorded,
            escape(r.recorded_by),
            escape(r.import_file or "-"),
        )
    console().print(table)


@app.command("show")
def show(
    evidence_id: Annotated[str, typer.Argument(metavar="ID", help="Evidence id.")],
    version: VersionOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record and payload as JSON.")] = False,
) -> None:
    """Show one evidence item: its register columns, the number of versions, and every field."""
    from pxrules.store.services import show_evidence

    with library_errors():
        shown = show_evidence(db_url(), evidence_id, version)
    record, withdrawal = shown.record, shown.withdrawal
    data: dict[str, Any] = shown.as_dict()
    if as_json:
        print_json(data)
        return
    import yaml

    for key in (
        "id",
        "version",
        "versions",
        "org",
        "kind",
        "period_start",
        "period_end",
        "recorded_by",
        "recorded_at",
        "import_file",
        "content_hash",
    ):
        echo(f"{key + ':':14} {data[key] if data[key] is not None else '-'}")
    from pxrules.common.dates import uk

    review = shown.owner.review_date if shown.owner else None
    echo(f"{'owner:':14} {data['owner'] or '-'}")
    echo(f"{'review by:':14} {uk(review) if review else '-'}")
    if withdrawal is not None:
        echo(f"{'withdrawn:':14} v{withdrawal.version} by {withdrawal.withdrawn_by} at "
                   f"{withdrawal.withdrawn_at.isoformat()}: {withdrawal.reason}")
    fields = _pruned(record.payload)
    echo("fields:")
    text = yaml.safe_dump(fields, sort_keys=True, allow_unicode=True).rstrip()
    echo("  " + text.replace("\n", "\n  "))


@app.command("withdraw")
def withdraw(
    evidence_id: Annotated[str, typer.Argument(metavar="ID", help="Evidence id.")],
    reason: Annotated[str, typer.Option("--reason", help="Why it is withdrawn (kept in the audit trail).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the withdrawal as JSON.")] = False,
) -> None:
    """Withdraw an item: assessments stop using it; every version stays readable in `show` and the history."""
    from pxrules.store.services import withdraw as withdraw_item

    with library_errors():
        record = withdraw_item(db_url(), evidence_id, reason=reason, by=actor())
    if as_json:
        print_json(record.as_dict())
        return
    echo(f"withdrew {record.evidence_id} (up to version {record.version}): {record.reason}")


@app.command("due")
def due(
    org: Annotated[str, typer.Option("--org", help="Organisation code (ODS).")],
    within: Annotated[int, typer.Option("--within", min=0, max=36_500, help="Days ahead to look.")] = 90,
    as_of: Annotated[str | None, typer.Option("--as-of", help="From this date (default today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {lapsing, unsupported} as JSON.")] = False,
) -> None:
    """Evidence lapsing within N days (with the scores that fall); what rests on no or attestation-only."""
    from cli.due_view import show_due

    show_due(org, within, as_of, as_json)


app.command("template")(evidence_files_cmd.template)
app.command("attach")(evidence_files_cmd.attach)
app.command("download")(evidence_files_cmd.download)
app.command("owner")(evidence_files_cmd.owner)
