"""Shared fixtures: a fresh store per test, on SQLite and (when PXRULES_TEST_PG_URL is set) PostgreSQL.

`store_url` is an empty database (parametrised over back ends); `db_url` is the same after `init_db`.
PXRULES_TEST_PG_URL names a server and a database we may connect to with rights to CREATE DATABASE,
e.g. postgresql://postgres@127.0.0.1:5432/postgres; each test gets its own throwaway database there.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

PG_ENV = "PXRULES_TEST_PG_URL"


def _backends() -> list[object]:
    # The PostgreSQL variant always exists, so a run without a server shows it as skipped (with the reason)
    # rather than silently testing SQLite alone.
    no_server = pytest.mark.skipif(
        not os.environ.get(PG_ENV), reason=f"{PG_ENV} is not set: no PostgreSQL server to test against"
    )
    return [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres", marks=[pytest.mark.postgres, no_server]),
    ]


def _fresh_postgres(server_url: str) -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from pxrules.store.db import dispose_engines

    admin_url = make_url(server_url).set(drivername="postgresql+psycopg")
    name = f"pxrules_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        yield admin_url.set(database=name).render_as_string(hide_password=False)
        dispose_engines()
        _drop_database(admin, name)
    finally:
        admin.dispose()


def _drop_database(admin: Engine, name: str) -> None:
    """DROP DATABASE ... WITH (FORCE), waiting out the server's own autovacuum worker: a role that is not a
    superuser may not terminate it, and it leaves the database within moments."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    for attempt in range(100):
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except ProgrammingError as exc:
            if "pg_signal_backend" not in str(exc) or attempt == 99:
                raise
            time.sleep(0.1)


@pytest.fixture(params=_backends())
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of an empty, uninitialised database on one back end."""
    from pxrules.store.db import dispose_engines

    if request.param == "postgres":
        yield from _fresh_postgres(os.environ[PG_ENV])
        return
    yield f"sqlite:///{tmp_path / 'pxrules.db'}"
    dispose_engines()


@pytest.fixture(scope="module", params=_backends())
def module_store_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like `store_url`, but one database for a whole test module (e.g. a corpus of rejected imports)."""
    from pxrules.store.db import dispose_engines

    if request.param == "postgres":
        yield from _fresh_postgres(os.environ[PG_ENV])
        return
    yield f"sqlite:///{tmp_path_factory.mktemp('module-store') / 'pxrules.db'}"
    dispose_engines()


@pytest.fixture
def db_url(store_url: str) -> str:
    """A fresh database at the current schema (`pxrules init` already run)."""
    from pxrules.store.db import init_db

    init_db(store_url)
    return store_url


@pytest.fixture
def table_counts() -> Callable[[str], dict[str, int]]:
    """A function giving the row count of every store table, to prove a failed write changed nothing."""

    def counts(url: str) -> dict[str, int]:
        from sqlalchemy import func, select
        from sqlmodel import SQLModel

        import pxrules.store.tables  # noqa: F401  (registers the tables)
        from pxrules.store.db import make_engine

        with make_engine(url).connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in sorted(SQLModel.metadata.tables.items())
            }

    return counts


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The hostile-import cases that build a million-row file are slow: `pytest -m "not slow"` leaves them out."""
    for item in items:
        if item.path.name == "test_hostile_imports.py" and "million" in item.name:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`pxrules serve` over the web tests' store (web_support), one per test module; skips without Chromium."""
    from browser_support import serve
    from web_support import build_store

    with serve(tmp_path_factory.mktemp("web"), build_store) as base:
        yield base


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    """Debian's Chromium through Playwright, for the module's server."""
    from browser_support import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture
def client(url: str) -> Iterator[object]:
    """A TestClient over the workspace of the requesting module's `url` store (server errors become pages)."""
    from fastapi.testclient import TestClient

    from pxrules.web.app import create_app
    from pxrules.web.config import WebConfig

    with TestClient(create_app(WebConfig(url)), raise_server_exceptions=False) as c:
        yield c
