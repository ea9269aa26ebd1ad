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
import hashlib
import zlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import sqlalchemy as sa
from sqlmodel import Session

from pxrules.errors import StoreError
from pxrules.measures.compute import Fingerprint, MeasureCache, measure_code_version
from pxrules.measures.registry import MeasureValue
from pxrules.scoring.levels import FiredRules, SubScore
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
# 2: the row also keeps each sub-requirement's score; 3: a score names its measures instead of repeating
# them; 4: a score is kept as the ids of the rules that fired, scored again from the measure values when
# read (a tenth of the score's size; scoring them costs less than decoding the score). Rows of other formats are
# simply recomputed.
FORMAT = 4
Key = tuple[str, dt.date]
_MISSING = object()


@cache
def _scoring_code_version() -> str:
    """sha256 of the code a score depends on beyond its rules (in the pack hash) and its measure values
    (checked with measure_code_version): the scoring policy, the assessment and the catalogue reader."""
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(measure_code_version().encode())
    for name in ("scoring/levels.py", "scoring/assess.py", "rules/catalogue.py"):
        digest.update(b"\0" + name.encode() + b"\0" + (root / name).read_bytes())
    return digest.hexdigest()


def _score_digest(key: tuple[Any, ...]) -> str:
    # The in-memory key (rules hash, sub-requirement, evaluator, organisation, date and the digests of the
    # evidence kinds its measures read; see assess._score_key) as text: the repr of a tuple of str is exact.
    return hashlib.sha256(f"{_scoring_code_version()}\0{key!r}".encode()).hexdigest()


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
        # Scores by digest of their key: a SubScore, or its JSON as read from a row (decoded on first use).
        self._stored_scores: dict[str, Any] = {}
        self._scores_used: dict[Key, dict[str, str]] = {}
        self._scores_loaded: dict[Key, set[str]] = {}
        self._last_digest: tuple[object, str] = (None, "")

    def used(self, name: str, org: str, as_of: dt.date, fingerprint: Fingerprint) -> None:
        self._used.setdefault((org, as_of), {})[name] = fingerprint

    def store(self, name: str, org: str, as_of: dt.date, fingerprint: Fingerprint,
              value: MeasureValue | None) -> None:
        super().store(name, org, as_of, fingerprint, value)
        self._dirty.add((org, as_of))

    def lookup_score(self, key: tuple[Any, ...], at: Key | None = None) -> Any:
        """As MeasureCache.lookup_score, except that a score read from a row comes back as the ids of the rules
        that fired (FiredRules): the row keeps only those, and scoring them again is cheap (see score_facts)."""
        if at is None:
            return super().lookup_score(key, at)
        digest = self._digest_of(key)
        found = self._stored_scores.get(digest)
        if found is None:
            self.score_misses += 1
            return None
        self.score_hits += 1
        self._scores_used.setdefault(at, {})[key[1]] = digest
        return found

    def _digest_of(self, key: tuple[Any, ...]) -> str:
        # A missed score is looked up, then stored under the same key: hash it once.
        if self._last_digest[0] is not key:
            self._last_digest = (key, _score_digest(key))
        return self._last_digest[1]

    def store_score(self, key: tuple[Any, ...], score: Any, at: Key | None = None) -> None:
        if at is None:
            super().store_score(key, score, at)
            return
        digest = self._digest_of(key)
        self._stored_scores[digest] = score
        self._scores_used.setdefault(at, {})[key[1]] = digest
        self._dirty.add(at)

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
            data = orjson.loads(zlib.decompress(payload))
        except (zlib.error, orjson.JSONDecodeError) as exc:
            raise StoreError(f"measure cache row of {org} as of {as_of} is unreadable: {exc}") from exc
        if data.get("format") != FORMAT:
            return 0
        count = 0
        for group in data["groups"]:
            fingerprint = tuple(group["fingerprint"])
            for name, value in group["values"].items():
                MeasureCache.store(self, name, org, as_of, fingerprint, _decode_value(name, value))
                count += 1
        loaded = self._scores_loaded.setdefault((org, as_of), set())
        for digest, rule_ids in data["scores"].values():
            self._stored_scores.setdefault(digest, FiredRules(tuple(rule_ids)))
            loaded.add(digest)
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
        scores = {}
        for sub, digest in sorted(self._scores_used.get((org, as_of), {}).items()):
            score = self._stored_scores.get(digest)
            if isinstance(score, SubScore):
                scores[sub] = [digest, [f.rule_id for f in score.firings]]
            elif isinstance(score, FiredRules):
                scores[sub] = [digest, list(score.rule_ids)]
        data = {"format": FORMAT,
                "groups": [{"fingerprint": list(fp), "values": values} for fp, values in groups.items()],
                "scores": scores}
        # orjson: this derived row is never hashed, so the fastest exact encoder serves (floats, ints, bools
        # and strings round-trip as with json). zlib level 1: nearly as small as the default here (ids
        # repeat), at a third of the time.
        return zlib.compress(orjson.dumps(data), 1)

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
        self._scores_used.pop((org, as_of), None)
        self._scores_loaded.pop((org, as_of), None)
        kept = {d for used in self._scores_used.values() for d in used.values()}
        kept.update(d for loaded in self._scores_loaded.values() for d in loaded)
        for digest in [d for d in self._stored_scores if d not in kept]:
            del self._stored_scores[digest]
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
