"""No output over an input: every command that writes a file refuses the store, an input, a folder and an
existing file (without --force), writes atomically, and leaves no temporary file behind on any failure."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from audit_support import cli, populate, snapshot

from pxrules.common.output_file import OutputRefused, check_output, write_output
from pxrules.errors import PxRulesError
from pxrules.store.db import dispose_engines, init_db


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'x.db'}"
    init_db(url)
    populate(url)
    assert cli(url, "assess", "--org", "RX1", "--as-of", "2025-07-01").exit_code == 0
    yield url
    dispose_engines()


# (command that writes FILE, the suffix it needs)
WRITERS: list[tuple[list[str], str]] = [
    (["audit", "export", "{file}"], ".json"),
    (["report", "--org", "RX1", "-o", "{file}"], ".html"),
    (["report", "--org", "RX1", "--format", "md", "-o", "{file}"], ".md"),
    (["report", "--org", "RX1", "--format", "xlsx", "-o", "{file}"], ".xlsx"),
    (["self-assess", "template", "--org", "RX1", "-o", "{file}"], ".csv"),
    (["self-assess", "template", "--org", "RX1", "-o", "{file}"], ".xlsx"),
    (["self-assess", "export", "--org", "RX1", "-o", "{file}"], ".csv"),
]
IDS = [f"{' '.join(c[:2])}{s}" for c, s in WRITERS]


def _run(url: str, command: list[str], file: Path, *extra: str) -> object:
    return cli(url, *[a.format(file=file) for a in command], *extra)


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp" in p.name)


@pytest.mark.parametrize(("command", "suffix"), WRITERS, ids=IDS)
@pytest.mark.parametrize("companion", ["", "-wal", "-shm", "-journal"])
def test_no_command_writes_over_the_store(store: str, tmp_path: Path, command: list[str], suffix: str,
                                          companion: str) -> None:
    # The store is named with the writer's own suffix, so only the path check can stop it.
    url = f"sqlite:///{tmp_path / ('s' + suffix)}"
    init_db(url)
    populate(url)
    target = tmp_path / f"s{suffix}{companion}"
    before = target.read_bytes() if target.exists() else None
    result = _run(url, command, target, "--force")
    assert result.exit_code == 1, result.output
    # (self-assess refuses a "-wal" name by its suffix already; the store check stands behind that)
    assert "it is the store" in result.output or "unsupported file type" in result.output, result.output
    assert (target.read_bytes() if target.exists() else None) == before
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(("command", "suffix"), WRITERS, ids=IDS)
def test_links_to_the_store_are_the_store(store: str, tmp_path: Path, command: list[str], suffix: str) -> None:
    database = tmp_path / "x.db"
    before = snapshot(store)
    for link in (tmp_path / f"hard{suffix}", tmp_path / f"soft{suffix}"):
        if link.name.startswith("hard"):
            os.link(database, link)
        else:
            link.symlink_to(database)
        result = _run(store, command, link, "--force")
        assert result.exit_code == 1 and "it is the store" in result.output, result.output
    assert snapshot(store) == before


@pytest.mark.parametrize(("command", "suffix"), WRITERS, ids=IDS)
def test_an_existing_file_needs_force(store: str, tmp_path: Path, command: list[str], suffix: str) -> None:
    target = tmp_path / f"out{suffix}"
    target.write_bytes(b"precious")
    refused = _run(store, command, target)
    assert refused.exit_code == 1 and "already exists" in refused.output and "--force" in refused.output
    assert target.read_bytes() == b"precious"
    replaced = _run(store, command, target, "--force")
    assert replaced.exit_code == 0, replaced.output
    assert target.read_bytes() != b"precious"
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(("command", "suffix"), WRITERS, ids=IDS)
def test_a_folder_is_refused(store: str, tmp_path: Path, command: list[str], suffix: str) -> None:
    folder = tmp_path / f"dir{suffix}"
    folder.mkdir()
    result = _run(store, command, folder, "--force")
    assert result.exit_code == 1 and "folder" in result.output, result.output


def test_schemas_export_leaves_identical_files_and_needs_force_for_others(tmp_path: Path) -> None:
    first = cli("sqlite:///unused.db", "schemas", "export", "--dir", str(tmp_path))
    assert first.exit_code == 0, first.output
    assert cli("sqlite:///unused.db", "schemas", "export", "--dir", str(tmp_path)).exit_code == 0
    (tmp_path / "benchmark.schema.json").write_text("{}", encoding="utf-8")
    refused = cli("sqlite:///unused.db", "schemas", "export", "--dir", str(tmp_path))
    assert refused.exit_code == 1 and "--force" in refused.output
    assert (tmp_path / "benchmark.schema.json").read_text(encoding="utf-8") == "{}"
    assert cli("sqlite:///unused.db", "schemas", "export", "--dir", str(tmp_path), "--force").exit_code == 0
    assert (tmp_path / "benchmark.schema.json").read_text(encoding="utf-8") != "{}"
    assert not (Path.cwd() / "unused.db").exists()


def test_an_input_is_refused_as_output(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("x", encoding="utf-8")
    with pytest.raises(OutputRefused, match="it is an input"):
        check_output(tmp_path / "sub" / ".." / "in.csv", inputs=[source], force=True)
    with pytest.raises(OutputRefused, match="give a file name"):
        check_output(Path(".."))


def _enospc_after(partial: bytes) -> Callable[[Path], None]:
    def write(temp: Path) -> None:
        temp.write_bytes(partial)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    return write


@pytest.mark.parametrize("force", [False, True])
def test_a_full_disk_leaves_no_temporary_file_and_the_old_file_whole(tmp_path: Path, force: bool) -> None:
    target = tmp_path / "report.html"
    if force:
        target.write_bytes(b"old report")
    with pytest.raises(PxRulesError, match="No space left on device"):
        write_output(target, _enospc_after(b"half a rep"), force=force)
    assert _leftovers(tmp_path) == []
    assert (target.read_bytes() == b"old report") if force else not target.exists()


def test_a_full_disk_during_audit_export(store: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_dump = json.dump

    def dump_then_fail(obj: object, handle: object, **kw: object) -> None:
        real_dump({"partial": True}, handle)  # type: ignore[arg-type]
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(json, "dump", dump_then_fail)
    result = cli(store, "audit", "export", str(tmp_path / "bundle.json"))
    assert result.exit_code == 1
    assert "No space left on device" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.db", "x.db-shm", "x.db-wal"] or _leftovers(tmp_path) == []
    assert not (tmp_path / "bundle.json").exists()


def test_a_failing_writer_of_any_kind_cleans_up(tmp_path: Path) -> None:
    def boom(temp: Path) -> None:
        temp.write_bytes(b"x")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_output(tmp_path / "a.md", boom)
    assert list(tmp_path.iterdir()) == []
