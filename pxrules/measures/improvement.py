"""Measures for Using feedback for improvement (17A-20C): shared decisions, training, QI, co-design."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Literal

from pxrules.evidence import VALIDITY_DAYS
from pxrules.evidence.feedback import SurveyQuestion, range_words
from pxrules.evidence.governance import BoardMeeting, Document
from pxrules.evidence.improvement import QiProject, ServiceChange
from pxrules.evidence.workforce import TrainingRecord
from pxrules.measures.blocks import (
    RANGE_BAND,
    current_projects,
    documents,
    pct,
    processes,
    share_result,
    survey_items,
    trainings,
)
from pxrules.measures.registry import EvidenceView, Result, measure, months_before

Compute = Callable[[EvidenceView, int], Result | None]

# The NPSP inpatient survey is preferred; another NPSP survey stands in where a trust has none (the map's
# 17C note): urgent and emergency care, maternity, community mental health, children and young people.
NPSP_SURVEYS = ("ip", "ue", "maternity", "cmh", "cyp")
# "Within 0.1 of the peer average" (ladder B level 3) on each survey scale.
NEAR = {"score10": 0.1, "score5": 0.05, "percent": 1.0, "share": 0.01}
# The Mandate item (20C) left the NSS core questionnaire after 2020; Q25b is the proxy the map proposes.
FEEDBACK_USED = "nss.patient_feedback_used"
FEEDBACK_USED_PROXY = "nss.acts_on_concerns"
FEEDBACK_ORIGINS = ("patient_feedback", "complaint", "survey")
CODESIGN_METHODS = ("ebcd", "always_events")
QI_COURSES = ("qi_foundation", "qi_practitioner")


def _pair(names: Sequence[str], compute: Compute, description: str, *, kinds: Sequence[str] = ("staff_process",),
          type: Literal["integer", "number"] = "number", unit: str = "share", snapshot: bool = False) -> None:
    """Register `names`: `<x>_12m` and, when given, `<x>_prev12m` (the 12 months before); for a snapshot
    (training coverage) `<x>` as it stands and `<x>_year_ago`: level 5's "sustained" compares them."""
    periods = (((0, ""), (12, ", twelve months earlier")) if snapshot else
               ((0, " in the last 12 months"), (12, " in the year before")))
    for name, (ago, when) in zip(names, periods, strict=False):
        def fn(view: EvidenceView, ago: int = ago) -> Result | None:
            return compute(view, ago)

        measure(name, type=type, unit=unit, better="higher", kinds=kinds, description=description + when)(fn)


# ---- survey position: ladder B, reading the previous wave even after it lapsed ----------------------

def _average(q: SurveyQuestion) -> float | None:
    """The peer average: the median where published (NSS), else the mean (NPSP's England average)."""
    return q.peer_median if q.peer_median is not None else q.peer_mean


def _band(q: SurveyQuestion, strict: bool) -> int:
    avg = _average(q)
    if avg is None:
        return RANGE_BAND[q.expected_range or "about_same"]
    top = q.peer_upper_quartile
    if q.expected_range in ("better", "much_better") or (top is not None and q.score >= top):
        return 5
    if q.score > avg or (q.score == avg and not strict):
        return 4
    if q.expected_range in ("worse", "much_worse") or (
            q.peer_lower_quartile is not None and q.score < q.peer_lower_quartile):
        return 1
    return 3 if avg - q.score <= NEAR[q.scale] + 1e-9 or q.expected_range == "about_same" else 2


def _benchmarked(view: EvidenceView, key: str, *, ever: bool = False) -> list[SurveyQuestion]:
    """Whole-organisation results for one question with a peer figure, current (or also lapsed)."""
    return [q for q in survey_items(view, key, ever=ever)
            if _average(q) is not None or q.expected_range is not None]


def _position(view: EvidenceView, keys: Sequence[str], strict: bool) -> Result | None:
    """Band 1..5 of the latest current wave of the first key that has one; 5 needs two consecutive waves.

    The previous wave is read even when it has lapsed (surveys count for 18 months and come yearly), so
    "two consecutive waves" does not depend on where in the year the assessment date falls.
    """
    for key in keys:
        current = _benchmarked(view, key)
        if not current:
            continue
        now = max(current, key=lambda q: (q.end, q.wave, q.id))
        band, used = _band(now, strict), [now]
        if band == 5:
            before = [q for q in _benchmarked(view, key, ever=True)
                      if q.end < now.end and q.year != now.year and (now.end - q.end).days <= 731]
            prev = max(before, key=lambda q: (q.end, q.wave, q.id)) if before else None
            if prev is not None and _band(prev, strict) == 5:
                used.insert(0, prev)
            else:
                band = 4
        avg = _average(now)
        peer = (f"peer {'median' if now.peer_median is not None else 'average'} {avg:g} "
                f"({now.score - avg:+.2f})" if avg is not None else f"expected range {now.expected_range}")
        two = f"; {used[0].wave} was top band too" if len(used) == 2 else ""
        cqc = f", CQC: {range_words(now.expected_range)}" if now.expected_range and avg is not None else ""
        return Result(band, tuple(used), f"{key} {now.wave}: {now.score:g} vs {peer}{cqc}, band {band} of 5{two}")
    return None


def _survey(name: str, keys: Sequence[str], description: str, *, strict: bool = False) -> None:
    def fn(view: EvidenceView) -> Result | None:
        return _position(view, keys, strict)

    measure(name, type="integer", unit="band", better="higher", kinds=("survey_question",),
            description=description)(fn)


def _npsp(question: str) -> tuple[str, ...]:
    return tuple(f"npsp.{s}.{question}" for s in NPSP_SURVEYS)


_survey("improvement.npsp_involved_in_decisions_band", _npsp("involved_in_decisions"), strict=True,
        description="17C ladder on the national patient survey item 'involved as much as you wanted to be "
        "in decisions about your care and treatment': 1 worse than expected or bottom quartile, 2 below the "
        "peer average, 3 within 0.1 of it, 4 above it, 5 better than expected or upper quartile in two waves")
_survey("improvement.npsp_expectations_band", _npsp("understood_what_to_expect"),
        description="Ladder B on the national patient survey item on knowing what to expect from care")
_survey("improvement.npsp_family_involvement_band", _npsp("family_involved"),
        description="Ladder B on the national patient survey item on staff involving family or carers")
_survey("improvement.nss_learning_access_band", ["nss.learning_access"],
        description="Ladder B on NSS 'able to access the right learning and development opportunities when "
        "I need to' (Q24e in 2023-2025)")
_survey("improvement.nss_incident_feedback_band", ["nss.feedback_on_incident_changes"],
        description="Ladder B on NSS 'given feedback about changes made in response to reported errors, near "
        "misses and incidents' (Q19d in 2023-2025)")
_survey("improvement.nss_make_improvements_band", ["nss.make_improvements"],
        description="Ladder B on NSS Q3f 'able to make improvements happen in my area of work'")
_survey("improvement.nss_suggest_improvements_band", ["nss.suggest_improvements"],
        description="Ladder B on NSS Q3d 'able to make suggestions to improve the work of my team'")
_survey("improvement.nss_feedback_used_band", [FEEDBACK_USED, FEEDBACK_USED_PROXY],
        description="Ladder B on the Mandate item 'patient/service user feedback is used to make informed "
        "decisions' where a benchmarked result exists, else on its proxy NSS Q25b 'my organisation acts on "
        "concerns raised by patients/service users'")


@measure("improvement.nss_feedback_used_local_pct", type="number", unit="percent", better="higher",
         kinds=("survey_question",),
         description="Percent agreeing with the Mandate item in a local or pulse survey with no peer figure")
def feedback_used_local_pct(view: EvidenceView) -> Result | None:
    local = [q for q in survey_items(view, FEEDBACK_USED)
             if q.scale == "percent" and _average(q) is None and q.expected_range is None]
    if not local:
        return None
    q = max(local, key=lambda i: (i.end, i.wave, i.id))
    return Result(q.score, [q], f"{q.survey} survey {q.wave}: {q.score:g}% agree that patient feedback is "
                  "used to make informed decisions (no peer figure, so at most level 3)")


# ---- documents: how far along ----------------------------------------------------------------------

Step = tuple[str, Callable[[Document], bool]]


def _stage(view: EvidenceView, doc_types: Sequence[str], steps: Sequence[Step]) -> Result | None:
    """1 for a current draft, 2 approved, then one more for each further step that holds, in order."""
    docs = documents(view, *doc_types)
    approved = [d for d in docs if d.status == "approved"]
    if not approved:
        drafts = [d for d in docs if d.status == "draft"]
        return Result(1, [drafts[-1]], f"{drafts[-1].title} is in draft") if drafts else None

    def reached(d: Document) -> int:
        return next((i for i, (_, test) in enumerate(steps) if not test(d)), len(steps))

    best = max(approved, key=lambda d: (reached(d), d.end, d.id))
    n = reached(best)
    held = "".join(f"; {label}" for label, _ in steps[:n])
    missing = f"; missing: {steps[n][0]}" if n < len(steps) else ""
    return Result(2 + n, [best], f"{best.title} approved {best.approved_on}{held}{missing}")


def _has(*flags: str) -> Callable[[Document], bool]:
    return lambda d: set(flags) <= set(d.contents)


@measure("improvement.clinical_sdm_policy_stage", type="integer", unit="stage", better="higher", kinds=("document",),
         description="Shared decision making policy: 1 draft, 2 approved, 3 approved and naming a "
         "board-level lead (NICE NG197 1.1.1)")
def sdm_policy_stage(view: EvidenceView) -> Result | None:
    return _stage(view, ["sdm_policy"], [("board-level lead named", _has("board_lead"))])


@measure("improvement.training_tna_stage", type="integer", unit="stage", better="higher", kinds=("document",),
         description="Training needs analysis: 1 draft, 2 approved, 3 approved and covering skills to use "
         "patient feedback and QI, 4 that and co-produced with staff or patients")
def tna_stage(view: EvidenceView) -> Result | None:
    return _stage(view, ["training_needs_analysis"], [
        ("patient feedback and QI skills covered", _has("patient_feedback", "quality_improvement")),
        ("co-produced with staff or patients", lambda d: d.coproduced_staff or d.coproduced_patients)])


@measure("improvement.qi_learning_framework_stage", type="integer", unit="stage", better="higher", kinds=("document",),
         description="Organisation-wide learning framework: 1 draft, 2 approved, 3 approved and spanning "
         "complaints, incidents, deaths and patient feedback")
def learning_framework_stage(view: EvidenceView) -> Result | None:
    scope = _has("complaints", "incidents", "mortality", "patient_feedback")
    return _stage(view, ["learning_framework"], [("complaints, incidents, deaths, feedback covered", scope)])


@measure("improvement.change_px_template_stage", type="integer", unit="stage", better="higher", kinds=("document",),
         description="Business case and PID template: 1 draft, 2 approved, 3 approved with a patient "
         "experience impact section")
def px_template_stage(view: EvidenceView) -> Result | None:
    return _stage(view, ["business_case_template"],
                  [("patient experience impact section", _has("px_impact_assessment"))])


@measure("improvement.board_external_review_favourable", type="boolean", better="true", kinds=("document",),
         description="A current (36-month) external well-led review or CQC report finds the trust well-led "
         "(good or better)")
def external_review_favourable(view: EvidenceView) -> Result | None:
    reviews = [d for d in documents(view, "well_led_review", "cqc_report") if d.status == "approved"]
    if not reviews:
        return None
    good = [d for d in reviews if "well_led_good_or_better" in d.contents]
    d = (good or reviews)[-1]
    return Result(bool(good), [d], f"{d.title} ({d.approved_on}): well-led "
                  + ("good or better" if good else "not rated good"))


# ---- training coverage, now and a year ago ---------------------------------------------------------

def _coverage(courses: Sequence[str], population: str, who: str) -> Compute:
    """Completed / population on the latest record per course, as it stood `ago` months back (records ended
    by then, inside their 36-month window). Of several courses (QI tiers) the best-covered one is used,
    never a sum: the same people appear in each."""
    def compute(view: EvidenceView, ago: int) -> Result | None:
        stop = months_before(view.as_of, ago)
        latest: dict[str, TrainingRecord] = {}
        for t in view.select("training_record", TrainingRecord, "course", courses, ever=bool(ago)):
            if (t.population == population and t.population_size and t.end <= stop
                    and (stop - t.end).days <= VALIDITY_DAYS["training_record"]):
                latest[t.course] = t
        if not latest:
            return None
        r = max(latest.values(), key=lambda t: (t.completed / t.population_size, t.end, t.id))
        share = r.completed / r.population_size
        return Result(share, [r], f"{r.completed} of {r.population_size} {who} completed "
                      f"{r.course} ({pct(share)}, record to {r.end})")

    return compute


_pair(("improvement.training_sdm_clinicians_share", "improvement.training_sdm_clinicians_share_year_ago"),
      _coverage(["shared_decision_making"], "clinicians", "clinicians"), "Share of clinicians trained in shared "
      "decision making (latest record within 36 months)", kinds=("training_record",), snapshot=True)
_pair(("improvement.training_qi_frontline_share", "improvement.training_qi_frontline_share_year_ago"),
      _coverage(QI_COURSES, "frontline", "frontline staff"), "Share of frontline staff trained in quality "
      "improvement (foundation or above)", kinds=("training_record",), snapshot=True)
_pair(("improvement.board_qi_trained_share", "improvement.board_qi_trained_share_year_ago"),
      _coverage(["qi_board", "qi_foundation", "qi_practitioner"], "board", "board members"),
      "Share of board members trained in QI and change in complex systems", kinds=("training_record",), snapshot=True)


# ---- audited staff processes -------------------------------------------------------------------------

def _audit(process: str, what: str) -> Compute:
    def compute(view: EvidenceView, ago: int) -> Result | None:
        audits = tuple(p for p in processes(view, process, ending_months_ago=ago) if p.population)
        if not audits:
            return None
        population = sum(p.population or 0 for p in audits)
        done = sum(p.compliant or 0 for p in audits)
        return Result(done / population, audits, f"{done} of {population} {what} ({pct(done / population)})")

    return compute


_pair(("improvement.clinical_sdm_audit_share_12m",), _audit("sdm_audit", "audited records document a shared decision"),
      "Share of audited records documenting a shared decision (SDM audit)")
_pair(("improvement.clinical_decision_aid_specialty_share_12m",),
      _audit("decision_aid_use", "specialties use decision aids"), "Share of specialties using patient decision aids")
_pair(("improvement.clinical_care_plan_discussion_share_12m",
       "improvement.clinical_care_plan_discussion_share_prev12m"),
      _audit("care_plan_discussion_audit", "audited records show the plan of care discussed with the "
             "patient or family"),
      "Share of audited records showing the plan of care discussed with the patient or family")
_pair(("improvement.appraisal_feedback_qi_need_share_12m", "improvement.appraisal_feedback_qi_need_share_prev12m"),
      _audit("appraisal_feedback_qi_needs", "appraisals set a need or objective on using feedback or QI"),
      "Share of appraisals recording a training need or objective on using patient feedback or QI")
_pair(("improvement.qi_learning_forum_division_share_12m", "improvement.qi_learning_forum_division_share_prev12m"),
      _audit("divisional_learning_forums", "divisional returns showed monthly learning forums"),
      "Share of divisions holding monthly learning forums under the trust-wide learning framework")


def _ideas(view: EvidenceView, ago: int) -> Result | None:
    schemes = tuple(p for p in processes(view, "ideas_scheme", ending_months_ago=ago) if p.in_place)
    if not schemes:
        return None
    done, submitted = sum(p.compliant or 0 for p in schemes), sum(p.population or 0 for p in schemes)
    return Result(done, schemes, f"{done} of {submitted} ideas put to the staff ideas scheme implemented")


_pair(("improvement.qi_ideas_implemented_12m", "improvement.qi_ideas_implemented_prev12m"),
      _ideas, "Staff ideas implemented through an ideas scheme open to all staff", type="integer", unit="count")


def _sessions(view: EvidenceView, ago: int) -> Result | None:
    meetings = tuple(view.select_within("board_meeting", BoardMeeting, "body", ("board",), 12,
                                        ending_months_ago=ago))
    if not meetings:
        return None
    held = tuple(m for m in meetings if "qi_board_development" in m.agenda)
    return Result(len(held), held or meetings, f"{len(held)} of {len(meetings)} board meetings and sessions "
                  "were development on QI and change in complex systems")


_pair(("improvement.board_change_sessions_12m", "improvement.board_change_sessions_prev12m"),
      _sessions, "Board development sessions on QI and change in complex systems",
      type="integer", unit="count", kinds=("board_meeting",))


# ---- service changes ---------------------------------------------------------------------------------

def _changes(test: Callable[[ServiceChange], bool], what: str) -> Compute:
    def compute(view: EvidenceView, ago: int) -> Result | None:
        items = [c for c in view.within("service_change", 12, ending_months_ago=ago)
                 if isinstance(c, ServiceChange)]
        return share_result(items, test, what)

    return compute


_pair(("improvement.change_px_assessed_share_12m", "improvement.change_px_assessed_share_prev12m"),
      _changes(lambda c: c.px_impact_assessed, "proposals carried a patient experience impact assessment"),
      "Share of service change proposals, business cases and PIDs with a patient experience impact assessment",
      kinds=("service_change",))
_pair(("improvement.change_post_implementation_review_share_12m",),
      _changes(lambda c: c.post_implementation_review, "proposals had a post-implementation review"),
      "Share of service changes reviewed after implementation", kinds=("service_change",))
_pair(("improvement.change_patients_at_design_share_12m", "improvement.change_patients_at_design_share_prev12m"),
      _changes(lambda c: c.patients_involved_design, "service changes involved patients at the design stage"),
      "Share of service changes that involved patients or service users at the design stage", kinds=("service_change",))
_pair(("improvement.change_coproduced_share_12m",),
      _changes(lambda c: c.coproduced, "service changes were co-produced"),
      "Share of service changes co-produced with patients (e.g. experience-based co-design)",
      kinds=("service_change",))


# ---- QI projects ---------------------------------------------------------------------------------------

def _codesigned(p: QiProject) -> bool:
    return p.method in CODESIGN_METHODS or p.patient_partners > 0


def _improved(p: QiProject) -> bool:
    return p.outcome_measured and p.improved is True


def _projects(name: str, test: Callable[[QiProject], bool], what: str, description: str) -> None:
    def fn(view: EvidenceView) -> Result | None:
        items = current_projects(view)
        if not items:
            return None
        hits = tuple(p for p in items if test(p))
        return Result(len(hits), hits or items, f"{len(hits)} of {len(items)} current QI projects {what}")

    measure(name, type="integer", unit="count", better="higher", kinds=("qi_project",),
            description=description + " (QI projects count for 24 months)")(fn)


_projects("improvement.qi_codesign_projects_24m", _codesigned, "were co-designed with patients",
          "QI projects co-designed with patients (EBCD, Always Events or patient partners)")
_projects("improvement.qi_codesign_improved_24m", lambda p: _codesigned(p) and _improved(p),
          "were co-designed and showed a measured improvement",
          "Co-designed QI projects with a measured improvement")
_projects("improvement.qi_frontline_improved_24m", lambda p: p.frontline_led and _improved(p),
          "were frontline-led and showed a measured improvement",
          "Frontline-led QI projects with a measured improvement")
_projects("improvement.qi_feedback_origin_improved_24m", lambda p: p.origin in FEEDBACK_ORIGINS and _improved(p),
          "started from patient feedback, complaints or surveys and showed a measured improvement",
          "QI projects started from patient feedback, complaints or surveys with a measured improvement")


@measure("improvement.qi_frontline_pdsa_projects_per_1000", type="number", unit="per 1,000 staff", better="higher",
         kinds=("qi_project", "training_record"),
         description="Frontline-led QI projects with three or more PDSA cycles active in the last 12 months, "
         "per 1,000 frontline staff (headcount from the frontline QI training record)")
def frontline_pdsa_projects_per_1000(view: EvidenceView) -> Result | None:
    staff = [t for t in trainings(view, *QI_COURSES)
             if t.population == "frontline" and t.population_size and t.end <= view.as_of]
    projects = [p for p in view.within("qi_project", 12) if isinstance(p, QiProject)]
    if not staff or not projects:
        return None
    headcount = staff[-1].population_size
    hits = [p for p in projects
            if p.frontline_led and p.pdsa_cycles >= 3 and p.status in ("active", "completed")]
    rate = len(hits) * 1000 / headcount
    return Result(rate, [*(hits or projects), staff[-1]], f"{len(hits)} frontline-led projects with 3+ PDSA "
                  f"cycles for {headcount} frontline staff ({rate:.2f} per 1,000)")
