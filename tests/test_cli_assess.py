"""`pxrules assess`, `explain` and `rules ...` through the CLI, on the demo trust's evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.paths import examples_dir

runner = CliRunner()
DEMO_FILES = sorted(str(p) for p in (examples_dir() / "demo" / "evidence").glob("*.yaml"))


def run(url: str, *args: str) -> object:
    return runner.invoke(app, ["--db", url, "--by", "tester", *args])


@pytest.fixture
def demo_db(db_url: str) -> str:
    r = run(db_url, "org", "add", "ZZ9", "--name", "Fictional Valley Hospitals NHS Trust (demo)", "--type", "acute")
    assert r.exit_code == 0, r.output
    r = run(db_url, "evidence", "import", *DEMO_FILES)
    assert r.exit_code == 0, r.output
    return db_url


def test_assess_json_has_the_documented_shape(demo_db: str) -> None:
    r = run(demo_db, "assess", "--org", "ZZ9", "--as-of", "2026-03-31", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert {"organisation", "as_of", "rules_hash", "scores", "assessment_id", "evidence_ids"} <= set(data)
    assert data["organisation"] == "ZZ9" and data["as_of"] == "2026-03-31"
    assert len(data["scores"]) == 57
    for score in data["scores"]:
        assert {"id", "suggested", "because", "evidence", "next_level"} <= set(score) or \
            {"id", "suggested", "because", "evidence_ids", "next_level"} <= set(score), score.keys()
        assert 0 <= score["suggested"] <= 5 and score["because"], score
    assert len({s["suggested"] for s in data["scores"]}) >= 3


def test_assess_table_and_verify_round_trip(demo_db: str) -> None:
    r = run(demo_db, "assess", "--org", "ZZ9", "--as-of", "2025-09-30")
    assert r.exit_code == 0, r.output
    assert "Leadership (for patient focus)" in r.output and "12C" in r.output
    first = json.loads(run(demo_db, "assess", "--org", "ZZ9", "--as-of", "2025-09-30", "--json").output)
    r = run(demo_db, "assess", "--verify", str(first["assessment_id"]), "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["identical"] is True


def test_explain_names_rules_measures_evidence_and_next_level(demo_db: str) -> None:
    run(demo_db, "assess", "--org", "ZZ9", "--as-of", "2025-03-31")
    r = run(demo_db, "explain", "12C", "--org", "ZZ9", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["sub_requirement"] == "12C" and data["as_of"] == "2025-03-31"
    assert data["firings"] and data["measures"] and data["evidence"]
    assert all({"id", "kind", "period_start", "source"} <= set(e) for e in data["evidence"])
    assert data["next_level"]["sentences"], data["next_level"]
    text = run(demo_db, "explain", "12c", "--org", "ZZ9")
    assert text.exit_code == 0, text.output
    assert "response rate" in text.output and "To reach level" in text.output


def test_explain_without_an_assessment_is_a_clear_error(demo_db: str) -> None:
    r = run(demo_db, "explain", "12C", "--org", "ZZ9")
    assert r.exit_code == 1
    assert "no stored assessment" in r.output


def test_assess_unknown_org_is_a_clear_error(db_url: str) -> None:
    r = run(db_url, "assess", "--org", "NOPE1", "--as-of", "2026-03-31")
    assert r.exit_code == 1 and "NOPE1" in r.output, r.output


def test_rules_commands() -> None:
    r = runner.invoke(app, ["rules", "check", "--json"])
    assert r.exit_code == 0, r.output
    check = json.loads(r.output)
    assert check["files"] == 57 and len(check["rules_hash"]) == 64
    r = runner.invoke(app, ["rules", "list", "--json"])
    assert r.exit_code == 0, r.output
    listed = json.loads(r.output)
    assert {x["sub_requirement"] for x in listed["rules"]} == set(_ids())
    assert all(x["because"] and x["conditions"] for x in listed["rules"])


def test_rules_test_reports_full_level_coverage() -> None:
    r = runner.invoke(app, ["rules", "test", "--json", "--reference"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["failed"] == 0 and data["fully_covered"] == 57 and not data["uncovered_levels"]


def test_rules_test_fails_when_a_level_has_no_case(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    from pxrules.paths import rules_dir

    rules = tmp_path / "rules"
    shutil.copytree(rules_dir(), rules)
    cases = rules / "1-leadership" / "3A.test.yaml"
    kept = [block for block in cases.read_text(encoding="utf-8").split("\n  - name:") if "expect: 5" not in block]
    cases.write_text("\n  - name:".join(kept), encoding="utf-8")
    monkeypatch.setenv("PXRULES_RULES", str(rules))
    r = runner.invoke(app, ["rules", "test", "--reference"])
    assert r.exit_code == 1
    assert "UNCOVERED 3A" in r.output and "5" in r.output


def _ids() -> list[str]:
    from pxrules.rules.catalogue import load_catalogue

    return [s.id for s in load_catalogue().sub_requirements]


def test_verify_recomputes_from_the_register_as_it_stood(demo_db: str, tmp_path: Path) -> None:
    first = json.loads(run(demo_db, "assess", "--org", "ZZ9", "--as-of", "2026-03-31", "--json").output)
    later = tmp_path / "later.yaml"
    later.write_text(
        "- {kind: board_meeting, id: later-board-2026-03, org: ZZ9, period_start: 2026-03-20, patient_story: false,"
        " source: {title: Board papers March 2026 (late entry)}}\n", encoding="utf-8")
    assert run(demo_db, "evidence", "import", str(later)).exit_code == 0
    second = json.loads(run(demo_db, "assess", "--org", "ZZ9", "--as-of", "2026-03-31", "--json").output)
    assert second["evidence_ids"] != first["evidence_ids"] or second["scores"] != first["scores"]
    for assessment in (first, second):
        r = run(demo_db, "assess", "--verify", str(assessment["assessment_id"]), "--json")
        assert r.exit_code == 0, r.output
        assert json.loads(r.output)["identical"] is True
