"""Rule test cases (`<ID>.test.yaml` beside each rule file): run them and report level coverage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from pxrules.errors import RuleError
from pxrules.evidence import parse_evidence
from pxrules.measures import MEASURES, MeasureValue, compute_measures
from pxrules.rules.conditions import normalise
from pxrules.rules.pack import RulePack
from pxrules.scoring.assess import Evaluator, score_facts

CASE_ORG = "TEST"
DEFAULT_AS_OF = dt.date(2026, 3, 31)


@dataclass(frozen=True)
class Case:
    """One case: given measure values (or evidence), expect a level."""

    sub_requirement: str
    path: Path
    index: int
    name: str
    expect: int
    given: dict[str, Any] | None
    evidence: list[dict[str, Any]] | None
    as_of: dt.date

    @property
    def label(self) -> str:
        return f"{self.sub_requirement}[{self.index}] {self.name}"


@dataclass(frozen=True)
class CaseResult:
    case: Case
    got: int
    because: list[str]

    @property
    def passed(self) -> bool:
        return self.got == self.case.expect


@dataclass
class RuleTestReport:
    results: list[CaseResult] = field(default_factory=list)
    uncovered: dict[str, list[int]] = field(default_factory=dict)
    without_cases: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.passed for r in self.results) and not self.uncovered and not self.without_cases


def case_file(rule_path: Path) -> Path:
    return rule_path.with_name(f"{rule_path.stem}.test.yaml")


def load_cases(path: Path, sub_requirement: str) -> list[Case]:
    """Parse a test-case file, naming the file and case on any problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise RuleError(f"{path.name}: not valid YAML: {exc}") from exc
    raw = data.get("cases") if isinstance(data, Mapping) else None
    if not isinstance(raw, list) or not raw:
        raise RuleError(f"{path.name}: expected a non-empty `cases` list")
    cases = []
    for i, item in enumerate(raw):
        where = f"{path.name}, case {i}"
        if not isinstance(item, Mapping):
            raise RuleError(f"{where}: a case is a mapping with name, given|evidence and expect")
        expect = item.get("expect")
        if not isinstance(expect, int) or isinstance(expect, bool) or not 0 <= expect <= 5:
            raise RuleError(f"{where}: expect must be a level 0..5")
        given, evidence = item.get("given"), item.get("evidence")
        if (given is None) == (evidence is None):
            raise RuleError(f"{where}: give exactly one of `given` (measures) or `evidence` (items)")
        if given is not None and not isinstance(given, Mapping):
            raise RuleError(f"{where}: `given` maps measure names to values")
        if evidence is not None and not isinstance(evidence, list):
            raise RuleError(f"{where}: `evidence` is a list of evidence items")
        as_of = item.get("as_of", DEFAULT_AS_OF)
        if not isinstance(as_of, dt.date):
            raise RuleError(f"{where}: as_of must be a date (YYYY-MM-DD)")
        cases.append(Case(sub_requirement, path, i, str(item.get("name", f"case {i}")), expect,
                          dict(given) if given is not None else None, evidence, as_of))
    return cases


def _given_facts(case: Case) -> dict[str, MeasureValue]:
    facts = {}
    for name, value in (case.given or {}).items():
        spec = MEASURES.get(name)
        if spec is None:
            raise RuleError(f"{case.path.name}, case {case.index}: unknown measure {name!r}")
        problem = spec.check_value(value)
        if problem:
            raise RuleError(f"{case.path.name}, case {case.index}: {name}={value!r}: {problem}")
        kinds = ("attestation",) if name.startswith("attestation.") else ("case",)
        facts[name] = MeasureValue(name, normalise(value), (f"case-{case.index}",), kinds, "")
    return facts


def _evidence_facts(case: Case, pack: RulePack) -> dict[str, MeasureValue]:
    items = []
    for j, raw in enumerate(case.evidence or []):
        data = {"org": CASE_ORG, "source": {"title": "test case"}, "id": f"case{case.index}-{j}", **raw}
        if data.get("kind") == "benchmark":
            data.pop("org", None) if "org" not in raw else None
        try:
            items.append(parse_evidence(data))
        except ValidationError as exc:
            raise RuleError(f"{case.path.name}, case {case.index}, evidence {j}: {exc}") from exc
    return compute_measures(CASE_ORG, case.as_of, items, names=pack.measures_used(case.sub_requirement))


def run_case(pack: RulePack, case: Case, evaluator: Evaluator = "durable") -> CaseResult:
    facts = _given_facts(case) if case.given is not None else _evidence_facts(case, pack)
    [score] = score_facts(pack, facts, evaluator, only=[case.sub_requirement])
    return CaseResult(case, score.suggested, score.because)


def collect_cases(pack: RulePack) -> tuple[list[Case], list[str]]:
    """All cases of the pack, and the sub-requirements whose rule file has no case file."""
    cases: list[Case] = []
    missing: list[str] = []
    for sub, rf in pack.files.items():
        path = case_file(rf.path)
        if not path.exists():
            missing.append(sub)
            continue
        cases.extend(load_cases(path, sub))
    return cases, missing


def run_rule_tests(pack: RulePack, evaluator: Evaluator = "durable") -> RuleTestReport:
    """Run every case; a level of a sub-requirement that no case reaches is reported as uncovered."""
    cases, missing = collect_cases(pack)
    report = RuleTestReport(without_cases=missing)
    reached: dict[str, set[int]] = {sub: set() for sub in pack.files}
    for case in cases:
        result = run_case(pack, case, evaluator)
        report.results.append(result)
        if result.passed:
            reached[case.sub_requirement].add(result.got)
    report.uncovered = {sub: sorted(set(range(6)) - got) for sub, got in reached.items()
                        if set(range(6)) - got and sub not in missing}
    return report
