"""``ps`` output with ``lstart``: when the running gateway process started.

Operators check that the gateway "is still alive" with ``ps``; with the
``lstart`` column it also says since when, to the second, in the host's
local time (no zone)::

        PID                  STARTED     ELAPSED CMD
      48211 Wed May 27 10:11:53 2026 20-00:30:07 node …/openclaw/dist/index.js gateway --port 18789

Where file logs were pruned after a day (openclaw-formats §1.1) and the
start line is gone, that is the process's start: each gateway row (its
command names openclaw and ``gateway``) becomes an ``uptime`` event at that
instant, ``uptime_ms`` 0, naming the pid, as ``systemctl status`` gives one.
Other rows (the shell, a CLI run) are known lines, not events.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from lockforensics.parsing.command_lines import is_gateway
from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.runs import PROMPT, exec_pod, preamble, runs_elsewhere
from lockforensics.parsing.documents.timing import calendar_stamp, shown_zone, when_from_stamp
from lockforensics.parsing.fields import int_field
from lockforensics.parsing.literals import PS_STARTED
from lockforensics.parsing.timestamps import Stamp, format_offset
from lockforensics.schema import EventKind, TimeQuality

#: A header naming the pid and lstart (``STARTED``) columns, pid first.
_HEADER = re.compile(r"^\s*PID\b.*\bSTARTED\b")
#: A row: pid, lstart (``Wed May 27 10:11:53 2026``), then the rest of the columns.
_ROW = re.compile(
    r"^\s*(?P<pid>\d+)\s+(?:\S+\s+)*?[A-Z][a-z]{2} (?P<mon>[A-Z][a-z]{2}) +(?P<day>\d{1,2}) "
    r"(?P<time>\d{2}:\d{2}:\d{2}) (?P<year>\d{4})\s+(?P<rest>.*)$"
)


def sniff(name: str, head: str) -> bool:
    lines = [ln for ln in head.splitlines()[:20] if ln.strip()]
    # What an operator puts before it: `{ date; ps …; } > f`, or the prompts of
    # a saved terminal (Z186: the gateway's start unread, its uptime a lower bound).
    while lines and not _HEADER.match(lines[0]) and preamble(lines[0]):
        lines.pop(0)
    return bool(lines) and bool(_HEADER.match(lines[0])) and any(_ROW.match(ln) for ln in lines)


def parse(doc: Document) -> Parsed | None:
    out = Parsed()
    # Columns between STARTED and the command (ELAPSED, USER, ...), per header,
    # and which of them is ELAPSED.
    between, elapsed_at = 0, None
    shown: datetime | None = None  # the instant the last `date` line above showed
    listed = False  # a process row was read
    elsewhere = False  # a command run in a container or on another machine
    pod: str | None = None  # the pod a `kubectl exec` ran `ps` in (runs.exec_pod)
    for number, line in enumerate(doc.lines, start=1):
        if not line.strip():
            continue
        if _HEADER.match(line):
            out.known_lines.add(number)
            after = line.split("STARTED", 1)[1].split()
            between = max(0, len(after) - 1)
            elapsed_at = after.index("ELAPSED") if "ELAPSED" in after[:-1] else None
            continue
        row = _ROW.match(line)
        if row is None:
            (out.known_lines if preamble(line) else out.unrecognized).add(number)
            # `date` here, `ps` in a container or over ssh: not one clock (Z213).
            elsewhere = elsewhere or runs_elsewhere(line)
            if PROMPT.match(line.strip()):
                pod = exec_pod(line)
            zone = shown_zone(line, "the `date` line above `ps`")
            if zone is not None:
                # `date -u; date`: the local zone, not the UTC any host shows (Z218).
                out.zone = out.zone if out.zone and not zone[0] else zone
                shown = zone[2].astimezone(timezone(zone[0]))
            continue
        listed = True
        stamp = _started(row)
        if stamp is None or not is_gateway(row["rest"].split()[between:]):
            out.known_lines.add(number)
            continue
        out.event_lines.add(number)
        out.rows.append(
            event(
                EventKind.UPTIME.value,
                number,
                line.strip(),
                when_from_stamp(stamp),
                message=f"process {row['pid']} started {stamp.raw} (ps lstart)",
                gateway_pid=int_field(row["pid"]),
                uptime_ms=0,
                phase=PS_STARTED,
                # How long it had run when `ps` looked (ELAPSED): dated_by_elapsed.
                duration_ms=_elapsed_ms(row["rest"].split(), elapsed_at),
                **({"host": pod} if pod else {}),
            )
        )
    if shown is not None:
        dated_by_elapsed(out.rows, shown, elsewhere)
    if elsewhere:
        out.zone = None
    # A listing with no gateway row (it had stopped; its title hid its command)
    # is still a listing: its rows are known lines, not unrecognised log text.
    return out if listed else None


#: ELAPSED: `[[dd-]hh:]mm:ss`.
_ETIME = re.compile(r"^(?:(?:(?P<d>\d+)-)?(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})$")
#: How far off a 15-minute offset the start ELAPSED gives may be: `date` run
#: that long before `ps` (the same command line, or the one before).
_SLACK = timedelta(minutes=7)


def _elapsed_ms(columns: list[str], at: int | None) -> int | None:
    m = _ETIME.match(columns[at]) if at is not None and at < len(columns) else None
    if m is None:
        return None
    days, hours = int(m["d"] or 0), int(m["h"] or 0)
    return (((days * 24 + hours) * 60 + int(m["m"])) * 60 + int(m["s"])) * 1000


def dated_by_elapsed(rows: list[dict[str, Any]], shown: datetime, anywhere: bool = False) -> None:
    """Give `ps` starts their UTC offset from ELAPSED: ``shown`` (the instant a
    `date` printed just before `ps` ran) less ELAPSED is the start, whatever
    zone lstart is in and whichever pass of a repeated hour it names (Z216:
    `02:58:03` on the night clocks went back, read as its first pass, an hour
    early, a phantom process).  Kept only where that offset is the `date`
    line's own or an hour either side (a DST change between), within `_SLACK`;
    ``anywhere`` (`ps` ran in a container or on another machine, whose zone
    the `date` does not show, or the `date` showed UTC): any whole or half
    hour, within a minute."""
    base = shown.utcoffset() or timedelta(0)
    # A UTC `date` (`date -u`) shows any host's clock: no zone of its own (Z218).
    anywhere = anywhere or not base
    for row in rows:
        local, elapsed = row.get("_local"), row.get("duration_ms")
        if row.get("phase") != PS_STARTED or not isinstance(local, datetime) or elapsed is None:
            continue
        start = shown - timedelta(milliseconds=elapsed)
        offset = local - start.astimezone(UTC).replace(tzinfo=None)
        if anywhere:
            near = timedelta(minutes=30 * round(offset.total_seconds() / 1800))
            slack = timedelta(minutes=1)
        else:
            hours = (base + timedelta(hours=h) for h in (-1, 0, 1))
            near, slack = min(hours, key=lambda o: abs(offset - o)), _SLACK
        if abs(offset - near) > slack or abs(near) > timedelta(hours=14):
            continue
        row.pop("_local")
        row.update(
            ts=local.replace(tzinfo=timezone(near)).astimezone(UTC),
            ts_quality=TimeQuality.ASSUMED.value,
            ts_assumption=f"offset {format_offset(near)} from ELAPSED and the `date` before `ps`",
        )


def _started(row: re.Match[str]) -> Stamp | None:
    """``lstart`` as a zone-less stamp (the host's local time)."""
    raw = f"{row['mon']} {row['day']} {row['time']} {row['year']}"
    return calendar_stamp(row["mon"], row["day"], row["time"], row["year"], raw, None)
