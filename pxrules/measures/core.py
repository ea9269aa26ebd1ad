"""The measure registry and the evidence view measures read: evidence -> facts as of a date, with provenance."""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from pxrules.evidence import VALIDITY_DAYS, Evidence, is_valid_on

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
    type: MeasureType,  # noqa: A002 - reads as the YAML does
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


@dataclass
class EvidenceView:
    """Evidence of one organisation (plus shared benchmarks) as it stood on `as_of`.

    `current` holds the items valid on that date (inside their kind's validity window, not in the future);
    `all_items` also holds lapsed ones, for measures that must tell "lapsed" from "never existed".
    Items are kept sorted by (period end, id) so every measure sees the same order whatever the input order.
    `hashes` (evidence id -> content hash, as the store holds them) spares re-hashing items for fingerprints.

    A view never changes after it is built, so what measures ask of it repeatedly (an item's end date, the
    merged valid-and-lapsed list of a kind) is worked out once per view.
    """

    org: str
    as_of: dt.date
    all_items: Sequence[Evidence]
    hashes: Mapping[str, str] | None = field(default=None, repr=False, compare=False)
    current: dict[str, list[Evidence]] = field(init=False)
    past: dict[str, list[Evidence]] = field(init=False)
    _ever: dict[str, list[Evidence]] = field(init=False, repr=False, compare=False)
    _ends: dict[tuple[str, bool], list[dt.date]] = field(init=False, repr=False, compare=False)
    _digests: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        as_of, org = self.as_of, self.org
        keyed = [((e.end, e.period_start, e.id), e) for e in self.all_items
                 if (e.org == org or e.org is None) and e.period_start <= as_of]
        keyed.sort(key=lambda pair: pair[0])
        ordered = [e for _, e in keyed]
        self.all_items = ordered
        self.current = defaultdict(list)
        self.past = defaultdict(list)
        for item in ordered:
            (self.current if is_valid_on(item, as_of) else self.past)[item.kind].append(item)
        self._ever = {}
        self._ends = {}
        self._digests = {}

    def of(self, kind: str) -> list[Evidence]:
        """Valid items of one kind, oldest first."""
        return self.current.get(kind, [])

    def _ever_list(self, kind: str) -> list[Evidence]:
        found = self._ever.get(kind)
        if found is None:
            found = sorted(self.current.get(kind, []) + self.past.get(kind, []), key=lambda e: (e.end, e.id))
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
        """The item's content hash: the stored one when the view was given `hashes`, else computed."""
        if self.hashes is not None:
            known = self.hashes.get(item.id)
            if known is not None:
                return known
        return item.content_hash()

    def kind_digest(self, kind: str) -> str:
        """sha256 over (id, content hash) of every item of `kind` this view holds, valid or lapsed."""
        digest = self._digests.get(kind)
        if digest is None:
            h = hashlib.sha256(kind.encode())
            for group in (self.current.get(kind, []), self.past.get(kind, [])):
                h.update(b"\x01")
                for e in group:
                    h.update(f"{e.id}\x00{self.content_hash(e)}\x00".encode())
            digest = h.hexdigest()
            self._digests[kind] = digest
        return digest

    def fingerprint(self, kinds: Iterable[str]) -> tuple[str, ...]:
        """Identity of the evidence a measure reading `kinds` can see: reuse its value when unchanged.

        One digest per kind over the (id, content hash) of its valid and of its lapsed items, in view order.
        """
        return tuple(self.kind_digest(kind) for kind in sorted(kinds))


def validity_days(kind: str) -> int:
    """How many days an item of `kind` counts after its period ends."""
    return VALIDITY_DAYS[kind]
