"""One assessment: evidence -> measures -> rule firings -> 57 suggested scores, reproducibly."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pxrules.evidence import Evidence
from pxrules.measures import MEASURES, EvidenceView, MeasureCache, MeasureValue, compute_measures
from pxrules.rules.catalogue import load_catalogue
from pxrules.rules.conditions import Firing, Scalar
from pxrules.rules.pack import RulePack, default_rulepack
from pxrules.scoring.levels import FiredRules, SubScore, refire, score_sub_requirement

Evaluator = Literal["durable", "reference"]


@dataclass(frozen=True)
class AssessmentResult:
    """Scores for every sub-requirement plus what they rest on (rules hash, evidence ids)."""

    org: str
    as_of: dt.date
    rules_hash: str
    measures_hash: str
    catalogue_version: str
    scores: list[SubScore]
    evidence_ids: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "organisation": self.org,
            "as_of": self.as_of.isoformat(),
            "rules_hash": self.rules_hash,
            "measures_hash": self.measures_hash,
            "catalogue_version": self.catalogue_version,
            "evidence_ids": self.evidence_ids,
            "scores": [s.to_json() for s in self.scores],
        }

    def score_map(self) -> dict[str, int]:
        return {s.id: s.suggested for s in self.scores}

    def content_hash(self) -> str:
        """sha256 of the canonical JSON: equal inputs give equal hashes (used by `assess --verify`)."""
        blob = json.dumps(self.to_json(), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def evaluate(pack: RulePack, facts: Mapping[str, Scalar], evaluator: Evaluator = "durable",
             only: Sequence[str] | None = None) -> list[Firing]:
    """Run the pack's rules (all, or `only` these sub-requirements) on `facts` with durable-rules
    (default) or the plain-Python reference evaluator."""
    if evaluator == "reference":
        from pxrules.rules.reference import evaluate_reference

        rules = pack.rules if only is None else [r for s in only for r in pack.for_sub(s).rules]
        return evaluate_reference(rules, facts)
    from pxrules.rules.engine import get_engine

    return get_engine(pack.hash, pack.rules).evaluate(facts, only=only)


_MEASURES_USED: dict[tuple[str, int, str | None], tuple[str, ...]] = {}


def _measures_used(pack: RulePack, sub: str | None = None) -> tuple[str, ...]:
    """pack.measures_used(sub), sorted, worked out once per pack (it walks every condition of the rules)."""
    key = (pack.hash, len(pack.files), sub)
    found = _MEASURES_USED.get(key)
    if found is None:
        found = _MEASURES_USED[key] = tuple(sorted(pack.measures_used(sub)))
    return found


_SUB_KINDS: dict[tuple[str, int, str], tuple[str, ...]] = {}


def _sub_kinds(pack: RulePack, sub: str) -> tuple[str, ...]:
    """The evidence kinds a sub-requirement's measures read, sorted (worked out once per pack)."""
    key = (pack.hash, len(pack.files), sub)
    found = _SUB_KINDS.get(key)
    if found is None:
        found = _SUB_KINDS[key] = tuple(sorted({k for m in _measures_used(pack, sub) for k in MEASURES[m].kinds}))
    return found


def _score_key(pack: RulePack, sub: str, evaluator: Evaluator, view: EvidenceView) -> tuple[Any, ...]:
    # A score is a function of its rules (the pack hash) and the values of the measures its rules test;
    # each of those values is a function of (measure, org, date, the evidence of the kinds it reads), and the
    # view's per-kind digests identify that evidence. So the digests of the kinds the sub-requirement's
    # measures read stand for its measure values, without comparing the values (or their evidence lists).
    return (pack.hash, sub, evaluator, view.org, view.as_of.isoformat(), view.fingerprint(_sub_kinds(pack, sub)))


def score_facts(pack: RulePack, facts: Mapping[str, MeasureValue], evaluator: Evaluator = "durable",
                only: Sequence[str] | None = None, cache: MeasureCache | None = None,
                view: EvidenceView | None = None) -> list[SubScore]:
    """Score sub-requirements (all, or `only`) from already-computed measure values.

    With a `cache` and the `view` the values were computed from, a sub-requirement whose evidence (of the
    kinds its measures read) is as it was when it was last scored keeps that score (its rules are not even
    evaluated); the others are evaluated and scored as usual.
    """
    if cache is not None and view is None:
        raise ValueError("score_facts: a cache needs the view the measure values were computed from")
    catalogue = load_catalogue(pack.root / "framework.yaml")
    subs = catalogue.sub_requirements if only is None else [catalogue.get(s) for s in only]
    known: dict[str, SubScore] = {}
    keys: dict[str, tuple[Any, ...]] = {}
    at = None if view is None else (view.org, view.as_of)
    if cache is not None and view is not None:
        for sub in subs:
            keys[sub.id] = _score_key(pack, sub.id, evaluator, view)
            found = cache.lookup_score(keys[sub.id], at)
            if isinstance(found, FiredRules):
                # The stored cache keeps which rules fired: score those again, without evaluating the rules.
                refired = refire(pack.for_sub(sub.id), found, facts)
                if refired is not None:
                    known[sub.id] = score_sub_requirement(sub, pack.for_sub(sub.id), refired, facts)
            elif found is not None:
                known[sub.id] = found
    todo = [s.id for s in subs if s.id not in known]
    firings = []
    if todo:
        wanted = only if len(todo) == len(subs) else todo
        firings = evaluate(pack, {k: v.value for k, v in facts.items()}, evaluator, wanted)
    by_sub: dict[str, list[Firing]] = {}
    for f in firings:
        by_sub.setdefault(f.sub_requirement, []).append(f)
    scores = []
    for sub in subs:
        score = known.get(sub.id)
        if score is None:
            score = score_sub_requirement(sub, pack.for_sub(sub.id), by_sub.get(sub.id, []), facts)
            if cache is not None:
                cache.store_score(keys[sub.id], score, at)
        scores.append(score)
    return scores


def assess(
    org: str,
    as_of: dt.date,
    evidence: Sequence[Evidence],
    *,
    pack: RulePack | None = None,
    evaluator: Evaluator = "durable",
    cache: MeasureCache | None = None,
    hashes: Mapping[str, str] | None = None,
    view: EvidenceView | None = None,
) -> AssessmentResult:
    """Assess one organisation on one date from its evidence (order of `evidence` never matters).

    `hashes` maps evidence ids to their content hashes when the caller already has them (the store keeps
    each row's); items it does not name are hashed here. `view` is a view of the same (org, as_of,
    evidence) the caller made already (an EvidenceTimeline's, say).
    """
    pack = pack or default_rulepack()
    if view is None:
        view = EvidenceView(org, as_of, evidence, hashes)
    elif (view.org, view.as_of) != (org, as_of):
        raise ValueError(f"assess: a view of {view.org} on {view.as_of} given for {org} on {as_of}")
    facts = compute_measures(org, as_of, evidence, names=_measures_used(pack), cache=cache, view=view)
    scores = score_facts(pack, facts, evaluator, cache=cache, view=view)
    used = sorted({i for v in facts.values() for i in v.evidence_ids})
    return AssessmentResult(org, as_of, pack.hash, pack.measures_hash, pack.catalogue_version, scores, used)
