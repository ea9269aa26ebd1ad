"""Load and validate the rule pack (rules/**/<ID>.yaml) into compiled rules, with a content hash.

A rule file gives, for each level 1..5 of one sub-requirement, one or more alternatives: a `because`
sentence, `when` conditions on measures (all must hold), and what the alternative rests on: at levels
1-4 `grounds`, phrases quoted from the framework (checked against the catalogue text); at level 5
`source`, naming what beyond the words separates 5 from 4. Level 0 is what remains when nothing holds.
Nothing in a rule file is ever executed: it is parsed with yaml.safe_load and checked against the
measure registry.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from pxrules.errors import RuleError
from pxrules.measures import MEASURES, MeasureSpec
from pxrules.paths import rules_dir
from pxrules.rules.catalogue import Catalogue, load_catalogue
from pxrules.rules.conditions import CompiledRule, Condition, Scalar, normalise
from pxrules.rules.yaml_parse import safe_load, yaml_error

OPS = ("eq", "neq", "gt", "gte", "lt", "lte")
LEVELS = (1, 2, 3, 4, 5)
DEFAULT_ATTESTATION_CAP = 2
_RULE_KEYS = {"sub_requirement", "title", "attestation_cap", "notes", "levels"}
_ALT_KEYS = {"because", "grounds", "source", "when"}


@dataclass(frozen=True)
class RuleFile:
    """One sub-requirement's rules as written, with where they came from."""

    sub_requirement: str
    path: Path
    title: str
    notes: str
    attestation_cap: int
    rules: tuple[CompiledRule, ...]
    # Per rule id: the framework's words it rests on (levels 1-4) and what beyond them (level 5).
    grounds: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)

    # Worked out once per file (scoring asks for them for every sub-requirement of every assessment).
    @cached_property
    def measures(self) -> tuple[str, ...]:
        """The measures its rules test, sorted."""
        return tuple(sorted({c.measure for r in self.rules for c in r.conditions}))

    @cached_property
    def by_id(self) -> dict[str, CompiledRule]:
        """Its rules by rule id."""
        return {r.rule_id: r for r in self.rules}


@dataclass(frozen=True)
class RulePack:
    """The validated pack: compiled rules for every sub-requirement, and the hashes that version it."""

    root: Path
    hash: str
    measures_hash: str
    catalogue_version: str
    files: dict[str, RuleFile] = field(default_factory=dict)

    @property
    def rules(self) -> tuple[CompiledRule, ...]:
        return tuple(r for f in self.files.values() for r in f.rules)

    def for_sub(self, sub_requirement: str) -> RuleFile:
        return self.files[sub_requirement]

    def measures_used(self, sub_requirement: str | None = None) -> set[str]:
        """Measure names the rules test (all, or one sub-requirement's)."""
        files = [self.files[sub_requirement]] if sub_requirement else list(self.files.values())
        return {m for f in files for m in f.measures}


def measure_readers(pack: RulePack) -> dict[str, tuple[str, ...]]:
    """Measure name -> the sub-requirements whose rules read it, in framework order."""
    found: dict[str, list[str]] = {}
    for sub, rule_file in pack.files.items():
        for name in sorted(rule_file.measures):
            found.setdefault(name, []).append(sub)
    return {name: tuple(subs) for name, subs in found.items()}


def _interval(conds: list[Condition]) -> tuple[float, bool, float, bool] | None:
    """Numeric conditions on one measure as (low, low_open, high, high_open); None when empty."""
    low, low_open, high, high_open = -math.inf, False, math.inf, False
    for c in conds:
        v = float(c.value)
        if c.op in ("gt", "gte", "eq") and (v > low or (v == low and c.op == "gt")):
            low, low_open = v, c.op == "gt"
        if c.op in ("lt", "lte", "eq") and (v < high or (v == high and c.op == "lt")):
            high, high_open = v, c.op == "lt"
    if low > high or (low == high and (low_open or high_open)):
        return None
    return low, low_open, high, high_open


def _numeric(conds: list[Condition]) -> bool:
    return all(isinstance(c.value, int | float) and not isinstance(c.value, bool) for c in conds)


def _excludes(conds: list[Condition], value: Scalar) -> bool:
    """Whether `conds` (on one measure) can never hold when the measure equals `value`."""
    if any(c.op == "neq" and c.value == value for c in conds):
        return True
    if any(c.op == "eq" and c.value != value for c in conds):
        return True
    if _numeric(conds) and isinstance(value, int | float) and not isinstance(value, bool):
        span = _interval([c for c in conds if c.op != "neq"])
        if span is None:
            return True
        low, low_open, high, high_open = span
        v = float(value)
        return v < low or v > high or (v == low and low_open) or (v == high and high_open)
    return False


def _satisfiable(conds: list[Condition]) -> bool:
    plain = [c for c in conds if c.op != "neq"]
    if _numeric(conds):
        span = _interval(plain)
        if span is None:
            return False
        low, _, high, _ = span
        return not (low == high and any(c.op == "neq" and float(c.value) == low for c in conds))
    eqs = {c.value for c in conds if c.op == "eq"}
    neqs = {c.value for c in conds if c.op == "neq"}
    return len(eqs) <= 1 and not (eqs & neqs)


def _implies(a: list[Condition], b: list[Condition]) -> bool:
    """Whether conditions `a` on one measure imply conditions `b` on the same measure."""
    if not all(_excludes(a, c.value) for c in b if c.op == "neq"):
        return False
    b = [c for c in b if c.op != "neq"]
    if not b:
        return True
    if not _numeric(a + b):
        return {(c.op, c.value) for c in b} <= {(c.op, c.value) for c in a}
    ia, ib = _interval([c for c in a if c.op != "neq"]), _interval(b)
    if ia is None:
        return True
    if ib is None:
        return False
    lo_ok = ia[0] > ib[0] or (ia[0] == ib[0] and (ia[1] or not ib[1]))
    hi_ok = ia[2] < ib[2] or (ia[2] == ib[2] and (ia[3] or not ib[3]))
    return lo_ok and hi_ok


def rule_implies(a: CompiledRule, b: CompiledRule) -> bool:
    """Whenever `a` holds, `b` holds too (checked measure by measure)."""
    by_a: dict[str, list[Condition]] = {}
    for c in a.conditions:
        by_a.setdefault(c.measure, []).append(c)
    by_b: dict[str, list[Condition]] = {}
    for c in b.conditions:
        by_b.setdefault(c.measure, []).append(c)
    return all(m in by_a and _implies(by_a[m], conds) for m, conds in by_b.items())


def _check_value(where: str, spec: MeasureSpec, op: str, value: Any) -> Scalar:
    if op not in OPS:
        raise RuleError(f"{where}: unknown operator {op!r} (use one of {', '.join(OPS)})")
    if isinstance(value, float) and not math.isfinite(value):
        raise RuleError(f"{where}: threshold {value!r} is not a finite number")
    problem = spec.check_value(value)
    if spec.type == "number" and isinstance(value, int) and not isinstance(value, bool):
        problem = None
    if problem:
        raise RuleError(f"{where}: threshold {value!r} for {spec.name} has the wrong type: {problem}")
    if spec.type in ("boolean", "enum") and op not in ("eq", "neq"):
        raise RuleError(f"{where}: {spec.name} is {spec.type}; only eq/neq make sense, not {op}")
    better = spec.better
    rewarded = {
        "higher": op in ("gt", "gte"),
        "lower": op in ("lt", "lte"),
        "true": (op, value) in {("eq", True), ("neq", False)},
        "false": (op, value) in {("eq", False), ("neq", True)},
    }
    if better is not None and not rewarded[better]:
        raise RuleError(
            f"{where}: {spec.name} is better when {better}; a level may only ask for more of it "
            f"(got {op} {value!r}), so that better evidence never lowers a score"
        )
    return normalise(value)


def _parse_conditions(where: str, when: Any) -> tuple[Condition, ...]:
    if not isinstance(when, Mapping) or not when:
        raise RuleError(f"{where}: `when` must be a non-empty mapping of measure -> condition")
    out: list[Condition] = []
    for name, test in when.items():
        spec = MEASURES.get(str(name))
        if spec is None:
            close = sorted(m for m in MEASURES if m.split(".")[0] == str(name).split(".")[0])[:5]
            hint = f" (known measures like it: {', '.join(close)})" if close else ""
            raise RuleError(f"{where}: unknown measure {name!r}{hint}")
        tests = test.items() if isinstance(test, Mapping) else [("eq", test)]
        conds = [Condition(spec.name, str(op), _check_value(f"{where}, {name}", spec, str(op), v))  # type: ignore[arg-type]
                 for op, v in tests]
        if not conds:
            raise RuleError(f"{where}: {name} has an empty condition")
        if not _satisfiable(conds):
            raise RuleError(f"{where}: the conditions on {name} can never all hold (unreachable)")
        out.extend(conds)
    return tuple(sorted(out, key=lambda c: (c.measure, c.op, str(c.value))))


def _words(text: str) -> str:
    """Text with every run of white space one space (quotes are checked against the words alone)."""
    return re.sub(r"\s+", " ", text).strip()


def framework_words(catalogue: Catalogue, sub: str) -> tuple[str, str, str]:
    """The texts a rule of `sub` may quote: the sub-requirement, its characteristic, its section intro."""
    s = catalogue.get(sub)
    return _words(s.text), _words(s.characteristic_text), _words(catalogue.section(s.section_key).intro)


def _grounds(where: str, level: int, alt: Mapping[str, Any], words: tuple[str, str, str]) -> tuple[
        tuple[str, ...], str]:
    """Check an alternative's `grounds` (quotes from the framework) and `source`; return them."""
    raw = alt.get("grounds")
    quotes = [raw] if isinstance(raw, str) else raw
    if quotes is not None and (not isinstance(quotes, list) or not quotes
                               or not all(isinstance(q, str) and q.strip() for q in quotes)):
        raise RuleError(f"{where}: `grounds` must be a phrase, or a list of phrases, quoted from the framework")
    source = alt.get("source")
    if source is not None and (not isinstance(source, str) or not source.strip()):
        raise RuleError(f"{where}: `source` must name what the level-5 condition rests on")
    if level < 5:
        if not quotes:
            raise RuleError(f"{where}: a level {level} condition needs `grounds`: the framework's words it rests on "
                            "(the sub-requirement, its characteristic or its section introduction)")
        if source is not None:
            raise RuleError(f"{where}: `source` is for level 5 only; a condition beyond the framework's words may "
                            "only separate 5 from 4")
    elif not source:
        raise RuleError(f"{where}: level 5 goes beyond the framework's words, so it names its `source`")
    for quote in quotes or []:
        if not any(_words(quote) in text for text in words):
            raise RuleError(f"{where}: grounds {quote!r} is not in the framework's text for this sub-requirement, "
                            "its characteristic or its section introduction")
    return tuple(_words(q) for q in quotes or []), " ".join((source or "").split())


def _load_file(path: Path, catalogue: Catalogue, root: Path) -> RuleFile:
    rel = path.relative_to(root)
    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except (yaml_error(), UnicodeDecodeError, RecursionError) as exc:
        raise RuleError(f"{rel}: not valid YAML: {exc}") from exc
    if not isinstance(data, Mapping):
        raise RuleError(f"{rel}: expected a mapping with sub_requirement and levels")
    extra = set(map(str, data)) - _RULE_KEYS
    if extra:
        raise RuleError(f"{rel}: unknown keys {', '.join(sorted(extra))} (allowed: {', '.join(sorted(_RULE_KEYS))})")
    sub = str(data.get("sub_requirement", ""))
    if sub not in {s.id for s in catalogue.sub_requirements}:
        raise RuleError(f"{rel}: unknown sub-requirement {sub!r}")
    words = framework_words(catalogue, sub)
    if path.stem != sub:
        raise RuleError(f"{rel}: file name must be {sub}.yaml for sub-requirement {sub}")
    cap = data.get("attestation_cap", DEFAULT_ATTESTATION_CAP)
    if not isinstance(cap, int) or isinstance(cap, bool) or not 0 <= cap <= 5:
        raise RuleError(f"{rel}: attestation_cap must be a whole number 0..5")
    levels = data.get("levels")
    if not isinstance(levels, Mapping):
        raise RuleError(f"{rel}: `levels` must map each level 1..5 to its alternatives")
    bad = [k for k in levels if k not in LEVELS]
    if bad:
        raise RuleError(f"{rel}: levels must be 1..5 (level 0 is what remains), got {bad}")
    rules: list[CompiledRule] = []
    grounds: dict[str, tuple[str, ...]] = {}
    sources: dict[str, str] = {}
    for level in LEVELS:
        alts = levels.get(level)
        if not alts:
            raise RuleError(f"{rel}: level {level} of {sub} has no rule, so it is unreachable")
        if isinstance(alts, Mapping):
            alts = [alts]
        if not isinstance(alts, list):
            raise RuleError(f"{rel}: level {level} of {sub} must be one alternative or a list of them")
        for i, alt in enumerate(alts):
            rule_id = f"{sub}.L{level}" + (f".{chr(97 + i)}" if len(alts) > 1 else "")
            where = f"{rel}, rule {rule_id}"
            if not isinstance(alt, Mapping) or set(map(str, alt)) - _ALT_KEYS or "when" not in alt:
                raise RuleError(f"{where}: an alternative has `because`, `grounds` (or at level 5 `source`) "
                                "and `when`, nothing else")
            grounds[rule_id], sources[rule_id] = _grounds(where, level, alt, words)
            because = alt.get("because")
            if not isinstance(because, str) or not because.strip():
                raise RuleError(f"{where}: `because` must be a sentence a board member can read")
            rules.append(CompiledRule(rule_id, sub, level, _parse_conditions(where, alt.get("when")),
                                      " ".join(because.split())))
    _check_overlaps(rel, rules)
    return RuleFile(sub, path, str(data.get("title") or ""), str(data.get("notes") or ""), cap, tuple(rules),
                    grounds, {k: v for k, v in sources.items() if v})


def _check_overlaps(rel: Path, rules: list[CompiledRule]) -> None:
    for i, a in enumerate(rules):
        for b in rules[i + 1:]:
            if a.conditions == b.conditions:
                raise RuleError(f"{rel}: rules {a.rule_id} and {b.rule_id} have the same conditions (overlap)")
    for level in LEVELS:
        mine = [r for r in rules if r.level == level]
        higher = [r for r in rules if r.level > level]
        if mine and all(any(rule_implies(r, h) for h in higher) for r in mine):
            shadow = next(h for h in higher if rule_implies(mine[0], h))
            raise RuleError(f"{rel}: level {level} is unreachable: whenever {mine[0].rule_id} holds, "
                            f"{shadow.rule_id} (level {shadow.level}) holds too")


def rule_files(root: Path) -> list[Path]:
    """Every rule file under `root` (not the catalogue, not test cases)."""
    return sorted(p for p in root.rglob("*.yaml")
                  if p.name != "framework.yaml" and not p.name.endswith(".test.yaml"))


def _hash_files(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for p in sorted(paths, key=lambda q: q.relative_to(root).as_posix()):
        digest.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return digest.hexdigest()


def measures_source_hash() -> str:
    """sha256 of the measure code: a stored assessment records it beside the rules hash."""
    folder = Path(__file__).resolve().parent.parent / "measures"
    return _hash_files(sorted(folder.glob("*.py")), folder)


def load_rulepack(root: Path | None = None, *, subdir: str | None = None) -> RulePack:
    """Load, validate and hash the rule pack; raise RuleError naming the file and rule on any problem.

    `subdir` loads one folder only (for authors checking their section); such a pack is partial and is
    never used for stored assessments.
    """
    root = (root or rules_dir()).resolve()
    catalogue = load_catalogue(root / "framework.yaml")
    files: dict[str, RuleFile] = {}
    paths = rule_files(root / subdir if subdir else root)
    for path in paths:
        rf = _load_file(path, catalogue, root)
        if rf.sub_requirement in files:
            raise RuleError(f"{path.relative_to(root)}: {rf.sub_requirement} already has rules in "
                            f"{files[rf.sub_requirement].path.relative_to(root)}")
        files[rf.sub_requirement] = rf
    missing = [s.id for s in catalogue.sub_requirements if s.id not in files]
    if missing and subdir is None:
        raise RuleError(f"{root.name}/: no rule file for {', '.join(missing)}")
    ordered = {s.id: files[s.id] for s in catalogue.sub_requirements if s.id in files}
    return RulePack(root, _hash_files([*paths, root / "framework.yaml"], root), measures_source_hash(),
                    catalogue.version, ordered)


@cache
def default_rulepack() -> RulePack:
    """The bundled rule pack, loaded once per process."""
    return load_rulepack()
