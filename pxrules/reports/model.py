"""The board report's content, built once and rendered as HTML, Markdown or XLSX (so all three agree)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from pxrules.board.compare import OVER, UNDER, UNEVIDENCED, Comparison, Group, Row, compare
from pxrules.board.pairing import QUARTER_DAYS, Pairing, Pin
from pxrules.board.trend import Trend, trend
from pxrules.common.dates import uk_moment
from pxrules.reports.cover import CoverSheet
from pxrules.rules.catalogue import CQC_KEY_QUESTIONS, load_catalogue

if TYPE_CHECKING:
    from pxrules.scoring.due import Lapsing

GroupBy = Literal["section", "cqc"]
CQC_TITLES = {
    "safe": "Safe",
    "effective": "Effective",
    "caring": "Caring",
    "responsive": "Responsive",
    "well-led": "Well-led",
}


@dataclass(frozen=True)
class ReportGroup:
    """A chapter of the detail: a section (or a CQC key question) with its summary and its rows.

    Grouped by CQC key question, each sub-requirement is written out once, under the question it bears on
    most closely; `related` lists the others that also bear on this question (written out elsewhere).
    """

    key: str
    title: str
    intro: str
    summary: Group
    rows: list[Row]
    related: list[Row]


@dataclass(frozen=True)
class Report:
    """Everything a board report shows."""

    comparison: Comparison
    trend: Trend
    by: GroupBy
    groups: list[ReportGroup]
    generated: dt.date
    # The audit chain's head when the report was built: a reader can later prove the store still holds it.
    chain_head: tuple[int, str] = (0, "")
    cover: CoverSheet = field(default_factory=CoverSheet)
    lapsing: list[Lapsing] = field(default_factory=list)
    lapsing_until: dt.date | None = None
    lapsing_other: int = 0

    @property
    def sign_off_note(self) -> str | None:
        """Who signed the board's self-assessment off, when, and the content hash it was frozen with."""
        s, own = self.comparison.sign_off, self.comparison.self_assessment
        if s is None or own is None:
            return None
        who = f"{s.by_name} ({s.by})" if s.by_name else s.by
        return (f"The board's self-assessment {own.id} was signed off by {who} at {uk_moment(s.at)}; "
                f"its content hash is {s.content_hash}.")  # fmt: skip

    @property
    def chain_note(self) -> str:
        """One sentence naming the chain head, for the technical end of every rendering."""
        seq, digest = self.chain_head
        return (
            f"Audit trail: built from a store whose audit chain ended at event {seq}, hash {digest}; "
            f"`pxrules audit verify --head {digest}` proves the store still holds it."
        )

    @property
    def pairing(self) -> Pairing:
        c = self.comparison
        own = c.self_assessment
        return Pairing(c.assessment, own, None if own is None else abs((c.assessment.as_of - own.as_of).days))

    @property
    def org(self) -> str:
        return self.comparison.org

    @property
    def name(self) -> str:
        return self.comparison.org_name

    @property
    def overall(self) -> Group:
        return self.comparison.overall

    @property
    def over_claims(self) -> list[Row]:
        return self.comparison.flagged(OVER)

    @property
    def under_claims(self) -> list[Row]:
        return self.comparison.flagged(UNDER)

    @property
    def unevidenced(self) -> list[Row]:
        return self.comparison.flagged(UNEVIDENCED)

    @property
    def summary_groups(self) -> list[Group]:
        return self.comparison.cqc if self.by == "cqc" else self.comparison.sections

    @property
    def previous_date(self) -> str | None:
        dates = self.trend.dates
        return dates[-2] if len(dates) > 1 else None

    def previous(self, sub_id: str) -> int | None:
        """The suggested score at the previous assessment date (None without one)."""
        if (
            len(self.trend.assessments) < 2
            or self.trend.dates[-1] != self.comparison.assessment.as_of.isoformat()
        ):
            return None
        line = next(s for s in self.trend.subs if s.key == sub_id)
        value = line.suggested[-2]
        return value if isinstance(value, int) else None

    def change(self, sub_id: str) -> int | None:
        """Suggested now minus suggested at the previous assessment date."""
        before = self.previous(sub_id)
        return None if before is None else self.comparison.row(sub_id).suggested - before

    @property
    def headline(self) -> str:
        """One sentence for the top of the paper."""
        o = self.overall
        parts = [
            f"Across the 57 sub-requirements the evidence suggests a mean score of {o.suggested_mean:.1f}"
        ]
        if o.self_mean is not None:
            parts.append(f"the board's own mean is {o.self_mean:.1f}")
        text = "; ".join(parts) + "."
        overs = self.over_claims
        if overs:
            ids = ", ".join(r.id for r in overs[:6]) + ("…" if len(overs) > 6 else "")
            text += (
                f" The board scores itself two or more points above the evidence on {len(overs)} "
                f"sub-requirement{'s' if len(overs) != 1 else ''} ({ids})."
            )
        elif self.comparison.self_assessment is not None:
            text += " No self-assessed score is two or more points above the evidence."
        return text


def _groups(comparison: Comparison, by: GroupBy) -> list[ReportGroup]:
    catalogue = load_catalogue()
    if by == "section":
        out = []
        for section, summary in zip(catalogue.sections, comparison.sections, strict=True):
            rows = [r for r in comparison.rows if r.section_key == section.key]
            out.append(ReportGroup(section.key, section.title, section.intro, summary, rows, []))
        return out
    groups = []
    for question, summary in zip(CQC_KEY_QUESTIONS, comparison.cqc, strict=True):
        rows = [r for r in comparison.rows if r.cqc[0] == question]
        related = [r for r in comparison.rows if question in r.cqc[1:]]
        intro = (
            f"Sub-requirements that bear on CQC's key question '{CQC_TITLES[question]}': "
            f"{len(rows)} most closely (written out below), {len(related)} also (written out under "
            "another key question)."
        )
        groups.append(ReportGroup(question, CQC_TITLES[question], intro, summary, rows, related))
    return groups


def _lapsing(url: str, org: str, as_of: dt.date, until: dt.date) -> tuple[list[Lapsing], int]:
    """Evidence lapsing between the assessment date and `until` that lowers a score, and how many others lapse."""
    from pxrules.scoring.due import evidence_due

    due = evidence_due(url, org, as_of=as_of, within=max(0, (until - as_of).days))
    costly = [x for x in due.lapsing if x.drops]
    return costly, len(due.lapsing) - len(costly)


def build_report(
    url: str,
    org: str,
    *,
    by: GroupBy = "section",
    today: dt.date | None = None,
    pin: Pin | None = None,
    cover: CoverSheet | None = None,
    lapses: bool = False,
    assessment_id: int | None = None,
) -> Report:
    """The report of `org`: the pinned (default: latest) assessment, the self-assessment paired with it, the
    trend up to it and, with `lapses`, the evidence that lapses before the next paper and lowers a score.
    `assessment_id` alone is short for `pin=Pin(assessment_id)`."""
    pin = pin or Pin(assessment_id)
    cover = cover or CoverSheet()
    comparison = compare(
        url,
        org,
        assessment_id=pin.assessment_id,
        as_of=pin.as_of,
        self_id=pin.self_id,
        allow_mismatch=pin.allow_mismatch,
        require_self=False,
    )
    as_of = comparison.assessment.as_of
    pinned = Pin(comparison.assessment.id, None, getattr(comparison.self_assessment, "id", None), True)
    history = trend(url, org, pinned)
    lapsing: list[Lapsing] = []
    other, until = 0, None
    if lapses:
        until = cover.next_meeting if cover.next_meeting and cover.next_meeting > as_of else None
        until = until or as_of + dt.timedelta(days=QUARTER_DAYS)
        lapsing, other = _lapsing(url, org, as_of, until)
    from pxrules.store.audit_chain import head
    from pxrules.store.db import unit_of_work

    with unit_of_work(url) as session:
        chain_head = head(session) or (0, "")
    return Report(
        comparison,
        history,
        by,
        _groups(comparison, by),
        today or dt.date.today(),
        chain_head,
        cover,
        lapsing,
        until,
        other,
    )
