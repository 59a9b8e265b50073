"""The event table in two parts: detail rows in full, high-volume rows narrow.

A troubled gateway writes run, lane, tool, compaction, fallback and
store-lock lines for every agent nearly every minute: on a busy bundle they
are 99.9 % of the rows.  Held in the full 57-column schema, each costs about
400 bytes, most of it integer columns that are always null for them, so the
table (and every copy a sort or join makes of it) grew with the non-lock
lines.  So the table is kept as two frames of the one schema:

* **detail**: every column (``EVENT_SCHEMA``); lock errors, takeovers,
  lifecycle, documents, lock files, and the first ``RAW_SAMPLE`` rows per
  input and kind of the high-volume kinds, with their text;
* **activity**: the rest of the high-volume rows, in ``ACTIVITY_SCHEMA`` (the
  columns those kinds can fill, no text).

A row goes to the activity part only when every column it drops is null, so
nothing is lost: :func:`whole` is the one table, with the dropped columns null.
The correlator reads :func:`whole` lazily; polars pushes each stage's filter
and column choice into both parts, so no stage copies the whole table.  Each
part is stored in the table's total order with every row's place in it
(``POSITION``), so the one table is a merge of the two, never a sort.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TypeVar

import polars as pl

from lockforensics.batches import pulled
from lockforensics.schema import (
    ACTIVITY_KINDS,
    ACTIVITY_SCHEMA,
    COLUMNS,
    EVENT_SCHEMA,
    RAW_SAMPLE,
    SORT_KEY,
)

#: Text kept only for the sample rows; an activity row drops it (the message
#: hash, occurrences.MESSAGE_KEY, stands in for it).
TEXT_COLUMNS = ("raw", "message")
#: Columns an activity row must have null to be stored narrow.
_DROPPED = tuple(c for c in COLUMNS if c not in ACTIVITY_SCHEMA and c not in TEXT_COLUMNS)
#: Columns outside the schema that travel with rows until occurrences are assigned.
_EXTRA = ("_key",)
#: Either kind of frame: helpers that work the same eagerly and lazily.
FrameT = TypeVar("FrameT", pl.DataFrame, pl.LazyFrame)
#: A stored part's column: each row's place in the one table's total order.
POSITION = "_pos"


def split(
    frame: pl.DataFrame, kept: Counter[str] | None = None
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``frame`` as (detail, activity) rows.

    The first ``RAW_SAMPLE`` high-volume rows per input and kind stay detail,
    and so does any row with a value in a column the activity part lacks.
    ``frame`` is one chunk of one input, in line order, with ``kept`` the rows
    per kind earlier chunks held (updated here); or, with ``kept`` None, rows
    of any inputs, ranked by line.
    """
    kind = pl.col("kind")
    if kept is None:
        rank = pl.int_range(pl.len()).over("source", "kind", order_by=["line", "hit"])
    else:
        offset = kind.replace_strict(
            {k: kept[k] for k in ACTIVITY_KINDS}, default=0, return_dtype=pl.Int64
        )
        rank = pl.int_range(pl.len()).over("kind") + offset
    filled = [pl.col(c).is_not_null() for c in _DROPPED if c in frame.columns]
    narrow = kind.is_in(sorted(ACTIVITY_KINDS)) & (rank >= RAW_SAMPLE)
    if filled:
        narrow = narrow & ~pl.any_horizontal(filled)
    marked = frame.with_columns(_narrow=narrow)
    if kept is not None:
        seen = frame.get_column("kind").value_counts()
        kept.update({str(k): int(n) for k, n in seen.iter_rows() if k in ACTIVITY_KINDS})
    detail = marked.filter(~pl.col("_narrow")).drop("_narrow")
    activity = marked.filter(pl.col("_narrow")).select(
        *[pl.col(c).cast(t) for c, t in ACTIVITY_SCHEMA.items() if c in frame.columns],
        *[c for c in _EXTRA if c in frame.columns],
    )
    return detail, activity


def conform(frame: FrameT, schema: pl.Schema) -> FrameT:
    """``frame`` with exactly ``schema``'s columns (missing ones null) plus the extras it has."""
    have = frame.collect_schema().names()
    columns = [
        pl.col(n).cast(t) if n in have else pl.lit(None, t).alias(n) for n, t in schema.items()
    ]
    return frame.select(*columns, *[c for c in _EXTRA if c in have])


def whole(detail: pl.LazyFrame, activity: pl.LazyFrame, ordered: bool = True) -> pl.LazyFrame:
    """The one event table (every column of ``detail``, in its order), totally ordered.

    Lazy: a consumer's filter and column choice reach both parts before any
    row is copied, and only what survives them is sorted.  ``ordered=False``
    for aggregates that do not need the order (a sort of every row otherwise).
    """
    schema = detail.collect_schema()
    names = [n for n in schema.names() if n != POSITION]
    activity = as_events(activity, schema)
    have = activity.collect_schema().names()
    if ordered and POSITION in schema and POSITION in have:
        # Same columns on both sides (the activity part's missing ones null),
        # then a linear merge on the stored places.
        filled = activity.select(
            [
                pl.col(n) if n in have else pl.lit(None, schema[n]).alias(n)
                for n in (*names, POSITION)
            ]
        )
        merged = pl.merge_sorted([detail.select(*names, POSITION), filled], key=POSITION)
        return merged.drop(POSITION)
    rows = pl.concat([detail, activity], how="diagonal_relaxed").select(names)
    return rows.sort(list(SORT_KEY), nulls_last=True, maintain_order=True) if ordered else rows


#: Places of the total order a windowed sink (:func:`in_windows`) merges at a time.
WINDOW_ROWS = 1 << 16


def in_windows(detail: pl.DataFrame, activity: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`whole`, ordered, handed to a sink one window of places at a time.

    A sink of the one merge held every row of the table at once, every column
    filled (busy 1 GB: 650 MB more).  A lazy concat of per-window merges held
    nearly as much, growing with the table: polars does not push a window's
    slice into the Parquet scan beneath a merge, so every window decoded the
    whole activity part (a cached ``ingest -o`` of busy 2 GB: 850-860 MB).
    Here each window reads its own slice of the activity part first and is
    merged and collected on its own, as one batch the sink pulls
    (lockforensics/batches.py): about one window is held at a time (busy 1
    and 2 GB: 320-370 MB, the same time).
    """
    places = (
        detail.get_column(POSITION),
        activity.select(POSITION).collect().get_column(POSITION),
    )
    total = len(places[0]) + len(places[1])

    def windows() -> Iterator[pl.DataFrame]:
        # An empty table still yields one (empty) window: the sink needs a batch.
        for low in range(0, max(total, 1), WINDOW_ROWS):
            (d0, d1), (a0, a1) = (
                (p.search_sorted(low), p.search_sorted(low + WINDOW_ROWS)) for p in places
            )
            rows = activity.slice(a0, a1 - a0).collect().lazy()
            yield whole(detail.slice(d0, d1 - d0).lazy(), rows).collect()

    return pulled(windows, whole(detail.clear().lazy(), activity.clear()).collect_schema())


def as_events(activity: pl.LazyFrame, schema: pl.Schema = EVENT_SCHEMA) -> pl.LazyFrame:
    """The activity part with the event table's types (its categoricals as strings),
    lazily: a consumer's filter runs first, so only the rows it keeps are decoded."""
    coded = [
        pl.col(n).cast(schema[n])
        for n, dtype in activity.collect_schema().items()
        if n in schema and dtype != schema[n]
    ]
    return activity.with_columns(coded) if coded else activity


def empty_activity() -> pl.DataFrame:
    return pl.DataFrame(schema=ACTIVITY_SCHEMA)
