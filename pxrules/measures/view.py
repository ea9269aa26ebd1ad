"""The evidence view measures read: an organisation's evidence as it stood on a date, indexed for measures."""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
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


# A row is (end day, start day, id, item), days as ordinals: ordering and windows read rows,
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


class EvidenceView:
    """Evidence of one organisation (plus shared benchmarks) as it stood on `as_of`.

    `current` holds the items valid on that date (inside their kind's validity window, not in the future);
    `all_items` also holds lapsed ones, for measures that must tell "lapsed" from "never existed".
    Items are kept sorted by (period end, id) so every measure sees the same order whatever the input order.

    A view never changes once made, so everything is worked out on first use and kept: the ordered valid
    and lapsed items of a kind (only for kinds a measure reads), the end dates windows search, the indexes
    `select` reads, and what measures derive through `memo`.
    """

    def __init__(self, org: str, as_of: dt.date, all_items: Sequence[Evidence]) -> None:
        self.org = org
        self.as_of = as_of
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
        """(valid, lapsed) rows of one kind, each ordered by (end, start, id); sorted when first asked for."""
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

    def seed_rows(self, visible: dict[str, list[_Row]]) -> None:
        """Take the rows `_rows` would build, worked out elsewhere for this view's (org, date, evidence), as
        `EvidenceTimeline` does: by kind in order of first appearance, each kind's rows in the order given."""
        self._visible = visible


# A batch assesses each organisation on a dozen dates from the same evidence. Each date's view would go
# through every item to pick those begun by its date; ordered by period start, the items visible on a date
# only extend those visible on the date before, so each kind's visible rows are a prefix of one list.
class EvidenceTimeline:
    """Views of `org`'s evidence (plus shared benchmarks) on any date, the items read once for all of them."""

    def __init__(self, org: str, items: Sequence[Evidence]) -> None:
        self.org = org
        self.items = items
        self._rows = self._rows_by_start()

    def _rows_by_start(self) -> dict[str, tuple[list[int], list[tuple[int, Row]]]]:
        """Per kind: (period starts, (input position, row) pairs), ordered by period start."""
        by_kind: dict[str, list[tuple[int, Row]]] = {}
        for position, item in enumerate(self.items):
            fields = item.__dict__
            if fields["org"] == self.org or fields["org"] is None:
                start = fields["period_start"]
                row = ((fields["period_end"] or start).toordinal(), start.toordinal(), fields["id"], item)
                by_kind.setdefault(fields["kind"], []).append((position, row))
        out = {}
        for kind, pairs in by_kind.items():
            pairs.sort(key=lambda pair: pair[1][1])
            out[kind] = ([row[1] for _, row in pairs], pairs)
        return out

    def view(self, as_of: dt.date) -> EvidenceView:
        """The view on `as_of`, its rows filled in exactly as the view would have worked them out itself."""
        view = EvidenceView(self.org, as_of, self.items)
        limit = as_of.toordinal()
        visible: list[tuple[int, str, list[Row]]] = []
        for kind, (starts, pairs) in self._rows.items():
            cut = bisect_right(starts, limit)
            if cut:
                begun = sorted(pairs[:cut], key=itemgetter(0))  # back in the order given, as _rows keeps them
                visible.append((begun[0][0], kind, [row for _, row in begun]))
        visible.sort(key=itemgetter(0))  # kinds in order of first appearance, as _rows has them
        view.seed_rows({kind: rows for _, kind, rows in visible})
        return view
