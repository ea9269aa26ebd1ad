"""An evidence form built from the kind's columns (the models' JSON Schema), read back into an item's data,
and the models' own errors put beside the fields they are about.

Nothing here decides what is valid: the form only turns what was typed into the values the model reads
(as the spreadsheet reader does, through the same Column.to_value), and words the model's errors for people.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pydantic import ValidationError

from pxrules.common.dates import uk
from pxrules.evidence.columns import LIST_SEPARATOR, NOT_RECORDED, Column, columns, unflatten

# Set by the store, the URL or the attachment upload, never typed: the organisation comes from the page,
# the file's name and sha256 from the file itself, the sheet and row from a spreadsheet import.
NOT_TYPED = frozenset({"org", "source.sha256", "source.attachment", "source.sheet", "source.row"})
FILE_ID = "f-attachment"
REASON_ID = "f-reason"
_RULES_READ = re.compile(r"[;:,]?\s*the [^;:]*\breads?:.*$", re.S)  # a list of internal keys


@dataclass(frozen=True)
class FormField:
    """One field of the form as the template draws it."""

    column: Column
    value: Any  # a string, or a list of chosen values for checkboxes
    error: str | None = None
    other: str = ""  # codes named after a prefix (px_example.<name>), beside an open list's tick boxes

    @property
    def key(self) -> str:
        return self.column.key

    @property
    def id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "-", self.column.key)

    @property
    def label(self) -> str:
        return self.column.heading

    @property
    def widget(self) -> str:
        shape = self.column.shape
        if shape == "choices" or self.column.open_choices:
            return "checkboxes"
        if shape == "choice":
            return "select"
        if shape == "yesno":
            return "radios"
        if shape == "text" and self.column.long_text:
            return "textarea"
        return shape  # text, number, integer, date, datetime, list, pairs

    @property
    def hint(self) -> str:
        text = _words(_RULES_READ.sub(".", self.column.description).strip(), _every_column())
        extra = {
            "date": "For example, 31/03/2026.",
            "datetime": "For example, 31/03/2026 14:30.",
            "list": f"Separate several with '{LIST_SEPARATOR}'.",
            "pairs": f"name=number pairs separated by '{LIST_SEPARATOR}', for example: communications=40; other=11.",
            "integer": "A whole number.",
        }.get(self.column.shape, "")
        if self.column.key == "id":
            text = "Leave blank and one is made for you (for example zz9-board-meeting-2026-03-26)."
        return " ".join(p for p in (text, extra) if p).replace("..", ".")

    @property
    def choices(self) -> tuple[tuple[str, str], ...]:
        return self.column.choices or self.column.open_choices

    @property
    def optional_yesno(self) -> bool:
        return self.column.shape == "yesno" and not self.column.required and self.column.default is None


@dataclass
class FormState:
    """The fields with their values and errors, and problems about no one field."""

    kind: str
    fields: list[FormField]
    general: list[str] = field(default_factory=list)
    file_error: str | None = None  # beside the attachment's file input
    reason_error: str | None = None  # beside a correction's reason

    @property
    def errors(self) -> list[tuple[str, str, str]]:
        """(field id, label, message) for the error summary, in the form's order."""
        found = [(f.id, f.label, f.error) for f in self.fields if f.error]
        if self.file_error:
            found.append((FILE_ID, "Attachment", self.file_error))
        if self.reason_error:
            found.insert(0, (REASON_ID, "Reason for the correction", self.reason_error))
        return found

    @property
    def has_errors(self) -> bool:
        return bool(self.general or self.errors)


def form_columns(kind: str) -> tuple[Column, ...]:
    return tuple(c for c in columns(kind) if c.key not in NOT_TYPED)


def _typed(column: Column, value: Any) -> Any:
    """A stored or default value as the form shows it (the inverse of reading the form)."""
    if value is None:
        return [] if column.shape == "choices" else ""
    if column.shape == "yesno":
        return "yes" if value else "no"
    if column.shape == "choices":
        return [str(v) for v in value]
    if column.shape == "list":
        return f"{LIST_SEPARATOR} ".join(str(v) for v in value)
    if column.shape == "pairs":
        return str(column.to_cell(value) or "")
    if column.shape == "date" and isinstance(value, str):
        try:
            return uk(dt.date.fromisoformat(value))
        except ValueError:
            return value
    return str(value)


def _dig(payload: Mapping[str, Any], key: str) -> Any:
    value: Any = payload
    for part in key.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def _field(column: Column, value: Any, error: str | None = None) -> FormField:
    """A field showing a stored or default value (an open list's named codes go to its 'other' box)."""
    if column.open_choices:
        codes = [str(v) for v in value or []]
        known = {v for v, _ in column.open_choices}
        return FormField(column, [c for c in codes if c in known], error,
                         f"{LIST_SEPARATOR} ".join(c for c in codes if c not in known))  # fmt: skip
    return FormField(column, _typed(column, value), error)


def blank_form(kind: str) -> FormState:
    """A new item's form: every field at the model's default."""
    return FormState(kind, [_field(c, c.default) for c in form_columns(kind)])


def filled_form(kind: str, payload: Mapping[str, Any]) -> FormState:
    """A stored item's form (for a correction): every field as its latest version holds it (an entry noted
    without a figure as NOT_RECORDED, so a correction keeps it)."""
    return FormState(kind, [FormField(c, NOT_RECORDED) if c.cell_in(payload) == NOT_RECORDED
                            else _field(c, _dig(payload, c.key)) for c in form_columns(kind)])  # fmt: skip


def read_form(kind: str, form: Any) -> tuple[FormState, dict[str, Any]]:
    """What was typed (kept, to show again) and the item's data the model will validate."""
    shown: list[FormField] = []
    flat: dict[str, Any] = {}
    for column in form_columns(kind):
        if column.shape == "choices" or column.open_choices:
            chosen = [str(v) for v in form.getlist(column.key)][:200]
            raw_other = form.get(f"{column.key}.other") if column.open_choices else None
            other = raw_other if isinstance(raw_other, str) else ""
            shown.append(FormField(column, chosen, None, other))
            named = [p.strip() for p in other.split(LIST_SEPARATOR) if p.strip()]
            if chosen or named:
                flat[column.key] = chosen + named
            continue
        raw = form.get(column.key)
        text = raw if isinstance(raw, str) else ""
        shown.append(FormField(column, text))
        if column.key == "sub_requirements":  # ids hold no commas or spaces: "3A, 12C" means 3A; 12C
            text = re.sub(r"[,\s]+", LIST_SEPARATOR, text.strip().upper())
        value = column.to_value(text)
        if value is not None or column.notes_absence(text):
            flat[column.key] = value
    data = unflatten(flat)
    data["kind"] = kind
    return FormState(kind, shown), data


# --- the model's errors, worded for people and put beside their fields ------------------------------------

_TRUE_FALSE = re.compile(r"\b(?:is|are) (true|false)\b")


@cache
def _every_column() -> dict[str, Column]:
    """Every kind's columns by key (a description may name a field of the envelope)."""
    from pxrules.evidence import KINDS

    return {c.key: c for kind in KINDS for c in columns(kind)}


def _plain(column: Column) -> str:
    return re.sub(r"\s*\(.*?\)\s*$", "", column.heading)


def _mention(name: str) -> re.Pattern[str]:
    """Where a message names a field: anywhere for a name_with_underscores, as the subject for one word."""
    if "_" in name or "." in name:
        return re.compile(rf"(?<![\w.]){re.escape(name)}(?![\w])")
    return re.compile(rf"^{re.escape(name)}(?= (?:is|are|must|has)\b)")


def _words(message: str, by_name: Mapping[str, Column]) -> str:
    """A model's message with field names as their labels and true/false as Yes/No."""
    out = message
    for name, column in sorted(by_name.items(), key=lambda kv: -len(kv[0])):
        out = _mention(name).sub(f"‘{_plain(column)}’", out)
    out = _TRUE_FALSE.sub(lambda m: m.group(0).replace(m.group(1), "Yes" if m.group(1) == "true" else "No"), out)
    for column in by_name.values():
        for value, label in column.choices:
            out = out.replace(f"'{value}'", f"‘{label}’")
    return out[:1].upper() + out[1:]


def describe(error: Mapping[str, Any], column: Column | None, by_name: Mapping[str, Column]) -> str:
    """One pydantic error as a sentence beside its field."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return "This is required." if column is None or column.shape != "yesno" else "Choose Yes or No."
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return "Enter a whole number, for example 12."
    if kind in {"float_parsing", "float_type"}:
        return "Enter a number, for example 12.5."
    if kind == "greater_than_equal":
        return f"Enter {ctx.get('ge')} or more."
    if kind == "less_than_equal":
        return f"Enter {ctx.get('le')} or less."
    if kind == "string_too_long":
        return f"Too long: at most {ctx.get('max_length'):,} characters."
    if kind == "bool_parsing":
        return "Choose Yes or No."
    if kind in {"literal_error", "enum"}:
        return "Choose one of the list."
    if column is not None and column.open_choices and "unknown" in str(error.get("msg", "")).lower():
        return (f"‘{error.get('input')}’ is not one of the list: tick the boxes instead, or name it after one of "
                "the prefixes shown.")
    if kind == "string_pattern_mismatch" and column is not None:
        if column.key == "id":
            return "Use letters, digits, '.', '_', ':' or '-' (at most 128), starting with a letter or digit."
        if column.key == "sub_requirements":
            return "Each sub-requirement is written like 3A or 12C (1A to 23A)."
        return "This is not in the expected form."
    return _words(str(error.get("msg", "")).removeprefix("Value error, "), by_name)


def _column_of(loc: Sequence[Any], keys: Mapping[str, Column], kind: str) -> Column | None:
    parts = [str(p) for p in loc if not isinstance(p, int)]
    if parts and parts[0] == kind:
        parts = parts[1:]
    for n in range(len(parts), 0, -1):
        found = keys.get(".".join(parts[:n]))
        if found is not None:
            return found
    prefix = ".".join(parts)
    return next((c for k, c in keys.items() if prefix and k.startswith(prefix + ".")), None)


def place_errors(state: FormState, errors: Sequence[Mapping[str, Any]]) -> FormState:
    """Each error beside its field (a model-wide one beside every field it names); others in `general`."""
    keys = {f.key: f.column for f in state.fields}
    by_name = dict(keys)
    beside: dict[str, str] = {}
    general: list[str] = []
    for error in errors:
        column = _column_of(error.get("loc", ()), keys, state.kind)
        message = describe(error, column, by_name)
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        targets = [column.key] if column is not None else [k for k in keys if _mention(k).search(text)]
        if not targets:
            general.append(message)
        for key in targets:
            beside.setdefault(key, message)
    fields = [FormField(f.column, f.value, beside.get(f.key, f.error), f.other) for f in state.fields]
    return FormState(state.kind, fields, state.general + general, state.file_error, state.reason_error)


def with_error(state: FormState, key: str, message: str) -> FormState:
    """The form with one more error beside `key` (or in general when no field has that key)."""
    if not any(f.key == key for f in state.fields):
        return FormState(state.kind, state.fields, [*state.general, message], state.file_error, state.reason_error)
    fields = [FormField(f.column, f.value, f.error or message, f.other) if f.key == key else f for f in state.fields]
    return FormState(state.kind, fields, state.general, state.file_error, state.reason_error)


def validation_errors(exc: ValidationError) -> list[dict[str, Any]]:
    return [dict(e) for e in exc.errors()]
