"""Golden reports for the sample bundle, one per format, compared byte for byte.

Regenerate on purpose with `pytest --update-golden` and review the diff.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lockforensics.cli import app
from lockforensics.findings import Findings
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import GITHUB_COMMENT_LIMIT, RenderOptions
from tests.conftest import FIXED_EPOCH, GOLDEN, ROOT

FILES = {
    ReportFormat.MARKDOWN: "report.md",
    ReportFormat.HTML: "report.html",
    ReportFormat.JSON: "report.json",
    ReportFormat.TERMINAL: "report.txt",
}


def golden(fmt: ReportFormat) -> Path:
    return GOLDEN / FILES[fmt]


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_report_matches_its_golden_file(
    fmt: ReportFormat, sample_reports: dict[ReportFormat, str], update_golden: bool
) -> None:
    """Each format renders the sample exactly as its golden file (run --update-golden to accept)."""
    text = sample_reports[fmt]
    path = golden(fmt)
    if update_golden:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    assert path.exists(), f"{path} is missing: run pytest --update-golden"
    assert text.encode("utf-8") == path.read_bytes(), (
        f"{fmt} report differs from {path.relative_to(ROOT)}; "
        "if the change is intended, run pytest --update-golden and review the diff"
    )


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_rendering_twice_gives_the_same_bytes(
    fmt: ReportFormat, fixed_findings: Findings, sample_reports: dict[ReportFormat, str]
) -> None:
    """A second render of the same findings is identical (no ids, counters or set order leak in)."""
    assert reporter_for(fmt).render(fixed_findings, RenderOptions()) == sample_reports[fmt]


@pytest.mark.parametrize("fmt", [ReportFormat.MARKDOWN, ReportFormat.JSON, ReportFormat.TERMINAL])
def test_cli_writes_the_golden_report(fmt: ReportFormat, sample_dir: Path, tmp_path: Path) -> None:
    """`lockforensics report SAMPLE -f FMT -o FILE` writes the golden file's bytes."""
    out = tmp_path / FILES[fmt]
    result = CliRunner().invoke(
        app,
        ["report", str(sample_dir), "-f", fmt.value, "-o", str(out)],
        env={"SOURCE_DATE_EPOCH": FIXED_EPOCH},
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == golden(fmt).read_bytes()


def test_html_does_not_depend_on_the_machine_zone(sample_dir: Path, tmp_path: Path) -> None:
    """In a fresh process with TZ=Pacific/Honolulu the HTML (charts included) is still golden."""
    out = tmp_path / "report.html"
    env = {**os.environ, "SOURCE_DATE_EPOCH": FIXED_EPOCH, "TZ": "Pacific/Honolulu"}
    command = [sys.executable, "-m", "lockforensics", "report", str(sample_dir)]
    proc = subprocess.run(
        [*command, "-f", "html", "-o", str(out)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes() == golden(ReportFormat.HTML).read_bytes()


# -- size ----------------------------------------------------------------------


def test_default_markdown_fits_one_github_comment(sample_reports: dict[ReportFormat, str]) -> None:
    """The sample's Markdown stays under GitHub's 65,536-character comment limit, evidence untrimmed."""
    text = sample_reports[ReportFormat.MARKDOWN]
    assert len(text) < GITHUB_COMMENT_LIMIT
    assert "Evidence trimmed" not in text


def test_max_chars_trims_evidence_with_a_note(sample_dir: Path, tmp_path: Path) -> None:
    """`--evidence --max-chars 20000`: Markdown within 20,000 characters that says evidence was trimmed."""
    out = tmp_path / "small.md"
    result = CliRunner().invoke(
        app,
        [
            "report",
            str(sample_dir),
            "-f",
            "md",
            "--evidence",
            "--max-chars",
            "20000",
            "-o",
            str(out),
        ],
        env={"SOURCE_DATE_EPOCH": FIXED_EPOCH},
    )
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert len(text) <= 20_000
    assert "> Evidence trimmed to fit 20,000 characters" in text
    assert "### Coverage and provenance" in text  # trimming evidence, not the report's tail


@pytest.mark.parametrize("limit", [2_000, 5_000, 12_000])
def test_truncation_cuts_between_blocks(fixed_findings: Findings, limit: int) -> None:
    """When even no evidence is too long, the cut leaves no open fence or <details> before the note."""
    text = reporter_for(ReportFormat.MARKDOWN).render(
        fixed_findings, RenderOptions(max_chars=limit)
    )
    assert len(text) <= limit
    body, note = text.rsplit("\n\n", 1)
    assert note.startswith(f"> **Report truncated at {limit:,} characters**")
    assert body.count("<details>") == body.count("</details>")
    fences = [line for line in body.splitlines() if line.startswith("```")]
    assert len(fences) % 2 == 0, fences


def test_a_report_too_long_drops_the_last_incidents_details_before_any_section(
    fixed_findings: Findings,
) -> None:
    """Too long even without evidence: the last incidents' details go first, with a
    note naming them; every section after them stays (the incidents table lists
    every incident).  Only when that is not enough is the report cut, and the note
    names the sections the cut left out."""
    render = reporter_for(ReportFormat.MARKDOWN).render
    full = render(fixed_findings, RenderOptions(max_chars=1_000_000))
    limit = len(full) - 200  # the last incident's details no longer fit
    text = render(fixed_findings, RenderOptions(max_chars=limit))
    assert len(text) <= limit
    assert "> Details of incident 3 not shown to fit" in text
    assert "#### Incident 3:" not in text
    assert "#### Incident 2:" in text
    assert "### Coverage and provenance" in text
    cut = render(fixed_findings, RenderOptions(max_chars=2_000))
    assert "Not shown: " in cut
    assert "Coverage and provenance" in cut.rsplit("\n\n", 1)[1]
