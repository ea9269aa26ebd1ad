"""Measures on CQC's own benchmark bands for national patient survey questions (the `cqc.` measures).

CQC places every trust's 0-10 score on a seven-band scale against the range expected of a trust of its size
(1 much worse ... 4 about the same ... 7 much better than expected), and advises judging a trust by the band,
not by the raw score. These measures read that band as published, naming the survey, the question, the
score and the band, so an explanation says exactly which result moved a suggested score.
"""

from __future__ import annotations

from collections.abc import Sequence

from pxrules.evidence.feedback import EXPECTED_RANGES, SurveyQuestion, range_words
from pxrules.measures.blocks import survey_items
from pxrules.measures.registry import EvidenceView, Result, measure

# The adult inpatient survey first; another NPSP survey stands in where a trust has none (as 17C's ladder).
SURVEYS = ("ip", "ue", "maternity", "cmh", "cyp")
SURVEY_NAMES = {"npsp_inpatient": "Adult Inpatient Survey", "npsp_ue": "Urgent and Emergency Care Survey",
                "npsp_maternity": "Maternity Survey", "npsp_community_mh": "Community Mental Health Survey",
                "npsp_cyp": "Children and Young People's Survey"}


def band_number(q: SurveyQuestion) -> int | None:
    """CQC's band 1 (much worse) .. 7 (much better), or None where the item has no band."""
    return EXPECTED_RANGES.index(q.expected_range) + 1 if q.expected_range else None


def describe(q: SurveyQuestion) -> str:
    """'Adult Inpatient Survey 2022 Q24 "To what extent ...": 6.86 out of 10, about the same as expected
    (expected 6.55-7.41), 380 respondents'."""
    survey = SURVEY_NAMES.get(q.survey, q.survey)
    question = f"{q.question_number} " if q.question_number else ""
    wording = f'"{q.wording}"' if q.wording else q.question_key
    parts = [f"{survey} {q.wave} {question}{wording}: {q.score:.2f} out of 10",
             range_words(q.expected_range)]
    text = ", ".join(parts)
    if q.expected_low is not None and q.expected_high is not None:
        text += f" (expected {q.expected_low:.2f}-{q.expected_high:.2f})"
    if q.respondents is not None:
        text += f", {q.respondents} respondents"
    return text


def latest_banded(view: EvidenceView, question: str) -> SurveyQuestion | None:
    """The latest current CQC-banded result for `question` (npsp.<survey>.<question>), inpatient first."""
    for survey in SURVEYS:
        banded = [q for q in survey_items(view, f"npsp.{survey}.{question}") if q.expected_range]
        if banded:
            return max(banded, key=lambda q: (q.end, q.wave, q.id))
    return None


def _band(view: EvidenceView, question: str) -> Result | None:
    q = latest_banded(view, question)
    if q is None:
        return None
    band = band_number(q)
    assert band is not None
    return Result(band, [q], f"{describe(q)}: CQC band {band} of 7")


def _lowest(view: EvidenceView, questions: Sequence[str], what: str) -> Result | None:
    found = [q for q in (latest_banded(view, k) for k in questions) if q is not None]
    if not found:
        return None
    bands = [(band_number(q) or 0, q) for q in found]
    low, worst = min(bands, key=lambda b: (b[0], b[1].question_key))
    others = "; ".join(describe(q) for _, q in bands if q is not worst)
    return Result(low, found, f"lowest CQC band on {what}: {low} of 7, {describe(worst)}"
                  + (f"; also {others}" if others else ""))


@measure("cqc.involved_in_decisions_band", type="integer", unit="band", better="higher",
         kinds=("survey_question",),
         description="CQC's band (1 much worse .. 4 about the same .. 7 much better than expected) for the "
         "national patient survey question on being involved in decisions about care and treatment")
def involved_in_decisions_band(view: EvidenceView) -> Result | None:
    return _band(view, "involved_in_decisions")


INVOLVEMENT = ("involved_in_decisions", "involved_in_discharge", "family_involved")


@measure("cqc.involvement_band_min", type="integer", unit="band", better="higher",
         kinds=("survey_question",),
         description="The lowest of CQC's bands (1 much worse .. 7 much better than expected) over the national "
         "patient survey questions on patients and families being involved in their care: decisions about care "
         "and treatment, decisions about leaving hospital, family or carers involved")
def involvement_band_min(view: EvidenceView) -> Result | None:
    return _lowest(view, INVOLVEMENT, "involvement in care")
