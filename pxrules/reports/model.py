"""The board report's content, built once and rendered as HTML, Markdown or XLSX (so all three agree)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from pxrules.board.compare import OVER, UNDER, UNEVIDENCED, Comparison, Group, Row, compare
from pxrules.board.trend import Trend, trend
from pxrules.rules.catalogue import CQC_KEY_QUESTIONS, load_catalogue

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

    @property
    def chain_note(self) -> str:
        """One sentence naming the chain head, for the technical end of every rendering."""
        seq, digest = self.chain_head
        return (
            f"Audit trail: built from a store whose audit chain ended at event {seq}, hash {digest}; "
            f"`pxrules audit verify --head {digest}` proves the store still holds it."
        )

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


def build_report(
    url: str, org: str, *, by: GroupBy = "section", today: dt.date | None = None, assessment_id: int | None = None
) -> Report:
    """The report of `org`: latest self-assessment (if any) against the latest (or given) assessment, and trend."""
    from pxrules.store.audit_chain import head
    from pxrules.store.db import unit_of_work

    comparison = compare(url, org, assessment_id=assessment_id, require_self=False)
    with unit_of_work(url) as session:
        chain_head = head(session) or (0, "")
    return Report(
        comparison, trend(url, org), by, _groups(comparison, by), today or dt.date.today(), chain_head
    )
