"""Workflow: attachments (described and audited; bytes content-addressed), actions and evidence owners.

Actions and evidence owners are append-only versions, each written with its own audit event; existing
evidence rows and their hashes are untouched.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("location", sa.String(length=10), nullable=False),
        sa.Column("stored_at", _UTC, nullable=False),
        sa.Column("stored_by", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_attachment"),
    )
    op.create_table(
        "attachment_blob",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_attachment_blob"),
    )
    op.create_table(
        "action",
        sa.Column("row", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("org", sa.String(length=12), nullable=False),
        sa.Column("sub_requirement", sa.String(length=3), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("owner", sa.String(length=320), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("changed_at", _UTC, nullable=False),
        sa.Column("changed_by", sa.String(length=500), nullable=False),
        sa.CheckConstraint("status IN ('open', 'in progress', 'done')", name="ck_action_status"),
        sa.ForeignKeyConstraint(["org"], ["organisation.code"], name="fk_action_org"),
        sa.PrimaryKeyConstraint("row", name="pk_action"),
        sa.UniqueConstraint("action_id", "version", name="uq_action_id_version"),
    )
    op.create_index("ix_action_org", "action", ["org"])
    op.create_table(
        "evidence_owner",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evidence_id", sa.String(length=128), nullable=False),
        sa.Column("owner", sa.String(length=320), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("set_at", _UTC, nullable=False),
        sa.Column("set_by", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_owner"),
    )
    op.create_index("ix_evidence_owner_evidence_id", "evidence_owner", ["evidence_id"])


def downgrade() -> None:
    op.drop_index("ix_evidence_owner_evidence_id", table_name="evidence_owner")
    op.drop_table("evidence_owner")
    op.drop_index("ix_action_org", table_name="action")
    op.drop_table("action")
    op.drop_table("attachment_blob")
    op.drop_table("attachment")
