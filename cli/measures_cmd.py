"""`pxrules measures`: what each measure means, what it reads, over which window, and which rules read it."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from cli.common import console, library_errors, print_json

app = typer.Typer(help="The measures rules test: meaning, unit, the evidence they read, their windows and "
                  "the rules that read them.", no_args_is_help=True)


def _infos(name: str | None = None) -> list[Any]:
    from pxrules.measures.describe import describe, describe_all
    from pxrules.rules.pack import default_rulepack, measure_readers

    readers = measure_readers(default_rulepack())
    return describe_all(readers) if name is None else [describe(name, readers)]


@app.command("list")
def list_(
    prefix: Annotated[str | None, typer.Option(help="Only measures whose name starts with this, e.g. fft.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON array, one object each.")] = False,
) -> None:
    """List every measure: name, type and unit, the kinds it reads, and the sub-requirements that read it."""
    with library_errors():
        infos = [i for i in _infos() if prefix is None or i.spec.name.startswith(prefix)]
    if as_json:
        print_json([i.to_json() for i in infos])
        return

    from rich.markup import escape
    from rich.table import Table

    table = Table(title=f"{len(infos)} measures", title_justify="left")
    table.add_column("Measure", no_wrap=True)
    table.add_column("Type", no_wrap=True)
    table.add_column("Evidence kinds", overflow="fold")
    table.add_column("Read by", overflow="fold")
    table.add_column("Meaning", overflow="fold", max_width=70)
    for i in infos:
        s = i.spec
        table.add_row(s.name, s.type + (f" ({s.unit})" if s.unit else ""), ", ".join(s.kinds),
                      ", ".join(i.rules) or "-", escape(s.description))
    console().print(table)


@app.command("show")
def show(
    name: Annotated[str, typer.Argument(metavar="NAME", help="Measure name, e.g. fft.national_rate_share_6m.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print it as a JSON object.")] = False,
) -> None:
    """Show one measure: meaning, unit, type, the evidence kinds and fields it reads, its window, its rules."""
    with library_errors():
        info = _infos(name)[0]
    if as_json:
        print_json(info.to_json())
        return

    from rich.markup import escape

    data = info.to_json()
    out = console()
    out.print(f"[bold]{escape(data['name'])}[/]  {escape(data['meaning'])}")
    out.print(f"[dim]Type:[/] {data['type']}" + (f", unit {data['unit']}" if data["unit"] else "")
              + (f", better {data['better']}" if data["better"] else "")
              + (f", one of {', '.join(data['choices'])}" if data["choices"] else ""))
    out.print(f"[dim]Module:[/] {data['module']}")
    kinds = ", ".join(f"{k} (counts {d} days after its period ends)" for k, d in data["validity_days"].items())
    out.print(f"[dim]Evidence kinds:[/] {kinds}")
    for kind, fields in data["fields"].items():
        out.print(f"[dim]Reads {kind}:[/] {', '.join(fields)}")
    for where, keys in data["keys"].items():
        out.print(f"[dim]Keys of {where}:[/] {escape(', '.join(keys))}")
    out.print(f"[dim]Window:[/] {'; '.join(data['windows']) or 'none traced'}")
    out.print(f"[dim]Read by the rules of:[/] {', '.join(data['rules']) or 'no rule (shown in explanations only)'}")
    out.print("[dim](fields, keys and windows traced by running the measure on the demo trust's evidence)[/]")
