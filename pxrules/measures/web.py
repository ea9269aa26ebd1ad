"""Measures for 10B and 12A: complaints and feedback routes on the website, displays, patient awareness."""

from __future__ import annotations

from pxrules.evidence.complaints import WebsiteCheck
from pxrules.measures.blocks import survey_position
from pxrules.measures.complaints import WINDOWS, audit_share
from pxrules.measures.registry import EvidenceView, Result, measure, months_before

# What the complaints page should tell people (2009 Regulations, PHSO guidance): content_flags keys.
COMPLAINTS_CONTENT = ("how_to_complain", "timescales", "advocacy", "pals_contact", "phso")
ACCESSIBLE_FLAGS = frozenset({"easy_read", "translation", "bsl", "large_print", "audio"})
# Feedback routes a page can name (content_flags) besides the route pages themselves.
ROUTE_PAGES = frozenset({"complaints", "feedback", "pals", "healthwatch"})
ROUTE_FLAGS = frozenset(
    {
        "care_opinion",
        "online_form",
        "sms",
        "qr_code",
        "kiosk",
        "comment_cards",
        "phone",
        "email",
        "fft",
        "healthwatch",
        "independent_patient_voice",
    }
)
# Healthwatch is proposed for abolition (10 Year Health Plan, 2025): a successor independent voice counts.
HEALTHWATCH_FLAGS = frozenset({"healthwatch", "independent_patient_voice"})


# ---------------------------------------------------------------- 10B / 12A: the public website


def latest_checks(view: EvidenceView, months: int = 12) -> dict[str, WebsiteCheck]:
    """The latest check of each page in the window."""
    return dict(view.memo(("latest_checks", months), lambda: _latest_checks(view, months)))


def _latest_checks(view: EvidenceView, months: int) -> dict[str, WebsiteCheck]:
    latest: dict[str, WebsiteCheck] = {}
    for c in view.within("website_check", months):
        if isinstance(c, WebsiteCheck):
            latest[c.page] = c
    return latest


def content_checks(view: EvidenceView, months: int = 12) -> dict[str, WebsiteCheck]:
    """Per page found at its latest check, the latest check that recorded what the page says.

    Website checks come from different audits: an accessibility sweep records clicks and errors but no
    content flags, and must not wipe out what the last content review saw. A page whose latest check did
    not find it has no content at all.
    """
    return dict(view.memo(("content_checks", months), lambda: _content_checks(view, months)))


def _content_checks(view: EvidenceView, months: int) -> dict[str, WebsiteCheck]:
    latest = latest_checks(view, months)
    reviewed: dict[str, WebsiteCheck] = {}
    for c in view.within("website_check", months):
        if isinstance(c, WebsiteCheck) and c.found and c.content_flags:
            reviewed[c.page] = c
    return {page: reviewed.get(page, check) for page, check in latest.items() if check.found}


@measure(
    "web.complaints_page_found",
    type="boolean",
    better="true",
    kinds=("website_check",),
    description="The latest website check (last 12 months) found complaints information",
)
def complaints_page_found(view: EvidenceView) -> Result | None:
    check = latest_checks(view).get("complaints")
    if check is None:
        return None
    return Result(
        check.found,
        [check],
        f"complaints information {'found' if check.found else 'not found'} "
        f"on {check.end} by {check.checked_by}",
    )


@measure(
    "web.complaints_clicks",
    type="integer",
    unit="clicks",
    better="lower",
    kinds=("website_check",),
    description="Clicks from the home page to complaints information at the latest check (last 12 months)",
)
def complaints_clicks(view: EvidenceView) -> Result | None:
    check = latest_checks(view).get("complaints")
    if check is None or check.clicks_from_home is None:
        return None
    return Result(
        check.clicks_from_home,
        [check],
        f"complaints information {check.clicks_from_home} clicks from "
        f"the home page on {check.end}" + (f" ({check.url})" if check.url else ""),
    )


@measure(
    "web.complaints_content_share",
    type="number",
    unit="share",
    better="higher",
    kinds=("website_check",),
    description="Share of expected complaints content on the page: how to complain, timescales, advocacy, "
    "PALS contact and the Ombudsman",
)
def complaints_content_share(view: EvidenceView) -> Result | None:
    check = content_checks(view).get("complaints")
    if check is None or not check.content_flags:
        return None  # a check that recorded no content says nothing about it (not "0 of 5")
    have = [f for f in COMPLAINTS_CONTENT if f in check.content_flags]
    missing = [f for f in COMPLAINTS_CONTENT if f not in check.content_flags]
    return Result(
        len(have) / len(COMPLAINTS_CONTENT),
        [check],
        f"{len(have)} of {len(COMPLAINTS_CONTENT)} "
        "expected items on the complaints page" + (f"; missing {', '.join(missing)}" if missing else ""),
    )


@measure(
    "web.complaints_accessible",
    type="boolean",
    better="true",
    kinds=("website_check",),
    description="The complaints page offers an accessible format (easy read, translation, BSL, large print "
    "or audio)",
)
def complaints_accessible(view: EvidenceView) -> Result | None:
    check = content_checks(view).get("complaints")
    if check is None or not check.content_flags:
        return None  # content not recorded: not the same as no accessible format
    formats = sorted(ACCESSIBLE_FLAGS & set(check.content_flags))
    return Result(
        bool(formats), [check], f"accessible formats on the complaints page: {', '.join(formats) or 'none'}"
    )


def _complaints_checks_24m(view: EvidenceView) -> list[WebsiteCheck]:
    start = months_before(view.as_of, 24)
    return [c for c in view.select("website_check", WebsiteCheck, "page", ("complaints",), ever=True)
            if c.end > start]


@measure(
    "web.complaints_one_click_sustained",
    type="boolean",
    better="true",
    kinds=("website_check",),
    description="Every check in the last 24 months (at least two, 6 months or more apart) found complaints "
    "information one click from the home page",
)
def one_click_sustained(view: EvidenceView) -> Result | None:
    checks = _complaints_checks_24m(view)
    if not checks:
        return None
    ok = all(c.found and (c.clicks_from_home or 0) <= 1 for c in checks)
    span = (checks[-1].end - checks[0].end).days
    held = ok and len(checks) >= 2 and span >= 182
    return Result(
        held,
        tuple(checks),
        f"{len(checks)} checks over {span} days; "
        + ("one click at every check" if ok else "not one click at every check"),
    )


@measure(
    "web.complaints_tested_with_patients",
    type="boolean",
    better="true",
    kinds=("website_check",),
    description="A check in the last 24 months records that patients tested the complaints information",
)
def tested_with_patients(view: EvidenceView) -> Result | None:
    checks = _complaints_checks_24m(view)
    if not checks:
        return None
    tested = [c for c in checks if "tested_with_patients" in c.content_flags]
    return Result(
        bool(tested),
        tuple(tested or checks),
        f"tested with patients on {tested[-1].end}" if tested else "no check records testing with patients",
    )


@measure(
    "web.feedback_routes",
    type="integer",
    unit="count",
    better="higher",
    kinds=("website_check",),
    description="Distinct ways to give feedback the website tells patients about (route pages found plus "
    "routes named on them), latest checks in 12 months",
)
def feedback_routes(view: EvidenceView) -> Result | None:
    looked = [c for page, c in latest_checks(view).items() if page in ROUTE_PAGES]
    if not looked:
        return None
    checks = [c for page, c in content_checks(view).items() if page in ROUTE_PAGES]
    routes = {c.page for c in checks} | {f for c in checks for f in c.content_flags if f in ROUTE_FLAGS}
    return Result(
        len(routes),
        tuple(checks or looked),
        f"{len(routes)} feedback routes on the website: {', '.join(sorted(routes)) or 'none'}",
    )


@measure(
    "web.healthwatch_named",
    type="boolean",
    better="true",
    kinds=("website_check",),
    description="The website names Healthwatch (or its successor independent patient voice) as a route "
    "for feedback",
)
def healthwatch_named(view: EvidenceView) -> Result | None:
    checks = [c for page, c in latest_checks(view).items() if page in ROUTE_PAGES]
    if not checks:
        return None
    named = [
        c
        for page, c in content_checks(view).items()
        if page in ROUTE_PAGES and (page == "healthwatch" or HEALTHWATCH_FLAGS & set(c.content_flags))
    ]
    return Result(
        bool(named),
        tuple(named or checks),
        f"Healthwatch named on the {named[-1].page} page"
        if named
        else "Healthwatch not named on the feedback, PALS or complaints pages",
    )


for _name, (_ago, _when) in zip(("web.channel_routes_display_share_12m", "web.channel_routes_display_share_prev12m"),
                               WINDOWS, strict=True):

    def _routes_display(view: EvidenceView, ago: int = _ago) -> Result | None:
        return audit_share(
            view,
            "feedback_info_display",
            "audited areas display how to give feedback, including Healthwatch",
            ago,
        )

    measure(
        _name,
        type="number",
        unit="share",
        better="higher",
        kinds=("staff_process",),
        description="Share of audited patient areas displaying the ways to give "
        f"feedback, including Healthwatch ({_when})",
    )(_routes_display)


@measure(
    "web.npsp_ip_asked_for_feedback_band",
    type="integer",
    unit="level",
    better="higher",
    kinds=("survey_question",),
    description="Adult inpatient survey 'asked to give views on the quality of "
    "care' against peers (ladder B: 1 bottom quartile .. 5 top quartile in two waves)",
)
def asked_for_feedback_band(view: EvidenceView) -> Result | None:
    return survey_position(view, "npsp.ip.asked_for_feedback")
