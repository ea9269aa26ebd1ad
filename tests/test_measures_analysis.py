"""Analysis and triangulation measures (13A-16C): values, detail sentences, window edges, no-evidence None."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from builders import EvidenceBuilder
from hypothesis import given, settings
from hypothesis import strategies as st

from pxrules.evidence import Evidence, parse_evidence
from pxrules.evidence.vocabulary_codes import CHANNELS
from pxrules.measures import MEASURES, EvidenceView, Result

AS_OF = dt.date(2026, 3, 31)
MODULES = ("pxrules.measures.analysis", "pxrules.measures.frontline")

CHANNEL_CODES = sorted(CHANNELS.labels)  # distinct real channel codes


ev = EvidenceBuilder(org="TEST", prefix="t")


def run(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> Result | None:
    return MEASURES[name].fn(EvidenceView("TEST", as_of, items))


def value(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> Any:
    result = run(name, items, as_of)
    assert result is not None, f"{name} gave no value"
    return result.value


def report(
    day: str,
    *,
    title: str = "PX report",
    status: str = "approved",
    contents: list[str] | None = None,
    doc_type: str = "integrated_px_report",
    period_start: str | None = None,
) -> Evidence:
    approved = {"approved_on": day} if status != "draft" else {}
    return ev(
        "document",
        doc_type=doc_type,
        title=title,
        status=status,
        period_start=period_start or day,
        contents=contents or [],
        **approved,
    )


def audit(process: str, start: str, population: int | None, compliant: int | None, **more: Any) -> Evidence:
    return ev(
        "staff_process",
        process=process,
        period_start=start,
        population=population,
        compliant=compliant,
        **more,
    )


def qi(title: str, start: str = "2025-06-01", **more: Any) -> Evidence:
    fields = {"origin": "patient_feedback", "method": "pdsa", **more}
    return ev("qi_project", title=title, period_start=start, **fields)


def ours() -> list[str]:
    """The measures this section's modules define (other sections share some name prefixes)."""
    names = sorted(n for n, spec in MEASURES.items() if spec.fn.__module__ in MODULES)
    assert len(names) >= 40
    return names


@pytest.mark.parametrize("name", ours())
def test_every_measure_is_none_without_evidence(name: str) -> None:
    assert run(name, []) is None


@pytest.mark.parametrize("name", ours())
def test_every_numeric_measure_declares_a_direction(name: str) -> None:
    spec = MEASURES[name]
    assert spec.better is not None, name
    assert set(spec.kinds) <= {
        "document",
        "staff_process",
        "qi_project",
        "board_meeting",
        "feedback_channel",
        "survey_question",
    }


# ---------------------------------------------------------------- 13A


def test_integrated_reports_are_windowed_by_the_day_they_were_issued() -> None:
    items = [
        report("2025-03-31", title="exactly 12 months back"),  # excluded: the window is (as_of - 12m, as_of]
        report("2025-04-01", title="one day inside"),
        report("2026-03-31", title="on the day"),
        report("2026-04-02", title="issued after as_of", period_start="2026-01-01"),
        report("2025-10-01", title="a draft", status="draft"),
    ]
    result = run("analysis.integrated_reports_12m", items)
    assert result is not None and result.value == 2
    assert result.detail == "2 integrated patient experience reports in the last 12 months"
    assert value("analysis.integrated_reports_prev12m", items) == 1


def test_a_quarterly_report_presented_after_the_quarter_counts_when_presented() -> None:
    # Four quarterly reports, each presented the month after the quarter: all four fall in 12 months.
    items = [
        report(d, period_start=p)
        for d, p in [
            ("2025-04-24", "2025-01-01"),
            ("2025-07-24", "2025-04-01"),
            ("2025-10-23", "2025-07-01"),
            ("2026-01-22", "2025-10-01"),
        ]
    ]
    assert value("analysis.integrated_reports_12m", items) == 4


def test_report_sources_reads_the_latest_report_and_names_the_strands() -> None:
    items = [
        report("2025-06-01", contents=["source.fft", "source.complaints", "source.pals", "source.npsp"]),
        report(
            "2026-01-15",
            title="PX report Q3",
            contents=["source.fft", "source.complaints", "free_text_themes", "px_data"],
        ),
    ]
    result = run("analysis.report_sources", items)
    assert result is not None and result.value == 2
    assert "PX report Q3" in result.detail and "fft, complaints" in result.detail
    assert value("analysis.free_text_analysed", items) is True
    assert value("analysis.free_text_analysed", items[:1]) is False


def test_theme_log_shares_sum_audits_in_the_window() -> None:
    items = [
        audit("px_theme_log", "2025-06-01", 10, 5),
        audit("px_theme_log", "2025-12-01", 10, 9),
        audit("px_theme_log", "2025-02-01", 10, 0),  # ended more than 12 months before as_of
        audit("px_theme_log", "2025-09-01", 0, 0),
    ]  # an empty audit says nothing
    result = run("analysis.themes_actioned_share_12m", items)
    assert result is not None and result.value == pytest.approx(0.7)
    assert result.detail == "14 of 20 feedback themes had a named owner and action (70%)"
    closed = [audit("px_theme_actions_closed", "2025-11-01", 8, 6)]
    assert value("analysis.theme_actions_closed_share_12m", closed) == pytest.approx(0.75)


def test_previous_window_reads_lapsed_audits() -> None:
    items = [
        audit("fft_comments_coded", "2024-10-01", 1000, 930),
        audit("fft_comments_coded", "2025-10-01", 1000, 800),
    ]
    assert value("analysis.fft_comments_coded_share_12m", items) == pytest.approx(0.8)
    result = run("analysis.fft_comments_coded_share_prev12m", items)
    assert result is not None and result.value == pytest.approx(0.93)
    assert "previous 12 months" in result.detail


def test_feedback_impact_counts_only_measured_improvements_from_feedback() -> None:
    items = [
        qi("A", outcome_measured=True, improved=True),
        qi("B", origin="incident", outcome_measured=True, improved=True, px_measure=True),
        qi("C", outcome_measured=True, improved=False),
        qi("D", improved=True),  # improved without a measured outcome does not count
    ]
    result = run("analysis.feedback_qi_impact_24m", items)
    assert result is not None and result.value == 1 and "(A)" in result.detail
    assert value("analysis.qi_impact_24m", items) == 1
    lapsed = qi("old", start="2023-01-01", period_end="2024-01-01", outcome_measured=True, improved=True)
    assert value("analysis.feedback_qi_impact_24m", [lapsed, qi("new")]) == 0


# ---------------------------------------------------------------- 13B


def test_analysts_and_support_read_the_latest_audit() -> None:
    items = [audit("px_analyst_posts", "2025-06-01", 0, 0), audit("px_analyst_posts", "2026-01-15", 2, 1)]
    result = run("analysis.px_analysts_in_post", items)
    assert result is not None and result.value == 1
    assert result.detail == "1 of 2 funded dedicated analyst posts filled (2026-01-15)"
    assert value("analysis.analytics_support", items) is True
    assert value("analysis.px_analysts_in_post", items[:1]) == 0


def test_dashboard_refresh_and_flags() -> None:
    live = report(
        "2025-05-15",
        doc_type="px_dashboard",
        title="Dashboard",
        contents=["refresh.monthly", "refresh.weekly", "free_text"],
    )
    assert value("analysis.dashboard_refresh_days", [live]) == 7
    assert value("analysis.free_text_to_teams", [live]) is True
    assert value("analysis.dashboard_self_service", [live]) is False
    draft = report("2025-05-15", doc_type="px_dashboard", status="draft", contents=["refresh.daily"])
    future = report(
        "2026-04-10", doc_type="px_dashboard", contents=["refresh.daily"], period_start="2026-03-01"
    )
    assert run("analysis.dashboard_refresh_days", [draft, future]) is None
    unflagged = report("2025-05-15", doc_type="px_dashboard")
    assert run("analysis.dashboard_refresh_days", [unflagged]) is None


def test_feedback_qi_projects_started_in_12_months() -> None:
    items = [
        qi("new from feedback", start="2025-06-01"),
        qi("new from audit", start="2025-07-01", origin="audit"),
        qi("older", start="2025-01-01", origin="survey"),
    ]
    result = run("analysis.feedback_qi_projects_12m", items)
    assert result is not None and result.value == 1
    assert result.detail == "1 of 2 QI projects started in 12 months came from feedback"


# ---------------------------------------------------------------- 14A


def meeting(day: str, **more: Any) -> Evidence:
    return ev("board_meeting", period_start=day, **more)


def test_triangulation_at_board_and_committee() -> None:
    items = [
        meeting("2025-05-01", px_report_presented=True, triangulated_report=True),
        meeting("2025-09-01", px_report_presented=True),
        meeting("2025-11-01"),
        meeting("2026-01-10", px_report_presented=True, triangulated_report=True),
        meeting(
            "2025-06-12",
            body="quality_committee",
            triangulated_report=True,
            agenda=["staff_survey_triangulation"],
        ),
        meeting("2025-07-01", body="people_committee", triangulated_report=True),
        meeting("2024-12-01", triangulated_report=True),
    ]  # previous 12 months
    assert value("analysis.triangulation_board_share_12m", items) == pytest.approx(0.5)
    assert value("analysis.triangulation_px_reported_share_12m", items) == pytest.approx(0.75)
    result = run("analysis.triangulation_reports_12m", items)
    assert result is not None and result.value == 3
    assert result.detail == "3 triangulated reports at 5 board and quality committee meetings"
    assert value("analysis.triangulation_staff_survey_included", items) is True
    assert value("analysis.triangulation_staff_survey_included", items[:4]) is False
    assert value("analysis.triangulation_board_share_prev12m", items) == 1
    assert value("analysis.triangulation_reports_12m", items[1:3]) == 0


def test_ward_tool_share() -> None:
    items = [audit("ward_accreditation", "2025-04-01", 44, 33, period_end="2026-03-31")]
    assert value("analysis.triangulation_ward_tool_share_12m", items) == pytest.approx(0.75)


# ---------------------------------------------------------------- 15A, 15B


def test_early_warning_measures() -> None:
    draft = report("2025-06-01", doc_type="early_warning_procedure", status="draft")
    assert value("frontline.warning_procedure_drafted", [draft]) is True
    items = [
        audit("px_data_review", "2025-10-01", None, None, in_place=True),
        audit("spc_px_alerts", "2025-12-01", 40, 37),
        audit("px_alert_response", "2025-06-01", 5, 2),
        audit("px_alert_response", "2025-12-01", 7, 6),
        audit("px_alert_response", "2026-02-01", 0, 0),
    ]
    assert value("frontline.warning_monthly_review", items) is True
    assert value("analysis.warning_spc_ward_share_12m", items) == pytest.approx(0.925)
    result = run("frontline.warning_alerts_logged_12m", items)
    assert result is not None and result.value == 12
    assert result.detail == "12 early-warning alerts logged in 3 alert-log reviews"
    assert value("analysis.warning_alerts_acted_30d_share_12m", items) == pytest.approx(8 / 12)
    catches = [
        qi("Ward 9 dip", early_warning_trigger=True, outcome_measured=True, improved=True),
        qi("other"),
    ]
    assert value("frontline.warning_early_catch_impact_24m", catches) == 1


def test_variation_measures() -> None:
    projects = [qi("a", px_measure=True), qi("b"), qi("c"), qi("stopped", status="stopped", px_measure=True)]
    result = run("frontline.qi_px_measure_share_24m", projects)
    assert result is not None and result.value == pytest.approx(1 / 3)
    assert result.detail == "1 of 3 current QI projects track a patient experience measure"
    analyses = [
        report("2025-05-01", doc_type="variation_analysis", contents=["protected_characteristics"]),
        report("2026-02-01", doc_type="variation_analysis", title="By ward", contents=["variation_reduced"]),
        report("2024-11-01", doc_type="variation_analysis"),
    ]
    assert value("analysis.variation_analyses_12m", analyses) == 2
    assert value("analysis.variation_analyses_prev12m", analyses) == 1
    assert value("frontline.equality_analyses_12m", analyses) == 1
    assert value("frontline.variation_reduced", analyses) is True
    assert value("frontline.variation_reduced", analyses[:1]) is False


# ---------------------------------------------------------------- 16A-16C


def channel(name: str, latency: float | None, teams: int, total: int = 100, **more: Any) -> Evidence:
    return ev(
        "feedback_channel",
        channel=name,
        period_start=more.pop("start", "2025-11-01"),
        latency_days=latency,
        teams_with_access=teams,
        teams_total=total,
        **more,
    )


def test_reach_within_days_takes_the_best_qualifying_channel() -> None:
    items = [
        channel("fft_sms", 2, 90),
        channel("monthly_team_report", 25, 98),
        channel("paper_cards", None, 99),
        channel("kiosk", 1, 100, live=False),
    ]
    assert value("frontline.team_access_share", items) == pytest.approx(0.99)
    assert value("frontline.teams_within_31d_share", items) == pytest.approx(0.98)
    result = run("frontline.teams_within_7d_share", items)
    assert result is not None and result.value == pytest.approx(0.9)
    assert result.detail == "90 of 100 teams see fft_sms feedback within 2 days (90%)"
    assert value("frontline.teams_within_2d_share", items) == pytest.approx(0.9)
    slow = [channel("quarterly_team_report", 45, 100)]
    result = run("frontline.teams_within_31d_share", slow)
    assert result is not None and result.value == 0.0 and "within 31 days" in result.detail


def test_reach_uses_the_latest_record_of_each_channel_and_the_previous_window() -> None:
    items = [
        channel("fft_sms", 5, 60, start="2025-06-01"),
        channel("fft_sms", 3, 95, start="2025-12-01"),
        channel("fft_sms", 4, 91, start="2024-12-01"),
    ]
    assert value("frontline.teams_within_7d_share", items) == pytest.approx(0.95)
    assert value("frontline.teams_within_7d_share_prev12m", items) == pytest.approx(0.91)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.one_of(st.none(), st.integers(0, 60)), st.integers(0, 50), st.booleans()),
        min_size=1,
        max_size=5,
    ),
    st.tuples(st.one_of(st.none(), st.integers(0, 60)), st.integers(0, 50), st.booleans()),
)
def test_adding_a_channel_never_lowers_reach(
    existing: list[tuple[int | None, int, bool]], extra: tuple[int | None, int, bool]
) -> None:
    def build(specs: list[tuple[int | None, int, bool]]) -> list[Evidence]:
        return [channel(CHANNEL_CODES[i], lat, teams, 50, live=live) for i, (lat, teams, live) in enumerate(specs)]

    for name in (
        "frontline.team_access_share",
        "frontline.teams_within_7d_share",
        "frontline.teams_within_31d_share",
    ):
        before = run(name, build(existing))
        after = run(name, build([*existing, extra]))
        if before is not None:
            assert after is not None and after.value >= before.value, name


def test_team_discussion_frontline_qi_and_survey_band() -> None:
    items = [audit("team_feedback_discussion", "2025-10-01", 50, 45)]
    assert value("analysis.team_discussion_share_12m", items) == pytest.approx(0.9)
    projects = [
        qi("ward-led", frontline_led=True),
        qi("corporate"),
        qi("ward audit", frontline_led=True, origin="audit"),
        qi("finished long ago", start="2024-01-01", period_end="2025-02-01", frontline_led=True),
    ]
    result = run("frontline.frontline_feedback_qi_12m", projects)
    assert result is not None and result.value == 1
    assert result.detail == "1 of 3 recent QI projects were frontline-led from feedback"
    survey = [
        ev(
            "survey_question",
            survey="nss",
            wave="2025",
            question_key="nss.acts_on_concerns",
            period_start="2025-10-01",
            period_end="2025-12-31",
            score=70.2,
            peer_lower_quartile=65.1,
            peer_median=68.0,
            peer_upper_quartile=71.3,
        )
    ]
    assert value("frontline.nss_acts_on_concerns_band", survey) == 4


def test_celebration_and_learning() -> None:
    items = [
        audit("compliments_fed_back", "2025-04-01", 300, 270, period_end="2025-09-30"),
        audit("compliments_fed_back", "2024-10-01", 100, 50, period_end="2025-03-30"),
        report("2025-06-01", doc_type="learning_bulletin"),
        report("2025-11-27", doc_type="learning_event", contents=["trust_wide"]),
        report("2025-12-05", doc_type="learning_event"),
        qi("spread", learning_shared=True, outcome_measured=True, improved=True),
        qi("local", improved=True),
    ]
    assert value("analysis.compliments_fed_back_share_12m", items) == pytest.approx(0.9)
    assert value("analysis.compliments_fed_back_share_prev12m", items) == pytest.approx(0.5)
    assert value("analysis.learning_shares_12m", items) == 3
    result = run("frontline.trustwide_learning_events_12m", items)
    assert result is not None and result.value == 1
    assert result.detail == "1 of 2 learning events were trust-wide"
    assert value("frontline.learning_spread_24m", items) == 1


def test_evidence_of_another_organisation_is_ignored() -> None:
    other = parse_evidence(
        {
            "id": "x1",
            "kind": "staff_process",
            "org": "RXX",
            "source": {"title": "t"},
            "process": "px_theme_log",
            "period_start": "2025-10-01",
            "population": 5,
            "compliant": 5,
        }
    )
    assert run("analysis.themes_actioned_share_12m", [other]) is None
