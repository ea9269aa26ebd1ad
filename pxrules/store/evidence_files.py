"""Evidence files into the store in one transaction: items, the files they attach, and attaching later.

`import_evidence_files` is what `evidence import` (and the workspace's upload) runs; `attach_file` is
`evidence attach`: the file is stored and the item gets a new version whose source pins its sha256.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlmodel import Session

from pxrules.evidence.attached import resolve_attachments
from pxrules.evidence.attachment_file import CheckedFile, check_file
from pxrules.evidence.io import read_evidence_sources
from pxrules.store.attachments import AttachmentRecord, store_attachment
from pxrules.store.repo import ImportSummary, get_evidence, store_evidence


@dataclass(frozen=True)
class ImportResult:
    """What an import stored: the evidence summary and the attachments."""

    summary: ImportSummary
    attachments: list[AttachmentRecord]

    def __str__(self) -> str:
        extra = f"; {len(self.attachments)} attachment(s) stored" if self.attachments else ""
        return f"{self.summary}{extra}"

    def as_dict(self) -> dict[str, Any]:
        data = self.summary.as_dict()
        if self.attachments:  # the import's keys stay as they were when nothing is attached
            data["attachments"] = [a.as_dict() for a in self.attachments]
        return data


def check_evidence_files(paths: Iterable[str | Path], *, org: str | None = None) -> list[Any]:
    """Read, validate and check attachments without storing anything (for `evidence validate`)."""
    sourced, _ = resolve_attachments(read_evidence_sources(paths, default_org=org))
    return [s.item for s in sourced]


def import_evidence_files(
    paths: Iterable[str | Path], *, session: Session, by: str, org: str | None = None, correct: bool = False,
    folder: Path | None = None,
) -> ImportResult:  # fmt: skip
    """Validate every file, check every attachment, then store both, all or nothing."""
    sourced, files = resolve_attachments(read_evidence_sources(paths, default_org=org))
    summary = store_evidence([s.item for s in sourced], session=session, by=by, correct=correct,
                             import_file={s.item.id: s.file for s in sourced})  # fmt: skip
    stored = [store_attachment(f, session=session, by=by, folder=folder, org=org) for f in files.values()]
    return ImportResult(summary, stored)


def attach_file(
    evidence_id: str, path: str | Path | CheckedFile, *, session: Session, by: str, folder: Path | None = None
) -> tuple[AttachmentRecord, ImportSummary]:
    """Store a file and record a new version of the item whose source names it and pins its sha256."""
    checked = path if isinstance(path, CheckedFile) else check_file(path)
    record = get_evidence(evidence_id, session=session)
    item = record.item()
    source = item.source.model_copy(update={"attachment": checked.name, "sha256": checked.sha256})
    stored = store_attachment(checked, session=session, by=by, folder=folder, org=item.org)
    updated = item.model_copy(update={"source": source, "recorded_by": None, "recorded_at": None})
    summary = store_evidence([updated], session=session, by=by, correct=True,
                             reason=f"attached {checked.name}", import_file=checked.name)  # fmt: skip
    return stored, summary
