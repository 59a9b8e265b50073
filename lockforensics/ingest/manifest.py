"""The manifest: one row per input, proving what was read and how every line was counted.

Stored with the event table (Parquet metadata ``lockforensics.manifest``) and
printed in the ingest summary.  ``lines = event_lines + noise_lines +
unrecognized`` holds for every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from lockforensics.parsing.filescan import FileScan

ManifestRow = dict[str, object]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value is not None else None


#: An uptime event timed at the process's start (`systemctl status` with no time
#: of its own: ``uptime_ms`` 0): when the process began, not a time the input
#: covers.
AT_START = (pl.col("kind") == "uptime") & (pl.col("uptime_ms") == 0)
#: Events whose time is no time an input covers: an uptime timed at its
#: process's start, a lock file's ``createdAt`` (when a lock was taken: a
#: dead process's may be months old), and a session store entry's session start.
UNCOVERED = (AT_START | pl.col("kind").is_in(["lock_file", "session_store"])).fill_null(False)


def per_source(events: pl.LazyFrame) -> pl.LazyFrame:
    """The table's part of the manifest: events and first and last stamp per input."""
    covered = pl.col("ts").filter(~UNCOVERED)
    return events.group_by("source").agg(
        pl.len().alias("events"), covered.min().alias("lo"), covered.max().alias("hi")
    )


def build_manifest(files: Sequence[FileScan], sources: pl.DataFrame) -> list[ManifestRow]:
    """The manifest of ``files``, given :func:`per_source` of their table."""
    per_source = sources.rows_by_key("source", named=True, unique=True)
    rows: list[ManifestRow] = []
    # By path: the same whichever order a directory walk or an archive listed them.
    for scan in sorted(files, key=lambda f: f.source):
        found = per_source.get(scan.source, {})
        times = [b["ts"] for b in scan.bounds if isinstance(b.get("ts"), datetime)]
        times += [t for t in (found.get("lo"), found.get("hi")) if isinstance(t, datetime)]
        rows.append(
            {
                "path": scan.source,
                "size": scan.size,
                "sha256": scan.sha256,
                "format": scan.envelope,
                "packing": scan.packing or None,
                "compression": scan.compression,
                "first": _iso(min(times)) if times else None,
                "last": _iso(max(times)) if times else None,
                "lines": scan.lines,
                "events": int(found.get("events", 0)),
                "event_lines": scan.event_lines,
                "noise_lines": scan.noise_lines,
                "unrecognized": scan.unrecognized,
                "possibly_relevant": scan.relevant,
                "duplicate_of": scan.duplicate_of,
                "duplicate_rows": scan.duplicate_rows,
                "version": scan.facts.get("version"),
                "host": scan.facts.get("host"),
                "platform": scan.facts.get("platform"),
            }
        )
    return rows
