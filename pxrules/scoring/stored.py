"""Assessments against the store: run and save one, recompute a stored one to verify it, explain a score."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pxrules.common.gcpause import paused_gc
from pxrules.errors import NotFoundError
from pxrules.rules.pack import RulePack, default_rulepack
from pxrules.scoring.assess import AssessmentResult, Evaluator, assess
from pxrules.scoring.levels import expand_firings
from pxrules.store.db import unit_of_work
from pxrules.store.records import AssessmentRecord, ScoreLine, get_assessment, latest_assessment, save_assessment
from pxrules.store.repo import get_evidence, load_evidence_hashed, register_mark


@dataclass(frozen=True)
class StoredAssessment:
    """An assessment as saved: its id plus the result."""

    id: int
    result: AssessmentResult
    record: AssessmentRecord


def score_lines(result: AssessmentResult) -> list[ScoreLine]:
    """The per-sub-requirement lines saved beside an assessment."""
    return [ScoreLine(s.id, s.suggested, bool(s.caps), len(s.evidence_ids)) for s in result.scores]


def run_assessment(
    url: str,
    org: str,
    as_of: dt.date,
    *,
    by: str,
    pack: RulePack | None = None,
    evaluator: Evaluator = "durable",
    save: bool = True,
) -> tuple[int | None, AssessmentResult]:
    """Assess `org` on `as_of` from the stored evidence; save it (one transaction) unless save=False."""
    pack = pack or default_rulepack()
    with paused_gc(), unit_of_work(url) as session:
        mark = register_mark(session=session)
        evidence = load_evidence_hashed(org, session=session, mark=mark)[0]
        result = assess(org, as_of, evidence, pack=pack, evaluator=evaluator)
        if not save:
            return None, result
        record = save_assessment(
            session=session, org=org, as_of=as_of, rules_hash=result.rules_hash,
            catalogue_version=result.catalogue_version, evidence_ids=result.evidence_ids,
            result={**result.to_json(), "register": mark}, scores=score_lines(result), by=by)
        return record.id, result


@dataclass(frozen=True)
class Verification:
    """A stored assessment recomputed now: same scores or the differences."""

    assessment_id: int
    same: bool
    same_rules: bool
    differences: list[dict[str, Any]]


def verify_assessment(url: str, assessment_id: int, *, pack: RulePack | None = None) -> Verification:
    """Recompute a stored assessment with the current pack from the register as it stood; compare scores."""
    pack = pack or default_rulepack()
    with unit_of_work(url) as session:
        record = get_assessment(assessment_id, session=session)
        evidence = load_evidence_hashed(record.org, session=session, mark=record.result["register"])[0]
    result = assess(record.org, record.as_of, evidence, pack=pack)
    stored = {s["id"]: s for s in record.result["scores"]}
    diffs = []
    for score in result.scores:
        old = stored.get(score.id)
        if old is None or old["suggested"] != score.suggested or old["because"] != score.because:
            diffs.append({"id": score.id, "stored": None if old is None else old["suggested"],
                          "now": score.suggested})
    if sorted(record.evidence_ids) != result.evidence_ids:
        diffs.append({"id": "evidence", "stored": len(record.evidence_ids), "now": len(result.evidence_ids)})
    return Verification(assessment_id, not diffs, record.rules_hash == pack.hash, diffs)


def find_assessment(url: str, org: str, assessment_id: int | None = None) -> AssessmentRecord:
    """The given assessment (checked to belong to `org`) or the organisation's latest."""
    with unit_of_work(url) as session:
        if assessment_id is not None:
            record = get_assessment(assessment_id, session=session)
            if record.org != org:
                raise NotFoundError(f"assessment {assessment_id} is of {record.org}, not {org}")
            return record
        latest = latest_assessment(org, session=session)
    if latest is None:
        raise NotFoundError(f"{org} has no stored assessment: run `pxrules assess --org {org}` first")
    return latest


def explain(url: str, org: str, sub_requirement: str, assessment_id: int | None = None) -> dict[str, Any]:
    """Everything behind one score: rules fired, measures, evidence items with sources, caps, next level."""
    from pxrules.rules.catalogue import load_catalogue

    sub = load_catalogue().get(sub_requirement)
    record = find_assessment(url, org, assessment_id)
    score = next(s for s in record.result["scores"] if s["id"] == sub.id)
    with unit_of_work(url) as session:
        items = []
        for evidence_id in sorted({i for m in score["measures"].values() for i in m["evidence"]}):
            try:
                rec = get_evidence(evidence_id, session=session)
            except NotFoundError:
                items.append({"id": evidence_id, "missing": True})
                continue
            items.append({"id": rec.evidence_id, "version": rec.version, "kind": rec.kind,
                          "period_start": rec.period_start.isoformat(), "period_end": rec.period_end.isoformat(),
                          "source": rec.payload.get("source", {})})
    return {
        "organisation": org, "assessment_id": record.id, "as_of": record.as_of.isoformat(),
        "rules_hash": record.rules_hash, "sub_requirement": sub.id, "text": sub.text,
        "suggested": score["suggested"], "because": score["because"],
        "firings": _with_conditions(_with_thresholds(expand_firings(score), record.rules_hash),
                                    record.rules_hash, sub.id),
        "measures": score["measures"], "caps": score["caps"], "next_level": score["next_level"],
        "no_evidence": score["no_evidence"], "supporting_kinds": score["supporting_kinds"], "evidence": items,
    }


def _with_conditions(firings: list[dict[str, Any]], rules_hash: str, sub_id: str) -> list[dict[str, Any]]:
    """Each firing with its rule's conditions (measure, operator, threshold) as the rule pack states them.

    Only when the stored assessment was made with the current pack; otherwise the list is empty rather
    than showing thresholds the score was not judged against.
    """
    from pxrules.scoring.levels import condition_text

    pack = default_rulepack()
    rules = pack.for_sub(sub_id).by_id if pack.hash == rules_hash else {}
    out = []
    for firing in firings:
        rule = rules.get(firing["rule_id"])
        conditions = [] if rule is None else [
            {"measure": c.measure, "op": c.op, "threshold": c.value, "text": condition_text(c)} for c in rule.conditions
        ]
        out.append({**firing, "conditions": conditions})
    return out


_OP_WORDS = {"eq": "=", "neq": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def _with_thresholds(firings: list[dict[str, Any]], rules_hash: str) -> list[dict[str, Any]]:
    """Each matched measure with the threshold it met ("needs >= 0.8"), read from the rules that scored it.

    Only when the bundled pack is the one the assessment used (same hash); otherwise the stored firing is
    shown as it is, without thresholds, rather than with today's thresholds beside yesterday's values.
    """
    from pxrules.rules.pack import default_rulepack

    pack = default_rulepack()
    if pack.hash != rules_hash:
        return firings
    out = []
    for f in firings:
        rule_file = pack.files.get(f["rule_id"].split(".")[0])
        rule = rule_file.by_id.get(f["rule_id"]) if rule_file else None
        if rule is None:
            out.append(f)
            continue
        needs: dict[str, list[str]] = {}
        for c in rule.conditions:
            value = ("yes" if c.value else "no") if isinstance(c.value, bool) else f"{c.value:g}" \
                if isinstance(c.value, float) else str(c.value)
            needs.setdefault(c.measure, []).append(f"{_OP_WORDS[c.op]} {value}")
        out.append({**f, "matched": [{**m, "needs": " and ".join(needs.get(m["measure"], []))}
                                     for m in f["matched"]]})
    return out
