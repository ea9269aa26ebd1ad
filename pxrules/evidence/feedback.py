"""Feedback evidence: Friends and Family Test months, survey questions, feedback channels, benchmarks."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from pxrules.evidence.base import Count, EvidenceBase, Key, Percent, ShortText

FftSetting = Literal[
    "inpatient",
    "ae",
    "maternity_antenatal",
    "maternity_birth",
    "maternity_postnatal_ward",
    "maternity_postnatal_community",
    "outpatient",
    "community",
    "mental_health",
    "ambulance",
]
FFT_SETTINGS: tuple[str, ...] = FftSetting.__args__  # type: ignore[attr-defined]

# Modes of collection as the monthly provider workbooks name them.
FftMode = Literal["sms", "electronic_discharge", "electronic_home", "paper_discharge", "paper_home",
                  "telephone", "online", "tablet_kiosk", "other",
                  # the outpatient workbook collects at or after the appointment, not at discharge or home
                  "electronic_at_appointment", "electronic_after_appointment",
                  "paper_at_appointment", "paper_after_appointment"]
FFT_MODES: tuple[str, ...] = FftMode.__args__  # type: ignore[attr-defined]

BREAKDOWN = ("very_good", "good", "neither", "poor", "very_poor", "dont_know")


class FftMonthly(EvidenceBase):
    """Friends and Family Test results for one setting and one month (trust, site or ward level).

    A count of None means "not reported" (suppressed "*" or "-" in the publication), never zero.
    """

    kind: Literal["fft_monthly"] = "fft_monthly"
    setting: FftSetting
    level: Literal["trust", "site", "ward"] = "trust"
    site_code: ShortText | None = None
    ward: ShortText | None = None
    responses: Count | None = None
    eligible: Count | None = Field(default=None, description="Eligible patients, where the setting reports it.")
    very_good: Count | None = None
    good: Count | None = None
    neither: Count | None = None
    poor: Count | None = None
    very_poor: Count | None = None
    dont_know: Count | None = None
    percentage_positive: Percent | None = None
    percentage_negative: Percent | None = None
    modes: dict[FftMode, Count | None] = Field(default_factory=dict, description="Responses by mode of collection.")

    @model_validator(mode="after")
    def _counts_fit(self) -> Self:
        if self.responses is not None and self.eligible is not None and self.responses > self.eligible:
            raise ValueError(f"responses ({self.responses}) are more than eligible ({self.eligible})")
        if self.responses is not None:
            for name in BREAKDOWN:
                part = getattr(self, name)
                if part is not None and part > self.responses:
                    raise ValueError(f"{name} ({part}) is more than responses ({self.responses})")
        if (self.percentage_positive or 0) + (self.percentage_negative or 0) > 100.0001:
            raise ValueError("percentage_positive + percentage_negative is more than 100")
        return self

    @property
    def response_rate(self) -> float | None:
        """responses / eligible as a share (0..1), or None where either is not reported."""
        if self.responses is None or not self.eligible:
            return None
        return self.responses / self.eligible


class Benchmark(EvidenceBase):
    """A reference figure shared by all organisations (national or peer), with its publication as source.

    `org` is empty: a benchmark is about England or a peer group, named in `scope`.
    """

    kind: Literal["benchmark"] = "benchmark"
    measure: Key = Field(description="What is benchmarked, e.g. fft.response_rate.ae or nss.q25e.")
    scope: Key = Field(default="england", description="england, or peer:<type> e.g. peer:acute.")
    value: float = Field(allow_inf_nan=False, description="The national or peer figure (mean or median).")
    unit: Literal["percent", "share", "score", "count", "ratio"] = "percent"
    lower_quartile: float | None = Field(default=None, allow_inf_nan=False)
    median: float | None = Field(default=None, allow_inf_nan=False)
    upper_quartile: float | None = Field(default=None, allow_inf_nan=False)
    n_organisations: Count | None = None
    numerator: float | None = Field(default=None, allow_inf_nan=False, ge=0)
    denominator: float | None = Field(default=None, allow_inf_nan=False, ge=0)

    @model_validator(mode="after")
    def _benchmark_is_consistent(self) -> Self:
        if self.org is not None:
            raise ValueError("a benchmark is shared by all organisations: leave org empty")
        if self.unit == "percent" and not 0 <= self.value <= 100:
            raise ValueError(f"value {self.value} is not a percentage (0..100)")
        if self.unit == "share" and not 0 <= self.value <= 1:
            raise ValueError(f"value {self.value} is not a share (0..1)")
        quartiles = [q for q in (self.lower_quartile, self.median, self.upper_quartile) if q is not None]
        if quartiles != sorted(quartiles):
            raise ValueError("quartiles are not in order (lower <= median <= upper)")
        return self


SurveyName = Literal["nss", "npsp_inpatient", "npsp_ue", "npsp_maternity", "npsp_cyp", "npsp_community_mh",
                     "npsp_outpatient", "nof", "place", "local"]


class SurveyQuestion(EvidenceBase):
    """One question (or sub-score) of a national or local survey, with the organisation's score and its peers."""

    kind: Literal["survey_question"] = "survey_question"
    survey: SurveyName
    wave: ShortText = Field(description="Survey year or wave, e.g. 2025 or 2025-26 Q3.")
    question_key: Key = Field(description="Stable key across years, e.g. nss.patient_feedback_used.")
    question_number: ShortText | None = None
    wording: ShortText | None = None
    group: ShortText | None = Field(default=None, description="Staff group or site breakdown, if any.")
    score: float = Field(allow_inf_nan=False)
    scale: Literal["percent", "score10", "score5", "share"] = "percent"
    peer_mean: float | None = Field(default=None, allow_inf_nan=False)
    peer_median: float | None = Field(default=None, allow_inf_nan=False)
    peer_lower_quartile: float | None = Field(default=None, allow_inf_nan=False)
    peer_upper_quartile: float | None = Field(default=None, allow_inf_nan=False)
    expected_range: Literal["better", "somewhat_better", "about_same", "somewhat_worse", "worse"] | None = None
    respondents: Count | None = None

    @model_validator(mode="after")
    def _scores_on_scale(self) -> Self:
        top = {"percent": 100.0, "score10": 10.0, "score5": 5.0, "share": 1.0}[self.scale]
        for name in ("score", "peer_mean", "peer_median", "peer_lower_quartile", "peer_upper_quartile"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= top:
                raise ValueError(f"{name} {value} is outside the {self.scale} scale (0..{top:g})")
        quartiles = [q for q in (self.peer_lower_quartile, self.peer_median, self.peer_upper_quartile)
                     if q is not None]
        if quartiles != sorted(quartiles):
            raise ValueError("peer quartiles are not in order (lower <= median <= upper)")
        return self


class FeedbackChannel(EvidenceBase):
    """A route by which patients give feedback, with its reach and how fast feedback reaches teams."""

    kind: Literal["feedback_channel"] = "feedback_channel"
    channel: Key = Field(description="e.g. fft_sms, kiosk, qr_code, online, care_opinion, pals, easy_read, bsl.")
    live: bool = True
    settings_covered: list[FftSetting] = Field(default_factory=list)
    accessible_format: bool = Field(default=False, description="Designed for people less able to feed back.")
    latency_days: float | None = Field(default=None, ge=0, le=3650, allow_inf_nan=False,
                                       description="Days from collection to the team seeing it.")
    teams_with_access: Count | None = None
    teams_total: Count | None = None
    responses_12m: Count | None = None
    public_responses_published: Count | None = None

    @field_validator("settings_covered")
    @classmethod
    def _unique_settings(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a setting is listed twice")
        return value

    @model_validator(mode="after")
    def _teams_fit(self) -> Self:
        if (self.teams_with_access is not None and self.teams_total is not None
                and self.teams_with_access > self.teams_total):
            raise ValueError(
                f"teams_with_access ({self.teams_with_access}) is more than teams_total ({self.teams_total})"
            )
        return self
