"""Measures you can find: each name written once where it is registered, prefixed by its module's name,
described by `pxrules measures`, and the rules README's key table made from the registry."""

from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path

from typer.testing import CliRunner

from cli.main import app
from pxrules.measures import MEASURES
from pxrules.measures.describe import key_table, with_key_table
from pxrules.rules.pack import default_rulepack, measure_readers

ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _string_constants() -> Counter[tuple[str, str]]:
    """(file, string) for every plain string constant in pxrules' source (f-string pieces are not names)."""
    found: Counter[tuple[str, str]] = Counter()
    for path in sorted((ROOT / "pxrules").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        pieces = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for v in node.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in pieces:
                found[(path.relative_to(ROOT).as_posix(), node.value)] += 1
    return found


def test_every_measure_name_is_written_once_in_a_module_named_by_its_prefix() -> None:
    constants = _string_constants()
    for name in MEASURES:
        places = {file: n for (file, text), n in constants.items() if text == name}
        assert places == {f"pxrules/measures/{name.split('.')[0]}.py": 1}, f"{name}: written in {places}"


def test_rules_readme_key_table_is_made_from_the_registry() -> None:
    readme = (ROOT / "rules" / "README.md").read_text(encoding="utf-8")
    assert with_key_table(readme) == readme, "stale: run python -m pxrules.measures.describe"
    table = key_table()
    # What the traced measures read, named where people look for conventions.
    assert "| `document.doc_type` |" in table and "px_strategy" in table
    assert "fft.response_rate.&lt;...&gt;" in table
    assert "sdm_audit" in table.split("`staff_process.process`")[1].split("\n")[0]


def test_measure_readers_names_the_sub_requirements_whose_rules_test_it() -> None:
    readers = measure_readers(default_rulepack())
    assert readers["fft.national_rate_share_6m"] == ("12C",)
    assert set(readers) <= set(MEASURES)


def test_measures_show_json_gives_meaning_unit_kinds_fields_window_and_rules() -> None:
    result = runner.invoke(app, ["measures", "show", "fft.national_rate_share_6m", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["type"] == "number" and data["unit"] == "share"
    assert data["kinds"] == ["fft_monthly", "benchmark"]
    assert {"responses", "eligible", "setting"} <= set(data["fields"]["fft_monthly"])
    assert "fft_monthly: current items" in data["windows"]
    assert data["rules"] == ["12C"]
    assert data["keys"] == {"benchmark.measure": ["fft.response_rate.<...>"]}


def test_measures_show_a_windowed_measure_names_its_window() -> None:
    result = runner.invoke(app, ["measures", "show", "complaints.ack_3wd_share_prev12m", "--json"])
    assert result.exit_code == 0, result.output
    windows = json.loads(result.output)["windows"]
    assert any("ending 12 months before" in w for w in windows), windows


def test_measures_list_json_covers_the_registry_and_plain_text_shows_a_table() -> None:
    result = runner.invoke(app, ["measures", "list", "--json"])
    assert result.exit_code == 0, result.output
    assert [m["name"] for m in json.loads(result.output)] == sorted(MEASURES)
    plain = runner.invoke(app, ["measures", "list", "--prefix", "attestation."], terminal_width=200)
    assert plain.exit_code == 0 and "attestation.10d" in plain.output and "57 measures" in plain.output


def test_an_unknown_measure_is_one_line_and_exit_1() -> None:
    result = runner.invoke(app, ["measures", "show", "strategy.stag"])
    assert result.exit_code == 1
    assert "no measure named 'strategy.stag'" in result.output and "strategy.stage" in result.output
    assert "Traceback" not in result.output
