"""JSON Schemas of the evidence kinds, generated from the models, so other tools can validate files offline.

`evidence_schemas/` holds the committed copies; `schema_drift` says when they no longer match the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pxrules.evidence.registry import KIND_MODELS, evidence_adapter

DRAFT = "https://json-schema.org/draft/2020-12/schema"
UNION_NAME = "evidence"


def kind_schema(kind: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12, validation mode) of one evidence kind."""
    schema: dict[str, Any] = {"$schema": DRAFT, **KIND_MODELS[kind].model_json_schema(mode="validation")}
    return schema


def union_schema() -> dict[str, Any]:
    """The JSON Schema of any evidence item (a union discriminated on `kind`)."""
    body = evidence_adapter().json_schema(mode="validation")
    return {"$schema": DRAFT, "title": "Evidence", **body}


def render(schema: dict[str, Any]) -> str:
    """Deterministic text: sorted keys, two-space indent, UTF-8, one trailing newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def all_schemas() -> dict[str, str]:
    """File name -> rendered schema, for every kind plus the union (`evidence.schema.json`)."""
    files = {f"{kind}.schema.json": render(kind_schema(kind)) for kind in sorted(KIND_MODELS)}
    files[f"{UNION_NAME}.schema.json"] = render(union_schema())
    return files


def export_schemas(directory: Path, *, force: bool = False, store_url: str | None = None) -> list[Path]:
    """Write every schema into `directory` (created if missing); returns the paths written, sorted.

    A file already holding the same text is left alone; one that differs is replaced only with `force`
    (all are checked before any is written, so a refusal writes nothing).
    """
    from pxrules.common.output_file import check_output, write_text_output

    directory.mkdir(parents=True, exist_ok=True)
    files = sorted(all_schemas().items())
    changed = []
    for name, text in files:
        path = directory / name
        try:
            same = path.is_file() and path.read_bytes() == text.encode("utf-8")
        except OSError:
            same = False
        if not same:
            check_output(path, store_url=store_url, force=force)
            changed.append((path, text))
    for path, text in changed:
        write_text_output(path, text, store_url=store_url, force=force)
    return [directory / name for name, _ in files]


def schema_drift(directory: Path) -> list[str]:
    """File names that are missing, different, or stale (no longer a kind) in `directory`; [] when in step."""
    expected = all_schemas()
    drift = []
    for name, text in sorted(expected.items()):
        path = directory / name
        if not path.is_file():
            drift.append(f"{name} (missing)")
        elif path.read_text(encoding="utf-8") != text:
            drift.append(f"{name} (differs from the models)")
    drift += [
        f"{p.name} (not a kind any more)"
        for p in sorted(directory.glob("*.schema.json"))
        if p.name not in expected
    ]
    return drift
