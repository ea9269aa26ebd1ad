"""The measure registry: what a measure is, what it returns, how measures are registered and computed.

EvidenceView (what measures read) and months_before live in view.py and are re-exported from here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Literal

from pxrules.errors import EngineError
from pxrules.evidence import VALIDITY_DAYS, Evidence
from pxrules.measures.view import EvidenceView as EvidenceView
from pxrules.measures.view import months_before as months_before

MeasureType = Literal["boolean", "integer", "number", "enum"]
DECIMALS = 6
Better = Literal["higher", "lower", "true", "false"]
Scalar = bool | int | float | str


@dataclass(frozen=True, slots=True)
class Result:
    """What a measure function returns: the value, the evidence it rests on, and a sentence for people."""

    value: Scalar
    evidence: Sequence[Evidence] = ()
    detail: str = ""


@dataclass(frozen=True, slots=True)
class MeasureValue:
    """A computed measure: its value as of the assessment date and the evidence ids behind it."""

    name: str
    value: Scalar
    evidence_ids: tuple[str, ...]
    evidence_kinds: tuple[str, ...]
    detail: str

    @property
    def attestation_only(self) -> bool:
        """True when every item behind the value is an attestation (the weakest kind of evidence)."""
        return bool(self.evidence_kinds) and set(self.evidence_kinds) == {"attestation"}


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """A registered measure: its name, type, the direction rules may reward, and the kinds it reads."""

    name: str
    type: MeasureType
    description: str
    kinds: tuple[str, ...]
    fn: Callable[[EvidenceView], Result | None]
    unit: str | None = None
    better: Better | None = None
    choices: tuple[str, ...] = ()

    def check_value(self, value: Any) -> str | None:
        """Why `value` is not of this measure's type, or None when it is."""
        if self.type == "boolean":
            return None if isinstance(value, bool) else "expected true or false"
        if isinstance(value, bool):
            return f"expected a {self.type}, got a boolean"
        if self.type == "integer":
            return None if isinstance(value, int) else "expected a whole number"
        if self.type == "number":
            return None if isinstance(value, int | float) else "expected a number"
        if not isinstance(value, str):
            return f"expected one of {', '.join(self.choices)}"
        return None if value in self.choices else f"expected one of {', '.join(self.choices)}"


MEASURES: dict[str, MeasureSpec] = {}


def normalise(value: Scalar) -> Scalar:
    """Floats rounded to 6 decimal places (-0.0 becomes 0.0); ints, bools and strings unchanged.

    This is the ONE place values and thresholds are rounded (rules.conditions uses it for thresholds).
    """
    if isinstance(value, float):
        return round(value, DECIMALS) + 0.0
    return value


def measure(
    name: str,
    *,
    type: MeasureType,
    description: str,
    kinds: Sequence[str],
    unit: str | None = None,
    better: Better | None = None,
    choices: Sequence[str] = (),
) -> Callable[[Callable[[EvidenceView], Result | None]], Callable[[EvidenceView], Result | None]]:
    """Register a measure function under `name` (a decorator). Names are unique across the registry."""

    def register(fn: Callable[[EvidenceView], Result | None]) -> Callable[[EvidenceView], Result | None]:
        if name in MEASURES:
            raise ValueError(f"measure {name!r} is registered twice")
        if type == "enum" and not choices:
            raise ValueError(f"enum measure {name!r} needs choices")
        if better in ("true", "false") and type != "boolean":
            raise ValueError(f"measure {name!r}: better={better} needs a boolean measure")
        if better in ("higher", "lower") and type not in ("integer", "number"):
            raise ValueError(f"measure {name!r}: better={better} needs a numeric measure")
        MEASURES[name] = MeasureSpec(name, type, description, tuple(kinds), fn, unit, better, tuple(choices))
        return fn

    return register


def validity_days(kind: str) -> int:
    """How many days an item of `kind` counts after its period ends."""
    return VALIDITY_DAYS[kind]


def _evaluate(spec: MeasureSpec, view: EvidenceView) -> MeasureValue | None:
    try:
        result: Result | None = spec.fn(view)
    except Exception as exc:  # a measure bug must never become a silent 0
        raise EngineError(f"measure {spec.name} failed for {view.org} as of {view.as_of}: {exc!r}") from exc
    if result is None:
        return None
    problem = spec.check_value(result.value)
    if problem:
        raise EngineError(f"measure {spec.name} returned {result.value!r}: {problem}")
    # Each attribute read on a pydantic model is slow: read (id, kind) once per item.
    pairs = sorted([(e.id, e.kind) for e in result.evidence], key=itemgetter(0))
    return MeasureValue(
        name=spec.name,
        value=normalise(result.value),
        evidence_ids=tuple(dict.fromkeys([i for i, _ in pairs])),
        evidence_kinds=tuple(sorted({k for _, k in pairs})),
        detail=result.detail,
    )


def compute_measures(
    org: str,
    as_of: dt.date,
    evidence: Sequence[Evidence],
    *,
    names: Collection[str] | None = None,
    view: EvidenceView | None = None,
) -> dict[str, MeasureValue]:
    """Every registered measure (or those in `names`) with a value as of `as_of`; absent = no evidence.

    `view` reuses a view the caller already built of the same (org, as_of, evidence).
    """
    view = view or EvidenceView(org, as_of, evidence)
    out: dict[str, MeasureValue] = {}
    for name in sorted(MEASURES if names is None else names):
        value = _evaluate(MEASURES[name], view)
        if value is not None:
            out[name] = value
    return out
