"""What every command shares: the global options, JSON output, and turning PxRulesError into one line.

Command modules import the library inside their functions, so `pxrules --help` never pays for
sqlmodel, pydantic or durable-rules.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any, NoReturn

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
    """Who is writing: --by, else $PXRULES_BY, else the OS user (at most MAX_BY characters, else an error)."""
    if SETTINGS.by:
        who = SETTINGS.by.strip()
        source = "--by"
    else:
        from pxrules.store.audit_chain import os_user

        who = os_user().strip()
        source = "$PXRULES_BY" if os.environ.get("PXRULES_BY") else "the OS user name"
    if not who:
        fail(f"{source} is empty: say who is recording")
    if len(who) > MAX_BY:
        fail(f"{source} is {len(who):,} characters long; at most {MAX_BY} are kept, so give a shorter name")
    return who


MAX_BY = 500  # the recorded_by / created_by / actor columns

AllowFuture = Annotated[
    str | None,
    typer.Option("--allow-future", metavar="REASON",
                 help="Accept dates after today; the reason is kept in the audit trail."),
]


def parse_date(value: str | None, option: str = "--as-of", *, allow_future: str | None = None) -> dt.date | None:
    """An option's date, dd/mm/yyyy or yyyy-mm-dd (None when not given); a clear error otherwise, also for
    a date after today unless `allow_future` gives a reason."""
    if value is None:
        return None
    from pxrules.common.dates import DateError
    from pxrules.common.dates import parse_date as read_date

    try:
        day = read_date(value)
    except DateError as exc:
        fail(f"{option}: {exc}")
    if day > dt.date.today() and not (allow_future and allow_future.strip()):
        fail(f"{option} {day.isoformat()} is after today ({dt.date.today().isoformat()}): dates after the "
             "recording date are refused; give --allow-future REASON if it is meant")
    return day


@contextmanager
def future_dates(reason: str | None, command: str, org: str | None = None) -> Iterator[None]:
    """Run the block with dates after today accepted when a reason is given; on success the reason is
    recorded as an audit event (future.allowed) naming the command."""
    from pxrules.common.dates import allowing_future
    from pxrules.store.audit_chain import future_event

    with allowing_future(reason):
        yield
        if reason and reason.strip():
            from pxrules.store.db import unit_of_work

            with unit_of_work(db_url()) as session:
                future_event(session, by=actor(), command=command, org=org)


# Characters a terminal acts on rather than shows: C0 controls but newline and tab, DEL, C1 controls (0x9b is a
# CSI on many terminals), and the bidirectional overrides that make text read differently from its bytes.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """Text safe for a terminal: every control character shown as an escape (`\\x1b`), newlines kept."""
    return _CONTROL.sub(_escaped, text)


def echo(message: Any = "", *, err: bool = False) -> None:
    """typer.echo, with control characters in the message (stored text, file names, --by) escaped."""
    typer.echo(visible(str(message)), err=err)


def print_json(data: Any) -> None:
    """Print stable, sorted-key JSON for scripts and tests (JSON escapes C0; C1 and bidi are escaped too)."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str)
    typer.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear error line on stderr and exit non-zero."""
    echo(f"error: {message}", err=True)
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
    """A rich Console on stdout (imported lazily) that shows control characters in any cell as escapes."""
    from rich.console import Console
    from rich.segment import Segment

    class SafeConsole(Console):
        # Rich's own styling travels in segment styles and control segments; only the text is escaped.
        def _render_buffer(self, buffer: Any) -> str:
            return super()._render_buffer(
                Segment(visible(text), style, control) if not control else Segment(text, style, control)
                for text, style, control in buffer
            )

    return SafeConsole(soft_wrap=False, width=None if sys.stdout.isatty() else 160)


# Pinning a report, comparison or trend to one assessment and one self-assessment (pxrules.board.pairing).
AssessmentOpt = Annotated[
    int | None, typer.Option("--assessment", help="Assessment id (`pxrules assessments list`); default the latest.")
]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="The assessment as of this date (YYYY-MM-DD) instead of an id.")
]
SelfOpt = Annotated[
    int | None,
    typer.Option("--self", help="Self-assessment id (`pxrules self-assess list`); default the nearest in date."),
]
MismatchOpt = Annotated[
    bool,
    typer.Option("--allow-mismatch", help="Pair a self-assessment and an assessment more than a quarter apart."),
]


def make_pin(assessment: int | None, as_of: str | None, self_id: int | None, allow_mismatch: bool) -> Any:
    """The pairing.Pin the pin options describe (one clear line when they contradict each other)."""
    day = parse_date(as_of)
    if assessment is not None and day is not None:
        fail("give --assessment ID or --as-of DATE, not both")
    from pxrules.board.pairing import Pin

    return Pin(assessment, day, self_id, allow_mismatch)
