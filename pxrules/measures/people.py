"""Leadership measures about people: patient experience in leadership development (2A) and appraisal (2B)."""

from __future__ import annotations

from pxrules.evidence.governance import Document
from pxrules.evidence.workforce import TrainingRecord
from pxrules.measures.blocks import documents, pct, process_compliance, trainings
from pxrules.measures.leadership import doc_stage, survey_band
from pxrules.measures.registry import EvidenceView, Result, measure

# Leadership programmes (training_record.course) and who they are for (training_record.population): the
# framework names operational managers and clinical staff.
LEADERSHIP_COURSES = ("leadership_programme", "clinical_leadership_programme")
LEADER_POPULATIONS = ("managers", "clinical_leaders")


# ---- 2A: patient experience embedded in all leadership development ---------------------------------------

def _curricula(view: EvidenceView) -> list[Document]:
    """The latest current approved curriculum of each leadership programme (told apart by title)."""
    latest: dict[str, Document] = {}
    for d in documents(view, "leadership_curriculum"):
        if d.status == "approved":
            latest[d.title] = d
    return list(latest.values())


def _coverage(records: list[TrainingRecord], when: str) -> Result | None:
    latest: dict[tuple[str, str], TrainingRecord] = {}
    for r in records:
        if r.course in LEADERSHIP_COURSES and r.population in LEADER_POPULATIONS and r.population_size:
            latest[(r.course, r.population)] = r
    if not latest:
        return None
    size = sum(r.population_size for r in latest.values())
    done = sum(r.completed for r in latest.values())
    return Result(done / size, list(latest.values()),
                  f"{done} of {size} managers and clinical leaders completed a leadership programme{when} "
                  f"({pct(done / size)})")


@measure("people.curriculum_stage", type="integer", unit="stage", better="higher", kinds=("document",),
         description="Leadership programme curriculum: 1 in draft, 2 approved but "
         "lapsed, 3 approved and in date")
def leadership_curriculum_stage(view: EvidenceView) -> Result | None:
    return doc_stage(view, ("leadership_curriculum",), "leadership curriculum")


@measure("people.programmes_px_share", type="number", unit="share", better="higher", kinds=("document",),
         description="Share of leadership development programmes whose curriculum "
         "includes patient experience")
def leadership_programmes_px_share(view: EvidenceView) -> Result | None:
    docs = _curricula(view)
    if not docs:
        return None
    with_px = [d for d in docs if "patient_experience" in d.contents]
    names = ", ".join(sorted(d.title for d in docs if d not in with_px))
    missing = f"; without it: {names}" if names else ""
    return Result(len(with_px) / len(docs), tuple(docs),
                  f"{len(with_px)} of {len(docs)} leadership programmes include patient experience{missing}")


@measure("people.trained_share", type="number", unit="share", better="higher", kinds=("training_record",),
         description="Share of managers and clinical leaders who completed a leadership "
         "programme (latest records)")
def leadership_trained_share(view: EvidenceView) -> Result | None:
    return _coverage([r for r in view.of("training_record") if isinstance(r, TrainingRecord)], "")


@measure("people.trained_share_prev12m", type="number", unit="share", better="higher",
         kinds=("training_record",),
         description="The same completion share as it stood a year earlier (records ending 12-36 months ago)")
def leadership_trained_share_prev12m(view: EvidenceView) -> Result | None:
    old = [r for r in view.within("training_record", 24, ending_months_ago=12)
           if isinstance(r, TrainingRecord)]
    return _coverage(old, " a year earlier")


@measure("people.patient_codelivery", type="boolean", better="true",
         kinds=("document", "training_record"),
         description="Patients co-design or co-deliver leadership development")
def leadership_patient_codelivery(view: EvidenceView) -> Result | None:
    docs = _curricula(view)
    records = trainings(view, *LEADERSHIP_COURSES)
    if not docs and not records:
        return None
    delivered = [r for r in records if r.co_delivered_by_patients]
    designed = [d for d in docs if d.coproduced_patients]
    if delivered or designed:
        what = ", ".join([*(f"'{d.title}' designed with patients" for d in designed),
                          *(f"{r.course} co-delivered by patients" for r in delivered)])
        return Result(True, [*designed, *delivered], what)
    return Result(False, [*docs, *records], "no leadership programme is designed or delivered with patients")


@measure("people.nss_compassionate_band", type="integer", unit="level", better="higher",
         kinds=("survey_question",),
         description="Ladder B position (1-5) of the staff survey "
         "compassionate-leadership sub-score against peers")
def leadership_nss_compassionate_band(view: EvidenceView) -> Result | None:
    return survey_band(view, "nss.compassionate_leadership")


# ---- 2B: patients involved in staff assessment and appraisal ---------------------------------------------
# The appraisal policy/template is a document (doc_type appraisal_policy) whose contents say whom patient
# feedback is asked of: patient_feedback_all_staff, or patient_feedback_revalidation (doctors and nurses,
# as GMC and NMC revalidation already require). Audits are staff_process items:
# appraisal_with_patient_feedback (population = appraisals sampled, compliant = those using patient
# feedback) and recruitment_panel_patient_member (population = senior panels, compliant = with a patient).

SCOPE_WORDS = {0: "asks for no patient feedback", 1: "would add patient feedback (draft or lapsed)",
               2: "asks for patient feedback from revalidating doctors and nurses only",
               3: "asks every staff group for patient feedback"}


def _scope(d: Document) -> int:
    if "patient_feedback_all_staff" in d.contents:
        return 3
    return 2 if "patient_feedback_revalidation" in d.contents else 0


@measure("people.appraisal_policy_feedback_scope", type="integer", unit="level", better="higher",
         kinds=("document",),
         description="Appraisal policy: 0 no patient feedback, 1 planned (draft or lapsed), 2 revalidating "
         "doctors and nurses only, 3 all staff groups")
def appraisal_policy_feedback_scope(view: EvidenceView) -> Result | None:
    current = documents(view, "appraisal_policy")
    approved = [d for d in current if d.status == "approved"]
    if approved:
        d = approved[-1]
        return Result(_scope(d), [d], f"'{d.title}' (approved {d.approved_on}) {SCOPE_WORDS[_scope(d)]}")
    older = [d for d in documents(view, "appraisal_policy", ever=True) if d.status != "superseded"
             and (d.status == "draft" or d not in current) and _scope(d)]
    if not older:
        return None
    d = older[-1]
    return Result(1, [d], f"'{d.title}' {SCOPE_WORDS[1]}")


@measure("people.appraisal_feedback_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of audited appraisals in the last 12 months that used patient feedback")
def appraisal_feedback_share_12m(view: EvidenceView) -> Result | None:
    return process_compliance(view, "appraisal_with_patient_feedback", "audited appraisals used patient feedback")


@measure("people.appraisal_feedback_share_prev12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of audited appraisals in the 12 months before the last 12 "
         "that used patient feedback")
def appraisal_feedback_share_prev12m(view: EvidenceView) -> Result | None:
    return process_compliance(view, "appraisal_with_patient_feedback",
                         "audited appraisals in the previous 12 months used patient feedback",
                         ending_months_ago=12)


@measure("people.appraisal_panels_patient_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of senior recruitment or assessment panels in the last 12 "
         "months with a patient member")
def appraisal_panels_patient_share_12m(view: EvidenceView) -> Result | None:
    return process_compliance(view, "recruitment_panel_patient_member", "senior panels had a patient member")
