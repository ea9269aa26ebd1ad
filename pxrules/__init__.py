"""pxrules: evidence-backed scoring for the NHS Patient experience improvement framework (2018).

The public surface is listed in __all__ and loaded lazily, so `import pxrules` stays cheap and the
command line starts fast.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    "PxRulesError": "pxrules.errors",
    "EvidenceError": "pxrules.errors",
    "RuleError": "pxrules.errors",
    "StoreError": "pxrules.errors",
    "NotFoundError": "pxrules.errors",
    "EngineError": "pxrules.errors",
    "AuditError": "pxrules.errors",
    "load_catalogue": "pxrules.rules.catalogue",
    "parse_evidence": "pxrules.evidence",
    "load_rulepack": "pxrules.rules.pack",
    "assess": "pxrules.scoring.assess",
    "AssessmentResult": "pxrules.scoring.assess",
    "compute_measures": "pxrules.measures",
    "run_assessment": "pxrules.scoring.stored",
    "verify_assessment": "pxrules.scoring.stored",
    "explain": "pxrules.scoring.stored",
    "init_db": "pxrules.store.db",
    "unit_of_work": "pxrules.store.db",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pxrules' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
