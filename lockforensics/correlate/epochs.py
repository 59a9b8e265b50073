"""Gateway epochs: one row per gateway process lifetime, and each event's place in one.

An epoch is one gateway process, or one lifecycle of a process that restarted
in place.  Epochs are cut at:

* a restart (``received SIGUSR1; restarting`` … ``restart mode: …``): the old
  epoch ends at the restart's last line.  A full restart's successor has the
  spawned pid; an in-process restart keeps the pid.  A start logged right
  after a restart is the successor's boot, not another epoch;
* a start (``listening on … (PID n)``, ``ready``, systemd ``Started``) that no
  restart announced;
* a change of the pid lines are written by (journald ``node[PID]``) that no
  start or restart explains;
* a stop (``received SIGTERM; shutting down``, systemd ``Stopped``) ends an
  epoch and opens none.

An epoch's start is, in order of preference: its ``listening``/``ready`` line;
the restart that spawned it; uptime evidence (``uptime`` events: process start
= ts - uptime_ms; the earliest claim wins); or else its first line, in which
case every uptime in it is only a lower bound (``start_known`` false).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from lockforensics.correlate.frames import first_value, most_common, ordered
from lockforensics.schema import EPOCH_COLUMNS, EventKind

LIFECYCLE = (EventKind.GATEWAY_START, EventKind.GATEWAY_RESTART, EventKind.GATEWAY_STOP)
START_PHASES = ("listening", "ready")
# `config change requires gateway restart` asks for a restart; it is not one.
NOT_A_TRANSITION = ("reload",)
RESTARTS = ("restart", "in_process_restart")
CLOSERS = (*RESTARTS, "stop")
# The successor of a restart owns the lines after the restart's last line.
_TICK = timedelta(microseconds=1)
# Stands in for "before the bundle starts" in the as-of join of events to epochs.
_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)


def transitions(events: pl.LazyFrame) -> pl.LazyFrame:
    """One row per gateway start, restart or stop occurrence, in time order."""
    life = ordered(events).filter(
        pl.col("kind").is_in(list(LIFECYCLE))
        & pl.col("ts").is_not_null()
        & ~pl.col("phase").is_in(NOT_A_TRANSITION).fill_null(False)
    )
    at_start_line = pl.col("phase").is_in(START_PHASES)
    rows = life.group_by("occurrence").agg(
        kind=pl.col("kind").first(),
        in_process=(pl.col("phase") == "in_process").any(),
        first=pl.col("ts").min(),
        last=pl.col("ts").max(),
        start_line=pl.col("ts").filter(at_start_line).min(),
        start_pid=pl.col("gateway_pid").filter(at_start_line).drop_nulls().first(),
        line_pid=first_value("gateway_pid"),
        spawned_pid=first_value("spawned_pid"),
    )
    how = (
        pl.when(pl.col("kind") == EventKind.GATEWAY_START)
        .then(pl.lit("start"))
        .when(pl.col("kind") == EventKind.GATEWAY_STOP)
        .then(pl.lit("stop"))
        .when(pl.col("in_process"))
        .then(pl.lit("in_process_restart"))
        .otherwise(pl.lit("restart"))
    )
    opener_pid = (
        pl.when(pl.col("how") == "start")
        .then(pl.coalesce("start_pid", "line_pid"))
        .when(pl.col("how") == "restart")
        .then(pl.col("spawned_pid"))
        .when(pl.col("how") == "in_process_restart")
        .then(pl.col("line_pid"))
    )
    return (
        rows.with_columns(how=how)
        .with_columns(opener_pid=opener_pid)
        .select("occurrence", "how", "first", "last", "start_line", "opener_pid")
        .sort("first", "occurrence")
    )


def _openers(events: pl.LazyFrame, moves: pl.LazyFrame) -> pl.LazyFrame:
    """Rows that open an epoch, each with the instant its lines begin (``opened_at``)."""
    moves = moves.with_columns(
        next_how=pl.col("how").shift(-1),
        next_start_line=pl.col("start_line").shift(-1),
        next_pid=pl.col("opener_pid").shift(-1),
        next_occurrence=pl.col("occurrence").shift(-1),
        merged=(pl.col("how") == "start") & pl.col("how").shift(1).is_in(RESTARTS).fill_null(False),
    )
    # A restart followed by a start: the start is the successor's boot, so its
    # listening line is the successor's start and its pid the successor's pid.
    boots = pl.col("how").is_in(RESTARTS) & (pl.col("next_how") == "start")
    lifecycle = moves.filter(pl.col("how").is_in(RESTARTS) | (pl.col("how") == "start")).filter(
        ~pl.col("merged")
    )
    lifecycle = lifecycle.select(
        opened_at=pl.when(pl.col("how") == "start")
        .then(pl.col("first"))
        .otherwise(pl.col("last") + _TICK),
        opened_by=pl.col("how"),
        opener_pid=pl.when(boots)
        .then(pl.coalesce("next_pid", "opener_pid"))
        .otherwise(pl.col("opener_pid")),
        start_line=pl.when(boots).then(pl.col("next_start_line")).otherwise(pl.col("start_line")),
        restart_line=pl.when(pl.col("how").is_in(RESTARTS)).then(pl.col("last")),
        start_occurrence=pl.when(boots)
        .then(pl.col("next_occurrence"))
        .when(pl.col("how") == "start")
        .then(pl.col("occurrence")),
    )
    changes = _pid_changes(events, lifecycle.select("opened_at"))
    return pl.concat([lifecycle, changes], how="diagonal_relaxed").sort("opened_at", "opened_by")


def _pid_changes(events: pl.LazyFrame, opened: pl.LazyFrame) -> pl.LazyFrame:
    """Where the writing pid changes with no start or restart in between."""
    explicit = (
        ordered(events)
        .filter(
            pl.col("gateway_pid").is_not_null()
            & pl.col("ts").is_not_null()
            # That line names the gateway already running, not its own writer.
            & (pl.col("kind") != EventKind.GATEWAY_START_FAILED)
        )
        .select("ts", "gateway_pid")
        .with_columns(prev_ts=pl.col("ts").shift(1), prev_pid=pl.col("gateway_pid").shift(1))
        .filter(pl.col("prev_pid").is_not_null() & (pl.col("gateway_pid") != pl.col("prev_pid")))
    )
    explained_by = explicit.join_asof(
        opened.sort("opened_at"), left_on="ts", right_on="opened_at", strategy="backward"
    )
    return explained_by.filter(
        pl.col("opened_at").is_null() | (pl.col("opened_at") <= pl.col("prev_ts"))
    ).select(
        opened_at=pl.col("ts"),
        opened_by=pl.lit("pid_change"),
        opener_pid=pl.col("gateway_pid"),
    )


def _keyed(timed: pl.LazyFrame, openers: pl.LazyFrame, on: str) -> pl.LazyFrame:
    """Attach the key of the epoch each row's ``on`` instant falls in (0 = before any opener)."""
    keys = openers.select("opened_at", "epoch_key").sort("opened_at")
    return (
        timed.sort(on)
        .join_asof(keys, left_on=on, right_on="opened_at", strategy="backward")
        .with_columns(pl.col("epoch_key").fill_null(0))
        .drop("opened_at")
    )


def epochs(events: pl.LazyFrame) -> pl.LazyFrame:
    """The gateway epochs the events show, numbered from 1 in time order.

    ``opened_by``: before_bundle, start, restart, in_process_restart or
    pid_change.  ``ended_by``: restart, in_process_restart, stop, unlogged (the
    next epoch began with no end logged), or null (running when the bundle ends).
    ``start_source``: start_line, restart, uptime or first_line.
    """
    # Each of these is read several times below; `cache` has the engine compute
    # it once (its common-subplan elimination misses reuse this deep).
    moves = transitions(events).cache()
    openers = _openers(events, moves).with_columns(epoch_key=pl.int_range(1, pl.len() + 1)).cache()
    timed = _keyed(ordered(events).filter(pl.col("ts").is_not_null()), openers, "ts").cache()
    stats = timed.group_by("epoch_key").agg(
        first_line=pl.col("ts").min(),
        last_line=pl.col("ts").max(),
        events=pl.len().cast(pl.Int64),
    )
    # The pid most of an epoch's lines were written by, when its opener names none.
    writers = timed.filter(pl.col("kind") != EventKind.GATEWAY_START_FAILED)
    line_pid = most_common(writers, "epoch_key", "gateway_pid")
    version = most_common(timed, "epoch_key", "version")
    host = most_common(timed, "epoch_key", "host")
    closers = (
        _keyed(moves.filter(pl.col("how").is_in(CLOSERS)), openers, "first")
        .sort("first", "occurrence")
        .group_by("epoch_key", maintain_order=True)
        .agg(
            end=pl.col("last").first(),
            ended_by=pl.col("how").first(),
            end_occurrence=pl.col("occurrence").first(),
        )
    )
    # Epoch 0 holds the lines before the first opener: a process already running.
    before = stats.filter(pl.col("epoch_key") == 0).select(
        "epoch_key", opened_by=pl.lit("before_bundle")
    )
    table = (
        pl.concat([before, openers], how="diagonal_relaxed")
        .join(stats, on="epoch_key", how="left")
        .join(line_pid, on="epoch_key", how="left")
        .join(version, on="epoch_key", how="left")
        .join(host, on="epoch_key", how="left")
        .join(closers, on="epoch_key", how="left")
        .with_columns(pid=pl.coalesce("opener_pid", "gateway_pid"))
        .cache()
    )
    evidence = (
        timed.filter((pl.col("kind") == EventKind.UPTIME) & pl.col("uptime_ms").is_not_null())
        .join(table.select("epoch_key", "pid"), on="epoch_key", how="left")
        # Evidence that names another process says nothing about this one.
        .filter(pl.col("gateway_pid").is_null() | (pl.col("gateway_pid") == pl.col("pid")))
        .group_by("epoch_key")
        .agg(uptime_start=(pl.col("ts") - pl.duration(milliseconds=pl.col("uptime_ms"))).min())
    )
    last_key = pl.col("epoch_key").max()
    start_source = (
        pl.when(pl.col("start_line").is_not_null())
        .then(pl.lit("start_line"))
        .when(pl.col("restart_line").is_not_null())
        .then(pl.lit("restart"))
        .when(pl.col("uptime_start").is_not_null())
        .then(pl.lit("uptime"))
        .otherwise(pl.lit("first_line"))
    )
    return (
        table.join(evidence, on="epoch_key", how="left")
        .with_columns(
            start=pl.coalesce("start_line", "restart_line", "uptime_start", "first_line"),
            start_source=start_source,
            # No logged end: the process went away unseen (crash, kill, lost lines)
            # unless it is the last epoch, which was running when the bundle ends.
            ended_by=pl.when(pl.col("ended_by").is_null() & (pl.col("epoch_key") != last_key))
            .then(pl.lit("unlogged"))
            .otherwise(pl.col("ended_by")),
        )
        .with_columns(
            start_known=pl.col("start_source") != "first_line",
            end=pl.when(pl.col("ended_by") == "unlogged")
            .then(pl.col("last_line"))
            .otherwise(pl.col("end")),
            end_known=pl.col("ended_by").is_in(CLOSERS).fill_null(False),
            events=pl.col("events").fill_null(0),
        )
        .sort("epoch_key")
        .select(
            epoch=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
            pid=pl.col("pid"),
            opened_at=pl.col("opened_at"),
            opened_by=pl.col("opened_by"),
            start=pl.col("start"),
            start_source=pl.col("start_source"),
            start_known=pl.col("start_known"),
            end=pl.col("end"),
            end_known=pl.col("end_known"),
            ended_by=pl.col("ended_by"),
            first_line=pl.col("first_line"),
            last_line=pl.col("last_line"),
            events=pl.col("events"),
            version=pl.col("version"),
            host=pl.col("host"),
            start_occurrence=pl.col("start_occurrence"),
            end_occurrence=pl.col("end_occurrence"),
        )
    )


def annotate(events: pl.LazyFrame, epoch_table: pl.LazyFrame) -> pl.LazyFrame:
    """Give every event its ``epoch``, ``gateway_pid``, ``uptime_s`` and lower-bound flag.

    ``gateway_pid`` keeps what the line itself says and otherwise takes the
    epoch's pid.  Lines after an epoch's logged stop or restart belong to no
    running gateway: they keep their epoch but get no uptime.
    """
    right = epoch_table.select(
        opened_at=pl.col("opened_at").fill_null(_EARLIEST),
        epoch=pl.col("epoch"),
        epoch_pid=pl.col("pid"),
        epoch_start=pl.col("start"),
        epoch_start_known=pl.col("start_known"),
        epoch_end=pl.col("end"),
        epoch_end_known=pl.col("end_known"),
    ).sort("opened_at")
    timed = (
        ordered(events)
        .filter(pl.col("ts").is_not_null())
        .join_asof(right, left_on="ts", right_on="opened_at", strategy="backward")
    )
    gone = (pl.col("epoch_end_known") & (pl.col("ts") > pl.col("epoch_end"))).fill_null(False)
    uptime = (pl.col("ts") - pl.col("epoch_start")).dt.total_seconds().clip(lower_bound=0)
    timed = timed.with_columns(
        gateway_pid=pl.when(gone)
        .then(pl.col("gateway_pid"))
        .otherwise(pl.coalesce("gateway_pid", "epoch_pid")),
        uptime_s=pl.when(gone).then(None).otherwise(uptime).cast(pl.Int64),
        uptime_is_lower_bound=pl.when(gone).then(None).otherwise(~pl.col("epoch_start_known")),
    ).drop(
        "opened_at",
        "epoch_pid",
        "epoch_start",
        "epoch_start_known",
        "epoch_end",
        "epoch_end_known",
    )
    untimed = ordered(events).filter(pl.col("ts").is_null())
    return ordered(pl.concat([timed, untimed], how="diagonal_relaxed")).with_columns(
        pl.col(name).cast(dtype) for name, dtype in EPOCH_COLUMNS.items()
    )
