"""The host of a line that names none, in an input whose lines name several.

An input naming one host gives it to all its lines later, per input
(correlate/epochs.fallback_hosts).  One naming several is a paste: a ticket
whose comments quote two hosts' journals, each followed by its file-log
records (which name no host), its `openclaw logs` copies, its `systemctl
status`.  There the input's most common host put one host's file-log copies
on the other's timeline, as a gateway of no pid.  A pasted block belongs with
the lines around it: a line naming no host takes the host of the nearest line
above that names one, else of the nearest below.

High-volume activity rows (lockforensics/activity.py, maybe waiting on disk)
are given theirs lazily, by the marks the other rows set: they feed per-host
rates and the hosts' last lines.

An input naming no host at all whose copies of another input's lines name one
(ingest/duplicates.py) is that host's: :func:`copied_hosts`.
"""

from __future__ import annotations

import bisect
from typing import Any

import polars as pl

from lockforensics.parsing.filescan import FileScan


def nearest_hosts(scans: list[FileScan]) -> None:
    """Give each hostless row of a several-host input its nearest line's host."""
    for scan in scans:
        _fill(scan)


def _fill(scan: FileScan) -> None:
    frames = [f for f in scan.frames if _hosted(f)]
    hostless = any(r.get("host") is None for r in scan.rows) or any(
        f.get_column("host").null_count() for f in frames
    )
    if not hostless:
        return
    named = pl.concat(
        [
            pl.DataFrame(
                [(r["line"], r["host"]) for r in scan.rows if _placed(r)],
                schema={"line": pl.Int64, "host": pl.String},
                orient="row",
            ),
            *(f.select(pl.col("line").cast(pl.Int64), "host").drop_nulls() for f in frames),
        ]
    )
    if named.get_column("host").n_unique() < 2:
        return
    marks = named.sort("line").unique("line", keep="first", maintain_order=True)
    lines: list[int] = marks.get_column("line").to_list()
    hosts: list[str] = marks.get_column("host").to_list()
    for row in scan.rows:
        if row.get("host") is None and isinstance(row.get("line"), int):
            row["host"] = hosts[max(bisect.bisect_right(lines, row["line"]) - 1, 0)]
    marks = marks.rename({"host": "_near"})
    scan.frames = [_near(f.lazy(), marks).collect() if _hosted(f) else f for f in scan.frames]
    scan.activity = [_near(f, marks) for f in scan.activity]


def _hosted(frame: pl.DataFrame) -> bool:
    return "host" in frame.columns and "line" in frame.columns


def _placed(row: dict[str, Any]) -> bool:
    return row.get("host") is not None and isinstance(row.get("line"), int)


def _near(frame: pl.LazyFrame, marks: pl.DataFrame) -> pl.LazyFrame:
    """``frame`` with each null host the nearest mark's above, else below."""
    columns = frame.collect_schema().names()
    keyed = frame.with_row_index("_at").with_columns(_line=pl.col("line").cast(pl.Int64))
    above = keyed.sort("_line").join_asof(
        marks.lazy(), left_on="_line", right_on="line", strategy="backward", suffix="_mark"
    )
    first = marks.get_column("_near")[0]
    filled = above.with_columns(host=pl.coalesce("host", "_near", pl.lit(first))).sort("_at")
    return filled.select(columns)


def copied_hosts(detail: pl.DataFrame, scans: list[FileScan]) -> pl.DataFrame:
    """The detail rows of an input naming no host, given the one host its copies
    of another input's lines name (FileScan.copied_host): a row naming it is
    enough for the input to take it (epochs.fallback_hosts)."""
    copied = {s.source: s.copied_host for s in scans if s.copied_host is not None}
    if not copied:
        return detail
    given = pl.col("source").replace_strict(copied, default=None, return_dtype=pl.String)
    return detail.with_columns(pl.coalesce("host", given).alias("host"))
