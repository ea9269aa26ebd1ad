"""The store's tables as SQLModel classes; Alembic migrations create them, these classes only describe them.

JSON is stored as Text so SQLite and PostgreSQL behave alike; timestamps are timezone-aware UTC.
Evidence rows are append-only: a correction is a new version row, never an update.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, Dialect, Index, Text, UniqueConstraint
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

ORG_TYPES: tuple[str, ...] = ("acute", "community", "mental-health", "ambulance", "other")
ACTION_STATUSES: tuple[str, ...] = ("open", "in progress", "done")


def utc_now() -> dt.datetime:
    """Now, timezone-aware in UTC (the only clock the store uses)."""
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always read back timezone-aware (SQLite keeps no zone of its own).

    Naive datetimes given to the store are taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        # SQLite's DATETIME text has no offset: store the UTC wall time.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Organisation(SQLModel, table=True):
    """An NHS organisation (by ODS code) that evidence and assessments are about."""

    __tablename__ = "organisation"
    __table_args__ = (
        CheckConstraint(
            "type IN ('acute', 'community', 'mental-health', 'ambulance', 'other')",
            name="ck_organisation_type",
        ),
    )

    code: str = Field(primary_key=True, max_length=12)
    name: str = Field(max_length=200)
    type: str = Field(max_length=20)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=500)


class EvidenceRow(SQLModel, table=True):
    """One version of one evidence item: the validated payload plus the columns we filter on."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint("evidence_id", "version", name="uq_evidence_id_version"),
        Index("ix_evidence_org_kind", "org", "kind"),
        Index("ix_evidence_kind_period_end", "kind", "period_end"),
    )

    row: int | None = Field(default=None, primary_key=True)
    evidence_id: str = Field(max_length=128)
    version: int
    org: str | None = Field(default=None, max_length=12, foreign_key="organisation.code")
    kind: str = Field(max_length=40)
    period_start: dt.date
    period_end: dt.date
    content_hash: str = Field(max_length=64)
    payload: str = Field(sa_type=Text)
    recorded_by: str = Field(max_length=500)
    recorded_at: dt.datetime = Field(sa_type=UtcDateTime)
    import_file: str | None = Field(default=None, max_length=255)


class Assessment(SQLModel, table=True):
    """One run of the rules for one organisation as of a date, with the full result as JSON."""

    __tablename__ = "assessment"

    id: int | None = Field(default=None, primary_key=True)
    org: str = Field(max_length=12, foreign_key="organisation.code", index=True)
    as_of: dt.date
    rules_hash: str = Field(max_length=64)
    catalogue_version: str = Field(max_length=100)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=500)
    evidence_ids: str = Field(sa_type=Text)
    result: str = Field(sa_type=Text)
    content_hash: str = Field(max_length=64)


class AssessmentScore(SQLModel, table=True):
    """The suggested score of one sub-requirement in one assessment (queried for trends and comparisons)."""

    __tablename__ = "assessment_score"

    assessment_id: int = Field(foreign_key="assessment.id", primary_key=True)
    sub_requirement: str = Field(max_length=3, primary_key=True)
    suggested: int
    capped: bool = False
    evidence_count: int = 0


class SelfAssessment(SQLModel, table=True):
    """One imported self-assessment workbook: who scored what, from which file (by its sha256)."""

    __tablename__ = "self_assessment"

    id: int | None = Field(default=None, primary_key=True)
    org: str = Field(max_length=12, foreign_key="organisation.code", index=True)
    as_of: dt.date
    imported_at: dt.datetime = Field(sa_type=UtcDateTime)
    imported_by: str = Field(max_length=500)
    source_file: str = Field(max_length=255)
    source_sha256: str = Field(max_length=64)
    content_hash: str = Field(max_length=64)


class SelfAssessmentRow(SQLModel, table=True):
    """One sub-requirement of a self-assessment: the trust's own score and plan."""

    __tablename__ = "self_assessment_row"

    self_assessment_id: int = Field(foreign_key="self_assessment.id", primary_key=True)
    sub_requirement: str = Field(max_length=3, primary_key=True)
    score: int | None = None
    current_position: str = Field(default="", sa_type=Text)
    planned_action: str = Field(default="", sa_type=Text)
    what_good_looks_like: str = Field(default="", sa_type=Text)
    owner: str = Field(default="", sa_type=Text)
    review_date: dt.date | None = None


class EvidenceWithdrawal(SQLModel, table=True):
    """A withdrawal of an evidence item up to a version: the rows stay, assessments stop loading them."""

    __tablename__ = "evidence_withdrawal"

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: str = Field(max_length=128, index=True)
    # The latest version when withdrawn; a later correction (a new version) brings the item back.
    version: int
    reason: str = Field(sa_type=Text)
    withdrawn_by: str = Field(max_length=500)
    withdrawn_at: dt.datetime = Field(sa_type=UtcDateTime)


class Attachment(SQLModel, table=True):
    """An attached file's description; its bytes are in attachment_blob or the attachments folder, by sha256."""

    __tablename__ = "attachment"

    sha256: str = Field(primary_key=True, max_length=64)
    file_name: str = Field(max_length=255)
    media_type: str = Field(max_length=100)
    size: int
    location: str = Field(max_length=10)  # database | folder
    stored_at: dt.datetime = Field(sa_type=UtcDateTime)
    stored_by: str = Field(max_length=500)


class ActionRow(SQLModel, table=True):
    """One version of a planned action: owner, due date and status; a change is a new version, never an edit."""

    __tablename__ = "action"
    __table_args__ = (
        UniqueConstraint("action_id", "version", name="uq_action_id_version"),
        CheckConstraint("status IN ('open', 'in progress', 'done')", name="ck_action_status"),
        Index("ix_action_org", "org"),
    )

    row: int | None = Field(default=None, primary_key=True)
    action_id: int
    version: int
    org: str = Field(max_length=12, foreign_key="organisation.code")
    sub_requirement: str = Field(max_length=3)
    title: str = Field(sa_type=Text)
    owner: str = Field(default="", max_length=320)
    due_date: dt.date | None = None
    status: str = Field(max_length=20)
    note: str = Field(default="", sa_type=Text)
    changed_at: dt.datetime = Field(sa_type=UtcDateTime)
    changed_by: str = Field(max_length=500)


class EvidenceOwner(SQLModel, table=True):
    """Who looks after an evidence item and when it is next reviewed (the latest row per item counts)."""

    __tablename__ = "evidence_owner"

    id: int | None = Field(default=None, primary_key=True)
    evidence_id: str = Field(max_length=128, index=True)
    owner: str = Field(default="", max_length=320)
    review_date: dt.date | None = None
    set_at: dt.datetime = Field(sa_type=UtcDateTime)
    set_by: str = Field(max_length=500)


class AuditEvent(SQLModel, table=True):
    """One link of the audit chain: who wrote what and when, the rows it added and their hash."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_action_subject", "action", "subject"),)

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    at: dt.datetime = Field(sa_type=UtcDateTime)
    actor: str = Field(max_length=500)
    action: str = Field(max_length=40)
    org: str | None = Field(default=None, max_length=12, index=True)
    subject: str = Field(max_length=300)
    refs: str = Field(sa_type=Text)
    details: str = Field(sa_type=Text)
    content_hash: str = Field(max_length=64)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The chain's one head row (id 1): the last event's seq and hash; writers lock it to append in turn."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int
    hash: str = Field(max_length=64)


class AppUser(SQLModel, table=True):
    """One version of one account (append-only, audited): a change of role, scope or state is a new row."""

    __tablename__ = "app_user"
    __table_args__ = (
        UniqueConstraint("email", "version", name="uq_app_user_email_version"),
        CheckConstraint("role IN ('viewer', 'contributor', 'lead', 'executive', 'admin')", name="ck_app_user_role"),
    )

    row: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    version: int
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)
    # JSON list of ODS codes, or ["*"] for every organisation.
    orgs: str = Field(sa_type=Text)
    disabled: bool = False
    # Counts password changes, so a reset is a new audited version without the secret in the audit trail.
    password_version: int
    changed_at: dt.datetime = Field(sa_type=UtcDateTime)
    changed_by: str = Field(max_length=500)


class UserPassword(SQLModel, table=True):
    """The current argon2 hash of an account's password: a secret, so kept out of the audited rows."""

    __tablename__ = "user_password"

    email: str = Field(primary_key=True, max_length=254)
    password_hash: str = Field(max_length=500)
    changed_at: dt.datetime = Field(sa_type=UtcDateTime)


class ApiToken(SQLModel, table=True):
    """An API token for scripts (audited): only its sha256 is kept; revocation is a row of its own."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    label: str = Field(max_length=200)
    token_sha256: str = Field(max_length=64, unique=True)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    created_by: str = Field(max_length=500)
    expires_at: dt.datetime | None = Field(default=None, sa_type=UtcDateTime)


class ApiTokenRevocation(SQLModel, table=True):
    """The revocation of one API token (audited)."""

    __tablename__ = "api_token_revocation"

    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(foreign_key="api_token.id", unique=True)
    revoked_at: dt.datetime = Field(sa_type=UtcDateTime)
    revoked_by: str = Field(max_length=500)


class WebSession(SQLModel, table=True):
    """A signed-in browser (not audited; safe to empty, which signs everyone out): the cookie's sha256."""

    __tablename__ = "web_session"

    id_sha256: str = Field(primary_key=True, max_length=64)
    email: str = Field(max_length=254, index=True)
    csrf: str = Field(max_length=64)
    created_at: dt.datetime = Field(sa_type=UtcDateTime)
    expires_at: dt.datetime = Field(sa_type=UtcDateTime)
    last_seen_at: dt.datetime = Field(sa_type=UtcDateTime)


TABLES: tuple[type[SQLModel], ...] = (
    Organisation,
    EvidenceRow,
    Assessment,
    AssessmentScore,
    SelfAssessment,
    SelfAssessmentRow,
    EvidenceWithdrawal,
    Attachment,
    ActionRow,
    EvidenceOwner,
    AuditEvent,
    AuditHead,
    AppUser,
    UserPassword,
    ApiToken,
    ApiTokenRevocation,
    WebSession,
)


# The workspace's self-assessment drafts and review trail live in their own module; importing the tables
# always registers them too (the migrations' autogenerate check and `init` see one complete schema).
import pxrules.store.review_tables  # noqa: E402, F401
