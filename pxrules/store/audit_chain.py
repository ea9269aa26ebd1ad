"""The audit chain: each store write appends an event naming the rows it added, their hash, the event before.

Writers call `lock_chain` before reading what they are about to change, then `append_event(s)` after
flushing their rows, inside the same transaction: a rolled-back write leaves no event, and two processes
never append at once (SQLite: the write lock taken by touching the head row; PostgreSQL: SELECT ... FOR
UPDATE on it). What each event hashes is defined in rows.py.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.type_api import TypeEngine
from sqlmodel import Session

from pxrules.common.canonical import canonical_text, content_hash
from pxrules.common.dates import future_allowed
from pxrules.errors import AuditError
from pxrules.store.audit_rows import (
    CHILDREN,
    COLUMNS,
    KEYS,
    LABELS,
    Key,
    Row,
    covered_content,
    fetch_keys,
    fetch_rows,
    normal_refs,
    plain,
)
from pxrules.store.tables import UtcDateTime, utc_now

GENESIS_PREV = "0" * 64
HEAD_ID = 1
FORMAT = 1
_INT: TypeEngine[Any] = sa.Integer()
_TEXT: TypeEngine[Any] = sa.Text()
_TIME: TypeEngine[Any] = UtcDateTime()

EVENT_FIELDS = (
    "seq", "at", "actor", "action", "org", "subject", "refs", "details", "content_hash", "prev_hash",
)  # fmt: skip
_EVENT_TYPES = {"seq": _INT, "at": _TIME}
_EVENTS = sa.table(
    "audit_event", *(sa.column(name, _EVENT_TYPES.get(name, _TEXT)) for name in [*EVENT_FIELDS, "hash"])
)
_HEAD = sa.table("audit_head", sa.column("id", _INT), sa.column("seq", _INT), sa.column("hash", _TEXT))


def os_user() -> str:
    """Who is writing when no --by was given: $PXRULES_BY, else the OS user."""
    env = os.environ.get("PXRULES_BY")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def event_hash(event: Mapping[str, Any]) -> str:
    """The hash of an event's fields (its own `hash` excluded); `at` in the ISO form `plain` gives."""
    return content_hash({name: plain(event[name]) for name in EVENT_FIELDS})


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


@dataclass(frozen=True)
class EventSpec:
    """One event to append: what was done, by whom, about which organisation, covering which rows."""

    action: str
    by: str
    subject: str
    org: str | None = None
    refs: Mapping[str, Iterable[Key]] | None = None
    details: Mapping[str, Any] | None = None


def append_events(session: Session, specs: Sequence[EventSpec]) -> list[AuditEventRecord]:
    """Append events in order, each covering the (flushed) rows its refs name, hashed as stored.

    One lock, one read of the covered rows per table and one insert for the lot, so a batch import that
    audits each organisation's items separately costs a few statements, not a few per organisation.
    """
    if not specs:
        return []
    seq, prev = lock_chain(session)
    all_refs = [normal_refs(spec.refs) for spec in specs]
    wanted: dict[str, set[Key]] = {}
    for refs in all_refs:
        for name, keys in refs.items():
            wanted.setdefault(name, set()).update(keys)
    rows = {name: fetch_rows(session, name, keys) for name, keys in wanted.items()}
    at = utc_now()
    records: list[dict[str, Any]] = []
    for spec, refs in zip(specs, all_refs, strict=True):
        content, missing = covered_content(refs, rows)
        if missing:
            raise AuditError(f"cannot audit {spec.action}: {', '.join(missing[:5])} not found (flush first)")
        seq += 1
        fields: dict[str, Any] = {
            "seq": seq,
            "at": at,
            "actor": spec.by[:500],
            "action": spec.action,
            "org": spec.org,
            "subject": spec.subject[:300],
            "refs": canonical_text(refs),
            "details": canonical_text(dict(spec.details or {})),
            "content_hash": content_hash(content),
            "prev_hash": prev,
        }
        prev = event_hash(fields)
        records.append({**fields, "hash": prev})
    session.execute(_INSERT_EVENT, records)
    session.execute(_MOVE_HEAD, {"new_seq": seq, "new_hash": prev})
    session.info[_CACHE] = (_transaction(session), seq, prev)
    return [_record(r) for r in records]


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
    return append_events(session, [EventSpec(action, by, subject, org, refs, details)])[0]


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
    # Tables added by later migrations do not exist yet when an old store is sealed (and hold nothing then).
    present = set(sa.inspect(session.connection()).get_table_names())
    refs = {name: fetch_keys(session, name) for name in KEYS if name in present}
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


def future_event(session: Any, *, by: str, command: str, org: str | None = None) -> None:
    """Record in the audit trail that `command` ran with dates after today allowed, and why."""
    reason = future_allowed()
    if reason is None:
        return
    append_event(
        session,
        action="future.allowed",
        by=by,
        subject=f"{command}: dates after {dt.date.today().isoformat()} allowed"[:300],
        org=org,
        details={"command": command, "reason": reason[:2000], "today": dt.date.today().isoformat()},
    )


__all__ = [
    "CHILDREN",
    "COLUMNS",
    "GENESIS_PREV",
    "KEYS",
    "LABELS",
    "AuditEventRecord",
    "EventSpec",
    "Key",
    "Row",
    "append_event",
    "append_events",
    "covered_content",
    "event_hash",
    "fetch_rows",
    "future_event",
    "head",
    "list_events",
    "lock_chain",
    "note_rulepack",
    "plain",
    "read_events",
    "seal_existing",
]
