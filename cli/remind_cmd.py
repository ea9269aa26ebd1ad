"""`pxrules remind`: each owner's lapsing evidence and due or overdue actions, printed or sent by email."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from cli.common import db_url, echo, library_errors, parse_date, print_json


def remind(
    within: Annotated[int, typer.Option("--within", min=0, help="Days ahead to look.")] = 30,
    org: Annotated[str | None, typer.Option("--org", help="Only this organisation.")] = None,
    send: Annotated[
        bool, typer.Option("--send", help="Send one email per owner through the configured SMTP server.")
    ] = False,
    smtp_config: Annotated[
        Path | None, typer.Option("--smtp-config", help="TOML file with [smtp] host, port, from, starttls, user.")
    ] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Today's date (default today).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the reminders (and what was sent) as JSON.")] = False,
) -> None:
    """One message per owner: evidence that lapses or is due for review, and actions due or overdue."""
    from pxrules.board.reminders import SmtpSettings, reminders, send_reminders

    today = parse_date(as_of) or dt.date.today()
    with library_errors():
        found = reminders(db_url(), within=within, as_of=today, org=org)
        sent: list[str] = []
        skipped: list[str] = []
        if send:
            sent, skipped = send_reminders(found, SmtpSettings.load(smtp_config), today=today, within=within)
    if as_json:
        print_json({"as_of": today.isoformat(), "within": within, "reminders": [r.as_dict(today) for r in found],
                    "sent": sent, "not_sent": skipped})  # fmt: skip
        return
    if not found:
        echo(f"nothing lapses or falls due within {within} days")
        return
    if send:
        echo(f"sent {len(sent)} message(s): {', '.join(sent) or 'none'}")
        for line in skipped:
            echo(f"  not sent: {line}")
        return
    for reminder in found:
        echo(f"=== To: {reminder.email or reminder.owner or '(no owner recorded)'}")
        echo(reminder.body(today, within))
