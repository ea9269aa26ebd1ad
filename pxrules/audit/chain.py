"""The audit chain: each store write appends an event naming the rows it added, their hash, the event before.

Writers call `lock_chain` before reading what they are about to change, then `append_event` after flushing
their rows, inside the same transaction: a rolled-back write leaves no event, and two processes never append
at once (SQLite: the write lock taken by touching the head row; PostgreSQL: SELECT ... FOR UPDATE on it).

What an event hashes is fixed here, column by column (`COLUMNS`, format 1), rather than read from the models,
so adding a column later cannot silently change the hash of rows written before it.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.type_api import TypeEngine
from sqlmodel import Session

from pxrules.errors import AuditError
from pxrules.store.tables import UtcDateTime, utc_now

GENESIS_PREV = "0" * 64
HEAD_ID = 1
FORMAT = 1
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
}
# Tables whose rows events name (by primary key); child tables are hashed inside their parent row.
KEYS: dict[str, str] = {
    "organisation": "code",
    "evidence": "row",
    "evidence_withdrawal": "id",
    "assessment": "id",
    "self_assessment": "id",
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
}
EVENT_FIELDS = (
    "seq", "at", "actor", "action", "org", "subject", "refs", "details", "content_hash", "prev_hash",
)  # fmt: skip
_EVENT_TYPES = {"seq": _INT, "at": _TIME}
_EVENTS = sa.table(
    "audit_event", *(sa.column(name, _EVENT_TYPES.get(name, _TEXT)) for name in [*EVENT_FIELDS, "hash"])
)
_HEAD = sa.table("audit_head", sa.column("id", _INT), sa.column("seq", _INT), sa.column("hash", _TEXT))


def canonical(data: Any) -> str:
    """Sorted, compact JSON: the only form anything in the audit trail is hashed in."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def sha256_hex(text: str) -> str:
    """sha256 (hex) of UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def os_user() -> str:
    """Who is writing when no --by was given: $PXRULES_BY, else the OS user."""
    env = os.environ.get("PXRULES_BY")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


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


def content_hash(content: Mapping[str, Sequence[Row]]) -> str:
    """The hash an event records over the rows it covers."""
    return sha256_hex(canonical(content))


def event_hash(event: Mapping[str, Any]) -> str:
    """The hash of an event's fields (its own `hash` excluded); `at` in the ISO form `plain` gives."""
    return sha256_hex(canonical({name: plain(event[name]) for name in EVENT_FIELDS}))


@dataclass(frozen=True)
class AuditEventRecord:
    """One event as stored, with refs and details parsed."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    org: str | None
    subject: str
    refs: dict[str, list[Key]]
    details: dict[str, Any]
    content_hash: str
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, stable keys."""
        data = asdict(self)
        data["at"] = plain(self.at)
        return data


def _record(found: Any) -> AuditEventRecord:
    return AuditEventRecord(
        seq=int(found["seq"]),
        at=found["at"],
        actor=found["actor"],
        action=found["action"],
        org=found["org"],
        subject=found["subject"],
        refs=json.loads(found["refs"]),
        details=json.loads(found["details"]),
        content_hash=found["content_hash"],
        prev_hash=found["prev_hash"],
        hash=found["hash"],
    )


_HEAD_WHERE = _HEAD.c.id == HEAD_ID
_TOUCH_HEAD = sa.update(_HEAD).where(_HEAD_WHERE).values(seq=_HEAD.c.seq)
_READ_HEAD = sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD_WHERE)
_LOCK_HEAD = _READ_HEAD.with_for_update()
_INSERT_EVENT = sa.insert(_EVENTS)
_MOVE_HEAD = (
    sa.update(_HEAD).where(_HEAD_WHERE).values(seq=sa.bindparam("new_seq"), hash=sa.bindparam("new_hash"))
)
_CACHE = "pxrules.audit.head"


def _transaction(session: Session) -> object | None:
    return session.get_nested_transaction() or session.get_transaction()


def lock_chain(session: Session) -> tuple[int, str]:
    """Take the chain's write lock for this transaction (waiting for any other writer); return the head.

    Writers call this before reading what they will change, so what they read is what the chain extends.
    The head is remembered for the rest of the transaction (holding the transaction object itself, so a
    later transaction can never be mistaken for this one), as only this transaction can move it now.
    """
    cached = session.info.get(_CACHE)
    if cached is not None and cached[0] is _transaction(session):
        return int(cached[1]), str(cached[2])
    if session.get_bind().dialect.name == "sqlite":
        # Any write starts SQLite's one write transaction (busy_timeout makes a second writer wait for it).
        session.execute(_TOUCH_HEAD)
        found = session.execute(_READ_HEAD).first()
    else:
        found = session.execute(_LOCK_HEAD).first()
    if found is None:
        raise AuditError(
            "the audit chain has no head row (audit_head id 1): the store was changed outside pxrules; "
            "run `pxrules audit verify`"
        )
    session.info[_CACHE] = (_transaction(session), int(found[0]), str(found[1]))
    return int(found[0]), str(found[1])


def append_event(
    session: Session,
    *,
    action: str,
    by: str,
    subject: str,
    org: str | None = None,
    refs: Mapping[str, Iterable[Key]] | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEventRecord:
    """Append one event covering the (flushed) rows named in refs, hashed as stored; returns it."""
    seq, prev = lock_chain(session)
    stored_refs = normal_refs(refs)
    rows = {name: fetch_rows(session, name, keys) for name, keys in stored_refs.items()}
    content, missing = covered_content(stored_refs, rows)
    if missing:
        raise AuditError(f"cannot audit {action}: {', '.join(missing[:5])} not found (flush before auditing)")
    fields: dict[str, Any] = {
        "seq": seq + 1,
        "at": utc_now(),
        "actor": by[:500],
        "action": action,
        "org": org,
        "subject": subject[:300],
        "refs": canonical(stored_refs),
        "details": canonical(dict(details or {})),
        "content_hash": content_hash(content),
        "prev_hash": prev,
    }
    digest = event_hash(fields)
    session.execute(_INSERT_EVENT, {**fields, "hash": digest})
    session.execute(_MOVE_HEAD, {"new_seq": seq + 1, "new_hash": digest})
    session.info[_CACHE] = (_transaction(session), seq + 1, digest)
    return _record({**fields, "hash": digest})


def note_rulepack(session: Session, *, rules_hash: str, catalogue_version: str, by: str) -> None:
    """Record the first use of a rule pack version (by its hash) as its own event; later uses add nothing."""
    lock_chain(session)
    subject = f"rule pack {rules_hash}"
    seen = session.execute(
        sa.select(_EVENTS.c.seq)
        .where(_EVENTS.c.action == "rulepack.use", _EVENTS.c.subject == subject)
        .limit(1)
    ).first()
    if seen is None:
        append_event(
            session,
            action="rulepack.use",
            by=by,
            subject=subject,
            details={"rules_hash": rules_hash, "catalogue_version": catalogue_version},
        )


def seal_existing(session: Session, *, by: str, note: str) -> AuditEventRecord:
    """The genesis event: cover every row already in the store (rows written before auditing existed)."""
    refs = {name: fetch_keys(session, name) for name in KEYS}
    counts = {name: len(keys) for name, keys in refs.items()}
    total = sum(counts.values())
    return append_event(
        session,
        action="genesis",
        by=by,
        subject=f"audit trail begins: {total} existing row(s)",
        refs=refs,
        details={"format": FORMAT, "rows": counts, "note": note},
    )


def head(session: Session) -> tuple[int, str] | None:
    """The head row's (seq, hash) without locking, or None when it is missing."""
    found = session.execute(sa.select(_HEAD.c.seq, _HEAD.c.hash).where(_HEAD.c.id == HEAD_ID)).first()
    return None if found is None else (int(found[0]), str(found[1]))


def read_events(session: Session) -> list[dict[str, Any]]:
    """Every event as stored (refs and details as their stored text), in sequence order."""
    statement = sa.select(_EVENTS).order_by(_EVENTS.c.seq)
    return [dict(found) for found in session.execute(statement).mappings()]


def list_events(
    session: Session, *, org: str | None = None, action: str | None = None, limit: int | None = None
) -> list[AuditEventRecord]:
    """Events, oldest first (the last `limit` when given), optionally about one organisation or action."""
    statement = sa.select(_EVENTS)
    if org is not None:
        statement = statement.where(_EVENTS.c.org == org)
    if action is not None:
        statement = statement.where(_EVENTS.c.action == action)
    if limit is not None:
        statement = statement.order_by(_EVENTS.c.seq.desc()).limit(limit)
        return [_record(found) for found in reversed(session.execute(statement).mappings().all())]
    return [_record(found) for found in session.execute(statement.order_by(_EVENTS.c.seq)).mappings()]
