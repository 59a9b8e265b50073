"""Writing the event table: Parquet (with the manifest in its metadata), CSV, NDJSON.

Every format is written through :func:`lockforensics.outputs.atomic_path`: the
target is replaced only once the whole table is on disk.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import assert_never

import polars as pl

from lockforensics.outputs import atomic_path


class TableFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"
    NDJSON = "ndjson"


def write_events(
    events: pl.LazyFrame, path: Path, fmt: TableFormat, manifest: list[dict[str, object]]
) -> None:
    """Stream the table (lazy: its two parts, lockforensics/activity.py) to ``path``."""
    with atomic_path(path) as temp:
        _write(events, temp, fmt, manifest)


def _write(
    events: pl.LazyFrame, path: Path, fmt: TableFormat, manifest: list[dict[str, object]]
) -> None:
    match fmt:
        case TableFormat.PARQUET:
            events.sink_parquet(
                path,
                metadata={"lockforensics.manifest": json.dumps(manifest, sort_keys=True)},
            )
        case TableFormat.CSV:
            # CSV has no list type: stale reasons become "a, b".
            events.with_columns(pl.col("stale_reasons").list.join(", ")).sink_csv(
                path, check_extension=False
            )
        case TableFormat.NDJSON:
            events.sink_ndjson(path, check_extension=False)
        case _:
            assert_never(fmt)
