"""Audit trail: the hash-chained audit events, their head row, and evidence withdrawals.

Rows written before this revision are sealed by a genesis event covering every one of them, so
`pxrules audit verify` accounts for each row of an upgraded store.

Revision ID: 0002
Revises: 0001
Create Date: 2025-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from sqlmodel import Session

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "evidence_withdrawal",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("evidence_id", sa.String(length=128), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("withdrawn_by", sa.String(length=500), nullable=False),
        sa.Column("withdrawn_at", _UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_withdrawal"),
    )
    op.create_index("ix_evidence_withdrawal_evidence_id", "evidence_withdrawal", ["evidence_id"])
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", _UTC, nullable=False),
        sa.Column("actor", sa.String(length=500), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("org", sa.String(length=12), nullable=True),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("refs", sa.Text(), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_event"),
    )
    op.create_index("ix_audit_event_org", "audit_event", ["org"])
    op.create_index("ix_audit_event_action_subject", "audit_event", ["action", "subject"])
    head = op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_head"),
    )
    from pxrules.store.audit_chain import GENESIS_PREV, HEAD_ID, os_user, seal_existing

    op.bulk_insert(head, [{"id": HEAD_ID, "seq": 0, "hash": GENESIS_PREV}])
    if context.is_offline_mode():
        return  # `alembic upgrade --sql` cannot read the rows to seal; `pxrules audit verify` will name them
    by = context.config.attributes.get("pxrules_by") or os_user()
    with Session(bind=op.get_bind()) as session:
        seal_existing(session, by=by, note="schema upgraded to revision 0002 (audit trail)")
        session.flush()


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_index("ix_audit_event_action_subject", table_name="audit_event")
    op.drop_index("ix_audit_event_org", table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_index("ix_evidence_withdrawal_evidence_id", table_name="evidence_withdrawal")
    op.drop_table("evidence_withdrawal")
