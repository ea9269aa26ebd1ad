"""Check a file offered as an attachment before anything is stored: name, size and type by its content.

A board paper, minutes, a policy or a screenshot: PDF, PNG, JPEG, DOCX, XLSX, plain text or CSV. The type
is read from the bytes (never trusted from the name) and must agree with the name's extension, so an HTML
page named .pdf, a zip bomb named .docx or an empty file is refused with a message and nothing stored.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from pxrules.errors import PxRulesError

DEFAULT_MAX_BYTES = 25 * 1024 * 1024
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # what the parts of a DOCX/XLSX may expand to, all together
MAX_RATIO = 200  # unpacked/packed: real office files stay under ~20; a zip bomb is in the thousands
MAX_NAME = 255
# extension -> media type; an extension stands for exactly one type, checked against the content.
MEDIA_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".txt": "text/plain",
    ".csv": "text/csv",
}
_OFFICE_PART = {".docx": "word/document.xml", ".xlsx": "xl/workbook.xml"}
_HTML_MARKS = (b"<!doctype html", b"<html", b"<script", b"<head", b"<body", b"<iframe", b"<svg")


class AttachmentError(PxRulesError):
    """A file that cannot be attached; the message says why."""


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed every check: its bare name, bytes, sha256 and media type."""

    name: str
    data: bytes
    sha256: str
    media_type: str

    @property
    def size(self) -> int:
        return len(self.data)


def max_bytes_from_env() -> int:
    """$PXRULES_ATTACHMENT_MAX_MB (megabytes), else 25 MB."""
    text = os.environ.get("PXRULES_ATTACHMENT_MAX_MB", "").strip()
    if not text:
        return DEFAULT_MAX_BYTES
    try:
        megabytes = float(text)
    except ValueError as exc:
        raise AttachmentError(f"PXRULES_ATTACHMENT_MAX_MB={text!r} is not a number of megabytes") from exc
    if not 0 < megabytes <= 1024:
        raise AttachmentError(f"PXRULES_ATTACHMENT_MAX_MB={text!r} must be more than 0 and at most 1024")
    return int(megabytes * 1024 * 1024)


def check_name(name: str) -> str:
    """The bare file name, or AttachmentError for a path, a traversal or a name of no allowed type."""
    if not name or name in {".", ".."} or any(c in name for c in "/\\\x00") or name.startswith(("~", ".")):
        raise AttachmentError(f"{name!r} is not a plain file name (no folders, '..' or leading dot)")
    if len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise AttachmentError(f"{name[:60]!r}...: a file name must be at most {MAX_NAME} printable characters")
    suffix = Path(name).suffix.lower()
    if suffix not in MEDIA_TYPES:
        allowed = ", ".join(sorted(MEDIA_TYPES))
        raise AttachmentError(f"{name}: files of type {suffix or '(none)'} cannot be attached (allowed: {allowed})")
    return name


def _office(data: bytes, name: str, suffix: str) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise AttachmentError(f"{name}: not a {suffix} document (a damaged or fake archive)") from exc
    with archive:
        names = set(archive.namelist())
        if "[Content_Types].xml" not in names or _OFFICE_PART[suffix] not in names:
            raise AttachmentError(f"{name}: not a {suffix} document (the archive lacks {_OFFICE_PART[suffix]})")
        declared = sum(info.file_size for info in archive.infolist())
        if declared > MAX_UNPACKED_BYTES or declared > MAX_RATIO * max(len(data), 1):
            raise AttachmentError(f"{name}: its parts expand to {declared:,} bytes (a zip bomb?); refused")
        # Declared sizes can lie: unpack each part with a running budget, never holding more than a block.
        budget = min(MAX_UNPACKED_BYTES, MAX_RATIO * max(len(data), 1))
        for info in archive.infolist():
            try:
                with archive.open(info) as part:
                    while block := part.read(1 << 20):
                        budget -= len(block)
                        if budget < 0:
                            raise AttachmentError(f"{name}: its parts expand too far (a zip bomb?); refused")
            except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
                raise AttachmentError(f"{name}: a damaged {suffix} document ({type(exc).__name__})") from exc


def _text(data: bytes, name: str) -> None:
    if b"\x00" in data:
        raise AttachmentError(f"{name}: not plain text (it holds binary data)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AttachmentError(f"{name}: not UTF-8 text (byte offset {exc.start}); save it as UTF-8") from exc
    head = text[:4096].lstrip().lower().encode()
    if any(mark in head for mark in _HTML_MARKS):
        raise AttachmentError(f"{name}: HTML is not accepted as an attachment; save the page as PDF")


def media_type_of(data: bytes, name: str) -> str:
    """The media type the content shows, when it agrees with the name's extension; else AttachmentError."""
    suffix = Path(name).suffix.lower()
    expected = MEDIA_TYPES[suffix]
    if suffix == ".pdf":
        ok = data[:1024].lstrip().startswith(b"%PDF-")
    elif suffix == ".png":
        ok = data.startswith(b"\x89PNG\r\n\x1a\n")
    elif suffix in {".jpg", ".jpeg"}:
        ok = data.startswith(b"\xff\xd8\xff")
    elif suffix in _OFFICE_PART:
        ok = data.startswith(b"PK\x03\x04")
        if ok:
            _office(data, name, suffix)
    else:
        _text(data, name)
        ok = True
    if not ok:
        looks = _looks_like(data)
        raise AttachmentError(f"{name}: the content is {looks}, not {suffix[1:].upper()}; refused")
    return expected


def _looks_like(data: bytes) -> str:
    head = data[:1024].lstrip().lower()
    if any(mark in head for mark in _HTML_MARKS):
        return "HTML"
    for magic, what in ((b"%pdf-", "PDF"), (b"\x89png", "PNG"), (b"\xff\xd8\xff", "JPEG"), (b"pk\x03\x04", "a zip")):
        if head.startswith(magic):
            return what
    return "of another type"


def check_bytes(data: bytes, name: str, *, max_bytes: int | None = None) -> CheckedFile:
    """Check bytes offered under a file name (as a browser upload gives them)."""
    name = check_name(name)
    limit = max_bytes if max_bytes is not None else max_bytes_from_env()
    if not data:
        raise AttachmentError(f"{name}: the file is empty")
    if len(data) > limit:
        raise AttachmentError(f"{name}: {len(data):,} bytes, over the {limit:,}-byte limit for attachments")
    media_type = media_type_of(data, name)
    return CheckedFile(name, data, hashlib.sha256(data).hexdigest(), media_type)


def check_file(path: str | Path, *, max_bytes: int | None = None) -> CheckedFile:
    """Check a file on disk: a regular file, within the size limit (checked before reading), of an allowed type."""
    path = Path(path)
    name = check_name(path.name)
    limit = max_bytes if max_bytes is not None else max_bytes_from_env()
    try:
        if not path.is_file():
            raise AttachmentError(f"{path}: no such file" if not path.exists() else f"{path}: not a regular file")
        size = path.stat().st_size
        if size > limit:
            raise AttachmentError(f"{name}: {size:,} bytes, over the {limit:,}-byte limit for attachments")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise AttachmentError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    return check_bytes(data, name, max_bytes=limit)
