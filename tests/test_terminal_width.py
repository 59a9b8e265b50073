"""The terminal report on narrow consoles: 80 and 100 columns, nothing cut, nothing silent."""

from __future__ import annotations

import io
import re

import pytest
from rich.console import Console

from lockforensics.findings import Findings
from lockforensics.reporting.fit import Layout, fitted
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.terminal import TerminalReporter
from tests.conftest import ROOT

STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
#: A stamp cut short at a line end, as rich's folding once printed (`2026-05-28 03:17:0`).
CUT_STAMP = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d?$|\d{4}-\d\d-\d\d \d\d?$", re.M)
CAPTURE = ROOT / "docs" / "terminal-80-columns.txt"


def render(findings: Findings, width: int) -> str:
    return TerminalReporter().render(findings, RenderOptions(width=width))


@pytest.mark.parametrize("width", [80, 100])
def test_every_line_fits(width: int, fixed_findings: Findings) -> None:
    """No line of the report is wider than the console."""
    text = render(fixed_findings, width)
    assert max(len(line) for line in text.splitlines()) <= width


@pytest.mark.parametrize("width", [80, 100])
def test_no_stamp_or_header_is_cut(width: int, fixed_findings: Findings) -> None:
    """Stamps stay whole, the incident table keeps `#`, and headers are whole words."""
    text = render(fixed_findings, width)
    assert not CUT_STAMP.search(text)
    incidents = re.split(r"\nIncidents *\n", text, maxsplit=1)[1].splitlines()
    assert incidents[0].split()[:3] == ["#", "start", "(UTC)"]
    assert {"stale", "timeout", "takeover"} <= set(incidents[0].split())
    for number, start in ((1, "2026-05-28 04:22:00"), (3, "2026-05-28 14:23:00")):
        assert any(row.split()[:3] == [str(number), *start.split()] for row in incidents)
    wide = render(fixed_findings, 200)
    resolved = [ln for ln in wide.splitlines() if "gateway restart" in ln and STAMP.search(ln)]
    assert resolved  # the stamps of the wide report's rows are all still whole here
    for stamp in STAMP.findall(resolved[0]):
        assert stamp in text


def test_dropped_columns_are_named() -> None:
    """A column left out for width is named under the table, never dropped silently."""
    table = fitted(
        "t",
        ("#", "start (UTC)", "end (UTC)", "note"),
        [(1, "2026-05-28 04:22:00", "2026-05-28 04:27:46", "x")],
        30,
        Layout(drop=("end (UTC)",)),
    )
    buffer = io.StringIO()
    Console(width=30, file=buffer).print(table)
    out = buffer.getvalue()
    assert "2026-05-28 04:22:00" in out
    assert "04:27:46" not in out
    assert "not shown at 30 columns: end (UTC)" in " ".join(out.split())


def test_readme_shows_the_80_column_capture(fixed_findings: Findings, update_golden: bool) -> None:
    """docs/terminal-80-columns.txt is the report at 80 columns, and the README quotes its head."""
    text = render(fixed_findings, 80)
    if update_golden:
        CAPTURE.write_text(text, encoding="utf-8")
    assert CAPTURE.read_text(encoding="utf-8") == text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    head = "\n".join(line.rstrip() for line in text.splitlines()[:14])
    assert head in readme
