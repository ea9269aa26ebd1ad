"""The board's own scores against the evidence: per sub-requirement difference and flag, per section and CQC
key question means and counts, over-claims first with the evidence and gaps that contradict them.

Flags (in this order of precedence):
  not scored     the self-assessment gives no score;
  not evidenced  the board claims more than the suggestion and the register holds nothing that bears on
                 the board's level: the suggestion is 0 for lack of evidence, or (two points or more above
                 it) no recorded evidence contradicts the board's level, only evidence is missing;
  over-claim     self >= suggested + 2 and recorded evidence shows a lower level (every way of reaching
                 the board's level fails on something that was recorded, not only on what was not);
  under-claim    self <= suggested - 2;
  agreed         otherwise (within one point).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pxrules.errors import NotFoundError
from pxrules.rules.catalogue import CQC_KEY_QUESTIONS, load_catalogue
from pxrules.rules.conditions import holds
from pxrules.rules.pack import RulePack, default_rulepack
from pxrules.scoring.levels import mean_score
from pxrules.store.db import unit_of_work
from pxrules.store.drafts import ReviewStep, sign_off_of
from pxrules.store.records import AssessmentRecord, SelfAssessmentLine, SelfAssessmentRecord
from pxrules.store.repo import get_evidence, get_org, list_evidence

OVER, UNDER, NOT_EVIDENCED, AGREED, NOT_SCORED = (
    "over-claim",
    "under-claim",
    "not evidenced",
    "agreed",
    "not scored",
)
UNEVIDENCED = NOT_EVIDENCED  # the flag's former name, kept for callers
FLAGS: tuple[str, ...] = (OVER, UNDER, NOT_EVIDENCED, AGREED, NOT_SCORED)
GAP = 2  # a difference of two points or more is a claim the board should look at


def flag_of(self_score: int | None, suggested: int, no_evidence: bool, contradicted: bool = True) -> str:
    """The flag of one sub-requirement (see the module docstring for the order); `contradicted` says whether
    recorded evidence shows a level below the board's (see `claim_contradicted`)."""
    if self_score is None:
        return NOT_SCORED
    if self_score > suggested and (no_evidence or (self_score >= suggested + GAP and not contradicted)):
        return NOT_EVIDENCED
    if self_score >= suggested + GAP:
        return OVER
    if self_score <= suggested - GAP:
        return UNDER
    return AGREED


@dataclass(frozen=True)
class Row:
    """One sub-requirement: both scores, the flag, and everything behind the suggestion."""

    id: str
    section_key: str
    section: str
    characteristic: int
    characteristic_text: str
    text: str
    cqc: tuple[str, ...]
    self_score: int | None
    suggested: int
    flag: str
    because: list[str]
    caps: list[str]
    next_level: dict[str, Any] | None
    no_evidence: bool
    supporting_kinds: list[str]
    evidence: list[dict[str, Any]]
    line: SelfAssessmentLine | None

    @property
    def difference(self) -> int | None:
        """Self minus suggested (positive: the board scores itself higher than the evidence does)."""
        return None if self.self_score is None else self.self_score - self.suggested

    def to_json(self) -> dict[str, Any]:
        line = self.line or SelfAssessmentLine(self.id)
        return {
            "id": self.id,
            "section": self.section_key,
            "characteristic": self.characteristic,
            "text": self.text,
            "cqc_key_questions": list(self.cqc),
            "self": self.self_score,
            "suggested": self.suggested,
            "difference": self.difference,
            "flag": self.flag,
            "because": self.because,
            "caps": self.caps,
            "next_level": self.next_level,
            "no_evidence": self.no_evidence,
            "supporting_kinds": self.supporting_kinds,
            "evidence": self.evidence,
            "current_position": line.current_position,
            "planned_action": line.planned_action,
            "what_good_looks_like": line.what_good_looks_like,
            "owner": line.owner,
            "review_date": line.review_date.isoformat() if line.review_date else None,
        }


def _mean(values: Sequence[int]) -> float | None:
    found = mean_score(values)
    return None if found is None else round(found, 2)


@dataclass(frozen=True)
class Group:
    """Means and flag counts over a set of sub-requirements (a section or a CQC key question)."""

    key: str
    title: str
    ids: list[str]
    self_mean: float | None
    suggested_mean: float | None
    difference_mean: float | None
    flags: dict[str, int]

    @classmethod
    def of(cls, key: str, title: str, rows: Iterable[Row]) -> Group:
        rows = list(rows)
        scored = [r for r in rows if r.self_score is not None]
        return cls(
            key,
            title,
            [r.id for r in rows],
            _mean([r.self_score for r in scored if r.self_score is not None]),
            _mean([r.suggested for r in rows]),
            _mean([r.difference for r in scored if r.difference is not None]),
            {f: sum(r.flag == f for r in rows) for f in FLAGS},
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "count": len(self.ids),
            "self_mean": self.self_mean,
            "suggested_mean": self.suggested_mean,
            "difference_mean": self.difference_mean,
            "flags": dict(self.flags),
        }


@dataclass(frozen=True)
class Comparison:
    """A self-assessment (or none) against a stored assessment of the same organisation."""

    org: str
    org_name: str
    assessment: AssessmentRecord
    self_assessment: SelfAssessmentRecord | None
    rows: list[Row]
    sections: list[Group] = field(default_factory=list)
    cqc: list[Group] = field(default_factory=list)
    # The workspace sign-off that froze the self-assessment (None: imported from a file, or none paired).
    sign_off: ReviewStep | None = None

    @property
    def overall(self) -> Group:
        return Group.of("all", "All sub-requirements", self.rows)

    def flagged(self, flag: str) -> list[Row]:
        """Rows with this flag, biggest gap first (framework order within a gap)."""
        rows = [r for r in self.rows if r.flag == flag]
        return sorted(rows, key=lambda r: -abs(r.difference or 0))

    def row(self, sub_id: str) -> Row:
        return next(r for r in self.rows if r.id == sub_id)

    def to_json(self) -> dict[str, Any]:
        sa = self.self_assessment
        signed = None if self.sign_off is None else self.sign_off.as_dict()
        return {
            "organisation": self.org,
            "name": self.org_name,
            "assessment": {
                "id": self.assessment.id,
                "as_of": self.assessment.as_of.isoformat(),
                "rules_hash": self.assessment.rules_hash,
            },
            "self_assessment": None
            if sa is None
            else {
                "id": sa.id,
                "as_of": sa.as_of.isoformat(),
                "source_file": sa.source_file,
                "content_hash": sa.content_hash,
                "signed_off": signed,
            },
            "totals": self.overall.to_json(),
            "over_claims": [r.to_json() for r in self.flagged(OVER)],
            "sections": [g.to_json() for g in self.sections],
            "cqc_key_questions": [g.to_json() for g in self.cqc],
            "sub_requirements": [r.to_json() for r in self.rows],
        }


def evidence_details(session: Any, org: str, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Source, period and file of each evidence id (latest version); ids no longer stored are marked."""
    wanted = set(ids)
    found = {r.evidence_id: r for r in list_evidence(session=session, org=org) if r.evidence_id in wanted}
    out: dict[str, dict[str, Any]] = {}
    for evidence_id in sorted(wanted):
        record = found.get(evidence_id)
        if record is None:
            try:
                record = get_evidence(evidence_id, session=session)
            except NotFoundError:
                out[evidence_id] = {"id": evidence_id, "missing": True}
                continue
        source = record.payload.get("source", {})
        out[evidence_id] = {
            "id": evidence_id,
            "kind": record.kind,
            "version": record.version,
            "period_start": record.period_start.isoformat(),
            "period_end": record.period_end.isoformat(),
            "title": source.get("title", ""),
            "reference": source.get("reference"),
            "publication": source.get("publication"),
            "attachment": source.get("attachment"),
            "import_file": record.import_file,
            "missing": False,
        }
    return out


def claim_contradicted(score: dict[str, Any], claimed: int | None, pack: RulePack | None) -> bool:
    """Whether recorded evidence shows a level below `claimed`: every rule at the claimed level fails on a
    measure that was recorded. A rule failing only on measures with nothing recorded is not contradicted
    (the evidence is missing, not against the board). Without the rules the score was made with, the
    stored judgement stands (True)."""
    if pack is None or claimed is None or claimed <= score["suggested"] or score["id"] not in pack.files:
        return True
    recorded = score.get("measures", {})
    rules = [r for r in pack.files[score["id"]].rules if r.level == min(claimed, 5)]
    return all(any(c.measure in recorded and not holds(c, recorded[c.measure]["value"]) for c in r.conditions)
               for r in rules)


def score_evidence(score: dict[str, Any]) -> list[str]:
    """A stored score's evidence id list (`evidence`; `evidence_ids` in results stored before it)."""
    found = score.get("evidence", score.get("evidence_ids"))
    return list(found) if found is not None else []


def _newest_first(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        items, key=lambda e: (e.get("period_end") or "", e.get("period_start") or "", e["id"]), reverse=True
    )


def build(
    assessment: AssessmentRecord,
    self_assessment: SelfAssessmentRecord | None,
    org_name: str,
    evidence: dict[str, dict[str, Any]],
) -> Comparison:
    """Pair every sub-requirement's suggested score with the self-assessment's (pure: no store access)."""
    catalogue = load_catalogue()
    bundled = default_rulepack()
    pack = bundled if bundled.hash == assessment.rules_hash else None
    scores = {s["id"]: s for s in assessment.result["scores"]}
    lines = {} if self_assessment is None else {r.sub_requirement: r for r in self_assessment.rows}
    rows = []
    for sub in catalogue.sub_requirements:
        score = scores.get(sub.id)
        if score is None:
            raise NotFoundError(f"assessment {assessment.id} has no score for {sub.id}")
        line = lines.get(sub.id)
        self_score = None if line is None else line.score
        rows.append(
            Row(
                sub.id,
                sub.section_key,
                sub.section,
                sub.characteristic,
                sub.characteristic_text,
                sub.text,
                sub.cqc_key_questions,
                self_score,
                score["suggested"],
                flag_of(self_score, score["suggested"], score["no_evidence"],
                        claim_contradicted(score, self_score, pack)),
                list(score["because"]),
                list(score["caps"]),
                score["next_level"],
                score["no_evidence"],
                list(score["supporting_kinds"]),
                _newest_first([evidence.get(i, {"id": i, "missing": True}) for i in score_evidence(score)]),
                line,
            )
        )
    sections = [
        Group.of(s.key, s.title, [r for r in rows if r.section_key == s.key]) for s in catalogue.sections
    ]
    cqc = [Group.of(q, q.capitalize(), [r for r in rows if q in r.cqc]) for q in CQC_KEY_QUESTIONS]
    return Comparison(assessment.org, org_name, assessment, self_assessment, rows, sections, cqc)


def compare(
    url: str,
    org: str,
    *,
    assessment_id: int | None = None,
    self_id: int | None = None,
    require_self: bool = True,
    as_of: dt.date | None = None,
    allow_mismatch: bool = False,
) -> Comparison:
    """Compare a self-assessment with an assessment, pinned as `pairing.Pin` describes (default: the latest
    assessment and the self-assessment nearest to it in date, refused when over a quarter apart)."""
    from pxrules.board.pairing import Pin, pair

    pin = Pin(assessment_id, as_of, self_id, allow_mismatch)
    with unit_of_work(url) as session:
        name = get_org(org, session=session).name
        chosen = pair(session, org, pin, require_self=require_self)
        assessment = chosen.assessment
        ids = {i for s in assessment.result["scores"] for i in score_evidence(s)}
        evidence = evidence_details(session, org, ids)
        own = chosen.self_assessment
        signed = None if own is None else sign_off_of(own.id, session=session)
    return replace(build(assessment, own, name, evidence), sign_off=signed)


def date_gap(comparison: Comparison) -> int | None:
    """Days between the self-assessment and the assessment (None without a self-assessment)."""
    if comparison.self_assessment is None:
        return None
    delta: dt.timedelta = comparison.assessment.as_of - comparison.self_assessment.as_of
    return delta.days
