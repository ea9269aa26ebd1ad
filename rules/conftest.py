"""Collect every `<ID>.test.yaml` under rules/ as pytest items, so rule cases run with the suite."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> pytest.Collector | None:
    if file_path.name.endswith(".test.yaml"):
        return RuleCaseFile.from_parent(parent, path=file_path)
    return None


class RuleCaseFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        from pxrules.rules.pack import default_rulepack
        from pxrules.scoring.rule_cases import load_cases

        pack = default_rulepack()
        sub = self.path.name.removesuffix(".test.yaml")
        if sub not in pack.files:
            raise pytest.UsageError(f"{self.path.name}: no rule file {sub}.yaml beside it")
        for case in load_cases(self.path, sub):
            yield RuleCaseItem.from_parent(self, name=f"{case.index}-{case.name}", case=case)


class RuleCaseItem(pytest.Item):
    def __init__(self, *, case: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.case = case

    def runtest(self) -> None:
        from pxrules.rules.pack import default_rulepack
        from pxrules.scoring.rule_cases import run_case

        result = run_case(default_rulepack(), self.case)
        if not result.passed:
            raise AssertionError(f"{self.case.label}: expected level {self.case.expect}, got {result.got}: "
                                 + " | ".join(result.because))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.case.label
