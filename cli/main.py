"""The `pxrules` entry point: global options and the command groups, each in its own module."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from cli.common import SETTINGS

app = typer.Typer(
    name="pxrules",
    help="Evidence-backed scoring for the NHS Patient experience improvement framework (2018).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def main(
    db: Annotated[str | None, typer.Option("--db", envvar="PXRULES_DB",
                                           help="SQLAlchemy URL of the store (default sqlite:///pxrules.db).")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Who is recording (default: the OS user).")] = None,
) -> None:
    """Evidence-backed scoring for the NHS Patient experience improvement framework (2018)."""
    SETTINGS.db = db
    SETTINGS.by = by


# (module, attribute, name): groups are Typer sub-apps, commands are plain functions.
_GROUPS: list[tuple[str, str]] = [
    ("cli.framework_cmd", "framework"),
    ("cli.org_cmd", "org"),
    ("cli.evidence_cmd", "evidence"),
    ("cli.schemas_cmd", "schemas"),
    ("cli.rules_cmd", "rules"),
    ("cli.selfassess_cmd", "self-assess"),
    ("cli.import_cmd", "import"),
    ("cli.audit_cmd", "audit"),
]
_COMMANDS: list[tuple[str, str, str]] = [
    ("cli.store_cmd", "init", "init"),
    ("cli.assess_cmd", "assess", "assess"),
    ("cli.assess_cmd", "explain", "explain"),
    ("cli.compare_cmd", "compare", "compare"),
    ("cli.compare_cmd", "trend", "trend"),
    ("cli.report_cmd", "report", "report"),
    ("cli.demo_cmd", "demo", "demo"),
]


def _register() -> None:
    for module_name, name in _GROUPS:
        app.add_typer(importlib.import_module(module_name).app, name=name)
    for module_name, attr, name in _COMMANDS:
        app.command(name=name)(getattr(importlib.import_module(module_name), attr))


_register()


def run() -> None:
    """Console-script entry point."""
    app()
