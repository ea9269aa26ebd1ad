"""Assessments (and, re-exported, imported self-assessments): thin save/read functions over their tables.

The scoring and self-assessment code build plain ScoreLine / SelfAssessmentLine values (or mappings with
the same keys) and call these; every record comes back as a frozen dataclass with a stable `as_dict()`.
Self-assessments are in self_assessments.py; what both share (canonical JSON, checks) in record_checks.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session, col, select

from pxrules.common.canonical import canonical_members, hash_text
from pxrules.errors import NotFoundError, StoreError
from pxrules.store.audit_chain import EventSpec, append_events, lock_chain, note_rulepack
from pxrules.store.record_checks import (
    canonical_json,
    check_org,
    check_sub_requirements,
    coerce,
    sha256_of,
)
from pxrules.store.self_assessments import (
    SelfAssessmentLine,
    SelfAssessmentRecord,
    get_self_assessment,
    latest_self_assessment,
    list_self_assessments,
    save_self_assessment,
)
from pxrules.store.tables import (
    Assessment,
    AssessmentScore,
    utc_now,
)

# --- assessments ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreLine:
    """The suggested score of one sub-requirement: whether a cap applied, how much evidence it used."""

    sub_requirement: str
    suggested: int
    capped: bool = False
    evidence_count: int = 0


@dataclass(frozen=True)
class AssessmentRecord:
    """A stored assessment: `result` is the JSON the scoring code saved, `scores` one per sub-requirement."""

    id: int
    org: str
    as_of: dt.date
    rules_hash: str
    catalogue_version: str
    created_at: dt.datetime
    created_by: str
    evidence_ids: list[str]
    result: dict[str, Any]
    content_hash: str
    scores: list[ScoreLine]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["created_at"] = self.created_at.isoformat()
        return data


def assessment_hash(
    org: str,
    as_of: dt.date,
    rules_hash: str,
    catalogue_version: str,
    evidence_ids: Sequence[str],
    result: Mapping[str, Any],
) -> str:
    """The content hash of an assessment: what was scored, with which rules, and the result."""
    return sha256_of(
        {
            "org": org,
            "as_of": as_of,
            "rules_hash": rules_hash,
            "catalogue_version": catalogue_version,
            "evidence_ids": sorted(evidence_ids),
            "result": result,
        }
    )


@dataclass(frozen=True)
class NewAssessment:
    """An assessment to save: what was scored, with which rules, the result JSON and a line per score."""

    org: str
    as_of: dt.date
    rules_hash: str
    catalogue_version: str
    evidence_ids: Sequence[str]
    result: Mapping[str, Any]
    scores: Sequence[ScoreLine | Mapping[str, Any]]


def save_assessment(
    *,
    session: Session,
    org: str,
    as_of: dt.date,
    rules_hash: str,
    catalogue_version: str,
    evidence_ids: Sequence[str],
    result: Mapping[str, Any],
    scores: Iterable[ScoreLine | Mapping[str, Any]],
    by: str,
) -> AssessmentRecord:
    """Store one assessment and its per-sub-requirement scores; returns it with its id and content hash.

    Audited: the first use of a rules_hash gets its own event, then the assessment (with its scores) one.
    """
    new = NewAssessment(org, as_of, rules_hash, catalogue_version, evidence_ids, result, list(scores))
    [prepared] = prepare_assessments(session=session, assessments=[new], by=by)
    save_prepared(session=session, prepared=[prepared], by=by)
    row = prepared.row
    assert row.id is not None
    # Parsed from the text just written (as a read gives it: dates as strings), not read back from the store.
    return AssessmentRecord(
        id=row.id, org=org, as_of=as_of, rules_hash=rules_hash, catalogue_version=catalogue_version,
        created_at=row.created_at, created_by=by, evidence_ids=prepared.evidence_ids, result=json.loads(row.result),
        content_hash=row.content_hash,
        scores=sorted(prepared.lines, key=lambda s: (int(s.sub_requirement[:-1]), s.sub_requirement[-1])),
    )


@dataclass(frozen=True)
class PreparedAssessment:
    """An assessment checked and turned into its row (canonical text, content hash), not yet written."""

    row: Assessment
    evidence_ids: list[str]
    lines: list[ScoreLine]


def prepare_assessments(*, session: Session, assessments: Sequence[NewAssessment],
                        by: str) -> list[PreparedAssessment]:
    """Check assessments and build their rows without writing anything: the costly part of saving, done
    before taking the store's write lock (`save_prepared` takes it)."""
    prepared = []
    now = utc_now()
    for new in assessments:
        check_org(new.org, session)
        lines = [coerce(ScoreLine, s) for s in new.scores]
        check_sub_requirements([line.sub_requirement for line in lines], "assessment scores")
        for line in lines:
            if not 0 <= line.suggested <= 5:
                raise StoreError(f"suggested score {line.suggested} for {line.sub_requirement} is not 0..5")
        ids = sorted(new.evidence_ids)
        result_text = canonical_json(dict(new.result))
        ids_text = canonical_json(ids)
        row = Assessment(
            org=new.org, as_of=new.as_of, rules_hash=new.rules_hash, catalogue_version=new.catalogue_version,
            created_at=now, created_by=by, evidence_ids=ids_text, result=result_text,
            content_hash=_assessment_hash_of_text(new.org, new.as_of, new.rules_hash, new.catalogue_version,
                                                  ids_text, result_text),
        )
        prepared.append(PreparedAssessment(row, ids, lines))
    return prepared


def save_prepared(*, session: Session, prepared: Sequence[PreparedAssessment], by: str) -> list[int]:
    """Write prepared assessments, their scores and their audit events; returns their ids in order."""
    if not prepared:
        return []
    lock_chain(session)
    rows = [p.row for p in prepared]
    session.add_all(rows)
    session.flush()
    # One multi-row INSERT for the scores instead of an ORM object each (the slowest part of saving).
    score_rows = [{"assessment_id": p.row.id, "sub_requirement": line.sub_requirement, "suggested": line.suggested,
                   "capped": line.capped, "evidence_count": line.evidence_count}
                  for p in prepared for line in p.lines]
    if score_rows:
        session.execute(insert(AssessmentScore.__table__), score_rows)  # type: ignore[attr-defined]
    for rules_hash, catalogue_version in dict.fromkeys((r.rules_hash, r.catalogue_version) for r in rows):
        note_rulepack(session, rules_hash=rules_hash, catalogue_version=catalogue_version, by=by)
    append_events(session, [
        EventSpec("assessment.save", by, f"assessment {p.row.id}", p.row.org, {"assessment": [p.row.id]},
                  {"as_of": p.row.as_of.isoformat(), "rules_hash": p.row.rules_hash, "scores": len(p.lines)})
        for p in prepared if p.row.id is not None])
    return [row.id for row in rows if row.id is not None]


def _assessment_hash_of_text(org: str, as_of: dt.date, rules_hash: str, catalogue_version: str,
                             ids_text: str, result_text: str) -> str:
    """assessment_hash(...) from the canonical texts of the sorted evidence ids and of the result, as stored,
    without serialising either again."""
    return hash_text(canonical_members({
        "as_of": canonical_json(as_of), "catalogue_version": canonical_json(catalogue_version),
        "evidence_ids": ids_text, "org": canonical_json(org), "result": result_text,
        "rules_hash": canonical_json(rules_hash)}))


def _assessment_record(row: Assessment, lines: list[ScoreLine]) -> AssessmentRecord:
    assert row.id is not None
    return AssessmentRecord(
        id=row.id,
        org=row.org,
        as_of=row.as_of,
        rules_hash=row.rules_hash,
        catalogue_version=row.catalogue_version,
        created_at=row.created_at,
        created_by=row.created_by,
        evidence_ids=json.loads(row.evidence_ids),
        result=json.loads(row.result),
        content_hash=row.content_hash,
        scores=sorted(lines, key=lambda s: (int(s.sub_requirement[:-1]), s.sub_requirement[-1])),
    )


def _with_scores(rows: Sequence[Assessment], session: Session) -> list[AssessmentRecord]:
    ids = [r.id for r in rows]
    by_id: dict[int, list[ScoreLine]] = {i: [] for i in ids if i is not None}
    if by_id:
        query = select(AssessmentScore).where(col(AssessmentScore.assessment_id).in_(list(by_id)))
        for s in session.exec(query).all():
            by_id[s.assessment_id].append(
                ScoreLine(s.sub_requirement, s.suggested, s.capped, s.evidence_count)
            )
    return [_assessment_record(r, by_id[r.id]) for r in rows if r.id is not None]


def get_assessment(assessment_id: int, *, session: Session) -> AssessmentRecord:
    """One assessment by id; NotFoundError if there is none."""
    row = session.get(Assessment, assessment_id)
    if row is None:
        raise NotFoundError(f"no assessment with id {assessment_id}")
    return _with_scores([row], session)[0]


def list_assessments(*, session: Session, org: str | None = None) -> list[AssessmentRecord]:
    """Assessments (of one organisation, or all), oldest first."""
    query = select(Assessment)
    if org is not None:
        query = query.where(col(Assessment.org) == org)
    return _with_scores(session.exec(query.order_by(col(Assessment.id))).all(), session)


def latest_assessment(org: str, *, session: Session) -> AssessmentRecord | None:
    """The most recently created assessment of an organisation, or None if it has none."""
    query = select(Assessment).where(col(Assessment.org) == org).order_by(col(Assessment.id).desc()).limit(1)
    row = session.exec(query).first()
    return None if row is None else _with_scores([row], session)[0]



__all__ = [
    "AssessmentRecord", "NewAssessment", "PreparedAssessment", "ScoreLine", "SelfAssessmentLine",
    "SelfAssessmentRecord", "assessment_hash", "canonical_json", "get_assessment", "get_self_assessment",
    "latest_assessment", "latest_self_assessment", "list_assessments", "list_self_assessments",
    "prepare_assessments", "save_assessment", "save_prepared", "save_self_assessment", "sha256_of",
]
