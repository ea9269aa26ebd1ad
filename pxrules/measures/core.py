"""The measure registry and the evidence view measures read: evidence -> facts as of a date, with provenance."""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal, TypeVar, cast

from pxrules.evidence import VALIDITY_DAYS, Evidence, is_valid_on

T = TypeVar("T")
MeasureType = Literal["boolean", "integer", "number", "enum"]
Better = Literal["higher", "lower", "true", "false"]
Scalar = bool | int | float | str


@dataclass(frozen=True, slots=True)
class Result:
    """What a measure function returns: the value, the evidence it rests on, and a sentence for people."""

    value: Scalar
    evidence: Sequence[Evidence] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class MeasureValue:
    """A computed measure: its value as of the assessment date and the evidence ids behind it."""

    name: str
    value: Scalar
    evidence_ids: tuple[str, ...]
    evidence_kinds: tuple[str, ...]
    detail: str

    @property
    def attestation_only(self) -> bool:
        """True when every item behind the value is an attestation (the weakest kind of evidence)."""
        return bool(self.evidence_kinds) and set(self.evidence_kinds) == {"attestation"}


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """A registered measure: its name, type, the direction rules may reward, and the kinds it reads."""

    name: str
    type: MeasureType
    description: str
    kinds: tuple[str, ...]
    fn: Callable[[EvidenceView], Result | None]
    unit: str | None = None
    better: Better | None = None
    choices: tuple[str, ...] = ()

    def check_value(self, value: Any) -> str | None:
        """Why `value` is not of this measure's type, or None when it is."""
        if self.type == "boolean":
            return None if isinstance(value, bool) else "expected true or false"
        if isinstance(value, bool):
            return f"expected a {self.type}, got a boolean"
        if self.type == "integer":
            return None if isinstance(value, int) else "expected a whole number"
        if self.type == "number":
            return None if isinstance(value, int | float) else "expected a number"
        if not isinstance(value, str):
            return f"expected one of {', '.join(self.choices)}"
        return None if value in self.choices else f"expected one of {', '.join(self.choices)}"


MEASURES: dict[str, MeasureSpec] = {}


def measure(
    name: str,
    *,
    type: MeasureType,
    description: str,
    kinds: Sequence[str],
    unit: str | None = None,
    better: Better | None = None,
    choices: Sequence[str] = (),
) -> Callable[[Callable[[EvidenceView], Result | None]], Callable[[EvidenceView], Result | None]]:
    """Register a measure function under `name` (a decorator). Names are unique across the registry."""

    def register(fn: Callable[[EvidenceView], Result | None]) -> Callable[[EvidenceView], Result | None]:
        if name in MEASURES:
            raise ValueError(f"measure {name!r} is registered twice")
        if type == "enum" and not choices:
            raise ValueError(f"enum measure {name!r} needs choices")
        if better in ("true", "false") and type != "boolean":
            raise ValueError(f"measure {name!r}: better={better} needs a boolean measure")
        if better in ("higher", "lower") and type not in ("integer", "number"):
            raise ValueError(f"measure {name!r}: better={better} needs a numeric measure")
        MEASURES[name] = MeasureSpec(name, type, description, tuple(kinds), fn, unit, better, tuple(choices))
        return fn

    return register


@lru_cache(maxsize=4096)
def months_before(day: dt.date, months: int) -> dt.date:
    """The date `months` calendar months before `day`; a month's last day maps to a month's last day,
    so a 6-month window ending 30 September starts after 31 March, not 30 March."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month0 = divmod(month_index, 12)
    last = _month_length(year, month0 + 1)
    if day.day == _month_length(day.year, day.month):
        return dt.date(year, month0 + 1, last)
    return dt.date(year, month0 + 1, min(day.day, last))


def _month_length(year: int, month: int) -> int:
    nxt = dt.date(year + month // 12, month % 12 + 1, 1)
    return (nxt - dt.timedelta(days=1)).day


class EvidenceView:
    """Evidence of one organisation (plus shared benchmarks) as it stood on `as_of`.

    `current` holds the items valid on that date (inside their kind's validity window, not in the future);
    `all_items` also holds lapsed ones, for measures that must tell "lapsed" from "never existed".
    Items are kept sorted by (period end, id) so every measure sees the same order whatever the input order.
    `hashes` (evidence id -> content hash, as the store holds them) spares re-hashing items for fingerprints.

    A view never changes once made, so everything is worked out on first use and kept: the ordered valid
    and lapsed items of a kind (only for kinds a measure reads: an assessment whose measures mostly come
    from the cache sorts few), the end dates windows search, the per-kind digests, and what measures
    derive through `memo`.
    """

    def __init__(self, org: str, as_of: dt.date, all_items: Sequence[Evidence],
                 hashes: Mapping[str, str] | None = None) -> None:
        self.org = org
        self.as_of = as_of
        self.hashes = hashes
        self._given = all_items
        self._visible: dict[str, list[Evidence]] | None = None
        self._ordered: list[Evidence] | None = None
        self._kinds: dict[str, tuple[list[Evidence], list[Evidence]]] = {}
        self._ever: dict[str, list[Evidence]] = {}
        self._ends: dict[tuple[str, bool], list[dt.date]] = {}
        self._digests: dict[str, str] = {}
        self._computed_hashes: dict[int, str] = {}
        self._memo: dict[Hashable, Any] = {}

    def __repr__(self) -> str:
        return f"EvidenceView(org={self.org!r}, as_of={self.as_of!r}, items={len(self._given)})"

    def _by_kind(self) -> dict[str, list[Evidence]]:
        """Items of the organisation (and benchmarks) begun by as_of, by kind, in the order given."""
        if self._visible is None:
            as_of, org = self.as_of, self.org
            visible: dict[str, list[Evidence]] = defaultdict(list)
            for e in self._given:
                if (e.org == org or e.org is None) and e.period_start <= as_of:
                    visible[e.kind].append(e)
            self._visible = visible
        return self._visible

    def _kind(self, kind: str) -> tuple[list[Evidence], list[Evidence]]:
        """(valid, lapsed) items of one kind, each ordered by (end, start, id); sorted when first asked for,
        so an assessment whose other measures come from the cache sorts only the kinds it reads."""
        found = self._kinds.get(kind)
        if found is None:
            keyed = [((e.end, e.period_start, e.id), e) for e in self._by_kind().get(kind, [])]
            keyed.sort(key=lambda pair: pair[0])
            valid: list[Evidence] = []
            lapsed: list[Evidence] = []
            as_of = self.as_of
            for _, item in keyed:
                (valid if is_valid_on(item, as_of) else lapsed).append(item)
            found = self._kinds[kind] = (valid, lapsed)
        return found

    @property
    def all_items(self) -> list[Evidence]:
        """Every item of the organisation (and benchmarks) begun by as_of, valid or lapsed, in order."""
        if self._ordered is None:
            self._ordered = sorted((e for group in self._by_kind().values() for e in group),
                                   key=lambda e: (e.end, e.period_start, e.id))
        return self._ordered

    @property
    def current(self) -> dict[str, list[Evidence]]:
        """Valid items by kind, in order."""
        return {kind: self._kind(kind)[0] for kind in self._by_kind() if self._kind(kind)[0]}

    @property
    def past(self) -> dict[str, list[Evidence]]:
        """Lapsed items by kind, in order."""
        return {kind: self._kind(kind)[1] for kind in self._by_kind() if self._kind(kind)[1]}

    def of(self, kind: str) -> list[Evidence]:
        """Valid items of one kind, oldest first."""
        return self._kind(kind)[0]

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """What `compute` derives from this view, worked out once per view (for helpers many measures
        call alike, such as a window of FFT returns). Callers must not change what it returns."""
        if key in self._memo:
            return cast(T, self._memo[key])
        value = self._memo[key] = compute()
        return value

    def _ever_list(self, kind: str) -> list[Evidence]:
        found = self._ever.get(kind)
        if found is None:
            valid, lapsed = self._kind(kind)
            found = sorted(valid + lapsed, key=lambda e: (e.end, e.id))
            self._ever[kind] = found
        return found

    def ever(self, kind: str) -> list[Evidence]:
        """Items of one kind, valid or lapsed, oldest first (never the future)."""
        return list(self._ever_list(kind))

    def within(self, kind: str, months: int, *, ending_months_ago: int = 0) -> list[Evidence]:
        """Items of `kind` whose period ends in the `months` months before as_of (shifted back if asked).

        `within(k, 12)` is the last 12 months; `within(k, 12, ending_months_ago=12)` the 12 before that.
        Window membership is decided by the item's end date; lapsed items count for past windows.
        """
        stop = months_before(self.as_of, ending_months_ago)
        start = months_before(stop, months)
        lapsed = bool(ending_months_ago)
        pool = self._ever_list(kind) if lapsed else self.of(kind)
        # Both pools are ordered by end date first, so the window is one slice of them.
        ends = self._ends.get((kind, lapsed))
        if ends is None:
            ends = [e.end for e in pool]
            self._ends[(kind, lapsed)] = ends
        return pool[bisect_right(ends, start):bisect_right(ends, stop)]

    def content_hash(self, item: Evidence) -> str:
        """The item's content hash: the stored one when the view was given `hashes`, else computed (once)."""
        if self.hashes is not None:
            known = self.hashes.get(item.id)
            if known is not None:
                return known
        found = self._computed_hashes.get(id(item))
        if found is None:
            found = self._computed_hashes[id(item)] = item.content_hash()
        return found

    def kind_digest(self, kind: str) -> str:
        """sha256 over the (id, content hash) of every item of `kind` the view holds (valid or lapsed), by id.

        Which of them are valid follows from their content and the date, so the digest need not say.
        """
        digest = self._digests.get(kind)
        if digest is None:
            items = sorted(self._by_kind().get(kind, []), key=lambda e: e.id)
            text = "\x00".join(f"{e.id}\x01{self.content_hash(e)}" for e in items)
            digest = hashlib.sha256(f"{kind}\x02{text}".encode()).hexdigest()
            self._digests[kind] = digest
        return digest

    def fingerprint(self, kinds: Iterable[str]) -> tuple[str, ...]:
        """Identity of the evidence a measure reading `kinds` can see: reuse its value when unchanged."""
        return tuple(self.kind_digest(kind) for kind in sorted(kinds))


def validity_days(kind: str) -> int:
    """How many days an item of `kind` counts after its period ends."""
    return VALIDITY_DAYS[kind]
