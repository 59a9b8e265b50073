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
A capture across a DST change votes for two offsets, each over its own span
of instants: when the two leading offsets have ``MIN_VOTES`` each and an IANA
zone gives each its offset over its span (zone_rules.named_zone), that zone
is taken, so the records on each side of the change are read in their own
offset (a journal of Adelaide's October night had the hour before the
change read at the offset after it, outvoted two to one).

A `ps` row's start (``lstart``: local time, no zone) is matched the same way
to the start line naming its pid (``listening … (PID n)``), which the process
writes once it has booted: at most ``BOOT`` after the start `ps` shows, never
before it.  One such pair is one process's start seen twice, so it counts as
``MIN_VOTES``, unless the pid may be another process's too: the bundle holds
several starts of it, or it is a container's low pid, the same in each of
its restarts (Z239: -03:30 from a later container's start).  (Z234: a pasted
`ps` read as UTC beside a 2026.2 file log's `Z` stamps, its gateway's start
and every uptime an hour off.)

The same matching dates records that carry a time of day and nothing else
(:func:`dated_by_match`): the stamped copy says which day it was.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, timezone
from itertools import pairwise
from typing import Any

import polars as pl

from lockforensics.ingest.zone_rules import named_zone
from lockforensics.parsing.filescan import FileScan
from lockforensics.parsing.literals import PS_STARTED
from lockforensics.parsing.timestamps import (
    MIDNIGHT_S,
    ZoneChoice,
    clock_of,
    format_offset,
    seconds_of_day,
    zone_from_offset,
)
from lockforensics.schema import ACTIVITY_KINDS, EventKind, TimeQuality

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
#: The most a gateway's start line comes after its process began (Node's boot,
#: plugins loading: seconds, a minute on a slow host).
BOOT = timedelta(minutes=2)
#: Pids below this are a container's (its init is 1, its gateway a few more),
#: the same in every restart of it: its one start line in a bundle may be
#: another container's (Z239: a listing's pid 1 read against the next
#: container's start, -03:30).
_REUSED_PIDS = 100
#: How far apart two copies of one start line may be stamped.
_COPIES_APART = timedelta(seconds=2)
#: The key of a process start: a `ps` row's, or the start line naming its pid.
_STARTED = "process start"
_START_LINE = EventKind.GATEWAY_START.value

Key = tuple[str, str]


def _key(row: dict[str, Any]) -> Key | None:
    """A record's (kind, message), when it is of a kind matched here; a `ps` row's,
    its process's start (``_STARTED``, pid)."""
    kind, message, pid = row.get("kind"), row.get("message"), row.get("gateway_pid")
    if isinstance(pid, int) and row.get("phase") == PS_STARTED:
        return _STARTED, str(pid)
    if isinstance(kind, str) and isinstance(message, str) and kind not in ACTIVITY_KINDS:
        return kind, message
    return None


def _timed(scan: FileScan) -> Iterator[tuple[Key, datetime]]:
    """(kind, message) and instant of every explicitly stamped, non-activity record,
    and, for a start line naming its pid, that process's start too (``_STARTED``)."""
    explicit = TimeQuality.EXPLICIT.value
    for row in scan.rows:
        key, ts = _key(row), row.get("ts")
        if key and isinstance(ts, datetime) and row.get("ts_quality") == explicit:
            yield key, ts
            if key[0] == _START_LINE and isinstance(pid := row.get("gateway_pid"), int):
                yield (_STARTED, str(pid)), ts
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
        if "gateway_pid" in frame.columns:
            starts = frame.filter(
                (pl.col("kind") == _START_LINE)
                & pl.col("gateway_pid").is_not_null()
                & pl.col("ts").is_not_null()
                & (pl.col("ts_quality") == explicit)
            )
            for pid, ts in starts.select("gateway_pid", "ts").iter_rows():
                yield (_STARTED, str(pid)), ts


#: Per (kind, message), the inputs and instants of its stamped records.
Stamped = dict[Key, list[tuple[str, datetime]]]


def stamped_records(scans: Sequence[FileScan]) -> Stamped:
    """Every input's explicitly stamped records, by (kind, message); none when no
    input has zone-less ones to match (the only reason to look)."""
    stamped: Stamped = defaultdict(list)
    if any(_local(scan) for scan in scans):
        for scan in scans:
            for key, ts in _timed(scan):
                stamped[key].append((scan.source, ts))
    return stamped


def twin_instants(stamped: Stamped, row: dict[str, Any]) -> list[datetime]:
    """The instants of ``row``'s stamped copies (its record's, in any input)."""
    key = _key(row)
    return [ts for _, ts in stamped.get(key, ())] if key is not None else []


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


#: What the pairs matched, by whether all were `ps` starts.
_WHAT = {
    False: "the same records stamped in",
    True: "the start lines of the processes `ps` lists, in",
}


def _several(instants: Iterable[datetime]) -> bool:
    """Whether ``instants`` are two starts or more, not one start's copies (a
    journal's and the file log's, a second or so apart)."""
    ordered = sorted(instants)
    return any(b - a > _COPIES_APART for a, b in pairwise(ordered))


def _start_offset(local: datetime, instant: datetime) -> timedelta | None:
    """``local - instant`` as a real zone's offset, for a process's start (``local``,
    to the second) and its start line (``instant``), written up to ``BOOT`` later."""
    seconds = (local - instant.replace(tzinfo=None)).total_seconds()
    quarters = round((seconds + BOOT.total_seconds() / 2) / _QUARTER)
    ahead = seconds - quarters * _QUARTER
    if not -BOOT.total_seconds() <= ahead < 1:
        return None
    offset = timedelta(seconds=quarters * _QUARTER)
    return offset if _RANGE[0] <= offset <= _RANGE[1] else None


def matched_zones(
    scans: Sequence[FileScan], stamped: Stamped | None = None
) -> dict[str, ZoneChoice]:
    """Per zone-less input whose records another input holds stamped
    (``stamped``: :func:`stamped_records` of ``scans``), its zone."""
    wanted = {scan.source: local for scan in scans if (local := _local(scan))}
    if not wanted:
        return {}
    stamped = stamped_records(scans) if stamped is None else stamped
    hosts = named_hosts(scans)
    found: dict[str, ZoneChoice] = {}
    for source, local in wanted.items():
        votes: Counter[timedelta] = Counter()
        pairs_at: Counter[timedelta] = Counter()  # what was matched, each pair once
        starts_at: Counter[timedelta] = Counter()  # of them, `ps` starts
        witnesses: Counter[tuple[timedelta, str]] = Counter()
        spans: dict[timedelta, tuple[datetime, datetime]] = {}
        # Records first: a `ps` start only where they settle no zone, for its
        # zone may be another clock's than the records beside it (Z198: a
        # Discord export's `ps` outvoted its journal's -04:00).
        for key, times in sorted(local.items(), key=lambda item: item[0][0] == _STARTED):
            start = key[0] == _STARTED
            if start and votes and votes.most_common(1)[0][1] >= MIN_VOTES:
                break
            # A start line beside the `ps` in one paste is another record of it.
            others = [
                (s, ts)
                for s, ts in stamped.get(key, ())
                if (start or s != source) and not _other_host(hosts, source, s)
            ]
            if start and (int(key[1]) < _REUSED_PIDS or _several(ts for _, ts in others)):
                continue  # a container's pid, the same in each restart
            pairs = ((t, s, ts) for t in times for s, ts in others)
            weight, offset_of = (MIN_VOTES, _start_offset) if start else (1, _offset)
            for _, (t, other, ts) in zip(range(MAX_PAIRS), pairs, strict=False):
                if (offset := offset_of(t, ts)) is not None:
                    votes[offset] += weight
                    pairs_at[offset] += 1
                    starts_at[offset] += start
                    witnesses[(offset, other)] += weight
                    first, last = spans.get(offset, (ts, ts))
                    spans[offset] = (min(first, ts), max(last, ts))
        ranked = votes.most_common(2)
        if not ranked or ranked[0][1] < MIN_VOTES:
            continue
        (best, n), runner_up = ranked[0], ranked[1][1] if len(ranked) > 1 else 0
        changed = _changed_zone(ranked, spans, witnesses)
        if changed is not None:
            found[source] = changed
        elif n >= 2 * runner_up:
            found[source] = zone_from_offset(
                best,
                f"{_WHAT[starts_at[best] == pairs_at[best]]} {_named(witnesses, [best])} "
                f"({pairs_at[best]} matched at {format_offset(best)})",
            )
    return found


def named_hosts(scans: Sequence[FileScan]) -> dict[str, str]:
    """Per input whose lines name one host (a journal's), that host."""
    found: dict[str, str] = {}
    for scan in scans:
        named = {h for row in scan.rows if isinstance(h := row.get("host"), str) and h}
        if len(named) == 1:
            found[scan.source] = named.pop()
    return found


def _other_host(hosts: dict[str, str], source: str, other: str) -> bool:
    """Whether two inputs name two hosts: the lifecycle lines every gateway of
    one release writes alike (`starting...`, `ready`) are no copies of one
    another's (Z226: Kolkata's journal read at Berlin's restart, -05:15)."""
    mine, theirs = hosts.get(source), hosts.get(other)
    return mine is not None and theirs is not None and mine != theirs


def _named(witnesses: Counter[tuple[timedelta, str]], offsets: Sequence[timedelta]) -> str:
    """Every input holding the matches at ``offsets``, most first: a journal
    spanning two days' file logs matched records of both."""
    ranked = sorted((-c, o) for (off, o), c in witnesses.items() if off in offsets)
    inputs = list(dict.fromkeys(o for _, o in ranked))
    return " and ".join([", ".join(inputs[:-1]), inputs[-1]] if inputs[1:] else inputs)


def _changed_zone(
    ranked: list[tuple[timedelta, int]],
    spans: dict[timedelta, tuple[datetime, datetime]],
    witnesses: Counter[tuple[timedelta, str]],
) -> ZoneChoice | None:
    """The IANA zone whose change between the two leading offsets (each with
    ``MIN_VOTES`` pairs) puts each over the span of instants its pairs show."""
    if len(ranked) < 2 or ranked[1][1] < MIN_VOTES:
        return None
    offsets = [offset for offset, _ in ranked]
    matched = " and ".join(f"{n} at {format_offset(o)}" for o, n in ranked)
    # Its reason reads "the offsets <whose> were written with (<spans>)".
    return named_zone(
        {format_offset(o): spans[o] for o in offsets},
        f"the copies of its records in {_named(witnesses, offsets)} ({matched})",
    )


# ------------------------------------------------------------------ dates

#: A time-only stamp as a console writes it, with or without its offset.
#: What the line reader notes for a time-only stamp it had no date for.
DATE_UNKNOWN = "date unknown"
_DAY = timedelta(days=1)
#: What a DST change moves the clock by (all but Lord Howe Island's half hour).
_HOUR = timedelta(hours=1)


def _day_offsets(clock: time, instant: datetime) -> list[timedelta]:
    """The zone offsets at which ``instant`` reads ``clock`` on some day."""
    utc = instant.astimezone(UTC)
    seconds = (
        datetime.combine(utc.date(), clock) - utc.replace(tzinfo=None)
    ).total_seconds() % 86400
    found = []
    for shift in (seconds - 86400, seconds):
        quarters = round(shift / _QUARTER)
        offset = timedelta(seconds=quarters * _QUARTER)
        close = abs(shift - quarters * _QUARTER) <= TOLERANCE.total_seconds()
        if close and _RANGE[0] <= offset <= _RANGE[1]:
            found.append(offset)
    return found


def dated_by_match(scans: Sequence[FileScan]) -> None:
    """Give time-only records that no date reached the date the same record shows
    stamped in another input.

    A launchd ``gateway.err.log`` in the newest console format (``HH:MM:SS``)
    holds the lock errors with no date, and the ``log file:`` line that dates
    ``gateway.log`` goes to stdout only: left untimed, each of its records was a
    failure of its own beside its file-log copy.  Each matched record takes
    its own day (the offset the matches agree on, as for zones); a record with
    no match takes the day of the dated record above it, one more when its
    clock runs back by over 12 h.  ``ts_assumption`` says so.
    """
    stamped: dict[Key, list[tuple[str, datetime]]] = defaultdict(list)
    hosts: dict[str, str] = {}
    ready = False
    for scan in scans:
        undated = [r for r in scan.rows if r.get("ts_assumption") == DATE_UNKNOWN]
        if not undated:
            continue
        if not ready:
            hosts = named_hosts(scans)
            for other in scans:
                for key, ts in _timed(other):
                    stamped[key].append((other.source, ts))
            ready = True
        # Another host's copies date nothing of this one's (_other_host); an
        # input naming no host has every copy to go by.
        mine = (
            {
                key: [(s, ts) for s, ts in found if not _other_host(hosts, scan.source, s)]
                for key, found in stamped.items()
            }
            if scan.source in hosts
            else stamped
        )
        _date_rows(scan.source, undated, mine)


def _date_rows(
    source: str, rows: list[dict[str, Any]], stamped: dict[Key, list[tuple[str, datetime]]]
) -> None:
    clocks = {id(row): clock_of(row.get("ts_raw")) for row in rows}
    offsets = _day_offset(source, rows, clocks, stamped)
    if not offsets:
        return
    # Per record and offset, the local second each stamped copy reads at, and
    # its day there: a row finds its copy by its own clock, one lookup.
    index: dict[tuple[Key, timedelta], dict[int, tuple[date, str]]] = {}

    def day_of(key: Key, clock: time, offset: timedelta) -> tuple[date, str] | None:
        seconds = index.get((key, offset))
        if seconds is None:
            seconds = index[(key, offset)] = {}
            for other, ts in stamped.get(key, ()):
                if other != source:
                    local = ts.astimezone(UTC).replace(tzinfo=None) + offset
                    seconds.setdefault(seconds_of_day(local.time()), (local.date(), other))
        # The two copies are written a moment apart, maybe across a second.
        at = seconds_of_day(clock)
        return seconds.get(at) or seconds.get(at - 1) or seconds.get(at + 1)

    ordered = sorted(rows, key=lambda r: (r.get("line") or 0, r.get("hit") or 0))
    found: dict[int, tuple[date, str, timedelta]] = {}
    for row in ordered:
        key, clock = _key(row), clocks[id(row)]
        if key is None or clock is None:
            continue
        # Across a clock change the offset of the record matched last comes first:
        # the capture runs on at it until the change.
        tried = [clock[1]] if clock[1] is not None else offsets
        for offset in tried:
            hit = day_of(key, clock[0], offset)
            if hit is not None:
                found[id(row)] = (*hit, offset)
                if offset in offsets:
                    offsets = [offset, *(o for o in offsets if o != offset)]
                break
    if not found:
        return
    day: date | None = None
    last: time | None = None
    first = next(r for r in ordered if id(r) in found)
    above = _days_above(
        ordered[: ordered.index(first)], clocks, found[id(first)][0], clocks[id(first)]
    )
    for row in ordered:
        clock = clocks[id(row)]
        if clock is None:
            continue
        own = clock[1]
        if id(row) in above:
            day = above[id(row)]
            note = (
                "date of the record below it that another input holds stamped, "
                "less a day per midnight its clock shows above it (days unseen may lie between)"
            )
        elif id(row) in found:
            day, witness, offset = found[id(row)]
            note = f"date from the same record stamped in {witness}"
            if own is None and len(offsets) > 1:
                # Two offsets in one capture (its clock changed, DST): the copy's
                # own says which side of the change, and which pass of a repeated hour.
                own = offset
                note += f", at its offset {format_offset(offset)}"
        else:
            assert day is not None  # rows above the first match are in `above`
            if last is not None and seconds_of_day(clock[0]) < seconds_of_day(last) - MIDNIGHT_S:
                day += _DAY
            note = "date of the record above it that another input holds stamped"
        last = clock[0]
        local = datetime.combine(day, clock[0])
        row["ts_assumption"] = note
        row["ts_quality"] = TimeQuality.ASSUMED.value
        if own is not None:
            row["ts"] = local.replace(tzinfo=timezone(own)).astimezone(UTC)
        else:
            row["_local"] = local


#: How far a log appended in time order may step back (a DST change, an NTP step).
_STEP_BACK = timedelta(hours=1).total_seconds()


def _days_above(
    rows: list[dict[str, Any]],
    clocks: dict[int, tuple[time, timedelta | None] | None],
    day: date,
    below: tuple[time, timedelta | None] | None,
) -> dict[int, date]:
    """The day of each row above the first matched record (``day``, its clock
    ``below``), read upward: a clock later than the one under it by more than
    a step back is the day before (Z223: a Friday burst above Monday's match,
    16:44 and 23:38 over 08:13, dated Monday night, after the process died)."""
    days: dict[int, date] = {}
    under = below[0] if below is not None else None
    for row in reversed(rows):
        clock = clocks[id(row)]
        if clock is None:
            continue
        if under is not None and seconds_of_day(clock[0]) > seconds_of_day(under) + _STEP_BACK:
            day -= _DAY
        days[id(row)] = day
        under = clock[0]
    return days


def _day_offset(
    source: str,
    rows: list[dict[str, Any]],
    clocks: dict[int, tuple[time, timedelta | None] | None],
    stamped: dict[Key, list[tuple[str, datetime]]],
) -> list[timedelta]:
    """The offsets at which pairs of a row and a stamped copy of its record read the
    same clock: the one with the most pairs (at least ``MIN_VOTES``, twice any
    other), as for zones; or the two with the most when each has ``MIN_VOTES``
    and they lie an hour apart, a capture across a DST change (a launchd log's
    night of the fall-back).  At most ``MAX_PAIRS`` pairs per record."""
    votes: Counter[timedelta] = Counter()
    budget: Counter[Key] = Counter()
    for row in rows:
        key, clock = _key(row), clocks[id(row)]
        if key is None or clock is None:
            continue
        for other, ts in stamped.get(key, ()):
            if other == source or budget[key] >= MAX_PAIRS:
                continue
            budget[key] += 1
            for offset in _day_offsets(clock[0], ts):
                if clock[1] is None or offset == clock[1]:
                    votes[offset] += 1
    ranked = votes.most_common(2)
    if not ranked or ranked[0][1] < MIN_VOTES:
        return []
    if len(ranked) == 1 or ranked[0][1] >= 2 * ranked[1][1]:
        return [ranked[0][0]]
    (first, _), (second, n) = ranked
    return [first, second] if n >= MIN_VOTES and abs(first - second) == _HOUR else []
