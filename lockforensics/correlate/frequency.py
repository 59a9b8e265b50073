"""Frequency: failures per day, hour, agent, session (the most hit), session type,
lane, epoch and version, and the rate inside incidents (burst) against the rate
outside them (baseline).

Days and hours are UTC.  A failure's version is its own line's, else the one
its gateway epoch shows; "unknown" when neither says.  Only hours and values
that have failures get a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from lockforensics.schema import EventKind

DIMENSIONS: tuple[str, ...] = (
    "day", "hour", "agent", "session", "session_type", "lane", "epoch", "version",
)  # fmt: skip
#: Dimensions listed by occurrences, most first (ties by name); the others
#: (day, hour, epoch) in their own order.
BY_COUNT = frozenset({"agent", "session", "session_type", "lane", "version"})
#: Sessions listed: the most hit (a herd hits hundreds, each once or twice).
TOP_SESSIONS = 10
UNKNOWN = "unknown"
#: The least log time outside incidents that a baseline rate is given for:
#: one failure in a 3 ms paste is not 1,200,000 an hour.
MIN_BASELINE_HOURS = 1.0


def frequency(clustered: pl.LazyFrame) -> pl.LazyFrame:
    """Long table: ``dimension``, ``value``, counts per kind and ``occurrences``;
    ``host``: a session's, when the failures are on several hosts."""
    base = clustered.with_columns(
        day=pl.col("ts").dt.strftime("%Y-%m-%d"),
        hour=pl.col("ts").dt.strftime("%Y-%m-%dT%H:00Z"),
        session=pl.col("session_id"),
    )
    # A host restored from another's state snapshot has its session ids: with
    # several hosts, a session is one per host (Z187: two hosts' counts summed).
    several = pl.col("gateway_host").drop_nulls().n_unique() > 1
    parts = [
        base.with_columns(
            value=pl.col(dimension).cast(pl.String).fill_null(UNKNOWN),
            # Epoch numbers sort as numbers; days and hours as text.
            order=pl.col(dimension).cast(pl.Int64, strict=False)
            if dimension == "epoch"
            else pl.lit(None, dtype=pl.Int64),
            host=pl.when(several).then(pl.col("gateway_host"))
            if dimension == "session"
            else pl.lit(None, dtype=pl.String),
        )
        .group_by("value", "order", "host")
        .agg(
            lock_stale=(pl.col("kind") == EventKind.LOCK_STALE).sum().cast(pl.Int64),
            lock_timeout=(pl.col("kind") == EventKind.LOCK_TIMEOUT).sum().cast(pl.Int64),
            takeover=(pl.col("kind") == EventKind.TAKEOVER).sum().cast(pl.Int64),
            occurrences=pl.len().cast(pl.Int64),
        )
        .with_columns(
            dimension=pl.lit(dimension),
            rank=pl.lit(rank),
            # The most hit first: with 250 agents, the few that matter were
            # somewhere in an alphabetical list.
            order=-pl.col("occurrences") if dimension in BY_COUNT else pl.col("order"),
        )
        for rank, dimension in enumerate(DIMENSIONS)
    ]
    top = pl.int_range(pl.len()).over("dimension", order_by=["order", "value", "host"])
    return (
        pl.concat(parts, how="diagonal_relaxed")
        # A failure naming no session is no session of its own.
        .filter(~((pl.col("dimension") == "session") & (pl.col("value") == UNKNOWN)))
        .filter((pl.col("dimension") != "session") | (top < TOP_SESSIONS))
        .sort("rank", "order", "value", "host", nulls_last=True)
        .select(
            "dimension", "value", "host", "lock_stale", "lock_timeout", "takeover", "occurrences"
        )
    )


def rates(
    clustered: pl.LazyFrame,
    incident_table: pl.LazyFrame,
    window_start: datetime | None,
    window_end: datetime | None,
    unseen: Sequence[tuple[datetime, datetime]] = (),
) -> pl.LazyFrame:
    """One row: failures per hour inside incidents (burst) and outside them (baseline).

    The hours are the window's less what no log covers inside it (``unseen``:
    the days a folder of daily logs lacks; Z242: two weeks of none had been
    counted as watched, the baseline a quarter low).  A rate is null where its
    span is empty, and the baseline also where the log outside incidents
    covers less than ``MIN_BASELINE_HOURS``.
    """
    span_h = (
        (
            (window_end - window_start).total_seconds()
            - sum(
                max((min(b, window_end) - max(a, window_start)).total_seconds(), 0.0)
                for a, b in unseen
            )
        )
        / 3600
        if window_start is not None and window_end is not None
        else None
    )
    counts = clustered.filter(pl.col("ts").is_not_null()).select(
        in_incidents=pl.col("incident").is_not_null().sum().cast(pl.Int64),
        outside_incidents=pl.col("incident").is_null().sum().cast(pl.Int64),
    )
    hours = incident_table.select(incident_hours=(pl.col("duration_s").sum() / 3600))
    outside_h = pl.lit(span_h, dtype=pl.Float64) - pl.col("incident_hours")
    return pl.concat([counts, hours], how="horizontal").with_columns(
        window_hours=pl.lit(span_h, dtype=pl.Float64),
        burst_per_hour=pl.when(pl.col("incident_hours") > 0).then(
            pl.col("in_incidents") / pl.col("incident_hours")
        ),
        baseline_per_hour=pl.when(outside_h >= MIN_BASELINE_HOURS).then(
            pl.col("outside_incidents") / outside_h
        ),
    )
