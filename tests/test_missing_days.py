"""Days a folder of daily file logs lacks are said to be unseen (Z183)."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from lockforensics.findings import Settings
from lockforensics.ingest.missing_days import missing_days
from lockforensics.pipeline import analyze
from tests.conftest import ingest_files, tslog_line

NO_LOGS = pl.DataFrame(schema={"source": pl.String, "first": pl.Datetime, "last": pl.Datetime})


def test_days_missing_between_a_folders_daily_logs_are_named() -> None:
    sources = [
        "b/tmp/openclaw/openclaw-2026-06-12.log.gz",
        "b/tmp/openclaw/openclaw-2026-06-15.log",
        "b/tmp/openclaw/openclaw-2026-06-15.1.log",
        # Another folder's days are its own; a name no calendar has is no day.
        "b/other/openclaw-2026-06-20.log",
        "b/other/openclaw-2026-06-21.log",
        "b/other/openclaw-2026-02-30.log",
    ]
    (warning,) = missing_days(sources, NO_LOGS)
    assert warning.startswith("b/tmp/openclaw: no file log for 2026-06-13, 2026-06-14 between")


def test_a_day_another_log_covers_whole_is_not_missing() -> None:
    sources = ["openclaw-2026-06-12.log", "openclaw-2026-06-14.log", "journal.txt"]
    journal = pl.DataFrame(
        {
            "source": ["journal.txt"],
            "first": [datetime(2026, 6, 12, 23, 0, tzinfo=UTC)],
            "last": [datetime(2026, 6, 14, 1, 0, tzinfo=UTC)],
        }
    )
    assert missing_days(sources, journal) == ()
    assert len(missing_days(sources, NO_LOGS)) == 1


def test_a_report_over_daily_logs_with_a_hole_says_so() -> None:
    """Three daily logs with the middle one missing: the report's coverage warns."""

    def day(date: str) -> str:
        return tslog_line(f"{date}T09:00:00.000+00:00", "[gateway] log file: /tmp/x")

    files = {f"tmp/openclaw/openclaw-{d}.log": day(d) for d in ("2026-06-12", "2026-06-14")}
    findings = analyze(ingest_files(files), Settings())
    assert any("no file log for 2026-06-13" in w for w in findings.coverage.warnings)
