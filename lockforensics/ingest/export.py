"""Writing the event table: Parquet (with the manifest in its metadata), CSV, NDJSON."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import assert_never

import polars as pl

from lockforensics.errors import OutputError


class TableFormat(StrEnum):
    PARQUET = "parquet"
    CSV = "csv"
    NDJSON = "ndjson"


def write_events(
    events: pl.DataFrame, path: Path, fmt: TableFormat, manifest: list[dict[str, object]]
) -> None:
    try:
        match fmt:
            case TableFormat.PARQUET:
                events.write_parquet(
                    path,
                    metadata={"lockforensics.manifest": json.dumps(manifest, sort_keys=True)},
                )
            case TableFormat.CSV:
                # CSV has no list type: stale reasons become "a, b".
                events.with_columns(pl.col("stale_reasons").list.join(", ")).write_csv(path)
            case TableFormat.NDJSON:
                events.write_ndjson(path)
            case _:
                assert_never(fmt)
    except OSError as exc:
        raise OutputError(f"{path}: {exc.strerror or exc}") from exc
