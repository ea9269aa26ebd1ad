"""Workforce evidence: training completions and audited staff processes (appraisal, visits, escalation ...)."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from pxrules.evidence.base import Count, EvidenceBase, ShortText
from pxrules.evidence.vocabulary_codes import COURSES, POPULATIONS, PROCESSES, Course, Population, Process


class TrainingRecord(EvidenceBase):
    """Completions of one course by one staff population over the period (from ESR or the learning system)."""

    kind: Literal["training_record"] = "training_record"
    course: Course = Field(
        description=f"The course; the courses the rules read: {COURSES.described()}.")
    population: Population = Field(
        description=f"Who it is for; the staff groups the rules read: {POPULATIONS.described()}.")
    population_size: Count
    completed: Count
    includes_patient_feedback: bool = Field(default=False, description="The course teaches using patient feedback.")
    co_delivered_by_patients: bool = False
    renewal_months: int | None = Field(default=None, ge=1, le=120)

    @model_validator(mode="after")
    def _completed_fits(self) -> Self:
        if self.completed > self.population_size:
            raise ValueError(f"completed ({self.completed}) is more than population_size ({self.population_size})")
        return self


class StaffProcess(EvidenceBase):
    """An audited process the framework asks for, with how many of those in scope comply.

    e.g. appraisal_with_patient_feedback, values_based_recruitment, leadership_visits, staffing_escalation,
    letters_copied, ais_audit, duty_of_candour_audit, complaints_info_display, team_feedback_discussion.
    """

    kind: Literal["staff_process"] = "staff_process"
    process: Process = Field(
        description=f"What was audited; the processes the rules read: {PROCESSES.described()}.")
    in_place: bool = True
    policy_in_date: bool | None = None
    population: Count | None = Field(default=None, description="How many were in scope (staff, areas, cases).")
    compliant: Count | None = Field(default=None, description="How many of those complied.")
    with_patients: Count | None = Field(default=None, description="Of those, how many involved patients.")
    area: ShortText | None = None

    @model_validator(mode="after")
    def _compliant_fits(self) -> Self:
        if self.population is not None and self.compliant is not None and self.compliant > self.population:
            raise ValueError(f"compliant ({self.compliant}) is more than population ({self.population})")
        if self.compliant is not None and self.with_patients is not None and self.with_patients > self.compliant:
            raise ValueError(f"with_patients ({self.with_patients}) is more than compliant ({self.compliant})")
        return self
