"""Building blocks shared by measure modules: shares, latest items, document status, survey ladders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from pxrules.evidence.feedback import SurveyQuestion, range_words
from pxrules.evidence.governance import Document
from pxrules.evidence.improvement import QiProject
from pxrules.evidence.workforce import StaffProcess, TrainingRecord
from pxrules.measures.registry import EvidenceView, Result

T = TypeVar("T")

DOC_STATUS = ("none", "draft", "lapsed", "approved")
# CQC's seven expected-range bands on ladder B's five: "better" and "much better than expected" are both the
# top band (five needs it in two waves), "worse" and "much worse" both the bottom.
RANGE_BAND = {"much_better": 5, "better": 5, "somewhat_better": 4, "about_same": 3, "somewhat_worse": 2,
              "worse": 1, "much_worse": 1}


def pct(x: float) -> str:
    """A share (0..1) as a percentage for people: 0.456 -> '46%'."""
    return f"{x * 100:.0f}%"


def share(items: Sequence[T], test: Callable[[T], bool]) -> float | None:
    """Fraction of `items` passing `test`, or None when there are none."""
    if not items:
        return None
    return sum(1 for i in items if test(i)) / len(items)


def share_result(items: Sequence[Any], test: Callable[[Any], bool], what: str) -> Result | None:
    """A share measure with its detail sentence ('7 of 10 board meetings heard a patient story')."""
    if not items:
        return None
    hits = [i for i in items if test(i)]
    return Result(len(hits) / len(items), items, f"{len(hits)} of {len(items)} {what}")


def latest(items: Sequence[T]) -> T | None:
    """The most recent item (views keep items ordered by end date, then id)."""
    return items[-1] if items else None


def documents(view: EvidenceView, *doc_types: str, ever: bool = False) -> list[Document]:
    """Documents of the given types, current (default) or including lapsed ones."""
    return view.select("document", Document, "doc_type", doc_types, ever=ever)


def document_status(view: EvidenceView, *doc_types: str) -> Result | None:
    """none/draft/lapsed/approved for the best document of these types as of the view's date."""
    current = documents(view, *doc_types)
    approved = [d for d in current if d.status == "approved"]
    if approved:
        d = approved[-1]
        return Result("approved", [d], f"{d.title} approved {d.approved_on}"
                      + (f", review due {d.review_due}" if d.review_due else ""))
    lapsed = [d for d in documents(view, *doc_types, ever=True) if d.status == "approved" and d not in current]
    if lapsed:
        d = lapsed[-1]
        return Result("lapsed", [d], f"{d.title} lapsed (review was due {d.review_due})")
    drafts = [d for d in current if d.status == "draft"]
    if drafts:
        return Result("draft", [drafts[-1]], f"{drafts[-1].title} is in draft")
    return None


def best_document(view: EvidenceView, *doc_types: str) -> Document | None:
    """The latest current approved document of these types."""
    approved = [d for d in documents(view, *doc_types) if d.status == "approved"]
    return approved[-1] if approved else None


def processes(view: EvidenceView, name: str, months: int = 12, *, ending_months_ago: int = 0) -> list[StaffProcess]:
    """Records of one staff process ending in the window (past windows include lapsed items), oldest first."""
    return view.select_within("staff_process", StaffProcess, "process", (name,), months,
                              ending_months_ago=ending_months_ago)


def process_compliance(view: EvidenceView, name: str, what: str, months: int = 12, *,
                       ending_months_ago: int = 0) -> Result | None:
    """compliant / population summed over the process's audits in the window."""
    audits = [p for p in processes(view, name, months, ending_months_ago=ending_months_ago) if p.population]
    if not audits:
        return None
    population = sum(p.population or 0 for p in audits)
    compliant = sum(p.compliant or 0 for p in audits)
    return Result(compliant / population, audits, f"{compliant} of {population} {what} ({pct(compliant / population)})")


def current_projects(view: EvidenceView) -> tuple[QiProject, ...]:
    """The current QI projects (they count for 24 months), in view order."""
    return view.memo("current_qi_projects",
                     lambda: tuple(p for p in view.of("qi_project") if isinstance(p, QiProject)))


def trainings(view: EvidenceView, *courses: str) -> list[TrainingRecord]:
    return view.select("training_record", TrainingRecord, "course", courses)


def training_coverage(view: EvidenceView, courses: Sequence[str], what: str,
                      populations: Sequence[str] | None = None) -> Result | None:
    """Completed / population over the latest record per (course, population)."""
    latest_by: dict[tuple[str, str], TrainingRecord] = {}
    for t in trainings(view, *courses):
        if populations is None or t.population in populations:
            latest_by[(t.course, t.population)] = t
    records = [r for r in latest_by.values() if r.population_size]
    if not records:
        return None
    size = sum(r.population_size for r in records)
    done = sum(r.completed for r in records)
    return Result(done / size, records, f"{done} of {size} {what} trained ({pct(done / size)})")


def survey_items(view: EvidenceView, question_key: str, group: str | None = None, *,
                 ever: bool = False) -> list[SurveyQuestion]:
    """Current (or, if `ever`, also lapsed) results for one survey question, oldest first: the whole
    organisation's unless a breakdown group is named."""
    # One index by question serves every breakdown group: a question has few results per group.
    return one_per_year([q for q in view.select("survey_question", SurveyQuestion, "question_key", (question_key,),
                                                ever=ever) if q.group == group])


def one_per_year(items: Sequence[SurveyQuestion]) -> list[SurveyQuestion]:
    """One result per question, breakdown group and survey year, oldest first: a second item for the same
    year (an imported "NSS 2025" beside a trust's own "2025", or a correction) supersedes, never adds a wave.
    The one recorded last wins (then the later publication, then the id, so the choice is order-free)."""
    latest: dict[tuple[str, str | None, str], SurveyQuestion] = {}
    for q in items:
        key = (q.question_key, q.group, q.year)
        held = latest.get(key)
        if held is None or _recorded(q) > _recorded(held):
            latest[key] = q
    kept = {id(q) for q in latest.values()}
    return [q for q in items if id(q) in kept]


def _recorded(q: SurveyQuestion) -> tuple[str, dt.date, str]:
    return (q.recorded_at.isoformat() if q.recorded_at else "", q.end, q.id)


def survey_position(view: EvidenceView, question_key: str, group: str | None = None) -> Result | None:
    """Ladder B: 1 bottom quartile, 2 below median, 3 within 0.1 of / at median band, 4 at or above median,
    5 at or above upper quartile in two consecutive waves. Needs peer figures; None without them.
    Whole-organisation results unless a breakdown group is named."""
    # Several measures place the same question (a band, a mean of bands): worked out once per view.
    return view.memo(("survey_position", question_key, group), lambda: ladder_position(
        question_key, survey_items(view, question_key, group), survey_items(view, question_key, group, ever=True)))


def ladder_position(question_key: str, current: Sequence[SurveyQuestion],
                    history: Sequence[SurveyQuestion]) -> Result | None:
    """survey_position from one question's results as a view holds them: `current` as `of` orders them,
    `history` (current and lapsed) as `ever` does."""
    items = [q for q in current if q.peer_median is not None or q.expected_range]
    if not items:
        return None
    now = max(items, key=lambda q: (q.end, q.wave))
    # The previous wave may have lapsed by now; it still shows whether the position was sustained.
    earlier = [q for q in history
               if q.year != now.year and (q.peer_median is not None or q.expected_range)
               and (now.end - q.end).days <= 731 and q.end < now.end]
    waves = [*sorted(earlier, key=lambda q: (q.end, q.wave)), now]

    def band(q: SurveyQuestion) -> int:
        if q.peer_median is None:
            return RANGE_BAND[q.expected_range or "about_same"]
        if q.peer_upper_quartile is not None and q.score >= q.peer_upper_quartile:
            return 5
        if q.score >= q.peer_median:
            return 4
        if q.peer_lower_quartile is not None and q.score < q.peer_lower_quartile:
            return 1
        # "Within 0.1 of the median" on the 0-10 staff-survey scale: 1% of the scale, whatever the scale.
        tolerance = {"percent": 1.0, "score10": 0.1, "score5": 0.05, "share": 0.01}[q.scale]
        return 3 if q.peer_median - q.score <= tolerance + 1e-9 else 2

    level = band(now)
    if level == 5 and not (len(waves) >= 2 and band(waves[-2]) == 5):
        level = 4
    used = waves[-2:] if level == 5 else [now]
    peer = (f"peer median {now.peer_median:g}" if now.peer_median is not None
            else f"CQC: {range_words(now.expected_range)}")
    return Result(level, used, f"{question_key} {now.wave}: {now.score:g} vs {peer} (band {level} of 5)")
