"""`pxrules action`: the board's planned actions, each with an owner, a due date, a status and a history."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from cli.common import actor, console, db_url, echo, fail, library_errors, parse_date, print_json

app = typer.Typer(help="Planned actions: owners, due dates, status (open, in progress, done).", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]
StatusOption = Annotated[str | None, typer.Option("--status", help="open, 'in progress' or done.")]


def _table(records: list[object], today: dt.date) -> None:
    from rich.markup import escape
    from rich.table import Table

    from pxrules.common.dates import uk
    from pxrules.store.actions import ActionRecord

    table = Table(title=f"{len(records)} action(s)", title_justify="left")
    for column in ("#", "Org", "Sub-req", "Action", "Owner", "Due", "Status"):
        table.add_column(column, overflow="fold")
    for r in records:
        assert isinstance(r, ActionRecord)
        due = uk(r.due_date) if r.due_date else "-"
        if r.is_overdue(today):
            due = f"[bold red]{due} (overdue)[/bold red]"
        table.add_row(str(r.id), r.org, r.sub_requirement, escape(r.title), escape(r.owner or "-"), due, r.status)
    console().print(table)


@app.command("add")
def add(
    org: Annotated[str, typer.Option("--org", help="Organisation code (ODS).")],
    sub_requirement: Annotated[str | None, typer.Option("--sub", help="Sub-requirement, e.g. 3A.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="What will be done.")] = None,
    owner: Annotated[str, typer.Option("--owner", help="Owner's email address (or name).")] = "",
    due: Annotated[str | None, typer.Option("--due", help="Due date, dd/mm/yyyy.")] = None,
    from_self_assessment: Annotated[
        bool,
        typer.Option("--from-self-assessment", help="One action per planned action of the latest self-assessment."),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Add an action (or, with --from-self-assessment, one for each planned action not yet tracked)."""
    from pxrules.accounts.owners import add_owned_action, add_planned_actions

    if (from_self_assessment and (sub_requirement or title)) or (
        not from_self_assessment and not (sub_requirement and title)
    ):
        fail("give --sub and --title, or --from-self-assessment")
    day = parse_date(due, "--due", allow_future="a due date lies ahead")
    with library_errors():
        if from_self_assessment:
            added = add_planned_actions(db_url(), by=actor(), org=org)
        else:
            added = [add_owned_action(db_url(), by=actor(), org=org, sub_requirement=sub_requirement or "",
                                      title=title or "", owner=owner, due_date=day)]  # fmt: skip
    if as_json:
        print_json([a.as_dict() for a in added])
        return
    if not added:
        echo("no new planned actions to track")
    for a in added:
        echo(f"added {a.line()}" + (f" (owner {a.owner})" if a.owner else ""))


@app.command("update")
def update(
    action_id: Annotated[int, typer.Argument(metavar="ID", help="Action number.")],
    status: StatusOption = None,
    owner: Annotated[str | None, typer.Option("--owner", help="New owner.")] = None,
    due: Annotated[str | None, typer.Option("--due", help="New due date, dd/mm/yyyy.")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Progress note.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Change an action's status, owner, due date or note (a new version; the old one stays in its history)."""
    from pxrules.accounts.owners import update_owned_action

    changes: dict[str, object] = {"status": status, "note": note}
    if due is not None:
        changes["due_date"] = parse_date(due, "--due", allow_future="a due date lies ahead")
    with library_errors():
        record = update_owned_action(db_url(), action_id, by=actor(), owner=owner, **changes)
    if as_json:
        print_json(record.as_dict())
        return
    echo(f"{record.line()} (version {record.version})")


@app.command("list")
def list_(
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    owner: Annotated[str | None, typer.Option("--owner", help="Only this owner's actions.")] = None,
    mine: Annotated[bool, typer.Option("--mine", help="Only mine (--by, $PXRULES_BY or the OS user).")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only overdue actions.")] = False,
    due_within: Annotated[int | None, typer.Option("--due-within", min=0, help="Due within N days.")] = None,
    status: StatusOption = None,
    every: Annotated[bool, typer.Option("--all", help="Done actions too.")] = False,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Today's date for overdue (default today).")] = None,
    as_json: JsonOption = False,
) -> None:
    """List actions (open and in progress unless --all or --status), soonest due first."""
    from pxrules.store.actions import list_actions
    from pxrules.store.db import unit_of_work

    today = parse_date(as_of) or dt.date.today()
    who = actor() if mine else owner
    with library_errors(), unit_of_work(db_url()) as session:
        records = list_actions(session=session, org=org, owner=who, overdue=overdue, due_within=due_within,
                               status=[status] if status else None, today=today, include_done=every)  # fmt: skip
    if as_json:
        print_json([r.as_dict(today) for r in records])
        return
    if not records:
        echo("no actions match")
        return
    _table(list(records), today)


@app.command("history")
def history(
    action_id: Annotated[int, typer.Argument(metavar="ID", help="Action number.")],
    as_json: JsonOption = False,
) -> None:
    """Every version of an action: who changed what, and when."""
    from pxrules.store.actions import action_history
    from pxrules.store.db import unit_of_work

    with library_errors(), unit_of_work(db_url()) as session:
        versions = action_history(action_id, session=session)
    if as_json:
        print_json([v.as_dict() for v in versions])
        return
    for v in versions:
        echo(f"v{v.version} {v.changed_at:%d/%m/%Y %H:%M} by {v.changed_by}: {v.line()}"
             + (f" (owner {v.owner})" if v.owner else "") + (f" - {v.note}" if v.note else ""))  # fmt: skip
