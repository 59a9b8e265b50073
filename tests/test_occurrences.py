"""One failure logged on several lines is one occurrence; two failures stay two."""

from __future__ import annotations

import json

import polars as pl
import pytest

from tests.conftest import IngestText, ingest_files, tslog_line

LOCK = "/home/u/.openclaw/agents/main/sessions/0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e.jsonl.lock"
ERR = f"session file locked (timeout 60000ms): pid=77 alive=true ageMs=61234 {LOCK}"
KEY = "agent:main:telegram:direct:42"


def _file_line(
    ts: str, subsystem: str | None, message: str, meta: dict[str, object] | None = None
) -> str:
    record: dict[str, object] = {}
    if subsystem:
        record["0"] = json.dumps({"subsystem": subsystem})
        if meta is not None:
            record["1"], record["2"] = meta, message
        else:
            record["1"] = message
    else:
        record["0"] = message
    record["time"] = ts
    return json.dumps(record)


def _failure_lines(ts_prefix: str = "2026-05-28T06:22:13") -> list[str]:
    return [
        _file_line(
            f"{ts_prefix}.451+02:00",
            "diagnostic",
            f'lane task error: lane=session:{KEY} durationMs=60003 error="SessionWriteLockTimeoutError: {ERR}"',
        ),
        _file_line(
            f"{ts_prefix}.452+02:00",
            "model-fallback/decision",
            "model fallback decision",
            {"event": "model_fallback_decision", "errorPreview": ERR},
        ),
        _file_line(
            f"{ts_prefix}.455+02:00",
            "diagnostic",
            f'lane task error: lane=main durationMs=60007 error="SessionWriteLockTimeoutError: {ERR}"',
        ),
        _file_line(f"{ts_prefix}.457+02:00", None, f"Embedded agent failed before reply: {ERR}"),
    ]


def test_mirrors_echoes_and_preview_are_one_occurrence(ingest_text: IngestText) -> None:
    """lane=session, errorPreview, lane=main and the reply echo report one failure."""
    result = ingest_text("\n".join(_failure_lines()) + "\n")
    assert result.events.height == 4
    assert result.occurrence_counts() == {"lock_timeout": 1}
    assert result.line_counts() == {"lock_timeout": 4}


def test_file_log_and_journal_copy_are_one_occurrence() -> None:
    """The same failure in the file log and in the journal counts once."""
    journal = [
        "-- Logs begin at Thu 2026-05-28 00:00:00 CEST, end at Thu 2026-05-28 23:59:59 CEST. --",
        f'May 28 06:22:13 gw node[77]: 2026-05-28T06:22:13.451+02:00 [diagnostic] lane task error: lane=session:{KEY} durationMs=60003 error="SessionWriteLockTimeoutError: {ERR}"',
        f'May 28 06:22:13 gw node[77]: 2026-05-28T06:22:13.455+02:00 [diagnostic] lane task error: lane=main durationMs=60007 error="SessionWriteLockTimeoutError: {ERR}"',
    ]
    result = ingest_files(
        {
            "openclaw-2026-05-28.log": "\n".join(_failure_lines()) + "\n",
            "journal.txt": "\n".join(journal) + "\n",
        }
    )
    assert result.occurrence_counts() == {"lock_timeout": 1}
    assert result.events["gateway_pid"].drop_nulls().unique().to_list() == [77]


def test_a_message_the_journal_split_over_two_lines_is_its_file_copy() -> None:
    """A console prints a multi-line message as lines of their own, so the
    journal holds its first line alone; the file log holds it whole."""
    failed = (
        "Gateway failed to start: gateway already running (pid 41288); lock timeout after 5000ms"
    )
    hint = "If the gateway is supervised, stop it with: openclaw gateway stop"
    file_log = json.dumps({"0": f"{failed}\n{hint}", "time": "2026-06-17T11:02:11.520-05:00"})
    journal = [
        f"Jun 17 11:02:11 gw node[41300]: 2026-06-17T11:02:11.520-05:00 {failed}",
        f"Jun 17 11:02:11 gw node[41300]: {hint}",
    ]
    result = ingest_files(
        {
            "openclaw-2026-06-17.log": file_log + "\n",
            "journal.txt": "\n".join(journal) + "\n",
        }
    )
    assert result.line_counts()["gateway_start_failed"] == 2
    assert result.occurrence_counts()["gateway_start_failed"] == 1


def test_a_console_echo_without_a_stamp_is_its_failure_not_another() -> None:
    """A console prints a failure's lane lines stamped and its reply echo and error
    line bare (openclaw-formats §1.4).  The bare lines right under a timed failure
    take its time (noted as assumed) and fold into it: one failure, not three."""
    console = [
        "12:40:00+08:00 [gateway] listening on ws://127.0.0.1:18789 (PID 77)",
        f'13:48:30+08:00 [diagnostic] lane task error: lane=session:{KEY} durationMs=60003 error="SessionWriteLockTimeoutError: {ERR}"',
        f"Embedded agent failed before reply: {ERR}",
        f"SessionWriteLockTimeoutError: {ERR}",
        "13:49:00+08:00 [gateway] something else",
        f"Embedded agent failed before reply: {ERR}",
    ]
    result = ingest_files({"gateway-2026-06-26.log": "\n".join(console) + "\n"})
    events = result.events.filter(pl.col("kind") == "lock_timeout").sort("line")
    assert events.get_column("occurrence").n_unique() == 2
    stamped = events.filter(pl.col("line") == 2).get_column("ts").item()
    timed = events.filter(pl.col("line").is_in([3, 4]))
    assert timed.get_column("ts").to_list() == [stamped, stamped]
    assert timed.get_column("ts_assumption").str.contains("line above").all()
    # A bare echo after a line that is no failure stays untimed.
    assert events.filter(pl.col("line") == 6).get_column("ts").to_list() == [None]


@pytest.mark.parametrize("ellipsis", ["…", "ÔÇª", "ΓÇª", "â€¦"])
def test_a_mirror_whose_path_openclaw_shortened_is_its_takeovers(ellipsis: str) -> None:
    """The takeover triple of issue 107873 (`openclaw logs --plain`, Windows): the
    session-lane mirror shortens the transcript path in the middle.  Completed from
    the full path logged 11 ms before, it is the same takeover (one, not two), and
    it links the key `agent:main:main` to the transcript's session id.  So it is when
    PowerShell 5.1 showed the ellipsis's UTF-8 bytes in another code page (`ÔÇª`)."""
    sid = "2fd41ab3-da15-41bb-8344-db789983f521"
    full = (
        r"C:\Users\carca\.openclaw\agents\main\sessions"
        rf"\2026-07-15T00-22-18-733Z_{sid}.jsonl"
    )
    released = "session file changed while embedded prompt lock was released"
    lines = [
        "2026-07-14T20:24:41.748-04:00 warn agent/embedded embedded attempt cleanup detected "
        "session takeover after prompt failure; preserving prompt error: "
        f"runId=252187fb-0ff5-45bb-a170-663943625ebd sessionId={sid} "
        f"promptError={released}: {full} cleanupError={released}: {full}",
        "2026-07-14T20:24:41.754-04:00 error diagnostic lane task error: lane=main "
        f'durationMs=85716 error="EmbeddedAttemptSessionTakeoverError: {released}: {full}"',
        "2026-07-14T20:24:41.759-04:00 error diagnostic lane task error: "
        'lane=session:agent:main:main durationMs=85722 error="EmbeddedAttemptSessionTakeoverError: '
        f'{released}: C:\\Users\\…\\2026-07-15T00-22-18-733Z_2fd41ab3-….jsonl"'.replace(
            "…", ellipsis
        ),
    ]
    result = ingest_files({"openclaw-logs.txt": "\n".join(lines) + "\n"})
    assert result.occurrence_counts() == {"takeover": 1}
    mirror = result.events.filter(pl.col("line") == 3).row(0, named=True)
    assert (mirror["session_id"], mirror["session_key"]) == (sid, "agent:main:main")
    assert mirror["session_is_placeholder"] is False


def test_two_failures_on_one_lock_stay_two(ingest_text: IngestText) -> None:
    """A second lane=main line with the same text a minute later is a new failure."""
    v1 = f"session file locked (timeout 10000ms): pid=77 {LOCK}"
    lines = [
        _file_line(
            "2026-05-28T06:22:13.000+02:00",
            "diagnostic",
            f'lane task error: lane=main durationMs=10003 error="Error: {v1}"',
        ),
        _file_line(
            "2026-05-28T06:22:14.000+02:00",
            "diagnostic",
            f'lane task error: lane=main durationMs=10003 error="Error: {v1}"',
        ),
        _file_line(
            "2026-05-28T06:23:13.000+02:00",
            "diagnostic",
            f'lane task error: lane=main durationMs=10003 error="Error: {v1}"',
        ),
    ]
    result = ingest_text("\n".join(lines) + "\n")
    assert result.occurrence_counts() == {"lock_timeout": 3}


def test_takeover_cleanup_and_lanes_are_one_occurrence(ingest_text: IngestText) -> None:
    """The cleanup warning plus both lane errors of one takeover count once."""
    path = "/data/.openclaw/agents/main/sessions/2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl"
    msg = f"session file changed while embedded prompt lock was released: {path}"
    text = "\n".join(
        [
            f"2026-06-09T09:58:16.068+00:00 [agent/embedded] embedded attempt cleanup detected session takeover after prompt failure; preserving prompt error: runId=r1 sessionId=2bc0117f-8cd0-43a6-a382-1b4ebc062f6d promptError={msg} cleanupError={msg}",
            f'2026-06-09T09:58:16.069+00:00 [diagnostic] lane task error: lane=main durationMs=21071 error="EmbeddedAttemptSessionTakeoverError: {msg}"',
            f'2026-06-09T09:58:16.070+00:00 [diagnostic] lane task error: lane=session:agent:main:main durationMs=21073 error="EmbeddedAttemptSessionTakeoverError: {msg}"',
        ]
    )
    result = ingest_text(text + "\n")
    assert result.occurrence_counts() == {"takeover": 1}
    assert result.events["run_id"].to_list()[0] == "r1"


def test_restart_over_several_lines_is_one_restart(ingest_text: IngestText) -> None:
    """signal → draining → drained → restart mode is one gateway_restart, then one start."""
    lines = [
        "2026-05-28T07:02:00.000+02:00 [gateway] received SIGUSR1; restarting",
        "2026-05-28T07:02:00.010+02:00 [gateway] draining 2 active task(s) and 1 active embedded run(s) before restart with timeout 300000ms",
        "2026-05-28T07:02:30.010+02:00 [gateway] still draining 1 active task(s) and 1 active embedded run(s) before restart",
        "2026-05-28T07:03:00.010+02:00 [gateway] still draining 1 active task(s) and 0 active embedded run(s) before restart",
        "2026-05-28T07:03:10.000+02:00 [gateway] all active work drained",
        "2026-05-28T07:03:10.100+02:00 [gateway] restart mode: full process restart (spawned pid 51877)",
        "2026-05-28T07:03:13.000+02:00 [canvas] host mounted at http://127.0.0.1:18789/__openclaw__/canvas/",
        "2026-05-28T07:03:13.100+02:00 [gateway] agent model: openai/gpt-5",
        "2026-05-28T07:03:13.200+02:00 [gateway] listening on ws://127.0.0.1:18789, ws://[::1]:18789 (PID 51877)",
        "2026-05-28T07:03:13.300+02:00 [gateway] log file: /tmp/openclaw/openclaw-2026-05-28.log",
    ]
    result = ingest_text("\n".join(lines) + "\n")
    assert result.occurrence_counts() == {"gateway_restart": 1, "gateway_start": 1}
    start = result.events.filter(pl.col("phase") == "listening").row(0, named=True)
    assert start["gateway_pid"] == 51877
    mode = result.events.filter(pl.col("phase") == "mode").row(0, named=True)
    assert mode["spawned_pid"] == 51877


def test_two_restarts_stay_two(ingest_text: IngestText) -> None:
    """A second restart signal is a second restart, even within the drain window."""
    lines = [
        "2026-05-28T07:02:00.000+02:00 [gateway] received SIGUSR1; restarting",
        "2026-05-28T07:02:00.100+02:00 [gateway] restart mode: in-process restart (OPENCLAW_NO_RESPAWN)",
        "2026-05-28T07:03:00.000+02:00 [gateway] received SIGUSR1; restarting",
        "2026-05-28T07:03:00.100+02:00 [gateway] restart mode: in-process restart (OPENCLAW_NO_RESPAWN)",
    ]
    assert ingest_text("\n".join(lines) + "\n").occurrence_counts() == {"gateway_restart": 2}


def test_two_gateways_restarting_minutes_apart_are_two_restarts() -> None:
    """A dev profile's file log (no pid) restarts at 09:41:50; the prod gateway's
    journal restarts at 09:44:12, inside a restart's 330 s window but each step
    minutes after the dev one's: two restarts.  The prod file log's copies,
    seconds from the journal's, still fold into the prod restart."""

    def tslog(at: str, message: str) -> str:
        return tslog_line(at, message, "gateway", "INFO")

    dev = tslog("2026-06-30T11:41:50.210+02:00", "received SIGUSR1; restarting") + tslog(
        "2026-06-30T11:41:50.340+02:00", "restart mode: full process restart (spawned pid 7950)"
    )
    journal = (
        "Jun 30 11:44:12 gw node[41877]: 2026-06-30T11:44:12.118+02:00 [gateway] "
        "received SIGUSR1; restarting\n"
        "Jun 30 11:44:20 gw node[41877]: 2026-06-30T11:44:20.611+02:00 [gateway] "
        "restart mode: full process restart (supervisor restart)\n"
    )
    prod = tslog("2026-06-30T11:44:12.118+02:00", "received SIGUSR1; restarting") + tslog(
        "2026-06-30T11:44:20.611+02:00", "restart mode: full process restart (supervisor restart)"
    )
    files = {"openclaw-dev-2026-06-30.log": dev, "journal.txt": journal}
    assert ingest_files(files).occurrence_counts() == {"gateway_restart": 2}
    files["openclaw-2026-06-30.log"] = prod
    assert ingest_files(files).occurrence_counts() == {"gateway_restart": 2}


def test_another_files_lock_timeout_and_its_echoes_are_one(ingest_text: IngestText) -> None:
    """An auth profile's lock timed out during an OAuth refresh: the fallback
    decision's errorPreview and both lanes' errors report one failure, as a
    session lock's do; the same lock timing out 20 s later is another."""
    path = "/home/oc/.openclaw/agents/growth/agent/auth-profiles.json"
    error = f"OAuth token refresh failed for anthropic: file lock timeout for {path}."

    def failure(second: int) -> list[str]:
        at = f"2026-06-10T14:00:{second:02d}"
        return [
            f"{at}.481+02:00 [model-fallback/decision] model fallback decision: "
            f'decision=candidate_failed reason=auth errorPreview="{error}"',
            f"{at}.485+02:00 [diagnostic] lane task error: lane=cron durationMs=10388 "
            f'error="Error: {error}"',
            f"{at}.487+02:00 [diagnostic] lane task error: lane=session:agent:growth:cron:1 "
            f'durationMs=10392 error="Error: {error}"',
        ]

    result = ingest_text("\n".join(failure(10) + failure(30)) + "\n")
    assert result.occurrence_counts().get("other_file_lock") == 2


def test_run_start_and_done_are_one_run(ingest_text: IngestText) -> None:
    """Lines sharing a runId describe one run; tool start/end share a toolCallId."""
    lines = [
        "2026-05-28T07:00:00.000+02:00 [agent/embedded] embedded run start: runId=r-1 sessionId=s1 provider=p model=m thinking=low messageChannel=telegram",
        "2026-05-28T07:00:01.000+02:00 [agent/embedded] embedded run tool start: runId=r-1 tool=sessions_send toolCallId=c1",
        "2026-05-28T07:00:02.000+02:00 [agent/embedded] embedded run tool end: runId=r-1 tool=sessions_send toolCallId=c1",
        "2026-05-28T07:00:03.000+02:00 [agent/embedded] embedded run tool start: runId=r-1 tool=sessions_send toolCallId=c2",
        "2026-05-28T07:05:00.000+02:00 [agent/embedded] embedded run done: runId=r-1 sessionId=s1 durationMs=300000 aborted=false",
    ]
    result = ingest_text("\n".join(lines) + "\n")
    assert result.occurrence_counts() == {"run": 1, "tool_call": 2}


def test_untimed_mirrors_fold_by_line_distance(ingest_text: IngestText) -> None:
    """Pasted lines without stamps fold with their neighbours, not across the file."""
    lane = f'lane task error: lane=main durationMs=1 error="{ERR}"'
    lane2 = f'lane task error: lane=session:{KEY} durationMs=2 error="{ERR}"'
    filler = "\n".join(["some chat"] * 10)
    text = f"{lane}\n{lane2}\n{filler}\n{lane}\n"
    result = ingest_text(text, name="ticket.txt")
    assert result.occurrence_counts() == {"lock_timeout": 2}


def test_a_fallback_summary_repeats_its_candidates_errors_minutes_later() -> None:
    """Three candidates each time out on one lock (`pid=N`, no ageMs to tell the errors
    apart), each logged by its decision line at :10, :20 and :30; the run's
    `All models failed (3)` summary then repeats all three on two lanes.  Three
    failures, not five: each part joins one of the decision lines' occurrences."""
    old = LOCK.replace("0b9c8d7e", "7b1e2c9a")
    error = f"session file locked (timeout 10000ms): pid=41210 {old}"
    lines = [
        _file_line(
            f"2026-10-31T23:44:{s}.000-07:00",
            "model-fallback/decision",
            "model fallback decision",
            {"event": "model_fallback_decision", "errorPreview": error, "attempt": n},
        )
        for n, s in ((1, 10), (2, 20), (3, 30))
    ]
    parts = " | ".join(f"p/m{n}: {error} (timeout)" for n in (1, 2, 3))
    lines += [
        _file_line(
            "2026-10-31T23:44:30.470-07:00",
            "diagnostic",
            f'lane task error: lane={lane} durationMs=30470 error="FallbackSummaryError: '
            f'All models failed (3): {parts}"',
        )
        for lane in ("cron", "session:agent:main:cron:nightly")
    ]
    result = ingest_files({"openclaw-2026-10-31.log": "\n".join(lines) + "\n"})
    assert result.occurrence_counts() == {"lock_timeout": 3}


def test_a_heartbeat_and_its_openclaw_logs_copy_are_one_uptime() -> None:
    """The file log keeps the heartbeat's `uptimeMs` in its meta; `openclaw logs`
    prints the meta as text before the message (and its time in UTC, whatever
    `--tz` says of the host): one record, one uptime."""
    binding = json.dumps({"module": "web-heartbeat"})
    file_log = json.dumps(
        {
            "0": binding,
            "1": {"connectionId": "wa-1", "uptimeMs": 10800500},
            "2": "web gateway heartbeat",
            "_meta": {"name": binding, "logLevelName": "INFO"},
            "time": "2026-03-05T02:14:33.120Z",
        }
    )
    pretty = (
        "Log file: /tmp/openclaw/openclaw-2026-03-05.log\n"
        '02:14:33 info  web-heartbeat {"connectionId":"wa-1","uptimeMs":10800500} '
        "web gateway heartbeat\n"
    )
    result = ingest_files(
        {"openclaw-2026-03-05.log": file_log + "\n", "follow.txt": pretty}, tz="+10:00"
    )
    assert result.events.filter(kind="uptime").get_column("uptime_ms").to_list() == [
        10800500,
        10800500,
    ]
    assert result.occurrence_counts()["uptime"] == 1


def test_one_failure_in_four_captures_counts_once() -> None:
    """The file log, `journalctl -o short` and `-o short-precise` of one journal, and
    a console tail each hold the same two lock errors: two failures; the
    second-precision journal is its finer copy's duplicate."""
    file_log, short, precise, console = [], [], [], []
    for second, age in ((21, 61234), (25, 65234)):
        error = ERR.replace("61234", str(age))
        message = f'lane task error: lane=main durationMs=60003 error="SessionWriteLockTimeoutError: {error}"'
        file_log.append(_file_line(f"2026-05-30T14:37:{second}.412+02:00", "diagnostic", message))
        line = f"gw node[77]: 14:37:{second}+02:00 [diagnostic] {message}"
        short.append(f"May 30 14:37:{second} {line}")
        precise.append(f"May 30 14:37:{second}.412137 {line}")
        console.append(f"14:37:{second}+02:00 [diagnostic] {message}")
    result = ingest_files(
        {
            "openclaw-2026-05-30.log": "\n".join(file_log) + "\n",
            "journal-short.txt": "\n".join(short) + "\n",
            "journal-short-precise.txt": "\n".join(precise) + "\n",
            "console.txt": "\n".join(console) + "\n",
        }
    )
    assert result.occurrence_counts() == {"lock_timeout": 2}
    (coarse,) = [s for s in result.files if s.source == "journal-short.txt"]
    assert coarse.duplicate_rows == 2


def test_two_failures_in_one_input_stay_two_beside_their_copies() -> None:
    """The same lock error twice in one journal is two failures, however many other
    inputs copy them (roles repeat within an input, not across inputs)."""
    message = (
        f'lane task error: lane=main durationMs=60003 error="SessionWriteLockTimeoutError: {ERR}"'
    )
    journal = "".join(
        f"2026-05-30T14:37:2{n}+0200 gw node[77]: [diagnostic] {message}\n" for n in (1, 2)
    )
    console = "".join(f"2026-05-30T14:37:2{n}.000+02:00 [diagnostic] {message}\n" for n in (1, 2))
    result = ingest_files({"journal.txt": journal, "console.txt": console})
    assert result.occurrence_counts() == {"lock_timeout": 2}


def test_a_lane_failure_logged_by_both_its_lanes_is_one(ingest_text: IngestText) -> None:
    """A failed task is logged by the global lane and by its session's, each with
    its own duration: one failure.  Two sessions failing alike at once are two."""
    line = (
        "2026-05-28T06:22:13.{ms}+02:00 [diagnostic] lane task error: lane={lane} "
        'durationMs={d} error="Error: provider returned 529 overloaded"\n'
    )
    text = "".join(
        line.format(ms=ms, lane=lane, d=d)
        for ms, lane, d in (
            ("456", "main", 412),
            ("459", "session:agent:ops:main", 415),
            ("470", "main", 500),
            ("471", "session:agent:qa:main", 501),
        )
    )
    result = ingest_text(text)
    assert result.occurrence_counts() == {"lane_error": 2}
    assert result.events.sort("line")["occurrence"].to_list() == [1, 1, 2, 2]


def test_two_profiles_starting_together_are_two_starts_each_in_its_own_log() -> None:
    """Two gateways (a default and a `--profile work` one) start within a second,
    each writing its own console log: each start's lines are one start, its own
    log's (the latest start a line fits had taken the other profile's lines)."""

    def boot(second: int, ms: int) -> str:
        return "".join(
            f"2026-06-30T17:55:{second + i:02d}.{ms:03d}+02:00 [{sub}] {text}\n"
            for i, (sub, text) in enumerate(
                [
                    ("gateway", "starting..."),
                    ("canvas", "host mounted at http://127.0.0.1:18789/__openclaw__/canvas/"),
                    ("heartbeat", "started"),
                    ("gateway", "agent model: anthropic/claude-sonnet-4-6"),
                    ("gateway", "ready (7 plugins: acpx; 4.2s)"),
                ]
            )
        )

    result = ingest_files(
        {"Logs/gateway-work.log": boot(20, 558), "Logs/gateway.log": boot(20, 900)}
    )
    starts = result.events.filter(pl.col("kind") == "gateway_start")
    per_occurrence = starts.group_by("occurrence").agg(pl.col("source").unique())
    assert sorted(per_occurrence.get_column("source").to_list()) == [
        ["Logs/gateway-work.log"],
        ["Logs/gateway.log"],
    ]


def test_a_busy_transcript_on_both_lanes_is_one() -> None:
    """SessionTranscriptLockBusyError on the session lane names its key; the global
    lane's mirror, as the journal copies it, names none: one busy transcript."""
    busy = (
        "SessionTranscriptLockBusyError: Previous session response is still settling; "
        "transcript lock is still active for agent "
    )
    lines = [
        "2026-11-12T06:42:30.100+01:00 [diagnostic] lane task error: "
        f'lane=session:agent:main:main durationMs=12 error="{busy}agent:main:main."',
        f'2026-11-12T06:42:30.103+01:00 [diagnostic] lane task error: lane=main durationMs=14 error="{busy}main"',
    ]
    result = ingest_files({"gateway.log": "\n".join(lines) + "\n"})
    assert result.occurrence_counts() == {"transcript_lock_busy": 1}


def test_a_takeover_whose_lane_copies_name_no_transcript_is_one() -> None:
    """The warn line and the echo name the transcript; both lanes' copies keep only
    the prompt's error under the takeover's class (`EmbeddedAttemptSessionTakeoverError:
    LLM idle timeout …`), the session lane its key. One takeover, not two (Z109)."""
    path = "/home/ops/.openclaw/agents/main/sessions/733611da-7593-4e8d-baa0-c8cd4792c102.jsonl"
    error = "EmbeddedAttemptSessionTakeoverError: LLM idle timeout (120s): no response from model"
    text = (
        "2026-07-15T09:24:52.402+03:00 [agent/embedded] embedded attempt cleanup detected "
        "session takeover after prompt failure; preserving prompt error: runId=933a2f23 "
        "sessionId=733611da-7593-4e8d-baa0-c8cd4792c102 promptError=LLM idle timeout (120s): "
        f"no response from model cleanupError=session file changed while embedded prompt lock "
        f"was released: {path}\n"
        f'2026-07-15T09:24:52.408+03:00 [diagnostic] lane task error: lane=main durationMs=133524 error="{error}"\n'
        "2026-07-15T09:24:52.412+03:00 [diagnostic] lane task error: "
        f'lane=session:agent:main:telegram:direct:5512093847 durationMs=133527 error="{error}"\n'
        "2026-07-15T09:24:52.415+03:00 Embedded agent failed before reply: LLM idle timeout "
        f"(120s): no response from model | session file changed while embedded prompt lock was released: {path}\n"
    )
    result = ingest_files({"gateway.log": text})
    assert result.occurrence_counts() == {"takeover": 1}


def test_a_takeovers_own_wording_cut_by_a_wrap_is_no_second_takeover() -> None:
    """A mail client wrapped the lane's copy of a classic takeover after "session
    file": that piece is no takeover named by its class alone (Z118: 3 became 7).
    A minute later, a copy whose message is the prompt's failure is one."""
    text = (
        "2026-06-03T14:27:10.004+01:00 [diagnostic] lane task error: lane=cron "
        'durationMs=148733 error="EmbeddedAttemptSessionTakeoverError: session file\n'
        "2026-06-03T14:28:10.004+01:00 [diagnostic] lane task error: lane=session:agent:ops:main "
        'durationMs=151204 error="EmbeddedAttemptSessionTakeoverError: This operation was aborted"\n'
    )
    assert ingest_files({"mail.txt": text}).occurrence_counts() == {"takeover": 1}


def test_a_records_top_level_message_holding_its_meta_is_its_console_copy() -> None:
    """2026.4.26+ adds a top-level `message` to each file-log record: the numbered
    arguments joined, the meta object among them as JSON.  The console prints the
    text alone; the journal's copy of a model fallback decision is that decision
    (Z151: each counted once per capture, 17 for 16)."""
    meta = {
        "event": "model_fallback_decision",
        "decision": "candidate_failed",
        "reason": "rate_limit",
    }
    binding = '{"subsystem":"model-fallback/decision"}'
    record = {
        "0": binding,
        "1": meta,
        "2": "model fallback decision",
        "_meta": {"name": binding, "logLevelName": "WARN", "date": "2026-05-30T13:52:40.118Z"},
        "time": "2026-05-30T08:52:40.118-05:00",
        "hostname": "gw-spawn-01",
        "message": json.dumps(meta) + " model fallback decision",
    }
    journal = (
        "2026-05-30T08:52:40-0500 gw-spawn-01 node[48211]: 2026-05-30T08:52:40.118-05:00 "
        "[model-fallback/decision] model fallback decision\n"
    )
    result = ingest_files(
        {"openclaw-2026-05-30.log": json.dumps(record) + "\n", "journal.txt": journal}
    )
    assert result.occurrence_counts() == {"model_fallback": 1}


def test_two_tasks_on_two_global_lanes_failing_on_one_lease_are_two(
    ingest_text: IngestText,
) -> None:
    """A cron delivery (`lane=cron`) and a nested announce (`lane=nested`) each
    waited 60 s on one lease, 3 s apart: a task logs its failure on one global
    lane and its session's, so these are two failures, not one (Z224: a lease
    error names no `ageMs` to tell them apart)."""
    lease = "sqlite:session-write:agent:main:telegram:direct:5550001"
    text = "".join(
        f"2026-09-14T08:46:{at}-05:00 [diagnostic] lane task error: lane={lane} durationMs={ms} "
        'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
        f'another OpenClaw process {lease}"\n'
        for at, lane, ms in (
            ("30.140", "cron", 60040),
            ("30.141", "session:agent:main:telegram:direct:5550001", 60041),
            ("33.060", "nested", 60060),
        )
    )
    assert ingest_text(text).occurrence_counts() == {"lock_timeout": 2}
