"""Not recorded is not none: an optional fact left out reads as "not recorded", never as zero, and the
board comparison tells a claim nothing bears on ("not evidenced") from one recorded evidence contradicts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from strategies_evidence import evidence_items

from pxrules.board.compare import NOT_EVIDENCED, OVER, claim_contradicted, flag_of
from pxrules.evidence import parse_evidence
from pxrules.measures import compute_measures
from pxrules.rules.pack import default_rulepack

ORG = "RX1"
AS_OF = dt.date(2026, 3, 31)
KINDS_WITH_OPTIONAL_FACTS = ["complaints_period", "document", "staff_process", "feedback_channel", "website_check",
                             "survey_question", "training_record"]


def _measures(items: list[Any]) -> dict[str, Any]:
    return {name: (m.value, m.detail) for name, m in compute_measures(ORG, AS_OF, items).items()}


@settings(max_examples=30, deadline=None)
@given(data=st.data(), kind=st.sampled_from(KINDS_WITH_OPTIONAL_FACTS))
def test_leaving_a_fact_out_and_recording_it_as_unknown_give_the_same_result(data: st.DataObject, kind: str) -> None:
    item = data.draw(evidence_items(kind))
    full = item.model_dump(mode="json")
    full.update(org=ORG, period_start="2025-10-01", period_end=None, recorded_at=None)
    left_out = {k: v for k, v in full.items() if v is not None}
    as_unknown = {**full, **{k: None for k, v in full.items() if v is None}}
    a, b = parse_evidence(left_out), parse_evidence(as_unknown)
    assert a.content_hash() == b.content_hash()
    assert _measures([a]) == _measures([b])


def _review(**facts: Any) -> Any:
    return parse_evidence({"kind": "document", "id": "rev", "org": ORG, "period_start": "2025-11-06",
                           "doc_type": "strategy_review", "title": "Annual review", "approved_on": "2025-11-06",
                           "approved_by": "board", "source": {"title": "Review"}, **facts})


def test_impact_measures_on_track_not_recorded_is_not_zero_on_track() -> None:
    got = _measures([_review(measures_with_target=6)])
    assert "strategy.on_track_share" not in got
    assert not any("0 of 6" in str(detail) for _, detail in got.values())
    recorded = _measures([_review(measures_with_target=6, measures_on_track=0)])
    assert recorded["strategy.on_track_share"] == (0.0, recorded["strategy.on_track_share"][1])
    assert "0 of 6 impact measures on track" in recorded["strategy.on_track_share"][1]


def test_a_page_check_that_recorded_no_content_is_not_zero_content() -> None:
    check = {"kind": "website_check", "id": "w", "org": ORG, "period_start": "2026-01-10", "page": "complaints",
             "found": True, "clicks_from_home": 1, "checked_by": "PX team", "source": {"title": "Check"}}
    got = _measures([parse_evidence(check)])
    assert got["web.complaints_clicks"][0] == 1
    assert "web.complaints_content_share" not in got and "web.complaints_accessible" not in got
    recorded = _measures([parse_evidence({**check, "content_flags": ["how_to_complain"]})])
    assert recorded["web.complaints_content_share"][0] == 0.2


def _score(sub: str, suggested: int, measures: dict[str, Any]) -> dict[str, Any]:
    return {"id": sub, "suggested": suggested,
            "measures": {k: {"value": v, "detail": "", "evidence": []} for k, v in measures.items()}}


def test_a_claim_nothing_recorded_bears_on_is_not_evidenced_not_an_over_claim() -> None:
    pack = default_rulepack()
    # 1B at 1 from attestation only; the board says 4. Nothing recorded about the plan or its review.
    bare = _score("1B", 1, {"attestation.1b": 1})
    assert not claim_contradicted(bare, 4, pack)
    assert flag_of(4, 1, False, claim_contradicted(bare, 4, pack)) == NOT_EVIDENCED
    # A draft plan is on record: level 4 needs an approved, in-date plan, so the record shows a lower level.
    draft = _score("1B", 1, {"strategy.plan_stage": 1})
    assert claim_contradicted(draft, 4, pack)
    assert flag_of(4, 1, False, claim_contradicted(draft, 4, pack)) == OVER
