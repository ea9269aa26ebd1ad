"""Measures: numbers and facts derived from evidence as of a date, each carrying the evidence ids behind it.

Importing this package registers every measure module, so MEASURES is complete.
"""

from pxrules.measures import (  # noqa: F401  (importing registers the measures)
    analysis,
    attestation,
    channel,
    clinical,
    comms,
    complaints,
    cqc,
    culture,
    fft,
    frontline,
    improvement,
    leadership,
    people,
    reporting,
    staff,
    staffing,
    strategy,
    values,
    web,
)
from pxrules.measures.registry import (
    MEASURES,
    EvidenceView,
    MeasureSpec,
    MeasureValue,
    Result,
    compute_measures,
    measure,
)

__all__ = ["MEASURES", "EvidenceView", "MeasureSpec", "MeasureValue", "Result",
           "compute_measures", "measure"]
