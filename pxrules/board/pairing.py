"""Which assessment a report, comparison or trend is about, and which self-assessment it sets beside it.

A board paper is pinned: `--assessment ID` or `--as-of DATE` chooses the assessment (default: the latest
date), `--self ID` the self-assessment (default: the one nearest in date to the assessment, the later on a
tie). A self-assessment more than a quarter away from the assessment is refused unless the caller allows
it, so suggested scores of one quarter are never quietly set against the board's scores of another.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pxrules.board.selfassess import newest
from pxrules.errors import NotFoundError, PxRulesError
from pxrules.store.db import unit_of_work
from pxrules.store.records import (
    AssessmentRecord,
    SelfAssessmentRecord,
    get_self_assessment,
    list_assessments,
    list_self_assessments,
)
from pxrules.store.repo import get_assessment, get_org

QUARTER_DAYS = 92  # the longest quarter; dates further apart than this are a mismatch


class MismatchError(PxRulesError):
    """The self-assessment and the assessment are more than a quarter apart."""


@dataclass(frozen=True)
class Pin:
    """What the caller asked for: an assessment by id or by date, a self-assessment by id."""

    assessment_id: int | None = None
    as_of: dt.date | None = None
    self_id: int | None = None
    allow_mismatch: bool = False

    def __post_init__(self) -> None:
        if self.assessment_id is not None and self.as_of is not None:
            raise PxRulesError("give --assessment ID or --as-of DATE, not both")


def choose_assessment(records: Sequence[AssessmentRecord], org: str, pin: Pin) -> AssessmentRecord:
    """The assessment the pin names among `org`'s stored ones (latest run of a date; latest date by default)."""
    if pin.as_of is not None:
        same_day = [r for r in records if r.as_of == pin.as_of]
        chosen = newest(same_day)
        if chosen is None:
            dates = sorted({r.as_of.isoformat() for r in records})
            raise NotFoundError(
                f"{org} has no assessment as of {pin.as_of.isoformat()}; stored dates: "
                + (", ".join(dates) if dates else "none")
                + f" (or run `pxrules assess --org {org} --as-of {pin.as_of.isoformat()}`)"
            )
        return chosen
    latest = newest(list(records))
    if latest is None:
        raise NotFoundError(f"{org} has no stored assessment: run `pxrules assess --org {org}` first")
    return latest


def nearest_self(records: Sequence[SelfAssessmentRecord], day: dt.date) -> SelfAssessmentRecord | None:
    """The self-assessment nearest in date to `day` (the later, then the later import, on a tie)."""
    return min(records, key=lambda r: (abs((r.as_of - day).days), -r.as_of.toordinal(), -r.id), default=None)


def check_gap(assessment: AssessmentRecord, own: SelfAssessmentRecord | None, allow: bool) -> None:
    """Refuse a pairing more than a quarter apart, unless allowed."""
    if own is None or allow:
        return
    days = abs((assessment.as_of - own.as_of).days)
    if days > QUARTER_DAYS:
        raise MismatchError(
            f"self-assessment {own.id} (as of {own.as_of.isoformat()}) and assessment {assessment.id} "
            f"(as of {assessment.as_of.isoformat()}) are {days} days apart, more than a quarter: choose a "
            "closer pair with --self ID and --assessment ID or --as-of DATE, or pass --allow-mismatch"
        )


@dataclass(frozen=True)
class Pairing:
    """The assessment and the self-assessment (or none) that belong together, chosen from the store."""

    assessment: AssessmentRecord
    self_assessment: SelfAssessmentRecord | None
    gap_days: int | None

    def describe(self) -> str:
        """One line for the face of a paper: which two records it pairs."""
        a = self.assessment
        text = f"Evidence-backed scores: assessment {a.id} as of {a.as_of.isoformat()}"
        own = self.self_assessment
        if own is None:
            return text + "; no board self-assessment."
        text += f"; board self-assessment {own.id} as of {own.as_of.isoformat()}"
        if self.gap_days:
            text += f" ({self.gap_days} days apart)"
        return text + "."

    def to_json(self) -> dict[str, Any]:
        own = self.self_assessment
        return {
            "assessment": {"id": self.assessment.id, "as_of": self.assessment.as_of.isoformat()},
            "self_assessment": None if own is None else {"id": own.id, "as_of": own.as_of.isoformat()},
            "gap_days": self.gap_days,
        }


def pair(session: Any, org: str, pin: Pin, *, require_self: bool = False) -> Pairing:
    """Choose the assessment and the self-assessment for `pin` (checked to be `org`'s and close enough)."""
    get_org(org, session=session)
    own: SelfAssessmentRecord | None = None
    if pin.self_id is not None:
        own = get_self_assessment(pin.self_id, session=session)
        if own.org != org:
            raise NotFoundError(f"self-assessment {pin.self_id} is of {own.org}, not {org}")
    if pin.assessment_id is not None:
        assessment = get_assessment(pin.assessment_id, session=session)
        if assessment.org != org:
            raise NotFoundError(f"assessment {pin.assessment_id} is of {assessment.org}, not {org}")
    else:
        assessment = choose_assessment(list_assessments(session=session, org=org), org, pin)
    if pin.self_id is None:
        own = nearest_self(list_self_assessments(session=session, org=org), assessment.as_of)
    if own is None and require_self:
        raise NotFoundError(
            f"{org} has no self-assessment: fill in `pxrules self-assess template` and "
            "import it with `pxrules self-assess import`"
        )
    check_gap(assessment, own, pin.allow_mismatch)
    gap = None if own is None else abs((assessment.as_of - own.as_of).days)
    return Pairing(assessment, own, gap)


def pinned_pairing(url: str, org: str, pin: Pin, *, require_self: bool = False) -> Pairing:
    """`pair` in its own unit of work."""
    with unit_of_work(url) as session:
        return pair(session, org, pin, require_self=require_self)


def assessment_summaries(url: str, org: str) -> list[dict[str, Any]]:
    """`pxrules assessments list`: each stored assessment of `org` in one line, oldest first."""
    with unit_of_work(url) as session:
        get_org(org, session=session)
        records = list_assessments(session=session, org=org)
    return [
        {
            "id": r.id,
            "organisation": r.org,
            "as_of": r.as_of.isoformat(),
            "rules_hash": r.rules_hash,
            "catalogue_version": r.catalogue_version,
            "created_at": r.created_at.isoformat(),
            "created_by": r.created_by,
            "mean_suggested": round(sum(s.suggested for s in r.scores) / len(r.scores), 2) if r.scores else 0.0,
        }
        for r in records
    ]
