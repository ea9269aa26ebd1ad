"""`pxrules compare` (the board's scores against the evidence) and `pxrules trend` (scores over time)."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.common import console, db_url, echo, library_errors, print_json

OrgOpt = Annotated[str, typer.Option("--org", help="Organisation code (ODS).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def _num(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _signed(value: Any) -> str:
    if value is None:
        return "-"
    return f"{value:+.2f}" if isinstance(value, float) else f"{value:+d}"


def compare(
    org: OrgOpt,
    assessment: Annotated[
        int | None, typer.Option("--assessment", help="Assessment id (default latest date).")
    ] = None,
    self_id: Annotated[
        int | None, typer.Option("--self", help="Self-assessment id (default latest date).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Self vs suggested score per sub-requirement, flagged; over-claims first with what contradicts them."""
    with library_errors():
        from pxrules.board.compare import compare as run_compare

        result = run_compare(db_url(), org, assessment_id=assessment, self_id=self_id)
    data = result.to_json()
    if as_json:
        print_json(data)
        return
    from rich.markup import escape
    from rich.table import Table

    out = console()
    sa, a = data["self_assessment"], data["assessment"]
    flags = data["totals"]["flags"]
    out.print(
        f"[bold]{escape(data['name'])} ({org})[/bold]: self-assessment {sa['id']} as of {sa['as_of']} "
        f"vs assessment {a['id']} as of {a['as_of']}"
    )
    out.print(", ".join(f"{n} {f}" for f, n in flags.items()))
    if data["over_claims"]:
        out.print("\n[bold red]Over-claims[/bold red] (self >= suggested + 2): what the evidence says")
        for r in data["over_claims"]:
            out.print(
                f"[bold]{r['id']}[/bold] self {r['self']} vs suggested {r['suggested']} "
                f"({r['difference']:+d}): {escape(r['because'][0] if r['because'] else '')}"
            )
            for sentence in (r["next_level"] or {}).get("sentences", []):
                out.print(f"    gap: {escape(sentence)}")
    for title, groups in (("Sections", data["sections"]), ("CQC key questions", data["cqc_key_questions"])):
        table = Table(title=title, title_justify="left")
        for column in (
            "",
            "n",
            "self",
            "suggested",
            "diff",
            "over",
            "under",
            "unevid.",
            "agreed",
            "not scored",
        ):
            table.add_column(column, justify="left" if not column else "right")
        for g in groups:
            f = g["flags"]
            table.add_row(
                escape(g["title"]),
                str(g["count"]),
                _num(g["self_mean"]),
                _num(g["suggested_mean"]),
                _signed(g["difference_mean"]),
                str(f["over-claim"]),
                str(f["under-claim"]),
                str(f["not evidenced"]),
                str(f["agreed"]),
                str(f["not scored"]),
            )
        out.print(table)
    table = Table(title="Sub-requirements", title_justify="left")
    for column in ("id", "self", "suggested", "diff", "flag"):
        table.add_column(column)
    for r in data["sub_requirements"]:
        table.add_row(r["id"], _num(r["self"]), str(r["suggested"]), _signed(r["difference"]), r["flag"])
    out.print(table)


def trend(org: OrgOpt, as_json: JsonOpt = False) -> None:
    """Suggested (and self) scores across the stored assessments, with changes since the previous one."""
    with library_errors():
        from pxrules.board.trend import trend as run_trend

        result = run_trend(db_url(), org)
    data = result.to_json()
    if as_json:
        print_json(data)
        return
    from rich.markup import escape
    from rich.table import Table

    out = console()
    dates = [a["as_of"] for a in data["assessments"]]
    if not dates:
        echo(f"{org} has no stored assessment: run `pxrules assess --org {org} --as-of DATE`")
        return
    table = Table(
        title=f"{escape(data['name'])} ({org}): mean suggested score (self in brackets)", title_justify="left"
    )
    table.add_column("")
    for d in dates:
        table.add_column(d, justify="right")
    table.add_column("change", justify="right")
    selfs = {s["as_of"]: i for i, s in enumerate(data["self_assessments"])}
    for line in [*data["sections"], data["overall"]]:
        cells = []
        for i, d in enumerate(dates):
            own = (
                f" ({line['self'][selfs[d]]:.2f})"
                if d in selfs and line["self"][selfs[d]] is not None
                else ""
            )
            cells.append(f"{_num(line['suggested'][i])}{own}")
        table.add_row(escape(line["title"]), *cells, _signed(line["change"]))
    out.print(table)
    for title, moves in (("Improved", data["improvements"]), ("Deteriorated", data["deteriorations"])):
        if not moves:
            out.print(f"{title} since {dates[-2] if len(dates) > 1 else 'the previous assessment'}: none")
            continue
        out.print(f"[bold]{title}[/bold] since {dates[-2]}:")
        for m in moves:
            out.print(f"  {m['id']} {m['from']} -> {m['to']} ({m['change']:+d}): {escape(m['because'])}")
