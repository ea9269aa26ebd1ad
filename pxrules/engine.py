"""The durable-rules wrapper: compiles rules into one ruleset per sub-requirement and evaluates facts.

This is the ONLY module that imports durable. durable-rules 2.0.28 is usable only behind care
(see docs on the engine): one private host per process with no timer threads, rulesets as dicts,
facts asserted in one batch per ruleset through the low-level calls, and the working session
cleaned by retracting exactly what was asserted (never `delete_state`, which can segfault).

Encoding. Each measure is one fact `{"id": <measure>, "sid": WORKING_SID, "m": <measure>,
"t": <kind>, "v": <value>}` where kind is "b", "n" or "s". durable coerces freely across types
(`true == 1`, `"true" == true`, strings compare with numbers as text), so every pattern tests
`t` and a kind mismatch can never match, as `conditions.holds` requires. Numbers travel as
integers in millionths (`normalise` rounds floats to 6 places, so this is exact): durable's JSON
parser mis-reads floats written in exponent form without a dot ("5e-05" crashes the process, a
threshold of 1e16 fails to register), and integer comparisons sidestep all of that.

Each rule is an `all` join of one pattern per distinct measure it tests; no `$not`, `none` or
`any` (order-dependent in durable). Firings come back from 1-parameter action closures; an
exception inside an action is caught there and re-raised after evaluation as EngineError.
"""

from __future__ import annotations

import copy
import itertools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import durable_rules_engine as _dre
from durable.engine import Host

from pxrules.conditions import (
    CompiledRule,
    Condition,
    Firing,
    Scalar,
    kind_of,
    normalise,
    sort_key,
    validate_facts,
)
from pxrules.errors import EngineError, RuleError

WORKING_SID = "pxrules"
# durable-rules fails with error 108 past 256 rules sharing a node and hangs past 512 alpha nodes on
# one property; a sub-requirement's ruleset stays well under both.
MAX_CONDITIONS_PER_RULESET = 250
ENGINE_CACHE_SIZE = 2
_SCALE = 10**6
_COMPARE = {"neq": "$neq", "gt": "$gt", "gte": "$gte", "lt": "$lt", "lte": "$lte"}
_UNSAFE = re.compile(r"[^A-Za-z0-9]")


class _QuietHost(Host):  # type: ignore[misc]
    """A durable Host without the two self-rearming timer threads: actions run only inside do_actions."""

    def _run(self) -> None:
        return None


# The C extension never releases the GIL and a host is not thread-safe: one lock guards it.
_HOST_LOCK = threading.Lock()
_host: Any = None
_generation = itertools.count(1)


def _get_host() -> Any:
    """The process's one durable host (created on first use); call with _HOST_LOCK held."""
    global _host
    if _host is None:
        _host = _QuietHost()
    return _host


def encode_value(value: Scalar) -> tuple[str, bool | int | str]:
    """(kind, wire value) for a fact or threshold: numbers become exact integer millionths."""
    kind = kind_of(value)
    if kind is None:
        raise EngineError(f"cannot encode {value!r}: not a bool, number or string")
    if kind == "n":
        number = normalise(value)
        if isinstance(number, int):
            return kind, number * _SCALE
        return kind, round(Fraction(number) * _SCALE)
    assert not isinstance(value, float)
    return kind, value


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text)


def _pattern(measure: str, conds: Sequence[Condition]) -> dict[str, Any]:
    """One `$and` pattern matching the single fact for `measure` when all `conds` hold on it."""
    tests: list[dict[str, Any]] = [{"m": measure}]
    # Two kinds on one measure (x == true and x > 3) can never both hold: two `t` tests say so.
    tests += [{"t": kind} for kind in sorted({encode_value(c.value)[0] for c in conds})]
    for cond in conds:
        wire = encode_value(cond.value)[1]
        tests.append({"v": wire} if cond.op == "eq" else {_COMPARE[cond.op]: {"v": wire}})
    return {"$and": tests}


def compile_rule(rule: CompiledRule) -> tuple[dict[str, Any], dict[str, str]]:
    """The durable rule dict for `rule` and its alias -> measure table."""
    aliases = {f"p{k}": measure for k, measure in enumerate(rule.measures)}
    joins = [
        {alias: _pattern(measure, [c for c in rule.conditions if c.measure == measure])}
        for alias, measure in aliases.items()
    ]
    return {"all": joins}, aliases


@dataclass(frozen=True, slots=True)
class _RuleEntry:
    index: int  # position in the input sequence: ties in sort_key keep input order, as in reference
    rule: CompiledRule
    aliases: dict[str, str]


@dataclass(slots=True)
class _RuleSet:
    name: str
    sub_requirement: str
    measures: tuple[str, ...]
    definition: dict[str, Any]
    entries: dict[str, _RuleEntry]
    ruleset: Any = None
    handle: Any = None
    fired: list[tuple[int, Firing]] = field(default_factory=list)


class RuleEngine:
    """Evaluates a rule pack with durable-rules; `evaluate` returns what `evaluate_reference` returns."""

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        self._sets: dict[str, _RuleSet] = {}
        self._by_name: dict[str, _RuleSet] = {}
        self._closed = False
        self._phase = "idle"
        self._values: dict[str, Scalar] = {}
        self._firings: list[tuple[int, Firing]] = []
        self._errors: list[BaseException] = []
        with _HOST_LOCK:
            self._sets = self._build(rules)

    # -- building -----------------------------------------------------------------------------

    def _build(self, rules: Sequence[CompiledRule]) -> dict[str, _RuleSet]:
        grouped: dict[str, list[tuple[int, CompiledRule]]] = {}
        for index, rule in enumerate(rules):
            if not isinstance(rule, CompiledRule):
                raise RuleError(f"rule #{index}: {rule!r} is not a CompiledRule")
            grouped.setdefault(rule.sub_requirement, []).append((index, rule))
        generation = next(_generation)
        built: dict[str, _RuleSet] = {}
        try:
            for k, (sub, members) in enumerate(grouped.items()):
                count = sum(len(rule.conditions) for _, rule in members)
                if count > MAX_CONDITIONS_PER_RULESET:
                    raise RuleError(
                        f"sub-requirement {sub}: {count} conditions; the engine takes at most "
                        f"{MAX_CONDITIONS_PER_RULESET} per sub-requirement"
                    )
                rs = self._compile_set(f"px{generation}_{k}_{_safe(sub)}", sub, members)
                self._register(rs)
                built[sub] = rs
        except BaseException:
            self._drop(built.values())
            raise
        return built

    def _compile_set(self, name: str, sub: str, members: list[tuple[int, CompiledRule]]) -> _RuleSet:
        definition: dict[str, Any] = {}
        entries: dict[str, _RuleEntry] = {}
        for j, (index, rule) in enumerate(members):
            rule_name = f"r{j}_{_safe(rule.rule_id)}"
            definition[rule_name], aliases = compile_rule(rule)
            entries[rule_name] = _RuleEntry(index, rule, aliases)
        measures = tuple(sorted({m for _, rule in members for m in rule.measures}))
        return _RuleSet(name, sub, measures, definition, entries)

    def _register(self, rs: _RuleSet) -> None:
        # register_rulesets deletes `run` from what it is given and owns it: hand it a deep copy.
        runnable = copy.deepcopy(rs.definition)
        for rule_name, rule_def in runnable.items():
            rule_def["run"] = self._action(rs.name, rule_name)
        host = _get_host()
        try:
            host.register_rulesets({rs.name: runnable})
        except Exception as exc:
            raise EngineError(f"sub-requirement {rs.sub_requirement}: durable-rules refused the ruleset: {exc}") from exc
        rs.ruleset = host.get_ruleset(rs.name)
        rs.handle = rs.ruleset._handle
        self._by_name[rs.name] = rs

    def _drop(self, sets: Collection[_RuleSet]) -> None:
        """Unregister and free rulesets (the Python wrapper never frees them itself)."""
        host = _get_host()
        for rs in list(sets):
            self._by_name.pop(rs.name, None)
            if rs.ruleset is None:
                continue
            host._ruleset_directory.pop(rs.name, None)
            if rs.ruleset in host._ruleset_list:
                host._ruleset_list.remove(rs.ruleset)
            _dre.delete_ruleset(rs.handle)
            rs.ruleset = rs.handle = None

    def replace(self, rules: Sequence[CompiledRule]) -> None:
        """Hot reload: compile and register `rules`, then delete the old rulesets."""
        with _HOST_LOCK:
            self._check_open()
            new = self._build(rules)
            old, self._sets = self._sets, new
            self._drop(old.values())

    def close(self) -> None:
        """Delete this engine's rulesets from the host; the engine cannot evaluate afterwards."""
        with _HOST_LOCK:
            if not self._closed:
                self._drop(self._sets.values())
                self._sets = {}
                self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise EngineError("this RuleEngine was closed (its rules were replaced or unloaded)")

    # -- introspection ------------------------------------------------------------------------

    @property
    def sub_requirements(self) -> tuple[str, ...]:
        return tuple(self._sets)

    def definitions(self) -> dict[str, dict[str, Any]]:
        """The compiled durable ruleset dicts by sub-requirement (copies; for inspection and tests)."""
        return {sub: copy.deepcopy(rs.definition) for sub, rs in self._sets.items()}

    # -- evaluation ---------------------------------------------------------------------------

    def _action(self, set_name: str, rule_name: str) -> Callable[[Any], None]:
        # Exactly one parameter (two would make durable treat it as async); exceptions must not
        # reach durable, which would swallow them into the session state.
        def action(c: Any) -> None:
            try:
                self._record(set_name, rule_name, c._m)
            except BaseException as exc:
                self._errors.append(exc)

        return action

    def _record(self, set_name: str, rule_name: str, message: Any) -> None:
        rs = self._by_name[set_name]
        entry = rs.entries[rule_name]
        if self._phase != "assert":
            raise EngineError(f"rule {entry.rule.rule_id} fired while the engine was {self._phase}")
        if not isinstance(message, dict) or set(message) != set(entry.aliases):
            raise EngineError(f"rule {entry.rule.rule_id}: durable returned an unexpected match {message!r}")
        matched: list[tuple[str, Scalar]] = []
        for alias, measure in entry.aliases.items():
            fact = message[alias]
            if not isinstance(fact, dict) or fact.get("m") != measure or measure not in self._values:
                raise EngineError(f"rule {entry.rule.rule_id}: matched {fact!r} for measure {measure}")
            matched.append((measure, self._values[measure]))
        rule = entry.rule
        self._firings.append((entry.index, Firing(rule.sub_requirement, rule.rule_id, rule.level, tuple(matched))))

    def _on_complete(self, error: Any, state: Any) -> None:
        if error:
            self._errors.append(error if isinstance(error, BaseException) else EngineError(str(error)))

    def evaluate(self, facts: Mapping[str, Scalar], only: Collection[str] | None = None) -> list[Firing]:
        """Firings for `facts`, sorted by (sub_requirement, level, rule_id); `only` limits sub-requirements."""
        validate_facts(facts)
        wanted = None if only is None else set(only)
        with _HOST_LOCK:
            self._check_open()
            self._values = {m: normalise(v) for m, v in facts.items()}
            fragments: dict[str, str] = {}
            self._firings = []
            self._errors = []
            try:
                for sub, rs in self._sets.items():
                    if wanted is not None and sub not in wanted:
                        continue
                    present = []
                    for measure in rs.measures:
                        if measure in facts:
                            if measure not in fragments:
                                fragments[measure] = self._fragment(measure, facts[measure])
                            present.append(fragments[measure])
                    if present:  # nothing to match: no rule here can fire
                        self._run_set(rs, "[" + ",".join(present) + "]")
                    if self._errors:
                        break
            finally:
                self._phase = "idle"
                self._values = {}
            firings, self._firings = self._firings, []
            errors, self._errors = self._errors, []
        if errors:
            first = errors[0]
            if not isinstance(first, Exception):
                raise first  # KeyboardInterrupt and friends stay what they are
            if isinstance(first, EngineError):
                raise first
            raise EngineError(f"a rule action raised during evaluation: {first!r}") from first
        firings.sort(key=lambda pair: pair[0])
        result = [f for _, f in firings]
        result.sort(key=sort_key)
        return result

    @staticmethod
    def _fragment(measure: str, value: Scalar) -> str:
        kind, wire = encode_value(value)
        fact = {"id": measure, "sid": WORKING_SID, "m": measure, "t": kind, "v": wire}
        # ensure_ascii=False exactly as durable serialises the ruleset: strings compare as raw JSON text.
        return json.dumps(fact, ensure_ascii=False)

    def _run_set(self, rs: _RuleSet, payload: str) -> None:
        self._phase = "assert"
        try:
            try:
                code, offset = _dre.assert_facts(rs.handle, payload)
            except Exception as exc:
                raise EngineError(f"sub-requirement {rs.sub_requirement}: durable-rules refused facts: {exc}") from exc
            # 0: all handled, 1: some fact matched no pattern (fine); 2 would mean a fact was already there.
            if code not in (0, 1):
                raise EngineError(f"sub-requirement {rs.sub_requirement}: assert_facts returned code {code}")
            rs.ruleset.do_actions(offset, self._on_complete)
        finally:
            self._phase = "draining"
            self._clean(rs, payload)

    def _clean(self, rs: _RuleSet, payload: str) -> None:
        """Retract exactly what was asserted, run any residue, and prove the session is empty."""
        try:
            _code, offset = _dre.retract_facts(rs.handle, payload)
            rs.ruleset.do_actions(offset, self._on_complete)
            left = _dre.get_facts(rs.handle, WORKING_SID)
        except Exception as exc:
            raise EngineError(f"sub-requirement {rs.sub_requirement}: cleaning the session failed: {exc}") from exc
        if left != "[]" and json.loads(left):
            raise EngineError(
                f"sub-requirement {rs.sub_requirement}: {len(json.loads(left))} fact(s) left in the working session"
            )


_CACHE: OrderedDict[str, RuleEngine] = OrderedDict()
_CACHE_LOCK = threading.Lock()


def get_engine(rules_hash: str, rules: Sequence[CompiledRule]) -> RuleEngine:
    """The process's engine for a rule pack, built once per `rules_hash`.

    Keeps the ENGINE_CACHE_SIZE most recently used packs; an evicted engine is closed and its
    rulesets deleted (hot reload), so callers should not hold on to engines across reloads.
    """
    with _CACHE_LOCK:
        engine = _CACHE.get(rules_hash)
        if engine is not None:
            _CACHE.move_to_end(rules_hash)
            return engine
        engine = RuleEngine(rules)
        _CACHE[rules_hash] = engine
        while len(_CACHE) > ENGINE_CACHE_SIZE:
            _, old = _CACHE.popitem(last=False)
            old.close()
        return engine
