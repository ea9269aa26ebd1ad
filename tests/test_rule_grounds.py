"""Every rule condition that earns levels 1-4 quotes the framework's words; beyond the words only separates 5 from 4."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from pxrules.errors import RuleError
from pxrules.paths import rules_dir
from pxrules.rules.catalogue import load_catalogue
from pxrules.rules.pack import default_rulepack, framework_words, load_rulepack
from pxrules.scoring.rule_cases import case_file, load_cases


@pytest.fixture()
def pack_copy(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "rules"
    shutil.copytree(rules_dir(), root, ignore=shutil.ignore_patterns("*.test.yaml", "__pycache__", "*.py"))
    yield root


def _edit(root: Path, sub: str, level: int, change: dict[str, object], index: int = 0) -> None:
    path = next(root.rglob(f"{sub}.yaml"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    alt = data["levels"][level][index]
    for key, value in change.items():
        if value is None:
            alt.pop(key, None)
        else:
            alt[key] = value
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def test_every_level_one_to_four_rule_quotes_the_framework() -> None:
    pack = default_rulepack()
    catalogue = load_catalogue()
    for sub, rf in pack.files.items():
        words = framework_words(catalogue, sub)
        for rule in rf.rules:
            quotes = rf.grounds[rule.rule_id]
            if rule.level < 5:
                assert quotes, rule.rule_id
                assert all(any(q in text for text in words) for q in quotes), rule.rule_id
                assert rule.rule_id not in rf.sources
            else:
                assert rf.sources[rule.rule_id], rule.rule_id


def test_a_misquote_fails_the_check(pack_copy: Path) -> None:
    _edit(pack_copy, "1B", 4, {"grounds": ["carries out two progress reviews a year"]})
    with pytest.raises(RuleError, match=r"1B\.L4.*grounds 'carries out two progress reviews a year' is not in"):
        load_rulepack(pack_copy)


def test_a_neighbours_words_are_not_grounds(pack_copy: Path) -> None:
    # 10A's words ("accessible user-friendly complaints process") are not 10B's, its characteristic's or section's.
    _edit(pack_copy, "10B", 4, {"grounds": ["The organisation has an accessible user-friendly complaints process"]})
    with pytest.raises(RuleError, match="not in the framework's text"):
        load_rulepack(pack_copy)


def test_quotes_may_span_line_breaks_and_come_from_the_section_introduction(pack_copy: Path) -> None:
    _edit(pack_copy, "1A", 1, {"grounds": ["There should be a clear commitment to\n equality and diversity"]})
    pack = load_rulepack(pack_copy)
    assert pack.files["1A"].grounds["1A.L1.a"] == ("There should be a clear commitment to equality and diversity",)


@pytest.mark.parametrize(("change", "fragment"), [
    ({"grounds": None}, "needs `grounds`"),
    ({"grounds": []}, "`grounds` must be a phrase"),
    ({"grounds": [3]}, "`grounds` must be a phrase"),
    ({"source": "NHS England guidance"}, "`source` is for level 5 only"),
    ({"reason": "x"}, "nothing else"),
])
def test_level_one_to_four_needs_grounds_and_no_source(pack_copy: Path, change: dict[str, object],
                                                       fragment: str) -> None:
    _edit(pack_copy, "3A", 3, change)
    with pytest.raises(RuleError, match=fragment):
        load_rulepack(pack_copy)


def test_level_five_names_its_source(pack_copy: Path) -> None:
    _edit(pack_copy, "3A", 5, {"source": None})
    with pytest.raises(RuleError, match="level 5 goes beyond the framework's words, so it names its `source`"):
        load_rulepack(pack_copy)


def test_every_sub_requirement_has_a_does_what_the_text_says_case_at_four_or_more() -> None:
    pack = default_rulepack()
    for sub, rf in pack.files.items():
        cases = [c for c in load_cases(case_file(rf.path), sub) if c.name == "does-what-the-text-says"]
        assert len(cases) == 1, sub
        assert cases[0].expect >= 4, sub
        assert cases[0].evidence, f"{sub}: the case is evidence of what the words ask, not measure values"
