"""Governance evidence: board meetings, approved documents and (the weakest kind) attestations."""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from pxrules.common.dates import UkDate
from pxrules.evidence.base import Count, EvidenceBase, ShortText, Text
from pxrules.evidence.vocabulary_codes import (
    AGENDA_ITEMS,
    DOC_TYPES,
    DOCUMENT_CONTENTS,
    AgendaItem,
    DocType,
    DocumentContent,
)


class BoardMeeting(EvidenceBase):
    """One meeting of the board (or a board committee or the council of governors), from its papers."""

    kind: Literal["board_meeting"] = "board_meeting"
    body: Literal["board", "quality_committee", "people_committee", "council_of_governors", "other_committee"] = "board"
    session: Literal["public", "private"] = "public"
    patient_story: bool = False
    story_presenter: Literal["patient", "carer", "staff", "video", "none"] = "none"
    story_actions_tracked: bool = False
    px_report_presented: bool = Field(default=False, description="A patient experience report was received.")
    px_report_by_exec_lead: bool = Field(default=False, description="Presented by the accountable executive lead.")
    triangulated_report: bool = Field(
        default=False, description="Experience reported alongside safety and outcomes, with actions arising."
    )
    complaints_themes_reported: bool = False
    staffing_report: bool = False
    agenda: list[AgendaItem] = Field(
        default_factory=list,
        description=f"Other patient-experience items taken; the items the rules read: {AGENDA_ITEMS.described()}.",
    )

    @model_validator(mode="after")
    def _story_has_presenter(self) -> Self:
        if self.patient_story and self.story_presenter == "none":
            raise ValueError("patient_story is true but story_presenter is 'none'")
        if not self.patient_story and self.story_presenter != "none":
            raise ValueError(f"story_presenter is '{self.story_presenter}' but patient_story is false")
        if self.px_report_by_exec_lead and not self.px_report_presented:
            raise ValueError("px_report_by_exec_lead is true but px_report_presented is false")
        return self


class Document(EvidenceBase):
    """A strategy, plan, policy or report, with its approval, review date and co-production record."""

    kind: Literal["document"] = "document"
    doc_type: DocType = Field(
        description=f"What the document is; the types the rules read: {DOC_TYPES.described()}."
    )
    title: ShortText
    status: Literal["draft", "approved", "superseded"] = "approved"
    approved_on: UkDate | None = None
    approved_by: Literal["board", "committee", "executive", "other"] | None = None
    review_due: UkDate | None = None
    coproduced_patients: bool = False
    coproduced_staff: bool = False
    consulted: bool = False
    contents: list[DocumentContent] = Field(
        default_factory=list,
        description=f"What the document covers; the content flags the rules read: {DOCUMENT_CONTENTS.described()}.")
    measures_with_target: Count | None = Field(default=None, description="Impact measures with baseline and target.")
    measures_on_track: Count | None = None

    @model_validator(mode="after")
    def _approval_is_coherent(self) -> Self:
        if self.status == "approved" and self.approved_on is None:
            raise ValueError("status is approved but approved_on is missing")
        if self.approved_on is not None and self.review_due is not None and self.review_due < self.approved_on:
            raise ValueError("review_due is before approved_on")
        if (self.measures_on_track is not None and self.measures_with_target is not None
                and self.measures_on_track > self.measures_with_target):
            raise ValueError("measures_on_track is more than measures_with_target")
        return self


class Attestation(EvidenceBase):
    """A named person states a fact the framework asks about: the weakest evidence, capped in scoring."""

    kind: Literal["attestation"] = "attestation"
    statement: Annotated[str, Field(min_length=1, max_length=5000)]
    person: ShortText
    role: ShortText
    document_ref: ShortText | None = None
    claimed_level: Annotated[int, Field(ge=0, le=5)] | None = Field(
        default=None, description="The level the statement supports, if the attester names one."
    )
    attachments: Count = 0
    context: Text | None = None

    @model_validator(mode="after")
    def _names_sub_requirements(self) -> Self:
        if not self.sub_requirements:
            raise ValueError("an attestation must name the sub_requirements it supports")
        return self
