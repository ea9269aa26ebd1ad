"""Imported self-assessments (the board's own scores): saved with a content hash and audited, read back whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlmodel import Session, col, select

from pxrules.errors import NotFoundError, StoreError
from pxrules.store.audit_chain import append_event, lock_chain
from pxrules.store.record_checks import _SHA256, check_org, check_sub_requirements, coerce, sha256_of
from pxrules.store.tables import SelfAssessment, SelfAssessmentRow, utc_now

# --- self-assessments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SelfAssessmentLine:
    """One sub-requirement of a trust's own self-assessment (score None = not scored)."""

    sub_requirement: str
    score: int | None = None
    current_position: str = ""
    planned_action: str = ""
    what_good_looks_like: str = ""
    owner: str = ""
    review_date: dt.date | None = None


@dataclass(frozen=True)
class SelfAssessmentRecord:
    """A stored self-assessment import with its rows in framework order."""

    id: int
    org: str
    as_of: dt.date
    imported_at: dt.datetime
    imported_by: str
    source_file: str
    source_sha256: str
    content_hash: str
    rows: list[SelfAssessmentLine]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        data = asdict(self)
        data["as_of"] = self.as_of.isoformat()
        data["imported_at"] = self.imported_at.isoformat()
        for line in data["rows"]:
            line["review_date"] = line["review_date"].isoformat() if line["review_date"] else None
        return data


def _framework_order(line: SelfAssessmentLine) -> tuple[int, str]:
    return int(line.sub_requirement[:-1]), line.sub_requirement[-1]


def save_self_assessment(
    *,
    session: Session,
    org: str,
    as_of: dt.date,
    rows: Iterable[SelfAssessmentLine | Mapping[str, Any]],
    source_file: str,
    source_sha256: str,
    by: str,
) -> SelfAssessmentRecord:
    """Store one imported self-assessment; content_hash covers org, as_of and the rows (not who or when).

    Audited: one event covering the import and its rows.
    """
    lock_chain(session)
    check_org(org, session)
    if not _SHA256.match(source_sha256):
        raise StoreError(f"source_sha256 {source_sha256!r} is not a lower-case sha256")
    lines = sorted((coerce(SelfAssessmentLine, r) for r in rows), key=_framework_order)
    check_sub_requirements([line.sub_requirement for line in lines], "self-assessment")
    for line in lines:
        if line.score is not None and not 0 <= line.score <= 5:
            raise StoreError(f"self-assessment score {line.score} for {line.sub_requirement} is not 0..5")
    content_hash = sha256_of({"org": org, "as_of": as_of, "rows": [asdict(line) for line in lines]})
    head = SelfAssessment(
        org=org,
        as_of=as_of,
        imported_at=utc_now(),
        imported_by=by,
        source_file=source_file,
        source_sha256=source_sha256,
        content_hash=content_hash,
    )
    session.add(head)
    session.flush()
    assert head.id is not None
    for line in lines:
        session.add(SelfAssessmentRow(self_assessment_id=head.id, **asdict(line)))
    session.flush()
    append_event(
        session, action="self_assessment.import", by=by, org=org,
        subject=f"self-assessment {head.id} from {source_file}", refs={"self_assessment": [head.id]},
        details={"as_of": as_of.isoformat(), "source_file": source_file, "source_sha256": source_sha256},
    )
    return _self_record(head, lines)


def _self_record(head: SelfAssessment, lines: list[SelfAssessmentLine]) -> SelfAssessmentRecord:
    assert head.id is not None
    return SelfAssessmentRecord(
        id=head.id,
        org=head.org,
        as_of=head.as_of,
        imported_at=head.imported_at,
        imported_by=head.imported_by,
        source_file=head.source_file,
        source_sha256=head.source_sha256,
        content_hash=head.content_hash,
        rows=sorted(lines, key=_framework_order),
    )


def _with_rows(heads: Sequence[SelfAssessment], session: Session) -> list[SelfAssessmentRecord]:
    by_id: dict[int, list[SelfAssessmentLine]] = {h.id: [] for h in heads if h.id is not None}
    if by_id:
        query = select(SelfAssessmentRow).where(col(SelfAssessmentRow.self_assessment_id).in_(list(by_id)))
        for r in session.exec(query).all():
            by_id[r.self_assessment_id].append(
                SelfAssessmentLine(
                    sub_requirement=r.sub_requirement,
                    score=r.score,
                    current_position=r.current_position,
                    planned_action=r.planned_action,
                    what_good_looks_like=r.what_good_looks_like,
                    owner=r.owner,
                    review_date=r.review_date,
                )
            )
    return [_self_record(h, by_id[h.id]) for h in heads if h.id is not None]


def get_self_assessment(self_assessment_id: int, *, session: Session) -> SelfAssessmentRecord:
    """One self-assessment by id; NotFoundError if there is none."""
    head = session.get(SelfAssessment, self_assessment_id)
    if head is None:
        raise NotFoundError(f"no self-assessment with id {self_assessment_id}")
    return _with_rows([head], session)[0]


def list_self_assessments(*, session: Session, org: str | None = None) -> list[SelfAssessmentRecord]:
    """Self-assessments (of one organisation, or all), oldest import first."""
    query = select(SelfAssessment)
    if org is not None:
        query = query.where(col(SelfAssessment.org) == org)
    return _with_rows(session.exec(query.order_by(col(SelfAssessment.id))).all(), session)


def latest_self_assessment(org: str, *, session: Session) -> SelfAssessmentRecord | None:
    """The most recently imported self-assessment of an organisation, or None."""
    query = (
        select(SelfAssessment)
        .where(col(SelfAssessment.org) == org)
        .order_by(col(SelfAssessment.id).desc())
        .limit(1)
    )
    head = session.exec(query).first()
    return None if head is None else _with_rows([head], session)[0]
