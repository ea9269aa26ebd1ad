"""`pxrules import`: load NHS England's published FFT, KO41a complaints and Oversight Framework data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cli.common import AllowFuture, actor, db_url, echo, future_dates, library_errors, print_json

if TYPE_CHECKING:
    from pxrules.importers.storing import ImportResult

app = typer.Typer(
    help="Import the NHS's published data: FFT workbooks, KO41a complaints, Oversight Framework metrics, "
    "CQC patient surveys, the NHS Staff Survey.",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(metavar="FILE", help="The published file, as downloaded.")]
OrgOption = Annotated[
    list[str] | None, typer.Option("--org", help="Import this organisation (ODS code); repeat for more.")
]
AllOption = Annotated[bool, typer.Option("--all", help="Import every organisation in the file.")]
RegisterOption = Annotated[
    bool,
    typer.Option("--register-orgs", help="Register the imported organisations not yet known, as published."),
]
JsonOption = Annotated[
    bool,
    typer.Option("--json", help="Print {new, unchanged, corrected, ids, organisations, registered, ...}."),
]


def _report(result: ImportResult, as_json: bool) -> None:
    if as_json:
        print_json(result.as_dict())
        return
    kinds = ", ".join(f"{n} {k}" for k, n in result.kinds.items()) or "nothing"
    echo(f"{result.file} ({result.publication} {result.period}): {kinds}")
    echo(f"  {result}")
    if not result.organisations:
        echo("  benchmarks only: name organisations with --org CODE or use --all")
    else:
        echo(f"  {len(result.organisations)} organisation(s)")
    if result.registered:
        echo(
            f"  registered {len(result.registered)} organisation(s): {', '.join(result.registered[:10])}"
            + (" ..." if len(result.registered) > 10 else "")
        )
    for warning in result.warnings[:20]:
        echo(f"  warning: {warning}")
    if len(result.warnings) > 20:
        echo(f"  ... and {len(result.warnings) - 20} more warnings")


def _import_published(
    command: str,
    importer: Callable[..., ImportResult],
    file: Path,
    org: list[str] | None,
    all_orgs: bool,
    register_orgs: bool,
    allow_future: str | None,
    as_json: bool,
) -> None:
    """What every per-organisation import command does: import, all or nothing, then report."""
    with library_errors(), future_dates(allow_future, f"import {command}"):
        result = importer(db_url(), file, orgs=org, all_orgs=all_orgs, register_orgs=register_orgs, by=actor())
    _report(result, as_json)


@app.command("fft")
def fft(
    workbook: FileArg,
    org: OrgOption = None,
    all_orgs: AllOption = False,
    register_orgs: RegisterOption = False,
    setting: Annotated[
        str | None,
        typer.Option(
            "--setting", help="The setting, when the workbook does not say (it must agree if it does)."
        ),
    ] = None,
    month: Annotated[
        str | None, typer.Option("--month", help="YYYY-MM, when the workbook does not say (it must agree).")
    ] = None,
    level: Annotated[
        list[str] | None,
        typer.Option("--level", help="trust, site or ward; repeat for more (default: all three)."),
    ] = None,
    allow_future: AllowFuture = None,
    as_json: JsonOption = False,
) -> None:
    """Import a monthly provider-level FFT workbook: trust/site/ward months and England benchmarks."""
    from pxrules.importers.fft import LEVELS, import_fft

    with library_errors(), future_dates(allow_future, "import fft"):
        result = import_fft(
            db_url(),
            workbook,
            orgs=org,
            all_orgs=all_orgs,
            setting=setting,
            month=month,
            levels=level or LEVELS,
            register_orgs=register_orgs,
            by=actor(),
        )
    _report(result, as_json)


@app.command("fft-summary")
def fft_summary(workbook: FileArg, allow_future: AllowFuture = None, as_json: JsonOption = False) -> None:
    """Import the national FFT headline workbook: percentage positive/negative per setting and month."""
    from pxrules.importers.fft_summary import import_fft_summary

    with library_errors(), future_dates(allow_future, "import fft-summary"):
        result = import_fft_summary(db_url(), workbook, by=actor())
    _report(result, as_json)


@app.command("ko41a")
def ko41a(
    file: FileArg,
    org: OrgOption = None,
    all_orgs: AllOption = False,
    register_orgs: RegisterOption = False,
    allow_future: AllowFuture = None,
    as_json: JsonOption = False,
) -> None:
    """Import the KO41a written-complaints CSV (organisation level) and peer benchmarks by type."""
    from pxrules.importers.ko41a import import_ko41a

    _import_published("ko41a", import_ko41a, file, org, all_orgs, register_orgs, allow_future, as_json)


@app.command("nof")
def nof(
    file: FileArg,
    org: OrgOption = None,
    all_orgs: AllOption = False,
    register_orgs: RegisterOption = False,
    allow_future: AllowFuture = None,
    as_json: JsonOption = False,
) -> None:
    """Import Oversight Framework survey metrics (staff engagement, raising concerns) with peer quartiles."""
    from pxrules.importers.nof import import_nof

    _import_published("nof", import_nof, file, org, all_orgs, register_orgs, allow_future, as_json)


@app.command("patient-survey")
def patient_survey(
    workbook: FileArg,
    org: OrgOption = None,
    all_orgs: AllOption = False,
    register_orgs: RegisterOption = False,
    allow_future: AllowFuture = None,
    as_json: JsonOption = False,
) -> None:
    """Import CQC's trust-level benchmark workbook of a national patient survey (.ods or .xlsx)."""
    from pxrules.importers.npsp import import_npsp

    _import_published("patient-survey", import_npsp, workbook, org, all_orgs, register_orgs, allow_future, as_json)


@app.command("staff-survey")
def staff_survey(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The benchmark data workbook (.xlsx) or a CSV of "
                                         "question-level results.")],
    org: OrgOption = None,
    all_orgs: AllOption = False,
    register_orgs: RegisterOption = False,
    allow_future: AllowFuture = None,
    as_json: JsonOption = False,
) -> None:
    """Import the NHS Staff Survey: benchmark workbook or question-level CSV, with peer medians and quartiles."""
    from pxrules.importers.nss import import_staff_survey

    _import_published("staff-survey", import_staff_survey, file, org, all_orgs, register_orgs, allow_future, as_json)
