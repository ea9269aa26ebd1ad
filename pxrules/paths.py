"""Where the bundled data lives, in a source checkout and in an installed wheel alike."""

from __future__ import annotations

import os
from pathlib import Path

_PKG = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    # Editable installs and checkouts read the top-level folder; wheels carry a copy in _bundled/.
    top = _PKG.parent / name
    return top if top.is_dir() else _PKG / "_bundled" / name


def rules_dir() -> Path:
    """The rule pack folder: $PXRULES_RULES, else the bundled `rules/`."""
    env = os.environ.get("PXRULES_RULES")
    return Path(env) if env else _bundled("rules")


def examples_dir() -> Path:
    """The bundled demo data (`examples/`)."""
    return _bundled("examples")


def schemas_dir() -> Path:
    """The committed JSON Schemas (`evidence_schemas/`)."""
    return _PKG.parent / "evidence_schemas"
