"""`evidence due`: lapse dates agree with is_valid_on, score drops are what a full re-assessment without the
item gives, and sub-requirements on no evidence or attestation alone are listed with what would support them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from report_support import ORG, attestation, seed
from typer.testing import CliRunner

from pxrules.evidence import VALIDITY_DAYS, Evidence, is_valid_on, parse_evidence
from pxrules.paths import examples_dir
from pxrules.scoring.assess import assess
from pxrules.scoring.due import due_report, evidence_due, valid_until


def _items() -> list[Evidence]:
    start = dt.date(2024, 1, 1)
    document = {
        "id": "doc",
        "kind": "document",
        "org": ORG,
        "period_start": start.isoformat(),
        "doc_type": "px_strategy",
        "title": "t",
        "approved_on": start.isoformat(),
        "review_due": "2025-06-30",
        "source": {"title": "t"},
    }
    return [parse_evidence(attestation("att", "1A", start, 2)), parse_evidence(document)]


@settings(max_examples=80, deadline=None)
@given(item=st.sampled_from(_items()), offset=st.integers(0, 800), horizon=st.integers(0, 400))
def test_valid_until_agrees_with_is_valid_on(item: Evidence, offset: int, horizon: int) -> None:
    as_of = item.period_start + dt.timedelta(days=offset)
    limit = as_of + dt.timedelta(days=horizon)
    last = valid_until(item, as_of, limit)
    if last is None:
        assert not is_valid_on(item, as_of) or is_valid_on(item, limit)
    else:
        assert as_of <= last < limit
        assert is_valid_on(item, last) and not is_valid_on(item, last + dt.timedelta(days=1))


def test_drop_when_the_only_attestation_lapses() -> None:
    items = [parse_evidence(attestation("att-2b", "2B", dt.date(2025, 1, 10), 4))]
    report = due_report(ORG, dt.date(2025, 6, 1), items, within=365)
    (lapsing,) = report.lapsing
    assert lapsing.valid_until == dt.date(2025, 1, 10) + dt.timedelta(days=VALIDITY_DAYS["attestation"])
    assert [(d.id, d.before, d.after) for d in lapsing.drops] == [("2B", 2, 0)]
    statuses = {u.id: u for u in report.unsupported}
    assert statuses["2B"].status == "attestation only" and statuses["2B"].suggested == 2
    assert "attestation" not in statuses["2B"].kinds and statuses["2B"].kinds
    assert statuses["1A"].status == "no evidence" and len(statuses) == 57
    assert due_report(ORG, dt.date(2025, 6, 1), items, within=30).lapsing == []


def _demo_evidence() -> list[Evidence]:
    items: list[Evidence] = []
    for path in sorted((examples_dir() / "demo" / "evidence").glob("*.yaml")):
        items += [
            parse_evidence(raw)
            for raw in yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
        ]
    return items


def test_drops_equal_a_full_reassessment_without_the_item() -> None:
    items = _demo_evidence()
    as_of = dt.date(2026, 9, 30)
    report = due_report("ZZ9", as_of, items, within=90)
    assert report.lapsing, "the demo evidence has items lapsing in the 90 days after its last date"
    checked = [x for x in report.lapsing if x.drops][:3] + [x for x in report.lapsing if not x.drops][:3]
    for lapsing in checked:
        day = lapsing.valid_until
        with_it = assess("ZZ9", day, items).score_map()
        without = assess("ZZ9", day, [e for e in items if e.id != lapsing.item.id]).score_map()
        expected = {s: (with_it[s], without[s]) for s in with_it if without[s] < with_it[s]}
        assert {d.id: (d.before, d.after) for d in lapsing.drops} == expected, lapsing.item.id
    assert [x.valid_until for x in report.lapsing] == sorted(x.valid_until for x in report.lapsing)


@pytest.fixture
def seeded(db_url: str, tmp_path: Path) -> str:
    seed(db_url, tmp_path, assess=False)
    return db_url


def test_due_from_the_store_and_cli(seeded: str) -> None:
    report = evidence_due(seeded, ORG, as_of=dt.date(2024, 10, 1), within=120)
    lapsing = {x.item.id: x for x in report.lapsing}
    assert set(lapsing) == {"att-1a", "att-2b-old", "att-3a"}
    assert lapsing["att-1a"].drops == []  # renewed on 2024-11-01, before the old one lapses
    assert lapsing["att-2b-old"].drops == []  # a newer 2B attestation claims more
    assert [(d.id, d.before, d.after) for d in lapsing["att-3a"].drops] == [("3A", 2, 0)]
    from cli.main import app

    args = ["--db", seeded, "evidence", "due", "--org", ORG, "--as-of", "2024-10-01", "--within", "120"]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["until"] == "2025-01-29" and [x["id"] for x in data["lapsing"]] == [
        "att-1a",
        "att-2b-old",
        "att-3a",
    ]
    first = data["lapsing"][0]
    assert set(first) >= {"lapses_on", "valid_until", "days_left", "drops", "kind", "title", "period_end"}
    rests = {u["id"]: u for u in data["unsupported"]}
    assert rests["2B"]["status"] == "attestation only" and rests["23A"]["status"] == "no evidence"
    assert "attestation" not in rests["23A"]["supporting_kinds"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "att-2b-old" in result.output and "attestation only" in result.output
    assert "lapse by 29/01/2025" in result.output and "2025-01-29" not in result.output  # tables: UK dates
    result = CliRunner().invoke(app, ["--db", seeded, "evidence", "due", "--org", "NOPE"])
    assert result.exit_code == 1 and "unknown organisation 'NOPE'" in result.output
