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

import os
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from lockforensics.correlate import (
    alignment,
    epochs,
    failures,
    frequency,
    incidents,
    outliers,
    resolution,
    runs,
    scope,
    stuck,
    triggers,
)
from lockforensics.errors import DataError
from lockforensics.findings import HEADLINE_KINDS, Coverage, Findings, Headline, Settings
from lockforensics.ingest import occurrences
from lockforensics.ingest.bundle import Input, walk
from lockforensics.ingest.containers import Limits
from lockforensics.ingest.duplicates import drop_overlaps, drop_same_files
from lockforensics.ingest.facts import apply_facts
from lockforensics.ingest.manifest import ManifestRow, build_manifest
from lockforensics.parsing.scan import FileScan, Scanner
from lockforensics.parsing.timestamps import (
    ZoneChoice,
    to_utc,
    zone_from_offset,
    zone_from_option,
)
from lockforensics.schema import (
    COLUMNS,
    EVENT_SCHEMA,
    LOCK_KINDS,
    SORT_KEY,
    EventKind,
    events_from_rows,
)

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


def analyze(result: Ingest, settings: Settings) -> Findings:
    """Correlate an ingest into the findings every report renders."""
    events, far = _set_aside_far_stamps(result.events)
    assumptions = (
        events.filter(pl.col("ts_assumption").is_not_null())
        .group_by("ts_assumption")
        .agg(events=pl.len().cast(pl.Int64))
        .sort("ts_assumption")
    )
    coverage = Coverage(
        inputs=tuple(result.manifest()),
        zone=result.zone.label if result.zone else None,
        zone_reason=result.zone.reason if result.zone else None,
        assumptions=assumptions,
        untimed_events=events.filter(pl.col("ts").is_null()).height,
        unrecognized_lines=sum(scan.unrecognized for scan in result.files),
        warnings=tuple(result.warnings) + far,
    )
    return correlate(events, settings, coverage)


#: Far-out stamps named one by one in a report's warnings; the rest are counted.
FAR_STAMPS_LISTED = 20


def _set_aside_far_stamps(events: pl.DataFrame) -> tuple[pl.DataFrame, tuple[str, ...]]:
    """Issue 12: stamps far outside the main span leave the timeline, with a warning each."""
    low, high = outliers.bounds(events.lazy()).collect().row(0)
    far = outliers.far_out(events.lazy(), low, high).collect()
    if far.is_empty():
        return events, ()
    notes = tuple(
        f"{r['source']}:{r['line']}: stamp {r['ts_raw'] or r['ts']}: {outliers.NOTE}"
        for r in far.head(FAR_STAMPS_LISTED).iter_rows(named=True)
    )
    if far.height > FAR_STAMPS_LISTED:
        notes += (f"… and {far.height - FAR_STAMPS_LISTED} more such stamp(s)",)
    return outliers.set_aside(events.lazy(), low, high).collect(), notes


def correlate(
    events: pl.DataFrame,
    settings: Settings,
    coverage: Coverage | None = None,
    generated_at: datetime | None = None,
) -> Findings:
    """Run the correlator stages over an event table and collect their results.

    Each stage's result is collected before the next stage reads it: the
    stages read their inputs several times, and one lazy plan for the whole
    chain repeats every shared sub-plan (it grows with every reuse).
    """
    table = events.lazy()
    epoch_table = epochs.epochs(table).collect()
    annotated = scope.in_scope(
        epochs.annotate(table, epoch_table.lazy()),
        settings.since,
        settings.until,
        settings.agents,
    ).collect()
    timed = annotated.get_column("ts").drop_nulls()
    start = settings.since or (timed.min() if len(timed) else None)
    end = settings.until or (timed.max() if len(timed) else None)
    window_start = start if isinstance(start, datetime) else None
    window_end = end if isinstance(end, datetime) else None
    if settings.since or settings.until or settings.agents:
        epoch_table = epoch_table.filter(pl.col("epoch").is_in(annotated["epoch"].implode()))

    lazy = annotated.lazy()
    clustered = incidents.cluster(failures.failures(lazy), settings.gap_s).collect()
    pair_table = alignment.pairs(clustered.lazy(), settings.window_s).collect()
    lock_table = alignment.followups(clustered.lazy(), pair_table.lazy()).collect()
    aligned = alignment.summary(pair_table.lazy(), lock_table.lazy()).collect().row(0, named=True)
    run_table = runs.runs(lazy).collect()
    clear_table = resolution.clears(lazy, run_table.lazy(), epoch_table.lazy()).collect()
    resolved, per_kind = resolution.resolve(
        clustered.lazy(), clear_table.lazy(), resolution.still_held(lazy)
    )
    incident_table = (
        incidents.table(clustered.lazy())
        .join(resolved, on="incident", how="left")
        .sort("incident")
        .collect()
    )
    status, writers = triggers.triggers(lazy, clustered.lazy(), run_table.lazy(), settings.window_s)
    rates = frequency.rates(clustered.lazy(), incident_table.lazy(), window_start, window_end)
    counts = dict(
        annotated.group_by("kind").agg(pl.col("occurrence").n_unique()).sort("kind").iter_rows()
    )
    locks = clustered.filter(pl.col("kind").is_in(sorted(LOCK_KINDS)))
    return Findings(
        settings=settings,
        generated_at=generated_at or _generated_at(),
        window_start=window_start,
        window_end=window_end,
        headline=Headline(
            lock_stale=int(counts.get(EventKind.LOCK_STALE, 0)),
            lock_timeout=int(counts.get(EventKind.LOCK_TIMEOUT, 0)),
            takeovers=int(counts.get(EventKind.TAKEOVER, 0)),
            agents=locks.get_column("agent").drop_nulls().n_unique(),
            sessions=locks.get_column("session_id").drop_nulls().n_unique(),
            days=(window_end - window_start).total_seconds() / 86400
            if window_start and window_end
            else 0.0,
            incidents=incident_table.height,
            with_lock_precursor=int(aligned["with_lock_precursor"]),
            lag_s_p50=aligned["lag_s_p50"],
        ),
        counts={kind: int(counts.get(kind, 0)) for kind in sorted({*counts, *HEADLINE_KINDS})},
        events=annotated,
        epochs=epoch_table,
        failures=clustered,
        pairs=pair_table,
        lock_errors=lock_table,
        alignment={**aligned, "window_s": settings.window_s},
        incidents=incident_table,
        resolutions=per_kind.collect(),
        frequency=frequency.frequency(clustered.lazy(), epoch_table.lazy()).collect(),
        rates=rates.collect().row(0, named=True),
        triggers=status.collect(),
        trigger_writers=writers.collect(),
        stuck_alive=stuck.stuck_alive(clustered.lazy()).collect(),
        evidence=incidents.evidence(lazy, clustered.lazy(), incident_table.lazy()).collect(),
        hosts=_distinct(annotated, "host"),
        versions=_distinct(annotated, "version"),
        coverage=coverage or Coverage(),
    )


def _distinct(frame: pl.DataFrame, column: str) -> tuple[str, ...]:
    return tuple(sorted(str(v) for v in frame.get_column(column).drop_nulls().unique()))


def _generated_at() -> datetime:
    """The report's own time: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH")
    if fixed and fixed.isdigit():
        return datetime.fromtimestamp(int(fixed), tz=UTC)
    return datetime.now(tz=UTC)
