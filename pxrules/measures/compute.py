"""Compute measures for one organisation and date, reusing values whose evidence did not change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from typing import Any

from pxrules.conditions import normalise
from pxrules.errors import EngineError
from pxrules.evidence import Evidence
from pxrules.measures.core import MEASURES, EvidenceView, MeasureSpec, MeasureValue, Result

_NO_VALUE = object()


class MeasureCache:
    """Values keyed by (measure, org, as_of, evidence fingerprint): unchanged evidence -> no recomputation."""

    def __init__(self, max_entries: int = 200_000) -> None:
        self._values: dict[tuple[Any, ...], MeasureValue | None] = {}
        self._max = max_entries
        self.hits = 0
        self.misses = 0

    def get(self, key: tuple[Any, ...]) -> Any:
        value = self._values.get(key, _NO_VALUE)
        if value is _NO_VALUE:
            self.misses += 1
        else:
            self.hits += 1
        return value

    def put(self, key: tuple[Any, ...], value: MeasureValue | None) -> None:
        if len(self._values) >= self._max:
            self._values.clear()
        self._values[key] = value


def _evaluate(spec: MeasureSpec, view: EvidenceView) -> MeasureValue | None:
    try:
        result: Result | None = spec.fn(view)
    except Exception as exc:  # a measure bug must never become a silent 0
        raise EngineError(f"measure {spec.name} failed for {view.org} as of {view.as_of}: {exc!r}") from exc
    if result is None:
        return None
    problem = spec.check_value(result.value)
    if problem:
        raise EngineError(f"measure {spec.name} returned {result.value!r}: {problem}")
    items = sorted(result.evidence, key=lambda e: e.id)
    return MeasureValue(
        name=spec.name,
        value=normalise(result.value),
        evidence_ids=tuple(dict.fromkeys(e.id for e in items)),
        evidence_kinds=tuple(sorted({e.kind for e in items})),
        detail=result.detail,
    )


def compute_measures(
    org: str,
    as_of: dt.date,
    evidence: Sequence[Evidence],
    *,
    names: Collection[str] | None = None,
    cache: MeasureCache | None = None,
) -> dict[str, MeasureValue]:
    """Every registered measure (or those in `names`) with a value as of `as_of`; absent = no evidence."""
    view = EvidenceView(org, as_of, evidence)
    wanted = sorted(MEASURES if names is None else names)
    out: dict[str, MeasureValue] = {}
    fingerprints: dict[tuple[str, ...], tuple[tuple[str, str], ...]] = {}
    for name in wanted:
        spec = MEASURES[name]
        if cache is None:
            value = _evaluate(spec, view)
        else:
            kinds = tuple(sorted(spec.kinds))
            if kinds not in fingerprints:
                fingerprints[kinds] = view.fingerprint(kinds)
            key = (name, org, as_of, fingerprints[kinds])
            value = cache.get(key)
            if value is _NO_VALUE:
                value = _evaluate(spec, view)
                cache.put(key, value)
        if value is not None:
            out[name] = value
    return out
