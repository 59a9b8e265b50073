"""Days a folder of daily file logs lacks are said to be unseen (Z183)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl
import pytest

from lockforensics.findings import Settings
from lockforensics.ingest.missing_days import holes, missing_days
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
    # A day held only in its first size archive (`.1.log`, §1.1) is held.
    held = ["a/openclaw-2026-06-12.log", "a/openclaw-2026-06-13.1.log", "a/openclaw-2026-06-14.log"]
    assert missing_days(held, NO_LOGS) == ()


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


def test_holes_pair_the_day_after_with_the_last_line_before() -> None:
    sources = [
        "t/openclaw-2026-06-12.log",
        "t/openclaw-2026-06-15.log",
        "t/openclaw-2026-06-15.1.log",
    ]
    at = datetime(2026, 6, 12, 21, 30, tzinfo=UTC)
    logs = pl.DataFrame({"source": sources[:1], "first": [at], "last": [at]})
    assert sorted(holes(sources, logs).rows()) == [(s, at, None) for s in sorted(sources[1:])]


_OWNED = (
    'lane task error: lane=main durationMs=60010 error="SessionWriteLockTimeoutError: '
    "session file locked (timeout 60000ms): pid={pid} alive=true ageMs={age} "
    '/home/oc/.openclaw/agents/ops/sessions/b7e2c0d4-5f31-4a8e-9c11-3d2f0a6b9e58.jsonl.lock"'
)


def _around_a_missing_day(owner: int) -> dict[str, str]:
    """A start of pid 2311, no file for the next day, then two lock errors whose
    live owner is ``owner``."""
    return {
        "tmp/openclaw/openclaw-2026-05-27.log": tslog_line(
            "2026-05-27T08:00:03.000+02:00",
            "listening on ws://127.0.0.1:18789 (PID 2311)",
            subsystem="gateway",
            level="INFO",
        )
        + tslog_line("2026-05-27T20:00:00.000+02:00", "[gateway] log file: /tmp/x", level="INFO"),
        "tmp/openclaw/openclaw-2026-05-29.log": tslog_line(
            "2026-05-29T10:00:00.000+02:00", _OWNED.format(pid=owner, age=70000)
        )
        + tslog_line("2026-05-29T10:05:00.000+02:00", _OWNED.format(pid=owner, age=370000)),
    }


def test_a_new_live_owner_after_a_missing_day_is_no_longer_the_old_gateway() -> None:
    """Z231: the gateway restarted on the missing day; its new pid owns the locks
    after it.  Before, pid 2311 was 'up 50 h' and 48810 'another process'."""
    findings = analyze(ingest_files(_around_a_missing_day(48810)), Settings())
    assert findings.epochs.select("pid", "opened_by", "ended_by").rows() == [
        (2311, "start", "log_gap"),
        (None, "log_gap", None),
    ]
    incident = findings.incidents.row(0, named=True)
    assert incident["gateway_pid"] is None
    assert incident["uptime_is_lower_bound"] is True
    assert incident["live_owner_pids"] == [48810]
    # Its failures begin at the hole's end: it may have begun in the missing day.
    assert incident["start_is_upper_bound"] is True
    # The hours no log covers (18:00 the day before to 08:00 the day after, local)
    # are not counted as watched (Z242): 12 h 05 min of the window's 50 h 05 min.
    assert findings.rates["window_hours"] == pytest.approx(12.083, abs=0.001)


def test_the_old_gateway_owning_locks_after_a_missing_day_ran_through_it() -> None:
    findings = analyze(ingest_files(_around_a_missing_day(2311)), Settings())
    assert findings.epochs.select("pid", "ended_by").rows() == [(2311, None)]
    incident = findings.incidents.row(0, named=True)
    assert (incident["gateway_pid"], incident["uptime_is_lower_bound"]) == (2311, False)


def test_a_day_of_the_file_log_with_no_event_still_shows_the_gateway_ran() -> None:
    """Z237: the day before the burst holds only the gateway's own traffic (no
    event line); its lines still show the process ran then, so the uptime at
    the burst is at least from that day's first line, not from the burst's day."""

    def line(at: str, message: str, subsystem: str = "diagnostic") -> str:
        binding = json.dumps({"subsystem": subsystem}, separators=(",", ":"))
        meta = {"name": binding, "logLevelName": "INFO", "hostname": "gw-a"}
        record = {"0": binding, "1": message, "_meta": meta, "time": at}
        return json.dumps(record, separators=(",", ":")) + "\n"

    files = {
        "gw/openclaw-2026-06-09.log": line(
            "2026-06-09T08:00:00.000Z", "sendMessage ok chat=1", "telegram"
        ),
        "gw/openclaw-2026-06-10.log": line(
            "2026-06-10T09:00:00.000Z", _OWNED.format(pid=2311, age=70000)
        )
        + line("2026-06-10T09:05:00.000Z", _OWNED.format(pid=2311, age=370000)),
    }
    findings = analyze(ingest_files(files), Settings())
    incident = findings.incidents.row(0, named=True)
    assert (incident["uptime_s"], incident["uptime_is_lower_bound"]) == (25 * 3600, True)


def test_a_new_pid_named_days_after_a_missing_day_is_the_process_after_it() -> None:
    """Z242: the day after the hole begins with the gateway's own traffic, 2 h
    before its lock errors, and a journal names the new pid days later (its
    stop).  The process after the hole is that pid's, from the log's first
    line: the old one did not run on to that stop, and the incident there did
    not begin in the hole."""
    files = _around_a_missing_day(48810)
    files["tmp/openclaw/openclaw-2026-05-29.log"] = (
        tslog_line("2026-05-29T08:00:00.000+02:00", "sendMessage ok chat=1", "telegram", "INFO")
        + files["tmp/openclaw/openclaw-2026-05-29.log"]
    )
    files["journal.txt"] = (
        "2026-06-02T20:00:20+02:00 oc-gw-07 node[48810]: 2026-06-02T20:00:20.031+02:00 "
        "[gateway] received SIGTERM; shutting down\n"
    )
    findings = analyze(ingest_files(files), Settings())
    assert findings.epochs.select("pid", "opened_by", "ended_by").rows() == [
        (2311, "start", "log_gap"),
        (48810, "log_gap", "stop"),
    ]
    incident = findings.incidents.row(0, named=True)
    assert (incident["gateway_pid"], incident["uptime_s"]) == (48810, 2 * 3600)
    assert (incident["uptime_is_lower_bound"], incident["start_is_upper_bound"]) == (True, False)
