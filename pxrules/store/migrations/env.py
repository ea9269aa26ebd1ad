"""Alembic environment: migrate the connection `pxrules init` hands over, else -x url=... or $PXRULES_DB."""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any

from alembic import context
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import pxrules.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from pxrules.store.attachments import METADATA as ATTACHMENT_METADATA
from pxrules.store.db import make_engine, resolve_url
from pxrules.store.meta import METADATA as META_METADATA

config = context.config
# What autogenerate compares the schema with (revisions themselves never import pxrules: they are frozen).
# The version marker and attachment bytes sit on their own MetaData, outside the audited tables.
target_metadata = [SQLModel.metadata, META_METADATA, ATTACHMENT_METADATA]

# Only the command-line `alembic` has an ini file; `pxrules init` must not reconfigure the caller's logging.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _url() -> str:
    given = context.get_x_argument(as_dictionary=True).get("url")
    return resolve_url(given)


def _configure(**kwargs: Any) -> None:
    # Batch mode lets later migrations ALTER tables on SQLite (which cannot drop or change columns in place).
    context.configure(target_metadata=target_metadata, render_as_batch=True, compare_type=True, **kwargs)


def _run(connection: Connection) -> None:
    _configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """Emit the SQL for `alembic upgrade --sql` without connecting."""
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate through the caller's connection, else a fresh one to the resolved URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    with make_engine(_url()).connect() as fresh:
        _run(fresh)
        fresh.commit()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
