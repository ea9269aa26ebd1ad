"""Board reports of one organisation: HTML, Markdown, XLSX, Word and PDF renderings of the same report model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pxrules.errors import PxRulesError

if TYPE_CHECKING:
    from pxrules.board.pairing import Pin
    from pxrules.reports.cover import CoverSheet

Format = Literal["html", "md", "xlsx", "docx", "pdf"]
FORMATS: tuple[str, ...] = ("html", "md", "xlsx", "docx", "pdf")
PAPERS = ("docx", "pdf")  # formats that need the `paper` extra


def write_report(
    url: str,
    org: str,
    fmt: str,
    path: Path,
    *,
    by: str = "section",
    today: dt.date | None = None,
    force: bool = False,
    pin: Pin | None = None,
    cover: CoverSheet | None = None,
    assessment_id: int | None = None,
) -> Path:
    """Build the report of `org` from the store and write it as `fmt` to `path`, pinned to the assessment
    and self-assessment `pin` names (default: the latest assessment and the self-assessment nearest it);
    `assessment_id` alone is short for `pin=Pin(assessment_id)`."""
    from pxrules.reports.model import build_report

    if fmt not in FORMATS:
        raise PxRulesError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if by not in ("section", "cqc"):
        raise PxRulesError(f"--by {by!r}: use section (default) or cqc")
    from pxrules.common.output_file import check_output, write_output

    path = check_output(Path(path), store_url=url, force=force)
    if fmt in PAPERS:
        check_extra(fmt)
    report = build_report(
        url,
        org,
        by="cqc" if by == "cqc" else "section",
        today=today,
        pin=pin,
        cover=cover,
        lapses=True,
        assessment_id=assessment_id,
    )
    from pxrules.reports.html import write_html
    from pxrules.reports.markdown import write_markdown
    from pxrules.reports.pdf import write_pdf
    from pxrules.reports.word import write_docx
    from pxrules.reports.xlsx import write_xlsx

    writer = {"html": write_html, "md": write_markdown, "xlsx": write_xlsx, "docx": write_docx, "pdf": write_pdf}[fmt]
    write_output(path, lambda temp: writer(report, temp), store_url=url, force=force)
    return path


def check_extra(fmt: str) -> None:
    """Fail at once, in one line, when the paper extra is not installed (before any work is done)."""
    import importlib.util

    module, what = ("docx", "python-docx") if fmt == "docx" else ("playwright", "Playwright")
    if importlib.util.find_spec(module) is None:
        raise PxRulesError(f"--format {fmt} needs the paper extra ({what}): pip install 'pxrules[paper]'")
    if fmt == "pdf":
        from pxrules.reports.pdf import chromium_path

        chromium_path()
