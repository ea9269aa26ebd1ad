"""Fuzzing: the evidence readers and the rule-pack loader only ever raise their own errors, whatever they read.

The rule pack is fuzzed on a copy of rules/: one rule file (or the catalogue) is mutated per example, by
text edits or by swapping a node of its YAML for an arbitrary value, and `load_rulepack` must either load
or raise RuleError / CatalogueError - never KeyError, TypeError, RecursionError or anything else.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pxrules.errors import CatalogueError, EvidenceError, RuleError
from pxrules.evidence.io import read_evidence_sources
from pxrules.paths import rules_dir
from pxrules.rules.pack import load_rulepack, rule_files

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["1A", "fft_monthly", "gte", "eq", "because", "when", "levels", "2025-01-01", "RX1"])
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(SCALARS, inner, max_size=4), max_leaves=12
)
EVIDENCE_TEXT = (
    '[{"kind": "fft_monthly", "id": "f-1", "org": "RX1", "period_start": "2025-01-01", '
    '"source": {"title": "T"}, "setting": "ae", "responses": 1, "eligible": 10}]'
)


# --- evidence readers ---------------------------------------------------------------------------------------


@FUZZ
@given(data=st.binary(max_size=600), suffix=st.sampled_from([".json", ".yaml", ".csv"]))
def test_evidence_readers_raise_only_evidence_errors_on_any_bytes(
    tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"fft_monthly-x{suffix}"
    path.write_bytes(data)
    with contextlib.suppress(EvidenceError):
        read_evidence_sources([path])


@FUZZ
@given(cut=st.integers(min_value=0, max_value=len(EVIDENCE_TEXT)), junk=st.text(max_size=12),
       suffix=st.sampled_from([".json", ".yaml"]))  # fmt: skip
def test_evidence_readers_on_spliced_text(
    tmp_path_factory: pytest.TempPathFactory, cut: int, junk: str, suffix: str
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"e{suffix}"
    path.write_text(EVIDENCE_TEXT[:cut] + junk + EVIDENCE_TEXT[cut:], encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(EvidenceError):
        read_evidence_sources([path])


@FUZZ
@given(value=VALUES, suffix=st.sampled_from([".json", ".yaml"]))
def test_evidence_readers_on_arbitrary_structures(
    tmp_path_factory: pytest.TempPathFactory, value: Any, suffix: str
) -> None:
    import json

    path = tmp_path_factory.mktemp("fuzz") / f"e{suffix}"
    try:
        text = json.dumps(value) if suffix == ".json" else yaml.safe_dump(value)
    except (TypeError, ValueError):
        return
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    with contextlib.suppress(EvidenceError):
        read_evidence_sources([path])


# --- the rule pack ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pack_copy(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("pack") / "rules"
    shutil.copytree(rules_dir(), root, ignore=shutil.ignore_patterns("*.test.yaml", "__pycache__", "*.py"))
    load_rulepack(root)  # the untouched copy loads
    yield root


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*prefix, index))


def _replaced(node: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(node, dict):
        return {**node, head: _replaced(node[head], rest, value)}
    copy = list(node)
    copy[head] = _replaced(copy[head], rest, value)
    return copy


def _check(root: Path, target: Path, text: str) -> None:
    original = target.read_bytes()
    try:
        target.write_text(text, encoding="utf-8", errors="surrogatepass")
        with contextlib.suppress(RuleError, CatalogueError):
            load_rulepack(root)
    finally:
        target.write_bytes(original)


@FUZZ
@given(data=st.data())
def test_rulepack_loader_on_mutated_structure(pack_copy: Path, data: st.DataObject) -> None:
    files = [*rule_files(pack_copy), pack_copy / "framework.yaml"]
    target = data.draw(st.sampled_from(files), label="file")
    document = yaml.safe_load(target.read_text(encoding="utf-8"))
    path = data.draw(st.sampled_from(list(_paths(document))), label="path")
    value = data.draw(VALUES, label="value")
    _check(pack_copy, target, yaml.safe_dump(_replaced(document, path, value), allow_unicode=True))


@FUZZ
@given(data=st.data())
def test_rulepack_loader_on_mutated_text(pack_copy: Path, data: st.DataObject) -> None:
    files = [*rule_files(pack_copy), pack_copy / "framework.yaml"]
    target = data.draw(st.sampled_from(files), label="file")
    text = target.read_text(encoding="utf-8")
    start = data.draw(st.integers(min_value=0, max_value=len(text)), label="start")
    end = data.draw(st.integers(min_value=start, max_value=min(len(text), start + 40)), label="end")
    junk = data.draw(
        st.text(max_size=20)
        | st.sampled_from(["!!python/object/apply:os.system ['true']", "&a [*a]", "*x", "\t", "{", "]", ": :",
                           "!!binary AAAA", "1e400", ".nan", "- ", "\n  ", "\x00", "\ufeff"]),
        label="junk",
    )  # fmt: skip
    _check(pack_copy, target, text[:start] + junk + text[end:])
