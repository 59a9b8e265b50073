"""The one place that runs the stages and collects: inputs → scans → event table.

Pass 1 scans every input independently: loose files in parallel, members
of archives one after the other as the walk streams past them.  Pass 2
decides what the bundle says about time (the zone other files show, the
dominant year) and gives zone-less stamps their UTC instant, recording the
assumption.  Inputs the bundle holds twice are counted once, export-wide
facts (version) reach every row of the export, then the rows become one
frame in the table's total order, and occurrences are assigned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from lockforensics import occurrences
from lockforensics.bundle import Input, walk
from lockforensics.containers import Limits
from lockforensics.duplicates import drop_overlaps, drop_same_files
from lockforensics.errors import DataError
from lockforensics.facts import apply_facts
from lockforensics.manifest import ManifestRow, build_manifest
from lockforensics.parsing.scan import FileScan, Scanner
from lockforensics.parsing.timestamps import (
    ZoneChoice,
    to_utc,
    zone_from_offset,
    zone_from_option,
)
from lockforensics.schema import COLUMNS, EVENT_SCHEMA, SORT_KEY, events_from_rows

_T = TypeVar("_T", int, str)
ProgressFactory = Callable[[int], Callable[[int], None]]


@dataclass(slots=True)
class Ingest:
    """Everything ingest learned: the event table plus the accounting behind it."""

    events: pl.DataFrame
    files: list[FileScan]
    warnings: list[str] = field(default_factory=list)
    zone: ZoneChoice | None = None

    def occurrence_counts(self) -> dict[str, int]:
        """Occurrences per kind (and, beside them, the raw line counts)."""
        frame = self.events.group_by("kind").agg(pl.col("occurrence").n_unique())
        return dict(sorted(frame.iter_rows()))

    def line_counts(self) -> dict[str, int]:
        frame = self.events.unique(["source", "line", "kind"]).group_by("kind").len()
        return dict(sorted(frame.iter_rows()))

    def manifest(self) -> list[ManifestRow]:
        """One row per input: path, size, sha256, format, time range and line accounting."""
        return build_manifest(self.files, self.events)


def ingest(
    paths: list[Path],
    tz: str | None = None,
    jobs: int = 2,
    progress: ProgressFactory | None = None,
    limits: Limits | None = None,
) -> Ingest:
    """Read ``paths`` (files, directory trees, archives) into one event table."""
    found = walk(paths, limits)
    result = ingest_inputs(
        found.inputs,
        found.warnings,
        tz=tz,
        jobs=jobs,
        progress=progress,
        stored_bytes=found.stored_bytes,
    )
    if not result.files:
        message = "no readable input files found"
        if result.warnings:
            message += f" ({len(result.warnings)} skipped; first: {result.warnings[0]})"
        raise DataError(message)
    return result


def ingest_inputs(
    inputs: Iterable[Input],
    warnings: list[str] | None = None,
    tz: str | None = None,
    jobs: int = 2,
    progress: ProgressFactory | None = None,
    stored_bytes: int | None = None,
) -> Ingest:
    """Scan inputs into one event table (``warnings`` may still grow while they are walked)."""
    option_zone = zone_from_option(tz) if tz else None
    scanner = Scanner()
    if stored_bytes is None and isinstance(inputs, list):
        stored_bytes = sum(i.size for i in inputs)
    hook = progress(stored_bytes or 0) if progress else None

    def run(item: Input, year: int | None = None) -> FileScan:
        return scanner.scan(item, bundle_year=year, progress=hook)

    items: list[Input] = []
    pending: list[Future[FileScan]] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for item in inputs:
            items.append(item)
            if item.streamed:
                # Readable only now: the walk is standing on this archive member.
                done: Future[FileScan] = Future()
                done.set_result(run(item))
                pending.append(done)
            else:
                pending.append(pool.submit(run, item))
        scans = [future.result() for future in pending]
    years = sum((s.years for s in scans), Counter[int]())
    if years:
        # Syslog stamps with no year anywhere in their own file take the year
        # the rest of the bundle shows; only those files are read again.
        year = _most_common(years)
        for index, (item, scan) in enumerate(zip(items, scans, strict=True)):
            if any(r.get("ts_assumption") == "year unknown" for r in scan.rows):
                scans[index] = run(item, year)
    all_warnings = list(warnings or []) + [w for s in scans for w in s.warnings]
    bundle_zone = option_zone or _bundle_zone(scans)
    drop_same_files(scans)
    apply_facts(scans)
    rows: list[dict[str, Any]] = []
    for scan in scans:
        zone = option_zone or _file_zone(scan) or bundle_zone
        for row in (*scan.rows, *scan.bounds):
            local = row.pop("_local", None)
            if local is not None:
                row["ts"], note = to_utc(local, zone)
                row["ts_assumption"] = "; ".join(x for x in (row.get("ts_assumption"), note) if x)
        rows.extend(scan.rows)
    events = build_table(rows, lambda frame: drop_overlaps(frame, scans))
    return Ingest(events=events, files=scans, warnings=all_warnings, zone=bundle_zone)


def _file_zone(scan: FileScan) -> ZoneChoice | None:
    if scan.header_offset is None:
        return None
    return zone_from_offset(scan.header_offset, f"the journal header ({scan.header_zone})")


def _bundle_zone(scans: list[FileScan]) -> ZoneChoice | None:
    """The offset most stamps in the bundle were written with, if any."""
    offsets = sum((s.offsets for s in scans), Counter[str]())
    if not offsets:
        return None
    label = _most_common(offsets)
    count = offsets[label]
    sign = -1 if label[0] == "-" else 1
    hours, minutes = int(label[1:3]), int(label[4:6])
    total = sum(offsets.values())
    return zone_from_offset(
        sign * timedelta(hours=hours, minutes=minutes),
        f"other files in the bundle ({count} of {total} zoned stamps)",
    )


def _most_common(counts: Counter[_T]) -> _T:
    """The most frequent value; ties go to the smallest, never to input order."""
    return min(counts, key=lambda value: (-counts[value], value))


def build_table(
    rows: list[dict[str, Any]],
    prune: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
) -> pl.DataFrame:
    """Rows → the event table, totally ordered, with occurrences assigned.

    ``prune`` drops rows before occurrences are assigned (duplicated evidence).
    """
    unknown = {k for row in rows for k in row} - set(COLUMNS)
    if unknown:  # pragma: no cover - a parser bug, caught by tests
        raise AssertionError(f"rows carry columns outside the schema: {sorted(unknown)}")
    frame = events_from_rows(rows)
    if prune is not None:
        frame = prune(frame)
    frame = frame.sort(list(SORT_KEY), nulls_last=True, maintain_order=True)
    ids = occurrences.assign(frame.to_dicts())
    return frame.with_columns(pl.Series("occurrence", ids, dtype=EVENT_SCHEMA["occurrence"]))
