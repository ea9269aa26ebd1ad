"""Complaints evidence: a period of the complaints register and checks of the public website."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from pxrules.evidence.base import Count, EvidenceBase, Key, ShortText, check_not_more
from pxrules.evidence.vocabulary_codes import CONTENT_FLAGS, ContentFlag

WebsitePage = Literal["complaints", "feedback", "pals", "healthwatch", "accessibility_statement", "values",
                      "fft_results", "you_said_we_did", "easy_read", "translation", "patient_stories",
                      "quality_account", "home"]


class ComplaintsPeriod(EvidenceBase):
    """Complaints handled in a period (usually a quarter or financial year), from the local register or KO41a.

    KO41a carries only the counts; handling fields (acknowledgement, meetings, feedback) come from the
    local register. None means "not recorded", which is not the same as zero.
    """

    kind: Literal["complaints_period"] = "complaints_period"
    received: Count | None = Field(default=None, description="New written complaints received.")
    resolved: Count | None = None
    upheld: Count | None = None
    partially_upheld: Count | None = None
    not_upheld: Count | None = None
    acknowledged_3wd: Count | None = Field(default=None, description="Acknowledged within 3 working days.")
    responded_in_time: Count | None = Field(default=None, description="Responded within the agreed timescale.")
    meeting_offered: Count | None = None
    advocacy_offered: Count | None = None
    feedback_sought: Count | None = None
    feedback_received: Count | None = None
    feedback_satisfied: Count | None = None
    actions_recorded: Count | None = None
    actions_completed: Count | None = None
    actions_reaudited: Count | None = Field(default=None, description="Changes to practice re-audited and sustained.")
    reopened: Count | None = None
    local_resolution_concerns: Count | None = Field(default=None, description="Concerns resolved by frontline/PALS.")
    by_service: dict[Key, Count | None] = Field(default_factory=dict)
    by_subject: dict[Key, Count | None] = Field(default_factory=dict)
    source_type: Literal["local_register", "ko41a"] = "local_register"

    @model_validator(mode="after")
    def _parts_fit(self) -> Self:
        counts = self.model_dump(include={
            "received", "resolved", "upheld", "partially_upheld", "not_upheld", "acknowledged_3wd",
            "responded_in_time", "meeting_offered", "advocacy_offered", "feedback_sought", "feedback_received",
            "feedback_satisfied", "actions_recorded", "actions_completed", "actions_reaudited", "reopened"})
        check_not_more(counts, "received", ["acknowledged_3wd", "meeting_offered", "advocacy_offered"])
        check_not_more(counts, "resolved", ["upheld", "partially_upheld", "not_upheld", "responded_in_time",
                                            "feedback_sought", "reopened"])
        check_not_more(counts, "feedback_sought", ["feedback_received"])
        check_not_more(counts, "feedback_received", ["feedback_satisfied"])
        check_not_more(counts, "actions_recorded", ["actions_completed"])
        check_not_more(counts, "actions_completed", ["actions_reaudited"])
        parts = [counts[k] for k in ("upheld", "partially_upheld", "not_upheld")]
        if self.resolved is not None and None not in parts and sum(p or 0 for p in parts) > self.resolved:
            raise ValueError(f"upheld + partially_upheld + not_upheld ({sum(p or 0 for p in parts)}) "
                             f"is more than resolved ({self.resolved})")
        return self


class WebsiteCheck(EvidenceBase):
    """A check of one page of the trust's public website: found or not, and how many clicks from home."""

    kind: Literal["website_check"] = "website_check"
    page: WebsitePage
    url: ShortText | None = None
    found: bool
    clicks_from_home: Count | None = Field(default=None, description="Clicks from the home page; None if not found.")
    checked_by: ShortText
    accessibility_errors: Count | None = Field(default=None, description="Automated accessibility check errors.")
    reading_age: float | None = Field(default=None, ge=5, le=25, allow_inf_nan=False)
    content_flags: list[ContentFlag] = Field(
        default_factory=list,
        description=f"What the page shows; the content flags the rules read: {CONTENT_FLAGS.described()}.")

    @model_validator(mode="after")
    def _clicks_need_a_page(self) -> Self:
        if not self.found and self.clicks_from_home is not None:
            raise ValueError("clicks_from_home is given but found is false")
        if self.found and self.clicks_from_home is None:
            raise ValueError("found is true but clicks_from_home is missing")
        return self
