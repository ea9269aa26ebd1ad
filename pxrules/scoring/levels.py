"""Firings -> suggested score per sub-requirement: the highest level that holds, then the caps, the
reasons, the evidence behind them and what would lift the score to the next level."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pxrules.measures import MEASURES, MeasureValue
from pxrules.rules.catalogue import SubRequirement
from pxrules.rules.conditions import CompiledRule, Condition, Firing, holds
from pxrules.rules.pack import RuleFile

_OP_WORDS = {"eq": "=", "neq": "≠", "gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}


@dataclass(frozen=True)
class FiringRecord:
    """One rule that held: its level, the facts it matched and the evidence behind them.

    `sources` holds the evidence id lists of the matched measures; `evidence_ids` (their sorted union) is
    worked out when asked for, as most firings' evidence is never looked at on its own (a score's evidence
    is its winning firings').
    """

    rule_id: str
    level: int
    effective_level: int
    because: str
    matched: list[dict[str, Any]]
    sources: tuple[Sequence[str], ...]
    attestation_only: bool

    @property
    def evidence_ids(self) -> list[str]:
        return sorted({i for ids in self.sources for i in ids})


@dataclass(frozen=True)
class Unmet:
    """A condition of the next level that does not hold yet, with the value it has now."""

    measure: str
    op: str
    threshold: Any
    current: Any
    detail: str

    def sentence(self) -> str:
        spec = MEASURES.get(self.measure)
        now = "no evidence" if self.current is None else f"now {_fmt(self.current)}"
        what = spec.description if spec else self.measure
        return f"{what}: needs {_OP_WORDS[self.op]} {_fmt(self.threshold)} ({now})"


@dataclass(frozen=True)
class NextLevel:
    """The cheapest route to the level above: the rule with fewest unmet conditions."""

    level: int
    rule_id: str
    because: str
    unmet: list[Unmet]
    needs_measured_evidence: bool = False


@dataclass(frozen=True)
class SubScore:
    """The suggested score of one sub-requirement and everything needed to explain it."""

    id: str
    suggested: int
    raw_level: int
    because: list[str]
    firings: list[FiringRecord]
    evidence_ids: list[str]
    caps: list[str]
    next_level: NextLevel | None
    no_evidence: bool
    supporting_kinds: list[str]
    measures: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stored (and `assess --json`) form: each measure once, with its value, detail and evidence ids;
        a firing names the measures it matched instead of repeating them (expand_firings rebuilds the long
        form), and `evidence` is the score's own evidence id list. Keeping the ids once per measure cut the
        stored result of a 2,000-item trust by about a third."""
        nxt = self.next_level
        return {
            "id": self.id,
            "suggested": self.suggested,
            "raw_level": self.raw_level,
            "because": list(self.because),
            "firings": [
                {"rule_id": f.rule_id, "level": f.level, "effective_level": f.effective_level,
                 "because": f.because, "matched": [m["measure"] for m in f.matched],
                 "attestation_only": f.attestation_only}
                for f in self.firings
            ],
            "evidence": list(self.evidence_ids),
            "caps": list(self.caps),
            "next_level": None if nxt is None else {
                "level": nxt.level, "rule_id": nxt.rule_id, "because": nxt.because,
                "unmet": [{"measure": u.measure, "op": u.op, "threshold": u.threshold, "current": u.current,
                           "detail": u.detail} for u in nxt.unmet],
                "needs_measured_evidence": nxt.needs_measured_evidence,
                "sentences": [u.sentence() for u in nxt.unmet],
            },
            "no_evidence": self.no_evidence,
            "supporting_kinds": list(self.supporting_kinds),
            "measures": {name: {"value": m["value"], "evidence": list(m["evidence"]), "detail": m["detail"]}
                         for name, m in self.measures.items()},
        }


def mean_score(values: Iterable[int | None]) -> float | None:
    """The mean of the scores given, leaving out the unscored (None); None when none is scored. The one
    place a mean of scores (a section's, a key question's, the whole framework's) is worked out."""
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def expand_firings(score: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A stored score's firings in the long form `explain` shows: each matched measure with its value and
    detail, and the evidence ids behind the firing. Scores stored before the compact form pass through."""
    measures = score.get("measures", {})
    out = []
    for f in score["firings"]:
        if f["matched"] and isinstance(f["matched"][0], dict):
            out.append(dict(f))
            continue
        matched = [{"measure": name, "value": measures[name]["value"], "detail": measures[name]["detail"]}
                   for name in f["matched"]]
        ids = sorted({i for name in f["matched"] for i in measures[name]["evidence"]})
        out.append({"rule_id": f["rule_id"], "level": f["level"], "effective_level": f["effective_level"],
                    "because": f["because"], "matched": matched, "evidence_ids": ids,
                    "attestation_only": f["attestation_only"]})
    return out


def _fmt(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def _next_level(rules: Sequence[CompiledRule], level: int, facts: Mapping[str, MeasureValue]) -> NextLevel | None:
    best: tuple[int, str, CompiledRule, list[Unmet]] | None = None
    for rule in rules:
        if rule.level != level:
            continue
        unmet = []
        for cond in rule.conditions:
            fact = facts.get(cond.measure)
            if fact is None or not holds(cond, fact.value):
                unmet.append(Unmet(cond.measure, cond.op, cond.value, None if fact is None else fact.value,
                                   "" if fact is None else fact.detail))
        key = (len(unmet), rule.rule_id)
        if best is None or key < best[:2]:
            best = (len(unmet), rule.rule_id, rule, unmet)
    if best is None:
        return None
    return NextLevel(level, best[2].rule_id, best[2].because, best[3])


def score_sub_requirement(
    sub: SubRequirement,
    rule_file: RuleFile,
    firings: Sequence[Firing],
    facts: Mapping[str, MeasureValue],
) -> SubScore:
    """Apply the highest-level-then-caps policy to one sub-requirement's firings."""
    by_id = rule_file.by_id
    present = {m: facts[m] for m in rule_file.measures if m in facts}
    records: list[FiringRecord] = []
    for f in firings:
        values = [facts[m] for m, _ in f.matched]
        attest_only = all(v.attestation_only for v in values)
        effective = min(f.level, rule_file.attestation_cap) if attest_only else f.level
        records.append(FiringRecord(
            f.rule_id, f.level, effective, by_id[f.rule_id].because,
            [{"measure": v.name, "value": v.value, "detail": v.detail} for v in values],
            tuple(v.evidence_ids for v in values), attest_only))
    raw = max((r.level for r in records), default=0)
    suggested = max((r.effective_level for r in records), default=0)
    winners = [r for r in records if r.effective_level == suggested and suggested > 0]
    caps: list[str] = []
    if raw > suggested:
        caps.append(f"capped at {rule_file.attestation_cap}: level {raw} rests on attestation only; "
                    f"measured evidence ({', '.join(k for k in sub.evidence_kinds if k != 'attestation')}) "
                    f"is needed above {rule_file.attestation_cap}")
    no_evidence = not present
    if no_evidence:
        because = ["no evidence: nothing current supports this sub-requirement; evidence kinds that would: "
                   + ", ".join(sub.evidence_kinds)]
    elif not winners:
        because = ["evidence found, but it does not meet level 1: "
                   + "; ".join(f"{m.detail or m.name}" for m in present.values())]
    else:
        because = [w.because for w in sorted(winners, key=lambda w: w.rule_id)]
        because += [m["detail"] for w in winners for m in w.matched if m["detail"]]
        because = list(dict.fromkeys(because))
    nxt = _next_level(rule_file.rules, suggested + 1, facts) if suggested < 5 else None
    if nxt is not None and raw > suggested:
        nxt = NextLevel(nxt.level, nxt.rule_id, nxt.because, nxt.unmet, needs_measured_evidence=True)
    sources = [ids for w in winners for ids in w.sources] if winners else [m.evidence_ids for m in present.values()]
    return SubScore(
        id=sub.id, suggested=suggested, raw_level=raw, because=because,
        firings=sorted(records, key=lambda r: (r.level, r.rule_id)), evidence_ids=sorted(set().union(*sources)),
        caps=caps, next_level=nxt, no_evidence=no_evidence, supporting_kinds=list(sub.evidence_kinds),
        measures={m: {"value": v.value, "evidence": v.evidence_ids, "detail": v.detail} for m, v in present.items()},
    )


def condition_text(cond: Condition) -> str:
    """A condition as a person reads it: `leadership.board_story_share_12m ≥ 0.8`."""
    return f"{cond.measure} {_OP_WORDS[cond.op]} {_fmt(cond.value)}"
