"""Measure cache: per (organisation, date), the measure values of the last assessment and what they rest on.

Derived data: not audited, safe to empty. Dropped again by 0005 (the cache did not pay for itself).

Revision ID: 0003
Revises: 0002
Create Date: 2025-12-05
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "measure_cache",
        sa.Column("org", sa.String(length=12), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("code_version", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org", "as_of", name="pk_measure_cache"),
    )


def downgrade() -> None:
    op.drop_table("measure_cache")
