"""No NUL character reaches the store: PostgreSQL refuses one in text and SQLite would keep it, so every back
end refuses it alike, before anything is written, naming the field (one check for every write of every table).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import String, event
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Session

from pxrules.errors import StoreError


@cache
def _text_keys(cls: Any) -> tuple[tuple[str, str], ...]:
    """(attribute, table) of each text column of a mapped class."""
    mapper: Any = sa_inspect(cls)
    table = getattr(mapper.local_table, "name", cls.__name__)
    return tuple((c.key, table) for c in mapper.column_attrs
                 if any(isinstance(col.type, String) for col in c.columns))  # fmt: skip


def _refuse_nul(session: Session, flush_context: Any, instances: Any) -> None:
    for obj in (*session.new, *session.dirty):
        kind: Any = type(obj)
        for key, table in _text_keys(kind):
            value = getattr(obj, key, None)
            if isinstance(value, str) and "\x00" in value:
                raise StoreError(f"{key.replace('_', ' ')}: holds a NUL character (\\x00), which cannot be "
                                 f"stored ({table}); remove it and try again")  # fmt: skip


def install() -> None:
    """Check every ORM flush (idempotent)."""
    if not event.contains(Session, "before_flush", _refuse_nul):
        event.listen(Session, "before_flush", _refuse_nul)
