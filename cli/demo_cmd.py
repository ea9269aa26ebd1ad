"""`pxrules demo`: build a fresh demo store for the fictional trust and write its board report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import echo, library_errors, print_json


def demo(
    folder: Annotated[
        Path | None, typer.Option("--dir", help="Folder for the demo (default ./pxrules-demo-<timestamp>).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Build a demo store (fictional trust ZZ9: evidence, self-assessments, assessments) and its report."""
    with library_errors():
        from pxrules.demo import run_demo

        result = run_demo(folder)
    data = result.to_json()
    if as_json:
        print_json(data)
        return
    echo(f"Demo store: {data['database']}")
    echo(
        f"  {data['evidence_items']} evidence items, self-assessments {', '.join(data['self_assessments'])}, "
        f"assessments {', '.join(data['assessments'])}"
    )
    echo(f"Scores by section as of {data['assessments'][-1]} (suggested / board):")
    for s in data["sections"]:
        echo(
            f"  {s['title']:<64} {s['suggested_mean']:.2f} / "
            + ("-" if s["self_mean"] is None else f"{s['self_mean']:.2f}")
        )
    by_level = [sum(1 for v in data["scores"].values() if v == level) for level in range(6)]
    echo("Suggested scores: " + ", ".join(f"{n} at {level}" for level, n in enumerate(by_level))
         + f" (the report has each with its reasons and evidence; one by one: "
         f"pxrules --db {data['database']} explain 12C --org {data['organisation']})")
    f = data["flags"]
    echo(
        f"Board vs evidence: {f['over-claim']} over-claims, {f['under-claim']} under-claims, "
        f"{f['not evidenced']} not evidenced, {f['agreed']} agreed, {f['not scored']} not scored"
    )
    overall = data["trend"]["overall"]["suggested"]
    echo(
        "Trend (mean suggested): "
        + " -> ".join(f"{d} {v:.2f}" for d, v in zip(data["trend"]["dates"], overall, strict=True))
        + f"; {data['trend']['improvements']} improved, {data['trend']['deteriorations']} deteriorated"
        + " since the previous"
    )
    c = data["complaints_alongside"]
    if c:

        def pct(v: float | None) -> str:
            return "-" if v is None else f"{v:.1%}"

        # Each trust is set against the national figure for its type, never against the other:
        # the framework "is not a comparison tool".
        peer = f"acute trusts nationally {pct(c['peer_upheld_share'])}"
        echo(f"Complaints {c['year']} (KO41a, real published data imported alongside the demo):")
        echo(f"  {c['demo']['code']} (fictional): {c['demo']['received']} received, "
             f"{pct(c['demo']['upheld_share'])} upheld ({peer})")
        echo(f"  {c['real']['code']} {c['real']['name']} (real): {c['real']['received']} received, "
             f"{pct(c['real']['upheld_share'])} upheld ({peer})")
    for note in data["skipped"]:
        echo(f"skipped: {note}")
    echo(f"Report: {data['report']} ({data['report_bytes']:,} bytes) in {data['seconds']:.1f} s")
    account = data["account"]
    if account is not None:
        echo(f"In a browser: pxrules --db {data['database']} serve   then open http://127.0.0.1:8000/ "
             f"and sign in as {account['email']} with the password {account['password']}")
