"""Measures for 15A-16C: early warning, variation within QI, and feedback reaching frontline teams."""

from __future__ import annotations

from pxrules.evidence.feedback import FeedbackChannel
from pxrules.measures.analysis import (
    FEEDBACK_ORIGINS,
    counted,
    impact,
    issued,
    issued_docs,
    qi_projects,
)
from pxrules.measures.blocks import documents, pct, processes, share_result, survey_position
from pxrules.measures.registry import EvidenceView, Result, measure, months_before

# The audited-process shares these sub-requirements also read (warning.spc_ward_share_*,
# analysis.warning_alerts_acted_30d_share_12m, analysis.team_discussion_share_*, analysis.compliments_fed_back_*)
# are registered with the other compliance shares in analysis.py.


# ---------------------------------------------------------------- 15A early warning, 15B variation


@measure("frontline.warning_procedure_drafted", type="boolean", better="true", kinds=("document",),
         description="An early-warning procedure for patient experience data exists (draft or approved)")
def procedure_drafted(view: EvidenceView) -> Result | None:
    docs = [d for d in documents(view, "early_warning_procedure") if issued(d, view)]
    if not docs:
        return None
    return Result(True, [docs[-1]], f"{docs[-1].title} ({docs[-1].status})")


@measure("frontline.warning_monthly_review", type="boolean", better="true", kinds=("staff_process",),
         description="Patient experience data is reviewed monthly for signs of deterioration (12 months)")
def monthly_review(view: EvidenceView) -> Result | None:
    found = processes(view, "px_data_review")
    if not found:
        return None
    last = found[-1]
    return Result(last.in_place, [last],
                  f"monthly data review {'in place' if last.in_place else 'not in place'} ({last.end})")


@measure("frontline.warning_alerts_logged_12m", type="integer", unit="count", better="higher", kinds=("staff_process",),
         description="Early-warning alerts raised and logged in the last 12 months")
def alerts_logged_12m(view: EvidenceView) -> Result | None:
    logs = [a for a in processes(view, "px_alert_response") if a.population is not None]
    if not logs:
        return None
    total = sum(a.population or 0 for a in logs)
    return Result(total, tuple(logs), f"{total} early-warning alerts logged in {len(logs)} alert-log reviews")


@measure("frontline.warning_early_catch_impact_24m", type="integer", unit="count", better="higher",
         kinds=("qi_project",), description="QI projects started by an early-warning signal that measured "
         "an improvement")
def early_catch_impact_24m(view: EvidenceView) -> Result | None:
    return impact(view, lambda q: q.early_warning_trigger, "started by an early-warning signal improved")


@measure("frontline.qi_px_measure_share_24m", type="number", unit="share", better="higher",
         kinds=("qi_project",), description="Share of current QI projects tracking a patient experience "
         "measure")
def qi_px_measure_share_24m(view: EvidenceView) -> Result | None:
    return share_result(qi_projects(view, lambda q: q.status != "stopped"), lambda q: q.px_measure,
                        "current QI projects track a patient experience measure")


@measure("frontline.equality_analyses_12m", type="integer", unit="count", better="higher", kinds=("document",),
         description="Variation analyses in 12 months broken down by protected characteristic")
def equality_analyses_12m(view: EvidenceView) -> Result | None:
    docs = issued_docs(view, "variation_analysis")
    hits = [d for d in docs if "protected_characteristics" in d.contents]
    return counted(hits, docs, f"of {len(docs)} variation analyses looked at protected characteristics")


@measure("frontline.variation_reduced", type="boolean", better="true", kinds=("document",),
         description="The latest variation analysis shows the spread between wards or groups has narrowed")
def variation_reduced(view: EvidenceView) -> Result | None:
    docs = issued_docs(view, "variation_analysis")
    if not docs:
        return None
    ok = "variation_reduced" in docs[-1].contents
    return Result(ok, [docs[-1]], f"{docs[-1].title}: {'variation narrowed' if ok else 'no narrowing shown'}")


# ---------------------------------------------------------------- 16A-16C frontline teams


def _channels(view: EvidenceView, ending_months_ago: int = 0) -> list[FeedbackChannel]:
    """The latest record of each live feedback channel in the window."""
    return list(view.memo(("frontline_channels", ending_months_ago), lambda: _live_channels(view, ending_months_ago)))


def _live_channels(view: EvidenceView, ending_months_ago: int) -> list[FeedbackChannel]:
    latest: dict[str, FeedbackChannel] = {}
    for c in view.within("feedback_channel", 12, ending_months_ago=ending_months_ago):
        if isinstance(c, FeedbackChannel):
            latest[c.channel] = c
    return [c for c in latest.values() if c.live]


def _reach(view: EvidenceView, max_days: int | None, ending_months_ago: int = 0) -> Result | None:
    """Share of teams that see their own feedback (within `max_days` of collection, if given).

    The best-reaching qualifying channel counts: channels do not say which teams they reach, so its reach
    is a lower bound on the union. Adding a channel can only raise the value, never lower it.
    """
    reach = [c for c in _channels(view, ending_months_ago)
             if c.teams_total and c.teams_with_access is not None]
    if not reach:
        return None
    fast = [c for c in reach
            if max_days is None or (c.latency_days is not None and c.latency_days <= max_days)]
    if not fast:
        return Result(0.0, tuple(reach), f"no channel gets feedback to teams within {max_days} days")
    best = max(fast, key=lambda c: ((c.teams_with_access or 0) / (c.teams_total or 1), c.channel))
    value = (best.teams_with_access or 0) / (best.teams_total or 1)
    speed = f" within {best.latency_days:g} days" if best.latency_days is not None else ""
    when = " (previous 12 months)" if ending_months_ago else ""
    return Result(value, [best], f"{best.teams_with_access} of {best.teams_total} teams see {best.channel} "
                  f"feedback{speed}{when} ({pct(value)})")


def _register_reach(name: str, max_days: int | None, ending_months_ago: int, description: str) -> None:
    def compute(view: EvidenceView) -> Result | None:
        return _reach(view, max_days, ending_months_ago)

    measure(name, type="number", unit="share", better="higher", kinds=("feedback_channel",),
            description=description)(compute)


_register_reach("frontline.team_access_share", None, 0,
                "Share of teams seeing their own feedback directly (self-service or team report), any delay")
_register_reach("frontline.teams_within_31d_share", 31, 0,
                "Share of teams seeing their own feedback within 31 days of collection")
_register_reach("frontline.teams_within_7d_share", 7, 0,
                "Share of teams seeing their own feedback within 7 days of collection")
_register_reach("frontline.teams_within_2d_share", 2, 0,
                "Share of teams seeing their own feedback within 2 days of collection")
_register_reach("frontline.teams_within_7d_share_prev12m", 7, 12,
                "Share of teams seeing their feedback within 7 days, in the 12 months before the last 12")


@measure("frontline.frontline_feedback_qi_12m", type="integer", unit="count", better="higher",
         kinds=("qi_project",), description="Frontline-led improvements from patient feedback running or "
         "finished in the last 12 months")
def frontline_feedback_qi_12m(view: EvidenceView) -> Result | None:
    since = months_before(view.as_of, 12)
    recent = qi_projects(view, lambda q: q.end > since)
    hits = [q for q in recent if q.frontline_led and q.origin in FEEDBACK_ORIGINS]
    return counted(hits, recent, f"of {len(recent)} recent QI projects were frontline-led from feedback")


@measure("frontline.nss_acts_on_concerns_band", type="integer", unit="band", better="higher",
         kinds=("survey_question",), description="NHS Staff Survey 'organisation acts on concerns raised by "
         "patients' (Q25b) against peers, ladder B (1 bottom quartile .. 5 upper quartile two waves)")
def nss_acts_on_concerns_band(view: EvidenceView) -> Result | None:
    return survey_position(view, "nss.acts_on_concerns")


@measure("frontline.trustwide_learning_events_12m", type="integer", unit="count", better="higher",
         kinds=("document",), description="Trust-wide learning or celebration events in the last 12 months")
def trustwide_learning_events_12m(view: EvidenceView) -> Result | None:
    events = issued_docs(view, "learning_event")
    hits = [e for e in events if "trust_wide" in e.contents]
    return counted(hits, events, f"of {len(events)} learning events were trust-wide")


@measure("frontline.learning_spread_24m", type="integer", unit="count", better="higher", kinds=("qi_project",),
         description="Improved QI projects whose learning was shared and taken up beyond the team")
def learning_spread_24m(view: EvidenceView) -> Result | None:
    return impact(view, lambda q: q.learning_shared, "shared a measured improvement beyond the team")
