"""A timeline's views carry the very digests a view works out alone, on every date, whatever the order."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import pytest

from pxrules.evidence import KINDS
from pxrules.evidence.io import read_evidence_sources
from pxrules.measures import EvidenceView
from pxrules.measures.timeline import EvidenceTimeline
from pxrules.paths import examples_dir

ORG = "ZZ9"
DEMO_DATES = [dt.date(2025, 3, 31), dt.date(2025, 9, 30), dt.date(2026, 3, 31), dt.date(2026, 9, 30)]


@pytest.fixture(scope="module")
def demo() -> list[Any]:
    folder = examples_dir() / "demo" / "evidence"
    return [s.item for s in read_evidence_sources(sorted(folder.glob("*.yaml")))]


def test_timeline_digests_equal_a_lone_views_on_every_date(demo: list[Any]) -> None:
    dates = [dt.date(2023, 1, 1), *DEMO_DATES, dt.date(2026, 11, 1)]
    shuffled = random.Random(3).sample(demo, len(demo))
    hashes = {e.id: e.content_hash() for e in demo}
    for given_hashes in (None, hashes):
        timeline = EvidenceTimeline(ORG, shuffled, dates, given_hashes)
        for day in dates:
            alone = EvidenceView(ORG, day, demo, given_hashes)
            seeded = timeline.view(day)
            assert [seeded.kind_digest(k) for k in KINDS] == [alone.kind_digest(k) for k in KINDS], day


def test_a_digest_changes_with_any_item_of_its_kind(demo: list[Any]) -> None:
    day = DEMO_DATES[-1]
    before = EvidenceView(ORG, day, demo).kind_digest("board_meeting")
    dropped = [e for e in demo if e.id != next(e.id for e in demo if e.kind == "board_meeting")]
    assert EvidenceView(ORG, day, dropped).kind_digest("board_meeting") != before
    assert EvidenceView(ORG, day, dropped).kind_digest("document") == EvidenceView(ORG, day, demo).kind_digest(
        "document")


def test_a_date_the_timeline_was_not_given_gets_a_plain_view(demo: list[Any]) -> None:
    day = dt.date(2025, 6, 15)
    view = EvidenceTimeline(ORG, demo, DEMO_DATES).view(day)
    assert view.kind_digest("fft_monthly") == EvidenceView(ORG, day, demo).kind_digest("fft_monthly")


def test_timeline_views_hold_the_same_rows_and_give_the_same_measures(demo: list[Any]) -> None:
    from pxrules.measures import compute_measures

    dates = [dt.date(2024, 6, 30), *DEMO_DATES]
    shuffled = random.Random(5).sample(demo, len(demo))
    extra = [shuffled[0].model_copy(update={"org": "OTHER"})]  # another organisation's item is never seen
    timeline = EvidenceTimeline(ORG, shuffled + extra, dates)
    for day in dates:
        alone, seeded = EvidenceView(ORG, day, shuffled + extra), timeline.view(day)
        assert seeded._rows() == alone._rows() and list(seeded._rows()) == list(alone._rows()), day
        assert seeded.all_items == alone.all_items and seeded.current == alone.current and seeded.past == alone.past
        assert compute_measures(ORG, day, shuffled, view=timeline.view(day)) == compute_measures(ORG, day, demo)
