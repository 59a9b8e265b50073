"""Small expression helpers shared by the correlator stages."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from lockforensics.schema import SORT_KEY


def ordered(frame: pl.LazyFrame) -> pl.LazyFrame:
    """The event table's total order, so "first" inside a group means the earliest line."""
    return frame.sort(list(SORT_KEY), nulls_last=True, maintain_order=True)


def materialized(frame: pl.LazyFrame) -> pl.LazyFrame:
    """``frame`` computed now, to be read lazily by several branches of a plan."""
    return frame.collect().lazy()


def first_value(column: str) -> pl.Expr:
    """The first non-null value of ``column`` within a group."""
    return pl.col(column).drop_nulls().first()


def most_common(
    frame: pl.LazyFrame, by: str, column: str, weight: str | None = None
) -> pl.LazyFrame:
    """Per ``by`` group, the most frequent non-null ``column`` value; ties go to the smallest.

    ``weight``: a column of row counts, for a frame whose rows stand for several.
    """
    return (
        frame.filter(pl.col(column).is_not_null() & pl.col(by).is_not_null())
        .group_by(by, column)
        .agg((pl.len() if weight is None else pl.col(weight).sum()).alias("_n"))
        .sort(by, "_n", column, descending=[False, True, False])
        .group_by(by, maintain_order=True)
        .agg(pl.col(column).first())
    )


def seconds(delta: pl.Expr) -> pl.Expr:
    """A duration as float seconds (µs precision)."""
    return delta.dt.total_microseconds() / 1_000_000


def finest(ts: pl.Expr) -> pl.Expr:
    """The earliest of ``ts``, read from a copy stamped finer than the second when
    one lies within that second: a console or journal copy cut to the second
    would put a start up to a second early (15:14:03 for 15:14:03.512)."""
    earliest = ts.min()
    fine = ts.filter(ts.dt.microsecond() != 0).min()
    close = (fine - earliest) < timedelta(seconds=1)
    return pl.when(close.fill_null(False)).then(fine).otherwise(earliest)
