"""Hypothesis strategies over the real rule pack: measure values near every threshold the rules use."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from pxrules.measures import MEASURES
from pxrules.rules.conditions import Scalar
from pxrules.rules.pack import RulePack


def thresholds(pack: RulePack) -> dict[str, list[Scalar]]:
    """Every threshold each measure is compared with, across the pack."""
    out: dict[str, list[Scalar]] = {}
    for rule in pack.rules:
        for cond in rule.conditions:
            out.setdefault(cond.measure, []).append(cond.value)
    return out


def value_for(name: str, near: list[Scalar]) -> st.SearchStrategy[Scalar]:
    """Values of one measure, mostly on and just either side of its thresholds."""
    spec = MEASURES[name]
    if spec.type == "boolean":
        return st.booleans()
    if spec.type == "enum":
        return st.sampled_from(spec.choices)
    numbers = sorted({float(v) for v in near if isinstance(v, int | float) and not isinstance(v, bool)})
    if spec.type == "integer":
        ints = sorted({int(v) + d for v in numbers for d in (-1, 0, 1) if int(v) + d >= 0} or {0})
        return st.one_of(st.sampled_from(ints), st.integers(0, 50))
    edges = [max(0.0, v + d) for v in numbers for d in (-0.01, 0.0, 0.01)] or [0.0]
    return st.one_of(st.sampled_from(edges), st.floats(0, 1, allow_nan=False).map(lambda x: round(x, 3)))


def facts(pack: RulePack, subset: list[str] | None = None) -> st.SearchStrategy[dict[str, Scalar]]:
    """A random fact set: each measure (of `subset`, or all the pack uses) present or absent."""
    near = thresholds(pack)
    names = sorted(subset if subset is not None else near)
    parts: dict[str, Any] = {n: st.one_of(st.none(), value_for(n, near[n])) for n in names}
    return st.fixed_dictionaries(parts).map(lambda d: {k: v for k, v in d.items() if v is not None})
