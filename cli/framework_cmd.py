"""`pxrules framework`: browse the framework's 57 sub-requirements as published, with our design data."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import console, library_errors, print_json

app = typer.Typer(
    help="The Patient experience improvement framework (2018): its sections, characteristics and "
    "sub-requirements.",
    no_args_is_help=True,
)


@app.command("list")
def list_(
    section: Annotated[str | None, typer.Option(help="Only this section key, e.g. leadership.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array, one object each.")] = False,
) -> None:
    """List every sub-requirement, grouped by section and characteristic."""
    from pxrules.rules.catalogue import load_catalogue

    with library_errors():
        catalogue = load_catalogue()
        sections = [catalogue.section(section)] if section else list(catalogue.sections)

    if as_json:
        print_json([r.to_dict() for s in sections for c in s.characteristics for r in c.sub_requirements])
        return

    from rich.markup import escape
    from rich.table import Table

    out = console()
    out.print(f"[bold]{escape(catalogue.title)}[/] ({catalogue.publisher}, {catalogue.published}) "
              f"catalogue {catalogue.version}: {len(catalogue.sub_requirements)} sub-requirements")
    for s in sections:
        table = Table(title=f"{escape(s.title)}  [dim]({s.key})[/]", title_justify="left", show_lines=False,
                      expand=False)
        table.add_column("ID", no_wrap=True)
        table.add_column("Requirement", overflow="fold", max_width=90)
        table.add_column("CQC key questions", overflow="fold")
        table.add_column("Evidence kinds", overflow="fold")
        for c in s.characteristics:
            table.add_row(f"[bold]{c.number}[/]", f"[bold]{escape(c.text)}[/]", "", "")
            for i, r in enumerate(c.sub_requirements):
                last = i == len(c.sub_requirements) - 1
                table.add_row(r.id, escape(r.text), ", ".join(r.cqc_key_questions),
                              ", ".join(r.evidence_kinds), end_section=last)
        out.print(table)


@app.command("show")
def show(
    sub_id: Annotated[str, typer.Argument(metavar="ID", help="Sub-requirement id, e.g. 12C (any case).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print it as a JSON object.")] = False,
) -> None:
    """Show one sub-requirement with its characteristic and section."""
    from pxrules.rules.catalogue import load_catalogue

    with library_errors():
        sub = load_catalogue().get(sub_id)

    if as_json:
        print_json(sub.to_dict())
        return

    from rich.markup import escape

    out = console()
    out.print(f"[bold]{sub.id}[/]  {escape(sub.text)}")
    out.print(f"[dim]Section:[/] {escape(sub.section)} ({sub.section_key})")
    out.print(f"[dim]Characteristic {sub.characteristic}:[/] {escape(sub.characteristic_text)}")
    out.print(f"[dim]CQC key questions:[/] {', '.join(sub.cqc_key_questions)}"
              + (f" - {escape(sub.cqc_why)}" if sub.cqc_why else ""))
    out.print(f"[dim]Evidence kinds:[/] {', '.join(sub.evidence_kinds)}")
