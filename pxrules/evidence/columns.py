"""Spreadsheet columns of each evidence kind, derived from the models' JSON Schema (the one definition).

The template writer and the XLSX reader both use these columns, so a new field, a new choice or a field
turned into an enumeration reaches the template, its drop-down lists and the import with no edit here.
Validation stays in the models: a column only turns a cell into the value the model reads.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from pxrules.evidence.registry import KIND_MODELS, KINDS

LIST_SEPARATOR = ";"
NOT_RECORDED = "not recorded"
# The envelope's recording fields are set by the store and the signed-in person, not typed by hand.
_LEFT_OUT = {"kind", "recorded_by", "recorded_at"}
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}
_WORDS = {"ae": "A&E", "fft": "FFT", "pals": "PALS", "qi": "QI", "id": "Id", "url": "URL", "ods": "ODS",
          "px": "PX", "nss": "NSS", "bsl": "BSL", "pid": "PID", "cip": "CIP", "phso": "PHSO", "sms": "SMS"}  # fmt: skip


# The envelope's headings, where the field name alone would not tell a governance lead what to type.
_HEADINGS = {
    "id": "Identifier (unique in the register)",
    "org": "Organisation (ODS code)",
    "sub_requirements": "Sub-requirements (e.g. 3A; 12C)",
    "period_start": "Period start (dd/mm/yyyy)",
    "period_end": "Period end (dd/mm/yyyy)",
}


def humanise(name: str) -> str:
    """'period_start' -> 'Period start'; 'ae' -> 'A&E': a heading or choice a person reads."""
    words = [w for w in re.split(r"[_.\s]+", name) if w]
    out = [_WORDS.get(w.lower(), w) for w in words]
    if out and out[0] == words[0]:
        out[0] = out[0][:1].upper() + out[0][1:]
    return " ".join(out)


@dataclass(frozen=True)
class Column:
    """One spreadsheet column: where its value goes in the item, and how a cell becomes that value.

    `shape` is one of text, number, integer, date, datetime, yesno, choice, list, choices (several of a
    closed list), pairs (name=value; name=value) or keyed (one named entry of a mapping).
    """

    key: str  # dotted path in the item, e.g. source.title or modes.sms
    heading: str
    shape: str
    required: bool
    help: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    # For forms: the schema's own description (help without the spreadsheet's how-to-type), its default,
    # and whether it is long text (a text area rather than a line).
    description: str = ""
    default: Any = None
    long_text: bool = False
    # A list of codes from a vocabulary that also takes named codes after a prefix (px_example.<name>):
    # its exact codes as (value, label), and its prefixes as (prefix, what it means).
    open_choices: tuple[tuple[str, str], ...] = ()
    open_prefixes: tuple[tuple[str, str], ...] = ()
    # One named entry of a mapping (modes.sms): an entry present with no figure is written NOT_RECORDED, so a
    # spreadsheet keeps "the publication had no figure for SMS" apart from "SMS is not mentioned" (blank).
    keyed: bool = False

    def cell_in(self, item: Mapping[str, Any]) -> Any:
        """This column's cell for an item's (JSON) data: to_cell of its value, or NOT_RECORDED as said above."""
        value: Any = item
        parent: Any = None
        for part in self.key.split("."):
            parent = value
            value = value.get(part) if isinstance(value, Mapping) else None
        if self.keyed and value is None and isinstance(parent, Mapping) and self.key.rsplit(".", 1)[-1] in parent:
            return NOT_RECORDED
        return self.to_cell(value)

    def notes_absence(self, cell: Any) -> bool:
        """Whether a keyed cell says the entry is there with no figure (NOT_RECORDED, any case)."""
        return self.keyed and isinstance(cell, str) and cell.strip().lower() == NOT_RECORDED

    def label_of(self, value: str) -> str:
        return next((label for v, label in self.choices if v == value), value)

    def to_value(self, cell: Any) -> Any:
        """The cell as the model reads it (validation stays with the model, so odd cells pass through)."""
        if self.notes_absence(cell):
            return None
        if isinstance(cell, str):
            cell = cell.strip()
            if not cell:
                return None
        if cell is None:
            return None
        if self.shape == "yesno" and isinstance(cell, str):
            low = cell.lower()
            return True if low in _YES else False if low in _NO else cell
        if self.shape == "choice" and isinstance(cell, str):
            return self._choice(cell)
        if self.shape in {"list", "choices"}:
            parts = [p.strip() for p in str(cell).split(LIST_SEPARATOR) if p.strip()]
            return [self._choice(p) for p in parts] if self.shape == "choices" else parts
        if self.shape == "pairs":
            return _pairs(str(cell))
        if self.shape in {"text", "choice"} and isinstance(cell, int | float) and not isinstance(cell, bool):
            return str(int(cell)) if float(cell).is_integer() else str(cell)
        if self.shape == "text" and isinstance(cell, dt.datetime | dt.date):
            return cell.isoformat()
        return cell

    def _choice(self, text: str) -> str:
        low = text.lower()
        return next((v for v, label in self.choices if low in (v.lower(), label.lower())), text)

    def to_cell(self, value: Any) -> Any:
        """A value of an item as the template shows it (the inverse of to_value)."""
        if value is None:
            return None
        if self.shape == "yesno":
            return "Yes" if value else "No"
        if self.shape == "choice":
            return self.label_of(str(value))
        if self.shape in {"list", "choices"}:
            shown = [self.label_of(v) if self.shape == "choices" else v for v in value]
            return f"{LIST_SEPARATOR} ".join(shown) if shown else None
        if self.shape == "pairs":
            pairs = (f"{k}={'' if v is None else v}" for k, v in value.items())
            return f"{LIST_SEPARATOR} ".join(pairs) if value else None
        if self.shape == "date" and isinstance(value, str):
            return dt.date.fromisoformat(value)
        return value


def _pairs(text: str) -> dict[str, Any] | str:
    out: dict[str, Any] = {}
    for part in (p.strip() for p in text.split(LIST_SEPARATOR)):
        if not part:
            continue
        name, sep, value = part.partition("=")
        if not sep:
            return text  # the model reports it is not a mapping
        number = value.strip()
        out[name.strip()] = int(number) if re.fullmatch(r"[+-]?\d+", number) else (number or None)
    return out


def _resolve(schema: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return _resolve(defs[ref.rsplit("/", 1)[-1]], defs)
    options = [o for o in schema.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1:
        merged = {k: v for k, v in schema.items() if k != "anyOf"}
        return {**_resolve(options[0], defs), **merged}
    return schema


def _choices(schema: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    if "enum" in schema:
        return tuple((str(v), humanise(str(v))) for v in schema["enum"])
    labelled = schema.get("oneOf") or schema.get("anyOf") or []
    if labelled and all("const" in o for o in labelled):
        return tuple((str(o["const"]), str(o.get("title") or humanise(str(o["const"])))) for o in labelled)
    return ()


def _shape(schema: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    choices = _choices(schema)
    if choices:
        return "choice", choices
    kind = schema.get("type")
    if kind == "boolean":
        return "yesno", ()
    if kind == "integer":
        return "integer", ()
    if kind == "number":
        return "number", ()
    if kind == "array":
        inner = _choices(schema.get("items", {}))
        return ("choices", inner) if inner else ("list", ())
    if kind == "object":
        return "pairs", ()
    if schema.get("format") == "date":
        return "date", ()
    if schema.get("format") == "date-time":
        return "datetime", ()
    return "text", ()


def _help(schema: dict[str, Any], shape: str, choices: tuple[tuple[str, str], ...]) -> str:
    parts = [str(schema["description"])] if schema.get("description") else []
    if shape == "date":
        parts.append("A date, dd/mm/yyyy.")
    elif shape == "yesno":
        parts.append("Yes or No.")
    elif shape == "choices":
        parts.append(f"One or more of: {', '.join(label for _, label in choices)}; separated by '{LIST_SEPARATOR}'.")
    elif shape == "list":
        parts.append(f"Several values separated by '{LIST_SEPARATOR}'.")
    elif shape == "pairs":
        parts.append(f"name=number pairs separated by '{LIST_SEPARATOR}', e.g. communications=40; other=11.")
    bounds = [f"at least {schema['minimum']:,}" if "minimum" in schema else "",
              f"at most {schema['maximum']:,}" if "maximum" in schema else ""]  # fmt: skip
    if any(bounds):
        parts.append(" and ".join(b for b in bounds if b).capitalize() + ".")
    return " ".join(parts)


def _form_facts(schema: dict[str, Any]) -> tuple[str, Any, bool, tuple[tuple[str, str], ...],
                                                   tuple[tuple[str, str], ...]]:  # fmt: skip
    """(description, default, long text, open choices, open prefixes) of a field, as a form shows them."""
    longest = max([int(schema.get("maxLength", 0))] + [int(o.get("maxLength", 0)) for o in schema.get("anyOf", [])])
    options = schema.get("items", {}).get("anyOf", []) if schema.get("type") == "array" else []
    exact: dict[str, Any] = next((o for o in options if "enum" in o), {})
    labels = exact.get("x-labels", {})
    choices = tuple((str(v), str(labels.get(v) or humanise(str(v)))) for v in exact.get("enum", []))
    prefixes = tuple((re.sub(r"\\(.)", r"\1", str(o["pattern"]).lstrip("^")).split("[", 1)[0],
                      str(o.get("description", "")).split(": ")[0]) for o in options if "pattern" in o)  # fmt: skip
    return str(schema.get("description") or ""), schema.get("default"), longest > 2000, choices, prefixes


@cache
def columns(kind: str) -> tuple[Column, ...]:
    """The columns of one kind, in the model's field order (nested objects and keyed mappings spread out)."""
    schema = KIND_MODELS[kind].model_json_schema()
    defs = schema.get("$defs", {})
    required = set(schema.get("required", []))
    out: list[Column] = []
    for name, raw in schema["properties"].items():
        if name in _LEFT_OUT:
            continue
        field = _resolve(raw, defs)
        if field.get("type") == "object" and "properties" in field:
            inner_required = set(field.get("required", []))
            for sub, sub_raw in field["properties"].items():
                sub_field = _resolve(sub_raw, defs)
                shape, choices = _shape(sub_field)
                out.append(Column(f"{name}.{sub}", f"{humanise(name)}: {humanise(sub).lower()}", shape,
                                  name in required and sub in inner_required,
                                  _help(sub_field, shape, choices), choices, *_form_facts(sub_field)))  # fmt: skip
            continue
        keys = _choices(field.get("propertyNames", {}))
        if field.get("type") == "object" and keys:
            value = _resolve(field.get("additionalProperties", {}), defs)
            shape, choices = _shape(value)
            for key, label in keys:
                help_text = (f"{str(field.get('description') or humanise(name)).rstrip('.')}: {label}. Blank if not "
                             f"mentioned; '{NOT_RECORDED}' where it is mentioned without a figure.")  # fmt: skip
                out.append(Column(f"{name}.{key}", f"{humanise(name)}: {label}", shape, False, help_text, choices,
                                  help_text, keyed=True))  # fmt: skip
            continue
        shape, choices = _shape(field)
        heading = _HEADINGS.get(name) or humanise(name)
        out.append(Column(name, heading, shape, name in required, _help(field, shape, choices), choices,
                          *_form_facts(field)))  # fmt: skip
    return tuple(out)


def column_index(kind: str) -> dict[str, Column]:
    """Columns of a kind by key and by heading (both lower-case), for reading a header row back."""
    found: dict[str, Column] = {}
    for column in columns(kind):
        found[column.key.lower()] = column
        found[column.heading.lower()] = column
    return found


def unflatten(values: dict[str, Any]) -> dict[str, Any]:
    """{'source.title': 'x'} -> {'source': {'title': 'x'}}."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        top, _, rest = key.partition(".")
        if rest:
            out.setdefault(top, {})[rest] = value
        else:
            out[top] = value
    return out


__all__ = ["KINDS", "LIST_SEPARATOR", "NOT_RECORDED", "Column", "column_index", "columns", "humanise", "unflatten"]
