"""Feedback evidence: Friends and Family Test months, survey questions, feedback channels, benchmarks."""

from __future__ import annotations

import re
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator

from pxrules.evidence.base import Count, EvidenceBase, Key, Percent, ShortText, Text
from pxrules.evidence.vocabulary_codes import CHANNELS, Channel
from pxrules.evidence.vocabulary_surveys import (
    BENCHMARK_MEASURES,
    QUESTION_KEYS,
    SURVEY_GROUPS,
    BenchmarkMeasure,
    QuestionKey,
    SurveyGroup,
)

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
    measure: BenchmarkMeasure = Field(
        description=f"What is benchmarked; the figures pxrules reads: {BENCHMARK_MEASURES.described()}.")
    scope: Key = Field(default="england", description="england, or peer:<type> e.g. peer:acute.")
    value: float = Field(allow_inf_nan=False, description="The national or peer figure (mean or median).")
    unit: Literal["percent", "share", "score", "count", "ratio"] = "percent"
    lower_quartile: float | None = Field(default=None, allow_inf_nan=False)
    median: float | None = Field(default=None, allow_inf_nan=False)
    upper_quartile: float | None = Field(default=None, allow_inf_nan=False)
    n_organisations: Count | None = None
    numerator: float | None = Field(default=None, allow_inf_nan=False, ge=0)
    denominator: float | None = Field(default=None, allow_inf_nan=False, ge=0)
    minimum: float | None = Field(default=None, allow_inf_nan=False, description="Lowest organisation's figure.")
    maximum: float | None = Field(default=None, allow_inf_nan=False, description="Highest organisation's figure.")
    method: Text | None = Field(default=None, description="How a computed figure was made: which organisations, "
                                "which quartile definition, the minimum group size.")

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
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError(f"minimum {self.minimum} is more than maximum {self.maximum}")
        return self


# CQC's seven benchmark bands (NHS Patient Survey Programme), worst to best; a 0-10 score is compared with
# the range expected of a trust of its size given every other trust's score.
ExpectedRange = Literal["much_worse", "worse", "somewhat_worse", "about_same", "somewhat_better", "better",
                        "much_better"]
EXPECTED_RANGES: tuple[str, ...] = ExpectedRange.__args__  # type: ignore[attr-defined]


def range_words(band: str | None) -> str:
    """CQC's band for people: 'about_same' -> 'about the same as expected'."""
    if band is None:
        return "no CQC band"
    return "about the same as expected" if band == "about_same" else band.replace("_", " ") + " than expected"


_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")

SurveyName = Literal["nss", "npsp_inpatient", "npsp_ue", "npsp_maternity", "npsp_cyp", "npsp_community_mh",
                     "npsp_outpatient", "nof", "place", "local"]


class SurveyQuestion(EvidenceBase):
    """One question (or sub-score) of a national or local survey, with the organisation's score and its peers."""

    kind: Literal["survey_question"] = "survey_question"
    survey: SurveyName
    wave: ShortText = Field(description="Survey year or wave, e.g. 2025 or 2025-26 Q3.")
    question_key: QuestionKey = Field(
        description=f"Stable key across years; the keys the rules read: {QUESTION_KEYS.described()}.")
    question_number: ShortText | None = None
    wording: ShortText | None = None
    group: SurveyGroup | None = Field(
        default=None,
        description="Staff group or care-setting breakdown, if any; the groups the rules read: "
        f"{SURVEY_GROUPS.described()}.")
    score: float = Field(allow_inf_nan=False)
    scale: Literal["percent", "score10", "score5", "share"] = "percent"
    peer_mean: float | None = Field(default=None, allow_inf_nan=False)
    peer_median: float | None = Field(default=None, allow_inf_nan=False)
    peer_lower_quartile: float | None = Field(default=None, allow_inf_nan=False)
    peer_upper_quartile: float | None = Field(default=None, allow_inf_nan=False)
    expected_range: ExpectedRange | None = Field(
        default=None, description="CQC's band: where the score falls against the range expected of the trust.")
    expected_low: float | None = Field(default=None, allow_inf_nan=False,
                                       description="Lower limit of CQC's expected range (90% limits).")
    expected_high: float | None = Field(default=None, allow_inf_nan=False,
                                        description="Upper limit of CQC's expected range (90% limits).")
    respondents: Count | None = None
    previous_wave: ShortText | None = Field(default=None, description="The survey compared with, e.g. 2021.")
    previous_score: float | None = Field(default=None, allow_inf_nan=False)
    change: Literal["significantly_higher", "no_significant_change", "significantly_lower"] | None = Field(
        default=None, description="The publisher's significance test of the change since previous_wave.")

    @property
    def year(self) -> str:
        """The survey year the wave label names ("NSS 2025", "2025" and "2025-26" are all 2025): one year of
        one question is one wave, whatever the label (the label itself when it names no year)."""
        found = _YEAR.search(self.wave)
        return found.group(0) if found else " ".join(self.wave.lower().split())

    @model_validator(mode="after")
    def _scores_on_scale(self) -> Self:
        top = {"percent": 100.0, "score10": 10.0, "score5": 5.0, "share": 1.0}[self.scale]
        # CQC's expected-range limits are statistical bounds and may pass the scale's ends; scores may not.
        for name in ("score", "peer_mean", "peer_median", "peer_lower_quartile", "peer_upper_quartile",
                     "previous_score"):
            value = getattr(self, name)
            if value is not None and not 0 <= value <= top:
                raise ValueError(f"{name} {value} is outside the {self.scale} scale (0..{top:g})")
        quartiles = [q for q in (self.peer_lower_quartile, self.peer_median, self.peer_upper_quartile)
                     if q is not None]
        if quartiles != sorted(quartiles):
            raise ValueError("peer quartiles are not in order (lower <= median <= upper)")
        if self.expected_low is not None and self.expected_high is not None and self.expected_low > self.expected_high:
            raise ValueError("the expected range's lower limit is above its upper limit")
        if self.change is not None and self.previous_wave is None:
            raise ValueError("a change needs the previous_wave it is measured from")
        return self


class FeedbackChannel(EvidenceBase):
    """A route by which patients give feedback, with its reach and how fast feedback reaches teams."""

    kind: Literal["feedback_channel"] = "feedback_channel"
    channel: Channel = Field(
        description=f"The route; the channels the rules read: {CHANNELS.described()}.")
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
