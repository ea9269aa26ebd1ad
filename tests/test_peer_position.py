"""Outcomes count: the trust's position against its peers places it on levels 1-3 on its own, and a better
peer position never lowers a score, whatever else is recorded."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from pxrules.measures import MeasureValue
from pxrules.rules.conditions import Scalar, normalise
from pxrules.rules.pack import default_rulepack
from pxrules.scoring.assess import score_facts
from pxrules.scoring.rule_cases import case_file, load_cases

PACK = default_rulepack()
# The sub-requirements whose words describe an outcome a national staff survey measures, and that measure.
OUTCOMES = {
    "2A": "people.nss_compassionate_band",
    "3B": "leadership.visits_nss_speak_up_band",
    "4A": "clinical.nss_involved_band",
    "4B": "clinical.nss_care_priority_band",
    "4C": "clinical.nss_medical_band",
    "5A": "culture.nss_compassionate_culture_band",
    "6A": "culture.nss_acts_on_concerns_band",
    "6B": "culture.nss_recognition_band",
    "6C": "staffing.nss_involved_in_changes_band",
    "7A": "culture.nss_compassionate_culture_band",
    "7B": "values.nss_appraisal_band",
    "11B": "staff.candour_nss_errors_fair_band",
    "16B": "frontline.nss_acts_on_concerns_band",
    "18A": "improvement.nss_learning_access_band",
    "18C": "improvement.nss_incident_feedback_band",
    "20A": "improvement.nss_make_improvements_band",
    "20B": "improvement.nss_suggest_improvements_band",
}
# 20C's words are the peer position itself ("performs above peer in ... the percentage of NHS staff who
# report that patient ... feedback is used"): above the median is what the text asks, so it reaches 4.
WORDS_ARE_THE_POSITION = {
    "20C": "improvement.nss_feedback_used_band",
    "17C": "improvement.npsp_involved_in_decisions_band",
}


def score(sub: str, raw: Mapping[str, Scalar]) -> int:
    facts = {n: MeasureValue(n, normalise(v), (f"e-{n}",), ("test",), "") for n, v in raw.items()}
    [got] = score_facts(PACK, facts, "reference", only=[sub])  # type: ignore[arg-type]
    return got.suggested


@pytest.mark.parametrize(("sub", "band"), sorted(OUTCOMES.items()))
def test_the_peer_position_alone_places_the_trust_on_levels_one_to_three(sub: str, band: str) -> None:
    # any result 1; at or above the lower quartile 2; no more than 1% of the scale below the median, or above, 3
    assert [score(sub, {band: b}) for b in (1, 2, 3, 4, 5)] == [1, 2, 3, 3, 3]


def test_where_the_words_are_the_position_above_the_median_is_level_four() -> None:
    for sub, band in WORDS_ARE_THE_POSITION.items():
        assert [score(sub, {band: b}) for b in (1, 2, 3, 4)] == [1, 2, 3, 4], sub


@pytest.mark.parametrize(("sub", "band"), sorted({**OUTCOMES, **WORDS_ARE_THE_POSITION}.items()))
def test_a_better_peer_position_never_lowers_a_score(sub: str, band: str) -> None:
    # Against every set of measure values the sub-requirement's test cases give (all its levels' shapes).
    bases = [dict(c.given) for c in load_cases(case_file(PACK.for_sub(sub).path), sub) if c.given is not None]
    assert bases
    for base in bases:
        levels = [score(sub, {**base, band: b}) for b in (1, 2, 3, 4, 5)]
        assert levels == sorted(levels), (sub, base, levels)
