"""Locks held at collection: the session lock files the bundle holds, and whose.

A ``.jsonl.lock`` copied into the bundle was held when it was collected.  Its
payload names the owner's pid; beside the gateway epochs that pid says what
the lock is: the running gateway's (a run in progress, or stuck in it), a
gateway's that has since ended (left behind by a crash or a kill: stale as
``dead-pid`` at its next acquisition or the next start's sweep), or another
process's.  With its session's incidents, that is what an operator needs
before deleting anything.
"""

from __future__ import annotations

import polars as pl

from lockforensics.correlate.resolution import session_lock_files

#: What the owner pid is, beside the epochs (reports name these).
RUNNING = "running gateway"
ENDED = "ended gateway"
OTHER = "other process"
UNKNOWN = "unknown"


def held_at_collection(
    events: pl.LazyFrame, epoch_table: pl.LazyFrame, clustered: pl.LazyFrame
) -> pl.LazyFrame:
    """Per session lock file: agent, session_id, pid, owner (:data:`RUNNING`,
    :data:`ENDED`, :data:`OTHER` or :data:`UNKNOWN`), created (its ``createdAt``;
    null when invalid), incidents (of its session), source."""
    files = session_lock_files(events)
    known = epoch_table.filter(pl.col("pid").is_not_null())
    running = known.filter(pl.col("end").is_null()).select("pid", _running=pl.lit(True)).unique()
    ended = known.filter(pl.col("end").is_not_null()).select("pid", _ended=pl.lit(True)).unique()
    any_pid = epoch_table.select(_pids=pl.col("pid").drop_nulls().len())
    sessions = (
        clustered.filter(pl.col("incident").is_not_null() & pl.col("session_id").is_not_null())
        .group_by("session_id")
        .agg(incidents=pl.col("incident").unique().sort())
    )
    owner = (
        pl.when(pl.col("_running").fill_null(False))
        .then(pl.lit(RUNNING))
        .when(pl.col("_ended").fill_null(False))
        .then(pl.lit(ENDED))
        .when(pl.col("pid").is_not_null() & (pl.col("_pids") > 0))
        .then(pl.lit(OTHER))
        .otherwise(pl.lit(UNKNOWN))
    )
    return (
        files.join(running, on="pid", how="left")
        .join(ended, on="pid", how="left")
        .join(any_pid, how="cross")
        .join(sessions, on="session_id", how="left")
        .select(
            "agent",
            "session_id",
            "pid",
            owner=owner,
            created=pl.col("created"),
            incidents=pl.col("incidents").fill_null(pl.lit([], dtype=pl.List(pl.Int64))),
            source=pl.col("source"),
        )
        .sort("created", "agent", "session_id", "source", nulls_last=True)
    )
