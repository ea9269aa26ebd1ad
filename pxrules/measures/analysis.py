"""Measures for Analysis and triangulation (13A-14A) and the readers the rest of the section shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from pxrules.evidence import Evidence
from pxrules.evidence.governance import BoardMeeting, Document
from pxrules.evidence.improvement import QiProject
from pxrules.evidence.workforce import StaffProcess
from pxrules.measures.blocks import current_projects, documents, pct, processes, share_result
from pxrules.measures.registry import EvidenceView, Result, measure, months_before

# Feedback strands an integrated report can bring together (document.contents flags "source.<strand>").
FEEDBACK_SOURCES = ("fft", "complaints", "pals", "npsp", "care_opinion", "healthwatch", "compliments")
# QI projects that started from what patients said (as opposed to incidents, audits or staff ideas).
FEEDBACK_ORIGINS = ("patient_feedback", "complaint", "survey")
# How often a dashboard refreshes (document.contents flag "refresh.<period>") -> days between refreshes.
REFRESH_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92}

# Audited processes read as compliant / population over 12 months: (measure for the last 12 months, its
# `_prev12m` twin for the 12 months before or None) -> (staff_process key, what the numbers count,
# description). Level-5 rules use the twin to ask for the level-4 result in two consecutive periods.
COMPLIANCE_MEASURES: dict[tuple[str, str | None], tuple[str, str, str]] = {
    ("analysis.themes_actioned_share_12m", None): (
        "px_theme_log", "feedback themes had a named owner and action",
        "Share of themes in the patient experience theme log with a named owner and action"),
    ("analysis.theme_actions_closed_share_12m", None): (
        "px_theme_actions_closed", "actions from feedback themes were closed when due",
        "Share of actions arising from feedback themes closed when due"),
    ("analysis.fft_comments_coded_share_12m", "analysis.fft_comments_coded_share_prev12m"): (
        "fft_comments_coded", "FFT free-text comments were coded into themes",
        "Share of FFT free-text comments coded into themes (by analysts or text-mining tools)"),
    ("analysis.triangulation_ward_tool_share_12m", None): (
        "ward_accreditation", "wards were assessed with the ward triangulation tool",
        "Share of wards assessed with a ward-level tool combining experience, safety and staffing"),
    ("analysis.warning_spc_ward_share_12m", "analysis.warning_spc_ward_share_prev12m"): (
        "spc_px_alerts", "wards had SPC charts with alert rules on experience data",
        "Share of wards with SPC charts and alert rules on experience data (FFT, complaints)"),
    ("analysis.warning_alerts_acted_30d_share_12m", None): (
        "px_alert_response", "early-warning alerts were acted on within 30 days",
        "Share of early-warning alerts acted on within 30 days (half or more: a median of 30 days or less)"),
    ("analysis.team_discussion_share_12m", "analysis.team_discussion_share_prev12m"): (
        "team_feedback_discussion", "audited teams discussed patient feedback at two of three meetings",
        "Share of audited teams discussing patient feedback at two of their last three team meetings"),
    ("analysis.compliments_fed_back_share_12m", "analysis.compliments_fed_back_share_prev12m"): (
        "compliments_fed_back", "compliments were passed to the staff or team named",
        "Share of compliments passed on to the staff or team named"),
}

# Non-draft documents counted over 12 months: (last 12 months, the 12 before) -> (doc_types, what, description).
DOCUMENT_COUNTS: dict[tuple[str, str], tuple[tuple[str, ...], str, str]] = {
    ("analysis.integrated_reports_12m", "analysis.integrated_reports_prev12m"): (
        ("integrated_px_report",), "integrated patient experience reports",
        "Integrated patient experience reports (several feedback strands analysed into themes)"),
    ("analysis.variation_analyses_12m", "analysis.variation_analyses_prev12m"): (
        ("variation_analysis",), "analyses of variation in experience",
        "Analyses of variation in experience by ward, specialty or patient group"),
    ("analysis.learning_shares_12m", "analysis.learning_shares_prev12m"): (
        ("learning_bulletin", "learning_event"), "learning bulletins and events",
        "Learning bulletins and learning or celebration events"),
}


# ---------------------------------------------------------------- shared readers


def issued(d: Document, view: EvidenceView) -> bool:
    """Issued by the assessment date: a report on last quarter approved next month does not count yet."""
    return d.approved_on is None or d.approved_on <= view.as_of


def _issue_date(d: Document) -> dt.date:
    return d.approved_on or d.end


def issued_docs(view: EvidenceView, *doc_types: str, ending_months_ago: int = 0) -> list[Document]:
    """Non-draft documents of these types issued (approved_on, else period end) in the 12-month window.

    Reports are windowed by the day they were issued, not the period they cover: a quarterly report on
    January-March presented in April belongs to April, so four quarterly reports fall in any 12 months.
    """
    def compute() -> list[Document]:
        stop = months_before(view.as_of, ending_months_ago)
        start = months_before(stop, 12)
        docs = [d for d in documents(view, *doc_types, ever=bool(ending_months_ago))
                if d.status != "draft" and start < _issue_date(d) <= stop]
        return sorted(docs, key=lambda d: (_issue_date(d), d.id))

    # A count, the latest report's contents and its analysis all read the same reports.
    return list(view.memo(("issued_docs", doc_types, ending_months_ago), compute))


def compliance(view: EvidenceView, process: str, what: str, *, ending_months_ago: int = 0) -> Result | None:
    """compliant / population over one process's audits in a 12-month window (current or the one before)."""
    found = [p for p in processes(view, process, ending_months_ago=ending_months_ago)
             if p.population and p.compliant is not None]
    if not found:
        return None
    population = sum(p.population or 0 for p in found)
    done = sum(p.compliant or 0 for p in found)
    when = " in the previous 12 months" if ending_months_ago else ""
    share = done / population
    return Result(share, tuple(found), f"{done} of {population} {what}{when} ({pct(share)})")


def counted(found: Sequence[Evidence], pool: Sequence[Evidence], what: str) -> Result | None:
    """A count measure: how many of `pool` were `found`; None when there is nothing to count from."""
    if not pool:
        return None
    return Result(len(found), list(found or pool), f"{len(found)} {what}")


def qi_projects(view: EvidenceView, test: Callable[[QiProject], bool] = lambda q: True) -> list[QiProject]:
    """Current QI projects (ended within 24 months, or still running) passing `test`."""
    return [q for q in current_projects(view) if test(q)]


def impact(view: EvidenceView, test: Callable[[QiProject], bool], what: str) -> Result | None:
    """How many current QI projects passing `test` measured an improvement (cap (c)'s impact evidence)."""
    projects = qi_projects(view)
    hits = [q for q in projects if test(q) and q.outcome_measured and q.improved is True]
    names = f" ({'; '.join(q.title for q in hits[:3])})" if hits else ""
    return counted(hits, projects, f"of {len(projects)} current QI projects {what}{names}")


def _register_compliance(name: str, process: str, what: str, description: str, previous: bool) -> None:
    def compute(view: EvidenceView) -> Result | None:
        return compliance(view, process, what, ending_months_ago=12 if previous else 0)

    text = f"{description} (the 12 months before the last 12)" if previous else f"{description} (12 months)"
    measure(name, type="number", unit="share", better="higher", kinds=("staff_process",),
            description=text)(compute)


def _register_count(name: str, doc_types: tuple[str, ...], what: str, description: str,
                    previous: bool) -> None:
    def compute(view: EvidenceView) -> Result | None:
        docs = issued_docs(view, *doc_types, ending_months_ago=12 if previous else 0)
        return counted(docs, docs, f"{what} in the {'previous ' if previous else 'last '}12 months")

    text = f"{description} (the 12 months before the last 12)" if previous else f"{description} (12 months)"
    measure(name, type="integer", unit="count", better="higher", kinds=("document",),
            description=text)(compute)


for (_now, _before), (_process, _what, _text) in COMPLIANCE_MEASURES.items():
    _register_compliance(_now, _process, _what, _text, previous=False)
    if _before is not None:
        _register_compliance(_before, _process, _what, _text, previous=True)
for (_now, _before), (_types, _what, _text) in DOCUMENT_COUNTS.items():
    _register_count(_now, _types, _what, _text, previous=False)
    _register_count(_before, _types, _what, _text, previous=True)


# ---------------------------------------------------------------- 13A themes from all strands


def _latest_integrated(view: EvidenceView) -> Document | None:
    reports = issued_docs(view, "integrated_px_report")
    return reports[-1] if reports else None


@measure("analysis.report_sources", type="integer", unit="count", better="higher", kinds=("document",),
         description="Feedback strands (of 7: FFT, complaints, PALS, national surveys, Care Opinion, "
         "Healthwatch, compliments) brought together in the latest integrated report")
def report_sources(view: EvidenceView) -> Result | None:
    latest = _latest_integrated(view)
    if latest is None:
        return None
    found = [s for s in FEEDBACK_SOURCES if f"source.{s}" in latest.contents]
    return Result(len(found), [latest], f"{latest.title} ({latest.end}) draws on {len(found)} of "
                  f"{len(FEEDBACK_SOURCES)} strands: {', '.join(found) or 'none named'}")


@measure("analysis.free_text_analysed", type="boolean", better="true", kinds=("document",),
         description="The latest integrated report analyses free-text comments into themes")
def free_text_analysed(view: EvidenceView) -> Result | None:
    latest = _latest_integrated(view)
    if latest is None:
        return None
    done = "free_text_themes" in latest.contents
    return Result(done, [latest], f"{latest.title} {'analyses' if done else 'does not analyse'} free text")


@measure("analysis.feedback_qi_impact_24m", type="integer", unit="count", better="higher",
         kinds=("qi_project",), description="Current QI projects started from patient feedback, complaints "
         "or surveys that measured an improvement")
def feedback_qi_impact_24m(view: EvidenceView) -> Result | None:
    return impact(view, lambda q: q.origin in FEEDBACK_ORIGINS,
                   "from patient feedback measured an improvement")


@measure("analysis.qi_impact_24m", type="integer", unit="count", better="higher", kinds=("qi_project",),
         description="Current QI projects tracking a patient experience measure that measured an "
         "improvement")
def qi_impact_24m(view: EvidenceView) -> Result | None:
    return impact(view, lambda q: q.px_measure, "tracking patient experience measured an improvement")


# ---------------------------------------------------------------- 13B analytics support


def _analyst_audit(view: EvidenceView) -> StaffProcess | None:
    found = processes(view, "px_analyst_posts")
    return found[-1] if found else None


@measure("analysis.analytics_support", type="boolean", better="true", kinds=("staff_process",),
         description="Analytical support for patient experience data is in place (dedicated or shared)")
def analytics_support(view: EvidenceView) -> Result | None:
    audit = _analyst_audit(view)
    if audit is None:
        return None
    state = "in place" if audit.in_place else "not in place"
    return Result(audit.in_place, [audit], f"analytical support for experience data {state} ({audit.end})")


@measure("analysis.px_analysts_in_post", type="integer", unit="WTE", better="higher",
         kinds=("staff_process",), description="Dedicated patient experience analyst posts filled "
         "(whole-time equivalents, latest audit)")
def px_analysts_in_post(view: EvidenceView) -> Result | None:
    audit = _analyst_audit(view)
    if audit is None or audit.compliant is None:
        return None
    funded = f" of {audit.population} funded" if audit.population is not None else ""
    return Result(audit.compliant, [audit],
                  f"{audit.compliant}{funded} dedicated analyst posts filled ({audit.end})")


def _dashboard(view: EvidenceView) -> Document | None:
    boards = [d for d in documents(view, "px_dashboard") if d.status == "approved" and issued(d, view)]
    return boards[-1] if boards else None


@measure("analysis.dashboard_refresh_days", type="integer", unit="days", better="lower", kinds=("document",),
         description="Days between refreshes of the live patient experience dashboard (1 daily .. 92 "
         "quarterly)")
def dashboard_refresh_days(view: EvidenceView) -> Result | None:
    board = _dashboard(view)
    days = [REFRESH_DAYS[k.removeprefix("refresh.")] for k in (board.contents if board else [])
            if k.removeprefix("refresh.") in REFRESH_DAYS and k.startswith("refresh.")]
    if board is None or not days:
        return None
    return Result(min(days), [board], f"{board.title} refreshes every {min(days)} days")


def _dashboard_flag(name: str, flag: str, description: str, yes: str, no: str) -> None:
    """Register a boolean measure reading one content flag of the live dashboard."""

    def compute(view: EvidenceView) -> Result | None:
        board = _dashboard(view)
        if board is None:
            return None
        ok = flag in board.contents
        return Result(ok, [board], f"{board.title} {yes if ok else no}")

    measure(name, type="boolean", better="true", kinds=("document",), description=description)(compute)


_dashboard_flag("analysis.dashboard_self_service", "self_service",
                "Teams can open the patient experience dashboard themselves (self-service, ward level)",
                "is self-service for teams", "is not self-service")
_dashboard_flag("analysis.free_text_to_teams", "free_text",
                "The dashboard teams use shows patients' free-text comments, not only scores",
                "shows free-text comments", "does not show free-text comments")


@measure("analysis.feedback_qi_projects_12m", type="integer", unit="count", better="higher",
         kinds=("qi_project",), description="QI projects started in the last 12 months from patient "
         "feedback, complaints or surveys")
def feedback_qi_projects_12m(view: EvidenceView) -> Result | None:
    since = months_before(view.as_of, 12)
    started = qi_projects(view, lambda q: q.period_start > since)
    hits = [q for q in started if q.origin in FEEDBACK_ORIGINS]
    return counted(hits, started, f"of {len(started)} QI projects started in 12 months came from feedback")


# ---------------------------------------------------------------- 14A triangulation at board


def _board(view: EvidenceView, ending_months_ago: int = 0) -> list[BoardMeeting]:
    return view.select_within("board_meeting", BoardMeeting, "body", ("board",), 12,
                              ending_months_ago=ending_months_ago)


@measure("analysis.triangulation_px_reported_share_12m", type="number", unit="share", better="higher",
         kinds=("board_meeting",), description="Share of board meetings receiving a patient experience "
         "report")
def px_reported_share_12m(view: EvidenceView) -> Result | None:
    return share_result(_board(view), lambda m: m.px_report_presented,
                        "board meetings received a patient experience report")


@measure("analysis.triangulation_board_share_12m", type="number", unit="share", better="higher",
         kinds=("board_meeting",), description="Share of board meetings whose quality report set experience "
         "beside safety and outcomes, with actions arising (12 months)")
def board_share_12m(view: EvidenceView) -> Result | None:
    return share_result(_board(view), lambda m: m.triangulated_report,
                        "board meetings had experience triangulated with safety and outcomes")


@measure("analysis.triangulation_board_share_prev12m", type="number", unit="share", better="higher",
         kinds=("board_meeting",), description="The same share in the 12 months before that")
def board_share_prev12m(view: EvidenceView) -> Result | None:
    return share_result(_board(view, 12), lambda m: m.triangulated_report,
                        "board meetings in the previous 12 months had triangulated reports")


def _quality_meetings(view: EvidenceView) -> list[BoardMeeting]:
    return view.select_within("board_meeting", BoardMeeting, "body", ("board", "quality_committee"), 12)


@measure("analysis.triangulation_reports_12m", type="integer", unit="count", better="higher", kinds=("board_meeting",),
         description="Triangulated quality reports received by the board or quality committee in 12 months")
def reports_12m(view: EvidenceView) -> Result | None:
    meetings = _quality_meetings(view)
    hits = [m for m in meetings if m.triangulated_report]
    return counted(hits, meetings,
                    f"triangulated reports at {len(meetings)} board and quality committee meetings")


@measure("analysis.triangulation_staff_survey_included", type="boolean", better="true", kinds=("board_meeting",),
         description="A triangulated report in 12 months set the staff survey beside patient experience")
def staff_survey_included(view: EvidenceView) -> Result | None:
    hits = [m for m in _quality_meetings(view) if m.triangulated_report]
    if not hits:
        return None
    with_survey = [m for m in hits if "staff_survey_triangulation" in m.agenda]
    return Result(bool(with_survey), tuple(with_survey or hits),
                  f"{len(with_survey)} of {len(hits)} triangulated reports included the staff survey")
