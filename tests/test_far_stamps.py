"""Time that cannot blow up: far-out stamps are set aside, chart bins stay bounded."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from lockforensics.findings import Settings
from lockforensics.pipeline import analyze
from lockforensics.reporting import mermaid
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import GITHUB_COMMENT_LIMIT, RenderOptions
from tests.conftest import ingest_files

SESSION = "2bc0117f-8cd0-43a6-a382-1b4ebc062f6d"


def _takeover(stamp: str) -> str:
    return (
        f"{stamp} [diagnostic] session file changed while embedded prompt lock was released: "
        f"/d/.openclaw/agents/main/sessions/{SESSION}.jsonl\n"
    )


def _bundle(strays: list[str], good: int = 30) -> dict[str, str]:
    lines = [_takeover(f"2026-06-09T09:{m:02d}:16.069+00:00") for m in range(good)]
    return {"gateway.log": "".join(lines) + "".join(_takeover(s) for s in strays)}


def test_far_stamps_leave_the_window_and_are_listed() -> None:
    """A 1970 and a 9999 stamp among June 2026 events: window stays in June, both are listed."""
    result = ingest_files(_bundle(["1970-01-01T00:00:00Z", "9999-06-30T23:59:59Z"]))
    findings = analyze(result, Settings())
    assert findings.window_start == datetime(2026, 6, 9, 9, 0, 16, 69000, tzinfo=UTC)
    assert findings.window_end == datetime(2026, 6, 9, 9, 29, 16, 69000, tzinfo=UTC)
    far = [w for w in findings.coverage.warnings if "far outside" in w]
    assert len(far) == 2
    assert any("9999-06-30" in w for w in far)
    assert findings.counts["takeover"] == 32  # set aside from the timeline, still counted


def test_year_9999_markdown_is_fast_small_and_whole() -> None:
    """`report -f md` with a year-9999 stamp: quick, under the size cap, nothing truncated."""
    findings = analyze(ingest_files(_bundle(["9999-06-30T23:59:59Z"])), Settings())
    started = time.monotonic()
    text = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    assert time.monotonic() - started < 10
    assert len(text) <= GITHUB_COMMENT_LIMIT
    assert "Report truncated" not in text
    assert "Coverage and provenance" in text
    assert "9999-06-30" in text  # listed among the warnings


def test_1970_stamp_keeps_markdown_under_its_cap() -> None:
    """A 1970 stamp does not push the Markdown past --max-chars (no section lost)."""
    findings = analyze(ingest_files(_bundle(["1970-01-01T00:00:00Z"])), Settings())
    text = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions(mermaid=False))
    assert "Report truncated" not in text
    assert "Coverage and provenance" in text


def test_bins_are_bounded_whatever_the_span() -> None:
    """Too few events to call any stamp stray (two centuries apart): ≤ MAX_BINS bins all the same."""
    findings = analyze(
        ingest_files(_bundle(["2000-01-02T00:00:00Z", "2199-12-30T23:59:59Z"], good=2)),
        Settings(),
    )
    hours = mermaid.hourly_counts(findings)
    assert 1 < hours.height <= mermaid.MAX_BINS
    assert int(hours["occurrences"].sum()) == 4
    chart = mermaid.hourly_bars(findings)
    assert chart is not None
    assert "per hour" not in chart  # the title names the wider bins


def test_a_bundle_that_spans_a_year_keeps_every_stamp() -> None:
    """Events spread over a year are one main span: nothing is set aside."""
    stamps = [f"2026-{month:02d}-15T10:00:00Z" for month in range(1, 13)] * 2
    findings = analyze(ingest_files({"a.log": "".join(map(_takeover, stamps))}), Settings())
    assert not [w for w in findings.coverage.warnings if "far outside" in w]
    assert findings.window_start == datetime(2026, 1, 15, 10, tzinfo=UTC)


def test_short_span_keeps_hourly_bins() -> None:
    """A day-long bundle keeps one bin per hour and the plain "per hour" title."""
    findings = analyze(ingest_files(_bundle([])), Settings())
    assert set(mermaid.hourly_counts(findings)["bin_hours"]) == {1}
    chart = mermaid.hourly_bars(findings)
    assert chart is not None
    assert "per hour" in chart


def test_few_events_with_a_9999_stamp_render_every_format() -> None:
    """Regression: 2 good events and a 9999 stamp overflowed the gantt; now set aside outright."""
    findings = analyze(
        ingest_files(_bundle(["9999-06-30T23:59:59Z", "1970-01-01T00:00:00Z"], good=2)),
        Settings(),
    )
    assert findings.window_end is not None
    assert findings.window_end.year == 2026
    for fmt in (ReportFormat.MARKDOWN, ReportFormat.JSON, ReportFormat.TERMINAL):
        assert "9999-06-30" in reporter_for(fmt).render(findings, RenderOptions())


def test_stamps_at_the_edge_of_the_calendar_are_untimed() -> None:
    """Regression: 9999-12-31 at -05:00 and 0001-01-01 at +05:00 overflowed UTC; now untimed."""
    result = ingest_files(
        _bundle(["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"], good=1), tz="UTC"
    )
    takeovers = result.events.filter(kind="takeover")
    assert takeovers.height == 3
    assert takeovers["ts"].null_count() == 2
    scan = result.files[0]
    assert scan.event_lines + scan.noise_lines + scan.unrecognized == scan.lines


def test_journal_header_at_the_end_of_the_calendar_is_no_date() -> None:
    """Regression: a header dated 9999-12-31 and a day rollover overflowed; the lines stay untimed."""
    text = (
        "-- Logs begin at Fri 9999-12-31 23:00:00 UTC, end at Fri 9999-12-31 23:59:59 UTC. --\n"
        + _takeover("23:59:59")
        + _takeover("00:00:01")
    )
    result = ingest_files({"journal.txt": text})
    assert result.events.filter(kind="takeover")["ts"].null_count() == 2


def _journal(host: str, pid: int) -> str:
    return "".join(
        f"2026-06-20T09:{m:02d}:16+0000 {host} node[{pid}]: [diagnostic] session file changed "
        f"while embedded prompt lock was released: /d/.openclaw/agents/{host}/sessions/"
        f"{SESSION}.jsonl\n"
        for m in range(5)
    )


def test_gantt_names_an_unknown_pid_and_each_epochs_host() -> None:
    """An epoch with no pid is "pid unknown" (never Python's None); with two hosts,
    each gateway bar names its host."""
    files = {
        "paste/gateway.log": "".join(
            _takeover(f"2026-06-19T09:{m:02d}:16+00:00") for m in range(5)
        ),
        "ny/journal.txt": _journal("gw-ny", 5120),
        "la/journal.txt": _journal("gw-la", 77),
    }
    chart = mermaid.gantt(analyze(ingest_files(files), Settings()))
    assert chart is not None
    bars = {ln.split(":")[0].strip() for ln in chart.splitlines() if ":active," in ln}
    # A bar's label goes on with what its cut hides ("since …", "running").
    for name in ("gw-ny pid 5120", "gw-la pid 77", "unknown host pid unknown"):
        assert any(bar == name or bar.startswith(f"{name} ") for bar in bars), (name, bars)
    assert "None" not in chart
