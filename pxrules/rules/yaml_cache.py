"""Parsed YAML kept on disk, keyed by the sha256 of the text, so the rule pack loads without parsing.

Parsing the pack's 58 files, and importing PyYAML to do it, cost ~45 ms of every `pxrules assess`. Only
the parse is cached: everything built from the data is still validated on every load, so a cached load
gives exactly what a fresh one gives. The cache holds plain JSON, never pickle; data JSON cannot carry
exactly (dates, sets, binary) is simply not cached. An entry is found by the sha256 of the text, so an
edited file can never be served stale; entries are also tied to the installed PyYAML. The file lives in
$PXRULES_CACHE_DIR, else $XDG_CACHE_HOME/pxrules, else ~/.cache/pxrules; it is used only when it and its
folder belong to the current user and nobody else may write them. Any problem with the cache (missing,
corrupt, unwritable) only means parsing as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import stat
import tempfile
import threading
from pathlib import Path
from typing import Any

from pxrules.rules.yaml_parse import safe_load as parse

FORMAT = 1
FILE_NAME = f"yaml-v{FORMAT}.json"
# Bounds the file when rule packs change often (tests, authors): the most recently used entries are kept,
# this many (the bundled pack is 58 files).
MAX_ENTRIES = 128
# A mapping JSON cannot write as an object (a key that is not a string, or this very key) is written as
# {PAIRS: [[key, value], ...]}, so the integer levels of a rule file come back as integers.
PAIRS = "\x00pairs"
_SCALARS = (str, int, float, bool, type(None))


class _NotPlain(Exception):
    """The data holds something JSON cannot carry exactly; it is parsed each time instead."""


def cache_dir() -> Path | None:
    """The folder for pxrules' caches (None when no home folder can be found)."""
    explicit = os.environ.get("PXRULES_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    # The XDG spec says to ignore a relative XDG_CACHE_HOME.
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "pxrules"
    try:
        return Path.home() / ".cache" / "pxrules"
    except RuntimeError:
        return None


def _parser_id() -> str:
    # Which PyYAML would parse, found without importing it: a different install may parse differently.
    spec = importlib.util.find_spec("yaml")
    origin = spec.origin if spec is not None else None
    if origin is None:
        return "none"
    info = Path(origin).stat()
    return f"{origin}:{info.st_size}:{info.st_mtime_ns}"


def _key(text: str | bytes) -> str:
    # Text and bytes are told apart: PyYAML decodes bytes itself (byte-order marks included).
    data = b"b" + text if isinstance(text, bytes) else b"s" + text.encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


def _plain(value: Any, seen: set[int]) -> Any:
    kind = type(value)
    if kind is dict or kind is list:
        # A YAML alias makes one object appear twice; written out it could grow exponentially (a "billion
        # laughs" file), so such data is not cached.
        if id(value) in seen:
            raise _NotPlain
        seen.add(id(value))
    if kind is dict:
        if all(type(k) is str for k in value) and PAIRS not in value:
            return {k: _plain(v, seen) for k, v in value.items()}
        if not all(type(k) in _SCALARS for k in value):
            raise _NotPlain
        return {PAIRS: [[k, _plain(v, seen)] for k, v in value.items()]}
    if kind is list:
        return [_plain(v, seen) for v in value]
    if kind in _SCALARS:
        return value
    raise _NotPlain


def _unpairs(obj: dict[str, Any]) -> Any:
    if len(obj) == 1 and PAIRS in obj:
        return dict(obj[PAIRS])
    return obj


def encode(value: Any) -> str | None:
    """`value` as JSON text that `decode` turns back into an equal value of the same types, or None."""
    try:
        return json.dumps(_plain(value, set()), allow_nan=True)
    except (_NotPlain, RecursionError):
        return None


def decode(text: str) -> Any:
    """The value `encode` wrote."""
    return json.loads(text, object_hook=_unpairs)


def _private(info: os.stat_result) -> bool:
    # Another user able to write the cache could change the rules we load.
    if not hasattr(os, "getuid"):
        return True
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


class YamlCache:
    """The parses in one cache file; `load` parses through it and `save` writes back what was added."""

    def __init__(self, folder: Path | None) -> None:
        self._folder = folder
        self._lock = threading.Lock()
        # Least recently used first: saving keeps the last MAX_ENTRIES.
        self._entries: dict[str, str] = {}
        self._dirty = False
        self._parser: str | None = None
        if folder is not None:
            with contextlib.suppress(OSError, ValueError, RecursionError):
                self._read(folder / FILE_NAME)

    @property
    def path(self) -> Path | None:
        return None if self._folder is None else self._folder / FILE_NAME

    def _parser_id(self) -> str:
        if self._parser is None:
            self._parser = _parser_id()
        return self._parser

    def _read(self, path: Path) -> None:
        with path.open("rb") as f:
            if not (_private(os.fstat(f.fileno())) and _private(path.parent.stat())):
                return
            data = json.loads(f.read())
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("parser") != self._parser_id():
            return
        entries = data.get("entries")
        if isinstance(entries, dict):
            self._entries = {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, str)}

    def _touch(self, key: str, encoded: str, *, added: bool) -> None:
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = encoded
            if len(self._entries) > 2 * MAX_ENTRIES:
                self._entries = dict(list(self._entries.items())[-MAX_ENTRIES:])
            self._dirty = self._dirty or added

    def load(self, text: str | bytes) -> Any:
        """What yamlfast.safe_load(text) returns (and raises), from the cache when it has it."""
        key = _key(text)
        with self._lock:
            cached = self._entries.get(key)
        if cached is not None:
            try:
                value = decode(cached)
            except (ValueError, TypeError, RecursionError):
                pass
            else:
                self._touch(key, cached, added=False)
                return value
        value = parse(text)
        encoded = encode(value)
        if encoded is not None:
            self._touch(key, encoded, added=True)
        return value

    def save(self) -> None:
        """Write the file if anything was added (atomically); never raises, since the cache is optional."""
        with self._lock:
            if not self._dirty or self._folder is None:
                return
            entries = dict(list(self._entries.items())[-MAX_ENTRIES:])
            blob = json.dumps({"format": FORMAT, "parser": self._parser_id(), "entries": entries})
            self._dirty = False
        with contextlib.suppress(OSError):
            self._write(self._folder, blob)

    @staticmethod
    def _write(folder: Path, blob: str) -> None:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private(folder.stat()):
            return
        fd, name = tempfile.mkstemp(prefix=".yaml-", suffix=".tmp", dir=folder)
        tmp = Path(name)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(blob)
            tmp.replace(folder / FILE_NAME)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise


_SHARED: YamlCache | None = None
_SHARED_LOCK = threading.Lock()


def shared() -> YamlCache:
    """The process's cache, opened on first use in the folder `cache_dir()` names then."""
    global _SHARED
    with _SHARED_LOCK:
        folder = cache_dir()
        if _SHARED is None or _SHARED.path != (None if folder is None else folder / FILE_NAME):
            _SHARED = YamlCache(folder)
        return _SHARED
