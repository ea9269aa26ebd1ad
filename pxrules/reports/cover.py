"""The cover sheet of a board paper in the NHS format, from a small YAML file the lead keeps and/or options.

The file (all fields optional; see examples/demo/board-paper.yaml):

    title: Patient experience improvement framework - self-assessment and evidence
    meeting: Trust Board (public session)
    date: 2026-10-15                      # the meeting's date
    purpose: assurance                    # assurance | decision | information
    executive_lead: Chief Nurse
    author: Head of Patient Experience
    recommendation: The board is asked to ...
    baf_risks: [BAF 3 - patient experience, ...]     # Board Assurance Framework risks
    previously_considered_by: [Quality Committee, 2026-10-01]
    next_meeting: 2027-01-14              # the paper lists evidence that lapses before then

Options given on the command line replace the file's values. A field left out is shown as "not given".
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pxrules.common.input_file import read_input
from pxrules.errors import PxRulesError

Purpose = Literal["assurance", "decision", "information"]
PURPOSES: dict[str, str] = {
    "assurance": "For assurance",
    "decision": "For decision",
    "information": "For information",
}
DEFAULT_TITLE = "Patient experience improvement framework: self-assessment against the evidence"
NOT_GIVEN = "not given"
MAX_BYTES = 64 * 1024  # a cover sheet is a few hundred bytes


class CoverSheet(BaseModel):
    """The fields of an NHS board paper's cover sheet."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(default=DEFAULT_TITLE, max_length=300)
    meeting: str | None = Field(default=None, max_length=200)
    date: dt.date | None = None
    purpose: Purpose | None = None
    executive_lead: str | None = Field(default=None, max_length=200)
    author: str | None = Field(default=None, max_length=200)
    recommendation: str | None = Field(default=None, max_length=2000)
    baf_risks: list[str] = Field(default_factory=list, max_length=30)
    previously_considered_by: list[str] = Field(default_factory=list, max_length=30)
    next_meeting: dt.date | None = None

    @property
    def purpose_label(self) -> str:
        return PURPOSES[self.purpose] if self.purpose else NOT_GIVEN

    def rows(self) -> list[tuple[str, str]]:
        """The cover sheet as (field, value) rows in the order an NHS board paper prints them."""
        return [
            ("Meeting", self.meeting or NOT_GIVEN),
            ("Date of meeting", self.date.strftime("%-d %B %Y") if self.date else NOT_GIVEN),
            ("Purpose", self.purpose_label),
            ("Executive lead", self.executive_lead or NOT_GIVEN),
            ("Author", self.author or NOT_GIVEN),
            ("Recommendation", self.recommendation or NOT_GIVEN),
            ("Links to Board Assurance Framework risks", "; ".join(self.baf_risks) or NOT_GIVEN),
            ("Previously considered by", "; ".join(self.previously_considered_by) or NOT_GIVEN),
        ]


def _problem(exc: ValidationError) -> str:
    err = exc.errors()[0]
    field = ".".join(str(p) for p in err["loc"]) or "(top level)"
    return f"{field}: {err['msg']}"


def load_cover(path: Path | None, overrides: dict[str, Any] | None = None) -> CoverSheet:
    """The cover sheet from `path` (YAML) with `overrides` (options given; None values ignored) on top."""
    data: dict[str, Any] = {}
    if path is not None:
        path = Path(path)
        text = read_input(path, MAX_BYTES, PxRulesError)
        try:
            raw = yaml.safe_load(text.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise PxRulesError(f"{path}: not UTF-8 (byte offset {exc.start})") from exc
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" line {mark.line + 1}" if mark is not None else ""
            raise PxRulesError(f"{path}{where}: not valid YAML") from exc
        if raw is not None and not isinstance(raw, dict):
            raise PxRulesError(f"{path}: a cover sheet is a mapping of fields (title, meeting, date, ...)")
        data.update(raw or {})
    data.update({k: v for k, v in (overrides or {}).items() if v not in (None, [], ())})
    try:
        return CoverSheet.model_validate(data)
    except ValidationError as exc:
        where = str(path) if path is not None else "cover sheet options"
        raise PxRulesError(f"{where}: {_problem(exc)}") from exc
