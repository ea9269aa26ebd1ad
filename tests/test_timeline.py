"""A timeline's views hold the very rows a view works out alone, on every date, whatever the order."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from pxrules.evidence.io import read_evidence_sources
from pxrules.measures import EvidenceView
from pxrules.measures.view import EvidenceTimeline
from pxrules.paths import examples_dir

ORG = "ZZ9"
DEMO_DATES = [dt.date(2025, 3, 31), dt.date(2025, 9, 30), dt.date(2026, 3, 31), dt.date(2026, 9, 30)]


@pytest.fixture(scope="module")
def demo() -> list[Any]:
    folder = examples_dir() / "demo" / "evidence"
    return [s.item for s in read_evidence_sources(sorted(folder.glob("*.yaml")))]


def test_timeline_views_hold_the_same_rows_and_give_the_same_measures(demo: list[Any]) -> None:
    from pxrules.measures import compute_measures

    dates = [dt.date(2023, 1, 1), dt.date(2024, 6, 30), dt.date(2025, 6, 15), *DEMO_DATES, dt.date(2026, 11, 1)]
    shuffled = random.Random(5).sample(demo, len(demo))
    extra = [shuffled[0].model_copy(update={"org": "OTHER"})]  # another organisation's item is never seen
    timeline = EvidenceTimeline(ORG, shuffled + extra)
    for day in dates:
        alone, seeded = EvidenceView(ORG, day, shuffled + extra), timeline.view(day)
        assert seeded._rows() == alone._rows() and list(seeded._rows()) == list(alone._rows()), day
        assert seeded.all_items == alone.all_items and seeded.current == alone.current and seeded.past == alone.past
        assert compute_measures(ORG, day, shuffled, view=timeline.view(day)) == compute_measures(ORG, day, demo)
