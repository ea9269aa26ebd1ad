"""`pxrules report`: the board report of one organisation as HTML, Markdown or XLSX."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import db_url, echo, library_errors, print_json


def report(
    org: Annotated[str, typer.Option("--org", help="Organisation code (ODS).")],
    fmt: Annotated[str, typer.Option("--format", help="html, md or xlsx.")] = "html",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default ORG-board-report.FORMAT).")
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="Group by 'section' (default) or 'cqc' (CQC key questions).")
    ] = "section",
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists (never the store).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print {path, format, bytes} as JSON.")] = False,
) -> None:
    """Write the board report: summary, over-claims, charts, trend, every sub-requirement and its evidence."""
    with library_errors():
        from pxrules.reports import write_report

        path = write_report(db_url(), org, fmt, output or Path(f"{org}-board-report.{fmt}"), by=by,
                            force=force)
    size = path.stat().st_size
    if as_json:
        print_json({"path": str(path), "format": fmt, "by": by, "bytes": size})
        return
    echo(f"wrote {path} ({size:,} bytes)")
