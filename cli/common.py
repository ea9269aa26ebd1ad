"""What every command shares: the global options, JSON output, and turning PxRulesError into one line.

Command modules import the library inside their functions, so `pxrules --help` never pays for
sqlmodel, pydantic or durable-rules.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NoReturn

import typer

from cli import interpreter


@dataclass
class Settings:
    """Options given before the command (`pxrules --db URL --by NAME <command>`)."""

    db: str | None = None
    by: str | None = None


SETTINGS = Settings()


def db_url() -> str:
    """The store URL: --db, else $PXRULES_DB, else sqlite:///pxrules.db in the working directory."""
    with interpreter.loading():
        from pxrules.store.db import resolve_url

    return resolve_url(SETTINGS.db)


def actor() -> str:
    """Who is writing: --by, else $PXRULES_BY, else the OS user."""
    if SETTINGS.by:
        return SETTINGS.by
    from pxrules.store.audit_chain import os_user

    return os_user()


def parse_date(value: str | None, option: str = "--as-of") -> dt.date | None:
    """An option's YYYY-MM-DD date (None when not given); a clear error otherwise."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        fail(f"{option} {value!r} is not a date (YYYY-MM-DD)")


def print_json(data: Any) -> None:
    """Print stable, sorted-key JSON for scripts and tests."""
    typer.echo(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str))


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear error line on stderr and exit non-zero."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@contextmanager
def library_errors() -> Iterator[None]:
    """Turn the library's own errors into a message and exit status 1; anything else is a bug."""
    from pxrules.errors import PxRulesError

    try:
        yield
    except PxRulesError as exc:
        fail(str(exc))


def console() -> Any:
    """A rich Console on stdout (imported lazily)."""
    from rich.console import Console

    return Console(soft_wrap=False, width=None if sys.stdout.isatty() else 160)
