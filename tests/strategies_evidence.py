"""Hypothesis strategies for valid evidence items of every kind, derived from the models' own field types.

Field constraints (ge/le, patterns, lengths, Literals) come from the pydantic models, so a new field is
covered without editing this file. Cross-field rules (parts <= totals, ordered quartiles) are met by
drawing totals from a higher range than their parts; whatever still fails validation is rejected.
"""

from __future__ import annotations

import datetime as dt
import types
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from hypothesis import assume
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from pxrules.evidence import KIND_MODELS, Evidence
from pxrules.evidence.vocabulary import Vocabulary

# Count tiers: a total is drawn from a higher range than anything that must not exceed it.
_TIER_NAMES = [
    "received resolved eligible population_size population teams_total measures_with_target actions_recorded",
    "acknowledged_3wd meeting_offered advocacy_offered responded_in_time feedback_sought reopened responses",
    "completed compliant teams_with_access measures_on_track actions_completed upheld partially_upheld",
    "not_upheld",
    "feedback_received very_good good neither poor very_poor dont_know with_patients actions_reaudited",
    "feedback_satisfied",
]
_TIER_OF_LINE = [0, 1, 1, 1, 2, 3]
_TIERS: dict[str, int] = {n: _TIER_OF_LINE[i] for i, line in enumerate(_TIER_NAMES) for n in line.split()}
_TIER_RANGES = [(10**7, 10**8), (10**5, 10**6 - 1), (10**3, 10**4 - 1), (0, 999)]
# Values checked against a scale (percent 0..100, share 0..1, score5 ...): 0..1 fits every scale.
_ON_ANY_SCALE = {
    "value",
    "lower_quartile",
    "median",
    "upper_quartile",
    "score",
    "peer_mean",
    "peer_median",
    "peer_lower_quartile",
    "peer_upper_quartile",
}
_ENVELOPE = {"id", "org", "period_start", "period_end", "recorded_by", "recorded_at", "kind"}

texts_alphabet = st.characters(exclude_categories=["Cs", "Cc"])


def _constraints(metadata: list[Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for m in metadata:
        inner = getattr(m, "metadata", None)
        if isinstance(inner, list):
            found.update(_constraints(inner))
        for attr in ("ge", "gt", "le", "lt", "min_length", "max_length", "pattern"):
            value = getattr(m, attr, None)
            if value is not None:
                found[attr] = value
    return found


def _strategy(tp: Any, metadata: list[Any], name: str) -> st.SearchStrategy[Any]:
    origin = get_origin(tp)
    if origin is Annotated:
        base, *extra = get_args(tp)
        return _strategy(base, [*metadata, *extra], name)
    vocab = next((m for m in metadata if isinstance(m, Vocabulary)), None)
    if tp is str and vocab is not None:
        # A closed field: its codes, and now and then a prefixed one (px_example.<name> ...).
        exact = st.sampled_from(sorted(vocab.labels))
        if not vocab.prefixes:
            return exact
        suffix = st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
        return exact | st.tuples(st.sampled_from(sorted(vocab.prefixes)), suffix).map("".join)
    if origin in (Union, types.UnionType):
        options = [a for a in get_args(tp) if a is not type(None)]
        inner = st.one_of(*[_strategy(a, metadata, name) for a in options])
        return st.none() | inner if len(options) < len(get_args(tp)) else inner
    if origin is Literal:
        return st.sampled_from(get_args(tp))
    if origin is list:
        (item,) = get_args(tp)
        return st.lists(_strategy(item, [], name), max_size=3, unique=True)
    if origin is dict:
        key, value = get_args(tp)
        return st.dictionaries(_strategy(key, [], name), _strategy(value, [], name), max_size=3)
    c = _constraints(metadata)
    if tp is bool:
        return st.booleans()
    if tp is int:
        if name in _TIERS:
            return st.integers(*_TIER_RANGES[_TIERS[name]])
        low = c["ge"] if "ge" in c else c["gt"] + 1 if "gt" in c else -(10**6)
        high = c["le"] if "le" in c else c["lt"] - 1 if "lt" in c else 10**6
        return st.integers(low, high)
    if tp is float:
        if name in _ON_ANY_SCALE:
            return st.floats(0, 1, allow_nan=False)
        return st.floats(c.get("ge", -1e6), c.get("le", 1e6), allow_nan=False, allow_infinity=False)
    if tp is str:
        if "pattern" in c:
            return st.from_regex(c["pattern"], fullmatch=True)
        low = c.get("min_length", 0)
        return st.text(texts_alphabet, min_size=low, max_size=min(c.get("max_length", 40), 40))
    if tp is dt.date:
        return st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31))
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return st.fixed_dictionaries(
            {
                n: _strategy(f.annotation, list(f.metadata), n)
                for n, f in tp.model_fields.items()
                if f.is_required()
            },
            optional={
                n: _strategy(f.annotation, list(f.metadata), n)
                for n, f in tp.model_fields.items()
                if not f.is_required()
            },
        )
    raise NotImplementedError(f"no strategy for {tp!r} (field {name})")


@st.composite
def _envelope(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    start = draw(st.dates(dt.date(2015, 1, 1), dt.date(2024, 12, 31)))
    end = draw(st.none() | st.integers(0, 400).map(lambda d: start + dt.timedelta(days=d)))
    recorded = draw(
        st.none()
        | st.integers(0, 200).map(
            lambda d: dt.datetime.combine((end or start) + dt.timedelta(days=d), dt.time(12), tzinfo=dt.UTC)
        )
    )
    data: dict[str, Any] = {
        "kind": kind,
        "id": draw(st.from_regex(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,20}", fullmatch=True)),
        "period_start": start,
        "period_end": end,
        "recorded_at": recorded,
        "recorded_by": draw(st.none() | st.text(texts_alphabet, min_size=1, max_size=20)),
    }
    if kind != "benchmark":
        data["org"] = draw(st.from_regex(r"[A-Z0-9]{2,12}", fullmatch=True))
    return data


@st.composite
def evidence_items(draw: st.DrawFn, kind: str) -> Evidence:
    """A valid item of `kind` (draws that break a cross-field rule are rejected)."""
    model = KIND_MODELS[kind]
    data = draw(_envelope(kind))
    for name, info in model.model_fields.items():
        if name in _ENVELOPE:
            continue
        if info.is_required() or draw(st.booleans()):
            data[name] = draw(_strategy(info.annotation, list(info.metadata), name))
    try:
        item: Evidence = model.model_validate(data)
    except ValidationError:
        assume(False)
        raise  # unreachable: assume(False) raises
    return item


any_evidence = st.sampled_from(sorted(KIND_MODELS)).flatmap(evidence_items)
