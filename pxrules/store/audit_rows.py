"""What the audit trail hashes: the audited columns of each table, read back as stored, in canonical JSON.

The columns are fixed here, column by column (`COLUMNS`, format 1), rather than read from the models, so
adding a column later cannot silently change the hash of rows written before it. Child rows (assessment
scores, self-assessment rows) are hashed inside their parent's row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.type_api import TypeEngine
from sqlmodel import Session

from pxrules.errors import AuditError
from pxrules.store.tables import UtcDateTime

_CHUNK = 500  # keys per IN (...): well under SQLite's bound-parameter limit

Key = int | str
Row = dict[str, Any]

_TEXT: TypeEngine[Any] = sa.Text()
_INT: TypeEngine[Any] = sa.Integer()
_BOOL: TypeEngine[Any] = sa.Boolean()
_DATE: TypeEngine[Any] = sa.Date()
_TIME: TypeEngine[Any] = UtcDateTime()


def _columns(spec: str) -> tuple[tuple[str, TypeEngine[Any]], ...]:
    # "name" is text; "name:int" / ":bool" / ":date" / ":time" (a UTC timestamp) give the other types.
    types = {"": _TEXT, "int": _INT, "bool": _BOOL, "date": _DATE, "time": _TIME}
    return tuple((name, types[kind]) for name, _, kind in (c.partition(":") for c in spec.split()))


# The columns an event's content hash covers, per table (a test keeps them equal to the models' columns).
COLUMNS: dict[str, tuple[tuple[str, TypeEngine[Any]], ...]] = {
    "organisation": _columns("code name type created_at:time created_by"),
    "evidence": _columns(
        "row:int evidence_id version:int org kind period_start:date period_end:date content_hash payload "
        "recorded_by recorded_at:time import_file"
    ),
    "evidence_withdrawal": _columns("id:int evidence_id version:int reason withdrawn_by withdrawn_at:time"),
    "assessment": _columns(
        "id:int org as_of:date rules_hash catalogue_version created_at:time created_by evidence_ids result "
        "content_hash"
    ),
    "assessment_score": _columns(
        "assessment_id:int sub_requirement suggested:int capped:bool evidence_count:int"
    ),
    "self_assessment": _columns(
        "id:int org as_of:date imported_at:time imported_by source_file source_sha256 content_hash"
    ),
    "self_assessment_row": _columns(
        "self_assessment_id:int sub_requirement score:int current_position planned_action "
        "what_good_looks_like owner review_date:date"
    ),
    "app_user": _columns(
        "row:int email version:int name role orgs disabled:bool password_version:int changed_at:time changed_by"
    ),
    "api_token": _columns("id:int email label token_sha256 created_at:time created_by expires_at:time"),
    "api_token_revocation": _columns("id:int token_id:int revoked_at:time revoked_by"),
    "attachment": _columns("sha256 file_name media_type size:int location stored_at:time stored_by"),
    "action": _columns(
        "row:int action_id:int version:int org sub_requirement title owner due_date:date status note "
        "changed_at:time changed_by"
    ),
    "evidence_owner": _columns("id:int evidence_id owner review_date:date set_at:time set_by"),
    "self_assessment_review": _columns(
        "id:int draft_id:int org step by by_name at:time comment self_assessment_id:int content_hash "
        "assessment_id:int"
    ),
}
# Tables whose rows events name (by primary key); child tables are hashed inside their parent row.
KEYS: dict[str, str] = {
    "organisation": "code",
    "evidence": "row",
    "evidence_withdrawal": "id",
    "assessment": "id",
    "self_assessment": "id",
    "app_user": "row",
    "api_token": "id",
    "api_token_revocation": "id",
    "attachment": "sha256",
    "action": "row",
    "evidence_owner": "id",
    "self_assessment_review": "id",
}
CHILDREN: dict[str, tuple[str, str, str]] = {
    "assessment": ("assessment_score", "assessment_id", "scores"),
    "self_assessment": ("self_assessment_row", "self_assessment_id", "rows"),
}
LABELS = {
    "organisation": "organisation",
    "evidence": "evidence row",
    "evidence_withdrawal": "withdrawal",
    "assessment": "assessment",
    "self_assessment": "self-assessment",
    "app_user": "account version",
    "api_token": "API token",
    "api_token_revocation": "API token revocation",
    "attachment": "attachment",
    "action": "action row",
    "evidence_owner": "evidence owner row",
    "self_assessment_review": "self-assessment review step",
}


def plain(value: Any) -> Any:
    """A column value as JSON data: timestamps in UTC ISO form, dates ISO, the rest as read."""
    if isinstance(value, dt.datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@cache
def core_table(name: str) -> sa.TableClause:
    """A lightweight table of exactly the audited columns (types convert values alike on every back end)."""
    return sa.table(name, *(sa.column(column, type_) for column, type_ in COLUMNS[name]))


@cache
def _select(name: str, by: str | None) -> sa.Select[Any]:
    # Built once: constructing statements costs more than running them when thousands of events are appended.
    table = core_table(name)
    statement = sa.select(table)
    if by is not None:
        statement = statement.where(table.c[by].in_(sa.bindparam("keys", expanding=True)))
    return statement


def _child_key(row: Row) -> str:
    return str(row["sub_requirement"])


def _chunks(keys: Sequence[Key]) -> Iterator[Sequence[Key]]:
    for start in range(0, len(keys), _CHUNK):
        yield keys[start : start + _CHUNK]


def _run(session: Session, name: str, by: str, keys: Sequence[Key] | None) -> Iterator[Any]:
    if keys is None:
        yield from session.execute(_select(name, None)).mappings()
        return
    for chunk in _chunks(keys):
        yield from session.execute(_select(name, by), {"keys": list(chunk)}).mappings()


def fetch_rows(
    session: Session, name: str, keys: Iterable[Key] | None = None, *, orphans: list[str] | None = None
) -> dict[Key, Row]:
    """Rows of a covered table by key (all rows when keys is None), children nested under their parent.

    With keys=None, child rows whose parent is missing are described in `orphans`.
    """
    key = KEYS[name]
    wanted = None if keys is None else sorted(set(keys), key=str)
    columns = [column for column, _ in COLUMNS[name]]
    out: dict[Key, Row] = {}
    for found in _run(session, name, key, wanted):
        out[found[key]] = {column: plain(found[column]) for column in columns}
    child = CHILDREN.get(name)
    if child is None:
        return out
    child_name, parent_column, label = child
    for row in out.values():
        row[label] = []
    child_columns = [column for column, _ in COLUMNS[child_name]]
    parents = None if wanted is None else sorted(out, key=str)
    for found in _run(session, child_name, parent_column, parents):
        parent = out.get(found[parent_column])
        if parent is None:
            if orphans is not None:
                orphans.append(
                    f"{child_name} row ({found[parent_column]}, {found['sub_requirement']}) "
                    f"belongs to {LABELS[name]} {found[parent_column]}, which does not exist"
                )
            continue
        parent[label].append({column: plain(found[column]) for column in child_columns})
    for row in out.values():
        row[label].sort(key=_child_key)
    return out


def fetch_keys(session: Session, name: str) -> list[Key]:
    """Every primary key of a covered table."""
    table = core_table(name)
    return sorted(session.execute(sa.select(table.c[KEYS[name]])).scalars(), key=str)


def normal_refs(refs: Mapping[str, Iterable[Key]] | None) -> dict[str, list[Key]]:
    """Refs as stored: known tables only, keys unique and sorted, empty tables left out."""
    out: dict[str, list[Key]] = {}
    for name, keys in (refs or {}).items():
        if name not in KEYS:
            raise AuditError(f"cannot audit rows of table {name!r} (known: {', '.join(KEYS)})")
        unique = sorted(set(keys), key=lambda k: (str(type(k)), k))
        if unique:
            out[name] = unique
    return dict(sorted(out.items()))


def covered_content(
    refs: Mapping[str, Sequence[Key]], rows: Mapping[str, Mapping[Key, Row]]
) -> tuple[dict[str, list[Row]], list[str]]:
    """The rows an event covers, in its refs' order, and a description of each one that is missing."""
    content: dict[str, list[Row]] = {}
    missing: list[str] = []
    for name in sorted(refs):
        held = rows.get(name, {})
        items: list[Row] = []
        for key in refs[name]:
            row = held.get(key)
            if row is None:
                missing.append(f"{LABELS.get(name, name)} {key}")
            else:
                items.append(row)
        content[name] = items
    return content, missing
