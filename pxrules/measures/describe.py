"""What each measure reads: kinds, fields, free-text keys and windows, traced by running it on the demo trust.

A measure's declaration says its type, unit and the kinds whose changes can change it; what it actually reads
is found by running it, one fresh view per measure, on the bundled demo evidence at the demo's dates and
recording every field read on an evidence item, every key it selects items by, every window it asks for.
`pxrules measures list/show` print the result and `rules/README.md`'s key-conventions table is made from it,
so neither can drift from the code. Paths the demo's evidence never takes are not traced.
"""

from __future__ import annotations

import datetime as dt
import difflib
import sys
from collections import defaultdict
from collections.abc import Collection, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from typing import Any, TypeVar

from pxrules.errors import NotFoundError
from pxrules.evidence import VALIDITY_DAYS, Evidence
from pxrules.evidence.base import EvidenceBase
from pxrules.measures.registry import MEASURES, MeasureSpec
from pxrules.measures.view import EvidenceView

E = TypeVar("E")
# Fields whose values are conventions (free-text keys) rather than fixed lists: the README tabulates them.
KEY_FIELDS: dict[str, str] = {"document": "doc_type", "staff_process": "process", "training_record": "course",
                              "survey_question": "question_key", "benchmark": "measure"}
# The demo trust's dates (pxrules.demo.DEMO_DATES): a measure is traced on each.
TRACE_DATES = (dt.date(2025, 3, 31), dt.date(2025, 9, 30), dt.date(2026, 3, 31), dt.date(2026, 9, 30))
_VIEW_FILE = sys.modules[EvidenceView.__module__].__file__


@dataclass
class Reads:
    """What one measure read: field names by kind, key values by kind.field, and the windows it asked for."""

    fields: dict[str, set[str]] = dataclass_field(default_factory=lambda: defaultdict(set))
    keys: dict[str, set[str]] = dataclass_field(default_factory=lambda: defaultdict(set))
    windows: set[str] = dataclass_field(default_factory=set)


class _Key(str):
    """A key field's value that records what measure code compares it with."""

    reads: Reads
    where: str

    def __eq__(self, other: object) -> bool:
        if type(other) is str:  # another traced key is data, not a convention the code names
            self.reads.keys[self.where].add(other)
        return str.__eq__(self, other)

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = str.__hash__

    def startswith(self, prefix: Any, *args: Any) -> bool:
        for one in (prefix,) if isinstance(prefix, str) else prefix:
            self.reads.keys[self.where].add(str.__add__(one, "<...>"))
        return str.startswith(self, prefix, *args)


class _TracingView(EvidenceView):
    """An EvidenceView that notes the windows and keys measures ask it for."""

    reads: Reads

    def of(self, kind: str) -> list[Evidence]:
        self.reads.windows.add(f"{kind}: current items")
        return super().of(kind)

    def ever(self, kind: str) -> list[Evidence]:
        self.reads.windows.add(f"{kind}: current and lapsed items")
        return super().ever(kind)

    def within(self, kind: str, months: int, *, ending_months_ago: int = 0) -> list[Evidence]:
        self.reads.windows.add(_window(kind, months, ending_months_ago))
        return super().within(kind, months, ending_months_ago=ending_months_ago)

    def select(self, kind: str, cls: type[E], field: str | tuple[str, ...], values: Collection[Hashable], *,
               ever: bool = False) -> list[E]:
        self._note(kind, field, values)
        self.reads.windows.add(f"{kind}: current {'and lapsed ' if ever else ''}items")
        return super().select(kind, cls, field, values, ever=ever)

    def select_within(self, kind: str, cls: type[E], field: str | tuple[str, ...], values: Collection[Hashable],
                      months: int, *, ending_months_ago: int = 0) -> list[E]:
        self._note(kind, field, values)
        self.reads.windows.add(_window(kind, months, ending_months_ago))
        return super().select_within(kind, cls, field, values, months, ending_months_ago=ending_months_ago)

    def _note(self, kind: str, field: str | tuple[str, ...], values: Collection[Hashable]) -> None:
        for name in (field,) if isinstance(field, str) else field:
            self.reads.fields[kind].add(name)
        if isinstance(field, str) and KEY_FIELDS.get(kind) == field:
            self.reads.keys[f"{kind}.{field}"].update(str(v) for v in values)


def _window(kind: str, months: int, ago: int) -> str:
    return f"{kind}: {months} months" + (f" ending {ago} months before the date" if ago else " to the date")


@contextmanager
def _tracing(reads: Reads) -> Iterator[None]:
    """Record every field measure code reads on an evidence item (the view's own bookkeeping excluded)."""
    plain = object.__getattribute__

    def traced(item: Any, name: str) -> Any:
        value = plain(item, name)
        if name.startswith(("_", "model_")) or callable(value):
            return value
        kind = plain(item, "__dict__").get("kind")
        if kind is None or name not in type(item).model_fields:
            return value
        if sys._getframe(1).f_code.co_filename == _VIEW_FILE:
            return value
        reads.fields[kind].add(name)
        if KEY_FIELDS.get(kind) == name and isinstance(value, str):
            key = _Key(value)
            key.reads, key.where = reads, f"{kind}.{name}"
            return key
        return value

    EvidenceBase.__getattribute__ = traced  # type: ignore[method-assign]
    try:
        yield
    finally:
        del EvidenceBase.__getattribute__


@dataclass(frozen=True)
class MeasureInfo:
    """A measure as `pxrules measures show` prints it."""

    spec: MeasureSpec
    module: str
    fields: Mapping[str, tuple[str, ...]]
    keys: Mapping[str, tuple[str, ...]]
    windows: tuple[str, ...]
    rules: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        s = self.spec
        return {"name": s.name, "module": self.module, "meaning": s.description, "type": s.type, "unit": s.unit,
                "better": s.better, "choices": list(s.choices), "kinds": list(s.kinds),
                "validity_days": {k: VALIDITY_DAYS[k] for k in s.kinds if k in VALIDITY_DAYS},
                "fields": {k: list(v) for k, v in self.fields.items()},
                "keys": {k: list(v) for k, v in self.keys.items()}, "windows": list(self.windows),
                "rules": list(self.rules)}


def _demo_evidence() -> list[Evidence]:
    from pxrules.evidence.io import read_evidence_sources
    from pxrules.paths import examples_dir

    folder = examples_dir() / "demo" / "evidence"
    return [s.item for s in read_evidence_sources(sorted(folder.glob("*.yaml")))]


def trace(spec: MeasureSpec, evidence: Sequence[Evidence], org: str) -> Reads:
    """Run `spec` on `evidence` at each of TRACE_DATES, each time on a fresh view, recording what it reads."""
    reads = Reads()
    for day in TRACE_DATES:
        view = _TracingView(org, day, evidence)
        view.reads = reads
        with _tracing(reads):
            spec.fn(view)
    return reads


@cache
def _traced() -> dict[str, Reads]:
    evidence = _demo_evidence()
    org = next(e.org for e in evidence if e.org)
    return {name: trace(spec, evidence, org) for name, spec in sorted(MEASURES.items())}


def describe(name: str, readers: Mapping[str, Sequence[str]]) -> MeasureInfo:
    """Everything known about one registered measure; `readers` maps measure names to the sub-requirements
    whose rules read them (rules.pack.measure_readers)."""
    spec = MEASURES.get(name)
    if spec is None:
        close = difflib.get_close_matches(name, MEASURES, n=3)
        raise NotFoundError(f"no measure named {name!r}" + (f" (did you mean {', '.join(close)}?)" if close else
                                                             " (pxrules measures list shows them all)"))
    reads = _traced()[name]
    return MeasureInfo(
        spec=spec,
        module=spec.fn.__module__,
        fields={k: tuple(sorted(v)) for k, v in sorted(reads.fields.items())},
        keys={k: tuple(sorted(v)) for k, v in sorted(reads.keys.items())},
        windows=tuple(sorted(reads.windows)),
        rules=tuple(readers.get(name, ())),
    )


def describe_all(readers: Mapping[str, Sequence[str]]) -> list[MeasureInfo]:
    return [describe(name, readers) for name in sorted(MEASURES)]


def key_conventions() -> dict[str, tuple[str, ...]]:
    """Every free-text key any measure reads, by `kind.field` (the rules README's table)."""
    found: dict[str, set[str]] = defaultdict(set)
    for reads in _traced().values():
        for where, keys in reads.keys.items():
            found[where].update(keys)
    order = [f"{k}.{f}" for k, f in KEY_FIELDS.items()]
    return {where: tuple(sorted(found[where])) for where in order if found.get(where)}


def key_table() -> str:
    """The key-conventions table as Markdown, as `rules/README.md` carries it."""
    lines = ["| field | keys the rules read |", "| --- | --- |"]
    for where, keys in key_conventions().items():
        text = ", ".join(k.replace("<", "&lt;").replace(">", "&gt;") for k in keys)
        lines.append(f"| `{where}` | {text} |")
    return "\n".join(lines) + "\n"


README_START = "<!-- key table: made by `python -m pxrules.measures.describe` from the measure registry -->\n"
README_END = "<!-- end of key table -->\n"


def with_key_table(readme: str) -> str:
    """`readme` (rules/README.md's text) with the key-conventions table between its markers made afresh."""
    start, end = readme.index(README_START) + len(README_START), readme.index(README_END)
    return readme[:start] + key_table() + readme[end:]


if __name__ == "__main__":
    from pxrules.paths import rules_dir

    path = rules_dir() / "README.md"
    path.write_text(with_key_table(path.read_text(encoding="utf-8")), encoding="utf-8")
