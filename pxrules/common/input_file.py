"""Every file pxrules reads is checked here first: a regular file, under a size limit, read without blocking.

A FIFO, a device (/dev/zero, a terminal) or a folder named as an input would otherwise hang a reader or feed
it forever; `os.stat` says what a path is before anything opens it, and the file is then opened with
O_NONBLOCK (so even a FIFO swapped in after the check cannot block the open) and checked again by its
handle. Reads never go past the limit, whatever the file claims its size is.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from pxrules.errors import EvidenceError, PxRulesError

_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _what(mode: int) -> str:
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _check_mode(path: Path, mode: int, size: int, max_bytes: int, error: type[PxRulesError]) -> None:
    if not stat.S_ISREG(mode):
        raise error(f"{path.name}: is {_what(mode)}, not a regular file; give the file itself")
    if size > max_bytes:
        raise error(f"{path.name}: file is {size:,} bytes, over the {max_bytes:,}-byte limit")


def check_input(path: Path, max_bytes: int, error: type[PxRulesError] = EvidenceError) -> int:
    """The size of `path` once it is known to be a regular file within `max_bytes`; else `error`."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError as exc:
        raise error(f"{path.name}: no such file ({path})") from exc
    except OSError as exc:
        raise error(f"{path.name}: cannot read: {exc.strerror or exc}") from exc
    _check_mode(path, info.st_mode, info.st_size, max_bytes, error)
    return info.st_size


def read_input(path: Path, max_bytes: int, error: type[PxRulesError] = EvidenceError) -> bytes:
    """The bytes of a regular file of at most `max_bytes` (checked before and after opening); else `error`."""
    path = Path(path)
    check_input(path, max_bytes, error)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise error(f"{path.name}: cannot read: {exc.strerror or exc}") from exc
    try:
        info = os.fstat(fd)
        _check_mode(path, info.st_mode, info.st_size, max_bytes, error)
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, min(1 << 20, max_bytes + 1 - total)):
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:
                raise error(f"{path.name}: the file grew past the {max_bytes:,}-byte limit while it was read")
        return b"".join(chunks)
    except OSError as exc:
        raise error(f"{path.name}: cannot read: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
