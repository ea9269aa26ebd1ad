"""Audit trail: the hash-chained audit events, their head row, and evidence withdrawals.

Rows written before this revision are sealed by a genesis event covering every one of them, so
`pxrules audit verify` accounts for each row of an upgraded store.

Revision ID: 0002
Revises: 0001
Create Date: 2025-12-03
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.types import TypeDecorator

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
    op.bulk_insert(head, [{"id": _HEAD_ID, "seq": 0, "hash": _GENESIS_PREV}])
    if context.is_offline_mode():
        return  # `alembic upgrade --sql` cannot read the rows to seal; `pxrules audit verify` will name them
    by = context.config.attributes.get("pxrules_by") or _os_user()
    _seal_existing(op.get_bind(), by=by, note="schema upgraded to revision 0002 (audit trail)")


def downgrade() -> None:
    op.drop_table("audit_head")
    op.drop_index("ix_audit_event_action_subject", table_name="audit_event")
    op.drop_index("ix_audit_event_org", table_name="audit_event")
    op.drop_table("audit_event")
    op.drop_index("ix_evidence_withdrawal_evidence_id", table_name="evidence_withdrawal")
    op.drop_table("evidence_withdrawal")


# ---- the genesis event, frozen -------------------------------------------------------------------------
# A copy of what pxrules.store.audit_chain.seal_existing did at this revision (audit format 1), so that a
# change to the live audit code can never change what this migration writes. Keep it as it is: a store
# sealed by it must verify with `pxrules audit verify` for ever.

_GENESIS_PREV = "0" * 64
_HEAD_ID = 1
_FORMAT = 1
_EVENT_FIELDS = ("seq", "at", "actor", "action", "org", "subject", "refs", "details", "content_hash", "prev_hash")


class _UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC wall time (SQLite) or with its zone, read back timezone-aware."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        value = (value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any | None, dialect: Dialect) -> dt.datetime | None:
        if not isinstance(value, dt.datetime):
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


_TYPES: dict[str, Any] = {"": sa.Text(), "int": sa.Integer(), "bool": sa.Boolean(), "date": sa.Date(),
                          "time": _UtcDateTime()}
_COLUMNS = {
    "organisation": "code name type created_at:time created_by",
    "evidence": "row:int evidence_id version:int org kind period_start:date period_end:date content_hash payload "
                "recorded_by recorded_at:time import_file",
    "evidence_withdrawal": "id:int evidence_id version:int reason withdrawn_by withdrawn_at:time",
    "assessment": "id:int org as_of:date rules_hash catalogue_version created_at:time created_by evidence_ids "
                  "result content_hash",
    "assessment_score": "assessment_id:int sub_requirement suggested:int capped:bool evidence_count:int",
    "self_assessment": "id:int org as_of:date imported_at:time imported_by source_file source_sha256 content_hash",
    "self_assessment_row": "self_assessment_id:int sub_requirement score:int current_position planned_action "
                           "what_good_looks_like owner review_date:date",
}
_KEYS = {"organisation": "code", "evidence": "row", "evidence_withdrawal": "id", "assessment": "id",
         "self_assessment": "id"}
_CHILDREN = {"assessment": ("assessment_score", "assessment_id", "scores"),
             "self_assessment": ("self_assessment_row", "self_assessment_id", "rows")}


def _os_user() -> str:
    env = os.environ.get("PXRULES_BY")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _table(name: str) -> tuple[sa.TableClause, list[str]]:
    parsed = [(c, kind) for c, _, kind in (spec.partition(":") for spec in _COLUMNS[name].split())]
    return sa.table(name, *(sa.column(c, _TYPES[kind]) for c, kind in parsed)), [c for c, _ in parsed]


def _rows(connection: Connection, name: str) -> dict[Any, dict[str, Any]]:
    """Every row of a table as the audit trail hashes it, children nested under their parent."""
    table, columns = _table(name)
    out = {found[_KEYS[name]]: {c: _plain(found[c]) for c in columns}
           for found in connection.execute(sa.select(table)).mappings()}
    if name in _CHILDREN:
        child_name, parent_column, label = _CHILDREN[name]
        for row in out.values():
            row[label] = []
        child, child_columns = _table(child_name)
        for found in connection.execute(sa.select(child)).mappings():
            parent = out.get(found[parent_column])
            if parent is not None:
                parent[label].append({c: _plain(found[c]) for c in child_columns})
        for row in out.values():
            row[label].sort(key=lambda r: str(r["sub_requirement"]))
    return out


def _seal_existing(connection: Connection, *, by: str, note: str) -> None:
    """The genesis event: one event covering every row already in the store."""
    rows = {name: _rows(connection, name) for name in _KEYS}
    counts = {name: len(found) for name, found in rows.items()}
    refs = {name: sorted(found, key=lambda k: (str(type(k)), k)) for name, found in rows.items() if found}
    content = {name: [rows[name][key] for key in keys] for name, keys in sorted(refs.items())}
    fields: dict[str, Any] = {
        "seq": 1,
        "at": dt.datetime.now(dt.UTC),
        "actor": by[:500],
        "action": "genesis",
        "org": None,
        "subject": f"audit trail begins: {sum(counts.values())} existing row(s)",
        "refs": _canonical(dict(sorted(refs.items()))),
        "details": _canonical({"format": _FORMAT, "rows": counts, "note": note}),
        "content_hash": _sha256(_canonical(content)),
        "prev_hash": _GENESIS_PREV,
    }
    digest = _sha256(_canonical({name: _plain(fields[name]) for name in _EVENT_FIELDS}))
    events = sa.table("audit_event", *(sa.column(name, _UtcDateTime() if name == "at" else None)
                                       for name in (*_EVENT_FIELDS, "hash")))
    connection.execute(sa.insert(events), [{**fields, "hash": digest}])
    head = sa.table("audit_head", sa.column("id"), sa.column("seq"), sa.column("hash"))
    connection.execute(sa.update(head).where(head.c.id == _HEAD_ID).values(seq=1, hash=digest))
