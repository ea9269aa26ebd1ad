"""Drop the measure cache: re-assessing with it saved about a fifth of an in-process re-assessment and
nothing a user could notice on a whole command, and a row edited in the store could change a stored score.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_table("measure_cache")


def downgrade() -> None:
    # An empty cache, as 0003 made it: it only ever held derived data.
    op.create_table(
        "measure_cache",
        sa.Column("org", sa.String(length=12), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("code_version", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org", "as_of", name="pk_measure_cache"),
    )
