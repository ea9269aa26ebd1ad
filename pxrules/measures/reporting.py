"""Measures for Reporting and publication (21A-23A): quality account, publication, comms, co-production."""

from __future__ import annotations

import datetime as dt
import re

from pxrules.evidence.complaints import WebsiteCheck
from pxrules.evidence.feedback import FeedbackChannel
from pxrules.evidence.governance import Document
from pxrules.evidence.improvement import ServiceChange
from pxrules.measures.analysis import compliance, qi_projects
from pxrules.measures.blocks import best_document, document_status, documents, pct, share_result
from pxrules.measures.registry import EvidenceView, Result, measure, months_before

# The five kinds of published feedback information 22A counts, and how a website check shows each.
PUBLICATION_TYPES = ("fft_results", "you_said_we_did", "complaints_report", "survey_results",
                     "patient_stories")
ACCESSIBLE_PAGES = ("easy_read", "translation", "accessibility_statement")
# The three things a communications strategy must say about patient experience information (22B).
PX_SECTION = ("px.audiences", "px.channels", "px.frequency")
_LATEST_MONTH = re.compile(r"^latest\.(\d{4})-(\d{2})$")


# ---------------------------------------------------------------- 21A quality account
# Quality Accounts cover a financial year (April-March) and must be published by 30 June after it ends
# (NHS (Quality Accounts) Regulations 2010). `fy` below is the calendar year in which that year ends.


def _fy(d: Document) -> int:
    return d.end.year if d.end.month <= 6 else d.end.year + 1


def _due_fy(as_of: dt.date) -> int:
    """The latest financial year whose quality account should be published by `as_of`."""
    return as_of.year if as_of >= dt.date(as_of.year, 6, 30) else as_of.year - 1


def _fy_label(fy: int) -> str:
    return f"{fy - 1}/{str(fy)[2:]}"


def _accounts(view: EvidenceView) -> list[Document]:
    """Published quality accounts (publication date on or before as_of), oldest year first."""
    docs = [d for d in documents(view, "quality_account", ever=True)
            if d.status in ("approved", "superseded")
            and d.approved_on is not None and d.approved_on <= view.as_of]
    return sorted(docs, key=lambda d: (_fy(d), d.approved_on or d.end, d.id))


def _latest_account(view: EvidenceView) -> Document | None:
    """The newest quality account, if it covers the year now due or the one before (else it is stale)."""
    # (once per view: a dozen measures read the latest account)
    docs = view.memo("recent_accounts", lambda: [d for d in _accounts(view) if _fy(d) >= _due_fy(view.as_of) - 1])
    return docs[-1] if docs else None


def _flag(name: str, flag: str, description: str, yes: str, no: str) -> None:
    """Register a boolean measure reading one content flag of the latest quality account."""

    def compute(view: EvidenceView) -> Result | None:
        qa = _latest_account(view)
        if qa is None:
            return None
        ok = flag in qa.contents
        return Result(ok, [qa], f"Quality account {_fy_label(_fy(qa))} {yes if ok else no}")

    measure(name, type="boolean", better="true", kinds=("document",), description=description)(compute)


@measure("reporting.qa_published_recent", type="boolean", better="true", kinds=("document",),
         description="A quality account for the year now due (or the year before) has been published")
def published_recent(view: EvidenceView) -> Result | None:
    qa = _latest_account(view)
    if qa is None:
        return None
    return Result(True, [qa], f"Quality account {_fy_label(_fy(qa))} published {qa.approved_on}")


@measure("reporting.qa_on_time", type="boolean", better="true", kinds=("document",),
         description="The quality account for the latest year due was published by 30 June")
def on_time(view: EvidenceView) -> Result | None:
    accounts = _accounts(view)
    if not accounts:
        return None
    due = _due_fy(view.as_of)
    current = [d for d in accounts if _fy(d) >= due]
    if not current:
        return Result(False, [accounts[-1]], f"no quality account for {_fy_label(due)} by {view.as_of} "
                      f"(latest is {_fy_label(_fy(accounts[-1]))})")
    qa = current[0] if _fy(current[0]) == due else current[-1]
    deadline = dt.date(_fy(qa), 6, 30)
    ok = qa.approved_on is not None and qa.approved_on <= deadline
    return Result(ok, [qa], f"Quality account {_fy_label(_fy(qa))} published {qa.approved_on} "
                  f"({'by' if ok else 'after'} the 30 June deadline)")


_flag("reporting.qa_px_data", "px_data", "The latest quality account reports patient experience results",
      "reports patient experience results", "does not report patient experience results")
_flag("reporting.qa_listening_section", "listening_responding",
      "The latest quality account says how the trust listens and responds to patients",
      "has a listening and responding section", "has no listening and responding section")
_flag("reporting.qa_healthwatch_statement", "healthwatch_statement",
      "The latest quality account includes local Healthwatch's statement on it",
      "includes Healthwatch's statement", "has no Healthwatch statement")


@measure("reporting.qa_px_examples", type="integer", unit="count", better="higher", kinds=("document",),
         description="Examples of improvements made from patient feedback, each with its result, in the "
         "latest quality account (contents flags px_example.<name>)")
def px_examples(view: EvidenceView) -> Result | None:
    qa = _latest_account(view)
    if qa is None:
        return None
    names = [k.removeprefix("px_example.") for k in qa.contents if k.startswith("px_example.")]
    return Result(len(names), [qa], f"Quality account {_fy_label(_fy(qa))} cites {len(names)} improvements "
                  f"with results{': ' + ', '.join(names) if names else ''}")


@measure("reporting.qa_px_priorities_with_target", type="integer", unit="count", better="higher", kinds=("document",),
         description="Patient experience priorities with a measurable target in the latest quality account")
def px_priorities_with_target(view: EvidenceView) -> Result | None:
    qa = _latest_account(view)
    if qa is None or qa.measures_with_target is None:
        return None  # priorities not recorded: not the same as none set
    n = qa.measures_with_target
    return Result(n, [qa], f"Quality account {_fy_label(_fy(qa))} sets {n} experience priorities with target")


def _targets_met(qa: Document) -> Result | None:
    if not qa.measures_with_target or qa.measures_on_track is None:
        return None
    value = qa.measures_on_track / qa.measures_with_target
    return Result(value, [qa], f"Quality account {_fy_label(_fy(qa))}: {qa.measures_on_track} of "
                  f"{qa.measures_with_target} patient experience targets met ({pct(value)})")


@measure("reporting.qa_px_targets_met_share", type="number", unit="share", better="higher", kinds=("document",),
         description="Share of last year's patient experience priority targets met, per the latest quality "
         "account")
def px_targets_met_share(view: EvidenceView) -> Result | None:
    qa = _latest_account(view)
    return _targets_met(qa) if qa is not None else None


@measure("reporting.qa_px_targets_met_share_prev", type="number", unit="share", better="higher", kinds=("document",),
         description="The same share in the quality account of the year before")
def px_targets_met_share_prev(view: EvidenceView) -> Result | None:
    qa = _latest_account(view)
    if qa is None:
        return None
    before = [d for d in _accounts(view) if _fy(d) == _fy(qa) - 1]
    return _targets_met(before[-1]) if before else None


@measure("reporting.qa_priorities_coproduced", type="boolean", better="true", kinds=("document",),
         description="The latest quality account's priorities were chosen with patients or Healthwatch")
def priorities_coproduced(view: EvidenceView) -> Result | None:
    qa = _latest_account(view)
    if qa is None:
        return None
    ok = qa.coproduced_patients
    return Result(ok, [qa], f"Quality account {_fy_label(_fy(qa))} priorities {'were' if ok else 'were not'} "
                  "co-produced with patients")


# ---------------------------------------------------------------- 22A published and accessible


def _pages(view: EvidenceView, ending_months_ago: int = 0) -> dict[str, WebsiteCheck]:
    """The latest check of each website page in the 12-month window."""
    return dict(view.memo(("latest_pages", ending_months_ago), lambda: {
        c.page: c for c in view.within("website_check", 12, ending_months_ago=ending_months_ago)
        if isinstance(c, WebsiteCheck)}))


def _publication_types(pages: dict[str, WebsiteCheck]) -> dict[str, WebsiteCheck]:
    found = {p: c for p, c in pages.items() if c.found}
    out: dict[str, WebsiteCheck] = {}
    for kind in ("fft_results", "you_said_we_did", "patient_stories"):
        if kind in found:
            out[kind] = found[kind]
    if "complaints" in found and "complaints_annual_report" in found["complaints"].content_flags:
        out["complaints_report"] = found["complaints"]
    surveys = [c for c in found.values() if "survey_results" in c.content_flags]
    if surveys:
        out["survey_results"] = surveys[-1]
    return out


def _types_result(view: EvidenceView, ending_months_ago: int = 0) -> Result | None:
    pages = _pages(view, ending_months_ago)
    if not pages:
        return None
    live = _publication_types(pages)
    when = " (previous 12 months)" if ending_months_ago else ""
    return Result(len(live), list(live.values()) or list(pages.values()),
                  f"{len(live)} of {len(PUBLICATION_TYPES)} kinds of feedback information published{when}: "
                  f"{', '.join(k for k in PUBLICATION_TYPES if k in live) or 'none'}")


@measure("reporting.publish_types_live", type="integer", unit="count", better="higher", kinds=("website_check",),
         description="Kinds of feedback information on the public website (of 5: FFT results, you said we "
         "did, complaints annual report, national survey results, patient stories with responses), 12 "
         "months")
def types_live(view: EvidenceView) -> Result | None:
    return _types_result(view)


@measure("reporting.publish_types_live_prev12m", type="integer", unit="count", better="higher",
         kinds=("website_check",), description="The same count in the 12 months before that")
def types_live_prev12m(view: EvidenceView) -> Result | None:
    return _types_result(view, 12)


@measure("reporting.publish_fft_results_lag_months", type="integer", unit="months", better="lower",
         kinds=("website_check",), description="Months between the latest website check and the newest "
         "month of FFT results it found (content flag latest.YYYY-MM)")
def fft_results_lag_months(view: EvidenceView) -> Result | None:
    page = _pages(view).get("fft_results")
    if page is None or not page.found:
        return None
    months = [(int(m.group(1)), int(m.group(2))) for k in page.content_flags if (m := _LATEST_MONTH.match(k))]
    if not months:
        return None
    year, month = max(months)
    lag = max(0, (page.end.year * 12 + page.end.month) - (year * 12 + month))
    return Result(lag, [page], f"FFT results for {year}-{month:02d} online when checked on {page.end} "
                  f"({lag} months old)")


@measure("reporting.publish_accessible_formats", type="integer", unit="count", better="higher",
         kinds=("website_check",), description="Accessible routes found on the website (of 3: easy read, "
         "translation, accessibility statement)")
def accessible_formats(view: EvidenceView) -> Result | None:
    pages = _pages(view)
    if not pages:
        return None
    hits = [pages[p] for p in ACCESSIBLE_PAGES if p in pages and pages[p].found]
    return Result(len(hits), tuple(hits or pages.values()),
                  f"{len(hits)} of {len(ACCESSIBLE_PAGES)} accessible routes found: "
                  f"{', '.join(c.page for c in hits) or 'none'}")


@measure("reporting.publish_coproduced_content", type="boolean", better="true", kinds=("website_check",),
         description="Published feedback information was written or tested with patients (page flag "
         "coproduced)")
def coproduced_content(view: EvidenceView) -> Result | None:
    pages = [c for c in _pages(view).values() if c.found]
    if not pages:
        return None
    hits = [c for c in pages if "coproduced" in c.content_flags]
    return Result(bool(hits), tuple(hits or pages),
                  f"{len(hits)} of {len(pages)} published pages co-produced with patients")


def _public_channels(view: EvidenceView) -> list[FeedbackChannel]:
    latest: dict[str, FeedbackChannel] = {}
    for c in view.within("feedback_channel", 12):
        if isinstance(c, FeedbackChannel) and c.public_responses_published is not None and c.responses_12m:
            latest[c.channel] = c
    return [c for c in latest.values() if c.live]


@measure("reporting.publish_public_response_share_12m", type="number", unit="share", better="higher",
         kinds=("feedback_channel",), description="Share of public online reviews (e.g. Care Opinion "
         "stories) given a published response in 12 months")
def public_response_share_12m(view: EvidenceView) -> Result | None:
    channels = _public_channels(view)
    if not channels:
        return None
    stories = sum(c.responses_12m or 0 for c in channels)
    answered = min(stories, sum(c.public_responses_published or 0 for c in channels))
    return Result(answered / stories, tuple(channels),
                  f"{answered} of {stories} public reviews answered publicly on "
                  f"{', '.join(c.channel for c in channels)} ({pct(answered / stories)})")


# ---------------------------------------------------------------- 22B communications strategy


def _doc_state(name: str, doc_type: str, description: str, *, in_date: bool) -> None:
    """Register a boolean on a document's status: it exists (draft, approved, lapsed), or is in date."""

    def compute(view: EvidenceView) -> Result | None:
        status = document_status(view, doc_type)
        if status is None:
            return None
        return Result(status.value == "approved" or not in_date, status.evidence, status.detail)

    measure(name, type="boolean", better="true", kinds=("document",), description=description)(compute)


_doc_state("reporting.comms_strategy_exists", "comms_strategy",
           "A communications strategy exists (draft, approved or lapsed)", in_date=False)
_doc_state("reporting.comms_strategy_in_date", "comms_strategy", "An approved communications strategy is in date",
           in_date=True)


def _elements(d: Document) -> list[str]:
    return [e.removeprefix("px.") for e in PX_SECTION if e in d.contents]


@measure("reporting.comms_px_section_elements", type="integer", unit="count", better="higher", kinds=("document",),
         description="What the in-date communications strategy says about sharing patient experience "
         "information (of 3: audiences, channels, frequency)")
def px_section_elements(view: EvidenceView) -> Result | None:
    d = best_document(view, "comms_strategy")
    if d is None:
        return None
    found = _elements(d)
    return Result(len(found), [d], f"{d.title} covers {len(found)} of 3 patient experience elements: "
                  f"{', '.join(found) or 'none'}")


@measure("reporting.comms_px_section_elements_prev", type="integer", unit="count", better="higher", kinds=("document",),
         description="The same count for the communications strategy before the current one (the previous "
         "cycle)")
def px_section_elements_prev(view: EvidenceView) -> Result | None:
    d = best_document(view, "comms_strategy")
    if d is None or d.approved_on is None:
        return None
    earlier = [e for e in documents(view, "comms_strategy", ever=True) if e.id != d.id
               and e.status in ("approved", "superseded") and e.approved_on and e.approved_on < d.approved_on]
    if not earlier:
        return None
    prev = max(earlier, key=lambda e: (e.approved_on or e.end, e.id))
    found = _elements(prev)
    return Result(len(found), [prev], f"previous strategy {prev.title} ({prev.approved_on}) covered "
                  f"{len(found)} of 3 elements")


@measure("reporting.comms_strategy_coproduced", type="boolean", better="true", kinds=("document",),
         description="The in-date communications strategy was co-produced with patients")
def strategy_coproduced(view: EvidenceView) -> Result | None:
    d = best_document(view, "comms_strategy")
    if d is None:
        return None
    return Result(d.coproduced_patients, [d], f"{d.title} {'was' if d.coproduced_patients else 'was not'} "
                  "co-produced with patients")


# ---------------------------------------------------------------- 23A co-production


@measure("reporting.coproduction_projects_24m", type="integer", unit="count", better="higher",
         kinds=("qi_project", "service_change"), description="Co-produced improvements: QI projects with "
         "patient partners using a named method (24 months) plus co-produced service changes (12 months)")
def projects_24m(view: EvidenceView) -> Result | None:
    projects = qi_projects(view)
    changes = [c for c in view.of("service_change") if isinstance(c, ServiceChange)]
    if not projects and not changes:
        return None
    qi = [q for q in projects if q.patient_partners and q.method != "other"]
    sc = [c for c in changes if c.coproduced]
    methods = sorted({q.method for q in qi})
    return Result(len(qi) + len(sc), [*qi, *sc] or [*projects, *changes],
                  f"{len(qi)} QI projects with patient partners ({', '.join(methods) or 'no named method'}) "
                  f"and {len(sc)} co-produced service changes")


@measure("reporting.coproduction_qi_partner_share_12m", type="number", unit="share", better="higher",
         kinds=("qi_project",), description="Share of QI projects running or finished in the last 12 months "
         "with patient partners")
def qi_partner_share_12m(view: EvidenceView) -> Result | None:
    since = months_before(view.as_of, 12)
    return share_result(qi_projects(view, lambda q: q.end > since), lambda q: q.patient_partners > 0,
                        "recent QI projects had patient partners")


@measure("reporting.coproduction_qi_partner_share_prev12m", type="number", unit="share", better="higher",
         kinds=("qi_project",), description="Share of QI projects finished in the 12 months before that "
         "with patient partners")
def qi_partner_share_prev12m(view: EvidenceView) -> Result | None:
    return share_result(view.within("qi_project", 12, ending_months_ago=12),
                        lambda q: q.patient_partners > 0,
                        "QI projects in the previous 12 months had patient partners")


_doc_state("reporting.coproduction_involvement_policy", "involvement_policy",
           "An approved, in-date patient involvement (and reward) policy", in_date=True)


@measure("reporting.coproduction_psp_committee_share_12m", type="number", unit="share", better="higher",
         kinds=("staff_process",), description="Share of safety and quality committees with a Patient "
         "Safety Partner member (12 months)")
def psp_committee_share_12m(view: EvidenceView) -> Result | None:
    return compliance(view, "patient_safety_partners", "safety committees had a Patient Safety Partner")


@measure("reporting.coproduction_impact_24m", type="integer", unit="count", better="higher", kinds=("qi_project",),
         description="QI projects with patient partners that measured an improvement")
def impact_24m(view: EvidenceView) -> Result | None:
    projects = qi_projects(view)
    if not projects:
        return None
    hits = [q for q in projects if q.patient_partners and q.outcome_measured and q.improved is True]
    return Result(len(hits), tuple(hits or projects),
                  f"{len(hits)} of {len(projects)} QI projects with patient partners measured an improvement")
