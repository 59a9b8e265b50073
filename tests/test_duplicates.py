"""Overlapping copies: narrowing the comparison to shared instants drops the same rows."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lockforensics.activity import as_events, conform
from lockforensics.findings import Settings
from lockforensics.ingest import duplicates, occurrences
from lockforensics.parsing.filescan import FileScan
from lockforensics.pipeline import analyze
from lockforensics.schema import ACTIVITY_SCHEMA, EVENT_SCHEMA
from tests.conftest import ingest_files

T0 = datetime(2026, 5, 28, 6, 0, tzinfo=UTC)
SOURCES = ("a.log", "b.log", "c.log")

_row = st.tuples(
    st.sampled_from(SOURCES),
    st.sampled_from(("file", "file", "journal")),
    st.one_of(st.none(), st.integers(0, 4).map(lambda s: T0 + timedelta(seconds=s))),
    st.sampled_from(("r1", "r1", "r2")),
    st.booleans(),  # an activity row (narrow part) or a detail row
)


def _parts(rows: list[tuple[str, str, datetime | None, str, bool]]) -> list[pl.DataFrame]:
    frames = []
    for narrow in (False, True):
        mine = [r for r in rows if r[4] is narrow]
        frame = pl.DataFrame(
            {
                "source": [r[0] for r in mine],
                "channel": [r[1] for r in mine],
                "ts": [r[2] for r in mine],
                "run_id": [r[3] for r in mine],
                "kind": ["run" if narrow else "lock_timeout"] * len(mine),
                "line": list(range(1, len(mine) + 1)),
            },
            schema_overrides={"ts": pl.Datetime("us", "UTC")},
        )
        # The key the build gives a row with no message.
        key = pl.lit(None, pl.String).hash().alias(occurrences.MESSAGE_KEY)
        frames.append(conform(frame, ACTIVITY_SCHEMA if narrow else EVENT_SCHEMA).with_columns(key))
    return frames


def _scans(lines: list[int]) -> list[FileScan]:
    # Logs, not pastes: a paste's repeats of itself are a rule of their own (test_tickets).
    return [
        FileScan(source=s, size=0, lines=n, envelope="tslog-json")
        for s, n in zip(SOURCES, lines, strict=True)
    ]


def _every_row_compared(
    detail: pl.DataFrame, activity: pl.DataFrame, scans: list[FileScan]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The reference: every row of every input compared with every other (and
    the stamp-less copies, a rule of their own)."""
    rows = pl.concat(
        [
            as_events(p.lazy()).with_row_index("_i").with_columns(_part=pl.lit(n, pl.UInt8))
            for n, p in enumerate((detail, activity))
        ],
        how="diagonal_relaxed",
    ).collect()
    copies = duplicates._stampless_copies((detail.lazy(), activity.lazy()), scans)
    dropped = pl.concat([copies, duplicates._dropped(rows, scans)]).unique()
    return duplicates.without(detail, dropped, 0), duplicates.without(activity, dropped, 1)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(_row, min_size=4, max_size=30),
    lines=st.lists(st.integers(1, 5), min_size=3, max_size=3),
)
@example(  # twins inside the shared span, not at its edge
    rows=[
        ("a.log", "file", T0, "r1", False),
        ("a.log", "file", T0 + timedelta(seconds=3), "r1", False),
        ("b.log", "file", T0, "r2", False),
        ("b.log", "file", T0 + timedelta(seconds=3), "r1", False),
        ("b.log", "file", T0 + timedelta(seconds=6), "r2", False),
    ],
    lines=[1, 2, 3],
)
def test_narrowed_comparison_drops_what_comparing_every_row_drops(
    rows: list[tuple[str, str, datetime | None, str, bool]], lines: list[int]
) -> None:
    detail, activity = _parts(rows)
    got_scans, want_scans = _scans(lines), _scans(lines)
    dropped = duplicates.drop_overlaps(detail.lazy(), activity.lazy(), got_scans)
    got = duplicates.without(detail, dropped, 0), duplicates.without(activity, dropped, 1)
    want = _every_row_compared(detail, activity, want_scans)
    assert got[0].equals(want[0])
    assert got[1].equals(want[1])
    assert [s.duplicate_rows for s in got_scans] == [s.duplicate_rows for s in want_scans]


def test_many_shared_spans_fall_back_to_grouping_every_suspect_row() -> None:
    """Past MAX_WINDOWS spans the time filter is dropped, not the comparison."""
    spans = [(T0 + timedelta(minutes=2 * k), T0 + timedelta(minutes=2 * k)) for k in range(70)]
    many = duplicates.Overlaps(["a.log"], spans, untimed=False)
    few = duplicates.Overlaps(["a.log"], spans[:2], untimed=False)
    frame = pl.DataFrame({"ts": [T0 + timedelta(minutes=1), T0]})
    assert frame.filter(many.near()).height == 2
    assert frame.filter(few.near()).get_column("ts").to_list() == [T0]


def test_touching_spans_merge() -> None:
    t = [T0 + timedelta(seconds=s) for s in range(6)]
    assert duplicates._merged([(t[3], t[4]), (t[0], t[1]), (t[1], t[2]), (t[5], t[5])]) == [
        (t[0], t[2]),
        (t[3], t[4]),
        (t[5], t[5]),
    ]


def _file_log_line(at: str, key: str) -> str:
    text = (
        f'lane task error: lane=session:{key} durationMs=60003 error=\\"SessionWriteLockTimeoutError: '
        f"session file locked (timeout 60000ms): pid=41210 alive=true ageMs=64210 "
        f'sqlite:session-write:{key}\\"'
    )
    meta = '"_meta":{"name":"{\\"subsystem\\":\\"diagnostic\\"}","logLevelName":"ERROR"}'
    return f'{{"0":"{{\\"subsystem\\":\\"diagnostic\\"}}","1":"{text}",{meta},"time":"{at}"}}\n'


def _export_line(at: str, key: str) -> str:
    """The export's copy: message cut at 240 characters, digit runs of 9+ redacted."""
    text = _file_log_line(at, key).split('"1":"', 1)[1].split('",', 1)[0]
    msg = re.sub(r"\d{9,}", "<redacted-id>", text.replace('\\"', '"'))[:240]
    return json.dumps({"time": at, "level": "ERROR", "subsystem": "diagnostic", "msg": msg}) + "\n"


def test_a_diagnostics_export_beside_its_file_log_adds_nothing() -> None:
    """The export's lossy copies (cut keys, redacted ids) of the file log's three lock
    errors are dropped as duplicates (they counted 6, with cut keys as sessions); an
    export record the file log lacks still counts."""
    keys = ("agent:main:telegram:direct:7781234567", "agent:ops:slack:channel:c07abcdef")
    stamps = ("2026-08-20T05:12:31.502+05:30", "2026-08-20T05:16:45.900+05:30")
    log = "".join(_file_log_line(at, key) for at, key in zip(stamps, keys, strict=True))
    export = "".join(_export_line(at, key) for at, key in zip(stamps, keys, strict=True))
    export += _export_line("2026-08-20T05:20:00.000+05:30", "agent:qa:main")
    result = ingest_files({"openclaw-2026-08-20.log": log, "logs/openclaw-sanitized.jsonl": export})
    locks = result.events.filter(pl.col("kind") == "lock_timeout")
    assert locks.get_column("source").to_list() == [
        "openclaw-2026-08-20.log",
        "openclaw-2026-08-20.log",
        "logs/openclaw-sanitized.jsonl",
    ]
    assert sorted(locks.get_column("session_key").drop_nulls().to_list()) == [
        "agent:main:telegram:direct:7781234567",
        "agent:ops:slack:channel:c07abcdef",
        "agent:qa:main",
    ]
    export_scan = next(s for s in result.files if s.source.endswith("sanitized.jsonl"))
    assert export_scan.duplicate_rows == 2


@pytest.mark.parametrize("copied", [True, False])
def test_a_redacted_copy_of_a_log_beside_it_adds_nothing(copied: bool) -> None:
    """A ticket's redacted copy of the file log (ids replaced by `<redacted-uuid>`)
    beside the log: its failures are the log's, instant for instant, and count once
    (Z137: a second gateway, every failure twice).  A log that redacts records of
    its own (another hour) is no copy."""
    sid = "9d41c7e2-0f3a-4b5c-8e6d-7a1b2c3d4e5f"
    stamps = ("2026-07-28T02:52:10.447+02:00", "2026-07-28T02:55:31.090+02:00")
    log = "".join(_tslog_lock(at, sid) for at in stamps)
    other = stamps if copied else tuple(at.replace("T02:", "T04:") for at in stamps)
    redacted = "".join(_tslog_lock(at, "<redacted-uuid>") for at in other)
    result = ingest_files({"openclaw-2026-07-28.log": log, "ticket/redacted.log": redacted})
    locks = result.events.filter(pl.col("kind") == "lock_timeout")
    assert locks.height == (2 if copied else 4)
    copy = next(s for s in result.files if s.source == "ticket/redacted.log")
    assert copy.duplicate_rows == (2 if copied else 0)


def _tslog_lock(at: str, sid: str) -> str:
    path = f"/home/ops/.openclaw/agents/ops/sessions/{sid}.jsonl.lock"
    return (
        json.dumps(
            {
                "0": '{"subsystem":"diagnostic"}',
                "1": 'lane task error: lane=main durationMs=60152 error="Error: session file '
                f'locked (timeout 60000ms): pid=51877 {path}"',
                "_meta": {"name": '{"subsystem":"diagnostic"}', "logLevelName": "ERROR"},
                "time": at,
            }
        )
        + "\n"
    )


def test_a_cut_export_message_gives_no_stump_for_a_session() -> None:
    """An export alone: its lock errors' keys, cut at 240 characters, are not read as
    sessions (`agent:ops:slack:channel:c07ab`); the lane before the cut names them."""
    keys = ("agent:main:telegram:direct:7781234567", "agent:ops:slack:channel:c07abcdef")
    stamps = ("2026-08-20T05:12:31.502+05:30", "2026-08-20T05:16:45.900+05:30")
    export = "".join(_export_line(at, key) for at, key in zip(stamps, keys, strict=True))
    assert all(len(json.loads(line)["msg"]) == 240 for line in export.splitlines())
    locks = ingest_files({"logs/openclaw-sanitized.jsonl": export}).events
    assert locks.select("kind", "session_key", "agent").rows() == [
        ("lock_timeout", "agent:main:telegram:direct:<redacted-id>", "main"),
        ("lock_timeout", "agent:ops:slack:channel:c07abcdef", "ops"),
    ]


def test_the_same_banner_in_a_rotated_log_and_the_current_one_is_two_printings() -> None:
    """A console prints its unstamped banner at every start: the rotated part and
    the current log each hold one, byte for byte.  Untimed lines other than
    failures are never taken for copies, so each process keeps its version."""
    banner = "🦞 OpenClaw 2026.7.1 (3f2a9c1) — Your shell's favourite crustacean.\n"

    def boot(day: str, pid: int) -> str:
        return (
            banner
            + f"{day}T19:10:09.842+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID {pid})\n"
            + f"{day}T19:11:00.000+02:00 [gateway] signal SIGTERM received\n"
        )

    result = ingest_files(
        {
            "logs/gateway.log.1": boot("2026-07-18", 3120),
            "logs/gateway.log": boot("2026-07-19", 4411),
        }
    )
    findings = analyze(result, Settings())
    assert findings.epochs.select("pid", "version").rows() == [
        (3120, "2026.7.1"),
        (4411, "2026.7.1"),
    ]


_LOCK = "/home/ops/.openclaw/agents/main/sessions/6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f.jsonl"
_RECORDS = (
    f'[diagnostic] lane task error: lane=main durationMs=60004 error="SessionWriteLockTimeoutError: '
    f'session file locked (timeout 60000ms): pid=48210 alive=true ageMs=61234 {_LOCK}.lock"',
    f"[agent/embedded] embedded run failed: EmbeddedAttemptSessionTakeoverError: session file "
    f"changed while embedded prompt lock was released: {_LOCK}",
    "[telegram] telegram: delivered reply chat=884412093 chars=657",
)


def test_a_journal_capture_without_stamps_adds_nothing_to_its_stamped_twin() -> None:
    """`journalctl -o cat` beside `-o short-iso` of the same records: each failure once."""
    stamped = "".join(
        f"2026-06-20T11:41:{10 + n:02d}+0200 gw node[48210]: {text}\n"
        for n, text in enumerate(_RECORDS)
    )
    bare = "".join(f"{text}\n" for text in _RECORDS)
    both = ingest_files({"journal-short-iso.txt": stamped, "journal-cat.txt": bare})
    alone = ingest_files({"journal-short-iso.txt": stamped})
    assert both.occurrence_counts() == alone.occurrence_counts()
    assert both.events.filter(pl.col("ts").is_null()).is_empty()


def test_untimed_records_of_their_own_stay_when_few_have_a_stamped_twin() -> None:
    """A paste that mostly holds other records keeps its untimed ones, twins included."""
    stamped = f"2026-06-20T11:41:10+0200 gw node[48210]: {_RECORDS[1]}\n"
    others = [
        f"[agent/embedded] embedded run failed: EmbeddedAttemptSessionTakeoverError: session "
        f"file changed while embedded prompt lock was released: /s/{n}.jsonl"
        for n in range(3)
    ]
    bare = "".join(f"{text}\n" for text in (_RECORDS[1], *others))
    result = ingest_files({"journal-short-iso.txt": stamped, "paste.txt": bare})
    assert result.events.filter(pl.col("ts").is_null()).height == 4


def test_two_lines_a_moment_apart_in_overlapping_parts_stay_two() -> None:
    """A coarse stamp is a copy of a finer one in its second; two lines stamped
    to the millisecond, a moment apart, in rotated parts that meet, are two."""
    line = '{{"0":"lane dequeue: lane=main waitMs=2 queueSize=0","time":"2026-05-30T14:37:21.{ms}+02:00"}}\n'
    result = ingest_files(
        {
            "openclaw-2026-05-30.1.log": line.format(ms="100") + line.format(ms="400"),
            "openclaw-2026-05-30.log": line.format(ms="400") + line.format(ms="700"),
        }
    )
    assert result.events.height == 3


_SESSION = "9b2f6c1e-4a7d-4c3b-8e21-5f0d7a6b3c91"
_KEY = "agent:main:telegram:direct:<redacted-id>"
_CUT_EXPORT = [
    # The lane=session line, cut at 240 before its lease key; the echo, whole.
    ("08:52:14.310", f'lane task error: lane=session:{_KEY} durationMs=60214 error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=41877 alive=true ageMs=131022 sqlite:session-write:agent:main:telegram:d'),
    ("08:52:14.312", f"Embedded agent failed before reply: session file locked (timeout 60000ms): pid=41877 alive=true ageMs=131022 sqlite:session-write:{_KEY}"),
    # One takeover: the warning cut in its promptError, the lane=main line
    # whole, the lane=session line cut inside its path.
    ("08:52:19.020", f"embedded attempt cleanup detected session takeover after prompt failure; preserving prompt error: runId=5a0d3e71-9c2b-4f86-a1d4-7e3b6c9f0a12 sessionId={_SESSION} promptError=session file changed while embedded prom"),
    ("08:52:19.026", f'lane task error: lane=main durationMs=300412 error="EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt lock was released: $OPENCLAW_STATE_DIR/agents/main/sessions/{_SESSION}.jsonl"'),
    ("08:52:19.031", f'lane task error: lane=session:{_KEY} durationMs=300417 error="EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt lock was released: $OPENCLAW_STATE_DIR/agents/main/sessions/9b2f'),
]  # fmt: skip


def test_an_export_cut_away_from_its_path_is_its_failures_copy() -> None:
    """A diagnostics export alone: a line the 240-character cut took the lock path or
    transcript from is the same failure as the whole line beside it (one lock
    timeout, one takeover), not one more."""
    export = "".join(
        json.dumps({"time": f"2026-07-12T{at}+02:00", "level": "error", "msg": msg}) + "\n"
        for at, msg in _CUT_EXPORT
    )
    result = ingest_files({"logs/openclaw-sanitized.jsonl": export})
    assert result.occurrence_counts() == {"lock_timeout": 1, "takeover": 1}


def test_a_time_given_from_elsewhere_is_no_stamp_of_its_input() -> None:
    """An input that wrote no stamp stays one (`journalctl -o cat`) when one of its
    rows was timed from elsewhere (a watchdog release, by its lock's age): its
    untimed copy of a stamped record adds nothing."""
    t0 = datetime(2026, 6, 20, 9, 41, tzinfo=UTC)
    detail = conform(
        pl.DataFrame(
            {
                "source": ["journal.txt", "journal.txt", "cat.txt", "cat.txt"],
                "channel": ["console"] * 4,
                "kind": ["lock_timeout", "lock_released_by_watchdog"] * 2,
                "ts": [t0, t0 + timedelta(seconds=3), None, t0 + timedelta(seconds=1)],
                "ts_raw": ["11:41:00", "11:41:03", None, None],
                "message": ["locked", "released", "locked", "released"],
                "line": [1, 2, 1, 2],
            },
            schema_overrides={"ts": pl.Datetime("us", "UTC")},
        ),
        EVENT_SCHEMA,
    ).with_columns(pl.col("message").hash().alias(occurrences.MESSAGE_KEY))
    activity = conform(pl.DataFrame(schema=ACTIVITY_SCHEMA), ACTIVITY_SCHEMA).with_columns(
        pl.lit(None, pl.UInt64).alias(occurrences.MESSAGE_KEY)
    )
    scans = [FileScan(source=s, size=0, lines=2) for s in ("journal.txt", "cat.txt")]
    dropped = duplicates._stampless_copies((detail.lazy(), activity.lazy()), scans)
    assert dropped.rows() == [(0, 2)]


def _logs_json(stamp: str, level: str, message: str) -> str:
    """An `openclaw logs --json` record whose raw file-log line names host gw01."""
    raw = json.dumps(
        {
            "0": '{"subsystem":"gateway"}',
            "1": message,
            "_meta": {"hostname": "gw01", "name": '{"subsystem":"gateway"}',
                      "logLevelName": level.upper()},
            "time": stamp,
        }
    )  # fmt: skip
    record = {"type": "log", "time": stamp, "level": level, "subsystem": "gateway",
              "message": message, "raw": raw}  # fmt: skip
    return json.dumps(record) + "\n"


def test_a_laptops_whole_second_copy_of_a_named_hosts_capture_adds_nothing() -> None:
    """`openclaw logs` on the gateway (`--json`, milliseconds, its raw lines name the
    host) and on a laptop in another zone (pretty, whole seconds, no host): the
    laptop's start and lock sweep are copies, not a second start on an unknown
    host, and the sweep does not clear anything a second early."""
    lock = "/home/oc/.openclaw/agents/{}/sessions/{}.jsonl.lock (dead-pid)"
    lines = [
        ("02.310", "info", "listening on ws://127.0.0.1:18789, ws://[::1]:18789 (PID 41520)"),
        ("02.312", "info", "log file: /tmp/openclaw/openclaw-2026-06-12.log"),
        ("02.455", "warn", "removed stale session lock: "
         + lock.format("main", "e9d05a3c-1b2f-4c6d-8e7f-9a0b1c2d3e4f")),
        ("02.457", "warn", "removed stale session lock: "
         + lock.format("research", "5f3a2b1c-7d6e-4f80-a1b2-c3d4e5f60718")),
    ]  # fmt: skip
    gateway = '{"type":"meta","file":"/tmp/openclaw/openclaw-2026-06-12.log"}\n' + "".join(
        _logs_json(f"2026-06-12T00:44:{ms}-04:00", level, text) for ms, level, text in lines
    )
    laptop = "Log file: /tmp/openclaw/openclaw-2026-06-12.log\n" + "".join(
        f"06:44:02 {level:<5} gateway {text}\n" for _, level, text in lines
    )
    result = ingest_files({"gw01-logs.ndjson": gateway, "laptop-tty.log": laptop})
    assert result.occurrence_counts() == {"gateway_start": 1, "lock_removed": 2}
    findings = analyze(result, Settings())
    epochs = findings.epochs.select("host", "pid").rows()
    assert epochs == [("gw01", 41520)]


@pytest.mark.parametrize("laptop", ["laptop/openclaw-logs.txt", "openclaw-logs-from-laptop.txt"])
def test_a_laptops_capture_is_the_gateway_whose_records_it_holds(laptop: str) -> None:
    """`openclaw logs --plain` saved in the operator's own folder (or the bundle's top)
    beside a docker capture that names no host either, in a folder named after its
    host: the laptop's copy of the burst and the restart is that host's, not a
    gateway called `laptop` (or of no host) whose burst nothing cleared (Z152)."""
    lock = (
        "session file locked (timeout 60000ms): pid=1 alive=true ageMs={} "
        "/home/node/.openclaw/agents/main/sessions/3b8d7e20-91f4-4c6a-b2d3-7a5e6f1c0d84.jsonl.lock"
    )
    said = [
        ("01:15:12.900", "error", "diagnostic", "lane task error: lane=main durationMs=60035 "
         f'error="SessionWriteLockTimeoutError: {lock.format(412900)}"'),
        ("01:19:30.400", "error", "diagnostic", "lane task error: lane=main durationMs=60010 "
         f'error="SessionWriteLockTimeoutError: {lock.format(670400)}"'),
        ("01:32:00.500", "info", "gateway", "received SIGUSR1; restarting"),
        ("01:32:00.900", "info", "gateway", "restart mode: in-process restart (OPENCLAW_NO_RESPAWN)"),
    ]  # fmt: skip
    docker = "".join(
        f"2026-11-01T{int(t[:2]) + 5:02d}{t[2:]}123456Z 2026-11-01T{t}-05:00 [{sub}] {text}\n"
        for t, _, sub, text in said
    )
    plain = "Log file: /tmp/openclaw/openclaw-2026-11-01.log\n" + "".join(
        f"2026-11-01T{t}-05:00 {level} {sub} {text}\n" for t, level, sub, text in said
    )
    # The other host's lines span the laptop's: a capture naming no host beside
    # them had been set apart as another gateway's, of no host.
    other = "".join(
        f"Nov 01 {t} blr-gw01 node[2417]: 2026-11-01T{t}.201+05:30 [diagnostic] "
        'lane task error: lane=main durationMs=60035 error="SessionWriteLockTimeoutError: '
        "session file locked (timeout 60000ms): pid=2417 alive=true ageMs=127701 "
        '/home/ravi/.openclaw/agents/main/sessions/7c1e4b52-0d3a-4f6e-9a11-2b3c4d5e6f70.jsonl.lock"\n'
        for t in ("11:39:10", "12:10:10")
    )
    result = ingest_files(
        {
            "blr-gw01/journal.txt": other,
            "nyc-gw02/docker-logs.txt": docker,
            laptop: plain,
        }
    )
    findings = analyze(result, Settings())
    incidents = findings.incidents.select("host", "resolved_by").sort("host").rows()
    assert incidents == [("nyc-gw02", "gateway_restart")]
    assert set(findings.epochs.get_column("host")) == {"blr-gw01", "nyc-gw02"}


def test_a_lane_mirror_stamped_on_the_whole_second_is_no_copy_of_the_other() -> None:
    """A lock timeout's `lane=session:` line at .000 and its `lane=main` mirror at
    .003 share their message key (the lane left out) but are two lines of one
    input: neither is dropped as the other's coarse copy (both copies of the
    .000 line had gone)."""
    error = (
        'error="SessionWriteLockTimeoutError: session file locked (timeout 10000ms): '
        "pid=41200 alive=true ageMs=12000 "
        '/h/.openclaw/agents/ops/sessions/c3e5a7b9-1d2f-4a6b-8c0e-9f1a2b3c4d5e.jsonl.lock"'
    )
    log = (
        "2026-06-20T11:16:30.000+02:00 [diagnostic] lane task error: "
        f"lane=session:agent:ops:main durationMs=10011 {error}\n"
        f"2026-06-20T11:16:30.003+02:00 [diagnostic] lane task error: lane=main durationMs=10014 {error}\n"
    )
    # An excerpt holding the first line again is its copy: that one goes.
    excerpt = log.splitlines(keepends=True)[0]
    result = ingest_files({"gateway.log": log, "excerpt.log": excerpt})
    kept = result.events.sort("source", "line").select("source", "line").rows()
    assert kept == [("gateway.log", 1), ("gateway.log", 2)]
    assert result.occurrence_counts() == {"lock_timeout": 1}


def test_two_sessions_locked_in_one_millisecond_are_two_locks() -> None:
    """A lock file's payload names no session: two sessions one process locked in
    the same millisecond hold the same bytes, and are still two locks held.  The
    same lock file collected twice (an archive beside its own extracted copy) is one."""
    payload = json.dumps({"pid": 48810, "createdAt": "2026-06-15T00:19:58.123Z"})
    lock = "agents/{agent}/sessions/{sid}.jsonl.lock"
    a = lock.format(agent="coder", sid="73fcd622-0000-4000-8000-000000000001")
    b = lock.format(agent="coder", sid="9b3d9881-0000-4000-8000-000000000002")
    result = ingest_files({f"x/{a}": payload, f"x/{b}": payload, f"y/{a}": payload})
    locks = result.events.filter(pl.col("kind") == "lock_file")
    assert sorted(locks["session_id"].to_list()) == [
        "73fcd622-0000-4000-8000-000000000001",
        "9b3d9881-0000-4000-8000-000000000002",
    ]


@settings(max_examples=25, deadline=None)
@given(width=st.integers(90, 200))
def test_a_line_systemctl_status_cut_to_the_terminal_is_its_whole_copy(width: int) -> None:
    """`systemctl status` without -l cuts its journal tail to the terminal's width,
    ending each line with an ellipsis: what the cut left of a lock failure is the
    journal's whole line, counted once whatever the width.  A failure only the
    cut line shows still counts, its kind kept where the cut left it."""
    prefix = "Jun 19 12:43:41 gw-eu-03 node[214377]: "
    echo = (
        "2026-06-19T12:43:41.565+02:00 Embedded agent failed before reply: session file "
        "locked (timeout 60000ms): pid=214377 alive=true ageMs=211200 "
        "/home/oc/.openclaw/agents/main/sessions/4b8f2d19-6a0c-4e1d-9b27-3c5a8e7f1d02.jsonl.lock"
    )
    stale = (
        "2026-06-19T12:44:52.122+02:00 Embedded agent failed before reply: session file "
        "lock stale (hold-exceeded)"
    )
    whole = prefix + echo

    def cut(line: str) -> str:
        return line if len(line) <= width else line[: width - 1] + "…"

    status = (
        "● openclaw-gateway.service - OpenClaw Gateway\n"
        "     Active: active (running) since Fri 2026-06-19 03:02:15 CEST; 9h ago\n\n"
        + cut(whole) + "\n"
        + prefix.replace("12:43:41", "12:44:52") + stale + "…\n"
    )  # fmt: skip
    journal = "-- Logs begin at Fri 2026-06-19 03:00:01 CEST. --\n" + whole + "\n"
    result = ingest_files({"status.txt": status, "journal.txt": journal})
    counts = result.occurrence_counts()
    assert (counts.get("lock_timeout"), counts.get("lock_stale")) == (1, 1)


def test_a_key_with_terminal_sequences_reads_alike_in_the_file_log_and_the_journal() -> None:
    """A client chose a session key holding an OSC-8 link and colour codes.  The
    journal shows the console's line with them stripped; the file log keeps them
    as JSON escapes.  Both copies read the same key, so the lane line is one
    occurrence (Z144: the file log's copy stood alone, one takeover too many)."""
    link = "\u001b]8;;https://evil.example/\u0007open ticket\u001b]8;;\u0007\u001b[1;31mroot"
    sid = "6e7b8d4a-5a7f-4b19-83e4-9f8a7b6d5e88"
    error = (
        "EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt "
        f"lock was released: /home/oc/.openclaw/agents/main/sessions/{sid}.jsonl"
    )
    message = f'lane task error: lane=session:agent:main:openai-user:{link} durationMs=78294 error="{error}"'
    record = {
        "0": '{"subsystem":"diagnostic"}',
        "1": message,
        "_meta": {"logLevelName": "ERROR", "date": "2026-06-30T09:19:30.601Z"},
        "time": "2026-06-30T11:19:30.601+02:00",
    }
    journal = (
        "2026-06-30T11:19:30+02:00 gw-edge-02 openclaw[1187]: "
        f"\u001b[90m2026-06-30T11:19:30.601+02:00\u001b[39m [diagnostic] {message}\n"
    )
    result = ingest_files({"openclaw.log": json.dumps(record) + "\n", "journal.txt": journal})
    takeovers = result.table().filter(pl.col("kind") == "takeover").collect()
    assert takeovers.get_column("session_key").unique().to_list() == [
        "agent:main:openai-user:open ticketroot"
    ]
    assert takeovers.get_column("occurrence").n_unique() == 1


def test_a_kept_copy_naming_no_host_takes_the_host_its_copies_name() -> None:
    """`openclaw logs --plain` holds the whole burst; two journal captures, each
    half of it, name the host.  The plain capture, the fuller, is the copy kept:
    it is that host's, not a gateway of no host (Z165: Tokyo lost its name and
    took another host's start for its uptime)."""
    lock = (
        'lane task error: lane=main durationMs=60066 error="SessionWriteLockTimeoutError: '
        "session file locked (timeout 60000ms): another OpenClaw process "
        'sqlite:session-write:agent:main:main"'
    )
    times = ("19:41:05.220", "19:43:07.410", "19:46:09.600", "19:50:51.800")
    plain = "".join(f"2026-08-14T{t}Z [diagnostic] {lock}\n" for t in times)

    def journal(part: tuple[str, ...]) -> str:
        return "".join(
            f"Aug 14 {t[:8]} gw-tyo-01 node[77102]: 2026-08-14T{t}Z [diagnostic] {lock}\n"
            for t in part
        )

    other = "".join(
        f"Aug 14 13:05:{s} gw-ber-01 node[41207]: 2026-08-14T13:05:{s}.000Z [diagnostic] "
        + lock.replace("agent:main:main", "agent:ops:main")
        + "\n"
        for s in ("10", "40")
    )
    result = ingest_files(
        {
            "tokyo/logs-plain.txt": plain,
            "tokyo/journal-1.txt": journal(times[:2]),
            "tokyo/journal-2.txt": journal(times[2:]),
            "berlin/journal.txt": other,
        }
    )
    findings = analyze(result, Settings())
    assert findings.incidents.select("host", "lock_timeout").sort("host").rows() == [
        ("gw-ber-01", 2),
        ("gw-tyo-01", 4),
    ]
