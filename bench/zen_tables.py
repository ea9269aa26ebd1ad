"""The same scoring as GoRules zen-engine decision tables, generated from the compiled rules (a baseline).

For each chosen sub-requirement one decision table: a column per measure its rules test, one row per rule in
descending level (first hit wins, so the row that matches is the highest level that holds, which is the
raw level before caps), and a last empty row giving level 0. All tables hang off one input node in one
JDM graph, so one `evaluate` scores every chosen sub-requirement, as one durable or reference call does.

A cell tests presence first (`$ != null and ...`): an absent measure is "no evidence" and matches nothing,
as in `conditions.holds`; zen cannot compare null, and `!=` would otherwise hold on it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from pxrules.rules.conditions import CompiledRule, Condition, Scalar, normalise
from pxrules.rules.pack import RulePack

_OPS = {"eq": "==", "neq": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}


def pick_subset(pack: RulePack, count: int = 12) -> list[str]:
    """`count` sub-requirements spread evenly over the framework (a representative, fixed subset)."""
    subs = list(pack.files)
    step = max(1, len(subs) // count)
    return subs[::step][:count]


def _literal(value: Scalar) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    return repr(normalise(value))


def _cell(conditions: Sequence[Condition]) -> str:
    if not conditions:
        return ""
    tests = " and ".join(f"$ {_OPS[c.op]} {_literal(c.value)}" for c in conditions)
    return f"$ != null and {tests}"


def field_name(measure: str) -> str:
    """A measure name as a flat context key (zen reads dots as nesting)."""
    return measure.replace(".", "__")


def _table(sub: str, rules: Sequence[CompiledRule]) -> dict[str, Any]:
    measures = sorted({c.measure for r in rules for c in r.conditions})
    inputs = [{"id": f"{sub}-i{k}", "name": m, "field": field_name(m)} for k, m in enumerate(measures)]
    output_id = f"{sub}-level"
    rows: list[dict[str, Any]] = []
    for n, rule in enumerate(sorted(rules, key=lambda r: (-r.level, r.rule_id))):
        row: dict[str, Any] = {"_id": f"{sub}-r{n}", output_id: str(rule.level)}
        for column, measure in zip(inputs, measures, strict=True):
            row[column["id"]] = _cell([c for c in rule.conditions if c.measure == measure])
        rows.append(row)
    rows.append({"_id": f"{sub}-r{len(rows)}", output_id: "0", **{c["id"]: "" for c in inputs}})
    return {
        "id": f"table-{sub}", "type": "decisionTableNode", "name": sub, "position": {"x": 300, "y": 0},
        "content": {"hitPolicy": "first", "inputs": inputs, "rules": rows,
                    "outputs": [{"id": output_id, "name": f"level {sub}", "field": f"level_{sub}"}]},
    }


def build_jdm(pack: RulePack, subs: Sequence[str]) -> dict[str, Any]:
    """The JDM graph scoring `subs`: input node -> one decision table per sub-requirement -> output node."""
    tables = [_table(sub, pack.for_sub(sub).rules) for sub in subs]
    nodes: list[dict[str, Any]] = [{"id": "input", "type": "inputNode", "name": "facts", "position": {"x": 0, "y": 0}}]
    nodes += tables
    nodes.append({"id": "output", "type": "outputNode", "name": "levels", "position": {"x": 600, "y": 0}})
    edges = []
    for t in tables:
        edges.append({"id": f"in-{t['id']}", "sourceId": "input", "targetId": t["id"], "type": "edge"})
        edges.append({"id": f"{t['id']}-out", "sourceId": t["id"], "targetId": "output", "type": "edge"})
    return {"nodes": nodes, "edges": edges}


class ZenScorer:
    """The generated graph loaded into zen-engine."""

    def __init__(self, pack: RulePack, subs: Sequence[str]) -> None:
        import zen

        self.subs = list(subs)
        self.measures = sorted({c.measure for s in subs for r in pack.for_sub(s).rules for c in r.conditions})
        self._decision = zen.ZenEngine().create_decision(json.dumps(build_jdm(pack, subs)))

    def context(self, facts: Mapping[str, Scalar]) -> dict[str, Scalar]:
        return {field_name(m): facts[m] for m in self.measures if m in facts}

    def levels(self, context: Mapping[str, Scalar]) -> dict[str, int]:
        result = self._decision.evaluate(dict(context))["result"]
        return {s: int(result[f"level_{s}"]) for s in self.subs}


def raw_levels(firings: Sequence[Any], subs: Sequence[str]) -> dict[str, int]:
    """Highest level fired per sub-requirement (0 when none): what a first-hit table by level gives."""
    out = dict.fromkeys(subs, 0)
    for f in firings:
        if f.sub_requirement in out:
            out[f.sub_requirement] = max(out[f.sub_requirement], f.level)
    return out
