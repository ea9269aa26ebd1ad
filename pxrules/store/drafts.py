"""Self-assessment drafts: created, read and saved line by line, where two people's saves merge field by field.

A save carries the values the editor started from (`base`) as well as theirs (`mine`). For each field:
unchanged by me keeps what is stored; changed by me and by nobody else is saved; changed by me and, since I
loaded it, by someone else to something different is a conflict: nothing of that field is written and both
values go back to the editor. So no one's change is ever overwritten without their seeing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from pxrules.errors import NotFoundError, StoreError
from pxrules.store.record_checks import check_org
from pxrules.store.review_tables import SelfAssessmentDraft, SelfAssessmentDraftRow, SelfAssessmentReview
from pxrules.store.tables import utc_now

FIELDS: tuple[str, ...] = ("score", "current_position", "planned_action", "what_good_looks_like", "owner",
                           "review_date")  # fmt: skip
MAX_TEXT = 5000
MAX_OWNER = 320
EDITABLE = ("draft", "returned")
TEXTS = ("current_position", "planned_action", "what_good_looks_like", "owner")
_CLAIM = sa.text("UPDATE self_assessment_draft SET status = status WHERE id = :id")


def normal_text(value: str) -> str:
    """A line's text as a browser sends it back (line breaks as LF, no outer spaces), so a text that has only
    been round-tripped through a form never looks changed to the merge."""
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


def _normal(values: Mapping[str, Any]) -> dict[str, Any]:
    return {k: normal_text(v) if k in TEXTS and isinstance(v, str) else v for k, v in values.items()}


@dataclass(frozen=True)
class DraftLine:
    """A draft's line for one sub-requirement, with who saved it last and how many saves it has had."""

    sub_requirement: str
    score: int | None
    current_position: str
    planned_action: str
    what_good_looks_like: str
    owner: str
    review_date: dt.date | None
    revision: int
    changed_at: dt.datetime | None
    changed_by: str

    def values(self) -> dict[str, Any]:
        """The editable fields only."""
        return {name: getattr(self, name) for name in FIELDS}

    def texts(self) -> dict[str, str]:
        """The editable fields as a form shows them (a score as its digit, a date as dd/mm/yyyy, blank for none)."""
        shown = {name: "" if getattr(self, name) is None else str(getattr(self, name)) for name in FIELDS}
        shown["review_date"] = self.review_date.strftime("%d/%m/%Y") if self.review_date else ""
        return shown

    def as_dict(self) -> dict[str, Any]:
        data = {**self.values(), "sub_requirement": self.sub_requirement, "revision": self.revision,
                "changed_by": self.changed_by or None,
                "changed_at": self.changed_at.isoformat() if self.changed_at else None}  # fmt: skip
        data["review_date"] = self.review_date.isoformat() if self.review_date else None
        return data


@dataclass(frozen=True)
class ReviewStep:
    """One audited step of a draft's review."""

    id: int
    step: str
    by: str
    by_name: str
    at: dt.datetime
    comment: str
    self_assessment_id: int | None
    content_hash: str
    assessment_id: int | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "step": self.step, "by": self.by, "by_name": self.by_name or None,
                "at": self.at.isoformat(), "comment": self.comment or None,
                "self_assessment_id": self.self_assessment_id, "content_hash": self.content_hash or None,
                "assessment_id": self.assessment_id}  # fmt: skip


@dataclass(frozen=True)
class DraftRecord:
    """A draft (one version of a self-assessment) with its lines in framework order and its review steps."""

    id: int
    org: str
    version: int
    as_of: dt.date
    based_on: int | None
    hide_suggestions: bool
    revealed: bool
    status: str
    self_assessment_id: int | None
    created_at: dt.datetime
    created_by: str
    rows: list[DraftLine] = field(default_factory=list)
    steps: list[ReviewStep] = field(default_factory=list)

    @property
    def editable(self) -> bool:
        return self.status in EDITABLE

    @property
    def suggestions_hidden(self) -> bool:
        """Whether the suggested scores stay out of sight (until revealed; never once signed)."""
        return self.hide_suggestions and not self.revealed and self.status != "signed"

    @property
    def scored(self) -> int:
        return sum(1 for line in self.rows if line.score is not None)

    def last(self, step: str) -> ReviewStep | None:
        found = [s for s in self.steps if s.step == step]
        return found[-1] if found else None

    def line(self, sub_id: str) -> DraftLine:
        for line in self.rows:
            if line.sub_requirement == sub_id:
                return line
        raise NotFoundError(f"{sub_id!r} is not a sub-requirement of the framework (1A ... 23A)")

    def as_dict(self, *, with_rows: bool = True) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id, "org": self.org, "version": self.version, "as_of": self.as_of.isoformat(),
            "based_on": self.based_on, "hide_suggestions": self.hide_suggestions, "revealed": self.revealed,
            "status": self.status, "self_assessment_id": self.self_assessment_id,
            "created_at": self.created_at.isoformat(), "created_by": self.created_by, "scored": self.scored,
            "steps": [s.as_dict() for s in self.steps],
        }  # fmt: skip
        if with_rows:
            data["rows"] = [line.as_dict() for line in self.rows]
        return data


@dataclass(frozen=True)
class SaveResult:
    """What a save did: the line as stored now, the fields written, and any conflicts (mine, theirs)."""

    line: DraftLine
    saved: tuple[str, ...]
    conflicts: dict[str, tuple[Any, Any]]
    # Who saved the line last before this save, and when: the other editor a conflict is with.
    before_by: str = ""
    before_at: dt.datetime | None = None


def _line(row: SelfAssessmentDraftRow) -> DraftLine:
    return DraftLine(row.sub_requirement, row.score, row.current_position, row.planned_action,
                     row.what_good_looks_like, row.owner, row.review_date, row.revision, row.changed_at,
                     row.changed_by)  # fmt: skip


def _step(row: SelfAssessmentReview) -> ReviewStep:
    assert row.id is not None
    return ReviewStep(row.id, row.step, row.by, row.by_name, row.at, row.comment, row.self_assessment_id,
                      row.content_hash, row.assessment_id)  # fmt: skip


def _order(sub_id: str) -> tuple[int, str]:
    return int(sub_id[:-1]), sub_id[-1]


def _record(head: SelfAssessmentDraft, session: Session) -> DraftRecord:
    assert head.id is not None
    rows = session.exec(select(SelfAssessmentDraftRow).where(SelfAssessmentDraftRow.draft_id == head.id)).all()
    steps = session.exec(
        select(SelfAssessmentReview).where(SelfAssessmentReview.draft_id == head.id)
        .order_by(col(SelfAssessmentReview.id))
    ).all()  # fmt: skip
    lines = sorted((_line(r) for r in rows), key=lambda line: _order(line.sub_requirement))
    return DraftRecord(head.id, head.org, head.version, head.as_of, head.based_on, head.hide_suggestions,
                       head.revealed, head.status, head.self_assessment_id, head.created_at, head.created_by,
                       lines, [_step(s) for s in steps])  # fmt: skip


def get_draft(draft_id: int, *, session: Session, org: str | None = None) -> DraftRecord:
    """One draft (of `org`, when given); NotFoundError otherwise."""
    head = session.get(SelfAssessmentDraft, draft_id)
    if head is None or (org is not None and head.org != org):
        raise NotFoundError(f"no self-assessment draft {draft_id}" + (f" of {org}" if org else ""))
    return _record(head, session)


def list_drafts(*, session: Session, org: str) -> list[DraftRecord]:
    """Every version of an organisation's self-assessment written here, newest first."""
    check_org(org, session)
    heads = session.exec(
        select(SelfAssessmentDraft).where(SelfAssessmentDraft.org == org)
        .order_by(col(SelfAssessmentDraft.version).desc())
    ).all()  # fmt: skip
    return [_record(h, session) for h in heads]


def open_draft(session: Session, org: str) -> SelfAssessmentDraft | None:
    """The organisation's draft not yet signed, if any (there is at most one at a time)."""
    return session.exec(
        select(SelfAssessmentDraft).where(SelfAssessmentDraft.org == org, SelfAssessmentDraft.status != "signed")
    ).first()


def add_draft(
    *, session: Session, org: str, as_of: dt.date, by: str, hide_suggestions: bool,
    lines: Mapping[str, Mapping[str, Any]], sub_ids: list[str], based_on: int | None,
) -> SelfAssessmentDraft:  # fmt: skip
    """Insert a draft head and a line for every sub-requirement (from `lines` where given); flushed, not audited
    (the caller records the 'created' step)."""
    check_org(org, session)
    if open_draft(session, org) is not None:
        raise StoreError(f"{org} already has a self-assessment in progress: finish or sign it off first")
    version = int(session.execute(
        sa.select(sa.func.max(SelfAssessmentDraft.version)).where(col(SelfAssessmentDraft.org) == org)
    ).scalar() or 0) + 1  # fmt: skip
    head = SelfAssessmentDraft(org=org, version=version, as_of=as_of, based_on=based_on,
                               hide_suggestions=hide_suggestions, status="draft", created_at=utc_now(),
                               created_by=by[:500])  # fmt: skip
    session.add(head)
    session.flush()
    assert head.id is not None
    for sub_id in sub_ids:
        given = _normal({k: v for k, v in lines.get(sub_id, {}).items() if k in FIELDS})
        session.add(SelfAssessmentDraftRow(draft_id=head.id, sub_requirement=sub_id, **given))
    session.flush()
    return head


def check_values(values: Mapping[str, Any]) -> None:
    """StoreError naming the field for a value a line cannot hold."""
    score = values.get("score")
    if score is not None and (not isinstance(score, int) or isinstance(score, bool) or not 0 <= score <= 5):
        raise StoreError("score: the board's score must be a whole number from 0 to 5, or left blank")
    for name in ("current_position", "planned_action", "what_good_looks_like"):
        text = values.get(name, "")
        if not isinstance(text, str) or len(text) > MAX_TEXT:
            raise StoreError(f"{name}: at most {MAX_TEXT:,} characters")
    owner = values.get("owner", "")
    if not isinstance(owner, str) or len(owner) > MAX_OWNER or any(ord(c) < 32 for c in owner):
        raise StoreError(f"owner: at most {MAX_OWNER} characters, on one line")
    review = values.get("review_date")
    if review is not None and not isinstance(review, dt.date):
        raise StoreError("review_date: not a date")


def save_line(
    draft_id: int, sub_id: str, *, session: Session, base: Mapping[str, Any], mine: Mapping[str, Any], by: str,
) -> SaveResult:  # fmt: skip
    """Merge one editor's values into a line (see the module's docstring); refused once submitted or signed."""
    # Take the write lock before reading what the merge compares with: SQLite reads outside a transaction
    # until the first write, so without it two saves could both read the same line and one undo the other.
    session.execute(_CLAIM, {"id": draft_id})
    head = session.exec(
        select(SelfAssessmentDraft).where(SelfAssessmentDraft.id == draft_id).with_for_update()
    ).first()  # fmt: skip
    if head is None:
        raise NotFoundError(f"no self-assessment draft {draft_id}")
    if head.status not in EDITABLE:
        raise StoreError(f"self-assessment version {head.version} is {head.status}: it can no longer be changed")
    mine, base = _normal(mine), _normal(base)
    check_values(mine)
    row = session.exec(
        select(SelfAssessmentDraftRow)
        .where(SelfAssessmentDraftRow.draft_id == draft_id, SelfAssessmentDraftRow.sub_requirement == sub_id)
        .with_for_update()
    ).first()
    if row is None:
        raise NotFoundError(f"{sub_id!r} is not a sub-requirement of the framework (1A ... 23A)")
    saved: list[str] = []
    conflicts: dict[str, tuple[Any, Any]] = {}
    before_by, before_at = row.changed_by, row.changed_at
    for name in FIELDS:
        if name not in mine:
            continue
        stored, wanted = getattr(row, name), mine[name]
        started = base.get(name, stored)
        if wanted in (stored, started):
            continue  # nothing new from me (anyone else's change stands)
        if started == stored:
            setattr(row, name, wanted)
            saved.append(name)
        else:
            conflicts[name] = (wanted, stored)
    if saved:
        row.revision += 1
        row.changed_at = utc_now()
        row.changed_by = by[:500]
        session.add(row)
        session.flush()
    return SaveResult(_line(row), tuple(saved), conflicts, before_by, before_at)


def add_step(
    head: SelfAssessmentDraft, step: str, *, session: Session, by: str, by_name: str, comment: str = "",
    self_assessment_id: int | None = None, content_hash: str = "", assessment_id: int | None = None,
) -> SelfAssessmentReview:  # fmt: skip
    """Append a review step (flushed; the caller appends its audit event)."""
    assert head.id is not None
    if len(comment) > MAX_TEXT:
        raise StoreError(f"comment: at most {MAX_TEXT:,} characters")
    row = SelfAssessmentReview(draft_id=head.id, org=head.org, step=step, by=by[:500], by_name=by_name[:200],
                               at=utc_now(), comment=comment.strip(), self_assessment_id=self_assessment_id,
                               content_hash=content_hash, assessment_id=assessment_id)  # fmt: skip
    session.add(row)
    session.flush()
    return row


def head_for_update(draft_id: int, session: Session, org: str | None = None) -> SelfAssessmentDraft:
    """The draft's head row, locked against a concurrent review step."""
    head = session.exec(
        select(SelfAssessmentDraft).where(SelfAssessmentDraft.id == draft_id).with_for_update()
    ).first()  # fmt: skip
    if head is None or (org is not None and head.org != org):
        raise NotFoundError(f"no self-assessment draft {draft_id}")
    return head


def sign_off_of(self_assessment_id: int, *, session: Session) -> ReviewStep | None:
    """The sign-off that froze a stored self-assessment, or None (an import from a file, say)."""
    row = session.exec(
        select(SelfAssessmentReview).where(SelfAssessmentReview.step == "signed",
                                           SelfAssessmentReview.self_assessment_id == self_assessment_id)
    ).first()  # fmt: skip
    return None if row is None else _step(row)
