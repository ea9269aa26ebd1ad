"""Compute measures for one organisation and date, reusing values whose evidence did not change."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Mapping, Sequence
from functools import cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from pxrules.errors import EngineError
from pxrules.evidence import Evidence
from pxrules.measures.registry import MEASURES, EvidenceView, MeasureSpec, MeasureValue, Result, normalise

_NO_VALUE = object()
Fingerprint = tuple[str, ...]


@cache
def measure_code_version() -> str:
    """sha256 of the code a measure value depends on: the measures, the evidence models (validity windows,
    derived properties) and value normalisation. A cached value computed by other code is never reused."""
    root = Path(__file__).resolve().parent.parent
    files = sorted([*(root / "measures").glob("*.py"), *(root / "evidence").glob("*.py"),
                    root / "rules" / "conditions.py"])
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


class MeasureCache:
    """Values keyed by (measure, org, as_of, evidence fingerprint): unchanged evidence -> no recomputation.

    The fingerprint is one digest per kind the measure reads, over the ids and content hashes of the items
    of that kind visible on the date, so adding, correcting or withdrawing any such item changes it.
    `hits` and `misses` count lookups (one per measure per assessment). It also keeps sub-requirement
    scores by the evidence they rest on (the digests of the kinds their measures read; `score_hits`,
    `score_misses`), so an unchanged sub-requirement is not even re-evaluated.
    """

    def __init__(self, max_entries: int = 200_000) -> None:
        self._values: dict[tuple[Any, ...], MeasureValue | None] = {}
        self._scores: dict[tuple[Any, ...], Any] = {}
        self._max = max_entries
        self.hits = 0
        self.misses = 0
        self.score_hits = 0
        self.score_misses = 0

    def lookup(self, name: str, org: str, as_of: dt.date, fingerprint: Fingerprint) -> Any:
        """The cached value (None = "no value"), or the module's _NO_VALUE marker on a miss."""
        value = self._values.get((name, org, as_of, fingerprint), _NO_VALUE)
        if value is _NO_VALUE:
            self.misses += 1
        else:
            self.hits += 1
        self.used(name, org, as_of, fingerprint)
        return value

    def store(self, name: str, org: str, as_of: dt.date, fingerprint: Fingerprint,
              value: MeasureValue | None) -> None:
        if len(self._values) >= self._max:
            self._values.clear()
        self._values[(name, org, as_of, fingerprint)] = value

    def used(self, name: str, org: str, as_of: dt.date, fingerprint: Fingerprint) -> None:
        """Hook: the value of `name` for (org, as_of) now rests on `fingerprint` (persistent caches track it)."""

    def lookup_score(self, key: tuple[Any, ...], at: tuple[str, dt.date] | None = None) -> Any:
        """A sub-requirement's score kept under `key` (see assess.score_facts), or None. `at` names the
        (org, as_of) being assessed, for caches that keep scores per assessment (the stored one does)."""
        found = self._scores.get(key)
        if found is None:
            self.score_misses += 1
        else:
            self.score_hits += 1
        return found

    def store_score(self, key: tuple[Any, ...], score: Any, at: tuple[str, dt.date] | None = None) -> None:
        if len(self._scores) >= self._max // 10:
            self._scores.clear()
        self._scores[key] = score

    def reset_counters(self) -> None:
        self.hits = self.misses = self.score_hits = self.score_misses = 0


def is_miss(value: Any) -> bool:
    """True for what MeasureCache.lookup returns when it holds no value."""
    return value is _NO_VALUE


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
    # Each attribute read on a pydantic model is slow: read (id, kind) once per item.
    pairs = sorted([(e.id, e.kind) for e in result.evidence], key=itemgetter(0))
    return MeasureValue(
        name=spec.name,
        value=normalise(result.value),
        evidence_ids=tuple(dict.fromkeys([i for i, _ in pairs])),
        evidence_kinds=tuple(sorted({k for _, k in pairs})),
        detail=result.detail,
    )


def compute_measures(
    org: str,
    as_of: dt.date,
    evidence: Sequence[Evidence],
    *,
    names: Collection[str] | None = None,
    cache: MeasureCache | None = None,
    hashes: Mapping[str, str] | None = None,
    view: EvidenceView | None = None,
) -> dict[str, MeasureValue]:
    """Every registered measure (or those in `names`) with a value as of `as_of`; absent = no evidence.

    `hashes` (evidence id -> content hash, e.g. as stored) saves re-hashing items to fingerprint them for
    the cache; `view` reuses a view the caller already built of the same (org, as_of, evidence).
    """
    view = view or EvidenceView(org, as_of, evidence, hashes)
    wanted = sorted(MEASURES if names is None else names)
    out: dict[str, MeasureValue] = {}
    fingerprints: dict[tuple[str, ...], Fingerprint] = {}
    for name in wanted:
        spec = MEASURES[name]
        if cache is None:
            value = _evaluate(spec, view)
        else:
            kinds = spec.kinds
            fingerprint = fingerprints.get(kinds)
            if fingerprint is None:
                fingerprint = fingerprints[kinds] = view.fingerprint(kinds)
            value = cache.lookup(name, org, as_of, fingerprint)
            if value is _NO_VALUE:
                value = _evaluate(spec, view)
                cache.store(name, org, as_of, fingerprint, value)
        if value is not None:
            out[name] = value
    return out
