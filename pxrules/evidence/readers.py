"""Readers of the text evidence file formats (JSON, YAML, CSV): raw records, each tagged with its place.

Readers never validate fields; they report only what stops a record being read (syntax, structure,
ragged rows, unknown columns) and leave the rest to `io`, so every message has the same shape.
"""

from __future__ import annotations

import csv
import difflib
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml

from pxrules.evidence.registry import KIND_MODELS, KINDS

MAX_YAML_NODES = 2_000_000  # after alias expansion: a 64 MiB file of plain YAML has fewer
# Records per file: far above any trust's register export, and reached long before a 10^6-row dump
# is validated item by item (which would take minutes and gigabytes before reporting anything).
MAX_RECORDS = 100_000
LIST_SEPARATOR = ";"

Problems = list[tuple[str, str]]


@dataclass(frozen=True)
class Raw:
    """One record as read, before validation; `errors` are reading problems reported in record order."""

    where: str
    data: Any
    errors: tuple[str, ...] = ()
    # (field key, column heading) pairs of a spreadsheet row, so errors name the heading a person typed under
    headings: tuple[tuple[str, str], ...] = ()


def did_you_mean(name: str, options: Iterable[str]) -> str:
    """' (did you mean X?)' naming close matches, best first, or ''."""
    close = difflib.get_close_matches(name, list(options), n=3, cutoff=0.6)
    # Best first; equally close names alphabetically (difflib breaks ties in reverse order).
    close.sort(key=lambda c: (-difflib.SequenceMatcher(None, name, c).ratio(), c))
    return f" (did you mean {', '.join(close)}?)" if close else ""


# --- JSON ----------------------------------------------------------------------------------------------


def _too_many(count: int | None = None) -> str:
    found = f"{count:,} records" if count is not None else f"more than {MAX_RECORDS:,} records"
    return f"{found}, over the limit of {MAX_RECORDS:,} per file; split it"


class _JsonReject(ValueError):
    pass


def _no_constants(name: str) -> Any:
    raise _JsonReject(f"{name} is not allowed (numbers must be finite)")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _JsonReject(f"duplicate key {key!r} in an object")
        out[key] = value
    return out


def json_records(text: str, label: str, problems: Problems) -> list[Raw]:
    try:
        data = json.loads(text, parse_constant=_no_constants, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        problems.append((label, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"))
        return []
    except ValueError as exc:
        problems.append((label, f"malformed JSON: {exc}"))
        return []
    except RecursionError:
        problems.append((label, "malformed JSON: nested too deeply (evidence is a few levels deep at most)"))
        return []
    if isinstance(data, dict):
        return [Raw(f"{label} item 1", data)]
    if isinstance(data, list):
        if len(data) > MAX_RECORDS:
            problems.append((label, _too_many(len(data))))
            return []
        return [Raw(f"{label} item {n}", value) for n, value in enumerate(data, start=1)]
    problems.append((label, f"expected an object or an array of objects, found {type(data).__name__}"))
    return []


# --- YAML ----------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """safe_load's loader, refusing duplicate keys (PyYAML would silently keep the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key_node.value!r}", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """Nodes the document has once aliases are expanded (memoised, so a billion laughs costs microseconds)."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1  # a recursive alias counts once rather than looping
    children: list[yaml.Node] = []
    if isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    elif isinstance(node, yaml.MappingNode):
        children = [n for pair in node.value for n in pair]
    memo[id(node)] = 1 + sum(_expanded_size(child, memo) for child in children)
    return memo[id(node)]


def yaml_records(text: str, label: str, problems: Problems) -> list[Raw]:
    records: list[Raw] = []
    try:
        loader = _Loader(text)  # the reader refuses control characters here, before any parsing
    except yaml.YAMLError as exc:
        problems.append((label, f"malformed YAML: {str(exc).splitlines()[0]}"))
        return []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
            if _expanded_size(node, {}) > MAX_YAML_NODES:
                line = node.start_mark.line + 1
                too_big = f"the document expands (through aliases) to more than {MAX_YAML_NODES:,} values"
                problems.append((f"{label} line {line}", too_big))
                return []
            data = loader.construct_document(node)
            if data is None:
                continue
            if isinstance(node, yaml.SequenceNode) and isinstance(data, list):
                lines = [child.start_mark.line + 1 for child in node.value]
                values = data
            elif isinstance(node, yaml.MappingNode):
                lines, values = [node.start_mark.line + 1], [data]
            else:
                line = node.start_mark.line + 1
                problems.append((f"{label} line {line}", "expected a mapping or a list of mappings"))
                continue
            for line, value in zip(lines, values, strict=True):
                records.append(Raw(f"{label} item {len(records) + 1} (line {line})", value))
            if len(records) > MAX_RECORDS:
                problems.append((label, _too_many()))
                return []
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problems.append((label, f"malformed YAML{at}: {exc.problem or exc.context}"))
        return []
    except yaml.YAMLError as exc:
        problems.append((label, f"malformed YAML: {exc}"))
        return []
    except RecursionError:
        problems.append((label, "malformed YAML: nested too deeply (evidence is a few levels deep at most)"))
        return []
    finally:
        loader.dispose()
    return records


# --- CSV -----------------------------------------------------------------------------------------------


@cache
def _list_fields(kind: str) -> frozenset[str]:
    model = KIND_MODELS[kind]
    names = set()
    for name, info in model.model_fields.items():
        annotation = info.annotation
        options = get_args(annotation) if get_origin(annotation) is not list else (annotation,)
        if any(get_origin(a) is list for a in (annotation, *options)):
            names.add(name)
    return frozenset(names)


def _kind_from_name(path: Path) -> str | None:
    stem = path.stem.lower()
    for kind in sorted(KINDS, key=len, reverse=True):
        if stem == kind or stem.startswith(kind + "-"):
            return kind
    return None


class _CsvError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def _csv_rows(text: str) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells); quoted cells may span lines, so the reader counts lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _CsvError(reader.line_num or start, str(exc)) from exc
        yield start, row


def csv_records(text: str, path: Path, label: str, problems: Problems) -> list[Raw]:
    file_kind = _kind_from_name(path)
    records: list[Raw] = []
    header: list[str] | None = None
    unknown_reported: set[tuple[str, str]] = set()
    try:
        for line, row in _csv_rows(text):
            if not any(cell.strip() for cell in row):
                continue  # blank line
            if header is None:
                header = [h.strip() for h in row]
                bad = [n for n, h in enumerate(header, start=1) if not h]
                dupes = sorted({h for h in header if h and header.count(h) > 1})
                if bad or dupes:
                    parts = [f"empty column name in column {', '.join(map(str, bad))}"] if bad else []
                    parts += [f"column(s) named twice: {', '.join(dupes)}"] if dupes else []
                    what = "; ".join(parts)
                    problems.append((f"{label} line {line}", what))
                    return []
                if "kind" not in header and file_kind is None:
                    problems.append(
                        (
                            f"{label} line {line}",
                            (
                                "no kind: add a `kind` column or name the file "
                                "<kind>.csv or <kind>-<anything>.csv, e.g. fft_monthly-2025.csv"
                            ),
                        )
                    )
                    return []
                continue
            where = f"{label} line {line}"
            if len(records) >= MAX_RECORDS:
                problems.append((label, _too_many()))
                return []
            if len(row) != len(header):
                ragged = f"row has {len(row)} cells but the header has {len(header)} columns"
                records.append(Raw(where, None, (ragged,)))
                continue
            cells = {h: c.strip() for h, c in zip(header, row, strict=True) if c.strip()}
            kind = cells.pop("kind", None) or file_kind
            if kind not in KIND_MODELS:
                records.append(Raw(where, {"kind": kind} if kind else {}))
                continue
            errors: list[str] = []
            data = _unflatten(cells, kind, unknown_reported, errors)
            data["kind"] = kind
            records.append(Raw(where, data, tuple(errors)))
    except _CsvError as exc:
        problems.append((f"{label} line {exc.line}", f"malformed CSV: {exc}"))
        return []
    return records


def _unflatten(
    cells: dict[str, str], kind: str, reported: set[tuple[str, str]], errors: list[str]
) -> dict[str, Any]:
    """Dotted headers to nested mappings, `;`-lists to lists; an unknown column is reported once per kind."""
    fields = KIND_MODELS[kind].model_fields
    lists = _list_fields(kind)
    data: dict[str, Any] = {}
    for column, value in cells.items():
        top, *rest = column.split(".")
        if top not in fields:
            if (kind, column) not in reported:
                reported.add((kind, column))
                errors.append(f"column {column!r} is not a field of {kind}{did_you_mean(top, fields)}")
            continue
        if top in lists and not rest:
            data[top] = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
            continue
        parts = [top, *rest]
        target = data
        for depth, part in enumerate(parts[:-1], start=1):
            inner = target.setdefault(part, {})
            if not isinstance(inner, dict):
                errors.append(f"column {column!r} clashes with column {'.'.join(parts[:depth])!r}")
                break
            target = inner
        else:
            target[parts[-1]] = value
    return data
