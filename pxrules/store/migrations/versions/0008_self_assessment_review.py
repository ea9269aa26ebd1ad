"""Self-assessments written in the workspace: drafts (a working copy with a revision per row, so concurrent
saves are detected, not lost) and the audited review trail that freezes one into a stored self-assessment.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)
_ROLES_BEFORE = "role IN ('viewer', 'contributor', 'lead', 'admin')"
_ROLES_NOW = "role IN ('viewer', 'contributor', 'lead', 'executive', 'admin')"


def upgrade() -> None:
    op.create_table(
        "self_assessment_draft",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("based_on", sa.Integer(), nullable=True),
        sa.Column("hide_suggestions", sa.Boolean(), nullable=False),
        sa.Column("revealed", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("self_assessment_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("created_by", sa.String(length=500), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'submitted', 'returned', 'signed')", name="ck_draft_status"),
        sa.ForeignKeyConstraint(["org"], ["organisation.code"], name="fk_self_assessment_draft_org"),
        sa.ForeignKeyConstraint(
            ["self_assessment_id"], ["self_assessment.id"], name="fk_self_assessment_draft_self_assessment_id"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_self_assessment_draft"),
        sa.UniqueConstraint("org", "version", name="uq_self_assessment_draft_org_version"),
    )
    op.create_index("ix_self_assessment_draft_org", "self_assessment_draft", ["org"])
    op.create_table(
        "self_assessment_draft_row",
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("sub_requirement", sa.String(length=3), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("current_position", sa.Text(), nullable=False),
        sa.Column("planned_action", sa.Text(), nullable=False),
        sa.Column("what_good_looks_like", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=320), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("changed_at", _UTC, nullable=True),
        sa.Column("changed_by", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["self_assessment_draft.id"], name="fk_self_assessment_draft_row_draft_id"
        ),
        sa.PrimaryKeyConstraint("draft_id", "sub_requirement", name="pk_self_assessment_draft_row"),
    )
    op.create_table(
        "self_assessment_review",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("draft_id", sa.Integer(), nullable=False),
        sa.Column("org", sa.String(length=12), nullable=False),
        sa.Column("step", sa.String(length=20), nullable=False),
        sa.Column("by", sa.String(length=500), nullable=False),
        sa.Column("by_name", sa.String(length=200), nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("self_assessment_id", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("assessment_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "step IN ('created', 'revealed', 'submitted', 'returned', 'signed')", name="ck_review_step"
        ),
        sa.ForeignKeyConstraint(
            ["draft_id"], ["self_assessment_draft.id"], name="fk_self_assessment_review_draft_id"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_self_assessment_review"),
    )
    op.create_index("ix_self_assessment_review_draft", "self_assessment_review", ["draft_id"])
    # A role that signs off the board's self-assessment: above a governance lead, below an administrator.
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint("ck_app_user_role", type_="check")
        batch.create_check_constraint("ck_app_user_role", _ROLES_NOW)


def downgrade() -> None:
    with op.batch_alter_table("app_user") as batch:
        batch.drop_constraint("ck_app_user_role", type_="check")
        batch.create_check_constraint("ck_app_user_role", _ROLES_BEFORE)
    op.drop_index("ix_self_assessment_review_draft", table_name="self_assessment_review")
    op.drop_table("self_assessment_review")
    op.drop_table("self_assessment_draft_row")
    op.drop_index("ix_self_assessment_draft_org", table_name="self_assessment_draft")
    op.drop_table("self_assessment_draft")
