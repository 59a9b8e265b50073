"""The event table built from the scans' rows: two parts in one total order.

Rows and engine frames become the *detail* part (lock kinds, lifecycle, the
first rows of each high-volume kind, with their text) and the narrow
*activity* part (lockforensics/activity.py), which a busy bundle's scan has
already spilled to disk (lockforensics/spill.py).  The build orders both by
the table's sort key and assigns occurrences over them without ever holding
the activity rows whole: it reads the sort key of every row, then each
kind's rows with only the columns that kind's occurrence rule reads.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from lockforensics.activity import POSITION, conform, split
from lockforensics.ingest import elided, occurrences
from lockforensics.ingest.duplicates import without
from lockforensics.schema import (
    ACTIVITY_SCHEMA,
    COLUMNS,
    EVENT_SCHEMA,
    SORT_KEY,
    events_from_rows,
)
from lockforensics.spill import Parts, Spill, ordered

#: Rows to drop before occurrences are assigned (duplicated evidence), by
#: part (0 detail, 1 activity) and index: duplicates.drop_overlaps.
Prune = Callable[[pl.LazyFrame, pl.LazyFrame], pl.DataFrame]


def build_table(
    rows: list[dict[str, Any]],
    prune: Prune | None = None,
    frames: list[pl.DataFrame] | None = None,
    activity: list[pl.LazyFrame] | None = None,
    spill: Spill | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame | Path]:
    """Rows and engine frames → the event table's two parts (detail, activity),
    each totally ordered, with occurrences.

    High-volume rows past the first ``RAW_SAMPLE`` per input and kind go to
    the narrow activity part; a hash of the message stands in for their text
    as the occurrence key.  With ``spill`` the activity part is written to a
    file there, whose path is returned.
    """
    unknown = {k for row in rows for k in row} - set(COLUMNS)
    if unknown:  # pragma: no cover - a parser bug, caught by tests
        raise AssertionError(f"rows carry columns outside the schema: {sorted(unknown)}")
    parts = [occurrences.keyed(events_from_rows(rows))]
    # Popped, not iterated: the caller's lists let go of each frame as it is
    # conformed, so the engine's frames and the table never all live at once.
    while frames:
        parts.append(conform(frames.pop(), EVENT_SCHEMA))
    detail, moved = split(pl.concat(parts, how="vertical") if len(parts) > 1 else parts[0])
    del parts
    # Before occurrences: a mirror whose path OpenClaw shortened, or the export
    # cut away, is its failure's.
    detail = elided.cut_short(elided.completed(detail))
    narrow = Parts([conform(part, ACTIVITY_SCHEMA) for part in (*(activity or ()), moved.lazy())])
    dropped = prune(detail.lazy(), narrow.lazy()) if prune is not None else None
    gone = pl.Series("_i", [], pl.UInt32)
    if dropped is not None:
        detail = without(detail, dropped, 0)
        gone = dropped.filter(pl.col("_part") == 1).get_column("_i")
    return _in_order(detail, narrow, gone, spill)


def _in_order(
    detail: pl.DataFrame, activity: Parts, gone: pl.Series, spill: Spill | None
) -> tuple[pl.DataFrame, pl.DataFrame | Path]:
    """The two parts (detail, activity less its rows ``gone``) in the one
    table's total order, with occurrence ids assigned over it and each row's
    place in it (activity.POSITION).

    Of the activity rows, the sort key is read whole; the occurrences' columns
    a kind at a time (occurrences.assign_kinds); the ordered part is then
    gathered a window at a time (spill.ordered).  So the table is never
    sorted, or held, as a whole.
    """
    parts = (detail.lazy(), activity.lazy())
    # Inputs by their rank among the paths, not their text: the sort and the
    # occurrence groups then compare integers, and these copies of the
    # table's keys hold no path strings (the same order, the same equalities).
    named = pl.concat([part.select("source") for part in parts]).unique()
    paths = sorted(str(s) for s in named.collect().get_column("source"))
    ranked = pl.col("source").replace_strict(
        {path: rank for rank, path in enumerate(paths)}, return_dtype=pl.UInt32
    )

    def read(part: int, columns: list[str], kinds: list[str] | None = None) -> pl.LazyFrame:
        """``columns`` of a part's rows, or of its rows of some ``kinds`` (typed
        nulls where it lacks one; codes where the activity part stores them),
        with each row's index ``_i``."""
        have = {c: ACTIVITY_SCHEMA.get(c, EVENT_SCHEMA[c]) for c in columns if c in EVENT_SCHEMA}
        index = pl.int_range(pl.len(), dtype=pl.UInt32).alias("_i")
        frame = conform(parts[part], pl.Schema({**have, "kind": pl.String()})).with_columns(index)
        if kinds is not None:
            # Before the source's rank: a filter cannot pass the row index, and
            # ranking every row's path again for each read costs more than it.
            frame = frame.filter(pl.col("kind").is_in(kinds, nulls_equal=True))
        return frame.select(*columns, "_i").with_columns(ranked)

    keys = pl.concat(
        [read(n, list(SORT_KEY)).with_columns(_part=pl.lit(n, pl.UInt8)) for n in (0, 1)]
    )
    if not gone.is_empty():  # a filter copies every row
        keys = keys.filter((pl.col("_part") == 0) | ~pl.col("_i").is_in(gone.implode()))
    both = keys.collect()
    order = both.select(
        pl.arg_sort_by(list(SORT_KEY), nulls_last=True, maintain_order=True).alias(POSITION)
    ).get_column(POSITION)
    ids = both.select("_part", "_i")[order]
    # Each row's place in the order (the inverse permutation), by part and
    # index; a dropped activity row has none.
    rank = order.arg_sort()
    places = [rank.slice(0, detail.height)]
    places.append(
        pl.repeat(None, activity.height, dtype=pl.UInt32, eager=True).scatter(
            both.get_column("_i").slice(detail.height), rank.slice(detail.height)
        )
    )
    del both, order, rank
    kinds = [set(p.select(pl.col("kind").unique()).collect().get_column("kind")) for p in parts]

    def kind_rows(some: list[str], columns: list[str]) -> pl.DataFrame:
        found = []
        for n in (0, 1):
            if kinds[n].intersection(some):
                rows = read(n, [*columns, "kind"], some).collect()
                rank = places[n].gather(rows.get_column("_i")).alias(occurrences.RANK)
                found.append(rows.with_columns(rank).drop_nulls(occurrences.RANK))
        return pl.concat(found).select(*columns, "kind", occurrences.RANK)

    ids = ids.with_columns(
        occurrences.assign_kinds(sorted(kinds[0] | kinds[1], key=str), kind_rows).cast(
            EVENT_SCHEMA["occurrence"]
        ),
        pl.int_range(pl.len(), dtype=pl.UInt32).alias(POSITION),
    )
    mine = ids.filter(pl.col("_part") == 0)
    ordered_detail = (
        _gathered([detail], mine.get_column("_i"))
        .drop(occurrences.MESSAGE_KEY)
        .with_columns(mine.get_column("occurrence"), mine.get_column(POSITION))
    )
    del detail
    theirs = ids.filter(pl.col("_part") == 1).drop("_part")
    return ordered_detail, ordered(activity, theirs, ACTIVITY_SCHEMA, spill)


def _gathered(parts: list[pl.DataFrame], order: pl.Series) -> pl.DataFrame:
    """The first of ``parts`` (popped) in ``order``, a column at a time: each old
    column is freed as its new one is made."""
    part = parts.pop(0)
    columns = []
    for name in part.columns:
        columns.append(part.get_column(name).gather(order))
        part = part.drop(name)
    return pl.DataFrame(columns)
