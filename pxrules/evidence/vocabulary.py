"""Closed vocabularies: every code an evidence field carries that the rules read, with a plain-English label.

Defined once here; the evidence models validate against them, the JSON Schemas export them, and reports
read the labels (`label(field, value)`). An unknown code is rejected with a did-you-mean when evidence is
validated or imported. Items read back from a store are not re-judged: a code stored before its field was
closed is kept as it was (so stored content hashes and audits stay intact), counts for nothing, as it
always did, and is labelled as not recognised.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Annotated, Any

from pydantic import AfterValidator, ValidationInfo, WithJsonSchema

# Validation context flag for items read back from a store (see module docstring).
STORED = "stored"
_SUFFIX = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,63}$")


@dataclass(frozen=True, eq=False)  # hashed by identity: it rides in type metadata
class Vocabulary:
    """The codes one field accepts: exact values, and prefixes followed by a free name (e.g. px_example.<name>)."""

    field: str
    noun: str
    labels: Mapping[str, str]
    prefixes: Mapping[str, str] = dc_field(default_factory=dict)
    # Whole-code patterns (regex -> label) for families no rule reads but an importer keeps, e.g.
    # npsp.ip.2022_q5_1 for a patient-survey question with no stable key yet.
    patterns: Mapping[str, str] = dc_field(default_factory=dict)

    def known(self, value: str) -> bool:
        if value in self.labels:
            return True
        if any(re.fullmatch(pattern, value) for pattern in self.patterns):
            return True
        return any(value.startswith(p) and _SUFFIX.match(value[len(p):]) for p in self.prefixes)

    def label(self, value: str) -> str:
        """The plain-English label; a prefixed code reads '<prefix label>: <name in words>'."""
        if value in self.labels:
            return self.labels[value]
        for prefix, what in self.prefixes.items():
            if value.startswith(prefix) and value != prefix:
                return f"{what}: {value[len(prefix):].replace('_', ' ')}"
        for pattern, what in self.patterns.items():
            if re.fullmatch(pattern, value):
                return f"{what} ({value})"
        return f"{value} (not a recognised {self.noun})"

    def problem(self, value: str) -> str | None:
        """Why `value` is not accepted (with the closest known codes), or None."""
        if self.known(value):
            return None
        options = [*self.labels, *(f"{p}<name>" for p in self.prefixes)]
        close = difflib.get_close_matches(value, options, n=3, cutoff=0.6)
        close.sort(key=lambda c: (-difflib.SequenceMatcher(None, value, c).ratio(), c))
        if close:
            hint = f"did you mean {', '.join(close)}?"
        else:
            known = sorted(options)
            more = f" ... {len(known)} in all: see {self.field.split('.')[0]}.schema.json" if len(known) > 8 else ""
            hint = f"known: {', '.join(known[:8])}{more}"
        return f"unknown {self.noun} {value!r} ({hint})"

    def json_schema(self) -> dict[str, Any]:
        exact = {"type": "string", "enum": sorted(self.labels), "x-labels": dict(sorted(self.labels.items()))}
        if not self.prefixes and not self.patterns:
            return exact
        patterns = [{"type": "string", "pattern": f"^{re.escape(p)}[a-z0-9][a-z0-9_\\-]{{0,63}}$",
                     "description": f"{label}: {p}<name>"} for p, label in sorted(self.prefixes.items())]
        patterns += [{"type": "string", "pattern": f"^{pattern}$", "description": label}
                     for pattern, label in sorted(self.patterns.items())]
        return {"anyOf": [exact, *patterns]}

    def described(self) -> str:
        """The codes as a schema description lists them (exactly the keys the rules read)."""
        return ", ".join([*sorted(self.labels), *(f"{p}<name>" for p in sorted(self.prefixes))])


def code(vocab: Vocabulary) -> Any:
    """An annotated str type that accepts only `vocab`'s codes (any code when read back from a store)."""

    def check(value: str, info: ValidationInfo) -> str:
        if isinstance(info.context, Mapping) and info.context.get(STORED):
            return value
        problem = vocab.problem(value)
        if problem:
            raise ValueError(problem)
        return value

    # The vocabulary itself rides along in the metadata (pydantic ignores it) for tools that draw codes.
    return Annotated[str, vocab, AfterValidator(check), WithJsonSchema(vocab.json_schema())]


def label(field_name: str, value: str) -> str:
    """The plain-English label of `value` in the vocabulary of `field_name` (e.g. 'board_meeting.agenda')."""
    from pxrules.evidence.vocabulary_codes import VOCABULARIES

    vocab = VOCABULARIES.get(field_name)
    return vocab.label(value) if vocab else value
