"""One assessment: evidence -> measures -> rule firings -> 57 suggested scores, reproducibly."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pxrules.conditions import Firing, Scalar
from pxrules.evidence import Evidence
from pxrules.framework import load_catalogue
from pxrules.measures import EvidenceView, MeasureCache, MeasureValue, compute_measures
from pxrules.rulepack import RulePack, default_rulepack
from pxrules.scoring import SubScore, score_sub_requirement

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
        from pxrules.reference import evaluate_reference

        rules = pack.rules if only is None else [r for s in only for r in pack.for_sub(s).rules]
        return evaluate_reference(rules, facts)
    from pxrules.engine import get_engine

    return get_engine(pack.hash, pack.rules).evaluate(facts, only=only)


_MEASURES_USED: dict[tuple[str, int, str | None], tuple[str, ...]] = {}


def _measures_used(pack: RulePack, sub: str | None = None) -> tuple[str, ...]:
    """pack.measures_used(sub), sorted, worked out once per pack (it walks every condition of the rules)."""
    key = (pack.hash, len(pack.files), sub)
    found = _MEASURES_USED.get(key)
    if found is None:
        found = _MEASURES_USED[key] = tuple(sorted(pack.measures_used(sub)))
    return found


def _score_key(pack: RulePack, sub: str, evaluator: Evaluator, facts: Mapping[str, MeasureValue]) -> tuple[Any, ...]:
    # A sub-requirement's score is a function of its rules (the pack hash) and the values of the measures
    # its rules test: every fact it reads is among them. The value's type is part of the key because
    # 1 == 1.0 == True in Python while their JSON differs.
    present = tuple((m, type(facts[m].value), facts[m]) for m in _measures_used(pack, sub) if m in facts)
    return (pack.hash, sub, evaluator, present)


def score_facts(pack: RulePack, facts: Mapping[str, MeasureValue], evaluator: Evaluator = "durable",
                only: Sequence[str] | None = None, cache: MeasureCache | None = None,
                at: tuple[str, dt.date] | None = None) -> list[SubScore]:
    """Score sub-requirements (all, or `only`) from already-computed measure values.

    With a `cache`, a sub-requirement whose measure values are all as they were when it was last scored
    keeps that score (its rules are not even evaluated); the others are evaluated and scored as usual.
    `at` is the (org, as_of) being assessed, passed on to the cache.
    """
    catalogue = load_catalogue(pack.root / "framework.yaml")
    subs = catalogue.sub_requirements if only is None else [catalogue.get(s) for s in only]
    known: dict[str, SubScore] = {}
    keys: dict[str, tuple[Any, ...]] = {}
    if cache is not None:
        for sub in subs:
            keys[sub.id] = _score_key(pack, sub.id, evaluator, facts)
            found = cache.lookup_score(keys[sub.id], at)
            if found is not None:
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
) -> AssessmentResult:
    """Assess one organisation on one date from its evidence (order of `evidence` never matters).

    `hashes` maps evidence ids to their content hashes when the caller already has them (the store keeps
    each row's); items it does not name are hashed here.
    """
    pack = pack or default_rulepack()
    view = EvidenceView(org, as_of, evidence, hashes)
    facts = compute_measures(org, as_of, evidence, names=_measures_used(pack), cache=cache, view=view)
    scores = score_facts(pack, facts, evaluator, cache=cache, at=(org, as_of))
    used = sorted({i for v in facts.values() for i in v.evidence_ids})
    return AssessmentResult(org, as_of, pack.hash, pack.measures_hash, pack.catalogue_version, scores, used)
