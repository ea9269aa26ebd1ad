"""Canonical JSON (sorted keys, compact, UTF-8 as is, no NaN) and its sha256: the ONE serialisation and the ONE
content hash every stored record carries (evidence, assessments, self-assessments, audit events, bundles).

The standard library's `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False,
allow_nan=False)` defines the form. orjson writes the same bytes ten times faster for the data pxrules hashes
(strings of any code point, ints, bools, null, lists, dicts with string keys) but formats some floats
differently (1e-05 as 1e-5): so orjson is used only when every float is zero or between 1e-4 and 1e16 in
magnitude, where both write the shortest repr alike, and every value is of a plain JSON type; anything else
goes to `json`. tests/test_canonical.py checks the two agree on arbitrary data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import orjson

_SCALARS = (str, int, bool, type(None))
_ORJSON_INT = 2**63  # orjson refuses integers outside 64 bits


def _orjson_safe(data: Any) -> bool:
    """True when orjson's output for `data` is byte-identical to the standard library's canonical form."""
    stack = [data]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is int:
            if not -_ORJSON_INT <= value < _ORJSON_INT:
                return False
        elif kind is float:
            magnitude = abs(value)
            if magnitude != 0.0 and not 1e-4 <= magnitude < 1e16:  # also refuses NaN and infinity
                return False
        elif kind is dict:
            for key in value:
                if type(key) is not str:
                    return False
            stack.extend(value.values())
        elif kind is list or kind is tuple:
            # Long lists are mostly strings (evidence ids): told apart at C speed, not one step each.
            if len(value) < 16 or set(map(type, value)) != _STR:
                stack.extend(value)
        else:
            return False
    return True


_STR = {str}


def canonical_text(data: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """`data` in canonical form; raises what json.dumps raises (TypeError, ValueError) on data it refuses.

    `default` converts what JSON has no type for (as json.dumps's does); such data always goes to `json`.
    """
    if _orjson_safe(data):
        try:
            return orjson.dumps(data, option=orjson.OPT_SORT_KEYS).decode()
        except orjson.JSONEncodeError:
            pass  # e.g. a lone surrogate: json writes it as is, and must be the one to
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                      default=default)


def iso_dates(value: Any) -> Any:
    """A `default` for canonical_text: dates and datetimes as ISO strings, nothing else."""
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON data")


def hash_text(text: str) -> str:
    """sha256 (hex) of UTF-8 text that is already canonical."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def content_hash(data: Any, *, default: Callable[[Any], Any] | None = None) -> str:
    """sha256 (hex) of canonical_text(data): the content hash."""
    return hash_text(canonical_text(data, default=default))


def canonical_members(members: Mapping[str, str]) -> str:
    """The canonical text of a mapping given each value's own canonical text: what canonical_text of the
    mapping gives, without serialising a large member (an assessment's result) once to store it and again
    to hash it."""
    return "{" + ",".join(f"{canonical_text(key)}:{members[key]}" for key in sorted(members)) + "}"
