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
from pxrules.measures import MeasureCache, MeasureValue, compute_measures
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
    evidence_hashes: dict[str, str]

    def to_json(self) -> dict[str, Any]:
        return {
            "organisation": self.org,
            "as_of": self.as_of.isoformat(),
            "rules_hash": self.rules_hash,
            "measures_hash": self.measures_hash,
            "catalogue_version": self.catalogue_version,
            "evidence_ids": self.evidence_ids,
            "evidence_hashes": self.evidence_hashes,
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


def score_facts(pack: RulePack, facts: Mapping[str, MeasureValue], evaluator: Evaluator = "durable",
                only: Sequence[str] | None = None) -> list[SubScore]:
    """Score sub-requirements (all, or `only`) from already-computed measure values."""
    catalogue = load_catalogue(pack.root / "framework.yaml")
    firings = evaluate(pack, {k: v.value for k, v in facts.items()}, evaluator, only)
    by_sub: dict[str, list[Firing]] = {}
    for f in firings:
        by_sub.setdefault(f.sub_requirement, []).append(f)
    subs = catalogue.sub_requirements if only is None else [catalogue.get(s) for s in only]
    return [score_sub_requirement(s, pack.for_sub(s.id), by_sub.get(s.id, []), facts) for s in subs]


def assess(
    org: str,
    as_of: dt.date,
    evidence: Sequence[Evidence],
    *,
    pack: RulePack | None = None,
    evaluator: Evaluator = "durable",
    cache: MeasureCache | None = None,
) -> AssessmentResult:
    """Assess one organisation on one date from its evidence (order of `evidence` never matters)."""
    pack = pack or default_rulepack()
    facts = compute_measures(org, as_of, evidence, names=pack.measures_used(), cache=cache)
    scores = score_facts(pack, facts, evaluator)
    used = sorted({i for v in facts.values() for i in v.evidence_ids})
    wanted = set(used)
    hashes = {e.id: e.content_hash() for e in evidence if e.id in wanted}
    return AssessmentResult(org, as_of, pack.hash, pack.measures_hash, pack.catalogue_version, scores, used,
                            dict(sorted(hashes.items())))
