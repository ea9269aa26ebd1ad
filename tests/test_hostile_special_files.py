"""No hang: a FIFO, a device or a folder named as an input file is refused at once by every reader.

A FIFO with no writer blocks an ordinary open() for ever, so these run the real command line in a
subprocess with a timeout: on a reader that opens before it checks, the test fails by timing out.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from audit_support import cli, snapshot
from hostile_files import SUFFIX, reading_commands

from pxrules.store.db import dispose_engines, init_db

COMMANDS = reading_commands()
SCRIPT = "from cli.main import run; run()"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('special') / 'x.db'}"
    init_db(url)
    assert cli(url, "org", "add", "RX1", "--name", "Trust", "--type", "acute").exit_code == 0
    yield url
    dispose_engines()


def _args(name: str, file: Path) -> list[str]:
    return [a.format(file=file) for a in COMMANDS[name]]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_fifo_is_refused_without_blocking(store: str, tmp_path: Path, name: str) -> None:
    fifo = tmp_path / f"pipe{SUFFIX.get(name, '.csv')}"
    os.mkfifo(fifo)
    before = snapshot(store)
    done = subprocess.run([sys.executable, "-c", SCRIPT, "--db", store, *_args(name, fifo)], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL, check=False)
    assert done.returncode == 1, done.stderr
    assert "named pipe (FIFO)" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) <= 2, done.stderr
    assert snapshot(store) == before


@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null", "folder"])
@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_a_device_or_folder_is_refused(store: str, tmp_path: Path, name: str, special: str) -> None:
    path = Path(special)
    if special == "folder":
        path = tmp_path / f"folder{SUFFIX.get(name, '.csv')}"
        path.mkdir()
    elif not path.exists():
        pytest.skip(f"no {special} here")
    before = snapshot(store)
    result = cli(store, *_args(name, path))
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "not a regular file" in result.output or "unsupported file type" in result.output, result.output
    assert snapshot(store) == before


def test_bundle_from_dev_zero_does_not_read_forever(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", SCRIPT, "audit", "verify", "--bundle", "/dev/zero"],
                          capture_output=True, text=True, timeout=60, cwd=tmp_path, check=False)
    assert done.returncode == 1 and "character device" in done.stderr, done.stderr
