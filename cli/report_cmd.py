"""`pxrules report`: the board report or paper of one organisation as HTML, Markdown, XLSX, Word or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import (
    AsOfOpt,
    AssessmentOpt,
    MismatchOpt,
    SelfOpt,
    db_url,
    echo,
    library_errors,
    make_pin,
    parse_date,
    print_json,
)


def report(
    org: Annotated[str, typer.Option("--org", help="Organisation code (ODS).")],
    fmt: Annotated[str, typer.Option("--format", help="html, md, xlsx, docx or pdf.")] = "html",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default ORG-board-report.FORMAT).")
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="Group by 'section' (default) or 'cqc' (CQC key questions).")
    ] = "section",
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists (never the store).")] = False,
    assessment: AssessmentOpt = None,
    as_of: AsOfOpt = None,
    self_id: SelfOpt = None,
    allow_mismatch: MismatchOpt = False,
    cover: Annotated[
        Path | None, typer.Option("--cover", help="Cover sheet YAML (see examples/demo/board-paper.yaml).")
    ] = None,
    title: Annotated[str | None, typer.Option("--title", help="Cover sheet: the paper's title.")] = None,
    meeting: Annotated[str | None, typer.Option("--meeting", help="Cover sheet: the meeting.")] = None,
    meeting_date: Annotated[str | None, typer.Option("--meeting-date", help="Cover sheet: its date.")] = None,
    purpose: Annotated[
        str | None, typer.Option("--purpose", help="Cover sheet: assurance, decision or information.")
    ] = None,
    lead: Annotated[str | None, typer.Option("--executive-lead", help="Cover sheet: executive lead.")] = None,
    author: Annotated[str | None, typer.Option("--author", help="Cover sheet: author.")] = None,
    recommendation: Annotated[
        str | None, typer.Option("--recommendation", help="Cover sheet: what the board is asked to do.")
    ] = None,
    baf: Annotated[
        list[str] | None, typer.Option("--baf", help="Cover sheet: a Board Assurance Framework risk (repeat).")
    ] = None,
    previously: Annotated[
        list[str] | None, typer.Option("--previously", help="Cover sheet: previously considered by (repeat).")
    ] = None,
    next_meeting: Annotated[
        str | None, typer.Option("--next-meeting", help="Date of the next paper: what lapses before it is listed.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {path, format, by, bytes} as JSON.")] = False,
) -> None:
    """Write the board paper: cover sheet, summary (position, challenges, changes, lapses), appendices."""
    pin = make_pin(assessment, as_of, self_id, allow_mismatch)
    overrides = {
        "title": title,
        "meeting": meeting,
        "date": parse_date(meeting_date, "--meeting-date"),
        "purpose": purpose,
        "executive_lead": lead,
        "author": author,
        "recommendation": recommendation,
        "baf_risks": baf,
        "previously_considered_by": previously,
        "next_meeting": parse_date(next_meeting, "--next-meeting"),
    }
    with library_errors():
        from pxrules.reports import write_report
        from pxrules.reports.cover import load_cover

        sheet = load_cover(cover, overrides)
        path = write_report(
            db_url(), org, fmt, output or Path(f"{org}-board-report.{fmt}"), by=by, pin=pin, cover=sheet,
            force=force,
        )
    size = path.stat().st_size
    if as_json:
        print_json({"path": str(path), "format": fmt, "by": by, "bytes": size})
        return
    echo(f"wrote {path} ({size:,} bytes)")
