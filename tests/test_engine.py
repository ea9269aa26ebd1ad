"""The durable-rules engine must agree exactly with the Python reference and stay clean over 10,000 runs."""

from __future__ import annotations

import contextlib
import json
import math
import os
import threading
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies_engine import (
    numbers,
    realistic_facts,
    realistic_pack,
    rules_and_facts,
    shuffled,
)

from pxrules.errors import EngineError, EvidenceError, RuleError
from pxrules.rules import engine as engine_mod
from pxrules.rules.conditions import (
    NUMBER_LIMIT,
    CompiledRule,
    Condition,
    Firing,
    Scalar,
    holds,
    normalise,
)
from pxrules.rules.engine import MAX_CONDITIONS_PER_RULESET, RuleEngine, encode_value, get_engine
from pxrules.rules.reference import evaluate_reference

_dre: Any = engine_mod._dre


def rule(rule_id: str, *conds: tuple[str, str, Scalar], level: int = 1) -> CompiledRule:
    sub = rule_id.split(".")[0]
    return CompiledRule(rule_id, sub, level, tuple(Condition(m, op, v) for m, op, v in conds), "because")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def pack() -> Iterator[tuple[list[CompiledRule], list[str], RuleEngine]]:
    rules, measures = realistic_pack()
    engine = RuleEngine(rules)
    yield rules, measures, engine
    engine.close()


def session_facts(engine: RuleEngine) -> list[Any]:
    """Facts left in every ruleset's working session, read straight from durable."""
    left: list[Any] = []
    for rs in engine._sets.values():
        # error 309: no fact was ever asserted to this ruleset, so it has no session
        with contextlib.suppress(_dre.error):
            left += json.loads(_dre.get_facts(rs.handle, engine_mod.WORKING_SID))
    return left


def session_state(rs: Any) -> dict[str, Any] | None:
    """A ruleset's working-session state, or None when nothing was ever asserted to it."""
    try:
        state: dict[str, Any] = rs.ruleset.get_state(engine_mod.WORKING_SID)
    except _dre.error:
        return None
    return state


def rss_bytes() -> int:
    resident_pages = int(Path("/proc/self/statm").read_text().split()[1])
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


# -- comparison semantics --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "threshold", "value", "expected"),
    [
        ("eq", 1, True, False),  # a bool never equals a number
        ("neq", 1, True, False),  # ... and a kind mismatch never matches, not even neq
        ("eq", True, 1, False),
        ("eq", True, True, True),
        ("neq", True, False, True),
        ("eq", "1", 1, False),
        ("neq", "x", 3, False),
        ("eq", "true", True, False),
        ("eq", 3, 3.0, True),  # ints and floats compare by value
        ("gt", 2, 2.0000004, False),  # rounds to 2.0
        ("gt", 2, 2.0000006, True),
        ("eq", 0.1234571, 0.12345651, True),  # both round to 0.123457
        ("lte", 0, -1e-7, True),  # -1e-7 rounds to 0.0
        ("eq", 0, -0.0, True),
        ("gte", 0.5, 0.5, True),
        ("lt", -3, -3.5, True),
        ("eq", "é", "é", True),
        ("neq", "a", "A", True),
    ],
)
def test_holds(op: str, threshold: Scalar, value: Scalar, expected: bool) -> None:
    cond = Condition("x", op, threshold)  # type: ignore[arg-type]
    assert holds(cond, value) is expected
    rules = [rule("1A.L1", ("x", op, threshold))]
    engine = RuleEngine(rules)
    try:
        assert bool(engine.evaluate({"x": value})) is expected
    finally:
        engine.close()


@pytest.mark.parametrize(
    ("measure", "op", "value", "fragment"),
    [
        ("Bad", "eq", 1, "must match"),
        ("_x", "eq", 1, "must match"),
        ("x", "in", 1, "unknown operator"),
        ("x", "gt", True, "needs a number"),
        ("x", "lt", "b", "needs a number"),
        ("x", "eq", math.nan, "not finite"),
        ("x", "eq", math.inf, "not finite"),
        ("x", "eq", NUMBER_LIMIT * 10, "outside"),
        ("x", "eq", None, "expected a bool"),
        ("x", "eq", "\ud800", "lone surrogate"),
    ],
)
def test_condition_rejects(measure: str, op: str, value: Any, fragment: str) -> None:
    with pytest.raises(RuleError, match=fragment):
        Condition(measure, op, value)  # type: ignore[arg-type]


def test_compiled_rule_needs_conditions() -> None:
    with pytest.raises(RuleError, match="at least one condition"):
        CompiledRule("1A.L1", "1A", 1, (), "because")


@given(numbers)
def test_normalise_is_idempotent(value: float) -> None:
    once = normalise(value)
    assert normalise(once) == once
    assert type(once) is type(value)


@given(numbers, numbers)
def test_number_encoding_preserves_comparisons(a: float, b: float) -> None:
    na, nb = normalise(a), normalise(b)
    ka, kb = encode_value(a)[1], encode_value(b)[1]
    assert isinstance(ka, int) and isinstance(kb, int)
    assert ka == round(Fraction(na) * 10**6)  # the float shortcut is exact in range
    assert (na < nb, na == nb, na > nb) == (ka < kb, ka == kb, ka > kb)


# -- engine against reference ----------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rules_and_facts(), st.integers(0, 2**16))
def test_engine_matches_reference(case: tuple[list[CompiledRule], dict[str, Scalar]], seed: int) -> None:
    rules, facts = case
    expected = evaluate_reference(rules, facts)
    engine = RuleEngine(rules)
    try:
        assert engine.evaluate(facts) == expected
        assert engine.evaluate(shuffled(facts, seed)) == expected
        first = rules[0].sub_requirement
        assert engine.evaluate(facts, only=[first]) == [f for f in expected if f.sub_requirement == first]
        assert session_facts(engine) == []
    finally:
        engine.close()


def test_order_independent_on_realistic_pack(pack: tuple[list[CompiledRule], list[str], RuleEngine]) -> None:
    rules, measures, engine = pack
    for seed in range(10):
        facts = realistic_facts(measures, seed)
        expected = evaluate_reference(rules, facts)
        assert expected  # the pack is shaped so that rules do fire
        for shuffle in range(4):
            assert engine.evaluate(shuffled(facts, shuffle)) == expected


def test_wide_rules_are_safe() -> None:
    # Rules over six measures, in several rulesets, all firing: as `all` joins of one fact per
    # measure this crashed durable within a few evaluations; as one pattern it must not.
    rules = [
        rule(f"{s}.L{lv}", *[(f"m{j}", "gte", lv * 0.1) for j in range(6)], level=lv)
        for s in ("1A", "2A", "3A")
        for lv in range(1, 6)
    ]
    engine = RuleEngine(rules)
    try:
        facts: dict[str, Scalar] = {f"m{j}": 0.9 for j in range(6)}
        for _ in range(50):
            assert engine.evaluate(facts) == evaluate_reference(rules, facts)
        assert len(engine.evaluate(facts)) == 15
    finally:
        engine.close()


def test_no_facts_no_firings(pack: tuple[list[CompiledRule], list[str], RuleEngine]) -> None:
    _, _, engine = pack
    assert engine.evaluate({}) == []
    assert engine.evaluate({"unrelated.measure": 1, "other": "x"}) == []


def test_compiled_definitions_have_no_negation_or_any(
    pack: tuple[list[CompiledRule], list[str], RuleEngine],
) -> None:
    _, _, engine = pack

    def keys(node: Any) -> Iterator[str]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield key
                yield from keys(value)
        elif isinstance(node, list):
            for item in node:
                yield from keys(item)

    definitions = engine.definitions()
    assert len(definitions) == 57
    for sub, ruleset in definitions.items():
        found = set(keys(ruleset))
        assert not {k for k in found if k.endswith("$not") or k in {"none", "any", "$any", "$not"}}, sub
        for rule_def in ruleset.values():
            assert list(rule_def) == ["all"] and len(rule_def["all"]) == 1  # one pattern, no joins


def test_matched_values_are_normalised() -> None:
    rules = [rule("1A.L2", ("b.x", "gte", 0.5), ("a.y", "eq", True), level=2)]
    engine = RuleEngine(rules)
    try:
        got = engine.evaluate({"a.y": True, "b.x": 0.66666666, "c": 1})
        assert got == [Firing("1A", "1A.L2", 2, (("a.y", True), ("b.x", 0.666667)))]
        assert got == evaluate_reference(rules, {"a.y": True, "b.x": 0.66666666, "c": 1})
    finally:
        engine.close()


def test_duplicate_rule_ids_keep_input_order() -> None:
    rules = [rule("1A.L1", ("x", "gt", 0)), rule("1A.L1", ("y", "gt", 0)), rule("1A.L1", ("x", "gt", -1))]
    engine = RuleEngine(rules)
    try:
        facts: dict[str, Scalar] = {"x": 1, "y": 1}
        assert engine.evaluate(facts) == evaluate_reference(rules, facts)
    finally:
        engine.close()


@pytest.mark.parametrize("bad", [math.nan, math.inf, 1e10, None, [1], "\udc00"])
def test_invalid_facts_rejected_by_both(bad: Any) -> None:
    rules = [rule("1A.L1", ("x", "gt", 0))]
    engine = RuleEngine(rules)
    try:
        with pytest.raises(EvidenceError, match="measure x"):
            engine.evaluate({"x": bad})
        with pytest.raises(EvidenceError, match="measure x"):
            evaluate_reference(rules, {"x": bad})
    finally:
        engine.close()


def test_too_many_conditions_is_a_rule_error() -> None:
    rules = [rule(f"1A.L{i}", ("x", "gt", i)) for i in range(MAX_CONDITIONS_PER_RULESET + 1)]
    with pytest.raises(RuleError, match="sub-requirement 1A"):
        RuleEngine(rules)


# -- failures, threads, reload ---------------------------------------------------------------


def test_action_exception_surfaces_as_engine_error(monkeypatch: pytest.MonkeyPatch) -> None:
    rules = [rule("1A.L1", ("x", "gt", 0)), rule("2A.L1", ("x", "gt", 0))]
    engine = RuleEngine(rules)
    try:

        def boom(*args: Any) -> None:
            raise ValueError("injected failure")

        monkeypatch.setattr(engine, "_record", boom)
        with pytest.raises(EngineError, match="injected failure") as caught:
            engine.evaluate({"x": 1})
        assert isinstance(caught.value.__cause__, ValueError)
        monkeypatch.undo()
        # The failing run left nothing behind: the session is clean and the engine still agrees.
        assert session_facts(engine) == []
        for rs in engine._sets.values():
            assert "exception" not in (session_state(rs) or {})
        assert engine.evaluate({"x": 1}) == evaluate_reference(rules, {"x": 1})
    finally:
        engine.close()


def test_threads_share_one_engine(pack: tuple[list[CompiledRule], list[str], RuleEngine]) -> None:
    rules, measures, engine = pack
    cases = [realistic_facts(measures, seed) for seed in range(4)]
    expected = [evaluate_reference(rules, facts) for facts in cases]
    failures: list[str] = []

    def work(offset: int) -> None:
        for i in range(40):
            k = (i + offset) % len(cases)
            if engine.evaluate(cases[k]) != expected[k]:
                failures.append(f"thread {offset} run {i}")

    threads = [threading.Thread(target=work, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


@pytest.fixture
def fresh_cache() -> Iterator[None]:
    saved = dict(engine_mod._CACHE)
    engine_mod._CACHE.clear()
    yield
    for cached in engine_mod._CACHE.values():
        cached.close()
    engine_mod._CACHE.clear()
    engine_mod._CACHE.update(saved)


def test_get_engine_caches_and_reloads(fresh_cache: None) -> None:
    one = [rule("1A.L1", ("x", "gt", 0))]
    two = [rule("1A.L1", ("x", "gt", 5))]
    first = get_engine("h1", one)
    assert get_engine("h1", one) is first
    names = first.ruleset_names()
    host = engine_mod._get_host()
    assert all(name in host._ruleset_directory for name in names)
    second = get_engine("h2", two)
    get_engine("h3", one)  # the cache holds two packs: h1 is evicted and its rulesets deleted
    assert not any(name in host._ruleset_directory for name in names)
    with pytest.raises(EngineError, match="closed"):
        first.evaluate({"x": 1})
    assert second.evaluate({"x": 1}) == []


def test_replace_swaps_rules_in_place() -> None:
    engine = RuleEngine([rule("1A.L1", ("x", "gt", 0))])
    try:
        old_names = engine.ruleset_names()
        assert engine.evaluate({"x": 1})
        engine.replace([rule("1A.L1", ("x", "gt", 5)), rule("2A.L1", ("y", "eq", "yes"))])
        host = engine_mod._get_host()
        assert not any(name in host._ruleset_directory for name in old_names)
        assert engine.evaluate({"x": 1}) == []
        assert [f.rule_id for f in engine.evaluate({"x": 6, "y": "yes"})] == ["1A.L1", "2A.L1"]
    finally:
        engine.close()


# -- soak ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_ten_thousand_evaluations_stay_flat(pack: tuple[list[CompiledRule], list[str], RuleEngine]) -> None:
    rules, measures, engine = pack
    # Partial evidence, as in a real assessment: about three in ten measures present.
    cases = [realistic_facts(measures, seed, presence=0.3) for seed in range(25)]
    expected = [evaluate_reference(rules, facts) for facts in cases]
    states: dict[str, dict[str, Any] | None] = {rs.name: None for rs in engine._sets.values()}
    rss_at_1000 = 0
    for i in range(1, 10_001):
        k = i % len(cases)
        got = engine.evaluate(cases[k])  # raises if any session is left non-empty
        if i % 500 == 0:
            assert got == expected[k], f"evaluation {i}"
            assert session_facts(engine) == [], f"evaluation {i}"
            for rs in engine._sets.values():
                state = session_state(rs)
                assert states[rs.name] in (None, state), f"session state grew at evaluation {i}"
                states[rs.name] = state
        if i == 1_000:
            rss_at_1000 = rss_bytes()
    growth = rss_bytes() - rss_at_1000
    assert growth < 5 * 2**20, f"RSS grew {growth / 2**20:.1f} MiB between evaluations 1,000 and 10,000"
