"""Read the store for verification without trusting a single value, and check every value's type.

Verification exists for stores someone has edited, so nothing read may crash it: a date column set to
"garbage", a BLOB where a score was, a NULL prev_hash or a NaN must each become a problem naming the event
they break. Rows are read with untyped columns and each value is converted on its own (by the same
processors SQLAlchemy's typed read would use); a value that does not convert or is of the wrong type is
kept as an `Unreadable` marker, which no hash can match.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.type_api import TypeEngine

from pxrules.store.audit_chain import EVENT_FIELDS, HEAD_ID
from pxrules.store.audit_rows import CHILDREN, COLUMNS, KEYS, LABELS, Key, Row, plain
from pxrules.store.tables import UtcDateTime

_TEXT: TypeEngine[Any] = sa.Text()
_INT: TypeEngine[Any] = sa.Integer()
_TIME: TypeEngine[Any] = UtcDateTime()
EVENT_TYPES: dict[str, TypeEngine[Any]] = dict.fromkeys([*EVENT_FIELDS, "hash"], _TEXT) | {
    "seq": _INT,
    "at": _TIME,
}
NULLABLE_EVENT = frozenset({"org"})


@dataclass(frozen=True)
class Unreadable:
    """A stored value that is not what its column holds; shown in problems, never equal to anything."""

    value: str

    def __str__(self) -> str:
        return f"<unreadable {self.value}>"


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _kind(type_: TypeEngine[Any]) -> str:
    if isinstance(type_, UtcDateTime):
        return "time"
    return {sa.Integer: "int", sa.Boolean: "bool", sa.Date: "date"}.get(type(type_), "text")


def check_value(value: Any, kind: str) -> str | None:
    """Why a plain (JSON-ready) value cannot be in a column of this kind, or None when it can."""
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return f"{_shown(value)} is not a number"
    if kind == "int":
        return None if type(value) is int else f"{_shown(value)} is not a whole number"
    if kind == "bool":
        return None if type(value) is bool or value in (0, 1) else f"{_shown(value)} is not true/false"
    if not isinstance(value, str):
        return f"{_shown(value)} is not text"
    try:
        if kind == "date":
            dt.date.fromisoformat(value)
        elif kind == "time":
            dt.datetime.fromisoformat(value)
    except ValueError:
        return f"{_shown(value)} is not a {'date' if kind == 'date' else 'timestamp'}"
    return None


def _converter(type_: TypeEngine[Any], dialect: Any) -> Callable[[Any], Any]:
    # The dialect's own implementation (SQLite keeps dates as text and parses them in its processor).
    process = type_.dialect_impl(dialect).result_processor(dialect, None)
    kind = _kind(type_)

    def convert(value: Any) -> Any:
        if value is None:
            return None
        if kind in ("int", "bool") and not isinstance(value, int | bool):
            return Unreadable(_shown(value))
        try:
            converted = plain(process(value) if process is not None else value)
        except (ValueError, TypeError, AttributeError, AssertionError, OverflowError) as exc:
            return Unreadable(f"{_shown(value)} ({type(exc).__name__})")
        return converted if check_value(converted, kind) is None else Unreadable(_shown(value))

    return convert


def _raw(session: Any, table: str, columns: list[str], order: str | None = None) -> list[Any]:
    statement: Any = sa.select(*(sa.column(c) for c in columns)).select_from(sa.table(table))
    if order is not None:
        statement = statement.order_by(sa.column(order))
    return list(session.execute(statement).all())


def read_events_tolerant(session: Any) -> list[dict[str, Any]]:
    """Every event, in stored order of seq, each value converted on its own (Unreadable where it fails)."""
    dialect = session.get_bind().dialect
    names = [*EVENT_FIELDS, "hash"]
    converters = [_converter(EVENT_TYPES[n], dialect) for n in names]
    events = [
        {name: convert(value) for name, convert, value in zip(names, converters, found, strict=True)}
        for found in _raw(session, "audit_event", names)
    ]
    # Sorted here, not by SQL: a seq stored as text must not reorder the rest silently.
    return sorted(events, key=lambda e: (not isinstance(e["seq"], int), e["seq"] if isinstance(e["seq"], int) else 0))


def read_head_tolerant(session: Any) -> tuple[Any, Any] | None:
    """The head row's (seq, hash) as stored; None when it is missing."""
    found = session.execute(
        sa.select(sa.column("seq"), sa.column("hash")).select_from(sa.table("audit_head"))
        .where(sa.column("id") == HEAD_ID)
    ).first()
    return None if found is None else (found[0], found[1])


def read_rows_tolerant(session: Any, name: str, orphans: list[str]) -> dict[Key, Row]:
    """Every row of a covered table (children nested, as fetch_rows gives them), values converted one by one."""
    dialect = session.get_bind().dialect
    key = KEYS[name]
    columns = [c for c, _ in COLUMNS[name]]
    converters = [_converter(t, dialect) for _, t in COLUMNS[name]]
    out: dict[Key, Row] = {}
    for found in _raw(session, name, columns):
        row = {c: convert(v) for c, convert, v in zip(columns, converters, found, strict=True)}
        out[row[key] if not isinstance(row[key], Unreadable) else str(row[key])] = row
    child = CHILDREN.get(name)
    if child is None:
        return out
    child_name, parent_column, label = child
    for row in out.values():
        row[label] = []
    child_columns = [c for c, _ in COLUMNS[child_name]]
    child_converters = [_converter(t, dialect) for _, t in COLUMNS[child_name]]
    for found in _raw(session, child_name, child_columns):
        row = {c: convert(v) for c, convert, v in zip(child_columns, child_converters, found, strict=True)}
        parent = out.get(row[parent_column]) if not isinstance(row[parent_column], Unreadable) else None
        if parent is None:
            orphans.append(
                f"{child_name} row ({row[parent_column]}, {row.get('sub_requirement')}) belongs to "
                f"{LABELS[name]} {row[parent_column]}, which does not exist"
            )
            continue
        parent[label].append(row)
    for row in out.values():
        row[label].sort(key=lambda r: str(r.get("sub_requirement")))
    return out


def unreadable_cells(row: Row, prefix: str = "") -> list[str]:
    """'column as_of: <unreadable 'garbage'>' for each unreadable value of a row (children included)."""
    found = []
    for column, value in row.items():
        if isinstance(value, Unreadable):
            found.append(f"{prefix}{column} holds {value.value}")
        elif isinstance(value, list):
            for child in value:
                if isinstance(child, dict):
                    found += unreadable_cells(child, f"{prefix}{column}[{child.get('sub_requirement')}].")
    return found


def event_problems(event: dict[str, Any]) -> list[str]:
    """What is wrong with the types of one event's fields ([] when each holds what its column should)."""
    found = []
    for name in [*EVENT_FIELDS, "hash"]:
        value = event.get(name)
        if isinstance(value, Unreadable):
            found.append(f"its {name} holds {value.value}")
        elif value is None and name not in NULLABLE_EVENT:
            found.append(f"its {name} is empty (NULL)")
        else:
            why = check_value(value, _kind(EVENT_TYPES[name]))
            if why:
                found.append(f"its {name}: {why}")
    return found


def row_problems(name: str, row: Row) -> list[str]:
    """Type problems of a covered row as read from a bundle (plain JSON values) or the store."""
    found = unreadable_cells(row)
    kinds = {c: _kind(t) for c, t in COLUMNS[name]}
    for column, kind in kinds.items():
        value = row.get(column)
        if not isinstance(value, Unreadable):
            why = check_value(value, kind)
            if why:
                found.append(f"{column}: {why}")
    child = CHILDREN.get(name)
    if child is not None:
        child_kinds = {c: _kind(t) for c, t in COLUMNS[child[0]]}
        for entry in row.get(child[2]) or []:
            if not isinstance(entry, dict):
                found.append(f"{child[2]} holds {_shown(entry)}, not a row")
                continue
            for column, kind in child_kinds.items():
                value = entry.get(column)
                if not isinstance(value, Unreadable):
                    why = check_value(value, kind)
                    if why:
                        found.append(f"{child[2]}[{entry.get('sub_requirement')}].{column}: {why}")
    return found
