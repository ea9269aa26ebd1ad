"""Measures for the Collecting feedback section: FFT returns against England's response rate (12C, 9A).

The section spreads over five modules: this one (FFT returns, coverage, response rates), channel
(modes, channels, NPSP: 12B, 9A), complaints (10A, 10C-10E, 11A), web (10B, 12A) and staff (9B, 11B, 11C and
the feedback-led impact used at level 5). A measure's name starts with its module's name.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from operator import itemgetter
from typing import NamedTuple

from pxrules.evidence.feedback import Benchmark, FftMonthly
from pxrules.measures.blocks import pct
from pxrules.measures.registry import EvidenceView, Result, measure, months_before

SETTING_LABELS = {
    "inpatient": "inpatient",
    "ae": "A&E",
    "maternity_antenatal": "maternity antenatal",
    "maternity_birth": "maternity birth",
    "maternity_postnatal_ward": "maternity postnatal ward",
    "maternity_postnatal_community": "maternity postnatal community",
    "outpatient": "outpatient",
    "community": "community",
    "mental_health": "mental health",
    "ambulance": "ambulance",
}
# Modes as the FFT workbooks name them; a kiosk is digital even when staff help patients use it.
DIGITAL_MODES = frozenset({"sms", "electronic_discharge", "electronic_home", "electronic_at_appointment",
                           "electronic_after_appointment", "online", "tablet_kiosk"})
NON_DIGITAL_MODES = frozenset({"paper_discharge", "paper_home", "paper_at_appointment", "paper_after_appointment",
                               "telephone"})
# The CQC survey a trust is expected to take part in when it runs an FFT setting. Children's and outpatient
# surveys cannot be inferred from FFT settings, so they count only when the trust took part.
SURVEY_FOR_SETTING = {
    "inpatient": "npsp_inpatient",
    "ae": "npsp_ue",
    "maternity_antenatal": "npsp_maternity",
    "maternity_birth": "npsp_maternity",
    "maternity_postnatal_ward": "npsp_maternity",
    "maternity_postnatal_community": "npsp_maternity",
    "mental_health": "npsp_community_mh",
}
# NPSP surveys run annually or every two years and publish about a year after fieldwork: 36 months
# is the shortest look-back that always holds the latest wave of a biennial survey.
NPSP_LOOKBACK_MONTHS = 36
# Publication lag tolerated before a missing FFT month counts as a gap (providers submit by the 9th
# working day; NHS England publishes about six weeks after month end).
FFT_LAG_MONTHS = 2
REALTIME_DAYS = 7


def month_index(day: dt.date) -> int:
    """A month as one integer (year * 12 + month - 1), so windows are plain ranges."""
    return day.year * 12 + day.month - 1


def month_name(index: int) -> str:
    year, month0 = divmod(index, 12)
    return f"{year}-{month0 + 1:02d}"


def label(setting: str) -> str:
    return SETTING_LABELS.get(setting, setting)


def trust_rows(items: Iterable[object]) -> dict[tuple[str, int], FftMonthly]:
    """Trust-level FFT returns keyed by (setting, month); site and ward rows would double-count."""
    rows: dict[tuple[str, int], FftMonthly] = {}
    for item in items:
        if isinstance(item, FftMonthly) and item.level == "trust":
            rows[(item.setting, month_index(item.period_start))] = item  # views are ordered: last wins
    return rows


# A trust-level return with what windows select it by: (period start, period end, month, setting, row).
TrustReturn = tuple[dt.date, dt.date, int, str, FftMonthly]
_MONTH = itemgetter(2)


def trust_returns(view: EvidenceView, lapsed: bool) -> list[TrustReturn]:
    """The trust-level returns among the current (or, if `lapsed`, all) FFT items, in view order.

    Read once per view: windows, completeness and participation all filter these, and reading fields
    of evidence items costs more than the filtering.
    """
    def compute() -> list[TrustReturn]:
        pool = view.ever("fft_monthly") if lapsed else view.of("fft_monthly")
        found: list[TrustReturn] = []
        for r in pool:
            if isinstance(r, FftMonthly) and r.level == "trust":
                start = r.period_start
                # (r.end and month_index(start), spelled out: this runs for every return a view holds)
                found.append((start, r.period_end or start, start.year * 12 + start.month - 1, r.setting, r))
        return found

    return view.memo(("fft_trust_returns", lapsed), compute)


def fft_window(
    view: EvidenceView, months: int, ending_months_ago: int = 0
) -> dict[tuple[str, int], FftMonthly]:
    """Trust-level returns for the `months` calendar months to the as-of month (shifted back if asked).

    Calendar months rather than `view.within`: a 6-month window back from 30 September starts on 30 March
    and would catch March's return (ending the 31st) as a seventh month.
    """
    def compute() -> dict[tuple[str, int], FftMonthly]:
        top = month_index(view.as_of) - ending_months_ago
        # As trust_rows keeps them: keyed by (setting, month), the last in view order wins.
        return {(setting, month): row for _, _, month, setting, row in trust_returns(view, bool(ending_months_ago))
                if top - months < month <= top}

    # Dozens of measures read the same windows: each is worked out once per view (a copy is handed out).
    return dict(view.memo(("fft_window", months, ending_months_ago), compute))


# ---------------------------------------------------------------- 12C: response rate against England


def national_rates(view: EvidenceView) -> dict[tuple[str, int], Benchmark]:
    """England FFT response-rate benchmarks keyed by (setting, month); lapsed ones count for past months.
    Worked out once per view, which keeps what it returns: callers must not change it."""

    def compute() -> dict[tuple[str, int], Benchmark]:
        found: dict[tuple[str, int], Benchmark] = {}
        for b in view.ever("benchmark"):
            if not isinstance(b, Benchmark) or not b.measure.startswith("fft.response_rate."):
                continue
            key = (b.measure.removeprefix("fft.response_rate."), month_index(b.period_start))
            if b.scope == "england" or key not in found:
                found[key] = b
        return found

    return view.memo("national_rates", compute)


def rate_of(b: Benchmark) -> float:
    """A benchmark response rate as a share (benchmarks are stored in percent or share)."""
    return b.value / 100 if b.unit == "percent" else b.value


class RatePair(NamedTuple):
    """One setting in one month: the trust's response rate beside England's (a named tuple: a view makes
    hundreds, and a frozen dataclass costs three times as much to make)."""

    setting: str
    month: int
    rate: float
    national: float
    row: FftMonthly
    benchmark: Benchmark

    @property
    def meets(self) -> bool:
        return self.rate >= self.national

    def sentence(self) -> str:
        return (
            f"{label(self.setting)} response rate {self.rate * 100:.1f}% vs national "
            f"{self.national * 100:.1f}% in {month_name(self.month)}"
        )


def _compare(view: EvidenceView, setting: str, month: int, row: FftMonthly) -> RatePair | str:
    """One return beside England's rate, or why it cannot be: no_eligible, suppressed or no_benchmark."""
    if not row.eligible:
        return "no_eligible"
    rate = row.response_rate
    if rate is None:
        return "suppressed"
    bench = national_rates(view).get((setting, month))
    if bench is None:
        return "no_benchmark"
    return RatePair(setting, month, rate, rate_of(bench), row, bench)


def _compared(view: EvidenceView, months: int,
              ending_months_ago: int) -> dict[tuple[str, int], tuple[FftMonthly, RatePair | str]]:
    """_compare for every return of a window, by (setting, month), with the return compared."""
    return view.memo(("fft_compared", months, ending_months_ago), lambda: {
        key: (row, _compare(view, *key, row)) for key, row in fft_window(view, months, ending_months_ago).items()})


def _listed(what: str, keys: Sequence[tuple[str, int]]) -> list[str]:
    if not keys:
        return []
    names = [f"{label(s)} {month_name(m)}" for s, m in sorted(keys, key=lambda k: (k[1], k[0]))]
    more = f" and {len(names) - 6} more" if len(names) > 6 else ""
    return [f"{what}: {', '.join(names[:6])}{more}"]


def rate_pairs(
    view: EvidenceView, months: int, ending_months_ago: int = 0
) -> tuple[list[RatePair], list[str]]:
    """Comparable (setting, month) pairs in the window, and why the other returns could not be compared."""
    pairs, notes = view.memo(("fft_rate_pairs", months, ending_months_ago),
                             lambda: _rate_pairs(view, months, ending_months_ago))
    return list(pairs), list(notes)


def _rate_pairs(view: EvidenceView, months: int, ending_months_ago: int) -> tuple[list[RatePair], list[str]]:
    pairs: list[RatePair] = []
    no_eligible: set[str] = set()
    suppressed: list[tuple[str, int]] = []
    no_benchmark: list[tuple[str, int]] = []
    # Shorter windows hold the same returns as the 12 months they fall in: each is compared once.
    compared = _compared(view, max(months, 12), ending_months_ago)
    for (setting, month), row in sorted(fft_window(view, months, ending_months_ago).items()):
        known = compared.get((setting, month))
        found = known[1] if known is not None and known[0] is row else _compare(view, setting, month, row)
        if isinstance(found, RatePair):
            pairs.append(found)
        elif found == "no_eligible":  # settings such as maternity and outpatients report no eligible patients
            no_eligible.add(setting)
        elif found == "suppressed":  # a suppressed count is "not reported", never zero
            suppressed.append((setting, month))
        else:
            no_benchmark.append((setting, month))
    notes = _listed("responses not reported (suppressed)", suppressed)
    notes += _listed("no national figure yet", no_benchmark)
    if no_eligible:
        notes.append(
            "not compared (no eligible count reported): " + ", ".join(label(s) for s in sorted(no_eligible))
        )
    return pairs, notes


def _latest_per_setting(pairs: Sequence[RatePair]) -> list[RatePair]:
    latest: dict[str, RatePair] = {}
    for p in sorted(pairs, key=lambda p: p.month):
        latest[p.setting] = p
    return [latest[s] for s in sorted(latest)]


def _rate_share(view: EvidenceView, months: int, ending_months_ago: int, what: str) -> Result | None:
    pairs, notes = rate_pairs(view, months, ending_months_ago)
    if not pairs:
        return None
    met = sum(p.meets for p in pairs)
    parts = [p.sentence() for p in _latest_per_setting(pairs)]
    detail = (
        f"{met} of {len(pairs)} setting-months at or above the national response rate ({what}); "
        + "; ".join(parts + notes)
    )
    return Result(met / len(pairs), [x for p in pairs for x in (p.row, p.benchmark)], detail)


# (share measure, count measure) -> (months, ending months ago, the window in words).
_RATE_WINDOWS = {
    ("fft.national_rate_share_3m", "fft.national_rate_pairs_3m"): (3, 0, "last 3 months"),
    ("fft.national_rate_share_6m", "fft.national_rate_pairs_6m"): (6, 0, "last 6 months"),
    ("fft.national_rate_share_12m", "fft.national_rate_pairs_12m"): (12, 0, "last 12 months"),
    ("fft.national_rate_share_prev12m", "fft.national_rate_pairs_prev12m"):
        (12, 12, "the 12 months before the last 12"),
}


def _register_rate_measures() -> None:
    for (share_name, count_name), (months, ago, what) in _RATE_WINDOWS.items():

        def share_fn(view: EvidenceView, months: int = months, ago: int = ago, what: str = what) -> Result | None:
            return _rate_share(view, months, ago, what)

        def count_fn(view: EvidenceView, months: int = months, ago: int = ago, what: str = what) -> Result | None:
            pairs, notes = rate_pairs(view, months, ago)
            if not pairs:
                return None
            return Result(
                len(pairs),
                [x for p in pairs for x in (p.row, p.benchmark)],
                f"{len(pairs)} setting-months with a response rate and a national figure ({what})"
                + ("; " + "; ".join(notes) if notes else ""),
            )

        measure(share_name, type="number", unit="share", better="higher", kinds=("fft_monthly", "benchmark"),
                description=f"Share of FFT setting-months ({what}) whose response rate met or exceeded the "
                "national rate for the same setting and month")(share_fn)
        measure(count_name, type="integer", unit="count", better="higher", kinds=("fft_monthly", "benchmark"),
                description=f"FFT setting-months ({what}) with both a trust response rate and a national "
                "rate")(count_fn)


_register_rate_measures()


@measure(
    "fft.all_settings_meet_national_latest",
    type="boolean",
    better="true",
    kinds=("fft_monthly", "benchmark"),
    description="Every FFT setting the trust reports with eligible patients met or exceeded the national "
    "response rate in its latest compared month (last 3 months)",
)
def all_settings_meet_national_latest(view: EvidenceView) -> Result | None:
    pairs, notes = rate_pairs(view, 3)
    latest = _latest_per_setting(pairs)
    if not latest:
        return None
    return Result(
        all(p.meets for p in latest),
        [x for p in latest for x in (p.row, p.benchmark)],
        "; ".join([p.sentence() for p in latest] + notes),
    )


# ---------------------------------------------------------------- 9A: coverage and participation


@measure(
    "fft.returns_12m",
    type="integer",
    unit="count",
    better="higher",
    kinds=("fft_monthly",),
    description="FFT monthly returns (setting-months, trust level) in the last 12 months",
)
def returns_12m(view: EvidenceView) -> Result | None:
    rows = fft_window(view, 12)
    if not rows:
        return None
    settings = sorted({s for s, _ in rows})
    return Result(
        len(rows),
        list(rows.values()),
        f"{len(rows)} FFT monthly returns in the last 12 months across {len(settings)} settings "
        f"({', '.join(label(s) for s in settings)})",
    )


def _completeness(view: EvidenceView, ending_months_ago: int) -> Result | None:
    """Returns made / (settings the trust runs x 12) over the 12 months to the latest expected month."""
    as_of = months_before(view.as_of, ending_months_ago)
    returns = trust_returns(view, True)
    if ending_months_ago:  # (the view holds only returns begun by its own date)
        returns = [r for r in returns if r[0] <= as_of]
    if not returns:
        return None
    # A return begun by as_of is for the as-of month or an earlier one, so every such return is reported.
    end = max(max(map(_MONTH, returns)), month_index(as_of) - FFT_LAG_MONTHS)
    # As trust_rows keeps them (the last in view order wins), for the 24 months that say which settings run.
    rows = {(setting, month): row for _, _, month, setting, row in returns if end - 24 < month <= end}
    run = sorted({s for s, _ in rows})
    if not run:
        return None
    window = range(end - 11, end + 1)
    made = {(s, m): r for (s, m), r in rows.items() if m in window}
    gaps = [f"{label(s)} {month_name(m)}" for s in run for m in window if (s, m) not in made]
    share = len(made) / (len(run) * 12)
    detail = (
        f"{len(made)} of {len(run) * 12} expected FFT returns ({len(run)} settings x 12 months to "
        f"{month_name(end)}, {pct(share)})"
    )
    if gaps:
        detail += (
            "; missing: " + ", ".join(gaps[:6]) + (f" and {len(gaps) - 6} more" if len(gaps) > 6 else "")
        )
    return Result(share, list(made.values()), detail)


@measure(
    "fft.completeness_12m",
    type="number",
    unit="share",
    better="higher",
    kinds=("fft_monthly",),
    description="FFT returns made as a share of those expected (every setting the trust ran in the last "
    "24 months, each month of the last 12, allowing a 2-month publication lag)",
)
def completeness_12m(view: EvidenceView) -> Result | None:
    return _completeness(view, 0)


@measure(
    "fft.completeness_prev12m",
    type="number",
    unit="share",
    better="higher",
    kinds=("fft_monthly",),
    description="FFT returns made as a share of those expected, in the 12 months before the last 12",
)
def completeness_prev12m(view: EvidenceView) -> Result | None:
    return _completeness(view, 12)
