"""`pxrules assess --all`: every organisation on every date, counted back from the store, never ranked."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from typer.testing import CliRunner

from cli.main import app
from pxrules.audit.verify import verify_store
from pxrules.evidence import parse_evidence
from pxrules.evidence.io import read_evidence_sources
from pxrules.paths import examples_dir
from pxrules.store.db import unit_of_work
from pxrules.store.repo import add_org, list_assessments, store_evidence

runner = CliRunner()
ORGS = ("RB1", "RB2", "RB3")
DATES = ("2025-09-30", "2026-03-31")
SUMMARY_KEYS = {"organisations", "dates", "expected", "saved", "complete", "failed", "jobs", "seconds",
                "per_assessment_ms"}


def _demo_items() -> list[Any]:
    folder = examples_dir() / "demo" / "evidence"
    return [s.item for s in read_evidence_sources(sorted(folder.glob("*.yaml")))]


@pytest.fixture(scope="module")
def trusts() -> dict[str, list[Any]]:
    """Three organisations made from the demo trust's evidence; the third has no FFT returns, so they differ."""
    items = _demo_items()
    out: dict[str, list[Any]] = {"": [i for i in items if i.org is None]}
    for n, org in enumerate(ORGS):
        own = [i for i in items if i.org is not None and not (n == 2 and i.kind == "fft_monthly")]
        out[org] = [parse_evidence({**i.model_dump(mode="json"), "org": org, "id": f"{org.lower()}-{i.id}"})
                    for i in own]
    return out


@pytest.fixture
def three_orgs(db_url: str, trusts: dict[str, list[Any]]) -> str:
    with unit_of_work(db_url) as session:
        for org in ORGS:
            add_org(org, f"Batch test trust {org}", "acute", session=session, by="tester")
        store_evidence([i for items in trusts.values() for i in items], session=session, by="tester")
    return db_url


def run(url: str, *args: str) -> Any:
    return runner.invoke(app, ["--db", url, "--by", "tester", "assess", "--all",
                               *(f"--as-of={d}" for d in DATES), *args])


def _stored(url: str) -> dict[tuple[str, str], dict[str, Any]]:
    with unit_of_work(url) as session:
        return {(a.org, a.as_of.isoformat()): a.result for a in list_assessments(session=session)}


def test_all_orgs_on_all_dates_are_saved_and_counted(three_orgs: str) -> None:
    r = run(three_orgs, "--jobs", "2", "--json")
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert set(summary) == SUMMARY_KEYS, r.output
    assert summary["organisations"] == 3 and summary["dates"] == list(DATES)
    assert summary["expected"] == summary["saved"] == 6 and summary["complete"] is True, r.output
    assert summary["failed"] == {} and summary["jobs"] == 2
    stored = _stored(three_orgs)
    assert set(stored) == {(o, d) for o in ORGS for d in DATES}
    assert all(len(result["scores"]) == 57 for result in stored.values())
    report = verify_store(three_orgs)
    assert report.ok, report.problems


def test_the_summary_ranks_nothing(three_orgs: str) -> None:
    # Each organisation gets its own assessments: the batch prints counts and times, never scores or an order.
    r = run(three_orgs, "--jobs", "1", "--json")
    assert r.exit_code == 0, r.output
    text = r.output.lower()
    assert not any(word in text for word in ("rank", "score", "league", "best", "worst")), r.output
    assert not any(org.lower() in text for org in ORGS), r.output
    table = run(three_orgs, "--jobs", "1")
    assert table.exit_code == 0, table.output
    assert "6 of 6" in table.output and not any(org in table.output for org in ORGS), table.output
    assert "━" not in table.output, table.output  # no progress bar when the output is not a terminal


def test_parallel_and_single_process_batches_store_the_same_results(three_orgs: str) -> None:
    assert run(three_orgs, "--jobs", "1", "--json").exit_code == 0
    first = _stored(three_orgs)
    r = run(three_orgs, "--jobs", "2", "--json")
    assert r.exit_code == 0, r.output
    with unit_of_work(three_orgs) as session:
        rows = list_assessments(session=session)
    assert len(rows) == 12
    again = {(a.org, a.as_of.isoformat()): a.result for a in rows[6:]}
    assert {k: json.dumps(v, sort_keys=True) for k, v in again.items()} == \
        {k: json.dumps(v, sort_keys=True) for k, v in first.items()}


def test_a_failing_organisation_is_reported_and_the_others_still_land(
    three_orgs: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pxrules.errors import StoreError
    from pxrules.store import repo

    real = repo.load_evidence_hashed

    def broken(org: str, *, session: Any, mark: Any = None) -> Any:
        if org == "RB2":
            raise StoreError("stored evidence rb2-x version 1 no longer validates: test")
        return real(org, session=session, mark=mark)

    monkeypatch.setattr(repo, "load_evidence_hashed", broken)
    r = run(three_orgs, "--jobs", "2", "--json")
    assert r.exit_code == 1, r.output
    summary = json.loads(r.stdout)
    assert summary["failed"] == {"RB2": "stored evidence rb2-x version 1 no longer validates: test"}, r.output
    assert summary["saved"] == 4 and summary["expected"] == 6 and summary["complete"] is False
    assert {o for o, _ in _stored(three_orgs)} == {"RB1", "RB3"}


def test_all_and_org_together_are_refused(three_orgs: str) -> None:
    r = run(three_orgs, "--org", "RB1")
    assert r.exit_code == 1 and "not both" in r.output, r.output


def test_library_batch_counts_from_the_store_and_needs_a_date(three_orgs: str) -> None:
    from pxrules.errors import PxRulesError
    from pxrules.scoring.batch import run_batch

    seen: list[tuple[int, int]] = []
    summary = run_batch(three_orgs, [dt.date(2026, 3, 31)], by="tester", jobs=1, orgs=["RB1", "RB3"],
                        progress=lambda done, total: seen.append((done, total)))
    assert summary.complete and summary.saved == 2 and len(summary.assessment_ids) == 2
    assert seen == [(0, 2), (1, 2), (2, 2)]
    with pytest.raises(PxRulesError, match="no assessment date"):
        run_batch(three_orgs, [], by="tester")
