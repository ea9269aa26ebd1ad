"""Properties of scoring on the real rule pack: range, determinism, monotonicity, independence, agreement."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pxrules.evidence import Evidence
from pxrules.evidence.io import read_evidence_files
from pxrules.measures import MEASURES, MeasureValue
from pxrules.paths import examples_dir
from pxrules.rules.conditions import Scalar, normalise
from pxrules.rules.pack import RulePack, default_rulepack, load_rulepack
from pxrules.scoring.assess import assess, score_facts
from tests.strategies_scoring import facts

PACK = default_rulepack()
SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def as_values(raw: Mapping[str, Scalar]) -> dict[str, MeasureValue]:
    kinds = lambda n: ("attestation",) if n.startswith("attestation.") else ("test",)  # noqa: E731
    return {n: MeasureValue(n, normalise(v), (f"e-{n}",), kinds(n), "") for n, v in raw.items()}


def scores(pack: RulePack, raw: Mapping[str, Scalar], evaluator: str = "reference") -> dict[str, int]:
    return {s.id: s.suggested for s in score_facts(pack, as_values(raw), evaluator)}  # type: ignore[arg-type]


@cache
def demo_evidence() -> tuple[Evidence, ...]:
    return tuple(read_evidence_files(sorted((examples_dir() / "demo" / "evidence").glob("*.yaml"))))


@SLOW
@given(facts(PACK))
def test_scores_are_whole_numbers_0_to_5_and_engines_agree(raw: dict[str, Scalar]) -> None:
    by_reference = score_facts(PACK, as_values(raw), "reference")
    by_durable = score_facts(PACK, as_values(raw), "durable")
    assert [(s.id, s.suggested, [f.rule_id for f in s.firings]) for s in by_reference] == \
        [(s.id, s.suggested, [f.rule_id for f in s.firings]) for s in by_durable]
    assert len(by_reference) == 57
    assert all(isinstance(s.suggested, int) and 0 <= s.suggested <= 5 for s in by_reference)


def _improved(name: str, value: Scalar) -> Scalar | None:
    spec = MEASURES[name]
    if spec.better == "true":
        return True if value is False else None
    if spec.better == "false":
        return False if value is True else None
    if spec.better == "higher" and isinstance(value, int | float):
        return value + 1 if spec.type == "integer" else round(float(value) + 0.05, 6)
    if spec.better == "lower" and isinstance(value, int | float):
        return max(0, value - 1) if spec.type == "integer" else round(max(0.0, float(value) - 0.05), 6)
    return None


@SLOW
@given(facts(PACK), st.data())
def test_improving_a_measure_never_lowers_any_score(raw: dict[str, Scalar], data: st.DataObject) -> None:
    candidates = sorted(n for n, v in raw.items() if _improved(n, v) is not None)
    if not candidates:
        return
    name = data.draw(st.sampled_from(candidates))
    better = {**raw, name: _improved(name, raw[name])}
    before, after = scores(PACK, raw), scores(PACK, better)  # type: ignore[arg-type]
    lowered = {s: (before[s], after[s]) for s in before if after[s] < before[s]}
    assert not lowered, f"improving {name} {raw[name]!r} -> {better[name]!r} lowered {lowered}"


@SLOW
@given(facts(PACK), st.data())
def test_measures_of_other_sub_requirements_never_change_this_one(raw: dict[str, Scalar], data: st.DataObject) -> None:
    sub = data.draw(st.sampled_from(list(PACK.files)))
    mine = PACK.measures_used(sub)
    other = data.draw(facts(PACK, sorted(PACK.measures_used() - mine)))
    base = {k: v for k, v in raw.items() if k in mine}
    assert scores(PACK, base)[sub] == scores(PACK, {**other, **base})[sub]


@pytest.mark.parametrize("day", [dt.date(2025, 9, 30), dt.date(2026, 9, 30)])
def test_evidence_order_never_changes_an_assessment(day: dt.date) -> None:
    items = list(demo_evidence())
    baseline = assess("ZZ9", day, items).content_hash()
    rng = random.Random(20181)
    for _ in range(3):
        rng.shuffle(items)
        assert assess("ZZ9", day, items).content_hash() == baseline


def test_attestation_for_another_sub_requirement_changes_nothing_else() -> None:
    from pxrules.evidence import parse_evidence

    day = dt.date(2026, 3, 31)
    items = list(demo_evidence())
    before = assess("ZZ9", day, items).score_map()
    extra = parse_evidence({"kind": "attestation", "id": "prop-attest-8b", "org": "ZZ9",
                            "period_start": "2026-03-01", "source": {"title": "statement"},
                            "statement": "Leaflets are tested with patients.", "person": "A. Lead",
                            "role": "Head of communications", "sub_requirements": ["8B"], "claimed_level": 5})
    after = assess("ZZ9", day, [*items, extra]).score_map()
    assert {k: v for k, v in after.items() if k != "8B"} == {k: v for k, v in before.items() if k != "8B"}
    assert after["8B"] >= before["8B"]


def test_durable_and_reference_agree_on_the_demo_trust() -> None:
    for day in (dt.date(2025, 3, 31), dt.date(2026, 9, 30)):
        a = assess("ZZ9", day, list(demo_evidence()), evaluator="durable")
        b = assess("ZZ9", day, list(demo_evidence()), evaluator="reference")
        assert a.content_hash() == b.content_hash()


def test_no_evidence_gives_zero_with_the_kinds_that_would_help() -> None:
    result = assess("ZZ9", dt.date(2026, 3, 31), [])
    assert all(s.suggested == 0 and s.no_evidence for s in result.scores)
    s12c = next(s for s in result.scores if s.id == "12C")
    assert s12c.because[0].startswith("no evidence") and "fft_monthly" in s12c.because[0]


def test_the_demo_trust_gets_a_realistic_spread() -> None:
    result = assess("ZZ9", dt.date(2026, 3, 31), list(demo_evidence()))
    levels = {s.suggested for s in result.scores}
    assert len(levels) >= 4, levels


@pytest.mark.parametrize(("cap_line", "expected"), [("", 2), ("attestation_cap: 3\n", 3)])
def test_attestation_alone_is_capped_and_says_so(tmp_path: Path, cap_line: str, expected: int) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(PACK.root, rules, ignore=shutil.ignore_patterns("*.test.yaml", "conftest.py"))
    path = rules / "1-leadership" / "3A.yaml"
    text = path.read_text(encoding="utf-8").replace("levels:\n", cap_line + "levels:\n", 1)
    text = text.replace("  4:\n", "  4:\n    - because: A named executive attests level 4.\n"
                        "      grounds: [Patient stories are routinely used at board meetings]\n"
                        "      when:\n        attestation.3a: {gte: 4}\n", 1)
    path.write_text(text, encoding="utf-8")
    pack = load_rulepack(rules)
    [score] = score_facts(pack, as_values({"attestation.3a": 4}), "durable", only=["3A"])
    assert (score.raw_level, score.suggested) == (4, expected)
    assert score.caps and "attestation only" in score.caps[0]
    assert score.next_level is not None and score.next_level.needs_measured_evidence
    [measured] = score_facts(pack, as_values({"attestation.3a": 4, "leadership.board_story_share_12m": 0.5,
                                              "leadership.board_px_report_share_12m": 0.5}), "durable", only=["3A"])
    assert measured.suggested == 3  # measured evidence earns 3 whatever the attestation claims
