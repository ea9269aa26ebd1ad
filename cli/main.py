"""The `pxrules` entry point: global options and the command groups, each in its own module."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer

from cli import interpreter
from cli.common import SETTINGS


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
    ("cli.measures_cmd", "measures"),
    ("cli.selfassess_cmd", "self-assess"),
    ("cli.assessments_cmd", "assessments"),
    ("cli.import_cmd", "import"),
    ("cli.audit_cmd", "audit"),
    ("cli.user_cmd", "user"),
    ("cli.token_cmd", "token"),
    ("cli.action_cmd", "action"),
]
# Groups whose Typer app is not named `app` in their module.
_GROUP_APPS = {"export": ("cli.scores_cmd", "export_app")}
_COMMANDS: list[tuple[str, str, str]] = [
    ("cli.store_cmd", "init", "init"),
    ("cli.assess_cmd", "assess", "assess"),
    ("cli.assess_cmd", "explain", "explain"),
    ("cli.compare_cmd", "compare", "compare"),
    ("cli.compare_cmd", "trend", "trend"),
    ("cli.report_cmd", "report", "report"),
    ("cli.demo_cmd", "demo", "demo"),
    ("cli.scores_cmd", "scores", "scores"),
    ("cli.serve_cmd", "serve", "serve"),
    ("cli.remind_cmd", "remind", "remind"),
]
_NAMES = frozenset([name for _, name in _GROUPS] + list(_GROUP_APPS) + [name for _, _, name in _COMMANDS])
# Options of `main` that take a value: what follows them is not the command's name.
_VALUE_OPTIONS = ("--db", "--by")


def build_app(only: str | None = None) -> typer.Typer:
    """The command line with every command, or with just the one named (what `run` needs to run it)."""
    app = typer.Typer(
        name="pxrules",
        help="Evidence-backed scoring for the NHS Patient experience improvement framework (2018).",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    app.callback()(main)
    for module_name, name in _GROUPS:
        if only in (None, name):
            app.add_typer(importlib.import_module(module_name).app, name=name)
    for name, (module_name, attr) in _GROUP_APPS.items():
        if only in (None, name):
            app.add_typer(getattr(importlib.import_module(module_name), attr), name=name)
    for module_name, attr, name in _COMMANDS:
        if only in (None, name):
            app.command(name=name)(getattr(importlib.import_module(module_name), attr))
    return app


def command_named(args: Sequence[str]) -> str | None:
    """The command `args` run, when that is certain from the global options alone; else None."""
    values = iter(args)
    for arg in values:
        if arg in _VALUE_OPTIONS:
            next(values, None)
        elif not arg.startswith(tuple(f"{option}=" for option in _VALUE_OPTIONS)):
            # --help, an unknown option or an unknown command: typer answers those from the full command list.
            return arg if arg in _NAMES else None
    return None


_APP: typer.Typer | None = None


def __getattr__(name: str) -> Any:
    # `from cli.main import app` (tests, embedding) gets every command, built on first use.
    global _APP
    if name == "app":
        if _APP is None:
            _APP = build_app()
        return _APP
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def run() -> None:
    """Console-script entry point."""
    interpreter.own()
    # Only the command being run is imported and turned into options (the whole set costs ~40 ms); typer
    # still sees every command for --help and for a mistyped name, whose error suggests the nearest.
    cli = build_app(command_named(sys.argv[1:]))
    try:
        cli()
    finally:
        interpreter.before_exit()
