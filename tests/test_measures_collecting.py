"""Collecting-feedback measures (9A-12C): values, detail sentences, window edges and 'no evidence'."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import pytest
from builders import EvidenceBuilder

from pxrules.evidence import Evidence
from pxrules.measures import MEASURES, MeasureValue, compute_measures

ORG = "TEST"
AS_OF = dt.date(2026, 3, 31)
MODULES = ("fft", "channel", "complaints", "web", "staff")


ev = EvidenceBuilder(org=ORG, prefix="c")


def value(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> MeasureValue | None:
    return compute_measures(ORG, as_of, items, names=[name]).get(name)


def val(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> Any:
    got = value(name, items, as_of)
    return None if got is None else got.value


def month_end(month: str) -> str:
    year, mon = map(int, month.split("-"))
    return f"{month}-{calendar.monthrange(year, mon)[1]:02d}"


def fft(
    setting: str, month: str, responses: int | None, eligible: int | None = None, **fields: Any
) -> Evidence:
    return ev(
        "fft_monthly",
        f"{month}-01",
        period_end=month_end(month),
        setting=setting,
        responses=responses,
        eligible=eligible,
        **fields,
    )


def national(setting: str, month: str, percent: float, **fields: Any) -> Evidence:
    return ev(
        "benchmark",
        f"{month}-01",
        period_end=month_end(month),
        measure=f"fft.response_rate.{setting}",
        value=percent,
        **fields,
    )


def months(first: str, count: int) -> list[str]:
    year, mon = map(int, first.split("-"))
    out = []
    for i in range(count):
        y, m = divmod(year * 12 + mon - 1 + i, 12)
        out.append(f"{y}-{m + 1:02d}")
    return out


def test_collecting_measures_are_registered_with_a_direction_and_none_without_evidence() -> None:
    mine = [s for s in MEASURES.values() if s.fn.__module__.rsplit(".", 1)[-1] in MODULES]
    assert len(mine) >= 80
    assert all(s.better is not None and s.description for s in mine)
    assert compute_measures(ORG, AS_OF, [], names=[s.name for s in mine]) == {}


# ---- 12C: response rate against England ------------------------------------------------------------------


def test_rate_share_compares_same_setting_and_month_and_names_the_numbers() -> None:
    items = [
        fft("ae", "2026-03", 1010, 10000),
        national("ae", "2026-03", 12.8),
        fft("inpatient", "2026-03", 1350, 5000),
        national("inpatient", "2026-03", 22.9),
        national("inpatient", "2026-02", 30.0),
    ]  # a benchmark for a month without a return is unused
    got = value("fft.national_rate_share_3m", items)
    assert got is not None and got.value == 0.5
    assert "A&E response rate 10.1% vs national 12.8% in 2026-03" in got.detail
    assert "inpatient response rate 27.0% vs national 22.9% in 2026-03" in got.detail
    assert "1 of 2 setting-months" in got.detail
    assert val("fft.national_rate_pairs_3m", items) == 2
    assert val("fft.all_settings_meet_national_latest", items) is False


def test_rate_equal_to_national_meets_it_and_share_benchmarks_are_read_as_shares() -> None:
    items = [fft("ae", "2026-02", 1200, 10000), national("ae", "2026-02", 0.12, unit="share")]
    assert val("fft.national_rate_share_3m", items) == 1.0
    assert val("fft.all_settings_meet_national_latest", items) is True


def test_suppressed_counts_are_not_reported_never_zero() -> None:
    items = [
        fft("ae", "2026-01", 1300, 10000),
        national("ae", "2026-01", 12.0),
        fft("ae", "2026-02", None, 10000),
        national("ae", "2026-02", 12.0),
        fft("ae", "2026-03", None, 10000),
        national("ae", "2026-03", 12.0),
    ]
    got = value("fft.national_rate_share_3m", items)
    assert got is not None and got.value == 1.0  # one comparable month, met; the suppressed two are skipped
    assert "responses not reported (suppressed): A&E 2026-02, A&E 2026-03" in got.detail
    assert val("fft.national_rate_pairs_3m", items) == 1


def test_settings_without_eligible_counts_are_excluded_and_named() -> None:
    items = [
        fft("maternity_birth", "2026-03", 140),
        fft("inpatient", "2026-03", 1500, 6000),
        national("inpatient", "2026-03", 23.0),
    ]
    got = value("fft.national_rate_share_6m", items)
    assert got is not None and got.value == 1.0
    assert "not compared (no eligible count reported): maternity birth" in got.detail
    only_maternity = [fft("maternity_birth", "2026-03", 140)]
    assert value("fft.national_rate_share_6m", only_maternity) is None
    assert val("fft.returns_12m", only_maternity) == 1


def test_missing_national_figure_is_reported_not_guessed() -> None:
    items = [fft("ae", "2026-03", 1300, 10000), national("ae", "2026-02", 12.0)]
    assert value("fft.national_rate_share_3m", items) is None
    got = value("fft.national_rate_pairs_3m", [*items, fft("ae", "2026-02", 1100, 10000)])
    assert got is not None and got.value == 1 and "no national figure yet: A&E 2026-03" in got.detail


def test_rate_windows_are_calendar_months() -> None:
    # Six months back from 30 September is April..September: March's return must not sneak in.
    items = [
        fft("ae", "2025-03", 900, 10000),
        national("ae", "2025-03", 12.0),
        fft("ae", "2025-04", 1300, 10000),
        national("ae", "2025-04", 12.0),
    ]
    as_of = dt.date(2025, 9, 30)
    assert val("fft.national_rate_pairs_6m", items, as_of) == 1
    assert val("fft.national_rate_share_6m", items, as_of) == 1.0
    assert val("fft.national_rate_share_12m", items, as_of) == 0.5


def test_previous_year_uses_lapsed_returns_and_benchmarks_and_ignores_site_rows() -> None:
    old = [fft("ae", m, 1300, 10000) for m in months("2024-04", 12)]
    old += [national("ae", m, 12.0) for m in months("2024-04", 12)]
    old.append(fft("ae", "2024-06", 10, 10000, level="site", site_code="RZZ01"))
    assert val("fft.national_rate_share_prev12m", old) == 1.0
    assert val("fft.national_rate_pairs_prev12m", old) == 12
    assert value("fft.national_rate_share_12m", old) is None


def test_future_returns_are_ignored() -> None:
    items = [fft("ae", "2026-04", 1300, 10000), national("ae", "2026-04", 12.0)]
    assert value("fft.national_rate_share_3m", items) is None
    assert value("fft.returns_12m", items) is None


def test_latest_month_per_setting_decides_all_settings_meet() -> None:
    items = [
        fft("ae", "2026-01", 900, 10000),
        national("ae", "2026-01", 12.0),
        fft("ae", "2026-02", 1300, 10000),
        national("ae", "2026-02", 12.0),
        fft("inpatient", "2026-01", 1500, 6000),
        national("inpatient", "2026-01", 23.0),
    ]
    got = value("fft.all_settings_meet_national_latest", items)
    assert got is not None and got.value is True
    assert (
        "2026-02" in got.detail and "inpatient response rate 25.0% vs national 23.0% in 2026-01" in got.detail
    )


# ---- 9A: completeness, participation, real time ----------------------------------------------------------


def test_completeness_counts_gaps_per_setting_and_tolerates_publication_lag() -> None:
    ae = [fft("ae", m, 1200, 10000) for m in months("2025-02", 12)]  # to January 2026
    inpatient = [fft("inpatient", m, 1500, 6000) for m in months("2025-02", 12) if m != "2025-07"]
    got = value("fft.completeness_12m", ae + inpatient)
    assert got is not None and got.value == pytest.approx(23 / 24)
    assert "missing: inpatient 2025-07" in got.detail
    # Three months late is a gap: the window then ends two months before the as-of date.
    lagging = [fft("ae", m, 1200, 10000) for m in months("2024-12", 12)]  # to November 2025
    assert val("fft.completeness_12m", lagging) == pytest.approx(10 / 12)


def test_completeness_counts_a_setting_that_stopped_returning() -> None:
    items = [fft("ae", m, 1200, 10000) for m in months("2025-04", 12)]
    items += [fft("outpatient", m, 3000) for m in months("2024-06", 6)]  # stopped in November 2024
    assert val("fft.completeness_12m", items) == 0.5
    # a year earlier only outpatients ran (A&E started April 2025): June-November of February-January
    assert val("fft.completeness_prev12m", items) == 0.5


def test_npsp_participation_follows_the_settings_run() -> None:
    items = [
        fft("inpatient", "2026-01", 1500, 6000),
        fft("ae", "2026-01", 1200, 10000),
        ev(
            "survey_question",
            "2025-09-10",
            survey="npsp_inpatient",
            wave="2024",
            question_key="npsp.ip.overall",
            score=8.1,
            scale="score10",
        ),
    ]
    got = value("channel.npsp_participation_share_36m", items)
    assert got is not None and got.value == 0.5
    assert "no recent wave for npsp_ue" in got.detail
    # a biennial survey published 30 months ago still counts; one published 37 months ago does not
    items.append(
        ev(
            "survey_question",
            "2023-09-30",
            survey="npsp_ue",
            wave="2022",
            question_key="npsp.ue.overall",
            score=7.5,
            scale="score10",
        )
    )
    assert val("channel.npsp_participation_share_36m", items) == 1.0
    assert val("channel.npsp_participation_share_36m", items, dt.date(2026, 11, 1)) == 0.5


def test_realtime_share_takes_the_best_fast_channel_and_latest_record() -> None:
    items = [
        ev(
            "feedback_channel",
            "2025-04-01",
            channel="realtime_dashboard",
            latency_days=2,
            teams_with_access=50,
            teams_total=100,
        ),
        ev(
            "feedback_channel",
            "2025-10-01",
            channel="realtime_dashboard",
            latency_days=2,
            teams_with_access=85,
            teams_total=100,
        ),
        ev(
            "feedback_channel",
            "2025-10-01",
            channel="paper_survey",
            latency_days=30,
            teams_with_access=100,
            teams_total=100,
        ),
    ]
    got = value("channel.realtime_team_share", items)
    assert got is not None and got.value == 0.85
    assert got.detail == "85 of 100 teams see realtime_dashboard feedback within 2 days (85%)"
    slow = [
        ev(
            "feedback_channel",
            "2025-10-01",
            channel="paper_survey",
            latency_days=30,
            teams_with_access=9,
            teams_total=10,
        )
    ]
    assert value("channel.realtime_team_share", slow) is None


def test_channels_and_accessible_formats_count_the_latest_live_records() -> None:
    items = [
        ev("feedback_channel", "2025-05-01", channel="easy_read", accessible_format=True),
        ev("feedback_channel", "2025-05-01", channel="bsl", accessible_format=True),
        ev("feedback_channel", "2025-11-01", channel="bsl", accessible_format=True, live=False),
        ev("feedback_channel", "2025-05-01", channel="kiosk"),
        ev("feedback_channel", "2024-11-01", channel="qr_code"),
    ]  # lapsed (over 12 months old)
    assert val("channel.accessible_formats", items) == 1
    assert val("channel.live_channels", items) == 2


# ---- 12B: modes ------------------------------------------------------------------------------------------


def test_modes_per_setting_and_non_digital_share() -> None:
    items = [
        fft("inpatient", "2026-02", 300, modes={"sms": 200, "paper_discharge": 60, "tablet_kiosk": 40}),
        fft("ae", "2026-03", 200, modes={"sms": 180, "tablet_kiosk": 20, "telephone": 0}),
        fft("outpatient", "2026-03", 500),
    ]  # no mode data: left out, not "zero modes"
    got = value("channel.fft_min_modes_per_setting_3m", items)
    assert got is not None and got.value == 2
    assert "A&E: 2 (sms, tablet_kiosk)" in got.detail
    assert val("channel.fft_share_settings_3modes_nondigital_3m", items) == 0.5
    assert val("channel.fft_share_settings_digital_3m", items) == 1.0
    assert value("channel.fft_share_settings_3modes_nondigital_prev12m", items) is None
    assert value("channel.fft_min_modes_per_setting_3m", [fft("outpatient", "2026-03", 500)]) is None


# ---- complaints register (10C-10E, 11A) ----------------------------------------------------------------


def quarter(start: str, end: str, **fields: Any) -> Evidence:
    return ev("complaints_period", start, period_end=end, **fields)


def test_handling_rates_use_the_local_register_only() -> None:
    items = [
        quarter("2025-04-01", "2025-09-30", received=100, acknowledged_3wd=95, meeting_offered=80),
        quarter("2025-10-01", "2026-03-31", received=100, acknowledged_3wd=91),
        quarter("2025-04-01", "2026-03-31", source_type="ko41a", received=5000),
    ]
    got = value("complaints.ack_3wd_share_12m", items)
    assert got is not None and got.value == 0.93
    assert got.detail.startswith(
        "186 of 200 complaints acknowledged within 3 working days (93%; local register"
    )
    # the second half did not record meetings: it is left out, not counted as zero
    assert val("complaints.meeting_offered_share_12m", items) == 0.8
    assert value("complaints.ack_3wd_share_12m", items[2:]) is None


def test_a_quarter_inside_a_recorded_year_is_not_counted_twice() -> None:
    items = [
        quarter("2025-04-01", "2026-03-31", received=400, resolved=380, feedback_sought=300),
        quarter("2026-01-01", "2026-03-31", received=100, resolved=95, feedback_sought=20),
    ]
    assert val("complaints.feedback_sought_share_12m", items) == pytest.approx(300 / 380)


def test_action_share_is_capped_and_windows_split_by_period_end() -> None:
    items = [
        quarter(
            "2024-04-01",
            "2025-03-31",
            received=300,
            resolved=290,
            upheld=50,
            partially_upheld=50,
            not_upheld=190,
            actions_recorded=80,
        ),
        quarter(
            "2025-04-01",
            "2026-03-31",
            received=300,
            resolved=290,
            upheld=40,
            partially_upheld=60,
            not_upheld=190,
            actions_recorded=130,
            actions_completed=100,
            actions_reaudited=55,
        ),
    ]
    assert val("complaints.actions_share_12m", items) == 1.0
    assert val("complaints.actions_share_prev12m", items) == 0.8
    assert val("complaints.actions_reaudited_share_12m", items) == 0.55
    assert value("complaints.actions_reaudited_share_prev12m", items) is None
    # a year later the older period has lapsed from the current window
    assert value("complaints.actions_share_12m", items, dt.date(2027, 4, 1)) is None


def test_change_measures_compare_two_years() -> None:
    items = [
        quarter(
            "2024-04-01",
            "2025-03-31",
            received=400,
            resolved=400,
            feedback_sought=400,
            feedback_received=100,
            feedback_satisfied=50,
            local_resolution_concerns=1600,
        ),
        quarter(
            "2025-04-01",
            "2026-03-31",
            received=400,
            resolved=400,
            feedback_sought=400,
            feedback_received=100,
            feedback_satisfied=60,
            local_resolution_concerns=2400,
        ),
    ]
    got = value("complaints.satisfied_change_pts", items)
    assert got is not None and got.value == 10.0 and "+10.0 points" in got.detail
    assert val("complaints.local_resolution_share_12m", items) == pytest.approx(2400 / 2800)
    assert val("complaints.local_resolution_change_pts", items) == pytest.approx(5.7, abs=0.05)
    assert value("complaints.satisfied_change_pts", items[1:]) is None


def test_top_theme_change_falls_back_to_ko41a_subjects() -> None:
    items = [
        quarter(
            "2024-04-01",
            "2025-03-31",
            source_type="ko41a",
            received=400,
            by_subject={"communications": 120, "clinical_treatment": 100, "other": 180},
        ),
        quarter(
            "2025-04-01",
            "2026-03-31",
            source_type="ko41a",
            received=400,
            by_subject={"communications": 100, "clinical_treatment": 110, "other": 190, "waiting": None},
        ),
    ]
    got = value("complaints.top_theme_share_change_pts", items)
    assert got is not None and got.value == -5.0
    assert got.detail.startswith("communications: 25% of complaints by subject in the last 12 months vs 30%")
    assert "ko41a" in got.detail


def test_policy_states() -> None:
    draft = ev(
        "document", "2025-06-01", doc_type="complaints_policy", title="Complaints policy", status="draft"
    )
    assert val("complaints.policy_drafted", [draft]) is True
    assert value("complaints.policy_in_date", [draft]) is None
    lapsed = ev(
        "document",
        "2022-01-10",
        doc_type="complaints_policy",
        title="Complaints policy",
        approved_on="2022-01-10",
        review_due="2025-01-10",
        coproduced_patients=True,
    )
    got = value("complaints.policy_in_date", [lapsed])
    assert got is not None and got.value is False and "lapsed" in got.detail
    current = ev(
        "document",
        "2025-02-01",
        doc_type="complaints_policy",
        title="Complaints policy v7",
        approved_on="2025-02-01",
        review_due="2028-02-01",
    )
    assert val("complaints.policy_in_date", [lapsed, current]) is True
    assert val("complaints.policy_coproduced", [lapsed, current]) is False


def test_display_audits_overall_and_community() -> None:
    items = [
        ev(
            "staff_process",
            "2025-10-01",
            period_end="2025-10-31",
            process="complaints_info_display",
            population=50,
            compliant=48,
            area="acute wards",
        ),
        ev(
            "staff_process",
            "2025-10-01",
            period_end="2025-10-31",
            process="complaints_info_display",
            population=20,
            compliant=17,
            area="Community services",
        ),
        ev(
            "staff_process",
            "2024-10-01",
            period_end="2024-10-31",
            process="complaints_info_display",
            population=50,
            compliant=30,
        ),
    ]
    got = value("complaints.display_share_12m", items)
    assert got is not None and got.value == pytest.approx(65 / 70)
    assert val("complaints.display_community_share_12m", items) == 0.85
    assert val("complaints.display_share_prev12m", items) == 0.6


def test_committee_reports_and_complaint_channels() -> None:
    items = [
        ev("board_meeting", "2025-06-01", body="quality_committee", complaints_themes_reported=True),
        ev("board_meeting", "2025-12-01", body="quality_committee", agenda=["complaints_report"]),
        ev("board_meeting", "2026-02-01", body="board"),
        ev("board_meeting", "2025-02-01", body="quality_committee", complaints_themes_reported=True),
    ]
    got = value("complaints.committee_reports_12m", items)
    assert got is not None and got.value == 2 and got.detail.startswith("2 of 3")
    channels = [
        ev("feedback_channel", "2025-10-01", channel=c) for c in ("pals", "complaints_online", "kiosk")
    ]
    assert val("complaints.channels", channels) == 2


# ---- website (10B, 12A) -----------------------------------------------------------------------------------


def check(day: str, page: str, clicks: int | None, flags: list[str] | None = None, **fields: Any) -> Evidence:
    return ev(
        "website_check",
        day,
        page=page,
        found=clicks is not None,
        clicks_from_home=clicks,
        checked_by="unit test",
        content_flags=flags or [],
        **fields,
    )


def test_latest_complaints_check_decides_clicks_and_an_accessibility_sweep_keeps_content() -> None:
    content = ["how_to_complain", "timescales", "advocacy", "pals_contact", "phso", "easy_read"]
    items = [check("2025-06-01", "complaints", 3, content), check("2025-11-12", "complaints", 2)]
    got = value("web.complaints_clicks", items)
    assert got is not None and got.value == 2
    assert val("web.complaints_content_share", items) == 1.0
    assert val("web.complaints_accessible", items) is True
    missing = [check("2025-06-01", "complaints", 2, ["how_to_complain", "phso"])]
    got = value("web.complaints_content_share", missing)
    assert got is not None and got.value == 0.4 and "missing timescales, advocacy, pals_contact" in got.detail


def test_page_not_found_at_the_latest_check() -> None:
    items = [
        check("2025-06-01", "complaints", 1, ["how_to_complain"]),
        check("2026-02-01", "complaints", None),
    ]
    assert val("web.complaints_page_found", items) is False
    assert value("web.complaints_clicks", items) is None
    assert value("web.complaints_content_share", items) is None
    assert value("web.complaints_clicks", [check("2025-03-01", "complaints", 1)]) is None  # over 12 months


def test_one_click_sustained_needs_two_checks_six_months_apart() -> None:
    two = [
        check("2025-05-01", "complaints", 1),
        check("2025-12-01", "complaints", 1, ["tested_with_patients"]),
    ]
    assert val("web.complaints_one_click_sustained", two) is True
    assert val("web.complaints_tested_with_patients", two) is True
    close = [check("2025-10-01", "complaints", 1), check("2026-01-01", "complaints", 1)]
    assert val("web.complaints_one_click_sustained", close) is False
    slipped = [check("2025-05-01", "complaints", 2), *two]
    assert val("web.complaints_one_click_sustained", slipped) is False


def test_feedback_routes_and_healthwatch_or_its_successor() -> None:
    items = [
        check("2025-09-01", "feedback", 1,
              ["fft", "care_opinion", "independent_patient_voice", "commitment_to_patients"]),
        check("2025-09-01", "pals", 2),
        check("2025-09-01", "complaints", None),
    ]
    got = value("web.feedback_routes", items)
    assert got is not None and got.value == 5
    assert (
        got.detail
        == "5 feedback routes on the website: care_opinion, feedback, fft, independent_patient_voice, pals"
    )
    assert val("web.healthwatch_named", items) is True
    assert val("web.healthwatch_named", [check("2025-09-01", "pals", 2)]) is False
    assert value("web.feedback_routes", [check("2025-09-01", "values", 2)]) is None


def test_asked_for_feedback_band_uses_ladder_b() -> None:
    items = [
        ev(
            "survey_question",
            "2025-09-10",
            survey="npsp_inpatient",
            wave="2024",
            question_key="npsp.ip.asked_for_feedback",
            score=2.3,
            scale="score10",
            peer_lower_quartile=1.6,
            peer_median=1.9,
            peer_upper_quartile=2.3,
        )
    ]
    got = value("web.npsp_ip_asked_for_feedback_band", items)
    assert got is not None and got.value == 4  # top quartile in one wave only


# ---- guidance, candour, training, impact (9B, 11B, 11C) -----------------------------------------------


def test_guidance_review_and_gap_analysis() -> None:
    items = [
        ev(
            "document",
            "2025-06-01",
            doc_type="px_guidance_gap_analysis",
            title="Gap analysis",
            status="draft",
        ),
        ev(
            "staff_process",
            "2025-11-01",
            period_end="2025-11-30",
            process="px_guidance_review",
            population=14,
            compliant=11,
        ),
    ]
    assert val("staff.px_guidance_gap_analysis", items) is True
    assert value("staff.px_guidance_gap_analysis_approved", items) is None
    got = value("staff.px_guidance_met_share_12m", items)
    assert got is not None and got.value == pytest.approx(11 / 14)
    assert got.detail == "11 of 14 guidance statements audited as met (79%)"


def test_candour_audits_training_reports_survey_and_family_feedback() -> None:
    items = [
        ev(
            "staff_process",
            "2025-04-01",
            period_end="2025-09-30",
            process="duty_of_candour_audit",
            population=20,
            compliant=19,
        ),
        ev(
            "staff_process",
            "2025-10-01",
            period_end="2026-03-31",
            process="duty_of_candour_audit",
            population=20,
            compliant=20,
        ),
        ev(
            "staff_process",
            "2024-10-01",
            period_end="2025-03-31",
            process="duty_of_candour_written",
            population=10,
            compliant=8,
        ),
        ev(
            "training_record",
            "2025-12-31",
            course="duty_of_candour",
            population="clinicians",
            population_size=200,
            completed=180,
        ),
        ev(
            "training_record",
            "2025-12-31",
            course="duty_of_candour",
            population="managers",
            population_size=10,
            completed=10,
        ),
        ev("board_meeting", "2025-11-01", body="quality_committee", agenda=["duty_of_candour_report"]),
        ev(
            "staff_process",
            "2026-01-01",
            period_end="2026-03-31",
            process="duty_of_candour_feedback",
            population=5,
            compliant=0,
        ),
    ]
    assert val("staff.candour_verbal_share_12m", items) == 0.975
    assert value("staff.candour_written_share_12m", items) is None
    assert val("staff.candour_written_share_prev12m", items) == 0.8
    got = value("staff.candour_training_coverage", items)
    assert got is not None and got.value == 0.9  # managers are not a patient-facing population
    assert val("staff.candour_board_reports_12m", items) == 1
    assert val("staff.candour_family_feedback_12m", items) is False


def test_training_with_patient_feedback() -> None:
    items = [
        ev(
            "training_record",
            "2025-03-15",
            course="customer_care",
            population="frontline",
            population_size=1000,
            completed=600,
            includes_patient_feedback=True,
        ),
        ev(
            "training_record",
            "2026-03-15",
            course="customer_care",
            population="frontline",
            population_size=1000,
            completed=850,
            includes_patient_feedback=True,
            co_delivered_by_patients=True,
        ),
        ev(
            "training_record",
            "2026-03-15",
            course="px_induction",
            population="new_starters",
            population_size=100,
            completed=95,
            includes_patient_feedback=True,
        ),
    ]
    got = value("staff.training_px_feedback_coverage", items)
    assert got is not None and got.value == 0.85
    assert got.detail.startswith("850 of 1000 frontline staff completed customer_care (85%)")
    assert val("staff.training_px_feedback_coverage_prev12m", items) == 0.6
    assert val("staff.training_px_induction_feedback", items) is True
    assert val("staff.training_patient_co_delivered", items) is True
    assert val("staff.training_patient_co_delivered", items[:1]) is False
    complaints = [
        ev(
            "training_record",
            "2026-01-31",
            course="local_resolution",
            population="frontline",
            population_size=400,
            completed=300,
        )
    ]
    assert val("staff.training_complaints_handling_coverage", complaints) == 0.75


def test_impact_counts_improved_projects_by_origin_within_24_months() -> None:
    def project(start: str, origin: str, improved: bool) -> Evidence:
        return ev(
            "qi_project",
            start,
            title=f"{origin} project",
            origin=origin,
            method="pdsa",
            outcome_measured=True,
            improved=improved,
        )

    items = [
        project("2025-06-01", "patient_feedback", True),
        project("2025-06-01", "survey", False),
        project("2025-06-01", "complaint", True),
        project("2023-06-01", "complaint", True),
    ]
    assert val("staff.qi_from_feedback_improved_24m", items) == 1
    got = value("staff.qi_from_complaints_improved_24m", items)
    assert got is not None and got.value == 1 and got.detail.startswith("1 of 1 complaint-led")
    assert value("staff.qi_from_feedback_improved_24m", items[2:]) is None


def test_england_scope_wins_over_england_excluding_independent_providers() -> None:
    items = [
        fft("ae", "2026-03", 1250, 10000),
        national("ae", "2026-03", 12.0, scope="england"),
        national("ae", "2026-03", 13.0, scope="england_nhs"),
    ]
    got = value("fft.national_rate_share_3m", items)
    assert got is not None and got.value == 1.0
    assert "vs national 12.0% in 2026-03" in got.detail
