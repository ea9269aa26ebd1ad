"""The registry of evidence kinds: the discriminated union, parsing, and how long each kind stays valid."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated, Any

from pydantic import Field, TypeAdapter

from pxrules.evidence.complaints import ComplaintsPeriod, WebsiteCheck
from pxrules.evidence.feedback import Benchmark, FeedbackChannel, FftMonthly, SurveyQuestion
from pxrules.evidence.governance import Attestation, BoardMeeting, Document
from pxrules.evidence.improvement import QiProject, ServiceChange
from pxrules.evidence.vocabulary import STORED
from pxrules.evidence.workforce import StaffProcess, TrainingRecord

Evidence = Annotated[
    FftMonthly | Benchmark | BoardMeeting | WebsiteCheck | ComplaintsPeriod | SurveyQuestion | Document
    | TrainingRecord | FeedbackChannel | QiProject | ServiceChange | StaffProcess | Attestation,
    Field(discriminator="kind"),
]

KIND_MODELS: dict[str, type[Any]] = {
    m.model_fields["kind"].default: m
    for m in (FftMonthly, Benchmark, BoardMeeting, WebsiteCheck, ComplaintsPeriod, SurveyQuestion, Document,
              TrainingRecord, FeedbackChannel, QiProject, ServiceChange, StaffProcess, Attestation)
}
KINDS: tuple[str, ...] = tuple(KIND_MODELS)

# How long an item counts after the end of the period it covers (days). Documents also lapse at their
# review date. Windows follow the evidence map: monthly FFT 13 months, surveys the latest wave (18 months),
# QI projects 24 months, training 36 months, everything observed at a point in time 12 months.
VALIDITY_DAYS: dict[str, int] = {
    "fft_monthly": 396,
    "benchmark": 548,
    "board_meeting": 366,
    "website_check": 366,
    "complaints_period": 366,
    "survey_question": 548,
    "document": 1096,
    "training_record": 1096,
    "feedback_channel": 366,
    "qi_project": 731,
    "service_change": 366,
    "staff_process": 366,
    "attestation": 366,
}


@cache
def evidence_adapter() -> TypeAdapter[Evidence]:
    """The (cached) pydantic adapter for the union; building it costs ~30 ms, so only once."""
    return TypeAdapter(Evidence)


# Items read back from a store keep the codes they were stored with (see evidence/vocabulary.py).
STORED_CONTEXT: dict[str, bool] = {STORED: True}


def parse_evidence(data: Any, *, stored: bool = False) -> Evidence:
    """Validate one mapping into its evidence model; raises pydantic.ValidationError.

    `stored` is for payloads read back from a store: a code outside a closed vocabulary that was stored
    before the vocabulary closed is kept as it was (it counts for nothing), not rejected.
    """
    return evidence_adapter().validate_python(data, context=STORED_CONTEXT if stored else None)


def is_valid_on(item: Evidence, as_of: dt.date) -> bool:
    """True when the item is about the past of `as_of` and its kind's validity window has not closed."""
    if item.period_start > as_of:
        return False
    end = min(item.end, as_of)
    if (as_of - end).days > VALIDITY_DAYS[item.kind]:
        return False
    # A document past its review date still exists (measures may call it lapsed), but does not count
    # as current evidence; measures that need "lapsed" read it through EvidenceView.ever().
    return not (isinstance(item, Document) and item.review_due is not None and item.review_due < as_of)
