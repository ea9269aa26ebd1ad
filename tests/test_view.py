"""EvidenceView's indexes and windows give exactly what plain filters over the evidence give."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies_evidence import evidence_items

from pxrules.evidence import KINDS, is_valid_on
from pxrules.evidence.governance import Document
from pxrules.evidence.workforce import StaffProcess
from pxrules.measures import EvidenceView
from pxrules.measures.view import months_before

ORG = "RX1"


@st.composite
def items_and_date(draw: st.DrawFn) -> tuple[list[Any], dt.date]:
    items = []
    for k in range(draw(st.integers(0, 12))):
        item = draw(st.sampled_from(sorted(KINDS)).flatmap(evidence_items))
        org = None if item.kind == "benchmark" else draw(st.sampled_from([ORG, ORG, "RX2"]))
        items.append(item.model_copy(update={"id": f"e{k % 9}-{item.kind}", "org": org}))
    return items, draw(st.dates(dt.date(2018, 1, 1), dt.date(2030, 12, 31)))


def _order(items: list[Any]) -> list[Any]:
    return sorted(items, key=lambda e: (e.end, e.period_start, e.id))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(items_and_date(), st.integers(1, 24), st.integers(0, 24))
def test_views_agree_with_plain_filters(case: tuple[list[Any], dt.date], months: int, back: int) -> None:
    items, as_of = case
    view = EvidenceView(ORG, as_of, items)
    mine = [e for e in items if (e.org in (ORG, None)) and e.period_start <= as_of]
    for kind in KINDS:
        of_kind = [e for e in mine if e.kind == kind]
        assert view.of(kind) == _order([e for e in of_kind if is_valid_on(e, as_of)])
        assert [e.id for e in view.ever(kind)] == [e.id for e in sorted(of_kind, key=lambda e: (e.end, e.id))]
        stop = months_before(as_of, back)
        start = months_before(stop, months)
        pool = view.ever(kind) if back else view.of(kind)
        assert view.within(kind, months, ending_months_ago=back) == [e for e in pool if start < e.end <= stop]
    # Values the items hold (and one they do not), so the indexes have something to find.
    types = (*sorted({d.doc_type for d in items if isinstance(d, Document)})[:2], "policy")
    for ever in (False, True):
        pool = view.ever("document") if ever else view.of("document")
        assert view.select("document", Document, "doc_type", types, ever=ever) == \
            [d for d in pool if isinstance(d, Document) and d.doc_type in types]
    names = (*sorted({p.process for p in items if isinstance(p, StaffProcess)})[:2], "analyst_audit")
    assert view.select_within("staff_process", StaffProcess, "process", names, months, ending_months_ago=back) == \
        [p for p in view.within("staff_process", months, ending_months_ago=back)
         if isinstance(p, StaffProcess) and p.process in names]
