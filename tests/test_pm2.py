"""A gateway run under pm2: its --time stamps (local, no zone), `pm2 logs`, pm2.log."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl

from lockforensics.findings import Settings
from lockforensics.pipeline import analyze
from tests.conftest import ingest_files

LOCK = "/home/deploy/.openclaw/agents/main/sessions/2d91c3a4-5b6c-4d7e-8f90-a1b2c3d4e5f6.jsonl.lock"
ERROR = (
    'lane task error: lane=main durationMs=10011 error="Error: session file locked '
    f'(timeout 10000ms): pid=51402 {LOCK}"'
)


def _file_line(utc: str, message: str) -> str:
    binding = json.dumps({"subsystem": "diagnostic"})
    return json.dumps({"0": binding, "1": message, "_meta": {"date": utc}, "time": utc})


# The host is at +01:00; pm2 stamps its local time, the file log UTC (`Z`).
PM2_LOG = """2026-02-02T08:30:04: PM2 log: App [openclaw-gateway:0] starting in -fork mode-
2026-02-02T08:30:04: PM2 log: App [openclaw-gateway:0] online
2026-02-03T14:24:51: PM2 log: App [openclaw-gateway:0] exited with code [1] via signal [SIGINT]
2026-02-03T14:24:51: PM2 log: App [openclaw-gateway:0] starting in -fork mode-
2026-02-03T14:24:51: PM2 log: App [openclaw-gateway:0] online
2026-02-04T09:05:12: PM2 log: Stopping app:openclaw-gateway id:0
2026-02-04T09:05:12: PM2 log: App [openclaw-gateway:0] exited with code [0] via signal [SIGINT]
2026-02-04T09:05:12: PM2 log: pid=53990 msg=process killed
"""
OUT_LOG = """2026-02-02T08:30:06: [gateway] listening on ws://127.0.0.1:18789 (PID 51402)
2026-02-03T14:24:55: [gateway] listening on ws://127.0.0.1:18789 (PID 53990)
"""
ERROR_LOG = "".join(
    f"2026-02-03T14:{m}: [diagnostic] {ERROR.replace('10011', d)}\n"
    for m, d in (("12:40", "10011"), ("14:51", "10012"))
)
FILE_LOG = "".join(
    _file_line(f"2026-02-03T13:{m}.214Z", ERROR.replace("10011", d)) + "\n"
    for m, d in (("12:40", "10011"), ("14:51", "10012"))
)
PASTE = "".join(f"\x1b[32m0|openclaw | \x1b[39m{line}\n" for line in ERROR_LOG.splitlines())


def _bundle() -> dict[str, str | bytes]:
    return {
        "home/deploy/.pm2/pm2.log": PM2_LOG,
        "home/deploy/.pm2/logs/openclaw-gateway-out.log": OUT_LOG,
        "home/deploy/.pm2/logs/openclaw-gateway-error.log": ERROR_LOG,
        "tmp/openclaw/openclaw-2026-02-03.log": FILE_LOG,
        "pm2-logs-paste.txt": PASTE,
    }


def test_pm2_stamps_take_the_zone_their_records_show_and_fold_with_them() -> None:
    """The error log's and the paste's lock errors are the file log's, an hour on:
    the zone is +01:00, and each failure counts once."""
    result = ingest_files(_bundle())
    assert result.occurrence_counts()["lock_timeout"] == 2
    formats = {scan.source.rsplit("/", 1)[-1]: scan.envelope for scan in result.files}
    assert formats["pm2.log"] == formats["openclaw-gateway-error.log"] == "pm2-time"
    assert formats["pm2-logs-paste.txt"] == "pm2-logs"
    assert result.zone is not None
    assert result.zone.label == "+01:00"


def test_pm2_log_gives_the_processes_their_ends() -> None:
    """pm2.log, read in the zone its sibling logs showed: the crash (exit code 1,
    no stop asked) ends pid 51402; `pm2 restart` (asked) stops pid 53990."""
    findings = analyze(ingest_files(_bundle()), Settings())
    epochs = findings.epochs.filter(pl.col("pid").is_not_null()).sort("start")
    ends = epochs.select("pid", "end", "ended_by").rows()
    assert ends == [
        (51402, datetime(2026, 2, 3, 13, 24, 51, tzinfo=UTC), "crash"),
        (53990, datetime(2026, 2, 4, 8, 5, 12, tzinfo=UTC), "stop"),
    ]
    (incident,) = findings.incidents.to_dicts()
    assert incident["gateway_pid"] == 51402
    # A crash leaves its locks on disk: the next start, not the crash, cleared them.
    assert incident["resolved_by"] == "gateway_start"
    # 2026-02-02 07:30:06Z to the first failure, 2026-02-03 13:12:40Z: 29 h 42 min 34 s.
    assert round(incident["uptime_s"]) == 29 * 3600 + 42 * 60 + 34


def test_the_2026_1_consoles_utc_stamps_beside_pm2s_give_its_zone() -> None:
    """No file log: 2026.1's console writes its own UTC `…Z` stamp after pm2's
    local `--time` one, so each line shows pm2's offset, -06:00.  pm2.log, with
    no such stamp, takes it; a SIGKILL death (`code [null]`, the OOM killer) is a
    crash (Z166: all of pm2's lines read as UTC, a restart history six hours off,
    and the kill unseen)."""
    console = "".join(
        f"2026-12-31T{h}:{m}: 2027-01-01T{int(h) + 6:02d}:{m}.213Z [diagnostic] "
        f"{ERROR.replace('51402', '24817')}\n"
        for h, m in (("19", "51:02"), ("19", "55:40"), ("19", "59:31"))
    )
    out = (
        "2026-12-30T11:05:23: 2026-12-30T17:05:23.311Z [gateway] "
        "listening on ws://127.0.0.1:18789 (PID 24817)\n"
    )
    pm2 = (
        "2026-12-30T11:05:21: PM2 log: App [openclaw-gateway:0] online\n"
        "2026-12-31T22:47:13: PM2 log: App [openclaw-gateway:0] exited with code [null]"
        " via signal [SIGKILL]\n"
        "2026-12-31T22:47:13: PM2 log: App [openclaw-gateway:0] starting in -fork mode-\n"
    )
    result = ingest_files(
        {
            "pm2-home/pm2.log": pm2,
            "logs/openclaw-gateway-error.log": console,
            "logs/openclaw-gateway-out.log": out,
        }
    )
    assert result.zone is not None
    assert result.zone.label == "-06:00"
    findings = analyze(result, Settings())
    (epoch,) = findings.epochs.filter(pl.col("pid") == 24817).to_dicts()
    assert (epoch["end"], epoch["ended_by"]) == (
        datetime(2027, 1, 1, 4, 47, 13, tzinfo=UTC),
        "crash",
    )


def test_a_pm2_restart_in_one_second_gives_each_process_its_own_pid_and_one_stop() -> None:
    """`pm2 restart` logs the exit, `pid=N msg=process killed` and the next start
    in one second; 2026.6+ starts (`ready`) name no pid.  30112 is the process
    that ended there, 41877 (its own `orphan-self-pid`) the one started: the dead
    pid had been given to its successor, the successor read as another owner,
    and each pm2 stop counted twice (Z195)."""
    pm2 = (
        "2026-11-28T09:20:03: PM2 log: App [openclaw:1] starting in -fork mode-\n"
        "2026-11-28T09:20:03: PM2 log: App [openclaw:1] online\n"
        "2026-12-01T07:12:31: PM2 log: Stopping app:openclaw id:1\n"
        "2026-12-01T07:12:33: PM2 log: App [openclaw:1] exited with code [0] via signal [SIGINT]\n"
        "2026-12-01T07:12:33: PM2 log: pid=30112 msg=process killed\n"
        "2026-12-01T07:12:33: PM2 log: App [openclaw:1] starting in -fork mode-\n"
        "2026-12-01T07:12:33: PM2 log: App [openclaw:1] online\n"
    )
    out = (
        "2026-11-28T09:20:11: 2026-11-28T09:20:11.521-06:00 [gateway] ready\n"
        "2026-12-01T07:12:31: 2026-12-01T07:12:31.207-06:00 [gateway] received SIGINT; shutting down\n"
        "2026-12-01T07:12:41: 2026-12-01T07:12:41.008-06:00 [gateway] ready\n"
    )
    stale = (
        "2026-12-03T14:05:10: 2026-12-03T14:05:10.066-06:00 [diagnostic] lane task error: "
        'lane=session:agent:main:main durationMs=1204 error="SessionWriteLockStaleError: '
        "session file lock stale (orphan-self-pid): pid=41877 alive=true ageMs=570652 "
        'sqlite:session-write:agent:main:main"\n'
    )
    bundle: dict[str, str | bytes] = {
        ".pm2/pm2.log": pm2,
        ".pm2/logs/openclaw-out.log": out,
        ".pm2/logs/openclaw-error.log": stale,
    }
    findings = analyze(ingest_files(bundle), Settings())
    assert findings.epochs.sort("start").get_column("pid").to_list() == [30112, 41877]
    assert findings.counts["gateway_stop"] == 1


def test_pm2_logs_own_lines_under_its_pm2_prefix_are_pm2s_log() -> None:
    """Plain `pm2 logs` shows pm2.log's lines under `PM2        | `: pm2's own
    stop and start of the app, not a host named PM2 (Z218: the restart that
    cleared the burst lost to an untimed host of its own)."""
    paste = (
        "[TAILING] Tailing last 15 lines for [all] processes (change the value with --lines option)\n"
        "PM2        | 2026-02-04T09:05:12: PM2 log: Stopping app:openclaw-gateway id:0\n"
        "PM2        | 2026-02-04T09:05:12: PM2 log: App [openclaw-gateway:0] exited with code [0] via signal [SIGINT]\n"
        "PM2        | 2026-02-04T09:05:12: PM2 log: pid=53990 msg=process killed\n"
        + "".join(f"0|openclaw  | {line}\n" for line in ERROR_LOG.splitlines())
    )
    result = ingest_files({"pm2-logs.txt": paste}, tz="+01:00")
    stops = result.events.filter(pl.col("kind") == "gateway_stop")
    assert stops.get_column("host").drop_nulls().to_list() == []
    assert stops.get_column("ts").null_count() == 0


def test_pm2s_online_is_the_start_of_a_process_whose_start_lines_are_gone() -> None:
    """pm2.log says when it spawned the app (`online`); the process's own start
    lines were rotated away: its start is known, its uptime exact (Z218:
    "started earlier", a lower bound)."""
    findings = analyze(
        ingest_files(
            {"home/deploy/.pm2/pm2.log": PM2_LOG, "tmp/openclaw/openclaw-2026-02-03.log": FILE_LOG},
            tz="+01:00",
        ),
        Settings(),
    )
    first = findings.epochs.sort("start").row(0, named=True)
    assert (first["start"], first["start_known"]) == (
        datetime(2026, 2, 2, 7, 30, 4, tzinfo=UTC),
        True,
    )
