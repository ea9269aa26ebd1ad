"""Safe terminal output: control characters in stored text (evidence text, file names, --by, organisation
names) reach the terminal escaped, in every table, message and error line, never as raw bytes."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest
from audit_support import cli

from pxrules.store.db import dispose_engines, init_db

# Clipboard write (OSC 52), window title (OSC 0), clear screen (CSI 2J), an 8-bit CSI, a bidi override.
NASTY = "\x1b]52;c;aGk=\x07|\x1b]0;pwned\x07|\x1b[2J|\x9b2J|\u202egnp.exe"
RAW = ("\x1b", "\x9b", "\u202e", "\x07")


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("terminal")
    url = f"sqlite:///{folder / 'x.db'}"
    init_db(url)
    assert cli(url, "org", "add", "RX1", "--name", f"Trust {NASTY}", "--type", "acute", by=NASTY).exit_code == 0
    item = {"kind": "fft_monthly", "id": "f-1", "org": "RX1", "period_start": "2025-01-01", "setting": "ae",
            "source": {"title": f"Title {NASTY}", "reference": NASTY}, "responses": 1, "eligible": 10}
    evidence = folder / f"e{NASTY.replace('/', '')}.json"
    evidence.write_text(json.dumps([item]), encoding="utf-8")
    done = cli(url, "evidence", "import", str(evidence), by=f"bob {NASTY}")
    assert done.exit_code == 0, done.output
    assert cli(url, "assess", "--org", "RX1", "--as-of", "2025-06-30", by=NASTY).exit_code == 0
    yield url
    dispose_engines()


VIEWS = [
    ["org", "list"],
    ["evidence", "list"],
    ["evidence", "list", "--history"],
    ["evidence", "show", "f-1"],
    ["audit", "log"],
    ["explain", "10A", "--org", "RX1"],
    ["trend", "--org", "RX1"],
    ["evidence", "due", "--org", "RX1", "--as-of", "2025-06-30", "--within", "400"],
]


def _clean(text: str) -> None:
    for raw in RAW:
        assert raw not in text, f"raw {raw!r} reached the terminal: {text[:400]!r}"


@pytest.mark.parametrize("args", VIEWS, ids=[" ".join(a[:2]) for a in VIEWS])
def test_tables_and_messages_escape_control_characters(store: str, args: list[str]) -> None:
    result = cli(store, *args)
    assert result.exit_code == 0, result.output
    _clean(result.output)


@pytest.mark.parametrize("args", VIEWS, ids=[" ".join(a[:2]) for a in VIEWS])
def test_json_output_escapes_them_too(store: str, args: list[str]) -> None:
    result = cli(store, *args, "--json")
    assert result.exit_code == 0, result.output
    _clean(result.output)
    json.loads(result.stdout)  # still valid JSON


def test_the_escapes_are_shown_not_dropped(store: str) -> None:
    shown = cli(store, "evidence", "list").output
    assert "\\x1b[2J" in shown and "bob" in shown


def test_error_lines_escape_file_names(store: str, tmp_path: Path) -> None:
    result = cli(store, "evidence", "import", str(tmp_path / f"missing{NASTY.replace('/', '')}.json"))
    assert result.exit_code == 1
    _clean(result.output)
    assert "\\x1b" in result.output


def test_a_real_terminal_gets_no_raw_escape_from_the_data(store: str) -> None:
    # On a terminal rich styles its own output (so ESC appears), but never a sequence carried by the data.
    pid, fd = pty.fork()
    if pid == 0:  # pragma: no cover - the child
        os.execv(sys.executable, [sys.executable, "-c", "from cli.main import run; run()", "--db", store,
                                  "evidence", "list"])
    chunks = []
    while True:
        ready, _, _ = select.select([fd], [], [], 30)
        if not ready:
            break
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.waitpid(pid, 0)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "f-1" in screen
    for sequence in ("\x1b]52;", "\x1b]0;", "\x1b[2J", "\x9b", "\u202e"):
        assert sequence not in screen, repr(screen[:400])


def test_plain_echo_from_a_subprocess(store: str) -> None:
    done = subprocess.run([sys.executable, "-c", "from cli.main import run; run()", "--db", store, "evidence",
                           "show", "f-1"], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    _clean(done.stdout)
