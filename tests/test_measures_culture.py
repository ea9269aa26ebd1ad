"""Unit tests for the Organisational culture measures (5A-8C): values, details, windows, missing evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from builders import EvidenceBuilder

from pxrules.evidence import Evidence, parse_evidence
from pxrules.measures import MEASURES, MeasureValue, compute_measures

ORG = "RXX"
AS_OF = dt.date(2026, 3, 31)
CULTURE_MODULES = ("pxrules.measures.culture", "pxrules.measures.staffing",
                   "pxrules.measures.values", "pxrules.measures.comms")
CULTURE_MEASURES = sorted(n for n, s in MEASURES.items() if s.fn.__module__ in CULTURE_MODULES)


ev = EvidenceBuilder(org=ORG, prefix="t")


def val(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> MeasureValue | None:
    return compute_measures(ORG, as_of, items, names=[name]).get(name)


def value(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> Any:
    got = val(name, items, as_of)
    return None if got is None else got.value


def nss(key: str, wave: str, day: str, score: float, lq: float | None = None, med: float | None = None,
        uq: float | None = None, scale: str = "score10", **extra: Any) -> Evidence:
    return ev("survey_question", day, survey="nss", wave=wave, question_key=key, score=score, scale=scale,
              peer_lower_quartile=lq, peer_median=med, peer_upper_quartile=uq, **extra)


def proc(process: str, start: str, end: str | None = None, **fields: Any) -> Evidence:
    return ev("staff_process", start, end, process=process, **fields)


def doc(doc_type: str, approved: str | None, review: str | None = None, status: str = "approved",
        **fields: Any) -> Evidence:
    return ev.doc(doc_type, approved, review, status, start="2026-01-10", **fields)


def web(page: str, day: str, found: bool = True, **fields: Any) -> Evidence:
    return ev("website_check", day, page=page, found=found, clicks_from_home=1 if found else None,
              checked_by="unit test", **fields)


# ---- every measure: registered with a direction, None without evidence ----------------------------


def test_culture_measures_are_registered_with_a_direction() -> None:
    assert len(CULTURE_MEASURES) >= 60
    for name in CULTURE_MEASURES:
        assert MEASURES[name].better is not None, name


@pytest.mark.parametrize("name", CULTURE_MEASURES)
def test_no_evidence_gives_no_value(name: str) -> None:
    assert val(name, []) is None


@pytest.mark.parametrize("name", CULTURE_MEASURES)
def test_other_organisations_evidence_is_ignored(name: str) -> None:
    other = parse_evidence({"kind": "staff_process", "id": "x1", "org": "RYY", "period_start": "2025-10-01",
                            "source": {"title": "t"}, "process": "letters_copied", "population": 10,
                            "compliant": 9})
    assert val(name, [other]) is None


# ---- 5A --------------------------------------------------------------------------------------------


def test_od_strategy_status_measures() -> None:
    draft = doc("people_strategy", None, status="draft", contents=["px_objectives", "px_measure.a"])
    assert value("culture.od_strategy_exists", [draft]) is True
    assert value("culture.od_strategy_in_date", [draft]) is False
    assert value("culture.od_px_objectives", [draft]) is True
    assert value("culture.od_px_measures", [draft]) == 1
    assert val("culture.od_strategy_coproduced_patients", [draft]) is None  # only an approved strategy counts


def test_od_strategy_lapsed_is_not_in_date() -> None:
    lapsed = doc("od_strategy", "2021-05-01", "2024-05-01", contents=["px_objectives"])
    assert value("culture.od_strategy_exists", [lapsed]) is True
    assert value("culture.od_strategy_in_date", [lapsed]) is False
    assert val("culture.od_px_objectives", [lapsed]) is None


def test_od_px_measures_counts_flags_and_names_them() -> None:
    d = doc("od_strategy", "2024-07-04", "2027-07-04", coproduced_patients=True,
            contents=["px_objectives", "px_measure.nss_q25a", "px_measure.fft_staff", "px_data"])
    got = val("culture.od_px_measures", [d])
    assert got is not None and got.value == 2
    assert "fft_staff" in got.detail and "nss_q25a" in got.detail
    assert value("culture.od_strategy_in_date", [d]) is True
    assert value("culture.od_strategy_coproduced_patients", [d]) is True


def test_compassionate_culture_band_two_waves_in_upper_quartile() -> None:
    w1 = nss("nss.compassionate_culture", "2024", "2024-11-29", 7.45, 7.14, 7.30, 7.41)
    w2 = nss("nss.compassionate_culture", "2025", "2025-11-28", 7.50, 7.14, 7.30, 7.41)
    assert value("culture.nss_compassionate_culture_band", [w2]) == 4  # one wave at the upper quartile is not enough
    got = val("culture.nss_compassionate_culture_band", [w1, w2])
    assert got is not None and got.value == 5 and set(got.evidence_ids) == {w1.id, w2.id}
    assert "7.5" in got.detail


def test_survey_band_rises_with_the_raw_score() -> None:
    bands = [value("culture.nss_acts_on_concerns_band",
                   [nss("nss.acts_on_concerns", "2025", "2025-11-28", s / 100, 6.13, 6.32, 6.47)])
             for s in range(550, 700, 3)]
    assert bands == sorted(bands)
    assert bands[0] == 1 and bands[-1] == 4


def test_survey_wave_in_the_future_is_ignored() -> None:
    future = nss("nss.recognition", "2026", "2026-11-27", 9.0, 5.0, 6.0, 7.0)
    assert val("culture.nss_recognition_band", [future]) is None


# ---- 6A --------------------------------------------------------------------------------------------


def test_local_action_share_and_quarters() -> None:
    audits = [proc("local_feedback_action", s, e, population=60, compliant=c)
              for s, e, c in (("2025-04-01", "2025-06-30", 30), ("2025-07-01", "2025-09-30", 33),
                              ("2025-10-01", "2025-12-31", 34), ("2026-01-01", "2026-03-31", 36))]
    share = val("culture.qi_local_action_team_share_12m", audits)
    assert share is not None and share.value == pytest.approx(133 / 240, abs=1e-6)
    assert "133 of 240" in share.detail
    assert value("culture.qi_local_action_reports_12m", audits) == 4
    assert value("culture.qi_local_action_reports_12m", audits[:3]) == 3


def test_local_action_window_edges() -> None:
    on_edge = proc("local_feedback_action", "2025-01-01", "2025-03-31", population=10, compliant=10)
    inside = proc("local_feedback_action", "2025-01-01", "2025-04-01", population=10, compliant=5)
    assert val("culture.qi_local_action_team_share_12m", [on_edge]) is None  # ended exactly 12 months ago
    assert value("culture.qi_local_action_team_share_12m", [on_edge, inside]) == 0.5
    assert value("culture.qi_local_action_team_share_prev12m", [on_edge]) == 1.0


def test_local_action_in_progress_quarter_is_not_counted() -> None:
    running = proc("local_feedback_action", "2026-03-01", "2026-05-31", population=10, compliant=10)
    assert val("culture.qi_local_action_team_share_12m", [running]) is None


def test_frontline_feedback_projects() -> None:
    def qi(origin: str, **f: Any) -> Evidence:
        return ev("qi_project", "2025-06-01", "2026-01-31", title=f"{origin} project", origin=origin,
                  method="pdsa", **f)

    items = [qi("patient_feedback", frontline_led=True, status="completed", outcome_measured=True,
                improved=True),
             qi("complaint", frontline_led=True, status="completed"),
             qi("complaint", frontline_led=True),
             qi("survey", frontline_led=True, status="planned"),
             qi("audit", frontline_led=True, status="completed", outcome_measured=True),
             qi("patient_feedback", frontline_led=False, status="completed", outcome_measured=True)]
    assert value("culture.qi_frontline_feedback_projects_12m", items) == 3
    share = val("culture.qi_frontline_feedback_outcome_share_12m", items)
    assert share is not None and share.value == 0.5 and "1 of 2 completed" in share.detail
    assert value("culture.qi_frontline_feedback_improved_12m", items) == 1
    assert val("culture.qi_frontline_feedback_outcome_share_12m", items[2:4]) is None  # nothing finished yet


# ---- 6B --------------------------------------------------------------------------------------------


def test_recognition_awards_and_patient_share() -> None:
    items = [proc("staff_recognition", s, e, population=n, compliant=c, with_patients=p)
             for s, e, n, c, p in (("2025-04-01", "2025-09-30", 140, 12, 4),
                                   ("2025-10-01", "2026-03-31", 160, 13, 1),
                                   ("2024-04-01", "2024-09-30", 100, 9, 0))]
    assert value("culture.od_recognition_awards_12m", items) == 25
    assert value("culture.od_recognition_awards_prev12m", items) == 9
    share = val("culture.od_recognition_patient_share_12m", items)
    assert share is not None and share.value == 0.2 and "5 of 25" in share.detail


def test_planned_scheme_is_recorded_but_makes_no_awards() -> None:
    planned = proc("staff_recognition", "2026-01-10", in_place=False)
    assert value("culture.od_recognition_scheme_recorded", [planned]) is True
    assert val("culture.od_recognition_awards_12m", [planned]) is None


def test_board_celebrations_count_the_board_and_its_people_committee() -> None:
    items = [ev("board_meeting", "2025-07-03", agenda=["celebration"]),
             ev("board_meeting", "2025-11-06", agenda=["staff_recognition", "complaints_report"]),
             ev("board_meeting", "2026-01-08"),
             ev("board_meeting", "2025-09-10", body="people_committee", agenda=["celebration"]),
             ev("board_meeting", "2025-09-11", body="quality_committee", agenda=["celebration"])]
    got = val("culture.od_board_celebrations_12m", items)
    assert got is not None and got.value == 3 and "3 of 4" in got.detail


# ---- 6C --------------------------------------------------------------------------------------------


def test_establishment_reviews() -> None:
    items = [proc("establishment_review", "2024-11-01", "2024-12-31", population=40, compliant=36),
             proc("establishment_review", "2025-05-01", "2025-06-30", population=40, compliant=33),
             proc("establishment_review", "2025-11-01", "2025-12-31", population=40, compliant=35),
             proc("establishment_review", "2026-02-01", "2026-02-28", in_place=False)]
    assert value("staffing.establishment_reviews_12m", items) == 2
    assert value("staffing.establishment_reviews_prev12m", items) == 1
    assert value("staffing.establishment_staff_input_share_12m", items) == pytest.approx(68 / 80)


def test_enough_staff_change_needs_two_waves() -> None:
    w1 = nss("nss.enough_staff", "2024", "2024-11-29", 28.4, scale="percent")
    w2 = nss("nss.enough_staff", "2025", "2025-11-28", 31.0, scale="percent")
    assert val("staffing.nss_enough_staff_change", [w2]) is None
    got = val("staffing.nss_enough_staff_change", [w2, w1])
    assert got is not None and got.value == pytest.approx(2.6) and "+2.60" in got.detail


def test_staff_group_rows_are_not_whole_organisation_results() -> None:
    nurses = nss("nss.involved_in_changes", "2025", "2025-11-28", 60.0, 48.9, 51.2, 53.6, scale="percent",
                 group="staff:nursing_midwifery")
    assert val("staffing.nss_involved_in_changes_band", [nurses]) is None


# ---- 6D --------------------------------------------------------------------------------------------


def test_escalation_policy_states() -> None:
    draft = doc("staffing_escalation_policy", None, status="draft")
    approved = doc("staffing_escalation_policy", "2025-02-01", "2028-02-01")
    lapsed = doc("staffing_escalation_policy", "2022-02-01", "2025-02-01")
    assert value("staffing.escalation_policy_exists", [draft]) is True
    assert value("staffing.escalation_policy_in_date", [draft]) is False
    assert value("staffing.escalation_policy_in_date", [lapsed]) is False
    assert value("staffing.escalation_policy_in_date", [approved, lapsed]) is True


def test_staffing_report_months_are_distinct_months_across_bodies() -> None:
    items = [ev("board_meeting", "2025-05-01", staffing_report=True),
             ev("board_meeting", "2025-05-20", body="quality_committee", staffing_report=True),
             ev("board_meeting", "2025-06-26", body="people_committee", staffing_report=True),
             ev("board_meeting", "2025-07-10", body="other_committee", staffing_report=True),
             ev("board_meeting", "2025-09-04"),
             ev("board_meeting", "2024-09-05", staffing_report=True)]
    got = val("staffing.report_months_12m", items)
    assert got is not None and got.value == 2 and "2 of 12 months" in got.detail
    assert value("staffing.report_months_prev12m", items) == 1


def test_fill_months_threshold_is_inclusive() -> None:
    items = [proc("rn_fill_rate", "2025-10-01", "2025-10-31", population=1000, compliant=900),
             proc("rn_fill_rate", "2025-11-01", "2025-11-30", population=1000, compliant=899),
             proc("rn_fill_rate", "2024-11-01", "2024-11-30", population=1000, compliant=950)]
    got = val("staffing.rn_fill_months_12m", items)
    assert got is not None and got.value == 1 and "1 of 2" in got.detail
    assert value("staffing.rn_fill_months_prev12m", items) == 1


def test_red_flags_and_triangulation() -> None:
    flags = proc("red_flag_response", "2025-04-01", "2026-03-31", population=412, compliant=381)
    assert value("staffing.red_flag_response_12m", [flags]) == pytest.approx(381 / 412, abs=1e-6)
    meetings = [ev("board_meeting", "2025-06-05", staffing_report=True, agenda=["staffing_px_triangulation"]),
                ev("board_meeting", "2025-08-07", staffing_report=True)]
    assert value("staffing.px_triangulation_12m", meetings) == 1


# ---- 6E --------------------------------------------------------------------------------------------


def npsp(key: str, score: float, **peers: Any) -> Evidence:
    return ev("survey_question", "2025-05-31", survey="npsp_inpatient", wave="2024", question_key=key,
              scale="score10", score=score, **peers)


def test_compassionate_care_bands() -> None:
    items = [npsp("npsp.ip.involved_in_decisions", 7.5, peer_lower_quartile=7.0, peer_median=7.3,
                  peer_upper_quartile=7.6),
             npsp("npsp.ip.emotional_support", 6.5, peer_lower_quartile=6.8, peer_median=7.1,
                  peer_upper_quartile=7.4),
             npsp("npsp.ip.dignity_respect", 8.9, expected_range="about_same")]
    mean = val("staffing.npsp_compassionate_care_band_mean", items)
    assert mean is not None and mean.value == pytest.approx((4 + 1 + 3) / 3, abs=1e-6)
    assert len(mean.evidence_ids) == 3
    assert value("staffing.npsp_compassionate_care_band_min", items) == 1
    assert val("staffing.npsp_compassionate_care_band_mean", items[:1]) is None  # one item is not enough


def test_spiritual_care_cover() -> None:
    full = proc("spiritual_care_cover", "2025-04-01", "2026-03-31", population=365, compliant=365)
    gaps = proc("spiritual_care_cover", "2025-04-01", "2026-03-31", population=365, compliant=300)
    assert value("staffing.spiritual_care_24_7", [full]) is True
    got = val("staffing.spiritual_care_24_7", [gaps])
    assert got is not None and got.value is False and "300 of 365" in got.detail


# ---- 7A --------------------------------------------------------------------------------------------


def test_values_framework_and_codevelopment() -> None:
    staff_only = doc("values_framework", "2024-03-07", "2027-03-07", coproduced_staff=True)
    both = doc("values_framework", "2025-03-07", "2028-03-07", coproduced_staff=True,
               coproduced_patients=True, contents=["nhs_constitution_values"])
    assert value("values.codeveloped", [staff_only]) is False
    assert value("values.refreshed_with_patients", [staff_only]) is False
    assert value("values.codeveloped", [staff_only, both]) is True
    assert value("values.reflects_constitution", [staff_only, both]) is True
    got = val("values.refreshed_with_patients", [staff_only, both])
    assert got is not None and got.value is True and "2024-03-07" in got.detail


def test_core_docs_share_uses_the_latest_audit() -> None:
    items = [proc("values_document_audit", "2025-05-01", "2025-05-31", population=10, compliant=6),
             proc("values_document_audit", "2025-11-01", "2025-11-30", population=11, compliant=9)]
    got = val("values.core_docs_share", items)
    assert got is not None and got.value == pytest.approx(9 / 11, abs=1e-6) and "9 of 11" in got.detail
    assert val("values.core_docs_share", items, dt.date(2027, 1, 31)) is None  # older than 12 months


def test_values_awareness_and_website() -> None:
    pulse = ev("survey_question", "2025-10-15", survey="local", wave="2025 Q3",
               question_key="local.values_awareness", score=83.0, respondents=912)
    assert value("values.staff_awareness", [pulse]) == pytest.approx(0.83)
    assert value("values.web_values_published_12m", [web("values", "2025-09-01")]) is True
    assert value("values.web_values_published_12m", [web("values", "2025-09-01", found=False)]) is False
    assert val("values.web_values_published_12m", [web("values", "2025-03-01")]) is None  # older than 12 months


# ---- 7B --------------------------------------------------------------------------------------------


def test_values_based_recruitment() -> None:
    items = [proc("values_based_recruitment", "2025-04-01", "2025-09-30", policy_in_date=True, population=210,
                  compliant=118, with_patients=6),
             proc("values_based_recruitment", "2025-10-01", "2026-03-31", policy_in_date=False,
                  population=190, compliant=131, with_patients=9)]
    assert value("values.vbr_share_12m", items) == pytest.approx(249 / 400)
    assert value("values.vbr_patient_panel_share_12m", items) == pytest.approx(15 / 249, abs=1e-6)
    assert value("values.vbr_policy_in_date", items) is False  # the latest record says the policy lapsed
    assert val("values.vbr_share_prev12m", items) is None
    appraisals = proc("values_based_appraisal", "2025-10-01", "2026-03-31", population=120, compliant=104)
    assert value("values.appraisal_share_12m", [appraisals]) == pytest.approx(104 / 120, abs=1e-6)


# ---- 8A --------------------------------------------------------------------------------------------


def test_accessibility_statement() -> None:
    current = web("accessibility_statement", "2025-11-12", content_flags=["reviewed_within_12m"])
    stale = web("accessibility_statement", "2025-06-12")
    assert value("comms.web_a11y_statement_found", [stale]) is True
    assert value("comms.web_a11y_statement_current", [stale]) is False
    assert value("comms.web_a11y_statement_current", [stale, current]) is True
    missing = web("accessibility_statement", "2025-11-12", found=False)
    assert value("comms.web_a11y_statement_found", [missing]) is False


def test_errors_per_page_uses_the_latest_check_of_each_page() -> None:
    items = [web("home", "2025-05-01", accessibility_errors=30, reading_age=14),
             web("home", "2025-11-01", accessibility_errors=4, reading_age=11,
                 content_flags=["commitment_to_patients"]),
             web("pals", "2025-11-01", accessibility_errors=2, reading_age=12.5),
             web("complaints", "2025-11-01", found=False),
             web("home", "2024-11-01", accessibility_errors=10)]
    got = val("comms.web_a11y_errors_per_page_12m", items)
    assert got is not None and got.value == 3.0
    assert "6 automated accessibility errors on 2 pages" in got.detail
    assert value("comms.web_a11y_pages_checked_12m", items) == 2
    assert value("comms.web_a11y_errors_per_page_prev12m", items) == 10.0
    assert value("comms.web_reading_target_share_12m", items) == 0.5
    assert value("comms.web_commitment_stated_12m", items) is True
    assert value("comms.web_user_tested_12m", items) is False
    rated = web("home", "2026-01-05", content_flags=["pif_tick"])
    assert value("comms.web_patient_rated_12m", [*items, rated]) is True


# ---- 8B --------------------------------------------------------------------------------------------


def test_patient_information_measures() -> None:
    items = [doc("patient_information_policy", "2024-10-01", "2027-10-01"),
             proc("patient_information_review", "2025-04-01", "2025-09-30", population=48, compliant=28),
             proc("patient_information_review", "2025-10-01", "2026-03-31", population=52, compliant=34),
             proc("patient_information_library", "2025-09-01", "2025-09-30", population=600, compliant=480),
             proc("patient_information_library", "2026-03-01", "2026-03-31", population=640, compliant=576)]
    assert value("comms.info_policy_in_date", items) is True
    assert value("comms.leaflets_reviewed_share_12m", items) == 0.62
    in_date = val("comms.leaflets_in_date_share", items)
    assert in_date is not None and in_date.value == 0.9 and "576 of 640" in in_date.detail


def test_pif_tick_lapses_at_its_review_date() -> None:
    tick = doc("pif_tick_certificate", "2024-09-01", "2025-09-01")
    assert value("comms.pif_tick_held", [tick], dt.date(2025, 8, 31)) is True
    assert value("comms.pif_tick_held", [tick]) is False


# ---- 8C --------------------------------------------------------------------------------------------


def test_letters_and_ais() -> None:
    items = [proc("letters_copied", "2025-06-01", "2025-06-30", policy_in_date=True, population=200,
                  compliant=148),
             proc("letters_copied", "2025-12-01", "2025-12-31", policy_in_date=True, population=200,
                  compliant=156),
             proc("ais_flag", "2026-01-15"),
             proc("ais_audit", "2025-11-01", "2025-11-30", population=100, compliant=61),
             proc("alternative_format_requests", "2025-04-01", "2026-03-31", population=310, compliant=262)]
    assert value("comms.letters_copied_share_12m", items) == 0.76
    assert value("comms.ais_flag_live", items) is True
    assert value("comms.ais_recorded_share_12m", items) == 0.61
    assert value("comms.alt_format_on_time_share_12m", items) == pytest.approx(262 / 310, abs=1e-6)
    assert value("comms.letters_policy_in_date", items) is True
    assert value("comms.ais_flag_live", [proc("ais_flag", "2026-01-15", in_place=False)]) is False


def test_communication_complaints_ratio_is_per_year_covered() -> None:
    prev = ev("complaints_period", "2024-04-01", "2025-03-31", received=610, by_subject={"communication": 96})
    half = ev("complaints_period", "2025-10-01", "2026-03-31", received=300, by_subject={"communication": 40})
    got = val("comms.communication_complaints_ratio", [prev, half])
    assert got is not None
    assert got.value == pytest.approx((40 * 365 / 182) / (96 * 365 / 365), abs=1e-6)
    assert val("comms.communication_complaints_ratio", [half]) is None
    no_subjects = ev("complaints_period", "2024-04-01", "2025-03-31", received=610,
                     by_subject={"clinical_care": 200})
    assert val("comms.communication_complaints_ratio", [no_subjects, half]) is None
    none_before = ev("complaints_period", "2024-04-01", "2025-03-31", received=610,
                     by_subject={"communication": 0})
    assert val("comms.communication_complaints_ratio", [none_before, half]) is None
