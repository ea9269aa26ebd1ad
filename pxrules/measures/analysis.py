"""Measures for the Analysis and triangulation section (13A-16C): themes, analytics, triangulation, early warning."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence

from pxrules.evidence.feedback import FeedbackChannel
from pxrules.evidence.governance import BoardMeeting, Document
from pxrules.evidence.improvement import QiProject
from pxrules.evidence.workforce import StaffProcess
from pxrules.measures.common import pct, share_result, survey_position
from pxrules.measures.core import EvidenceView, Result, measure, months_before

# Feedback strands an integrated report can bring together (document.contents flags "source.<strand>").
FEEDBACK_SOURCES = ("fft", "complaints", "pals", "npsp", "care_opinion", "healthwatch", "compliments")
# QI projects that started from what patients said (as opposed to incidents, audits or staff ideas).
FEEDBACK_ORIGINS = ("patient_feedback", "complaint", "survey")
# How often a dashboard refreshes (document.contents flag "refresh.<period>") -> days between refreshes.
REFRESH_DAYS = {"daily": 1, "weekly": 7, "monthly": 31, "quarterly": 92}


# ---------------------------------------------------------------- shared readers


def _docs(view: EvidenceView, *doc_types: str, ending_months_ago: int = 0) -> list[Document]:
    """Non-draft documents of these types whose period ends in the 12-month window."""
    return [d for d in view.within("document", 12, ending_months_ago=ending_months_ago)
            if isinstance(d, Document) and d.doc_type in doc_types and d.status != "draft"]


def _audits(view: EvidenceView, process: str, *, ending_months_ago: int = 0) -> list[StaffProcess]:
    return [p for p in view.within("staff_process", 12, ending_months_ago=ending_months_ago)
            if isinstance(p, StaffProcess) and p.process == process]


def compliance(view: EvidenceView, process: str, what: str, *, ending_months_ago: int = 0) -> Result | None:
    """compliant / population over one process's audits in a 12-month window (current or the one before)."""
    audits = [p for p in _audits(view, process, ending_months_ago=ending_months_ago)
              if p.population and p.compliant is not None]
    if not audits:
        return None
    population = sum(p.population or 0 for p in audits)
    done = sum(p.compliant or 0 for p in audits)
    when = " in the previous 12 months" if ending_months_ago else ""
    return Result(done / population, audits, f"{done} of {population} {what}{when} ({pct(done / population)})")


def _count(items: Sequence[object], what: str) -> Result | None:
    if not items:
        return None
    return Result(len(items), list(items), f"{len(items)} {what}")  # type: ignore[arg-type]


def qi_projects(view: EvidenceView, test: Callable[[QiProject], bool] = lambda q: True) -> list[QiProject]:
    """Current QI projects (ended within 24 months, or still running) passing `test`."""
    return [q for q in view.of("qi_project") if isinstance(q, QiProject) and test(q)]


def _improved(q: QiProject) -> bool:
    return q.outcome_measured and q.improved is True


def _impact(view: EvidenceView, test: Callable[[QiProject], bool], what: str) -> Result | None:
    projects = qi_projects(view)
    if not projects:
        return None
    hits = [q for q in projects if test(q) and _improved(q)]
    names = "; ".join(q.title for q in hits[:3])
    return Result(len(hits), hits or projects, f"{len(hits)} of {len(projects)} QI projects {what}"
                  + (f" ({names})" if names else ""))


# ---------------------------------------------------------------- 13A themes from all strands


def _integrated(view: EvidenceView, ending_months_ago: int = 0) -> list[Document]:
    return _docs(view, "integrated_px_report", ending_months_ago=ending_months_ago)


@measure("analysis.integrated_reports_12m", type="integer", unit="count", better="higher", kinds=("document",),
         description="Integrated patient experience reports (several feedback strands, themes) in the last 12 months")
def integrated_reports_12m(view: EvidenceView) -> Result | None:
    return _count(_integrated(view), "integrated patient experience reports in the last 12 months")


@measure("analysis.integrated_reports_prev12m", type="integer", unit="count", better="higher",
         kinds=("document",), description="Integrated patient experience reports in the 12 months before that")
def integrated_reports_prev12m(view: EvidenceView) -> Result | None:
    return _count(_integrated(view, 12), "integrated patient experience reports in the previous 12 months")


@measure("analysis.report_sources", type="integer", unit="count", better="higher", kinds=("document",),
         description="Feedback strands (of 7: FFT, complaints, PALS, national surveys, Care Opinion, Healthwatch, "
         "compliments) brought together in the latest integrated report")
def report_sources(view: EvidenceView) -> Result | None:
    reports = _integrated(view)
    if not reports:
        return None
    latest = reports[-1]
    found = [s for s in FEEDBACK_SOURCES if f"source.{s}" in latest.contents]
    return Result(len(found), [latest], f"{latest.title} ({latest.end}) draws on {len(found)} of "
                  f"{len(FEEDBACK_SOURCES)} strands: {', '.join(found) or 'none named'}")


@measure("analysis.free_text_analysed", type="boolean", better="true", kinds=("document",),
         description="The latest integrated report analyses free-text comments into themes")
def free_text_analysed(view: EvidenceView) -> Result | None:
    reports = _integrated(view)
    if not reports:
        return None
    latest = reports[-1]
    done = "free_text_themes" in latest.contents
    return Result(done, [latest], f"{latest.title} {'analyses' if done else 'does not analyse'} free-text themes")


@measure("analysis.themes_actioned_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of themes in the patient experience theme log with a named owner and action (12 months)")
def themes_actioned_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "px_theme_log", "feedback themes had a named owner and action")


@measure("analysis.theme_actions_closed_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="Share of actions from feedback themes closed when due (12 months)")
def theme_actions_closed_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "px_theme_actions_closed", "actions from feedback themes were closed when due")


@measure("analysis.feedback_qi_impact_24m", type="integer", unit="count", better="higher", kinds=("qi_project",),
         description="QI projects started from patient feedback, complaints or surveys with a measured improvement")
def feedback_qi_impact_24m(view: EvidenceView) -> Result | None:
    return _impact(view, lambda q: q.origin in FEEDBACK_ORIGINS,
                   "started from patient feedback showed a measured improvement")


@measure("analysis.qi_impact_24m", type="integer", unit="count", better="higher", kinds=("qi_project",),
         description="QI projects (any origin) tracking a patient experience measure with a measured improvement")
def qi_impact_24m(view: EvidenceView) -> Result | None:
    return _impact(view, lambda q: q.px_measure, "tracking patient experience showed a measured improvement")


# ---------------------------------------------------------------- 13B analytics support


def _analyst_audit(view: EvidenceView) -> StaffProcess | None:
    audits = _audits(view, "px_analyst_posts")
    return audits[-1] if audits else None


@measure("analysis.analytics_support", type="boolean", better="true", kinds=("staff_process",),
         description="Analytical support for patient experience data is in place (dedicated or shared)")
def analytics_support(view: EvidenceView) -> Result | None:
    audit = _analyst_audit(view)
    if audit is None:
        return None
    return Result(audit.in_place, [audit], f"analytical support for experience data "
                  f"{'in place' if audit.in_place else 'not in place'} ({audit.end})")


@measure("analysis.px_analysts_in_post", type="integer", unit="WTE", better="higher", kinds=("staff_process",),
         description="Dedicated patient experience analyst posts filled (whole-time equivalents, latest audit)")
def px_analysts_in_post(view: EvidenceView) -> Result | None:
    audit = _analyst_audit(view)
    if audit is None or audit.compliant is None:
        return None
    funded = f" of {audit.population} funded" if audit.population is not None else ""
    return Result(audit.compliant, [audit], f"{audit.compliant}{funded} dedicated analyst posts filled ({audit.end})")


def _dashboard(view: EvidenceView) -> Document | None:
    boards = [d for d in view.of("document")
              if isinstance(d, Document) and d.doc_type == "px_dashboard" and d.status == "approved"]
    return boards[-1] if boards else None


@measure("analysis.dashboard_refresh_days", type="integer", unit="days", better="lower", kinds=("document",),
         description="Days between refreshes of the live patient experience dashboard (1 daily .. 92 quarterly)")
def dashboard_refresh_days(view: EvidenceView) -> Result | None:
    board = _dashboard(view)
    if board is None:
        return None
    days = [REFRESH_DAYS[k.removeprefix("refresh.")] for k in board.contents
            if k.startswith("refresh.") and k.removeprefix("refresh.") in REFRESH_DAYS]
    if not days:
        return None
    return Result(min(days), [board], f"{board.title} refreshes every {min(days)} days")


@measure("analysis.dashboard_self_service", type="boolean", better="true", kinds=("document",),
         description="Teams can open the patient experience dashboard themselves (self-service, ward level)")
def dashboard_self_service(view: EvidenceView) -> Result | None:
    board = _dashboard(view)
    if board is None:
        return None
    ok = "self_service" in board.contents
    return Result(ok, [board], f"{board.title} is {'' if ok else 'not '}self-service")


@measure("analysis.free_text_to_teams", type="boolean", better="true", kinds=("document",),
         description="The dashboard teams use shows patients' free-text comments, not only scores")
def free_text_to_teams(view: EvidenceView) -> Result | None:
    board = _dashboard(view)
    if board is None:
        return None
    ok = "free_text" in board.contents
    return Result(ok, [board], f"{board.title} {'shows' if ok else 'does not show'} free-text comments")


@measure("analysis.fft_comments_coded_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="Share of FFT free-text comments coded into themes (12 months)")
def fft_comments_coded_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "fft_comments_coded", "FFT comments were coded into themes")


@measure("analysis.fft_comments_coded_share_prev12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="Share of FFT free-text comments coded in the 12 months before that")
def fft_comments_coded_share_prev12m(view: EvidenceView) -> Result | None:
    return compliance(view, "fft_comments_coded", "FFT comments were coded into themes", ending_months_ago=12)


@measure("analysis.feedback_qi_projects_12m", type="integer", unit="count", better="higher", kinds=("qi_project",),
         description="QI projects started in the last 12 months from patient feedback, complaints or surveys")
def feedback_qi_projects_12m(view: EvidenceView) -> Result | None:
    since = months_before(view.as_of, 12)
    started = qi_projects(view, lambda q: q.period_start > since)
    if not started:
        return None
    hits = [q for q in started if q.origin in FEEDBACK_ORIGINS]
    return Result(len(hits), hits or started,
                  f"{len(hits)} of {len(started)} QI projects started in the last 12 months came from patient feedback")


# ---------------------------------------------------------------- 14A triangulation at board


def _board(view: EvidenceView, ending_months_ago: int = 0) -> list[BoardMeeting]:
    return [m for m in view.within("board_meeting", 12, ending_months_ago=ending_months_ago)
            if isinstance(m, BoardMeeting) and m.body == "board"]


@measure("triangulation.px_reported_share_12m", type="number", unit="share", better="higher",
         kinds=("board_meeting",), description="Share of board meetings receiving any patient experience report")
def px_reported_share_12m(view: EvidenceView) -> Result | None:
    return share_result(_board(view), lambda m: m.px_report_presented,
                        "board meetings received a patient experience report")


@measure("triangulation.board_share_12m", type="number", unit="share", better="higher", kinds=("board_meeting",),
         description="Share of board meetings whose quality report set experience beside safety and outcomes, "
         "with actions arising (12 months)")
def board_share_12m(view: EvidenceView) -> Result | None:
    return share_result(_board(view), lambda m: m.triangulated_report,
                        "board meetings had experience triangulated with safety and outcomes")


@measure("triangulation.board_share_prev12m", type="number", unit="share", better="higher",
         kinds=("board_meeting",), description="The same share in the 12 months before that")
def board_share_prev12m(view: EvidenceView) -> Result | None:
    return share_result(_board(view, 12), lambda m: m.triangulated_report,
                        "board meetings in the previous 12 months had triangulated reports")


def _triangulated(view: EvidenceView) -> list[BoardMeeting]:
    return [m for m in view.within("board_meeting", 12) if isinstance(m, BoardMeeting)
            and m.body in ("board", "quality_committee") and m.triangulated_report]


@measure("triangulation.reports_12m", type="integer", unit="count", better="higher", kinds=("board_meeting",),
         description="Triangulated quality reports received by the board or quality committee in 12 months")
def reports_12m(view: EvidenceView) -> Result | None:
    meetings = [m for m in view.within("board_meeting", 12)
                if isinstance(m, BoardMeeting) and m.body in ("board", "quality_committee")]
    if not meetings:
        return None
    hits = _triangulated(view)
    return Result(len(hits), hits or meetings, f"{len(hits)} triangulated reports at {len(meetings)} board and "
                  "quality committee meetings")


@measure("triangulation.staff_survey_included", type="boolean", better="true", kinds=("board_meeting",),
         description="A triangulated report in the last 12 months set the staff survey beside patient experience")
def staff_survey_included(view: EvidenceView) -> Result | None:
    hits = _triangulated(view)
    if not hits:
        return None
    with_survey = [m for m in hits if "staff_survey_triangulation" in m.agenda]
    return Result(bool(with_survey), with_survey or hits,
                  f"{len(with_survey)} of {len(hits)} triangulated reports included the staff survey")


@measure("triangulation.ward_tool_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="Share of wards assessed with a ward-level triangulation "
         "(accreditation) tool combining experience, safety and staffing in 12 months")
def ward_tool_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "ward_accreditation", "wards were assessed with the ward triangulation tool")


# ---------------------------------------------------------------- 15A early warning


@measure("warning.procedure_drafted", type="boolean", better="true", kinds=("document",),
         description="An early-warning procedure for patient experience data exists (draft or approved)")
def procedure_drafted(view: EvidenceView) -> Result | None:
    docs = [d for d in view.of("document") if isinstance(d, Document) and d.doc_type == "early_warning_procedure"]
    if not docs:
        return None
    return Result(True, [docs[-1]], f"{docs[-1].title} ({docs[-1].status})")


@measure("warning.monthly_review", type="boolean", better="true", kinds=("staff_process",),
         description="Patient experience data is reviewed monthly for deterioration (12 months)")
def monthly_review(view: EvidenceView) -> Result | None:
    audits = _audits(view, "px_data_review")
    if not audits:
        return None
    return Result(audits[-1].in_place, [audits[-1]], f"monthly experience data review "
                  f"{'in place' if audits[-1].in_place else 'not in place'} ({audits[-1].end})")


@measure("warning.spc_ward_share_12m", type="number", unit="share", better="higher", kinds=("staff_process",),
         description="Share of wards with SPC charts and alert rules on experience data (12 months)")
def spc_ward_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "spc_px_alerts", "wards had SPC alert rules on experience data")


@measure("warning.spc_ward_share_prev12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="The same share in the 12 months before that")
def spc_ward_share_prev12m(view: EvidenceView) -> Result | None:
    return compliance(view, "spc_px_alerts", "wards had SPC alert rules", ending_months_ago=12)


@measure("warning.alerts_logged_12m", type="integer", unit="count", better="higher", kinds=("staff_process",),
         description="Early-warning alerts raised and logged in the last 12 months")
def alerts_logged_12m(view: EvidenceView) -> Result | None:
    audits = [a for a in _audits(view, "px_alert_response") if a.population is not None]
    if not audits:
        return None
    total = sum(a.population or 0 for a in audits)
    return Result(total, audits, f"{total} early-warning alerts logged in {len(audits)} alert-log reviews")


@measure("warning.alerts_acted_30d_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="Share of early-warning alerts acted on within 30 days "
         "(half or more means a median of 30 days or less)")
def alerts_acted_30d_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "px_alert_response", "alerts were acted on within 30 days")


@measure("warning.early_catch_impact_24m", type="integer", unit="count", better="higher", kinds=("qi_project",),
         description="QI projects started by an early-warning signal that measured an improvement")
def early_catch_impact_24m(view: EvidenceView) -> Result | None:
    return _impact(view, lambda q: q.early_warning_trigger, "started by an early-warning signal showed improvement")


# ---------------------------------------------------------------- 15B variation within QI


@measure("analysis.qi_px_measure_share_24m", type="number", unit="share", better="higher", kinds=("qi_project",),
         description="Share of current QI projects that track a patient experience measure")
def qi_px_measure_share_24m(view: EvidenceView) -> Result | None:
    return share_result(qi_projects(view, lambda q: q.status != "stopped"), lambda q: q.px_measure,
                        "current QI projects track a patient experience measure")


def _variation(view: EvidenceView, ending_months_ago: int = 0) -> list[Document]:
    return _docs(view, "variation_analysis", ending_months_ago=ending_months_ago)


@measure("analysis.variation_analyses_12m", type="integer", unit="count", better="higher", kinds=("document",),
         description="Analyses of variation in experience (by ward, specialty or group) in the last 12 months")
def variation_analyses_12m(view: EvidenceView) -> Result | None:
    return _count(_variation(view), "variation analyses in the last 12 months")


@measure("analysis.variation_analyses_prev12m", type="integer", unit="count", better="higher",
         kinds=("document",), description="Variation analyses in the 12 months before that")
def variation_analyses_prev12m(view: EvidenceView) -> Result | None:
    return _count(_variation(view, 12), "variation analyses in the previous 12 months")


@measure("analysis.equality_analyses_12m", type="integer", unit="count", better="higher", kinds=("document",),
         description="Variation analyses in 12 months broken down by protected characteristic")
def equality_analyses_12m(view: EvidenceView) -> Result | None:
    docs = _variation(view)
    if not docs:
        return None
    hits = [d for d in docs if "protected_characteristics" in d.contents]
    return Result(len(hits), hits or docs, f"{len(hits)} of {len(docs)} variation analyses looked at "
                  "protected characteristics")


@measure("analysis.variation_reduced", type="boolean", better="true", kinds=("document",),
         description="The latest variation analysis shows the spread between wards or groups has narrowed")
def variation_reduced(view: EvidenceView) -> Result | None:
    docs = _variation(view)
    if not docs:
        return None
    ok = "variation_reduced" in docs[-1].contents
    return Result(ok, [docs[-1]], f"{docs[-1].title}: variation {'narrowed' if ok else 'not shown to narrow'}")


# ---------------------------------------------------------------- 16A-16C frontline teams


def _channels(view: EvidenceView, ending_months_ago: int = 0) -> list[FeedbackChannel]:
    """The latest record of each live feedback channel in the window."""
    latest: dict[str, FeedbackChannel] = {}
    for c in view.within("feedback_channel", 12, ending_months_ago=ending_months_ago):
        if isinstance(c, FeedbackChannel):
            latest[c.channel] = c
    return [c for c in latest.values() if c.live]


@measure("analysis.feedback_latency_days", type="number", unit="days", better="lower",
         kinds=("feedback_channel",), description="Median days from collecting feedback to the team seeing it")
def feedback_latency_days(view: EvidenceView) -> Result | None:
    timed = [c for c in _channels(view) if c.latency_days is not None]
    if not timed:
        return None
    days = statistics.median(c.latency_days or 0.0 for c in timed)
    return Result(days, timed, f"median {days:g} days from collection to team over {len(timed)} channels")


def _access(view: EvidenceView, ending_months_ago: int = 0) -> Result | None:
    reach = [c for c in _channels(view, ending_months_ago) if c.teams_total and c.teams_with_access is not None]
    if not reach:
        return None
    best = max(reach, key=lambda c: ((c.teams_with_access or 0) / (c.teams_total or 1), c.channel))
    value = (best.teams_with_access or 0) / (best.teams_total or 1)
    when = " (previous 12 months)" if ending_months_ago else ""
    return Result(value, [best], f"{best.teams_with_access} of {best.teams_total} teams see {best.channel} "
                  f"feedback directly{when} ({pct(value)})")


@measure("analysis.team_access_share", type="number", unit="share", better="higher", kinds=("feedback_channel",),
         description="Share of teams that see their own feedback directly (self-service or a monthly team report)")
def team_access_share(view: EvidenceView) -> Result | None:
    return _access(view)


@measure("analysis.team_access_share_prev12m", type="number", unit="share", better="higher",
         kinds=("feedback_channel",), description="The same share in the 12 months before that")
def team_access_share_prev12m(view: EvidenceView) -> Result | None:
    return _access(view, 12)


@measure("analysis.team_discussion_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="Share of audited teams discussing patient feedback at two of "
         "three team meetings (12 months)")
def team_discussion_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "team_feedback_discussion", "teams discussed feedback at two of three meetings")


@measure("analysis.team_discussion_share_prev12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="The same share in the 12 months before that")
def team_discussion_share_prev12m(view: EvidenceView) -> Result | None:
    return compliance(view, "team_feedback_discussion", "teams discussed feedback", ending_months_ago=12)


@measure("analysis.frontline_feedback_qi_12m", type="integer", unit="count", better="higher", kinds=("qi_project",),
         description="Frontline-led improvements from patient feedback running or finished in the last 12 months")
def frontline_feedback_qi_12m(view: EvidenceView) -> Result | None:
    since = months_before(view.as_of, 12)
    recent = qi_projects(view, lambda q: q.end > since)
    if not recent:
        return None
    hits = [q for q in recent if q.frontline_led and q.origin in FEEDBACK_ORIGINS]
    return Result(len(hits), hits or recent, f"{len(hits)} of {len(recent)} recent QI projects were frontline-led "
                  "from patient feedback")


@measure("analysis.nss_acts_on_concerns_band", type="integer", unit="band", better="higher",
         kinds=("survey_question",), description="NHS Staff Survey 'organisation acts on concerns raised by "
         "patients' (Q25b) against peers, ladder B (1 bottom quartile .. 5 upper quartile two waves)")
def nss_acts_on_concerns_band(view: EvidenceView) -> Result | None:
    return survey_position(view, "nss.acts_on_concerns")


@measure("analysis.compliments_fed_back_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="Share of compliments passed on to the named staff or team")
def compliments_fed_back_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "compliments_fed_back", "compliments were passed to the staff named")


@measure("analysis.compliments_fed_back_share_prev12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="The same share in the 12 months before that")
def compliments_fed_back_share_prev12m(view: EvidenceView) -> Result | None:
    return compliance(view, "compliments_fed_back", "compliments were passed on", ending_months_ago=12)


@measure("analysis.learning_shares_12m", type="integer", unit="count", better="higher", kinds=("document",),
         description="Learning bulletins and learning or celebration events in the last 12 months")
def learning_shares_12m(view: EvidenceView) -> Result | None:
    return _count(_docs(view, "learning_bulletin", "learning_event"), "learning bulletins and events in 12 months")


@measure("analysis.trustwide_learning_events_12m", type="integer", unit="count", better="higher",
         kinds=("document",), description="Trust-wide learning or celebration events in the last 12 months")
def trustwide_learning_events_12m(view: EvidenceView) -> Result | None:
    events = _docs(view, "learning_event")
    if not events:
        return None
    hits = [e for e in events if "trust_wide" in e.contents]
    return Result(len(hits), hits or events, f"{len(hits)} of {len(events)} learning events were trust-wide")


@measure("analysis.learning_spread_24m", type="integer", unit="count", better="higher", kinds=("qi_project",),
         description="Improved QI projects whose learning was shared and taken up beyond the team")
def learning_spread_24m(view: EvidenceView) -> Result | None:
    return _impact(view, lambda q: q.learning_shared, "shared their measured improvement beyond the team")
