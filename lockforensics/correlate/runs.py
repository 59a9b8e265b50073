"""Runs: one row per embedded run, from its attempt, start, timeout and done lines.

Runs are debug-level in OpenClaw, so this table is empty at the default log
level; the stages that use it (resolution, triggers) say so rather than
guess.  Tool calls and compactions name only their run id; this table is how
they are tied to a session.
"""

from __future__ import annotations

import polars as pl

from lockforensics.correlate.frames import finest, first_value, ordered
from lockforensics.schema import EventKind


def runs(events: pl.LazyFrame, in_order: bool = False) -> pl.LazyFrame:
    """Per run id: who ran it, when it started and ended, and whether it succeeded.

    ``in_order``: ``events`` are in the table's total order already (the two
    parts merged), so the run lines are not sorted again: a busy bundle's run
    lines are a fifth of it, and their sorted copy cost more than the merge
    (busy 2 GB: this stage took 240-260 MB with it, 140-160 MB without).
    """
    rows = (events if in_order else ordered(events)).filter(
        (pl.col("kind") == EventKind.RUN) & pl.col("run_id").is_not_null()
    )
    return (
        rows.group_by("run_id")
        .agg(
            run=pl.col("occurrence").first(),
            agent=first_value("agent"),
            # As failures name it (identity), so a run clears the id its key links to.
            session_id=first_value("session"),
            session_key=first_value("session_key"),
            # Its copies cut to the second (`openclaw logs`) are up to a second
            # early (Z181: a run timeout clearing 0.5 s before it came).
            started=finest(pl.col("ts")),
            ended=pl.col("ts").filter(pl.col("phase").is_in(["done", "aborted"])).max(),
            # `done … aborted=true`: ended, but without success (a drain timeout, a stop).
            aborted=(pl.col("phase") == "aborted").any(),
            timed_out=(pl.col("phase") == "timeout").any(),
            timed_out_at=finest(pl.col("ts").filter(pl.col("phase") == "timeout")),
            timeout_ms=pl.col("timeout_ms").filter(pl.col("phase") == "timeout").first(),
            # Started by a heartbeat (`messageChannel=heartbeat`, 40-runs.toml).
            heartbeat=(pl.col("phase") == "heartbeat").any(),
        )
        # Any line naming the run (tool call, compaction, a lock error's
        # errorPreview) shows it still alive then.
        .join(
            events.filter(pl.col("run_id").is_not_null())
            .group_by("run_id")
            .agg(last_seen=pl.col("ts").max()),
            on="run_id",
            how="left",
        )
        .with_columns(
            succeeded=pl.col("ended").is_not_null() & ~pl.col("timed_out") & ~pl.col("aborted")
        )
        .sort("started", "run", nulls_last=True)
    )
