"""Read evidence files (JSON, YAML, CSV, XLSX) into validated models, reporting every problem of every file at once.

Nothing is half-returned: either every item of every file validates, or one EvidenceError lists each
problem with its file, line/row or item, field path and what was expected.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from pxrules.common.dates import HINT, future_allowed
from pxrules.common.input_file import read_input
from pxrules.errors import EvidenceError
from pxrules.evidence.readers import (
    LIST_SEPARATOR,
    MAX_YAML_NODES,
    Problems,
    Raw,
    csv_records,
    did_you_mean,
    json_records,
    yaml_records,
)
from pxrules.evidence.registry import KIND_MODELS, KINDS, Evidence

MAX_FILE_BYTES = 64 * 1024 * 1024  # far above any real register export; stops a stray dump eating memory
# YAML is for hand-written evidence and its pure-Python parser reads ~0.2 MB/s: bulk belongs in CSV or JSON.
MAX_YAML_BYTES = 4 * 1024 * 1024
SUFFIXES = {".json": "json", ".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".xlsx": "xlsx"}
_ORG_CODE = re.compile(r"^[A-Z0-9]{2,12}\Z")
_BOM = b"\xef\xbb\xbf"

__all__ = [
    "LIST_SEPARATOR",
    "MAX_FILE_BYTES",
    "MAX_YAML_BYTES",
    "MAX_YAML_NODES",
    "SUFFIXES",
    "SourcedItem",
    "read_evidence_files",
    "read_evidence_sources",
]


@dataclass(frozen=True)
class SourcedItem:
    """A validated item with the file it came from and where in it (for messages and `import_file`)."""

    item: Evidence
    file: str
    where: str
    path: Path | None = None  # the file as given, so a `source.attachment` is found beside it


def _read_text(path: Path, label: str, max_bytes: int, problems: Problems) -> str | None:
    try:
        raw = read_input(path, max_bytes)
    except EvidenceError as exc:
        what = str(exc).removeprefix(f"{path.name}: ")
        problems.append((label, f"{what}; split it" if "-byte limit" in what else what))
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


# --- validation ----------------------------------------------------------------------------------------


def _describe(error: ErrorDetails, headings: dict[str, str] | None = None) -> str:
    loc = ".".join(str(p) for p in error["loc"])
    if headings and loc:
        # A missing nested object (source) is named by its first column (Source: title).
        inner = next((h for k, h in headings.items() if k.startswith(loc + ".")), None)
        heading = headings.get(loc) or inner or headings.get(str(error["loc"][0]))
        loc = f"{heading!r} ({loc})" if heading else loc
    msg = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "missing":
        msg = "is required"
    elif error["type"] == "extra_forbidden":
        msg = "is not a field of this kind"
    elif error["type"] == "literal_error" and isinstance(error.get("input"), str):
        # A closed list the model spells out (settings, presenters ...): name the nearest choices.
        options = re.findall(r"'([^']*)'", str((error.get("ctx") or {}).get("expected", "")))
        msg += did_you_mean(str(error["input"]), options)
    value = error.get("input")
    if (
        error["type"] not in {"missing", "extra_forbidden"}
        and isinstance(value, str | int | float | bool)
        and error["loc"]
        and repr(value) not in msg
    ):
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
        msg += f" (got {shown})"
    return f"{loc}: {msg}" if loc else msg


def _validate(raw: Raw, default_org: str | None, now: dt.datetime, problems: Problems) -> Evidence | None:
    problems.extend((raw.where, error) for error in raw.errors)
    data = raw.data
    if data is None and raw.errors:
        return None
    if not isinstance(data, dict):
        problems.append((raw.where, f"expected a mapping of fields, found {type(data).__name__}"))
        return None
    kind = data.get("kind")
    if kind is None or kind == "":
        problems.append((raw.where, f"kind: is required (one of {', '.join(KINDS)})"))
        return None
    if not isinstance(kind, str) or kind not in KIND_MODELS:
        hint = did_you_mean(str(kind), KINDS) or f" (expected one of {', '.join(KINDS)})"
        problems.append((raw.where, f"kind: unknown kind {kind!r}{hint}"))
        return None
    if default_org is not None and kind != "benchmark" and data.get("org") in (None, ""):
        data = {**data, "org": default_org}
    try:
        item: Evidence = KIND_MODELS[kind].model_validate(data)
    except ValidationError as exc:
        headings = dict(raw.headings)
        problems.extend((raw.where, _describe(e, headings)) for e in exc.errors())
        return None
    if raw.errors:
        return None
    if item.end > now.date() and future_allowed() is None:
        problems.append((raw.where, f"period_end: the period ends {item.end.isoformat()}, in the future; {HINT}"))
        return None
    if item.recorded_at is not None:
        at = item.recorded_at if item.recorded_at.tzinfo else item.recorded_at.replace(tzinfo=dt.UTC)
        if at > now + dt.timedelta(days=1) and future_allowed() is None:
            problems.append((raw.where, f"recorded_at: {item.recorded_at.isoformat()} is in the future"))
            return None
    return item


def _collect(
    records: list[Raw],
    path: Path,
    default_org: str | None,
    now: dt.datetime,
    problems: Problems,
    found: list[SourcedItem],
    by_id: dict[str, SourcedItem],
) -> None:
    for raw in records:
        item = _validate(raw, default_org, now, problems)
        if item is None:
            continue
        earlier = by_id.get(item.id)
        if earlier is None:
            by_id[item.id] = SourcedItem(item, path.name, raw.where, path)
            found.append(by_id[item.id])
        elif earlier.item.content_hash() != item.content_hash():
            problems.append((raw.where, f"id: duplicate id {item.id} with different content from {earlier.where}"))


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
            problems.append((label, f"unsupported file type {suffix!r}: use .json, .yaml, .yml, .csv or .xlsx"))
            continue
        before = len(problems)
        if fmt == "xlsx":
            from pxrules.evidence.xlsx_reader import xlsx_records

            records = xlsx_records(path, label, problems)
            if not records and len(problems) == before:
                problems.append((label, "contains no evidence items (the worked example rows are never imported)"))
            _collect(records, path, default_org, now, problems, found, by_id)
            continue
        limit = min(max_bytes, MAX_YAML_BYTES) if fmt == "yaml" else max_bytes
        text = _read_text(path, label, limit, problems)
        if text is None:
            continue
        if fmt == "json":
            records = json_records(text, label, problems)
        elif fmt == "yaml":
            records = yaml_records(text, label, problems)
        else:
            records = csv_records(text, path, label, problems)
        if not records and len(problems) == before:
            problems.append((label, "contains no evidence items"))
        _collect(records, path, default_org, now, problems, found, by_id)
    if problems:
        files = len({str(p) for p in paths})
        head = f"invalid evidence: {len(problems)} problem(s) in {files} file(s); nothing was read"
        raise EvidenceError(head, problems)
    return found


def read_evidence_files(paths: Iterable[str | Path], *, default_org: str | None = None) -> list[Evidence]:
    """Validated evidence from .json, .yaml/.yml and .csv files; else EvidenceError listing every problem."""
    return [s.item for s in read_evidence_sources(paths, default_org=default_org)]
