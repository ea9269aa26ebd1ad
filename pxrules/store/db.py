"""Engines, schema upgrades and the unit of work: the only place that knows how to reach the database."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlmodel import Session

from pxrules.errors import StoreError
from pxrules.store import text_guard

DEFAULT_URL = "sqlite:///pxrules.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
NOT_INITIALISED = "database not initialised: run `pxrules init`"

_ENGINES: dict[str, Engine] = {}
_LOCK = threading.Lock()


def resolve_url(url: str | None) -> str:
    """The store URL: the argument, else $PXRULES_DB, else sqlite:///pxrules.db in the working directory."""
    return url or os.environ.get("PXRULES_DB") or DEFAULT_URL


def display_url(url: str) -> str:
    """The URL with any password masked, for messages and `pxrules init` output."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


def _parse(url: str) -> URL:
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise StoreError(f"not a database URL: {url!r} (expected e.g. sqlite:///pxrules.db)") from exc
    if parsed.drivername in {"postgresql", "postgres"}:
        # psycopg 3 is the driver we ship (the `postgres` extra); SQLAlchemy's default is psycopg2.
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        query = dict(parsed.query)
        database = str(parsed.database)
        if database.startswith("file:") or set(query) & _SQLITE_URI_OPTIONS:
            # SQLite's own options (mode=ro, immutable=1 ...) only work in a file: URI; without one the
            # driver would ignore them (or take them for part of the file name) and open the file read-write.
            path = _uri_path(database) if database.startswith("file:") else Path(database)
            query["uri"] = "true"
            parsed = parsed.set(database="file:" + quote(str(Path.cwd() / path)), query=query)
        else:
            # Pin a relative file to the directory it was named in, so a later chdir cannot switch databases.
            path = Path(database)
            if not path.is_absolute():
                parsed = parsed.set(database=str(Path.cwd() / path))
    return parsed


_SQLITE_URI_OPTIONS = {"mode", "immutable", "cache", "nolock", "vfs", "psow", "modeof"}


def _uri_path(database: str) -> Path:
    # file:q.db, file:/abs/q.db, file:///abs/q.db, file://localhost/abs/q.db; %xx escapes decoded.
    rest = database.removeprefix("file:").split("?", 1)[0]
    if rest.startswith("//"):
        rest = "/" + rest[2:].split("/", 1)[-1] if "/" in rest[2:] else "/"
    return Path(unquote(rest))


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL (absolute), or None for other back ends and in-memory SQLite."""
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    database = str(parsed.database)
    return _uri_path(database) if database.startswith("file:") else Path(database)


def read_only(url: str) -> bool:
    """True for a SQLite URL opened with mode=ro or immutable=1 (nothing can be written through it)."""
    parsed = _parse(url)
    if parsed.get_backend_name() != "sqlite":
        return False
    return parsed.query.get("mode") == "ro" or str(parsed.query.get("immutable", "")).lower() in ("1", "true")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers run beside the one writer; busy_timeout makes a second writer wait, not fail;
    # SQLite ignores foreign keys unless asked, per connection.
    cursor = dbapi_connection.cursor()
    try:
        # A read-only store (mode=ro, a read-only file) keeps the journal mode it has.
        with contextlib.suppress(sqlite3.OperationalError):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


text_guard.install()


def make_engine(url: str) -> Engine:
    """The (cached) engine for a URL; nothing connects until first use."""
    parsed = _parse(url)
    key = parsed.render_as_string(hide_password=False)
    with _LOCK:
        engine = _ENGINES.get(key)
        if engine is None:
            try:
                engine = create_engine(parsed)
            except (ArgumentError, ImportError) as exc:
                raise StoreError(f"cannot use database {display_url(url)}: {exc}") from exc
            if parsed.get_backend_name() == "sqlite":
                event.listen(engine, "connect", _sqlite_pragmas)
            _ENGINES[key] = engine
    return engine


def dispose_engines() -> None:
    """Close every cached engine (tests call this so temporary database files can be removed)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def _alembic_config(url: str) -> Any:
    from alembic.config import Config

    # stdout named now: Config's default is the sys.stdout of when alembic was first imported (a test
    # runner's since-closed capture stream, say), and `alembic check` writes to it.
    config = Config(stdout=sys.stdout)
    # ConfigParser interpolation treats % specially, so escape it in the folder name.
    config.set_main_option("script_location", str(MIGRATIONS_DIR).replace("%", "%%"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


_REVISION = re.compile(r"""^revision(?:: str)? = ['"](\w+)['"]$""", re.M)
_DOWN = re.compile(r"""^down_revision(?:: [\w |]+)? = (?:None|['"](\w+)['"])$""", re.M)


@cache
def schema_heads() -> tuple[str, ...]:
    """The revision(s) this pxrules expects the database to be at (the migrations' heads).

    Read straight from versions/*.py when every file is a plain linear step, since importing Alembic
    costs ~0.3 s on every command; anything else (merges, odd layouts) asks Alembic itself.
    """
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        rev, down = _REVISION.findall(text), _DOWN.findall(text)
        if len(rev) != 1 or len(down) != 1:
            break
        revisions.add(rev[0])
        parents.update(d for d in down if d)
    else:
        if revisions:
            return tuple(sorted(revisions - parents))
    from alembic.script import ScriptDirectory

    return tuple(ScriptDirectory.from_config(_alembic_config(DEFAULT_URL)).get_heads())


def init_db(url: str | None = None, *, by: str | None = None) -> str:
    """Create the database or upgrade it to the schema (Alembic `upgrade head`); returns its revision.

    `by` is who the audit trail's genesis event names (default $PXRULES_BY, else the OS user).
    """
    from alembic import command

    from pxrules import __version__
    from pxrules.store.meta import record_writer

    resolved = resolve_url(url)
    path = sqlite_file(resolved)
    if read_only(resolved):
        raise StoreError(
            f"{display_url(resolved)} is opened read-only (mode=ro or immutable): `pxrules init` creates and "
            "upgrades a store, so give its URL without the read-only option"
        )
    if path is not None and not path.parent.is_dir():
        raise StoreError(f"cannot create the database: folder {path.parent} does not exist")
    revision = current_revision(resolved)
    if revision is not None and revision not in known_revisions():
        raise StoreError(newer_store(resolved, revision))
    engine = make_engine(resolved)
    config = _alembic_config(resolved)
    try:
        with engine.begin() as connection:
            if revision is not None:
                check_integrity(connection, resolved)  # never upgrade (or call ready) a damaged store
            config.attributes["connection"] = connection
            config.attributes["pxrules_by"] = by
            command.upgrade(config, "head")
            record_writer(connection, __version__, ",".join(schema_heads()))
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot initialise {display_url(resolved)}: {_reason(exc)}") from exc
    return current_revision(resolved) or ""


def check_integrity(connection: Any, url: str) -> None:
    """StoreError unless SQLite's quick_check finds every page and index whole (other back ends: nothing)."""
    if connection.dialect.name != "sqlite":
        return
    found = [str(row[0]) for row in connection.exec_driver_sql("PRAGMA quick_check").fetchall()]
    if found != ["ok"]:
        raise StoreError(
            f"{display_url(url)} is damaged ({found[0] if found else 'no answer'}"
            f"{f' and {len(found) - 1} more problem(s)' if len(found) > 1 else ''}): nothing was changed; "
            "restore it from a backup"
        )


@cache
def known_revisions() -> frozenset[str]:
    """Every migration revision this pxrules ships (a store at any other was written by a newer one)."""
    return frozenset(
        found for path in (MIGRATIONS_DIR / "versions").glob("*.py")
        for found in _REVISION.findall(path.read_text(encoding="utf-8"))
    )


def newer_store(url: str, revision: str) -> str:
    """The message for a store whose schema revision this pxrules does not know: which pxrules wrote it."""
    from pxrules import __version__
    from pxrules.store.meta import read_writer

    try:
        with make_engine(url).connect() as connection:
            writer = read_writer(connection)
    except SQLAlchemyError:
        writer = {}
    ours = f"pxrules {__version__} (schema {', '.join(schema_heads())})"
    if writer.get("pxrules_version"):
        return (
            f"{display_url(url)} was written by pxrules {writer['pxrules_version']} (schema revision {revision}), "
            f"newer than this {ours}: use pxrules {writer['pxrules_version']} or later; nothing was changed"
        )
    return (
        f"{display_url(url)} is at schema revision {revision}, which this {ours} does not know: it was "
        "written by a newer pxrules; use that version; nothing was changed"
    )


def current_revision(url: str | None = None) -> str | None:
    """The schema revision the database is at, or None when it was never initialised."""
    resolved = resolve_url(url)
    path = sqlite_file(resolved)
    if path is not None and not path.exists():
        # Connecting would create an empty file as a side effect of a read.
        return None
    try:
        with make_engine(resolved).connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            row = connection.execute(text("SELECT version_num FROM alembic_version")).first()
    except SQLAlchemyError as exc:
        raise StoreError(f"cannot open {display_url(resolved)}: {_reason(exc)}") from exc
    return None if row is None else str(row[0])


def check_ready(url: str | None = None) -> None:
    """Raise StoreError unless the database exists and is at the schema this pxrules needs."""
    revision = current_revision(url)
    if revision is None:
        raise StoreError(NOT_INITIALISED)
    heads = schema_heads()
    if revision not in known_revisions():
        raise StoreError(newer_store(resolve_url(url), revision))
    if revision not in heads:
        raise StoreError(
            f"database schema is at revision {revision} but this pxrules needs {', '.join(heads)}: "
            "run `pxrules init` to upgrade it (or use a newer pxrules)"
        )


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None)
    return str(orig if orig is not None else exc).strip().splitlines()[0]


@contextmanager
def unit_of_work(url: str | None = None) -> Iterator[Session]:
    """A session that commits when the block succeeds and rolls back on any exception (all or nothing)."""
    resolved = resolve_url(url)
    check_ready(resolved)
    session = Session(make_engine(resolved), expire_on_commit=False)
    try:
        yield session
        session.commit()
    except SQLAlchemyError as exc:
        session.rollback()
        raise StoreError(f"database error on {display_url(resolved)}: {_reason(exc)}") from exc
    except OverflowError as exc:  # SQLite's driver, for an integer past 64 bits (PostgreSQL says DataError)
        session.rollback()
        raise StoreError(f"a number is past the largest the store holds ({exc})") from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
