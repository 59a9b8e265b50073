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
BETWEEN = (
    "time of the stamped line after it in its capture, an upper bound "
    "(the line before it is {gap:.3f} s earlier)"
)


def timed_releases(rows: list[dict[str, Any]]) -> None:
    """Give each untimed watchdog release naming its hold's length the instant
    its lock's errors imply, when one hold of that lock fits: the only one, or
    the only one between the stamped lines around it in its input; else, when
    those lines lie within a minute of each other, the later one's."""
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
    ]
    if not releases:
        return
    around = _stamped_lines(rows)
    for row in releases:
        line = row.get("line") or 0
        # The stamped lines right around it that are no event (a console's channel
        # traffic), as the scan saw them (Z237: a release between a Telegram send
        # and a heartbeat stood untimed, its incident "unresolved").
        beside = [
            (line + side, ts)
            for side, key in ((-1, "_above_ts"), (1, "_below_ts"))
            if isinstance(ts := row.pop(key, None), datetime)
        ]
        lines = sorted([*around.get(str(row.get("source")), []), *beside])
        held = row.get("duration_ms")
        candidates = (
            [start + timedelta(milliseconds=held) for start in _holds(taken[row["lock_path"]])]
            if isinstance(held, int) and row.get("lock_path") in taken
            else []
        )
        fitting = [c for c in candidates if _fits(lines, line, c)]
        if len(candidates) == 1 or len(fitting) == 1:
            row.update(
                ts=(fitting or candidates)[0],
                ts_quality=TimeQuality.ASSUMED.value,
                ts_assumption=NOTE,
            )
        elif (bracket := _bracket(lines, line)) is not None:
            # No error of the hold gives its age (2026.5 names the owner's pid
            # alone): the stamped lines around it in its capture bound it
            # (Z185: the release that cleared a burst stood untimed, and a stop
            # an hour later was named the clear).
            below, gap = bracket
            row.update(
                ts=below,
                ts_quality=TimeQuality.ASSUMED.value,
                ts_assumption=BETWEEN.format(gap=gap.total_seconds()),
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


def _bracket(lines: list[tuple[int, datetime]], line: int) -> tuple[datetime, timedelta] | None:
    """The instant of the timed row below ``line`` and how long after the one above
    it came, when both are within ``AROUND`` of each other."""
    above = [ts for n, ts in lines if n < line]
    below = [ts for n, ts in lines if n > line]
    if not above or not below or not timedelta(0) <= below[0] - above[-1] <= AROUND:
        return None
    return below[0], below[0] - above[-1]


def _fits(lines: list[tuple[int, datetime]], line: int, when: datetime) -> bool:
    """Whether ``when`` lies between the timed rows above and below ``line`` (give
    or take ``AROUND``; an input with none on a side is open there)."""
    above = [ts for n, ts in lines if n < line]
    below = [ts for n, ts in lines if n > line]
    after_above = not above or when >= above[-1] - AROUND
    before_below = not below or when <= below[0] + AROUND
    return after_above and before_below
