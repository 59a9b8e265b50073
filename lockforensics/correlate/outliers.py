"""Stamps far outside the bundle's main span: listed, and kept off every timeline.

A bundle spans hours to weeks.  One line stamped 1970-01-01 (a clock not yet
set at boot) or 9999-12-31 (a corrupt field) would stretch the report's
window, its hourly bins and its charts across centuries.  Such a stamp is
set aside: the row keeps its kind and its raw stamp, loses its instant
(``ts`` becomes null and ``ts_quality`` untimed, as for a line with no
usable stamp), and ``ts_assumption`` says why.  The report lists it with the other warnings.

The main span is the 5th to the 95th percentile of the timed events; a stamp
is far outside it when it lies more than ten times that span, and at least
:data:`MIN_MARGIN`, beyond either end.  Whatever the bundle, a stamp before
2000 or after 2200 is set aside.  A bundle that really covers a year
has a main span of a year, and nothing in it is set aside.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl

from lockforensics.schema import TimeQuality

#: However short the main span, a stamp this close to it is never set aside.
MIN_MARGIN = timedelta(days=30)
_SPREAD = 10
#: Too few timed events to tell a main span from a stray stamp: only the
#: absolute bounds below apply.
MIN_EVENTS = 20
#: No OpenClaw line was written before this or will be after that; outside them a
#: stamp is set aside however few events there are (and no date arithmetic overflows).
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)

UNTIMED = TimeQuality.UNTIMED.value
NOTE = "stamp far outside the bundle's main span; left out of the window, bins and charts"


def bounds(events: pl.LazyFrame) -> pl.LazyFrame:
    """One row: ``low`` and ``high``, the instants outside which a stamp is set aside.

    Never wider than :data:`EARLIEST` → :data:`LATEST`; with too few timed
    events to judge a main span, exactly that.
    """
    ts = pl.col("ts").drop_nulls()
    # The aggregates first, then the arithmetic on their one row: in one select
    # the optimiser broadcast each shared quantile to a column of every row.
    stats = events.select(
        p05=ts.quantile(0.05, "nearest"), p95=ts.quantile(0.95, "nearest"), n=ts.len()
    )
    p05, p95 = pl.col("p05"), pl.col("p95")
    margin = pl.max_horizontal((p95 - p05) * _SPREAD, pl.lit(MIN_MARGIN))
    enough = pl.col("n") >= MIN_EVENTS
    earliest, latest = pl.lit(EARLIEST), pl.lit(LATEST)
    return stats.select(
        low=pl.max_horizontal(pl.when(enough).then(p05 - margin).otherwise(earliest), earliest),
        high=pl.min_horizontal(pl.when(enough).then(p95 + margin).otherwise(latest), latest),
    )


def set_aside(events: pl.LazyFrame, low: datetime | None, high: datetime | None) -> pl.LazyFrame:
    """The table with far-out stamps nulled and noted (``ts_raw`` keeps what was written)."""
    if low is None or high is None:
        return events
    far = (pl.col("ts") < low) | (pl.col("ts") > high)
    return events.with_columns(
        ts=pl.when(far).then(None).otherwise(pl.col("ts")),
        ts_quality=pl.when(far).then(pl.lit(UNTIMED)).otherwise(pl.col("ts_quality")),
        ts_assumption=pl.when(far)
        .then(
            pl.concat_str(pl.col("ts_assumption"), pl.lit(NOTE), separator="; ", ignore_nulls=True)
        )
        .otherwise(pl.col("ts_assumption")),
    )


def far_out(events: pl.LazyFrame, low: datetime | None, high: datetime | None) -> pl.LazyFrame:
    """The rows whose stamps are set aside: source, line, ts, ts_raw (in table order)."""
    if low is None or high is None:
        return events.filter(pl.lit(False)).select("source", "line", "ts", "ts_raw")
    return events.filter((pl.col("ts") < low) | (pl.col("ts") > high)).select(
        "source", "line", "ts", "ts_raw"
    )
