"""Culture measures for values (7A, 7B): co-developed values that staff own, used in hiring and appraisal.

7A reads the values framework document (co-developed with patients and staff, reflecting the NHS
Constitution's six values), an audit of whether the trust's core documents state the values
(staff_process values_document_audit), the public values page and a local staff awareness survey.
7B reads audits of values-based recruitment (Health Education England framework, 2014/2016) and of
appraisals that discuss the values, and the NHS Staff Survey appraisal item against peers.
"""

from __future__ import annotations

from pxrules.evidence.complaints import WebsiteCheck
from pxrules.measures.blocks import best_document, documents, pct, processes, survey_items
from pxrules.measures.culture import compliance, register_band
from pxrules.measures.registry import EvidenceView, Result, measure

VALUES_DOC = ("values_framework",)
VALUES_DOC_AUDIT = "values_document_audit"
CONSTITUTION_FLAG = "nhs_constitution_values"
AWARENESS_KEY = "local.values_awareness"

# ---- 7A: values co-developed with patients and staff, in all corporate documents, owned by staff ------


@measure("values.framework_exists", type="boolean", better="true", kinds=("document",),
         description="A trust values framework exists (draft, approved or lapsed)")
def framework_exists(view: EvidenceView) -> Result | None:
    found = documents(view, *VALUES_DOC, ever=True)
    if not found:
        return None
    d = found[-1]
    return Result(True, [d], f"{d.title} ({d.status})")


@measure("values.framework_in_date", type="boolean", better="true", kinds=("document",),
         description="The trust values framework is approved and within its review date")
def framework_in_date(view: EvidenceView) -> Result | None:
    found = documents(view, *VALUES_DOC, ever=True)
    if not found:
        return None
    d = best_document(view, *VALUES_DOC)
    if d is None:
        return Result(False, [found[-1]], f"{found[-1].title} is not approved and in date")
    return Result(True, [d], f"{d.title} approved {d.approved_on}")


@measure("values.codeveloped", type="boolean", better="true", kinds=("document",),
         description="The approved values framework was developed with both patients and staff")
def codeveloped(view: EvidenceView) -> Result | None:
    d = best_document(view, *VALUES_DOC)
    if d is None:
        return None
    both = d.coproduced_patients and d.coproduced_staff
    who = [w for w, yes in (("patients", d.coproduced_patients), ("staff", d.coproduced_staff)) if yes]
    with_whom = " and ".join(who) if who else "neither patients nor staff"
    return Result(both, [d], f"{d.title} developed with {with_whom}")


@measure("values.reflects_constitution", type="boolean", better="true", kinds=("document",),
         description="The approved values framework maps to the six NHS Constitution values")
def reflects_constitution(view: EvidenceView) -> Result | None:
    d = best_document(view, *VALUES_DOC)
    if d is None:
        return None
    yes = CONSTITUTION_FLAG in d.contents
    return Result(yes, [d], f"{d.title} {'maps' if yes else 'does not map'} to the NHS Constitution values")


@measure("values.core_docs_share", type="number", unit="share", better="higher", kinds=("staff_process",),
         description="Share of core corporate documents (strategies, annual report, job description, "
         "appraisal and recruitment templates) that state the trust values, in the latest audit of the last "
         "12 months")
def core_docs_share(view: EvidenceView) -> Result | None:
    audits = [p for p in processes(view, VALUES_DOC_AUDIT) if p.population]
    if not audits:
        return None
    last = audits[-1]
    share = (last.compliant or 0) / (last.population or 1)
    return Result(share, (last,), f"{last.compliant or 0} of {last.population} core documents state the "
                  f"trust values (audit to {last.end}, {pct(share)})")


@measure("values.staff_awareness", type="number", unit="share", better="higher", kinds=("survey_question",),
         description="Share of staff in the latest local pulse survey who can name or apply the trust values")
def staff_awareness(view: EvidenceView) -> Result | None:
    items = [q for q in survey_items(view, AWARENESS_KEY) if q.scale in ("percent", "share")]
    if not items:
        return None
    q = sorted(items, key=lambda q: (q.end, q.wave))[-1]
    value = q.score / 100 if q.scale == "percent" else q.score
    return Result(value, [q], f"{pct(value)} of staff aware of the trust values ({q.wave}"
                  + (f", {q.respondents} respondents)" if q.respondents else ")"))


@measure("values.web_values_published_12m", type="boolean", better="true", kinds=("website_check",),
         description="The trust values are published on its website (found in a check in the last 12 months)")
def values_published_12m(view: EvidenceView) -> Result | None:
    checks = view.select_within("website_check", WebsiteCheck, "page", ("values",), 12)
    if not checks:
        return None
    last = checks[-1]
    return Result(last.found, [last], f"values page {'found' if last.found else 'not found'} on {last.end}"
                  + (f", {last.clicks_from_home} clicks from the home page" if last.found else ""))


@measure("values.refreshed_with_patients", type="boolean", better="true", kinds=("document",),
         description="The values framework has been refreshed (an earlier approved version exists) and the "
         "current one was co-produced with patients")
def refreshed_with_patients(view: EvidenceView) -> Result | None:
    current = best_document(view, *VALUES_DOC)
    if current is None:
        return None
    since = current.approved_on
    earlier = [d for d in documents(view, *VALUES_DOC, ever=True)
               if d.approved_on is not None and since is not None and d.approved_on < since]
    yes = bool(earlier) and current.coproduced_patients
    detail = (f"{current.title} approved {current.approved_on}"
              + (f" refreshes the version of {earlier[-1].approved_on}" if earlier else ", first version")
              + (", co-produced with patients" if current.coproduced_patients
                 else ", not co-produced with patients"))
    return Result(yes, [current, *earlier[-1:]], detail)


# ---- 7B: values-based recruitment and appraisal ------------------------------------------------------

VBR = "values_based_recruitment"
VALUES_APPRAISAL = "values_based_appraisal"


@measure("values.vbr_policy_in_date", type="boolean", better="true", kinds=("staff_process",),
         description="A values-based recruitment policy is in date (latest record in the last 12 months)")
def vbr_policy_in_date(view: EvidenceView) -> Result | None:
    records = [p for p in processes(view, VBR) if p.policy_in_date is not None]
    if not records:
        return None
    last = records[-1]
    return Result(bool(last.policy_in_date), [last],
                  f"values-based recruitment policy {'in date' if last.policy_in_date else 'out of date'} "
                  f"on {last.end}")


@measure("values.vbr_share_12m", type="number", unit="share", better="higher", kinds=("staff_process",),
         description="Share of recruitment campaigns in the last 12 months using values-based methods")
def vbr_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, VBR, "recruitment campaigns used values-based methods")


@measure("values.vbr_share_prev12m", type="number", unit="share", better="higher", kinds=("staff_process",),
         description="Share of recruitment campaigns using values-based methods in the 12 months before that")
def vbr_share_prev12m(view: EvidenceView) -> Result | None:
    return compliance(view, VBR, "recruitment campaigns used values-based methods", 12)


@measure("values.vbr_patient_panel_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of values-based campaigns in the last 12 months with a patient or public panel "
         "member")
def vbr_patient_panel_share_12m(view: EvidenceView) -> Result | None:
    audits = [p for p in processes(view, VBR) if p.compliant and p.with_patients is not None]
    if not audits:
        return None
    campaigns = sum(p.compliant or 0 for p in audits)
    with_patients = sum(p.with_patients or 0 for p in audits)
    return Result(with_patients / campaigns, tuple(audits),
                  f"{with_patients} of {campaigns} values-based campaigns had a "
                  f"patient on the panel ({pct(with_patients / campaigns)})")


@measure("values.appraisal_share_12m", type="number", unit="share", better="higher", kinds=("staff_process",),
         description="Share of audited appraisals in the last 12 months that recorded a discussion of the "
         "trust values")
def appraisal_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, VALUES_APPRAISAL, "audited appraisals discussed the trust values")


register_band("values.nss_appraisal_band", "nss.appraisal",
              "NHS Staff Survey 'had an appraisal in the last 12 months' (Q23a)")
