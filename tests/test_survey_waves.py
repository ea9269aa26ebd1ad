"""A survey wave is a survey year, whatever its label; a second item for the same year supersedes, never adds."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from pxrules.evidence import Evidence, parse_evidence
from pxrules.measures import compute_measures

ORG = "RX1"
AS_OF = dt.date(2026, 6, 30)
_ids = itertools.count()
PEERS = {"peer_lower_quartile": 60.0, "peer_median": 65.0, "peer_upper_quartile": 70.0}


def survey(wave: str, day: str, score: float, recorded: str | None = None, **fields: Any) -> Evidence:
    data: dict[str, Any] = {"kind": "survey_question", "id": f"s{next(_ids)}", "org": ORG, "period_start": day,
                            "source": {"title": "unit test"}, "survey": "nss", "wave": wave, "scale": "percent",
                            "question_key": "nss.suggest_improvements", "score": score, **PEERS, **fields}
    if recorded:
        data["recorded_at"] = recorded
    return parse_evidence(data)


def band(items: list[Evidence]) -> Any:
    got = compute_measures(ORG, AS_OF, items, names=["improvement.nss_suggest_improvements_band"]).get(
        "improvement.nss_suggest_improvements_band")
    return None if got is None else got.value


@pytest.mark.parametrize("labels", [("NSS 2025", "2025"), ("2025", "2025/26"), ("Staff Survey 2025", "nss 2025")])
def test_two_labels_of_one_year_are_one_wave_not_a_sustained_top_band(labels: tuple[str, str]) -> None:
    first, second = labels
    items = [survey(first, "2026-03-12", 72.0), survey(second, "2026-03-13", 72.0)]
    assert band(items) == 4  # upper quartile in one year only: top band needs two consecutive years


def test_two_years_are_two_waves() -> None:
    items = [survey("NSS 2024", "2025-03-13", 71.0), survey("2025", "2026-03-12", 72.0)]
    assert band(items) == 5


def test_a_correction_supersedes_the_figure_it_corrects() -> None:
    wrong = survey("2025", "2026-03-12", 72.0, recorded="2026-03-20T10:00:00")
    corrected = survey("NSS 2025", "2026-03-12", 61.0, recorded="2026-04-02T10:00:00")
    assert band([wrong, corrected]) == band([corrected]) == 2
    assert band([corrected, wrong]) == 2  # whatever the order
