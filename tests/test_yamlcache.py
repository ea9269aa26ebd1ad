"""The parsed-YAML cache behind the rule pack: used when warm, never stale, and harmless when broken."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pxrules.evidence.io import read_evidence_sources
from pxrules.paths import examples_dir, rules_dir
from pxrules.rules import yaml_cache as yamlcache
from pxrules.rules.catalogue import _load_cached
from pxrules.rules.pack import RulePack, load_rulepack
from pxrules.rules.yaml_parse import safe_load
from pxrules.scoring.assess import assess

BUNDLED_1A = "A patient experience strategy exists, at least in draft."


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private, empty cache folder (and a fresh process-wide cache object, as in a new process)."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("PXRULES_CACHE_DIR", str(folder))
    monkeypatch.setattr(yamlcache, "_SHARED", None)
    return folder


@pytest.fixture
def pack_root(tmp_path: Path) -> Path:
    """A copy of the bundled rule pack that a test may edit."""
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root, ignore=shutil.ignore_patterns("*.test.yaml", "*.py", "*.md"))
    return root


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str | bytes]]:
    """Every text the cache had to parse (a cache hit parses nothing)."""
    seen: list[str | bytes] = []

    def counting(text: str | bytes) -> Any:
        seen.append(text)
        return safe_load(text)

    monkeypatch.setattr(yamlcache, "parse", counting)
    yield seen


def _new_process(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlcache, "_SHARED", None)
    _load_cached.cache_clear()


def _parsed(pack: RulePack) -> tuple[Any, ...]:
    # Everything read from the rule files (measures_hash is of the measure code, not the pack).
    return pack.root, pack.hash, pack.catalogue_version, pack.files


def _scores(pack: RulePack) -> dict[str, Any]:
    folder = examples_dir() / "demo" / "evidence"
    items = [s.item for s in read_evidence_sources(sorted(folder.glob("*.yaml")))]
    return assess("ZZ9", dt.date(2026, 3, 31), items, pack=pack).to_json()


def test_round_trip_keeps_every_type() -> None:
    value = {
        "levels": {1: [{"because": "x", "when": {"a.b": {"gte": 1.5}}}], 2: {"c": True}},
        "odd keys": {True: 1, None: 2, 2.5: 3, "s": 4},
        yamlcache.PAIRS: "a key that looks like the marker",
        "scalars": [0, -0.0, 10**30, math.inf, -math.inf, None, False, "é \ud800", ""],
        "empty": [{}, []],
    }
    encoded = yamlcache.encode(value)
    assert encoded is not None
    back = yamlcache.decode(encoded)
    assert back == value
    assert list(back["levels"]) == [1, 2] and list(back["odd keys"]) == [True, None, 2.5, "s"]
    assert type(back["levels"][1][0]["when"]["a.b"]["gte"]) is float
    assert [type(v) for v in back["scalars"]] == [type(v) for v in value["scalars"]]
    assert math.copysign(1, back["scalars"][1]) == -1
    nan = yamlcache.decode(yamlcache.encode([math.nan]) or "")
    assert math.isnan(nan[0])


@pytest.mark.parametrize("text", [
    "day: 2024-01-01",                 # a date
    "s: !!set {a, b}",                 # a set
    "b: !!binary aGVsbG8=",            # bytes
    "a: &x [1, 2]\nb: *x",             # one list under two keys (an alias)
])
def test_data_json_cannot_carry_exactly_is_not_cached(text: str) -> None:
    assert yamlcache.encode(safe_load(text)) is None


def test_alias_bombs_are_not_expanded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    assert yamlcache.encode(safe_load("\n".join(lines))) is None


def test_a_second_load_parses_nothing(cache: Path, pack_root: Path, parses: list[str | bytes],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_rulepack(pack_root)
    assert len(parses) == 58  # 57 rule files and the catalogue
    assert (cache / yamlcache.FILE_NAME).is_file()

    _new_process(monkeypatch)
    parses.clear()
    second = load_rulepack(pack_root)
    assert parses == []
    assert _parsed(second) == _parsed(first)


def test_results_are_identical_with_and_without_the_cache(cache: Path, pack_root: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    load_rulepack(pack_root)
    _new_process(monkeypatch)
    cached = load_rulepack(pack_root)

    monkeypatch.setenv("PXRULES_CACHE_DIR", str(cache / yamlcache.FILE_NAME / "not-a-folder"))
    _new_process(monkeypatch)
    uncached = load_rulepack(pack_root)

    assert _parsed(cached) == _parsed(uncached)
    assert cached.hash == uncached.hash
    assert _scores(cached) == _scores(uncached)


def test_an_edited_rule_file_is_parsed_again(cache: Path, pack_root: Path, parses: list[str | bytes],
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    before = load_rulepack(pack_root)
    rule_file = pack_root / "1-leadership" / "1A.yaml"
    text = rule_file.read_text(encoding="utf-8")
    assert BUNDLED_1A in text
    rule_file.write_text(text.replace(BUNDLED_1A, "A strategy exists."), encoding="utf-8")

    _new_process(monkeypatch)
    parses.clear()
    after = load_rulepack(pack_root)

    assert parses == [rule_file.read_text(encoding="utf-8")]
    assert after.hash != before.hash
    assert after.for_sub("1A").rules[0].because == "A strategy exists."
    firings = {s["id"]: s["firings"] for s in _scores(after)["scores"]}
    assert "A strategy exists." in json.dumps(firings["1A"])
    assert _scores(after) != _scores(before)


def test_a_corrupt_cache_file_is_ignored_and_replaced(cache: Path, pack_root: Path, parses: list[str | bytes],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_rulepack(pack_root)
    path = cache / yamlcache.FILE_NAME
    for garbage in (b"\x00\xff not json", b'{"format": 1, "entries": [1, 2]}', b"[]", b""):
        path.write_bytes(garbage)
        _new_process(monkeypatch)
        parses.clear()
        assert _parsed(load_rulepack(pack_root)) == _parsed(expected)
        assert len(parses) == 58
    _new_process(monkeypatch)
    parses.clear()
    assert _parsed(load_rulepack(pack_root)) == _parsed(expected)
    assert parses == []


def test_a_corrupt_entry_is_parsed_again(cache: Path, pack_root: Path, parses: list[str | bytes],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_rulepack(pack_root)
    path = cache / yamlcache.FILE_NAME
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"] = dict.fromkeys(data["entries"], '{"\\u0000pairs": 7}')
    path.write_text(json.dumps(data), encoding="utf-8")
    _new_process(monkeypatch)
    parses.clear()
    assert _parsed(load_rulepack(pack_root)) == _parsed(expected)
    assert len(parses) == 58


def test_an_unwritable_cache_folder_is_harmless(tmp_path: Path, pack_root: Path, parses: list[str | bytes],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_rulepack(pack_root)
    (tmp_path / "a-file").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("PXRULES_CACHE_DIR", str(tmp_path / "a-file" / "pxrules"))
    for _ in range(2):
        _new_process(monkeypatch)
        parses.clear()
        assert _parsed(load_rulepack(pack_root)) == _parsed(expected)
        assert len(parses) == 58


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0, reason="needs a POSIX user who is not root")
def test_a_read_only_cache_folder_is_harmless(tmp_path: Path, pack_root: Path, parses: list[str | bytes],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    expected = load_rulepack(pack_root)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    monkeypatch.setenv("PXRULES_CACHE_DIR", str(locked / "pxrules"))
    try:
        for _ in range(2):
            _new_process(monkeypatch)
            parses.clear()
            assert _parsed(load_rulepack(pack_root)) == _parsed(expected)
            assert len(parses) == 58
    finally:
        locked.chmod(0o700)


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() == 0, reason="needs a POSIX user who is not root")
def test_a_read_only_cache_file_is_still_read(cache: Path, pack_root: Path, parses: list[str | bytes],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    load_rulepack(pack_root)
    (cache / yamlcache.FILE_NAME).chmod(0o400)
    cache.chmod(0o500)
    try:
        _new_process(monkeypatch)
        parses.clear()
        load_rulepack(pack_root)
        assert parses == []
    finally:
        cache.chmod(0o700)


def test_a_cache_others_may_write_is_not_trusted(cache: Path, pack_root: Path, parses: list[str | bytes],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    load_rulepack(pack_root)
    (cache / yamlcache.FILE_NAME).chmod(0o666)
    _new_process(monkeypatch)
    parses.clear()
    load_rulepack(pack_root)
    assert len(parses) == 58


def test_the_cache_is_bounded(cache: Path, parses: list[str | bytes], monkeypatch: pytest.MonkeyPatch) -> None:
    store = yamlcache.shared()
    last = 3 * yamlcache.MAX_ENTRIES - 1
    for i in range(last + 1):
        store.load(f"n: {i}")
    store.save()
    entries = json.loads((cache / yamlcache.FILE_NAME).read_text(encoding="utf-8"))["entries"]
    assert len(entries) == yamlcache.MAX_ENTRIES
    _new_process(monkeypatch)
    parses.clear()
    assert yamlcache.shared().load(f"n: {last}") == {"n": last}
    assert parses == []


def test_yaml_errors_are_raised_as_before(cache: Path) -> None:
    import yaml

    for text in ("a: [1, 2", "a: b: c"):
        with pytest.raises(yaml.YAMLError) as fresh:
            safe_load(text)
        with pytest.raises(yaml.YAMLError) as cached:
            yamlcache.shared().load(text)
        assert str(cached.value) == str(fresh.value)


def test_where_the_cache_lives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PXRULES_CACHE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert yamlcache.cache_dir() == tmp_path / "home" / ".cache" / "pxrules"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")
    assert yamlcache.cache_dir() == tmp_path / "home" / ".cache" / "pxrules"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert yamlcache.cache_dir() == tmp_path / "xdg" / "pxrules"
    monkeypatch.setenv("PXRULES_CACHE_DIR", str(tmp_path / "mine"))
    assert yamlcache.cache_dir() == tmp_path / "mine"


def test_a_warm_pack_load_does_not_import_pyyaml(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "PXRULES_CACHE_DIR": str(tmp_path / "cache")}
    code = ("import sys; from pxrules.rules.pack import load_rulepack; load_rulepack(); "
            "print('yaml' in sys.modules)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
            for _ in range(2)]
    assert [r.stdout.strip() for r in runs] == ["True", "False"]
