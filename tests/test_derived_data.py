"""Derived data cannot change a stored score: the measure cache and the parsed-YAML cache are gone, and what
either left behind (a `measure_cache` table, a `yaml-v1.json` file, edited or malformed) is never read."""

from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from typer.testing import CliRunner

from cli.main import app
from pxrules.evidence.io import read_evidence_sources
from pxrules.paths import examples_dir, rules_dir
from pxrules.rules.pack import load_rulepack
from pxrules.scoring.assess import assess
from pxrules.store.db import make_engine, unit_of_work
from pxrules.store.repo import add_org, store_evidence

ORG = "ZZ9"
AS_OF = "2026-03-31"
runner = CliRunner()


@pytest.fixture(scope="module")
def demo() -> list[Any]:
    folder = examples_dir() / "demo" / "evidence"
    return [s.item for s in read_evidence_sources(sorted(folder.glob("*.yaml")))]


@pytest.fixture
def demo_url(db_url: str, demo: list[Any]) -> str:
    with unit_of_work(db_url) as session:
        add_org(ORG, "Fictional Valley Hospitals NHS Trust (demo)", "acute", session=session, by="tester")
        store_evidence(demo, session=session, by="tester")
    return db_url


def _assess(url: str) -> dict[str, int]:
    result = runner.invoke(app, ["--db", url, "assess", "--org", ORG, "--as-of", AS_OF, "--json"])
    assert result.exit_code == 0, result.output
    return {s["id"]: s["suggested"] for s in json.loads(result.output)["scores"]}


def _leftover_measure_cache(url: str, rows: list[dict[str, Any]]) -> None:
    """A `measure_cache` table as revision 0003 made it, holding `rows` (a stale or hostile leftover)."""
    table = sa.Table("measure_cache", sa.MetaData(), sa.Column("org", sa.String(12), primary_key=True),
                     sa.Column("as_of", sa.Date(), primary_key=True), sa.Column("code_version", sa.String(64)),
                     sa.Column("payload", sa.LargeBinary()), sa.Column("updated_at", sa.DateTime(timezone=True)))
    engine = make_engine(url)
    table.create(engine)
    with engine.begin() as connection:
        connection.execute(sa.insert(table), rows)


def test_the_store_keeps_no_measure_cache(db_url: str) -> None:
    assert not sa.inspect(make_engine(db_url)).has_table("measure_cache")


def test_a_poisoned_or_malformed_measure_cache_row_changes_no_score(demo_url: str, demo: list[Any]) -> None:
    import datetime as dt
    import zlib

    cold = {s.id: s.suggested for s in assess(ORG, dt.date.fromisoformat(AS_OF), demo).scores}
    # What issue 17's attack wrote: a row naming the level-5 rule of 10D as fired, in the cache's own format,
    # beside rows that are not even readable.
    fired = {"format": 4, "groups": [], "scores": {"10D": ["0" * 64, ["10D.L5.a"]]}}
    now = dt.datetime.now(dt.UTC)
    _leftover_measure_cache(demo_url, [
        {"org": ORG, "as_of": dt.date.fromisoformat(AS_OF), "code_version": "x" * 64,
         "payload": zlib.compress(json.dumps(fired).encode()), "updated_at": now},
        {"org": ORG, "as_of": dt.date(2025, 9, 30), "code_version": "x", "payload": b"\x00garbage", "updated_at": now},
    ])
    scores = _assess(demo_url)
    assert scores == cold
    assert scores["10D"] != 5 or cold["10D"] == 5


def test_upgrading_a_store_drops_its_measure_cache(store_url: str) -> None:
    from alembic import command

    from pxrules.store.db import _alembic_config, init_db

    config = _alembic_config(store_url)
    with make_engine(store_url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    assert sa.inspect(make_engine(store_url)).has_table("measure_cache")
    init_db(store_url)
    assert not sa.inspect(make_engine(store_url)).has_table("measure_cache")


def _old_yaml_cache_poisoned_for(path: Path, folder: Path) -> None:
    """Write, where the parsed-YAML cache used to live, an entry for `path` with its level-5 thresholds
    lowered, in that cache's own format (so code that still read it would be fooled)."""
    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    for alternative in data["levels"][5]:
        for condition in alternative["when"].values():
            for op in condition:
                condition[op] = 0 if op in ("gte", "gt") else condition[op]
    spec = importlib.util.find_spec("yaml")
    assert spec is not None and spec.origin is not None
    info = Path(spec.origin).stat()
    parser = f"{spec.origin}:{info.st_size}:{info.st_mtime_ns}"
    key = hashlib.sha256(b"s" + text.encode("utf-8", "surrogatepass")).hexdigest()
    pairs = {"\x00pairs": [[level, alternatives] for level, alternatives in data["levels"].items()]}
    encoded = json.dumps({**data, "levels": pairs})
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    (folder / "yaml-v1.json").write_text(json.dumps({"format": 1, "parser": parser, "entries": {key: encoded}}))
    (folder / "yaml-v1.json").chmod(0o600)


def test_an_edited_yaml_cache_changes_no_rule_and_no_score(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           demo: list[Any]) -> None:
    import datetime as dt

    clean = load_rulepack(rules_dir())
    folder = tmp_path / "cache"
    _old_yaml_cache_poisoned_for(rules_dir() / "3-collecting-feedback" / "10D.yaml", folder)
    monkeypatch.setenv("PXRULES_CACHE_DIR", str(folder))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    again = load_rulepack(rules_dir())
    assert again.hash == clean.hash
    assert again.for_sub("10D").rules == clean.for_sub("10D").rules
    day = dt.date.fromisoformat(AS_OF)
    assert assess(ORG, day, demo, pack=again).score_map() == assess(ORG, day, demo, pack=clean).score_map()
