"""Measures for 12B and 9A: FFT modes of collection, feedback channels and their reach, NPSP participation."""

from __future__ import annotations

from pxrules.evidence.feedback import FeedbackChannel, FftMonthly, SurveyQuestion
from pxrules.measures.blocks import best_document, pct
from pxrules.measures.fft import (
    DIGITAL_MODES,
    NON_DIGITAL_MODES,
    NPSP_LOOKBACK_MONTHS,
    REALTIME_DAYS,
    SURVEY_FOR_SETTING,
    fft_window,
    label,
    trust_returns,
)
from pxrules.measures.registry import EvidenceView, Result, measure, months_before


@measure(
    "channel.npsp_participation_share_36m",
    type="number",
    unit="share",
    better="higher",
    kinds=("survey_question", "fft_monthly"),
    description="CQC National Patient Survey Programme surveys the trust took part in (latest wave within "
    "36 months) as a share of those its FFT settings make it eligible for",
)
def npsp_participation(view: EvidenceView) -> Result | None:
    start = months_before(view.as_of, NPSP_LOOKBACK_MONTHS)
    taken: dict[str, SurveyQuestion] = {}
    for q in view.ever("survey_question"):
        if isinstance(q, SurveyQuestion) and q.survey.startswith("npsp_") and q.end > start:
            taken[q.survey] = q
    since = months_before(view.as_of, 24)
    settings = {setting for _, end, _, setting, _ in trust_returns(view, True) if end > since}
    eligible = {SURVEY_FOR_SETTING[s] for s in settings if s in SURVEY_FOR_SETTING} | set(taken)
    if not eligible:
        return None
    missing = sorted(eligible - set(taken))
    detail = (
        f"took part in {len(taken)} of {len(eligible)} eligible national patient surveys"
        + (f" ({', '.join(f'{s} {q.wave}' for s, q in sorted(taken.items()))})" if taken else "")
        + (f"; no recent wave for {', '.join(missing)}" if missing else "")
    )
    return Result(len(taken) / len(eligible), list(taken.values()), detail)


# ---------------------------------------------------------------- channels: real-time reach and formats


def latest_channels(view: EvidenceView) -> list[FeedbackChannel]:
    """The latest current record of each feedback channel (a later record supersedes an earlier one)."""
    return list(view.memo("latest_channels", lambda: _latest_channels(view)))


def _latest_channels(view: EvidenceView) -> list[FeedbackChannel]:
    latest: dict[str, FeedbackChannel] = {}
    for c in view.of("feedback_channel"):
        if isinstance(c, FeedbackChannel):
            latest[c.channel] = c
    return [latest[k] for k in sorted(latest)]


@measure(
    "channel.realtime_team_share",
    type="number",
    unit="share",
    better="higher",
    kinds=("feedback_channel",),
    description="Share of teams with access to near real-time feedback (a live channel reaching teams "
    "within 7 days); the best-reaching channel counts",
)
def realtime_team_share(view: EvidenceView) -> Result | None:
    fast = [
        c
        for c in latest_channels(view)
        if c.live
        and c.latency_days is not None
        and c.latency_days <= REALTIME_DAYS
        and c.teams_total
        and c.teams_with_access is not None
    ]
    if not fast:
        return None
    best = max(fast, key=lambda c: ((c.teams_with_access or 0) / (c.teams_total or 1), c.channel))
    share = (best.teams_with_access or 0) / (best.teams_total or 1)
    return Result(
        share,
        tuple(fast),
        f"{best.teams_with_access} of {best.teams_total} teams see {best.channel} feedback "
        f"within {best.latency_days:g} days ({pct(share)})",
    )


@measure(
    "channel.live_channels",
    type="integer",
    unit="count",
    better="higher",
    kinds=("feedback_channel",),
    description="Distinct live routes by which patients give feedback (FFT modes, kiosks, QR codes, "
    "Care Opinion, PALS, accessible versions ...)",
)
def live_channels(view: EvidenceView) -> Result | None:
    channels = latest_channels(view)
    if not channels:
        return None
    live = [c for c in channels if c.live]
    return Result(
        len(live),
        tuple(channels),
        f"{len(live)} live feedback channels" + (f": {', '.join(c.channel for c in live)}" if live else ""),
    )


@measure(
    "channel.accessible_formats",
    type="integer",
    unit="count",
    better="higher",
    kinds=("feedback_channel",),
    description="Live feedback routes designed for people less able to feed back (easy read, BSL, other "
    "languages, large print, assisted telephone ...)",
)
def accessible_formats(view: EvidenceView) -> Result | None:
    channels = latest_channels(view)
    if not channels:
        return None
    accessible = [c for c in channels if c.live and c.accessible_format]
    return Result(
        len(accessible),
        tuple(channels),
        f"{len(accessible)} accessible feedback formats live"
        + (f": {', '.join(c.channel for c in accessible)}" if accessible else ""),
    )


@measure(
    "channel.equality_analysis_current",
    type="boolean",
    better="true",
    kinds=("document",),
    description="A current approved analysis of who gives feedback (respondent profile against the "
    "patient population, by protected characteristic)",
)
def equality_analysis_current(view: EvidenceView) -> Result | None:
    doc = best_document(view, "feedback_equality_analysis")
    if doc is None:
        return None
    return Result(True, [doc], f"{doc.title} approved {doc.approved_on}")


# ---------------------------------------------------------------- 12B / 9A: modes of collection


def modes_by_setting(
    view: EvidenceView, months: int = 3, ending_months_ago: int = 0
) -> tuple[dict[str, set[str]], list[FftMonthly]]:
    """Modes with a response, per setting, over the window; settings without mode data are left out."""
    used, rows = view.memo(("fft_modes_by_setting", months, ending_months_ago),
                           lambda: _modes_by_setting(view, months, ending_months_ago))
    return {setting: set(modes) for setting, modes in used.items()}, list(rows)


def _modes_by_setting(
    view: EvidenceView, months: int, ending_months_ago: int
) -> tuple[dict[str, set[str]], list[FftMonthly]]:
    used: dict[str, set[str]] = {}
    rows = []
    for (setting, _), row in sorted(fft_window(view, months, ending_months_ago).items()):
        if any(v is not None for v in row.modes.values()):
            rows.append(row)
            used.setdefault(setting, set()).update(m for m, v in row.modes.items() if v)
    return used, rows


def _describe_modes(used: dict[str, set[str]]) -> str:
    return "; ".join(
        f"{label(s)}: {len(m)} ({', '.join(sorted(m)) or 'none'})" for s, m in sorted(used.items())
    )


def _three_with_paper(modes: set[str]) -> bool:
    return len(modes) >= 3 and bool(modes & NON_DIGITAL_MODES)


@measure(
    "channel.fft_min_modes_per_setting_3m",
    type="integer",
    unit="count",
    better="higher",
    kinds=("fft_monthly",),
    description="Fewest FFT modes of collection in use in any setting over the last 3 months",
)
def min_modes_per_setting_3m(view: EvidenceView) -> Result | None:
    used, rows = modes_by_setting(view)
    if not used:
        return None
    return Result(
        min(len(m) for m in used.values()), tuple(rows), "FFT modes in use: " + _describe_modes(used)
    )


def _share_three_with_paper(view: EvidenceView, ending_months_ago: int, when: str) -> Result | None:
    used, rows = modes_by_setting(view, 3, ending_months_ago)
    if not used:
        return None
    hits = [s for s, m in used.items() if _three_with_paper(m)]
    return Result(
        len(hits) / len(used),
        tuple(rows),
        f"{len(hits)} of {len(used)} FFT settings use 3 or more modes "
        f"including a non-digital one ({when}); " + _describe_modes(used),
    )


@measure(
    "channel.fft_share_settings_3modes_nondigital_3m",
    type="number",
    unit="share",
    better="higher",
    kinds=("fft_monthly",),
    description="Share of FFT settings collecting by 3 or more modes, at least one "
    "of them non-digital (paper or telephone), over the last 3 months",
)
def share_3modes_3m(view: EvidenceView) -> Result | None:
    return _share_three_with_paper(view, 0, "last 3 months")


@measure(
    "channel.fft_share_settings_3modes_nondigital_prev12m",
    type="number",
    unit="share",
    better="higher",
    kinds=("fft_monthly",),
    description="Share of FFT settings collecting by 3 or more modes including a "
    "non-digital one, in the same 3 months a year earlier",
)
def share_3modes_prev12m(view: EvidenceView) -> Result | None:
    return _share_three_with_paper(view, 12, "same 3 months a year earlier")


@measure(
    "channel.fft_share_settings_digital_3m",
    type="number",
    unit="share",
    better="higher",
    kinds=("fft_monthly",),
    description="Share of FFT settings offering at least one digital mode (SMS, online, electronic, kiosk) "
    "over the last 3 months",
)
def share_settings_digital_3m(view: EvidenceView) -> Result | None:
    used, rows = modes_by_setting(view)
    if not used:
        return None
    hits = [s for s, m in used.items() if m & DIGITAL_MODES]
    without = sorted(set(used) - set(hits))
    return Result(
        len(hits) / len(used),
        tuple(rows),
        f"{len(hits)} of {len(used)} FFT settings offer a digital mode"
        + (f"; none in {', '.join(label(s) for s in without)}" if without else ""),
    )
