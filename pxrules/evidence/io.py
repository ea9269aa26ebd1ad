"""Read evidence files (JSON, YAML, CSV) into validated models, reporting every problem of every file at once.

Nothing is half-returned: either every item of every file validates, or one EvidenceError lists each
problem with its file, line/row or item, field path and what was expected.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args, get_origin

import yaml
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from pxrules.errors import EvidenceError
from pxrules.evidence.registry import KIND_MODELS, KINDS, Evidence

MAX_FILE_BYTES = 64 * 1024 * 1024  # far above any real register export; stops a stray dump eating memory
SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv"}
LIST_SEPARATOR = ";"
_ORG_CODE = re.compile(r"^[A-Z0-9]{2,12}$")
_BOM = b"\xef\xbb\xbf"

Problems = list[tuple[str, str]]


@dataclass(frozen=True)
class SourcedItem:
    """A validated item with the file it came from and where in it (for messages and `import_file`)."""

    item: Evidence
    file: str
    where: str


@dataclass(frozen=True)
class _Raw:
    where: str
    data: Any


def _did_you_mean(name: str, options: Iterable[str]) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(options), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(close)}?)" if close else ""


def _read_text(path: Path, label: str, max_bytes: int, problems: Problems) -> str | None:
    try:
        if not path.is_file():
            problems.append((label, "no such file"))
            return None
        size = path.stat().st_size
        if size > max_bytes:
            problems.append((label, f"file is {size:,} bytes, over the {max_bytes:,}-byte limit; split it"))
            return None
        raw = path.read_bytes()
    except OSError as exc:
        problems.append((label, f"cannot read: {exc.strerror or exc}"))
        return None
    skip = len(_BOM) if raw.startswith(_BOM) else 0
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = exc.start + skip
        line = raw[:offset].count(b"\n") + 1
        what = f"not UTF-8: byte 0x{raw[offset]:02x} at byte offset {offset} (line {line}); save it as UTF-8"
        problems.append((label, what))
        return None


# --- JSON ----------------------------------------------------------------------------------------------


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


def _json_records(text: str, label: str, problems: Problems) -> list[_Raw]:
    try:
        data = json.loads(text, parse_constant=_no_constants, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        problems.append((label, f"malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"))
        return []
    except ValueError as exc:
        problems.append((label, f"malformed JSON: {exc}"))
        return []
    if isinstance(data, dict):
        return [_Raw(f"{label} item 1", data)]
    if isinstance(data, list):
        return [_Raw(f"{label} item {n}", value) for n, value in enumerate(data, start=1)]
    problems.append((label, f"expected an object or an array of objects, found {type(data).__name__}"))
    return []


# --- YAML ----------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """safe_load's loader, refusing aliases (no billion-laughs) and duplicate keys (no silent loss)."""

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed here", mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[str] = set()
        for key_node, _value in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key_node.value!r}", key_node.start_mark)
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _yaml_records(text: str, label: str, problems: Problems) -> list[_Raw]:
    records: list[_Raw] = []
    loader = _Loader(text)
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                continue
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
                records.append(_Raw(f"{label} item {len(records) + 1} (line {line})", value))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
        problems.append((label, f"malformed YAML{at}: {exc.problem or exc.context}"))
        return []
    except yaml.YAMLError as exc:
        problems.append((label, f"malformed YAML: {exc}"))
        return []
    finally:
        loader.dispose()
    return records


# --- CSV -----------------------------------------------------------------------------------------------


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


def _csv_records(text: str, path: Path, label: str, problems: Problems) -> list[_Raw]:
    file_kind = _kind_from_name(path)
    records: list[_Raw] = []
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
                    problems.append((f"{label} line {line}", ("no kind: add a `kind` column or name the file "
                                     "<kind>.csv or <kind>-<anything>.csv, e.g. fft_monthly-2025.csv")))
                    return []
                continue
            where = f"{label} line {line}"
            if len(row) != len(header):
                problems.append((where, f"row has {len(row)} cells but the header has {len(header)} columns"))
                continue
            cells = {h: c.strip() for h, c in zip(header, row, strict=True) if c.strip()}
            kind = cells.pop("kind", None) or file_kind
            if kind not in KIND_MODELS:
                records.append(_Raw(where, {"kind": kind} if kind else {}))
                continue
            data = _unflatten(cells, kind, where, unknown_reported, label, problems)
            data["kind"] = kind
            records.append(_Raw(where, data))
    except _CsvError as exc:
        problems.append((f"{label} line {exc.line}", f"malformed CSV: {exc}"))
        return []
    return records


def _unflatten(cells: dict[str, str], kind: str, where: str, reported: set[tuple[str, str]], label: str,
               problems: Problems) -> dict[str, Any]:
    fields = KIND_MODELS[kind].model_fields
    lists = _list_fields(kind)
    data: dict[str, Any] = {}
    for column, value in cells.items():
        top, *rest = column.split(".")
        if top not in fields:
            if (kind, column) not in reported:
                reported.add((kind, column))
                problems.append((f"{where}", (f"column {column!r} is not a field of {kind}"
                                             f"{_did_you_mean(top, fields)}")))
            continue
        if top in lists and not rest:
            data[top] = [v.strip() for v in value.split(LIST_SEPARATOR) if v.strip()]
            continue
        parts = [top, *rest]
        target = data
        for depth, part in enumerate(parts[:-1], start=1):
            inner = target.setdefault(part, {})
            if not isinstance(inner, dict):
                problems.append((where, f"column {column!r} clashes with column {'.'.join(parts[:depth])!r}"))
                break
            target = inner
        else:
            target[parts[-1]] = value
    return data


# --- validation ----------------------------------------------------------------------------------------


def _describe(error: ErrorDetails) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    msg = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        msg = "is required"
    elif error["type"] == "extra_forbidden":
        msg = "is not a field of this kind"
    value = error.get("input")
    if error["type"] not in {"missing", "extra_forbidden"} and isinstance(value, str | int | float | bool) \
            and error["loc"]:
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        msg += f" (got {shown})"
    return f"{loc}: {msg}" if loc else msg


def _validate(raw: _Raw, default_org: str | None, now: dt.datetime, problems: Problems) -> Evidence | None:
    data = raw.data
    if not isinstance(data, dict):
        problems.append((raw.where, f"expected a mapping of fields, found {type(data).__name__}"))
        return None
    kind = data.get("kind")
    if kind is None or kind == "":
        problems.append((raw.where, f"kind: is required (one of {', '.join(KINDS)})"))
        return None
    if not isinstance(kind, str) or kind not in KIND_MODELS:
        hint = _did_you_mean(str(kind), KINDS) or f" (expected one of {', '.join(KINDS)})"
        problems.append((raw.where, f"kind: unknown kind {kind!r}{hint}"))
        return None
    if default_org is not None and kind != "benchmark" and data.get("org") in (None, ""):
        data = {**data, "org": default_org}
    try:
        item: Evidence = KIND_MODELS[kind].model_validate(data)
    except ValidationError as exc:
        problems.extend((raw.where, _describe(e)) for e in exc.errors())
        return None
    if item.recorded_at is None and item.end > now.date():
        problems.append((raw.where, f"period_end: the period ends {item.end.isoformat()}, in the future"))
        return None
    if item.recorded_at is not None:
        at = item.recorded_at if item.recorded_at.tzinfo else item.recorded_at.replace(tzinfo=dt.UTC)
        if at > now + dt.timedelta(days=1):
            problems.append((raw.where, f"recorded_at: {item.recorded_at.isoformat()} is in the future"))
            return None
    return item


def read_evidence_sources(
    paths: Iterable[str | Path], *, default_org: str | None = None, max_bytes: int = MAX_FILE_BYTES
) -> list[SourcedItem]:
    """Every item of every file, validated, with where it came from; one EvidenceError lists all problems."""
    if default_org is not None and not _ORG_CODE.match(default_org):
        raise EvidenceError(f"--org {default_org!r} is not an ODS code (2-12 upper-case letters or digits)")
    paths = list(paths)
    now = dt.datetime.now(dt.UTC)
    problems: Problems = []
    found: list[SourcedItem] = []
    by_id: dict[str, SourcedItem] = {}
    for given in paths:
        path = Path(given)
        label = str(given)
        fmt = SUFFIXES.get(path.suffix.lower())
        if fmt is None:
            suffix = path.suffix or "(none)"
            problems.append((label, f"unsupported file type {suffix!r}: use .json, .yaml, .yml or .csv"))
            continue
        before = len(problems)
        text = _read_text(path, label, max_bytes, problems)
        if text is None:
            continue
        if fmt == "json":
            records = _json_records(text, label, problems)
        elif fmt == "yaml":
            records = _yaml_records(text, label, problems)
        else:
            records = _csv_records(text, path, label, problems)
        if not records and len(problems) == before:
            problems.append((label, "contains no evidence items"))
        for raw in records:
            item = _validate(raw, default_org, now, problems)
            if item is None:
                continue
            earlier = by_id.get(item.id)
            if earlier is None:
                by_id[item.id] = SourcedItem(item, path.name, raw.where)
                found.append(by_id[item.id])
            elif earlier.item.content_hash() != item.content_hash():
                problems.append((raw.where, (f"id: duplicate id {item.id} with different content from "
                                            f"{earlier.where}")))
    if problems:
        files = len({str(p) for p in paths})
        head = f"invalid evidence: {len(problems)} problem(s) in {files} file(s); nothing was read"
        raise EvidenceError(head, problems)
    return found


def read_evidence_files(paths: Iterable[str | Path], *, default_org: str | None = None) -> list[Evidence]:
    """Validated evidence from .json, .yaml/.yml and .csv files; else EvidenceError listing every problem."""
    return [s.item for s in read_evidence_sources(paths, default_org=default_org)]
