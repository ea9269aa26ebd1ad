"""What the record modules share: canonical JSON and its sha256 (stored content hashes), and input checks."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any, TypeVar

from sqlmodel import Session

from pxrules.common.canonical import canonical_text, hash_text, iso_dates
from pxrules.errors import NotFoundError, StoreError
from pxrules.store.tables import Organisation

_SUB_REQUIREMENT = re.compile(r"^(?:[1-9]|1[0-9]|2[0-3])[A-E]$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_T = TypeVar("_T")


def canonical_json(data: Any) -> str:
    """common.canonical_text with dates as ISO strings, refusing anything else JSON cannot hold (StoreError)."""
    try:
        return canonical_text(data, default=iso_dates)
    except (TypeError, ValueError) as exc:
        raise StoreError(f"cannot store as JSON: {exc}") from exc


def sha256_of(data: Any) -> str:
    """The content hash of `data` (dates as ISO strings): hash_text(canonical_json(data))."""
    return hash_text(canonical_json(data))


def coerce(cls: type[_T], value: _T | Mapping[str, Any]) -> _T:
    if isinstance(value, cls):
        return value
    if not isinstance(value, Mapping):
        raise StoreError(f"expected a {cls.__name__} or a mapping, got {type(value).__name__}")
    names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
    unknown = set(value) - names
    if unknown:
        raise StoreError(f"unknown {cls.__name__} field(s): {', '.join(sorted(unknown))}")
    try:
        return cls(**value)
    except TypeError as exc:
        raise StoreError(f"bad {cls.__name__}: {exc}") from exc


def check_org(org: str, session: Session) -> None:
    if session.get(Organisation, org) is None:
        raise NotFoundError(f"unknown organisation {org!r}")


def check_sub_requirements(ids: Sequence[str], what: str) -> None:
    for sub in ids:
        if not _SUB_REQUIREMENT.match(sub):
            raise StoreError(f"{what}: {sub!r} is not a sub-requirement id (1A..23E)")
    dupes = sorted({s for s in ids if ids.count(s) > 1})
    if dupes:
        raise StoreError(f"{what}: sub-requirement(s) given twice: {', '.join(dupes)}")
