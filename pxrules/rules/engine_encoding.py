"""How facts and rule thresholds travel to durable-rules: property names by kind, numbers as exact integers.

Encoding (each choice works around something measured in 2.0.28):
- One fact per ruleset and evaluation, carrying only the measures that ruleset tests, one
  property per measure: `{"id": "f", "sid": WORKING_SID, "n0": 730000, "b1": true, "s2": "yes"}`.
  Every rule is then a single `$and` pattern: no joins. Retracting facts that completed an `all`
  join reads uninitialised memory in deleteMessageFromFrame (valgrind, even for two-fact joins);
  with joins of five or more facts the reads go out of bounds and the process segfaults within a
  few evaluations. Single-pattern rules are clean under valgrind.
- Property names are <kind><index>: kind "b" bool, "n" number, "s" string. durable coerces across
  types (`true == 1`, `"true" == true`, numbers compare with strings as text); a condition reads
  only the property of its own kind, which is absent when the fact is of another kind, so a kind
  mismatch never matches, not even "neq", as `conditions.holds` requires (`property_map` turns
  the numbers back into measure names).
- Numbers travel as integers in millionths (exact, since `normalise` rounds floats to 6 places):
  durable's parser mis-reads floats in exponent form without a dot ("5e-05" in a fact crashes
  the process; a 1e16 threshold fails to register).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pxrules.errors import EngineError
from pxrules.rules.conditions import CompiledRule, Scalar, kind_of, normalise

_SCALE = 10**6
_COMPARE = {"neq": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}


def encode_value(value: Scalar) -> tuple[str, bool | int | str]:
    """(kind, wire value) for a fact or threshold: numbers become exact integer millionths."""
    kind = kind_of(value)
    if kind is None:
        raise EngineError(f"cannot encode {value!r}: not a bool, number or string")
    if kind == "n":
        number = normalise(value)
        if isinstance(number, int):
            return kind, number * _SCALE
        assert isinstance(number, float)
        # |number| <= NUMBER_LIMIT (1e9) lies within half an ulp (<= 6e-8) of some d/1e6, and the
        # float product adds at most 0.07 more, so round() recovers d exactly (tested against Fraction).
        return kind, round(number * _SCALE)
    assert not isinstance(value, float)
    return kind, value


def wire_text(kind: str, wire: bool | int | str) -> str:
    """A wire value as durable writes it in a message, so a fired fact's properties read back alike."""
    if kind == "s":
        # ensure_ascii=False exactly as durable serialises the ruleset: strings compare as raw JSON text.
        return json.dumps(wire, ensure_ascii=False)
    if kind == "b":
        return "true" if wire else "false"
    return str(wire)


def compile_rule(rule: CompiledRule, index_of: Mapping[str, int]) -> dict[str, Any]:
    """The durable rule dict for `rule`: one `$and` pattern over the ruleset's single fact."""
    tests: list[dict[str, Any]] = []
    for cond in rule.conditions:
        kind, wire = encode_value(cond.value)
        prop = f"{kind}{index_of[cond.measure]}"
        tests.append({prop: wire} if cond.op == "eq" else {_COMPARE[cond.op]: {prop: wire}})
    return {"all": [{"p": {"$and": tests}}]}
