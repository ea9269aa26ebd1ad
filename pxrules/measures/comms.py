"""Culture measures for communications (8A-8C): accessible website, information tested with patients, letters.

8A reads website checks (the accessibility statement required by the 2018 accessibility regulations,
automated accessibility errors, reading age, a stated commitment to patients, user testing); 8B the patient
information policy, readers' panel audits and the PIF TICK; 8C audits of copying letters to patients and
of the Accessible Information Standard (DCB1605), and complaints about communication.
"""

from __future__ import annotations

from collections.abc import Sequence

from pxrules.evidence.complaints import ComplaintsPeriod, WebsiteCheck
from pxrules.measures.blocks import best_document, document_status, pct, processes
from pxrules.measures.culture import compliance
from pxrules.measures.registry import EvidenceView, Result, measure

# ---- 8A: accessible, patient-friendly website stating commitment to patients ------------------------

READING_AGE_TARGET = 11.0  # local target (evidence map 8A, unverified nationally): reading age 11 or under


def _checks(view: EvidenceView, ending_months_ago: int = 0) -> list[WebsiteCheck]:
    return list(view.memo(("website_checks_12m", ending_months_ago), lambda: [
        c for c in view.within("website_check", 12, ending_months_ago=ending_months_ago)
        if isinstance(c, WebsiteCheck)]))


def _latest_per_page(checks: Sequence[WebsiteCheck], has: str) -> list[WebsiteCheck]:
    """The latest check of each page that recorded `has` (checks arrive oldest first)."""
    latest: dict[str, WebsiteCheck] = {}
    for c in checks:
        if c.found and getattr(c, has) is not None:
            latest[c.page] = c
    return [latest[p] for p in sorted(latest)]


def _statement(view: EvidenceView) -> WebsiteCheck | None:
    checks = [c for c in _checks(view) if c.page == "accessibility_statement"]
    return checks[-1] if checks else None


@measure("comms.web_a11y_statement_found", type="boolean", better="true", kinds=("website_check",),
         description="An accessibility statement was found on the website in a check in the last 12 months")
def a11y_statement_found(view: EvidenceView) -> Result | None:
    c = _statement(view)
    if c is None:
        return None
    return Result(c.found, [c], f"accessibility statement {'found' if c.found else 'not found'} on {c.end}")


@measure("comms.web_a11y_statement_current", type="boolean", better="true", kinds=("website_check",),
         description="The accessibility statement is published and a check in the last 12 months saw it "
         "reviewed within the year")
def a11y_statement_current(view: EvidenceView) -> Result | None:
    last = _statement(view)
    if last is None:
        return None
    # Checks made for other purposes may not record content flags: any check in the window that saw a
    # recent review date counts, provided the statement is still there at the latest check.
    reviewed = [c for c in _checks(view) if c.page == "accessibility_statement" and c.found
                and "reviewed_within_12m" in c.content_flags]
    if last.found and reviewed:
        return Result(True, (reviewed[-1], last), f"accessibility statement reviewed within 12 months "
                      f"(seen {reviewed[-1].end}, still published {last.end})")
    return Result(False, (last,), f"accessibility statement not current (checked {last.end})")


@measure("comms.web_a11y_pages_checked_12m", type="integer", unit="pages", better="higher",
         kinds=("website_check",),
         description="Distinct patient-facing pages given an automated accessibility check in the last 12 "
         "months")
def a11y_pages_checked_12m(view: EvidenceView) -> Result | None:
    pages = _latest_per_page(_checks(view), "accessibility_errors")
    if not pages:
        return None
    return Result(len(pages), tuple(pages), f"{len(pages)} pages checked for accessibility errors")


def _errors_per_page(view: EvidenceView, ending_months_ago: int) -> Result | None:
    pages = _latest_per_page(_checks(view, ending_months_ago), "accessibility_errors")
    if not pages:
        return None
    errors = sum(c.accessibility_errors or 0 for c in pages)
    when = " in the previous 12 months" if ending_months_ago else ""
    return Result(errors / len(pages), tuple(pages),
                  f"{errors} automated accessibility errors on {len(pages)} pages{when} "
                  f"({errors / len(pages):.1f} per page)")


@measure("comms.web_a11y_errors_per_page_12m", type="number", unit="errors", better="lower",
         kinds=("website_check",),
         description="Automated accessibility errors per checked page (latest check of each page, last 12 "
         "months)")
def a11y_errors_per_page_12m(view: EvidenceView) -> Result | None:
    return _errors_per_page(view, 0)


@measure("comms.web_a11y_errors_per_page_prev12m", type="number", unit="errors", better="lower",
         kinds=("website_check",),
         description="Automated accessibility errors per checked page in the 12 months before that")
def a11y_errors_per_page_prev12m(view: EvidenceView) -> Result | None:
    return _errors_per_page(view, 12)


@measure("comms.web_reading_target_share_12m", type="number", unit="share", better="higher",
         kinds=("website_check",),
         description="Share of checked key pages written at a reading age of 11 or under (last 12 months)")
def reading_target_share_12m(view: EvidenceView) -> Result | None:
    pages = _latest_per_page(_checks(view), "reading_age")
    if not pages:
        return None
    ok = [c for c in pages if (c.reading_age or 0) <= READING_AGE_TARGET]
    return Result(len(ok) / len(pages), tuple(pages), f"{len(ok)} of {len(pages)} key pages at reading age "
                  f"{READING_AGE_TARGET:g} or under")


def _flagged(view: EvidenceView, flags: tuple[str, ...], what: str) -> Result | None:
    checks = _checks(view)
    if not checks:
        return None
    hits = [c for c in checks if c.found and set(flags) & set(c.content_flags)]
    if hits:
        last = hits[-1]
        return Result(True, tuple(hits),
                      f"{what} on {len(hits)} checked pages (latest {last.page}, {last.end})")
    return Result(False, tuple(checks), f"{what}: not seen on any of {len(checks)} checked pages")


@measure("comms.web_commitment_stated_12m", type="boolean", better="true", kinds=("website_check",),
         description="The website states the trust's commitment to patients (seen in a check in the last 12 "
         "months)")
def commitment_stated_12m(view: EvidenceView) -> Result | None:
    return _flagged(view, ("commitment_to_patients",), "commitment to patients stated")


@measure("comms.web_user_tested_12m", type="boolean", better="true", kinds=("website_check",),
         description="Website pages were user-tested with patients in the last 12 months")
def user_tested_12m(view: EvidenceView) -> Result | None:
    return _flagged(view, ("user_tested_with_patients",), "user-tested with patients")


@measure("comms.web_patient_rated_12m", type="boolean", better="true", kinds=("website_check",),
         description="The website was rated by a patient panel or carries the PIF TICK (last 12 months)")
def patient_rated_12m(view: EvidenceView) -> Result | None:
    return _flagged(view, ("patient_panel_rated", "pif_tick"), "rated by a patient panel or PIF TICK")


# ---- 8B: communications tested with patients before publication ------------------------------------

INFO_POLICY = ("patient_information_policy",)
INFO_REVIEW = "patient_information_review"


@measure("comms.info_policy_exists", type="boolean", better="true", kinds=("document",),
         description="A patient information policy exists (draft, approved or lapsed)")
def info_policy_exists(view: EvidenceView) -> Result | None:
    status = document_status(view, *INFO_POLICY)
    return None if status is None else Result(True, status.evidence, status.detail)


@measure("comms.info_policy_in_date", type="boolean", better="true", kinds=("document",),
         description="The patient information policy (readers' panel review before publication) is approved "
         "and in date")
def info_policy_in_date(view: EvidenceView) -> Result | None:
    status = document_status(view, *INFO_POLICY)
    return None if status is None else Result(status.value == "approved", status.evidence, status.detail)


@measure("comms.leaflets_reviewed_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of patient information published or revised in the last 12 months that patients "
         "reviewed before publication")
def leaflets_reviewed_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, INFO_REVIEW, "leaflets were reviewed by patients before publication")


@measure("comms.leaflets_reviewed_share_prev12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of patient information reviewed by patients before publication, 12 months before "
         "that")
def leaflets_reviewed_share_prev12m(view: EvidenceView) -> Result | None:
    return compliance(view, INFO_REVIEW, "leaflets were reviewed by patients before publication", 12)


@measure("comms.leaflets_in_date_share", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of the patient information library within its review date (latest audit, 12 "
         "months)")
def leaflets_in_date_share(view: EvidenceView) -> Result | None:
    audits = [p for p in processes(view, "patient_information_library") if p.population]
    if not audits:
        return None
    last = audits[-1]
    value = (last.compliant or 0) / (last.population or 1)
    return Result(value, [last], f"{last.compliant or 0} of {last.population} leaflets in date on {last.end} "
                  f"({pct(value)})")


@measure("comms.pif_tick_held", type="boolean", better="true", kinds=("document",),
         description="The trust holds a current PIF TICK (Patient Information Forum quality mark, assessed "
         "yearly)")
def pif_tick_held(view: EvidenceView) -> Result | None:
    status = document_status(view, "pif_tick_certificate")
    if status is None:
        return None
    d = best_document(view, "pif_tick_certificate")
    return Result(d is not None, status.evidence, status.detail)


# ---- 8C: copies of correspondence in an accessible format (AIS) -------------------------------------

LETTERS = "letters_copied"
AIS_AUDIT = "ais_audit"


@measure("comms.letters_policy_in_date", type="boolean", better="true", kinds=("staff_process",),
         description="A policy on copying letters to patients and the Accessible Information Standard is in "
         "date")
def letters_policy_in_date(view: EvidenceView) -> Result | None:
    records = [p for name in (LETTERS, AIS_AUDIT) for p in processes(view, name)
               if p.policy_in_date is not None]
    if not records:
        return None
    last = max(records, key=lambda p: (p.end, p.id))
    return Result(bool(last.policy_in_date), [last],
                  f"letters and AIS policy {'in date' if last.policy_in_date else 'out of date'} "
                  f"({last.end})")


@measure("comms.ais_flag_live", type="boolean", better="true", kinds=("staff_process",),
         description="An Accessible Information Standard alert or flag is live in the patient administration "
         "system")
def ais_flag_live(view: EvidenceView) -> Result | None:
    records = processes(view, "ais_flag")
    if not records:
        return None
    last = records[-1]
    state = "live" if last.in_place else "not live"
    return Result(last.in_place, [last], f"AIS flag {state} in PAS/EPR ({last.end})")


@measure("comms.letters_copied_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of sampled clinic letters sent to or addressed to the patient, last 12 months")
def letters_copied_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, LETTERS, "sampled clinic letters were sent to the patient")


@measure("comms.letters_copied_share_prev12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of sampled clinic letters sent to the patient in the 12 months before that")
def letters_copied_share_prev12m(view: EvidenceView) -> Result | None:
    return compliance(view, LETTERS, "sampled clinic letters were sent to the patient", 12)


@measure("comms.ais_recorded_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of sampled patients asked about, and with a record of, their communication needs "
         "(AIS)")
def ais_recorded_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, AIS_AUDIT, "sampled patients had their communication needs asked and recorded")


@measure("comms.alt_format_on_time_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",),
         description="Share of requests for letters in an alternative format (large print, braille, easy "
         "read, audio, translation) met on time, last 12 months")
def alt_format_on_time_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "alternative_format_requests", "alternative-format requests were met on time")


COMMUNICATION_SUBJECTS = ("communication", "communications")


def _communication_rate(periods: Sequence[ComplaintsPeriod]) -> tuple[int, float] | None:
    """(complaints about communication, per 365 days covered) over periods that report that subject.

    Periods without a communication count are left out rather than read as zero: a register extract
    recorded for another purpose may simply not break complaints down by subject.
    """
    counted = [p for p in periods if any(s in p.by_subject for s in COMMUNICATION_SUBJECTS)]
    days = sum((p.end - p.period_start).days + 1 for p in counted)
    if not counted or days <= 0:
        return None
    n = sum(p.by_subject.get(s) or 0 for p in counted for s in COMMUNICATION_SUBJECTS)
    return n, n * 365 / days


@measure("comms.communication_complaints_ratio", type="number", unit="ratio", better="lower",
         kinds=("complaints_period",),
         description="Complaints about communication in the last 12 months relative to the 12 before (per "
         "year covered; below 1 means falling)")
def communication_complaints_ratio(view: EvidenceView) -> Result | None:
    now_p = [p for p in view.within("complaints_period", 12) if isinstance(p, ComplaintsPeriod)]
    prev_p = [p for p in view.within("complaints_period", 12, ending_months_ago=12)
              if isinstance(p, ComplaintsPeriod)]
    now, prev = _communication_rate(now_p), _communication_rate(prev_p)
    if now is None or prev is None or prev[1] == 0:
        return None
    ratio = now[1] / prev[1]
    return Result(ratio, [*prev_p, *now_p],
                  f"{now[0]} complaints about communication in the last 12 months vs "
                  f"{prev[0]} in the 12 before (ratio {ratio:.2f} per year covered)")
