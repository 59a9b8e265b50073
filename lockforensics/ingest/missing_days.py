"""Days a folder of daily file logs lacks.

The gateway names its file log for the day (`openclaw-YYYY-MM-DD.log`,
openclaw-formats §1.1), and a bundle gathered from `/tmp/openclaw/` holds one
per day, some gzip'd or numbered by rotation.  A day with no file between the
first and the last is a hole in the evidence: its failures, restarts and
clears are unseen, and a process seen before it and after it may be several
(Z183: two missing days read as one gateway up 72 h, the window's hours
counted as watched).  The report says so, unless another log covers the day.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection
from datetime import UTC, date, datetime, time, timedelta

import polars as pl

#: A daily file log's name, with what rotation (`.1.log` … `.5.log`, §1.1; `.log.1`
#: from logrotate) and compression add to it.
_DAILY = re.compile(
    r"(?:^|/)openclaw-(\d{4}-\d{2}-\d{2})(?:\.\d+)?\.log(?:\.\d+)?(?:\.(?:gz|zst|bz2|xz))?$"
)
#: How many missing days one warning lists before it counts the rest.
_SHOWN = 5


def missing_days(sources: Collection[str], logs: pl.DataFrame) -> tuple[str, ...]:
    """A warning per folder of daily file logs with days missing between its
    first and last, each day left out that another log (``logs``: source,
    first, last) covers from its start to its end."""
    warnings = []
    for folder, seen, unseen in _folders(sources, logs):
        listed = ", ".join(str(day) for day in unseen[:_SHOWN])
        more = len(unseen) - _SHOWN
        warnings.append(
            f"{folder or '.'}: no file log for {listed}"
            + (f" and {more} more day(s)" if more > 0 else "")
            + f" between the days it holds ({min(seen)} to {max(seen)}), and no other input "
            f"covers {'it' if len(unseen) == 1 else 'them'}: failures, restarts and clears then "
            "are unseen, and a gateway seen on both sides may have been several"
        )
    return tuple(warnings)


def holes(sources: Collection[str], logs: pl.DataFrame) -> pl.DataFrame:
    """Per run of missing days (:func:`missing_days`), the inputs of the first day
    after it (``source``) with the last line of the day before it (``since``) and
    the first line of the day after (``until``, a line that is no event too):
    what ran between the two is unseen (correlate/epochs.py)."""
    rows: list[tuple[str, datetime | None, datetime | None]] = []
    first = dict(logs.select("source", "first").iter_rows())
    last = dict(logs.select("source", "last").iter_rows())
    for folder, seen, unseen in _folders(sources, logs):
        by_day = _by_day(folder, sources)
        for day in unseen:
            if day - timedelta(days=1) in unseen:
                continue  # not the run's first day
            before = max(d for d in seen if d < day)
            after = min(d for d in seen if d > day)
            ends = [last[s] for s in by_day[before] if last.get(s) is not None]
            begins = [first[s] for s in by_day[after] if first.get(s) is not None]
            since, until = max(ends, default=None), min(begins, default=None)
            rows.extend((source, since, until) for source in by_day[after])
    stamp = logs.schema["last"]
    return pl.DataFrame(
        rows, schema={"source": pl.String, "since": stamp, "until": stamp}, orient="row"
    )


def _day_of(source: str) -> tuple[str, date] | None:
    """A daily file log's folder and day, or None for another input."""
    if (m := _DAILY.search(source)) is None:
        return None
    try:
        return source[: m.start()].rstrip("/"), date.fromisoformat(m[1])
    except ValueError:  # `openclaw-2026-02-30.log`: no day of the calendar
        return None


def _by_day(folder: str, sources: Collection[str]) -> dict[date, list[str]]:
    found: dict[date, list[str]] = defaultdict(list)
    for source in sources:
        if (named := _day_of(source)) is not None and named[0] == folder:
            found[named[1]].append(source)
    return found


def _folders(
    sources: Collection[str], logs: pl.DataFrame
) -> list[tuple[str, set[date], list[date]]]:
    """Per folder of daily file logs: the days it holds, and those between its first
    and last that it lacks and no other log covers from start to end."""
    days: dict[str, set[date]] = defaultdict(set)
    for source in sources:
        if (named := _day_of(source)) is not None:
            days[named[0]].add(named[1])
    spans = [
        (first, last)
        for first, last in logs.select("first", "last").iter_rows()
        if first is not None and last is not None
    ]
    found = []
    for folder, seen in sorted(days.items()):
        low, high = min(seen), max(seen)
        gaps = [
            low + timedelta(days=n)
            for n in range(1, (high - low).days)
            if low + timedelta(days=n) not in seen
        ]
        if unseen := [day for day in gaps if not _covered(day, spans)]:
            found.append((folder, seen, unseen))
    return found


def _covered(day: date, spans: list[tuple[datetime, datetime]]) -> bool:
    """Whether one log runs from the day's start (UTC) to its end."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    return any(first <= start and last >= end for first, last in spans)
