"""Model-level checks the readers rely on: no silent coercion of true/false into counts or rates."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from pxrules.evidence import parse_evidence

BASE = {"kind": "fft_monthly", "id": "m1", "org": "RXX", "period_start": "2026-01-01",
        "source": {"title": "FFT return"}, "setting": "ae"}


@pytest.mark.parametrize("field", ["responses", "eligible", "very_good", "percentage_positive"])
def test_true_is_not_a_number(field: str) -> None:
    with pytest.raises(ValidationError, match="not true/false"):
        parse_evidence({**BASE, field: True})


def test_numbers_written_as_text_still_read_as_numbers() -> None:
    item = parse_evidence({**BASE, "responses": "12", "eligible": "100"})
    assert (item.responses, item.eligible) == (12, 100)
