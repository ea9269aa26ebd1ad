"""Every organisation's latest stored scores, read back without assessing again, in a handful of queries.

`pxrules scores` shows one organisation's, `pxrules export scores` writes all of them: the suggested score of
each sub-requirement from the newest stored assessment dated on or before the date asked for, with its rules
hash and reasons, beside the newest self-assessment dated on or before it. An organisation never assessed
is listed as "not assessed", never as zero.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlmodel import Session, col, select

from pxrules.store.tables import Assessment, AssessmentScore, Organisation, SelfAssessment, SelfAssessmentRow

CHUNK = 500  # ids per IN (...) list, well inside SQLite's and PostgreSQL's limits


@dataclass(frozen=True)
class ScoreRow:
    """One sub-requirement of one organisation: suggested (None = not assessed) and self-assessed scores."""

    sub_requirement: str
    suggested: int | None
    capped: bool
    self_assessed: int | None
    reasons: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"sub_requirement": self.sub_requirement, "suggested": self.suggested, "capped": self.capped,
                "self_assessed": self.self_assessed, "reasons": list(self.reasons)}


@dataclass(frozen=True)
class OrgScores:
    """One organisation's latest stored assessment and self-assessment (either may be missing)."""

    code: str
    name: str
    type: str
    assessment_id: int | None
    as_of: dt.date | None
    assessed_at: dt.datetime | None
    rules_hash: str | None
    catalogue_version: str | None
    self_assessment_id: int | None
    self_as_of: dt.date | None
    rows: list[ScoreRow] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        return {
            "organisation": self.code, "name": self.name, "type": self.type,
            "assessment_id": self.assessment_id, "as_of": _iso(self.as_of),
            "assessed_at": self.assessed_at.isoformat() if self.assessed_at else None,
            "rules_hash": self.rules_hash, "catalogue_version": self.catalogue_version,
            "self_assessment_id": self.self_assessment_id, "self_assessment_as_of": _iso(self.self_as_of),
            "scores": [r.as_dict() for r in self.rows],
        }


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield list(ids[start:start + CHUNK])


def _newest(rows: Iterable[tuple[int | None, str, dt.date]], as_of: dt.date | None) -> dict[str, int]:
    """org -> id of its newest row dated on or before `as_of`: latest date first, then the last stored."""
    best: dict[str, tuple[dt.date, int]] = {}
    for row_id, org, day in rows:
        if row_id is None or (as_of is not None and day > as_of):
            continue
        if org not in best or (day, row_id) > best[org]:
            best[org] = (day, row_id)
    return {org: row_id for org, (_, row_id) in best.items()}


def _catalogue_ids() -> list[str]:
    from pxrules.rules.catalogue import load_catalogue

    return [sub.id for sub in load_catalogue().sub_requirements]


def _order(sub: str) -> tuple[int, str]:
    return int(sub[:-1]), sub[-1]


def latest_scores(session: Session, *, as_of: dt.date | None = None,
                  orgs: Sequence[str] | None = None) -> list[OrgScores]:
    """The latest stored scores of every organisation (or those named), by code, in six queries."""
    query = select(Organisation).order_by(col(Organisation.code))
    if orgs is not None:
        query = query.where(col(Organisation.code).in_(list(orgs)))
    organisations = session.exec(query).all()
    wanted = {o.code for o in organisations}
    heads = _newest(((a, o, d) for a, o, d in session.exec(
        select(col(Assessment.id), col(Assessment.org), col(Assessment.as_of))).all() if o in wanted), as_of)
    self_heads = _newest(((a, o, d) for a, o, d in session.exec(
        select(col(SelfAssessment.id), col(SelfAssessment.org), col(SelfAssessment.as_of))).all()
        if o in wanted), as_of)
    assessments: dict[int, Assessment] = {}
    lines: dict[int, dict[str, AssessmentScore]] = {}
    ids = sorted(heads.values())
    for chunk in _chunks(ids):
        for row in session.exec(select(Assessment).where(col(Assessment.id).in_(chunk))).all():
            assert row.id is not None
            assessments[row.id] = row
        query_lines = select(AssessmentScore).where(col(AssessmentScore.assessment_id).in_(chunk))
        for line in session.exec(query_lines).all():
            lines.setdefault(line.assessment_id, {})[line.sub_requirement] = line
    selves: dict[int, SelfAssessment] = {}
    self_rows: dict[int, dict[str, SelfAssessmentRow]] = {}
    for chunk in _chunks(sorted(self_heads.values())):
        for h in session.exec(select(SelfAssessment).where(col(SelfAssessment.id).in_(chunk))).all():
            assert h.id is not None
            selves[h.id] = h
        query_rows = select(SelfAssessmentRow).where(col(SelfAssessmentRow.self_assessment_id).in_(chunk))
        for r in session.exec(query_rows).all():
            self_rows.setdefault(r.self_assessment_id, {})[r.sub_requirement] = r
    out: list[OrgScores] = []
    for org in organisations:
        a = assessments.get(heads.get(org.code, -1))
        own = selves.get(self_heads.get(org.code, -1))
        out.append(_org_scores(org, a, lines.get(a.id or -1, {}) if a else {}, own,
                               self_rows.get(own.id or -1, {}) if own else {}))
    return out


def _org_scores(org: Organisation, a: Assessment | None, scored: dict[str, AssessmentScore],
                s: SelfAssessment | None, own: dict[str, SelfAssessmentRow]) -> OrgScores:
    reasons: dict[str, tuple[str, ...]] = {}
    if a is not None:
        for line in orjson.loads(a.result).get("scores", []):
            reasons[str(line.get("id"))] = tuple(str(b) for b in line.get("because", []))
    subs = sorted(set(scored) | set(own) | set(_catalogue_ids()), key=_order)
    rows = []
    for sub in subs:
        line = scored.get(sub)
        mine = own.get(sub)
        why = reasons.get(sub, ()) if line else ("not assessed",)
        rows.append(ScoreRow(sub, line.suggested if line else None, bool(line and line.capped),
                             mine.score if mine else None, why))
    return OrgScores(
        code=org.code, name=org.name, type=org.type, assessment_id=a.id if a else None,
        as_of=a.as_of if a else None, assessed_at=a.created_at if a else None,
        rules_hash=a.rules_hash if a else None, catalogue_version=a.catalogue_version if a else None,
        self_assessment_id=s.id if s else None, self_as_of=s.as_of if s else None, rows=rows)
