"""The framework catalogue: a typed, strictly validated view of rules/framework.yaml (1A..23A)."""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pxrules.errors import CatalogueError, NotFoundError
from pxrules.rules.yaml_parse import safe_load, yaml_error

CQC_KEY_QUESTIONS: tuple[str, ...] = ("safe", "effective", "caring", "responsive", "well-led")

ID_PATTERN = re.compile(r"^([1-9]|1[0-9]|2[0-3])[A-E]$")
N_CHARACTERISTICS = 23
_SECTION_KEY = re.compile(r"^[a-z][a-z_]*$")

# Allowed keys per level; anything else is a typo that would otherwise be silently ignored.
_TOP_KEYS = {"framework", "sections"}
_FRAMEWORK_KEYS = {"version", "title", "publisher", "published", "part", "table_headings", "scoring_columns"}
_FRAMEWORK_REQUIRED = _FRAMEWORK_KEYS - {"part"}
_SECTION_KEYS = {"key", "title", "intro", "characteristics", "scoring_columns_as_printed"}
_CHARACTERISTIC_KEYS = {"number", "text", "sub_requirements"}
_SUB_KEYS = {"id", "text", "cqc_key_questions", "cqc_why", "evidence_kinds"}

Location = tuple[str | int, ...]


@dataclass(frozen=True)
class SubRequirement:
    """One scored line of the assessment tool (e.g. 12C) with our CQC and evidence design data."""

    id: str
    characteristic: int
    characteristic_text: str
    section: str
    section_key: str
    text: str
    cqc_key_questions: tuple[str, ...]
    cqc_why: str | None
    evidence_kinds: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready form with stable keys (used by `framework list/show --json`)."""
        return {
            "id": self.id,
            "characteristic": self.characteristic,
            "characteristic_text": self.characteristic_text,
            "section": self.section,
            "section_key": self.section_key,
            "text": self.text,
            "cqc_key_questions": list(self.cqc_key_questions),
            "cqc_why": self.cqc_why,
            "evidence_kinds": list(self.evidence_kinds),
        }


@dataclass(frozen=True)
class Characteristic:
    """A numbered characteristic (1..23) and the sub-requirements that meet it."""

    number: int
    text: str
    section: str
    section_key: str
    sub_requirements: tuple[SubRequirement, ...]


@dataclass(frozen=True)
class Section:
    """One of the six sections of the assessment tool."""

    key: str
    title: str
    intro: str
    characteristics: tuple[Characteristic, ...]
    scoring_columns: tuple[str, ...]


@dataclass(frozen=True)
class Catalogue:
    """The whole framework as published, plus the file's identity (path and sha256)."""

    version: str
    title: str
    publisher: str
    published: str
    part: str | None
    table_headings: tuple[str, ...]
    scoring_columns: tuple[str, ...]
    sections: tuple[Section, ...]
    path: Path
    sha256: str
    _index: dict[str, SubRequirement] = field(default_factory=dict, repr=False, compare=False)

    @property
    def characteristics(self) -> list[Characteristic]:
        """All characteristics in publication order."""
        return [c for s in self.sections for c in s.characteristics]

    @property
    def sub_requirements(self) -> list[SubRequirement]:
        """All sub-requirements in publication order (1A, 1B, ... 23A)."""
        return [r for c in self.characteristics for r in c.sub_requirements]

    @property
    def ids(self) -> list[str]:
        """Sub-requirement ids in publication order."""
        return [r.id for r in self.sub_requirements]

    def get(self, sub_id: str) -> SubRequirement:
        """The sub-requirement with this id (case-insensitive); NotFoundError suggests a close match."""
        key = sub_id.strip().upper()
        found = self._index.get(key)
        if found is not None:
            return found
        close = difflib.get_close_matches(key, list(self._index), n=1, cutoff=0.5)
        hint = f"; did you mean {close[0]}?" if close else f"; ids run {self.ids[0]}..{self.ids[-1]}"
        raise NotFoundError(f"unknown sub-requirement {sub_id!r} in framework {self.version}{hint}")

    def __contains__(self, sub_id: object) -> bool:
        return isinstance(sub_id, str) and sub_id.strip().upper() in self._index

    def section(self, key: str) -> Section:
        """The section with this key (e.g. 'leadership')."""
        for s in self.sections:
            if s.key == key:
                return s
        known = ", ".join(s.key for s in self.sections)
        raise NotFoundError(f"unknown framework section {key!r}; known: {known}")

    def content_hash(self) -> str:
        """sha256 (hex) of the catalogue file's bytes as loaded; assessments record it for audit."""
        return self.sha256


def default_path() -> Path:
    """Where the catalogue lives: the rule pack folder's framework.yaml."""
    from pxrules.paths import rules_dir

    return rules_dir() / "framework.yaml"


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Load and validate the catalogue; each file is parsed once per process and cached."""
    resolved = (Path(path) if path is not None else default_path()).resolve()
    try:
        stat = resolved.stat()
    except OSError as exc:
        raise CatalogueError(f"{resolved}: cannot read the framework catalogue: {exc.strerror or exc}") from exc
    # Keyed by modification time and size too, so an edited catalogue is never served stale.
    return _load_cached(resolved, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=8)
def _load_cached(path: Path, _mtime_ns: int, _size: int) -> Catalogue:
    return _load(path)


def _load(path: Path) -> Catalogue:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"{path}: cannot read the framework catalogue: {exc.strerror or exc}") from exc
    try:
        data = safe_load(raw)
    except yaml_error() as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise CatalogueError(f"{path}{where}: not valid YAML: {problem}") from exc
    except RecursionError as exc:
        raise CatalogueError(f"{path}: not valid YAML: nested too deeply") from exc
    return _Builder(path, raw).build(data)


class _Builder:
    """Validates the parsed YAML and builds the dataclasses; every error names file, line, id and field."""

    def __init__(self, path: Path, raw: bytes) -> None:
        from pxrules.evidence import KINDS

        self.path = path
        self.raw = raw
        self.kinds: tuple[str, ...] = KINDS
        self.index: dict[str, SubRequirement] = {}
        self.next_number = 1
        # While a sub-requirement is being checked, errors say "sub-requirement 3B, <field>".
        self.subject: tuple[str, int] | None = None

    def fail(self, loc: Location, message: str) -> CatalogueError:
        line = _line_of(self.raw, loc)
        where = f"{self.path}" + (f" line {line}" if line else "")
        prefix = ""
        if self.subject is not None:
            sid, depth = self.subject
            prefix, loc = f"sub-requirement {sid}, ", loc[depth:]
        field_path = "".join(f".{p}" if isinstance(p, str) else f"[{p}]" for p in loc).lstrip(".")
        if field_path or prefix:
            return CatalogueError(f"{where}: {prefix}{field_path}: {message}")
        return CatalogueError(f"{where}: {message}")

    def mapping(self, value: Any, loc: Location, allowed: set[str], required: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(loc, f"expected a mapping, got {type(value).__name__}")
        unknown = sorted(str(k) for k in value if k not in allowed)
        if unknown:
            allowed_list = ", ".join(sorted(allowed))
            raise self.fail(loc, f"unknown key(s) {', '.join(unknown)}; allowed: {allowed_list}")
        missing = sorted(required - set(value))
        if missing:
            raise self.fail(loc, f"missing key(s) {', '.join(missing)}")
        return value

    def items(self, value: Any, loc: Location) -> list[Any]:
        if not isinstance(value, list) or not value:
            raise self.fail(loc, "must be a non-empty list")
        return value

    def text(self, value: Any, loc: Location) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(loc, "must be a non-empty string")
        # Published text is one line with single spaces; anything else is an extraction or editing slip.
        if value != value.strip() or "  " in value or "\n" in value or "\t" in value:
            raise self.fail(loc, "must not have leading/trailing, doubled or line-break whitespace")
        return value

    def strings(self, value: Any, loc: Location, known: Sequence[str] | None = None) -> tuple[str, ...]:
        items = tuple(self.text(v, (*loc, i)) for i, v in enumerate(self.items(value, loc)))
        if len(set(items)) != len(items):
            raise self.fail(loc, "has duplicate entries")
        bad = [v for v in items if known is not None and v not in known]
        if bad and known is not None:
            raise self.fail(loc, f"unknown value(s) {', '.join(map(repr, bad))}; known: {', '.join(known)}")
        return items

    def build(self, data: Any) -> Catalogue:
        top = self.mapping(data, (), _TOP_KEYS, _TOP_KEYS)
        fw = self.mapping(top["framework"], ("framework",), _FRAMEWORK_KEYS, _FRAMEWORK_REQUIRED)
        meta = {k: self.text(fw[k], ("framework", k)) for k in ("version", "title", "publisher", "published")}
        part = self.text(fw["part"], ("framework", "part")) if "part" in fw else None
        headings = self.strings(fw["table_headings"], ("framework", "table_headings"))
        columns = self.strings(fw["scoring_columns"], ("framework", "scoring_columns"))
        sections: list[Section] = []
        for si, raw_s in enumerate(self.items(top["sections"], ("sections",))):
            section = self.section(raw_s, ("sections", si), columns)
            if any(section.key == s.key or section.title == s.title for s in sections):
                raise self.fail(("sections", si), f"section {section.key!r} or {section.title!r} repeated")
            sections.append(section)
        if self.next_number - 1 != N_CHARACTERISTICS:
            raise self.fail(("sections",), f"has characteristics 1..{self.next_number - 1}; "
                            f"the framework has 1..{N_CHARACTERISTICS}")
        digest = hashlib.sha256(self.raw).hexdigest()
        return Catalogue(meta["version"], meta["title"], meta["publisher"], meta["published"], part, headings,
                         columns, tuple(sections), self.path, digest, self.index)

    def section(self, value: Any, loc: Location, columns: tuple[str, ...]) -> Section:
        s = self.mapping(value, loc, _SECTION_KEYS, _SECTION_KEYS - {"scoring_columns_as_printed"})
        key = self.text(s["key"], (*loc, "key"))
        if not _SECTION_KEY.match(key):
            raise self.fail((*loc, "key"), f"{key!r} must be lower_snake_case")
        title = self.text(s["title"], (*loc, "title"))
        intro = self.text(s["intro"], (*loc, "intro"))
        printed = columns
        if "scoring_columns_as_printed" in s:
            ploc: Location = (*loc, "scoring_columns_as_printed")
            printed = self.strings(s["scoring_columns_as_printed"], ploc)
            if len(printed) != len(columns):
                raise self.fail(ploc, f"has {len(printed)} columns; scoring_columns has {len(columns)}")
        chars = tuple(self.characteristic(c, (*loc, "characteristics", ci), title, key)
                      for ci, c in enumerate(self.items(s["characteristics"], (*loc, "characteristics"))))
        return Section(key, title, intro, chars, printed)

    def characteristic(self, value: Any, loc: Location, title: str, key: str) -> Characteristic:
        c = self.mapping(value, loc, _CHARACTERISTIC_KEYS, _CHARACTERISTIC_KEYS)
        number = c["number"]
        if isinstance(number, bool) or not isinstance(number, int):
            raise self.fail((*loc, "number"), f"must be an integer, got {number!r}")
        if number != self.next_number:
            raise self.fail((*loc, "number"), f"characteristic {number} out of order; expected "
                            f"{self.next_number} (characteristics run 1..{N_CHARACTERISTICS} contiguously)")
        self.next_number += 1
        ctext = self.text(c["text"], (*loc, "text"))
        subs = tuple(self.sub(r, (*loc, "sub_requirements", ri), ri, number, ctext, title, key)
                     for ri, r in enumerate(self.items(c["sub_requirements"], (*loc, "sub_requirements"))))
        return Characteristic(number, ctext, title, key, subs)

    def sub(self, value: Any, loc: Location, position: int, number: int, ctext: str, title: str,
            key: str) -> SubRequirement:
        r = self.mapping(value, loc, _SUB_KEYS, _SUB_KEYS - {"cqc_why"})
        sid = r["id"]
        if not isinstance(sid, str) or not ID_PATTERN.match(sid):
            raise self.fail((*loc, "id"), f"sub-requirement id {sid!r} is not of the form 1A..23E")
        if sid in self.index:
            raise self.fail((*loc, "id"), f"duplicate sub-requirement id {sid}")
        if int(sid[:-1]) != number:
            raise self.fail((*loc, "id"), f"sub-requirement {sid} listed under characteristic {number}")
        expected = f"{number}{'ABCDE'[position]}" if position < 5 else f"at most {number}E"
        if sid != expected:
            raise self.fail((*loc, "id"), f"sub-requirement {sid} out of sequence; expected {expected} "
                            "(letters run consecutively from A)")
        self.subject = (sid, len(loc))
        text = self.text(r["text"], (*loc, "text"))
        cqc = self.strings(r["cqc_key_questions"], (*loc, "cqc_key_questions"), CQC_KEY_QUESTIONS)
        why = None if r.get("cqc_why") is None else self.text(r["cqc_why"], (*loc, "cqc_why"))
        kinds = self.strings(r["evidence_kinds"], (*loc, "evidence_kinds"), self.kinds)
        if "attestation" not in kinds or len(kinds) < 2:
            raise self.fail((*loc, "evidence_kinds"),
                            "must list attestation and at least one measurable kind")
        self.subject = None
        sub = SubRequirement(sid, number, ctext, title, key, text, cqc, why, kinds)
        self.index[sid] = sub
        return sub


def _line_of(raw: bytes, loc: Location) -> int | None:
    """1-based line of the YAML node at `loc` (composed only when reporting an error)."""
    import yaml

    try:
        node: Any = yaml.compose(raw, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = node.start_mark.line + 1 if node is not None else None
    for step in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            match = [v for k, v in node.value if k.value == step]
            if not match:
                break
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            break
        line = node.start_mark.line + 1
    return line
