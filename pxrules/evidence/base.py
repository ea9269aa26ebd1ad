"""The envelope every evidence item shares: identity, organisation, period, provenance and validation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, field_validator, model_validator

from pxrules.common.canonical import content_hash
from pxrules.common.dates import UkDate


def _not_a_boolean(value: Any) -> Any:
    # pydantic's lax mode reads `true` as 1; a count or rate given as true/false is a mistake, not a number.
    if isinstance(value, bool):
        raise ValueError("expected a number, not true/false")
    return value


NoBool = BeforeValidator(_not_a_boolean)

EvidenceId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$")]
OrgCode = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{2,12}$")]
SubRequirementId = Annotated[str, StringConstraints(pattern=r"^(?:[1-9]|1[0-9]|2[0-3])[A-E]$")]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.\-]{0,79}$")]
Count = Annotated[int, Field(ge=0, le=10**9), NoBool]
Percent = Annotated[float, Field(ge=0, le=100, allow_inf_nan=False), NoBool]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False), NoBool]
Text = Annotated[str, StringConstraints(max_length=20_000)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500)]

# Fields that describe the act of recording, not what was observed: two recordings of the same
# observation are the same evidence, so they stay out of the content hash.
RECORDING_FIELDS = frozenset({"recorded_by", "recorded_at"})


class Source(BaseModel):
    """Where the evidence came from, so an auditor can find the original."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: ShortText
    reference: Annotated[str, StringConstraints(max_length=2000)] | None = Field(
        default=None, description="Document reference, minute number or URL."
    )
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")] | None = Field(
        default=None, description="sha256 of the attached or published file, lower-case hex."
    )
    attachment: Annotated[str, StringConstraints(max_length=255)] | None = Field(
        default=None, description="File name of an attachment (a bare name, never a path)."
    )
    publication: ShortText | None = Field(default=None, description="Publication series, e.g. KO41a.")
    sheet: Annotated[str, StringConstraints(max_length=100)] | None = None
    row: Annotated[int, Field(ge=1)] | None = None

    @field_validator("attachment")
    @classmethod
    def _bare_file_name(cls, value: str | None) -> str | None:
        if value is None:
            return value
        if value in {".", ".."} or any(c in value for c in "/\\\x00") or value.startswith("~"):
            raise ValueError("must be a bare file name, without folders or '..'")
        return value


# Dates the register holds: far beyond any real evidence on both sides, and far enough from dt.date's own
# limits (years 1 and 9999) that validity windows and look-backs can never overflow.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2999, 12, 31)


class EvidenceBase(BaseModel):
    """Fields every evidence kind carries; subclasses add `kind` and the observation itself."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    id: EvidenceId = Field(description="Stable identifier, unique within the register.")
    org: OrgCode | None = Field(default=None, description="ODS code of the organisation the evidence is about.")
    period_start: UkDate = Field(description="First day the observation covers (or the day it was made).")
    period_end: UkDate | None = Field(default=None, description="Last day covered; defaults to period_start.")
    source: Source
    recorded_by: ShortText | None = None
    recorded_at: dt.datetime | None = None
    notes: Text | None = None
    sub_requirements: list[SubRequirementId] = Field(
        default_factory=list, description="Sub-requirements the recorder offers this item for (optional)."
    )

    @model_validator(mode="after")
    def _period_is_ordered(self) -> Self:
        if self.org is None and getattr(self, "kind", None) != "benchmark":
            raise ValueError("org is required (the ODS code of the organisation this evidence is about)")
        end = self.period_end or self.period_start
        if self.period_start < EARLIEST or end > LATEST:
            raise ValueError(f"the period must lie within {EARLIEST.isoformat()}..{LATEST.isoformat()}")
        if self.recorded_at is not None and not EARLIEST.year <= self.recorded_at.year <= LATEST.year:
            raise ValueError(f"recorded_at must lie within {EARLIEST.year}..{LATEST.year}")
        if end < self.period_start:
            raise ValueError("period_end is before period_start")
        if self.recorded_at is not None and end > self.recorded_at.date():
            raise ValueError(
                f"the period ends {end.isoformat()}, after it was recorded ({self.recorded_at.date().isoformat()})"
            )
        return self

    @property
    def end(self) -> dt.date:
        """The last day covered (period_end, or period_start for a one-day observation)."""
        return self.period_end or self.period_start

    def content(self) -> dict[str, Any]:
        """The observation as JSON-ready data, without the recording fields."""
        return observation(self.model_dump(mode="json", exclude=set(RECORDING_FIELDS)))

    def content_hash(self) -> str:
        """The content hash of `content()`: equal observations hash equally."""
        return content_hash(self.content())


def observation(data: Mapping[str, Any]) -> dict[str, Any]:
    """An item's JSON data (as dumped, or as stored) without its recording fields, period_end filled in: what
    its content hash is taken over."""
    content = {k: v for k, v in data.items() if k not in RECORDING_FIELDS}
    if content.get("period_end") is None:
        content["period_end"] = content.get("period_start")
    return content


def check_not_more(values: dict[str, int | None], total_field: str, parts: list[str]) -> None:
    """Raise when any part count exceeds the total it is a part of (both reported)."""
    total = values.get(total_field)
    if total is None:
        return
    for name in parts:
        part = values.get(name)
        if part is not None and part > total:
            raise ValueError(f"{name} ({part}) is more than {total_field} ({total})")
