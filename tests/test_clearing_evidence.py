"""What clears an incident, read from lines an unseen bundle held: a cleanup RPC,
a watchdog release before its run's takeover, and a crash that is no stop."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockforensics.findings import Settings
from lockforensics.ingest.release_times import timed_releases
from lockforensics.parsing import chunks
from lockforensics.pipeline import analyze
from lockforensics.reporting import prose, rows
from lockforensics.reporting.eventlist import key_events, summaries
from lockforensics.reporting.glossary import kind as kind_name
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions
from tests.conftest import ingest_files, tslog_line

SESSIONS = "/home/oc/.openclaw/agents/{agent}/sessions/{sid}.jsonl"
SUPPORT = "e5f7a9c1-2d4b-4c6e-8a0f-5b7d9e1a3c6b"
MAIN = "c8d0e2f4-6a8c-4b1d-9e3f-7a9c1e3b5d8f"


def _lane_error(at: str, duration_ms: int, error: str) -> str:
    return (
        f'{at} [diagnostic] lane task error: lane=main durationMs={duration_ms} error="{error}"\n'
    )


def _burst(start: str, duration_ms: int, error: str, times: tuple[str, ...]) -> str:
    """A console log: the gateway's start line, then the same lane error at each time."""
    return start + "\n" + "".join(_lane_error(at, duration_ms, error) for at in times)


def _timeout(at: str, agent: str, sid: str, owner: int = 52307) -> str:
    """A lock timeout; its lock's ``owner`` is the gateway's pid where a test's
    gateway is to release it (a stop or restart releases only its own locks)."""
    path = SESSIONS.format(agent=agent, sid=sid)
    return _lane_error(
        at, 10012, f"Error: session file locked (timeout 10000ms): pid={owner} {path}.lock"
    )


def _takeover(at: str, agent: str, sid: str) -> str:
    path = SESSIONS.format(agent=agent, sid=sid)
    return _lane_error(
        at,
        1080412,
        "EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt "
        f"lock was released: {path}",
    )


def _released(at: str, agent: str, sid: str, held_ms: int = 1080003) -> str:
    path = SESSIONS.format(agent=agent, sid=sid)
    return (
        f"{at} [session-write-lock] releasing lock held for {held_ms}ms (max=1020000ms): "
        f"{path}.lock\n"
    )


def test_a_sessions_cleanup_rpc_times_a_cleanup_and_clears() -> None:
    """A non-dry-run `sessions cleanup` goes through the gateway's `sessions.cleanup`
    RPC, whose answer the ws subsystem logs: that line is a cleanup run at the time
    it finished, when its saved output has no time of its own."""
    log = (
        "2026-05-27T09:38:12.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 41822)\n"
        + _timeout("2026-05-27T09:40:00.000+02:00", "ops", SUPPORT)
        + _timeout("2026-05-27T09:41:00.000+02:00", "ops", MAIN)
        + "2026-05-27T09:41:50.300+02:00 [ws] ⇄ res ✓ sessions.cleanup 1288ms "
        "conn=48bb7bb6…efb6 id=0c1d2e3f…4a5b\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    row = findings.incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolution_s"]) == ("cleanup_run", 50.3)


#: Lines the gateway writes after the cleanup: its logs go on past it, quiet.
_QUIET_LINES = "".join(
    f"2026-05-27T09:{m}:00.000+02:00 [ws] ⇄ res ✓ health 3ms conn=48bb7bb6…efb6 id=1\n"
    for m in (52, 59)
)


def test_a_burst_its_logs_end_in_may_have_gone_on_past_them() -> None:
    """The journal was taken while the burst went on (its last line 30 s after
    the last failure); the cron's cleanup log, copied later, shows a run 16 min
    on.  It cleared the burst, but failures after the logs end are unseen: the
    incident may have lasted longer, and that its failures stopped before the
    cleanup is not in view (Z210).  With the logs going on past the cleanup,
    quiet, it is seen whole."""
    log = (
        "2026-05-27T09:38:12.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 41822)\n"
        + _timeout("2026-05-27T09:40:00.000+02:00", "ops", SUPPORT)
        + _timeout("2026-05-27T09:41:00.000+02:00", "ops", MAIN)
        + "2026-05-27T09:41:30.000+02:00 [ws] ⇄ res ✓ health 3ms conn=48bb7bb6…efb6 id=1\n"
    )
    cleanup = {"cleanup/sessions-cleanup-2026-05-27T0757Z.txt": _cleanup_output(False)}
    findings = analyze(ingest_files({"console.log": log, **cleanup}), Settings())
    row = findings.incidents.row(0, named=True)
    assert (row["resolved_by"], row["end_is_lower_bound"]) == ("cleanup_run", True)
    assert row["logs_end"] == datetime(2026, 5, 27, 7, 41, 30, tzinfo=UTC)
    facts = dict(rows.incident_facts(row, several_hosts=False))
    assert "07:41:30 UTC" in str(facts["May have gone on later"])
    assert "sessions cleanup run that cleared it came after them" in str(
        facts["May have gone on later"]
    )
    assert rows.lasted(row).startswith("≥ ")

    findings = analyze(
        ingest_files({"console.log": log + _QUIET_LINES, **cleanup}),
        Settings(),
    )
    row = findings.incidents.row(0, named=True)
    assert (row["resolved_by"], row["end_is_lower_bound"]) == ("cleanup_run", False)

    # Nothing cleared it: still failing when its logs end, for all the bundle shows.
    findings = analyze(ingest_files({"console.log": log}), Settings())
    row = findings.incidents.row(0, named=True)
    assert (row["resolved_by"], row["end_is_lower_bound"]) == (None, True)


def _cleanup_output(dry_run: bool) -> str:
    """`openclaw sessions cleanup` text for the ops store (openclaw-formats §4.1)."""
    store = "Session store: /home/oc/.openclaw/agents/ops/sessions/sessions.json\n"
    if not dry_run:
        return store + "Applied maintenance. Current entries: 12\n"
    return (
        f"{store}Maintenance mode: warn\nEntries: 12 -> 12 (remove 0)\n"
        "Would prune missing transcripts: 0\nWould prune stale: 0\nWould cap overflow: 0\n"
    )


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "applied"])
def test_a_dry_run_cleanup_clears_nothing(dry_run: bool) -> None:
    """A dry run only says what it would do (`Would prune …`): lock errors that stop
    after it stopped on their own, and the incident stays unresolved.  The same
    cleanup applied clears it."""
    log = (
        "2026-05-27T09:38:12.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 41822)\n"
        + _timeout("2026-05-27T09:40:00.000+02:00", "ops", SUPPORT)
        + _timeout("2026-05-27T09:41:00.000+02:00", "ops", MAIN)
    )
    files = {
        "console.log": log,
        "cleanup/sessions-cleanup-2026-05-27T0745Z.txt": _cleanup_output(dry_run),
    }
    findings = analyze(ingest_files(files), Settings())
    row = findings.incidents.row(0, named=True)
    expected = (None, None) if dry_run else ("cleanup_run", 240.0)
    assert (row["resolved_by"], row["resolution_s"]) == expected


def test_a_takeover_after_a_watchdog_release_is_its_fallout_not_a_later_failure() -> None:
    """The watchdog force-releases each session's lock after its last lock error; the
    runs that held them find their transcripts changed a minute later (takeovers).
    The releases cleared the incident, 41 s after its last lock error, even the one
    released before the other session's last lock error; it is not unresolved for
    want of an event after the last takeover."""
    log = (
        "2026-05-28T14:00:00.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 52307)\n"
        + _timeout("2026-05-28T14:05:20.433+02:00", "support", SUPPORT)
        + _timeout("2026-05-28T14:08:30.771+02:00", "main", MAIN)
        + _timeout("2026-05-28T14:12:03.556+02:00", "support", SUPPORT)
        + _released("2026-05-28T14:12:50.000+02:00", "support", SUPPORT)
        + _timeout("2026-05-28T14:13:20.048+02:00", "main", MAIN)
        + _takeover("2026-05-28T14:13:58.190+02:00", "support", SUPPORT)
        + _released("2026-05-28T14:14:01.000+02:00", "main", MAIN)
        + _takeover("2026-05-28T14:15:36.402+02:00", "main", MAIN)
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    row = findings.incidents.row(0, named=True)
    assert row["takeover"] == 2
    assert (row["resolved_by"], row["resolution_s"]) == ("lock_released_by_watchdog", 40.952)


def test_a_takeover_a_run_timeout_set_off_is_its_fallout_not_a_later_failure() -> None:
    """Z232: a run on the session times out (its lock released), and the attempt's
    cleanup, 8 s on, finds the transcript changed (a takeover).  The timeout
    cleared the incident; before, the takeover outlasted it and what came 12 min
    later (there a cleanup, here a stop) was credited.  A takeover minutes after a timeout is no fallout of it."""

    def log(takeover_at: str) -> str:
        return (
            "2026-05-28T14:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 "
            "(PID 52307)\n"
            + _timeout("2026-05-28T14:05:20.000+00:00", "main", MAIN)
            + _timeout("2026-05-28T14:06:20.000+00:00", "main", MAIN)
            + "2026-05-28T14:10:00.000+00:00 [agent/embedded] embedded run timeout: "
            f"runId=d3b97a10 sessionId={MAIN} timeoutMs=600000\n"
            + _takeover(takeover_at, "main", MAIN)
            + "2026-05-28T14:22:00.000+00:00 [gateway] received SIGTERM; shutting down\n"
        )

    fallout = analyze(
        ingest_files({"console.log": log("2026-05-28T14:10:08.000+00:00")}), Settings()
    )
    row = fallout.incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolution_s"]) == ("run_timeout", 220.0)
    later = analyze(ingest_files({"console.log": log("2026-05-28T14:15:00.000+00:00")}), Settings())
    assert later.incidents.row(0, named=True)["resolved_by"] == "gateway_stop"


def test_a_lock_file_the_watchdog_then_released_does_not_void_that_release() -> None:
    """Z238: the operator copied the lock file mid-burst; the watchdog released that
    very hold (held since its `createdAt`) two minutes later, removing the file.
    The copy had been "held at collection" and the incident unresolved."""
    path = (
        "/home/ops/.openclaw/agents/main/sessions/7c1e0f3a-5b2d-4e8f-9a61-2f4c8d9e0b17.jsonl.lock"
    )

    def journal(at: str, text: str) -> str:
        return f"2026-05-30T{at}-0500 gw-spawn-01 node[4127]: {text}\n"

    def timeout(at: str, age_ms: int) -> str:
        return journal(
            at,
            f"2026-05-30T{at}.000-05:00 [diagnostic] lane task error: "
            'lane=session:agent:main:main durationMs=60180 error="SessionWriteLockTimeoutError: '
            f"session file locked (timeout 60000ms): pid=4127 alive=true ageMs={age_ms} "
            f'{path}"',
        )

    log = (
        timeout("09:07:32", 120780)
        + timeout("09:16:00", 628780)
        + journal(
            "09:17:52",
            f"[session-write-lock] releasing lock held for 740780ms (max=720000ms): {path}",
        )
    )
    lock = '{"pid": 4127, "createdAt": "2026-05-30T14:05:31.220Z", "maxHoldMs": 720000}\n'
    files = {"journal/j.txt": log, "locks/7c1e0f3a-5b2d-4e8f-9a61-2f4c8d9e0b17.jsonl.lock": lock}
    findings = analyze(ingest_files(files), Settings())
    row = findings.incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolution_s"]) == ("lock_released_by_watchdog", 112.0)
    assert findings.held_locks.is_empty()


def test_a_takeover_with_no_release_before_it_still_ends_the_incident() -> None:
    """Without a release of its lock first, a takeover is a failure like any other:
    the release after it clears the incident, timed from the takeover."""
    log = (
        "2026-05-28T14:00:00.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 52307)\n"
        + _timeout("2026-05-28T14:05:20.000+02:00", "main", MAIN)
        + _takeover("2026-05-28T14:06:00.000+02:00", "main", MAIN)
        + _released("2026-05-28T14:07:00.000+02:00", "main", MAIN)
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    row = findings.incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolution_s"]) == ("lock_released_by_watchdog", 60.0)


def test_a_lock_an_error_shows_taken_before_a_restart_was_not_cleared_by_it() -> None:
    """An in-process restart keeps its process and its locks.  An error an hour
    later whose owner's ageMs dates the lock before the restart shows the restart
    released nothing: the watchdog's release after that error cleared it."""
    path = SESSIONS.format(agent="main", sid=MAIN)

    def aged(at: str, age_ms: int) -> str:
        error = f"Error: session file locked (timeout 10000ms): pid=52307 alive=true ageMs={age_ms} {path}.lock"
        return _lane_error(at, 10012, error)

    log = (
        "2026-05-28T14:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 52307)\n"
        + aged("2026-05-28T14:05:20.000+00:00", 300000)
        + aged("2026-05-28T14:06:00.000+00:00", 340000)
        + "2026-05-28T14:10:00.000+00:00 [gateway] received SIGUSR1; restarting\n"
        "2026-05-28T14:10:05.000+00:00 [gateway] restart mode: in-process restart (OPENCLAW_NO_RESPAWN)\n"
        + aged("2026-05-28T15:00:00.000+00:00", 3600000)
        # Held since 14:00, as the errors' ageMs say.
        + _released("2026-05-28T15:01:00.000+00:00", "main", MAIN, held_ms=3660000)
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    first = findings.incidents.row(0, named=True)
    assert first["resolved_by"] == "lock_released_by_watchdog"
    assert first["resolved_at"].isoformat() == "2026-05-28T15:01:00+00:00"


def test_a_run_timeout_is_timed_by_its_copy_stamped_finer_than_the_second() -> None:
    """The run's timeout is in the file log to the millisecond and in an `openclaw
    logs` capture cut to the second: the clear is the millisecond one, not a
    third of a second early (Z181)."""
    timeout = (
        f"[agent/embedded] embedded run timeout: runId=d3b97a10 sessionId={MAIN} timeoutMs=600000"
    )
    log = (
        "2026-11-01T13:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 7)\n"
        + _timeout("2026-11-01T13:51:58.700+00:00", "main", MAIN, owner=7)
        + _timeout("2026-11-01T13:54:40.220+00:00", "main", MAIN, owner=7)
        + f"2026-11-01T13:59:50.342+00:00 {timeout}\n"
    )
    # `openclaw logs --follow` on the operator's terminal: UTC, to the second.
    follow = (
        "mira@mac ~ % openclaw logs --follow\nLog file: /tmp/openclaw/openclaw-2026-11-01.log\n"
        + timeout.replace("[agent/embedded] ", "13:59:50 warn agent/embedded ")
        + "\n"
    )
    files = {"gateway.log": log, "terminal/follow.txt": follow}
    row = analyze(ingest_files(files), Settings()).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"]) == (
        "run_timeout",
        datetime(2026, 11, 1, 13, 59, 50, 342000, tzinfo=UTC),
    )


def test_a_watchdog_release_of_a_hold_begun_after_the_burst_did_not_clear_it() -> None:
    """The watchdog releases the session's lock four hours after a burst, held for
    12.5 min: that hold began long after the burst's last failure, so the lock
    the burst waited on had been released by then, by nothing in view, and it is
    cleared there as an upper bound (Z178: credited to the release, 4 h 20 min
    after the burst)."""
    log = (
        "2026-06-12T08:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 7)\n"
        + _timeout("2026-06-12T09:02:14.880+00:00", "main", MAIN, owner=7)
        + _timeout("2026-06-12T09:02:40.000+00:00", "main", MAIN, owner=7)
        + _released("2026-06-12T13:34:41.200+00:00", "main", MAIN, held_ms=750900)
    )
    row = analyze(ingest_files({"console.log": log}), Settings()).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"]) == (
        "lock_retaken",
        datetime(2026, 6, 12, 13, 22, 10, 300000, tzinfo=UTC),
    )


@pytest.mark.parametrize("acquire_loop", [False, True])
def test_an_old_lock_file_does_not_hold_a_session_that_failed_on_its_lease(
    acquire_loop: bool,
) -> None:
    """After an upgrade to leases, doctor still lists the session's `.jsonl.lock` that
    the old gateway left 30 h before: that file is not the lease the session's
    errors waited on, so the watchdog's release of the lease cleared it.  The
    acquire loop's own wording names the lease `session-write/<key>`."""
    key = "agent:main:main"
    path = SESSIONS.format(agent="main", sid=MAIN)

    def lease_error(at: str) -> str:
        if acquire_loop:
            return (
                f"{at} [diagnostic] lane task error: lane=session:{key} durationMs=60012 "
                f'error="timed out waiting for session write lease session-write/{key}"\n'
            )
        return (
            f"{at} [diagnostic] lane task error: lane=session:{key} durationMs=60012 "
            'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
            f'pid=48820 alive=true ageMs=61000 sqlite:session-write:{key}"\n'
        )

    log = (
        "2026-07-22T15:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 48820)\n"
        + f"2026-07-22T15:29:00.000+00:00 [diagnostic] session state: sessionId={MAIN} "
        f'sessionKey={key} prev=idle new=processing reason="message" queueDepth=0\n'
        + lease_error("2026-07-22T15:30:00.000+00:00")
        + lease_error("2026-07-22T15:31:50.000+00:00")
        + "2026-07-22T15:33:30.000+00:00 [session-write-lock] releasing lock held for "
        f"1021400ms (max=1020000ms): sqlite:session-write:{key}\n"
    )
    doctor = (
        "Session locks\n- Found 1 session lock file.\n"
        f"- {path}.lock pid=3104 (dead) age=30h5m stale=yes (dead-pid, too-old)\n"
    )
    bundle = {"console.log": log, "doctor-2026-07-23T14-05-00Z.txt": doctor}
    row = analyze(ingest_files(bundle), Settings()).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolution_s"]) == ("lock_released_by_watchdog", 100.0)


def test_a_lease_release_by_key_clears_the_session_its_takeover_named_by_id() -> None:
    """From 2026.7 the watchdog releases a lease named by key
    (`sqlite:session-write:<key>`), while the takeover names the transcript's id;
    the takeover's session-lane mirror links the two.  The release is that
    session's clearing, not an event about some other session."""
    key = "agent:main:main"
    path = SESSIONS.format(agent="main", sid=MAIN)
    takeover = (
        "EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt "
        f"lock was released: {path}"
    )
    log = (
        "2026-08-12T09:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 7)\n"
        "2026-08-12T09:14:40.020+00:00 [diagnostic] lane task error: lane=main "
        'durationMs=10012 error="Error: session file locked (timeout 10000ms): '
        f'pid=7 sqlite:session-write:{key}"\n'
        + _lane_error("2026-08-12T09:15:12.480+00:00", 31877, takeover)
        + "2026-08-12T09:15:12.486+00:00 [diagnostic] lane task error: "
        f'lane=session:{key} durationMs=31883 error="{takeover}"\n'
        "2026-08-12T09:15:40.150+00:00 [session-write-lock] releasing lock held for "
        f"1200150ms (max=1200000ms): sqlite:session-write:{key}\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    row = findings.incidents.row(0, named=True)
    assert row["open_targets"] == []
    assert (row["resolved_by"], row["resolution_s"]) == ("lock_released_by_watchdog", 27.67)
    # The event list names the lease error's session as the failures do: the
    # id its key is linked to, not nothing (the line names no id).
    listed = key_events(findings).filter(pl.col("kind") == "lock_timeout")
    assert listed.get_column("session_id").to_list() == [MAIN]


#: A dated line beside the journal, for its year-less stamps' year and zone.
DATED = {"gateway.log": "2026-05-27T23:59:00.000+00:00 [gateway] a line no signature reads\n"}
JOURNAL_CRASH = """\
May 27 23:59:50 gw-prod-01 node[41822]: [gateway] listening on ws://127.0.0.1:18789 (PID 41822)
May 28 00:06:14 gw-prod-01 systemd[1]: openclaw-gateway.service: A process of this unit has been killed by the OOM killer.
May 28 00:06:14 gw-prod-01 systemd[1]: openclaw-gateway.service: Main process exited, code=killed, status=9/KILL
May 28 00:06:14 gw-prod-01 systemd[1]: openclaw-gateway.service: Failed with result 'oom-kill'.
May 28 00:06:19 gw-prod-01 systemd[1]: openclaw-gateway.service: Scheduled restart job, restart counter is at 1.
May 28 00:06:19 gw-prod-01 systemd[1]: Stopped openclaw-gateway.service - OpenClaw Gateway (v2026.5.22).
May 28 00:06:19 gw-prod-01 systemd[1]: Started openclaw-gateway.service - OpenClaw Gateway (v2026.5.22).
May 28 00:06:31 gw-prod-01 node[52307]: [gateway] ready (4 plugins: browser, memory-core, slack, telegram; 11.6s)
"""


def test_a_process_the_oom_killer_ended_crashed_where_systemd_saw_it_go() -> None:
    """systemd's `Main process exited, code=killed` with no shutdown the gateway
    logged is a crash, ended at that line, not a stop ended by the `Stopped` line
    systemd writes beside the next start."""
    findings = analyze(ingest_files({"journal.txt": JOURNAL_CRASH, **DATED}), Settings())
    first = findings.epochs.row(0, named=True)
    assert (first["pid"], first["ended_by"]) == (41822, "crash")
    assert first["end"].isoformat().endswith("T00:06:14+00:00")


@pytest.mark.parametrize("oom", [True, False])
def test_a_crash_the_oom_killer_caused_is_named_so(oom: bool) -> None:
    """The OOM killer's lines (systemd's `killed by the OOM killer`, `Failed with
    result 'oom-kill'`) name the crash's cause in every format (Z125, Z130: the
    report said only "crash (killed, a fatal error or the host went down)")."""
    journal = JOURNAL_CRASH
    if not oom:
        journal = "".join(ln for ln in journal.splitlines(True) if "oom" not in ln.lower())
    findings = analyze(ingest_files({"journal.txt": journal, **DATED}), Settings())
    first = findings.epochs.row(0, named=True)
    assert (first["ended_by"], first["oom_killed"]) == ("crash", oom)
    markdown = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    assert ("killed by the OOM killer" in markdown) is oom


@pytest.mark.parametrize(
    ("boot", "started"), [("03:27:30.100", "03:27:30.100"), ("03:24:00.000", "03:27:35.800")]
)
def test_a_process_began_by_the_boot_lines_before_its_start_line(boot: str, started: str) -> None:
    """`[gateway] starting...` and its plugins write before `listening on`: the
    process began by its first line, seconds earlier, and its uptime counts from
    there (Z130, Z133, Z135: 5-6 s late, while the epoch's first line was
    earlier).  A line minutes before is no boot of its."""
    journal = (
        f"2026-05-28T{boot}-0400 gw-b node[9034]: 2026-05-28T{boot}-04:00 [gateway] starting...\n"
        "2026-05-28T03:27:35.800-0400 gw-b node[9034]: 2026-05-28T03:27:35.800-04:00 "
        "[gateway] listening on ws://127.0.0.1:18789 (PID 9034)\n"
    )
    epochs = analyze(ingest_files({"journal.txt": journal}), Settings()).epochs
    (start,) = epochs.filter(pl.col("start_source") == "start_line")["start"]
    assert start == datetime.fromisoformat(f"2026-05-28T{started}-04:00")


def test_a_crash_stamped_to_the_second_ends_after_its_own_last_line() -> None:
    """systemd stamps `Main process exited` to the whole second; the process's own
    last line (a lock error, its console stamp inside the journal's) came 0.41 s
    into that second: the
    epoch ends there, not before a line of its own."""
    last = "May 28 00:06:14 gw-prod-01 node[41822]: " + _timeout(
        "2026-05-28T00:06:14.410+00:00", "main", MAIN
    )
    crash = "May 28 00:06:14 gw-prod-01 systemd[1]"
    journal = JOURNAL_CRASH.replace(crash, last + crash, 1)
    first = analyze(ingest_files({"journal.txt": journal, **DATED}), Settings()).epochs.row(
        0, named=True
    )
    assert first["ended_by"] == "crash"
    assert first["end"] == first["last_line"]
    assert first["end"].isoformat().endswith("T00:06:14.410000+00:00")


def test_another_node_apps_life_and_death_is_no_gateways() -> None:
    """A whole-system journal: a chatbot (`node[8844]`) writes its own lock lines
    and dies of heap exhaustion while the gateway runs on.  It opens no epoch of
    its own and ends none of the gateway's."""
    journal = """\
May 27 23:59:50 gw-prod-01 node[41822]: [gateway] listening on ws://127.0.0.1:18789 (PID 41822)
May 28 00:01:00 gw-prod-01 node[8844]: Server listening on http://0.0.0.0:3000 (PID 8844)
May 28 00:02:00 gw-prod-01 node[8844]: session file locked (timeout 5000ms): pid=8844 /srv/chatbot/u-1.json.lock
May 28 00:03:00 gw-prod-01 node[8844]: FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
May 28 00:04:00 gw-prod-01 node[41822]: [gateway] received SIGTERM; shutting down
"""
    findings = analyze(ingest_files({"journal.txt": journal, **DATED}), Settings())
    epochs = findings.epochs.select("pid", "ended_by").rows()
    assert epochs == [(41822, "stop")]


def test_a_pid_first_named_as_its_process_leaves_is_the_leaving_process() -> None:
    """A full restart's old process lives on after its `restart mode` line until its
    shutdown times out, and names its pid only then, in its stability bundle.  That
    pid is the process the restart ended (its uptime dates its start), not a
    process of its own begun there, overlapping the others."""
    console = (
        "2026-06-04T07:00:00.000+00:00 [gateway] agent model: openai/gpt-5\n"
        "2026-06-04T08:00:10.000+00:00 [gateway] received SIGUSR1; restarting\n"
        "2026-06-04T08:00:12.600+00:00 [gateway] restart mode: full process restart "
        "(spawned pid 48810)\n"
        "2026-06-04T08:00:41.905+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 48810)\n"
    )
    stability = json.dumps(
        {
            "version": 1,
            "generatedAt": "2026-06-04T08:00:37.802Z",
            "reason": "gateway.restart_shutdown_timeout",
            "process": {"pid": 31022, "platform": "linux", "uptimeMs": 610594390},
        }
    )
    bundle = {"gateway.log": console, "stability/latest.json": stability}
    findings = analyze(ingest_files(bundle), Settings())
    assert findings.epochs.select("pid", "opened_by", "start", "ended_by").rows() == [
        (31022, "before_bundle", datetime(2026, 5, 28, 6, 24, 3, 412000, tzinfo=UTC), "restart"),
        (48810, "restart", datetime(2026, 6, 4, 8, 0, 41, 905000, tzinfo=UTC), None),
    ]


@pytest.mark.parametrize(
    ("owner", "resolved_by"), [(52307, "gateway_stop"), (130552, "gateway_start")]
)
def test_a_gateways_stop_releases_its_own_locks_not_another_process(
    owner: int, resolved_by: str
) -> None:
    """Lock errors name the lock's live owner.  The gateway (pid 52307) stopping
    releases its own lock; a lock another process holds (a CLI run, pid 130552)
    outlives it, until the next start sweeps it (Z130: the stop was credited
    with clearing a CLI's lock, 35 minutes before the sweep did)."""
    path = SESSIONS.format(agent="main", sid=MAIN)
    stale = (
        f"session file lock stale (too-old, hold-exceeded): pid={owner} alive=true "
        f"ageMs=1903311 {path}.lock"
    )
    log = _burst(
        "2026-06-18T19:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 52307)",
        60014,
        f"SessionWriteLockStaleError: {stale}",
        ("2026-06-18T19:40:05.660+00:00", "2026-06-18T19:43:22.118+00:00"),
    )
    log += (
        "2026-06-18T20:25:00.000+00:00 [gateway] received SIGTERM; shutting down\n"
        "2026-06-18T21:00:30.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 1187)\n"
        f"2026-06-18T21:00:34.000+00:00 [session-write-lock] removed stale session lock: "
        f"{path}.lock (dead-pid, too-old)\n"
    )
    row = analyze(ingest_files({"console.log": log}), Settings()).incidents.row(0, named=True)
    assert row["resolved_by"] == resolved_by


@pytest.mark.parametrize("lost", [True, False])
def test_a_session_whose_run_lost_its_lease_holds_nothing_to_clear(lost: bool) -> None:
    """ops waits on a stuck run, cleared when that run times out; scout's run lost
    its lease (`lock stale (lease-lost)`: expired or replaced), so scout held no
    lock and keeps nothing open (Z137: the incident waited 8 h for a restart).
    scout's lock stale as `hold-exceeded` is still held, and keeps it open."""
    reason = "lease-lost" if lost else "hold-exceeded"
    stale = _lane_error(
        "2026-07-28T00:58:44.160+00:00",
        41877,
        f"SessionWriteLockStaleError: session file lock stale ({reason}): expired or replaced "
        "SQLite lease sqlite:session-write:agent:scout:main",
    )
    log = (
        "2026-07-28T00:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 52307)\n"
        + _timeout("2026-07-28T00:52:10.447+00:00", "ops", MAIN)
        + stale
        + _timeout("2026-07-28T01:05:20.508+00:00", "ops", MAIN)
        + f"2026-07-28T01:05:40.007+00:00 [agent/embedded] embedded run timeout: runId=e51a9c3f "
        f"sessionId={MAIN} timeoutMs=1800000\n"
    )
    row = analyze(ingest_files({"console.log": log}), Settings()).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolution_s"]) == (
        ("run_timeout", 19.499) if lost else (None, None)
    )


def test_an_in_process_restart_closing_its_server_is_no_stop() -> None:
    """A container's gateway restarts in place (SIGUSR1, OPENCLAW_NO_RESPAWN) and says
    `[shutdown] completed cleanly` just after its `restart mode` line: the same
    process runs on, so no stop, no start, and its process uptime holds."""
    log = (
        "2026-07-21T04:47:49.421+02:00 [gateway] http server listening (4 plugins: a, b, c, d; 5.1s)\n"
        "2026-07-21T07:30:10.520+02:00 [gateway] received SIGUSR1; restarting\n"
        "2026-07-21T07:30:10.535+02:00 [gateway] restart mode: in-process restart (OPENCLAW_NO_RESPAWN)\n"
        "2026-07-21T07:30:10.720+02:00 [shutdown] completed cleanly in 184ms\n"
        "2026-07-21T07:30:13.470+02:00 [gateway] http server listening (4 plugins: a, b, c, d; 2.7s)\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    assert findings.epochs.select("opened_by", "ended_by").rows() == [
        ("start", "in_process_restart"),
        ("in_process_restart", None),
    ]
    assert findings.epochs["process_start"].n_unique() == 1


def test_a_process_running_before_the_bundle_began_no_later_than_its_first_line() -> None:
    """The bundle's first line is noise, half an hour before its first event: the
    process running then began no later than that line, and so did its process
    (its process start was left at the first event, after the epoch's start)."""
    log = (
        "2026-06-07T22:00:30.000+00:00 [telegram] inbound message queued\n"
        + _timeout("2026-06-07T22:33:58.227+00:00", "main", MAIN)
        + _timeout("2026-06-07T22:34:30.000+00:00", "main", MAIN)
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    (epoch,) = findings.epochs.select("start", "process_start").rows()
    assert epoch == (datetime(2026, 6, 7, 22, 0, 30, tzinfo=UTC),) * 2


def test_systemds_lines_of_one_kill_are_one_crash() -> None:
    """`Main process exited, code=killed` and `Failed with result 'oom-kill'` report
    one death: one stop occurrence."""
    findings = analyze(ingest_files({"journal.txt": JOURNAL_CRASH, **DATED}), Settings())
    assert findings.counts["gateway_stop"] == 1
    assert findings.epochs.get_column("ended_by").to_list()[0] == "crash"


def test_systemds_lines_of_one_exit_are_one_stop() -> None:
    """`Main process exited, code=exited, status=1/FAILURE`, `Failed with result
    'exit-code'` and `Consumed …` report one exit: one stop occurrence."""
    journal = (
        "May 29 09:10:36 gw node[32999]: [gateway] listening on ws://127.0.0.1:18789 (PID 32999)\n"
        "May 29 09:10:52 gw systemd[1102]: openclaw-gateway.service: Main process exited, "
        "code=exited, status=1/FAILURE\n"
        "May 29 09:10:52 gw systemd[1102]: openclaw-gateway.service: Failed with result "
        "'exit-code'.\n"
        "May 29 09:10:52 gw systemd[1102]: openclaw-gateway.service: Consumed 2.113s CPU time.\n"
    )
    findings = analyze(ingest_files({"journal.txt": journal, **DATED}), Settings())
    assert findings.counts["gateway_stop"] == 1


@pytest.mark.parametrize("result", ["exit-code", "start-limit-hit"])
def test_systemds_start_limit_restating_the_last_death_is_no_death_of_its_own(
    result: str,
) -> None:
    """A crash loop's last restart hits the start limit: systemd states the last
    death's result again after `Start request repeated too quickly.` (Z170: 31
    stops for 30 deaths).  Two crashes, two stops."""
    unit = "openclaw-gateway.service"

    def crash(pid: int, at: str) -> str:
        return (
            f"May 29 09:{at} gw node[{pid}]: [gateway] listening on ws://127.0.0.1:18789 "
            f"(PID {pid})\n"
            f"May 29 09:{at} gw systemd[1102]: {unit}: Main process exited, code=exited, "
            "status=1/FAILURE\n"
            f"May 29 09:{at} gw systemd[1102]: {unit}: Failed with result 'exit-code'.\n"
            f"May 29 09:{at} gw systemd[1102]: {unit}: Consumed 2.113s CPU time.\n"
        )

    journal = (
        crash(32999, "10:40")
        + f"May 29 09:10:45 gw systemd[1102]: {unit}: Scheduled restart job, restart counter is at 1.\n"
        "May 29 09:10:45 gw systemd[1102]: Stopped OpenClaw Gateway (v2026.5.22).\n"
        "May 29 09:10:45 gw systemd[1102]: Started OpenClaw Gateway (v2026.5.22).\n"
        + crash(33100, "10:52")
        + f"May 29 09:10:57 gw systemd[1102]: {unit}: Scheduled restart job, restart counter is at 2.\n"
        "May 29 09:10:57 gw systemd[1102]: Stopped OpenClaw Gateway (v2026.5.22).\n"
        f"May 29 09:10:57 gw systemd[1102]: {unit}: Start request repeated too quickly.\n"
        f"May 29 09:10:57 gw systemd[1102]: {unit}: Failed with result '{result}'.\n"
        "May 29 09:10:57 gw systemd[1102]: Failed to start OpenClaw Gateway (v2026.5.22).\n"
    )
    findings = analyze(ingest_files({"journal.txt": journal, **DATED}), Settings())
    assert findings.counts["gateway_stop"] == 2
    assert findings.epochs.select("pid", "ended_by").rows() == [(32999, "crash"), (33100, "crash")]


def test_a_clean_exit_systemd_deactivated_is_one_stop() -> None:
    """`Deactivated successfully.` (systemd 248+) ends a clean exit: read as a
    stop, and one stop with the `Stopping`/`Stopped` lines around it."""
    unit = "openclaw-gateway.service"
    journal = (
        "May 29 09:10:36 gw node[32999]: [gateway] listening on ws://127.0.0.1:18789 (PID 32999)\n"
        "May 29 09:20:00 gw systemd[1102]: Stopping OpenClaw Gateway (v2026.5.22)...\n"
        "May 29 09:20:00 gw node[32999]: [gateway] received SIGTERM; shutting down\n"
        f"May 29 09:20:01 gw systemd[1102]: {unit}: Deactivated successfully.\n"
        "May 29 09:20:01 gw systemd[1102]: Stopped OpenClaw Gateway (v2026.5.22).\n"
    )
    findings = analyze(ingest_files({"journal.txt": journal, **DATED}), Settings())
    assert findings.counts["gateway_stop"] == 1
    alone = journal.replace("Stopping OpenClaw", "Reloading OpenClaw").replace(
        "Stopped OpenClaw", "Reloaded OpenClaw"
    )
    alone = "".join(line + "\n" for line in alone.splitlines() if "SIGTERM" not in line)
    findings = analyze(ingest_files({"journal.txt": alone, **DATED}), Settings())
    assert findings.counts["gateway_stop"] == 1
    assert findings.epochs.get_column("end").to_list()[0] is not None


def test_a_stop_that_systemd_ends_with_a_kill_is_still_a_stop() -> None:
    """Asked to stop (`received SIGTERM; shutting down`) and killed when it overran
    its stop budget: the operator's stop, not a crash."""
    journal = JOURNAL_CRASH.replace(
        "May 28 00:06:14 gw-prod-01 systemd[1]: openclaw-gateway.service: A process",
        "May 28 00:05:40 gw-prod-01 node[41822]: [gateway] received SIGTERM; shutting down\n"
        "May 28 00:06:14 gw-prod-01 systemd[1]: openclaw-gateway.service: A process",
    )
    findings = analyze(ingest_files({"journal.txt": journal, **DATED}), Settings())
    assert findings.epochs.row(0, named=True)["ended_by"] == "stop"


def test_systemd_stopping_and_stopped_are_one_stop_naming_the_version() -> None:
    """`Stopping …`, the gateway's SIGTERM line and `Stopped …` a second later are one
    stop, and the unit's description names the stopped process's version."""
    journal = (
        "2026-05-28T03:12:00-0400 gw-b node[7781]: 2026-05-28T03:12:00.440-04:00 "
        "[gateway] lane wait exceeded: lane=main waitedMs=2100 queueAhead=1\n"
        "2026-05-28T03:27:30-0400 gw-b systemd[1]: Stopping OpenClaw Gateway (v2026.5.22)...\n"
        "2026-05-28T03:27:30-0400 gw-b node[7781]: 2026-05-28T03:27:30.210-04:00 "
        "[gateway] received SIGTERM; shutting down\n"
        "2026-05-28T03:27:31-0400 gw-b systemd[1]: Stopped OpenClaw Gateway (v2026.5.22).\n"
        "2026-05-28T03:27:31-0400 gw-b systemd[1]: Started OpenClaw Gateway (v2026.5.22).\n"
        "2026-05-28T03:27:35-0400 gw-b node[9034]: 2026-05-28T03:27:35.800-04:00 "
        "[gateway] listening on ws://127.0.0.1:18789 (PID 9034)\n"
    )
    findings = analyze(ingest_files({"journal.txt": journal}), Settings())
    assert findings.counts["gateway_stop"] == 1
    assert findings.epochs.select("pid", "ended_by", "version").rows() == [
        (7781, "stop", "2026.5.22"),
        (9034, None, "2026.5.22"),
    ]


@pytest.mark.parametrize(("next_start", "restarted"), [("03:27:35", True), ("03:29:35", False)])
def test_a_stop_its_next_start_soon_follows_is_a_restart(next_start: str, restarted: bool) -> None:
    """`systemctl restart` (or `openclaw update`) logs a stop and a start: a start
    within a minute makes the stop that cleared a burst a restart, as the operator
    ran it (Z119, Z112: "gateway stop" beside the start 7 s later). Two minutes
    later it is a stop, then a start."""
    burst = "".join(
        f"2026-05-28T03:2{m}:00-0400 gw-b node[7781]: "
        + _timeout(f"2026-05-28T03:2{m}:00.000-04:00", "main", MAIN, owner=7781)
        for m in (0, 1)
    )
    journal = burst + (
        "2026-05-28T03:27:30-0400 gw-b systemd[1]: Stopping OpenClaw Gateway (v2026.5.22)...\n"
        "2026-05-28T03:27:30-0400 gw-b node[7781]: 2026-05-28T03:27:30.210-04:00 "
        "[gateway] received SIGTERM; shutting down\n"
        "2026-05-28T03:27:31-0400 gw-b systemd[1]: Stopped OpenClaw Gateway (v2026.5.22).\n"
        f"2026-05-28T{next_start}-0400 gw-b node[9034]: 2026-05-28T{next_start}.800-04:00 "
        "[gateway] listening on ws://127.0.0.1:18789 (PID 9034)\n"
    )
    findings = analyze(ingest_files({"journal.txt": journal}), Settings())
    (stop,) = findings.epochs.filter(pl.col("pid") == 7781).select("ended_by", "restarted_s").rows()
    assert stop == ("stop", 4.8 if restarted else None)
    incident = findings.incidents.row(0, named=True)
    assert incident["resolved_by"] == ("gateway_restart" if restarted else "gateway_stop")
    markdown = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    assert ("up again 4.8 s later" in markdown) is restarted


def test_a_stop_after_an_upgrades_reload_names_the_new_version_not_the_old_process() -> None:
    """An upgrade rewrites the unit and reloads it before it restarts the old process:
    `Stopping … (v2026.7.14)` names the unit now loaded; the process its `Started …
    (v2026.5.22)` line began ran 2026.5.22 (Z109: every failure put under 7.14)."""
    unit = "openclaw-gateway.service - OpenClaw Gateway"
    systemd = "gw-eu-02 systemd[1187]:"
    journal = (
        f"2026-07-13T10:15:32+03:00 {systemd} Started {unit} (v2026.5.22).\n"
        "2026-07-13T10:15:41+03:00 gw-eu-02 node[48213]: 2026-07-13T10:15:41.207+03:00 "
        "[gateway] listening on ws://127.0.0.1:18789, ws://[::1]:18789 (PID 48213)\n"
        f"2026-07-15T11:39:58+03:00 {systemd} Reloading requested from client PID 52207 "
        "('systemctl') (unit openclaw-gateway.service)...\n"
        f"2026-07-15T11:39:58+03:00 {systemd} Reloading...\n"
        f"2026-07-15T11:39:58+03:00 {systemd} Reloading finished in 118 ms.\n"
        f"2026-07-15T11:40:04+03:00 {systemd} Stopping {unit} (v2026.7.14)...\n"
        f"2026-07-15T11:40:05+03:00 {systemd} Stopped {unit} (v2026.7.14).\n"
        f"2026-07-15T11:40:06+03:00 {systemd} Started {unit} (v2026.7.14).\n"
        "2026-07-15T11:40:21+03:00 gw-eu-02 node[52290]: 2026-07-15T11:40:21.402+03:00 "
        "[gateway] http server listening (3 plugins: memory-core, slack, telegram; 6.0s)\n"
    )
    findings = analyze(ingest_files({"journal.txt": journal}), Settings())
    assert findings.epochs.select("pid", "version").rows() == [
        (48213, "2026.5.22"),
        (52290, "2026.7.14"),
    ]


def test_the_processs_own_banner_names_its_version_not_the_units_description() -> None:
    """`npm i -g` then `systemctl restart`, the unit not reinstalled: `Started
    OpenClaw Gateway (v2026.1.5)` names the unit as installed, the banner the
    process printed names what it runs (Z194: its failures under 2026.1.5)."""
    journal = (
        "2026-01-01T00:41:33-05:00 gw-nyc-01 systemd[1]: Started OpenClaw Gateway (v2026.1.5).\n"
        "2026-01-01T00:41:33-05:00 gw-nyc-01 node[4051]: \U0001f99e OpenClaw 2026.1.8 (b81d04e) "
        "\u2014 I read the logs so you don't have to.\n"
        "2026-01-01T00:41:35-05:00 gw-nyc-01 node[4051]: 2026-01-01T05:41:35.388Z [gateway] "
        "listening on ws://127.0.0.1:18789, ws://[::1]:18789 (PID 4051)\n"
    )
    findings = analyze(ingest_files({"journal.txt": journal}), Settings())
    assert findings.epochs.select("pid", "version").rows() == [(4051, "2026.1.8")]


@pytest.mark.parametrize(
    ("last_words", "cleared_by", "at"),
    [
        (
            "[openclaw] Unhandled promise rejection: TypeError: Cannot read properties "
            "of undefined (reading 'chatId')",
            "gateway_exit",
            datetime(2026, 6, 18, 8, 52, 7, 331000, tzinfo=UTC),
        ),
        (
            "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory",
            "gateway_start",
            datetime(2026, 6, 18, 8, 52, 21, 339000, tzinfo=UTC),
        ),
    ],
    ids=["process-exit", "v8-abort"],
)
def test_a_gateway_exiting_on_its_own_uncaught_error_released_its_locks(
    last_words: str, cleared_by: str, at: datetime
) -> None:
    """OpenClaw's unhandled-rejection handler calls `process.exit(1)`, whose exit
    handler removes every lock the process held: the exit cleared the burst, not
    the start launchd respawned 14 s later (Z197).  Node's own fatal error aborts
    with no exit handler: its locks stay until the next start sweeps them."""
    log = (
        "2026-06-17T08:00:00.000-07:00 [gateway] listening on ws://127.0.0.1:18789 (PID 9120)\n"
        + _timeout("2026-06-18T01:44:20.102-07:00", "main", MAIN, owner=9120)
        + _timeout("2026-06-18T01:44:48.010-07:00", "main", MAIN, owner=9120)
        + f"2026-06-18T01:52:07.331-07:00 {last_words}\n"
        "2026-06-18T01:52:21.339-07:00 [gateway] listening on ws://127.0.0.1:18789 (PID 15873)\n"
    )
    findings = analyze(ingest_files({"gateway.log": log}), Settings())
    row = findings.incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"]) == (cleared_by, at)
    first = findings.epochs.sort("start").row(0, named=True)
    assert (first["ended_by"], first["released_on_exit"]) == ("crash", cleared_by == "gateway_exit")


def test_an_aborted_run_is_no_successful_run() -> None:
    """`embedded run done … aborted=true` (the holder killed by the in-process
    restart's drain timeout) ends the run without success: the restart clears the
    incident, not the aborted run two seconds before it."""
    log = (
        "2026-03-31T10:00:00.000-04:00 [gateway] listening on ws://127.0.0.1:18789 (PID 1187)\n"
        "2026-03-31T13:20:00.000-04:00 [agent/embedded] embedded run start: runId=r-9 "
        f"sessionId={MAIN} provider=openai model=gpt-5 thinking=low messageChannel=slack\n"
        + _timeout("2026-03-31T13:30:12.000-04:00", "main", MAIN, owner=1187)
        + _timeout("2026-03-31T13:33:46.000-04:00", "main", MAIN, owner=1187)
        + "2026-03-31T13:44:58.000-04:00 [gateway] received SIGUSR1; restarting\n"
        "2026-03-31T13:45:00.190-04:00 [agent/embedded] embedded run done: runId=r-9 "
        f"sessionId={MAIN} durationMs=1500190 aborted=true\n"
        "2026-03-31T13:45:00.415-04:00 [gateway] restart mode: in-process restart "
        "(OPENCLAW_NO_RESPAWN)\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    assert findings.incidents.row(0, named=True)["resolved_by"] == "gateway_restart"


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_a_run_that_cleared_shows_its_clearing_line_as_evidence(fmt: ReportFormat) -> None:
    """`--evidence` on an incident a run's timeout cleared: the run's rows keep no
    text past their sample, and the evidence shows the one line that cleared (not
    the run's start, before the incident), saying what it was read as; no format
    fails on the missing text (md had stopped with an internal error)."""
    start = (
        "2026-03-31T09:00:00.000-04:00 [agent/embedded] embedded run start: runId=r-{n} "
        f"sessionId={MAIN} provider=openai model=gpt-5 thinking=low messageChannel=slack\n"
    )
    log = (
        "2026-03-31T08:00:00.000-04:00 [gateway] listening on ws://127.0.0.1:18789 (PID 1187)\n"
        # Enough runs that the engine reads them in bulk and keeps a sample of text.
        + "".join(start.format(n=n) for n in range(400))
        + _timeout("2026-03-31T09:08:03.523-04:00", "main", MAIN)
        + _timeout("2026-03-31T09:08:40.000-04:00", "main", MAIN)
        + "2026-03-31T09:11:58.411-04:00 [agent/embedded] embedded run timeout: runId=r-399 "
        f"sessionId={MAIN} timeoutMs=600000\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    assert findings.incidents.row(0, named=True)["resolved_by"] == "run_timeout"
    cleared = findings.evidence.filter(pl.col("role") == "resolution")
    assert cleared.select("kind", "line").rows() == [("run", 404)]
    text = reporter_for(fmt).render(findings, RenderOptions(evidence=True))
    assert "None" not in text


@pytest.mark.parametrize("millis", ["950", "000"])
def test_a_failure_is_timed_by_its_finest_stamp_not_a_copy_cut_to_the_second(
    millis: str,
) -> None:
    """The journal's copy of a file-log lock error is stamped to the second; the
    failure (and so the incident's start) is at the file log's millisecond, not up to
    a second early, and the file log's line is the one cited: also when that
    millisecond is `.000`, which is as fine as any."""
    path = SESSIONS.format(agent="main", sid=MAIN) + ".lock"
    message = f"session file locked (timeout 10000ms): pid=52307 {path}"
    record = {
        "0": '{"subsystem":"diagnostic"}',
        "1": message,
        "_meta": {"name": '{"subsystem":"diagnostic"}', "logLevelName": "ERROR"},
        "time": f"2026-05-28T14:05:20.{millis}+02:00",
    }
    journal = f"May 28 14:05:20 gw-prod-01 node[52307]: [diagnostic] {message}\n"
    files = {"openclaw.log": json.dumps(record) + "\n", "journal.txt": journal}
    # The gateway started 0.9 s into a second: counted from the journal copy's
    # whole second, the failure's uptime was a second short.
    start = (
        "2026-05-28T12:00:00.900+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 52307)\n"
    )
    files["gateway.log"] = start.replace("12:00:00.900+02:00", "14:00:00.900+02:00")
    findings = analyze(ingest_files(files), Settings())
    failures = findings.failures
    instant = f"2026-05-28T12:05:20{'.' + millis + '000' if millis != '000' else ''}+00:00"
    # 320.05 s after the start at the file log's time, 319.1 at the journal's.
    assert failures.get_column("uptime_s").to_list() == [320 if millis == "950" else 319]
    assert failures.get_column("ts").to_list()[0].isoformat() == instant
    assert failures.select("source", "line").row(0) == ("openclaw.log", 1)
    # The report's event list cites that copy too, at that millisecond.
    listed = key_events(findings).filter(pl.col("kind") == "lock_timeout")
    (row,) = listed.select("source", "ts").rows()
    assert (row[0], row[1].isoformat()) == ("openclaw.log", instant)


def test_a_restart_whose_drain_timed_out_is_one_restart() -> None:
    """A drain that times out logs the embedded runs' timeout, then the run loop's;
    both are one restart's lines, not a second restart opening an epoch that ends
    before it starts."""
    log = "".join(
        f"2026-03-31T{at}-04:00 [gateway] {text}\n"
        for at, text in (
            ("11:01:02.000", "listening on ws://127.0.0.1:18789 (PID 1187)"),
            ("13:40:00.122", "received SIGUSR1; restarting"),
            ("13:40:00.130", "draining 0 active task(s) and 1 active embedded run(s) before "
             "restart with timeout 300000ms"),
            ("13:40:30.131", "still draining 0 active task(s) and 1 active embedded run(s) "
             "before restart"),
            ("13:45:00.131", "active embedded run drain timeout reached; aborting active run(s) "
             "before restart"),
            ("13:45:00.200", "drain timeout reached; proceeding with restart"),
            ("13:45:00.415", "restart mode: in-process restart (OPENCLAW_NO_RESPAWN)"),
            ("13:45:02.877", "listening on ws://127.0.0.1:18789 (PID 1187)"),
        )
    )  # fmt: skip
    epochs = analyze(ingest_files({"console.log": log}), Settings()).epochs
    assert epochs.select("opened_by", "ended_by").rows() == [
        ("start", "in_process_restart"),
        ("in_process_restart", None),
    ]


def test_the_process_running_before_the_bundle_shows_no_placeholder_instant() -> None:
    """The process already running when the bundle begins owns its pid's lines from
    any time; the epoch table (and `lockforensics sql`) says so with no instant, not
    with year 1."""
    journal = JOURNAL_CRASH.split("\n", 1)[1]  # no start line: running before the bundle
    epochs = analyze(ingest_files({"journal.txt": journal, **DATED}), Settings()).epochs
    first = epochs.row(0, named=True)
    assert (first["opened_by"], first["announced_at"]) == ("before_bundle", None)


def test_a_failure_logged_only_on_a_global_lane_takes_its_sessions_key() -> None:
    """A lock error logged only on `lane=main` names no session key; its session's
    other failures do, so the incident's session types do not list `unknown` beside
    the session's own type."""
    path = SESSIONS.format(agent="main", sid=MAIN) + ".lock"
    error = f'error="Error: session file locked (timeout 10000ms): pid=1187 {path}"'
    log = (
        "2026-03-31T15:21:05.772-04:00 [diagnostic] lane task error: "
        f"lane=session:agent:main:slack:channel:c07abc durationMs=10012 {error}\n"
        f"2026-03-31T15:22:10.540-04:00 [diagnostic] lane task error: lane=main durationMs=10009 {error}\n"
    )
    incident = analyze(ingest_files({"console.log": log}), Settings()).incidents.row(0, named=True)
    assert incident["session_types"] == ["channel"]


def test_a_lock_a_process_other_than_the_gateway_held_is_named() -> None:
    """Timeouts wait on a live holder; one whose owner pid is not the gateway's is
    another process's lock (root-cause evidence), and the incident says so.  A stale
    lock of a dead pid is a dead process's, not a live one's: not listed."""
    other = SESSIONS.format(agent="ops", sid=SUPPORT) + ".lock"
    dead = SESSIONS.format(agent="main", sid=MAIN) + ".lock"
    log = (
        "2026-03-31T11:01:02.412-04:00 [gateway] listening on ws://127.0.0.1:18789 (PID 1187)\n"
        "2026-03-31T15:21:05.772-04:00 [diagnostic] lane task error: lane=cron "
        f'durationMs=10044 error="Error: session file locked (timeout 10000ms): pid=3342 {other}"\n'
        "2026-03-31T15:21:31.000-04:00 [diagnostic] lane task error: lane=main "
        f'durationMs=10021 error="Error: session file locked (timeout 10000ms): pid=1187 {dead}"\n'
        "2026-03-31T15:22:10.540-04:00 [diagnostic] lane task error: lane=main durationMs=12 "
        f'error="SessionWriteLockStaleError: session file lock stale (dead-pid): pid=977 '
        f'alive=false {dead}"\n'
    )
    incident = analyze(ingest_files({"console.log": log}), Settings()).incidents.row(0, named=True)
    assert incident["other_owner_pids"] == [3342]
    facts = dict(rows.incident_facts(incident, several_hosts=False))
    assert "pid 3342, not the gateway's 1187: a live owner" in str(
        facts["Lock held by another process"]
    )
    # An incident whose first row names no gateway pid (Z176: its rows on hosts
    # a misread line made) says so, not Python's `None`.
    unknown = dict(rows.incident_facts({**incident, "gateway_pid": None}, several_hosts=False))
    assert "None" not in str(unknown["Lock held by another process"])


def _lock_file(sid: str, pid: int, created: str) -> tuple[str, str]:
    name = f"home/oc/.openclaw/agents/main/sessions/{sid}.jsonl.lock"
    return name, json.dumps({"pid": pid, "createdAt": created}, indent=2)


def test_a_dead_owner_that_was_another_hosts_running_gateway_is_named_so() -> None:
    """Two hosts share one state directory: gw-a's errors call gw-b's gateway dead
    (OpenClaw checks a pid on its own host).  It was alive on gw-b: another
    process's lock, named with its host, not a crash's leftover."""
    path = SESSIONS.format(agent="main", sid=MAIN)

    def stale(at: str) -> str:
        return (
            f"{at} gw-a node[2231]: [diagnostic] lane task error: lane=main durationMs=9 "
            f'error="Error: session file lock stale (dead-pid): pid=3117 alive=false {path}.lock"\n'
        )

    journal = (
        "2026-06-20T09:00:00+0000 gw-a node[2231]: [gateway] listening on ws://127.0.0.1:18789 (PID 2231)\n"
        "2026-06-20T09:00:05+0000 gw-b node[3117]: [gateway] listening on ws://127.0.0.1:18789 (PID 3117)\n"
        + stale("2026-06-20T10:00:00+0000")
        + stale("2026-06-20T10:01:00+0000")
    )
    findings = analyze(ingest_files({"journal.txt": journal}), Settings())
    incident = findings.incidents.row(0, named=True)
    assert (incident["dead_owner_pids"], incident["other_owner_pids"]) == ([], [3117])
    assert incident["owner_hosts"] == ["gw-b"]


def test_locks_held_at_collection_say_whose_pid_they_name() -> None:
    """Lock files in the bundle beside the epochs: the running gateway's (a run in
    progress), a gateway's that ended (a crash left it: dead-pid), another
    process's; with the incidents of their session."""
    ended, running, other = MAIN, SUPPORT, "a7c9e1b3-5d7f-4a2c-9e4b-6d8f0a2c4e7a"
    files = dict(
        [
            _lock_file(ended, 41822, "2026-05-28T00:05:59.000Z"),
            _lock_file(running, 52307, "2026-05-28T00:08:58.402Z"),
            _lock_file(other, 60417, "2026-05-28T00:07:03.771Z"),
        ]
    )
    crash = JOURNAL_CRASH.replace(
        "May 28 00:06:14 gw-prod-01 systemd[1]: openclaw-gateway.service: A process",
        f"May 28 00:05:50 gw-prod-01 node[41822]: [diagnostic] session file locked (timeout "
        f"10000ms): pid=41822 {SESSIONS.format(agent='main', sid=ended)}.lock\n"
        f"May 28 00:06:00 gw-prod-01 node[41822]: [diagnostic] session file locked (timeout "
        f"10000ms): pid=41822 {SESSIONS.format(agent='main', sid=ended)}.lock\n"
        "May 28 00:06:14 gw-prod-01 systemd[1]: openclaw-gateway.service: A process",
    )
    findings = analyze(ingest_files({"journal.txt": crash, **DATED, **files}), Settings())
    held = {r["session_id"]: r for r in findings.held_locks.iter_rows(named=True)}
    assert {sid: (r["pid"], r["owner"]) for sid, r in held.items()} == {
        ended: (41822, "ended gateway"),
        running: (52307, "running gateway"),
        other: (60417, "other process"),
    }
    assert held[ended]["incidents"] == [1]
    markdown = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    assert "### Locks held at collection" in markdown
    assert "a gateway that has ended" in markdown


def test_with_the_gateway_pid_unknown_the_live_lock_owner_is_named_as_likely_it() -> None:
    """A 2026.6 `ready` names no pid; the incident's lock errors name a live owner
    (`pid=41200 alive=true`), most often the gateway itself: the report says so as a
    likelihood beside the unknown pid, and leaves the epoch's pid unknown."""
    path = SESSIONS.format(agent="main", sid=MAIN) + ".lock"
    log = "2026-06-20T07:00:05.000-07:00 [gateway] ready (3 plugins: a, b, c; 4.2s)\n" + "".join(
        _lane_error(
            at,
            60011,
            f"SessionWriteLockTimeoutError: session file locked (timeout 60000ms): "
            f"pid=41200 alive=true ageMs={age} {path}",
        )
        for at, age in (
            ("2026-06-20T07:30:00.000-07:00", 61877),
            ("2026-06-20T07:31:00.000-07:00", 121877),
        )
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    incident = findings.incidents.row(0, named=True)
    assert (incident["gateway_pid"], incident["live_owner_pids"]) == (None, [41200])
    markdown = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    assert "live owner pid 41200: likely the gateway itself" in markdown


def test_a_timeout_naming_its_owner_without_alive_names_a_live_owner() -> None:
    """A macOS console log whose `ready` names no pid: its timeouts say
    `pid=812` with no `alive=` (before 2026.6). A timeout waits on a live holder,
    so 812 is named as the likely gateway, as an `alive=true` owner is; a stale
    lock's dead owner is not."""
    path = SESSIONS.format(agent="main", sid=MAIN) + ".lock"
    log = _burst(
        "2026-05-20T09:00:05.000-07:00 [gateway] ready (4 plugins: a, b, c, d; 3.3s)",
        60011,
        f"SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=812 {path}",
        ("2026-05-20T09:40:02.511-07:00", "2026-05-20T09:41:02.511-07:00"),
    ) + _lane_error(
        "2026-05-20T09:42:02.511-07:00",
        11,
        f"Error: session file lock stale (dead-pid): pid=97 alive=false ageMs=9 {path}",
    )
    findings = analyze(ingest_files({"gateway.log": log}), Settings())
    incident = findings.incidents.row(0, named=True)
    assert (incident["gateway_pid"], incident["live_owner_pids"]) == (None, [812])


_LOCKED = (
    "[diagnostic] session file locked (timeout 10000ms): pid=41822 "
    + SESSIONS.format(agent="main", sid=MAIN)
    + ".lock"
)
#: A journal whose first line, noise, comes hours before its two lock errors.
_UP_SINCE_MIDNIGHT = (
    "May 27 00:05:00 gw-prod-01 node[41822]: [gateway] a line no signature reads\n"
    f"May 27 07:38:12 gw-prod-01 node[41822]: {_LOCKED}\n"
    f"May 27 07:39:12 gw-prod-01 node[41822]: {_LOCKED}\n"
)


def test_a_process_running_before_the_bundle_ran_from_its_hosts_first_line() -> None:
    """A journal's first lines are noise hours before the first event: the process was
    up then, so the uptime lower bound counts from that line, and the window (the
    time the logs cover) starts there too."""
    findings = analyze(ingest_files({"journal.txt": _UP_SINCE_MIDNIGHT, **DATED}), Settings())
    first = findings.epochs.row(0, named=True)
    assert (first["opened_by"], first["start_source"]) == ("before_bundle", "first_line")
    assert first["start"].isoformat() == "2026-05-27T00:05:00+00:00"
    incident = findings.incidents.row(0, named=True)
    assert (incident["uptime_s"], incident["uptime_is_lower_bound"]) == (27192, True)
    assert findings.window_start == first["start"]


def test_a_cron_commands_output_days_before_is_no_line_the_gateway_wrote() -> None:
    """A `sessions cleanup` cron log going back days before the gateway's logs shows
    the CLI ran then, not the gateway: the uptime lower bound still counts from the
    journal's first line (Z112: 176 h where the logs show 32 h)."""
    store = "/home/u/.openclaw/agents/main/sessions/sessions.json"
    run = f"Agent: main\nSession store: {store}\nApplied maintenance. Current entries: 80\n"
    cron = "".join(f"Wed May {day} 05:15:01 UTC 2026\n{run}" for day in (20, 23, 26))
    findings = analyze(
        ingest_files({"journal.txt": _UP_SINCE_MIDNIGHT, "cron/cleanup.log": cron, **DATED}),
        Settings(),
    )
    first = findings.epochs.row(0, named=True)
    assert first["start"].isoformat() == "2026-05-27T00:05:00+00:00"
    incident = findings.incidents.row(0, named=True)
    assert (incident["uptime_s"], incident["uptime_is_lower_bound"]) == (27192, True)


def _compose_and_file_log(hostname: str, minute: int) -> dict[str, str]:
    """A docker compose capture (container `openclaw-gateway-1`) and the gateway's own
    file log naming its container's hostname, holding the same two lock errors."""
    compose, file_log = [], []
    for second in (3, 40):
        at = f"2026-07-20T09:{minute:02d}:{second:02d}.118"
        message = (
            "session file locked (timeout 60000ms): pid=7 alive=true "
            f"ageMs={241000 + second} sqlite:session-write:agent:main:main"
        )
        compose.append(
            f"openclaw-gateway-1  | {at}140946Z {at}+00:00 [diagnostic] lane task error: "
            f'lane=session:agent:main:main durationMs=60007 error="{message}"\n'
        )
        meta = {"hostname": hostname, "name": '{"subsystem":"diagnostic"}', "date": f"{at}Z"}
        file_log.append(
            json.dumps(
                {
                    "0": '{"subsystem":"diagnostic"}',
                    "1": f'lane task error: lane=session:agent:main:main durationMs=60007 error="{message}"',
                    "_meta": meta,
                    "time": f"{at}+00:00",
                }
            )
            + "\n"
        )
    return {
        "docker-compose-logs.txt": "".join(compose),
        "tmp-openclaw/openclaw.log": "".join(file_log),
    }


def test_one_compose_container_name_on_two_hosts_is_two_gateways() -> None:
    """prod and staging run the same compose file: both captures name their gateway
    `openclaw-gateway-1`.  Each capture holds its own file log's records, which name
    the container's hostname: the capture is that host's, so the two bursts in the same
    minutes stay two incidents on two hosts, not one merged one."""
    files = {
        f"{env}/{name}": text
        for env, hostname, minute in (("prod", "4c1f0e2b9a7d", 10), ("staging", "b7e3d91a0c55", 10))
        for name, text in _compose_and_file_log(hostname, minute).items()
    }
    findings = analyze(ingest_files(files), Settings())
    assert sorted(findings.hosts) == ["4c1f0e2b9a7d", "b7e3d91a0c55"]
    assert sorted(findings.incidents.get_column("host").to_list()) == [
        "4c1f0e2b9a7d",
        "b7e3d91a0c55",
    ]


@pytest.mark.parametrize("shared_locks", [2, 1, 0])
def test_a_start_in_a_compose_capture_and_its_file_log_is_one_start(shared_locks: int) -> None:
    """The compose capture and the container's file log both hold the gateway's
    start (and two, one or none of its lock errors: its start and ready lines
    alone show the capture is that host's; Z192: a quiet day made one container
    two gateways).  Read, they name two hosts (the container's name, its hostname);
    once the capture is known to be that host's, the start is one line read twice,
    not two starts (Z138: each start became two epochs, the first ending before
    it began, and the start count doubled); and the process began by its boot's
    first line, though no line names its pid (it had begun at `listening`)."""
    files = _compose_and_file_log("4be1c07a9e3d", 10)
    compose = files["docker-compose-logs.txt"].splitlines(keepends=True)
    files["docker-compose-logs.txt"] = "".join(compose[:shared_locks])
    steps = ("starting...", "http server listening (6 plugins: memory-core, telegram; 5.8s)")
    for second, text in zip((1, 4), steps, strict=True):
        at = f"2026-07-20T09:08:0{second}.350"
        files["docker-compose-logs.txt"] = (
            f"openclaw-gateway-1  | {at}512578Z {at}+00:00 [gateway] {text}\n"
            + files["docker-compose-logs.txt"]
        )
        record = {
            "0": '{"subsystem":"gateway"}',
            "1": text,
            "_meta": {"hostname": "4be1c07a9e3d", "name": '{"subsystem":"gateway"}'},
            "time": f"{at}+00:00",
        }
        files["tmp-openclaw/openclaw.log"] = (
            json.dumps(record) + "\n" + files["tmp-openclaw/openclaw.log"]
        )
    findings = analyze(ingest_files(files), Settings())
    epochs = findings.epochs.to_dicts()
    assert [(e["opened_by"], e["host"]) for e in epochs] == [("start", "4be1c07a9e3d")]
    # It began by its boot's first line, though no line names its pid.
    assert epochs[0]["start"].isoformat() == "2026-07-20T09:08:01.350000+00:00"
    assert epochs[0]["ready"].isoformat() == "2026-07-20T09:08:04.350000+00:00"
    assert findings.counts["gateway_start"] == 1
    incidents = findings.incidents.to_dicts()
    assert [incident["epoch"] for incident in incidents] == [epochs[0]["epoch"]]


@pytest.mark.parametrize("vector", [False, True])
def test_another_containers_json_record_quoting_lock_wording_is_no_failure(vector: bool) -> None:
    """A reverse proxy beside the gateway in the compose capture logs each request as
    JSON; a scanner's User-Agent holds lock and run wordings.  That record's message
    is `handled request`: nothing of the gateway's (Z138: a takeover and a lock
    timeout that never happened, one inside a real incident).  The gateway's own
    JSON console style still reads by its message."""
    files = _compose_and_file_log("4be1c07a9e3d", 10)
    agents = "/home/node/.openclaw/agents"
    quoted = (
        f"session file locked (timeout 60000ms): pid=1 alive=true ageMs=5 {agents}/evil/sessions/a.jsonl.lock",
        'lane task error: lane=main durationMs=1 error="EmbeddedAttemptSessionTakeoverError: session '
        f'file changed while embedded prompt lock was released: {agents}/x/sessions/pwn.jsonl"',
        "embedded run done: runId=r-1 sessionId=s-1 durationMs=5 aborted=false",
    )
    # Enough of them that the chunk engine reads them in bulk (vector) or not.
    copies = 300 if vector else 1
    proxy = [
        f"caddy-1             | 2026-07-20T09:10:{n % 60:02d}.441231529Z "
        + json.dumps(
            {
                "level": "info",
                "logger": "http.log.access.log0",
                "msg": "handled request",
                "request": {"uri": "/.env", "headers": {"User-Agent": [agent]}},
            }
        )
        + "\n"
        for n in range(copies)
        for agent in quoted
    ]
    own = json.dumps(
        {
            "severity": "ERROR",
            "time": "2026-07-20T09:12:00.000Z",
            "subsystem": "diagnostic",
            "message": 'lane task error: lane=main durationMs=60007 error="session file '
            f'locked (timeout 60000ms): pid=7 {agents}/main/sessions/{MAIN}.jsonl.lock"',
        }
    )
    files["docker-compose-logs.txt"] += "".join(proxy) + (
        f"openclaw-gateway-1  | 2026-07-20T09:12:00.000140946Z {own}\n"
    )
    findings = analyze(ingest_files(files), Settings())
    assert (findings.counts["lock_timeout"], findings.counts["takeover"]) == (3, 0)
    assert findings.failures.get_column("agent").unique().to_list() == ["main"]
    assert findings.events.filter(pl.col("kind") == "run").collect().is_empty()


def test_a_lock_a_dead_process_left_is_named() -> None:
    """A stale lock whose owner died holding it (`dead-pid`, not the gateway) is a
    crash's or a kill's leftover: root-cause evidence, named under the incident."""
    dead = SESSIONS.format(agent="main", sid=MAIN) + ".lock"
    log = _burst(
        "2026-04-20T10:00:00.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 7720)",
        12,
        f"SessionWriteLockStaleError: session file lock stale (dead-pid): pid=6100 {dead}",
        ("2026-04-20T10:30:00.000+02:00", "2026-04-20T10:31:00.000+02:00"),
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    incident = findings.incidents.row(0, named=True)
    assert (incident["dead_owner_pids"], incident["other_owner_pids"]) == ([6100], [])
    markdown = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    assert "Lock held by a dead process:** pid 6100" in markdown


def test_another_gateway_starting_on_the_host_clears_nothing_while_this_one_runs() -> None:
    """Two gateways on one host (two profiles): staging restarting beside prod's
    burst clears nothing; prod's own restart, ending the process, does."""

    def line(at: str, pid: int, text: str) -> str:
        return f"2026-08-14T{at}+0200 atlas node[{pid}]: {text}\n"

    def listening(at: str, pid: int, port: int) -> str:
        return line(at, pid, f"[gateway] listening on ws://127.0.0.1:{port} (PID {pid})")

    def timeout(at: str) -> str:
        path = SESSIONS.format(agent="ops", sid=SUPPORT)
        error = f"Error: session file locked (timeout 10000ms): pid=2211 {path}.lock"
        return line(
            at, 2211, f'[diagnostic] lane task error: lane=main durationMs=10012 error="{error}"'
        )

    journal = (
        listening("06:00:00", 2211, 18789)
        + listening("06:05:00", 2290, 19001)
        + timeout("09:41:10")
        + timeout("09:43:10")
        + line("09:47:30", 2290, "[gateway] received SIGTERM; shutting down")
        + listening("09:47:35", 3390, 19001)
        + timeout("09:55:02")
        + line("10:14:07", 2211, "[gateway] received SIGTERM; shutting down")
        + listening("10:14:13", 4105, 18789)
    )
    findings = analyze(ingest_files({"journal.txt": journal}), Settings())
    (incident,) = findings.incidents.to_dicts()
    assert incident["gateway_pid"] == 2211
    # It stopped when asked, releasing its locks on the way out.
    assert incident["resolved_by"] == "gateway_stop"
    assert incident["resolved_at"].strftime("%H:%M:%S") == "08:14:07"


def test_an_unstamped_watchdog_release_is_timed_by_its_locks_age() -> None:
    """launchd's `gateway.err.log` holds the watchdog's release with no stamp (it is
    written to stderr alone): its lock's errors say when the lock was taken
    (`ts - ageMs`), and the release names how long it was held."""
    path = SESSIONS.format(agent="ops", sid=SUPPORT)

    def stale(at: str, age_ms: int) -> str:
        return (
            f"2026-07-03T{at}-07:00 [diagnostic] lane task error: lane=main durationMs=1204 "
            f'error="SessionWriteLockStaleError: session file lock stale (hold-exceeded): '
            f'pid=2871 alive=true ageMs={age_ms} {path}.lock"\n'
        )

    err_log = (
        "2026-07-03T08:40:10.000-07:00 [gateway] listening on ws://127.0.0.1:19001 (PID 2871)\n"
        + stale("09:28:55.431", 975011)
        + stale("09:29:55.431", 1035011)
        + "[session-write-lock] releasing lock held for 1052185ms (max=1020000ms): "
        + f"{path}.lock\n"
        + "2026-07-03T09:30:30.000-07:00 [gateway] agent model: anthropic/claude-sonnet-4-6\n"
    )
    findings = analyze(ingest_files({"gateway.err.log": err_log}), Settings())
    (release,) = findings.events.filter(kind="lock_released_by_watchdog").collect().to_dicts()
    # Taken at 16:12:40.420Z (16:29:55.431 - 1035.011 s), held 1052.185 s.
    assert release["ts"].isoformat() == "2026-07-03T16:30:12.605000+00:00"
    (incident,) = findings.incidents.to_dicts()
    assert incident["resolved_by"] == "lock_released_by_watchdog"


def test_an_unstamped_release_no_error_dates_is_bounded_by_the_lines_around_it() -> None:
    """2026.5 names the lock's owner by its pid alone (no `ageMs`): the release
    written to stderr with no stamp is timed by the stamped line after it in its
    capture, when the one before is within a minute (an upper bound, said so),
    not left untimed with a stop an hour later named the clear (Z185)."""
    path = SESSIONS.format(agent="coder", sid=SUPPORT)
    error = f"Error: session file lock stale (hold-exceeded): pid=2871 {path}.lock"
    capture = (
        "2026-06-12T08:40:10.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 2871)\n"
        + _lane_error("2026-06-12T09:35:41.306+02:00", 31255, error)
        + _lane_error("2026-06-12T09:36:02.930+02:00", 8812, error)
        + f"[session-write-lock] releasing lock held for 1975690ms (max=1920000ms): {path}.lock\n"
        + "2026-06-12T09:36:06.417+02:00 [gateway] agent model: anthropic/claude-sonnet-4-6\n"
        + "2026-06-12T10:33:48.115+02:00 [gateway] received SIGINT; shutting down\n"
    )
    findings = analyze(ingest_files({"transcript.txt": capture}), Settings())
    (release,) = findings.events.filter(kind="lock_released_by_watchdog").collect().to_dicts()
    assert release["ts"] == datetime(2026, 6, 12, 7, 36, 6, 417000, tzinfo=UTC)
    assert "upper bound" in release["ts_assumption"]
    (incident,) = findings.incidents.to_dicts()
    assert (incident["resolved_by"], incident["resolution_s"]) == (
        "lock_released_by_watchdog",
        3.487,
    )


@pytest.mark.parametrize("chunk_lines", [None, 3, 4, 5])
def test_an_unstamped_release_between_lines_that_are_no_event_is_bounded_by_them(
    chunk_lines: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Z237: a console capture (PowerShell's `*>`) holds the release between a
    Telegram send and a heartbeat, lines of no event; their stamps bound it, as an
    event line's would (it stood untimed, the incident "unresolved"), also where
    the line below begins the next chunk."""
    if chunk_lines is not None:
        monkeypatch.setattr(chunks, "CHUNK_LINES", chunk_lines)
    path = SESSIONS.format(agent="main", sid=MAIN)
    capture = (
        "2026-11-01T01:26:02.921-08:00 [gateway] listening on ws://127.0.0.1:18789 (PID 15216)\n"
        + _timeout("2026-11-01T02:03:12.506-08:00", "main", MAIN, owner=15216)
        + _timeout("2026-11-01T02:06:12.506-08:00", "main", MAIN, owner=15216)
        + "2026-11-01T02:10:36.114-08:00 [telegram] sendMessage ok chat=5512094417\n"
        + f"[session-write-lock] releasing lock held for 721302ms (max=720000ms): {path}.lock\n"
        + "2026-11-01T02:11:02.880-08:00 [heartbeat] heartbeat: sent\n"
    )
    findings = analyze(ingest_files({"gateway-console.txt": capture}), Settings())
    (release,) = findings.events.filter(kind="lock_released_by_watchdog").collect().to_dicts()
    assert release["ts"] == datetime(2026, 11, 1, 10, 11, 2, 880000, tzinfo=UTC)
    assert "upper bound" in release["ts_assumption"]
    (incident,) = findings.incidents.to_dicts()
    assert incident["resolved_by"] == "lock_released_by_watchdog"


@settings(max_examples=100, deadline=None)
@given(
    taken=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1)),
    seen_s=st.integers(0, 10**6),
    more_s=st.integers(0, 10**6),
)
def test_a_release_is_its_holds_start_plus_the_hold(
    taken: datetime, seen_s: int, more_s: int
) -> None:
    """Whatever the instants: taken at `ts - ageMs`, released `heldForMs` later."""
    start = taken.replace(tzinfo=UTC)
    error = {"kind": "lock_stale", "lock_path": "/l.jsonl.lock", "source": "a", "line": 1,
             "ts": start + timedelta(seconds=seen_s), "age_ms": seen_s * 1000}  # fmt: skip
    release = {"kind": "lock_released_by_watchdog", "lock_path": "/l.jsonl.lock", "source": "a",
               "line": 2, "ts": None, "duration_ms": (seen_s + more_s) * 1000}  # fmt: skip
    timed_releases([error, release])
    assert release["ts"] == start + timedelta(seconds=seen_s + more_s)


@pytest.mark.parametrize("chunk", [None, 64])
def test_a_reboot_ends_the_process_at_the_last_line_before_it(
    chunk: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A host hard-reset: journalctl prints `-- Boot <id> --` between the two
    boots, and the gateway comes back under the same pid.  The old process lived
    until the last line before the marker (noise, not an event: it wrote it), and
    ended unasked, so its lock stays until the new process starts; the marker
    writes no time, and takes that line's, as an assumed one; with chunks of a
    line each, that line is in the chunk before."""
    if chunk is not None:
        monkeypatch.setattr(chunks, "CHUNK_BYTES", chunk)
    path = SESSIONS.format(agent="main", sid=MAIN)
    journal = f"""\
2026-05-28T01:00:12+02:00 gw-c node[1873]: 2026-05-28T01:00:12.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 1873)
2026-05-28T11:10:00+02:00 gw-c node[1873]: 2026-05-28T11:10:00.412+02:00 [diagnostic] lane task error: lane=main durationMs=10012 error="Error: session file locked (timeout 10000ms): pid=1873 {path}.lock"
2026-05-28T11:12:51+02:00 gw-c node[1873]: 2026-05-28T11:12:51.667+02:00 [diagnostic] lane task error: lane=main durationMs=10012 error="Error: session file locked (timeout 10000ms): pid=1873 {path}.lock"
2026-05-28T12:57:40+02:00 gw-c node[1873]: 2026-05-28T12:57:40.880+02:00 [telegram] [default] getUpdates conflict cleared; polling resumed

-- Boot b82e5c17f0a94d3e86b1c4a9d25e07f3 --
2026-05-28T13:02:42+02:00 gw-c systemd[795]: Started OpenClaw Gateway (v2026.5.22).
2026-05-28T13:02:45+02:00 gw-c node[1873]: 2026-05-28T13:02:45.120+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 1873)
"""
    findings = analyze(ingest_files({"journal.short-iso.txt": journal}), Settings())
    epochs = findings.epochs.select("pid", "end", "ended_by").rows()
    assert epochs[0] == (1873, datetime(2026, 5, 28, 10, 57, 40, 880000, tzinfo=UTC), "crash")
    assert [(pid, ended) for pid, _end, ended in epochs[1:]] == [(1873, None)]
    (incident,) = findings.incidents.to_dicts()
    assert incident["resolved_by"] == "gateway_start"
    # journalctl -b over several boots opens with the first one's marker:
    # no boot before it is in view, so it ends nothing.
    opened = analyze(
        ingest_files({"j.txt": "-- Boot 3c9f0e5a7b2d4e61a8c0f9b1d2e3a4c5 --\n" + journal}),
        Settings(),
    )
    assert opened.counts["gateway_stop"] == 1
    stop = findings.events.filter(pl.col("phase") == "reboot").collect().row(0, named=True)
    assert (stop["ts_quality"], stop["ts_assumption"]) == (
        "assumed",
        "time of the last line above it",
    )


def test_a_start_refused_because_a_gateway_already_runs_opens_no_epoch() -> None:
    """A second `openclaw gateway` started by hand fails to take the singleton lock
    and stays alive, unbound: the gateway already running runs on, through the
    burst that follows, and its uptime at the burst counts from its own start."""
    log = (
        "2026-06-27T08:10:07.902+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 2741)\n"
        "2026-06-29T09:58:41.207+02:00 [gateway] starting...\n"
        "2026-06-29T09:58:46.300+02:00 [gateway] gateway startup failed: Error: gateway already "
        "running (pid 2741); lock timeout after 5000ms. Process will stay alive; fix the issue "
        "and restart.\n"
        + _timeout("2026-06-29T10:05:14.220+02:00", "main", MAIN)
        + _timeout("2026-06-29T10:05:44.220+02:00", "main", MAIN)
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    assert findings.epochs.select("pid", "ended_by").rows() == [(2741, None)]
    incident = findings.incidents.row(0, named=True)
    assert (incident["gateway_pid"], incident["uptime_s"]) == (2741, 2 * 86400 + 6906)


def test_a_crash_loops_start_refused_by_the_dead_gateways_lock_is_no_process() -> None:
    """A crash loop: the gateway is OOM-killed while starting, and the next start
    finds its singleton lock still held (`gateway already running (pid 32999)`)
    and exits.  The refused process is no gateway epoch, and the start before
    it, the one the lock names, stays the killed gateway's."""
    journal = """\
May 29 11:10:36 gw-crash-01 systemd[1190]: Started OpenClaw Gateway (v2026.5.22).
May 29 11:10:39 gw-crash-01 node[32999]: 2026-05-29T11:10:39.100+02:00 [canvas] host mounted at http://127.0.0.1:18789/__openclaw__/canvas/ (root /home/oc/.openclaw/canvas)
May 29 11:10:39 gw-crash-01 node[32999]: 2026-05-29T11:10:39.150+02:00 [heartbeat] started
May 29 11:10:41 gw-crash-01 systemd[1190]: openclaw-gateway.service: Main process exited, code=killed, status=9/KILL
May 29 11:10:46 gw-crash-01 systemd[1190]: Started OpenClaw Gateway (v2026.5.22).
May 29 11:10:51 gw-crash-01 node[33120]: 2026-05-29T11:10:51.990+02:00 Gateway failed to start: gateway already running (pid 32999); lock timeout after 5000ms
May 29 11:10:52 gw-crash-01 systemd[1190]: openclaw-gateway.service: Main process exited, code=exited, status=1/FAILURE
"""
    findings = analyze(ingest_files({"journal.txt": journal, **DATED}), Settings())
    epochs = findings.epochs.select("pid", "opened_by", "ended_by").rows()
    assert (32999, "start", "crash") in epochs
    assert 33120 not in [pid for pid, _, _ in epochs]


def test_a_start_that_waited_for_the_gateway_state_and_gave_up_opens_no_epoch() -> None:
    """The SQLite era's singleton: a second gateway systemd started waits up to
    300 s for the state ownership the running one holds and gives up (`failed
    to acquire gateway state ownership; waited …ms`).  It is no gateway
    epoch; the running gateway runs on (Z129: both lines were noise, and the
    refused process was a gateway started in the middle of the burst)."""
    journal = """\
May 29 11:00:00 gw-lease-01 node[32999]: 2026-05-29T11:00:00.100+00:00 [gateway] ready (4 plugins; 9.1s)
May 29 11:10:46 gw-lease-01 systemd[1190]: Started OpenClaw Gateway (v2026.8.14).
May 29 11:10:48 gw-lease-01 node[33120]: 2026-05-29T11:10:48.010+00:00 [gateway] waiting for Gateway state ownership held by another OpenClaw process, up to 300 s
May 29 11:15:48 gw-lease-01 node[33120]: 2026-05-29T11:15:48.022+00:00 Gateway failed to start: GatewayLockError: failed to acquire gateway state ownership; waited 300012ms for gateway-lifecycle ownership
"""
    findings = analyze(ingest_files({"journal.txt": journal, **DATED}), Settings())
    assert findings.epochs.select("pid", "ended_by").rows() == [(32999, None)]
    assert findings.counts["gateway_start_failed"] == 2


def test_a_full_restart_that_fell_back_to_in_process_kept_its_process() -> None:
    """`restart mode: full process restart (supervisor restart)`, then launchd's
    handoff never spawned (`falling back to in-process restart`): the process
    restarted in place, keeping its pid and its locks (Z129)."""
    journal = "".join(
        f"2026-08-19T{at}-05:00 gw-mac node[41822]: {text}\n"
        for at, text in (
            ("09:00:00", "[gateway] listening on ws://127.0.0.1:18789 (PID 41822)"),
            ("09:05:30", "[gateway] received SIGUSR1; restarting"),
            ("09:06:15", "[gateway] restart mode: full process restart (supervisor restart)"),
            (
                "09:06:17",
                "[gateway] launchd restart handoff failed to spawn; falling back to "
                "in-process restart",
            ),
            ("09:06:21", "[gateway] listening on ws://127.0.0.1:18789 (PID 41822)"),
        )
    )
    findings = analyze(ingest_files({"journal.txt": journal}), Settings())
    assert findings.epochs.select("pid", "ended_by").rows() == [
        (41822, "in_process_restart"),
        (41822, None),
    ]


def test_a_restart_clears_at_its_process_exit_after_its_last_failure() -> None:
    """A draining process logs `restart mode`, then its aborted runs' last lock
    errors and its shutdown, and exits: the restart cleared those failures when
    the process exited, not hours later (or never)."""
    journal = "".join(
        f"2026-08-19T{at}-05:00 gw-lease-01 node[{pid}]: {text}\n"
        for at, pid, text in (
            ("09:00:00", 41822, "[gateway] listening on ws://127.0.0.1:18789 (PID 41822)"),
            ("09:05:30", 41822, "[gateway] received SIGUSR1; restarting"),
            ("09:05:44", 41822, _timeout("", "main", MAIN, owner=41822).strip()),
            ("09:06:15", 41822, "[gateway] restart mode: full process restart (spawned pid 43950)"),
            ("09:06:16", 41822, _timeout("", "main", MAIN, owner=41822).strip()),
            ("09:06:17", 41822, "[shutdown] completed cleanly in 2224ms"),
            ("09:06:21", 43950, "[gateway] listening on ws://127.0.0.1:18789 (PID 43950)"),
        )
    )
    row = analyze(ingest_files({"journal.txt": journal}), Settings()).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolution_s"]) == ("gateway_restart", 1.0)


def test_a_run_that_cleared_is_cited_at_its_end_and_still_counted_with_the_runs() -> None:
    """A run that starts before an hour ends and completes after it, clearing the
    incident: the event list cites its `done` line, the instant the incident
    names; the run summary still counts it, once, in the hour it began."""
    run = f"runId=r-1 sessionId={MAIN}"
    log = (
        "2026-03-31T08:00:00.000-04:00 [gateway] listening on ws://127.0.0.1:18789 (PID 1187)\n"
        + _timeout("2026-03-31T09:58:03.523-04:00", "main", MAIN)
        + _timeout("2026-03-31T09:58:40.000-04:00", "main", MAIN)
        + "2026-03-31T09:59:50.000-04:00 [agent/embedded] embedded run start: "
        f"{run} provider=openai model=gpt-5 thinking=low messageChannel=slack\n"
        f"2026-03-31T10:00:12.000-04:00 [agent/embedded] embedded run done: {run} "
        "durationMs=22000 aborted=false\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    row = findings.incidents.row(0, named=True)
    assert row["resolved_by"] == "run"
    listed = key_events(findings).filter(pl.col("kind") == "run")
    assert listed.get_column("ts").to_list() == [row["resolved_at"]]
    (runs,) = [s for s in summaries(findings, evidence=False) if s.kind == kind_name("run")]
    assert (runs.occurrences, runs.lines) == (1, 2)
    assert runs.per_hour == (("03-31 13:00", 1),)


@pytest.mark.parametrize("age_s", [30, 900])
def test_a_lock_older_than_its_pid_1_gateway_was_an_earlier_containers(age_s: int) -> None:
    """Every container's gateway is pid 1: a lock error naming `pid=1 alive=true`
    whose lock was taken (its time less its age) long before this container's
    gateway began was an earlier container's, dead: no session stuck inside the
    live gateway.  One taken after it began is the gateway's own."""
    path = SESSIONS.format(agent="main", sid=MAIN) + ".lock"
    stale = (
        "2026-06-20T13:{m}:05.330+00:00 [diagnostic] session file lock stale "
        f"(too-old): pid=1 alive=true ageMs={age_s * 1000} {path}\n"
    )
    log = (
        "2026-06-20T13:52:16.133+00:00 [gateway] listening on ws://0.0.0.0:18789 (PID 1)\n"
        + stale.format(m=53)
        + stale.format(m=54)
    )
    findings = analyze(ingest_files({"gateway.log": log}), Settings())
    row = findings.incidents.row(0, named=True)
    earlier = age_s == 900
    assert row["dead_owner_pids"] == ([1] if earlier else [])
    stuck = findings.stuck_alive
    assert stuck.height == (0 if earlier else 1)


def test_an_incident_no_one_kind_cleared_still_has_its_resolution_row() -> None:
    """One session cleared by its run's timeout, the other by the watchdog: no
    kind alone cleared the incident, and the resolution table still shows when
    it was cleared (at the last session's clearing), not nothing."""
    log = (
        "2026-05-22T07:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 7)\n"
        + _timeout("2026-05-22T07:40:02.118+00:00", "main", MAIN)
        + _timeout("2026-05-22T07:41:00.000+00:00", "support", SUPPORT)
        + "2026-05-22T07:47:30.000+00:00 [agent/embedded] embedded run timeout: runId=r-1 "
        f"sessionId={SUPPORT} timeoutMs=600000\n"
        + _released("2026-05-22T07:49:12.384+00:00", "main", MAIN)
    )
    findings = analyze(ingest_files({"gateway.log": log}), Settings())
    assert findings.resolutions.is_empty()
    table = rows.resolutions(findings)
    assert [(r[0], r[2]) for r in table.rows] == [(1, "2026-05-22 07:49:12")]
    assert "the last of 2 sessions" in str(table.rows[0][1])


def test_a_session_failing_in_a_hostless_file_log_and_its_hosts_journal_counts_once() -> None:
    """One session fails in the file log, which names no host, and again in its
    host's journal: one session in the headline, not one per way of naming (or
    not naming) its host."""
    path = SESSIONS.format(agent="main", sid=MAIN) + ".lock"
    message = f"session file locked (timeout 10000ms): pid=7 {path}"

    def record(at: str) -> str:
        binding = '{"subsystem":"diagnostic"}'
        meta = {"name": binding, "logLevelName": "ERROR", "hostname": "unknown"}
        return json.dumps({"0": binding, "1": message, "_meta": meta, "time": at}) + "\n"

    journal = (
        "2026-08-14T10:00:00+0000 gw-a node[7]: [gateway] listening on ws://0.0.0.0:18789 "
        "(PID 7)\n"
        f"2026-08-14T10:05:00+0000 gw-a node[7]: [diagnostic] {message}\n"
    )
    log = record("2026-08-14T10:04:00.000+00:00") + record("2026-08-14T10:05:00.000+00:00")
    files = {"gw-a/journal.txt": journal, "gw-a/openclaw-2026-08-14.log": log}
    findings = analyze(ingest_files(files), Settings())
    assert findings.failures.get_column("gateway_host").to_list() == ["gw-a", "gw-a"]
    assert findings.failures.get_column("host").null_count() == 1
    assert findings.headline.sessions == 1


def test_a_console_capture_whose_copies_are_its_hosts_journals_is_that_gateways() -> None:
    """A console capture naming no host beside its host's journal: the journal's
    failure in the capture is dropped as a copy, which left the capture's other
    failure with no record shared with the journal, so it was judged another
    gateway's (a second epoch of unknown host and pid).  The copies name the
    host: the capture is that gateway's."""
    journal = (
        "2026-08-14T10:00:00+0000 gw-a node[7]: [gateway] listening on ws://0.0.0.0:18789 "
        "(PID 7)\n"
        "2026-08-14T10:05:00+0000 gw-a node[7]: " + _timeout("", "main", MAIN).strip() + "\n"
    )
    capture = _timeout("2026-08-14T10:04:00.000+00:00", "main", MAIN) + _timeout(
        "2026-08-14T10:05:00.000+00:00", "main", MAIN
    )
    files = {"gw-a/journal.txt": journal, "gw-a/kubectl-logs.txt": capture}
    findings = analyze(ingest_files(files), Settings())
    assert findings.epochs.select("host", "pid").rows() == [("gw-a", 7)]
    assert findings.failures.get_column("gateway_pid").to_list() == [7, 7]


def test_a_lock_the_next_census_run_no_longer_lists_was_gone_by_then() -> None:
    """A census cron (`date; ls -la …/*.lock` every two hours) lists the burst's lock
    at 10:05 CDT and no lock at 12:05: it was released in between, by nothing the
    logs show (Z112: removed by hand). The incident is cleared by 12:05 (`lock_gone`),
    not unresolved, nor by a cleanup hours later; a census that never listed a
    session's lock (a lease-era host) shows nothing of it."""
    path = SESSIONS.format(agent="main", sid=MAIN) + ".lock"
    log = (
        "2026-06-10T08:00:05.000-05:00 [gateway] ready (3 plugins: a, b, c; 4.2s)\n"
        + _timeout("2026-06-10T10:05:30.120-05:00", "main", MAIN)
        + _timeout("2026-06-10T10:12:10.956-05:00", "main", MAIN)
        + _timeout("2026-06-10T10:40:10.000-05:00", "support", SUPPORT)
        + _timeout("2026-06-10T10:42:10.000-05:00", "support", SUPPORT)
    )
    none = (
        "ls: cannot access '/home/oc/.openclaw/agents/*/sessions/*.lock': No such file or directory"
    )
    census = "\n".join(
        [
            "Wed Jun 10 08:05:01 CDT 2026",
            none,
            "Wed Jun 10 10:05:01 CDT 2026",
            f"-rw------- 1 oc oc 110 Jun 10 09:31 {path}",
            "Wed Jun 10 12:05:01 CDT 2026",
            none,
        ]
    )
    findings = analyze(
        ingest_files({"console.log": log, "cron/lock-census.log": census + "\n"}), Settings()
    )
    main, support = findings.incidents.select("resolved_by", "resolved_at", "open_targets").rows()
    assert main == ("lock_gone", datetime(2026, 6, 10, 17, 5, 1, tzinfo=UTC), [])
    assert support == (None, None, [SUPPORT])


def test_a_release_on_one_host_clears_no_burst_on_a_host_sharing_its_session_ids() -> None:
    """gw-b was restored from gw-a's state snapshot, so its sessions have gw-a's
    ids.  gw-a's watchdog released gw-a's lock; gw-b's burst on the same session
    id is still open (Z143: gw-a's release was named as clearing gw-b's burst)."""

    def journal(host: str, pid: int, lines: str) -> str:
        return "".join(
            f"May 28 {line[11:19]} {host} node[{pid}]: {line}\n" for line in lines.splitlines()
        )

    start = "2026-05-28T14:00:00.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID {pid})"
    a = journal(
        "gw-a",
        52307,
        start.format(pid=52307)
        + "\n"
        + _timeout("2026-05-28T14:05:20.433+02:00", "main", MAIN)
        + _timeout("2026-05-28T14:06:00.433+02:00", "main", MAIN)
        + _released("2026-05-28T14:07:00.000+02:00", "main", MAIN),
    )
    b = journal(
        "gw-b",
        61002,
        start.format(pid=61002)
        + "\n"
        + _timeout("2026-05-28T14:05:40.000+02:00", "main", MAIN, owner=61002)
        + _timeout("2026-05-28T14:06:20.000+02:00", "main", MAIN, owner=61002),
    )
    findings = analyze(ingest_files({"gw-a/journal.txt": a, "gw-b/journal.txt": b}), Settings())
    resolved = {
        row["host"]: (row["resolved_by"], row["resolution_s"])
        for row in findings.incidents.iter_rows(named=True)
    }
    assert resolved == {
        "gw-a": ("lock_released_by_watchdog", 59.567),
        "gw-b": (None, None),
    }


def test_systemds_lines_stamped_to_the_second_keep_their_place_among_finer_ones() -> None:
    """`systemctl restart`: the journal prints systemd's `Stopped` and `Started`
    to the second, after the old process's `received SIGTERM` (.134) and its
    shutdown (.435) of that second.  The old process ends at its shutdown and
    the new one follows; read at .000, `Started` came before the old process's
    last lines, which made it a second gateway running beside its successor
    until the bundle's end (Z143)."""
    unit = "openclaw-gateway.service - OpenClaw Gateway (v2026.6.26)"

    def node(pid: int, at: str, text: str) -> str:
        return f"Jul 19 {at[11:19]} gw-b node[{pid}]: {at} {text}\n"

    journal = (
        node(
            1187,
            "2026-07-19T21:55:11.859+00:00",
            "[ws] ⇄ res ✓ status 389ms conn=f58224f9 id=d6235744",
        )
        + f"Jul 19 22:05:08 gw-b systemd[1021]: Stopping {unit}...\n"
        + node(1187, "2026-07-19T22:05:08.134+00:00", "[gateway] received SIGTERM; shutting down")
        + node(1187, "2026-07-19T22:05:08.435+00:00", "[shutdown] completed cleanly in 301ms")
        + f"Jul 19 22:05:08 gw-b systemd[1021]: Stopped {unit}.\n"
        + f"Jul 19 22:05:08 gw-b systemd[1021]: Started {unit}.\n"
        + node(2231, "2026-07-19T22:05:12.910+00:00", "[gateway] starting...")
        + node(2231, "2026-07-19T22:05:18.110+00:00", "[gateway] http server listening (0 plugins)")
    )
    # The file log: the same gateway lines, with no pid.
    log = "".join(
        json.dumps({"0": json.dumps({"subsystem": sub}), "1": text, "time": at}) + "\n"
        for at, sub, text in (
            (
                "2026-07-19T00:00:46.779+00:00",
                "gateway/ws",
                "⇄ res ✓ status 800ms conn=69c2f1a1 id=ba2bc609",
            ),
            ("2026-07-19T22:05:08.134+00:00", "gateway", "received SIGTERM; shutting down"),
            ("2026-07-19T22:05:08.435+00:00", "shutdown", "completed cleanly in 301ms"),
            ("2026-07-19T22:05:12.910+00:00", "gateway", "starting..."),
        )
    )
    files = {"journal-2026-07-19.txt": journal, "tmp/openclaw/openclaw-2026-07-19.log": log}
    epochs = analyze(ingest_files(files), Settings()).epochs
    assert [
        (row["pid"], row["ended_by"], str(row["end"])[11:23])
        for row in epochs.iter_rows(named=True)
    ] == [
        (1187, "stop", "22:05:08.435"),
        (2231, None, ""),
    ]


def test_a_gateway_that_exited_of_an_uncaught_exception_crashed() -> None:
    """Node exits 1 on an uncaught exception; systemd says `Failed with result
    'exit-code'` and restarts it (Restart=always).  That process crashed: no
    one stopped or restarted it (Z145: "stop, started again 8.8 s later (a
    restart)", and with --gap 5m the burst read as resolved by a restart)."""
    unit = "openclaw-gateway.service"
    journal = (
        "Jun 23 09:50:00 oc-prod-2 node[1742]: 2026-06-23T09:50:00.000-05:00 [gateway] "
        "http server listening (0 plugins)\n"
        f"Jun 23 09:52:17 oc-prod-2 systemd[1187]: {unit}: Main process exited, code=exited, "
        "status=1/FAILURE\n"
        f"Jun 23 09:52:17 oc-prod-2 systemd[1187]: {unit}: Failed with result 'exit-code'.\n"
        f"Jun 23 09:52:22 oc-prod-2 systemd[1187]: {unit}: Scheduled restart job, restart "
        "counter is at 1.\n"
        "Jun 23 09:52:22 oc-prod-2 systemd[1187]: Stopped OpenClaw Gateway (v2026.6.11).\n"
        "Jun 23 09:52:22 oc-prod-2 systemd[1187]: Started OpenClaw Gateway (v2026.6.11).\n"
        "Jun 23 09:52:24 oc-prod-2 node[48810]: 2026-06-23T09:52:24.638-05:00 [gateway] starting...\n"
    )
    epochs = analyze(ingest_files({"journal-2026-06-23.txt": journal}), Settings()).epochs
    assert [(row["pid"], row["ended_by"]) for row in epochs.iter_rows(named=True)] == [
        (1742, "crash"),
        (48810, None),
    ]


def test_an_incident_in_file_logs_alone_says_a_watchdog_release_could_not_show() -> None:
    """The lock watchdog writes its release to stderr only, which no file log
    holds: an incident whose failures are in file logs alone says a release may
    have cleared it before what the bundle shows (Z149: a cleanup 9.5 min on was
    its only named clear, the real release 31 s on); one a console capture
    holds says nothing of the kind."""
    error = _timeout("", "main", MAIN).split("] ", 1)[1].rstrip("\n")
    lines = [
        (
            "2026-05-28T14:00:00.000+02:00",
            "gateway",
            "listening on ws://127.0.0.1:18789 (PID 52307)",
        ),
        *[(f"2026-05-28T14:05:{s}.000+02:00", "diagnostic", error) for s in (20, 40)],
        ("2026-05-28T20:00:00.000+02:00", "gateway", "received SIGTERM; shutting down"),
    ]
    file_log = "".join(tslog_line(at, message, sub) for at, sub, message in lines)
    findings = analyze(ingest_files({"openclaw-2026-05-28.log": file_log}), Settings())
    assert findings.incidents.get_column("watchdog_unseen").to_list() == [True]
    markdown = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    assert "Watchdog release unseen" in markdown
    console = "".join(f"{at} [{sub}] {message}\n" for at, sub, message in lines)
    findings = analyze(ingest_files({"console.log": console}), Settings())
    assert findings.incidents.get_column("watchdog_unseen").to_list() == [False]
    markdown = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    assert "Watchdog release unseen" not in markdown


def test_file_logs_that_hold_the_watchdogs_releases_leave_none_unseen() -> None:
    """2026.1-2026.2 wrote the watchdog's release with `console.warn`, which the
    file log records: a file log holding one shows releases, so no incident of
    the bundle says a release could not show (Z188: said beside a release read
    from the file log), and the one a release cleared never does."""
    error = _timeout("", "main", MAIN).split("] ", 1)[1].rstrip("\n")
    other = _timeout("", "ops", SUPPORT).split("] ", 1)[1].rstrip("\n")
    release = _released("", "ops", SUPPORT).split(" ", 1)[1].rstrip("\n")
    lines = [
        ("2026-02-10T06:02:11.408Z", "gateway", "listening on ws://127.0.0.1:18789 (PID 52307)"),
        *[(f"2026-02-10T14:05:{s}.000Z", "diagnostic", error) for s in (20, 40)],
        ("2026-02-10T20:00:00.000Z", "gateway", "received SIGTERM; shutting down"),
        ("2026-02-10T20:00:09.000Z", "gateway", "listening on ws://127.0.0.1:18789 (PID 3090)"),
        *[(f"2026-02-10T23:12:{s}.000Z", "diagnostic", other) for s in (20, 40)],
        ("2026-02-10T23:22:16.526Z", "openclaw", release),
    ]
    file_log = "".join(tslog_line(at, message, sub) for at, sub, message in lines)
    findings = analyze(ingest_files({"openclaw-2026-02-10.log": file_log}), Settings())
    assert findings.incidents.select("resolved_by", "watchdog_unseen").rows() == [
        ("gateway_restart", False),
        ("lock_released_by_watchdog", False),
    ]


@pytest.mark.parametrize(
    ("mode", "opened_by"),
    [
        ("in-process restart (OPENCLAW_NO_RESPAWN)", "in_process_restart"),
        ("full process restart (spawned pid 52310)", "restart"),
    ],
)
def test_a_restarts_epoch_begins_at_its_boots_first_line(mode: str, opened_by: str) -> None:
    """After `restart mode: …` the process (the same one, or the one spawned) boots:
    `starting...` then, 6 s later, `http server listening`.  The new epoch began
    at `starting...` (Z152, Z150: at `listening`, leaving 6 s of its own lines in
    no epoch), and no earlier than the restart that opened it."""
    steps = [
        ("2026-10-30T18:00:01.234", "starting..."),
        ("2026-10-30T18:00:07.254", "http server listening (4 plugins: telegram; 6.0s)"),
        ("2026-11-01T06:32:00.500", "received SIGUSR1; restarting"),
        ("2026-11-01T06:37:00.900", f"restart mode: {mode}"),
        ("2026-11-01T06:37:01.210", "starting..."),
        ("2026-11-01T06:37:07.230", "http server listening (4 plugins: telegram; 6.0s)"),
        ("2026-11-01T06:37:07.450", "ready"),
    ]
    capture = "".join(f"{at}123456Z {at}+00:00 [gateway] {text}\n" for at, text in steps)
    findings = analyze(ingest_files({"nyc-gw02/docker-logs.txt": capture}), Settings())
    starts = findings.epochs.select("opened_by", "start").rows()
    assert [(how, start.isoformat()) for how, start in starts] == [
        ("start", "2026-10-30T18:00:01.234000+00:00"),
        (opened_by, "2026-11-01T06:37:01.210000+00:00"),
    ]


def test_a_start_after_a_stop_begins_at_its_boots_first_line() -> None:
    """systemd stops the gateway and starts another: its file log names no pid,
    its pid is known from its own lock error (`held by this process (pid
    31877)`).  It began at its `starting...`, 6 s before `listening` (Z164: at
    `listening`, its predecessor "started again" 10.5 s later, not 4.4 s)."""
    self_held = (
        'lane task error: lane=session:agent:ops:main durationMs=1204 error="SessionWriteLock'
        "StaleError: session file lock stale (orphan-self-pid): held by this process (pid "
        '31877); an earlier run has not released it sqlite:session-write:agent:ops:main"'
    )
    steps = [
        ("2026-09-13T22:00:14.700Z", "gateway", "http server listening (5 plugins; 6.0s)"),
        ("2026-09-14T06:11:57.880Z", "gateway", "received SIGTERM; shutting down"),
        ("2026-09-14T06:11:58.034Z", "shutdown", "completed cleanly in 153ms"),
        ("2026-09-14T06:12:02.410Z", "gateway", "starting..."),
        ("2026-09-14T06:12:08.512Z", "gateway", "http server listening (5 plugins; 6.0s)"),
        ("2026-09-14T06:12:08.600Z", "gateway", "ready"),
        ("2026-09-15T08:05:12.220Z", "diagnostic", self_held),
    ]
    log = "".join(tslog_line(at, text, subsystem=sub) for at, sub, text in steps)
    findings = analyze(ingest_files({"openclaw-2026-09-14.log": log}), Settings())
    starts = findings.epochs.select("pid", "opened_by", "start").rows()
    assert starts[-1] == (31877, "start", datetime(2026, 9, 14, 6, 12, 2, 410000, tzinfo=UTC))


@pytest.mark.parametrize(
    ("timeout_ms", "resolved_by"), [(1_800_000, "run_timeout"), (600_000, None)]
)
def test_a_run_that_timed_out_clears_only_the_waits_it_ran_through(
    timeout_ms: int, resolved_by: str | None
) -> None:
    """ops waits on a stuck run at 00:58 and 01:05; a run of ops times out at 01:25.
    Begun at 00:55 (its `timeoutMs` before), it held the lock the second wait hit,
    and its timeout released it.  Begun at 01:15, after the waits, it held nothing
    they waited on (Z156: a run begun 48 min after a burst was named its clear)."""
    log = (
        "2026-07-28T00:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 52307)\n"
        + _timeout("2026-07-28T00:58:10.447+00:00", "ops", MAIN)
        + _timeout("2026-07-28T01:05:20.508+00:00", "ops", MAIN)
        + f"2026-07-28T01:25:00.000+00:00 [agent/embedded] embedded run timeout: runId=e51a9c3f "
        f"sessionId={MAIN} timeoutMs={timeout_ms}\n"
    )
    row = analyze(ingest_files({"console.log": log}), Settings()).incidents.row(0, named=True)
    assert row["resolved_by"] == resolved_by


def test_a_run_of_a_later_burst_timing_out_is_no_clear_of_an_earlier_one() -> None:
    """The session fails at 00:58 (one burst), then again at 06:30 under a run
    begun at 06:25 that times out at 06:35: that timeout cleared the second
    burst, not the first, which it began five hours after (Z202: listed among
    the first burst's clears, "5 h 20 min")."""
    log = (
        "2026-07-28T00:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 52307)\n"
        + _timeout("2026-07-28T00:58:10.447+00:00", "ops", MAIN)
        + _timeout("2026-07-28T00:59:20.508+00:00", "ops", MAIN)
        + _timeout("2026-07-28T06:30:15.000+00:00", "ops", MAIN)
        + _timeout("2026-07-28T06:31:15.000+00:00", "ops", MAIN)
        + "2026-07-28T06:35:00.000+00:00 [agent/embedded] embedded run timeout: runId=e51a9c3f "
        f"sessionId={MAIN} timeoutMs=600000\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    first, second = findings.incidents.sort("start").iter_rows(named=True)
    assert second["resolved_by"] == "run_timeout"
    assert "run_timeout" not in [
        k
        for k, *_ in findings.resolutions.filter(pl.col("incident") == first["incident"])
        .select("kind")
        .rows()
    ]


def test_no_kind_is_listed_as_clearing_a_burst_after_its_lock_was_taken_again() -> None:
    """main fails under pid 52307, which a restart ends; under pid 1187 it fails
    again at 05:00 on a lock taken at 04:59 (its `ageMs`), which the next start's
    sweep removes at 06:00.  That sweep cleared the later hold: the first burst
    was cleared by the restart, and by nothing of 06:00 (Z193: "startup
    stale-lock sweep, 4 h 59 min" listed beside it)."""
    path = SESSIONS.format(agent="main", sid=MAIN)
    aged = (
        f"Error: session file locked (timeout 10000ms): pid=1187 alive=true ageMs=60000 {path}.lock"
    )
    log = (
        "2026-06-18T00:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 52307)\n"
        + _timeout("2026-06-18T01:00:00.000+00:00", "main", MAIN)
        + _timeout("2026-06-18T01:01:00.000+00:00", "main", MAIN)
        + "2026-06-18T01:30:00.000+00:00 [gateway] received SIGTERM; shutting down\n"
        "2026-06-18T01:30:05.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 1187)\n"
        + _lane_error("2026-06-18T05:00:00.000+00:00", 10012, aged)
        + _lane_error("2026-06-18T05:01:00.000+00:00", 10012, aged.replace("60000", "120000"))
        + "2026-06-18T06:00:00.000+00:00 [gateway] received SIGTERM; shutting down\n"
        "2026-06-18T06:00:05.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 2231)\n"
        f"2026-06-18T06:00:09.000+00:00 [session-write-lock] removed stale session lock: "
        f"{path}.lock (dead-pid, too-old)\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    first = findings.incidents.sort("start").row(0, named=True)
    assert first["resolved_by"] == "gateway_restart"
    kinds = findings.resolutions.filter(pl.col("incident") == first["incident"])
    assert kinds.filter(pl.col("cleared_at") > datetime(2026, 6, 18, 4, 59, tzinfo=UTC)).is_empty()


def test_a_sessions_send_whose_run_failed_on_the_lock_wrote_nothing() -> None:
    """main's run sends to researcher: the run it starts there fails on the lock
    693 ms later (its lane task from its start), so it never held it: no other
    writer of researcher's session is in view when that session is taken over
    (Z198: the send was named its writer)."""
    sid = "7d3e1c52-4b0a-4f6e-9a51-2c8e0f3b6d14"
    lock = SESSIONS.format(agent="researcher", sid=sid)
    steps = [
        ("05:12:40.611", "gateway", "listening on ws://127.0.0.1:18789 (PID 3187)"),
        ("08:53:58.002", "agent/embedded", f"embedded run start: runId=m1 sessionId={MAIN} provider=anthropic model=m thinking=medium messageChannel=discord"),
        ("08:54:10.201", "agent/embedded", "embedded run tool start: runId=m1 tool=sessions_send toolCallId=toolu_1"),
        ("08:54:10.230", "agent/embedded", f"embedded run start: runId=b1 sessionId={sid} provider=anthropic model=m thinking=medium messageChannel=internal"),
        ("08:54:10.912", "diagnostic", f'lane task error: lane=nested durationMs=693 error="SessionWriteLockStaleError: session file lock stale (hold-exceeded): pid=3187 {lock}.lock"'),
        ("08:56:20.441", "diagnostic", f'lane task error: lane=main durationMs=918327 error="EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt lock was released: {lock}"'),
        ("08:57:40.118", "agent/embedded", f"embedded run done: runId=m1 sessionId={MAIN} durationMs=222116 aborted=false"),
    ]  # fmt: skip
    log = "".join(
        tslog_line(f"2026-05-27T{at}-04:00", text, subsystem=sub, level="DEBUG")
        for at, sub, text in steps
    )
    findings = analyze(ingest_files({"openclaw-2026-05-27.log": log}), Settings())
    assert findings.trigger_writers.is_empty()


def test_the_spawn_that_started_the_run_taken_over_is_no_other_writer() -> None:
    """r1 spawns a sub-agent whose run rc3 is later taken over: the spawn started
    rc3 and wrote nothing else of that session (Z209: "sessions_spawn by another
    run" beside "no other writer")."""
    records = [
        '{"0":"{\\"subsystem\\":\\"gateway\\"}","1":"ready","_meta":{"logLevelName":"INFO"},"time":"2026-06-18T07:55:02.000-05:00"}',
        '{"0":"{\\"subsystem\\":\\"agent/embedded\\"}","1":"embedded run tool start: runId=r1 tool=sessions_spawn toolCallId=call_s3","_meta":{"logLevelName":"DEBUG"},"time":"2026-06-18T08:10:09.000-05:00"}',
        '{"0":"{\\"subsystem\\":\\"agent/embedded\\"}","1":"embedded run start: runId=rc3 sessionId=c30000000-1111-4222-8333-444455556663 provider=anthropic model=claude-sonnet-4-6 thinking=medium messageChannel=subagent","_meta":{"logLevelName":"DEBUG"},"time":"2026-06-18T08:10:09.500-05:00"}',
        '{"0":"{\\"subsystem\\":\\"agent/embedded\\"}","1":"embedded run tool end: runId=r1 tool=sessions_spawn toolCallId=call_s3","_meta":{"logLevelName":"DEBUG"},"time":"2026-06-18T08:10:10.000-05:00"}',
        '{"0":"{\\"subsystem\\":\\"agent/embedded\\"}","1":{"event":"embedded_run_compaction_start","runId":"rc3","reason":"threshold"},"_meta":{"logLevelName":"INFO"},"time":"2026-06-18T08:11:45.000-05:00"}',
        '{"0":"{\\"subsystem\\":\\"agent/embedded\\"}","1":"embedded run compaction start: runId=rc3 trigger=threshold","_meta":{"logLevelName":"DEBUG"},"time":"2026-06-18T08:11:45.001-05:00"}',
        '{"0":"{\\"subsystem\\":\\"agent/embedded\\"}","1":{"event":"embedded_run_compaction_end","runId":"rc3","reason":"threshold","completed":true,"compactionCount":1,"willRetry":true},"_meta":{"logLevelName":"INFO"},"time":"2026-06-18T08:12:10.000-05:00"}',
        '{"0":"{\\"subsystem\\":\\"agent/embedded\\"}","1":"embedded attempt cleanup detected session takeover after prompt failure; preserving prompt error: runId=rc3 sessionId=c30000000-1111-4222-8333-444455556663 promptError=session file changed while embedded prompt lock was released: /home/orch/.openclaw/agents/orch/sessions/c30000000-1111-4222-8333-444455556663.jsonl cleanupError=session file changed while embedded prompt lock was released: /home/orch/.openclaw/agents/orch/sessions/c30000000-1111-4222-8333-444455556663.jsonl","_meta":{"logLevelName":"WARN"},"time":"2026-06-18T08:12:30.000-05:00"}',
        '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"lane task error: lane=subagent durationMs=140500 error=\\"EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt lock was released: /home/orch/.openclaw/agents/orch/sessions/c30000000-1111-4222-8333-444455556663.jsonl\\"","_meta":{"logLevelName":"ERROR"},"time":"2026-06-18T08:12:30.005-05:00"}',
        '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"lane task error: lane=session:agent:orch:subagent:5ab3e0f1-9c2d-4e3f-8a7b-6c5d4e3f2a13 durationMs=140504 error=\\"EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt lock was released: /home/orch/.openclaw/agents/orch/sessions/c30000000-1111-4222-8333-444455556663.jsonl\\"","_meta":{"logLevelName":"ERROR"},"time":"2026-06-18T08:12:30.009-05:00"}',
        '{"0":"{\\"subsystem\\":\\"gateway\\"}","1":"ready","_meta":{"logLevelName":"INFO"},"time":"2026-06-18T11:23:09.000-05:00"}',
    ]  # fmt: skip
    log = "\n".join(records) + "\n"
    findings = analyze(ingest_files({"openclaw-2026-06-18.log": log}), Settings())
    assert "sessions_spawn" not in findings.trigger_writers.get_column("trigger").to_list()


def test_a_sub_agent_waiting_on_its_parents_lock_types_the_failure_by_the_parent() -> None:
    """A sub-agent's lane task fails on its parent's lock: the lane names the
    waiter's queue (`session:agent:orch:subagent:<id>`), the lock the parent's
    session, which its takeover names `agent:orch:main`: the failures are the
    main session's (Z209: typed `subagent`)."""
    parent = "7d1e0c44-2b9a-4c1e-9f3d-5a6b7c8d9e01"
    lock = SESSIONS.format(agent="orch", sid=parent)
    wait = (
        'lane task error: lane={lane} durationMs=60024 error="SessionWriteLockTimeoutError: '
        f'session file locked (timeout 60000ms): pid=3140 alive=true ageMs=151000 {lock}.lock"'
    )
    taken = (
        'lane task error: lane={lane} durationMs=900000 error="EmbeddedAttemptSessionTakeoverError: '
        f'session file changed while embedded prompt lock was released: {lock}"'
    )
    sub = "session:agent:orch:subagent:5ab4e0f1-9c2d-4e3f-8a7b-6c5d4e3f2a13"
    steps = [
        ("07:55:02.000", "gateway", "ready"),
        ("09:42:31.000", "diagnostic", wait.format(lane="subagent")),
        ("09:42:31.003", "diagnostic", wait.format(lane=sub)),
        ("09:53:02.005", "diagnostic", taken.format(lane="main")),
        ("09:53:02.009", "diagnostic", taken.format(lane="session:agent:orch:main")),
    ]
    log = "".join(
        tslog_line(f"2026-06-18T{at}-05:00", text, subsystem=sub_) for at, sub_, text in steps
    )
    findings = analyze(ingest_files({"openclaw-2026-06-18.log": log}), Settings())
    assert set(findings.failures.get_column("session_type").to_list()) == {"main"}


def test_a_session_whose_last_lock_error_lost_its_lease_holds_nothing() -> None:
    """scout waited once, then its run had the lease and lost it (`lock stale
    (lease-lost)`): nothing of scout's is held after that, so the lease lost
    clears scout's wait, and ops's watchdog release ends the incident (Z156:
    scout kept it open 5 h, to a stop)."""
    lease = "sqlite:session-write:agent:{}:main"
    waited = (
        "SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=52307 "
        "alive=true ageMs=61020 " + lease
    )
    lost = (
        "SessionWriteLockStaleError: session file lock stale (lease-lost): expired or replaced "
        "SQLite lease " + lease
    )
    log = (
        "2026-07-28T00:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 52307)\n"
        + _lane_error("2026-07-28T00:52:10.447+00:00", 60231, waited.format("scout"))
        + _lane_error("2026-07-28T00:58:44.160+00:00", 41877, lost.format("scout"))
        + _lane_error("2026-07-28T00:59:20.508+00:00", 60231, waited.format("ops"))
        + "2026-07-28T00:59:40.000+00:00 [session-write-lock] releasing lock held for "
        f"1021400ms (max=1020000ms): {lease.format('ops')}\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    row = findings.incidents.row(0, named=True)
    assert (row["resolved_by"], row["targets"], row["open_targets"]) == (
        "lock_released_by_watchdog",
        2,
        [],
    )


def test_the_lease_holders_lease_lost_does_not_hide_the_waits_it_ended() -> None:
    """research's waits time out on a lease a hung run holds; the lease expires, a
    queued run takes it and finishes, and then the hung run logs its `lease-lost`.
    The waits were research's failures, ended by that run (Z175: research was no
    target at all, the incident unresolved); a lease lost with no run after the
    waits clears them itself."""
    lease = "sqlite:session-write:agent:research:main"
    waited = (
        "SessionWriteLockTimeoutError: session file locked (timeout 60000ms): "
        f"another OpenClaw process {lease}"
    )
    lost = (
        "SessionWriteLockStaleError: session file lock stale (lease-lost): expired or replaced "
        f"SQLite lease {lease}"
    )

    def lane(at: str, duration_ms: int, error: str) -> str:
        return (
            f"2026-11-18T{at}+00:00 [diagnostic] lane task error: "
            f'lane=session:agent:research:main durationMs={duration_ms} error="{error}"\n'
        )

    done = (
        "2026-11-18T12:07:38.921+00:00 [diagnostic] lane task done: "
        "lane=session:agent:research:main durationMs=26512 active=0 queued=0\n"
    )
    log = (
        "2026-11-18T09:35:08.166+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 51877)\n"
        + lane("12:05:10.100", 60012, waited)
        + lane("12:06:05.750", 60011, waited)
        + lane("12:07:05.750", 60010, waited)
        + done
        + lane("12:07:41.207", 330737, lost)
    )
    row = analyze(ingest_files({"console.log": log}), Settings()).incidents.row(0, named=True)
    assert (row["targets"], row["resolved_by"], row["resolved_at"], row["resolution_s"]) == (
        1,
        "run",
        datetime(2026, 11, 18, 12, 7, 38, 921000, tzinfo=UTC),
        33.171,
    )
    # Timed from the waits it ended, before the lease lost logged after it.
    said = str(dict(rows.incident_facts(row, several_hosts=False))["Resolved by"])
    assert "33.2 s after the last error it cleared; the failures after it held no lock" in said
    assert "takeovers" not in said
    alone = log.replace(done, "")
    row = analyze(ingest_files({"console.log": alone}), Settings()).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolution_s"]) == ("lease_lost", 35.457)


def test_a_restart_saying_nothing_of_how_restarts_in_place_when_its_pid_boots() -> None:
    """2026.1 wrote no `restart mode:` line: `received SIGUSR1; restarting`, then the
    same process listening again.  That pid's start after its own restart is the
    restart in place: its epoch ends at the restart, the next opens after it with
    the process's start and version kept (Z155: an epoch ending, by that restart,
    two seconds before it began)."""

    def node(at: str, text: str) -> str:
        return f"2026-02-01T{at}+0100 gw node[48213]: {at[:8]} {text}\n"

    journal = (
        "2026-01-29T15:03:26+0100 gw node[48213]: 14:03:26 [gateway] listening on "
        "ws://127.0.0.1:18789 (PID 48213)\n"
        + node("01:06:55", "Embedded agent failed before reply: session file locked "
               "(timeout 10000ms): pid=48213 /home/oc/.openclaw/agents/main/sessions/a.jsonl.lock")
        + node("01:07:31", "Embedded agent failed before reply: session file locked "
               "(timeout 10000ms): pid=48213 /home/oc/.openclaw/agents/main/sessions/a.jsonl.lock")
        + node("01:09:12", "[gateway] received SIGUSR1; restarting")
        + node("01:09:13", "[canvas] host mounted at http://127.0.0.1:18789/__openclaw__/canvas/")
        + node("01:09:14", "[gateway] listening on ws://127.0.0.1:18789 (PID 48213)")
        + node("01:45:17", "[diagnostic] lane wait exceeded: lane=main waitedMs=4733 queueAhead=2")
    )  # fmt: skip
    findings = analyze(ingest_files({"journal.txt": journal}), Settings())
    epochs = findings.epochs.select("pid", "opened_by", "start", "ended_by", "end").rows()
    assert epochs[-2:] == [
        (48213, "start", datetime(2026, 1, 29, 14, 3, 26, tzinfo=UTC),
         "in_process_restart", datetime(2026, 2, 1, 0, 9, 12, tzinfo=UTC)),
        (48213, "in_process_restart", datetime(2026, 2, 1, 0, 9, 13, tzinfo=UTC), None, None),
    ]  # fmt: skip
    (incident,) = findings.incidents.to_dicts()
    assert incident["resolved_at"] == datetime(2026, 2, 1, 0, 9, 12, tzinfo=UTC)


def test_a_restart_systemd_carried_out_as_a_stop_and_a_start_is_a_restart() -> None:
    """`openclaw gateway restart` under systemd: the gateway says `received SIGTERM;
    restarting`, its shutdown times out, it exits 1, systemd stops it and starts
    another 0.5 s later.  The burst was cleared by a restart, not a stop (Z156:
    `gateway stop`, the next epoch `opened_by restart` beside it)."""
    lock = (
        "session file locked (timeout 60000ms): pid=61234 alive=true ageMs=808639 "
        "sqlite:session-write:agent:ledger:main"
    )

    def node(pid: int, at: str, text: str) -> str:
        return f"Aug 15 {at}000 gw node[{pid}]: 2026-08-15T{at}+02:00 {text}\n"

    def systemd(at: str, text: str) -> str:
        return f"Aug 15 {at}000 gw systemd[1187]: {text}\n"

    journal = (
        "-- Journal begins at Fri 2026-08-14 08:00:00 CEST. --\n"
        + node(61234, "08:02:05.120", "[gateway] http server listening (2 plugins: a, b; 6.3s)")
        + node(61234, "10:52:40.880", f"Embedded agent failed before reply: {lock}")
        + node(61234, "10:53:40.886", f"Embedded agent failed before reply: {lock}")
        + systemd("10:55:10.153", "Stopping openclaw-gateway.service - OpenClaw Gateway...")
        + node(61234, "10:55:10.184", "[gateway] signal SIGTERM received")
        + node(61234, "10:55:10.196", "[gateway] received SIGTERM; restarting")
        + node(61234, "10:55:10.224", "[gateway] draining 0 active task(s), 2 active embedded run(s), "
               "and 0 runtime deps install(s) before restart with timeout 30000ms")
        + node(61234, "10:55:40.229", "[gateway] drain timeout reached; proceeding with restart")
        + node(61234, "10:56:05.197", "[gateway] shutdown timed out; exiting without full cleanup")
        + systemd("10:56:05.402", "openclaw-gateway.service: Main process exited, code=exited, "
                  "status=1/FAILURE")
        + systemd("10:56:05.404", "Stopped openclaw-gateway.service - OpenClaw Gateway.")
        + systemd("10:56:05.911", "Started openclaw-gateway.service - OpenClaw Gateway.")
        + node(70411, "10:56:06.440", "[gateway] starting...")
        + node(70411, "10:56:12.310", "[gateway] http server listening (2 plugins: a, b; 6.3s)")
    )  # fmt: skip
    findings = analyze(ingest_files({"journal.txt": journal}), Settings())
    (incident,) = findings.incidents.to_dicts()
    assert incident["resolved_by"] == "gateway_restart"


def test_a_later_processes_watchdog_clears_nothing_of_a_process_that_ended() -> None:
    """A burst under pid 26544 ends with that gateway's stop; days later the next
    gateway's watchdog releases the same session's lease.  The stop cleared it;
    the release is no clear of it at all, not even as the watchdog's alone
    (Z161: listed beside the stop, two weeks and two processes on)."""
    lock = "/home/oc/.openclaw/agents/main/sessions/" + MAIN + ".jsonl"
    log = (
        "2026-07-01T00:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 26544)\n"
        + _timeout("2026-07-01T10:00:00.000+00:00", "main", MAIN, owner=26544)
        + _timeout("2026-07-01T10:00:30.000+00:00", "main", MAIN, owner=26544)
        + "2026-07-01T10:05:00.000+00:00 [gateway] received SIGTERM; shutting down\n"
        + "2026-07-01T10:15:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 31877)\n"
        + "2026-07-03T11:24:10.000+00:00 [session-write-lock] releasing lock held for "
        f"1021400ms (max=1020000ms): {lock}.lock\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    (incident,) = findings.incidents.to_dicts()
    assert incident["resolved_by"] == "gateway_stop"
    assert "lock_released_by_watchdog" not in findings.resolutions.get_column("kind").to_list()


def test_a_relic_lock_files_creation_is_shown_though_far_before_the_bundle() -> None:
    """A pre-SQLite lock file left 75 days before a day of logs: its stamp is set
    aside from the timeline, but the held lock still says when it was created
    (Z164: `created` was blank, hiding that it was a relic)."""
    lines = "".join(
        _timeout(f"2026-09-15T08:{m:02d}:00.000+00:00", "main", SUPPORT) for m in range(0, 50, 2)
    )
    files = dict([_lock_file(MAIN, 2211, "2026-07-02T09:14:55.120Z")])
    findings = analyze(ingest_files({"gateway.log": lines, **files}), Settings())
    held = {r["session_id"]: r for r in findings.held_locks.iter_rows(named=True)}
    assert held[MAIN]["created"] == datetime(2026, 7, 2, 9, 14, 55, 120000, tzinfo=UTC)
    assert findings.window_start == datetime(2026, 9, 15, 8, 0, tzinfo=UTC)


def _killed_holder_log(between: str = "") -> str:
    """pid 2841 fails twice on main's lock, then (after ``between``) pm2 stops it
    and starts 3377."""
    path = SESSIONS.format(agent="main", sid=MAIN)
    error = f"Error: session file locked (timeout 10000ms): pid=2841 {path}.lock"
    return (
        "2026-02-16T08:58:05.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 2841)\n"
        + _lane_error("2026-02-18T13:28:19.406+00:00", 10012, error)
        + _lane_error("2026-02-18T13:29:30.175+00:00", 10012, error)
        + between
        + "2026-02-18T13:31:08.000+00:00 [gateway] received SIGINT; shutting down\n"
        "2026-02-18T13:31:12.884+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 3377)\n"
    )


@pytest.mark.parametrize("listed", [False, True])
def test_a_lock_file_its_owner_left_as_it_died_does_not_void_that_death(listed: bool) -> None:
    """pm2 restarts the gateway and SIGKILLs it when its stop overruns: its lock
    file stays on disk, naming the dead pid 2841, and is collected (and listed by
    `ls -l` to the minute).  That relic holds nothing after 2841's end: the
    restart cleared the burst (Z179: unresolved)."""
    log = _killed_holder_log()
    files = dict([_lock_file(MAIN, 2841, "2026-02-18T12:58:44.310Z")])
    if listed:
        files["incident/ls-locks.txt"] = (
            "$ ls -la ~/.openclaw/agents/*/sessions/*.lock\n"
            "-rw-r--r-- 1 oc oc 60 Feb 18 12:58 "
            f"/home/oc/.openclaw/agents/main/sessions/{MAIN}.jsonl.lock\n"
        )
    findings = analyze(ingest_files({"console.log": log, **files}), Settings())
    row = findings.incidents.row(0, named=True)
    assert (row["resolved_by"], row["open_targets"]) == ("gateway_restart", [])
    held = findings.held_locks.filter(pl.col("session_id") == MAIN).row(0, named=True)
    assert held["owner"] == "ended gateway"


def test_a_listing_taken_while_the_lock_owner_ran_still_voids_a_clear_before_it() -> None:
    """pid 2841's lock, left on disk as it was killed, is a relic after its end;
    but `ls -la` listed it at 13:30:30, while 2841 still ran, after the run
    timeout at 13:29:50: that timeout cleared nothing, the restart did.  The
    last `ls` found no lock (zsh's `no matches found`): no lock is held at
    collection (Z190: the timeout was credited, and the lock listed as held)."""
    log = _killed_holder_log(
        "2026-02-18T13:29:50.311+00:00 [agent/embedded] embedded run timeout: "
        f"runId=9b0e4f7a-2c11-4d8e-b3a9-61f0c2d4e5a8 sessionId={MAIN} timeoutMs=600000\n"
    )
    glob = "/home/oc/.openclaw/agents/*/sessions/*.lock"
    listing = (
        f"% date; ls -la {glob}\n"
        "Wed Feb 18 13:30:30 UTC 2026\n"
        f"-rw-r--r-- 1 oc oc 60 Feb 18 12:58 /home/oc/.openclaw/agents/main/sessions/{MAIN}.jsonl.lock\n"
        f"% date; ls -la {glob}\n"
        "Wed Feb 18 13:33:05 UTC 2026\n"
        f"zsh: no matches found: {glob}\n"
    )
    files = dict([_lock_file(MAIN, 2841, "2026-02-18T12:58:44.310Z")])
    bundle = {"console.log": log, "incident/ls-locks.txt": listing, **files}
    findings = analyze(ingest_files(bundle), Settings())
    row = findings.incidents.row(0, named=True)
    assert row["resolved_by"] == "gateway_restart"
    assert findings.held_locks.filter(pl.col("session_id") == MAIN).is_empty()


def test_a_stopped_gateways_end_is_not_the_next_processs_fatal_error() -> None:
    """A config change asks for a restart; the operator runs `systemctl restart`
    instead: the gateway shuts down cleanly.  Its successor dies 21 s later of an
    unhandled rejection.  The file log names no pid: the first ended at its own
    shutdown, not at that death (Z170: the two epochs overlapped), and no
    restart was counted: the config reloader only asked for one."""
    steps = [
        ("09:30:00.100", "gateway", "ready"),
        ("09:41:27.500", "reload", "config change requires gateway restart (agents.list)"),
        ("09:41:28.014", "gateway", "received SIGTERM; shutting down"),
        ("09:41:28.226", "shutdown", "completed cleanly in 212ms"),
        ("09:41:30.400", "gateway", "starting..."),
        ("09:41:33.008", "gateway", "ready"),
        ("09:41:51.212", "openclaw", "[openclaw] Unhandled promise rejection: FsSafeError: x"),
    ]
    log = "".join(
        tslog_line(f"2026-08-14T{at}+02:00", text, subsystem=sub) for at, sub, text in steps
    )
    findings = analyze(ingest_files({"openclaw-2026-08-14.log": log}), Settings())
    ends = findings.epochs.sort("start").select("end", "ended_by").rows()
    assert ends == [
        (datetime(2026, 8, 14, 7, 41, 28, 226000, tzinfo=UTC), "stop"),
        (datetime(2026, 8, 14, 7, 41, 51, 212000, tzinfo=UTC), "crash"),
    ]
    assert findings.counts["gateway_restart"] == 0


def test_a_cron_cleanup_log_before_the_first_start_is_no_gateway_of_its_own() -> None:
    """An hourly cron's `sessions cleanup` output begins hours before the
    gateway's first line: the CLI ran then, no gateway is shown running, so no
    process "ran until the start" with no stop logged (Z215)."""
    log = (
        "2026-06-17T09:02:04.100+05:30 [gateway] starting...\n"
        "2026-06-17T09:02:11.482+05:30 [gateway] ready\n"
    )
    runs = "".join(
        f"=== Wed Jun 17 0{h}:00:01 IST 2026 ===\n{_cleanup_output(False)}\n" for h in range(3)
    )
    findings = analyze(
        ingest_files({"console.log": log, "cron/openclaw-sessions-cleanup.log": runs}), Settings()
    )
    epochs = findings.epochs.select("opened_by", "start", "ended_by").rows()
    assert epochs == [("start", datetime(2026, 6, 17, 3, 32, 4, 100000, tzinfo=UTC), None)]


def test_a_stop_that_hung_and_was_killed_released_nothing() -> None:
    """`systemctl restart` sent SIGTERM; the gateway hung, and systemd killed it
    with SIGKILL 90 s later (TimeoutStopSec): its lock stayed.  The process
    ended at the kill, as a crash, not at the SIGTERM with its locks released
    (Z222: "gateway stop (locks released on exit)", 90 s early)."""
    log = (
        "2026-07-12T09:40:00.000+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 1342)\n"
        + _timeout("2026-07-12T09:57:03.000+02:00", "main", MAIN, owner=1342)
        + _timeout("2026-07-12T09:58:09.000+02:00", "main", MAIN, owner=1342)
        + "2026-07-12T09:58:40.214+02:00 [gateway] received SIGTERM; shutting down\n"
    )
    unit = "gw-home-01 systemd[1183]: openclaw-gateway.service"
    journal = (
        f"2026-07-12T10:00:10+02:00 {unit}: State 'stop-sigterm' timed out. Killing.\n"
        f"2026-07-12T10:00:10+02:00 {unit}: Killing process 1342 (node) with signal SIGKILL.\n"
        f"2026-07-12T10:00:10+02:00 {unit}: Main process exited, code=killed, status=9/KILL\n"
    )
    findings = analyze(ingest_files({"console.log": log, "journal.txt": journal}), Settings())
    (epoch,) = findings.epochs.to_dicts()
    assert (epoch["ended_by"], epoch["exited"]) == (
        "crash",
        datetime(2026, 7, 12, 8, 0, 10, tzinfo=UTC),
    )
    assert findings.incidents.row(0, named=True)["resolved_by"] is None


def test_a_lock_held_at_collection_since_before_the_burst_saw_no_release() -> None:
    """A file log (no stderr in it) and the session's lock file at collection,
    created before the burst began: nothing, the watchdog included, released it
    in between, so no "release unseen" is said (Z227)."""
    lock_path = SESSIONS.format(agent="research", sid=SUPPORT) + ".lock"
    log = "".join(
        tslog_line(
            f"2026-06-11T03:2{m}:05.100+02:00",
            'lane task error: lane=main durationMs=10012 error="Error: session file locked '
            f'(timeout 10000ms): pid=6610 {lock_path}"',
        )
        for m in range(3)
    )
    lock = json.dumps({"pid": 6610, "createdAt": "2026-06-11T01:20:00.000Z", "maxHoldMs": 2400000})
    files = {"gw-b/openclaw-2026-06-11.log": log}
    row = analyze(ingest_files(files), Settings()).incidents.row(0, named=True)
    assert (row["resolved_by"], row["watchdog_unseen"]) == (None, True)
    files["gw-b/locks/research/sessions/" + SUPPORT + ".jsonl.lock"] = lock
    row = analyze(ingest_files(files), Settings()).incidents.row(0, named=True)
    assert (row["resolved_by"], row["watchdog_unseen"]) == (None, False)


def test_a_lone_failure_where_the_logs_begin_may_not_have_been_alone() -> None:
    """Z241: a tail begins two minutes before a takeover whose lock error it cut
    off: background, but whether it was alone is unknown, and the report says so."""
    log = (
        "2026-05-29T08:38:05.911-04:00 [telegram] sendMessage ok chat=1\n"
        + _takeover("2026-05-29T08:40:02.491-04:00", "main", MAIN)
        + "2026-05-29T09:40:02.491-04:00 [telegram] sendMessage ok chat=1\n"
    )
    findings = analyze(ingest_files({"openclaw-logs.txt": log}), Settings())
    assert findings.incidents.is_empty()
    assert findings.rates["background_at_edges"] == 1
    assert "so whether it was alone is unknown" in prose.no_incidents(findings)
