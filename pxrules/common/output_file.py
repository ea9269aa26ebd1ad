"""Every file pxrules writes goes through `write_output`: never over the store or an input, never half-written.

A report, bundle or template is first written to a temporary file in the target's own folder (so the final
rename is atomic and on the same file system), then moved into place; any failure, a full disk included,
removes the temporary file and leaves whatever was at the target untouched. Without `force` an existing file
is never replaced (the move is a hard link, which fails if the name was taken meanwhile).
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from pxrules.errors import PxRulesError

T = TypeVar("T")

# What SQLite keeps beside a database file: writing over any of them corrupts or loses the store.
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


class OutputRefused(PxRulesError):
    """An output path that would replace the store, an input, a folder or (without --force) a file."""


def store_files(url: str | None) -> list[Path]:
    """The files that make up the store at `url` (none for PostgreSQL or in-memory SQLite)."""
    if not url:
        return []
    # Parsed here as store.db.sqlite_file does (common may not import the store, which sits above it).
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return []
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return []
    database = Path(parsed.database).absolute()
    return [Path(f"{database}{suffix}") for suffix in SQLITE_COMPANIONS]


def _same_file(a: Path, b: Path) -> bool:
    """Same path once links are resolved, or (when both exist) the same inode: a hard link is caught too."""
    try:
        if a.resolve() == b.resolve():
            return True
    except (OSError, RuntimeError):
        pass
    try:
        return a.samefile(b)
    except OSError:
        return False


def check_output(
    path: Path, *, store_url: str | None = None, inputs: Iterable[Path] = (), force: bool = False
) -> Path:
    """The path to write, after refusing the store, an input, a folder and (unless force) an existing file."""
    target = Path(path)
    if target.name in ("", ".", ".."):
        raise OutputRefused(f"cannot write {str(path)!r}: give a file name")
    for store in store_files(store_url):
        if _same_file(target, store):
            raise OutputRefused(f"refusing to write {target}: it is the store ({store.name}); choose another name")
    for given in inputs:
        if _same_file(target, Path(given)):
            raise OutputRefused(f"refusing to write {target}: it is an input of this command; choose another name")
    if not target.parent.is_dir():
        raise OutputRefused(f"cannot write {target}: folder {target.parent} does not exist")
    try:
        mode = target.lstat().st_mode
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise OutputRefused(f"cannot write {target}: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(mode):
        raise OutputRefused(f"{target} is a folder: give a file name")
    if not force:
        raise OutputRefused(f"{target} already exists: give another name, or --force to replace it")
    if not stat.S_ISREG(mode) and not stat.S_ISLNK(mode):
        raise OutputRefused(f"{target} is not a regular file; refusing to replace it")
    return target


def _temp_name(target: Path) -> Path:
    # Same folder (atomic rename), hidden, and with the target's suffix, since writers choose the format by it.
    return target.with_name(f".{target.stem}.{secrets.token_hex(6)}.tmp{target.suffix}")


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _place(temp: Path, target: Path, force: bool) -> None:
    if force:
        temp.replace(target)
        return
    try:
        target.hardlink_to(temp)  # fails with EEXIST if the name was taken since the check: never clobbers
    except FileExistsError as exc:
        raise OutputRefused(f"{target} appeared while it was being written; nothing was replaced") from exc
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK, errno.ENOSYS):
            raise
        if target.exists():  # a file system without hard links: the best that can be done
            raise OutputRefused(f"{target} appeared while it was being written; nothing was replaced") from exc
        temp.replace(target)
        return
    _discard(temp)


def write_output(
    path: Path,
    write: Callable[[Path], T],
    *,
    store_url: str | None = None,
    inputs: Iterable[Path] = (),
    force: bool = False,
) -> T:
    """Check `path` (see check_output), let `write` fill a temporary file beside it, then move it into place.

    Any exception (OSError becomes a one-line PxRulesError) removes the temporary file; the target is
    either the whole new file or what it was before.
    """
    target = check_output(path, store_url=store_url, inputs=inputs, force=force)
    temp = _temp_name(target)
    try:
        result = write(temp)
        with Path(temp).open("rb") as handle:  # the bytes reach the disk before the name does
            os.fsync(handle.fileno())
        _place(temp, target, force)
    except OSError as exc:
        _discard(temp)
        raise PxRulesError(f"cannot write {target}: {exc.strerror or exc}") from exc
    except BaseException:
        _discard(temp)
        raise
    return result


def write_text_output(
    path: Path, text: str, *, store_url: str | None = None, inputs: Iterable[Path] = (), force: bool = False
) -> Path:
    """write_output for text already in memory (UTF-8)."""

    def write(temp: Path) -> Path:
        with Path(temp).open("x", encoding="utf-8", newline="") as out:
            out.write(text)
        return Path(path)

    return write_output(path, write, store_url=store_url, inputs=inputs, force=force)
