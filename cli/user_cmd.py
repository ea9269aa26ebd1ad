"""`pxrules user`: the accounts of the web workspace, their roles and the organisations each may see."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from cli.common import actor, console, db_url, fail, library_errors, print_json

app = typer.Typer(help="Accounts of the web workspace (`pxrules serve`): add, list, disable, reset.",
                  no_args_is_help=True)  # fmt: skip

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]
Email = Annotated[str, typer.Argument(metavar="EMAIL", help="The account's email address.")]
PasswordStdin = Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")]
Generate = Annotated[bool, typer.Option("--generate", help="Make a random password and print it once.")]


def _password(from_stdin: bool, generate: bool) -> tuple[str, bool]:
    # (password, whether to print it): from stdin, generated, or typed twice at a hidden prompt.
    if from_stdin and generate:
        fail("give --password-stdin or --generate, not both")
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    if generate:
        import secrets

        return secrets.token_urlsafe(15), True
    return str(typer.prompt("Password (12 characters or more)", hide_input=True, confirmation_prompt=True)), False


@app.command("add")
def add(
    email: Email,
    name: Annotated[str, typer.Option("--name", help="The person's name.")],
    role: Annotated[str, typer.Option("--role", help="viewer, contributor, lead, executive or admin.")] = "viewer",
    org: Annotated[list[str] | None, typer.Option("--org", help="An organisation they may see (repeat).")] = None,
    all_orgs: Annotated[bool, typer.Option("--all-orgs", help="Every organisation (admins have it anyway).")] = False,
    password_stdin: PasswordStdin = False,
    generate: Generate = False,
    as_json: JsonOpt = False,
) -> None:
    """Add an account: a role, and the organisations it may see (anything else is 'not found' to it)."""
    password, show = _password(password_stdin, generate)
    with library_errors():
        from pxrules.accounts.users import ALL_ORGS, add_user
        from pxrules.store.db import unit_of_work

        with unit_of_work(db_url()) as session:
            record = add_user(session, email, name=name, role=role, orgs=[ALL_ORGS] if all_orgs else (org or []),
                              password=password, by=actor())  # fmt: skip
    data = {**record.as_dict(), **({"password": password} if show else {})}
    if as_json:
        print_json(data)
        return
    scope = "every organisation" if record.all_orgs else (", ".join(record.orgs) or "no organisation yet")
    typer.echo(f"added {record.email} ({record.name}), {record.role} of {scope}")
    if show:
        typer.echo(f"password (shown once): {password}")


@app.command("list")
def list_(as_json: JsonOpt = False) -> None:
    """List the accounts (their current role, scope and state)."""
    with library_errors():
        from pxrules.accounts.users import list_users
        from pxrules.store.db import unit_of_work

        with unit_of_work(db_url()) as session:
            users = list_users(session)
    if as_json:
        print_json([u.as_dict() for u in users])
        return
    if not users:
        typer.echo("no accounts yet: add one with `pxrules user add EMAIL --name NAME --role ROLE --org CODE`")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(users)} account(s)", title_justify="left")
    for column in ("Email", "Name", "Role", "Organisations", "State", "Changed"):
        table.add_column(column, overflow="fold")
    for u in users:
        table.add_row(escape(u.email), escape(u.name), u.role, "all" if u.all_orgs else ", ".join(u.orgs) or "-",
                      "disabled" if u.disabled else "active", u.changed_at.strftime("%Y-%m-%d %H:%M"))  # fmt: skip
    console().print(table)


def _change(email: str, as_json: bool, verb: str, **changes: object) -> None:
    with library_errors():
        from pxrules.accounts.users import change_user
        from pxrules.store.db import unit_of_work

        with unit_of_work(db_url()) as session:
            record = change_user(session, email, by=actor(), **changes)  # type: ignore[arg-type]
    if as_json:
        print_json(record.as_dict())
        return
    typer.echo(f"{verb} {record.email}")


@app.command("disable")
def disable(email: Email, as_json: JsonOpt = False) -> None:
    """Disable an account: it is signed out everywhere and its API tokens stop working."""
    _change(email, as_json, "disabled", disabled=True)


@app.command("enable")
def enable(email: Email, as_json: JsonOpt = False) -> None:
    """Enable a disabled account again."""
    _change(email, as_json, "enabled", disabled=False)


@app.command("change")
def change(
    email: Email,
    name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="A new role.")] = None,
    org: Annotated[list[str] | None, typer.Option("--org", help="The new set of organisations (repeat).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Change an account's name, role or organisations (it is signed out, to pick the change up)."""
    _change(email, as_json, "changed", name=name, role=role, orgs=org)


@app.command("reset-password")
def reset_password(
    email: Email, password_stdin: PasswordStdin = False, generate: Generate = False, as_json: JsonOpt = False
) -> None:
    """Set a new password (the account is signed out everywhere)."""
    password, show = _password(password_stdin, generate)
    with library_errors():
        from pxrules.accounts.users import change_user
        from pxrules.store.db import unit_of_work

        with unit_of_work(db_url()) as session:
            record = change_user(session, email, by=actor(), password=password)
    if as_json:
        print_json({**record.as_dict(), **({"password": password} if show else {})})
        return
    typer.echo(f"reset the password of {record.email}" + (f": {password} (shown once)" if show else ""))
