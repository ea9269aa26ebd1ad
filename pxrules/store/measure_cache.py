"""The measure cache kept in the store, so a re-assessment after a small import recomputes only what changed.

One row per (organisation, date) holds every measure value of the last assessment on that date, grouped by
the fingerprint they rest on (per kind read: a digest of the ids and stored content hashes of the items of
that kind visible on the date) and stamped with the version of the measure code. On the next assessment a
measure whose fingerprint is unchanged is read back instead of recomputed; one whose evidence changed, or
any measure after the code changed, is computed afresh. Values round-trip exactly (JSON keeps bool, int,
float and str apart), so a cached assessment is byte-identical to a cold one.

Why a table in the store rather than a file beside it: it works on PostgreSQL as on SQLite, it is written
in the same transaction as the assessment it came from (never ahead of or behind the register), and it is
backed up and copied with the store. It is derived data, not a record: it is not audited and is described
on its own MetaData, outside the audited tables; deleting its rows only costs recomputation.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from pxrules.errors import StoreError
from pxrules.measures.compute import Fingerprint, MeasureCache, measure_code_version
from pxrules.measures.core import MeasureValue
from pxrules.store.tables import UtcDateTime, utc_now

METADATA = sa.MetaData()
MEASURE_CACHE = sa.Table(
    "measure_cache",
    METADATA,
    sa.Column("org", sa.String(length=12), primary_key=True),
    sa.Column("as_of", sa.Date(), primary_key=True),
    sa.Column("code_version", sa.String(length=64), nullable=False),
    sa.Column("payload", sa.LargeBinary(), nullable=False),
    sa.Column("updated_at", UtcDateTime(), nullable=False),
)
FORMAT = 1
Key = tuple[str, dt.date]
_MISSING = object()


def _encode_value(value: MeasureValue | None) -> Any:
    # JSON writes tuples as arrays: nothing is copied here.
    return None if value is None else (value.value, value.evidence_ids, value.evidence_kinds, value.detail)


def _decode_value(name: str, data: Any) -> MeasureValue | None:
    if data is None:
        return None
    value, ids, kinds, detail = data
    return MeasureValue(name=name, value=value, evidence_ids=tuple(ids), evidence_kinds=tuple(kinds),
                        detail=detail)


class StoredMeasureCache(MeasureCache):
    """A MeasureCache that loads (org, date) rows from the store and writes back the ones it changed.

    `load` before assessing, `payload`/`save` after. Entries of a (org, date) can be dropped with `forget`
    once saved, so a long batch keeps only what it is working on in memory.
    """

    def __init__(self) -> None:
        super().__init__()
        self._used: dict[Key, dict[str, Fingerprint]] = {}
        self._dirty: set[Key] = set()

    def used(self, name: str, org: str, as_of: dt.date, fingerprint: Fingerprint) -> None:
        self._used.setdefault((org, as_of), {})[name] = fingerprint

    def store(self, name: str, org: str, as_of: dt.date, fingerprint: Fingerprint,
              value: MeasureValue | None) -> None:
        super().store(name, org, as_of, fingerprint, value)
        self._dirty.add((org, as_of))

    def load(self, session: Session, org: str, as_of: dt.date) -> int:
        """Read the stored row of (org, as_of) into memory; returns how many values it offered (0 when the
        row is missing or was written by other measure code)."""
        row = session.execute(
            sa.select(MEASURE_CACHE.c.code_version, MEASURE_CACHE.c.payload)
            .where(MEASURE_CACHE.c.org == org, MEASURE_CACHE.c.as_of == as_of)
        ).first()
        if row is None or row[0] != measure_code_version():
            return 0
        return self.load_payload(org, as_of, bytes(row[1]))

    def load_payload(self, org: str, as_of: dt.date, payload: bytes) -> int:
        """Take in a row's payload (as `payload` made it) for (org, as_of)."""
        try:
            data = json.loads(zlib.decompress(payload))
        except (zlib.error, ValueError) as exc:
            raise StoreError(f"measure cache row of {org} as of {as_of} is unreadable: {exc}") from exc
        if data.get("format") != FORMAT:
            return 0
        count = 0
        for group in data["groups"]:
            fingerprint = tuple(group["fingerprint"])
            for name, value in group["values"].items():
                MeasureCache.store(self, name, org, as_of, fingerprint, _decode_value(name, value))
                count += 1
        return count

    def is_changed(self, org: str, as_of: dt.date) -> bool:
        """True when values of (org, as_of) were computed since it was loaded (its row needs writing)."""
        return (org, as_of) in self._dirty

    def payload(self, org: str, as_of: dt.date) -> bytes:
        """The row payload for (org, as_of): every value the last assessment used, grouped by fingerprint."""
        groups: dict[Fingerprint, dict[str, Any]] = {}
        for name, fingerprint in sorted(self._used.get((org, as_of), {}).items()):
            value = self._values.get((name, org, as_of, fingerprint), _MISSING)
            if value is not _MISSING:
                groups.setdefault(fingerprint, {})[name] = _encode_value(value)  # type: ignore[arg-type]
        data = {"format": FORMAT,
                "groups": [{"fingerprint": list(fp), "values": values} for fp, values in groups.items()]}
        # Level 1: nearly as small as the default here (ids repeat), at a third of the time.
        return zlib.compress(json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode(), 1)

    def save(self, session: Session, org: str, as_of: dt.date) -> bool:
        """Write the row of (org, as_of) if anything was computed for it; True when written."""
        if (org, as_of) not in self._dirty:
            return False
        write_rows(session, [(org, as_of, self.payload(org, as_of))])
        self._dirty.discard((org, as_of))
        return True

    def forget(self, org: str, as_of: dt.date) -> None:
        """Drop what is held in memory for (org, as_of)."""
        self._used.pop((org, as_of), None)
        self._dirty.discard((org, as_of))
        for key in [k for k in self._values if k[1] == org and k[2] == as_of]:
            del self._values[key]


def write_rows(session: Session, rows: Iterable[tuple[str, dt.date, bytes]]) -> int:
    """Insert or replace cache rows (org, as_of, payload) in the session's transaction; returns the count."""
    values = [{"org": org, "as_of": as_of, "code_version": measure_code_version(), "payload": payload,
               "updated_at": utc_now()} for org, as_of, payload in rows]
    if not values:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        else:
            from sqlalchemy.dialects.postgresql import insert  # type: ignore[assignment]
        statement = insert(MEASURE_CACHE)
        session.execute(statement.on_conflict_do_update(
            index_elements=["org", "as_of"],
            set_={c: statement.excluded[c] for c in ("code_version", "payload", "updated_at")}), values)
    else:
        for v in values:
            session.execute(sa.delete(MEASURE_CACHE).where(MEASURE_CACHE.c.org == v["org"],
                                                           MEASURE_CACHE.c.as_of == v["as_of"]))
        session.execute(sa.insert(MEASURE_CACHE), values)
    return len(values)


def clear(session: Session, org: str | None = None) -> int:
    """Delete cached measure values (of one organisation, or all); returns the rows deleted."""
    statement = sa.delete(MEASURE_CACHE)
    if org is not None:
        statement = statement.where(MEASURE_CACHE.c.org == org)
    result = session.execute(statement)
    return int(getattr(result, "rowcount", 0) or 0)
