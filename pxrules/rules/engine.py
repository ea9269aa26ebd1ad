"""The durable-rules wrapper: compiles rules into one ruleset per sub-requirement and evaluates facts.

This is the ONLY module that imports durable. durable-rules 2.0.28 is usable only behind care:
one private host per process with no timer threads, rulesets registered as dicts, facts asserted
through the low-level calls, and the working session cleaned by retracting exactly what was
asserted (never `delete_state`, which can segfault).

How facts and thresholds are encoded for durable, and why, is in engine_encoding.py. Also:
no `$not`, `none` or `any` (order-dependent in durable). Firings are taken off the session
through the C calls durable's own `do_actions` makes (start, then complete-and-start the next),
without its per-firing Closure/Promise/state round trip, which cost more than the matching; an
error while recording a firing is kept and re-raised after the session is clean, as EngineError.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import durable_rules_engine as _dre
from durable.engine import Host

from pxrules.errors import EngineError, RuleError
from pxrules.rules.conditions import CompiledRule, Firing, Scalar, normalise, sort_key, validate_facts
from pxrules.rules.engine_encoding import compile_rule, encode_value, wire_text

WORKING_SID = "pxrules"
FACT_ID = "f"
# durable's alpha walk keeps matching nodes on a 64-slot stack: a fact that satisfies more than ~64
# conditions at once fails with error 303 (and >256 rules on a node or >512 nodes on a property fail
# or hang at registration). Each condition is at most one node, so 60 per ruleset is always safe.
MAX_CONDITIONS_PER_RULESET = 60
ENGINE_CACHE_SIZE = 2
_UNSAFE = re.compile(r"[^A-Za-z0-9]")


class _QuietHost(Host):  # type: ignore[misc]
    """A durable Host without the two self-rearming timer threads: actions run only when drained."""

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


def _never_run(c: Any) -> None:
    """The action durable requires of every rule. Never called: `RuleEngine._drain` takes the firings off
    the session itself (were durable to call it, the exception would surface as a session error)."""
    raise EngineError("durable-rules ran a rule action itself; RuleEngine._drain should have")


@dataclass(frozen=True, slots=True)
class _RuleEntry:
    index: int  # position in the input sequence: ties in sort_key keep input order, as in reference
    rule: CompiledRule
    measures: tuple[str, ...]


@dataclass(slots=True)
class _RuleSet:
    name: str
    sub_requirement: str
    measures: tuple[str, ...]  # index in this tuple = the property number
    definition: dict[str, Any]
    entries: dict[str, _RuleEntry]
    ruleset: Any = None
    handle: Any = None


def _safe(text: str) -> str:
    return _UNSAFE.sub("_", text)


class RuleEngine:
    """Evaluates a rule pack with durable-rules; `evaluate` returns what `evaluate_reference` returns."""

    def __init__(self, rules: Sequence[CompiledRule]) -> None:
        self._sets: dict[str, _RuleSet] = {}
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
                rs = self._compile_set(f"px{generation}_{k}_{_safe(sub)}", sub, members)
                self._register(rs)
                built[sub] = rs
        except BaseException:
            self._drop(built.values())
            raise
        return built

    def _compile_set(self, name: str, sub: str, members: list[tuple[int, CompiledRule]]) -> _RuleSet:
        measures = tuple(sorted({m for _, rule in members for m in rule.measures}))
        conditions = sum(len(rule.conditions) for _, rule in members)
        if conditions > MAX_CONDITIONS_PER_RULESET:
            raise RuleError(
                f"sub-requirement {sub}: {conditions} conditions; the engine takes at most "
                f"{MAX_CONDITIONS_PER_RULESET} per sub-requirement (a durable-rules limit)"
            )
        index_of = {m: i for i, m in enumerate(measures)}
        definition: dict[str, Any] = {}
        entries: dict[str, _RuleEntry] = {}
        for j, (index, rule) in enumerate(members):
            rule_name = f"r{j}_{_safe(rule.rule_id)}"
            definition[rule_name] = compile_rule(rule, index_of)
            entries[rule_name] = _RuleEntry(index, rule, rule.measures)
        return _RuleSet(name, sub, measures, definition, entries)

    def _register(self, rs: _RuleSet) -> None:
        # register_rulesets deletes `run` from each rule dict it is given and keeps the dicts: hand it copies
        # of those (it only serialises what lies below them, so a deep copy, a third of start-up, is not needed).
        runnable = {name: {**rule_def, "run": _never_run} for name, rule_def in rs.definition.items()}
        host = _get_host()
        try:
            host.register_rulesets({rs.name: runnable})
        except Exception as exc:
            raise EngineError(
                f"sub-requirement {rs.sub_requirement}: durable-rules refused its ruleset: {exc}"
            ) from exc
        rs.ruleset = host.get_ruleset(rs.name)
        rs.handle = rs.ruleset._handle

    def _drop(self, sets: Collection[_RuleSet]) -> None:
        """Unregister and free rulesets (the Python wrapper never frees them itself)."""
        host = _get_host()
        for rs in list(sets):
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

    def property_map(self, sub_requirement: str) -> dict[str, str]:
        """Property number -> measure name for one sub-requirement's ruleset (to read `definitions`)."""
        return {str(i): m for i, m in enumerate(self._sets[sub_requirement].measures)}

    def ruleset_names(self) -> tuple[str, ...]:
        return tuple(rs.name for rs in self._sets.values())

    # -- evaluation ---------------------------------------------------------------------------

    def _record(self, entry: _RuleEntry, message: Any) -> None:
        rule = entry.rule
        if self._phase != "assert":
            raise EngineError(f"rule {rule.rule_id} fired while the engine was {self._phase}")
        fact = message.get("p") if isinstance(message, dict) else None
        if not isinstance(fact, dict) or fact.get("id") != FACT_ID:
            raise EngineError(f"rule {rule.rule_id}: durable returned an unexpected match {message!r}")
        values = self._values
        matched = tuple([(m, values[m]) for m in entry.measures])
        self._firings.append((entry.index, Firing(rule.sub_requirement, rule.rule_id, rule.level, matched)))

    def evaluate(self, facts: Mapping[str, Scalar], only: Collection[str] | None = None) -> list[Firing]:
        """Firings for `facts` sorted by (sub_requirement, level, rule_id); `only` limits sub-requirements."""
        validate_facts(facts)
        wanted = None if only is None else set(only)
        with _HOST_LOCK:
            self._check_open()
            self._values = {m: normalise(v) for m, v in facts.items()}
            encoded: dict[str, tuple[str, str]] = {}
            self._firings = []
            self._errors = []
            try:
                for sub, rs in self._sets.items():
                    if wanted is not None and sub not in wanted:
                        continue
                    parts = []
                    for i, measure in enumerate(rs.measures):
                        if measure in facts:
                            if measure not in encoded:
                                kind, wire = encode_value(facts[measure])
                                encoded[measure] = (kind, wire_text(kind, wire))
                            kind, text = encoded[measure]
                            parts.append(f'"{kind}{i}":{text}')
                    if parts:  # with no measure present no rule here can fire
                        head = f'[{{"id":"{FACT_ID}","sid":"{WORKING_SID}",'
                        self._run_set(rs, head + ",".join(parts) + "}]")
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

    def _run_set(self, rs: _RuleSet, payload: str) -> None:
        self._phase = "assert"
        try:
            try:
                code, offset = _dre.assert_facts(rs.handle, payload)
            except Exception as exc:
                raise EngineError(
                    f"sub-requirement {rs.sub_requirement}: durable-rules refused facts: {exc}"
                ) from exc
            # 0: matched, 1: the fact matched no rule (fine); 2 would mean it was already there.
            if code not in (0, 1):
                raise EngineError(f"sub-requirement {rs.sub_requirement}: assert_facts returned code {code}")
            self._drain(rs, offset)
        finally:
            self._phase = "draining"
            self._clean(rs, payload)

    def _drain(self, rs: _RuleSet, offset: int) -> None:
        """Run the actions queued on the working session, straight through the C extension.

        This is what durable's `Ruleset.do_actions` does for a 1-parameter action, less its per-firing
        Python machinery (a Closure, a Promise and a JSON round trip of the state, which our actions never
        change, so `update_state` is skipped): start the first action, then complete each and start the
        next until none is left. Like durable, only the first action of a message is taken.
        """
        try:
            started = _dre.start_action_for_state(rs.handle, offset)
            if not started:
                return
            message = json.loads(started[1])
            while True:
                for rule_name, match in message.items():
                    entry = rs.entries.get(rule_name)
                    try:
                        if entry is None:
                            raise EngineError(f"durable-rules fired an unknown rule {rule_name!r}")
                        self._record(entry, match)
                    except BaseException as exc:  # collected and re-raised after the session is clean
                        self._errors.append(exc)
                    break
                following = _dre.complete_and_start_action(rs.handle, offset)
                if not following:
                    return
                message = json.loads(following)
        except Exception as exc:
            self._errors.append(EngineError(
                f"sub-requirement {rs.sub_requirement}: running the rules' actions failed: {exc}"))
            with contextlib.suppress(Exception):  # as durable does when an action fails
                _dre.abandon_action(rs.handle, offset)

    def _clean(self, rs: _RuleSet, payload: str) -> None:
        """Retract exactly what was asserted, run any residue, and prove the session is empty."""
        try:
            _code, offset = _dre.retract_facts(rs.handle, payload)
            self._drain(rs, offset)
            left = _dre.get_facts(rs.handle, WORKING_SID)
        except Exception as exc:
            raise EngineError(
                f"sub-requirement {rs.sub_requirement}: cleaning the session failed: {exc}"
            ) from exc
        if left != "[]" and json.loads(left):
            count = len(json.loads(left))
            raise EngineError(
                f"sub-requirement {rs.sub_requirement}: {count} fact(s) left in the working session"
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
