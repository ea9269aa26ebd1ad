"""`pxrules rules ...`: list, check and test the rule pack."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import console, echo, fail, library_errors, print_json

app = typer.Typer(help="List, validate and test the rule pack (rules/).", no_args_is_help=True)

JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


@app.command("list")
def list_rules(as_json: JsonOpt = False) -> None:
    """List every rule: sub-requirement, level, conditions and the reason it gives."""
    with library_errors():
        from pxrules.rules.pack import default_rulepack
        from pxrules.scoring.levels import condition_text

        pack = default_rulepack()
        rows = [{"sub_requirement": r.sub_requirement, "rule_id": r.rule_id, "level": r.level,
                 "conditions": [condition_text(c) for c in r.conditions], "because": r.because,
                 "file": pack.files[r.sub_requirement].path.relative_to(pack.root).as_posix()}
                for r in pack.rules]
    if as_json:
        print_json({"rules_hash": pack.hash, "rules": rows})
        return
    from rich.table import Table

    table = Table(title=f"Rule pack {pack.hash[:12]} ({len(rows)} rules)")
    for col in ("rule", "level", "when (all hold)", "because"):
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(row["rule_id"], str(row["level"]), "\n".join(row["conditions"]), row["because"])
    console().print(table)


@app.command("check")
def check(as_json: JsonOpt = False) -> None:
    """Validate the rule pack without running anything; print its content hash."""
    with library_errors():
        from pxrules.rules.pack import load_rulepack

        pack = load_rulepack()
    summary = {"rules_hash": pack.hash, "measures_hash": pack.measures_hash, "files": len(pack.files),
               "rules": len(pack.rules), "measures": len(pack.measures_used()),
               "catalogue_version": pack.catalogue_version}
    if as_json:
        print_json(summary)
    else:
        echo(f"rule pack valid: {summary['files']} files, {summary['rules']} rules, "
                   f"{summary['measures']} measures; hash {pack.hash}")


@app.command("test")
def test(
    as_json: JsonOpt = False,
    reference: Annotated[bool, typer.Option("--reference", help="Use the plain-Python evaluator.")] = False,
) -> None:
    """Run every rule's test cases; fail when any case fails or a level of a sub-requirement is reached by none."""
    with library_errors():
        from pxrules.rules.pack import load_rulepack
        from pxrules.scoring.rule_cases import run_rule_tests

        pack = load_rulepack()
        report = run_rule_tests(pack, "reference" if reference else "durable")
    failures = [r for r in report.results if not r.passed]
    covered = sum(1 for s in pack.files if s not in report.uncovered and s not in report.without_cases)
    if as_json:
        print_json({
            "cases": len(report.results), "failed": len(failures), "sub_requirements": len(pack.files),
            "fully_covered": covered, "uncovered_levels": report.uncovered,
            "without_cases": report.without_cases,
            "failures": [{"case": f.case.label, "expected": f.case.expect, "got": f.got, "because": f.because}
                         for f in failures],
        })
    else:
        for f in failures:
            echo(f"FAIL {f.case.label}: expected {f.case.expect}, got {f.got}: {' | '.join(f.because)}")
        for sub, levels in report.uncovered.items():
            echo(f"UNCOVERED {sub}: no case reaches level(s) {', '.join(map(str, levels))}")
        for sub in report.without_cases:
            echo(f"NO CASES {sub}: add {sub}.test.yaml beside {sub}.yaml")
        echo(f"{len(report.results)} cases, {len(failures)} failed; level coverage "
                   f"{covered}/{len(pack.files)} sub-requirements with every level 0-5 reached")
    if not report.ok:
        fail("rule tests failed" if failures else "level coverage incomplete")
