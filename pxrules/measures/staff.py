"""Measures for 9B, 11B and 11C: guidance reviews, Duty of Candour, training, and feedback-led impact."""

from __future__ import annotations

from collections.abc import Sequence

from pxrules.evidence.governance import BoardMeeting
from pxrules.evidence.improvement import QiProject
from pxrules.evidence.workforce import TrainingRecord
from pxrules.measures.blocks import best_document, documents, pct, processes, survey_position, trainings
from pxrules.measures.complaints import WINDOWS, audit_share
from pxrules.measures.registry import EvidenceView, Result, measure

PATIENT_FACING = frozenset({"frontline", "all_staff", "clinicians", "patient_facing"})


# ---------------------------------------------------------------- 9B: best-practice guidance


@measure(
    "staff.px_guidance_gap_analysis",
    type="boolean",
    better="true",
    kinds=("document",),
    description="A gap analysis against patient experience guidance (NICE QS15/CG138, NG197, FFT guidance) "
    "exists, at least in draft",
)
def guidance_gap_analysis(view: EvidenceView) -> Result | None:
    docs = documents(view, "px_guidance_gap_analysis")
    if not docs:
        return None
    return Result(True, [docs[-1]], f"{docs[-1].title} ({docs[-1].status})")


@measure(
    "staff.px_guidance_gap_analysis_approved",
    type="boolean",
    better="true",
    kinds=("document",),
    description="The gap analysis against patient experience guidance is approved and in date",
)
def guidance_gap_analysis_approved(view: EvidenceView) -> Result | None:
    doc = best_document(view, "px_guidance_gap_analysis")
    if doc is None:
        return None
    return Result(True, [doc], f"{doc.title} approved {doc.approved_on} by {doc.approved_by or 'unknown'}")


for _name, (_ago, _when) in zip(("staff.px_guidance_met_share_12m", "staff.px_guidance_met_share_prev12m"), WINDOWS,
                               strict=True):

    def _guidance_fn(view: EvidenceView, ago: int = _ago) -> Result | None:
        return audit_share(view, "px_guidance_review", "guidance statements audited as met", ago)

    measure(
        _name,
        type="number",
        unit="share",
        better="higher",
        kinds=("staff_process",),
        description="Share of best-practice statements (NICE QS15 and related "
        f"guidance) audited as met ({_when})",
    )(_guidance_fn)


# ---------------------------------------------------------------- 11B: Duty of Candour

for _names, _process, _what in (
    (
        ("staff.candour_verbal_share_12m", "staff.candour_verbal_share_prev12m"),
        "duty_of_candour_audit",
        "notifiable safety incidents with in-person notification and apology in time",
    ),
    (("staff.candour_written_share_12m", "staff.candour_written_share_prev12m"), "duty_of_candour_written",
     "notifiable safety incidents followed up in writing"),
):
    for _name, (_ago, _when) in zip(_names, WINDOWS, strict=True):

        def _candour_fn(
            view: EvidenceView, process: str = _process, what: str = _what, ago: int = _ago
        ) -> Result | None:
            return audit_share(view, process, what, ago)

        measure(
            _name,
            type="number",
            unit="share",
            better="higher",
            kinds=("staff_process",),
            description=f"Share of {_what} ({_when}, from the Duty of Candour audit)",
        )(_candour_fn)


@measure(
    "staff.candour_policy_in_date",
    type="boolean",
    better="true",
    kinds=("document",),
    description="A Duty of Candour policy is approved and within its review date",
)
def candour_policy(view: EvidenceView) -> Result | None:
    doc = best_document(view, "duty_of_candour_policy")
    if doc is not None:
        return Result(True, [doc], f"{doc.title} approved {doc.approved_on}")
    lapsed = [d for d in documents(view, "duty_of_candour_policy", ever=True) if d.status == "approved"]
    return Result(False, [lapsed[-1]], f"{lapsed[-1].title} lapsed") if lapsed else None


def best_coverage(view: EvidenceView, records: Sequence[TrainingRecord], what: str) -> Result | None:
    """The best completion share among the latest record of each (course, patient-facing population)."""
    latest: dict[tuple[str, str], TrainingRecord] = {}
    for r in records:
        if r.population in PATIENT_FACING and r.population_size:
            latest[(r.course, r.population)] = r
    if not latest:
        return None
    best = max(latest.values(), key=lambda r: (r.completed / r.population_size, r.course, r.population))
    share = best.completed / best.population_size
    return Result(
        share,
        list(latest.values()),
        f"{best.completed} of {best.population_size} {best.population} "
        f"staff completed {best.course} ({pct(share)})" + (f" {what}" if what else ""),
    )


@measure(
    "staff.candour_training_coverage",
    type="number",
    unit="share",
    better="higher",
    kinds=("training_record",),
    description="Share of patient-facing staff trained in the Duty of Candour (best current record)",
)
def candour_training(view: EvidenceView) -> Result | None:
    return best_coverage(
        view,
        trainings(view, "duty_of_candour"),
        "",
    )


@measure(
    "staff.candour_board_reports_12m",
    type="integer",
    unit="count",
    better="higher",
    kinds=("board_meeting",),
    description="Board or committee meetings in the last 12 months that received the Duty of Candour audit",
)
def candour_reports(view: EvidenceView) -> Result | None:
    meetings = [m for m in view.within("board_meeting", 12) if isinstance(m, BoardMeeting)]
    if not meetings:
        return None
    hits = [m for m in meetings if "duty_of_candour_report" in m.agenda]
    return Result(
        len(hits),
        tuple(meetings),
        f"{len(hits)} of {len(meetings)} board and committee meetings received the Duty of Candour audit",
    )


@measure(
    "staff.candour_nss_errors_fair_band",
    type="integer",
    unit="level",
    better="higher",
    kinds=("survey_question",),
    description="Staff survey 'staff involved in errors are treated fairly' (Q19a 2023-25) against peers "
    "(ladder B 1..5)",
)
def candour_nss_band(view: EvidenceView) -> Result | None:
    return survey_position(view, "nss.errors_treated_fairly")


@measure(
    "staff.candour_family_feedback_12m",
    type="boolean",
    better="true",
    kinds=("staff_process",),
    description="Patients' and families' feedback on Duty of Candour conversations was collected in the "
    "last 12 months",
)
def candour_family_feedback(view: EvidenceView) -> Result | None:
    audits = processes(view, "duty_of_candour_feedback")
    if not audits:
        return None
    got = sum(p.compliant or 0 for p in audits)
    return Result(
        got > 0, tuple(audits), f"feedback from {got} patients or families on candour conversations"
    )


# ---------------------------------------------------------------- 11C: patient feedback in training


def _feedback_courses(view: EvidenceView, ending_months_ago: int = 0) -> list[TrainingRecord]:
    pool = view.within("training_record", 36, ending_months_ago=ending_months_ago)
    return [t for t in pool if isinstance(t, TrainingRecord) and t.includes_patient_feedback]


@measure(
    "staff.training_px_induction_feedback",
    type="boolean",
    better="true",
    kinds=("training_record",),
    description="Corporate induction teaches the use of patient feedback",
)
def induction_feedback(view: EvidenceView) -> Result | None:
    records = trainings(view, "px_induction")
    if not records:
        return None
    return Result(
        records[-1].includes_patient_feedback,
        [records[-1]],
        f"induction {'includes' if records[-1].includes_patient_feedback else 'does not include'} "
        f"patient feedback ({records[-1].completed} of {records[-1].population_size} completed)",
    )


for _name, _ago in (("staff.training_px_feedback_coverage", 0), ("staff.training_px_feedback_coverage_prev12m", 12)):

    def _coverage_fn(view: EvidenceView, ago: int = _ago) -> Result | None:
        what = "a course using patient feedback" + (" (a year ago)" if ago else "")
        return best_coverage(view, _feedback_courses(view, ago), what)

    measure(
        _name,
        type="number",
        unit="share",
        better="higher",
        kinds=("training_record",),
        description="Share of patient-facing staff trained in a course that "
        "teaches the use of patient feedback (best record of the last 36 months"
        + (")" if _ago == 0 else ", as it stood a year ago)"),
    )(_coverage_fn)


@measure(
    "staff.training_patient_co_delivered",
    type="boolean",
    better="true",
    kinds=("training_record",),
    description="Patients or carers co-deliver a current course on patient feedback",
)
def patient_co_delivered(view: EvidenceView) -> Result | None:
    records = _feedback_courses(view)
    if not records:
        return None
    co = [r for r in records if r.co_delivered_by_patients]
    return Result(
        bool(co),
        tuple(co or records),
        f"{co[-1].course} co-delivered by patients"
        if co
        else "no course on patient feedback is co-delivered by patients",
    )


@measure(
    "staff.training_complaints_handling_coverage",
    type="number",
    unit="share",
    better="higher",
    kinds=("training_record",),
    description="Share of frontline staff trained in complaints handling or "
    "local resolution of concerns (best current record)",
)
def complaints_training(view: EvidenceView) -> Result | None:
    return best_coverage(
        view,
        trainings(view, "complaints_handling", "local_resolution"),
        "",
    )


# ---------------------------------------------------------------- impact for level 5


@measure(
    "staff.qi_from_feedback_improved_24m",
    type="integer",
    unit="count",
    better="higher",
    kinds=("qi_project",),
    description="Improvement projects started from patient feedback or surveys whose measured outcome "
    "improved (last 24 months)",
)
def qi_from_feedback_improved(view: EvidenceView) -> Result | None:
    projects = view.select_within("qi_project", QiProject, "origin", ("patient_feedback", "survey"), 24)
    if not projects:
        return None
    hits = [p for p in projects if p.outcome_measured and p.improved]
    return Result(
        len(hits),
        tuple(projects),
        f"{len(hits)} of {len(projects)} feedback-led improvement projects show a "
        "measured improvement" + (f" ({'; '.join(p.title for p in hits)})" if hits else ""),
    )


@measure(
    "staff.qi_from_complaints_improved_24m",
    type="integer",
    unit="count",
    better="higher",
    kinds=("qi_project",),
    description="Improvement projects started from complaints whose measured outcome improved "
    "(last 24 months)",
)
def qi_from_complaints_improved(view: EvidenceView) -> Result | None:
    projects = view.select_within("qi_project", QiProject, "origin", ("complaint",), 24)
    if not projects:
        return None
    hits = [p for p in projects if p.outcome_measured and p.improved]
    return Result(
        len(hits),
        tuple(projects),
        f"{len(hits)} of {len(projects)} complaint-led improvement projects show "
        "a measured improvement" + (f" ({'; '.join(p.title for p in hits)})" if hits else ""),
    )
