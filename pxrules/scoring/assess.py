"""One assessment: evidence -> measures -> rule firings -> 57 suggested scores, reproducibly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pxrules.common.canonical import content_hash
from pxrules.evidence import Evidence
from pxrules.measures import EvidenceView, MeasureValue, compute_measures
from pxrules.rules.catalogue import load_catalogue
from pxrules.rules.conditions import Firing, Scalar
from pxrules.rules.pack import RulePack, default_rulepack
from pxrules.scoring.levels import SubScore, score_sub_requirement

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
        """The content hash of `to_json()`: equal inputs give equal hashes."""
        return content_hash(self.to_json())


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


def score_facts(pack: RulePack, facts: Mapping[str, MeasureValue], evaluator: Evaluator = "durable",
                only: Sequence[str] | None = None) -> list[SubScore]:
    """Score sub-requirements (all, or `only`) from already-computed measure values."""
    catalogue = load_catalogue(pack.root / "framework.yaml")
    subs = catalogue.sub_requirements if only is None else [catalogue.get(s) for s in only]
    by_sub: dict[str, list[Firing]] = {}
    for f in evaluate(pack, {k: v.value for k, v in facts.items()}, evaluator, only):
        by_sub.setdefault(f.sub_requirement, []).append(f)
    return [score_sub_requirement(sub, pack.for_sub(sub.id), by_sub.get(sub.id, []), facts) for sub in subs]


def assess(
    org: str,
    as_of: dt.date,
    evidence: Sequence[Evidence],
    *,
    pack: RulePack | None = None,
    evaluator: Evaluator = "durable",
    view: EvidenceView | None = None,
) -> AssessmentResult:
    """Assess one organisation on one date from its evidence (order of `evidence` never matters).

    `view` is a view of the same (org, as_of, evidence) the caller made already (an EvidenceTimeline's, say).
    """
    pack = pack or default_rulepack()
    if view is None:
        view = EvidenceView(org, as_of, evidence)
    elif (view.org, view.as_of) != (org, as_of):
        raise ValueError(f"assess: a view of {view.org} on {view.as_of} given for {org} on {as_of}")
    facts = compute_measures(org, as_of, evidence, names=_measures_used(pack), view=view)
    scores = score_facts(pack, facts, evaluator)
    used = sorted({i for v in facts.values() for i in v.evidence_ids})
    return AssessmentResult(org, as_of, pack.hash, pack.measures_hash, pack.catalogue_version, scores, used)
