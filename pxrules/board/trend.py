"""Scores over time: suggested (and self) scores across the stored assessments of one organisation, per
sub-requirement, section and overall, with what improved and what deteriorated since the previous one.

One assessment per as_of date counts (the most recent run of that date), and likewise one self-assessment.
Means are over all 57 sub-requirements (suggested) or over the scored ones (self); changes are taken on the
unrounded means and then rounded to two places.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pxrules.board.pairing import Pin, pair
from pxrules.board.selfassess import by_date
from pxrules.rules.catalogue import load_catalogue
from pxrules.scoring.levels import mean_score
from pxrules.store.db import unit_of_work
from pxrules.store.records import (
    AssessmentRecord,
    SelfAssessmentRecord,
    list_assessments,
    list_self_assessments,
)
from pxrules.store.repo import get_org

_R = TypeVar("_R", AssessmentRecord, SelfAssessmentRecord)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _change(series: Sequence[float | int | None]) -> float | int | None:
    """Last minus the one before (None with fewer than two values or a gap at either end)."""
    if len(series) < 2 or series[-1] is None or series[-2] is None:
        return None
    return series[-1] - series[-2]


@dataclass(frozen=True)
class Line:
    """One sub-requirement, section or the whole framework over time."""

    key: str
    title: str
    suggested: list[Any]
    self: list[Any]
    means: bool = False  # section and overall lines hold means (rounded in JSON); sub-requirements scores

    @property
    def change(self) -> float | int | None:
        return _change(self.suggested)

    @property
    def self_change(self) -> float | int | None:
        return _change(self.self)

    def to_json(self) -> dict[str, Any]:
        def fix(value: Any) -> Any:
            return _round(value) if self.means else value

        return {
            "key": self.key,
            "title": self.title,
            "suggested": [fix(v) for v in self.suggested],
            "self": [fix(v) for v in self.self],
            "change": fix(self.change),
            "self_change": fix(self.self_change),
        }


@dataclass(frozen=True)
class Movement:
    """A sub-requirement whose suggested score changed since the previous assessment, and why it is now."""

    id: str
    text: str
    before: int
    after: int
    because: str

    @property
    def change(self) -> int:
        return self.after - self.before

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "from": self.before,
            "to": self.after,
            "change": self.change,
            "because": self.because,
        }


@dataclass(frozen=True)
class Trend:
    """The history of one organisation's scores."""

    org: str
    org_name: str
    assessments: list[AssessmentRecord]
    self_assessments: list[SelfAssessmentRecord]
    subs: list[Line]
    sections: list[Line]
    overall: Line
    improvements: list[Movement]
    deteriorations: list[Movement]

    @property
    def dates(self) -> list[str]:
        return [a.as_of.isoformat() for a in self.assessments]

    @property
    def self_dates(self) -> list[str]:
        return [s.as_of.isoformat() for s in self.self_assessments]

    def to_json(self) -> dict[str, Any]:
        return {
            "organisation": self.org,
            "name": self.org_name,
            "assessments": [{"id": a.id, "as_of": a.as_of.isoformat()} for a in self.assessments],
            "self_assessments": [{"id": s.id, "as_of": s.as_of.isoformat()} for s in self.self_assessments],
            "overall": self.overall.to_json(),
            "sections": [s.to_json() for s in self.sections],
            "sub_requirements": [s.to_json() for s in self.subs],
            "improvements": [m.to_json() for m in self.improvements],
            "deteriorations": [m.to_json() for m in self.deteriorations],
        }


def build(
    org: str,
    org_name: str,
    assessments: Sequence[AssessmentRecord],
    self_assessments: Sequence[SelfAssessmentRecord],
) -> Trend:
    """The trend from already-loaded records (one per date is kept; pure: no store access)."""
    runs = by_date(assessments)
    selfs = by_date(self_assessments)
    catalogue = load_catalogue()
    suggested = [{s.sub_requirement: s.suggested for s in a.scores} for a in runs]
    own = [{r.sub_requirement: r.score for r in s.rows} for s in selfs]
    subs = [
        Line(sub.id, sub.text, [m.get(sub.id) for m in suggested], [m.get(sub.id) for m in own])
        for sub in catalogue.sub_requirements
    ]
    by_id = {line.key: line for line in subs}
    sections = []
    for section in catalogue.sections:
        ids = [s.id for c in section.characteristics for s in c.sub_requirements]
        sections.append(
            Line(
                section.key,
                section.title,
                [mean_score([m.get(i) for i in ids]) for m in suggested],
                [mean_score([m.get(i) for i in ids]) for m in own],
                means=True,
            )
        )
    overall = Line(
        "all",
        "All sub-requirements",
        [mean_score(list(m.values())) for m in suggested],
        [mean_score(list(m.values())) for m in own],
        means=True,
    )
    improvements: list[Movement] = []
    deteriorations: list[Movement] = []
    if len(runs) >= 2:
        reasons = {s["id"]: s["because"] for s in runs[-1].result["scores"]}
        for sub in catalogue.sub_requirements:
            before, after = by_id[sub.id].suggested[-2], by_id[sub.id].suggested[-1]
            if before is None or after is None or before == after:
                continue
            why = reasons.get(sub.id) or [""]
            move = Movement(sub.id, sub.text, before, after, why[0])
            (improvements if after > before else deteriorations).append(move)
    improvements.sort(key=lambda m: -m.change)
    deteriorations.sort(key=lambda m: m.change)
    return Trend(org, org_name, runs, selfs, subs, sections, overall, improvements, deteriorations)


def up_to(records: Sequence[_R], chosen: _R | None, last: dt.date) -> list[_R]:
    """The records dated before `chosen` (or up to `last` without one), and `chosen` itself for its date."""
    if chosen is None:
        return [r for r in records if r.as_of <= last]
    return [r for r in records if r.as_of < chosen.as_of] + [chosen]


def trend(url: str, org: str, pin: Pin | None = None) -> Trend:
    """The trend of `org` across its stored assessments and self-assessments; pinned (`pin`), it ends at the
    chosen assessment and self-assessment, so a paper's history never runs past the date it reports."""
    with unit_of_work(url) as session:
        name = get_org(org, session=session).name
        assessments = list_assessments(session=session, org=org)
        selfs = list_self_assessments(session=session, org=org)
        if pin is not None and assessments:
            chosen = pair(session, org, pin)
            assessments = up_to(assessments, chosen.assessment, chosen.assessment.as_of)
            selfs = up_to(selfs, chosen.self_assessment, chosen.assessment.as_of)
    return build(org, name, assessments, selfs)
