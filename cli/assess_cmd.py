"""`pxrules assess` and `pxrules explain`: suggested scores for an organisation, and why."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer

from cli.common import (
    AllowFuture,
    actor,
    console,
    db_url,
    echo,
    fail,
    future_dates,
    library_errors,
    parse_date,
    print_json,
)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _date(value: str | None, allow_future: str | None = None) -> dt.date:
    return parse_date(value, allow_future=allow_future) or dt.date.today()


def assess(
    org: Annotated[str | None, typer.Option("--org", help="Organisation code (ODS).")] = None,
    as_of: Annotated[list[str] | None, typer.Option("--as-of",
                                                    help="Assessment date(s), YYYY-MM-DD; default today.")] = None,
    all_orgs: Annotated[bool, typer.Option("--all", help="Assess every organisation in the store.")] = False,
    jobs: Annotated[int | None, typer.Option("--jobs", min=1,
                                             help="Worker processes for --all (default: every core).")] = None,
    verify: Annotated[int | None, typer.Option("--verify", help="Recompute stored assessment ID and compare.")] = None,
    allow_future: AllowFuture = None,
    as_json: JsonOpt = False,
) -> None:
    """Compute, store and print the 57 suggested scores (by section)."""
    url = db_url()
    if verify is not None:
        with library_errors():
            from pxrules.scoring.stored import verify_assessment

            check = verify_assessment(url, verify)
        if as_json:
            print_json({"assessment_id": verify, "identical": check.same, "same_rules": check.same_rules,
                        "differences": check.differences})
        else:
            echo(f"assessment {verify}: " + ("identical when recomputed" if check.same else
                       f"{len(check.differences)} difference(s): " + "; ".join(
                           f"{d['id']} stored {d['stored']} now {d['now']}" for d in check.differences)))
            if not check.same_rules:
                echo("note: the rule pack has changed since it was stored")
        if not check.same:
            raise typer.Exit(1)
        return
    dates = [_date(d, allow_future) for d in as_of] if as_of else [_date(None)]
    if all_orgs or org is None:
        if not all_orgs:
            fail("give --org CODE, or --all for every organisation")
        if org is not None:
            fail("give --org CODE or --all, not both")
        from cli.batch import run_batch

        with library_errors(), future_dates(allow_future, "assess --all"):
            run_batch(url, dates, jobs=jobs, by=actor(), as_json=as_json)
        return
    results = []
    with library_errors(), future_dates(allow_future, "assess", org):
        from pxrules.scoring.stored import run_assessment

        for day in dates:
            assessment_id, result = run_assessment(url, org, day, by=actor())
            results.append((assessment_id, result))
    if as_json:
        out = [{"assessment_id": i, **r.to_json()} for i, r in results]
        print_json(out[0] if len(out) == 1 else out)
        return
    for assessment_id, result in results:
        _print_table(assessment_id, result)


def _print_table(assessment_id: int | None, result: Any) -> None:
    from rich.table import Table

    from pxrules.rules.catalogue import load_catalogue
    from pxrules.scoring.levels import mean_score

    catalogue = load_catalogue()
    scores = {s.id: s for s in result.scores}
    table = Table(title=f"{result.org} as of {result.as_of} - assessment {assessment_id} "
                        f"(rules {result.rules_hash[:12]})", show_lines=False)
    table.add_column("id")
    table.add_column("score", justify="right")
    table.add_column("because", overflow="fold")
    for section in catalogue.sections:
        subs = [s for c in section.characteristics for s in c.sub_requirements]
        mean = mean_score(scores[s.id].suggested for s in subs)
        table.add_row(f"[bold]{section.title}[/bold]", f"[bold]{mean or 0:.1f}[/bold]", "")
        for sub in subs:
            score = scores[sub.id]
            cap = " (capped)" if score.caps else ""
            table.add_row(sub.id, f"{score.suggested}{cap}", score.because[0] if score.because else "")
    console().print(table)


def explain(
    sub_requirement: Annotated[str, typer.Argument(help="Sub-requirement id, e.g. 12C.")],
    org: Annotated[str, typer.Option("--org", help="Organisation code (ODS).")],
    assessment: Annotated[int | None, typer.Option("--assessment", help="Assessment id (default latest).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Why a sub-requirement got its score: rules fired, measures, evidence, caps and the next level."""
    with library_errors():
        from pxrules.scoring.stored import explain as explain_score

        data = explain_score(db_url(), org, sub_requirement, assessment)
    if as_json:
        print_json(data)
        return
    echo(f"{data['sub_requirement']}  suggested {data['suggested']}/5   {org}, as of {data['as_of']} "
         f"(assessment {data['assessment_id']}, rules {data['rules_hash'][:12]})")
    echo(f"  {data['text']}")
    echo("Because:")
    for line in data["because"]:
        echo(f"  - {line}")
    if data["firings"]:
        echo("Rules that held:")
        for f in data["firings"]:
            eff = "" if f["effective_level"] == f["level"] else f" -> {f['effective_level']} after cap"
            echo(f"  {f['rule_id']} (level {f['level']}{eff}): {f['because']}")
            for m in f["matched"]:
                needs = f" (needs {m['needs']})" if m.get("needs") else ""
                echo(f"      {m['measure']} = {m['value']}{needs}  {m['detail']}")
    if data["measures"]:
        echo("Measures:")
        for name, m in data["measures"].items():
            echo(f"  {name} = {m['value']}   {m['detail']}")
    for cap in data["caps"]:
        echo(f"Cap: {cap}")
    if data["evidence"]:
        echo("Evidence:")
        for e in data["evidence"]:
            if e.get("missing"):
                echo(f"  {e['id']} (no longer in the register)")
                continue
            src = e["source"]
            ref = f" [{src.get('reference')}]" if src.get("reference") else ""
            echo(f"  {e['id']} v{e['version']} {e['kind']} {e['period_start']}..{e['period_end']}: "
                 f"{src.get('title', '')}{ref}")
    nxt = data["next_level"]
    if nxt:
        echo(f"To reach level {nxt['level']} ({nxt['rule_id']}: {nxt['because']}):")
        if nxt.get("needs_measured_evidence"):
            echo("  - measured evidence, not only attestation: " + ", ".join(
                k for k in data["supporting_kinds"] if k != "attestation"))
        for sentence in nxt.get("sentences", []):
            echo(f"  - {sentence}")
    elif data["suggested"] == 5:
        echo("Already at the top level.")
