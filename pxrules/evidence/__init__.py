"""Evidence kinds: pydantic models, one discriminated union on `kind`, and their validity windows."""

from pxrules.evidence.registry import (
    KIND_LABELS,
    KIND_MODELS,
    KINDS,
    VALIDITY_DAYS,
    Evidence,
    evidence_adapter,
    is_valid_on,
    parse_evidence,
)

__all__ = [
    "KINDS",
    "KIND_LABELS",
    "KIND_MODELS",
    "VALIDITY_DAYS",
    "Evidence",
    "evidence_adapter",
    "is_valid_on",
    "parse_evidence",
]
