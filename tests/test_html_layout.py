"""The HTML report's layout at desk and phone widths, measured in a real browser (issue 11).

Screenshots at 1,400 and 420 px are written to docs/ with --update-golden.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lockforensics.findings import Findings
from lockforensics.reporting import charts
from tests.conftest import ROOT
from tests.test_html_browser import CHROMIUM_ARGS, browser, sample_html  # noqa: F401  # fixtures

WIDTHS = (1400, 420)
#: The sample page was ~9,000 px tall at both widths once high-volume kinds were summarised.
MAX_HEIGHT = {1400: 12_000, 420: 14_000}


@pytest.fixture(params=WIDTHS, ids=lambda w: f"{w}px")
def page(request: pytest.FixtureRequest, browser: Any, sample_html: Path) -> Iterator[Any]:  # noqa: F811
    width = request.param
    opened = browser.new_page(viewport={"width": width, "height": 900})
    opened.route(
        "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
    )
    opened.goto(sample_html.as_uri(), wait_until="load")
    yield opened
    opened.close()


def _width(page: Any) -> int:
    return int(page.viewport_size["width"])


def test_page_stays_short(page: Any) -> None:
    """The page is a few screens tall, not the 93,000 px of 2,000 event rows."""
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_HEIGHT[_width(page)]


def test_page_never_scrolls_sideways(page: Any) -> None:
    """Only table boxes scroll sideways; the page itself is no wider than the window."""
    assert page.evaluate("document.documentElement.scrollWidth") <= _width(page)
    unboxed = page.evaluate(
        "Array.from(document.querySelectorAll('table')).filter(t => !t.closest('.scroll')).length"
    )
    assert unboxed == 0


def test_cells_never_collapse_to_one_letter_per_line(page: Any) -> None:
    """No table cell holding a word is narrower than a few characters (one letter per line)."""
    squeezed = page.evaluate(
        """Array.from(document.querySelectorAll('td, th')).filter(c => {
             const r = c.getBoundingClientRect();
             return r.width > 0 && r.width < 28 && c.textContent.trim().length > 2;
           }).map(c => c.textContent)"""
    )
    assert squeezed == []
    stamps = page.eval_on_selector_all(
        "#incidents td",
        "cells => cells.filter(c => /^\\d{4}-\\d\\d-\\d\\d \\d/.test(c.textContent))"
        ".map(c => c.getBoundingClientRect().height)",
    )
    assert stamps
    assert max(stamps) < 30  # one line each


def test_charts_fit_the_window(page: Any) -> None:
    """Every chart is scaled to the window: none is wider than the page body."""
    widths = page.eval_on_selector_all(
        "figure.chart > svg", "svgs => svgs.map(s => s.getBoundingClientRect().right)"
    )
    assert len(widths) == 4
    assert max(widths) <= _width(page)


def test_key_events_are_listed_in_full(page: Any) -> None:
    """All 24 takeovers and 28 lock errors are rows of the event table; high-volume kinds summarised."""
    kinds = page.eval_on_selector_all(
        "#event-table tbody tr", "rows => rows.map(r => r.cells[1].textContent)"
    )
    assert kinds.count("takeover") == 24
    assert kinds.count("lock stale") + kinds.count("lock timeout") == 28
    assert "gateway restart" in kinds
    summarised = page.eval_on_selector_all(
        "#volume-table tbody tr", "rows => rows.map(r => r.cells[0].textContent)"
    )
    assert "lane task" in summarised
    assert "lane task" not in kinds


def test_restart_rule_is_labelled(page: Any) -> None:
    """The swimlane chart names its restart rule."""
    labels = page.eval_on_selector_all("figure.chart svg text", "ts => ts.map(t => t.textContent)")
    assert "gateway restart (pid 48213)" in labels


def test_screenshot(page: Any, update_golden: bool, tmp_path: Path) -> None:
    """A screenshot at each width is written (docs/report-<width>px.png with --update-golden)."""
    name = f"report-{_width(page)}px.png"
    target = ROOT / "docs" / name if update_golden else tmp_path / name
    page.screenshot(path=str(target))
    assert target.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_timeline_frame_holds_the_edge_incidents(fixed_findings: Findings) -> None:
    """The swimlane axis starts before the first incident band and ends after the last one."""
    failures = fixed_findings.failures.filter(
        fixed_findings.failures["ts"].is_not_null() & fixed_findings.failures["agent"].is_not_null()
    )
    first, last = charts._padded_domain(fixed_findings, failures)
    start = fixed_findings.incidents["start"].min()
    end = fixed_findings.incidents["end"].max()
    assert first < f"{start:%Y-%m-%dT%H:%M:%S}"  # type: ignore[str-bytes-safe]
    assert last > f"{end:%Y-%m-%dT%H:%M:%S}"  # type: ignore[str-bytes-safe]
