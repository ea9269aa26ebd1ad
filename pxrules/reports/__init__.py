"""Board reports of one organisation: HTML, Markdown and XLSX renderings of the same report model."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

from pxrules.errors import PxRulesError

Format = Literal["html", "md", "xlsx"]
FORMATS: tuple[str, ...] = ("html", "md", "xlsx")


def write_report(
    url: str,
    org: str,
    fmt: str,
    path: Path,
    *,
    by: str = "section",
    today: dt.date | None = None,
    force: bool = False,
    assessment_id: int | None = None,
) -> Path:
    """Build the report of `org` from the store and write it as `fmt` (html, md or xlsx) to `path`.

    The latest assessment, or the one given (which must be of `org`).
    """
    from pxrules.reports.model import build_report

    if fmt not in FORMATS:
        raise PxRulesError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    if by not in ("section", "cqc"):
        raise PxRulesError(f"--by {by!r}: use section (default) or cqc")
    from pxrules.common.output_file import check_output, write_output

    path = check_output(Path(path), store_url=url, force=force)
    report = build_report(
        url, org, by="cqc" if by == "cqc" else "section", today=today, assessment_id=assessment_id
    )
    from pxrules.reports.html import write_html
    from pxrules.reports.markdown import write_markdown
    from pxrules.reports.xlsx import write_xlsx

    writer = {"html": write_html, "md": write_markdown, "xlsx": write_xlsx}[fmt]
    write_output(path, lambda temp: writer(report, temp), store_url=url, force=force)
    return path
