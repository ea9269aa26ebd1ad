"""The board's self-assessment as it is written in the workspace: working drafts, and the review steps that
freeze one into a stored self-assessment.

A draft and its rows are a working copy that several people edit at once (each row keeps a revision number so
one person's save can never silently replace another's); they are not the record. The record is the review
trail (`self_assessment_review`, audited, append-only: created, revealed, submitted, returned, signed) and, on
sign-off, an ordinary stored self-assessment with its content hash.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from pxrules.store.tables import UtcDateTime

DRAFT_STATUSES: tuple[str, ...] = ("draft", "submitted", "returned", "signed")
REVIEW_STEPS: tuple[str, ...] = ("created", "revealed", "submitted", "returned", "signed")


class SelfAssessmentDraft(SQLModel, table=True):
    """One version of an organisation's self-assessment being written, reviewed or (once signed) frozen."""

    __tablename__ = "self_assessment_draft"
    __table_args__ = (
        UniqueConstraint("org", "version", name="uq_self_assessment_draft_org_version"),
        CheckConstraint("status IN ('draft', 'submitted', 'returned', 'signed')", name="ck_draft_status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    org: str = Field(max_length=12, foreign_key="organisation.code", index=True)
    version: int
    as_of: dt.date
    based_on: int | None = None
    hide_suggestions: bool = False
    revealed: bool = False
    status: str = Field(max_length=20)
    self_assessment_id: int | None = Field(default=None, foreign_key="self_assessment.id")
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=500)


class SelfAssessmentDraftRow(SQLModel, table=True):
    """A draft's line for one sub-requirement; `revision` counts its saves (the base of a conflict check)."""

    __tablename__ = "self_assessment_draft_row"

    draft_id: int = Field(foreign_key="self_assessment_draft.id", primary_key=True)
    sub_requirement: str = Field(max_length=3, primary_key=True)
    score: int | None = None
    current_position: str = Field(default="", sa_type=Text)
    planned_action: str = Field(default="", sa_type=Text)
    what_good_looks_like: str = Field(default="", sa_type=Text)
    owner: str = Field(default="", max_length=320)
    review_date: dt.date | None = None
    revision: int = 0
    changed_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)
    changed_by: str = Field(default="", max_length=500)


class SelfAssessmentReview(SQLModel, table=True):
    """One step of a draft's review, never changed: who did what, when, with what comment (and, when signed,
    the stored self-assessment and its frozen content hash)."""

    __tablename__ = "self_assessment_review"
    __table_args__ = (
        CheckConstraint(
            "step IN ('created', 'revealed', 'submitted', 'returned', 'signed')", name="ck_review_step"
        ),
        Index("ix_self_assessment_review_draft", "draft_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="self_assessment_draft.id")
    org: str = Field(max_length=12)
    step: str = Field(max_length=20)
    by: str = Field(max_length=500)
    by_name: str = Field(default="", max_length=200)
    at: dt.datetime = Field(sa_type=UtcDateTime)
    comment: str = Field(default="", sa_type=Text)
    self_assessment_id: int | None = None
    content_hash: str = Field(default="", max_length=64)
    assessment_id: int | None = None
