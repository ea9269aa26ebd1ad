"""Attachments in the store: content-addressed by sha256, in the database or a folder named in configuration.

Each attachment's description (name, type, size, where its bytes are) is an audited row; the bytes sit in
`attachment_blob` (database) or `<folder>/<sha[:2]>/<sha>` and are checked against their sha256 whenever
read and by `audit verify`, so a missing or altered file is reported, never served.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from pxrules.errors import NotFoundError, PxRulesError
from pxrules.evidence.attachment_file import CheckedFile
from pxrules.store.audit_chain import append_event, lock_chain
from pxrules.store.tables import Attachment, utc_now

# The bytes, outside the audited tables: content-addressed, so their sha256 is their integrity check.
METADATA = sa.MetaData()
BLOBS = sa.Table(
    "attachment_blob",
    METADATA,
    sa.Column("sha256", sa.String(length=64), primary_key=True),
    sa.Column("content", sa.LargeBinary(), nullable=False),
)
_SHA = frozenset("0123456789abcdef")


class AttachmentMissing(PxRulesError):
    """An attachment whose bytes are missing or no longer match their sha256."""


def attachments_folder(option: str | Path | None = None) -> Path | None:
    """Where attachment files go: the option, else $PXRULES_ATTACHMENTS, else None (in the database)."""
    chosen = option if option is not None else os.environ.get("PXRULES_ATTACHMENTS") or None
    return Path(chosen) if chosen is not None else None


@dataclass(frozen=True)
class AttachmentRecord:
    """A stored attachment's description."""

    sha256: str
    file_name: str
    media_type: str
    size: int
    location: str
    stored_at: dt.datetime
    stored_by: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        return {"sha256": self.sha256, "file_name": self.file_name, "media_type": self.media_type,
                "size": self.size, "location": self.location, "stored_at": self.stored_at.isoformat(),
                "stored_by": self.stored_by}  # fmt: skip


def _record(row: Attachment) -> AttachmentRecord:
    return AttachmentRecord(row.sha256, row.file_name, row.media_type, row.size, row.location, row.stored_at,
                            row.stored_by)  # fmt: skip


def _file_of(folder: Path, sha256: str) -> Path:
    return folder / sha256[:2] / sha256


def _write_file(folder: Path, checked: CheckedFile) -> None:
    target = _file_of(folder, checked.sha256)
    if target.is_file() and hashlib.sha256(target.read_bytes()).hexdigest() == checked.sha256:
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.with_name(f".{target.name}.{secrets.token_hex(6)}.tmp")
    try:
        with temp.open("xb") as out:
            out.write(checked.data)
            out.flush()
            os.fsync(out.fileno())
        temp.replace(target)  # content-addressed: whatever was there under this name is the same bytes or junk
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise PxRulesError(f"cannot write the attachment to {folder}: {exc.strerror or exc}") from exc


def store_attachment(
    checked: CheckedFile, *, session: Session, by: str, folder: Path | None = None, org: str | None = None
) -> AttachmentRecord:
    """Store a checked file once (the same bytes again are the same attachment), audited; returns it."""
    lock_chain(session)
    existing = session.get(Attachment, checked.sha256)
    if existing is not None and _content(existing, session, folder) is not None:
        return _record(existing)
    if folder is not None:
        _write_file(folder, checked)
    elif session.execute(sa.select(BLOBS.c.sha256).where(BLOBS.c.sha256 == checked.sha256)).first() is None:
        session.execute(sa.insert(BLOBS).values(sha256=checked.sha256, content=checked.data))
    if existing is not None:  # its bytes were lost and are now back; the description stands as audited
        return _record(existing)
    row = Attachment(sha256=checked.sha256, file_name=checked.name, media_type=checked.media_type,
                     size=checked.size, location="folder" if folder is not None else "database",
                     stored_at=utc_now(), stored_by=by[:500])  # fmt: skip
    session.add(row)
    session.flush()
    append_event(session, action="attachment.store", by=by, subject=f"attachment {checked.name}", org=org,
                 refs={"attachment": [checked.sha256]},
                 details={"file_name": checked.name, "size": checked.size})  # fmt: skip
    return _record(row)


def _content(row: Attachment, session: Session, folder: Path | None) -> bytes | None:
    if row.location == "folder":
        if folder is None:
            return None
        path = _file_of(folder, row.sha256)
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None
    found = session.execute(sa.select(BLOBS.c.content).where(BLOBS.c.sha256 == row.sha256)).first()
    return None if found is None else bytes(found[0])


def get_attachment(sha256: str, *, session: Session) -> AttachmentRecord:
    """The description of a stored attachment; NotFoundError naming the hash otherwise."""
    key = sha256.strip().lower()
    if len(key) != 64 or not set(key) <= _SHA:
        raise NotFoundError(f"{sha256!r} is not a sha256 (64 hex digits)")
    row = session.get(Attachment, key)
    if row is None:
        raise NotFoundError(f"no attachment with sha256 {key[:12]}... in the store")
    return _record(row)


def read_attachment(sha256: str, *, session: Session, folder: Path | None = None) -> tuple[AttachmentRecord, bytes]:
    """The description and bytes of an attachment, checked against its sha256; AttachmentMissing if not whole."""
    record = get_attachment(sha256, session=session)
    row = session.get(Attachment, record.sha256)
    assert row is not None
    data = _content(row, session, folder)
    where = f"in the folder {folder}" if record.location == "folder" else "in the database"
    if data is None:
        hint = "" if folder is not None or record.location != "folder" else " (set PXRULES_ATTACHMENTS)"
        raise AttachmentMissing(f"attachment {record.file_name} ({record.sha256[:12]}...) is missing {where}{hint}")
    if hashlib.sha256(data).hexdigest() != record.sha256:
        raise AttachmentMissing(f"attachment {record.file_name} ({record.sha256[:12]}...) was altered {where}")
    return record, data


def attachment_problems(session: Session, folder: Path | None = None) -> list[str]:
    """One line per attachment whose bytes are missing or altered (for `audit verify`)."""
    problems: list[str] = []
    for sha in session.execute(sa.select(Attachment.sha256).order_by(Attachment.sha256)).scalars():  # type: ignore[call-overload]
        try:
            read_attachment(sha, session=session, folder=folder)
        except AttachmentMissing as exc:
            problems.append(str(exc))
    return problems
