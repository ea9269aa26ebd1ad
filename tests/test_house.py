"""The house keeps its shape: packages import only downwards, no package cycle, few loose modules, none too long."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Layers, low to high: a module may import its own package and anything below it, never above.
LAYERS = [
    {"common", "errors", "paths"},
    {"evidence"},
    {"measures"},
    {"rules"},
    {"store"},
    {"audit", "accounts"},
    {"importers"},
    {"scoring"},
    {"board"},
    {"reports"},
    {"demo", "__init__"},
    {"cli", "web"},
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}


def _package(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] == "cli":
        return "cli"
    if parts[0] != "pxrules":
        return None
    return parts[1] if len(parts) > 1 else "__init__"


def _imports() -> dict[str, set[tuple[str, str]]]:
    """Package -> {(importing file, imported module)} for every pxrules and cli module (migrations aside:
    they import nothing of pxrules, see test_migrations)."""
    found: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in sorted([*(ROOT / "pxrules").rglob("*.py"), *(ROOT / "cli").rglob("*.py")]):
        rel = path.relative_to(ROOT)
        if "migrations" in rel.parts:
            continue
        parts = rel.with_suffix("").parts
        source = _package(".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 2 else parts))
        if rel.as_posix() == "pxrules/__init__.py":
            source = "__init__"
        assert source is not None
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module == "pxrules" and [a.name for a in node.names] == ["__version__"]:
                    continue  # the version string is a constant any layer may quote, not code above it
                names = [node.module]
            else:
                continue
            for name in names:
                if _package(name) not in (None, source):
                    found[source].add((rel.as_posix(), name))
    return found


def test_every_package_has_a_layer() -> None:
    packages = {p.name for p in (ROOT / "pxrules").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in (ROOT / "pxrules").glob("*.py")}
    assert packages | modules | {"cli"} <= set(RANK), sorted(packages | modules - set(RANK))


def test_no_package_imports_one_above_it() -> None:
    upward = sorted(f"{file} imports {name} ({source} -> {_package(name)})"
                    for source, edges in _imports().items() for file, name in edges
                    if RANK[_package(name) or ""] > RANK[source])
    assert upward == []


def test_no_cycle_between_packages() -> None:
    graph = {source: {_package(name) for _, name in edges} for source, edges in _imports().items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == goal or (nxt is not None and nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert sorted(p for p in graph if reaches(p, p, {p})) == []


def test_few_modules_sit_loose_in_pxrules() -> None:
    loose = sorted(p.name for p in (ROOT / "pxrules").glob("*.py"))
    assert len(loose) <= 8, loose


def test_no_module_is_over_400_lines() -> None:
    long = sorted(f"{p.relative_to(ROOT)}: {n}" for p in [*(ROOT / "pxrules").rglob("*.py"),
                                                           *(ROOT / "cli").rglob("*.py")]
                  if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400)
    assert long == []
