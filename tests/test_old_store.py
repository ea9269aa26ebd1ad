"""Stores and bundles written by earlier pxrules still verify, unchanged, with today's code."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "store-6e927d9"
HEAD = "c25a20408adc1057715ebea398e6d645b0d2c0fa471d61d404fe7df74e620197"
runner = CliRunner()


def _copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copyfile(FIXTURE / name, target)
    return target


def test_a_store_written_by_commit_6e927d9_verifies_unchanged(tmp_path: Path) -> None:
    db = _copy(tmp_path, "pxrules.sqlite")
    # Upgrading (as a user does after installing a newer pxrules) changes the schema, never an audited row.
    upgraded = runner.invoke(app, ["--db", f"sqlite:///{db}", "init"])
    assert upgraded.exit_code == 0, upgraded.output
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    result = runner.invoke(app, ["--db", f"sqlite:///{db}", "audit", "verify", "--head", HEAD, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True and report["problems"] == []
    assert (report["events"], report["rows"], report["head"]["hash"]) == (10, 98, HEAD)
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before  # verifying never writes


def test_a_bundle_exported_by_commit_6e927d9_verifies(tmp_path: Path) -> None:
    bundle = _copy(tmp_path, "bundle.zip")
    result = runner.invoke(app, ["audit", "verify", "--bundle", str(bundle), "--head", HEAD, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["ok"] is True and report["head"]["hash"] == HEAD


def test_an_edit_to_the_old_store_is_still_detected(tmp_path: Path) -> None:
    import sqlite3

    db = _copy(tmp_path, "pxrules.sqlite")
    assert runner.invoke(app, ["--db", f"sqlite:///{db}", "init"]).exit_code == 0
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE assessment_score SET suggested = 5 WHERE sub_requirement = '1A'")
    result = runner.invoke(app, ["--db", f"sqlite:///{db}", "audit", "verify", "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["ok"] is False
