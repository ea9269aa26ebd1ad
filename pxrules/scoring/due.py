"""What evidence is about to lapse and what it would cost, and what rests on nothing or on attestation alone.

The cost of a lapse is computed, not guessed: on the last day an item still counts, the organisation is
re-assessed with and without it, and every sub-requirement whose suggested score is lower without it is
listed. Measures declare the evidence kinds they read, so only the measures reading the item's kind are
recomputed and only the sub-requirements testing those measures are re-scored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pxrules.errors import PxRulesError
from pxrules.evidence import Evidence, is_valid_on
from pxrules.measures import MEASURES, MeasureValue, compute_measures
from pxrules.rules.catalogue import load_catalogue
from pxrules.rules.pack import RulePack, default_rulepack
from pxrules.scoring.assess import assess, score_facts
from pxrules.store.db import unit_of_work
from pxrules.store.repo import get_org, load_evidence

DEFAULT_WITHIN = 90


@dataclass(frozen=True)
class Drop:
    """A sub-requirement whose suggested score falls when an item lapses."""

    id: str
    before: int
    after: int

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "from": self.before, "to": self.after}


@dataclass(frozen=True)
class Lapsing:
    """An item whose validity window closes within the horizon, and the scores that fall with it."""

    item: Evidence
    valid_until: dt.date
    days_left: int
    drops: list[Drop]

    def to_json(self) -> dict[str, Any]:
        src = self.item.source
        return {
            "id": self.item.id,
            "kind": self.item.kind,
            "title": src.title,
            "reference": src.reference,
            "period_start": self.item.period_start.isoformat(),
            "period_end": self.item.end.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "lapses_on": (self.valid_until + dt.timedelta(days=1)).isoformat(),
            "days_left": self.days_left,
            "drops": [d.to_json() for d in self.drops],
        }


@dataclass(frozen=True)
class Unsupported:
    """A sub-requirement resting on no current evidence, or on attestation only."""

    id: str
    text: str
    status: str  # "no evidence" | "attestation only"
    suggested: int
    kinds: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "status": self.status,
            "suggested": self.suggested,
            "supporting_kinds": self.kinds,
        }


@dataclass(frozen=True)
class DueReport:
    """`pxrules evidence due`: lapsing evidence (soonest first) and unsupported sub-requirements."""

    org: str
    as_of: dt.date
    within: int
    lapsing: list[Lapsing]
    unsupported: list[Unsupported]

    def to_json(self) -> dict[str, Any]:
        return {
            "organisation": self.org,
            "as_of": self.as_of.isoformat(),
            "within_days": self.within,
            "until": (self.as_of + dt.timedelta(days=self.within)).isoformat(),
            "lapsing": [x.to_json() for x in self.lapsing],
            "unsupported": [u.to_json() for u in self.unsupported],
        }


def valid_until(item: Evidence, as_of: dt.date, horizon: dt.date) -> dt.date | None:
    """The last day (as_of..horizon-1) the item counts, if it stops counting by `horizon`; else None.

    Walks forward with `is_valid_on` itself, so the answer always agrees with what assessments use.
    """
    if not is_valid_on(item, as_of):
        return None
    day = as_of
    while day < horizon:
        nxt = day + dt.timedelta(days=1)
        if not is_valid_on(item, nxt):
            return day
        day = nxt
    return None


def _readers(kind: str, pack: RulePack) -> set[str]:
    return {m for m in pack.measures_used() if kind in MEASURES[m].kinds}


def _same(a: MeasureValue | None, b: MeasureValue | None) -> bool:
    """Equal for scoring: the rules read the value, the attestation cap reads whether it is attestation only."""
    if a is None or b is None:
        return a is b
    return a.value == b.value and a.attestation_only == b.attestation_only


def score_drops(
    org: str,
    day: dt.date,
    evidence: Sequence[Evidence],
    item: Evidence,
    pack: RulePack,
    base: dict[str, MeasureValue],
    before: dict[str, int],
) -> list[Drop]:
    """Sub-requirements scored lower on `day` without `item` than with it.

    `base` holds the facts on `day` with every item and `before` the scores they give. Only the measures
    that read the item's kind are recomputed; when none of their values changes, no score can change.
    """
    readers = _readers(item.kind, pack)
    rest = [e for e in evidence if e.id != item.id]
    changed = compute_measures(org, day, rest, names=readers)
    moved = {m for m in readers if not _same(base.get(m), changed.get(m))}
    if not moved:
        return []
    without = {k: v for k, v in base.items() if k not in readers}
    without.update(changed)
    subs = [s for s in pack.files if pack.measures_used(s) & moved]
    after = {s.id: s.suggested for s in score_facts(pack, without, only=subs)}
    order = load_catalogue().ids
    drops = [Drop(s, before[s], after[s]) for s in subs if after[s] < before[s]]
    return sorted(drops, key=lambda d: order.index(d.id))


def due_report(
    org: str,
    as_of: dt.date,
    evidence: Sequence[Evidence],
    *,
    within: int = DEFAULT_WITHIN,
    pack: RulePack | None = None,
) -> DueReport:
    """The due report from already-loaded evidence (pure: no store access)."""
    pack = pack or default_rulepack()
    horizon = as_of + dt.timedelta(days=within)
    names = pack.measures_used()
    facts_on: dict[dt.date, tuple[dict[str, MeasureValue], dict[str, int]]] = {}
    lapsing = []
    for item in sorted(evidence, key=lambda e: e.id):
        if item.org not in (org, None):
            continue
        last = valid_until(item, as_of, horizon + dt.timedelta(days=1))
        if last is None:
            continue
        if last not in facts_on:
            facts = compute_measures(org, last, evidence, names=names)
            facts_on[last] = (facts, {s.id: s.suggested for s in score_facts(pack, facts)})
        drops = score_drops(org, last, evidence, item, pack, *facts_on[last])
        lapsing.append(Lapsing(item, last, (last - as_of).days + 1, drops))
    lapsing.sort(key=lambda x: (x.valid_until, -len(x.drops), x.item.id))
    kinds = {e.id: e.kind for e in evidence}
    catalogue = load_catalogue()
    unsupported = []
    for score in assess(org, as_of, evidence, pack=pack).scores:
        sub = catalogue.get(score.id)
        measured = [k for k in sub.evidence_kinds if k != "attestation"]
        if score.no_evidence:
            unsupported.append(Unsupported(sub.id, sub.text, "no evidence", score.suggested, measured))
        elif score.evidence_ids and {kinds.get(i) for i in score.evidence_ids} == {"attestation"}:
            unsupported.append(Unsupported(sub.id, sub.text, "attestation only", score.suggested, measured))
    return DueReport(org, as_of, within, lapsing, unsupported)


def evidence_due(
    url: str,
    org: str,
    *,
    as_of: dt.date | None = None,
    within: int = DEFAULT_WITHIN,
    pack: RulePack | None = None,
) -> DueReport:
    """`pxrules evidence due` for `org` as of `as_of` (default today), looking `within` days ahead."""
    if within < 0:
        raise PxRulesError(f"--within {within}: must be 0 or more days")
    with unit_of_work(url) as session:
        get_org(org, session=session)
        evidence = load_evidence(org, session=session)
    return due_report(org, as_of or dt.date.today(), evidence, within=within, pack=pack)


VALIDITY: tuple[str, ...] = ("in date", "lapsing", "lapsed", "withdrawn")


def validity(item: Evidence, as_of: dt.date, *, withdrawn: bool = False, within: int = DEFAULT_WITHIN) -> str:
    """How the register shows an item on `as_of`: withdrawn, lapsed (no longer counts), lapsing (stops
    counting within `within` days) or in date. An item's window is one interval, so two checks decide it.
    """
    if withdrawn:
        return "withdrawn"
    if not is_valid_on(item, as_of):
        return "lapsed"
    return "in date" if is_valid_on(item, as_of + dt.timedelta(days=within)) else "lapsing"
