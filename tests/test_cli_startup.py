"""How the console script starts and stops: only the command run is built, and the store is closed cleanly."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import cli.main
from cli import interpreter
from cli.main import build_app, command_named

runner = CliRunner()
SCRIPT = "import sys; sys.argv[0] = 'pxrules'; from cli.main import run; run()"


@pytest.mark.parametrize(("args", "name"), [
    (["assess", "--org", "X"], "assess"),
    (["--db", "sqlite:///x.db", "assess"], "assess"),
    (["--db=sqlite:///x.db", "--by", "me", "self-assess", "list"], "self-assess"),
    (["--by", "assess", "org", "list"], "org"),
    (["--db", "explain"], None),           # the value of --db, then no command
    ([], None),
    (["--help"], None),
    (["--bogus", "assess"], None),
    (["asess"], None),                     # typo: typer's error suggests from the full list
    (["--", "assess"], None),
])
def test_the_command_is_read_from_the_global_options(args: list[str], name: str | None) -> None:
    assert command_named(args) == name


@pytest.mark.parametrize("args", [
    ["assess", "--help"],
    ["assess", "--bogus"],
    ["assess", "--org", "X", "--as-of", "2026-13-01"],
    ["--db", "sqlite:////nonexistent/x.db", "assess", "--org", "X"],
    ["explain", "--help"],
    ["org", "--help"],
    ["org", "nope"],
    ["rules", "--help"],
    ["self-assess", "--help"],
])
def test_a_one_command_app_answers_as_the_full_one(args: list[str]) -> None:
    full = runner.invoke(cli.main.app, args)
    alone = runner.invoke(build_app(command_named(args)), args)
    assert (alone.exit_code, alone.output) == (full.exit_code, full.output)


def test_the_full_app_is_built_once() -> None:
    assert cli.main.app is cli.main.app
    assert len(cli.main.app.registered_commands) + len(cli.main.app.registered_groups) == 24  # 14 groups, 10 commands


def _script(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PXRULES_BY": "tester"}
    return subprocess.run([sys.executable, "-c", SCRIPT, *args], capture_output=True, text=True, cwd=cwd,
                          env=env, check=False)


def test_the_script_closes_the_store_before_exit(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    for args in (["init"], ["org", "add", "ZZ9", "--name", "Demo", "--type", "acute"], ["org", "list", "--json"]):
        done = _script("--db", url, *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        # SQLite removes its write-ahead log when the last connection closes: none may stay open at exit.
        assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]
    assert '"ZZ9"' in done.stdout


def test_the_script_exits_as_the_app_does(tmp_path: Path) -> None:
    done = _script("--db", f"sqlite:///{tmp_path / 'none.db'}", "assess", "--org", "ZZ9", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == "error: database not initialised: run `pxrules init`"
    done = _script("asess", cwd=tmp_path)
    assert done.returncode == 2
    assert "No such command 'asess'" in done.stderr


def test_in_process_the_collector_is_left_alone() -> None:
    before = (gc.isenabled(), gc.get_freeze_count())
    with interpreter.loading():
        assert gc.isenabled()
    r = runner.invoke(cli.main.app, ["--db", "sqlite:////nonexistent/x.db", "assess", "--org", "X"])
    assert r.exit_code == 1
    assert (gc.isenabled(), gc.get_freeze_count()) == before


def test_the_script_loads_the_store_with_the_collector_paused_once() -> None:
    code = ("import gc, sys; from cli import interpreter; from cli.common import db_url; interpreter.own(); "
            "db_url(); frozen = gc.get_freeze_count(); db_url(); "
            "print(gc.isenabled(), 'sqlalchemy' in sys.modules, frozen > 0, gc.get_freeze_count() == frozen)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True", "True", "True"]
