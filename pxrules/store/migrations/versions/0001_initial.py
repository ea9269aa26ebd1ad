"""Initial schema: organisations, the append-only evidence register, assessments and self-assessments.

Revision ID: 0001
Revises:
Create Date: 2025-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "organisation",
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("type", sa.String(length=20), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("created_by", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_organisation"),
        sa.CheckConstraint(
            "type IN ('acute', 'community', 'mental-health', 'ambulance', 'other')",
            name="ck_organisation_type",
        ),
    )
    op.create_table(
        "evidence",
        sa.Column("row", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evidence_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("org", sa.String(length=12), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", _UTC, nullable=False),
        sa.Column("import_file", sa.String(length=255), nullable=True),
        sa.PrimaryKeyConstraint("row", name="pk_evidence"),
        sa.ForeignKeyConstraint(["org"], ["organisation.code"], name="fk_evidence_org_organisation"),
        sa.UniqueConstraint("evidence_id", "version", name="uq_evidence_id_version"),
    )
    op.create_index("ix_evidence_org_kind", "evidence", ["org", "kind"])
    op.create_index("ix_evidence_kind_period_end", "evidence", ["kind", "period_end"])

    op.create_table(
        "assessment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org", sa.String(length=12), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rules_hash", sa.String(length=64), nullable=False),
        sa.Column("catalogue_version", sa.String(length=100), nullable=False),
        sa.Column("created_at", _UTC, nullable=False),
        sa.Column("created_by", sa.String(length=500), nullable=False),
        sa.Column("evidence_ids", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_assessment"),
        sa.ForeignKeyConstraint(["org"], ["organisation.code"], name="fk_assessment_org_organisation"),
    )
    op.create_index("ix_assessment_org", "assessment", ["org"])
    op.create_table(
        "assessment_score",
        sa.Column("assessment_id", sa.Integer(), nullable=False),
        sa.Column("sub_requirement", sa.String(length=3), nullable=False),
        sa.Column("suggested", sa.Integer(), nullable=False),
        sa.Column("capped", sa.Boolean(), nullable=False),
        sa.Column("evidence_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id", "sub_requirement", name="pk_assessment_score"),
        sa.ForeignKeyConstraint(["assessment_id"], ["assessment.id"], name="fk_assessment_score_assessment"),
    )

    op.create_table(
        "self_assessment",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("org", sa.String(length=12), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("imported_at", _UTC, nullable=False),
        sa.Column("imported_by", sa.String(length=500), nullable=False),
        sa.Column("source_file", sa.String(length=255), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_self_assessment"),
        sa.ForeignKeyConstraint(["org"], ["organisation.code"], name="fk_self_assessment_org_organisation"),
    )
    op.create_index("ix_self_assessment_org", "self_assessment", ["org"])
    op.create_table(
        "self_assessment_row",
        sa.Column("self_assessment_id", sa.Integer(), nullable=False),
        sa.Column("sub_requirement", sa.String(length=3), nullable=False),
        sa.Column("score", sa.Integer(), nullable=True),
        sa.Column("current_position", sa.Text(), nullable=False),
        sa.Column("planned_action", sa.Text(), nullable=False),
        sa.Column("what_good_looks_like", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("self_assessment_id", "sub_requirement", name="pk_self_assessment_row"),
        sa.ForeignKeyConstraint(
            ["self_assessment_id"], ["self_assessment.id"], name="fk_self_assessment_row_self_assessment"
        ),
    )


def downgrade() -> None:
    op.drop_table("self_assessment_row")
    op.drop_index("ix_self_assessment_org", table_name="self_assessment")
    op.drop_table("self_assessment")
    op.drop_table("assessment_score")
    op.drop_index("ix_assessment_org", table_name="assessment")
    op.drop_table("assessment")
    op.drop_index("ix_evidence_kind_period_end", table_name="evidence")
    op.drop_index("ix_evidence_org_kind", table_name="evidence")
    op.drop_table("evidence")
    op.drop_table("organisation")
