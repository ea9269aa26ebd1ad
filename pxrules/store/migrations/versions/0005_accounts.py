"""Accounts for the web workspace: users (append-only versions), passwords, API tokens, browser sessions.

app_user, api_token and api_token_revocation are audited (pxrules/store/audit_rows.py); user_password and
web_session are not: the one is a secret, the other disposable.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_user",
        sa.Column("row", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("orgs", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("password_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=500), nullable=False),
        sa.UniqueConstraint("email", "version", name="uq_app_user_email_version"),
        sa.CheckConstraint("role IN ('viewer', 'contributor', 'lead', 'admin')", name="ck_app_user_role"),
    )
    op.create_index("ix_app_user_email", "app_user", ["email"])
    op.create_table(
        "user_password",
        sa.Column("email", sa.String(length=254), primary_key=True),
        sa.Column("password_hash", sa.String(length=500), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=500), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_api_token_email", "api_token", ["email"])
    op.create_table(
        "api_token_revocation",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("token_id", sa.Integer(), sa.ForeignKey("api_token.id"), nullable=False, unique=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_by", sa.String(length=500), nullable=False),
    )
    op.create_table(
        "web_session",
        sa.Column("id_sha256", sa.String(length=64), primary_key=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("csrf", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_web_session_email", "web_session", ["email"])


def downgrade() -> None:
    op.drop_index("ix_web_session_email", table_name="web_session")
    op.drop_table("web_session")
    op.drop_table("api_token_revocation")
    op.drop_index("ix_api_token_email", table_name="api_token")
    op.drop_table("api_token")
    op.drop_table("user_password")
    op.drop_index("ix_app_user_email", table_name="app_user")
    op.drop_table("app_user")
