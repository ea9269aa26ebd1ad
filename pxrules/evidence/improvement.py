"""Improvement evidence: quality improvement projects and service changes with their impact assessments."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from pxrules.evidence.base import Count, EvidenceBase, ShortText


class QiProject(EvidenceBase):
    """A quality improvement project from the QI register, with its origin, method and measured outcome."""

    kind: Literal["qi_project"] = "qi_project"
    title: ShortText
    origin: Literal["patient_feedback", "complaint", "incident", "staff_idea", "audit", "survey", "other"]
    method: Literal["pdsa", "ebcd", "always_events", "model_for_improvement", "lean", "other"]
    status: Literal["planned", "active", "completed", "stopped"] = "active"
    pdsa_cycles: Count = 0
    px_measure: bool = Field(default=False, description="Tracks a patient experience measure.")
    patient_partners: Count = 0
    frontline_led: bool = False
    outcome_measured: bool = False
    improved: bool | None = Field(default=None, description="The measured outcome improved.")
    sustained_months: Count | None = Field(default=None, description="Months the improvement has held.")
    learning_shared: bool = False
    early_warning_trigger: bool = Field(default=False, description="Started by a feedback early-warning signal.")


class ServiceChange(EvidenceBase):
    """A proposal, business case, PID or cost-improvement scheme, with its patient impact assessment."""

    kind: Literal["service_change"] = "service_change"
    reference: ShortText
    title: ShortText
    change_type: Literal["business_case", "pid", "cip", "service_redesign", "other"] = "business_case"
    key_decision: bool = Field(default=False, description="Classed as a key decision by the trust.")
    px_impact_assessed: bool = False
    clinical_signoff: bool = Field(
        default=False, description="QIA signed by the medical director / director of nursing."
    )
    clinicians_involved: bool = False
    patients_involved_design: bool = False
    coproduced: bool = False
    engagement_held: bool = False
    joint_with_commissioners: bool = False
    decision_changed_by_engagement: bool = False
    post_implementation_review: bool = False
