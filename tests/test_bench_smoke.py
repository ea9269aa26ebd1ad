"""`python -m bench --quick --dry-run`: the benchmark harness runs end to end at tiny sizes (nothing is timed)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("assess_one_ms", "assess_one_cli_s", "batch_assessments", "batch_s", "batch_peak_rss_mb",
            "help_s", "durable_over_reference", "zen_over_reference")


@pytest.mark.slow
def test_bench_dry_run_writes_every_figure(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--dry-run", "--out", str(out), "--cache", str(tmp_path / "cache"),
         "--work", str(tmp_path / "work")],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))
    for key in REQUIRED:
        assert isinstance(results[key], int | float) and results[key] > 0, (key, results.get(key))
    assert results["batch_assessments"] == results["batch_expected"] == results["batch_in_store"] == 6
    assert results["zen_disagreements"] == 0
    assert "durable / reference evaluator" in done.stdout and "written to" in done.stdout
