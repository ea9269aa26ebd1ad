"""The committed JSON Schemas match the models, and every valid item validates against its schema."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker
from strategies_evidence import evidence_items
from typer.testing import CliRunner

from cli.main import app
from pxrules.evidence import KINDS, Evidence
from pxrules.evidence.schema import all_schemas, schema_drift
from pxrules.paths import schemas_dir


@cache
def validator(name: str) -> Draft202012Validator:
    schema = json.loads(all_schemas()[f"{name}.schema.json"])
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def test_committed_schemas_match_the_models() -> None:
    drift = schema_drift(schemas_dir())
    assert drift == [], f"evidence_schemas/ is stale: {drift}; run `pxrules schemas export`"


def test_export_writes_one_schema_per_kind_plus_the_union_deterministically(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["schemas", "export", "--dir", str(tmp_path / "s"), "--json"])
    assert result.exit_code == 0, result.output
    files = json.loads(result.stdout)["files"]
    assert sorted(files) == sorted([f"{k}.schema.json" for k in KINDS] + ["evidence.schema.json"])
    first = {p.name: p.read_bytes() for p in (tmp_path / "s").iterdir()}
    again = runner.invoke(app, ["schemas", "export", "--dir", str(tmp_path / "s")])
    assert again.exit_code == 0, again.output
    assert {p.name: p.read_bytes() for p in (tmp_path / "s").iterdir()} == first
    assert schema_drift(tmp_path / "s") == []
    (tmp_path / "s" / "fft_monthly.schema.json").write_text("{}\n", encoding="utf-8")
    (tmp_path / "s" / "retired.schema.json").write_text("{}\n", encoding="utf-8")
    assert schema_drift(tmp_path / "s") == [
        "fft_monthly.schema.json (differs from the models)",
        "retired.schema.json (not a kind any more)",
    ]


def test_schemas_are_valid_draft_2020_12_and_reject_bad_items() -> None:
    item = {
        "kind": "fft_monthly",
        "id": "f",
        "org": "RX1",
        "period_start": "2025-01-01",
        "source": {"title": "FFT"},
        "setting": "ae",
    }
    for name in ("fft_monthly", "evidence"):
        assert validator(name).is_valid(item)
        assert not validator(name).is_valid({**item, "percentage_positive": 140})
        assert not validator(name).is_valid({**item, "responses": -1})
        assert not validator(name).is_valid({**item, "unknown_field": 1})
    assert not validator("evidence").is_valid({**item, "kind": "nope"})


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_every_valid_item_validates_against_its_schema(kind: str, data: st.DataObject) -> None:
    item: Evidence = data.draw(evidence_items(kind))
    dumped = item.model_dump(mode="json")
    errors = [e.message for e in validator(kind).iter_errors(dumped)]
    assert errors == [], f"{kind} item {dumped} fails its schema: {errors}"
    assert validator("evidence").is_valid(dumped)
    assert type(item).model_validate_json(item.model_dump_json()) == item
