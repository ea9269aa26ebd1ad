"""Evidence files that name an attachment: the file is found beside the evidence file, checked, and hashed.

A `source.attachment` must name a file that exists next to the evidence file that names it (a bare name,
so nothing outside that folder can be reached); its sha256 goes into the item's `source.sha256` (a given
sha256 must match), so the item's provenance pins the exact bytes. Any problem refuses the whole batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pxrules.errors import EvidenceError
from pxrules.evidence.attachment_file import AttachmentError, CheckedFile, check_file
from pxrules.evidence.io import SourcedItem


def resolve_attachments(
    sourced: Sequence[SourcedItem], *, max_bytes: int | None = None
) -> tuple[list[SourcedItem], dict[str, CheckedFile]]:
    """The items with each attachment's sha256 filled in, and the checked files by sha256."""
    problems: list[tuple[str, str]] = []
    checked: dict[Path, CheckedFile | None] = {}
    files: dict[str, CheckedFile] = {}
    out: list[SourcedItem] = []
    for entry in sourced:
        source = entry.item.source
        if source.attachment is None or entry.path is None:
            out.append(entry)
            continue
        path = entry.path.parent / source.attachment
        if path not in checked:
            try:
                checked[path] = check_file(path, max_bytes=max_bytes)
            except AttachmentError as exc:
                checked[path] = None
                problems.append((entry.where, f"source.attachment: {exc}"))
        found = checked[path]
        if found is None:
            continue
        if source.sha256 is not None and source.sha256 != found.sha256:
            mismatch = f"source.sha256 {source.sha256[:12]}... does not match {source.attachment}"
            problems.append((entry.where, f"{mismatch} (sha256 {found.sha256[:12]}...)"))
            continue
        files[found.sha256] = found
        item = entry.item.model_copy(update={"source": source.model_copy(update={"sha256": found.sha256})})
        out.append(SourcedItem(item, entry.file, entry.where, entry.path))
    if problems:
        raise EvidenceError(f"invalid evidence: {len(problems)} attachment problem(s); nothing was read", problems)
    return out, files
