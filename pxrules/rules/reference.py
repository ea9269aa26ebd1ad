"""Plain-Python rule evaluation: the differential oracle for the durable engine and its benchmark baseline.

It applies `conditions.holds` directly, with no network, no state and no rounding of its own, so
a disagreement with `engine.RuleEngine` is a bug in the engine wrapper (or in durable-rules).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pxrules.rules.conditions import CompiledRule, Firing, Scalar, holds, normalise, sort_key, validate_facts


def evaluate_reference(rules: Sequence[CompiledRule], facts: Mapping[str, Scalar]) -> list[Firing]:
    """Every rule whose conditions all hold on present facts, sorted by (sub_requirement, level, rule_id).

    An absent measure is "no evidence": a rule that tests it does not fire. Rules sharing a sort
    key keep their input order (the engine reproduces that order too).
    """
    validate_facts(facts)
    firings: list[Firing] = []
    for rule in rules:
        for cond in rule.conditions:
            value = facts.get(cond.measure)
            if value is None or not holds(cond, value):
                break
        else:
            matched = tuple((m, normalise(facts[m])) for m in rule.measures)
            firings.append(Firing(rule.sub_requirement, rule.rule_id, rule.level, matched))
    firings.sort(key=sort_key)
    return firings
