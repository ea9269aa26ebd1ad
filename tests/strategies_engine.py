"""Hypothesis strategies and a realistic synthetic rule pack for the engine's differential tests."""

from __future__ import annotations

import random
import string
from collections.abc import Sequence

from hypothesis import strategies as st

from pxrules.rules.conditions import NUMBER_LIMIT, CompiledRule, Condition, Scalar, kind_of

MEASURES = ("a", "b", "c.d", "e_1", "f.g_h", "z9")
OPS = ("eq", "neq", "gt", "gte", "lt", "lte")

# Floats that sit on or near the 6-decimal rounding boundary, or round to an int.
_EDGE_FLOATS = (
    0.0,
    -0.0,
    0.5,
    1.0000004,
    0.9999996,
    1e-07,
    -1e-07,
    5e-05,
    1.5e-05,
    0.1234565,
    2.5e-06,
    123456.7890125,
    float(NUMBER_LIMIT),
    -float(NUMBER_LIMIT),
    999999999.999999,
)
_EDGE_INTS = (0, 1, -1, 2, 10, NUMBER_LIMIT, -NUMBER_LIMIT)
# Strings that stress durable's raw-JSON string comparison.
_EDGE_STRINGS = ("", "a", "b", "true", "1", 'a"b', "a\\b", "\\", "é", "日本", "a'b", "\x00x", "x\ny", "😀")

numbers = st.one_of(
    st.sampled_from(_EDGE_INTS),
    st.sampled_from(_EDGE_FLOATS),
    st.integers(-NUMBER_LIMIT, NUMBER_LIMIT),
    st.floats(-NUMBER_LIMIT, NUMBER_LIMIT, allow_nan=False),
    st.decimals(-1000, 1000, places=7).map(float),
)
texts = st.one_of(
    st.sampled_from(_EDGE_STRINGS),
    st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=8),
)
scalars: st.SearchStrategy[Scalar] = st.one_of(st.booleans(), numbers, texts)


def _near(value: Scalar) -> st.SearchStrategy[Scalar]:
    """Values equal to, just around, or of another kind than `value`: where comparison bugs live."""
    options: list[st.SearchStrategy[Scalar]] = [st.just(value), st.just(value), scalars]
    if kind_of(value) == "n" and not isinstance(value, bool):
        assert isinstance(value, int | float)
        options += [
            st.sampled_from([value + d for d in (-1, 1, -1e-6, 1e-6, 4e-7, -4e-7, 6e-7)]).filter(
                lambda v: abs(v) <= NUMBER_LIMIT
            ),
            st.just(float(value)),
            st.just(round(value)),
        ]
    if isinstance(value, bool):
        options.append(st.just(int(value)))
    if isinstance(value, str):
        options += [st.just(value + "x"), st.just(value.upper())]
    return st.one_of(*options)


@st.composite
def rules_and_facts(draw: st.DrawFn) -> tuple[list[CompiledRule], dict[str, Scalar]]:
    """A random rule set and facts drawn near its thresholds, so that rules often fire.

    Each measure mostly keeps to one kind of value (its own pool), with occasional values of
    another kind on either side, where the bool/number/string separation is tested.
    """
    measures = draw(st.lists(st.sampled_from(MEASURES), min_size=1, max_size=4, unique=True))
    kinds = {m: draw(st.sampled_from((st.booleans(), numbers, numbers, texts))) for m in measures}
    pools = {m: draw(st.lists(kinds[m], min_size=1, max_size=4)) for m in measures}

    def value_for(measure: str) -> Scalar:
        return draw(st.sampled_from(pools[measure])) if draw(st.integers(0, 7)) else draw(scalars)

    rules: list[CompiledRule] = []
    for s in range(draw(st.integers(1, 3))):
        sub = f"{s + 1}{'ABC'[s]}"
        for r in range(draw(st.integers(1, 7))):
            level = draw(st.integers(1, 3))
            conds = []
            for _ in range(draw(st.integers(1, 3))):
                measure = draw(st.sampled_from(measures))
                value = value_for(measure)
                ops = OPS if kind_of(value) == "n" else ("eq", "neq")
                conds.append(Condition(measure, draw(st.sampled_from(ops)), value))
            rules.append(CompiledRule(f"{sub}.L{level}.{r}", sub, level, tuple(conds), "because"))
    facts: dict[str, Scalar] = {}
    for measure in measures:
        if draw(st.integers(0, 7)):  # about seven in eight measures present
            tested = [c.value for r in rules for c in r.conditions if c.measure == measure]
            facts[measure] = draw(_near(draw(st.sampled_from(tested)) if tested else value_for(measure)))
    return rules, facts


def shuffled(facts: dict[str, Scalar], seed: int) -> dict[str, Scalar]:
    """The same facts with a different insertion order."""
    items = list(facts.items())
    random.Random(seed).shuffle(items)
    return dict(items)


def framework_ids() -> list[str]:
    """57 sub-requirement ids shaped like the framework's (1A..23A)."""
    counts = [3, 2, 2, 3, 1, 5, 2, 3, 2, 5, 3, 3, 2, 1, 2, 3, 3, 3, 2, 3, 1, 2, 1]
    return [f"{n}{letter}" for n, count in enumerate(counts, 1) for letter in string.ascii_uppercase[:count]]


def realistic_pack(seed: int = 7, rules_per_sub: int = 6) -> tuple[list[CompiledRule], list[str]]:
    """57 sub-requirements of ~6 rules over ~5 measures each, shaped like the YAML rule files."""
    rng = random.Random(seed)
    rules: list[CompiledRule] = []
    measures: list[str] = []
    for sub in framework_ids():
        own = [f"s{sub.lower()}.m{k}" for k in range(rng.randint(3, 6))]
        flag = f"attestation.{sub.lower()}"
        measures += [*own, flag]
        for r in range(rules_per_sub):
            level = min(5, 1 + r * 5 // rules_per_sub)
            conds = [
                Condition(m, rng.choice(("gte", "gt")), round(0.15 * level + rng.uniform(-0.1, 0.1), 2))
                for m in rng.sample(own, k=min(len(own), rng.randint(1, 3)))
            ]
            if level >= 4:
                conds.append(Condition(flag, "eq", True))
            if r % 3 == 2:
                conds.append(Condition(own[0], "lte", 1.0))
            rules.append(CompiledRule(f"{sub}.L{level}.{r}", sub, level, tuple(conds), "synthetic"))
    return rules, measures


def realistic_facts(measures: Sequence[str], seed: int, presence: float = 0.9) -> dict[str, Scalar]:
    """Facts for a share of `realistic_pack`'s measures: shares in [0, 1], booleans for attestations."""
    rng = random.Random(seed)
    facts: dict[str, Scalar] = {}
    for m in measures:
        if rng.random() < presence:
            facts[m] = rng.random() < 0.6 if m.startswith("attestation.") else round(rng.random(), 4)
    return facts
