"""Reporting and publication measures (21A-23A): quality account years, publication, comms, co-production."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from builders import EvidenceBuilder

from pxrules.evidence import Evidence
from pxrules.measures import MEASURES, EvidenceView, Result

AS_OF = dt.date(2026, 3, 31)
MODULE = "pxrules.measures.reporting"


ev = EvidenceBuilder(org="TEST", prefix="r")


def run(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> Result | None:
    return MEASURES[name].fn(EvidenceView("TEST", as_of, items))


def value(name: str, items: list[Evidence], as_of: dt.date = AS_OF) -> Any:
    result = run(name, items, as_of)
    assert result is not None, f"{name} gave no value"
    return result.value


def account(fy: int, published: str, contents: list[str] | None = None, **more: Any) -> Evidence:
    """The quality account for the financial year ending 31 March `fy`."""
    return ev(
        "document",
        doc_type="quality_account",
        title=f"Quality Account {fy - 1}/{str(fy)[2:]}",
        period_start=f"{fy - 1}-04-01",
        period_end=f"{fy}-03-31",
        approved_on=published,
        contents=contents or [],
        **more,
    )


@pytest.mark.parametrize("name", sorted(n for n, s in MEASURES.items() if s.fn.__module__ == MODULE))
def test_every_measure_is_none_without_evidence(name: str) -> None:
    assert run(name, []) is None
    assert MEASURES[name].better is not None


# ---------------------------------------------------------------- 21A


@pytest.mark.parametrize(
    ("as_of", "on_time"),
    [
        (dt.date(2025, 6, 29), True),  # 2024/25 not yet due: the 2023/24 account (on time) is the one due
        (dt.date(2025, 6, 30), False),  # 2024/25 due today and not published
    ],
)
def test_which_quality_account_is_due(as_of: dt.date, on_time: bool) -> None:
    items = [account(2024, "2024-06-27", ["px_data"])]
    result = run("reporting.qa_on_time", items, as_of)
    assert result is not None and result.value is on_time
    if not on_time:
        assert result.detail == "no quality account for 2024/25 by 2025-06-30 (latest is 2023/24)"


def test_late_publication_and_future_publication() -> None:
    late = account(2025, "2025-07-15", ["px_data"])
    result = run("reporting.qa_on_time", [late])
    assert result is not None and result.value is False and "after the 30 June deadline" in result.detail
    upcoming = account(2026, "2026-06-20", ["px_data", "px_example.a"])  # published after as_of: ignored
    assert value("reporting.qa_px_examples", [late, upcoming]) == 0
    assert value("reporting.qa_px_examples", [late, upcoming], dt.date(2026, 6, 30)) == 1


def test_a_stale_account_counts_as_none() -> None:
    old = account(2024, "2024-06-27", ["px_data"])
    assert value("reporting.qa_px_data", [old], dt.date(2025, 9, 30)) is True  # one year behind: still read
    assert run("reporting.qa_px_data", [old], dt.date(2026, 9, 30)) is None  # two years behind: stale
    assert run("reporting.qa_published_recent", [old], dt.date(2026, 9, 30)) is None
    assert value("reporting.qa_on_time", [old], dt.date(2026, 9, 30)) is False


def test_quality_account_content() -> None:
    items = [
        account(2024, "2024-06-27", measures_with_target=2, measures_on_track=1),
        account(
            2025,
            "2025-06-24",
            [
                "px_data",
                "listening_responding",
                "healthwatch_statement",
                "px_example.discharge_lounge",
                "px_example.quiet_at_night",
            ],
            measures_with_target=2,
            measures_on_track=2,
            coproduced_patients=True,
        ),
    ]
    result = run("reporting.qa_px_examples", items)
    assert result is not None and result.value == 2
    assert result.detail == (
        "Quality account 2024/25 cites 2 improvements with results: discharge_lounge, quiet_at_night"
    )
    assert value("reporting.qa_on_time", items) is True
    assert value("reporting.qa_listening_section", items) is True
    assert value("reporting.qa_healthwatch_statement", items) is True
    assert value("reporting.qa_px_priorities_with_target", items) == 2
    assert value("reporting.qa_px_targets_met_share", items) == 1
    assert value("reporting.qa_px_targets_met_share_prev", items) == pytest.approx(0.5)
    assert value("reporting.qa_priorities_coproduced", items) is True
    assert run("reporting.qa_px_targets_met_share_prev", items[1:]) is None


# ---------------------------------------------------------------- 22A


def page(name: str, found: bool = True, day: str = "2026-02-10", flags: list[str] | None = None) -> Evidence:
    extra = {"clicks_from_home": 2} if found else {}
    return ev(
        "website_check",
        page=name,
        found=found,
        checked_by="PX team",
        period_start=day,
        content_flags=flags or [],
        **extra,
    )


def test_publication_types() -> None:
    items = [
        page("fft_results", flags=["latest.2025-12"]),
        page("you_said_we_did"),
        page("complaints"),  # without the annual report flag it is not a publication of feedback
        page("quality_account", flags=["survey_results"]),
        page("patient_stories", found=False),
    ]
    result = run("reporting.publish_types_live", items)
    assert result is not None and result.value == 3
    assert result.detail == (
        "3 of 5 kinds of feedback information published: fft_results, you_said_we_did, survey_results"
    )
    items.append(page("complaints", day="2026-03-01", flags=["complaints_annual_report"]))
    assert value("reporting.publish_types_live", items) == 4


def test_the_latest_check_of_a_page_wins_and_previous_window() -> None:
    items = [
        page("fft_results", day="2025-06-01"),
        page("fft_results", found=False, day="2026-01-05"),
        page("you_said_we_did", day="2024-12-01"),
    ]
    assert value("reporting.publish_types_live", items) == 0
    assert value("reporting.publish_types_live_prev12m", items) == 1


def test_fft_results_lag_and_accessible_routes() -> None:
    items = [
        page("fft_results", flags=["latest.2025-09", "latest.2025-11", "coproduced"]),
        page("easy_read"),
        page("translation", found=False),
        page("accessibility_statement"),
    ]
    result = run("reporting.publish_fft_results_lag_months", items)
    assert result is not None and result.value == 3
    assert result.detail == "FFT results for 2025-11 online when checked on 2026-02-10 (3 months old)"
    assert run("reporting.publish_fft_results_lag_months", [page("fft_results")]) is None
    assert value("reporting.publish_accessible_formats", items) == 2
    assert value("reporting.publish_coproduced_content", items) is True
    assert value("reporting.publish_coproduced_content", items[1:]) is False


def test_public_response_share() -> None:
    items = [
        ev(
            "feedback_channel",
            channel="care_opinion",
            period_start="2025-12-01",
            responses_12m=200,
            public_responses_published=180,
        ),
        ev(
            "feedback_channel",
            channel="iwgc",
            period_start="2025-12-01",
            responses_12m=100,
            public_responses_published=90,
        ),
        ev("feedback_channel", channel="fft_sms", period_start="2025-12-01", responses_12m=5000),
    ]
    result = run("reporting.publish_public_response_share_12m", items)
    assert result is not None and result.value == pytest.approx(0.9)
    assert result.detail.startswith("270 of 300 public reviews answered publicly")


# ---------------------------------------------------------------- 22B


def strategy(approved: str, review: str, contents: list[str] | None = None, **more: Any) -> Evidence:
    return ev(
        "document",
        doc_type="comms_strategy",
        title=f"Comms strategy {approved[:4]}",
        period_start=approved,
        approved_on=approved,
        review_due=review,
        contents=contents or [],
        **more,
    )


def test_comms_strategy_states() -> None:
    lapsed = strategy("2021-06-01", "2024-06-01", ["px.audiences", "px.channels", "px.frequency"])
    assert value("reporting.comms_strategy_exists", [lapsed]) is True
    assert value("reporting.comms_strategy_in_date", [lapsed]) is False
    assert run("reporting.comms_px_section_elements", [lapsed]) is None
    draft = ev(
        "document", doc_type="comms_strategy", title="Draft", status="draft", period_start="2026-01-01"
    )
    assert value("reporting.comms_strategy_exists", [draft]) is True
    current = strategy("2025-12-04", "2028-12-31", ["px.audiences", "px.channels"], coproduced_patients=True)
    result = run("reporting.comms_px_section_elements", [lapsed, current])
    assert result is not None and result.value == 2
    assert (
        result.detail == "Comms strategy 2025 covers 2 of 3 patient experience elements: audiences, channels"
    )
    assert value("reporting.comms_px_section_elements_prev", [lapsed, current]) == 3
    assert value("reporting.comms_strategy_coproduced", [lapsed, current]) is True
    assert run("reporting.comms_px_section_elements_prev", [current]) is None


# ---------------------------------------------------------------- 23A


def qi(title: str, start: str = "2025-06-01", **more: Any) -> Evidence:
    fields = {"origin": "patient_feedback", "method": "pdsa", **more}
    return ev("qi_project", title=title, period_start=start, **fields)


def test_coproduced_examples_and_partner_shares() -> None:
    items = [
        qi("Always Event", method="always_events", patient_partners=3, outcome_measured=True, improved=True),
        qi("EBCD clinic", method="ebcd", patient_partners=5),
        qi("no method", method="other", patient_partners=2),
        qi("staff only"),
        qi("last year", start="2024-06-01", period_end="2025-02-28", patient_partners=1),
        ev(
            "service_change", reference="BC-1", title="New clinic", period_start="2025-09-01", coproduced=True
        ),
    ]
    result = run("reporting.coproduction_projects_24m", items)
    assert result is not None and result.value == 4
    assert result.detail == (
        "3 QI projects with patient partners (always_events, ebcd, pdsa) and 1 co-produced service changes"
    )
    assert value("reporting.coproduction_qi_partner_share_12m", items) == pytest.approx(0.75)
    assert value("reporting.coproduction_qi_partner_share_prev12m", items) == 1
    assert value("reporting.coproduction_impact_24m", items) == 1


def test_involvement_policy_and_patient_safety_partners() -> None:
    policy = ev(
        "document",
        doc_type="involvement_policy",
        title="Involvement policy",
        period_start="2025-02-01",
        approved_on="2025-02-01",
        review_due="2028-02-01",
    )
    assert value("reporting.coproduction_involvement_policy", [policy]) is True
    lapsed = ev(
        "document",
        doc_type="involvement_policy",
        title="Old policy",
        period_start="2021-02-01",
        approved_on="2021-02-01",
        review_due="2024-02-01",
    )
    assert value("reporting.coproduction_involvement_policy", [lapsed]) is False
    psp = [
        ev(
            "staff_process",
            process="patient_safety_partners",
            period_start="2025-12-01",
            population=6,
            compliant=4,
        )
    ]
    assert value("reporting.coproduction_psp_committee_share_12m", psp) == pytest.approx(4 / 6)
