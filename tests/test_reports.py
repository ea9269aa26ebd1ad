"""Board reports in every format: complete (57 sub-requirements, charts, both scores, evidence, plans), and
hostile text from evidence and self-assessments (HTML, script, Markdown, formula prefixes) shown as text."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from openpyxl import load_workbook
from report_support import HOSTILE, ORG, seed
from typer.testing import CliRunner

from pxrules.common.cells import csv_in, csv_out, put_text
from pxrules.errors import NotFoundError, PxRulesError
from pxrules.reports import write_report
from pxrules.reports.markdown import md
from pxrules.rules.catalogue import load_catalogue


@pytest.fixture
def hostile(db_url: str, tmp_path: Path) -> str:
    seed(db_url, tmp_path, hostile=True)
    return db_url


class Tags(HTMLParser):
    """Every start tag with its attributes, to prove no markup came from the data."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _html(url: str, tmp_path: Path, by: str = "section") -> str:
    return write_report(url, ORG, "html", tmp_path / f"r-{by}.html", by=by).read_text(encoding="utf-8")


@pytest.mark.parametrize("by", ["section", "cqc"])
def test_html_is_complete_self_contained_and_escapes_hostile_text(
    hostile: str, tmp_path: Path, by: str
) -> None:
    html = _html(hostile, tmp_path, by)
    parser = Tags()
    parser.feed(html)
    tags = parser.tags
    names = {t for t, _ in tags}
    assert "script" not in names and "img" not in names and "iframe" not in names and "link" not in names
    for _tag, attrs in tags:
        assert not any(k.startswith("on") for k in attrs), attrs
        for key in ("src", "href"):
            value = attrs.get(key)
            assert value is None or value.startswith("#"), (key, value)
    subs = [a["data-sub"] for t, a in tags if t == "article" and "data-sub" in a]
    assert sorted(subs) == sorted(load_catalogue().ids)
    charts = [a["data-chart"] for t, a in tags if t == "svg"]
    assert charts == ["section-profile", "self-vs-suggested", "trend"]
    assert "&lt;script&gt;alert(" in html and "&lt;img src=x onerror=" in html
    assert "=HYPERLINK(&#34;http://evil.example&#34;" in html
    assert "@page" in html and "size: A4" in html
    over = [a["data-over-claim"] for t, a in tags if "data-over-claim" in a]
    assert over == ["2B"]
    assert html.index('id="over-claims"') < html.index('id="detail"')
    if by == "cqc":
        groups = [a["id"] for t, a in tags if t == "section" and a.get("id", "").startswith("group-")]
        assert groups == [
            "group-safe",
            "group-effective",
            "group-caring",
            "group-responsive",
            "group-well-led",
        ]
        assert "CQC well-led evidence pack" in html


def test_html_shows_both_scores_reasons_evidence_and_plan(hostile: str, tmp_path: Path) -> None:
    html = _html(hostile, tmp_path)
    card = html[html.index('id="sub-2B"') : html.index('id="sub-3A"')]
    assert "Board 4" in card and "Evidence 2" in card and "over-claim" in card
    evidence = card[card.index('class="evidence"') :]
    assert "2024-06-01" in evidence and "attestation" in evidence and "&lt;script&gt;" in evidence
    assert "Planned action" in card and "=HYPERLINK(" in card


def test_markdown_escapes_and_is_complete(hostile: str, tmp_path: Path) -> None:
    text = write_report(hostile, ORG, "md", tmp_path / "r.md").read_text(encoding="utf-8")
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;alert(" in text
    assert "\\*\\*bold\\*\\* \\[link\\](javascript:alert(1)) \\| pipe # heading \\`code\\`" in text
    assert "[link](" not in text.replace("\\[link\\](", "")
    headings = re.findall(r"^#### (\d+[A-E]) ", text, flags=re.M)
    assert sorted(headings) == sorted(load_catalogue().ids)
    assert "### 2B " in text.split("## Every sub-requirement")[0]  # over-claims come first
    for line in text.splitlines():
        if line.startswith("|"):
            assert line.endswith("|"), line  # no table row was broken by a newline in the data


def test_md_escape_function() -> None:
    assert md("<b>&") == "&lt;b&gt;&amp;"
    assert md("# title\n- item\n1. one\n2026-03-31") == "\\# title\n\\- item\n1\\. one\n2026-03-31"
    assert md("a_b*c [x](y) `z` | ~") == "a\\_b\\*c \\[x\\](y) \\`z\\` \\| \\~"


def test_xlsx_writes_every_text_cell_as_text(hostile: str, tmp_path: Path) -> None:
    path = write_report(hostile, ORG, "xlsx", tmp_path / "r.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "Assessment", "Trend", "Evidence"]
    risky = 0
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    risky += 1
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
    assert risky >= 5
    ws = wb["Assessment"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("Id")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert sorted(rows) == sorted(load_catalogue().ids)
    two_b = rows["2B"]
    assert (
        two_b[header.index("Org. score (0-5)")] == 4 and two_b[header.index("Suggested score (pxrules)")] == 2
    )
    assert two_b[header.index("Flag")] == "over-claim"
    assert two_b[header.index("Planned action to improve")] == HOSTILE["formula"]
    assert "att-2b-new" in two_b[header.index("Evidence references")]
    assert wb["Summary"]["A1"].value.startswith("Test Trust <script>")


def test_xlsx_by_cqc_puts_the_key_question_first(hostile: str, tmp_path: Path) -> None:
    path = write_report(hostile, ORG, "xlsx", tmp_path / "r.xlsx", by="cqc")
    ws = load_workbook(path)["Assessment"]
    assert ws["A1"].value == "CQC key question"
    firsts = [r[0] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert firsts[0] == "safe" and firsts[-1] == "well-led" and len(firsts) == 57


def test_cells_helpers_round_trip() -> None:
    from openpyxl import Workbook

    ws = Workbook().active
    for text in (*HOSTILE.values(), "plain", "'", "''x"):
        put_text(ws["A1"], text)
        assert ws["A1"].data_type == "s" and ws["A1"].value == text
        assert csv_in(csv_out(text)) == text
        assert not csv_out(text).startswith(("=", "+", "-", "@"))


def test_cli_report_each_format(hostile: str, tmp_path: Path) -> None:
    from cli.main import app

    for fmt in ("html", "md", "xlsx"):
        out = tmp_path / f"board.{fmt}"
        result = CliRunner().invoke(
            app,
            [
                "--db",
                hostile,
                "report",
                "--org",
                ORG,
                "--format",
                fmt,
                "-o",
                str(out),
                "--by",
                "cqc",
                "--json",
            ],
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert data["format"] == fmt and data["bytes"] == out.stat().st_size > 0
    result = CliRunner().invoke(
        app, ["--db", hostile, "report", "--org", ORG, "--format", "odt", "-o", "x.odt"]
    )
    assert result.exit_code == 1 and "use one of html, md, xlsx, docx, pdf" in result.output


def test_report_errors(db_url: str, tmp_path: Path) -> None:
    seed(db_url, tmp_path, assess=False)
    with pytest.raises(NotFoundError, match="has no stored assessment"):
        write_report(db_url, ORG, "html", tmp_path / "r.html")
    with pytest.raises(PxRulesError, match="does not exist"):
        write_report(db_url, ORG, "html", tmp_path / "missing" / "r.html")


def test_report_without_a_self_assessment(db_url: str, tmp_path: Path) -> None:
    from pxrules.scoring.stored import run_assessment
    from pxrules.store.db import unit_of_work
    from pxrules.store.repo import add_org

    with unit_of_work(db_url) as session:
        add_org("RX5", "Lone Trust", "acute", session=session, by="t")
    import datetime as dt

    run_assessment(db_url, "RX5", dt.date(2025, 3, 31), by="t")
    html = write_report(db_url, "RX5", "html", tmp_path / "r.html").read_text(encoding="utf-8")
    assert "no board self-assessment." in html and html.count('data-sub="') == 57
