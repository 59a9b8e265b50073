"""Where a host's evidence begins in the middle of a gateway's life.

A bundle of ``tail -n 400`` captures begins inside a process's life (its
first epoch opened before the bundle), and may begin inside a burst: what came
before the first line is unseen.  So an incident whose first failure lies
within ``--gap`` of its host's first line may have begun earlier (its start is
an upper bound, its duration a lower one), and a takeover with no lock error
before it whose look-back window reaches before that line may have had one
there: its precursor is unknown, not absent.  A host whose logs begin with a
start line shows the process from its beginning, and none of this applies.
So does a hole in a host's daily file logs after which another process ran
(an epoch opened by ``log_gap``, correlate/epochs.py): its evidence begins
again at that epoch's first line.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from lockforensics.correlate.epochs import LOG_GAP

_TIMELINE = "_timeline"


def host_starts(epochs: pl.LazyFrame) -> pl.LazyFrame:
    """Per host (``_timeline``, "" when unknown), each ``evidence_start`` in the
    middle of a gateway's life: the first line of its evidence, for the hosts
    whose first process was already running there, and the first line after
    each hole in its logs that another process ran after."""
    timeline = pl.col("host").fill_null("").alias(_TIMELINE)
    first = (
        epochs.sort("first_line", nulls_last=True)
        .group_by(timeline)
        .agg(
            evidence_start=pl.col("first_line").first(),
            before=pl.col("opened_by").first() == "before_bundle",
        )
        .filter(pl.col("before"))
        .drop("before")
    )
    after_holes = epochs.filter(pl.col("opened_by") == LOG_GAP).select(
        timeline, evidence_start=pl.col("first_line")
    )
    return (
        pl.concat([first, after_holes])
        .filter(pl.col("evidence_start").is_not_null())
        .sort("evidence_start")
    )


def _latest_start(table: pl.LazyFrame, on: str, starts: pl.LazyFrame) -> pl.LazyFrame:
    """``table`` with ``evidence_start``: its timeline's latest at or before ``on``."""
    return (
        table.with_row_index("_row")
        .sort(on, nulls_last=True)
        .join_asof(
            starts.sort("evidence_start"),
            left_on=on,
            right_on="evidence_start",
            by=_TIMELINE,
            strategy="backward",
            check_sortedness=False,
        )
        .sort("_row")
        .drop("_row")
    )


def incidents_cut(table: pl.LazyFrame, starts: pl.LazyFrame, gap_s: float) -> pl.LazyFrame:
    """``start_is_upper_bound``: the incident's first failure lies within the gap
    of its host's evidence start, so failures before it may have been unseen."""
    gap = timedelta(seconds=gap_s)
    return (
        table.with_columns(pl.col("host").fill_null("").alias(_TIMELINE))
        .pipe(_latest_start, "start", starts)
        .with_columns(
            start_is_upper_bound=((pl.col("start") - pl.col("evidence_start")) <= gap).fill_null(
                False
            )
        )
        .drop(_TIMELINE, "evidence_start")
    )


def precursors_unseen(
    pair_table: pl.LazyFrame, failures: pl.LazyFrame, starts: pl.LazyFrame, window_s: float
) -> pl.LazyFrame:
    """``precursor_unknown``: a takeover with no precursor whose window reaches
    before its host's evidence start (its lock error may lie before the logs)."""
    window = timedelta(seconds=window_s)
    hosts = failures.select(
        takeover=pl.col("occurrence"), _timeline=pl.col("gateway_host").fill_null("")
    )
    return (
        pair_table.join(hosts, on="takeover", how="left", maintain_order="left")
        .with_columns(pl.col(_TIMELINE).fill_null(""))
        .pipe(_latest_start, "ts", starts)
        .with_columns(
            precursor_unknown=(
                pl.col("precursor").is_null() & ((pl.col("ts") - window) < pl.col("evidence_start"))
            ).fill_null(False)
        )
        .drop(_TIMELINE, "evidence_start")
    )


def lone_at_edges(
    failures: pl.LazyFrame, starts: pl.LazyFrame, logs_end: pl.LazyFrame, gap_s: float
) -> pl.LazyFrame:
    """One row, ``background_at_edges``: the background failures (in no incident)
    within the gap after their host's evidence starts (:func:`host_starts`) or
    before its logs end (``logs_end``: Coverage.logs_end): whether each was alone
    is unknown, the failures beside it may lie beyond the logs (Z241: a takeover
    a tail began two minutes before, called background, its lock error cut off)."""
    gap = timedelta(seconds=gap_s)
    lone = failures.filter(pl.col("incident").is_null() & pl.col("ts").is_not_null()).select(
        "ts", pl.col("gateway_host").fill_null("").alias(_TIMELINE)
    )
    ends = logs_end.select(pl.col("host").fill_null("").alias(_TIMELINE), "logs_end")
    return (
        lone.pipe(_latest_start, "ts", starts)
        .join(ends, on=_TIMELINE, how="left")
        .select(
            background_at_edges=(
                ((pl.col("ts") - pl.col("evidence_start")) <= gap)
                | ((pl.col("logs_end") - pl.col("ts")).is_between(timedelta(0), gap))
            )
            .fill_null(False)
            .sum()
            .cast(pl.Int64)
        )
    )
