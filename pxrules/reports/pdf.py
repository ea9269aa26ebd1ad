"""The board paper as PDF: the report's own HTML printed to A4 by Chromium (driven by Playwright), offline.

Chromium is the system's (Debian's /usr/bin/chromium, or $PXRULES_CHROMIUM); Playwright never downloads a
browser here. Every page carries a running header (organisation, paper, date) and "page N of M". The HTML
is loaded from a string with all network requests refused, so the PDF is the same paper as the HTML.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pxrules.errors import PxRulesError
from pxrules.reports.model import Report

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Chromium draws these in the page margins; they use its own small default font unless told otherwise.
_HEADER = (
    '<div style="font-family:Arial,Helvetica,sans-serif;font-size:8pt;color:#212B32;width:100%;'
    'padding:0 12mm;display:flex;justify-content:space-between">'
    "<span>{left}</span><span>{right}</span></div>"
)
_FOOTER = (
    '<div style="font-family:Arial,Helvetica,sans-serif;font-size:8pt;color:#212B32;width:100%;'
    'padding:0 12mm;text-align:right">Page <span class="pageNumber"></span> of '
    '<span class="totalPages"></span></div>'
)


def chromium_path() -> Path:
    """The Chromium to print with: $PXRULES_CHROMIUM, else the first system one found."""
    given = os.environ.get("PXRULES_CHROMIUM")
    if given:
        path = Path(given)
        if not path.is_file():
            raise PxRulesError(f"PXRULES_CHROMIUM={given}: no such file")
        return path
    for candidate in (*CANDIDATES, shutil.which("chromium") or ""):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    raise PxRulesError(
        "--format pdf needs Chromium: install it (Debian: apt-get install chromium) or set PXRULES_CHROMIUM"
    )


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def html_to_pdf(html: str, path: Path, *, header_left: str, header_right: str) -> Path:
    """Print `html` to an A4 PDF at `path` with a running header and page numbers."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ModuleNotFoundError as exc:
        raise PxRulesError(
            "--format pdf needs the paper extra: pip install 'pxrules[paper]' (Playwright, with the system Chromium)"
        ) from exc
    browser_path = chromium_path()
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(browser_path), args=ARGS)
            try:
                page = browser.new_page()
                page.route("**/*", lambda route: route.abort())
                page.set_content(html, wait_until="load")
                page.emulate_media(media="print")
                page.pdf(
                    path=str(path),
                    format="A4",
                    print_background=True,
                    display_header_footer=True,
                    header_template=_HEADER.format(left=_escape(header_left), right=_escape(header_right)),
                    footer_template=_FOOTER,
                    margin={"top": "16mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
                    prefer_css_page_size=False,
                )
            finally:
                browser.close()
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise PxRulesError(f"printing the PDF with {browser_path} failed: {first}") from exc
    return path


def write_pdf(report: Report, path: Path) -> Path:
    """Render the report's HTML and print it to `path`."""
    from pxrules.reports.html import render_html

    left = f"{report.name} ({report.org})"
    right = f"Patient experience board paper, {report.comparison.assessment.as_of.strftime('%-d %B %Y')}"
    return html_to_pdf(render_html(report), Path(path), header_left=left, header_right=right)
