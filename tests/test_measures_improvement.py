"""Unit tests for the Using feedback for improvement measures (17A-20C): values, details, windows, gaps."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from builders import EvidenceBuilder

from pxrules.evidence import Evidence
from pxrules.measures import MEASURES, MeasureValue, compute_measures

ORG = "RXX"
AS_OF = dt.date(2026, 3, 31)
MINE = sorted(n for n, s in MEASURES.items() if s.fn.__module__ == "pxrules.measures.improvement")


def near(x: float) -> Any:
    """Measure values are rounded to 6 decimal places."""
    return pytest.approx(x, abs=1e-6)


ev = EvidenceBuilder(org=ORG, prefix="i")
_references = itertools.count()


def val(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> MeasureValue | None:
    return compute_measures(ORG, as_of, items, names=[name]).get(name)


def value(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> Any:
    got = val(name, items, as_of)
    return None if got is None else got.value


def survey(key: str, wave: str, day: str, score: float, **fields: Any) -> Evidence:
    fields.setdefault("survey", "nss" if key.startswith("nss.") else "npsp_inpatient")
    fields.setdefault("scale", "percent" if key.startswith("nss.") else "score10")
    return ev("survey_question", day, wave=wave, question_key=key, score=score, **fields)


def proc(process: str, start: str, end: str | None = None, **fields: Any) -> Evidence:
    return ev("staff_process", start, end, process=process, **fields)


def doc(doc_type: str, approved: str | None, review: str | None = None, status: str = "approved",
        **fields: Any) -> Evidence:
    return ev.doc(doc_type, approved, review, status, start="2025-10-01", **fields)


def training(course: str, population: str, day: str, size: int, done: int) -> Evidence:
    return ev("training_record", day, course=course, population=population, population_size=size,
              completed=done)


def change(day: str, end: str | None = None, **flags: Any) -> Evidence:
    return ev("service_change", day, end, reference=f"BC-{next(_references)}", title="a proposal", **flags)


def project(start: str, end: str, **fields: Any) -> Evidence:
    fields.setdefault("origin", "patient_feedback")
    fields.setdefault("method", "pdsa")
    return ev("qi_project", start, end, title="a project", **fields)


def test_every_measure_declares_direction_and_is_none_without_evidence() -> None:
    assert len(MINE) >= 40
    facts = compute_measures(ORG, AS_OF, [], names=MINE)
    assert facts == {}
    for name in MINE:
        assert MEASURES[name].better == "higher" or MEASURES[name].better == "true", name


# ---- survey bands ------------------------------------------------------------------------------------

NPSP = {"scale": "score10"}


@pytest.mark.parametrize(("score", "extra", "band"), [
    (6.5, {"peer_lower_quartile": 6.8, "peer_upper_quartile": 7.6}, 1),   # bottom quartile
    (7.0, {}, 2),                                                          # 0.2 below, no category
    (7.1, {}, 3),                                                          # within 0.1
    (7.2, {}, 3),                                                          # equal is not "above peer"
    (7.3, {}, 4),                                                          # above the average
    (7.0, {"expected_range": "about_same"}, 3),                            # CQC category lifts to 3
    (6.9, {"expected_range": "worse"}, 1),
])
def test_involved_in_decisions_band_uses_the_peer_mean_and_is_strict(score: float, extra: dict[str, Any],
                                                                     band: int) -> None:
    item = survey("npsp.ip.involved_in_decisions", "2024", "2025-09-10", score, peer_mean=7.2, **extra)
    got = val("improvement.npsp_involved_in_decisions_band", [item])
    assert got is not None and got.value == band, got
    assert f"vs peer average 7.2 ({score - 7.2:+.2f})" in got.detail


def test_top_band_needs_two_consecutive_waves_even_after_the_first_lapsed() -> None:
    key = "npsp.ip.involved_in_decisions"
    now = survey(key, "2024", "2025-09-10", 7.8, peer_mean=7.2, expected_range="better")
    before = survey(key, "2023", "2024-08-08", 7.7, peer_mean=7.1, expected_range="better")
    assert value("improvement.npsp_involved_in_decisions_band", [now]) == 4
    got = val("improvement.npsp_involved_in_decisions_band", [now, before])
    assert got is not None and got.value == 5 and "2023 was top band too" in got.detail
    assert set(got.evidence_ids) == {now.id, before.id}
    # a wave more than two years older is not "consecutive"
    old = survey(key, "2021", "2022-06-01", 7.9, peer_mean=7.0, expected_range="better")
    assert value("improvement.npsp_involved_in_decisions_band", [now, old]) == 4


def test_npsp_stand_in_survey_and_lapsed_latest_wave() -> None:
    ue = survey("npsp.ue.involved_in_decisions", "2024", "2025-11-01", 7.5, survey="npsp_ue", peer_mean=7.4)
    assert value("improvement.npsp_involved_in_decisions_band", [ue]) == 4
    ip = survey("npsp.ip.involved_in_decisions", "2024", "2025-09-10", 7.0, peer_mean=7.2)
    assert value("improvement.npsp_involved_in_decisions_band", [ue, ip]) == 2        # inpatient preferred
    assert value("improvement.npsp_involved_in_decisions_band", [ip], as_of=dt.date(2027, 6, 1)) is None  # > 18 months
    future = survey("npsp.ip.involved_in_decisions", "2025", "2026-09-01", 8.0, peer_mean=7.2)
    assert value("improvement.npsp_involved_in_decisions_band", [future]) is None


def test_ladder_b_on_nss_percent_items_uses_one_point_and_quartiles() -> None:
    def item(score: float, wave: str = "2025", day: str = "2026-03-12") -> Evidence:
        return survey("nss.suggest_improvements", wave, day, score, peer_median=71.3,
                      peer_lower_quartile=69.4, peer_upper_quartile=73.1)

    assert value("improvement.nss_suggest_improvements_band", [item(69.3)]) == 1
    assert value("improvement.nss_suggest_improvements_band", [item(70.2)]) == 2
    assert value("improvement.nss_suggest_improvements_band", [item(70.3)]) == 3
    assert value("improvement.nss_suggest_improvements_band", [item(71.3)]) == 4       # at the median (ladder B)
    assert value("improvement.nss_suggest_improvements_band", [item(73.1)]) == 4       # one wave in the top quartile
    assert value("improvement.nss_suggest_improvements_band", [item(73.1), item(73.5, "2024", "2025-03-13")]) == 5
    staff_group = survey("nss.suggest_improvements", "2025", "2026-03-12", 80.0, peer_median=71.3,
                         group="staff:medical_dental")
    assert value("improvement.nss_suggest_improvements_band", [staff_group]) is None


def test_feedback_used_prefers_the_benchmarked_mandate_item_then_the_proxy() -> None:
    proxy = survey("nss.acts_on_concerns", "2025", "2026-03-12", 73.9, peer_median=72.8,
                   peer_lower_quartile=70.6, peer_upper_quartile=75.0)
    got = val("improvement.nss_feedback_used_band", [proxy])
    assert got is not None and got.value == 4 and got.detail.startswith("nss.acts_on_concerns 2025")
    mandate = survey("nss.patient_feedback_used", "2025", "2026-02-20", 55.0, survey="local",
                     peer_median=58.5, peer_lower_quartile=56.0)
    got = val("improvement.nss_feedback_used_band", [proxy, mandate])
    assert got is not None and got.value == 1 and got.detail.startswith("nss.patient_feedback_used")
    legacy = survey("nss.patient_feedback_used", "2020", "2021-03-11", 66.0, peer_median=62.0)
    assert value("improvement.nss_feedback_used_band", [legacy]) is None               # lapsed long ago


def test_feedback_used_local_pct_only_counts_items_without_peer_figures() -> None:
    pulse = survey("nss.patient_feedback_used", "2025 pulse", "2025-10-20", 63.0, survey="local")
    got = val("improvement.nss_feedback_used_local_pct", [pulse])
    assert got is not None and got.value == 63.0 and "no peer figure" in got.detail
    benchmarked = survey("nss.patient_feedback_used", "2025", "2026-02-20", 55.0, survey="local",
                         peer_median=58.5)
    assert value("improvement.nss_feedback_used_local_pct", [benchmarked]) is None


# ---- document stages ----------------------------------------------------------------------------------

def test_sdm_policy_stage() -> None:
    draft = doc("sdm_policy", None, status="draft")
    assert value("improvement.clinical_sdm_policy_stage", [draft]) == 1
    plain = doc("sdm_policy", "2025-06-12", "2028-06-30")
    got = val("improvement.clinical_sdm_policy_stage", [draft, plain])
    assert got is not None and got.value == 2 and "missing: board-level lead named" in got.detail
    lead = doc("sdm_policy", "2025-06-12", "2028-06-30", contents=["board_lead"])
    assert value("improvement.clinical_sdm_policy_stage", [plain, lead]) == 3
    lapsed = doc("sdm_policy", "2022-01-10", "2025-01-10", contents=["board_lead"])
    assert value("improvement.clinical_sdm_policy_stage", [lapsed]) is None


def test_tna_stage_steps_in_order() -> None:
    covers = ["patient_feedback", "quality_improvement"]
    assert value("improvement.training_tna_stage", [doc("training_needs_analysis", "2025-05-20", "2026-05-31")]) == 2
    assert value("improvement.training_tna_stage", [doc("training_needs_analysis", "2025-05-20", "2026-05-31",
                                            contents=covers)]) == 3
    assert value("improvement.training_tna_stage", [doc("training_needs_analysis", "2025-05-20", "2026-05-31",
                                            contents=covers, coproduced_staff=True)]) == 4
    # co-production without the feedback element does not skip a step
    assert value("improvement.training_tna_stage", [doc("training_needs_analysis", "2025-05-20", "2026-05-31",
                                            coproduced_patients=True)]) == 2


def test_learning_framework_and_template_stages() -> None:
    full = ["complaints", "incidents", "mortality", "patient_feedback"]
    assert value("improvement.qi_learning_framework_stage", [doc("learning_framework", "2024-06-06", "2027-06-30",
                                                     contents=full)]) == 3
    assert value("improvement.qi_learning_framework_stage", [doc("learning_framework", "2024-06-06", "2027-06-30",
                                                     contents=full[:3])]) == 2
    assert value("improvement.change_px_template_stage", [doc("business_case_template", "2024-04-11", "2027-04-30",
                                                  contents=["px_impact_assessment"])]) == 3
    assert value("improvement.change_px_template_stage", [doc("business_case_template", None, status="draft")]) == 1


def test_external_review_favourable() -> None:
    ri = doc("cqc_report", "2024-02-14", contents=[])
    got = val("improvement.board_external_review_favourable", [ri])
    assert got is not None and got.value is False and "not rated good" in got.detail
    good = doc("well_led_review", "2025-11-01", contents=["well_led_good_or_better"])
    assert value("improvement.board_external_review_favourable", [ri, good]) is True
    assert value("improvement.board_external_review_favourable", [doc("cqc_report", "2022-03-01")]) is None  # 36 months


# ---- training coverage ----------------------------------------------------------------------------------

def test_training_coverage_now_and_a_year_ago() -> None:
    items = [training("shared_decision_making", "clinicians", "2025-02-28", 3900, 310),
             training("shared_decision_making", "clinicians", "2026-02-28", 3950, 2054),
             training("shared_decision_making", "frontline", "2026-02-28", 100, 100)]
    got = val("improvement.training_sdm_clinicians_share", items)
    assert got is not None and got.value == near(2054 / 3950)
    assert got.detail == ("2054 of 3950 clinicians completed shared_decision_making "
                          "(52%, record to 2026-02-28)")
    assert value("improvement.training_sdm_clinicians_share_year_ago", items) == near(310 / 3900)
    # a record dated after the assessment date, or ending after it, never counts
    assert value("improvement.training_sdm_clinicians_share", items, as_of=dt.date(2026, 2, 27)) == near(310 / 3900)
    straddling = ev("training_record", "2025-04-01", "2026-08-31", course="shared_decision_making",
                    population="clinicians", population_size=10, completed=9)
    assert value("improvement.training_sdm_clinicians_share", [straddling]) is None
    # 36-month window
    assert value("improvement.training_sdm_clinicians_share", items[:1], as_of=dt.date(2028, 3, 1)) is None


def test_qi_training_uses_the_best_covered_tier_never_a_sum() -> None:
    items = [training("qi_foundation", "frontline", "2026-02-28", 4850, 2020),
             training("qi_practitioner", "frontline", "2026-02-28", 4850, 240)]
    got = val("improvement.training_qi_frontline_share", items)
    assert got is not None and got.value == near(2020 / 4850) and "qi_foundation" in got.detail
    board = [training("qi_board", "board", "2026-02-28", 14, 8)]
    assert value("improvement.board_qi_trained_share", board) == near(8 / 14)


# ---- audited processes, sessions, ideas ---------------------------------------------------------------

def test_audit_shares_sum_the_window_and_the_year_before() -> None:
    items = [proc("care_plan_discussion_audit", "2024-10-01", "2025-03-31", population=150, compliant=118),
             proc("care_plan_discussion_audit", "2025-04-01", "2025-09-30", population=150, compliant=126),
             proc("care_plan_discussion_audit", "2025-10-01", "2026-03-31", population=160, compliant=135),
             proc("care_plan_discussion_audit", "2026-01-01", "2026-06-30", population=999, compliant=0)]
    got = val("improvement.clinical_care_plan_discussion_share_12m", items)
    assert got is not None and got.value == near(261 / 310)
    assert got.detail.startswith("261 of 310 audited records")
    assert value("improvement.clinical_care_plan_discussion_share_prev12m", items) == near(118 / 150)
    assert value("improvement.clinical_care_plan_discussion_share_12m", [proc("sdm_audit", "2025-10-01", "2025-12-31",
                                                                  population=10, compliant=5)]) is None


def test_board_change_sessions_count_board_meetings_only() -> None:
    items = [ev("board_meeting", "2025-06-05", session="private", agenda=["qi_board_development"]),
             ev("board_meeting", "2025-11-06", agenda=["qi_board_development"]),
             ev("board_meeting", "2025-12-04", body="quality_committee", agenda=["qi_board_development"]),
             ev("board_meeting", "2026-01-08"),
             ev("board_meeting", "2025-02-27", agenda=["qi_board_development"])]
    got = val("improvement.board_change_sessions_12m", items)
    assert got is not None and got.value == 2 and got.detail.startswith("2 of 3 board meetings")
    assert value("improvement.board_change_sessions_prev12m", items) == 1


def test_ideas_implemented() -> None:
    items = [proc("ideas_scheme", "2024-10-01", "2025-03-31", population=88, compliant=13),
             proc("ideas_scheme", "2025-04-01", "2025-09-30", population=104, compliant=18),
             proc("ideas_scheme", "2025-10-01", "2026-03-31", population=110, compliant=19)]
    got = val("improvement.qi_ideas_implemented_12m", items)
    assert got is not None and got.value == 37 and got.detail == \
        "37 of 214 ideas put to the staff ideas scheme implemented"
    assert value("improvement.qi_ideas_implemented_prev12m", items) == 13
    closed = proc("ideas_scheme", "2025-10-01", "2026-03-31", in_place=False, population=5, compliant=5)
    assert value("improvement.qi_ideas_implemented_12m", [closed]) is None


# ---- service changes -------------------------------------------------------------------------------------

def test_service_change_shares_by_window() -> None:
    items = [change("2025-02-14", px_impact_assessed=True),                              # previous year
             change("2025-05-14", px_impact_assessed=True, patients_involved_design=True, coproduced=True),
             change("2025-07-09", "2026-01-20", px_impact_assessed=True, post_implementation_review=True),
             change("2025-09-17"),
             change("2026-02-11", "2026-05-01", px_impact_assessed=True)]                 # ends in future
    got = val("improvement.change_px_assessed_share_12m", items)
    assert got is not None and got.value == near(2 / 3)
    assert got.detail == "2 of 3 proposals carried a patient experience impact assessment"
    assert value("improvement.change_px_assessed_share_prev12m", items) == 1.0
    assert value("improvement.change_post_implementation_review_share_12m", items) == near(1 / 3)
    assert value("improvement.change_patients_at_design_share_12m", items) == near(1 / 3)
    assert value("improvement.change_coproduced_share_12m", items) == near(1 / 3)
    assert value("improvement.change_px_assessed_share_12m", items[:1]) is None


# ---- QI projects ------------------------------------------------------------------------------------------

def test_qi_project_counts_and_their_24_month_window() -> None:
    items = [project("2024-11-01", "2025-06-30", method="ebcd", patient_partners=6, outcome_measured=True,
                     improved=True, frontline_led=True),
             project("2025-01-01", "2025-12-31", origin="incident", frontline_led=True, outcome_measured=True,
                     improved=True),
             project("2025-02-01", "2025-10-31", origin="complaint", outcome_measured=True, improved=False),
             project("2022-01-01", "2023-12-31", method="always_events", outcome_measured=True,
                     improved=True)]
    assert value("improvement.qi_codesign_projects_24m", items) == 1
    assert value("improvement.qi_codesign_improved_24m", items) == 1
    assert value("improvement.qi_frontline_improved_24m", items) == 2
    got = val("improvement.qi_feedback_origin_improved_24m", items)
    assert got is not None and got.value == 1 and got.detail.startswith("1 of 3 current QI projects")
    assert value("improvement.qi_codesign_projects_24m", items[3:]) is None


def test_frontline_pdsa_projects_per_1000_staff() -> None:
    staff = training("qi_foundation", "frontline", "2026-02-28", 4000, 1200)
    items = [project("2025-03-01", "2026-01-31", pdsa_cycles=3, frontline_led=True),
             project("2025-03-01", "2026-02-28", pdsa_cycles=5, frontline_led=True, status="completed"),
             project("2025-03-01", "2026-02-28", pdsa_cycles=2, frontline_led=True),
             project("2025-03-01", "2026-02-28", pdsa_cycles=4),
             project("2025-03-01", "2026-02-28", pdsa_cycles=6, frontline_led=True, status="stopped"),
             project("2024-01-01", "2025-03-30", pdsa_cycles=6, frontline_led=True)]
    got = val("improvement.qi_frontline_pdsa_projects_per_1000", [staff, *items])
    assert got is not None and got.value == near(0.5)
    assert got.detail == ("2 frontline-led projects with 3+ PDSA cycles for 4000 frontline staff "
                          "(0.50 per 1,000)")
    assert value("improvement.qi_frontline_pdsa_projects_per_1000", items) is None      # no headcount
    assert value("improvement.qi_frontline_pdsa_projects_per_1000", [staff]) is None    # no projects
