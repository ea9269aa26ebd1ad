"""`pxrules demo`: a fresh store with evidence, self-assessments on several dates, four assessments, a real
trust's complaints alongside, and the HTML report - quickly, and never over an existing demo."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.demo import DB_NAME, DEMO_ORG, REPORT_NAME, default_folder


def test_demo_builds_store_and_report(tmp_path: Path) -> None:
    folder = tmp_path / "demo"
    started = time.perf_counter()
    result = CliRunner().invoke(app, ["demo", "--dir", str(folder), "--json"])
    elapsed = time.perf_counter() - started
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert Path(data["report"]) == (folder / REPORT_NAME).resolve() and (folder / DB_NAME).is_file()
    assert data["assessments"] == ["2025-03-31", "2025-09-30", "2026-03-31", "2026-09-30"]
    assert len(data["self_assessments"]) >= 3
    flags = data["flags"]
    assert sum(flags.values()) == 57 and flags["over-claim"] >= 1 and flags["under-claim"] >= 1
    assert data["trend"]["dates"] == data["assessments"]
    overall = data["trend"]["overall"]["suggested"]
    assert len(overall) == 4 and overall[-1] > overall[0]
    assert data["sections"][0]["key"] == "leadership" and len(data["sections"]) == 6
    if data["complaints_alongside"] is not None:
        c = data["complaints_alongside"]
        assert (
            c["demo"]["code"] == DEMO_ORG and c["real"]["code"] != DEMO_ORG and 0 < c["peer_upheld_share"] < 1
        )
    html = Path(data["report"]).read_text(encoding="utf-8")
    assert html.count('data-sub="') == 57 and "Fictional Valley Hospitals" in html
    assert elapsed < 60, f"demo took {elapsed:.1f} s"
    account = data["account"]
    if account is not None:  # the web extra is installed: an account to open the demo in a browser
        from pxrules.accounts.signin import sign_in
        from pxrules.store.db import unit_of_work

        with unit_of_work(data["database"]) as session:
            assert sign_in(session, account["email"], account["password"], client="test").user is not None

    url = data["database"]
    result = CliRunner().invoke(app, ["--db", url, "self-assess", "list", "--org", DEMO_ORG, "--json"])
    assert result.exit_code == 0, result.output
    assert [s["as_of"] for s in json.loads(result.output)] == data["self_assessments"]
    result = CliRunner().invoke(app, ["--db", url, "compare", "--org", DEMO_ORG, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["totals"]["flags"] == flags

    again = CliRunner().invoke(app, ["demo", "--dir", str(folder)])
    assert again.exit_code == 1 and "already exists" in again.output


def test_demo_text_output_and_default_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert default_folder().parent == tmp_path and default_folder().name.startswith("pxrules-demo-")
    result = CliRunner().invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    made = list(tmp_path.glob("pxrules-demo-*"))
    assert len(made) == 1 and (made[0] / REPORT_NAME).is_file()
    for words in ("Scores by section", "over-claims", "Trend (mean suggested)", "Report:"):
        assert words in result.output, result.output
