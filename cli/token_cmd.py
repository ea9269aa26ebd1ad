"""`pxrules token`: API tokens for scripts, sent as `Authorization: Bearer TOKEN` (only their hash is kept)."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import actor, db_url, library_errors, print_json

app = typer.Typer(help="API tokens for scripts (sent as `Authorization: Bearer TOKEN`).", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON with stable keys.")]


@app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="The account the token acts for.")],
    label: Annotated[str, typer.Option("--label", help="What it is for.")] = "API token",
    days: Annotated[int | None, typer.Option("--days", min=1, help="Expire after N days (default never).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Issue a token (printed once; only its hash is kept)."""
    with library_errors():
        from pxrules.accounts.tokens import create_token
        from pxrules.store.db import unit_of_work

        with unit_of_work(db_url()) as session:
            record, secret = create_token(session, user, label=label, by=actor(), days=days)
    if as_json:
        print_json({**record.as_dict(), "token": secret})
        return
    typer.echo(f"token {record.id} for {record.email} (shown once, keep it safe):\n{secret}")


@app.command("list")
def token_list(
    user: Annotated[str | None, typer.Option("--user", help="Only this account's tokens.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """List tokens (never their secrets)."""
    with library_errors():
        from pxrules.accounts.tokens import list_tokens
        from pxrules.store.db import unit_of_work

        with unit_of_work(db_url()) as session:
            records = list_tokens(session, user)
    if as_json:
        print_json([r.as_dict() for r in records])
        return
    for r in records:
        state = f"revoked {r.revoked_at:%Y-%m-%d}" if r.revoked_at else "live"
        typer.echo(f"{r.id}  {r.email}  {r.label}  created {r.created_at:%Y-%m-%d}  {state}")
    if not records:
        typer.echo("no API tokens")


@app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's id (from `token list`).")],
    as_json: JsonOpt = False,
) -> None:
    """Revoke a token for good."""
    with library_errors():
        from pxrules.accounts.tokens import revoke_token
        from pxrules.store.db import unit_of_work

        with unit_of_work(db_url()) as session:
            record = revoke_token(session, token_id, by=actor())
    if as_json:
        print_json(record.as_dict())
        return
    typer.echo(f"revoked token {record.id} of {record.email}")
