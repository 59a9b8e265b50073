"""A zone-less input's zone, read off the records another input holds stamped.

A journal in ``journalctl``'s default format writes the host's local time with
no zone, and so do the pretty consoles; the same host's file log writes the
same records with their instant (``Z`` until ~2026.3, an offset later).  When
the bundle holds both, the journal's local time minus the file log's instant
is the journal's UTC offset, record by record: better evidence than the zone
most other stamps in the bundle show, which may be another host's (a
container in UTC beside a host in Chicago).

Records are matched on kind and message, among the kinds that are not
high-volume activity (lock errors, takeovers, lifecycle lines: what a zone
error would misplace, and few).  A message may repeat, so every pair of one
message votes for its offset, rounded to the quarter hour every real zone is
a multiple of (within ``TOLERANCE``); an offset is taken when at least
``MIN_VOTES`` pairs agree and it has at least twice the votes of any other.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

import polars as pl

from lockforensics.parsing.filescan import FileScan
from lockforensics.parsing.timestamps import ZoneChoice, format_offset, zone_from_offset
from lockforensics.schema import ACTIVITY_KINDS, TimeQuality

MIN_VOTES = 2
#: Pairs counted per message: a message repeated thousands of times in both
#: inputs would otherwise cost the square of it.
MAX_PAIRS = 2_500
_QUARTER = 15 * 60
#: How far apart one record's two stamps may be (the journal stamps a line when
#: it receives it; clocks are read a moment apart).
TOLERANCE = timedelta(seconds=60)
#: Real zones lie within UTC-12 and UTC+14.
_RANGE = (timedelta(hours=-12), timedelta(hours=14))

Key = tuple[str, str]


def _key(row: dict[str, Any]) -> Key | None:
    """A record's (kind, message), when it is of a kind matched here."""
    kind, message = row.get("kind"), row.get("message")
    if isinstance(kind, str) and isinstance(message, str) and kind not in ACTIVITY_KINDS:
        return kind, message
    return None


def _timed(scan: FileScan) -> Iterator[tuple[Key, datetime]]:
    """(kind, message) and instant of every explicitly stamped, non-activity record."""
    explicit = TimeQuality.EXPLICIT.value
    for row in scan.rows:
        key, ts = _key(row), row.get("ts")
        if key and isinstance(ts, datetime) and row.get("ts_quality") == explicit:
            yield key, ts
    for frame in scan.frames:
        if "message" not in frame.columns:
            continue
        stamped = frame.filter(
            pl.col("ts").is_not_null()
            & pl.col("message").is_not_null()
            & ~pl.col("kind").is_in(sorted(ACTIVITY_KINDS))
            & (pl.col("ts_quality") == explicit)
        )
        for kind, message, ts in stamped.select("kind", "message", "ts").iter_rows():
            yield (kind, message), ts


def _local(scan: FileScan) -> dict[Key, list[datetime]]:
    """(kind, message) → local times of the input's zone-less records."""
    out: dict[Key, list[datetime]] = defaultdict(list)
    for row in scan.rows:
        key, local = _key(row), row.get("_local")
        if key and isinstance(local, datetime):
            out[key].append(local)
    return out


def _offset(local: datetime, instant: datetime) -> timedelta | None:
    """``local - instant`` as a real zone's offset: within ``TOLERANCE`` of a quarter
    hour (one record's two stamps are taken a moment apart), from UTC-12 to UTC+14.
    Two different records of one message lie anywhere apart, and seldom that close
    to a quarter hour: their pair votes for no zone."""
    seconds = (local - instant.replace(tzinfo=None)).total_seconds()
    quarters = round(seconds / _QUARTER)
    if abs(seconds - quarters * _QUARTER) > TOLERANCE.total_seconds():
        return None
    offset = timedelta(seconds=quarters * _QUARTER)
    return offset if _RANGE[0] <= offset <= _RANGE[1] else None


def matched_zones(scans: Sequence[FileScan]) -> dict[str, ZoneChoice]:
    """Per zone-less input whose records another input holds stamped, its zone."""
    wanted = {scan.source: local for scan in scans if (local := _local(scan))}
    if not wanted:
        return {}
    stamped: dict[Key, list[tuple[str, datetime]]] = defaultdict(list)
    for scan in scans:
        for key, ts in _timed(scan):
            stamped[key].append((scan.source, ts))
    found: dict[str, ZoneChoice] = {}
    for source, local in wanted.items():
        votes: Counter[timedelta] = Counter()
        witnesses: Counter[tuple[timedelta, str]] = Counter()
        for key, times in local.items():
            others = [(s, ts) for s, ts in stamped.get(key, ()) if s != source]
            pairs = ((t, s, ts) for t in times for s, ts in others)
            for _, (t, other, ts) in zip(range(MAX_PAIRS), pairs, strict=False):
                if (offset := _offset(t, ts)) is not None:
                    votes[offset] += 1
                    witnesses[(offset, other)] += 1
        ranked = votes.most_common(2)
        if not ranked or ranked[0][1] < MIN_VOTES:
            continue
        (best, n), runner_up = ranked[0], ranked[1][1] if len(ranked) > 1 else 0
        if n >= 2 * runner_up:
            witness = max((c, o) for (off, o), c in witnesses.items() if off == best)[1]
            found[source] = zone_from_offset(
                best,
                f"the same records stamped in {witness} ({n} matched at {format_offset(best)})",
            )
    return found
