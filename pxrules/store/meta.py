"""Which pxrules last initialised the store, so an older pxrules can say which version a store needs.

A row per key in `pxrules_meta` (its own MetaData: not audited, not evidence): `pxrules_version` and
`schema_head`, written by `pxrules init` after every upgrade.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

METADATA = sa.MetaData()
META = sa.Table(
    "pxrules_meta",
    METADATA,
    sa.Column("key", sa.String(length=40), primary_key=True),
    sa.Column("value", sa.String(length=200), nullable=False),
)


def record_writer(connection: Any, version: str, head: str) -> None:
    """Record (replace) the pxrules version and schema head that last initialised the store."""
    for key, value in (("pxrules_version", version), ("schema_head", head)):
        connection.execute(sa.delete(META).where(META.c.key == key))
        connection.execute(sa.insert(META).values(key=key, value=value))


def read_writer(connection: Any) -> dict[str, str]:
    """What `record_writer` recorded ({} when the table is missing or unreadable)."""
    try:
        if not sa.inspect(connection).has_table("pxrules_meta"):
            return {}
        return {str(k): str(v) for k, v in connection.execute(sa.select(META.c.key, META.c.value))}
    except sa.exc.SQLAlchemyError:
        return {}
