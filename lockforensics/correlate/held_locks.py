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

from datetime import timedelta

import polars as pl

from lockforensics.correlate.failures import OWNER_GONE, STARTING
from lockforensics.correlate.frames import materialized
from lockforensics.correlate.resolution import (
    census_gaps,
    lock_file_removals,
    session_lock_files,
)
from lockforensics.schema import EventKind

#: What the owner pid is, beside the epochs (reports name these).
RUNNING = "running gateway"
ENDED = "ended gateway"
DEAD = "dead process"
OTHER = "other process"
UNKNOWN = "unknown"
NO_PID = "no pid"
#: How much earlier than its lock a failure's stamp may read (to the second).
_SECOND = timedelta(seconds=1)
#: A lock only an ``ls -l`` row shows: its payload, and so its pid, not read.
NOT_READ = "not read"


def held_at_collection(
    events: pl.LazyFrame, epoch_table: pl.LazyFrame, clustered: pl.LazyFrame
) -> pl.LazyFrame:
    """Per session lock file: agent, session_id, pid, owner (:data:`RUNNING`,
    :data:`ENDED`, :data:`DEAD`, :data:`OTHER`, :data:`UNKNOWN`, :data:`NO_PID` or
    :data:`NOT_READ`),
    created (its ``createdAt``; null when invalid), incidents (of its session),
    source.

    An ``ls -l`` listing of a lock the bundle also holds as a file is that
    file, not a second lock.  A pid that ``doctor`` or a stale error calls dead
    (or recycled by another program) is a process that has died, whatever
    program it was."""
    # A lock the bundle shows removed after it was taken was copied before
    # that, and one an earlier census run listed was seen then: neither is
    # known held when the bundle was collected.
    listed = lock_file_removals(session_lock_files(events), events).filter(
        pl.col("removed_at").is_null() & pl.col("seen_at").is_null()
    )
    # Nor is one a later census run no longer lists, created before that run
    # (Z190: a lock `cat` printed at 21:25, after which `ls` found no lock at
    # 21:33, was listed as held at collection).
    gone = (
        listed.select("session_id", "source", "line", "created")
        .join(census_gaps(events).select("session_id", _gap=pl.col("ts")), on="session_id")
        .filter(pl.col("created") <= pl.col("_gap"))
        .select("session_id", "source", "line")
        .unique()
    )
    listed = listed.join(gone, on=["session_id", "source", "line"], how="anti")
    # Made once: read twice below, and each read would scan every row for the
    # lock files again (busy 1 GB, cached: 30 ms).
    files = materialized(
        listed.filter(
            pl.col("pid").is_not_null() | ~pl.col("pid").is_not_null().any().over("session_id")
        )
        .sort("created", "source", nulls_last=True)
        .unique(["session_id", "pid"], keep="first", maintain_order=True)
    )
    said_gone = events.filter(
        pl.col("kind").is_in([EventKind.DOCTOR_LOCK, EventKind.LOCK_STALE])
        & pl.col("session_id").is_not_null()
        & (
            (pl.col("owner_alive") == False)  # noqa: E712 - null is not known dead
            | OWNER_GONE
        )
    )
    gone = (
        said_gone.filter(pl.col("pid").is_not_null())
        .select("session_id", "pid", _gone=pl.lit(True))
        .unique()
    )
    # doctor's structured finding names the path and `dead-pid`, not the pid: the
    # owner its lock file names.
    gone_unnamed = (
        said_gone.filter(pl.col("pid").is_null())
        .select("session_id", _gone_unnamed=pl.lit(True))
        .unique()
    )
    known = epoch_table.filter(pl.col("pid").is_not_null())
    # The running process's start, when known: a lock created before it (less
    # its boot) under its pid was an earlier process's, a container's earlier
    # pid 1 (Z239: a dead container's lock "held by the running gateway").
    running = (
        known.filter(pl.col("end").is_null())
        .group_by("pid")
        .agg(_began=pl.col("process_start").filter(pl.col("process_start_known")).max())
        .with_columns(_running=pl.lit(True))
    )
    ended = known.filter(pl.col("end").is_not_null()).select("pid", _ended=pl.lit(True)).unique()
    any_pid = epoch_table.select(_pids=pl.col("pid").drop_nulls().len())
    # Its session's incidents that failed once it was taken: one over before
    # it was created waited on another lock.
    hits = clustered.filter(
        pl.col("incident").is_not_null() & pl.col("session_id").is_not_null()
    ).select("session_id", "incident", _failed_at=pl.col("ts"))
    sessions = (
        files.select("session_id", "source", "line", "created")
        .join(hits, on="session_id")
        .filter(
            pl.col("created").is_null()
            | pl.col("_failed_at").is_null()
            | (pl.col("_failed_at") >= pl.col("created") - _SECOND)
        )
        .group_by("session_id", "source", "line")
        .agg(incidents=pl.col("incident").unique().sort())
    )
    # A lock copied out of its sessions folder names no agent: its session's
    # failures do, in an incident or not (Z241: a lone pair's lock of no agent).
    agents = (
        clustered.filter(pl.col("session_id").is_not_null() & pl.col("agent").is_not_null())
        .group_by("session_id")
        .agg(_failed_agent=pl.col("agent").sort_by("ts").first())
    )
    earlier = (pl.col("created") < pl.col("_began") - STARTING).fill_null(False)
    owner = (
        pl.when(pl.col("pid").is_null() & pl.col("listed"))
        .then(pl.lit(NOT_READ))
        .when(pl.col("pid").is_null())
        .then(pl.lit(NO_PID))
        .when(pl.col("_running").fill_null(False) & ~earlier)
        .then(pl.lit(RUNNING))
        .when(pl.col("_ended").fill_null(False))
        .then(pl.lit(ENDED))
        .when(
            pl.col("_gone").fill_null(False)
            | pl.col("_gone_unnamed").fill_null(False)
            | (pl.col("_running").fill_null(False) & earlier)
        )
        .then(pl.lit(DEAD))
        .when(pl.col("_pids") > 0)
        .then(pl.lit(OTHER))
        .otherwise(pl.lit(UNKNOWN))
    )
    return (
        files.join(running, on="pid", how="left")
        .join(ended, on="pid", how="left")
        .join(gone, on=["session_id", "pid"], how="left")
        .join(gone_unnamed, on="session_id", how="left")
        .join(any_pid, how="cross")
        .join(sessions, on=["session_id", "source", "line"], how="left")
        .join(agents, on="session_id", how="left")
        .select(
            # A lock copied out of its sessions folder names no agent: its
            # session's failures do.
            agent=pl.coalesce("agent", "_failed_agent"),
            session_id="session_id",
            pid="pid",
            owner=owner,
            created=pl.col("created"),
            incidents=pl.col("incidents").fill_null(pl.lit([], dtype=pl.List(pl.Int64))),
            source=pl.col("source"),
        )
        .sort("created", "agent", "session_id", "source", nulls_last=True)
    )
