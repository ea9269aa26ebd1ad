"""One writer process for test_concurrency: imports evidence and runs assessments on a shared store.

Usage: python concurrency_worker.py URL WORKER OPERATIONS GO_FILE. Waits for GO_FILE so every worker
starts writing at the same moment, then prints a JSON summary of what it did on its last line.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from pathlib import Path

from pxrules.errors import StoreError
from pxrules.evidence import parse_evidence
from pxrules.rules.pack import default_rulepack
from pxrules.scoring.stored import run_assessment
from pxrules.store import repo
from pxrules.store.db import unit_of_work


def item(id_: str, org: str, responses: int) -> object:
    return parse_evidence({
        "kind": "fft_monthly", "id": id_, "org": org, "period_start": "2025-01-01", "period_end": "2025-01-31",
        "source": {"title": "FFT"}, "setting": "ae", "responses": responses, "eligible": 100,
    })  # fmt: skip


def main(url: str, worker: int, operations: int, go: Path) -> dict[str, int]:
    default_rulepack()  # load before the start line, so workers really overlap
    deadline = time.monotonic() + 120
    while not go.exists():
        if time.monotonic() > deadline:
            raise SystemExit("start file never appeared")
        time.sleep(0.01)
    done = {"new": 0, "unchanged": 0, "assessments": 0, "org_added": 0, "org_taken": 0}
    with unit_of_work(url) as session:  # every worker races to register the same organisation
        try:
            repo.add_org("RXS", "Shared Trust", "acute", session=session, by=f"worker-{worker}")
            done["org_added"] += 1
        except StoreError as exc:
            if "already exists" not in str(exc):
                raise
            done["org_taken"] += 1
    for n in range(operations):
        if n % 3 == 2:
            assessment_id, _ = run_assessment(url, "RX1", dt.date(2025, 6, 1), by=f"worker-{worker}")
            assert assessment_id is not None
            done["assessments"] += 1
            continue
        own = item(f"w{worker}-{n}", "RX1", n)
        shared = item(f"shared-{n}", "RX1", 50)  # the same content from every worker: stored once
        with unit_of_work(url) as session:
            summary = repo.store_evidence([own, shared], session=session, by=f"worker-{worker}")
        done["new"] += summary.new
        done["unchanged"] += summary.unchanged
    return done


if __name__ == "__main__":
    result = main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), Path(sys.argv[4]))
    print(json.dumps(result))
