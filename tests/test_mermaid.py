"""The Markdown report's Mermaid blocks render with the real Mermaid CLI (mmdc).

`tools/mermaid` pins @mermaid-js/mermaid-cli (`PUPPETEER_SKIP_DOWNLOAD=1 npm ci`
there); it drives Debian's chromium through tools/mermaid/puppeteer-config.json.
Skipped when either is missing, unless LOCKFORENSICS_REQUIRE_TOOLS=1 (.ci/run).
"""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import polars as pl
import pytest

from lockforensics.findings import Findings
from lockforensics.reporting import mermaid
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions
from tests import hostile
from tests.conftest import ROOT, need_tool

TOOLS = ROOT / "tools" / "mermaid"
MMDC = TOOLS / "node_modules" / ".bin" / "mmdc"
CONFIG = TOOLS / "puppeteer-config.json"
CHROMIUM = Path("/usr/bin/chromium")

BLOCK = re.compile(r"^```mermaid\n(.*?)\n```$", flags=re.M | re.S)


def mmdc(source: str, folder: Path) -> subprocess.CompletedProcess[str]:
    """Render one Mermaid diagram to SVG; the exit code says whether it parsed and drew."""
    need_tool(CHROMIUM, "Debian's chromium")
    need_tool(MMDC, "the Mermaid CLI (cd tools/mermaid && PUPPETEER_SKIP_DOWNLOAD=1 npm ci)")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "block.mmd").write_text(source + "\n", encoding="utf-8")
    return subprocess.run(
        [str(MMDC), "-q", "-p", str(CONFIG), "-i", "block.mmd", "-o", "out.svg"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_renders(source: str, folder: Path) -> None:
    proc = mmdc(source, folder)
    assert proc.returncode == 0, f"mmdc failed:\n{source}\n{proc.stdout}{proc.stderr}"
    svg = (folder / "out.svg").read_text(encoding="utf-8")
    assert "<svg" in svg
    assert "Syntax error" not in svg


def test_sample_markdown_has_its_two_charts(sample_reports: dict[ReportFormat, str]) -> None:
    """The sample's Markdown carries a gantt and an xychart-beta block."""
    blocks = BLOCK.findall(sample_reports[ReportFormat.MARKDOWN])
    assert [b.split("\n", 1)[0] for b in blocks] == ["gantt", "xychart-beta"]


@pytest.mark.parametrize("index", [0, 1], ids=["gantt", "xychart"])
def test_sample_mermaid_block_renders(
    index: int, sample_reports: dict[ReportFormat, str], tmp_path: Path
) -> None:
    """Each Mermaid block of the sample's Markdown renders to SVG with mmdc (exit 0)."""
    blocks = BLOCK.findall(sample_reports[ReportFormat.MARKDOWN])
    assert_renders(blocks[index], tmp_path)


def test_hostile_agent_names_still_give_valid_mermaid(tmp_path: Path) -> None:
    """Labels built from hostile agent names are reduced to text Mermaid parses."""
    markdown = reporter_for(ReportFormat.MARKDOWN).render(hostile.findings(), RenderOptions())
    gantt = next(b for b in BLOCK.findall(markdown) if b.startswith("gantt"))
    assert "section _everyone" in gantt
    assert_renders(gantt, tmp_path)


def test_a_broken_block_fails_the_check(tmp_path: Path) -> None:
    """mmdc exits non-zero on a gantt task with an impossible date, so the check can fail."""
    broken = "\n".join(
        [
            "gantt",
            "    dateFormat YYYY-MM-DDTHH:mm:ss",
            "    section agent",
            "    incident 1 :crit, not-a-date, 2026-05-28T04:22:13",
        ]
    )
    proc = mmdc(broken, tmp_path)
    assert proc.returncode != 0, proc.stdout + proc.stderr


def _label_boxes(svg: Path, selector: str) -> list[dict[str, float]]:
    """The rendered boxes of the SVG's ``selector`` texts, measured in Debian's chromium."""
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(svg.as_uri())
        boxes: list[dict[str, float]] = page.eval_on_selector_all(
            selector,
            "ts => ts.map(t => { const r = t.getBoundingClientRect();"
            " return {x: r.left, right: r.right, y: r.top, bottom: r.bottom, text: t.textContent}; })",
        )
        browser.close()
    return boxes


def _overlaps(boxes: list[dict[str, float]]) -> list[tuple[str, str]]:
    clashes = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if (
                a["x"] < b["right"]
                and b["x"] < a["right"]
                and a["y"] < b["bottom"]
                and b["y"] < a["bottom"]
            ):
                clashes.append((str(a["text"]), str(b["text"])))
    return clashes


@pytest.mark.parametrize("hours", [11, 21, 72])
def test_hourly_chart_labels_do_not_collide(hours: int, tmp_path: Path) -> None:
    """The bar chart over 11, 21 or 72 hours renders to PNG and SVG with x labels that never overlap."""
    start = datetime(2026, 5, 28, 4, tzinfo=UTC)
    stamps = [start + timedelta(hours=h, minutes=m) for h in range(hours) for m in (1, 2)]
    findings = _findings_at(stamps)
    source = mermaid.hourly_bars(findings)
    assert source is not None
    assert source.count('", "') + 1 <= (mermaid.MAX_BARS if hours < 20 else mermaid.MAX_DATED_BARS)
    proc = mmdc(source, tmp_path)
    assert proc.returncode == 0, proc.stderr
    png = subprocess.run(
        [str(MMDC), "-q", "-p", str(CONFIG), "-i", "block.mmd", "-o", "out.png"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert png.returncode == 0, png.stderr
    assert (tmp_path / "out.png").read_bytes().startswith(b"\x89PNG")
    boxes = _label_boxes(tmp_path / "out.svg", ".bottom-axis .label text")
    assert len(boxes) == source.count('", "') + 1
    assert _overlaps(boxes) == []


def test_gantt_bars_stay_visible(sample_reports: dict[ReportFormat, str], tmp_path: Path) -> None:
    """Every incident bar of the sample gantt is drawn at least 4 px wide, and (N) is explained."""
    markdown = sample_reports[ReportFormat.MARKDOWN]
    assert "(N) is how many that agent had in the incident" in markdown
    gantt = BLOCK.findall(markdown)[0]
    assert_renders(gantt, tmp_path)
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto((tmp_path / "out.svg").as_uri())
        widths = page.eval_on_selector_all(
            "rect.task.crit, rect[class*='crit']",
            "rs => rs.map(r => r.getBoundingClientRect().width)",
        )
        browser.close()
    assert widths
    assert min(widths) >= 4


def test_a_gateway_bar_cut_to_the_incidents_says_what_was_cut(
    sample_reports: dict[ReportFormat, str],
) -> None:
    """The gantt draws gateways over an hour around the incidents: a process that
    began 347 h before says when, and the one running at the end says so."""
    markdown = sample_reports[ReportFormat.MARKDOWN]
    assert "pid 48213 since 05-13 17h22 :active" in markdown
    assert "pid 51877 running :active" in markdown


def test_bins_widen_with_the_span() -> None:
    """Long spans get wider bins: never more than MAX_BARS bars."""
    assert mermaid.bin_hours(11) == 1
    assert mermaid.bin_hours(21) == 2
    assert mermaid.bin_hours(72, mermaid.MAX_DATED_BARS) == 12
    for bars in (mermaid.MAX_BARS, mermaid.MAX_DATED_BARS):
        assert all(-(-h // mermaid.bin_hours(h, bars)) <= bars for h in range(1, 24 * 60))


def _findings_at(stamps: list[datetime]) -> Findings:
    """Findings whose only content is failures at ``stamps`` (what the bar chart reads)."""
    failures = pl.DataFrame(
        {"ts": stamps, "incident": [1] * len(stamps)},
        schema={"ts": pl.Datetime("us", "UTC"), "incident": pl.Int64},
    )
    return cast(Findings, SimpleNamespace(failures=failures))


def test_agents_named_in_other_scripts_keep_their_names() -> None:
    """`zoë` and `日本` are labels of their own (`zoë` had become `zo_`, the label of
    `zo?` too); bidi controls still go."""
    assert [mermaid.label(name) for name in ("zoë", "zo\ufffd", "日本", "a\u202eb")] == [
        "zoë",
        "zo_",
        "日本",
        "a_b",
    ]


def test_a_gantt_of_agents_in_other_scripts_renders(tmp_path: Path) -> None:
    """Such labels are sections Mermaid parses and draws."""
    gantt = "\n".join(
        [
            "gantt",
            "    dateFormat YYYY-MM-DDTHH:mm:ss",
            f"    section {mermaid.label('zoë')}",
            "    failure :crit, 2026-06-18T12:40:03, 2026-06-18T12:41:03",
            f"    section {mermaid.label('日本')}",
            "    failure :crit, 2026-06-18T12:40:03, 2026-06-18T12:41:03",
        ]
    )
    assert_renders(gantt, tmp_path)


def test_lone_failures_hours_away_do_not_widen_the_bars() -> None:
    """A 20-minute herd, with two lone failures (no incident) hours away that the
    gantt does not draw: its bars stay a share of the span it draws (the herd and
    the hour its gateway bars reach either side), not 9 minutes of a 10-hour day."""
    herd = datetime(2026, 6, 17, 14, 1, tzinfo=UTC)
    stamps = [herd + timedelta(minutes=m) for m in range(20)]
    lone = [datetime(2026, 6, 17, 6, 0, tzinfo=UTC), datetime(2026, 6, 17, 21, 0, tzinfo=UTC)]
    failures = pl.DataFrame(
        {"ts": stamps + lone, "incident": [1] * len(stamps) + [None, None]},
        schema={"ts": pl.Datetime("us", "UTC"), "incident": pl.Int64},
    )
    epochs = pl.DataFrame({"epoch": [1]})
    findings = cast(Findings, SimpleNamespace(failures=failures, epochs=epochs))
    # (19 min + 2 h) * 1.5 % = 2 min, to the minute.
    assert mermaid.min_bar_width(findings) == timedelta(minutes=2)
