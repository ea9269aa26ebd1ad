"""Complaints measures for 10A, 10C-10E and 11A: handling rates from the local register, displays, themes.

KO41a returns carry counts only (received, upheld, subjects), so every handling rate reads the trust's local
register (source_type local_register); a KO41a row never supplies a numerator or a denominator for them.
"""

from __future__ import annotations

from collections.abc import Sequence

from pxrules.evidence.complaints import ComplaintsPeriod
from pxrules.evidence.governance import BoardMeeting, Document
from pxrules.measures.blocks import best_document, documents, pct, processes
from pxrules.measures.channel import latest_channels
from pxrules.measures.registry import EvidenceView, Result, measure

COMPLAINT_CHANNELS = frozenset(
    {
        "pals",
        "complaints_online",
        "complaints_email",
        "complaints_phone",
        "complaints_post",
        "complaints_in_person",
        "complaints_advocate",
    }
)
# Catch-all subject codes are not a theme anyone can act on, though they stay in the denominator.
CATCH_ALL = frozenset({"other", "others", "unknown", "not_known", "not_specified"})
# The two 12-month windows of paired measures (`_12m`, `_prev12m`): (months back it ends, in words).
WINDOWS = ((0, "last 12 months"), (12, "the 12 months before"))


def register_periods(
    view: EvidenceView, months: int = 12, ending_months_ago: int = 0, source: str = "local_register"
) -> list[ComplaintsPeriod]:
    """Register periods ending in the window; a period inside another (a quarter of a year) is dropped so
    nothing is counted twice, and of two records of the same period the later one counts."""
    # Two dozen handling rates read the same periods: worked out once per view.
    return list(view.memo(("register_periods", months, ending_months_ago, source),
                          lambda: _register_periods(view, months, ending_months_ago, source)))


def _register_periods(view: EvidenceView, months: int, ending_months_ago: int, source: str) -> list[ComplaintsPeriod]:
    items = view.select_within("complaints_period", ComplaintsPeriod, "source_type", (source,), months,
                               ending_months_ago=ending_months_ago)
    spans = {(c.period_start, c.end) for c in items}
    outer = [
        c
        for c in items
        if not any(s <= c.period_start and c.end <= e and (s, e) != (c.period_start, c.end) for s, e in spans)
    ]
    by_span: dict[tuple[object, object], ComplaintsPeriod] = {}
    for c in outer:
        by_span[(c.period_start, c.end)] = c
    return list(by_span.values())


def _ratio(
    items: Sequence[ComplaintsPeriod], num: str, dens: tuple[str, ...]
) -> tuple[int, int, list[ComplaintsPeriod]] | None:
    """Summed numerator and denominator over periods reporting all of them (None is 'not recorded')."""
    top = bottom = 0
    used = []
    for c in items:
        values = [getattr(c, f) for f in (num, *dens)]
        if any(v is None for v in values) or not sum(values[1:]):
            continue
        top += values[0]
        bottom += sum(values[1:])
        used.append(c)
    return (top, bottom, used) if used else None


# (measure for the last 12 months, for the 12 before, numerator field (the key), denominator fields, what is counted)
RATIOS: tuple[tuple[str, str, str, tuple[str, ...], str], ...] = (
    ("complaints.ack_3wd_share_12m", "complaints.ack_3wd_share_prev12m",
     "acknowledged_3wd", ("received",), "complaints acknowledged within 3 working days"),
    ("complaints.meeting_offered_share_12m", "complaints.meeting_offered_share_prev12m",
     "meeting_offered", ("received",), "complainants offered a meeting"),
    ("complaints.advocacy_offered_share_12m", "complaints.advocacy_offered_share_prev12m",
     "advocacy_offered", ("received",), "complainants offered advocacy or support"),
    ("complaints.responded_in_time_share_12m", "complaints.responded_in_time_share_prev12m",
     "responded_in_time", ("resolved",), "responses sent within the agreed timescale"),
    ("complaints.feedback_sought_share_12m", "complaints.feedback_sought_share_prev12m",
     "feedback_sought", ("resolved",), "closed complaints where feedback on the handling was sought"),
    ("complaints.feedback_response_share_12m", "complaints.feedback_response_share_prev12m",
     "feedback_received", ("feedback_sought",), "complainants asked for feedback who gave it"),
    ("complaints.satisfied_share_12m", "complaints.satisfied_share_prev12m",
     "feedback_satisfied", ("feedback_received",), "complainants giving feedback who were satisfied with the handling"),
    ("complaints.actions_share_12m", "complaints.actions_share_prev12m",
     "actions_recorded", ("upheld", "partially_upheld"), "upheld or partly upheld complaints with actions recorded"),
    ("complaints.actions_completed_share_12m", "complaints.actions_completed_share_prev12m",
     "actions_completed", ("actions_recorded",), "recorded actions completed"),
    ("complaints.actions_reaudited_share_12m", "complaints.actions_reaudited_share_prev12m",
     "actions_reaudited", ("actions_completed",), "completed actions re-audited as sustained"),
    ("complaints.local_resolution_share_12m", "complaints.local_resolution_share_prev12m",
     "local_resolution_concerns", ("local_resolution_concerns", "received"),
     "concerns and complaints resolved locally by frontline staff or PALS"),
)


def register_ratio(view: EvidenceView, key: str, ending_months_ago: int = 0) -> Result | None:
    """The RATIOS row whose numerator is `key`, over the register's 12 months ending `ending_months_ago`."""
    _, _, num, dens, what = next(r for r in RATIOS if r[2] == key)
    found = _ratio(register_periods(view, 12, ending_months_ago), num, dens)
    if found is None:
        return None
    top, bottom, used = found
    # Several actions can follow one complaint, so the action share is capped at all complaints.
    share = min(top / bottom, 1.0)
    span = f"{min(c.period_start for c in used)} to {max(c.end for c in used)}"
    return Result(share, tuple(used), f"{top} of {bottom} {what} ({pct(share)}; local register, {span})")


def _register_ratio_measures() -> None:
    for now, before, num, dens, what in RATIOS:
        for name, (ago, when) in zip((now, before), WINDOWS, strict=True):

            def fn(view: EvidenceView, key: str = num, ago: int = ago) -> Result | None:
                return register_ratio(view, key, ago)

            measure(
                name,
                type="number",
                unit="share",
                better="higher",
                kinds=("complaints_period",),
                description=f"Share of {what} ({num} / {' + '.join(dens)}, local register, {when})",
            )(fn)


_register_ratio_measures()


def _change(view: EvidenceView, key: str) -> Result | None:
    now, before = register_ratio(view, key, 0), register_ratio(view, key, 12)
    if now is None or before is None:
        return None
    points = (float(now.value) - float(before.value)) * 100
    return Result(
        round(points, 1),
        [*now.evidence, *before.evidence],
        f"{pct(float(now.value))} in the last 12 months vs {pct(float(before.value))} in the 12 months "
        f"before ({points:+.1f} points)",
    )


@measure(
    "complaints.satisfied_change_pts",
    type="number",
    unit="points",
    better="higher",
    kinds=("complaints_period",),
    description="Change in the share of complainants satisfied with the "
    "handling, last 12 months against the 12 before (percentage points)",
)
def satisfied_change(view: EvidenceView) -> Result | None:
    return _change(view, "feedback_satisfied")


@measure(
    "complaints.local_resolution_change_pts",
    type="number",
    unit="points",
    better="higher",
    kinds=("complaints_period",),
    description="Change in the share of concerns resolved locally rather "
    "than as formal complaints, last 12 months against the 12 before (percentage points)",
)
def local_resolution_change(view: EvidenceView) -> Result | None:
    return _change(view, "local_resolution_concerns")


def _subjects(items: Sequence[ComplaintsPeriod]) -> dict[str, int]:
    totals: dict[str, int] = {}
    for c in items:
        for subject, n in c.by_subject.items():
            if n is not None:
                totals[subject] = totals.get(subject, 0) + n
    return totals


@measure(
    "complaints.top_theme_share_change_pts",
    type="number",
    unit="points",
    better="lower",
    kinds=("complaints_period",),
    description="Change in the share of complaints about the previous "
    "year's most common subject, last 12 months against the 12 before (percentage points; falling is better)",
)
def top_theme_share_change(view: EvidenceView) -> Result | None:
    # Subject counts are the one breakdown KO41a does carry; the local register wins when it has them.
    for source in ("local_register", "ko41a"):
        now_items = [c for c in register_periods(view, 12, 0, source) if c.by_subject]
        before_items = [c for c in register_periods(view, 12, 12, source) if c.by_subject]
        now, before = _subjects(now_items), _subjects(before_items)
        if sum(now.values()) and sum(before.values()):
            themes = sorted(s for s in before if s not in CATCH_ALL) or sorted(before)
            theme = max(themes, key=lambda s: before[s])
            share_now = now.get(theme, 0) / sum(now.values())
            share_before = before[theme] / sum(before.values())
            points = (share_now - share_before) * 100
            return Result(
                round(points, 1),
                [*now_items, *before_items],
                f"{theme}: {pct(share_now)} of complaints by subject in the last 12 months vs "
                f"{pct(share_before)} in the 12 months before ({points:+.1f} points, {source})",
            )
    return None


# ---------------------------------------------------------------- 10A: policy, displays, routes


@measure(
    "complaints.policy_in_date",
    type="boolean",
    better="true",
    kinds=("document",),
    description="The complaints policy is approved and within its review date",
)
def policy_in_date(view: EvidenceView) -> Result | None:
    doc = best_document(view, "complaints_policy")
    if doc is not None:
        return Result(
            True,
            [doc],
            f"{doc.title} approved {doc.approved_on}"
            + (f", review due {doc.review_due}" if doc.review_due else ""),
        )
    lapsed = [d for d in documents(view, "complaints_policy", ever=True) if d.status == "approved"]
    if lapsed:
        return Result(
            False, [lapsed[-1]], f"{lapsed[-1].title} lapsed (review was due {lapsed[-1].review_due})"
        )
    return None


@measure(
    "complaints.policy_drafted",
    type="boolean",
    better="true",
    kinds=("document",),
    description="A complaints policy exists, at least in draft",
)
def policy_drafted(view: EvidenceView) -> Result | None:
    docs = [d for d in documents(view, "complaints_policy", ever=True) if isinstance(d, Document)]
    if not docs:
        return None
    return Result(True, [docs[-1]], f"{docs[-1].title} ({docs[-1].status})")


@measure(
    "complaints.policy_coproduced",
    type="boolean",
    better="true",
    kinds=("document",),
    description="The current complaints policy was co-produced with patients",
)
def policy_coproduced(view: EvidenceView) -> Result | None:
    doc = best_document(view, "complaints_policy")
    if doc is None:
        return None
    return Result(
        doc.coproduced_patients,
        [doc],
        f"{doc.title} {'was' if doc.coproduced_patients else 'was not'} co-produced with patients",
    )


def audit_share(
    view: EvidenceView, process: str, what: str, ending_months_ago: int = 0, area_contains: str | None = None
) -> Result | None:
    """compliant / population over audits of `process` ending in a 12-month window (optionally one area)."""
    audits = [
        p
        for p in processes(view, process, ending_months_ago=ending_months_ago)
        if p.population
        and p.compliant is not None
        and (area_contains is None or area_contains in (p.area or "").lower())
    ]
    if not audits:
        return None
    population = sum(p.population or 0 for p in audits)
    compliant = sum(p.compliant or 0 for p in audits)
    return Result(
        compliant / population,
        tuple(audits),
        f"{compliant} of {population} {what} ({pct(compliant / population)})",
    )


for _name, (_ago, _when) in zip(("complaints.display_share_12m", "complaints.display_share_prev12m"), WINDOWS,
                               strict=True):

    def _display_fn(view: EvidenceView, ago: int = _ago) -> Result | None:
        return audit_share(
            view, "complaints_info_display", "audited locations display complaints and PALS information", ago
        )

    measure(
        _name,
        type="number",
        unit="share",
        better="higher",
        kinds=("staff_process",),
        description=f"Share of audited care locations displaying complaints and PALS information ({_when})",
    )(_display_fn)


@measure(
    "complaints.display_community_share_12m",
    type="number",
    unit="share",
    better="higher",
    kinds=("staff_process",),
    description="Share of audited community locations (or community staff) with "
    "complaints and PALS information available (last 12 months)",
)
def display_community_share(view: EvidenceView) -> Result | None:
    return audit_share(
        view,
        "complaints_info_display",
        "audited community locations have complaints and PALS information",
        area_contains="community",
    )


@measure(
    "complaints.team_learning_share_12m",
    type="number",
    unit="share",
    better="higher",
    kinds=("staff_process",),
    description="Share of audited teams that discuss patients' concerns and share the learning at team "
    "meetings (last 12 months)",
)
def team_learning_share(view: EvidenceView) -> Result | None:
    return audit_share(
        view, "team_feedback_discussion", "audited teams discuss concerns and share the learning"
    )


@measure(
    "complaints.channels",
    type="integer",
    unit="count",
    better="higher",
    kinds=("feedback_channel",),
    description="Distinct live ways to raise a concern or complaint (PALS, online form, email, phone, "
    "post, in person, advocate)",
)
def complaint_channels(view: EvidenceView) -> Result | None:
    channels = [c for c in latest_channels(view) if c.channel in COMPLAINT_CHANNELS]
    if not channels:
        return None
    live = [c.channel for c in channels if c.live]
    return Result(
        len(live),
        tuple(channels),
        f"{len(live)} live ways to complain" + (f": {', '.join(live)}" if live else ""),
    )


@measure(
    "complaints.committee_reports_12m",
    type="integer",
    unit="count",
    better="higher",
    kinds=("board_meeting",),
    description="Board or committee meetings in the last 12 months that received "
    "a complaints report (themes, handling and learning)",
)
def committee_reports(view: EvidenceView) -> Result | None:
    meetings = [m for m in view.within("board_meeting", 12) if isinstance(m, BoardMeeting)]
    if not meetings:
        return None
    hits = [m for m in meetings if m.complaints_themes_reported or "complaints_report" in m.agenda]
    return Result(
        len(hits),
        tuple(meetings),
        f"{len(hits)} of {len(meetings)} board and committee meetings received a complaints report",
    )
