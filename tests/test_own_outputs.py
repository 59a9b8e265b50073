"""Our own reports and tables found among the inputs are skipped, not counted again."""

from __future__ import annotations

import gzip
import io
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from lockforensics.findings import Findings, Settings
from lockforensics.ingest.containers import Limits
from lockforensics.ingest.export import TableFormat, write_events
from lockforensics.ingest.own import own_output
from lockforensics.pipeline import Ingest, analyze, ingest
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions

SUFFIX = {
    ReportFormat.TERMINAL: "txt",
    ReportFormat.JSON: "json",
    ReportFormat.MARKDOWN: "md",
    ReportFormat.HTML: "html",
}


@pytest.fixture(scope="module")
def polluted(sample_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample bundle with every report format and every table format saved inside it."""
    root = tmp_path_factory.mktemp("polluted") / "bundle"
    shutil.copytree(sample_dir, root)
    result = ingest([sample_dir])
    findings = analyze(result, Settings())
    options = RenderOptions(evidence=True)
    out = root / "reports"
    out.mkdir()
    for fmt, suffix in SUFFIX.items():
        (out / f"report.{suffix}").write_text(reporter_for(fmt).render(findings, options))
    for table in TableFormat:
        write_events(result.table(), out / f"events.{table.value}", table, result.manifest())
    # And one more copy, compressed inside a tarball, where only its content tells it apart.
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        tar.add(out / "report.md", arcname="old/notes")
    (root / "old-reports.tgz").write_bytes(gzip.compress(buffer.getvalue()))
    return root


@pytest.fixture(scope="module")
def clean_findings(sample_dir: Path) -> Findings:
    return analyze(ingest([sample_dir]), Settings())


def test_own_reports_do_not_change_the_counts(polluted: Path, clean_findings: Findings) -> None:
    """With all four reports and three tables inside the bundle, every count is the same."""
    findings = analyze(ingest([polluted]), Settings())
    assert findings.headline == clean_findings.headline
    assert findings.counts == clean_findings.counts


def test_each_own_output_is_named_in_a_note(polluted: Path) -> None:
    """Every skipped report and table gets a note naming it and what it is."""
    result = ingest([polluted])
    notes = [w for w in result.warnings if "our own output and not evidence" in w]
    names = {w.split(":", 1)[0].rsplit("/", 1)[-1] for w in notes}
    expected = {f"report.{s}" for s in SUFFIX.values()} | {f"events.{t.value}" for t in TableFormat}
    assert names == expected | {"notes"}


def test_include_own_reports_reads_them(polluted: Path, clean_findings: Findings) -> None:
    """--include-own-reports: the reports are read as inputs again (counts grow)."""
    result: Ingest = ingest([polluted], limits=Limits(read_own_outputs=True))
    findings = analyze(result, Settings())
    assert findings.headline.takeovers > clean_findings.headline.takeovers


def test_a_saved_ingest_summary_is_recognised(polluted: Path) -> None:
    """The ingest summary saved from stderr (it quotes log lines) is our output too."""
    proc = subprocess.run(
        [sys.executable, "-m", "lockforensics", "ingest", str(polluted / "journal")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert own_output(proc.stderr.encode()) == "ingest summary"


@pytest.mark.parametrize(
    "text",
    [
        "2026-05-28T04:22:00Z lock-stale, 18 lock-timeout\n",
        '{"schema": "openclaw.something/1"}\n',
        "ts,kind\n1,2\n",
        "## Session locks\nnone\n",
    ],
)
def test_look_alikes_are_not_own_outputs(text: str) -> None:
    """Logs and documents that merely resemble a report are read as usual."""
    assert own_output(text.encode()) is None
