"""Peer benchmarks computed from a national file: each benchmarking group's median and quartiles.

When a file holds every trust, pxrules works out each group's figures itself (per question and survey
year) and records them as `benchmark` evidence with the method and the file's sha256. A group with fewer
than the minimum number of organisations with a score is compared with every organisation in the file
instead, and its items say so. Organisations are never ranked against each other: only the group's
median and quartiles are kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pxrules.evidence.feedback import Benchmark
from pxrules.importers.common import FileInfo, quartiles, slug

ALL_GROUPS = "peer.all_groups"


@dataclass(frozen=True)
class Scored:
    """One organisation's score on one measure in one survey year, in a benchmarking group."""

    code: str
    group: str
    key: str
    year: int
    score: float


@dataclass(frozen=True)
class Peers:
    """The figures an organisation is compared with, and a sentence saying which organisations they are."""

    scope: str
    lower: float
    median: float
    upper: float
    n: int
    described: str


def group_scope(group: str) -> str:
    return f"peer.{slug(group, 60)}"


def _figures(values: Sequence[float]) -> tuple[float, float, float]:
    low, mid, high = quartiles(values)
    return round(low, 6), round(mid, 6), round(high, 6)


def peer_benchmarks(scored: Sequence[Scored], *, min_group: int, info: FileInfo, publication: str,
                    period: dict[int, tuple[dt.date, dt.date]], unit: Literal["score", "percent"],
                    ) -> tuple[dict[tuple[str, str, int], Peers], list[Benchmark]]:
    """((group, key, year) -> Peers, benchmark items): group figures, or all groups' for a small group; no
    entry where even the whole file has fewer than `min_group` organisations with a score."""
    by_group: dict[tuple[str, str, int], list[Scored]] = {}
    by_key: dict[tuple[str, int], list[Scored]] = {}
    for s in scored:
        by_group.setdefault((s.group, s.key, s.year), []).append(s)
        by_key.setdefault((s.key, s.year), []).append(s)
    method = ("median and quartiles (inclusive method, as Excel's QUARTILE.INC) of the scores of {who}; minimum "
              f"group size {min_group}: a benchmarking group with fewer organisations with a score is compared "
              "with every organisation in the file instead. Organisations are not ranked.")
    benchmarks: list[Benchmark] = []
    whole: dict[tuple[str, int], Peers] = {}
    for (key, year), members in sorted(by_key.items()):
        if len(members) < min_group:
            continue  # too few organisations in the whole file for peer figures to mean anything
        low, mid, high = _figures([m.score for m in members])
        who = f"all {len(members)} organisations in the file with a {year} score, whatever their group"
        whole[(key, year)] = Peers(ALL_GROUPS, low, mid, high, len(members), who)
        benchmarks.append(_benchmark(key, year, ALL_GROUPS, members, (low, mid, high), method.format(who=who),
                                     info, publication, period[year], unit))
    out: dict[tuple[str, str, int], Peers] = {}
    for (group, key, year), members in sorted(by_group.items()):
        if len(members) < min_group:
            fallback = whole.get((key, year))
            if fallback is None:
                continue  # no peer figures at all: the item says so
            out[(group, key, year)] = Peers(
                fallback.scope, fallback.lower, fallback.median, fallback.upper, fallback.n,
                f"{group} has only {len(members)} organisation(s) with a {year} score (fewer than {min_group}), "
                f"so the peers are {fallback.described}")
            continue
        low, mid, high = _figures([m.score for m in members])
        who = f"the {len(members)} organisations of the {group} group with a {year} score"
        out[(group, key, year)] = Peers(group_scope(group), low, mid, high, len(members), who)
        benchmarks.append(_benchmark(key, year, group_scope(group), members, (low, mid, high),
                                     method.format(who=who), info, publication, period[year], unit))
    return out, benchmarks


def _benchmark(key: str, year: int, scope: str, members: Sequence[Scored], figures: tuple[float, float, float],
               method: str, info: FileInfo, publication: str, period: tuple[dt.date, dt.date],
               unit: Literal["score", "percent"]) -> Benchmark:
    low, mid, high = figures
    codes = ", ".join(sorted(m.code for m in members))
    return Benchmark(
        id=f"{key}-{year}-{scope}".replace('.', '-').replace('_', '-'),
        period_start=period[0], period_end=period[1], measure=key, scope=scope, value=mid, unit=unit,
        lower_quartile=low, median=mid, upper_quartile=high, n_organisations=len(members),
        minimum=round(min(m.score for m in members), 6), maximum=round(max(m.score for m in members), 6),
        method=f"{method} Organisations: {codes}."[:20000],
        source=info.source(f"{publication} {year}: peer figures computed by pxrules ({scope})", publication,
                           reference=f"computed from every row of {info.name} (sha256 {info.sha256})"),
    )
