"""Where a host's logs end while its failures were still coming.

A bundle collected in the middle of a burst (a journal exported while the
gateway still failed) ends inside an incident: failures after its host's last
log line are unseen.  A command's output copied later, a cron's `sessions
cleanup` log, goes on past that line, but it shows that the CLI ran, not what
the gateway did after its logs end.  So an incident whose last failure lies
within ``--gap`` of its host's logs' end may have gone on (its end is a lower
bound).  What cleared it after that end still did (a cron's cleanup: the
bundle's ground truth has one run minutes after its logs end clear its
burst), but that the failures stopped before it is not in view (Z210:
"cleared by a cleanup 16 min later", the burst still failing when the
journal was taken).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl


def open_at_end(failure_table: pl.LazyFrame, logs_end: pl.LazyFrame, gap_s: float) -> pl.LazyFrame:
    """Per host (``host``, null: unknown) whose last failure lies within the gap of
    its logs' end: ``logs_end``.  ``logs_end``: Coverage.logs_end."""
    last = (
        failure_table.filter(pl.col("ts").is_not_null())
        .group_by(host=pl.col("gateway_host"))
        .agg(_last=pl.col("ts").max())
    )
    within = pl.col("logs_end") - pl.col("_last")
    return (
        logs_end.filter(pl.col("logs_end").is_not_null())
        .join(last, on="host", nulls_equal=True)
        .filter(within.is_between(timedelta(0), timedelta(seconds=gap_s)))
        .select("host", "logs_end")
    )


def incidents_open(table: pl.LazyFrame, ends: pl.LazyFrame, gap_s: float) -> pl.LazyFrame:
    """``end_is_lower_bound``: an incident whose host's logs end within the gap of
    its last failure (:func:`open_at_end`), nothing in them clearing it (it is
    unresolved, or what cleared it came after them): its failures may have gone
    on, unseen; ``logs_end``, that end."""
    unseen = pl.col("resolved_at").is_null() | (pl.col("resolved_at") > pl.col("_ends"))
    cut = ((pl.col("_ends") - pl.col("end") <= timedelta(seconds=gap_s)) & unseen).fill_null(False)
    return (
        table.join(
            ends.rename({"logs_end": "_ends"}),
            on="host",
            how="left",
            nulls_equal=True,
            maintain_order="left",
        )
        .with_columns(end_is_lower_bound=cut, logs_end=pl.when(cut).then("_ends"))
        .drop("_ends")
    )
