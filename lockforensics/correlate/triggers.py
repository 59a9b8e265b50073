"""Trigger evidence: who else wrote a session while its takeover's run had the lock released.

The takeover check compares the transcript's stat from when the run released
its lock for model I/O with the stat when it takes the lock back; any other
writer in between trips it (formats doc §3).  A takeover's *release window*
is [takeover - the lane task's durationMs, takeover], the run's whole attempt
(without a duration: the alignment window).  Writers looked for in it:

* ``compaction``: an auto-compaction of another run on the same session;
  ``own_compaction``, the takeover's own run's (its rewrite is a known false
  positive: the cause, but no other writer, and named apart, Z133);
* ``cron``: a cron line on the same session, or on the same agent when the
  line names no session;
* ``queued_message``: a message queued into the session's running embedded
  run (``message queued … source=pi-embedded-runner``, newer
  ``embedded-agent-runner``): a cron job's or a sub-agent's reply, a
  sessions_send, a steered follow-up, written into the transcript while the
  run works (formats §3);
* ``sessions_send`` / ``sessions_spawn``: such a tool call by another run.
  Its target is not logged, but the target's own lines are: the first run
  starting on a session, or message queued into one, while the call runs
  (:func:`_targets`) is its target, and the call is a writer of its target
  only (Z123: a send to another agent had been listed as a writer of every
  session of the caller's agent).  A call with no such line in view is
  matched by agent, another run of the same agent, as
  ``sessions_send_of_agent``: a candidate, its target unseen;
* ``heartbeat``: another run on the same session that a heartbeat started
  (``messageChannel=heartbeat``: a heartbeat on the main session writes its
  transcript).  An isolated heartbeat (``agent:<id>:main:heartbeat``) runs
  in a session of its own and writes only that transcript (formats §6);
* ``second_run``: any other run on the same session overlapping the window,
  unless that run failed on the session's lock itself (:func:`_waiters`): it
  waited for the lock and never wrote.

All of these are debug lines.  ``status`` per takeover: ``found``;
``none_found`` (debug lines exist near the takeover, none is a writer); or
``no_debug_lines``, i.e. no trigger evidence at this log level.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from lockforensics.correlate.failures import LOCK_ERRORS
from lockforensics.correlate.frames import first_value, ordered
from lockforensics.schema import EventKind

SPAWNING_TOOLS = ("sessions_send", "sessions_spawn")
#: Appended to a spawning tool's trigger when its target is not in view and it
#: is matched by agent: ``sessions_send_of_agent``.
UNSEEN_TARGET = "_of_agent"
#: The trigger of an auto-compaction by the taken-over run itself.
OWN_COMPACTION = "own_compaction"
#: The phase of a message queued into a session's running run, and the writer it
#: is (parsers/signatures/40-runs.toml).
QUEUED = {"queued_into_run": "queued_message"}
#: How long after a spawning tool call ends its target's first line may come: a
#: send that does not wait (``timeoutSeconds: 0``) returns before the target runs.
_TARGET_SLACK = timedelta(seconds=2)


def _windows(failures: pl.LazyFrame, window_s: float) -> pl.LazyFrame:
    fallback = pl.lit(timedelta(seconds=window_s))
    return (
        failures.filter((pl.col("kind") == EventKind.TAKEOVER) & pl.col("ts").is_not_null())
        .select(
            "agent",
            "session_id",
            takeover=pl.col("occurrence"),
            ts=pl.col("ts"),
            takeover_run=pl.col("run_id"),
            # When the taken-over run's lane task began (its durationMs back).
            takeover_task=pl.col("ts") - pl.duration(milliseconds=pl.col("duration_ms")),
            takeover_key=pl.col("session_key"),
            window_start=pl.col("ts")
            - pl.coalesce(pl.duration(milliseconds=pl.col("duration_ms")), fallback),
            coverage_start=pl.col("ts")
            - pl.max_horizontal(pl.duration(milliseconds=pl.col("duration_ms")), fallback),
        )
        .sort("ts", "takeover")
    )


def writers(events: pl.LazyFrame, run_table: pl.LazyFrame) -> pl.LazyFrame:
    """Compactions, cron lines and spawning tool calls, one row per occurrence
    (``trigger``, ``at``, ``agent``, ``session_id``, ``run_id``, ``evidence``;
    ``until``: the occurrence's last line, a tool call's end)."""
    rows = ordered(events).filter(
        pl.col("ts").is_not_null()
        & (
            pl.col("kind").is_in([EventKind.COMPACTION.value, EventKind.CRON.value])
            | ((pl.col("kind") == EventKind.TOOL_CALL) & pl.col("tool").is_in(SPAWNING_TOOLS))
            | (
                (pl.col("kind") == EventKind.SESSION_STATE) & pl.col("phase").is_in(list(QUEUED))
            ).fill_null(False)
        )
    )
    runs = run_table.select("run_id", run_agent=pl.col("agent"), run_session=pl.col("session_id"))
    return (
        rows.group_by("occurrence")
        .agg(
            kind=pl.col("kind").first(),
            phase=first_value("phase"),
            tool=first_value("tool"),
            at=pl.col("ts").min(),
            until=pl.col("ts").max(),
            agent=first_value("agent"),
            session_id=first_value("session_id"),
            run_id=first_value("run_id"),
        )
        .join(runs, on="run_id", how="left")
        .select(
            trigger=pl.when(pl.col("kind") == EventKind.TOOL_CALL)
            .then(pl.col("tool"))
            .when(pl.col("kind") == EventKind.SESSION_STATE)
            .then(pl.col("phase").replace_strict(QUEUED, default=None))
            .otherwise(pl.col("kind")),
            at=pl.col("at"),
            until=pl.col("until"),
            agent=pl.coalesce("agent", "run_agent"),
            session_id=pl.coalesce("session_id", "run_session"),
            run_id=pl.col("run_id"),
            evidence=pl.col("occurrence"),
        )
    )


#: How long before its lane task a run may log its start (the two are read a moment apart).
_START_SLACK = timedelta(seconds=2)


def _waiters(failures: pl.LazyFrame, runs: pl.LazyFrame) -> pl.LazyFrame:
    """The run ids of runs that failed on their session's lock, so never held it:
    a lock error naming the run, or one naming none on its session whose lane
    task (its ``durationMs`` back from the error) began as the run started, the
    run not done before the error (one done before it wrote, and let the
    error's run wait)."""
    errors = failures.filter(pl.col("kind").is_in(LOCK_ERRORS) & pl.col("ts").is_not_null())
    named = errors.filter(pl.col("run_id").is_not_null()).select("run_id")
    task = pl.col("ts") - pl.duration(milliseconds=pl.col("duration_ms"))
    # An error naming its run says whose wait it was: a heartbeat begun as its
    # task began is no waiter then (Z177: the lock's holder dropped so).
    timed = (
        errors.filter(
            pl.col("session_id").is_not_null()
            & pl.col("duration_ms").is_not_null()
            & pl.col("run_id").is_null()
        )
        .select("session_id", error_at=pl.col("ts"), task_start=task)
        .join(runs.select("run_id", "session_id", "started", "ended"), on="session_id")
        .filter(
            # As its task began, not at any time the task waited: a heartbeat
            # begun while another run waited on the lock wrote the session
            # (Z158: dropped as a waiter, its takeover read "none found").
            pl.col("started").is_between(
                pl.col("task_start") - _START_SLACK,
                pl.min_horizontal(pl.col("task_start") + _START_SLACK, pl.col("error_at")),
            )
            & (pl.col("ended").is_null() | (pl.col("ended") >= pl.col("error_at")))
        )
        .select("run_id")
    )
    return pl.concat([named, timed]).unique()


def _targets(calls: pl.LazyFrame, points: pl.LazyFrame, run_table: pl.LazyFrame) -> pl.LazyFrame:
    """Per spawning tool call (``evidence``), the session it reached (``session_id``)
    and the run it started there (``arrival_run``; null: a message queued):
    one that another run started on, or a message was queued into, while it ran
    (up to :data:`_TARGET_SLACK` after its last line), not the caller's own.

    A call reaches its target first: its first such arrival, or, when calls of
    the same run were in flight before it (parallel tool calls), the arrival
    after as many as there were.  Any arrival in a send's span had been its
    target: a 30 s send to one agent had reached every session that ran
    meanwhile (Z133)."""
    arrivals = pl.concat(
        [
            points.filter(pl.col("trigger").is_in(list(QUEUED.values()))).select(
                "session_id", arrived=pl.col("at"), arrival_run=pl.lit(None, pl.String)
            ),
            run_table.select("session_id", arrived=pl.col("started"), arrival_run=pl.col("run_id")),
        ]
    ).filter(pl.col("session_id").is_not_null() & pl.col("arrived").is_not_null())
    spans = calls.select(
        "evidence",
        "at",
        "until",
        reach=pl.col("until") + _TARGET_SLACK,
        caller_session=pl.col("session_id"),
        caller_run=pl.col("run_id"),
    )
    # How many calls of its run were in flight when it began (earlier, not over:
    # by their own end, not the slack after it, so calls one after the other
    # within it are no parallel ones; Z184: each then took its predecessor's
    # target).
    ahead = (
        spans.join(
            spans.select(
                "caller_run", _at=pl.col("at"), _reach=pl.col("until"), _evidence="evidence"
            ),
            on="caller_run",
        )
        .filter(
            (
                (pl.col("_at") < pl.col("at"))
                | ((pl.col("_at") == pl.col("at")) & (pl.col("_evidence") < pl.col("evidence")))
            )
            & (pl.col("_reach") >= pl.col("at"))
        )
        .group_by("evidence")
        .agg(_ahead=pl.len().cast(pl.Int64))
    )
    return (
        spans.join_where(
            arrivals, pl.col("arrived") >= pl.col("at"), pl.col("arrived") <= pl.col("reach")
        )
        .filter(
            pl.col("session_id").ne_missing(pl.col("caller_session"))
            & pl.col("arrival_run").ne_missing(pl.col("caller_run"))
        )
        .select("evidence", "arrived", "session_id", "arrival_run")
        .unique()
        .sort("evidence", "arrived", "session_id", "arrival_run", nulls_last=True)
        .with_columns(_k=pl.int_range(pl.len(), dtype=pl.Int64).over("evidence"))
        .join(ahead, on="evidence", how="left")
        .filter(pl.col("_k") == pl.col("_ahead").fill_null(0))
        .select("evidence", "session_id", "arrival_run")
    )


def debug_lines(events: pl.LazyFrame) -> pl.LazyFrame:
    """The times of the timed debug lines, in order (``debug_ts``)."""
    return (
        events.filter((pl.col("level") == "debug") & pl.col("ts").is_not_null())
        .select(debug_ts=pl.col("ts"))
        .sort("debug_ts")
    )


def triggers(
    points: pl.LazyFrame,
    debug: pl.LazyFrame,
    failures: pl.LazyFrame,
    run_table: pl.LazyFrame,
    window_s: float,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(one row per takeover with its release window and status; one row per writer found).

    ``points``: :func:`writers` of the events; ``debug``: their :func:`debug_lines`.
    """
    windows = _windows(failures, window_s)
    # Active in the window: a compaction begun before it that completed in it
    # rewrote the transcript there (Z158: missed, as it began 10 s early).
    in_window = (pl.col("at") <= pl.col("ts")) & (
        pl.coalesce("until", "at") >= pl.col("window_start")
    )
    # A takeover naming no run: the run on its session that began as its lane
    # task did and was not done before it is the run taken over, no writer.
    taken_over = (
        pl.col("takeover_run").is_null()
        & pl.col("started").is_between(
            pl.col("takeover_task") - _START_SLACK, pl.col("takeover_task") + _START_SLACK
        )
        & (pl.col("ended").is_null() | (pl.col("ended") >= pl.col("ts")))
    ).fill_null(False)
    other_run = pl.col("run_id").ne_missing(pl.col("takeover_run"))
    calls = points.filter(pl.col("trigger").is_in(SPAWNING_TOOLS))
    # A run with no `done` line (failed, or logged before the level went back
    # to info) is only known to be alive until the last line naming it.
    runs = run_table.select(
        "run_id",
        "agent",
        "session_id",
        "started",
        "ended",
        "heartbeat",
        alive_until=pl.coalesce("ended", "last_seen"),
        evidence=pl.col("run"),
    )
    waiters = _waiters(failures, runs)
    targets = _targets(calls, points, run_table)
    # A call whose run failed on the lock wrote nothing (Z198: a sessions_send
    # whose run waited 693 ms and failed, named as the other writer).
    wrote = targets.join(waiters.rename({"run_id": "arrival_run"}), on="arrival_run", how="anti")
    by_session = (
        windows.filter(pl.col("session_id").is_not_null())
        .join(
            pl.concat(
                [
                    points.filter(
                        pl.col("trigger").is_in(["compaction", "cron", *QUEUED.values()])
                    ),
                    calls.drop("session_id").join(wrote, on="evidence"),
                ],
                how="diagonal_relaxed",
            ).drop("agent"),
            on="session_id",
        )
        .filter(
            # A spawn whose run there is the run taken over started it: no other
            # writer (Z209: "sessions_spawn by another run" beside "no other writer").
            pl.col("arrival_run").ne_missing(pl.col("takeover_run"))
        )
    )
    by_agent = (
        windows.filter(pl.col("agent").is_not_null())
        .join(
            pl.concat(
                [
                    calls.join(targets, on="evidence", how="anti"),
                    points.filter((pl.col("trigger") == "cron") & pl.col("session_id").is_null()),
                ]
            ).rename({"session_id": "_caller_session"}),
            on="agent",
        )
        # A call made on the taken-over session is its own run's (a lease-era
        # takeover names no run): no other run's write into it (Z184).
        .filter(pl.col("_caller_session").ne_missing(pl.col("session_id")))
        .drop("_caller_session")
    )
    overlapping = (pl.col("started") <= pl.col("ts")) & (
        pl.col("alive_until") >= pl.col("window_start")
    )
    second_runs = windows.filter(pl.col("session_id").is_not_null()).join(
        runs.drop("agent").join(waiters, on="run_id", how="anti"),
        on="session_id",
    )
    keep = ("takeover", "trigger", "at", "run_id", "evidence")
    found = pl.concat(
        [
            by_session.filter(in_window)
            .with_columns(
                # The taken-over run's own rewrite: the cause, but no other writer.
                trigger=pl.when(
                    (pl.col("trigger") == "compaction")
                    & (pl.col("run_id") == pl.col("takeover_run")).fill_null(False)
                )
                .then(pl.lit(OWN_COMPACTION))
                .otherwise(pl.col("trigger"))
            )
            .select(*keep),
            by_agent.filter(in_window & other_run)
            .with_columns(
                # Its target is not in view: a candidate of the agent's, not a
                # writer seen on this session (Z158: it had read as one).
                trigger=pl.when(pl.col("trigger").is_in(SPAWNING_TOOLS))
                .then(pl.col("trigger") + UNSEEN_TARGET)
                .otherwise(pl.col("trigger"))
            )
            .select(*keep),
            second_runs.filter(overlapping & other_run & ~taken_over)
            .with_columns(
                trigger=pl.when(pl.col("heartbeat"))
                .then(pl.lit("heartbeat"))
                .otherwise(pl.lit("second_run")),
                at=pl.col("started"),
            )
            .select(*keep),
        ],
        how="diagonal_relaxed",
    ).sort("takeover", "at", "trigger", "evidence")
    counts = found.group_by("takeover").agg(triggers=pl.len().cast(pl.Int64))
    status = (
        windows.join_asof(debug, left_on="ts", right_on="debug_ts", strategy="backward")
        .join(counts, on="takeover", how="left")
        .with_columns(triggers=pl.col("triggers").fill_null(0))
        .with_columns(
            status=pl.when(pl.col("triggers") > 0)
            .then(pl.lit("found"))
            .when(pl.col("debug_ts") >= pl.col("coverage_start"))
            .then(pl.lit("none_found"))
            .otherwise(pl.lit("no_debug_lines"))
        )
        .select("takeover", "ts", "agent", "session_id", "window_start", "triggers", "status")
        .sort("ts", "takeover")
    )
    return status, found
