"""Structured documents: sessions cleanup, doctor, lock files, listings, systemd, diagnostics."""

from __future__ import annotations

import io
import json
import os
import tarfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from lockforensics.cli import app
from lockforensics.correlate import resolution
from lockforensics.findings import Settings
from lockforensics.ingest.bundle import memory_input
from lockforensics.parsing.documents import HOOKS, Document, load_documents
from lockforensics.parsing.documents.timing import stamp_line
from lockforensics.pipeline import Ingest, analyze, ingest, ingest_inputs
from samples.generate import sanitize_record
from tests.conftest import ingest_files, tslog_line

SESSIONS = "/home/ops/.openclaw/agents"
SID = "4a1b2c3d-0000-4000-8000-000000000001"


def rows(result: Ingest, kind: str) -> list[dict[str, Any]]:
    return result.events.filter(pl.col("kind") == kind).to_dicts()


def adds_up(result: Ingest) -> bool:
    return all(s.lines == s.event_lines + s.noise_lines + s.unrecognized for s in result.files)


# --------------------------------------------------------------------------- sessions cleanup

DRY_RUN_SINGLE = f"""Session store: {SESSIONS}/main/sessions/sessions.json
Maintenance mode: warn
Entries: 120 -> 80 (remove 40)
Would prune missing transcripts: 2
Would retire stale direct DM sessions: 1
Would prune stale: 37
Would cap overflow: 0
Would prune unreferenced artifacts: 5

Planned session actions:
Action           Key                        Age       Model          Flags
prune-stale      agent:main:cron:...9f1a2b  31d ago   claude-sonnet-4-6 id:{SID}
keep             agent:main:main            2h ago    claude-sonnet-4-6
"""


def multi(stores: list[tuple[str, str]], applied: bool = False) -> str:
    blocks = []
    for agent, numbers in stores:
        body = (
            f"Applied maintenance. Current entries: {numbers}"
            if applied
            else f"Maintenance mode: warn\nEntries: {numbers} (remove 1)\nWould prune stale: 1"
        )
        blocks.append(
            f"Agent: {agent}\nSession store: {SESSIONS}/{agent}/sessions/sessions.json\n{body}"
        )
    return "\n\n".join(blocks) + "\n"


def test_cleanup_dry_run_single_store_carries_its_numbers() -> None:
    """A single-store dry run is one cleanup_run with its numbers, timed by its file name."""
    result = ingest_files({"cron/sessions-cleanup-2026-05-28T0515Z.txt": DRY_RUN_SINGLE})
    (row,) = rows(result, "cleanup_run")
    assert row["agent"] == "main"
    assert row["store_path"].endswith("/main/sessions/sessions.json")
    assert (row["entries_before"], row["entries_after"], row["pruned_stale"]) == (120, 80, 37)
    assert (row["pruned_missing"], row["dm_scope_retired"], row["artifacts_pruned"]) == (2, 1, 5)
    assert (row["dry_run"], row["phase"], row["maintenance_mode"]) == (True, "dry-run", "warn")
    assert row["ts"] == datetime(2026, 5, 28, 5, 15, tzinfo=UTC)
    # The name gives the minute, no finer (Z179: shown to the millisecond).
    assert row["ts_assumption"] == "time from the file name (to the minute)"
    scan = result.files[0]
    assert (scan.lines, scan.event_lines, scan.noise_lines, scan.unrecognized) == (13, 12, 1, 0)
    named = ingest_files({"cron/sessions-cleanup-2026-05-28T051531Z.txt": DRY_RUN_SINGLE})
    (row,) = rows(named, "cleanup_run")
    assert (row["ts"], row["ts_assumption"]) == (
        datetime(2026, 5, 28, 5, 15, 31, tzinfo=UTC),
        "time from the file name",
    )


def test_cleanup_agent_blocks_are_one_run() -> None:
    """A multi-agent run gives one row per store and one occurrence for the run."""
    text = multi([("main", "10 -> 9"), ("ops", "5 -> 4"), ("pm-a", "3 -> 2")])
    result = ingest_files({"sessions-cleanup-2026-05-28T0600Z.txt": text})
    found = rows(result, "cleanup_run")
    assert [r["agent"] for r in found] == ["main", "ops", "pm-a"]
    assert result.occurrence_counts() == {"cleanup_run": 1}
    assert adds_up(result)
    assert result.files[0].unrecognized == 0


def test_cleanup_applied_summary() -> None:
    """Applied text: phase applied, dry_run false, the current entries as entries_after."""
    text = (
        multi([("main", "80"), ("ops", "4")], applied=True) + "Pruned unreferenced artifacts: 3\n"
    )
    result = ingest_files({"sessions-cleanup-2026-05-28T0515Z.txt": text})
    found = rows(result, "cleanup_run")
    assert [(r["phase"], r["dry_run"], r["entries_after"]) for r in found] == [
        ("applied", False, 80),
        ("applied", False, 4),
    ]
    assert found[1]["artifacts_pruned"] == 3


def test_cleanup_cron_log_splits_runs_at_their_stamps() -> None:
    """A cron log appending runs after `date` lines: one occurrence per run, each at its stamp."""
    run = multi([("main", "10 -> 9"), ("ops", "5 -> 4")])
    text = f"Thu May 28 00:00:01 UTC 2026\n{run}Thu May 28 06:00:01 UTC 2026\n{run}"
    result = ingest_files({"cleanup.log": text})
    found = rows(result, "cleanup_run")
    assert [r["ts"].hour for r in found] == [0, 0, 6, 6]
    assert {r["ts_quality"] for r in found} == {"explicit"}
    assert {r["ts_assumption"] for r in found} == {"time from the stamp in the document"}
    assert result.occurrence_counts() == {"cleanup_run": 2}


@pytest.mark.parametrize(
    "header",
    [
        "=== {iso} sessions cleanup ===",  # `echo "=== $(date -Is) sessions cleanup ==="`
        "----- {date} -----",
        "### {iso}",
        "==== oc-nightly start {date} ====",  # a label first (Z120)
    ],
)
def test_cleanup_runs_under_a_cron_wrappers_header_take_its_stamp(header: str) -> None:
    """A cron wrapper's header around `date` output dates the run below it (Z109: its
    28 headers were unrecognized and every cleanup untimed, so one that cleared an
    incident did not)."""
    run = multi([("main", "10 -> 9"), ("ops", "5 -> 4")])
    heads = [
        header.format(iso=f"2026-07-15T{h}:15:01+03:00", date=f"Wed Jul 15 {h}:15:01 EEST 2026")
        for h in ("18", "21")
    ]
    result = ingest_files({"cron-sessions-cleanup.log": f"{heads[0]}\n{run}{heads[1]}\n{run}"})
    found = rows(result, "cleanup_run")
    assert [r["ts"].hour for r in found] == [15, 15, 18, 18]
    assert result.occurrence_counts() == {"cleanup_run": 2}
    assert result.files[0].unrecognized == 0


def test_a_lock_census_cron_log_sees_each_lock_at_its_runs_stamp() -> None:
    """`(date; ls -la …/*.lock) >> census.log` every two hours: each run's locks are
    in the zone its `date` shows and were seen held at its stamp; only the last
    run's are the locks as collected (no `duration_ms`); `ls: cannot access` is
    the listing of none.  Every line is accounted (Z112: 153 of 160 unrecognized)."""
    lock = f"{SESSIONS}/main/sessions/6f2a8c3e-91b4-4d7f-a0e6-c4b1d9e7f352.jsonl.lock"
    none = f"ls: cannot access '{SESSIONS}/*/sessions/*.lock': No such file or directory"
    text = "\n".join(
        [
            "Wed Jun 10 04:05:01 CDT 2026",
            f"-rw------- 1 oc oc 110 Jun 10 04:04 {lock}",
            "Wed Jun 10 06:05:01 CDT 2026",
            none,
            "Wed Jun 10 08:05:01 CDT 2026",
            f"-rw------- 1 oc oc 110 Jun 10 08:01 {lock}",
        ]
    )
    result = ingest_files({"cron/lock-census.log": text + "\n"})
    found = [r for r in rows(result, "lock_file") if r["lock_payload"] == "listed"]
    assert [(r["ts"].hour, r["ts"].minute, r["duration_ms"]) for r in found] == [
        (9, 4, 61_000),
        (13, 1, None),
    ]
    # Each run is a row of its own at its stamp (what it did not list was gone).
    runs = rows(result, "lock_census")
    assert [(r["ts"].hour, r["line"]) for r in runs] == [(9, 1), (11, 3), (13, 5)]
    scan = result.files[0]
    assert (scan.unrecognized, scan.event_lines, scan.lines) == (0, 5, 6)


def test_a_listing_typed_in_a_saved_shell_session_was_seen_when_it_ran() -> None:
    """A typescript's `ls -la` of the locks, a command after its `date`, saw them then
    (its `Script started` header dates it too), not at collection (Z115: a lock listed
    16 hours earlier voided the restart that cleared an incident)."""
    lock = f"{SESSIONS}/main/sessions/6f1d2c3a-8b7e-4f10-9a2d-3c5e7b9d1f04.jsonl.lock"
    text = "\n".join(
        [
            'Script started on 2026-06-10 09:14:22-05:00 [TERM="xterm-256color"]',
            "ops@gw-lab-02:~$ date",
            "Wed Jun 10 09:14:25 CDT 2026",
            "ops@gw-lab-02:~$ uptime",
            " 09:14:30 up 41 days,  3:02,  1 user,  load average: 0.31, 0.22, 0.18",
            "ops@gw-lab-02:~$ ls -la --time-style=full-iso ~/.openclaw/agents/*/sessions/*.lock",
            f"-rw------- 1 ocw ocw 107 2026-06-10 09:10:49.123280977 -0500 {lock}",
            "ops@gw-lab-02:~$ exit",
            'Script done on 2026-06-10 09:31:05-05:00 [COMMAND_EXIT_CODE="0"]',
        ]
    )
    result = ingest_files({"ops.typescript": text + "\n"})
    (row,) = [r for r in rows(result, "lock_file") if r["lock_payload"] == "listed"]
    assert row["duration_ms"] == 215_876  # from its mtime to the `date` printed before it


def test_a_lock_file_printed_in_a_saved_shell_session_was_seen_when_it_ran() -> None:
    """`cat` of a lock in a typescript, then `rm` of it: the lock was seen held when
    the session ran (its `Script started` header), not as the bundle was collected
    (Z120: "held at collection" by the running gateway, after the operator had
    deleted it)."""
    lock = f"{SESSIONS}/main/sessions/f1ff7a3c-304b-4f17-bf75-a07f83d2f947.jsonl.lock"
    text = "\n".join(
        [
            'Script started on 2026-06-15 02:23:50-07:00 [TERM="xterm-256color"]',
            f"ops@oc-nuc:~$ cat {lock}",
            "{",
            '  "pid": 2417,',
            '  "createdAt": "2026-06-15T09:05:00.412Z"',
            "}",
            f"ops@oc-nuc:~$ rm {lock}",
            "ops@oc-nuc:~$ exit",
            'Script done on 2026-06-15 02:31:02-07:00 [COMMAND_EXIT_CODE="0"]',
        ]
    )
    result = ingest_files({"incident.typescript": text + "\n"})
    (row,) = rows(result, "lock_file")
    assert row["duration_ms"] == 1_129_588  # 09:05:00.412 to 09:23:50 UTC
    findings = analyze(result, Settings())
    assert findings.held_locks.is_empty()


@pytest.mark.parametrize(
    "command",
    ["kill 48213", "kill -9 48213", "launchctl kickstart -k gui/501/ai.openclaw.gateway"],
)
def test_a_lock_printed_before_its_owner_was_stopped_was_seen_then(command: str) -> None:
    """A zsh session: `date`, an `ls -la` of the lock (a year-less mtime), a `cat`
    of it, then the owner stopped.  The listing keeps the file's mtime, and both
    saw the lock held when they ran, not at collection: the stop released it
    (Z211: the printed lock voided the restart that cleared the incident, and
    the listing, timed by the `date`, was "its lock taken again")."""
    lock = (
        "/Users/dana/.openclaw/agents/main/sessions/9c1e4b7a-2f0d-4d8e-9a51-3b7c0e6f1a22.jsonl.lock"
    )
    text = "\n".join(
        [
            "dana@dana-mbp ~ % date",
            "Wed Dec 31 19:38:51 EST 2025",
            "dana@dana-mbp ~ % ls -la ~/.openclaw/agents/main/sessions/*.lock",
            f"-rw-r--r--  1 dana  staff  61 Dec 31 19:14 {lock}",
            f"dana@dana-mbp ~ % cat {lock}",
            "{",
            '  "pid": 48213,',
            '  "createdAt": "2026-01-01T00:14:02.118Z"',
            "}",
            f"dana@dana-mbp ~ % {command}",
        ]
    )
    result = ingest_files({"oncall-terminal.txt": text + "\n"})
    listed, printed = sorted(rows(result, "lock_file"), key=lambda r: r["line"])
    assert (listed["ts"].isoformat(), listed["duration_ms"]) == (
        "2026-01-01T00:14:00+00:00",
        1_491_000,
    )
    assert printed["duration_ms"] == 1_488_882  # 00:14:02.118 to the `date`, 00:38:51


def test_a_lock_printed_with_get_content_is_that_lock_file() -> None:
    """PowerShell's `Get-Content <lock>` (cat's own name there) prints the lock
    file: its path, session and agent (Z212: read as the transcript, no session)."""
    lock = r"C:\Users\ana\.openclaw\agents\ops\sessions\e0a4c6d8-2b1f-4c3e-a5d7-9f8e7d6c5b4a.jsonl.lock"
    text = "\r\n".join(
        [
            f"PS C:\\Users\\ana> Get-Content {lock}",
            "{",
            '  "pid": 14872,',
            '  "createdAt": "2026-06-18T07:20:08.440Z",',
            '  "maxHoldMs": 720000',
            "}",
            "PS C:\\Users\\ana> exit",
        ]
    )
    result = ingest_files({"PowerShell_transcript.OPS-WIN-07.txt": text + "\r\n"})
    (row,) = rows(result, "lock_file")
    assert (row["agent"], row["session_id"], row["pid"]) == (
        "ops",
        "e0a4c6d8-2b1f-4c3e-a5d7-9f8e7d6c5b4a",
        14872,
    )


def _transcript_command(at: str, command: str, *output: str) -> list[str]:
    """One command of a PowerShell transcript (`-IncludeInvocationHeader`)."""
    rule = "**********************"
    return [rule, f"Command start time: {at}", rule, f"PS C:\\Users\\ana> {command}", *output]


def test_a_powershell_listing_of_the_locks_is_a_lock_census() -> None:
    """`ls …\\*.lock` in a PowerShell transcript prints Get-ChildItem's table (its
    LastWriteTime in the culture's shape, local time); a later run printing
    nothing listed no lock: the lock was gone by then (Z212: neither read, the
    incident "unresolved, nothing cleared" its session)."""
    glob = r"C:\Users\ana\.openclaw\agents\*\sessions\*.lock"
    text = "\r\n".join(
        [
            *_transcript_command(
                "20260618113541",
                f"ls {glob}",
                "",
                r"    Directory: C:\Users\ana\.openclaw\agents\ops\sessions",
                "",
                "Mode                 LastWriteTime         Length Name",
                "----                 -------------         ------ ----",
                "-a---           6/18/2026  9:20 AM             85 "
                "e0a4c6d8-2b1f-4c3e-a5d7-9f8e7d6c5b4a.jsonl.lock",
                "",
            ),
            *_transcript_command("20260618113730", f"ls {glob}", ""),
            *_transcript_command("20260618114215", "Stop-Transcript"),
        ]
    )
    result = ingest_files(
        {"PowerShell_transcript.OPS-WIN-07.q8Zr1vKc.20260618113502.txt": text + "\r\n"},
        tz="UTC",
    )
    (listed,) = rows(result, "lock_file")
    assert (listed["session_id"], listed["ts"], listed["duration_ms"]) == (
        "e0a4c6d8-2b1f-4c3e-a5d7-9f8e7d6c5b4a",
        datetime(2026, 6, 18, 9, 20, tzinfo=UTC),
        8_141_000,  # to the run's `Command start time:`, 11:35:41
    )
    assert listed["lock_path"].endswith(
        r"ops\sessions\e0a4c6d8-2b1f-4c3e-a5d7-9f8e7d6c5b4a.jsonl.lock"
    )
    censuses = rows(result, "lock_census")
    assert [c["ts"].strftime("%H:%M:%S") for c in censuses] == ["11:35:41", "11:37:30"]
    gaps = resolution.census_gaps(result.events.lazy()).collect()
    assert gaps.select("session_id", "ts").rows() == [
        ("e0a4c6d8-2b1f-4c3e-a5d7-9f8e7d6c5b4a", datetime(2026, 6, 18, 11, 37, 30, tzinfo=UTC))
    ]
    (scan,) = result.files
    assert scan.unrecognized == 0


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("18.06.2026 09:20", datetime(2026, 6, 18, 9, 20)),  # de-DE
        ("18/06/2026 09:20", datetime(2026, 6, 18, 9, 20)),  # en-GB
        ("2026-06-18 09:20", datetime(2026, 6, 18, 9, 20)),  # ISO
        ("6/18/2026  9:20 PM", datetime(2026, 6, 18, 21, 20)),  # en-US
        ("12/6/2026 12:05 AM", datetime(2026, 12, 6, 0, 5)),  # en-US, midnight
    ],
)
def test_a_powershell_listings_time_is_read_in_its_cultures_shape(
    shown: str, expected: datetime
) -> None:
    """LastWriteTime is written in the session's culture: its shape says which."""
    text = "\n".join(
        [
            r"    Directory: C:\Users\ana\.openclaw\agents\ops\sessions",
            "",
            "Mode                 LastWriteTime         Length Name",
            "----                 -------------         ------ ----",
            f"-a---           {shown}             85 e0a4c6d8-2b1f-4c3e-a5d7-9f8e7d6c5b4a.jsonl.lock",
        ]
    )
    result = ingest_files({"locks.txt": text + "\n"}, tz="UTC")
    (listed,) = rows(result, "lock_file")
    assert listed["ts"] == expected.replace(tzinfo=UTC)


def test_a_header_is_no_stamp_without_a_whole_stamp() -> None:
    """A rule around a boot marker or a bare date is no run's stamp."""
    for line in (
        "-- Boot 2026-07-15T21:15:01Z --",
        "== 2026-07-15 ==",
        "--- 2026-07-15T21:15:01Z 5 ---",
    ):
        assert stamp_line(line) is None


@pytest.mark.parametrize("trimmed", [False, True])
def test_cleanup_runs_in_a_sidecars_docker_log_are_read(trimmed: bool) -> None:
    """A maintenance sidecar's `docker logs -t`: the cron's `date` line and each
    run's text behind the runtime's stamp.  Taken off, the runs are the cleanup
    document they are, timed by their `date` lines (an empty output line is a
    stamp alone, its trailing space trimmed or not)."""
    run = multi([("main", "10 -> 9"), ("ops", "5 -> 4")])
    text = f"Thu May 28 00:00:01 UTC 2026\n{run}Thu May 28 06:00:01 UTC 2026\n{run}"
    hour = 0
    lines = []
    for line in text.splitlines():
        hour = 6 if line.startswith("Thu May 28 06") else hour
        stamped = f"2026-05-28T{hour:02d}:00:02.902124441Z {line}"
        lines.append(stamped.rstrip() if trimmed else stamped)
    result = ingest_files({"openclaw-maint.docker.log": "\n".join(lines) + "\n"})
    found = rows(result, "cleanup_run")
    assert [r["ts"].hour for r in found] == [0, 0, 6, 6]
    assert result.occurrence_counts() == {"cleanup_run": 2}
    scan = result.files[0]
    assert scan.lines == scan.event_lines + scan.noise_lines + scan.unrecognized == len(lines)
    assert any("container runtime's stamps" in w for w in result.warnings)


def test_compose_logs_of_a_gateway_and_its_sidecar_stay_the_gateways_log() -> None:
    """`docker compose logs -t` interleaves the gateway's console with a sidecar's
    CLI output: read as a cleanup document, the gateway's lines lost their
    container (the host) and their lock errors.  Only one container's capture is
    unwrapped into a document."""
    run = multi([("main", "10 -> 9"), ("ops", "5 -> 4")])
    sidecar = [f"maint-1    | 2026-05-28T00:00:02.902124441Z {line}" for line in run.splitlines()]
    lock = (
        "gateway-1  | 2026-05-28T00:00:03.100000000Z 2026-05-28T02:00:03.100+02:00 [diagnostic] "
        "session file locked (timeout 10000ms): pid=7 "
        "/home/node/.openclaw/agents/ops/sessions/4a1b2c3d-0000-4000-8000-000000000001.jsonl.lock"
    )
    result = ingest_files({"compose-logs.txt": "\n".join([*sidecar, lock]) + "\n"})
    (scan,) = result.files
    assert scan.envelope == "docker-compose"
    failure = result.events.filter(kind="lock_timeout").row(0, named=True)
    assert failure["host"] == "gateway-1"


def test_cleanup_unstamped_runs_stay_apart_and_untimed() -> None:
    """Single-store runs appended without stamps are separate runs with no time."""
    result = ingest_files({"cleanup.log": DRY_RUN_SINGLE + DRY_RUN_SINGLE})
    found = rows(result, "cleanup_run")
    assert [r["doc_run"] for r in found] == [1, 2]
    assert {r["ts_quality"] for r in found} == {"untimed"}
    assert result.occurrence_counts() == {"cleanup_run": 2}


def test_cleanup_without_a_stamp_is_untimed_whatever_its_mtime() -> None:
    """No stamp in the text or the name: the time is unknown; the file's mtime is not used."""
    when = datetime(2026, 5, 28, 5, 15, 42, tzinfo=UTC)
    result = ingest_inputs([memory_input("cleanup.txt", DRY_RUN_SINGLE.encode(), mtime=when)])
    (row,) = rows(result, "cleanup_run")
    assert (row["ts"], row["ts_quality"]) == (None, "untimed")
    assert row["ts_assumption"] == "no time in the document or its name"


def test_cleanup_json_single_and_all_agents() -> None:
    """`--json`: a single summary, and the allAgents form with one row per store."""
    store = {
        "agentId": "main",
        "storePath": f"{SESSIONS}/main/sessions/sessions.json",
        "mode": "warn",
        "dryRun": True,
        "beforeCount": 12,
        "afterCount": 9,
        "missing": 1,
        "pruned": 2,
        "capped": 0,
        "unreferencedArtifacts": {"scannedFiles": 40, "removedFiles": 3},
        "wouldMutate": True,
    }
    other = {**store, "agentId": "ops", "storePath": f"{SESSIONS}/ops/sessions/sessions.json"}
    both = {"allAgents": True, "mode": "warn", "dryRun": True, "stores": [store, other]}
    result = ingest_files(
        {
            "single-2026-05-28T0500Z.json": json.dumps(store, indent=2),
            "all-2026-05-28T0600Z.json": json.dumps(both, indent=2),
        }
    )
    found = rows(result, "cleanup_run")
    assert sorted((r["source"], r["agent"], r["entries_before"]) for r in found) == [
        ("all-2026-05-28T0600Z.json", "main", 12),
        ("all-2026-05-28T0600Z.json", "ops", 12),
        ("single-2026-05-28T0500Z.json", "main", 12),
    ]
    assert {r["artifacts_pruned"] for r in found} == {3}
    assert result.occurrence_counts() == {"cleanup_run": 2}
    assert all(s.event_lines == s.lines for s in result.files)


def test_cleanup_json_partial_error_is_reported() -> None:
    """A failed store in an allAgents run becomes a warning; the stores that ran are rows."""
    store = {"agentId": "main", "storePath": "/s/sessions.json", "beforeCount": 1, "afterCount": 1}
    value = {
        "allAgents": True,
        "mode": "enforce",
        "dryRun": False,
        "stores": [store],
        "partialError": {"failingAgentId": "ops", "message": "EACCES"},
    }
    result = ingest_files({"c.json": json.dumps(value)})
    assert len(rows(result, "cleanup_run")) == 1
    assert any("cleanup failed for agent 'ops': EACCES" in w for w in result.warnings)


# --------------------------------------------------------------------------- doctor

DOCTOR_PLAIN = f"""Session locks
- Found 3 session lock files.
- ~/.openclaw/agents/main/sessions/{SID}.jsonl.lock pid=50418 (alive) age=13s stale=no
- ~/.openclaw/agents/ops/sessions/{SID[:-1]}2.jsonl.lock pid=4892 (dead) age=1h2m stale=yes (dead-pid, too-old) [removed]
- ~/.openclaw/agents/ops/sessions/{SID[:-1]}3.jsonl.lock pid=missing age=unknown stale=yes (missing-pid)
- Removed 1 stale session lock file.

Memory search
- All good.
"""


@pytest.mark.parametrize("packed", [True, False], ids=["tar-member", "loose-file"])
def test_an_untimed_document_in_an_archive_takes_its_members_time(
    tmp_path: Path, packed: bool
) -> None:
    """A doctor output with no time in its text or name, packed in a tar, was written
    when doctor ran: it takes the member's modification time, noted as assumed.  A
    loose file's mtime says when it was copied: it stays untimed."""
    written = datetime(2026, 6, 20, 15, 20, 3, tzinfo=UTC)
    name = "openclaw doctor --fix.txt"
    if packed:
        archive = tmp_path / "bundle.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            data = DOCTOR_PLAIN.encode()
            info = tarfile.TarInfo(f"bundle/cli/{name}")
            info.size, info.mtime = len(data), int(written.timestamp())
            tar.addfile(info, io.BytesIO(data))
        target = archive
    else:
        target = tmp_path / name
        target.write_text(DOCTOR_PLAIN, encoding="utf-8")
        os.utime(target, (written.timestamp(), written.timestamp()))
    found = rows(ingest([target]), "doctor_lock")
    expected = written if packed else None
    assert {r["ts"] for r in found} == {expected}
    assert {r["ts_quality"] for r in found} == {"assumed" if packed else "untimed"}


def test_doctor_lock_lines_become_events() -> None:
    """Each lock line: path, pid, alive, age, stale, reasons and removed."""
    result = ingest_files({"doctor-2026-05-28T0431Z.txt": DOCTOR_PLAIN})
    found = rows(result, "doctor_lock")
    assert [
        (r["agent"], r["pid"], r["owner_alive"], r["age_ms"], r["stale"], r["removed"])
        for r in found
    ] == [
        ("main", 50418, True, 13_000, False, False),
        ("ops", 4892, False, 3_720_000, True, True),
        ("ops", None, None, None, True, False),
    ]
    assert found[1]["stale_reasons"] == ["dead-pid", "too-old"]
    assert found[0]["session_id"] == SID
    assert result.occurrence_counts() == {"doctor_lock": 3}
    scan = result.files[0]
    assert scan.unrecognized == 0
    assert scan.relevant == 0


def test_a_lock_in_the_box_and_in_the_findings_is_one_lock_seen() -> None:
    """A health-check doctor shows a stale lock in its "Session locks" box, then
    as a finding with its repair action under it: one lock seen, not three; a
    second lock's lines are its own."""
    lock = "~/.openclaw/agents/research/sessions/5422a484-e956-510b-817b-eac0b429cd5d.jsonl.lock"
    other = "~/.openclaw/agents/ops/sessions/4a1b2c3d-0000-4000-8000-0000000000b1.jsonl.lock"
    doctor = (
        "Session locks\n- Found 2 session lock files.\n"
        f"- {lock} pid=38810 (dead) age=31h12m stale=yes (dead-pid, too-old)\n"
        f"- {other} pid=38811 (dead) age=1h2m stale=yes (dead-pid)\n"
        "- 2 lock files are stale.\n\n"
        "Findings\n"
        f"  warning  core/doctor/session-locks  Stale session lock file: {lock} (dead-pid, too-old)\n"
        "           repair: would-remove-stale-session-lock\n"
        f"  warning  core/doctor/session-locks  Stale session lock file: {other} (dead-pid)\n"
        "           repair: would-remove-stale-session-lock\n"
    )
    result = ingest_files({"doctor-2026-07-20T18-00-12Z.txt": doctor})
    assert result.occurrence_counts() == {"doctor_lock": 2}
    assert result.files[0].relevant == 0


def test_a_doctor_banner_takes_the_time_its_file_name_gives() -> None:
    """doctor prints the version banner with no stamp, as it runs: the banner is
    version evidence at the time the output's name gives, not untimed."""
    doctor = (
        "🦞 OpenClaw 2026.7.2 (b81c3e0) — Your sessions, locked and loaded.\n\n"
        "Session locks\n- Found 0 session lock files.\n"
    )
    result = ingest_files({"doctor-2026-07-21T14-20-00Z.txt": doctor})
    (banner,) = rows(result, "version")
    assert (banner["version"], banner["ts"]) == (
        "2026.7.2",
        datetime(2026, 7, 21, 14, 20, tzinfo=UTC),
    )
    assert "name of the document" in banner["ts_assumption"]


def test_doctor_clack_box_with_wrapped_paths(sample_dir: Path) -> None:
    """The boxed, word-wrapped doctor output of the sample reads back to whole lock lines."""
    path = next((sample_dir / "doctor").iterdir())
    result = ingest([path])
    found = rows(result, "doctor_lock")
    assert [r["age_ms"] for r in found] == [561_000, 1_862_000, 280_000]
    assert all(r["lock_path"].startswith("~/.openclaw/agents/") for r in found)
    assert all(r["lock_path"].endswith(".jsonl.lock") for r in found)
    assert [r["stale_reasons"] for r in found] == [[], ["too-old"], []]
    assert result.files[0].unrecognized == 0


DOCTOR_CUT_NAME = """\
◇  Session locks ────────────────────────────────────────────────────────────╮
│                                                                            │
│  - Found 2 session lock files.                                             │
│  - /data/.openclaw/agents/support/sessions/6c1f9d2e-4a7b-4e85-9c3d-2a8f5b1 │
│  e6d56.jsonl.lock pid=4121 (dead) age=42m35s stale=yes (dead-pid, too-old) │
│  [removed]                                                                 │
│  - C:\\Users\\Jo Smith\\.openclaw\\agents\\main\\sessions\\a.jsonl.lock pid=7 │
│  (alive) age=13s stale=no                                                  │
│  - Removed 1 stale session lock file.                                      │
│                                                                            │
├────────────────────────────────────────────────────────────────────────────╯
"""


def test_doctor_box_cutting_a_name_at_its_border() -> None:
    """A transcript's name longer than what is left of the box is cut at the border:
    its pieces join with nothing between them (the space made a session of
    `…2a8f5b1 e6d56`, so the removal cleared nothing); a word that merely ends at the
    border still takes its space, and a path with a space in it keeps it."""
    found = rows(ingest_files({"doctor-fix-2026-06-09T1524Z.txt": DOCTOR_CUT_NAME}), "doctor_lock")
    assert [(r["session_id"], r["removed"], r["pid"]) for r in found] == [
        ("6c1f9d2e-4a7b-4e85-9c3d-2a8f5b1e6d56", True, 4121),
        ("a", False, 7),
    ]
    assert found[1]["lock_path"] == (
        "C:\\Users\\Jo Smith\\.openclaw\\agents\\main\\sessions\\a.jsonl.lock"
    )


# --------------------------------------------------------------------------- lock files


@pytest.mark.parametrize(
    ("payload", "version", "fields"),
    [
        ('{\n  "pid": 41693,\n  "createdAt": "2026-05-14T07:35:46.405Z"\n}\n', "v1", {}),
        (
            '{"pid":41693,"createdAt":"2026-05-14T07:35:46.405Z","starttime":884211}',
            "v2",
            {"pid_starttime": 884211},
        ),
        (
            '{\n  "pid": 41693,\n  "createdAt": "2026-05-14T07:35:46.405Z",\n  "maxHoldMs": 720000\n}',
            "v3",
            {"max_hold_ms": 720000},
        ),
    ],
)
def test_lock_file_payload_versions(payload: str, version: str, fields: dict[str, int]) -> None:
    """v1, v2 and v3 payloads (pretty or compact): pid, createdAt as time, version, extras."""
    name = f"bundle/agents/pm-a/sessions/{SID}.jsonl.lock"
    result = ingest_files({name: payload})
    (row,) = rows(result, "lock_file")
    assert (row["pid"], row["lock_payload"], row["lock_scope"]) == (41693, version, "session")
    assert row["ts"] == datetime(2026, 5, 14, 7, 35, 46, 405000, tzinfo=UTC)
    assert (row["agent"], row["session_id"]) == ("pm-a", SID)
    assert all(row[k] == v for k, v in fields.items())
    assert result.files[0].event_lines == result.files[0].lines


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ("", "empty"),
        ('{"pid": 123, "createdAt": "2026-05-14T07:3', "partial"),
        ("\x7fgarbage", "invalid"),
    ],
)
def test_broken_lock_payloads_are_kept_and_reported(payload: str, kind: str) -> None:
    """Empty, cut or garbled payloads: still a lock_file event, and a warning naming the file."""
    result = ingest_files({f"agents/main/sessions/{SID}.jsonl.lock": payload})
    (row,) = rows(result, "lock_file")
    assert row["lock_payload"] == kind
    assert row["pid"] == (123 if kind == "partial" else None)
    assert any(f"lock file payload is {kind}" in w for w in result.warnings)


def test_store_and_gateway_locks_are_not_session_locks() -> None:
    """sessions.json.lock and the gateway singleton lock are classified apart."""
    result = ingest_files(
        {
            "agents/main/sessions/sessions.json.lock": '{"pid": 7, "createdAt": "2026-05-28T04:00:00Z"}',
            "state/gateway.1a2b3c4d.lock": (
                '{"pid": 48213, "createdAt": "2026-05-13T17:22:01Z", "configPath": "/h/openclaw.json"}'
            ),
        }
    )
    found = sorted(rows(result, "lock_file"), key=lambda r: r["source"])
    assert [(r["lock_scope"], r["session_id"]) for r in found] == [
        ("store", None),
        ("gateway", None),
    ]
    assert found[1]["gateway_pid"] == 48213


LISTING = f"""{SESSIONS}/main/sessions:
total 48
-rw-r--r--@ 1 song  staff  5120 May 25 14:40 {SID}.jsonl
-rw-r--r--@ 1 song  staff    85 May 25 14:43 {SID}.jsonl.lock
-rw-r--r--  1 song  staff  2048 May 25 14:44 sessions.json
-rw-r--r--  1 song  staff    60 Dec 31  2025 sessions.json.lock
"""


def test_ls_listing_lists_lock_files_with_assumed_year_and_zone() -> None:
    """`ls -l` (macOS @ flag, no year): every .lock is a lock_file, its year and zone assumed."""
    result = ingest_files({"ls-sessions-2026-05-28.txt": LISTING}, tz="Europe/Berlin")
    found = rows(result, "lock_file")
    assert [(r["lock_scope"], r["agent"], r["lock_payload"]) for r in found] == [
        ("store", "main", "listed"),
        ("session", "main", "listed"),
    ]
    assert found[1]["ts"] == datetime(2026, 5, 25, 12, 43, tzinfo=UTC)
    assert "year 2026 from file name" in found[1]["ts_assumption"]
    assert found[0]["ts"] == datetime(2025, 12, 30, 23, 0, tzinfo=UTC)
    assert result.files[0].unrecognized == 0
    assert adds_up(result)


# --------------------------------------------------------------------------- systemd


def systemctl(since: str = "Wed 2026-05-13 19:22:00 CEST", tail: str = "") -> str:
    return (
        "● openclaw-gateway.service - OpenClaw Gateway (v2026.5.22)\n"
        "     Loaded: loaded (/home/ops/.config/systemd/user/openclaw-gateway.service; enabled)\n"
        f"     Active: active (running) since {since}; 2 weeks 0 days ago\n"
        "   Main PID: 48213 (node)\n"
        "     CGroup: /user.slice/user-1000.slice/openclaw-gateway.service\n"
        "             └─48213 openclaw-gateway\n" + tail
    )


def test_an_incident_well_after_its_hosts_first_line_began_in_view() -> None:
    """The process is known from its uptime report; its host's log begins with
    quiet lines (no event) 19 minutes before the burst: the burst is seen from
    its beginning, not "may have begun earlier" (Z199: judged by the first
    event's time, the burst's own)."""
    lock = (
        "/home/ops/.openclaw/agents/main/sessions/7c1d2e3f-0000-4000-8000-000000000001.jsonl.lock"
    )
    error = f'lane task error: lane=main durationMs=60011 error="Error: session file locked (timeout 60000ms): pid=48213 {lock}"'
    log = (
        tslog_line("2026-05-28T08:55:00.412+02:00", "[ws] ⇄ res ✓ health 4ms", "gateway", "INFO")
        + tslog_line("2026-05-28T09:14:05.118+02:00", error)
        + tslog_line("2026-05-28T09:16:31.002+02:00", error)
    )
    bundle = {"systemctl-status-2026-05-28T0930Z.txt": systemctl(), "openclaw-2026-05-28.log": log}
    findings = analyze(ingest_files(bundle), Settings())
    assert findings.incidents.get_column("start_is_upper_bound").to_list() == [False]


def test_systemctl_status_is_uptime_evidence() -> None:
    """Active since + Main PID: an uptime event whose ts - uptime_ms is the process start."""
    result = ingest_files({"systemctl-status-2026-05-28T0428Z.txt": systemctl()})
    (row,) = rows(result, "uptime")
    assert row["gateway_pid"] == 48213
    assert row["version"] == "2026.5.22"
    assert row["ts"] == datetime(2026, 5, 28, 4, 28, tzinfo=UTC)
    start = row["ts"].timestamp() * 1000 - row["uptime_ms"]
    assert start == datetime(2026, 5, 13, 17, 22, tzinfo=UTC).timestamp() * 1000
    assert adds_up(result)
    assert result.files[0].unrecognized == 0


def test_each_systemctl_status_of_a_saved_session_is_read_with_its_journal_tail() -> None:
    """A saved shell session runs `systemctl status` before and after an upgrade,
    each printing its journal tail: read run by run, both are uptime evidence
    (the new process's pid and start too) and the tail's lock error is read, the
    prompts known (Z119: the file was one status document, the second block and
    every prompt unrecognised)."""
    lock = (
        "Jul 16 14:03:02 gw node[48213]: 2026-07-16T14:03:02.774+02:00 [diagnostic] lane task "
        'error: lane=main durationMs=60011 error="SessionWriteLockTimeoutError: session file '
        "locked (timeout 60000ms): pid=48213 /home/ops/.openclaw/agents/main/sessions/"
        '9c2f4a1e-7b3d-4e8a-a1f0-3d6b2c8e5a71.jsonl.lock"\n'
    )
    after = systemctl("Thu 2026-07-16 14:12:40 CEST").replace("48213", "51388")
    text = (
        "ops@gw:~$ date\nThu Jul 16 14:05:11 CEST 2026\n"
        "ops@gw:~$ systemctl --user status openclaw-gateway --no-pager\n"
        + systemctl("Mon 2026-07-13 09:14:27 CEST", "\n" + lock)
        + "ops@gw:~$ date; systemctl --user status openclaw-gateway --no-pager\n"
        "Thu Jul 16 14:18:40 CEST 2026\n" + after + "ops@gw:~$ exit\n"
    )
    result = ingest_files({"oncall.txt": text})
    starts = [
        (r["gateway_pid"], r["ts"] - timedelta(milliseconds=r["uptime_ms"] or 0))
        for r in rows(result, "uptime")
    ]
    assert starts == [
        (48213, datetime(2026, 7, 13, 7, 14, 27, tzinfo=UTC)),
        (51388, datetime(2026, 7, 16, 12, 12, 40, tzinfo=UTC)),
    ]
    assert [r["session_id"] for r in rows(result, "lock_timeout")] == [
        "9c2f4a1e-7b3d-4e8a-a1f0-3d6b2c8e5a71"
    ]
    assert result.files[0].unrecognized == 0
    assert adds_up(result)


def test_a_ticket_whose_one_prompt_is_a_status_keeps_its_long_paste_a_log() -> None:
    """A ticket opening with `$ systemctl status` and its journal tail, then a long
    paste of console lines and a `$ ps`: the status is no run of a saved session
    whose "tail" is the rest of the ticket; every pasted failure keeps its time
    (Z118: 87 untimed fragments, no incident)."""
    console = "".join(
        f"2026-06-03T14:{n // 60:02d}:{n % 60:02d}.118+01:00 [diagnostic] lane task error: "
        'lane=main durationMs=60213 error="SessionWriteLockTimeoutError: session file '
        "locked (timeout 60000ms): pid=48112 /home/oc/.openclaw/agents/main/sessions/"
        f'7b1e3c52-90d4-4f5e-a1c6-2f0d8e6b9a4{n % 10}.jsonl.lock"\n'
        for n in range(70)
    )
    record = tslog_line(
        "2026-06-03T15:00:00.118+01:00",
        'lane task error: lane=ops durationMs=60213 error="SessionWriteLockTimeoutError: '
        "session file locked (timeout 60000ms): pid=48112 /home/oc/.openclaw/agents/ops/"
        'sessions/c0a4d1f7-3b2e-4c8a-9e5d-6a7b8c9d0e12.jsonl.lock"',
    ).rstrip("\n")
    folded = "\n".join(record[i : i + 100] for i in range(0, len(record), 100))
    text = (
        "$ systemctl --user status openclaw-gateway --no-pager\n"
        + systemctl()
        + "\nAnd the console:\n\n"
        + console
        + "\nand the file log, from a narrow terminal:\n\n"
        + folded
        + "\n\n$ ps -o pid,lstart,args -p 48112\n"
    )
    result = ingest_files({"ticket.md": text})
    timeouts = rows(result, "lock_timeout")
    assert len(timeouts) == 71
    assert all(r["ts"] is not None for r in timeouts)


def test_a_status_pasted_in_a_tickets_fenced_block_is_uptime_evidence() -> None:
    """An issue thread pastes console lines, then, in a later comment's fence, a
    `systemctl status` header: the gateway's pid, version and the instant it
    started, read as a status file's are (Z176: the VPS's uptime given as at
    least 4 h, its start 42 h before), and its lines no longer unrecognised."""
    console = "".join(
        f"2026-06-03T04:{10 + n // 60}:{n % 60:02d}.311+00:00 [diagnostic] lane task error: "
        'lane=main durationMs=60011 error="SessionWriteLockTimeoutError: session file locked '
        "(timeout 60000ms): pid=48213 /home/oc/.openclaw/agents/main/sessions/"
        f'7b1e3c52-90d4-4f5e-a1c6-2f0d8e6b9a4{n % 10}.jsonl.lock"\n'
        for n in range(60)
    )
    ticket = (
        "**ops** commented\n\nThe console:\n\n```\n" + console + "```\n\n"
        "and status a few minutes later:\n\n```\n"
        "$ systemctl --user status openclaw-gateway\n"
        + systemctl("Mon 2026-06-01 09:30:14 UTC").replace(
            "; enabled)", "; enabled; preset: enab\nled)"
        )
        + "```\n\nThanks!\n"
    )
    result = ingest_files({"issue-thread.md": ticket})
    (row,) = rows(result, "uptime")
    assert (row["gateway_pid"], row["version"]) == (48213, "2026.5.22")
    start = row["ts"].timestamp() * 1000 - row["uptime_ms"]
    assert start == datetime(2026, 6, 1, 9, 30, 14, tzinfo=UTC).timestamp() * 1000
    assert adds_up(result)
    scan = result.files[0]
    # The prose and the fences are all that is left unrecognised; the status
    # header (its wrapped `Loaded:` piece too) is the hook's.
    assert not any("Active:" in t or "Main PID" in t for _, t in scan.unrecognized_samples)
    findings = analyze(result, Settings())
    (epoch,) = findings.epochs.select("pid", "start", "start_source").rows()
    assert epoch == (48213, datetime(2026, 6, 1, 9, 30, 14, tzinfo=UTC), "uptime")


def test_systemctl_under_a_german_locale_is_uptime_evidence() -> None:
    """LC_TIME=de_DE: `since Mi 2026-05-13 19:22:00 CEST; 2 Wochen 0 Tage her`."""
    status = systemctl().replace(
        "since Wed 2026-05-13 19:22:00 CEST; 2 weeks 0 days ago",
        "since Mi 2026-05-13 19:22:00 CEST; 2 Wochen 0 Tage her",
    )
    result = ingest_files({"status.txt": status})
    (row,) = rows(result, "uptime")
    assert (row["gateway_pid"], row["ts"]) == (48213, datetime(2026, 5, 13, 17, 22, tzinfo=UTC))
    assert result.files[0].unrecognized == 0


def test_kubectl_describe_pod_says_how_the_last_container_ended() -> None:
    """A pod's description: the gateway container's start (uptime evidence) and its
    last container's OOM kill at `Finished`; a sidecar's are not the gateway's."""
    describe = (
        "Name:             openclaw-0\n"
        "Namespace:        agents\n"
        "Containers:\n"
        "  gateway:\n"
        "    Image:         ghcr.io/openclaw/openclaw:2026.7.3\n"
        "    State:          Running\n"
        "      Started:      Tue, 21 Jul 2026 11:32:01 +0000\n"
        "    Last State:     Terminated\n"
        "      Reason:       OOMKilled\n"
        "      Exit Code:    137\n"
        "      Started:      Tue, 21 Jul 2026 09:07:12 +0000\n"
        "      Finished:     Tue, 21 Jul 2026 11:31:20 +0000\n"
        "    Restart Count:  3\n"
        "  proxy:\n"
        "    Image:         envoyproxy/envoy:v1.30\n"
        "    Last State:     Terminated\n"
        "      Reason:       Error\n"
        "      Exit Code:    1\n"
        "      Started:      Tue, 21 Jul 2026 08:00:00 +0000\n"
        "      Finished:     Tue, 21 Jul 2026 08:10:00 +0000\n"
        "Conditions:\n"
        "  Type              Status\n"
    )
    result = ingest_files({"describe-openclaw-0.txt": describe})
    found = [(r["kind"], r["phase"], r["ts"]) for r in rows(result, "uptime")] + [
        (r["kind"], r["phase"], r["ts"]) for r in rows(result, "gateway_stop")
    ]
    assert sorted(found, key=lambda row: row[2]) == [
        ("uptime", "k8s_started", datetime(2026, 7, 21, 9, 7, 12, tzinfo=UTC)),
        ("gateway_stop", "oom_killed", datetime(2026, 7, 21, 11, 31, 20, tzinfo=UTC)),
        ("uptime", "k8s_started", datetime(2026, 7, 21, 11, 32, 1, tzinfo=UTC)),
    ]
    assert result.files[0].unrecognized == 0


def test_systemctl_without_capture_time_gives_the_start_itself() -> None:
    """No time of capture: ts is the start, uptime 0; the journal tail is read as a log."""
    tail = (
        "\nMay 28 06:27:46 gw-prod-01 node[48213]: [session-write-lock] releasing lock held for "
        f"722960ms (max=720000ms): {SESSIONS}/support/sessions/{SID}.jsonl.lock\n"
    )
    result = ingest_files({"status.txt": systemctl(tail=tail)})
    (row,) = rows(result, "uptime")
    assert (row["ts"], row["uptime_ms"]) == (datetime(2026, 5, 13, 17, 22, tzinfo=UTC), 0)
    assert len(rows(result, "lock_released_by_watchdog")) == 1
    assert adds_up(result)


def test_systemctl_capture_time_with_no_zone_takes_its_since_lines() -> None:
    """`systemctl-status-20260528-062800.txt`: the operator's `date`, the host's clock,
    which `since … CEST` shows: captured 04:28 UTC, up since 05-13 17:22 UTC.  And a
    process up for weeks does not stretch the report's window over them."""
    log = "2026-05-28T06:20:00.000+02:00 [gateway] a line no signature reads\n"
    result = ingest_files({"systemctl-status-20260528-062800.txt": systemctl(), "g.log": log})
    (row,) = rows(result, "uptime")
    assert row["ts"] == datetime(2026, 5, 28, 4, 28, tzinfo=UTC)
    start = row["ts"].timestamp() * 1000 - row["uptime_ms"]
    assert start == datetime(2026, 5, 13, 17, 22, tzinfo=UTC).timestamp() * 1000
    alone = ingest_files({"status.txt": systemctl(), "g.log": log})
    findings = analyze(alone, Settings())
    assert findings.window_start == datetime(2026, 5, 28, 4, 20, tzinfo=UTC)


def test_systemctl_inactive_is_a_stop() -> None:
    """`inactive (dead) since …` marks the gateway's stop, not its start."""
    text = systemctl().replace("active (running)", "inactive (dead)")
    result = ingest_files({"status.txt": text})
    assert [r["kind"] for r in result.events.to_dicts()] == ["gateway_stop"]


# --------------------------------------------------------------------------- diagnostics export


def test_sample_diagnostics_export_records_version_and_platform(sample_dir: Path) -> None:
    """The export zip alone: every member carries the version, the stability bundle the uptime."""
    export = next((sample_dir / "support").iterdir())
    result = ingest([export])
    manifest = result.manifest()
    assert len(manifest) == 9
    assert {m["version"] for m in manifest} == {"2026.5.22"}
    assert {m["platform"] for m in manifest} == {"linux x64 node 22.22.2"}
    assert {m["host"] for m in manifest} == {None}  # OpenClaw redacts the host name
    assert set(result.events["version"]) == {"2026.5.22"}
    (uptime,) = rows(result, "uptime")
    assert (uptime["gateway_pid"], uptime["phase"]) == (48213, "stability")
    start = uptime["ts"].timestamp() * 1000 - uptime["uptime_ms"]
    assert start == datetime(2026, 5, 13, 17, 22, tzinfo=UTC).timestamp() * 1000
    formats = {m["path"]: m["format"] for m in manifest}
    assert formats["logs/openclaw-sanitized.jsonl"] == "diagnostics-sanitized"
    assert formats["summary.md"] == "diagnostics-summary-md"
    assert all(m["unrecognized"] == 0 for m in manifest)


def test_sanitized_records_still_read_as_events(tmp_path: Path) -> None:
    """A lock error sanitized the way the export does it ($OPENCLAW_STATE_DIR, redacted ids)
    is still a lock event, and carries the version its export's manifest names."""
    sid = "9f2f9f4f-13fe-4922-bd72-b16072716549"
    line = json.dumps(
        {
            "0": (
                "Embedded agent failed before reply: session file locked (timeout 60000ms): "
                f"pid=48213 alive=true ageMs=70312 {SESSIONS}/main/sessions/{sid}.jsonl.lock"
            ),
            "1": "chat 4917612345",
            "_meta": {"name": "openclaw", "logLevelName": "ERROR"},
            "time": "2026-05-28T06:27:45.482+02:00",
        }
    )
    sanitized = json.dumps(sanitize_record(line))
    assert "$OPENCLAW_STATE_DIR/agents/main" in sanitized
    assert '"omitted": "log-message"' in sanitized  # the second string argument is withheld
    export = tmp_path / "openclaw-diagnostics-2026-05-28T05-31-07-220Z-1.zip"
    with zipfile.ZipFile(export, "w") as out:
        out.writestr("manifest.json", json.dumps({"openclawVersion": "2026.5.22", "contents": []}))
        out.writestr("logs/openclaw-sanitized.jsonl", sanitized + "\n")
    (row,) = rows(ingest([export]), "lock_timeout")
    assert (row["agent"], row["session_id"], row["age_ms"]) == ("main", sid, 70312)
    assert (row["envelope"], row["channel"], row["version"]) == (
        "diagnostics-sanitized",
        "diagnostics",
        "2026.5.22",
    )
    assert row["ts"] == datetime(2026, 5, 28, 4, 27, 45, 482000, tzinfo=UTC)


# --------------------------------------------------------------------------- accounting


def test_unclassified_lock_wording_is_listed_as_possibly_relevant() -> None:
    """A lock line no signature reads is counted and kept as a sample, in logs and documents."""
    log = (
        "2026-05-28T06:00:00.000+02:00 [gateway] hello\n"
        "2026-05-28T06:00:01.000+02:00 [agent/embedded] SessionWriteLock lease lost for main\n"
    )
    result = ingest_files(
        {"a.log": log, "doctor.txt": DOCTOR_PLAIN + "- lock lease table is new\n"}
    )
    by_name = {s.source: s for s in result.files}
    assert by_name["a.log"].relevant == 1
    assert by_name["a.log"].relevant_samples[0][1].endswith("SessionWriteLock lease lost for main")
    assert by_name["doctor.txt"].relevant == 1
    assert adds_up(result)


HEADS = [
    DRY_RUN_SINGLE,
    multi([("main", "10 -> 9"), ("ops", "5 -> 4")]),
    DOCTOR_PLAIN,
    LISTING,
    systemctl(),
    "┌──────┬─────┐\n│ Action │ Key │\n├──┼──┤\n│ archive-cap │ agent:main:c │\n└──┴──┘\n"
    "Summary by Label:\n(unlabeled)  1 kept, 0 pruned\nTotal: 1 kept, 0 pruned\n",
    '{"pid": 1, "createdAt": "2026-05-14T07:35:46.405Z"}',
    '{\n  "allAgents": true,\n  "stores": [{"storePath": "/s", "beforeCount": 1}]\n}',
    '{\n  "openclawVersion": "x", "contents": [], "process": {"uptimeMs": 1}, "generatedAt": "2026-05-28T00:00:00Z"\n}',
]
texts = st.one_of(
    st.text(max_size=400),
    st.sampled_from(HEADS),
    st.builds(lambda s, n: s[:n], st.sampled_from(HEADS), st.integers(0, 600)),
    st.builds(
        lambda a, b, n: a[:n] + b, st.sampled_from(HEADS), st.text(max_size=80), st.integers(0, 600)
    ),
    st.builds("\n".join, st.lists(st.sampled_from("\n".join(HEADS).splitlines()))),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts, st.sampled_from(sorted(HOOKS)))
def test_document_hooks_never_raise(text: str, hook: str) -> None:
    """Any text handed to any document hook: a reading or a refusal, never an exception."""
    doc = Document.of("agents/main/sessions/x.jsonl.lock", text, bundle_year=2026)
    HOOKS[hook].sniff(doc.name, text)
    parsed = HOOKS[hook].parse(doc)
    if parsed is not None:
        assert all(1 <= n <= max(len(doc.lines), 1) for n in parsed.event_lines)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_documents_in_a_bundle_always_add_up(text: str) -> None:
    """Whatever a document-like input holds, its lines add up and the run completes."""
    result = ingest_files(
        {
            "cleanup-2026-05-28T0515Z.txt": text,
            f"agents/main/sessions/{SID}.jsonl.lock": text,
            "doctor.txt": "Session locks\n- Found 1 session lock file.\n" + text,
        }
    )
    assert adds_up(result)


def test_formats_lists_every_document_with_its_kinds() -> None:
    """`lockforensics formats` shows each document hook, in detection order, with its kinds."""
    output = CliRunner().invoke(app, ["formats"]).output
    assert "Documents (detection order, before envelopes)" in output
    for spec in load_documents().documents:
        assert spec.name in output
    assert "cleanup_run" in output


def test_document_pasted_among_log_lines_does_not_swallow_them() -> None:
    """A ticket holding cleanup output and log lines yields both the run and the lock events."""
    text = (
        "We run cleanup from cron and still see this:\n"
        "Session store: /home/u/.openclaw/agents/main/sessions/sessions.json\n"
        "Maintenance mode: warn\n"
        "Entries: 12 -> 10 (remove 2)\n"
        "Would prune missing transcripts: 0\n"
        "Would prune stale: 2\n"
        "Would cap overflow: 0\n"
        "2026-06-09T09:58:16.069+00:00 [diagnostic] lane task error: lane=main durationMs=21071 "
        'error="EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt '
        'lock was released: /data/.openclaw/agents/main/sessions/2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl"\n'
        "thanks!\n"
    )
    result = ingest_files({"ticket-2026-06-09.txt": text})
    assert result.occurrence_counts() == {"cleanup_run": 1, "takeover": 1}
    scan = result.files[0]
    assert scan.event_lines + scan.noise_lines + scan.unrecognized == scan.lines == 9


@pytest.mark.parametrize(
    "payload",
    [
        "{ pid: 41693, createdAt: '2026-05-14T07:35:46.405Z', maxHoldMs: 720000 }",
        '$ cat x.jsonl.lock\n{"pid": 41693, "createdAt": "2026-05-14T07:35:46.405Z", ...}\n$ ',
    ],
)
def test_pasted_lock_payloads_that_are_not_json_are_read(payload: str) -> None:
    """Unquoted keys, `...` elisions and a `$ cat` transcript still give pid and createdAt."""
    result = ingest_files({f"agents/main/sessions/{SID}.jsonl.lock": payload})
    (row,) = rows(result, "lock_file")
    assert (row["pid"], row["lock_payload"]) == (41693, "partial")
    assert row["ts"] == datetime(2026, 5, 14, 7, 35, 46, 405000, tzinfo=UTC)


def test_a_lock_payload_cut_inside_its_pid_names_no_pid() -> None:
    """A short write cut inside the number (`"pid": 19` of 19041): no pid, as
    OpenClaw's JSON.parse and `locks` read it, not pid 19 (Z173)."""
    result = ingest_files({f"agents/main/sessions/{SID}.jsonl.lock": '{\n  "pid": 19'})
    (row,) = rows(result, "lock_file")
    assert (row["pid"], row["lock_payload"]) == (None, "invalid")


def test_a_session_transcript_is_a_conversation_not_gateway_output() -> None:
    """A sessions folder gathered for its lock files brings the transcripts along. A
    user's message quoting a lock error was counted as one; a transcript's lines are
    known noise, unread, however long it is, and the lock file beside it still counts."""
    quoted = (
        '{"type":"message","id":"a1","parentId":null,"timestamp":"2026-06-09T09:51:00.000Z",'
        '"message":{"role":"user","content":[{"type":"text","text":"my gateway says: session '
        f'file locked (timeout 60000ms): pid=7 alive=true ageMs=61234 /d/{SID}.jsonl.lock"}}]}}}}\n'
    )
    header = (
        f'{{"type":"session","version":3,"id":"{SID}","timestamp":"2026-06-09T09:50:00.000Z"}}\n'
    )
    transcript = header + quoted * 2000
    lock = '{\n  "pid": 7,\n  "createdAt": "2026-06-09T09:50:00.000Z"\n}\n'
    result = ingest_files(
        {
            f"agents/main/sessions/{SID}.jsonl": transcript,
            f"agents/main/sessions/{SID}.jsonl.lock": lock,
        }
    )
    assert result.occurrence_counts() == {"lock_file": 1}
    scan = next(s for s in result.files if s.source.endswith(".jsonl"))
    assert (scan.envelope, scan.lines, scan.noise_lines, scan.unrecognized) == (
        "session-transcript",
        2001,
        2001,
        0,
    )


# A crontab line `(date -u; openclaw sessions cleanup [--json|--dry-run]) >> cleanup-cron.log 2>&1`,
# then a doctor run appended last: one file, many documents.
_STORE = "/home/ops/.openclaw/agents/main/sessions/sessions.json"
_TEXT_RUN = f"""Session store: {_STORE}
Maintenance mode: warn
Entries: 14 -> 14 (remove 0)
Would prune missing transcripts: 0
Would prune stale: 0
Would cap overflow: 0
"""
_JSON_RUN = json.dumps(
    {
        "agentId": "main",
        "storePath": _STORE,
        "mode": "enforce",
        "dryRun": False,
        "beforeCount": 14,
        "afterCount": 13,
        "missing": 0,
        "pruned": 1,
        "capped": 0,
        "applied": True,
        "appliedCount": 13,
    },
    indent=2,
)
_DOCTOR_RUN = """Session locks
- Found 1 session lock file.
- ~/.openclaw/agents/main/sessions/80b5c956-1c2d-4e5f-8a9b-0c1d2e3f4a5b.jsonl.lock pid=50418 (dead) age=13m2s stale=yes (dead-pid)
- 1 lock file is stale.
- Run "openclaw doctor --fix" to remove stale lock files automatically.
"""


def _cron_run(stamp: str, body: str) -> str:
    return f"{stamp}\n🦞 OpenClaw 2026.5.22 (a374c3a) — Your sessions, neatly folded.\n\n{body}\n"


def test_a_cron_log_of_text_json_and_doctor_runs_reads_every_run() -> None:
    """Each appended run is read as the document it is, timed by its own `date`
    line; its banner is version evidence at that time; nothing is left unread."""
    log = (
        _cron_run("Mon Aug 24 04:00:01 UTC 2026", _TEXT_RUN)
        + _cron_run("Mon Aug 24 04:30:01 UTC 2026", _JSON_RUN)
        + _cron_run("Mon Aug 24 05:00:01 UTC 2026", _TEXT_RUN)
        + _cron_run("Mon Aug 24 05:08:30 UTC 2026", _DOCTOR_RUN)
    )
    result = ingest_files({"cleanup-cron.log": log})
    events = result.events
    runs = events.filter(kind="cleanup_run").sort("line")
    assert runs.select("line", "phase").rows() == [(4, "dry-run"), (14, "applied"), (30, "dry-run")]
    assert [t.strftime("%H:%M") for t in runs.get_column("ts")] == ["04:00", "04:30", "05:00"]
    assert result.occurrence_counts()["cleanup_run"] == 3
    (lock,) = events.filter(kind="doctor_lock").to_dicts()
    assert (lock["pid"], lock["ts"].strftime("%H:%M:%S")) == (50418, "05:08:30")
    banners = events.filter(kind="version").get_column("ts")
    assert [t.strftime("%H:%M") for t in banners] == ["04:00", "04:30", "05:00", "05:08"]
    (scan,) = result.files
    assert scan.unrecognized == 0
    assert scan.lines == scan.event_lines + scan.noise_lines


def test_a_shell_session_that_cats_lock_files_reads_each_as_its_lock_file() -> None:
    """`$ cat <x>.jsonl.lock` and the payload it printed is that lock file: its
    pid and createdAt, its session from the path; the prompts are no text of
    their own."""
    sessions = "/home/ops/.openclaw/agents/{}/sessions/{}.jsonl.lock"
    first = sessions.format("reviewer", "b339a476-9ddc-46f8-afb6-fbfe8de4ab47")
    second = sessions.format("tutor", "110b98e8-8911-4d91-832f-304ef249b5ce")
    text = (
        "$ date -u\nThu Apr 30 08:14:09 UTC 2026\n"
        f"$ cat {first}\n"
        '{\n  "pid": 50875,\n  "createdAt": "2026-04-30T08:09:58.913Z",\n  "starttime": 81237908\n}\n'
        f"ops@gw-busy-01:~$ cat {second}\n"
        '{"pid":50890,"createdAt":"2026-04-30T08:11:02.127Z"}\n'
    )
    result = ingest_files({"state/cat-locks.txt": text})
    locks = result.events.filter(kind="lock_file").sort("line")
    assert locks.select("agent", "pid", "lock_payload").rows() == [
        ("reviewer", 50875, "v2"),
        ("tutor", 50890, "v1"),
    ]
    assert [t.isoformat() for t in locks.get_column("ts")] == [
        "2026-04-30T08:09:58.913000+00:00",
        "2026-04-30T08:11:02.127000+00:00",
    ]
    (scan,) = result.files
    assert (scan.lines, scan.unrecognized) == (10, 0)


@pytest.mark.parametrize(
    "command",
    [
        "kubectl -n agents exec openclaw-gateway-6b8d9c7f54-q7xkz -c gateway -- cat {}",
        "kubectl exec -it openclaw-gateway-0 -- sh -c 'cat {}'",
        "docker exec -it openclaw-gateway-1 cat {}",
        "docker compose exec gateway cat {}",
        "sudo cat {}",
    ],
    ids=["kubectl", "kubectl-sh-c", "docker", "compose", "sudo"],
)
def test_a_lock_file_printed_inside_the_gateways_container_is_that_lock_file(
    command: str,
) -> None:
    """A pod's lock file is read with `kubectl exec … -- cat` (Z193: its path, its
    session and the lock held at collection were lost)."""
    lock = "/home/node/.openclaw/agents/support/sessions/72c391b1-be5a-4af4-8ca6-3c6c84d5c904.jsonl.lock"
    text = (
        f"oncall@bastion:~$ {command.format(lock)}\n"
        '{\n  "pid": 1,\n  "createdAt": "2026-05-27T13:56:34.600Z",\n  "maxHoldMs": 1920000\n}\n'
    )
    result = ingest_files({"terminal.txt": text})
    (lock_row,) = result.events.filter(kind="lock_file").iter_rows(named=True)
    assert (lock_row["agent"], lock_row["session_id"], lock_row["pid"]) == (
        "support",
        "72c391b1-be5a-4af4-8ca6-3c6c84d5c904",
        1,
    )


def test_a_powershell_transcripts_commands_are_timed_by_their_invocation_headers() -> None:
    """`Start-Transcript -IncludeInvocationHeader`: each command's `Command start
    time:` block dates it, not the file name's stamp (the session's start), and
    a command that printed nothing (`Stop-Process`) does not take the next one's
    (Z200: `doctor --fix` put before the listing that saw the lock held)."""
    header = (
        "**********************\nWindows PowerShell transcript start\n"
        "Start time: 20260604081140\nUsername: GW-WIN-01\\ana\n"
        "Machine: GW-WIN-01 (Microsoft Windows NT 10.0.20348.0)\n**********************\n"
    )
    text = header + TRANSCRIPT_TAIL
    name = "PowerShell_transcript.GW-WIN-01.Rk2Lm7Wq.20260604081140.txt"
    result = ingest_files({name: text}, tz="+02:00")
    (removed,) = result.events.filter(kind="doctor_lock").iter_rows(named=True)
    assert removed["removed"] is True
    assert removed["ts"] == datetime(2026, 6, 4, 6, 13, 20, tzinfo=UTC)


TRANSCRIPT_TAIL = r"""└  Doctor complete.
**********************
Command start time: 20260604081250
**********************
PS C:\Users\ana> Stop-Process -Id 9184 -Force
**********************
Command start time: 20260604081320
**********************
PS C:\Users\ana> openclaw doctor --fix | Out-Host
🦞 OpenClaw 2026.5.22 (a374c3a) — Your terminal just grew claws—mind the furniture.

┌  OpenClaw doctor
│
◇  Session locks ───────────────────────────────────────────────╮
│                                                               │
│  - Found 1 session lock file.                                 │
│  - ~\.openclaw\agents\research\sessions\                      │
│  d5a8c3e0-7b19-4e62-9f4d-3a1c8e6b2f70.jsonl.lock              │
│    pid=9184 (dead) age=17m49s stale=yes (dead-pid) [removed]  │
│  - Removed 1 stale session lock file.                         │
│                                                               │
├───────────────────────────────────────────────────────────────╯
│
"""


def test_a_saved_session_ending_at_an_empty_prompt_reads_its_last_run_whole() -> None:
    """A saved shell session ends with the prompt the operator typed nothing at:
    that prompt ends the doctor run above it, whose `- Removed 1 stale session lock
    file.` is doctor's own summary, not unrecognised text (nor is the prompt)."""
    lock = "~/.openclaw/agents/ops/sessions/9e8d7c6b-5a49-4838-a726-15f4e3d2c1b0.jsonl.lock"
    text = (
        "ops@gw-lin:~$ date -u\nFri Jul  3 09:30:00 UTC 2026\n"
        "ops@gw-lin:~$ openclaw doctor --fix\n"
        "Session locks\n- Found 1 session lock file.\n"
        f"- {lock} pid=4022 (dead) age=1h25m stale=yes (dead-pid, too-old) [removed]\n"
        "- Removed 1 stale session lock file.\n"
        "ops@gw-lin:~$ \n"
    )
    result = ingest_files({"maintenance/doctor-fix.session.txt": text})
    (scan,) = result.files
    assert (scan.lines, scan.unrecognized) == (8, 0)
    # Read run by run, the doctor still ran when `$ date -u` before it said.
    (removal,) = result.events.filter(kind="doctor_lock").select("removed", "ts").rows()
    assert removal == (True, datetime(2026, 7, 3, 9, 30, tzinfo=UTC))


def test_a_saved_terminal_session_is_read_as_its_screen_showed_it() -> None:
    """`script` inside tmux: each prompt sets the window title and colours the
    user, bash turns bracketed paste on and off around the command (its output
    begins with `ESC[?2004l` CR), and lines end in CRLF.  Read as the screen
    showed it, the session's `cat` of a lock file and its doctor run are the
    documents they are; every line is still counted."""
    prompt = "\x1b[?2004h\x1b]0;mara@gw-lab-02: ~\x07\x1b[01;32mmara@gw-lab-02\x1b[00m:~$ "
    lock = (
        "/home/mara/.openclaw/agents/ops/sessions/e41f0c9d-5b7a-4c1e-9d2f-3a6b8c0e1f24.jsonl.lock"
    )
    lines = [
        'Script started on 2026-06-30 12:28:51+02:00 [TERM="tmux-256color"]',
        f"{prompt}cat {lock}",
        '\x1b[?2004l\r{"pid":44590,"createdAt":"2026-06-30T09:48:06.669Z"}',
        f"{prompt}openclaw doctor",
        "\x1b[?2004l\rSession locks",
        "- Found 1 session lock file.",
        f"- {lock} pid=44590 (alive) age=40m22s stale=no",
        f"{prompt}exit",
    ]
    text = "\r\n".join(lines) + "\r\n"
    result = ingest_files({"gw-lab-02-session.typescript": text})
    assert result.events.filter(kind="lock_file").select("agent", "pid").rows() == [("ops", 44590)]
    assert result.events.filter(kind="doctor_lock").height == 1
    (scan,) = result.files
    assert scan.lines == len(lines) == scan.event_lines + scan.noise_lines + scan.unrecognized


@pytest.mark.parametrize(
    "command",
    [
        "/usr/bin/node /usr/lib/node_modules/openclaw/dist/index.js gateway --port 18789",
        # A container's entrypoint names no `openclaw` at all.
        "node dist/index.js gateway --port 18789 --bind lan",
    ],
)
def test_ps_lstart_gives_the_gateway_process_its_start(command: str) -> None:
    """`ps -o pid,lstart,etime,cmd`: the gateway row is its process's start (host
    local time), the shell's row is no event; the epoch starts there, exactly."""
    ps = (
        "    PID                  STARTED     ELAPSED CMD\n"
        f"  48211 Wed May 27 10:11:53 2026 20-00:30:07 {command}\n"
        "  51002 Tue Jun 16 10:40:01 2026       00:07 -bash\n"
        # The operator's own commands name the gateway and are none (Z126).
        "  51010 Tue Jun 16 10:40:03 2026       00:05 journalctl --user -u openclaw-gateway -f\n"
        "  51020 Tue Jun 16 10:40:05 2026       00:03 watch -n 30 openclaw gateway status\n"
    )
    journal = (
        "2026-06-16T10:41:00+0530 kestrel node[48211]: [diagnostic] lane task error: lane=main "
        'durationMs=10012 error="Error: session file locked (timeout 10000ms): pid=48211 '
        '/h/.openclaw/agents/main/sessions/2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl.lock"\n'
    )
    result = ingest_files({"host/ps-gateway.txt": ps, "journal.txt": journal})
    (uptime,) = result.events.filter(kind="uptime").to_dicts()
    assert (uptime["gateway_pid"], uptime["uptime_ms"]) == (48211, 0)
    assert uptime["ts"] == datetime(2026, 5, 27, 4, 41, 53, tzinfo=UTC)
    (scan,) = [s for s in result.files if s.source.endswith("ps-gateway.txt")]
    assert (scan.envelope, scan.event_lines, scan.unrecognized) == ("ps-lstart", 1, 0)
    findings = analyze(result, Settings())
    (epoch,) = findings.epochs.select("pid", "start", "start_source").rows()
    assert epoch == (48211, datetime(2026, 5, 27, 4, 41, 53, tzinfo=UTC), "uptime")


def _inspected(name: str, args: list[str], state: dict[str, object]) -> dict[str, object]:
    return {"Id": "3f2a9c1d", "Path": "docker-entrypoint.sh", "Args": args, "State": state,
            "Name": name, "Config": {"Hostname": "3f2a9c1d", "Image": "node:22"}}  # fmt: skip


def test_docker_inspect_gives_the_container_its_start_and_its_oom_kill() -> None:
    """`docker inspect`: the gateway container's StartedAt is its process's start
    (the epoch's, exactly: the logs' start line was rotated away), and, no longer
    running, its FinishedAt an OOM kill (exit 137) that ends it: a crash the
    OOM killer caused.  A sidecar's state is no gateway's (Z125: 204 lines of
    noise, and an uptime shown as a lower bound)."""
    oom = {"Status": "exited", "Running": False, "OOMKilled": True, "ExitCode": 137,
           "StartedAt": "2026-06-25T18:02:11.482913301Z",
           "FinishedAt": "2026-06-28T03:58:31.904117562Z"}  # fmt: skip
    sidecar = {"Status": "exited", "Running": False, "OOMKilled": False, "ExitCode": 1,
               "StartedAt": "2026-06-27T10:00:00Z", "FinishedAt": "2026-06-28T01:00:00Z"}  # fmt: skip
    inspect = json.dumps(
        [
            _inspected("/openclaw-gateway", ["node", "dist/index.js", "gateway"], oom),
            _inspected("/redis", ["redis-server"], sidecar),
        ],
        indent=4,
    )
    log = "".join(
        f"2026-06-28T03:4{m}:05.115788239Z 2026-06-28T03:4{m}:05.114+00:00 [diagnostic] lane "
        'task error: lane=main durationMs=10012 error="Error: session file locked (timeout '
        "10000ms): pid=1 /data/.openclaw/agents/main/sessions/c8d0e2f4-6a8c-4b1d-9e3f-7a9c1e3b5d8f"
        '.jsonl.lock"\n'
        for m in (6, 7)
    )
    result = ingest_files({"docker-inspect.json": inspect + "\n", "docker-logs.txt": log})
    scan = next(s for s in result.files if s.source == "docker-inspect.json")
    assert (scan.envelope, scan.event_lines, scan.unrecognized) == ("docker-inspect", 2, 0)
    findings = analyze(result, Settings())
    (epoch,) = findings.epochs.select("start", "start_source", "ended_by", "oom_killed").rows()
    assert epoch == (
        datetime(2026, 6, 25, 18, 2, 11, 482913, tzinfo=UTC),
        "uptime",
        "crash",
        True,
    )
    incident = findings.incidents.row(0, named=True)
    assert (incident["uptime_s"], incident["uptime_is_lower_bound"]) == (207833, False)


@pytest.mark.parametrize("unit", ["", "Id=openclaw-gateway.service\n", "Id=nginx.service\n"])
def test_systemctl_show_gives_the_main_process_its_start(unit: str) -> None:
    """`systemctl show … -p MainPID -p ExecMainStartTimestamp`: the gateway's process
    and its start, exactly (Z126: three unrecognised lines, and uptimes shown as
    lower bounds); another unit's is none of the gateway's."""
    show = (
        f"{unit}MainPID=1873\nExecMainStartTimestamp=Tue 2026-06-02 09:14:36 CEST\n"
        "ActiveEnterTimestamp=Tue 2026-06-02 09:14:36 CEST\n"
    )
    journal = "".join(
        f"2026-06-10T20:4{m}:07+0200 gw-eu-02 openclaw[1873]: [diagnostic] lane task error: "
        'lane=main durationMs=10012 error="Error: session file locked (timeout 10000ms): '
        'pid=1873 /h/.openclaw/agents/main/sessions/2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl.lock"\n'
        for m in (1, 2)
    )
    result = ingest_files({"systemctl-show.txt": show, "journal.txt": journal})
    findings = analyze(result, Settings())
    incident = findings.incidents.row(0, named=True)
    ours = "nginx" not in unit
    assert (incident["uptime_is_lower_bound"], incident["uptime_s"] == 732391) == (not ours, ours)
    (scan,) = [s for s in result.files if s.source == "systemctl-show.txt"]
    # Another unit's properties are not read as the gateway's: left as text.
    assert (scan.envelope == "systemctl-show", scan.event_lines) == (ours, 2 if ours else 0)


def test_a_ps_listing_with_no_gateway_row_is_still_a_listing() -> None:
    """A listing whose gateway shows only its title (`openclaw`, which a CLI run
    shows too) names no gateway: no start, and its rows are known lines, not 40
    lines of unrecognised log text (Z126)."""
    ps = (
        "    PID                  STARTED     ELAPSED COMMAND\n"
        "      1 Fri May 29 06:02:11 2026 13-03:28:54 /sbin/init\n"
        "   1873 Tue Jun  2 09:14:36 2026  9-00:16:29 openclaw\n"
        "  40612 Thu Jun 11 08:59:50 2026       31:15 watch -n 30 openclaw gateway status\n"
    )
    result = ingest_files({"ps.txt": ps})
    (scan,) = result.files
    assert (scan.envelope, scan.unrecognized, scan.noise_lines, scan.event_lines) == (
        "ps-lstart",
        0,
        4,
        0,
    )


@pytest.mark.parametrize(
    "before",
    ["", "$ date\nThu Feb 12 09:38:51 CST 2026\n$ kubectl -n openclaw get pods\nNAME  READY\n"],
    ids=["ps-alone", "in-a-session"],
)
def test_what_kubectl_exec_printed_is_its_pods(before: str) -> None:
    """Z239: `ps` run in each of two pods with `kubectl exec`: each gateway row is
    its pod's, the host its `kubectl logs --prefix` lines name, not of no host
    (pod A's gateway pid lost, pod B's taken for it)."""
    header = "  PID                  STARTED     ELAPSED COMMAND\n"
    gateway = "node openclaw.mjs gateway --bind lan --port 18789\n"
    session = (
        "$ kubectl -n openclaw exec openclaw-6b8f9c7d5-lq2xw -- ps -o pid,lstart,etime,args\n"
        + header
        + f"    7 Tue Feb 10 09:12:41 2026  2-06:26:13 {gateway}"
        + "$ kubectl exec -it pod/openclaw-7c4d8b6f9-m9ztk -c openclaw -- ps -o pid,lstart,etime,args\n"
        + header
        + f"    1 Thu Feb 12 15:05:09 2026       33:47 {gateway}"
    )
    rows = ingest_files({"oncall.txt": before + session}).events.filter(pl.col("kind") == "uptime")
    assert rows.select("gateway_pid", "host").rows() == [
        (7, "openclaw-6b8f9c7d5-lq2xw"),
        (1, "openclaw-7c4d8b6f9-m9ztk"),
    ]


@pytest.mark.parametrize("prompt", [False, True], ids=["date-line", "saved-terminal"])
def test_ps_lstart_under_a_date_line_is_read_in_the_zone_that_line_names(prompt: bool) -> None:
    """`date` and `ps` print the same local time; lstart names no zone, `date`
    does (`PDT`): 01:52:17 is 08:52:17 UTC, not 01:52:17 (Z197: seven hours
    early, and "no zone needed")."""
    date = "Thu Jun 18 10:15:09 PDT 2026\n"
    ps = (
        "  PID STARTED                          ELAPSED COMMAND\n"
        "15873 Thu Jun 18 01:52:17 2026        08:22:52 /opt/homebrew/opt/node@22/bin/node "
        "/opt/homebrew/lib/node_modules/openclaw/dist/index.js gateway --port 18789\n"
    )
    text = f"$ date\n{date}$ ps -o pid,lstart,etime,command -p 15873\n{ps}" if prompt else date + ps
    findings = analyze(ingest_files({"ps.txt": text}), Settings())
    (epoch,) = findings.epochs.select("pid", "start").rows()
    assert epoch == (15873, datetime(2026, 6, 18, 8, 52, 17, tzinfo=UTC))
    (uptime,) = findings.events.filter(pl.col("kind") == "uptime").collect().to_dicts()
    assert "-07:00 from ELAPSED" in uptime["ts_assumption"]


@pytest.mark.parametrize(
    "between",
    [
        "dana@dana-mbp ~ % whoami\ndana\n",
        "dana@dana-mbp ~ % ls -la ~/.openclaw/agents/ops/sessions/*.lock\n"
        "-rw-r--r--  1 dana  staff  61 Dec 31 19:22 "
        "/Users/dana/.openclaw/agents/ops/sessions/d0a37f15-8b6e-4c21-b0f4-5e9a2c8d7b31.jsonl.lock\n",
    ],
    ids=["whoami", "ls"],
)
def test_ps_lstart_further_down_a_saved_terminal_is_read_in_its_dates_zone(between: str) -> None:
    """A zsh session: `date` (EST), another command, then `ps`: the listing is
    still read, and in the zone the session's `date` showed, by its rules (the
    start fell in EDT): 10:14:06 is 14:14:06 UTC (Z211: unread after `whoami`,
    read as UTC after `ls`)."""
    text = (
        "dana@dana-mbp ~ % date\nWed Dec 31 19:38:51 EST 2025\n"
        + between
        + "dana@dana-mbp ~ % ps -o pid,lstart,etime,command -p 48213\n"
        "  PID STARTED                          ELAPSED COMMAND\n"
        "48213 Sat Nov  1 10:14:06 2025     60-10:24:45 /opt/homebrew/bin/node "
        "/opt/homebrew/lib/node_modules/openclaw/dist/index.js gateway --port 18789\n"
    )
    result = ingest_files({"oncall-terminal.txt": text})
    (uptime,) = rows(result, "uptime")
    assert (uptime["gateway_pid"], uptime["ts"]) == (
        48213,
        datetime(2025, 11, 1, 14, 14, 6, tzinfo=UTC),
    )


@pytest.mark.parametrize(
    "run",
    [
        "docker compose -f /srv/openclaw/compose.yaml exec gateway ps -eo pid,ppid,lstart,etime,rss,args",
        "ssh ops@gw-sp-01 ps -eo pid,ppid,lstart,etime,rss,args",
    ],
    ids=["container", "ssh"],
)
def test_ps_run_in_a_container_is_not_read_in_the_laptops_date_zone(run: str) -> None:
    """The laptop's `date` says WEST; `ps` ran in the container (or over ssh),
    whose clock is the container's: its lstart is not read in Lisbon's zone
    (Z213: four hours off, the burst given to the process before), but at
    the `date`'s instant less ELAPSED (the container's -03:00)."""
    text = (
        "ops@lisbon-mbp ~ % date\nTue Jul 21 04:20:41 WEST 2026\n"
        f"ops@lisbon-mbp ~ % {run}\n"
        "  PID  PPID                  STARTED     ELAPSED   RSS COMMAND\n"
        "    7     1 Tue Jul 21 00:01:44 2026       18:57 612448 node openclaw.mjs gateway --bind lan\n"
    )
    result = ingest_files({"oncall.txt": text})
    (uptime,) = rows(result, "uptime")
    assert "Lisbon" not in str(uptime["ts_assumption"])
    assert uptime["ts"] == datetime(2026, 7, 21, 3, 1, 44, tzinfo=UTC)
    assert "-03:00 from ELAPSED" in uptime["ts_assumption"]


def test_ps_lstart_in_the_repeated_hour_is_placed_by_its_elapsed_time() -> None:
    """The night clocks went back: `02:58:03` is twice; `date` (03:36:12 CET)
    less ELAPSED (38:08) says its second pass, 01:58:03 UTC (Z216: its first,
    an hour early, a phantom process beside the real one)."""
    text = (
        'oc@gw-fra-02:~$ date; ps -o pid,lstart,etime,args -p "$(pidof node)"\n'
        "Sun Oct 25 03:36:12 CET 2026\n"
        "    PID                  STARTED     ELAPSED COMMAND\n"
        "  53990 Sun Oct 25 02:58:03 2026       38:08 /usr/bin/node "
        "/home/oc/.npm-global/lib/node_modules/openclaw/dist/index.js gateway --port 18789\n"
    )
    (uptime,) = rows(ingest_files({"host/ps.txt": text}), "uptime")
    assert uptime["ts"] == datetime(2026, 10, 25, 1, 58, 3, tzinfo=UTC)


_CONTAINER = "9c41e7d2ab30f18e6b2c5d07a93e41f2c8b6d5e0a7f39c1d24e8b6a05f7c3d91"


def _docker_event(at: str, action: str, *attrs: str) -> str:
    shown = ", ".join(
        [*attrs, "image=ghcr.io/openclaw/openclaw:2026.7.3", "name=openclaw-gateway-1"]
    )
    return f"2026-07-21T{at}+01:00 container {action} {_CONTAINER} ({shown})\n"


def test_docker_events_show_each_oom_kill_and_stop_of_the_gateways_container() -> None:
    """`docker events`: an `oom` then `die` is an OOM kill, the policy's `start`
    the next process; a `kill` with SIGTERM before `die` is a stop asked for;
    health checks and the network are known lines (Z213: every line noise,
    both kills "no stop logged")."""
    text = (
        "$ docker events --filter container=openclaw-gateway-1\n"
        + _docker_event("02:41:41.900000883", "health_status: unhealthy")
        # The healthcheck many compose files run: its command holds parentheses (Z235).
        + _docker_event(
            "02:41:42.200000389",
            "exec_create: node -e fetch('http://127.0.0.1:18789/healthz')"
            ".then((r)=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))",
        )
        + _docker_event("02:42:07.519338934", "oom")
        + _docker_event("02:42:07.600338825", "die", "exitCode=137")
        + _docker_event("02:42:08.163420990", "start")
        + "2026-07-21T02:42:08.2+01:00 network connect 7a1e93c0d4b2 (container=9c41e7d2ab30, name=openclaw_default, type=bridge)\n"
        + _docker_event("04:10:00.000000000", "kill", "signal=15")
        + _docker_event("04:10:01.500000000", "die", "exitCode=143")
    )
    result = ingest_files({"docker/docker-events.txt": text})
    found = [
        (r["kind"], r["phase"], r["ts"].strftime("%H:%M:%S")) for r in result.events.to_dicts()
    ]
    assert found == [
        ("gateway_stop", "oom_killed", "01:42:07"),
        ("uptime", "docker_started", "01:42:08"),
        ("gateway_stop", "exited", "03:10:01"),
    ]
    (scan,) = result.files
    assert (scan.unrecognized, scan.event_lines, scan.lines) == (0, 3, 9)


def test_docker_events_as_json_are_read_too() -> None:
    """`docker events --format '{{json .}}'`: the same events, timed by `timeNano`."""

    def line(action: str, nano: int, **attrs: str) -> str:
        actor = {"ID": _CONTAINER, "Attributes": {"name": "openclaw-gateway-1", **attrs}}
        return (
            json.dumps({"Type": "container", "Action": action, "Actor": actor, "timeNano": nano})
            + "\n"
        )

    text = line("oom", 1784598127519338934) + line("die", 1784598127600338825, exitCode="137")
    result = ingest_files({"events.jsonl": text})
    (stop,) = result.events.to_dicts()
    assert (stop["phase"], stop["ts"]) == (
        "oom_killed",
        datetime(2026, 7, 21, 1, 42, 7, 600338, tzinfo=UTC),
    )


def test_a_lease_era_doctor_run_is_a_doctor_run_at_its_date() -> None:
    """A 2026.8 doctor has no "Session locks" note (its locks are SQLite
    leases): its run is still a doctor's, its banner's version at the `date`
    typed before it (Z210: read as plain text, the version untimed)."""
    text = (
        "oc@gw-lease-b:~$ date\nTue Aug 18 16:05:31 CEST 2026\noc@gw-lease-b:~$ openclaw doctor\n\n"
        "🦞 OpenClaw 2026.8.12 (3f9c2e1) — Your sessions, now with fewer mysteries.\n\n"
        "┌  OpenClaw doctor\n│\n◇  Gateway ──────────────╮\n│                        │\n"
        "│  Gateway reachable     │\n│                        │\n├────────────────────────╯\n"
        "│\n└  Doctor complete.\n"
    )
    result = ingest_files({"gw-lease-b/openclaw-doctor.txt": text})
    (banner,) = rows(result, "version")
    assert (banner["version"], banner["ts"]) == (
        "2026.8.12",
        datetime(2026, 8, 18, 14, 5, 31, tzinfo=UTC),
    )
    (scan,) = result.files
    assert (scan.envelope, scan.unrecognized) == ("doctor", 0)


def test_an_openclaw_logs_capture_is_no_docker_events() -> None:
    """`openclaw logs --plain` lines (`<ts> info gateway ready (…)`) look like
    `docker events`' shape but name no object type of Docker's: still a log,
    its `ready` a start (Z220: read as events, the start lost)."""
    text = (
        "Log file: C:\\Users\\ana\\AppData\\Local\\Temp\\openclaw\\openclaw-2026-06-11.log\n"
        "2026-06-11T05:14:05.412+02:00 info gateway ready (4 plugins: telegram, slack, memory-core, browser; 3.1s)\n"
    )
    result = ingest_files({"logs.txt": text})
    assert result.files[0].envelope != "docker-events"
    assert rows(result, "gateway_start")


def test_ps_under_date_u_then_date_takes_the_local_offset() -> None:
    """`date -u; date` then `ps`: UTC is any host's clock, and the local `IST`
    names no one zone; ELAPSED from the `date`'s instant gives +05:30 (Z218:
    read as UTC, a phantom process five and a half hours late)."""
    text = (
        "root@vps-claw-01:~# date -u; date\nTue Mar 31 04:35:12 UTC 2026\nTue Mar 31 10:05:12 IST 2026\n"
        "root@vps-claw-01:~# uptime\n 10:05:13 up 9 days,  2:11,  1 user,  load average: 0.20, 0.11, 0.09\n"
        "root@vps-claw-01:~# ps -o pid,lstart,etime,args -p 9388\n"
        "    PID                  STARTED     ELAPSED COMMAND\n"
        "   9388 Tue Mar 31 03:01:46 2026    07:03:26 openclaw-gateway\n"
    )
    (uptime,) = rows(ingest_files({"captures/at-collection.txt": text}), "uptime")
    assert uptime["ts"] == datetime(2026, 3, 30, 21, 31, 46, tzinfo=UTC)


def test_a_date_a_command_printed_itself_dates_its_run() -> None:
    """`kubectl exec … -- sh -c 'date -u; openclaw doctor'`: the date under the
    prompt is that command's output, not the next command's header (Z219:
    the doctor run untimed, its version lost)."""
    text = (
        "$ kubectl -n openclaw exec openclaw-gateway-5f7c9d8b6-tn8vr -c gateway -- "
        "sh -c 'date -u; openclaw doctor --non-interactive'\n"
        "Fri Aug 14 10:56:20 UTC 2026\n"
        "🦞 OpenClaw 2026.7.3 (c41e9a7) — Still here.\n\n"
        "┌  OpenClaw doctor\n│\n└  Doctor complete.\n"
    )
    (banner,) = rows(ingest_files({"doctor-tn8vr.txt": text}), "version")
    assert banner["ts"] == datetime(2026, 8, 14, 10, 56, 20, tzinfo=UTC)


def test_an_older_builds_gateway_row_runs_dist_entry_js() -> None:
    """Builds before 2026.3 ran the gateway as `node …/openclaw/dist/entry.js
    gateway`: that `ps` row is the gateway's start (Z228: noise, the pid unknown,
    the uptime a lower bound of 9 h for 217 h)."""
    text = (
        "oc@old-box:~$ date\nThu Aug 20 10:29:40 EDT 2026\n"
        "    PID                  STARTED     ELAPSED COMMAND\n"
        "   2217 Tue Aug 11 09:03:12 2026  9-01:26:28 node "
        "/usr/lib/node_modules/openclaw/dist/entry.js gateway\n"
    )
    (uptime,) = rows(ingest_files({"old-box/ps.txt": text}), "uptime")
    assert (uptime["gateway_pid"], uptime["ts"]) == (
        2217,
        datetime(2026, 8, 11, 13, 3, 12, tzinfo=UTC),
    )


def test_an_old_lock_files_created_at_is_no_time_the_bundle_covers() -> None:
    """A dead process's lock file created months ago says when a lock was taken, not
    that the bundle covers the months since: the window is the logs' own."""
    lock = json.dumps({"pid": 2231, "createdAt": "2026-02-19T22:14:09.733Z"})
    log = (
        "2026-06-12T11:40:04.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 73120)\n"
        "2026-06-12T11:40:12.000+02:00 [gateway] log file: /tmp/openclaw/openclaw-2026-06-12.log\n"
    )
    sessions = "agents/main/sessions/11aa22bb-0000-4000-8000-000000000001.jsonl.lock"
    result = ingest_files({sessions: lock, "console.log": log})
    findings = analyze(result, Settings())
    assert findings.window_start == datetime(2026, 6, 12, 9, 40, 4, tzinfo=UTC)
    (row,) = [r for r in result.manifest() if r["path"] == sessions]
    assert row["first"] is None


def test_a_transcript_written_with_spaces_is_still_a_transcript() -> None:
    """A transcript re-serialised with spaces (`json.dumps`, a pretty printer's
    flat form) is still the conversation, not the gateway's output: a quoted
    lock error in it is no failure."""
    records = [
        {"type": "session", "version": 3, "id": SID, "timestamp": "2026-06-09T09:50:00.000Z"},
        {
            "type": "message",
            "message": {"role": "user", "content": "session file locked (timeout 60000ms): pid=7"},
        },
    ]
    transcript = "".join(json.dumps(r) + "\n" for r in records)
    result = ingest_files({f"agents/main/sessions/{SID}.jsonl": transcript})
    (scan,) = result.files
    assert (scan.envelope, scan.noise_lines) == ("session-transcript", 2)
    assert result.events.is_empty()


def test_a_doctor_run_right_after_a_date_run_takes_its_stamp() -> None:
    """A shell session saving `$ date -u` and then `$ openclaw doctor --fix`: the
    doctor's banner was printed at the time `date` just printed (it was untimed:
    the date is a run of its own)."""
    text = (
        "$ date -u\nWed Jun 17 02:06:10 UTC 2026\n$ openclaw doctor --fix\n"
        "🦞 OpenClaw 2026.6.9 (3c1e2a7) — Your sessions, now with fewer locks.\n\n"
        "Session locks\n- Found 0 session lock files.\n"
        "$ openclaw --version\n🦞 OpenClaw 2026.6.9 (3c1e2a7) — Still here.\n"
    )
    result = ingest_files({"doctor.txt": text})
    banners = rows(result, "version")
    # Only the run right after `date` takes its stamp; a later run has none.
    assert [(b["version"], b["ts"]) for b in banners] == [
        ("2026.6.9", datetime(2026, 6, 17, 2, 6, 10, tzinfo=UTC)),
        ("2026.6.9", None),
    ]


@pytest.mark.parametrize(
    "before",
    [
        "Thu Jul 23 14:12:55 CEST 2026\n",
        "ops@hel-vps-02:~$ date\nThu Jul 23 14:12:55 CEST 2026\n"
        "ops@hel-vps-02:~$ ps -o pid,lstart,etime,args -p 48211\n",
    ],
)
def test_ps_lstart_after_a_date_or_a_prompt_is_still_read(before: str) -> None:
    """`{ date; ps …; } > f`, or a saved terminal: the `ps` listing under them is
    still the gateway's start (Z186: unread, the uptime a lower bound)."""
    ps = (
        before + "    PID  STARTED                  ELAPSED COMMAND\n"
        "  48211 Tue Jul 21 09:14:03 2026 2-04:58:52 openclaw-gateway\n"
    )
    result = ingest_files({"answers/ps-during-burst.txt": ps}, tz="+02:00")
    (uptime,) = result.events.filter(kind="uptime").to_dicts()
    assert (uptime["gateway_pid"], uptime["ts"]) == (
        48211,
        datetime(2026, 7, 21, 7, 14, 3, tzinfo=UTC),
    )
    (scan,) = result.files
    assert scan.unrecognized == 0


@pytest.mark.parametrize(
    ("line", "offset"),
    [
        ("Sun Apr  5 01:55:00 +11 2026", timedelta(hours=11)),  # Lord Howe's +11, no abbreviation
        ("Sun Apr  5 01:49:30 +1030 2026", timedelta(hours=10, minutes=30)),
        ("Sun Apr  5 08:27:40 +0545 2026", timedelta(hours=5, minutes=45)),
    ],
)
def test_date_lines_with_numeric_zones_are_stamps(line: str, offset: timedelta) -> None:
    """`date` writes a zone with no abbreviation as its offset, `+11` for whole hours."""
    stamp = stamp_line(line)
    assert stamp is not None
    assert stamp.offset == offset


def test_a_session_store_links_a_lease_key_to_its_session_id() -> None:
    """A lease-era lock error names its session by key only, the successful run that
    cleared it by id; `sessions.json` (key -> sessionId) says they are one session,
    so the run clears the incident (it had been left to a cleanup hours later)."""
    sid = "9e2f7b13-6a05-4c8e-b1d7-3f4a2c6e8d02"
    store = json.dumps(
        {
            "agent:main:main:heartbeat": {"sessionId": sid, "sessionStartedAt": 1787205600000},
            "agent:main:main": {"sessionId": "5d0c6a1e-3b7f-4e21-9a44-0f2b8c9d1e01"},
        },
        indent=2,
    )
    log = (
        "2026-08-21T12:18:10.000+02:00 [diagnostic] lane task error: "
        "lane=session:agent:main:main:heartbeat durationMs=60000 "
        'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
        'pid=73120 alive=true ageMs=70312 sqlite:session-write:agent:main:main:heartbeat"\n'
        "2026-08-21T12:18:16.000+02:00 [agent/embedded] embedded attempt cleanup detected "
        "session takeover after prompt failure; preserving prompt error: runId=r-8 "
        f"sessionId={sid} promptError=session file changed while embedded prompt lock "
        f"was released: /h/.openclaw/agents/main/sessions/{sid}.jsonl\n"
        "2026-08-21T12:19:00.000+02:00 [agent/embedded] embedded run done: "
        f"runId=r-9 sessionId={sid} durationMs=4000 aborted=false\n"
    )
    result = ingest_files({"state/agents/main/sessions/sessions.json": store, "gateway.log": log})
    scan = next(s for s in result.files if s.source.endswith("sessions.json"))
    assert (scan.envelope, scan.unrecognized) == ("session-store", 0)
    assert result.occurrence_counts()["session_store"] == 2
    findings = analyze(result, Settings())
    (incident,) = findings.incidents.select("sessions", "resolved_by").rows()
    assert incident == (1, "run")
    # A store entry's time is its session's start, days back: no process, no window.
    assert findings.epochs.select("first_line").rows() == [
        (datetime(2026, 8, 21, 10, 18, 10, tzinfo=UTC),)
    ]


def test_a_cron_cleanup_log_of_weeks_is_no_time_the_logs_cover() -> None:
    """A cron's `sessions cleanup` log going back weeks shows the CLI ran then,
    not that the gateway's logs cover those weeks: the window (and the baseline
    rate it divides) is the logs' own (Z149: 13.8 days for 7, the rate halved)."""
    cron = _cron_run("Mon Aug 10 04:00:01 UTC 2026", _TEXT_RUN) + _cron_run(
        "Mon Aug 24 04:00:01 UTC 2026", _TEXT_RUN
    )
    log = (
        "2026-08-23T11:40:04.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 73120)\n"
        "2026-08-24T11:40:12.000+02:00 [gateway] a line no signature reads\n"
    )
    findings = analyze(ingest_files({"cleanup-cron.log": cron, "console.log": log}), Settings())
    assert findings.window_start == datetime(2026, 8, 23, 9, 40, 4, tzinfo=UTC)
    alone = analyze(ingest_files({"cleanup-cron.log": cron}), Settings())
    assert alone.window_start == datetime(2026, 8, 10, 4, 0, 1, tzinfo=UTC)


def test_cleanup_run_and_its_rpc_copies_are_one_run() -> None:
    """A cron's saved output, the gateway's `⇄ res ✓ sessions.cleanup` answer in its
    file log and the journal's copy of that answer are one cleanup run (Z149: three);
    a second document of the same minute and a second answer stay runs of their own."""
    rpc = "⇄ res ✓ sessions.cleanup 1288ms conn=48bb7bb6…efb6 id=0c1d2e3f…4a5b"
    file_log = tslog_line("2026-05-28T04:30:01.288Z", rpc, "gateway/ws", "INFO")
    later = tslog_line("2026-05-28T05:00:02.001Z", rpc, "gateway/ws", "INFO")
    journal = f"2026-05-28T04:30:01+0000 gw1 node[4242]: 2026-05-28T04:30:01.288+00:00 [ws] {rpc}\n"
    files = {
        "cleanup/sessions-cleanup-2026-05-28T0430Z.txt": multi([("main", "5"), ("ops", "8")], True),
        "logs/openclaw-2026-05-28.log": file_log + later,
        "journal/gateway.txt": journal,
    }
    result = ingest_files(files)
    assert len(rows(result, "cleanup_run")) == 5
    assert result.occurrence_counts() == {"cleanup_run": 2}
    files["cleanup/sessions-cleanup-2026-05-28T0430Z-pm.txt"] = multi([("pm-a", "3")], True)
    assert ingest_files(files).occurrence_counts() == {"cleanup_run": 3}


def test_a_cleanup_saved_twice_is_one_run_timed_by_its_answer() -> None:
    """A cron appends each run to its log after a `date` line and saves it alone
    too, and `latest.txt` is a copy with no time: each run is counted once (Z150:
    57 runs counted 115 times), and the burst it ended was cleared when the
    gateway answered the cleanup, not at the minute the cron named (2.6 s early)."""
    run = multi([("main", "5"), ("ops", "8")], applied=True)
    runs = [("06:00", "0600Z"), ("06:30", "0630Z")]
    cron = "".join(f"Thu May 28 {hm}:00 UTC 2026\n{run}" for hm, _ in runs)
    lock = "/home/ops/.openclaw/agents/main/sessions/s{}.jsonl.lock"
    failures = [
        tslog_line(
            f"2026-05-28T05:59:{40 + n}.100Z",
            f"session file locked (timeout 10000ms): pid=4242 alive=true ageMs=9{n}000 {lock.format(n)}",
        )
        for n in range(3)
    ]
    rpc = "⇄ res ✓ sessions.cleanup 1509ms conn=39777a79…cc01 id=1e6c088f…fb1d"
    answers = [tslog_line(f"2026-05-28T{hm}:02.609Z", rpc, "gateway/ws", "INFO") for hm, _ in runs]
    files = {
        "cleanup/cron.log": cron,
        **{f"cleanup/sessions-cleanup-2026-05-28T{stamp}.txt": run for _, stamp in runs},
        "cleanup/latest.txt": run,
        "logs/openclaw-2026-05-28.log": "".join(failures + answers),
    }
    result = ingest_files(files)
    assert result.occurrence_counts() == {"cleanup_run": 2, "lock_timeout": 3}
    (incident,) = analyze(result, Settings()).incidents.to_dicts()
    assert incident["resolved_by"] == "cleanup_run"
    assert incident["resolved_at"] == datetime(2026, 5, 28, 6, 0, 2, 609000, tzinfo=UTC)


_LAUNCHD_GATEWAY = (
    "gui/501/ai.openclaw.gateway = {\n"
    "\tactive count = 1\n"
    "\tpath = /Users/dana/Library/LaunchAgents/ai.openclaw.gateway.plist\n"
    "\tstate = {state}\n"
    "\n"
    "\tprogram = /opt/homebrew/opt/node/bin/node\n"
    "\targuments = {\n"
    "\t\t/opt/homebrew/opt/node/bin/node\n"
    "\t\t/opt/homebrew/lib/node_modules/openclaw/dist/index.js\n"
    "\t\tgateway\n"
    "\t\t--port\n"
    "\t\t18789\n"
    "\t}\n"
    "\n"
    "\tenvironment = {\n"
    "\t\tXPC_SERVICE_NAME => ai.openclaw.gateway\n"
    "\t}\n"
    "\n"
    "\truns = 6\n"
    "{pid}"
    "\tlast exit code = {code}\n"
    "\tjetsamproperties = {\n"
    "\t}\n"
    "}\n"
)
_LAUNCHD_OTHER = (
    "gui/501/com.apple.Finder = {\n"
    "\tstate = running\n"
    "\tprogram = /System/Library/CoreServices/Finder.app/Contents/MacOS/Finder\n"
    "\tpid = 612\n"
    "}\n"
)


def _launchd(state: str, pid: str, code: str) -> str:
    return (
        _LAUNCHD_GATEWAY.replace("{state}", state)
        .replace("{pid}", f"\tpid = {pid}\n" if pid else "")
        .replace("{code}", code)
    )


def test_launchctl_print_names_the_running_gateways_pid_when_its_date_ran() -> None:
    """`launchctl print gui/501/ai.openclaw.gateway` under a `date` at a zsh prompt:
    the running gateway's pid, at the `date`'s instant in the zone it shows; the
    Finder's block beside it is another service's, no pid of the gateway's; every
    line read (Z232: all 57 lines unrecognised, the 2026.6+ gateway's pid unknown)."""
    text = (
        "dana@Danas-Mac-mini ~ % date; launchctl print gui/501/ai.openclaw.gateway\n"
        "Mon Jul 20 09:32:10 MDT 2026\n" + _launchd("running", "4412", "0") + _LAUNCHD_OTHER
    )
    result = ingest_files({"oncall/launchctl-print-0932.txt": text})
    (scan,) = result.files
    lines = text.count("\n")
    assert (scan.envelope, scan.lines, scan.event_lines, scan.unrecognized) == (
        "launchctl-print",
        lines,
        2,
        0,
    )
    rows = result.events.select("kind", "gateway_pid", "ts", "phase").rows()
    assert rows == [
        ("uptime", 4412, datetime(2026, 7, 20, 15, 32, 10, tzinfo=UTC), "launchd_running")
    ]


def test_launchctl_print_of_a_stopped_gateway_is_no_stop_and_untimed_without_a_date() -> None:
    """`state = not running` with its `last exit code`: the gateway was down when the
    `date` above it ran, since when launchd does not say, so it is no stop then
    (which would say its locks were released then); its lines are known.  With
    no `date` (nor a stamp in the name) a running block is untimed, not given a
    time of its own making."""
    down = _launchd("not running", "", "78: EX_CONFIG")
    dated = ingest_files({"launchctl.txt": "Mon Jul 20 15:10:32 MDT 2026\n" + down})
    assert dated.events.is_empty()
    (scan,) = dated.files
    assert (scan.envelope, scan.event_lines, scan.unrecognized) == ("launchctl-print", 0, 0)
    untimed = ingest_files({"launchctl.txt": _launchd("running", "4412", "0")})
    assert untimed.events.select("kind", "ts", "gateway_pid", "ts_quality").rows() == [
        ("uptime", None, 4412, "untimed")
    ]
    (scan,) = untimed.files
    assert (scan.envelope, scan.unrecognized) == ("launchctl-print", 0)
