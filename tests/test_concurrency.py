"""Several processes importing and assessing at once lose nothing and never fork the audit chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from audit_support import query, verify_json

from pxrules.audit.verify import verify_store
from pxrules.store import repo
from pxrules.store.db import unit_of_work

WORKERS = 4
OPERATIONS = 30  # each: 20 imports of two items (one shared by all workers) and 10 assessments
WORKER = Path(__file__).resolve().parent / "concurrency_worker.py"
ROOT = WORKER.parent.parent


def test_concurrent_writers_lose_nothing_and_keep_one_chain(db_url: str, tmp_path: Path) -> None:
    with unit_of_work(db_url) as session:
        repo.add_org("RX1", "Test Trust", "acute", session=session, by="setup")
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, str(WORKER), db_url, "{worker}", str(OPERATIONS), str(go)]
    processes = [
        subprocess.Popen([part.format(worker=worker) for part in command], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, cwd=ROOT, env=env)
        for worker in range(WORKERS)
    ]
    go.touch()
    results = []
    for process in processes:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, err[-3000:]
        results.append(json.loads(out.strip().splitlines()[-1]))

    imports = OPERATIONS - OPERATIONS // 3
    assessments = OPERATIONS // 3
    shared_ids = sorted({n for n in range(OPERATIONS) if n % 3 != 2})
    assert sum(r["org_added"] for r in results) == 1 and sum(r["org_taken"] for r in results) == WORKERS - 1
    assert sum(r["new"] for r in results) == WORKERS * imports + len(shared_ids), results
    assert sum(r["unchanged"] for r in results) == (WORKERS - 1) * len(shared_ids), results
    assert sum(r["assessments"] for r in results) == WORKERS * assessments

    counts = dict(query(db_url, "SELECT kind, COUNT(*) FROM evidence GROUP BY kind"))
    assert counts == {"fft_monthly": WORKERS * imports + len(shared_ids)}
    assert query(db_url, "SELECT COUNT(*) FROM assessment")[0][0] == WORKERS * assessments
    assert query(db_url, "SELECT COUNT(*) FROM assessment_score")[0][0] == WORKERS * assessments * 57
    seqs = [row[0] for row in query(db_url, "SELECT seq FROM audit_event ORDER BY seq")]
    # genesis + 2 organisations + one event per import that stored something + the rule pack's first use
    # + one per assessment
    expected_events = 1 + 2 + WORKERS * imports + 1 + WORKERS * assessments
    assert seqs == list(range(1, expected_events + 1))
    report = verify_store(db_url)
    assert report.ok, report.problems[:5]
    code, data = verify_json(db_url)
    assert code == 0 and data["events"] == expected_events, data
