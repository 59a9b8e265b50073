"""Lazy frames that Python makes one batch at a time, for a sink to pull.

A sink over one plan that merges or gathers the whole table held all of it
at once; a source that yields the table a window at a time lets the sink
write each window before the next is made.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Literal

import polars as pl
from polars.io.plugins import register_io_source


def pulled(batches: Callable[[], Iterator[pl.DataFrame]], schema: pl.Schema) -> pl.LazyFrame:
    """The frames ``batches()`` yields (each of ``schema``), as one lazy frame.

    What polars pushes down is honoured: a filter (which polars does not apply
    again), then the columns chosen.  A row limit polars applies itself.
    """

    def source(
        columns: list[str] | None, predicate: pl.Expr | None, _rows: int | None, _size: int | None
    ) -> Iterator[pl.DataFrame]:
        for batch in batches():
            chosen = batch if predicate is None else batch.filter(predicate)
            yield chosen if columns is None else chosen.select(columns)

    return register_io_source(source, schema=schema)


def written(
    frame: pl.DataFrame | pl.LazyFrame, path: Path, compression: Literal["lz4", "zstd"] = "zstd"
) -> None:
    """``frame`` as a Parquet file at ``path``; a lazy one is sunk (pulled a batch
    at a time, never held whole)."""
    if isinstance(frame, pl.LazyFrame):
        frame.sink_parquet(path, compression=compression)
    else:
        frame.write_parquet(path, compression=compression)
