"""One organisation's evidence seen on many dates: views whose per-kind digests come from one pass.

A batch assesses each organisation on a dozen dates from the same evidence. Each date's view would go
through every item to pick those begun by its date, and sort and hash them all again to fingerprint them
for the measure cache. Ordered by period start, the items visible on a date only extend those visible on
the date before: each kind's visible rows are a prefix of one ordered list, and one running hash per kind,
read off at each date, gives every date's digests for the cost of one.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from operator import itemgetter

from pxrules.evidence import Evidence
from pxrules.measures.view import EvidenceView, Row, digest_records, digest_start


class EvidenceTimeline:
    """Views of `org`'s evidence (plus shared benchmarks) on each of `dates`, digests worked out together."""

    def __init__(self, org: str, items: Sequence[Evidence], dates: Iterable[dt.date],
                 hashes: Mapping[str, str] | None = None) -> None:
        self.org = org
        self.items = items
        self.hashes = hashes
        self._rows = self._rows_by_start()
        self._digests = self._all_digests(sorted(set(dates)))

    def _hash_of(self, item: Evidence) -> str:
        # As EvidenceView._hash_of: the stored hash when there is one, else the item's own.
        known = None if self.hashes is None else self.hashes.get(item.id)
        return known if known is not None else item.content_hash()

    def _all_digests(self, dates: list[dt.date]) -> dict[dt.date, dict[str, str]]:
        out: dict[dt.date, dict[str, str]] = {day: {} for day in dates}
        for kind, (starts, pairs) in self._rows.items():
            # Ordered by (start, id, hash), the records begun by a date are as many as `starts` says.
            keyed = sorted([(row[1], row[2], self._hash_of(row[3])) for _, row in pairs])
            hasher = digest_start(kind)
            taken = 0
            for day in dates:
                upto = bisect_right(starts, day.toordinal())
                hasher.update(digest_records(keyed[taken:upto]))
                taken = upto
                out[day][kind] = hasher.copy().hexdigest()
        return out

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
        """The view on `as_of` (one of the timeline's dates, else a plain view), its rows and digests filled
        in exactly as the view would have worked them out itself."""
        view = EvidenceView(self.org, as_of, self.items, self.hashes)
        limit = as_of.toordinal()
        visible: list[tuple[int, str, list[Row]]] = []
        for kind, (starts, pairs) in self._rows.items():
            cut = bisect_right(starts, limit)
            if cut:
                begun = sorted(pairs[:cut], key=itemgetter(0))  # back in the order given, as _rows keeps them
                visible.append((begun[0][0], kind, [row for _, row in begun]))
        visible.sort(key=itemgetter(0))  # kinds in order of first appearance, as _rows has them
        view.seed_rows({kind: rows for _, kind, rows in visible})
        found = self._digests.get(as_of)
        if found is not None:
            view.seed_digests(found)
        return view
