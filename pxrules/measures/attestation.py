"""Attestation measures: the fallback for every sub-requirement, scored but capped (attestation is weakest)."""

from __future__ import annotations

from collections.abc import Callable

from pxrules.evidence.governance import Attestation
from pxrules.measures.registry import EvidenceView, Result, measure

# Sub-requirement id of the 2018 framework -> its attestation measure; the catalogue test pins the ids
# against rules/framework.yaml.
ATTESTATION_MEASURES: dict[str, str] = {
    "1A": "attestation.1a", "1B": "attestation.1b", "1C": "attestation.1c", "2A": "attestation.2a",
    "2B": "attestation.2b", "3A": "attestation.3a", "3B": "attestation.3b", "4A": "attestation.4a",
    "4B": "attestation.4b", "4C": "attestation.4c", "5A": "attestation.5a", "6A": "attestation.6a",
    "6B": "attestation.6b", "6C": "attestation.6c", "6D": "attestation.6d", "6E": "attestation.6e",
    "7A": "attestation.7a", "7B": "attestation.7b", "8A": "attestation.8a", "8B": "attestation.8b",
    "8C": "attestation.8c", "9A": "attestation.9a", "9B": "attestation.9b", "10A": "attestation.10a",
    "10B": "attestation.10b", "10C": "attestation.10c", "10D": "attestation.10d", "10E": "attestation.10e",
    "11A": "attestation.11a", "11B": "attestation.11b", "11C": "attestation.11c", "12A": "attestation.12a",
    "12B": "attestation.12b", "12C": "attestation.12c", "13A": "attestation.13a", "13B": "attestation.13b",
    "14A": "attestation.14a", "15A": "attestation.15a", "15B": "attestation.15b", "16A": "attestation.16a",
    "16B": "attestation.16b", "16C": "attestation.16c", "17A": "attestation.17a", "17B": "attestation.17b",
    "17C": "attestation.17c", "18A": "attestation.18a", "18B": "attestation.18b", "18C": "attestation.18c",
    "19A": "attestation.19a", "19B": "attestation.19b", "20A": "attestation.20a", "20B": "attestation.20b",
    "20C": "attestation.20c", "21A": "attestation.21a", "22A": "attestation.22a", "22B": "attestation.22b",
    "23A": "attestation.23a",
}

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


for _sub, _name in ATTESTATION_MEASURES.items():
    measure(
        _name,
        type="integer",
        description=f"Highest level a current attestation claims for {_sub} (2 when it names none).",
        kinds=("attestation",),
        better="higher",
        unit="level",
    )(_attested(_sub))
