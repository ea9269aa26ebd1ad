"""`pxrules assess --all`: the batch's progress bar (on a terminal only) and its summary of counts and times."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import Any

import typer

from cli.common import console, echo, print_json


def _interactive() -> bool:
    # A bar only when a person is watching: never when stdout or stderr is piped or captured.
    return sys.stdout.isatty() and sys.stderr.isatty()


def run_batch(url: str, dates: Sequence[dt.date], *, jobs: int | None, by: str, as_json: bool) -> None:
    """Run the library batch, drawing a rich progress bar on a terminal, then print the summary."""
    from pxrules.scoring.batch import run_batch as batch

    if _interactive():
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(TextColumn("assessing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("assess", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            summary = batch(url, dates, jobs=jobs, by=by, progress=progress)
    else:
        summary = batch(url, dates, jobs=jobs, by=by)
    data = summary.to_json()
    if as_json:
        print_json(data)
    else:
        _print_summary(data)
    if not summary.complete:
        raise typer.Exit(1)


def _print_summary(data: dict[str, Any]) -> None:
    from rich.table import Table

    table = Table(title="assess --all", show_header=False)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [
        ("organisations", data["organisations"]),
        ("dates", ", ".join(data["dates"])),
        ("assessments saved", f"{data['saved']} of {data['expected']}"),
        ("worker processes", data["jobs"]),
        ("seconds", data["seconds"]),
        ("ms per assessment", data["per_assessment_ms"]),
    ]
    for what, value in rows:
        table.add_row(what, str(value))
    console().print(table)
    for org, error in data["failed"].items():
        echo(f"error: {org}: {error}", err=True)
