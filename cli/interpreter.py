"""What the console script does with the interpreter it owns: the collector paused while the store's libraries
load, and an exit that closes the store without tearing the heap down object by object.

Only `cli.main.run` switches this on; embedded or under a test runner (CliRunner) nothing here changes.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from pxrules.common.gcpause import paused_gc

_OWNED = False
_LOADED = False


def own() -> None:
    """The process is the console script's: its collector may be tuned for one short command."""
    global _OWNED
    _OWNED = True


@contextmanager
def loading() -> Iterator[None]:
    """Import the store's libraries (SQLAlchemy, SQLModel, pydantic) with the cyclic collector paused.

    They build some 10^5 objects that live as long as the process; collecting while they are made walks
    them again and again (~50 ms of `assess`), and freezing them afterwards keeps later collections, and
    the one at exit, from walking them at all. Done once, on the first load, and only in an owned process.
    """
    global _LOADED
    if not _OWNED or _LOADED or not gc.isenabled():
        yield
        return
    _LOADED = True
    with paused_gc():
        try:
            yield
        finally:
            gc.freeze()


def before_exit() -> None:
    """Close the store's connections, then leave what remains to the operating system."""
    if not _OWNED:
        return
    # SQLite checkpoints and removes its -wal file when the last connection closes; that used to happen
    # when shutdown's garbage collection reached the pooled connections, so close them here instead.
    db = sys.modules.get("pxrules.store.db")
    if db is not None:
        db.dispose_engines()
    # Nothing left needs finalising (atexit handlers still run): freezing the heap spares the interpreter
    # a last collection and the teardown of every cycle, ~0.1 s, for memory the OS takes back anyway.
    gc.freeze()
