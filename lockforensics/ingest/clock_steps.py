"""A log whose time runs backwards: an NTP step, or two logs in one file.

A file log or journal is written in time order.  Where its stamps step back
(chrony stepping a fast clock back 40 s, a copytruncate overlap, two captures
pasted one after the other), the instants around that line are off by up to
the step, and lags and durations across it are too: the operator is told
where, and by how much.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from lockforensics.parsing.envelopes import PLAIN, load_envelopes
from lockforensics.parsing.filescan import FileScan

#: Less than this is the ordinary jitter of interleaved writers (a journal
#: merges processes' lines by arrival, a console buffers).
STEP = timedelta(seconds=5)


def clock_step(scan: FileScan) -> str | None:
    """A warning naming the largest step back in ``scan``'s stamped event lines
    of one writer (a host, or a compose service), if any."""
    if scan.envelope == PLAIN.name or scan.envelope not in _LOG_ENVELOPES:
        return None
    stamped = sorted(
        (row for row in scan.rows if _own_instant(row)),
        key=lambda row: (row.get("line") or 0, row.get("hit") or 0),
    )
    # Per writer: `docker compose logs` prints each container's lines in
    # bursts, so two services' clocks interleave in one file, each moving on.
    latest: dict[object, datetime] = {}
    worst: tuple[timedelta, int] | None = None
    for row in stamped:
        ts: datetime = row["ts"]
        writer = row.get("host")
        last = latest.get(writer)
        if last is not None and last - ts > STEP and (worst is None or last - ts > worst[0]):
            worst = (last - ts, int(row.get("line") or 0))
        latest[writer] = ts if last is None else max(last, ts)
    if worst is None:
        return None
    step, line = worst
    if scan.tails > 1:
        # Each `openclaw logs` run, and a follow whose cursor was reset, reads
        # its file again from an earlier line: no clock moved.
        return (
            f"{scan.source}: its time steps back {_span(step)} at line {line}, where the "
            "capture reads its file again (another `openclaw logs` run, or a cursor reset); "
            "what it shows again is counted once"
        )
    return (
        f"{scan.source}: its clock steps back {_span(step)} at line {line} (an NTP step, or two "
        "logs in one file): instants, lags and durations across it may be off by that much"
    )


def _own_instant(row: dict[str, Any]) -> bool:
    """A row timed by its own stamp, not by a line near it or a document."""
    return isinstance(row.get("ts"), datetime) and row.get("ts_raw") is not None


def _span(step: timedelta) -> str:
    seconds = step.total_seconds()
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


_LOG_ENVELOPES = frozenset(env.name for env in load_envelopes().envelopes)
