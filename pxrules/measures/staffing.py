"""Culture measures for staffing and compassionate care (6C-6E): establishment reviews, escalation, NPSP care.

6C asks whether staff help set staffing levels (establishment reviews signed off with ward staff, NSS Q3e,
Q3i); 6D whether staffing escalation is defined and embedded (NICE SG1 red flags, monthly fill rates and
board staffing reports); 6E whether care is compassionate, shared and emotionally and spiritually
supportive (NPSP inpatient items against their peers, 24/7 spiritual care).
"""

from __future__ import annotations

from pxrules.evidence.governance import BoardMeeting
from pxrules.evidence.workforce import StaffProcess
from pxrules.measures.blocks import document_status, pct, processes, survey_position
from pxrules.measures.culture import compliance, register_band, survey_change
from pxrules.measures.registry import EvidenceView, Result, measure

# ---- 6C: staff engaged in setting staffing levels ---------------------------------------------------

ESTABLISHMENT_REVIEW = "establishment_review"


def _reviews(view: EvidenceView, ending_months_ago: int = 0) -> list[StaffProcess]:
    return [p for p in processes(view, ESTABLISHMENT_REVIEW, ending_months_ago=ending_months_ago)
            if p.in_place]


@measure("staffing.establishment_reviews_12m", type="integer", unit="count", better="higher",
         kinds=("staff_process",),
         description="Nursing and midwifery establishment reviews completed in the last 12 months (two "
         "expected)")
def establishment_reviews_12m(view: EvidenceView) -> Result | None:
    reviews = _reviews(view)
    if not reviews:
        return None
    return Result(len(reviews), tuple(reviews), f"{len(reviews)} establishment reviews in the last 12 months")


@measure("staffing.establishment_reviews_prev12m", type="integer", unit="count", better="higher",
         kinds=("staff_process",),
         description="Establishment reviews completed in the 12 months before that")
def establishment_reviews_prev12m(view: EvidenceView) -> Result | None:
    reviews = _reviews(view, 12)
    if not reviews:
        return None
    return Result(len(reviews), tuple(reviews),
                  f"{len(reviews)} establishment reviews in the previous 12 months")


@measure("staffing.establishment_staff_input_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of wards and teams whose establishment was set with documented input from their "
         "ward manager and staff, over the last 12 months' reviews")
def establishment_staff_input_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, ESTABLISHMENT_REVIEW, "ward reviews had documented staff input")


register_band("staffing.nss_involved_in_changes_band", "nss.involved_in_changes",
              "NHS Staff Survey 'involved in deciding on changes that affect my work area' (Q3e), or where "
              "the trust has not recorded it the published staff engagement score",
              fallback="nss.engagement")


@measure("staffing.nss_enough_staff_change", type="number", unit="points", better="higher", kinds=("survey_question",),
         description="Change in NHS Staff Survey 'enough staff to do my job properly' (Q3i) since the wave "
         "before")
def enough_staff_change(view: EvidenceView) -> Result | None:
    return survey_change(view, "nss.enough_staff", "enough staff (Q3i)")


# ---- 6D: staffing escalation defined and embedded ---------------------------------------------------

ESCALATION_POLICY = ("staffing_escalation_policy",)
STAFFING_BODIES = ("board", "quality_committee", "people_committee")
FILL_TARGET = 0.9  # local threshold: registered-nurse hours filled to plan (evidence map 6D)


@measure("staffing.escalation_policy_exists", type="boolean", better="true", kinds=("document",),
         description="A staffing escalation policy exists (draft, approved or lapsed)")
def escalation_policy_exists(view: EvidenceView) -> Result | None:
    status = document_status(view, *ESCALATION_POLICY)
    if status is None:
        return None
    return Result(True, status.evidence, status.detail)


@measure("staffing.escalation_policy_in_date", type="boolean", better="true", kinds=("document",),
         description="The staffing escalation policy (NICE SG1 red flags) is approved and within its review "
         "date")
def escalation_policy_in_date(view: EvidenceView) -> Result | None:
    status = document_status(view, *ESCALATION_POLICY)
    if status is None:
        return None
    return Result(status.value == "approved", status.evidence, status.detail)


def _report_months(view: EvidenceView, ending_months_ago: int) -> Result | None:
    meetings = view.select_within("board_meeting", BoardMeeting, "body", STAFFING_BODIES, 12,
                                  ending_months_ago=ending_months_ago)
    if not meetings:
        return None
    with_report = [m for m in meetings if m.staffing_report]
    months = {(m.end.year, m.end.month) for m in with_report}
    when = "the previous 12 months" if ending_months_ago else "the last 12 months"
    return Result(len(months), tuple(meetings), f"safe staffing reported to the board or its committees in "
                  f"{len(months)} of 12 months of {when}")


@measure("staffing.report_months_12m", type="integer", unit="months", better="higher",
         kinds=("board_meeting",),
         description="Months of the last 12 with a safe staffing report to the board or a board committee")
def report_months_12m(view: EvidenceView) -> Result | None:
    return _report_months(view, 0)


@measure("staffing.report_months_prev12m", type="integer", unit="months", better="higher",
         kinds=("board_meeting",),
         description="Months of the 12 before that with a safe staffing report to the board or a committee")
def report_months_prev12m(view: EvidenceView) -> Result | None:
    return _report_months(view, 12)


@measure("staffing.red_flag_response_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of nursing red flags (NICE SG1) responded to within the shift, last 12 months")
def red_flag_response_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "red_flag_response", "red flags were responded to within the shift")


def _fill_months(view: EvidenceView, ending_months_ago: int) -> Result | None:
    returns = [p for p in processes(view, "rn_fill_rate", ending_months_ago=ending_months_ago)
               if p.population]
    if not returns:
        return None
    by_month: dict[tuple[int, int], tuple[int, int]] = {}
    for p in returns:
        key = (p.period_start.year, p.period_start.month)
        planned, actual = by_month.get(key, (0, 0))
        by_month[key] = (planned + (p.population or 0), actual + (p.compliant or 0))
    met = sorted(k for k, (planned, actual) in by_month.items() if actual / planned >= FILL_TARGET)
    when = "the previous 12 months" if ending_months_ago else "the last 12 months"
    return Result(len(met), tuple(returns), f"registered-nurse fill rate at or above {pct(FILL_TARGET)} in "
                  f"{len(met)} of {len(by_month)} monthly returns of {when}")


@measure("staffing.rn_fill_months_12m", type="integer", unit="months", better="higher",
         kinds=("staff_process",),
         description="Months of the last 12 in which registered-nurse hours were filled to 90% or more of "
         "plan")
def rn_fill_months_12m(view: EvidenceView) -> Result | None:
    return _fill_months(view, 0)


@measure("staffing.rn_fill_months_prev12m", type="integer", unit="months", better="higher",
         kinds=("staff_process",),
         description="Months of the 12 before that in which registered-nurse hours were filled to 90% or "
         "more")
def rn_fill_months_prev12m(view: EvidenceView) -> Result | None:
    return _fill_months(view, 12)


@measure("staffing.px_triangulation_12m", type="integer", unit="count", better="higher",
         kinds=("board_meeting",),
         description="Board or committee reports in the last 12 months triangulating staffing with patient "
         "feedback (FFT, complaints about staffing)")
def px_triangulation_12m(view: EvidenceView) -> Result | None:
    meetings = [m for m in view.select_within("board_meeting", BoardMeeting, "body", STAFFING_BODIES, 12)
                if m.staffing_report]
    if not meetings:
        return None
    linked = [m for m in meetings if "staffing_px_triangulation" in m.agenda]
    return Result(len(linked), tuple(meetings),
                  f"{len(linked)} of {len(meetings)} staffing reports linked staffing with patient feedback")


# ---- 6E: compassionate care, shared decisions, emotional and spiritual support -----------------------

CARE_ITEMS = ("npsp.ip.involved_in_decisions", "npsp.ip.emotional_support", "npsp.ip.dignity_respect")


def _care_bands(view: EvidenceView) -> tuple[list[int], list[Result]] | None:
    found = [r for r in (survey_position(view, key) for key in CARE_ITEMS) if r is not None]
    if len(found) < 2:  # one item alone says too little about three different aspects of care
        return None
    return [int(r.value) for r in found], found


@measure("staffing.npsp_compassionate_care_band_mean", type="number", unit="band", better="higher",
         kinds=("survey_question",),
         description="Mean ladder-B position of the inpatient survey items on involvement in decisions, "
         "emotional support and dignity and respect (at least two of the three)")
def compassionate_care_band_mean(view: EvidenceView) -> Result | None:
    got = _care_bands(view)
    if got is None:
        return None
    bands, found = got
    mean = sum(bands) / len(bands)
    return Result(mean, [e for r in found for e in r.evidence],
                  f"mean band {mean:.2f} over {len(bands)} items: " + "; ".join(r.detail for r in found))


@measure("staffing.npsp_compassionate_care_band_min", type="integer", unit="band", better="higher",
         kinds=("survey_question",),
         description="Lowest ladder-B position of the inpatient survey items on involvement, emotional "
         "support and dignity and respect")
def compassionate_care_band_min(view: EvidenceView) -> Result | None:
    got = _care_bands(view)
    if got is None:
        return None
    bands, found = got
    low = min(bands)
    worst = next(r for r in found if int(r.value) == low)
    return Result(low, [e for r in found for e in r.evidence], f"lowest band {low}: {worst.detail}")


@measure("staffing.spiritual_care_24_7", type="boolean", better="true", kinds=("staff_process",),
         description="Chaplaincy and spiritual care are available 24 hours a day, 7 days a week (latest "
         "record)")
def spiritual_care_24_7(view: EvidenceView) -> Result | None:
    records = processes(view, "spiritual_care_cover")
    if not records:
        return None
    last = records[-1]
    full = last.in_place and (last.population is None or last.compliant == last.population)
    cover = f"{last.compliant} of {last.population} days covered" if last.population else "cover recorded"
    return Result(full, [last], f"spiritual care {'24/7' if full else 'not 24/7'} ({cover}, to {last.end})")
