"""Leadership measures (1A-4C): values, detail sentences, window edges and 'no evidence' on small sets."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from builders import EvidenceBuilder

from pxrules.evidence import Evidence
from pxrules.measures import MEASURES, MeasureValue, compute_measures

ORG = "TEST"
AS_OF = dt.date(2026, 3, 31)


ev = EvidenceBuilder(org=ORG, prefix="e")


def value(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> MeasureValue | None:
    return compute_measures(ORG, as_of, items, names=[name]).get(name)


def val(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> Any:
    got = value(name, items, as_of)
    return None if got is None else got.value


def doc(start: str, doc_type: str, **fields: Any) -> Evidence:
    fields.setdefault("title", f"{doc_type} {start}")
    if fields.get("status", "approved") == "approved":
        fields.setdefault("approved_on", start)
    return ev("document", start, doc_type=doc_type, **fields)


def nss(key: str, wave: str, score: float, median: float, *, group: str | None = None,
        lq: float | None = None, uq: float | None = None, scale: str = "percent") -> Evidence:
    year = int(wave)
    return ev("survey_question", f"{year}-09-15", period_end=f"{year}-11-28", survey="nss", wave=wave,
              question_key=key, score=score, peer_median=median, group=group, scale=scale,
              peer_lower_quartile=lq if lq is not None else median - 4,
              peer_upper_quartile=uq if uq is not None else median + 3)


def test_every_leadership_measure_has_no_value_without_evidence() -> None:
    families = ("board.", "committee.", "visits.", "strategy.", "engage.", "leadership.", "appraisal.",
                "clinical.")
    mine = [m for m in MEASURES if m.startswith(families)]
    assert len(mine) >= 45
    got = compute_measures(ORG, AS_OF, [], names=mine)
    assert got == {}


# ---- 3A -------------------------------------------------------------------------------------------------

def test_board_story_shares_and_windows() -> None:
    items = [
        ev("board_meeting", "2025-03-06", patient_story=True, story_presenter="patient"),  # previous window
        ev("board_meeting", "2025-05-01", patient_story=True, story_presenter="carer",
           story_actions_tracked=True,
           px_report_presented=True, px_report_by_exec_lead=True),
        ev("board_meeting", "2025-09-04", patient_story=True, story_presenter="staff"),
        ev("board_meeting", "2026-01-08", px_report_presented=True),
        ev("board_meeting", "2026-04-02", patient_story=True, story_presenter="patient"),  # future: ignored
        ev("board_meeting", "2025-10-16", body="quality_committee", patient_story=True,
           story_presenter="patient"),
    ]
    story = value("leadership.board_story_share_12m", items)
    assert story is not None and story.value == pytest.approx(2 / 3)
    assert story.detail == "2 of 3 board meetings heard a patient story"
    assert val("leadership.board_story_share_prev12m", items) == 1.0
    assert val("leadership.board_px_report_share_12m", items) == pytest.approx(1 / 3)  # not by the exec lead
    assert val("leadership.board_story_in_person_share_12m", items) == 0.5
    assert val("leadership.board_story_actions_tracked_share_12m", items) == 0.5
    assert val("leadership.committee_stories_12m", items) == 1


def test_board_window_edge_is_exactly_twelve_months() -> None:
    edge = [ev("board_meeting", "2025-03-31", patient_story=True, story_presenter="patient"),
            ev("board_meeting", "2025-04-01")]
    # 2025-03-31 is 12 months back: outside the last 12 (open at its start), inside the previous 12.
    assert val("leadership.board_story_share_12m", edge) == 0.0
    assert val("leadership.board_story_share_prev12m", edge) == 1.0


def test_items_recording_one_meeting_count_once_and_private_sessions_are_left_out() -> None:
    items = [
        ev("board_meeting", "2025-05-01", patient_story=True, story_presenter="patient"),
        ev("board_meeting", "2025-05-01", triangulated_report=True),  # the same meeting, recorded again
        ev("board_meeting", "2025-07-03", px_report_presented=True, px_report_by_exec_lead=True),
        ev("board_meeting", "2025-11-06", session="private", agenda=["qi_board_development"]),
    ]
    got = value("leadership.board_story_share_12m", items)
    assert got is not None and got.value == 0.5
    assert got.detail == "1 of 2 board meetings heard a patient story" and len(got.evidence_ids) == 3
    assert val("leadership.board_px_report_share_12m", items) == 0.5


# ---- 3B -------------------------------------------------------------------------------------------------

def test_visit_coverage_sums_logs_and_excludes_old_ones() -> None:
    items = [
        ev("staff_process", "2025-07-01", period_end="2025-09-30", process="leadership_visits",
           population=80, compliant=40, with_patients=10),
        ev("staff_process", "2025-10-01", period_end="2025-12-31", process="leadership_visits",
           population=80, compliant=48, with_patients=12),
        ev("staff_process", "2024-10-01", period_end="2024-12-31", process="leadership_visits",
           population=80, compliant=64),
    ]
    share = value("leadership.visits_areas_share_12m", items)
    assert share is not None and share.value == pytest.approx(88 / 160)
    assert share.detail == "88 of 160 clinical areas visited by a board member (55%)"
    assert val("leadership.visits_areas_share_prev12m", items) == pytest.approx(0.8)
    assert val("leadership.visits_with_patients_share_12m", items) == pytest.approx(22 / 88)


def test_speak_up_band_uses_peer_quartiles() -> None:
    assert val("leadership.visits_nss_speak_up_band", [nss("nss.safe_to_speak_up", "2025", 63.0, 61.8)]) == 4
    assert val("leadership.visits_nss_speak_up_band", [nss("nss.safe_to_speak_up", "2025", 55.0, 61.8)]) == 1
    two = [nss("nss.safe_to_speak_up", "2024", 66.0, 61.0), nss("nss.safe_to_speak_up", "2025", 66.0, 61.8)]
    assert val("leadership.visits_nss_speak_up_band", two) == 5


# ---- 1A / 1B --------------------------------------------------------------------------------------------

def test_strategy_stage_draft_lapsed_approved() -> None:
    draft = doc("2026-01-10", "px_strategy", status="draft", title="PX strategy (draft)")
    lapsed = doc("2022-05-05", "px_strategy", review_due="2025-05-01", approved_by="board",
                 title="PX strategy 2022-25")
    current = doc("2025-06-05", "quality_strategy", review_due="2028-06-01", approved_by="committee",
                  contents=["patient_experience"], coproduced_staff=True, title="Quality strategy")
    assert val("strategy.stage", [draft]) == 1
    got = value("strategy.stage", [draft, lapsed])
    assert got is not None and got.value == 2 and "lapsed (review was due 2025-05-01)" in got.detail
    assert val("strategy.stage", [draft, lapsed, current]) == 3
    assert val("strategy.board_approved", [current]) is False
    assert val("strategy.linked_to_qi", [current]) is True
    assert val("strategy.coproduced_staff", [current]) is True
    assert val("strategy.coproduced_patients", [current]) is False
    assert val("strategy.coproduced_patients", [draft]) is False  # read from the draft
    # a quality strategy that does not cover patient experience is not a patient experience strategy
    assert val("strategy.stage", [doc("2025-06-05", "quality_strategy", contents=["incidents"])]) is None
    # an approved document older than its 36-month validity has lapsed even without a review date
    assert val("strategy.stage", [doc("2022-01-10", "px_strategy")]) == 2


def test_a_stand_alone_strategy_is_preferred_to_a_later_quality_strategy() -> None:
    px = doc("2024-05-02", "px_strategy", approved_by="board", coproduced_patients=True, title="PX strategy")
    quality = doc("2025-07-03", "quality_strategy", approved_by="board", contents=["patient_experience"],
                  title="Quality strategy")
    got = value("strategy.coproduced_patients", [px, quality])
    assert got is not None and got.value is True and got.detail.startswith("'PX strategy'")
    assert val("strategy.linked_to_qi", [px, quality]) is False
    assert val("strategy.linked_to_qi", [quality]) is True


def test_strategy_progress_reports_and_review() -> None:
    items = [
        ev("board_meeting", "2024-07-04", agenda=["strategy_progress"]),
        ev("board_meeting", "2025-05-01", agenda=["strategy_annual_review"]),
        ev("board_meeting", "2025-11-06", body="quality_committee", agenda=["strategy_progress"]),
        ev("board_meeting", "2026-01-08"),
    ]
    got = value("strategy.progress_reports_12m", items)
    assert got is not None and got.value == 2 and "(3 meetings)" in got.detail
    assert val("strategy.progress_reports_prev12m", items) == 1
    assert val("strategy.reviewed_12m", items) is True
    assert val("strategy.reviewed_prev12m", items) is None  # no review and no plan: no evidence
    plan = doc("2024-02-01", "delivery_plan", measures_with_target=6)
    assert val("strategy.reviewed_prev12m", [*items, plan]) is False


def test_delivery_plan_targets_and_on_track() -> None:
    plan = doc("2024-02-01", "px_strategy", contents=["delivery_plan"], measures_with_target=7)
    old = doc("2024-09-05", "strategy_review", measures_with_target=8, measures_on_track=4)
    new = doc("2025-09-04", "strategy_review", measures_with_target=8, measures_on_track=6,
              coproduced_patients=True)
    items = [plan, old, new]
    assert val("strategy.plan_stage", items) == 3
    assert val("strategy.plan_targeted_measures", items) == 7
    on_track = value("strategy.on_track_share", items)
    assert on_track is not None and on_track.value == 0.75
    assert on_track.detail == "6 of 8 impact measures on track at the review of 2025-09-04 (75%)"
    assert val("strategy.on_track_share_prev", items) == 0.5
    assert val("strategy.review_with_patients", items) is True
    assert val("strategy.reviewed_12m", items) is True and val("strategy.reviewed_prev12m", items) is True
    draft_plan = doc("2025-01-01", "delivery_plan", status="draft")
    assert val("strategy.plan_targeted_measures", [draft_plan]) is None


# ---- 1C -------------------------------------------------------------------------------------------------

def test_engagement_measures() -> None:
    programme = doc("2024-04-04", "engagement_programme", contents=["you_said_we_did"])
    changes = [
        ev("service_change", "2024-09-10", reference="BC-88", title="Frailty", key_decision=True,
           engagement_held=True,
           decision_changed_by_engagement=True),
        ev("service_change", "2025-05-10", reference="BC-101", title="Hub", key_decision=True,
           coproduced=True),
        ev("service_change", "2025-08-10", reference="BC-114", title="Wards", key_decision=True),
        ev("service_change", "2025-09-10", reference="CIP-3", title="Stock", key_decision=False),
        ev("service_change", "2025-10-10", reference="BC-120", title="Triage", key_decision=True,
           joint_with_commissioners=True),
    ]
    items = [programme, *changes, ev("board_meeting", "2025-06-05", body="council_of_governors",
                                     agenda=["engagement_report"])]
    share = value("strategy.engage_key_decisions_share_12m", items)
    assert share is not None and share.value == pytest.approx(1 / 3)
    assert share.detail.startswith("1 of 3 key decisions")
    assert val("strategy.engage_key_decisions_share_prev12m", items) == 1.0
    assert val("strategy.engage_programme_stage", items) == 3
    assert val("strategy.engage_you_said_we_did", items) is True
    assert val("strategy.engage_joint_with_commissioners", items) is True  # via the triage decision
    assert val("strategy.engage_joint_with_commissioners", [programme]) is False
    assert val("strategy.engage_reports_12m", items) == 1
    assert val("strategy.engage_decisions_changed_24m", items) == 1
    assert val("strategy.engage_decisions_changed_24m", changes, dt.date(2027, 6, 30)) == 0  # BC-88 is 33 months old


# ---- 2A / 2B --------------------------------------------------------------------------------------------

def test_leadership_programmes_and_completion() -> None:
    a = doc("2024-09-01", "leadership_curriculum", title="Leading teams", contents=["patient_experience"])
    b = doc("2024-09-01", "leadership_curriculum", title="Clinical leaders", contents=[])
    b2 = doc("2025-09-01", "leadership_curriculum", title="Clinical leaders", contents=["patient_experience"],
             coproduced_patients=True)
    old = ev("training_record", "2024-04-01", period_end="2025-02-28", course="leadership_programme",
             population="managers", population_size=400, completed=200)
    new = ev("training_record", "2025-04-01", period_end="2026-02-28", course="leadership_programme",
             population="managers", population_size=420, completed=273)
    other = ev("training_record", "2025-04-01", period_end="2026-02-28", course="px_induction",
               population="all_staff", population_size=5000, completed=4800)
    share = value("people.programmes_px_share", [a, b])
    assert share is not None and share.value == 0.5 and share.detail.endswith("without it: Clinical leaders")
    assert val("people.programmes_px_share", [a, b, b2]) == 1.0  # a programme's later curriculum
    assert val("people.trained_share", [old, new, other]) == pytest.approx(273 / 420)
    assert val("people.trained_share_prev12m", [old, new, other]) == 0.5
    assert val("people.patient_codelivery", [a, b, new]) is False
    assert val("people.patient_codelivery", [a, b2]) is True
    draft = doc("2026-01-01", "leadership_curriculum", status="draft")
    assert val("people.curriculum_stage", [draft]) == 1
    # 0-10 scale: 0.15 below the median is more than 0.1 away (band 2); 0.05 below is "about the median"
    compassion = nss("nss.compassionate_leadership", "2025", 7.15, 7.3, lq=7.05, uq=7.45, scale="score10")
    assert val("people.nss_compassionate_band", [compassion]) == 2
    near = nss("nss.compassionate_leadership", "2025", 7.25, 7.3, lq=7.05, uq=7.45, scale="score10")
    assert val("people.nss_compassionate_band", [near]) == 3


def test_appraisal_policy_scope_and_audits() -> None:
    reval = doc("2024-11-01", "appraisal_policy", contents=["patient_feedback_revalidation"])
    allstaff = doc("2025-11-01", "appraisal_policy", contents=["patient_feedback_all_staff"])
    plain = doc("2025-11-01", "appraisal_policy", contents=[])
    draft = doc("2025-11-01", "appraisal_policy", status="draft", contents=["patient_feedback_all_staff"])
    assert val("people.appraisal_policy_feedback_scope", [reval]) == 2
    assert val("people.appraisal_policy_feedback_scope", [reval, allstaff]) == 3
    assert val("people.appraisal_policy_feedback_scope", [plain]) == 0
    assert val("people.appraisal_policy_feedback_scope", [draft]) == 1
    assert val("people.appraisal_policy_feedback_scope", [ev("attestation", "2026-01-01", statement="x", person="A",
                                                      role="CNO", sub_requirements=["2B"])]) is None
    audits = [
        ev("staff_process", "2025-04-01", period_end="2025-09-30", process="appraisal_with_patient_feedback",
           population=150, compliant=114),
        ev("staff_process", "2024-10-01", period_end="2025-03-30", process="appraisal_with_patient_feedback",
           population=100, compliant=60),
        ev("staff_process", "2025-04-01", period_end="2026-03-31", process="recruitment_panel_patient_member",
           population=24, compliant=13),
    ]
    got = value("people.appraisal_feedback_share_12m", audits)
    assert got is not None and got.value == 0.76
    assert got.detail == "114 of 150 audited appraisals used patient feedback (76%)"
    assert val("people.appraisal_feedback_share_prev12m", audits) == 0.6
    assert val("people.appraisal_panels_patient_share_12m", audits) == pytest.approx(13 / 24)


# ---- 4A / 4B / 4C ---------------------------------------------------------------------------------------

def test_clinical_qia_shares_and_reviews() -> None:
    items = [
        ev("service_change", "2024-06-01", reference="A", title="a", px_impact_assessed=True,
           clinical_signoff=True,
           post_implementation_review=True),
        ev("service_change", "2025-05-12", reference="B", title="b", px_impact_assessed=True,
           clinical_signoff=True,
           clinicians_involved=True),
        ev("service_change", "2025-07-12", reference="C", title="c", px_impact_assessed=True),
        ev("service_change", "2026-05-12", reference="D", title="d", px_impact_assessed=True,
           clinical_signoff=True),
    ]
    qia = value("clinical.changes_qia_share_12m", items)
    assert qia is not None and qia.value == 0.5
    assert qia.evidence_ids == tuple(sorted(e.id for e in items[1:3]))  # the future change D is ignored
    assert val("clinical.changes_qia_share_prev12m", items) == 1.0
    assert val("clinical.changes_clinicians_share_12m", items) == 0.5
    assert val("clinical.post_implementation_reviews_24m", items) == 1
    assert val("clinical.qia_process_stage", [doc("2025-01-01", "qia_policy")]) == 3


def test_survey_bands_take_the_weakest_group() -> None:
    med = nss("nss.involved_in_changes", "2025", 55.2, 52.0, group="staff:medical_dental")
    nur = nss("nss.involved_in_changes", "2025", 49.0, 51.0, group="staff:nursing_midwifery", lq=48.2)
    org = nss("nss.involved_in_changes", "2025", 56.0, 52.0)
    got = value("clinical.nss_involved_band", [med, nur, org])
    assert got is not None and got.value == 2
    assert got.detail.startswith("staff:nursing_midwifery:") and "weakest of 2 groups" in got.detail
    assert val("clinical.nss_involved_band", [org]) == 4  # no breakdown: the whole organisation
    # Q25b is read for doctors only
    assert val("clinical.nss_medical_band", [nss("nss.acts_on_concerns", "2025", 73.5, 71.2,
                                                 group="staff:medical_dental"), nur]) == 4


def test_setting_band_previous_wave_and_gap() -> None:
    items = [
        nss("nss.care_top_priority", "2024", 75.1, 74.2, group="setting:acute"),
        nss("nss.care_top_priority", "2024", 72.0, 74.2, group="setting:community"),
        nss("nss.care_top_priority", "2025", 76.0, 74.6, group="setting:acute"),
        nss("nss.care_top_priority", "2025", 74.9, 74.6, group="setting:community"),
    ]
    assert val("clinical.nss_care_priority_band", items) == 4
    assert val("clinical.nss_care_priority_band_prev", items) == 2
    gap = value("clinical.setting_gap_pts", items)
    assert gap is not None and gap.value == pytest.approx(1.1)
    assert gap.detail == "2025: acute 76.0, community 74.9 (gap 1.1 points)"
    assert val("clinical.setting_gap_pts", items[2:3]) == 0.0  # one setting: no gap
    # a year on, the 2024 wave has lapsed but still counts as the previous wave of 2025
    assert val("clinical.nss_care_priority_band_prev", items, dt.date(2026, 9, 30)) == 2
    assert val("clinical.nss_care_priority_band_prev", items[2:]) is None


def test_clinical_leads_quality_committee_and_qi() -> None:
    leads = [ev("staff_process", d, process="clinical_px_leads", population=6, compliant=n, with_patients=w)
             for d, n, w in [("2025-06-01", 4, 1), ("2025-12-01", 6, 3)]]
    got = value("clinical.px_leads_share", leads)
    assert got is not None and got.value == 1.0 and "6 of 6 clinical divisions" in got.detail  # the latest
    assert val("clinical.px_leads_with_patients_share", leads) == 0.5
    strategy = doc("2024-06-06", "quality_strategy", contents=["patient_experience"])
    assert val("clinical.px_in_quality_strategy", [strategy]) is True
    assert val("clinical.px_equal_domain", [strategy]) is False
    meetings = [ev("board_meeting", d, body="quality_committee", agenda=a) for d, a in [
        ("2024-11-19", ["medical_director_px"]), ("2025-05-20", ["medical_director_px"]),
        ("2025-09-16", []), ("2026-01-20", ["medical_director_px"]), ("2026-02-10", ["medical_director_px"])]]
    meetings.append(ev("board_meeting", "2025-07-03", agenda=["medical_director_px"]))  # the board: ignored
    assert val("clinical.qc_md_px_share_12m", meetings) == 0.75
    assert val("clinical.qc_md_px_share_prev12m", meetings) == 1.0
    projects = [
        ev("qi_project", "2024-06-01", period_end="2025-06-30", title="Discharge letters", origin="complaint",
           method="pdsa", frontline_led=True, px_measure=True, outcome_measured=True, improved=True),
        ev("qi_project", "2025-01-01", title="Noise at night", origin="patient_feedback", method="pdsa",
           px_measure=True, outcome_measured=True, improved=True),
    ]
    qi = value("clinical.px_qi_improved_24m", projects)
    assert qi is not None and qi.value == 1 and qi.detail.startswith("1 of 2 QI projects")
    assert val("clinical.px_qi_improved_24m", projects, dt.date(2027, 8, 1)) is None  # both beyond 24 months
