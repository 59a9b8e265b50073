"""The Markdown report's Mermaid blocks render with the real Mermaid CLI (mmdc).

`tools/mermaid` pins @mermaid-js/mermaid-cli (`PUPPETEER_SKIP_DOWNLOAD=1 npm ci`
there); it drives Debian's chromium through tools/mermaid/puppeteer-config.json.
Skipped when either is missing, unless LOCKFORENSICS_REQUIRE_TOOLS=1 (.ci/run).
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

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
