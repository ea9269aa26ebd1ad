"""Attestation measures: the fallback for every sub-requirement, scored but capped (attestation is weakest)."""

from __future__ import annotations

from collections.abc import Callable

from pxrules.evidence.governance import Attestation
from pxrules.measures.registry import EvidenceView, Result, measure

# Sub-requirement ids of the 2018 framework; the catalogue test pins these against rules/framework.yaml.
SUB_REQUIREMENT_IDS: tuple[str, ...] = (
    "1A", "1B", "1C", "2A", "2B", "3A", "3B", "4A", "4B", "4C", "5A", "6A", "6B", "6C", "6D", "6E", "7A", "7B",
    "8A", "8B", "8C", "9A", "9B", "10A", "10B", "10C", "10D", "10E", "11A", "11B", "11C", "12A", "12B", "12C",
    "13A", "13B", "14A", "15A", "15B", "16A", "16B", "16C", "17A", "17B", "17C", "18A", "18B", "18C", "19A",
    "19B", "20A", "20B", "20C", "21A", "22A", "22B", "23A",
)

# An attestation that names no level attests "in place in part": level 2 on the framework's scale.
DEFAULT_ATTESTED_LEVEL = 2


def _by_sub_requirement(view: EvidenceView) -> dict[str, list[Attestation]]:
    """Current attestations by each sub-requirement they name, in view order (read once for all 57)."""
    def compute() -> dict[str, list[Attestation]]:
        found: dict[str, list[Attestation]] = {}
        for a in view.of("attestation"):
            if isinstance(a, Attestation):
                for sub in dict.fromkeys(a.sub_requirements):
                    found.setdefault(sub, []).append(a)
        return found

    return view.memo("attestations_by_sub_requirement", compute)


def _attested(sub_requirement: str) -> Callable[[EvidenceView], Result | None]:
    def compute(view: EvidenceView) -> Result | None:
        items = list(_by_sub_requirement(view).get(sub_requirement, ()))
        if not items:
            return None
        best = max(items, key=lambda a: (a.claimed_level if a.claimed_level is not None
                                         else DEFAULT_ATTESTED_LEVEL, a.end, a.id))
        level = best.claimed_level if best.claimed_level is not None else DEFAULT_ATTESTED_LEVEL
        return Result(level, items, f"attested by {best.person} ({best.role}) on {best.end.isoformat()}")

    return compute


for _sub in SUB_REQUIREMENT_IDS:
    measure(
        f"attestation.{_sub.lower()}",
        type="integer",
        description=f"Highest level a current attestation claims for {_sub} (2 when it names none).",
        kinds=("attestation",),
        better="higher",
        unit="level",
    )(_attested(_sub))
