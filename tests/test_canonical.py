"""The fast canonical JSON writer must give exactly the standard library's bytes, or the same error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pxrules.common.canonical import canonical_text


def reference(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


# Every code point, surrogates included (json writes a lone one as is; orjson refuses it).
TEXT = st.text(st.characters(codec=None, categories=None), max_size=20)
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.floats(min_value=-1e-3, max_value=1e-3),
    st.floats(min_value=1e14, max_value=1e18), TEXT,
)
JSON = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=5), st.tuples(inner, inner), st.dictionaries(TEXT, inner, max_size=5),
    # long lists of strings with something else among them (the writer skims long all-string lists)
    st.builds(lambda texts, other, at: [*texts[:at], other, *texts[at:]],
              st.lists(TEXT, min_size=16, max_size=20), inner, st.integers(0, 16))), max_leaves=30)


def outcome(fn: Any, data: Any) -> tuple[str, Any]:
    try:
        return "text", fn(data)
    except (TypeError, ValueError) as exc:
        return "error", type(exc)


@settings(max_examples=400, deadline=None)
@given(JSON)
def test_the_same_text_or_the_same_error_as_json(data: Any) -> None:
    assert outcome(canonical_text, data) == outcome(reference, data)


@pytest.mark.parametrize("value", [1e-5, 1.5e-7, 1e16, 1e300, -0.0, 0.0001, 123456789.125, 2**64, float("nan"),
                                   "\ud800", "\u2028\x7f\x00\n", {"b": 1, "a": [1.0, None]}, {1: "int key"},
                                   ["id"] * 40, ["id"] * 40 + [1e-5], ("id",) * 20 + ({"x": 1e20},)])
def test_the_known_differences_of_orjson_are_avoided(value: Any) -> None:
    assert outcome(canonical_text, value) == outcome(reference, value)


def test_what_json_cannot_write_goes_through_default() -> None:
    import datetime as dt

    assert canonical_text({"d": dt.date(2026, 3, 31)}, default=lambda v: v.isoformat()) == '{"d":"2026-03-31"}'


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(TEXT, JSON, max_size=6))
def test_a_mapping_from_its_members_canonical_texts_is_its_canonical_text(data: dict[str, Any]) -> None:
    from pxrules.common.canonical import canonical_members

    try:
        members = {key: canonical_text(value) for key, value in data.items()}
    except (TypeError, ValueError, UnicodeEncodeError):
        return
    assert canonical_members(members) == canonical_text(data)


def test_the_content_hash_is_sha256_of_the_canonical_text() -> None:
    import datetime as dt
    import hashlib

    from pxrules.common.canonical import content_hash, iso_dates

    data = {"b": [1, 2.5, "é"], "a": {"d": dt.date(2026, 3, 31)}}
    text = '{"a":{"d":"2026-03-31"},"b":[1,2.5,"é"]}'
    assert content_hash(data, default=iso_dates) == hashlib.sha256(text.encode()).hexdigest()


def test_no_other_module_writes_canonical_json_of_its_own() -> None:
    # One serialisation: a second hand-written `json.dumps(..., separators=(",", ":"))` could drift from it
    # and `audit verify` would break silently (frozen migrations aside: they must never change).
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "pxrules"
    own = [p.relative_to(root).as_posix() for p in root.rglob("*.py")
           if 'separators=(",", ":")' in p.read_text(encoding="utf-8") and "migrations" not in p.parts]
    assert own == ["common/canonical.py"]
