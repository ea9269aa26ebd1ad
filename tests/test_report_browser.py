"""The board report in headless Chromium: every sub-requirement and chart renders, nothing is fetched from
the network, the console stays clean, chart text is 12 px or more at every width, axe-core finds no serious
or critical accessibility violation, and a screenshot is kept for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from pxrules.demo import run_demo

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")
    return run_demo(tmp_path_factory.mktemp("demo") / "demo", papers=False).report


@pytest.mark.parametrize("width", [1280, 800])
def test_report_renders_offline(report: Path, tmp_path: Path, width: int) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 1400})
            page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on(
                "request",
                lambda r: requests.append(r.url) if not r.url.startswith(("file://", "data:")) else None,
            )
            page.goto(report.as_uri(), wait_until="load")
            subs = page.locator("article[data-sub]")
            assert subs.count() == 57
            ids = subs.evaluate_all("els => els.map(e => e.dataset.sub)")
            from pxrules.rules.catalogue import load_catalogue

            assert ids == load_catalogue().ids
            for name in ("section-profile", "self-vs-suggested", "trend"):
                chart = page.locator(f'svg[data-chart="{name}"]')
                assert chart.count() == 1
                box = chart.bounding_box()
                assert box is not None and box["width"] > 300 and box["height"] > 100, (name, box)
                assert chart.locator("rect, polyline, circle").count() > 5, name
            assert page.locator("#over-claims tr[data-over-claim]").count() >= 1
            assert page.locator("#sub-1A .pill.board").is_visible()
            shot = tmp_path / f"report-{width}.png"
            page.screenshot(path=str(shot), full_page=False)
            assert shot.stat().st_size > 10_000
            page.emulate_media(media="print")
            assert page.evaluate("getComputedStyle(document.querySelector('#summary')).breakBefore") == "page"
            assert page.evaluate("getComputedStyle(document.querySelector('#detail')).breakBefore") == "page"
        finally:
            browser.close()
    assert requests == [], requests
    assert errors == [], errors


# The rendered height of every text in every chart, in CSS pixels (what the reader sees).
_CHART_TEXT_SIZES = """() => Array.from(document.querySelectorAll('svg.chart text')).map(t => {
  const m = t.getScreenCTM();
  const size = parseFloat(getComputedStyle(t).fontSize);
  return [t.textContent, size * Math.hypot(m.a, m.b)];
})"""


@pytest.mark.parametrize("width", [1280, 768, 375])
def test_chart_text_is_at_least_12px_at_any_width(report: Path, width: int) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": 1000})
            page.goto(report.as_uri(), wait_until="load")
            sizes = page.evaluate(_CHART_TEXT_SIZES)
        finally:
            browser.close()
    assert len(sizes) > 60
    small = [(text, round(px, 1)) for text, px in sizes if px < 11.99]
    assert small == [], small[:10]


def test_axe_core_finds_no_serious_or_critical_violation(report: Path) -> None:
    pytest.importorskip("axe_playwright_python", reason="axe-playwright-python is not installed")
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(report.as_uri(), wait_until="load")
            results = Axe().run(page)
        finally:
            browser.close()
    violations = results.response["violations"]
    assert results.response["passes"], "axe-core ran no checks"
    bad = [
        (v["id"], v["impact"], len(v["nodes"]), v["nodes"][0]["target"])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad
