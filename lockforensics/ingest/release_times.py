"""When the lock watchdog released a lock, from the lock's own age.

``[session-write-lock] releasing lock held for <heldForMs>ms (max=…): <lockPath>``
is written with ``process.stderr.write`` only (openclaw-formats §2.4): no
stamp of its own, so a launchd ``gateway.err.log`` or a docker capture without
``-t`` holds it untimed, and the release that cleared an incident cleared
nothing in the report.  The lock errors of the same hold name its age
(``ageMs``) at their own instants: the lock was taken at ``ts - ageMs``, and
released ``heldForMs`` after that.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from lockforensics.schema import EventKind, TimeQuality

#: Lock errors of one hold give its acquisition within this (their stamps are
#: read a moment apart from the age they print).
SAME_HOLD = timedelta(seconds=2)
#: How far outside the stamped lines around it a release's time may fall.
AROUND = timedelta(seconds=60)
_ERRORS = (EventKind.LOCK_TIMEOUT.value, EventKind.LOCK_STALE.value)
NOTE = "time from its lock's acquisition (a lock error's ageMs) plus the hold it names"


def timed_releases(rows: list[dict[str, Any]]) -> None:
    """Give each untimed watchdog release naming its hold's length the instant
    its lock's errors imply, when one hold of that lock fits: the only one, or
    the only one between the stamped lines around it in its input."""
    taken: dict[str, list[datetime]] = defaultdict(list)
    for row in rows:
        ts, age = row.get("ts"), row.get("age_ms")
        lock = row.get("lock_path")
        error = row.get("kind") in _ERRORS and bool(lock)
        if error and isinstance(ts, datetime) and isinstance(age, int):
            taken[str(lock)].append(ts - timedelta(milliseconds=age))
    releases = [
        row
        for row in rows
        if row.get("kind") == EventKind.LOCK_RELEASED_BY_WATCHDOG.value
        and row.get("ts") is None
        and "_local" not in row
        and isinstance(row.get("duration_ms"), int)
        and row.get("lock_path") in taken
    ]
    if not releases:
        return
    around = _stamped_lines(rows)
    for row in releases:
        held = timedelta(milliseconds=row["duration_ms"])
        candidates = [start + held for start in _holds(taken[row["lock_path"]])]
        lines = around.get(str(row.get("source")), [])
        fitting = [c for c in candidates if _fits(lines, row.get("line") or 0, c)]
        if len(candidates) == 1 or len(fitting) == 1:
            row.update(
                ts=(fitting or candidates)[0],
                ts_quality=TimeQuality.ASSUMED.value,
                ts_assumption=NOTE,
            )


def _holds(acquisitions: list[datetime]) -> list[datetime]:
    """The distinct acquisitions (each the first of a run within ``SAME_HOLD``)."""
    holds: list[datetime] = []
    for start in sorted(acquisitions):
        if not holds or start - holds[-1] > SAME_HOLD:
            holds.append(start)
    return holds


def _stamped_lines(rows: list[dict[str, Any]]) -> dict[str, list[tuple[int, datetime]]]:
    """Per input, its timed rows' (line, instant), in line order."""
    found: dict[str, list[tuple[int, datetime]]] = defaultdict(list)
    for row in rows:
        if isinstance(row.get("ts"), datetime) and isinstance(row.get("line"), int):
            found[row["source"]].append((row["line"], row["ts"]))
    for lines in found.values():
        lines.sort()
    return found


def _fits(lines: list[tuple[int, datetime]], line: int, when: datetime) -> bool:
    """Whether ``when`` lies between the timed rows above and below ``line`` (give
    or take ``AROUND``; an input with none on a side is open there)."""
    above = [ts for n, ts in lines if n < line]
    below = [ts for n, ts in lines if n > line]
    after_above = not above or when >= above[-1] - AROUND
    before_below = not below or when <= below[0] + AROUND
    return after_above and before_below
