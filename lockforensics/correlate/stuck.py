"""Stuck but alive: sessions whose lock error names a live owner.

A lock error whose owner pid is the gateway epoch's own pid, or that says
``alive=true``, means the process holding the session's lock was still
running: the session was stuck inside a live gateway rather than orphaned by
a dead one.  Reported per host, agent, session and gateway process (epoch):
hosts restored from one state snapshot share session ids, and each stuck
inside its own gateway; a container restarted after an OOM kill runs as pid 1
again, a new process whose lock the old one's death released.
"""

from __future__ import annotations

import polars as pl

from lockforensics.correlate.failures import LOCK_ERRORS


def stuck_alive(clustered: pl.LazyFrame) -> pl.LazyFrame:
    """Per (host, agent, session, epoch): lock errors with a live owner, when, and whose."""
    # The gateway's own pid, unless the lock predates the process (a container's
    # earlier pid 1: failures.with_earlier_owners).
    own = (pl.col("pid") == pl.col("gateway_pid")) & ~pl.col("owner_before_process")
    return (
        clustered.filter(
            pl.col("kind").is_in(LOCK_ERRORS)
            & (own.fill_null(False) | pl.col("owner_alive").fill_null(False))
        )
        .with_columns(
            # A failure naming no host is its epoch's (incidents.cluster).
            host=pl.coalesce("gateway_host", "host"),
            owner=pl.when(own.fill_null(False))
            .then(pl.lit("gateway"))
            # With the gateway's pid unknown, a live owner may be the gateway itself.
            .when(pl.col("gateway_pid").is_null())
            .then(pl.lit("live process, gateway pid unknown"))
            .otherwise(pl.lit("other live process")),
        )
        .sort("ts", "occurrence", nulls_last=True)
        .group_by("host", "agent", "session_id", "epoch", maintain_order=True)
        .agg(
            lock_errors=pl.len().cast(pl.Int64),
            first=pl.col("ts").min(),
            last=pl.col("ts").max(),
            owner_pids=pl.col("pid").drop_nulls().unique().sort(),
            gateway_pids=pl.col("gateway_pid").drop_nulls().unique().sort(),
            owners=pl.col("owner").unique().sort(),
            incidents=pl.col("incident").drop_nulls().unique().sort(),
        )
        .sort("first", "host", "agent", "session_id", "epoch", nulls_last=True)
    )
