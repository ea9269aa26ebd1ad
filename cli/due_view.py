"""`pxrules evidence due`'s output, kept out of evidence_cmd.py so that group stays about the register."""

from __future__ import annotations

from cli.common import console, db_url, echo, library_errors, parse_date, print_json


def _uk(iso: str) -> str:
    # The tables are for people (31/12/2026); --json keeps ISO dates.
    import datetime as dt

    from pxrules.common.dates import uk

    return uk(dt.date.fromisoformat(iso))


def show_due(org: str, within: int, as_of: str | None, as_json: bool) -> None:
    """Compute the due report and print it as JSON or two tables."""
    day = parse_date(as_of)
    with library_errors():
        from pxrules.scoring.due_owners import evidence_due_by_owner

        data = evidence_due_by_owner(db_url(), org, as_of=day, within=within)
    if as_json:
        print_json(data)
        return
    from rich.markup import escape
    from rich.table import Table

    if data["lapsing"]:
        costly = [x for x in data["lapsing"] if x["drops"]]
        console().print(
            f"{len(data['lapsing'])} item(s) of evidence lapse by {_uk(data['until'])}; "
            + (
                f"[bold red]{len(costly)} lower scores[/bold red]: "
                + "; ".join(
                    f"{escape(x['id'])} on {_uk(x['lapses_on'])} ("
                    + ", ".join(f"{d['id']} {d['from']}->{d['to']}" for d in x["drops"])
                    + ")"
                    for x in costly
                )
                if costly
                else "none lowers a score"
            )
        )
        table = Table(
            title=f"Evidence of {org} lapsing by {_uk(data['until'])} ({within} days from {_uk(data['as_of'])})",
            title_justify="left",
        )
        for column in ("Owner", "Lapses on", "Days", "Evidence", "Kind", "Source", "Scores that fall"):
            table.add_column(column, overflow="fold")
        for x in data["lapsing"]:
            drops = ", ".join(f"{d['id']} {d['from']}->{d['to']}" for d in x["drops"])
            drops = f"[bold red]{drops}[/bold red]" if drops else "none"
            table.add_row(
                escape(x["owner"] or "(no owner)"),
                _uk(x["lapses_on"]),
                str(x["days_left"]),
                escape(x["id"]),
                x["kind"],
                escape(x["title"]),
                drops,
            )
        console().print(table)
    else:
        echo(f"no evidence of {org} lapses by {_uk(data['until'])}")
    if data["reviews"]:
        table = Table(title=f"Reviews due by {_uk(data['until'])}, by owner", title_justify="left")
        for column in ("Owner", "Review by", "Evidence", "Source"):
            table.add_column(column, overflow="fold")
        for r in data["reviews"]:
            when = _uk(r["review_date"]) + (" (overdue)" if r["overdue"] else "")
            table.add_row(escape(r["owner"] or "(no owner)"), when, escape(r["id"]), escape(r["title"]))
        console().print(table)
    if data["unsupported"]:
        table = Table(title="Sub-requirements resting on no evidence or on attestation only", title_justify="left")
        for column in ("Id", "Rests on", "Score", "Evidence that would support it"):
            table.add_column(column, overflow="fold")
        for u in data["unsupported"]:
            table.add_row(u["id"], u["status"], str(u["suggested"]), ", ".join(u["supporting_kinds"]))
        console().print(table)
    else:
        echo("every sub-requirement rests on measured evidence")
