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
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

import polars as pl

#: A daily file log's name, with what rotation and compression add to it.
_DAILY = re.compile(r"(?:^|/)openclaw-(\d{4}-\d{2}-\d{2})\.log(?:\.\d+)?(?:\.(?:gz|zst|bz2|xz))?$")
#: How many missing days one warning lists before it counts the rest.
_SHOWN = 5


def missing_days(sources: Iterable[str], logs: pl.DataFrame) -> tuple[str, ...]:
    """A warning per folder of daily file logs with days missing between its
    first and last, each day left out that another log (``logs``: source,
    first, last) covers from its start to its end."""
    days: dict[str, set[date]] = defaultdict(set)
    for source in sources:
        if (m := _DAILY.search(source)) is None:
            continue
        try:
            day = date.fromisoformat(m[1])
        except ValueError:  # `openclaw-2026-02-30.log`: no day of the calendar
            continue
        days[source[: m.start()].rstrip("/")].add(day)
    spans = [
        (first, last)
        for first, last in logs.select("first", "last").iter_rows()
        if first is not None and last is not None
    ]
    warnings = []
    for folder, seen in sorted(days.items()):
        low, high = min(seen), max(seen)
        gaps = [
            low + timedelta(days=n)
            for n in range(1, (high - low).days)
            if low + timedelta(days=n) not in seen
        ]
        unseen = [day for day in gaps if not _covered(day, spans)]
        if not unseen:
            continue
        listed = ", ".join(str(day) for day in unseen[:_SHOWN])
        more = len(unseen) - _SHOWN
        warnings.append(
            f"{folder or '.'}: no file log for {listed}"
            + (f" and {more} more day(s)" if more > 0 else "")
            + f" between the days it holds ({low} to {high}), and no other input covers "
            f"{'it' if len(unseen) == 1 else 'them'}: failures, restarts and clears then "
            "are unseen, and a gateway seen on both sides may have been several"
        )
    return tuple(warnings)


def _covered(day: date, spans: list[tuple[datetime, datetime]]) -> bool:
    """Whether one log runs from the day's start (UTC) to its end."""
    start = datetime.combine(day, time(), tzinfo=UTC)
    end = start + timedelta(days=1)
    return any(first <= start and last >= end for first, last in spans)
