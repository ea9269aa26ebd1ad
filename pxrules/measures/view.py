"""The evidence view measures read: an organisation's evidence as it stood on a date, indexed for measures."""

from __future__ import annotations

import datetime as dt
import hashlib
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from functools import lru_cache
from itertools import chain
from operator import attrgetter, itemgetter
from typing import Any, TypeVar, cast

from pxrules.evidence import VALIDITY_DAYS, Evidence
from pxrules.evidence.governance import Document

T = TypeVar("T")
E = TypeVar("E")
_MISSING = object()


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


# A row is (end day, start day, id, item), days as ordinals: ordering, windows and fingerprints read rows,
# because reading fields of evidence models is slow (pydantic's __getattr__ hook defeats CPython's
# attribute caches) and integer keys sort faster than dates. A view reads each item's envelope once.
Row = tuple[int, int, str, Evidence]  # (end day, start day, id, item)
_Row = Row
_ROW_END = itemgetter(0)
_ROW_START = itemgetter(1)
_ROW_ID = itemgetter(2)
_ROW_ITEM = itemgetter(3)


def _items(rows: list[_Row]) -> list[Evidence]:
    return list(map(_ROW_ITEM, rows))


def _ordered(rows: Iterable[_Row], *keys: Callable[[_Row], Any]) -> list[_Row]:
    """`rows` in the order of one stable sort by `keys` (most significant first), as stable single-key
    sorts from the least significant key up: each then compares plain ints or strings."""
    found = list(rows)
    for key in reversed(keys):
        found.sort(key=key)
    return found


def digest_start(kind: str) -> Any:
    """A kind's digest before its records: sha256 of the kind's name."""
    return hashlib.sha256(f"{kind}\x02".encode())


def digest_records(keyed: Iterable[tuple[int, str, str]]) -> bytes:
    """(period start, id, content hash) records, in that order, as the bytes a kind's digest is fed.

    Ordered by period start, the items visible on a later date extend those visible on an earlier one, so
    the digests of many dates can be taken in one pass (EvidenceTimeline); the order is still a function
    of the set alone, so a view whatever the order of its input gets the same digest.
    """
    return "".join([f"{item_id}\x01{content}\x00" for _, item_id, content in keyed]).encode()


class EvidenceView:
    """Evidence of one organisation (plus shared benchmarks) as it stood on `as_of`.

    `current` holds the items valid on that date (inside their kind's validity window, not in the future);
    `all_items` also holds lapsed ones, for measures that must tell "lapsed" from "never existed".
    Items are kept sorted by (period end, id) so every measure sees the same order whatever the input order.
    `hashes` (evidence id -> content hash, as the store holds them) spares re-hashing items for fingerprints.

    A view never changes once made, so everything is worked out on first use and kept: the ordered valid
    and lapsed items of a kind (only for kinds a measure reads: an assessment whose measures mostly come
    from the cache sorts few), the end dates windows search, the indexes `select` reads, the per-kind
    digests, and what measures derive through `memo`.
    """

    def __init__(self, org: str, as_of: dt.date, all_items: Sequence[Evidence],
                 hashes: Mapping[str, str] | None = None) -> None:
        self.org = org
        self.as_of = as_of
        self.hashes = hashes
        self._given = all_items
        self._visible: dict[str, list[_Row]] | None = None
        self._ordered: list[Evidence] | None = None
        self._kind_rows: dict[str, tuple[list[_Row], list[_Row]]] = {}
        self._current: dict[str, list[Evidence]] = {}
        self._ever: dict[str, list[_Row]] = {}
        self._pools: dict[tuple[str, bool], tuple[list[Evidence], list[int]]] = {}
        self._windows: dict[tuple[int, int], tuple[int, int]] = {}
        self._past_windows: dict[tuple[str, int, int], list[Evidence]] = {}
        self._indexes: dict[tuple[Hashable, type[Any], str | tuple[str, ...]],
                            dict[Hashable, tuple[list[int], list[Any]]]] = {}
        self._digests: dict[str, str] = {}
        self._computed_hashes: dict[int, str] = {}
        self._memo: dict[Hashable, Any] = {}

    def __repr__(self) -> str:
        return f"EvidenceView(org={self.org!r}, as_of={self.as_of!r}, items={len(self._given)})"

    def _rows(self) -> dict[str, list[_Row]]:
        """Rows of the organisation's (and benchmarks') items begun by as_of, by kind, in the order given."""
        if self._visible is None:
            as_of, org = self.as_of, self.org
            visible: dict[str, list[_Row]] = {}
            for e in self._given:
                # A pydantic model keeps its fields in __dict__: one slow attribute read instead of five.
                fields = e.__dict__
                start = fields["period_start"]
                owner = fields["org"]
                if (owner == org or owner is None) and start <= as_of:
                    kind = fields["kind"]
                    group = visible.get(kind)
                    if group is None:
                        group = visible[kind] = []
                    group.append(((fields["period_end"] or start).toordinal(), start.toordinal(), fields["id"], e))
            self._visible = visible
        return self._visible

    def _sorted_rows(self, kind: str) -> tuple[list[_Row], list[_Row]]:
        """(valid, lapsed) rows of one kind, each ordered by (end, start, id); sorted when first asked for,
        so an assessment whose other measures come from the cache sorts only the kinds it reads."""
        found = self._kind_rows.get(kind)
        if found is None:
            rows = _ordered(self._rows().get(kind, ()), _ROW_END, _ROW_START, _ROW_ID)
            # As is_valid_on decides for items begun by as_of: valid while min(end, as_of) is within the
            # kind's validity window of as_of, i.e. from a cutoff end day on (a suffix of rows by end).
            cutoff = self.as_of.toordinal() - VALIDITY_DAYS[kind]
            if kind == "document":
                # ... and a document past its review date no longer counts as current.
                as_of = self.as_of
                valid: list[_Row] = []
                lapsed: list[_Row] = []
                for row in rows:
                    item = row[3]
                    due = item.review_due if isinstance(item, Document) else None
                    (lapsed if row[0] < cutoff or (due is not None and due < as_of) else valid).append(row)
            else:
                first = bisect_left(rows, cutoff, key=_ROW_END)
                valid, lapsed = rows[first:], rows[:first]
            found = self._kind_rows[kind] = (valid, lapsed)
        return found


    @property
    def all_items(self) -> list[Evidence]:
        """Every item of the organisation (and benchmarks) begun by as_of, valid or lapsed, in order."""
        if self._ordered is None:
            rows = _ordered(chain.from_iterable(self._rows().values()), _ROW_END, _ROW_START, _ROW_ID)
            self._ordered = _items(rows)
        return self._ordered

    @property
    def current(self) -> dict[str, list[Evidence]]:
        """Valid items by kind, in order."""
        return {kind: self.of(kind) for kind in self._rows() if self.of(kind)}

    @property
    def past(self) -> dict[str, list[Evidence]]:
        """Lapsed items by kind, in order."""
        return {kind: _items(self._sorted_rows(kind)[1]) for kind in self._rows() if self._sorted_rows(kind)[1]}

    def of(self, kind: str) -> list[Evidence]:
        """Valid items of one kind, oldest first."""
        found = self._current.get(kind)
        if found is None:
            found = self._current[kind] = _items(self._sorted_rows(kind)[0])
        return found

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """What `compute` derives from this view, worked out once per view (for helpers many measures
        call alike, such as a window of FFT returns). Callers must not change what it returns."""
        found = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found = self._memo[key] = compute()
        return cast(T, found)

    def _ever_rows(self, kind: str) -> list[_Row]:
        """Valid and lapsed rows of one kind ordered by (end, id)."""
        found = self._ever.get(kind)
        if found is None:
            valid, lapsed = self._sorted_rows(kind)
            found = self._ever[kind] = _ordered(valid + lapsed, _ROW_END, _ROW_ID)
        return found

    def _pool(self, kind: str, lapsed: bool) -> tuple[list[Evidence], list[int]]:
        """The valid (or valid and lapsed) items of a kind in order, and their end days (ordinals)."""
        found = self._pools.get((kind, lapsed))
        if found is None:
            rows = self._ever_rows(kind) if lapsed else self._sorted_rows(kind)[0]
            items = _items(rows) if lapsed else self.of(kind)
            found = self._pools[(kind, lapsed)] = (items, [row[0] for row in rows])
        return found

    def ever(self, kind: str) -> list[Evidence]:
        """Items of one kind, valid or lapsed, oldest first (never the future)."""
        return list(self._pool(kind, True)[0])

    def within(self, kind: str, months: int, *, ending_months_ago: int = 0) -> list[Evidence]:
        """Items of `kind` whose period ends in the `months` months before as_of (shifted back if asked).

        `within(k, 12)` is the last 12 months; `within(k, 12, ending_months_ago=12)` the 12 before that.
        Window membership is decided by the item's end date; lapsed items count for past windows.
        """
        start, stop = self._window(months, ending_months_ago)
        if ending_months_ago:
            return list(self._past(kind, start, stop))
        # The current items are ordered by end date first, so the window is one slice of them.
        pool, ends = self._pool(kind, False)
        return pool[bisect_right(ends, start):bisect_right(ends, stop)]

    def _past(self, kind: str, start: int, stop: int) -> list[Evidence]:
        """The items of ever(kind) ending in days start+1..stop, in that order, without ordering everything
        the view holds of the kind (past windows are mostly all a kind's lapsed items are read for)."""
        key = (kind, start, stop)
        found = self._past_windows.get(key)
        if found is None:
            pool = self._pools.get((kind, True))
            if pool is not None:
                items, ends = pool
                found = items[bisect_right(ends, start):bisect_right(ends, stop)]
            else:
                # ever() is valid + lapsed ordered by (end, id), and both are ordered by end: the window of
                # it is their windows so ordered.
                part = [row for rows in self._sorted_rows(kind)
                        for row in rows[bisect_right(rows, start, key=_ROW_END):bisect_right(rows, stop, key=_ROW_END)]]
                found = _items(_ordered(part, _ROW_END, _ROW_ID))
            self._past_windows[key] = found
        return found

    def _window(self, months: int, ending_months_ago: int) -> tuple[int, int]:
        """The (exclusive start, inclusive stop) days of a window, as ordinals."""
        found = self._windows.get((months, ending_months_ago))
        if found is None:
            stop = months_before(self.as_of, ending_months_ago)
            found = self._windows[(months, ending_months_ago)] = (months_before(stop, months).toordinal(),
                                                                   stop.toordinal())
        return found

    def select(self, kind: str, cls: type[E], field: str | tuple[str, ...], values: Collection[Hashable], *,
               ever: bool = False) -> list[E]:
        """The items of `of(kind)` (or `ever(kind)`) that are `cls` and whose `field` is one of `values`,
        in the same order: `[i for i in view.of(kind) if isinstance(i, cls) and i.field in values]`.

        A tuple of fields matches tuples of values. Each (kind, cls, field) is indexed once per view, so
        measures filtering alike (documents by type, audits by process ...) do not rescan the kind.
        """
        items, _ = self._pool(kind, ever)
        return self._gather(items, self._index((kind, ever), items, cls, field), values)

    def select_within(self, kind: str, cls: type[E], field: str | tuple[str, ...], values: Collection[Hashable],
                      months: int, *, ending_months_ago: int = 0) -> list[E]:
        """`select` over `within(kind, months, ending_months_ago=...)`: the same items in the same order."""
        start, stop = self._window(months, ending_months_ago)
        if ending_months_ago:
            # A past window is a small part of everything ever held: index just that part.
            items = self._past(kind, start, stop)
            return self._gather(items, self._index((kind, start, stop), items, cls, field), values)
        items, ends = self._pool(kind, False)
        index = self._index((kind, False), items, cls, field)
        return self._gather(items, index, values, bisect_right(ends, start), bisect_right(ends, stop))

    def _index(self, pool: Hashable, items: list[Evidence], cls: type[Any],
               field: str | tuple[str, ...]) -> dict[Hashable, tuple[list[int], list[Any]]]:
        """Positions in `items` (the pool named `pool`), and the items, of its `cls` items by the value of
        `field`."""
        key = (pool, cls, field)
        found = self._indexes.get(key)
        if found is None:
            read = attrgetter(*field) if isinstance(field, tuple) else attrgetter(field)
            found = {}
            for position, item in enumerate(items):
                if isinstance(item, cls):
                    value = read(item)
                    group = found.get(value)
                    if group is None:
                        group = found[value] = ([], [])
                    group[0].append(position)
                    group[1].append(item)
            self._indexes[key] = found
        return found

    @staticmethod
    def _gather(items: list[Evidence], index: dict[Hashable, tuple[list[int], list[Any]]],
                values: Collection[Hashable], start: int | None = None, stop: int | None = None) -> list[Any]:
        """The indexed items with one of `values`, in pool order; only pool positions start..stop-1 when
        given (the index may cover more)."""
        if len(values) == 1:
            only = index.get(next(iter(values)))
            groups = [] if only is None else [only]
        else:
            groups = [index[value] for value in dict.fromkeys(values) if value in index]
        if not groups:
            return []
        if len(groups) == 1:
            positions, members = groups[0]
            if start is None or stop is None:
                return list(members)
            return members[bisect_left(positions, start):bisect_left(positions, stop)]
        if start is None or stop is None:
            picked = sorted(chain.from_iterable(positions for positions, _ in groups))
        else:
            picked = sorted(chain.from_iterable(
                positions[bisect_left(positions, start):bisect_left(positions, stop)] for positions, _ in groups))
        return [items[position] for position in picked]

    def content_hash(self, item: Evidence) -> str:
        """The item's content hash: the stored one when the view was given `hashes`, else computed (once)."""
        return self._hash_of(item.id, item)

    def _hash_of(self, item_id: str, item: Evidence) -> str:
        if self.hashes is not None:
            known = self.hashes.get(item_id)
            if known is not None:
                return known
        found = self._computed_hashes.get(id(item))
        if found is None:
            found = self._computed_hashes[id(item)] = item.content_hash()
        return found

    def kind_digest(self, kind: str) -> str:
        """sha256 over the (id, content hash) of every item of `kind` the view holds (valid or lapsed), in
        (period start, id, hash) order: see `digest_records`.

        Which of them are valid follows from their content and the date, so the digest need not say.
        """
        digest = self._digests.get(kind)
        if digest is None:
            keyed = sorted([(row[1], row[2], self._hash_of(row[2], row[3])) for row in self._rows().get(kind, ())])
            hasher = digest_start(kind)
            hasher.update(digest_records(keyed))
            digest = self._digests[kind] = hasher.hexdigest()
        return digest

    def seed_rows(self, visible: dict[str, list[_Row]]) -> None:
        """Take the rows `_rows` would build, worked out elsewhere for this view's (org, date, evidence), as
        `EvidenceTimeline` does: by kind in order of first appearance, each kind's rows in the order given."""
        self._visible = visible

    def seed_digests(self, digests: Mapping[str, str]) -> None:
        """Take per-kind digests worked out elsewhere for this view's (org, date, evidence), as
        `EvidenceTimeline` does for many dates in one pass (they must equal what kind_digest computes)."""
        self._digests.update(digests)

    def fingerprint(self, kinds: Iterable[str]) -> tuple[str, ...]:
        """Identity of the evidence a measure reading `kinds` can see: reuse its value when unchanged."""
        return tuple(self.kind_digest(kind) for kind in sorted(kinds))
