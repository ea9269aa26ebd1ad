"""`pxrules evidence template|attach|download|owner`: the spreadsheet template, attached files and owners.

Registered on the `evidence` group by cli/evidence_cmd.py; each command is one library call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cli.common import actor, db_url, echo, fail, library_errors, parse_date, print_json


def template(
    kind: Annotated[str | None, typer.Argument(metavar="KIND", help="Evidence kind, e.g. board_meeting.")] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="The workbook to write (.xlsx).")] = Path(
        "evidence-template.xlsx"
    ),
    every: Annotated[bool, typer.Option("--all", help="One workbook with a sheet for every kind.")] = False,
    force: Annotated[bool, typer.Option("--force", help="Replace OUTPUT if it exists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print {file, kinds} as JSON.")] = False,
) -> None:
    """Write an Excel template for KIND (or --all kinds): plain headings, drop-downs, a worked example."""
    from pxrules.evidence.template import write_template

    if (kind is None) == (not every):
        fail("name one KIND or give --all (not both)")
    with library_errors():
        kinds = None if every else [kind or ""]
        path = write_template(output, kinds, force=force, store_url=db_url())
    from pxrules.evidence.registry import KINDS

    written = list(KINDS) if every else [kind]
    if as_json:
        print_json({"file": str(path), "kinds": written})
        return
    typer.echo(
        f"wrote {path}: {len(written)} sheet(s) to fill in ({', '.join(str(k) for k in written)}), "
        f"and a Help sheet; import it with `pxrules evidence import {path.name}`"
    )


AttachmentsOption = Annotated[
    Path | None,
    typer.Option("--attachments", help="Folder of attachment files (default $PXRULES_ATTACHMENTS, else the database)."),
]


def attach(
    evidence_id: Annotated[str, typer.Argument(metavar="ID", help="Evidence id.")],
    file: Annotated[Path, typer.Argument(metavar="FILE", help="PDF, PNG, JPEG, DOCX, XLSX, TXT or CSV.")],
    attachments: AttachmentsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print {attachment, evidence} as JSON.")] = False,
) -> None:
    """Attach FILE to evidence ID: stored by sha256, and a new version of the item pins that hash."""
    from pxrules.store.attachments import attachments_folder
    from pxrules.store.db import unit_of_work
    from pxrules.store.evidence_files import attach_file

    with library_errors(), unit_of_work(db_url()) as session:
        stored, summary = attach_file(
            evidence_id, file, session=session, by=actor(), folder=attachments_folder(attachments)
        )
    if as_json:
        print_json({"attachment": stored.as_dict(), "evidence": summary.as_dict()})
        return
    echo(f"attached {stored.file_name} ({stored.media_type}, {stored.size:,} bytes, sha256 {stored.sha256}) "
         f"to {evidence_id}: {summary}")  # fmt: skip


def download(
    sha256: Annotated[str, typer.Argument(metavar="SHA256", help="The attachment's sha256 (`evidence show`).")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Where to write it (default its name).")] = None,
    attachments: AttachmentsOption = None,
    force: Annotated[bool, typer.Option("--force", help="Replace OUTPUT if it exists.")] = False,
) -> None:
    """Write a stored attachment to a file, after checking its bytes still match their sha256."""
    from pxrules.common.output_file import write_output
    from pxrules.store.attachments import attachments_folder, read_attachment
    from pxrules.store.db import unit_of_work

    with library_errors():
        url = db_url()
        with unit_of_work(url) as session:
            record, data = read_attachment(sha256, session=session, folder=attachments_folder(attachments))
        target = output or Path(record.file_name)
        write_output(target, lambda temp: Path(temp).write_bytes(data), store_url=url, force=force)
    echo(f"wrote {target} ({record.media_type}, {record.size:,} bytes, sha256 verified)")


def owner(
    evidence_id: Annotated[str, typer.Argument(metavar="ID", help="Evidence id.")],
    name: Annotated[str | None, typer.Option("--owner", help="Owner's email address (or name).")] = None,
    review: Annotated[str | None, typer.Option("--review", help="Next review date, dd/mm/yyyy.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the owner record as JSON.")] = False,
) -> None:
    """Set who looks after evidence ID and when it is next reviewed (the item itself is unchanged)."""
    from pxrules.accounts.owners import set_checked_evidence_owner

    if name is None and review is None:
        fail("give --owner and/or --review")
    day = parse_date(review, "--review", allow_future="a review date lies ahead")
    with library_errors():
        record = set_checked_evidence_owner(db_url(), evidence_id, by=actor(), owner=name, review_date=day)
    if as_json:
        print_json(record.as_dict())
        return
    from pxrules.common.dates import uk

    when = f", review by {uk(record.review_date)}" if record.review_date else ""
    echo(f"{evidence_id}: owner {record.owner or '(none)'}{when}")
