"""What a measure declares holds: it reads only the kinds it names (so `pxrules measures show` and the rules
README tell the truth), and a score's compact JSON holds everything the generic definition does."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import pytest

from pxrules.evidence.io import read_evidence_sources
from pxrules.measures import MEASURES, EvidenceView
from pxrules.measures.registry import _evaluate
from pxrules.paths import examples_dir
from pxrules.scoring.assess import assess
from pxrules.scoring.levels import expand_firings

ORG = "ZZ9"


@pytest.fixture(scope="module")
def demo() -> list[Any]:
    folder = examples_dir() / "demo" / "evidence"
    return [s.item for s in read_evidence_sources(sorted(folder.glob("*.yaml")))]


@pytest.mark.parametrize("as_of", [dt.date(2024, 3, 31), dt.date(2025, 3, 31), dt.date(2025, 9, 30),
                                   dt.date(2026, 3, 31), dt.date(2026, 9, 30)])
def test_every_measure_reads_only_the_kinds_it_declares(demo: list[Any], as_of: dt.date) -> None:
    full = EvidenceView(ORG, as_of, demo)
    for name, spec in MEASURES.items():
        own = EvidenceView(ORG, as_of, [i for i in demo if i.kind in spec.kinds])
        assert _evaluate(spec, full) == _evaluate(spec, own), name


def test_score_json_is_what_asdict_gives(demo: list[Any]) -> None:
    # SubScore.to_json is written out by hand for speed and compact (firings name their measures, evidence
    # ids are kept once per measure); it must hold everything the generic definition does.
    for day in (dt.date(2025, 3, 31), dt.date(2026, 9, 30)):
        for score in assess(ORG, day, demo).scores:
            full = dataclasses.asdict(score)
            for f, record in zip(full["firings"], score.firings, strict=True):
                f["evidence_ids"] = record.evidence_ids  # a property over the matched measures' evidence
                del f["sources"]
            if score.next_level is not None:
                full["next_level"]["sentences"] = [u.sentence() for u in score.next_level.unmet]
            stored = json.loads(json.dumps(score.to_json()))
            assert expand_firings(stored) == full["firings"], score.id
            compact = {k: v for k, v in full.items() if k != "evidence_ids"}
            compact["firings"] = [{**f, "matched": [m["measure"] for m in f["matched"]]} for f in full["firings"]]
            for f in compact["firings"]:
                del f["evidence_ids"]
            compact["evidence"] = full["evidence_ids"]
            assert stored == json.loads(json.dumps(compact)), score.id
