"""Leadership measures for clinical leadership: change (4A), patient focus (4B), medical engagement (4C)."""

from __future__ import annotations

from pxrules.evidence.feedback import SurveyQuestion
from pxrules.evidence.governance import Document
from pxrules.evidence.improvement import QiProject, ServiceChange
from pxrules.evidence.workforce import StaffProcess
from pxrules.measures.blocks import latest, pct, processes, share_result
from pxrules.measures.leadership import (
    CLINICAL_GROUPS,
    MEDICAL_GROUPS,
    SETTING_PREFIX,
    approved_doc,
    doc_stage,
    meeting_share,
    meetings,
    survey_band,
)
from pxrules.measures.registry import EvidenceView, Result, measure

# Points on a 0-100 scale per unit of each survey scale, so gaps read the same whatever the scale.
_POINTS = {"percent": 1.0, "score10": 10.0, "score5": 20.0, "share": 100.0}


def _is_setting(group: str) -> bool:
    return group.startswith(SETTING_PREFIX)


# ---- 4A: clinicians shape service and efficiency changes and how they affect patients ---------------------
# service_change items are business cases, PIDs and cost-improvement schemes from the PMO register: a
# "clinician QIA" is a patient-impact assessment signed off by the medical director or director of nursing.

def _changes(view: EvidenceView, ending_months_ago: int = 0) -> list[ServiceChange]:
    return [c for c in view.within("service_change", 12, ending_months_ago=ending_months_ago)
            if isinstance(c, ServiceChange)]


def _clinician_qia(c: ServiceChange) -> bool:
    return c.px_impact_assessed and c.clinical_signoff


@measure("clinical.qia_process_stage", type="integer", unit="stage", better="higher", kinds=("document",),
         description="Quality impact assessment procedure: 1 in draft, 2 approved but "
         "lapsed, 3 approved and in date")
def clinical_qia_process_stage(view: EvidenceView) -> Result | None:
    return doc_stage(view, ("qia_policy",), "quality impact assessment procedure")


@measure("clinical.changes_qia_share_12m", type="number", unit="share", better="higher",
         kinds=("service_change",),
         description="Share of service and efficiency changes in the last 12 months with a patient impact "
         "assessment signed off by the medical director or director of nursing")
def clinical_changes_qia_share_12m(view: EvidenceView) -> Result | None:
    return share_result(_changes(view), _clinician_qia,
                        "changes had a clinically signed-off patient impact assessment")


@measure("clinical.changes_qia_share_prev12m", type="number", unit="share", better="higher",
         kinds=("service_change",),
         description="The same share for changes in the 12 months before the last 12")
def clinical_changes_qia_share_prev12m(view: EvidenceView) -> Result | None:
    return share_result(_changes(view, 12), _clinician_qia,
                        "changes in the previous 12 months had a clinically signed-off patient impact "
                        "assessment")


@measure("clinical.changes_clinicians_share_12m", type="number", unit="share", better="higher",
         kinds=("service_change",),
         description="Share of service and efficiency changes in the last 12 months that frontline "
         "clinicians helped develop")
def clinical_changes_clinicians_share_12m(view: EvidenceView) -> Result | None:
    return share_result(_changes(view), lambda c: c.clinicians_involved,
                        "changes were developed with frontline clinicians")


@measure("clinical.post_implementation_reviews_24m", type="integer", unit="count", better="higher",
         kinds=("service_change",),
         description="Changes in the last 24 months whose effect on patients was checked in a "
         "post-implementation review")
def clinical_post_implementation_reviews_24m(view: EvidenceView) -> Result | None:
    changes = _changes(view, 12) + _changes(view)
    if not changes:
        return None
    reviewed = [c for c in changes if c.post_implementation_review and c.px_impact_assessed]
    return Result(len(reviewed), tuple(reviewed or changes),
                  f"{len(reviewed)} of {len(changes)} changes in 24 months had a post-implementation review "
                  "of their impact on patients")


@measure("clinical.nss_involved_band", type="integer", unit="level", better="higher",
         kinds=("survey_question",),
         description="Ladder B position (1-5) of staff survey Q3e 'involved in deciding on changes' for the "
         "weakest clinical staff group (whole organisation when no breakdown)")
def clinical_nss_involved_band(view: EvidenceView) -> Result | None:
    return survey_band(view, "nss.involved_in_changes", CLINICAL_GROUPS)


# ---- 4B: clinical engagement focused on patients, in acute and community settings -------------------------
# A `clinical_px_leads` staff_process item is a snapshot: population = clinical divisions, compliant =
# divisions with a named clinical patient experience lead, with_patients = of those, leads who work with
# patient partners. Survey breakdowns by setting use group "setting:<name>" (e.g. setting:acute).

def _leads(view: EvidenceView) -> StaffProcess | None:
    return latest([p for p in processes(view, "clinical_px_leads") if p.population])


@measure("clinical.px_leads_share", type="number", unit="share", better="higher", kinds=("staff_process",),
         description="Share of clinical divisions with a named clinical patient experience lead (latest)")
def clinical_px_leads_share(view: EvidenceView) -> Result | None:
    p = _leads(view)
    if p is None or not p.population:
        return None
    n = p.compliant or 0
    return Result(n / p.population, [p], f"{n} of {p.population} clinical divisions have a named clinical "
                  f"patient experience lead ({pct(n / p.population)}, {p.end})")


@measure("clinical.px_leads_with_patients_share", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of clinical patient experience leads who work with patient partners (latest)")
def clinical_px_leads_with_patients_share(view: EvidenceView) -> Result | None:
    p = _leads(view)
    if p is None or not p.compliant:
        return None
    n = p.with_patients or 0
    return Result(n / p.compliant, [p], f"{n} of {p.compliant} clinical patient experience leads work with "
                  f"patient partners ({pct(n / p.compliant)})")


@measure("clinical.nss_care_priority_band", type="integer", unit="level", better="higher",
         kinds=("survey_question",),
         description="Ladder B position (1-5) of staff survey 'care of patients is the top priority' "
         "(2023-25 Q25a) in the weakest care setting")
def clinical_nss_care_priority_band(view: EvidenceView) -> Result | None:
    return survey_band(view, "nss.care_top_priority", _is_setting)


@measure("clinical.nss_care_priority_band_prev", type="integer", unit="level", better="higher",
         kinds=("survey_question",),
         description="The same position at the previous survey wave")
def clinical_nss_care_priority_band_prev(view: EvidenceView) -> Result | None:
    return survey_band(view, "nss.care_top_priority", _is_setting, previous=True)


@measure("clinical.setting_gap_pts", type="number", unit="points", better="lower", kinds=("survey_question",),
         description="Gap between the best and worst care setting on 'care of patients is the top "
         "priority' at the latest wave, in points out of 100 (0 for a single-setting trust)")
def clinical_setting_gap_pts(view: EvidenceView) -> Result | None:
    items = [q for q in view.select("survey_question", SurveyQuestion, "question_key", ("nss.care_top_priority",))
             if q.group is not None and _is_setting(q.group)]
    if not items:
        return None
    newest = max(items, key=lambda q: (q.end, q.wave))
    wave = [q for q in items if q.year == newest.year]
    points = {q.group or "": q.score * _POINTS[q.scale] for q in wave}
    gap = max(points.values()) - min(points.values())
    spread = ", ".join(f"{g.removeprefix(SETTING_PREFIX)} {v:.1f}" for g, v in sorted(points.items()))
    return Result(round(gap, 2), tuple(wave), f"{newest.wave}: {spread} (gap {gap:.1f} points)")


# ---- 4C: medical engagement: experience an equal facet of quality with safety and effectiveness ----------
# The quality strategy (doc_type quality_strategy) lists patient_experience in its contents, and
# px_equal_domain when experience is one of its domains on a par with safety and effectiveness. A quality
# committee meeting with `medical_director_px` on its agenda had the medical director lead a patient
# experience item.

def _quality_strategy(view: EvidenceView) -> Document | None:
    return approved_doc(view, ("quality_strategy",))


@measure("clinical.px_in_quality_strategy", type="boolean", better="true", kinds=("document",),
         description="The current quality strategy covers patient experience")
def clinical_px_in_quality_strategy(view: EvidenceView) -> Result | None:
    d = _quality_strategy(view)
    if d is None:
        return None
    yes = bool({"patient_experience", "px_equal_domain"} & set(d.contents))
    how = "covers patient experience" if yes else "omits patient experience"
    return Result(yes, [d], f"'{d.title}' {how}")


@measure("clinical.px_equal_domain", type="boolean", better="true", kinds=("document",),
         description="The quality strategy makes patient experience a domain equal "
         "to safety and effectiveness")
def clinical_px_equal_domain(view: EvidenceView) -> Result | None:
    d = _quality_strategy(view)
    if d is None:
        return None
    yes = "px_equal_domain" in d.contents
    how = ("treats patient experience as a domain equal to safety and effectiveness" if yes
           else "does not give patient experience equal standing")
    return Result(yes, [d], f"'{d.title}' {how}")


def _md_share(view: EvidenceView, ending_months_ago: int) -> Result | None:
    found = meetings(view, ending_months_ago=ending_months_ago, bodies=("quality_committee",))
    when = "" if not ending_months_ago else " in the previous 12 months"
    return meeting_share(found, lambda m: m.has_item("medical_director_px"),
                         f"quality committee meetings{when} had the medical director lead a patient "
                         "experience item")


@measure("clinical.qc_md_px_share_12m", type="number", unit="share", better="higher",
         kinds=("board_meeting",),
         description="Share of quality committee meetings in the last 12 months where the medical director "
         "led a patient experience item")
def clinical_qc_md_px_share_12m(view: EvidenceView) -> Result | None:
    return _md_share(view, 0)


@measure("clinical.qc_md_px_share_prev12m", type="number", unit="share", better="higher",
         kinds=("board_meeting",),
         description="The same share in the 12 months before the last 12")
def clinical_qc_md_px_share_prev12m(view: EvidenceView) -> Result | None:
    return _md_share(view, 12)


@measure("clinical.nss_medical_band", type="integer", unit="level", better="higher",
         kinds=("survey_question",),
         description="Ladder B position (1-5) of staff survey 'acts on concerns raised by patients' "
         "(2023-25 Q25b) for medical and dental staff (whole organisation when no breakdown)")
def clinical_nss_medical_band(view: EvidenceView) -> Result | None:
    return survey_band(view, "nss.acts_on_concerns", MEDICAL_GROUPS)


@measure("clinical.px_qi_improved_24m", type="integer", unit="count", better="higher", kinds=("qi_project",),
         description="Clinically led QI projects in the last 24 months that measurably improved a "
         "patient experience measure")
def clinical_px_qi_improved_24m(view: EvidenceView) -> Result | None:
    projects = [p for p in view.within("qi_project", 24) if isinstance(p, QiProject)]
    if not projects:
        return None
    won = [p for p in projects if p.frontline_led and p.px_measure and p.outcome_measured and p.improved]
    return Result(len(won), tuple(won or projects), f"{len(won)} of {len(projects)} QI projects were "
                  "clinically led and measurably improved patient experience")
