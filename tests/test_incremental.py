"""Re-assessment from the measure cache: byte-identical to a cold assessment, recomputing only what changed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from pxrules.evidence import parse_evidence
from pxrules.evidence.io import read_evidence_sources
from pxrules.measures import MEASURES, EvidenceView, MeasureCache
from pxrules.measures.compute import _evaluate
from pxrules.paths import examples_dir
from pxrules.rules.pack import default_rulepack
from pxrules.scoring.assess import assess
from pxrules.scoring.levels import expand_firings
from pxrules.scoring.stored import run_assessment
from pxrules.store.db import unit_of_work
from pxrules.store.measure_cache import StoredMeasureCache, clear
from pxrules.store.repo import add_org, store_evidence

ORG = "ZZ9"
AS_OF = dt.date(2026, 3, 31)


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


def _new(demo: list[Any], kind: str, tag: str, count: int = 3) -> list[Any]:
    """`count` new items of one kind, copies of the latest ones visible on AS_OF under new ids."""
    latest = sorted((i for i in demo if i.kind == kind and i.end <= AS_OF), key=lambda i: (i.end, i.id))[-count:]
    return [parse_evidence({**i.model_dump(mode="json"), "id": f"{i.id}-{tag}"}) for i in latest]


def _import(url: str, items: list[Any]) -> None:
    with unit_of_work(url) as session:
        store_evidence(items, session=session, by="tester")


def _used_reading(kind: str) -> set[str]:
    return {m for m in default_rulepack().measures_used() if kind in MEASURES[m].kinds}


def _canonical(result: Any) -> str:
    return json.dumps(result.to_json(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("kind", ["fft_monthly", "board_meeting", "staff_process"])
def test_cached_reassessment_equals_a_cold_one_and_recomputes_only_that_kind(
    demo_url: str, demo: list[Any], kind: str
) -> None:
    run_assessment(demo_url, ORG, AS_OF, by="tester", reuse=False)  # fills the store's cache row
    _import(demo_url, _new(demo, kind, "new"))
    cache = StoredMeasureCache()  # a fresh object reads only the store, as a new process would
    _, cached = run_assessment(demo_url, ORG, AS_OF, by="tester", cache=cache)
    _, cold = run_assessment(demo_url, ORG, AS_OF, by="tester", reuse=False)
    assert _canonical(cached) == _canonical(cold)
    assert cached.content_hash() == cold.content_hash()
    changed = _used_reading(kind)
    assert changed and cache.misses == len(changed)
    assert cache.hits == len(default_rulepack().measures_used()) - len(changed)
    # Sub-requirements whose measures did not change keep their stored score without being re-evaluated.
    assert 0 < cache.score_misses < 57 and cache.score_hits + cache.score_misses == 57


def test_nothing_new_means_nothing_recomputed_and_a_code_change_means_everything(
    demo_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_assessment(demo_url, ORG, AS_OF, by="tester")
    again = StoredMeasureCache()
    run_assessment(demo_url, ORG, AS_OF, by="tester", cache=again)
    assert again.misses == 0 and again.hits == len(default_rulepack().measures_used())
    assert again.score_hits == 57 and again.score_misses == 0
    from pxrules.store import measure_cache

    monkeypatch.setattr(measure_cache, "measure_code_version", lambda: "other measure code")
    changed = StoredMeasureCache()
    run_assessment(demo_url, ORG, AS_OF, by="tester", cache=changed)
    assert changed.hits == 0 and changed.misses == len(default_rulepack().measures_used())
    assert changed.score_hits == 0


def test_a_scoring_code_change_rescores_everything(demo_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _, first = run_assessment(demo_url, ORG, AS_OF, by="tester")
    from pxrules.store import measure_cache

    monkeypatch.setattr(measure_cache, "_scoring_code_version", lambda: "other scoring code")
    changed = StoredMeasureCache()
    _, again = run_assessment(demo_url, ORG, AS_OF, by="tester", cache=changed)
    assert changed.misses == 0 and changed.score_hits == 0 and changed.score_misses == 57
    assert _canonical(again) == _canonical(first)


def test_a_withdrawal_or_correction_invalidates_what_read_that_kind(demo_url: str, demo: list[Any]) -> None:
    from pxrules.store.amend import withdraw_evidence

    run_assessment(demo_url, ORG, AS_OF, by="tester")
    target = next(i for i in demo if i.kind == "website_check" and i.end <= AS_OF)
    with unit_of_work(demo_url) as session:
        withdraw_evidence(target.id, reason="test", session=session, by="tester")
    cache = StoredMeasureCache()
    _, cached = run_assessment(demo_url, ORG, AS_OF, by="tester", cache=cache)
    assert cache.misses == len(_used_reading("website_check"))
    _, cold = run_assessment(demo_url, ORG, AS_OF, by="tester", reuse=False)
    assert _canonical(cached) == _canonical(cold)


def test_other_dates_and_an_emptied_cache_start_cold(demo_url: str) -> None:
    run_assessment(demo_url, ORG, AS_OF, by="tester")
    other = StoredMeasureCache()
    run_assessment(demo_url, ORG, dt.date(2025, 9, 30), by="tester", cache=other)
    assert other.hits == 0
    with unit_of_work(demo_url) as session:
        assert clear(session, ORG) == 2
    emptied = StoredMeasureCache()
    run_assessment(demo_url, ORG, AS_OF, by="tester", cache=emptied)
    assert emptied.hits == 0


def test_in_process_cache_reuses_measures_and_scores(demo: list[Any]) -> None:
    cache = MeasureCache()
    cold = assess(ORG, AS_OF, demo)
    assess(ORG, AS_OF, demo, cache=cache)
    cache.reset_counters()
    added = _new(demo, "complaints_period", "x", 1)
    warm = assess(ORG, AS_OF, [*demo, *added], cache=cache)
    assert cache.misses == len(_used_reading("complaints_period")) and cache.hits > 0
    assert 0 < cache.score_misses < 57 and cache.score_hits + cache.score_misses == 57
    assert _canonical(warm) == _canonical(assess(ORG, AS_OF, [*demo, *added]))
    assert _canonical(cold) != _canonical(warm)


@pytest.mark.parametrize("as_of", [dt.date(2024, 3, 31), dt.date(2025, 3, 31), dt.date(2025, 9, 30),
                                   dt.date(2026, 3, 31), dt.date(2026, 9, 30)])
def test_every_measure_reads_only_the_kinds_it_declares(demo: list[Any], as_of: dt.date) -> None:
    # The cache's soundness rests on this: a measure's fingerprint covers only its declared kinds.
    full = EvidenceView(ORG, as_of, demo)
    for name, spec in MEASURES.items():
        own = EvidenceView(ORG, as_of, [i for i in demo if i.kind in spec.kinds])
        assert _evaluate(spec, full) == _evaluate(spec, own), name


def test_score_json_is_what_asdict_gives(demo: list[Any]) -> None:
    # SubScore.to_json is written out by hand for speed and compact (firings name their measures, evidence
    # ids are kept once per measure); it must hold everything the generic definition does.
    for day in (dt.date(2025, 3, 31), dt.date(2026, 9, 30)):
        for score in assess(ORG, day, demo).scores:
            full = dataclasses.asdict(score)
            for f, record in zip(full["firings"], score.firings, strict=True):
                f["evidence_ids"] = record.evidence_ids  # a property over the matched measures' evidence
                del f["sources"]
            if score.next_level is not None:
                full["next_level"]["sentences"] = [u.sentence() for u in score.next_level.unmet]
            stored = json.loads(json.dumps(score.to_json()))
            assert expand_firings(stored) == full["firings"], score.id
            compact = {k: v for k, v in full.items() if k != "evidence_ids"}
            compact["firings"] = [{**f, "matched": [m["measure"] for m in f["matched"]]} for f in full["firings"]]
            for f in compact["firings"]:
                del f["evidence_ids"]
            compact["evidence"] = full["evidence_ids"]
            assert stored == json.loads(json.dumps(compact)), score.id


def test_fired_rules_score_again_exactly_or_not_at_all(demo: list[Any]) -> None:
    from pxrules.measures import compute_measures
    from pxrules.rules.catalogue import load_catalogue
    from pxrules.scoring.assess import evaluate
    from pxrules.scoring.levels import FiredRules, refire, score_sub_requirement

    pack = default_rulepack()
    facts = compute_measures(ORG, AS_OF, demo, names=pack.measures_used())
    firings = evaluate(pack, {k: v.value for k, v in facts.items()}, "reference")
    for sub in ("1A", "12C", "22B"):
        fired = [f for f in firings if f.sub_requirement == sub]
        assert fired, sub
        rule_file = pack.for_sub(sub)
        again = refire(rule_file, FiredRules(tuple(f.rule_id for f in reversed(fired))), facts)
        assert again == fired
        assert refire(rule_file, FiredRules(("no-such-rule",)), facts) is None
        lacking = {k: v for k, v in facts.items() if k != fired[0].matched[0][0]}
        assert refire(rule_file, FiredRules((fired[0].rule_id,)), lacking) is None
        catalogue_sub = load_catalogue().get(sub)
        assert score_sub_requirement(catalogue_sub, rule_file, again, facts) == \
            score_sub_requirement(catalogue_sub, rule_file, fired, facts)
