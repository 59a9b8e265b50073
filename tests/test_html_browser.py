"""The HTML report in a real headless browser: Debian's chromium, driven by Playwright.

Skipped when /usr/bin/chromium is missing, unless LOCKFORENSICS_REQUIRE_TOOLS=1
(set by .ci/run), which makes it a failure.  Never runs `playwright install`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions
from tests import hostile
from tests.conftest import ROOT, missing_tool, need_tool

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = ROOT / "docs" / "report-screenshot.png"


@dataclass
class Opened:
    """A page with the report loaded, and what it did while loading."""

    page: Any  # playwright.sync_api.Page (an optional import, so untyped here)
    url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    need_tool(CHROMIUM, "Debian's chromium")
    try:
        from playwright.sync_api import sync_playwright  # noqa: PLC0415  # only with chromium
    except ImportError:
        missing_tool("the playwright Python package is not installed (requirements/test.lock)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def sample_html(
    sample_reports: dict[ReportFormat, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(sample_reports[ReportFormat.HTML], encoding="utf-8")
    return path


def open_report(browser: Any, path: Path) -> Opened:
    """Load ``path`` in a fresh page, recording errors, requests and dialogs; block the network."""
    page = browser.new_page(viewport={"width": 1280, "height": 1400})
    opened = Opened(page=page, url=path.as_uri())
    page.on("console", lambda m: m.type == "error" and opened.console_errors.append(m.text))
    page.on("pageerror", lambda e: opened.page_errors.append(str(e)))
    page.on("request", lambda r: opened.requests.append(r.url))
    page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
    page.route(
        "**/*",
        lambda route: route.continue_() if route.request.url == opened.url else route.abort(),
    )
    page.goto(opened.url, wait_until="load")
    return opened


@pytest.fixture
def report(browser: Any, sample_html: Path) -> Iterator[Opened]:
    opened = open_report(browser, sample_html)
    yield opened
    opened.page.close()


def test_report_loads_without_errors(report: Opened) -> None:
    """Loading the report logs no console error and throws no page error."""
    assert report.console_errors == []
    assert report.page_errors == []


def test_report_makes_no_network_request(report: Opened) -> None:
    """The only request is the file itself: no CDN, font, image or beacon."""
    assert report.requests == [report.url]


def test_all_four_charts_are_drawn(report: Opened) -> None:
    """Four inline SVG charts sit in figure.chart, each laid out with marks in it."""
    charts = report.page.locator("figure.chart > svg")
    assert charts.count() == 4
    for index in range(4):
        chart = charts.nth(index)
        box = chart.bounding_box()
        assert box is not None
        assert box["width"] > 300
        assert box["height"] > 100
        assert chart.locator("g.role-mark path, g.role-mark line").count() > 0


def test_stylesheet_applies(report: Opened) -> None:
    """The inline CSS takes effect (autoescaped quotes once voided its font rule)."""
    font = report.page.evaluate("getComputedStyle(document.body).fontFamily")
    assert font.startswith("system-ui")


def _column(report: Opened, index: int) -> list[str]:
    return list(
        report.page.eval_on_selector_all(
            "#event-table tbody tr", f"rows => rows.map(r => r.cells[{index}].textContent)"
        )
    )


def _header(report: Opened, name: str) -> tuple[int, Any]:
    headers = report.page.locator("#event-table thead th")
    names = [headers.nth(i).text_content() for i in range(headers.count())]
    return names.index(name), headers.nth(names.index(name))


def _in_order(report: Opened, values: list[str], sign: int) -> bool:
    """Whether ``values`` are in the page's own (localeCompare) order, ascending or descending."""
    return bool(
        report.page.evaluate(
            "([v, s]) => v.every((x, i) => i === 0 || s * v[i - 1].localeCompare(x) <= 0)",
            [values, sign],
        )
    )


def test_event_table_sorts_on_header_click(report: Opened) -> None:
    """Clicking `event` sorts the rows by it, a second click reverses; `line` sorts as numbers."""
    index, kind = _header(report, "event")
    assert not _in_order(report, _column(report, index), 1)  # time order to start with
    kind.click()
    assert kind.get_attribute("aria-sort") == "ascending"
    assert _in_order(report, _column(report, index), 1)
    arrow = report.page.evaluate(
        "th => getComputedStyle(th, '::after').content", kind.element_handle()
    )
    assert arrow == '" ▲"'
    kind.click()
    assert kind.get_attribute("aria-sort") == "descending"
    assert _in_order(report, _column(report, index), -1)
    line_index, line = _header(report, "line")
    line.click()
    numbers = [int(v) for v in _column(report, line_index)]
    assert numbers == sorted(numbers)
    assert numbers != sorted(numbers, key=str)  # numeric, not text, order


def _rows(report: Opened, selector: str) -> list[str]:
    return list(report.page.eval_on_selector_all(selector, "rows => rows.map(r => r.textContent)"))


def test_event_table_filters_on_typing(report: Opened) -> None:
    """Typing in the filter box hides every row without the text; clearing it shows them all."""
    every = _rows(report, "#event-table tbody tr")
    wanted = [row for row in every if "takeover" in row.lower()]
    assert 0 < len(wanted) < len(every)
    report.page.locator("#filter").press_sequentially("takeover")
    assert _rows(report, "#event-table tbody tr:not([hidden])") == wanted
    report.page.locator("#filter").fill("")
    assert _rows(report, "#event-table tbody tr:not([hidden])") == every


def test_screenshot_is_saved(report: Opened, update_golden: bool, tmp_path: Path) -> None:
    """A screenshot of the report is written (docs/report-screenshot.png with --update-golden)."""
    target = SCREENSHOT if update_golden else tmp_path / "report.png"
    target.parent.mkdir(parents=True, exist_ok=True)
    report.page.screenshot(path=str(target))
    data = target.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert len(data) > 20_000


def test_hostile_report_runs_nothing(browser: Any, tmp_path: Path) -> None:
    """The hostile bundle's report opens no dialog, builds no img and runs only our script."""
    options = RenderOptions(evidence=True)
    path = tmp_path / "hostile.html"
    path.write_text(reporter_for(ReportFormat.HTML).render(hostile.findings(), options), "utf-8")
    opened = open_report(browser, path)
    try:
        page = opened.page
        assert opened.dialogs == []
        assert opened.page_errors == []
        assert opened.requests == [opened.url]
        assert page.locator("img").count() == 0
        assert page.locator("script").count() == 1
        assert hostile.SCRIPT in (page.locator("#events").text_content() or "")
    finally:
        opened.page.close()
