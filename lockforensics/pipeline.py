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

import hashlib
import os
import shutil
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import polars as pl

from lockforensics.activity import (
    as_events,
    conform,
    empty_activity,
    in_windows,
    whole,
)
from lockforensics.batches import pulled
from lockforensics.correlate import (
    alignment,
    epochs,
    evidence_end,
    evidence_start,
    failures,
    frequency,
    held_locks,
    host_aliases,
    identity,
    incidents,
    outliers,
    profiles,
    resolution,
    runs,
    scope,
    stuck,
    triggers,
)
from lockforensics.correlate.frames import materialized
from lockforensics.errors import DataError
from lockforensics.findings import HEADLINE_KINDS, Coverage, Findings, Headline, Settings
from lockforensics.ingest import cache, zone_rules
from lockforensics.ingest.beside_zones import beside_zone
from lockforensics.ingest.bundle import Input, walk
from lockforensics.ingest.clock_steps import clock_step
from lockforensics.ingest.containers import Limits
from lockforensics.ingest.duplicates import drop_overlaps, drop_same_files
from lockforensics.ingest.echo_zones import (
    dated_by_match,
    matched_zones,
    stamped_records,
    twin_instants,
)
from lockforensics.ingest.facts import apply_facts
from lockforensics.ingest.host_zones import host_zones
from lockforensics.ingest.line_hosts import copied_hosts, nearest_hosts, pod_hosts
from lockforensics.ingest.manifest import UNCOVERED, ManifestRow, build_manifest, per_source
from lockforensics.ingest.missing_days import holes, missing_days
from lockforensics.ingest.release_times import timed_releases
from lockforensics.ingest.table import build_table
from lockforensics.parsing.documents.timing import MEMBER_TIME, UNTIMED
from lockforensics.parsing.filescan import FileScan
from lockforensics.parsing.timestamps import (
    UTC_CHOICE,
    LocalTimes,
    ZoneChoice,
    following_year,
    parse_offset,
    zone_from_offset,
    zone_from_option,
)
from lockforensics.schema import (
    ACTIVITY_KINDS,
    CLI_CHANNEL,
    DOCUMENT_CHANNEL,
    EPOCH_COLUMNS,
    EVENT_SCHEMA,
    IDENTITY_COLUMNS,
    LOCK_KINDS,
    EventKind,
    TimeQuality,
)
from lockforensics.spill import Spill

_T = TypeVar("_T", int, str)

# Queries run on polars' streaming engine wherever it takes them: the stages
# that filter or group every row (the analysis's counts and hosts, epochs, the
# annotation's sink) then hold a batch at a time, not every row.  Busy 2 GB:
# those stages' peaks 50-70 MB lower, the same findings, no slower.
pl.Config.set_engine_affinity("streaming")
ProgressFactory = Callable[[int], Callable[[int], None]]
#: A frame derived from the event table alone, by name: ``make`` computes it
#: unless it is kept from before (:func:`derived`).
Memo = Callable[[str, Callable[[], pl.DataFrame]], pl.DataFrame]


def computed(name: str, make: Callable[[], pl.DataFrame]) -> pl.DataFrame:
    """The memo that keeps nothing."""
    return make()


@dataclass(frozen=True, slots=True)
class Annotation:
    """The epoch table, and the columns ``annotate`` adds or fills (ANNOTATION_SCHEMA)
    for each part of the table."""

    epochs: pl.DataFrame
    detail: pl.DataFrame  # one row per detail row, in its order
    # The activity rows with those columns beside theirs, in one file when it
    # can be: a stage's filter then reaches the rows before any is read.
    activity: pl.LazyFrame


@dataclass(slots=True)
class Ingest:
    """Everything ingest learned: the event table plus the accounting behind it.

    The table is kept in two parts (lockforensics/activity.py): ``detail``,
    every column, and ``activity``, the high-volume rows past their sample,
    narrow.  :meth:`table` is the one table, lazily.
    """

    detail: pl.DataFrame
    files: list[FileScan]
    # The activity part, or None while it is still only in its file
    # (``_activity_file``: a cache entry's, or the spill's, lockforensics/spill.py):
    # a report reads from it the columns and rows its stages ask for
    # (:meth:`activity_rows`), not all of it.
    _activity: pl.DataFrame | None = field(default_factory=empty_activity)
    _activity_file: Path | None = None
    warnings: list[str] = field(default_factory=list)
    zone: ZoneChoice | None = None
    from_cache: bool = False  # reused from an earlier run (ingest/cache.py)
    cache_entry: str | None = None  # where the cache keeps this ingest
    # Frames a report derived from the table alone (epochs, runs, counts, ...),
    # by name and scope: a cached ingest keeps them too (:func:`derived`).
    derived: dict[str, pl.DataFrame] = field(default_factory=dict)
    # The folder holding the activity part while no cache entry does
    # (lockforensics/spill.py): kept open as long as this ingest is.
    spill: Spill | None = None

    @property
    def activity(self) -> pl.DataFrame:
        """The activity part, read whole from its file on first use."""
        if self._activity is None:
            assert self._activity_file is not None
            self._activity = pl.read_parquet(self._activity_file)
        return self._activity

    @activity.setter
    def activity(self, frame: pl.DataFrame) -> None:
        self._activity, self._activity_file = frame, None

    def keep_activity_in(self, path: Path) -> None:
        """The activity part is ``path`` (a cache entry's or the spill's): read it when asked."""
        self._activity, self._activity_file = None, path

    def _unread_file(self) -> Path | None:
        """The activity part's file, while the part has not been read from it."""
        return self._activity_file if self._activity is None else None

    def activity_rows(self) -> pl.LazyFrame:
        """The activity part lazily; scanned from its file when it was not read."""
        stored = self._unread_file()
        return pl.scan_parquet(stored) if stored is not None else self.activity.lazy()

    def table(self, ordered: bool = True) -> pl.LazyFrame:
        """The whole event table, in its total order (or any, for aggregates)."""
        return whole(self.detail.lazy(), self.activity_rows(), ordered)

    def table_to_write(self) -> pl.LazyFrame:
        """The whole event table, in its total order, for a sink (activity.in_windows)."""
        return in_windows(self.detail, self.activity_rows())

    def close(self) -> None:
        """Remove this ingest's temporary files now, not at exit (a program that
        ingests many bundles); it, and findings made from it, are unusable after."""
        if self.spill is not None:
            self.spill.close()

    def check_activity(self) -> None:
        """Decode every page of the activity part's file, holding none of them: a
        file damaged on disk fails here, not half-way through a write.  Streamed:
        in memory, the check held the whole part for a moment (busy 1 GB: 300 MB)."""
        stored = self._unread_file()
        if stored is not None:
            pl.scan_parquet(stored).select(pl.all().null_count()).collect(engine="streaming")

    def write_activity(self, path: Path) -> None:
        """The activity part to ``path`` (Parquet): its file copied when it has one."""
        stored = self._unread_file()
        if stored is not None:
            shutil.copyfile(stored, path)
        else:
            self.activity.write_parquet(path, compression="lz4")

    @property
    def height(self) -> int:
        """Rows in the whole table."""
        return self.detail.height + int(self.activity_rows().select(pl.len()).collect().item())

    @property
    def events(self) -> pl.DataFrame:
        """The whole event table, collected (small inputs, tests, the fleet store)."""
        return self.table().collect()

    def occurrence_counts(self) -> dict[str, int]:
        """Occurrences per kind (and, beside them, the raw line counts)."""
        table = self.table(ordered=False)
        frame = table.group_by("kind").agg(pl.col("occurrence").n_unique()).collect()
        return dict(sorted(frame.iter_rows()))

    def line_counts(self) -> dict[str, int]:
        lines = self.table(ordered=False).unique(["source", "line", "kind"]).group_by("kind").len()
        return dict(sorted(lines.collect().iter_rows()))

    def manifest(self) -> list[ManifestRow]:
        """One row per input: path, size, sha256, format, time range and line accounting."""
        sources = per_source(self.table(ordered=False))
        return build_manifest(self.files, derived(self)("manifest_sources", sources.collect))


#: Said when the activity rows could not be kept on disk (lockforensics/spill.py).
SPILL_FAILED = (
    "the temporary folder ($TMPDIR) could not take the high-volume rows (full or "
    "read-only?): they were held in memory"
)


def ingest(
    paths: list[Path],
    tz: str | None = None,
    jobs: int = 2,
    progress: ProgressFactory | None = None,
    limits: Limits | None = None,
    use_cache: bool = False,
) -> Ingest:
    """Read ``paths`` (files, directory trees, archives) into one event table.

    With ``use_cache`` an earlier parse of the same inputs with the same
    options is reused (lockforensics/ingest/cache.py).
    """

    def run() -> Ingest:
        found = walk(paths, limits)
        spill = Spill.create()
        if spill is None:
            found.warnings.append(SPILL_FAILED)
        return ingest_inputs(
            found.inputs,
            found.warnings,
            tz=tz,
            jobs=jobs,
            progress=progress,
            stored_bytes=found.stored_bytes,
            spill=spill,
        )

    result, hit = cache.cached(paths, (tz, limits or Limits()), run, use_cache)
    result.from_cache = hit
    if not result.files:
        result.close()
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
    vectorised: bool = True,
    spill: Spill | None = None,
) -> Ingest:
    """Scan inputs into one event table (``warnings`` may still grow while they are walked).

    ``vectorised=False`` reads every candidate line one at a time (the
    reference the chunk engine is tested against).  With ``spill`` the
    activity rows are kept on disk there (lockforensics/spill.py), not in
    memory; the result owns it.
    """
    option_zone = zone_from_option(tz) if tz is not None else None
    # Loaded here, not with the module: a report from the cache reads no log,
    # and the scanner's modules compile their patterns as they load (70-90 ms).
    from lockforensics.parsing.scan import Scanner  # noqa: PLC0415

    scanner = Scanner(vectorised=vectorised, spill=spill)
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
    reference = _reference_instant(scans)
    for scan in scans:
        _complete_years(scan, _most_common(years) if years else None, reference)
    if years:
        # Documents whose own stamps lack a year (rare, small) are read again
        # with the bundle's year; log lines were completed just above.
        year = _most_common(years)
        for index, (item, scan) in enumerate(zip(items, scans, strict=True)):
            if any(r.get("ts_assumption") == "year unknown" for r in scan.rows):
                scans[index] = run(item, year)
    for item, scan in zip(items, scans, strict=True):
        _member_time(item, scan)
    all_warnings = list(warnings or []) + [w for s in scans for w in s.warnings]
    spans = zone_rules.merged(s.offset_spans for s in scans)
    bundle_zone = option_zone or zone_rules.named_zone(spans) or _bundle_zone(scans)
    drop_same_files(scans)
    apply_facts(scans)
    nearest_hosts(scans)
    pod_hosts(scans)
    # Before zones: a record dated here is zone-less until then.
    dated_by_match(scans)
    # Read before the loop below hands each input's rows to the table.
    stamped = stamped_records(scans)
    matched = {} if option_zone else matched_zones(scans, stamped)
    # Read off each input's rows one by one: only for the inputs with zone-less
    # lines of their own, and for the rest only when no zone is written anywhere.
    besides = {s.source: beside_zone(s) for s in scans if _zoneless(s)}
    beside = {source: zone for source, zone in besides.items() if zone is not None}
    bundle_zone = (
        bundle_zone
        or _agreed_zone(matched, "matched to stamped records")
        or _agreed_zone(
            {
                s.source: zone
                for s in scans
                if (zone := besides[s.source] if s.source in besides else beside_zone(s))
            },
            "whose zone-less stamps sit beside UTC console stamps",
        )
        or _header_zone(scans)
    )
    rows: list[dict[str, Any]] = []
    frames: list[pl.DataFrame] = []
    activity: list[pl.LazyFrame] = []
    seen = {s.source: zone for s in scans if (zone := _seen_zone(s, matched, beside)) is not None}
    folders = _folder_zones(scans, seen)
    # The zone each input's zone-less stamps were read in, where it had any.
    applied: dict[str, ZoneChoice] = {}
    for scan in scans:
        # --tz is for stamps that show no zone; a journal whose prefixes are shown
        # by the console stamps on the same lines (a `--utc` capture) keeps its own.
        zone = (
            (option_zone and beside.get(scan.source))
            or option_zone
            or _own_zone(scan, seen, bundle_zone, spans, folders)
        )
        if any(
            "_local" in r and ("_utc" not in r or scan.source in matched)
            for r in (*scan.rows, *scan.bounds)
        ):
            # With no zone shown anywhere, UTC: said so, not "none needed" (Z204:
            # a cron log's `date … CST`, a name of three zones, read as UTC).
            applied[scan.source] = zone or UTC_CHOICE
        # In file order, so a repeated DST hour is read first pass, then second.
        in_order = sorted(scan.rows, key=lambda r: (r.get("line") or 0, r.get("hit") or 0))
        # A paste of several hosts: each host's lines in the zone its own show.
        hosts = {} if option_zone else host_zones(scan)
        for batch in (in_order, scan.bounds):
            times = LocalTimes(zone)
            by_host = {host: LocalTimes(choice) for host, choice in hosts.items()}
            for row in batch:
                local = row.pop("_local", None)
                utc = row.pop("_utc", None)
                if local is None:
                    continue
                if utc is not None and scan.source not in matched:
                    # `openclaw logs` on a terminal: UTC, whatever the host's zone.
                    row["ts"], note = local.replace(tzinfo=UTC), utc
                else:
                    row["ts"], note = by_host.get(row.get("host") or "", times).to_utc(
                        local, partial(twin_instants, stamped, row)
                    )
                row["ts_assumption"] = "; ".join(x for x in (row.get("ts_assumption"), note) if x)
        _within_their_second(in_order)
        step = clock_step(scan)
        if step is not None:
            all_warnings.append(step)
        rows.extend(scan.rows)
        frames.extend(scan.frames)
        activity.extend(scan.activity)
        scan.drop_rows()  # the table holds them now; keep memory to one copy
    timed_releases(rows)
    detail, narrow = build_table(
        rows, lambda d, a: drop_overlaps(d, a, scans), frames, activity, spill
    )
    if spill is not None and spill.failed:
        all_warnings.append(SPILL_FAILED)
    detail = copied_hosts(detail, scans)
    result = Ingest(
        detail=detail,
        files=scans,
        warnings=all_warnings,
        zone=_stated_zone(bundle_zone, matched, applied),
        spill=spill,
    )
    if isinstance(narrow, Path):
        result.keep_activity_in(narrow)
    else:
        result.activity = narrow
    return result


def _within_their_second(in_order: list[dict[str, Any]]) -> None:
    """A line stamped to the second under a finer one of that second, in one
    input's file order, was written at or after it: it takes that instant.  A
    journal prints systemd's own lines (`Stopped`, `Started`) to the second
    between the gateway's to the millisecond: read at .000, the `Started` of
    the next process came before the old one's `received SIGTERM` (.134), and
    the old process became a second one running beside its successor (Z143).
    High-volume rows take no part: the chunk engine reads them in bulk, apart
    from these, and a report must not depend on which reader read a line."""
    finest: datetime | None = None
    for row in in_order:
        ts = row.get("ts")
        if not isinstance(ts, datetime) or row.get("kind") in ACTIVITY_KINDS:
            continue
        if ts.microsecond == 0 and finest is not None and ts < finest < ts + _SECOND:
            row["ts"] = finest
        else:
            finest = ts


_SECOND = timedelta(seconds=1)


def _member_time(item: Input, scan: FileScan) -> None:
    """A document packed in an archive with no time in its text or name takes the
    member's modification time: when the file was last written on the host it
    was packed from (parsing/documents/timing.py).  A zip's is local time."""
    if not item.packing or item.mtime is None:
        return
    for row in scan.rows:
        if row.get("ts") is None and row.get("ts_assumption") == UNTIMED["ts_assumption"]:
            row.update(ts_quality=TimeQuality.ASSUMED.value, ts_assumption=MEMBER_TIME)
            if item.mtime.tzinfo is None:
                row["_local"] = item.mtime
            else:
                row["ts"] = item.mtime.astimezone(UTC)


def _reference_instant(scans: list[FileScan]) -> datetime | None:
    """The middle of the explicit time the bundle shows (files' first and last lines)."""
    times = sorted(b["ts"] for s in scans for b in s.bounds if isinstance(b.get("ts"), datetime))
    return times[len(times) // 2] if times else None


def _complete_years(scan: FileScan, year: int | None, reference: datetime | None) -> None:
    """Give year-less syslog stamps of one file a year: the bundle's, or the one
    beside it that puts the first stamp nearest the bundle's middle (a `Dec 31`
    read next to a 2027-01-01 file is 2026), then one more at each point where
    the month runs backwards (New Year inside the file), not where the clock
    steps back a little across it (timestamps.following_year)."""
    for bound in scan.bounds:
        # A file's first or last line, each given the year nearest the bundle's middle.
        first = bound.pop("_yearless", None)
        if first is not None and year is not None and first.day and first.clock:
            near = _nearest_year(first.day.month, first.day.day, year, reference)
            with suppress(ValueError):  # 29 February in a year without one
                bound["_local"] = datetime.combine(first.day.replace(year=near), first.clock)
    pending = sorted(
        (r for r in scan.rows if "_yearless" in r), key=lambda r: (r["line"], r.get("hit", 0))
    )
    if not pending:
        return
    base: int | None = None
    previous: datetime | None = None
    for row in pending:
        stamp = row.pop("_yearless")
        assert stamp.day is not None
        assert stamp.clock is not None
        if year is None:
            row.update(ts_quality="untimed", ts_assumption="year unknown")
            continue
        month, day = stamp.day.month, stamp.day.day
        if previous is None:
            current = base = _nearest_year(month, day, year, reference)
        else:
            current = following_year(previous, month, day, stamp.clock)
        try:
            local = datetime.combine(stamp.day.replace(year=current), stamp.clock)
        except ValueError:  # 29 February in a year without one
            row.update(ts_quality="untimed", ts_assumption=f"no {stamp.raw} in {current}")
            continue
        previous = local
        rolled = current - base if base is not None else 0
        row["ts_assumption"] = f"year {current} from other files in the bundle" + (
            f" + {rolled} year rollover(s)" if rolled > 0 else ""
        )
        if stamp.offset is None:
            row["_local"] = local
            continue
        # A console's zoned clock on the journal's day (timestamps.on_the_day_of):
        # only the year was missing; its offset is this input's zone evidence.
        aware = local.replace(tzinfo=timezone(stamp.offset))
        row["ts"] = aware.astimezone(UTC)
        scan.saw_stamp(stamp, aware)


def _nearest_year(month: int, day: int, year: int, reference: datetime | None) -> int:
    if reference is None:
        return year
    target = reference.replace(tzinfo=None)

    def distance(candidate: int) -> float:
        try:
            return abs((datetime(candidate, month, min(day, 28)) - target).total_seconds())
        except ValueError:
            return float("inf")

    return min((year - 1, year, year + 1), key=lambda y: (distance(y), y != year))


def _file_zone(scan: FileScan, where: str = "") -> ZoneChoice | None:
    """The zone an input's header shows: the rules of the zone its abbreviation
    names at the header's instant, else its offset.  A journal that begins in
    October's `EDT` is read at -05:00 in January (Z194: an hour early, and a
    phantom process beside the syslog copy of its lines)."""
    if scan.header_offset is None:
        return None
    if scan.header_abbr and scan.header_at is not None:
        whose = f"{scan.header_from}{where}"
        named = zone_rules.abbreviated_zone(scan.header_abbr, scan.header_at, whose)
        if named is not None:
            return named
    return zone_from_offset(scan.header_offset, f"{_header_shown(scan)}{where}")


def _header_shown(scan: FileScan) -> str:
    return f"{scan.header_from} ({scan.header_abbr})"


def _own_zone(
    scan: FileScan,
    seen: dict[str, ZoneChoice],
    bundle_zone: ZoneChoice | None,
    spans: zone_rules.Spans,
    folders: dict[str, ZoneChoice],
) -> ZoneChoice | None:
    """The zone an input's zone-less stamps are read in: the one it shows itself
    (``seen``: :func:`_seen_zone`, per input), that is its journal header's, else
    the one its records match (ingest/echo_zones), else the one its own stamped
    lines were written in, else its folder's, else the bundle's.  A fixed
    offset that is one of the named zone's the bundle shows (ingest/zone_rules) is
    that zone: the header or the matches saw one side of its change."""
    own = seen.get(scan.source) or folders.get(scan.source)
    if own is None:
        return bundle_zone
    if bundle_zone is not None and zone_rules.takes(bundle_zone, own.label, spans):
        return bundle_zone
    return own


def _zoneless(scan: FileScan) -> bool:
    """Whether an input has lines whose stamps show no zone."""
    return any(isinstance(row.get("_local"), datetime) for row in scan.rows)


def _seen_zone(
    scan: FileScan, matched: dict[str, ZoneChoice], beside: dict[str, ZoneChoice]
) -> ZoneChoice | None:
    """The zone an input shows itself: its header's, its matched records', its
    zone-less lines' against the zoned ones beside them, its lines'."""
    return (
        _file_zone(scan)
        or matched.get(scan.source)
        or beside.get(scan.source)
        or _written_zone(scan)
    )


def _folder_zones(scans: list[FileScan], seen: dict[str, ZoneChoice]) -> dict[str, ZoneChoice]:
    """Per input that shows no zone, the one zone the inputs of its nearest folder
    holding any zoned input agree on (none when they disagree).  A bundle gathered
    as ``gw-a/…`` and ``gw-b/…`` from hosts in two zones: a cleanup output named
    with the local time of gw-b took the bundle's most common offset, gw-a's,
    and was read six hours early.  The folder holding every input is the bundle,
    whose zone applies anyway.  ``seen``: the zone each input shows itself."""
    labels: dict[str, dict[str, ZoneChoice]] = defaultdict(dict)
    for source, zone in seen.items():
        for folder in _folders(source):
            labels[folder].setdefault(zone.label, zone)
    everything = len(scans)
    inside = Counter(folder for s in scans for folder in _folders(s.source))
    out: dict[str, ZoneChoice] = {}
    for scan in scans:
        if scan.source in seen:
            continue
        for folder in reversed(_folders(scan.source)):
            if inside[folder] == everything:
                break
            if folder in labels:
                if len(labels[folder]) == 1:
                    (zone,) = labels[folder].values()
                    out[scan.source] = replace(
                        zone, reason=f"the other inputs in {folder}/ ({zone.reason})"
                    )
                break
    return out


def _folders(source: str) -> list[str]:
    """The folders above an input, outermost first."""
    parts = source.split("/")[:-1]
    return ["/".join(parts[: n + 1]) for n in range(len(parts))]


def _written_zone(scan: FileScan) -> ZoneChoice | None:
    """The zone an input's own stamped lines were written in (a journal's console
    lines carry offsets its own stamps leave out): another host's files in the
    bundle do not decide its zone-less lines.  Two offsets name the zone that
    changes between them there (ingest/zone_rules)."""
    named = zone_rules.named_zone(scan.offset_spans, whose="this input's own lines")
    if named is not None or len(scan.offsets) != 1:
        return named
    ((label, count),) = scan.offsets.items()
    return _offset_choice(label, f"this input's own lines ({count} zoned stamps)")


def _offset_choice(label: str, reason: str) -> ZoneChoice | None:
    offset = parse_offset(label)
    return None if offset is None else zone_from_offset(offset, reason)


def _bundle_zone(scans: list[FileScan]) -> ZoneChoice | None:
    """The offset most stamps in the bundle were written with, if any."""
    offsets = sum((s.offsets for s in scans), Counter[str]())
    if not offsets:
        return None
    label = _most_common(offsets)
    total = sum(offsets.values())
    return _offset_choice(
        label, f"other files in the bundle ({offsets[label]} of {total} zoned stamps)"
    )


def _header_zone(scans: list[FileScan]) -> ZoneChoice | None:
    """With no zone written on any line nor matched, the one the inputs' headers
    show (a journal's, the `since` of `systemctl status`): the host's clock, for
    the default `journalctl` output captured beside it, which writes none."""
    shown = {s.header_offset: s for s in scans if s.header_offset is not None}
    if len(shown) != 1:
        return None
    (scan,) = shown.values()
    return _file_zone(scan, f" in {scan.source}")


def _agreed_zone(shown: dict[str, ZoneChoice], how: str) -> ZoneChoice | None:
    """With no zone written anywhere, the one every input that showed its own
    (``how``: matched its records to stamped ones, or paired its zone-less
    prefixes with the UTC console stamps on the same lines) agrees on: the
    host's clock, for its other zone-less inputs (pm2.log beside the pm2 app
    logs that the file log's records, or their own console stamps, dated)."""
    labels = {choice.label for choice in shown.values()}
    if len(labels) != 1:
        return None
    first = min(shown.values(), key=lambda choice: choice.reason)
    return replace(first, reason=f"the zone {len(shown)} input(s) {how} agree on")


def _stated_zone(
    zone: ZoneChoice | None,
    matched: dict[str, ZoneChoice],
    applied: dict[str, ZoneChoice],
) -> ZoneChoice | None:
    """The bundle's zone as reports state it: naming the inputs that took their own
    from records another input holds stamped (ingest/echo_zones), and how many
    read their zone-less stamps in another zone (``applied``: each input's), and
    why: a fleet gathered from three zones is read in three.  A bundle zone that
    no input was read in is not stated as the one taken: the zone-less inputs
    each read in the zone they showed themselves are named instead.  None when no
    stamp was read in any: every one showed its own zone (Z174: "-04:00, taken
    from other files" stated of a bundle with no zone-less stamp)."""
    if not applied and not matched:
        return None
    unmatched = {s: c for s, c in applied.items() if s not in matched}
    if applied and not unmatched:
        # Every zone-less stamp was read in the zone its own records matched: the
        # bundle's zone was no input's (Z233: "+00:00, taken from other files"
        # stated of a UTC host beside a Los Angeles capture read at -07:00).
        base = _taken_most(applied)
        apart = [
            f"{source} {choice.label}, from {choice.reason}"
            for source, choice in sorted(matched.items())
            if choice.label != base.label
        ]
        return replace(base, reason="; but ".join([base.reason, *apart]))
    if unmatched and zone not in unmatched.values():
        zone = _taken_most(unmatched)
    others = Counter(
        (choice.label, choice.reason)
        for choice in unmatched.values()
        if zone is None or choice.label != zone.label
    )
    if not matched and not others:
        return zone
    base = zone or UTC_CHOICE
    own = [
        f"{source} {choice.label}, from {choice.reason}"
        for source, choice in sorted(matched.items())
    ]
    own += [f"{n} input(s) {label}, from {reason}" for (label, reason), n in sorted(others.items())]
    # "but" only where an input's zone is not the bundle's.
    differ = bool(others) or any(choice.label != base.label for choice in matched.values())
    return replace(base, reason=f"{base.reason}; {'but ' if differ else ''}{'; '.join(own)}")


def _taken_most(applied: dict[str, ZoneChoice]) -> ZoneChoice:
    """The zone most inputs were read in, and why each of them took it."""
    label = _most_common(Counter(c.label for c in applied.values()))
    groups: dict[str, list[str]] = defaultdict(list)
    for source, choice in sorted(applied.items()):
        if choice.label == label:
            groups[choice.reason].append(source)
    ranked = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    said = [
        f"{reason}, for {sources[0] if len(sources) == 1 else f'each of {len(sources)} inputs'}"
        for reason, sources in ranked[:_REASONS_SHOWN]
    ]
    rest = sum(len(sources) for _, sources in ranked[_REASONS_SHOWN:])
    if rest:
        said.append(f"{rest} more input(s) from their own")
    return replace(applied[ranked[0][1][0]], reason="; ".join(said))


#: How many reasons one zone line names before it counts the rest.
_REASONS_SHOWN = 3


def _most_common(counts: Counter[_T]) -> _T:
    """The most frequent value; ties go to the smallest, never to input order."""
    return min(counts, key=lambda value: (-counts[value], value))


def derived(result: Ingest, settings: Settings | None = None) -> Memo:
    """Frames derived from ``result``'s table, kept with it and in its cache entry.

    What the table alone decides (epochs, runs, clears, counts, coverage)
    does not change with ``--gap``, ``--window`` or the format, so another
    report on the same ingest reads it back.  ``settings`` with a scope
    (``--since``, ``--until``, ``--agent``, ``--host``): frames of the rows in that scope,
    kept apart from the whole table's.
    """
    scope_key = ""
    if settings is not None and settings.scoped:
        text = repr((settings.since, settings.until, settings.agents, settings.host)).encode()
        scope_key = "-" + hashlib.sha256(text).hexdigest()[:16]

    def memo(name: str, make: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        key = name + scope_key
        frame = result.derived.get(key)
        if frame is None:
            frame = cache.load_derived(result.cache_entry, key)
        if frame is None:
            frame = make()
            cache.keep_derived(result.cache_entry, key, frame)
        result.derived[key] = frame
        return frame

    return memo


def _kept_lazily(result: Ingest, name: str, plan: Callable[[], pl.LazyFrame]) -> pl.LazyFrame:
    """A frame with a row per activity row (annotated), kept in a file and scanned
    from it: in the cache entry for another report, else in the ingest's spill
    folder.  ``plan()`` is sunk there a batch at a time, never held whole, and
    a report reads only the rows and columns that the stages and reporters ask
    for.  Made whole and held, the annotation was the busy 2 GB report's peak
    (560-620 MB), and stood under every later stage."""
    cached = cache.derived_file(result.cache_entry, name)
    spilled = result.spill.path(f"derived-{name}") if result.spill is not None else None
    for path in (cached, spilled):
        if path is not None and path.exists():
            return pl.scan_parquet(path)
    if cached is not None and cache.keep_derived(result.cache_entry, name, plan()):
        return pl.scan_parquet(cached)
    if spilled is not None and result.spill is not None and result.spill.write(spilled, plan()):
        return pl.scan_parquet(spilled)
    return plan().collect().lazy()


def analyze(result: Ingest, settings: Settings) -> Findings:
    """Correlate an ingest into the findings every report renders."""
    memo = derived(result)
    detail, activity, far, (low, high) = _set_aside_far_stamps(result, memo)
    # Runtime-named logs take the name their gateway's own logs give it.
    aliases = memo("host_aliases", lambda: host_aliases.runtime_aliases(detail.lazy()).collect())
    if not aliases.is_empty():
        detail = host_aliases.refolded(host_aliases.renamed(detail.lazy(), aliases).collect())
        activity = host_aliases.renamed(activity, aliases)
    # Gateways of named profiles on one host take hosts of their own.
    sources = sorted({scan.source for scan in result.files})
    sections = pl.DataFrame(
        [(scan.source, line, path) for scan in result.files for line, path in scan.sections],
        schema={"source": pl.String, "line": pl.Int64, "path": pl.String},
        orient="row",
    )
    file_logs = {scan.source for scan in result.files if scan.envelope == "tslog-json"}
    found = memo(
        "profiles", lambda: profiles.profile_hosts(detail.lazy(), sources, sections, file_logs)
    )
    if not found.is_empty():
        rows = whole(detail.lazy(), activity, ordered=False)
        fallback = materialized(epochs.fallback_hosts(rows.select(epochs.HOSTS_INPUT)))
        detail = profiles.profiled(detail.lazy(), found, fallback).collect()
        activity = profiles.profiled(activity, found, fallback)
    firsts = _line_bounds(result, low, high)
    documents = _documents(detail)
    # Each log's first and last line (a command's output is no log).
    logs = firsts.join(documents, on="source", how="anti")
    table = whole(detail.lazy(), activity, ordered=False)
    assumptions = memo(
        "assumptions",
        lambda: (
            table.filter(pl.col("ts_assumption").is_not_null())
            .group_by("ts_assumption")
            .agg(events=pl.len().cast(pl.Int64))
            .sort("ts_assumption")
            .collect()
        ),
    )
    untimed = table.filter(pl.col("ts").is_null()).group_by("source").len().sort("source")
    untimed_inputs = memo("untimed", untimed.collect)
    named = table.group_by("source").agg(pl.col("host").drop_nulls().len().alias("named"))
    # Kept with the other derived frames: made, it reads every row three times
    # (the busy 1 GB bundle: 0.16 s, a sixth of a report from the cache).
    taken = memo(
        "placed_hosts", lambda: epochs.placed_hosts(table.select(epochs.HOSTS_INPUT)).collect()
    )
    # Inputs naming no host: the host each took, if any, and whether by its folder's name.
    hostless = memo(
        "hostless",
        lambda: (
            named.filter(pl.col("named") == 0)
            .join(taken.lazy(), on="source", how="left")
            .select("source", "_fallback", "_by_folder")
            .collect()
        ),
    )
    by_folder = hostless.filter(pl.col("_by_folder").fill_null(False))
    gaps = holes(sources, logs)
    host_lines = _host_lines(logs.join(_several_hosts(detail), on="source", how="anti"), taken)
    coverage = Coverage(
        inputs=tuple(result.manifest()),
        zone=result.zone.label if result.zone else None,
        zone_reason=result.zone.reason if result.zone else None,
        assumptions=assumptions,
        untimed_events=int(untimed_inputs.get_column("len").sum()),
        untimed_inputs=tuple((str(s), int(n)) for s, n in untimed_inputs.iter_rows()),
        unrecognized_lines=sum(scan.unrecognized for scan in result.files),
        warnings=tuple(result.warnings)
        + far
        + _log_losses(detail, logs)
        + missing_days(sources, logs),
        hostless_inputs=hostless.height,
        unplaced_inputs=hostless.get_column("_fallback").null_count(),
        folder_hosts=tuple(sorted(set(by_folder.get_column("_fallback").cast(pl.String)))),
        folder_named_inputs=by_folder.height,
        lines_span=_lines_span(firsts, logs),
        logs_end=host_lines.select("host", logs_end="_last"),
        unseen=tuple(sorted(gaps.select("since", "until").drop_nulls().unique().iter_rows())),
    )
    epoch_table = memo(
        "epochs",
        lambda: _lines_around(_epochs_of(_annotation_input(detail, activity), gaps), host_lines),
    )
    made = _Annotating(detail, activity, epoch_table)
    known = Annotation(
        epoch_table,
        memo("annotation-detail", made.detail),
        _kept_lazily(result, "annotated-activity", made.activity),
    )
    return correlate(
        detail,
        settings,
        coverage,
        known=known,
        activity=activity,
        memo=derived(result, settings),
        whole_memo=memo,
    )


def _log_losses(detail: pl.DataFrame, logs: pl.DataFrame) -> tuple[str, ...]:
    """A warning per line where a log says it lost lines (journald's rate limit,
    the file log's size cap): what those lines said is in no input.  ``logs``:
    each log's first and last stamped line (:func:`_line_bounds`)."""
    lost = detail.filter(pl.col("kind") == EventKind.LOG_SUPPRESSED)
    blob = (pl.col("phase") == "blob").fill_null(False)
    rows = (
        lost.filter(~blob)
        .sort("ts", "source", "line", nulls_last=True)
        .select("source", "line", "message", "ts")
    )
    # Entries journalctl showed as blob data, counted per input: there may be
    # one per coloured line, and a warning each would bury the rest.
    blobs = (
        lost.filter(blob)
        .group_by("source")
        .agg(pl.len(), pl.col("line").min(), _from=pl.col("ts").min(), _to=pl.col("ts").max())
        .sort("source")
    )
    return tuple(
        f"{source}:{line}: {message}"
        + (f" (at {ts:%Y-%m-%d %H:%M:%S} UTC)" if ts is not None else "")
        + ": the log lost lines there; failures it held may be missing"
        for source, line, message, ts in rows.iter_rows()
    ) + tuple(
        f"{source}:{line}: {count} journal entr{'y' if count == 1 else 'ies'} shown as "
        "`[…B blob data]` (control characters or bytes not UTF-8, captured without "
        "`journalctl -a`): " + _blob_text(source, since, until, logs)
        for source, count, line, since, until in blobs.iter_rows()
    )


def _blob_text(
    source: str, since: datetime | None, until: datetime | None, logs: pl.DataFrame
) -> str:
    """Where the text of a journal's blob entries may be: another log covering
    their times (the file log keeps what the console wrote, stderr aside;
    Z147-Z149 had it whole there), else nowhere in the bundle."""
    # A second's slack: the journal stamps its entries to the microsecond, a
    # copy of them times each by its console stamp, to the millisecond (Z163:
    # the JSON export holding every blob's text missed by 672 us).
    slack = timedelta(seconds=1)
    others = (
        logs.filter(
            (pl.col("source") != source)
            & (pl.col("first") <= since + slack)
            & (pl.col("last") >= until - slack)
        ).get_column("source")
        if since is not None and until is not None
        else pl.Series(dtype=pl.String)
    )
    if others.is_empty():
        return "their text is in no input, failures they held may be missing"
    return (
        f"their text is not in this capture; {sorted(others)[0]} covers their times and may hold it"
    )


#: Far-out stamps named one by one in a report's warnings; the rest are counted.
FAR_STAMPS_LISTED = 20


def _set_aside_far_stamps(
    result: Ingest, memo: Memo
) -> tuple[pl.DataFrame, pl.LazyFrame, tuple[str, ...], tuple[datetime | None, datetime | None]]:
    """Issue 12: stamps far outside the main span leave the timeline, with a warning each;
    and that span (``low``, ``high``)."""
    bounds = memo("stamp_bounds", lambda: outliers.bounds(result.table(ordered=False)).collect())
    low, high = bounds.row(0)
    far = memo("far_stamps", lambda: outliers.far_out(result.table(), low, high).collect())
    if far.is_empty():
        return result.detail, result.activity_rows(), (), (low, high)
    notes = tuple(
        f"{r['source']}:{r['line']}: stamp {r['ts_raw'] or r['ts']}: {outliers.NOTE}"
        for r in far.head(FAR_STAMPS_LISTED).iter_rows(named=True)
    )
    if far.height > FAR_STAMPS_LISTED:
        notes += (f"… and {far.height - FAR_STAMPS_LISTED} more such stamp(s)",)
    detail = outliers.set_aside(result.detail.lazy(), low, high).collect()
    activity = outliers.set_aside(result.activity_rows(), low, high).collect().lazy()
    return detail, activity, notes, (low, high)


def _line_bounds(result: Ingest, low: datetime | None, high: datetime | None) -> pl.DataFrame:
    """Per input, its first and last stamped line (its events' too: the manifest's),
    each kept only inside the main span (``low``..``high``, far-out stamps left out).
    An input none of whose lines was read (every one unrecognised: a format the
    tool does not know, its stamps read in a guessed zone) spans nothing (Z169: a
    `log show --style compact` capture stretched the window six hours back)."""
    rows = []
    for row in result.manifest():
        read = bool(row.get("event_lines") or row.get("noise_lines"))
        first, last = (
            datetime.fromisoformat(str(row[k])) if read and row.get(k) else None
            for k in ("first", "last")
        )
        inside = [
            t
            if t is not None and (low is None or t >= low) and (high is None or t <= high)
            else None
            for t in (first, last)
        ]
        rows.append({"source": row["path"], "first": inside[0], "last": inside[1]})
    stamp = EVENT_SCHEMA["ts"]
    return pl.DataFrame(
        rows, schema=pl.Schema({"source": pl.String(), "first": stamp, "last": stamp})
    )


def _lines_span(
    firsts: pl.DataFrame, logs: pl.DataFrame
) -> tuple[datetime | None, datetime | None]:
    """The first line of the inputs that are logs (``logs``: not a command's
    output, :func:`_documents`; of every input when none is), and the last of all."""
    begun = logs if logs.get_column("first").is_not_null().any() else firsts
    first: datetime | None = begun.select(pl.col("first").min()).item()
    last: datetime | None = firsts.select(pl.col("last").max()).item()
    return first, last


def _documents(detail: pl.DataFrame) -> pl.DataFrame:
    """The inputs holding a command's output (``sessions cleanup``, ``doctor``, a
    listing): their lines show the command ran then, not that a gateway did."""
    return detail.filter(pl.col("channel") == DOCUMENT_CHANNEL).select("source").unique()


def _several_hosts(detail: pl.DataFrame) -> pl.DataFrame:
    """The inputs whose lines name two hosts or more (a thread of pastes, a
    capture of two containers): which host's their first and last lines are
    is not known, so they stretch no host's epochs."""
    named = detail.group_by("source").agg(pl.col("host").drop_nulls().n_unique().alias("_n"))
    return named.filter(pl.col("_n") > 1).select("source")


def _host_lines(logs: pl.DataFrame, hosts: pl.DataFrame) -> pl.DataFrame:
    """Per host (``host``, null: unknown), the first (``_lines``) and last
    (``_last``) line its logs hold: ``logs``, the inputs that are no
    :func:`_documents` and name one host at most; ``hosts``:
    epochs.fallback_hosts (source, _fallback).

    A log none of whose lines is an event (a day of heartbeats, before the
    burst's) has no placed host: it is its folder's, else the bundle's only
    one (Z237: a whole day of the gateway's file log left out of its uptime)."""
    folder = pl.col("source").str.replace(r"[^/]*$", "")
    placed = logs.join(hosts, on="source", how="left").with_columns(
        _folder=folder, _unplaced=~pl.col("source").is_in(hosts.get_column("source").implode())
    )
    named = placed.filter(~pl.col("_unplaced") & pl.col("_fallback").is_not_null())
    by_folder = named.group_by("_folder").agg(
        _theirs=pl.when(pl.col("_fallback").n_unique() == 1).then(pl.col("_fallback").first())
    )
    only = named.get_column("_fallback").unique()
    return (
        placed.join(by_folder, on="_folder", how="left")
        .with_columns(
            _fallback=pl.when(pl.col("_unplaced"))
            .then(pl.coalesce("_theirs", pl.lit(only[0] if only.len() == 1 else None)))
            .otherwise(pl.col("_fallback"))
        )
        .group_by(host=pl.col("_fallback"))
        .agg(_lines=pl.col("first").min(), _last=pl.col("last").max())
    )


def _lines_around(epoch_table: pl.DataFrame, per_host: pl.DataFrame) -> pl.DataFrame:
    """The epochs, stretched to the lines their host's logs hold (``per_host``,
    :func:`_host_lines`): a log's first and last lines may be noise, and the
    process ran then.  The process already running when the bundle begins,
    known only from its first event (a lower bound), started no later than its
    host's first line; the one still running when it ends ran at least until
    its host's last line (the hours of uptime the logs cover)."""
    before = pl.col("opened_by") == "before_bundle"
    earlier = (
        before
        & (pl.col("start_source") == "first_line")
        & (pl.col("_lines") < pl.col("start")).fill_null(False)
    )
    later = pl.col("end").is_null() & pl.col("ended_by").is_null()
    return (
        epoch_table.join(per_host, on="host", how="left", nulls_equal=True)
        .with_columns(
            start=pl.when(earlier).then(pl.col("_lines")).otherwise(pl.col("start")),
            # Its host's logs begin there, whatever its start came from (an
            # uptime report): an incident 19 quiet minutes in is seen whole
            # (Z199: "may have begun earlier", by its first event's time).
            first_line=pl.when(before & (pl.col("_lines") < pl.col("first_line")).fill_null(False))
            .then(pl.col("_lines"))
            .otherwise(pl.col("first_line")),
            # Its process began then too (a process_start after its epoch's start
            # was the first event's time, left behind).
            process_start=pl.when(earlier & (pl.col("process_start") > pl.col("_lines")))
            .then(pl.col("_lines"))
            .otherwise(pl.col("process_start")),
        )
        .with_columns(
            last_line=pl.when(later)
            .then(pl.max_horizontal("last_line", "_last"))
            .otherwise(pl.col("last_line"))
        )
        .drop("_lines", "_last")
    )


def correlate(
    events: pl.DataFrame,
    settings: Settings,
    coverage: Coverage | None = None,
    generated_at: datetime | None = None,
    known: Annotation | None = None,
    activity: pl.DataFrame | pl.LazyFrame | None = None,
    memo: Memo = computed,
    whole_memo: Memo = computed,
) -> Findings:
    """Run the correlator stages over an event table and collect their results.

    ``events`` is the table, or its detail part with ``activity`` beside it
    (lockforensics/activity.py).  Each stage reads the one table lazily and
    its result is collected before the next stage reads it: the stages read
    their inputs several times, and one lazy plan for the whole chain repeats
    every shared sub-plan (it grows with every reuse).
    ``known``: the table's annotation, when an earlier run computed it.
    ``memo`` keeps what the rows in scope alone decide (runs, writers, counts)
    for another report with other options, ``whole_memo`` what the whole table
    decides whatever the scope (what cleared what, the locks seen held).
    """
    activity = empty_activity().lazy() if activity is None else activity.lazy()
    found = known or annotation(events, activity)
    epoch_table = found.epochs
    all_epochs = epoch_table
    # The activity rows and their annotation are one file: a stage's filter
    # reaches its rows before any is read.  Beside each other by position (two
    # files), every stage read every row of both (busy 2 GB: 535 MB at failures).
    parts = (events.with_columns(found.detail.get_columns()).lazy(), found.activity)
    table = whole(*parts)
    limited = settings.scoped
    lazy = scope.in_scope(table, settings, all_epochs) if limited else table
    # The same rows in no order, for aggregates and for the stages that put
    # what they read in the table's order themselves (frames.ordered): merging
    # the two parts first cost more than sorting the few rows each one keeps.
    # A part's rows are stored in that order, detail before activity, so
    # equal keys come out as they do in the merge.
    every = whole(*parts, ordered=False)
    bundle_hosts = _with_folder_hosts(
        (*_distinct(every, "host", whole_memo), *all_epochs.get_column("host").drop_nulls()),
        coverage,
    )
    if settings.host is not None and settings.host not in bundle_hosts:
        raise scope.no_such_host(settings.host, bundle_hosts)
    rows = scope.in_scope(every, settings, all_epochs) if limited else every
    # An uptime event timed at the process's start says when it began, not
    # that the logs cover the weeks since; nor does a lock file's createdAt.
    # Nor does a command's output before the logs begin (a cron's `sessions
    # cleanup` log going back weeks: Z149's window and rate were twice theirs),
    # unless the bundle holds nothing else; one after them (a doctor, a
    # census at collection) looked at the gateway's state then.
    seen = pl.col("ts").filter(~UNCOVERED)
    # (A document is a row of the detail part, never a high-volume one.)
    documents = _documents(events).get_column("source").implode()
    logged = pl.col("ts").filter(~UNCOVERED & ~pl.col("source").is_in(documents))
    bounds = rows.select(first=pl.coalesce(logged.min(), seen.min()), last=seen.max())
    first, last = memo("bounds", bounds.collect).row(0)
    if coverage is not None:
        # The time the logs cover: their first and last lines, not only their
        # events, on each side no filter bounds (the baseline rate divides by it).
        lines_first, lines_last = coverage.lines_span
        if settings.since is None:
            first = min((t for t in (first, lines_first) if t is not None), default=None)
        if settings.until is None:
            last = max((t for t in (last, lines_last) if t is not None), default=None)
    start = settings.since or first
    end = settings.until or last
    window_start = start if isinstance(start, datetime) else None
    window_end = end if isinstance(end, datetime) else None
    if limited:
        kept = rows.select(pl.col("epoch").unique()).collect().get_column("epoch")
        epoch_table = epoch_table.filter(pl.col("epoch").is_in(kept.implode()))

    # Incidents are found over the whole bundle and keep those ids in scope (stable ids).
    epoch_starts = all_epochs.lazy().select("epoch", "start")
    every_failure = memo("failures_all", lambda: failures.failures(every, epoch_starts).collect())
    in_scope = (
        memo("failures", lambda: failures.failures(rows, epoch_starts).collect())
        if limited
        else every_failure
    )
    # Every epoch's host, not only those in scope: a failure naming none is on
    # its epoch's host's timeline whatever the filters (Z233: under --host, the
    # other hosts' failures fell on one timeline of no host, and the ids moved).
    whole_clusters = incidents.cluster(
        every_failure.lazy(), settings.gap_s, all_epochs.lazy().select("epoch", "host")
    )
    # A failure's version is its line's, else its gateway epoch's.
    clustered = (
        incidents.renumber(in_scope.lazy(), whole_clusters)
        .pipe(scope.on_host, settings.host)
        .join(
            epoch_table.lazy().select("epoch", _version="version"),
            on="epoch",
            how="left",
            maintain_order="left",
        )
        .with_columns(version=pl.coalesce("version", "_version"))
        .drop("_version")
        .pipe(failures.with_remote_owners, all_epochs.lazy())
        .pipe(failures.with_earlier_owners, all_epochs.lazy())
        .collect()
    )
    starts = evidence_start.host_starts(all_epochs.lazy()).collect()
    # A takeover's precursor is looked for in the whole bundle, as what cleared
    # an incident is: its lock error may lie just before --since.
    pairs = alignment.pairs(whole_clusters if limited else clustered.lazy(), settings.window_s)
    if limited:
        shown = clustered.lazy().select(takeover=pl.col("occurrence"))
        pairs = pairs.join(shown, on="takeover", how="semi", maintain_order="left")
    pair_table = evidence_start.precursors_unseen(
        pairs, clustered.lazy(), starts.lazy(), settings.window_s
    ).collect()
    lock_table = alignment.followups(
        clustered.lazy(), pair_table.lazy(), settings.window_s
    ).collect()
    aligned = alignment.summary(pair_table.lazy(), lock_table.lazy()).collect().row(0, named=True)
    run_table = memo("runs", lambda: runs.runs(lazy, in_order=True).collect())
    lock_table = alignment.holders(lock_table.lazy(), clustered.lazy(), run_table.lazy()).collect()
    # What cleared an incident is read from the whole bundle, whatever part of
    # it a window shows: a run's timeout just past --until cleared it, not a
    # restart days later that the incident's epoch ends with.
    every_run = (
        whole_memo("runs", lambda: runs.runs(table, in_order=True).collect())
        if limited
        else run_table
    )
    clear_table = whole_memo(
        "clears",
        lambda: resolution.clears(every, every_run.lazy(), all_epochs.lazy()).collect(),
    )
    # Its rows come out sorted, so the unordered table gives the same frame
    # without a merge of every row.
    held = whole_memo("lock_observations", lambda: resolution.observations(every).collect())
    # Both at once: they share the search for each target's first clears, which
    # two collects made twice (a clear per successful run: busy 1 GB, 0.07 s each).
    resolved, per_kind = pl.collect_all(
        resolution.resolve(clustered.lazy(), clear_table.lazy(), held.lazy(), all_epochs.lazy())
    )
    # Where a host's logs end while its failures still came, what came after is unseen.
    logs_end = coverage.logs_end if coverage is not None else Coverage().logs_end
    ends = evidence_end.open_at_end(whole_clusters, logs_end.lazy(), settings.gap_s)
    # A window (--since/--until/--agent) may cut an incident: how many of its
    # failures the whole bundle holds says so.
    in_bundle = whole_clusters.group_by("incident").agg(
        occurrences_in_bundle=pl.len().cast(pl.Int64)
    )
    incident_table = (
        incidents.with_process_uptime(incidents.table(clustered.lazy()), epoch_table.lazy())
        .pipe(evidence_start.incidents_cut, starts.lazy(), settings.gap_s)
        .join(resolved.lazy(), on="incident", how="left")
        .pipe(evidence_end.incidents_open, ends, settings.gap_s)
        .with_columns(
            watchdog_unseen=pl.col("watchdog_unseen")
            & ~pl.lit(_releases_in_file_logs(events))
            & ~pl.col("incident").is_in(_released_in_view(clustered, every).implode())
        )
        .pipe(_held_throughout, held.lazy())
        .join(in_bundle, on="incident", how="left")
        .join(
            alignment.incident_holders(lock_table.lazy(), clustered.lazy()),
            on="incident",
            how="left",
        )
        .sort("incident")
        .collect()
    )
    writer_lines = memo("writer_lines", lambda: triggers.writers(rows, run_table.lazy()).collect())
    debug_lines = memo("debug_lines", lambda: triggers.debug_lines(rows).collect())
    status, writers = triggers.triggers(
        writer_lines.lazy(),
        debug_lines.lazy(),
        clustered.lazy(),
        run_table.lazy(),
        settings.window_s,
    )
    rates = pl.concat(
        [
            frequency.rates(
                clustered.lazy(),
                incident_table.lazy(),
                window_start,
                window_end,
                coverage.unseen if coverage is not None else (),
            ),
            evidence_start.lone_at_edges(
                clustered.lazy(), starts.lazy(), logs_end.lazy(), settings.gap_s
            ),
        ],
        how="horizontal",
    )
    # A start's side line alone (`agent model:`, `heartbeat started` mid-run) is
    # no start, as the epochs have it (epochs.transitions); nor is a restart
    # asked for and never done (`config change requires gateway restart`, then
    # `systemctl restart`: Z170 counted a restart of none).
    phase = pl.col("phase")
    side_line = (
        ((pl.col("kind") == EventKind.GATEWAY_START) & phase.is_in(epochs.SIDE_OF_A_START))
        | ((pl.col("kind") == EventKind.GATEWAY_RESTART) & phase.is_in(epochs.NOT_A_TRANSITION))
    ).fill_null(False)
    kind_counts = (
        rows.filter(~side_line).group_by("kind").agg(pl.col("occurrence").n_unique()).sort("kind")
    )
    counts = dict(memo("kind_counts", kind_counts.collect).iter_rows())
    bundle_kinds = (
        whole_memo("kinds", lambda: every.filter(~side_line).select("kind").unique().collect())
        .get_column("kind")
        .drop_nulls()
        .to_list()
        if limited
        else []
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
            # Per host: a host restored from another's state snapshot shares its ids.
            # (A failure naming no host is its epoch's, as it was clustered.)
            sessions=locks.filter(pl.col("session_id").is_not_null())
            .select(pl.coalesce("gateway_host", "host"), "session_id")
            .n_unique(),
            days=(window_end - window_start).total_seconds() / 86400
            if window_start and window_end
            else 0.0,
            incidents=incident_table.height,
            with_lock_precursor=int(aligned["with_lock_precursor"]),
            session_lag_s_p50=aligned["session_lag_s_p50"],
        ),
        # Every kind the whole bundle holds, 0 where the window holds none: a
        # filter changes a count, never which counts there are (Z203: a key
        # missing under --agent).
        counts={
            kind: int(counts.get(kind, 0))
            for kind in sorted({*counts, *HEADLINE_KINDS, *bundle_kinds})
        },
        events=lazy,
        epochs=epoch_table,
        failures=clustered,
        pairs=pair_table,
        lock_errors=lock_table,
        alignment={**aligned, "window_s": settings.window_s},
        incidents=incident_table,
        resolutions=per_kind,
        frequency=frequency.frequency(clustered.lazy()).collect(),
        rates=rates.collect().row(0, named=True),
        triggers=status.collect(),
        trigger_writers=writers.collect(),
        stuck_alive=stuck.stuck_alive(clustered.lazy()).collect(),
        held_locks=held_locks.held_at_collection(
            rows, epoch_table.lazy(), clustered.lazy()
        ).collect(),
        evidence=incidents.evidence(lazy, clustered.lazy(), incident_table.lazy()).collect(),
        hosts=tuple(
            h
            for h in _with_folder_hosts(_distinct(rows, "host", memo), coverage)
            if settings.host in (None, h)
        ),
        versions=_versions(rows, epoch_table, memo),
        coverage=coverage or Coverage(),
        bundle_hosts=bundle_hosts,
    )


#: The columns the annotating stages read: epochs.epochs, epochs.placed and
#: identity.linked.  They sort and join the table, and on a busy bundle a copy of
#: every column costs several times the table itself; so each runs on its own
#: columns alone, and their new columns are put back beside the rest (row
#: order is kept by ``_row``).
_EPOCH_INPUT = (
    "ts", "source", "line", "hit", "kind", "phase", "host", "gateway_pid", "spawned_pid",
    "pid", "owner_alive", "uptime_ms", "timeout_ms", "occurrence", "version", "channel",
)  # fmt: skip
_TIMING_INPUT = (
    "ts", "source", "line", "hit", "kind", "host", "gateway_pid", "occurrence", "channel",
)  # fmt: skip
_IDENTITY_INPUT = (
    "ts",
    "kind",
    "source",
    "host",
    "session_id",
    "session_key",
    "session_is_placeholder",
)
_ANNOTATE_INPUT = tuple(dict.fromkeys(_EPOCH_INPUT + _IDENTITY_INPUT))


#: The columns epochs and session identity add to (or fill in) the event table.
ANNOTATION_SCHEMA = pl.Schema(
    {"gateway_pid": EVENT_SCHEMA["gateway_pid"], **EPOCH_COLUMNS, **IDENTITY_COLUMNS}
)
#: Rows annotated at a time.  What a row's columns need of the others is small
#: (epochs.placement, identity.links), and a batch's working set follows its
#: rows (with the activity rows' own columns, which go to the same file).  On
#: the busy 1 GB bundle's cached table this stage peaked at 340-360 MB with
#: 2^17 rows a batch and 280-310 MB with 2^16, for 2.0 against 2.3 s.
ANNOTATION_ROWS = 1 << 16


def _released_in_view(clustered: pl.DataFrame, events: pl.LazyFrame) -> pl.Series:
    """The incidents a watchdog release of one of their sessions, from their start
    on, is in view for: stderr was captured then (a chat's journal paste whose
    failure line was the paste's repeat, set aside: Z198)."""
    released = events.filter(
        (pl.col("kind") == EventKind.LOCK_RELEASED_BY_WATCHDOG) & pl.col("ts").is_not_null()
    ).select(session_id=pl.col("session"), released=pl.col("ts"))
    hit = clustered.lazy().filter(pl.col("incident").is_not_null())
    starts = hit.group_by("incident").agg(start=pl.col("ts").min())
    return (
        hit.filter(pl.col("session_id").is_not_null())
        .select("incident", "session_id")
        .unique()
        .join(starts, on="incident")
        .join(released, on="session_id")
        .filter(pl.col("released") >= pl.col("start"))
        .select("incident")
        .unique()
        .collect()
        .get_column("incident")
    )


def _held_throughout(table: pl.LazyFrame, held: pl.LazyFrame) -> pl.LazyFrame:
    """``watchdog_unseen`` false where every session the incident left open has a
    lock file at collection taken before the incident began: no release, by the
    watchdog or anything, came between (Z227: "a release may have cleared it"
    beside its lock held at collection since before its first failure)."""
    kept = held.filter(pl.col("observed_at").is_null() & pl.col("acquired_at").is_not_null())
    throughout = (
        table.select("incident", "start", target=pl.col("open_targets"))
        .explode("target")
        .join(kept.select("session_id", "acquired_at"), left_on="target", right_on="session_id")
        .filter(pl.col("acquired_at") <= pl.col("start"))
        .group_by("incident")
        .agg(_held=pl.col("target").n_unique())
    )
    return (
        table.join(throughout, on="incident", how="left")
        .with_columns(
            watchdog_unseen=pl.col("watchdog_unseen")
            & ~(pl.col("_held") == pl.col("open_targets").list.len()).fill_null(False)
        )
        .drop("_held")
    )


def _releases_in_file_logs(events: pl.DataFrame) -> bool:
    """Whether a file log (or `openclaw logs`, which prints it) holds the lock
    watchdog's releases: 2026.1-2026.2 wrote them with `console.warn`, which the
    file log records, so its incidents need no console capture to show one
    (Z188: "a release could not show" beside a release read from the file log)."""
    released = (pl.col("kind") == EventKind.LOCK_RELEASED_BY_WATCHDOG) & pl.col("channel").is_in(
        ["file", CLI_CHANNEL]
    )
    return bool(events.select(released.fill_null(False).any()).item())


def annotation(
    events: pl.DataFrame, activity: pl.DataFrame | pl.LazyFrame | None = None
) -> Annotation:
    """Epochs of the table (or its two parts) and the columns they give every row."""
    epoch_table = _epochs_of(_annotation_input(events, activity))
    made = _Annotating(events, activity, epoch_table)
    return Annotation(epoch_table, made.detail(), made.activity().collect().lazy())


def _annotation_input(
    events: pl.DataFrame, activity: pl.DataFrame | pl.LazyFrame | None
) -> list[pl.LazyFrame]:
    """The columns annotating reads, of the detail part then the activity part, with
    one schema.  Lazy: each stage copies only the columns it reads."""
    parts = [events.lazy()] + ([as_events(activity.lazy())] if activity is not None else [])
    chosen = [p.select([c for c in _ANNOTATE_INPUT if c in p.collect_schema()]) for p in parts]
    schema = pl.concat(chosen, how="diagonal_relaxed").collect_schema()
    return [conform(part, schema) for part in chosen]


def _epochs_of(parts: list[pl.LazyFrame], gaps: pl.DataFrame | None = None) -> pl.DataFrame:
    rows = pl.concat(parts).select(_EPOCH_INPUT)
    # No hole, no pass over every row for what came after one.
    after = None if gaps is None or gaps.is_empty() else gaps.lazy()
    return epochs.epochs(rows, after).collect()


class _Annotating:
    """The annotation of a table's two parts, made ANNOTATION_ROWS at a time.

    What a row's columns need of the other rows (epochs.placement,
    identity.links) is worked out once, when first asked for.
    """

    def __init__(
        self,
        detail: pl.DataFrame,
        activity: pl.DataFrame | pl.LazyFrame | None,
        epoch_table: pl.DataFrame,
    ) -> None:
        self._detail = detail
        self._activity = empty_activity().lazy() if activity is None else activity.lazy()
        self._epochs = epoch_table
        self._input = _annotation_input(detail, self._activity)
        self._context: tuple[epochs.Placement, identity.Links] | None = None

    def _columns(self, rows: pl.DataFrame) -> pl.DataFrame:
        """ANNOTATION_SCHEMA's columns of ``rows`` (of either part, typed as events)."""
        if self._context is None:
            whole = pl.concat(self._input)
            place = epochs.placement(whole.select(_TIMING_INPUT), self._epochs.lazy())
            self._context = (place, identity.links(whole.select(_IDENTITY_INPUT), place.hosts))
        return _annotated(conform(rows.lazy(), self._input[0].collect_schema()), *self._context)

    def detail(self) -> pl.DataFrame:
        """The detail rows' columns (a few per lock event: held)."""
        batches = [
            self._columns(self._detail.slice(start, ANNOTATION_ROWS))
            for start in range(0, self._detail.height, ANNOTATION_ROWS)
        ]
        return pl.concat(batches) if batches else pl.DataFrame(schema=ANNOTATION_SCHEMA)

    def activity(self) -> pl.LazyFrame:
        """The activity rows with their columns beside them, as a sink pulls them."""
        stored = self._activity.collect_schema()
        kept = pl.Schema({n: t for n, t in stored.items() if n not in ANNOTATION_SCHEMA})

        # Only the columns read are decoded to the table's types: the stored
        # ones keep their codes (a batch's strings cost 40 MB).
        read = [c for c in _ANNOTATE_INPUT if c in stored]

        def batches() -> Iterator[pl.DataFrame]:
            height = self._activity.select(pl.len()).collect().item()
            for start in range(0, height, ANNOTATION_ROWS):
                rows = self._activity.slice(start, ANNOTATION_ROWS).collect()
                columns = self._columns(as_events(rows.lazy().select(read)).collect())
                yield rows.select(kept.names()).hstack(columns.get_columns())

        return pulled(batches, pl.Schema({**kept, **ANNOTATION_SCHEMA}))


def annotate(events: pl.DataFrame, epoch_table: pl.DataFrame) -> pl.DataFrame:
    """The table with epoch, uptime and linked-session columns."""
    columns = _Annotating(events, None, epoch_table).detail()
    return events.with_columns(columns.get_column("gateway_pid")).hstack(
        columns.drop("gateway_pid").get_columns()
    )


def _annotated(
    events: pl.LazyFrame, place: epochs.Placement, found: identity.Links
) -> pl.DataFrame:
    """ANNOTATION_SCHEMA's columns for every row of ``events``, in its order."""
    rows = events.with_row_index("_row")
    timing = epochs.placed(place, rows.select("_row", *_TIMING_INPUT))
    # linked keeps its input's row order; the session of a row does not depend on it.
    session = identity.linked(found, rows.select("_row", *_IDENTITY_INPUT))
    # One after the other, not in one collect_all: together, the two stages'
    # working sets stood at once.
    times = timing.select("_row", "gateway_pid", *EPOCH_COLUMNS.names()).sort("_row").collect()
    sessions = session.select(IDENTITY_COLUMNS.names()).collect()
    count = events.select(pl.len()).collect()
    if times.height != count.item():  # pragma: no cover - the stages keep every row
        raise AssertionError("annotation changed the number of events")
    return times.drop("_row").hstack(sessions.get_columns())


def _with_folder_hosts(hosts: tuple[str, ...], coverage: Coverage | None) -> tuple[str, ...]:
    """The hosts lines name, and those that logs set apart took from their folders."""
    folders = coverage.folder_hosts if coverage is not None else ()
    return tuple(sorted({*hosts, *folders}, key=_release_order))


def _distinct(frame: pl.LazyFrame, column: str, memo: Memo) -> tuple[str, ...]:
    """The column's values, in release order for versions (2026.6.5 before 2026.6.12)."""
    values = memo(f"distinct_{column}", frame.select(pl.col(column).drop_nulls().unique()).collect)
    return tuple(sorted((str(v) for v in values.get_column(column)), key=_release_order))


def _versions(rows: pl.LazyFrame, epoch_table: pl.DataFrame, memo: Memo) -> tuple[str, ...]:
    """The versions the rows name, and those of the gateways they ran under: a
    window (--since/--until) past the banner keeps its gateway's version (Z156:
    `OpenClaw unknown` beside an epoch of 2026.8.14)."""
    epochs = memo("distinct_epoch", rows.select(pl.col("epoch").drop_nulls().unique()).collect)
    theirs = epoch_table.join(epochs, on="epoch").get_column("version").drop_nulls()
    named = {*_distinct(rows, "version", memo), *(str(v) for v in theirs)}
    return tuple(sorted(named, key=_release_order))


def _release_order(value: str) -> tuple[tuple[int, int | str], ...]:
    """`2026.6.12` after `2026.6.5`: the numbers as numbers, anything else as text after them."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in value.split("."))


def _generated_at() -> datetime:
    """The report's own time: SOURCE_DATE_EPOCH when set (reproducible builds), else now."""
    fixed = os.environ.get("SOURCE_DATE_EPOCH")
    if fixed and fixed.isdigit():
        return datetime.fromtimestamp(int(fixed), tz=UTC)
    return datetime.now(tz=UTC)
