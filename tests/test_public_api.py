"""The public surface of `pxrules` is pinned, and the command line registers every command group."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pxrules
from cli.main import app

PUBLIC = [
    "AssessmentResult", "AuditError", "EngineError", "EvidenceError", "NotFoundError", "PxRulesError",
    "RuleError", "StoreError", "assess", "compute_measures", "explain", "init_db", "load_catalogue",
    "load_rulepack", "parse_evidence", "run_assessment", "unit_of_work", "verify_assessment",
]


def test_public_names_are_pinned_and_resolve() -> None:
    assert pxrules.__all__ == PUBLIC
    for name in PUBLIC:
        assert getattr(pxrules, name) is not None


def test_importing_pxrules_loads_nothing_heavy() -> None:
    code = ("import sys, pxrules; "
            "print(sorted(m for m in ('sqlmodel','sqlalchemy','durable','pydantic') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_command_group_is_registered() -> None:
    groups = {g.name for g in app.registered_groups}
    commands = {c.name for c in app.registered_commands}
    assert groups == {"framework", "org", "evidence", "schemas", "rules", "measures", "self-assess", "import",
                      "audit", "export", "user", "token", "action", "assessments"}
    assert commands == {"init", "assess", "explain", "compare", "trend", "report", "demo", "scores", "serve", "remind"}


def test_help_does_not_import_the_library() -> None:
    code = ("import sys; from typer.testing import CliRunner; from cli.main import app; "
            "r = CliRunner().invoke(app, ['--help']); assert r.exit_code == 0, r.output; "
            "print(sorted(m for m in ('sqlmodel','durable','pxrules.store') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert importlib.import_module("cli.main") is not None
