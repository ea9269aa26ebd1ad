"""Identity, time and the store itself: organisation codes, --by, dates after today, repeated imports,
corrections across organisations, damaged, newer and read-only stores - each a clear one-line answer."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest
from audit_support import cli, populate, query, snapshot

from pxrules.store.db import dispose_engines, init_db


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    init_db(url)
    populate(url)
    yield url
    dispose_engines()


def _one_line_error(result: object, phrase: str) -> None:
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert isinstance(result.exception, SystemExit), repr(result.exception)  # type: ignore[attr-defined]
    assert result.output.startswith("error: ") and phrase in result.output, result.output  # type: ignore[attr-defined]


def test_org_codes_are_trimmed_and_validated(store: str) -> None:
    assert cli(store, "org", "add", "RXX\n", "--name", "Trust", "--type", "acute").exit_code == 0
    _one_line_error(cli(store, "org", "add", " RXX ", "--name", "Again", "--type", "acute"), "already exists")
    for bad in ("rx9", "R", "RX-9", "RX9\x1b", "R" * 13):
        _one_line_error(cli(store, "org", "add", bad, "--name", "T", "--type", "acute"), "not an ODS code")
    _one_line_error(cli(store, "org", "add", "RX8", "--name", "n" * 201, "--type", "acute"), "1-200 characters")
    codes = [c["code"] for c in json.loads(cli(store, "org", "list", "--json").stdout)]
    assert codes.count("RXX") == 1 and "RXX\n" not in codes


def test_who_is_recording_is_length_checked(store: str, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(store)
    _one_line_error(cli(store, "org", "add", "RX7", "--name", "T", "--type", "acute", by="b" * 501), "at most 500")
    monkeypatch.setenv("PXRULES_BY", "x" * 120_000)
    from typer.testing import CliRunner

    from cli.main import app

    result = CliRunner().invoke(app, ["--db", store, "org", "add", "RX7", "--name", "T", "--type", "acute"])
    _one_line_error(result, "$PXRULES_BY is 120,000 characters")
    assert snapshot(store) == before


def test_dates_after_today_are_refused_unless_allowed_with_a_reason(store: str, tmp_path: Path) -> None:
    before = snapshot(store)
    _one_line_error(cli(store, "assess", "--org", "RX1", "--as-of", "2099-03-31"), "after today")
    _one_line_error(cli(store, "assess", "--all", "--as-of", "2099-03-31"), "after today")
    template = tmp_path / "t.csv"
    assert cli(store, "self-assess", "template", "--org", "RX1", "-o", str(template)).exit_code == 0
    _one_line_error(cli(store, "self-assess", "import", str(template), "--org", "RX1", "--as-of", "2099-03-31"),
                    "after today")
    item = {"kind": "fft_monthly", "id": "f-future", "org": "RX1", "period_start": "2099-01-01", "setting": "ae",
            "source": {"title": "T"}, "responses": 1, "eligible": 10, "recorded_at": "2099-02-01T00:00:00Z"}
    evidence = tmp_path / "e.json"
    evidence.write_text(json.dumps([item]), encoding="utf-8")
    _one_line_error(cli(store, "evidence", "import", str(evidence)), "in the future")
    assert snapshot(store) == before
    allowed = cli(store, "assess", "--org", "RX1", "--as-of", "2099-03-31", "--allow-future", "budget scenario")
    assert allowed.exit_code == 0, allowed.output
    events = json.loads(cli(store, "audit", "log", "--action", "future.allowed", "--json").stdout)
    assert [e["details"]["reason"] for e in events] == ["budget scenario"]
    assert cli(store, "audit", "verify").exit_code == 0


def test_the_same_self_assessment_file_twice_makes_one_record(store: str, tmp_path: Path) -> None:
    template = tmp_path / "t.csv"
    assert cli(store, "self-assess", "template", "--org", "RX1", "-o", str(template)).exit_code == 0
    first = cli(store, "self-assess", "import", str(template), "--org", "RX1")
    assert first.exit_code == 0, first.output
    again = cli(store, "self-assess", "import", str(template), "--org", "RX1", "--as-of", "2025-01-01")
    assert again.exit_code == 0 and "already imported" in again.output and "no second record" in again.output
    listed = json.loads(cli(store, "self-assess", "list", "--org", "RX1", "--json").stdout)
    assert len([r for r in listed if r["source_file"] == "t.csv"]) == 1


def test_a_correction_never_moves_another_organisations_item(store: str, tmp_path: Path) -> None:
    item = {"kind": "fft_monthly", "id": "fft-1", "org": "RX2", "period_start": "2025-01-01",
            "period_end": "2025-01-31", "setting": "ae", "source": {"title": "FFT"}, "responses": 99,
            "eligible": 100}
    evidence = tmp_path / "steal.json"
    evidence.write_text(json.dumps([item]), encoding="utf-8")
    before = snapshot(store)
    _one_line_error(cli(store, "evidence", "import", str(evidence), "--correct"), "belongs to RX1")
    assert snapshot(store) == before
    assert {r[0] for r in query(store, "SELECT org FROM evidence WHERE evidence_id = 'fft-1'")} == {"RX1"}


@pytest.mark.parametrize(("option", "value"), [("--within", "3000000"), ("--within", "-1")])
def test_due_horizon_is_bounded(store: str, option: str, value: str) -> None:
    result = cli(store, "evidence", "due", "--org", "RX1", option, value)
    assert result.exit_code == 2 and not isinstance(result.exception, OverflowError), result.output


def test_extreme_years_are_refused_cleanly(store: str, tmp_path: Path) -> None:
    for start, end in (("0001-01-01", "0001-01-31"), ("9999-12-01", "9999-12-31"), ("1899-12-01", "1899-12-31")):
        item = {"kind": "fft_monthly", "id": f"f-{start}", "org": "RX1", "period_start": start, "period_end": end,
                "setting": "ae", "source": {"title": "T"}, "responses": 1, "eligible": 10,
                "recorded_at": f"{end}T00:00:00Z"}
        path = tmp_path / f"y{start}.json"
        path.write_text(json.dumps([item]), encoding="utf-8")
        result = cli(store, "evidence", "import", str(path), "--allow-future", "testing the range")
        _one_line_error(result, "invalid evidence")
    month = cli(store, "import", "fft", str(tmp_path / "y0001-01-01.json"), "--month", "9999-12", "--all")
    assert month.exit_code == 1 and isinstance(month.exception, SystemExit), month.output


# --- the store itself ----------------------------------------------------------------------------------------


def test_a_store_from_a_newer_pxrules_names_the_version(store: str) -> None:
    path = store.removeprefix("sqlite:///")
    dispose_engines()
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0099'")
        connection.execute("UPDATE pxrules_meta SET value = '9.9.9' WHERE key = 'pxrules_version'")
    for args in (["org", "list"], ["init"], ["audit", "verify"]):
        result = cli(store, *args)
        _one_line_error(result, "written by pxrules 9.9.9")
        assert "run `pxrules init`" not in result.output


def test_init_refuses_a_store_with_corrupt_pages(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    init_db(url)
    populate(url)
    dispose_engines()
    with sqlite3.connect(tmp_path / "c.db") as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray((tmp_path / "c.db").read_bytes())
    page = 4096
    for offset in range(3 * page, len(data) - page, page):
        data[offset : offset + 64] = b"\xa5" * 64  # scribble over the header of every page after the third
    (tmp_path / "c.db").write_bytes(bytes(data))
    result = cli(url, "init")
    assert result.exit_code == 1 and "database ready" not in result.output, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)


@pytest.mark.parametrize("suffix", ["?mode=ro", "?immutable=1", "-uri"])
def test_init_on_a_read_only_url_creates_no_file(tmp_path: Path, suffix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    url = "sqlite:///file:q.db?mode=ro" if suffix == "-uri" else f"sqlite:///q.db{suffix}"
    result = cli(url, "init")
    assert result.exit_code == 1 and "read-only" in result.output, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == []


READS = [
    ["audit", "verify"], ["org", "list"], ["evidence", "list"], ["evidence", "show", "fft-1"], ["audit", "log"],
    ["explain", "10A", "--org", "RX1"], ["trend", "--org", "RX1"], ["assess", "--verify", "{assessment}"],
    ["evidence", "due", "--org", "RX1", "--as-of", "2025-07-01"],
]


@pytest.mark.parametrize("option", ["mode=ro", "immutable=1"])
def test_read_only_use_works(store: str, tmp_path: Path, option: str) -> None:
    assert cli(store, "assess", "--org", "RX1", "--as-of", "2025-07-01").exit_code == 0
    assessment = str(max(r[0] for r in query(store, "SELECT id FROM assessment")))
    dispose_engines()
    path = Path(store.removeprefix("sqlite:///"))
    before = path.read_bytes()
    ro = f"sqlite:///file:{path}?{option}"
    for args in READS:
        result = cli(ro, *[a.format(assessment=assessment) for a in args])
        assert result.exit_code == 0, (args, result.output)
    writes = ((tmp_path / "b.json", ["audit", "export"]), (tmp_path / "r.html", ["report", "--org", "RX1", "-o"]))
    for out, args in writes:
        result = cli(ro, *args, str(out))
        assert result.exit_code == 0 and out.exists(), (args, result.output)
    write = cli(ro, "org", "add", "RX5", "--name", "T", "--type", "acute")
    assert write.exit_code == 1 and isinstance(write.exception, SystemExit) and "readonly" in write.output
    dispose_engines()
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through chmod 444; mode=ro above covers it")
def test_a_read_only_file_is_readable(store: str) -> None:  # pragma: no cover - CI runs as root
    path = Path(store.removeprefix("sqlite:///"))
    dispose_engines()
    path.chmod(0o444)
    try:
        assert cli(store, "audit", "verify").exit_code == 0
        assert cli(store, "evidence", "list").exit_code == 0
    finally:
        path.chmod(0o644)


def test_every_import_command_takes_allow_future() -> None:
    """Dates after today are refused by every importer, so every import command can say why they are allowed."""
    import typer.main

    from cli.import_cmd import app as import_app

    commands = typer.main.get_command(import_app).commands  # type: ignore[attr-defined]
    assert len(commands) >= 6
    missing = [name for name, command in commands.items()
               if "allow_future" not in {p.name for p in command.params}]
    assert missing == []
