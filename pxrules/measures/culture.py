"""Measures for the Organisational culture section (5A-8C): OD strategy, staff voice, values, communications.

This module holds 5A (patient experience in the OD strategy), 6A (local action on feedback) and 6B
(celebrating staff), plus the survey helpers the other culture modules share. Staffing (6C-6E) lives in
staffing.py, values (7A, 7B) in values.py and communications (8A-8C) in comms.py.

Staff-survey scores carry the well-led signal but their ranges are narrow (acute IQR about 0.2-0.35 on
the 0-10 scale), so every survey measure here is a ladder-B position against the peer quartiles
(common.survey_position), which rises with the raw score and never merges quartiles.
"""

from __future__ import annotations

from collections.abc import Sequence

from pxrules.evidence.governance import BoardMeeting, Document
from pxrules.evidence.improvement import QiProject
from pxrules.evidence.workforce import StaffProcess
from pxrules.measures.blocks import best_document, documents, pct, processes, survey_items, survey_position
from pxrules.measures.registry import EvidenceView, Result, measure

# ---- shared helpers for the culture modules ----------------------------------------------------------


def register_band(name: str, question_key: str, what: str, fallback: str | None = None) -> None:
    """Register `name` as the ladder-B position (1..5) of one survey question against its peers (or, where
    the trust has not recorded that question, of `fallback`, a published score of the same outcome)."""

    def compute(view: EvidenceView) -> Result | None:
        found = survey_position(view, question_key)
        return found if found is not None or fallback is None else survey_position(view, fallback)

    measure(name, type="integer", unit="band", better="higher", kinds=("survey_question",),
            description=f"Ladder B position of {what} against peers: 1 bottom quartile, 2 below the median, "
            "3 near the median, 4 at or above the median, 5 upper quartile in two consecutive waves")(compute)


def survey_change(view: EvidenceView, question_key: str, what: str) -> Result | None:
    """Latest wave's score minus the wave before (whole organisation); None with fewer than two waves."""
    waves = sorted(survey_items(view, question_key), key=lambda q: (q.end, q.wave))
    if len(waves) < 2:
        return None
    prev, now = waves[-2], waves[-1]
    delta = now.score - prev.score
    return Result(delta, [prev, now], f"{what}: {now.score:g} in {now.wave} vs {prev.score:g} in {prev.wave} "
                  f"({delta:+.2f})")


def compliance(view: EvidenceView, name: str, what: str, ending_months_ago: int = 0) -> Result | None:
    """compliant / population summed over one process's audits in a 12-month window."""
    audits = [p for p in processes(view, name, ending_months_ago=ending_months_ago)
              if p.population and p.compliant is not None]
    if not audits:
        return None
    population = sum(p.population or 0 for p in audits)
    compliant = sum(p.compliant or 0 for p in audits)
    when = " in the previous 12 months" if ending_months_ago else ""
    return Result(compliant / population, tuple(audits),
                  f"{compliant} of {population} {what}{when} ({pct(compliant / population)})")


def latest_document(view: EvidenceView, *doc_types: str) -> Document | None:
    """The latest current document of these types in any status (approved preferred), for content checks."""
    return best_document(view, *doc_types) or next(iter(reversed(documents(view, *doc_types))), None)


# ---- 5A: patient experience integrated into the OD strategy -------------------------------------------

OD_DOC_TYPES = ("od_strategy", "people_strategy")
PX_OBJECTIVES = "px_objectives"
PX_MEASURE_PREFIX = "px_measure."


@measure("culture.od_strategy_exists", type="boolean", better="true", kinds=("document",),
         description="An organisational development (people) strategy exists, in draft, approved or lapsed")
def od_strategy_exists(view: EvidenceView) -> Result | None:
    found = documents(view, *OD_DOC_TYPES, ever=True)
    if not found:
        return None
    d = found[-1]
    approved = f", approved {d.approved_on}" if d.approved_on else ""
    return Result(True, [d], f"{d.title} ({d.status}{approved})")


@measure("culture.od_strategy_in_date", type="boolean", better="true", kinds=("document",),
         description="The OD (people) strategy is approved and within its review date")
def od_strategy_in_date(view: EvidenceView) -> Result | None:
    found = documents(view, *OD_DOC_TYPES, ever=True)
    if not found:
        return None
    d = best_document(view, *OD_DOC_TYPES)
    if d is None:
        last = found[-1]
        state = "in draft" if last.status == "draft" else "not in date"
        return Result(False, [last], f"{last.title} is {state}")
    return Result(True, [d], f"{d.title} approved {d.approved_on}"
                  + (f", review due {d.review_due}" if d.review_due else ""))


@measure("culture.od_px_objectives", type="boolean", better="true", kinds=("document",),
         description="The current OD (people) strategy sets patient experience objectives")
def od_px_objectives(view: EvidenceView) -> Result | None:
    d = latest_document(view, *OD_DOC_TYPES)
    if d is None:
        return None
    has = PX_OBJECTIVES in d.contents
    return Result(has, [d], f"{d.title} {'sets' if has else 'does not set'} patient experience objectives")


@measure("culture.od_px_measures", type="integer", unit="count", better="higher", kinds=("document",),
         description="Patient-experience-linked measures (content flags px_measure.*) in the current OD "
         "strategy")
def od_px_measures(view: EvidenceView) -> Result | None:
    d = latest_document(view, *OD_DOC_TYPES)
    if d is None:
        return None
    linked = sorted(c.removeprefix(PX_MEASURE_PREFIX) for c in d.contents if c.startswith(PX_MEASURE_PREFIX))
    return Result(len(linked), [d], f"{d.title} tracks {len(linked)} patient-experience-linked measures"
                  + (f" ({', '.join(linked)})" if linked else ""))


@measure("culture.od_strategy_coproduced_patients", type="boolean", better="true", kinds=("document",),
         description="The current approved OD strategy was co-produced with patients")
def od_strategy_coproduced_patients(view: EvidenceView) -> Result | None:
    d = best_document(view, *OD_DOC_TYPES)
    if d is None:
        return None
    return Result(d.coproduced_patients, [d],
                  f"{d.title} {'was' if d.coproduced_patients else 'was not'} co-produced with patients")


register_band("culture.nss_compassionate_culture_band", "nss.compassionate_culture",
              "the NHS Staff Survey compassionate culture sub-score")

# ---- 6A: staff act locally on feedback, outcomes captured ---------------------------------------------

LOCAL_ACTION = "local_feedback_action"
FEEDBACK_ORIGINS = ("patient_feedback", "complaint", "survey")


def _frontline_feedback_projects(view: EvidenceView) -> list[QiProject]:
    return list(view.memo("frontline_feedback_projects_12m", lambda: [
        p for p in view.within("qi_project", 12)
        if isinstance(p, QiProject) and p.frontline_led and p.origin in FEEDBACK_ORIGINS
        and p.status != "planned"]))


@measure("culture.qi_local_action_team_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of clinical teams logging an action taken on patient feedback, over the "
         "quarterly audits of the last 12 months")
def local_action_team_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, LOCAL_ACTION, "team-quarters logged an action on patient feedback")


@measure("culture.qi_local_action_team_share_prev12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of clinical teams logging an action on patient feedback in the 12 months before "
         "that")
def local_action_team_share_prev12m(view: EvidenceView) -> Result | None:
    return compliance(view, LOCAL_ACTION, "team-quarters logged an action on patient feedback", 12)


@measure("culture.qi_local_action_reports_12m", type="integer", unit="count", better="higher",
         kinds=("staff_process",),
         description="Reports of local action on patient feedback (one per quarter expected) in the last 12 "
         "months")
def local_action_reports_12m(view: EvidenceView) -> Result | None:
    audits = processes(view, LOCAL_ACTION)
    if not audits:
        return None
    quarters = sorted({(p.end.year, (p.end.month - 1) // 3 + 1) for p in audits})
    return Result(len(quarters), tuple(audits),
                  f"local action reported in {len(quarters)} quarters of the last 12 months")


@measure("culture.qi_frontline_feedback_projects_12m", type="integer", unit="count", better="higher",
         kinds=("qi_project",),
         description="Frontline-led improvement projects started from patient feedback, active in the last "
         "12 months")
def frontline_feedback_projects_12m(view: EvidenceView) -> Result | None:
    projects = _frontline_feedback_projects(view)
    if not projects:
        return None
    return Result(len(projects), tuple(projects),
                  f"{len(projects)} frontline-led projects from patient feedback")


@measure("culture.qi_frontline_feedback_outcome_share_12m", type="number", unit="share", better="higher",
         kinds=("qi_project",),
         description="Share of completed frontline-led projects from patient feedback (ended in the last 12 "
         "months) whose outcome was measured")
def frontline_feedback_outcome_share_12m(view: EvidenceView) -> Result | None:
    # Only a finished project can report its outcome; counting running ones would punish a trust for
    # starting new work.
    done = [p for p in _frontline_feedback_projects(view) if p.status == "completed"]
    if not done:
        return None
    measured = [p for p in done if p.outcome_measured]
    return Result(len(measured) / len(done), tuple(done),
                  f"{len(measured)} of {len(done)} completed frontline feedback projects measured their "
                  "outcome")


@measure("culture.qi_frontline_feedback_improved_12m", type="integer", unit="count", better="higher",
         kinds=("qi_project",),
         description="Frontline-led projects from patient feedback with a measured improvement")
def frontline_feedback_improved_12m(view: EvidenceView) -> Result | None:
    projects = _frontline_feedback_projects(view)
    if not projects:
        return None
    improved = [p for p in projects if p.outcome_measured and p.improved]
    return Result(len(improved), tuple(projects),
                  f"{len(improved)} of {len(projects)} frontline feedback projects showed a measured "
                  "improvement")


register_band("culture.nss_acts_on_concerns_band", "nss.acts_on_concerns",
              "NHS Staff Survey 'my organisation acts on concerns raised by patients' (Q25b)")

# ---- 6B: celebrating staff who exceed patient expectations --------------------------------------------

RECOGNITION = "staff_recognition"
CELEBRATION_ITEMS = ("celebration", "staff_recognition")


def _recognition(view: EvidenceView, ending_months_ago: int = 0) -> list[StaffProcess]:
    return processes(view, RECOGNITION, ending_months_ago=ending_months_ago)


def _awards(records: Sequence[StaffProcess], what: str) -> Result | None:
    live = [r for r in records if r.in_place and r.compliant is not None]
    if not live:
        return None
    awards = sum(r.compliant or 0 for r in live)
    return Result(awards, tuple(live), f"{awards} staff awards made {what}")


@measure("culture.od_recognition_scheme_recorded", type="boolean", better="true", kinds=("staff_process",),
         description="A staff recognition scheme is planned or running (a record in the last 12 months)")
def recognition_scheme_recorded(view: EvidenceView) -> Result | None:
    records = _recognition(view)
    if not records:
        return None
    live = any(r.in_place for r in records)
    state = "running" if live else "planned, not yet running"
    return Result(True, tuple(records), f"staff recognition scheme {state}")


@measure("culture.od_recognition_awards_12m", type="integer", unit="count", better="higher", kinds=("staff_process",),
         description="Staff recognition awards made in the last 12 months")
def recognition_awards_12m(view: EvidenceView) -> Result | None:
    return _awards(_recognition(view), "in the last 12 months")


@measure("culture.od_recognition_awards_prev12m", type="integer", unit="count", better="higher",
         kinds=("staff_process",),
         description="Staff recognition awards made in the 12 months before that")
def recognition_awards_prev12m(view: EvidenceView) -> Result | None:
    return _awards(_recognition(view, 12), "in the previous 12 months")


@measure("culture.od_recognition_patient_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of staff awards in the last 12 months that came from patient or carer "
         "nominations")
def recognition_patient_share_12m(view: EvidenceView) -> Result | None:
    live = [r for r in _recognition(view) if r.in_place and r.compliant and r.with_patients is not None]
    if not live:
        return None
    awards = sum(r.compliant or 0 for r in live)
    patients = sum(r.with_patients or 0 for r in live)
    return Result(patients / awards, tuple(live),
                  f"{patients} of {awards} staff awards came from patient nominations "
                  f"({pct(patients / awards)})")


@measure("culture.od_board_celebrations_12m", type="integer", unit="count", better="higher", kinds=("board_meeting",),
         description="Meetings of the board or its people committee in the last 12 months that celebrated or "
         "reviewed staff recognition")
def board_celebrations_12m(view: EvidenceView) -> Result | None:
    # The people committee is a board committee chaired by a non-executive director: recognition it
    # reviews is the board's involvement too (6B asks that "the board is engaged and fully involved").
    meetings = view.select_within("board_meeting", BoardMeeting, "body", ("board", "people_committee"), 12)
    if not meetings:
        return None
    held = [m for m in meetings if set(m.agenda) & set(CELEBRATION_ITEMS)]
    return Result(len(held), tuple(meetings), f"{len(held)} of {len(meetings)} board and people committee "
                  "meetings celebrated staff achievements")


register_band("culture.nss_recognition_band", "nss.recognition",
              "NHS Staff Survey 'satisfied with the recognition I get for good work' (Q4a)")
