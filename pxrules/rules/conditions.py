"""The compiled rule types and the one definition of how a condition compares a measured value.

Both evaluators (the durable-rules engine in `engine.py` and the plain-Python twin in
`reference.py`) take their meaning from `holds` and `normalise` here, so they can be tested
against each other. This module is pure Python: nothing here imports durable.

Comparison semantics, in full:
- Values are of three kinds: booleans, numbers (int or float) and strings. A condition only ever
  holds between a value and a threshold of the same kind: `True` never equals `1`, and a kind
  mismatch never matches, not even for "neq".
- Numbers support all six operators; booleans and strings only "eq" and "neq".
- Floats are rounded to 6 decimal places (`normalise`) on both sides before comparing; ints are
  exact, and an int compares with a float by value (3 == 3.0).
- Numbers must be finite and within +/- NUMBER_LIMIT, and strings valid Unicode text (no lone
  surrogates): that is the range the engine represents exactly (see engine.py).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from pxrules.errors import EvidenceError, RuleError
from pxrules.measures.registry import DECIMALS as DECIMALS
from pxrules.measures.registry import normalise as normalise

Scalar = bool | int | float | str
Op = Literal["eq", "neq", "gt", "gte", "lt", "lte"]
Kind = Literal["b", "n", "s"]

OPS: frozenset[str] = frozenset(get_args(Op))
ORDER_OPS: frozenset[str] = frozenset({"gt", "gte", "lt", "lte"})
MEASURE_RE = re.compile(r"^[a-z0-9][a-z0-9_.]*$")
# Above about 2**31, adjacent doubles lie more than 5e-7 apart and rounding to 6 places stops being
# exact (the engine's integer millionths would drift); 1e9 leaves a margin and covers every count and
# rate we measure.
NUMBER_LIMIT = 10**9


_KINDS: dict[type, Kind] = {bool: "b", int: "n", float: "n", str: "s"}


def kind_of(value: object) -> Kind | None:
    """'b', 'n' or 's' for a Scalar, None for anything else (bool is checked before int)."""
    kind = _KINDS.get(type(value))
    if kind is not None:
        return kind
    if isinstance(value, bool):
        return "b"
    if isinstance(value, int | float):
        return "n"
    if isinstance(value, str):
        return "s"
    return None


def scalar_problem(value: object) -> str | None:
    """Why `value` is not a usable Scalar, or None if it is."""
    kind = kind_of(value)
    if kind is None:
        return f"expected a bool, number or string, got {type(value).__name__}"
    if kind == "n":
        assert isinstance(value, int | float)
        if isinstance(value, float) and not math.isfinite(value):
            return f"number {value!r} is not finite"
        if abs(value) > NUMBER_LIMIT:
            return f"number {value!r} is outside +/-{NUMBER_LIMIT:,}"
    elif kind == "s":
        assert isinstance(value, str)
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "string is not valid Unicode text (lone surrogate)"
    return None


@dataclass(frozen=True, slots=True)
class Condition:
    """One test on one measure: `<measure> <op> <value>`."""

    measure: str
    op: Op
    value: Scalar

    def __post_init__(self) -> None:
        if not isinstance(self.measure, str) or not MEASURE_RE.match(self.measure):
            raise RuleError(f"measure name {self.measure!r} must match {MEASURE_RE.pattern}")
        if self.op not in OPS:
            raise RuleError(
                f"measure {self.measure}: unknown operator {self.op!r} (use one of {sorted(OPS)})"
            )
        problem = scalar_problem(self.value)
        if problem is not None:
            raise RuleError(f"measure {self.measure}: threshold {problem}")
        if self.op in ORDER_OPS and kind_of(self.value) != "n":
            raise RuleError(
                f"measure {self.measure}: operator {self.op!r} needs a number, "
                f"got {type(self.value).__name__} {self.value!r} (booleans and strings allow eq/neq only)"
            )


@dataclass(frozen=True, slots=True)
class CompiledRule:
    """A rule ready to evaluate: it fires when every condition holds. Rule ids look like "12C.L3.b"."""

    rule_id: str
    sub_requirement: str
    level: int
    conditions: tuple[Condition, ...]
    because: str

    def __post_init__(self) -> None:
        if not isinstance(self.rule_id, str) or not self.rule_id:
            raise RuleError(f"rule id {self.rule_id!r} must be a non-empty string")
        if not isinstance(self.sub_requirement, str) or not self.sub_requirement:
            raise RuleError(f"rule {self.rule_id}: sub-requirement must be a non-empty string")
        if isinstance(self.level, bool) or not isinstance(self.level, int):
            raise RuleError(f"rule {self.rule_id}: level must be an int, got {self.level!r}")
        if not isinstance(self.conditions, tuple):
            object.__setattr__(self, "conditions", tuple(self.conditions))
        if not self.conditions:
            raise RuleError(f"rule {self.rule_id}: needs at least one condition")
        for cond in self.conditions:
            if not isinstance(cond, Condition):
                raise RuleError(f"rule {self.rule_id}: {cond!r} is not a Condition")

    @property
    def measures(self) -> tuple[str, ...]:
        """The distinct measures this rule tests, sorted."""
        return tuple(sorted({c.measure for c in self.conditions}))


@dataclass(frozen=True, slots=True)
class Firing:
    """A rule that fired, with the (measure, normalised value) pairs it matched, sorted by measure."""

    sub_requirement: str
    rule_id: str
    level: int
    matched: tuple[tuple[str, Scalar], ...]


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": operator.eq,
    "neq": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
}


def holds(cond: Condition, value: Scalar) -> bool:
    """Whether `value` (a measured fact) satisfies `cond`; the single definition of comparison semantics."""
    kind = kind_of(value)
    if kind is None or kind != kind_of(cond.value):
        return False  # True is not 1, "1" is not 1, and a mismatch never matches, not even for neq
    if kind != "n" and cond.op in ORDER_OPS:
        return False  # unreachable through Condition's checks; kept so holds is total
    return _COMPARE[cond.op](normalise(value), normalise(cond.value))


def validate_facts(facts: Mapping[str, Scalar]) -> None:
    """Raise EvidenceError naming every fact whose value is not a usable Scalar."""
    problems = []
    for measure, value in facts.items():
        problem = scalar_problem(value)
        if problem is not None:
            problems.append((f"measure {measure}", problem))
    if problems:
        raise EvidenceError(f"{len(problems)} measured value(s) cannot be evaluated", problems)


def sort_key(firing: Firing) -> tuple[str, int, str]:
    """The order both evaluators return firings in: (sub_requirement, level, rule_id)."""
    return (firing.sub_requirement, firing.level, firing.rule_id)
