"""The board paper in Word and PDF: the demo writes both; each opens with the NHS cover sheet, keeps its
summary within four pages, writes out every sub-requirement in the appendices, and shows no internal key
or hash outside the provenance footer. The stylesheet's text colours meet WCAG 2.2 AA."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pxrules.demo import run_demo
from pxrules.reports.cover import load_cover
from pxrules.reports.labels import internal_keys, plain, unmet_sentence
from pxrules.rules.catalogue import load_catalogue

COVER_FIELDS = (
    "Meeting",
    "Date of meeting",
    "Purpose",
    "Executive lead",
    "Author",
    "Recommendation",
    "Links to Board Assurance Framework risks",
    "Previously considered by",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("docx", reason="python-docx is not installed (pip install 'pxrules[paper]')")
    result = run_demo(tmp_path_factory.mktemp("paper") / "demo")
    papers = {fmt: Path(p) for fmt, p in result.papers.items()}
    papers["html"] = result.report
    return papers


def _board_text(text: str) -> str:
    """Everything a board reads: the text before the provenance footer."""
    head, sep, _ = text.rpartition("Provenance")
    assert sep, "no provenance footer"
    return head


def _ids_in(text: str) -> set[str]:
    return set(re.findall(r"\b(\d{1,2}[A-E])\b", text))


def test_docx_has_cover_summary_appendices_and_no_internal_key(demo: dict[str, Path]) -> None:
    import docx

    document = docx.Document(str(demo["docx"]))
    cover = document.tables[0]
    fields = {row.cells[0].text: row.cells[1].text for row in cover.rows[1:]}
    assert list(fields)[: len(COVER_FIELDS)] == list(COVER_FIELDS)
    expected = load_cover(Path("examples/demo/board-paper.yaml"))
    assert fields["Meeting"] == expected.meeting and fields["Purpose"] == "For assurance"
    assert fields["Date of meeting"] == "15 October 2026"
    assert "BAF 2" in fields["Links to Board Assurance Framework risks"]
    assert "assessment 4 as of 2026-09-30" in fields["Scores reported"]
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    names = [text for _, text in headings]
    assert names.index("Summary") < names.index(
        "Appendix A. Every sub-requirement, with its reasons and evidence"
    ) < names.index("Appendix B. The self-assessment in the framework's layout")
    subs = [text.split()[0] for style, text in headings if style == "Heading 3"]
    assert subs == load_catalogue().ids
    # Real, editable structure: styled headings and tables, no pictures.
    assert len(document.inline_shapes) == 0 and len(document.tables) > 60
    appendix_b = [t for t in document.tables if t.rows[0].cells[0].text == "Characteristics"]
    assert sum(len(t.rows) - 1 for t in appendix_b) == 57
    # The summary is short: what comes between "Summary" and Appendix A fits four pages.
    body = document.element.body
    start = next(i for i, el in enumerate(body) if el.xpath("string(.)") == "Summary")
    end = next(i for i, el in enumerate(body) if el.xpath("string(.)").startswith("Appendix A."))
    summary_words = sum(len(el.xpath("string(.)").split()) for el in list(body)[start:end])
    assert summary_words < 1600, summary_words
    texts = [el.xpath("string(.)") for el in body]  # paragraphs and tables, in document order
    board = _board_text("\n".join(texts))
    assert internal_keys(board) == []
    assert "ZZ9-2026-09-30.csv" not in "\n".join(texts)


def test_pdf_has_cover_summary_within_four_pages_appendices_and_page_numbers(demo: dict[str, Path]) -> None:
    if "pdf" not in demo:
        pytest.skip("no PDF renderer here (Playwright and Chromium)")
    from pypdf import PdfReader

    pages = [page.extract_text() for page in PdfReader(str(demo["pdf"])).pages]
    assert len(pages) > 10
    cover = pages[0]
    for field in ("Meeting", "Date of meeting", "Purpose", "Executive lead", "Author", "Recommendation",
                  "Board Assurance", "Previously considered by"):
        assert field in cover, field
    assert "Trust Board, meeting in public" in cover and "For assurance" in cover
    assert "assessment 4 as of 2026-09-30" in cover and "self-assessment 4 as of 2026-09-30" in cover
    assert "Summary" in pages[1]
    first_appendix = next(i for i, text in enumerate(pages) if "Appendix A." in text)
    assert 2 <= first_appendix <= 5, first_appendix  # cover, then at most four pages of summary
    assert _ids_in("\n".join(pages[first_appendix:])) >= set(load_catalogue().ids)
    for n, text in enumerate(pages, start=1):
        assert f"Page {n} of {len(pages)}" in text
        assert "Fictional Valley Hospitals NHS Trust" in text  # the running header
    board = _board_text("\n".join(pages))
    assert internal_keys(board) == [], internal_keys(board)[:10]


def test_html_paper_has_no_internal_key_and_the_hash_once(demo: dict[str, Path]) -> None:
    html = demo["html"].read_text(encoding="utf-8")
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(style|title)>.*?</\1>", "", html, flags=re.S))
    import html as html_lib

    text = html_lib.unescape(text)
    assert internal_keys(_board_text(text)) == []
    hashes = re.findall(r"\b[0-9a-f]{12}\b", text)
    assert len(hashes) == 1, hashes  # once, in the provenance footer
    assert ".csv" not in text and ".yaml" not in text


def test_board_wording() -> None:
    assert plain("2 formats: easy_read, language_line") == "2 formats: Easy Read, LanguageLine"
    assert plain("nss_q25a_care_top_priority") == "NHS Staff Survey Q25a (care top priority)"
    assert plain("see https://x.example/a_b for fft_digital") == "see https://x.example/a_b for digital FFT"
    assert plain("e.g. this, i.e. that") == "e.g. this, i.e. that"
    sentence = unmet_sentence(
        {"measure": "staff.training_px_feedback_coverage", "op": "gte", "threshold": 0.8, "current": 0.750725}
    )
    assert sentence.endswith("needs 80% or more (now 75%)"), sentence
    assert internal_keys(sentence) == []
    assert internal_keys("rules fe98c38ef7fc and board_meeting") == ["board_meeting", "fe98c38ef7fc"]


def _luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    channels = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_every_text_colour_in_the_stylesheet_meets_wcag_aa() -> None:
    css = (Path(__file__).parents[1] / "pxrules/reports/templates/report.css").read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    variables = dict(re.findall(r"--([\w-]+):\s*(#[0-9A-Fa-f]{3,6})", css))

    def colour(value: str) -> str | None:
        value = value.strip()
        var = re.fullmatch(r"var\(--([\w-]+)\)", value)
        if var:
            return variables[var.group(1)]
        return value if re.fullmatch(r"#[0-9A-Fa-f]{3,6}", value) else None

    page = colour(re.search(r"body\s*{[^}]*background:\s*([^;]+);", css).group(1))  # type: ignore[union-attr]
    checked = []
    for selector, block in re.findall(r"([^{}]+){([^{}]*)}", css):
        props = {k.strip(): v.strip() for k, v in re.findall(r"([\w-]+)\s*:\s*([^;]+)", block)}
        if "color" not in props or colour(props["color"]) is None:
            continue
        text = colour(props["color"])
        own = props.get("background") or props.get("background-color")
        backgrounds = [colour(own)] if own and colour(own) else ["#FFFFFF", page]
        if selector.strip().startswith((".masthead",)):
            backgrounds = [variables["blue"]]
        for background in backgrounds:
            assert text is not None and background is not None
            ratio = contrast(text, background)
            checked.append(selector.strip())
            assert ratio >= 4.5, f"{selector.strip()}: {text} on {background} is {ratio:.2f}:1"
    assert len(checked) > 20
    # The chart colours used for text in the SVGs meet AA on white too.
    from pxrules.reports import charts

    for name in ("BLUE", "DARK", "GREY", "TEXT"):
        assert contrast(getattr(charts, name), "#FFFFFF") >= 4.5, name
    for flag, value in charts.FLAG_COLOURS.items():
        assert contrast(value, "#FFFFFF") >= 4.5, flag


def test_cover_sheet_errors_are_one_line_naming_file_and_field(tmp_path: Path) -> None:
    from pxrules.errors import PxRulesError

    bad = tmp_path / "cover.yaml"
    bad.write_text("purpose: maybe\n", encoding="utf-8")
    with pytest.raises(PxRulesError, match=r"cover.yaml: purpose: Input should be 'assurance'"):
        load_cover(bad)
    bad.write_text("meeting: Board\nsecretary: X\n", encoding="utf-8")
    with pytest.raises(PxRulesError, match="secretary: Extra inputs are not permitted"):
        load_cover(bad)
    bad.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(PxRulesError, match="a mapping of fields"):
        load_cover(bad)
    good = tmp_path / "good.yaml"
    good.write_text("meeting: Board\npurpose: decision\n", encoding="utf-8")
    sheet = load_cover(good, {"meeting": "Quality Committee", "author": None})
    assert sheet.meeting == "Quality Committee" and sheet.purpose_label == "For decision"
    assert dict(sheet.rows())["Author"] == "not given"
