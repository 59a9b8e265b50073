"""The event table: one schema for every stage, defined here and nowhere else.

Every parser emits rows of this shape, the correlator reads and extends it and
the reporters print it.  Column names are part of the public contract (Parquet
output, JSON summary), so they are never renamed between stages.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import polars as pl


class EventKind(StrEnum):
    """What a line (or a hit inside a line) reports."""

    # Session write lock (the `<transcript>.jsonl.lock` file).
    LOCK_TIMEOUT = "lock_timeout"
    LOCK_STALE = "lock_stale"
    LOCK_REMOVED = "lock_removed"
    LOCK_RELEASED_BY_WATCHDOG = "lock_released_by_watchdog"
    LOCK_CLEANUP_FAILED = "lock_cleanup_failed"
    TAKEOVER = "takeover"
    # The `sessions.json` store lock: a distractor that must never count as a
    # session lock, however similar its wording.
    STORE_LOCK_TIMEOUT = "store_lock_timeout"
    STORE_LOCK_STALE = "store_lock_stale"
    # Other fs-safe file locks (auth profiles, OAuth refresh): not session locks.
    OTHER_FILE_LOCK = "other_file_lock"
    # The previous reply of a session still holds its transcript lock: OpenClaw
    # suppresses this run error as benign, and formats §11 lists it as related.
    # Contention on the same session, so kept as evidence, never a failure.
    TRANSCRIPT_LOCK_BUSY = "transcript_lock_busy"
    # Gateway lifecycle.
    GATEWAY_START = "gateway_start"
    GATEWAY_START_FAILED = "gateway_start_failed"
    # Config reloads and refused restart requests: context, not lifecycle cuts.
    GATEWAY_RELOAD = "gateway_reload"
    # The CLI banner (`🦞 OpenClaw 2026.4.1 (da64a97) — …`): version evidence.
    VERSION = "version"
    GATEWAY_RESTART = "gateway_restart"
    GATEWAY_STOP = "gateway_stop"
    UPTIME = "uptime"
    # The log itself lost lines: journald rate-limited the unit, or the file
    # log hit its size cap and stopped writing.  Failures may be missing there.
    LOG_SUPPRESSED = "log_suppressed"
    # Runs, lanes and the writers that can race a session file.
    RUN = "run"
    RUN_FAILED = "run_failed"
    TOOL_CALL = "tool_call"
    COMPACTION = "compaction"
    HEARTBEAT = "heartbeat"
    CRON = "cron"
    SUBAGENT = "subagent"
    LANE_TASK = "lane_task"
    LANE_ERROR = "lane_error"
    LANE_WAIT = "lane_wait"
    SESSION_STATE = "session_state"
    # An entry of an agent's sessions.json store: its key and the session id it names.
    SESSION_STORE = "session_store"
    STUCK_SESSION = "stuck_session"
    MODEL_FALLBACK = "model_fallback"
    # Structured documents: a `sessions cleanup` run (one row per store), a
    # lock line of `openclaw doctor`, a lock file found in (or listed by) the bundle.
    CLEANUP_RUN = "cleanup_run"
    DOCTOR_LOCK = "doctor_lock"
    LOCK_FILE = "lock_file"
    # A run of a lock census (`date; ls -la …/*.lock` from cron): when it listed
    # the locks; one it did not list, which another run of it did, was gone then.
    LOCK_CENSUS = "lock_census"


#: Kinds that are session-lock failures or takeovers: what incidents are made of.
LOCK_KINDS: frozenset[EventKind] = frozenset(
    {EventKind.LOCK_TIMEOUT, EventKind.LOCK_STALE, EventKind.TAKEOVER}
)


#: High-volume kinds a busy gateway writes for every agent nearly every minute.
#: The chunk engine reads them in bulk (parsing/vector.py), and the table keeps
#: their raw text only for a bounded sample (RAW_SAMPLE per input and kind):
#: the correlator reads their ids, times and outcomes, never their text.
ACTIVITY_KINDS: frozenset[str] = frozenset(
    {
        EventKind.RUN,
        EventKind.RUN_FAILED,
        EventKind.TOOL_CALL,
        EventKind.COMPACTION,
        EventKind.HEARTBEAT,
        EventKind.CRON,
        EventKind.SUBAGENT,
        EventKind.LANE_TASK,
        EventKind.LANE_ERROR,
        EventKind.LANE_WAIT,
        EventKind.SESSION_STATE,
        EventKind.MODEL_FALLBACK,
        EventKind.STORE_LOCK_TIMEOUT,
    }
)
RAW_SAMPLE = 5


#: The channel of structured documents' rows (cleanup, doctor, lock files): not logs.
DOCUMENT_CHANNEL = "document"
#: The channel of `openclaw logs` output: the gateway's file log as a client
#: fetched it over RPC, from wherever the operator ran it.
CLI_CHANNEL = "cli"
#: The ``lock_payload`` of a lock file only an ``ls -l`` row shows.
LISTED_PAYLOAD = "listed"


class TimeQuality(StrEnum):
    """How much of an event's instant was read rather than assumed."""

    EXPLICIT = "explicit"  # date, time and zone all on the line
    ASSUMED = "assumed"  # zone and/or date/year supplied (see ts_assumption)
    UNTIMED = "untimed"  # no usable stamp; ts is null


_COLUMNS: dict[str, pl.DataType] = {
    # When: the UTC instant, the stamp as written, and what was assumed.
    "ts": pl.Datetime("us", "UTC"),
    "ts_raw": pl.String(),
    "ts_quality": pl.String(),
    "ts_assumption": pl.String(),
    # What.
    "kind": pl.String(),
    "phase": pl.String(),
    "signature": pl.String(),
    "error_class": pl.String(),
    "level": pl.String(),
    "subsystem": pl.String(),
    # Who.
    "agent": pl.String(),
    "session_id": pl.String(),
    "session_is_placeholder": pl.Boolean(),
    "session_key": pl.String(),
    "session_file": pl.String(),
    "lock_path": pl.String(),
    "lane": pl.String(),
    "tool": pl.String(),
    "tool_call_id": pl.String(),
    "run_id": pl.String(),
    # The lock owner as the message describes it.
    "pid": pl.Int64(),
    "owner_alive": pl.Boolean(),
    "age_ms": pl.Int64(),
    "stale_reasons": pl.List(pl.String()),
    "timeout_ms": pl.Int64(),
    "max_hold_ms": pl.Int64(),
    "duration_ms": pl.Int64(),
    # The gateway process and host that wrote (or are named by) the line.
    "gateway_pid": pl.Int64(),
    "spawned_pid": pl.Int64(),
    "uptime_ms": pl.Int64(),  # uptime evidence: the process started at ts - uptime_ms
    "host": pl.String(),
    "version": pl.String(),
    # Lock files and the doctor's view of them (lock_file, doctor_lock).
    "lock_scope": pl.String(),  # session | store | gateway | other: what the .lock guards
    "lock_payload": pl.String(),  # v1 | v2 | v3 | gateway | partial | invalid | empty | listed
    "pid_starttime": pl.Int64(),  # the owner's /proc starttime stored in v2/v3 payloads
    "stale": pl.Boolean(),
    "removed": pl.Boolean(),
    # `openclaw sessions cleanup`, one row per session store (cleanup_run).
    "store_path": pl.String(),
    "dry_run": pl.Boolean(),
    "maintenance_mode": pl.String(),
    "entries_before": pl.Int64(),
    "entries_after": pl.Int64(),
    "pruned_missing": pl.Int64(),
    "pruned_stale": pl.Int64(),
    "capped": pl.Int64(),
    "dm_scope_retired": pl.Int64(),
    "artifacts_pruned": pl.Int64(),
    # Which run of a command a capture holding several belongs to (documents).
    "doc_run": pl.Int32(),
    # The text, and where it came from.
    "message": pl.String(),
    "envelope": pl.String(),
    "channel": pl.String(),
    "echo_role": pl.String(),
    "source": pl.String(),
    "line": pl.Int64(),
    "hit": pl.Int32(),
    "raw": pl.String(),
    # One id for all lines that report one failure (or one run, start, ...).
    "occurrence": pl.Int64(),
}
EVENT_SCHEMA: pl.Schema = pl.Schema(_COLUMNS)

COLUMNS: tuple[str, ...] = tuple(EVENT_SCHEMA.names())

#: The columns high-volume rows past their sample are stored with (the
#: ``activity`` part of the table, lockforensics/activity.py): what their
#: signatures and the log's meta context can fill, and provenance.  Text and
#: the lock-owner, document and lock-file columns are not among them; the stamp as
#: written is (it tells untimed lines apart, and the zone each was written in).
#: tests/test_activity_table.py keeps this in step with the signatures.
#:
#: The text columns the correlator hardly reads are stored as categoricals
#: (``CODED``): a string cell costs a 16-byte view even when null, and these
#: are null or one of a few values, so the codes (4 bytes) are a quarter of the
#: cost.  The columns every stage filters or groups on (kind, source, agent,
#: session, host, ...) stay strings: :func:`lockforensics.activity.whole` gives
#: coded columns back as strings, and a cast there runs over every row a
#: stage reads (coding them all cost about a quarter more CPU, and twice the
#: time of a cached report, for little more memory saved).
CODED = frozenset(
    {
        "ts_quality", "signature", "error_class", "level", "subsystem", "session_file",
        "lock_path", "tool", "envelope", "channel", "echo_role",
    }
)  # fmt: skip
ACTIVITY_SCHEMA: pl.Schema = pl.Schema(
    {
        name: pl.Categorical() if name in CODED else EVENT_SCHEMA[name]
        for name in (
            "ts", "ts_raw", "ts_quality", "ts_assumption", "kind", "phase", "signature",
            "error_class", "level", "subsystem", "agent", "session_id", "session_is_placeholder",
            "session_key", "session_file", "lock_path", "lane", "tool", "tool_call_id",
            "run_id", "timeout_ms", "duration_ms", "gateway_pid", "uptime_ms", "host",
            "version", "envelope", "channel", "echo_role", "source", "line", "hit",
            "occurrence",
        )
    }
)  # fmt: skip

#: Columns the correlator adds to every event (lockforensics/correlate/epochs.py):
#: the gateway epoch the line falls in, and the gateway's uptime at that line,
#: which is only a lower bound when the epoch started before the bundle with
#: no evidence of when.  `gateway_pid` is filled from the epoch as well.
EPOCH_COLUMNS: pl.Schema = pl.Schema(
    {"epoch": pl.Int64(), "uptime_s": pl.Int64(), "uptime_is_lower_bound": pl.Boolean()}
)

#: The column the correlator adds for a session's linked identity
#: (lockforensics/correlate/identity.py): the transcript id when any line links
#: it, else the session key.  Failures, alignment, incidents and the headline
#: count sessions by it, so a session named by key and by id counts once.
IDENTITY_COLUMNS: pl.Schema = pl.Schema({"session": pl.String()})

#: The total order every public event frame ends in (determinism).
SORT_KEY: tuple[str, ...] = ("ts", "source", "line", "hit")


def empty_events() -> pl.DataFrame:
    """An event table with no rows but the full schema."""
    return pl.DataFrame(schema=EVENT_SCHEMA)


def events_from_rows(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """Build a schema-conformant frame from row dicts; absent keys become null."""
    if not rows:
        return empty_events()
    return pl.DataFrame(rows, schema=EVENT_SCHEMA, strict=False)
