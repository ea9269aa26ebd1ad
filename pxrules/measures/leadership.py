"""Measures for the Leadership section (1A-4C): shared helpers, board reporting (3A) and visibility (3B)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pxrules.evidence import Evidence
from pxrules.evidence.feedback import SurveyQuestion
from pxrules.evidence.governance import BoardMeeting, Document
from pxrules.evidence.workforce import StaffProcess
from pxrules.measures.blocks import (
    documents,
    ladder_position,
    one_per_year,
    pct,
    process_compliance,
    survey_position,
)
from pxrules.measures.registry import EvidenceView, Result, measure

# Survey breakdowns the leadership rules read (survey_question.group). Clinical engagement is judged on
# the weakest clinical staff group, patient focus on the weakest care setting (acute vs community).
CLINICAL_GROUPS = ("staff:medical_dental", "staff:nursing_midwifery")
MEDICAL_GROUPS = ("staff:medical_dental",)
SETTING_PREFIX = "setting:"

# Document stages as integers so rules can only ask for "at least": a draft is intent, an approved
# document past its review date was once in place, an approved in-date document is in place now.
STAGE_DRAFT, STAGE_LAPSED, STAGE_APPROVED = 1, 2, 3


# ---- helpers shared by the leadership_* modules ----------------------------------------------------------

@dataclass(frozen=True)
class Meeting:
    """One sitting of one body: every item recorded for that body on that day.

    Different parts of a register record the same meeting separately (its patient story, its quality
    report, a development session after it), so shares and counts are taken per meeting, not per item.
    """

    day: dt.date
    body: str
    items: tuple[BoardMeeting, ...]

    def any(self, test: Callable[[BoardMeeting], bool]) -> bool:
        return any(test(m) for m in self.items)

    def has_item(self, *keys: str) -> bool:
        return any(k in m.agenda for m in self.items for k in keys)


def meetings(view: EvidenceView, months: int = 12, *, ending_months_ago: int = 0,
             bodies: Sequence[str] = ("board",), public_only: bool = False) -> list[Meeting]:
    """Meetings of the given bodies whose date falls in the window (see EvidenceView.within), oldest first."""
    bodies = tuple(bodies)

    def compute() -> list[Meeting]:
        found: list[Meeting] = []
        for meeting, public in _sittings(view, months, ending_months_ago):
            if meeting.body in bodies:
                if not public_only or len(public) == len(meeting.items):
                    found.append(meeting)
                elif public:
                    found.append(Meeting(meeting.day, meeting.body, public))
        return found

    # Several measures read the same meetings (shares, counts, reviews): picked out once per view.
    return list(view.memo(("meetings", months, ending_months_ago, bodies, public_only), compute))


def _sittings(view: EvidenceView, months: int,
              ending_months_ago: int) -> list[tuple[Meeting, tuple[BoardMeeting, ...]]]:
    """Every body's meetings in the window, ordered by (day, body), each with its items held in public."""
    def compute() -> list[tuple[Meeting, tuple[BoardMeeting, ...]]]:
        grouped: dict[tuple[dt.date, str], tuple[list[BoardMeeting], list[BoardMeeting]]] = {}
        for m in view.within("board_meeting", months, ending_months_ago=ending_months_ago):
            if isinstance(m, BoardMeeting):
                key = (m.period_end or m.period_start, m.body)  # (m.end, without the property's call)
                found = grouped.get(key)
                if found is None:
                    found = grouped[key] = ([], [])
                found[0].append(m)
                if m.session == "public":
                    found[1].append(m)
        return [(Meeting(day, body, tuple(items)), tuple(public))
                for (day, body), (items, public) in sorted(grouped.items())]

    return view.memo(("sittings", months, ending_months_ago), compute)


def evidence_of(found: Sequence[Meeting]) -> list[Evidence]:
    return [m for meeting in found for m in meeting.items]


def meeting_share(found: Sequence[Meeting], test: Callable[[Meeting], bool], what: str) -> Result | None:
    """A share over meetings with its detail sentence ('4 of 6 board meetings heard a patient story')."""
    if not found:
        return None
    hits = [m for m in found if test(m)]
    return Result(len(hits) / len(found), evidence_of(found), f"{len(hits)} of {len(found)} {what}")


def _accepts_any(d: Document) -> bool:
    return True


def doc_stage(view: EvidenceView, doc_types: Sequence[str], what: str,
              accept: Callable[[Document], bool] = _accepts_any) -> Result | None:
    """Stage (1 draft, 2 approved but lapsed, 3 approved and in date) of the best document of `doc_types`
    that `accept`s (which must accept no other type)."""
    current = [d for d in documents(view, *doc_types) if accept(d)]
    approved = [d for d in current if d.status == "approved"]
    if approved:
        d = approved[-1]
        due = f", review due {d.review_due}" if d.review_due else ""
        return Result(STAGE_APPROVED, [d], f"{what} '{d.title}' approved {d.approved_on}{due}")
    lapsed = [d for d in documents(view, *doc_types, ever=True) if accept(d)
              and d.status == "approved" and d not in current]
    if lapsed:
        d = lapsed[-1]
        when = (f"review was due {d.review_due}" if d.review_due
                else f"approved {d.approved_on}, now out of date")
        return Result(STAGE_LAPSED, [d], f"{what} '{d.title}' has lapsed ({when})")
    drafts = [d for d in current if d.status == "draft"]
    if drafts:
        return Result(STAGE_DRAFT, [drafts[-1]], f"{what} '{drafts[-1].title}' is in draft")
    return None


def approved_doc(view: EvidenceView, doc_types: Sequence[str],
                 accept: Callable[[Document], bool] = _accepts_any) -> Document | None:
    """The latest current approved document of `doc_types` that `accept`s (which must accept no other type)."""
    docs = [d for d in documents(view, *doc_types) if accept(d) and d.status == "approved"]
    return docs[-1] if docs else None


def survey_band(view: EvidenceView, key: str, groups: Sequence[str] | Callable[[str], bool] = (),
                *, previous: bool = False) -> Result | None:
    """Ladder B position (1..5) of one survey question: the weakest of the named breakdown groups when the
    trust reports them, else the whole organisation. `previous` gives the position at the wave before the
    current one (that wave may have lapsed: it is judged as it stood when it was current)."""
    wanted = groups if callable(groups) else (lambda g: g in groups)
    current = one_per_year(view.select("survey_question", SurveyQuestion, "question_key", (key,)))
    chosen = sorted({q.group for q in current if q.group is not None and wanted(q.group)})
    scopes: list[str | None] = list(chosen) if chosen else [None]
    pool = one_per_year(view.select("survey_question", SurveyQuestion, "question_key", (key,), ever=True)) \
        if previous else []
    results: list[tuple[int, str, Result]] = []
    for scope in scopes:
        mine = [q for q in current if q.group == scope]
        if not mine:
            continue
        if previous:
            newest = max(mine, key=lambda q: (q.end, q.wave))
            items = [q for q in pool if q.group == scope and q.year != newest.year and q.end <= newest.end]
            if not items:
                continue
            # The group's items as they stood when the previous wave was the latest.
            day = max(q.end for q in items)
            got = survey_position(EvidenceView(view.org, day, items), key, group=scope)
        else:
            # The group's items as a view of them alone on the same day would hold them (all current).
            got = ladder_position(key, mine, sorted(mine, key=lambda q: (q.end, q.id)))
        if got is not None:
            results.append((int(got.value), scope or "organisation", got))
    if not results:
        return None
    level, scope, worst = min(results, key=lambda r: (r[0], r[1]))
    used = [e for _, _, r in results for e in r.evidence]
    label = "previous wave, " if previous else ""
    others = "" if len(results) == 1 else f" (weakest of {len(results)} groups)"
    return Result(level, used, f"{label}{scope}: {worst.detail}{others}")


# ---- 3A: the executive lead reports to the board; patient stories are heard -----------------------------
# Board shares are over meetings held in public: stories and the executive lead's reports are public
# board items, and a private session or development day is not where the framework expects them.

def _board(view: EvidenceView, ending_months_ago: int = 0) -> list[Meeting]:
    return meetings(view, ending_months_ago=ending_months_ago, public_only=True)


def _story(m: Meeting) -> bool:
    return m.any(lambda b: b.patient_story)


@measure("leadership.board_story_share_12m", type="number", unit="share", better="higher", kinds=("board_meeting",),
         description="Share of board meetings in the last 12 months that heard a patient story")
def story_share_12m(view: EvidenceView) -> Result | None:
    return meeting_share(_board(view), _story, "board meetings heard a patient story")


@measure("leadership.board_story_share_prev12m", type="number", unit="share", better="higher", kinds=("board_meeting",),
         description="Share of board meetings in the 12 months before that which heard a patient story")
def story_share_prev12m(view: EvidenceView) -> Result | None:
    return meeting_share(_board(view, 12), _story,
                         "board meetings in the previous 12 months heard a patient story")


@measure("leadership.board_px_report_share_12m", type="number", unit="share", better="higher", kinds=("board_meeting",),
         description="Share of board meetings in the last 12 months that received the executive lead's "
         "patient experience report")
def px_report_share_12m(view: EvidenceView) -> Result | None:
    return meeting_share(_board(view), lambda m: m.any(lambda b: b.px_report_by_exec_lead),
                         "board meetings received the executive lead's patient experience report")


@measure("leadership.board_story_in_person_share_12m", type="number", unit="share", better="higher",
         kinds=("board_meeting",),
         description="Share of patient stories at the board in the last 12 months told in "
         "person by a patient or carer")
def story_in_person_share_12m(view: EvidenceView) -> Result | None:
    return meeting_share([m for m in _board(view) if _story(m)],
                         lambda m: m.any(lambda b: b.story_presenter in ("patient", "carer")),
                         "patient stories were told in person by a patient or carer")


@measure("leadership.board_story_actions_tracked_share_12m", type="number", unit="share", better="higher",
         kinds=("board_meeting",),
         description="Share of patient stories at the board in the last 12 months whose actions were tracked")
def story_actions_tracked_share_12m(view: EvidenceView) -> Result | None:
    return meeting_share([m for m in _board(view) if _story(m)],
                         lambda m: m.any(lambda b: b.story_actions_tracked),
                         "patient stories at the board had their actions tracked to completion")


@measure("leadership.committee_stories_12m", type="integer", unit="count", better="higher", kinds=("board_meeting",),
         description="Patient stories heard by board committees or the council of "
         "governors in the last 12 months")
def committee_stories_12m(view: EvidenceView) -> Result | None:
    found = meetings(view, bodies=("quality_committee", "people_committee", "council_of_governors",
                                   "other_committee"))
    if not found:
        return None
    heard = [m for m in found if _story(m)]
    return Result(len(heard), evidence_of(found), f"{len(heard)} patient stories at {len(found)} committee "
                  "meetings")


# ---- 3B: senior leaders are visible and engage with patients and frontline staff ------------------------
# A `leadership_visits` staff_process item is one period's visit log: population = clinical areas in
# scope, compliant = areas visited by a board member (executive or non-executive) in that period,
# with_patients = of those visits, how many involved talking with patients (e.g. 15 Steps walk-rounds).

@measure("leadership.visits_areas_share_12m", type="number", unit="share", better="higher", kinds=("staff_process",),
         description="Share of clinical areas visited by a board member, over the visit "
         "logs of the last 12 months")
def visits_areas_share_12m(view: EvidenceView) -> Result | None:
    return process_compliance(view, "leadership_visits", "clinical areas visited by a board member")


@measure("leadership.visits_areas_share_prev12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of clinical areas visited by a board member in the 12 months before the last 12")
def visits_areas_share_prev12m(view: EvidenceView) -> Result | None:
    return process_compliance(view, "leadership_visits", "clinical areas visited by a board member in the "
                         "previous 12 months", ending_months_ago=12)


@measure("leadership.visits_with_patients_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of board members' area visits in the last 12 months that "
         "involved talking with patients")
def visits_with_patients_share_12m(view: EvidenceView) -> Result | None:
    logs: list[Evidence] = [p for p in view.within("staff_process", 12) if isinstance(p, StaffProcess)
                            and p.process == "leadership_visits" and p.compliant]
    visited = sum(p.compliant or 0 for p in logs if isinstance(p, StaffProcess))
    with_patients = sum(p.with_patients or 0 for p in logs if isinstance(p, StaffProcess))
    if not visited:
        return None
    share = with_patients / visited
    return Result(share, logs, f"{with_patients} of {visited} area visits involved patients ({pct(share)})")


@measure("leadership.visits_nss_speak_up_band", type="integer", unit="level", better="higher",
         kinds=("survey_question",),
         description="Ladder B position (1-5) of the staff survey 'safe to speak up' item "
         "(2023-25 Q25e) against peers; where the trust has not recorded it, the survey's raising-concerns "
         "sub-score (as the Oversight Framework publishes it)")
def visits_nss_speak_up_band(view: EvidenceView) -> Result | None:
    # The published sub-score measures the same outcome (staff feel able to raise concerns): a trust whose
    # only staff-survey evidence is the national publication still has its position counted.
    return survey_band(view, "nss.safe_to_speak_up") or survey_band(view, "nss.raising_concerns")
