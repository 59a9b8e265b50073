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

from lockforensics.parsing.command_lines import is_gateway
from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.runs import preamble, runs_elsewhere
from lockforensics.parsing.documents.timing import calendar_stamp, shown_zone, when_from_stamp
from lockforensics.parsing.fields import int_field
from lockforensics.parsing.timestamps import Stamp
from lockforensics.schema import EventKind

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
    # Columns between STARTED and the command (ELAPSED, USER, ...), per header.
    between = 0
    listed = False  # a process row was read
    elsewhere = False  # a command run in a container or on another machine
    for number, line in enumerate(doc.lines, start=1):
        if not line.strip():
            continue
        if _HEADER.match(line):
            out.known_lines.add(number)
            between = max(0, len(line.split("STARTED", 1)[1].split()) - 1)
            continue
        row = _ROW.match(line)
        if row is None:
            (out.known_lines if preamble(line) else out.unrecognized).add(number)
            # `date` here, `ps` in a container or over ssh: not one clock (Z213).
            elsewhere = elsewhere or runs_elsewhere(line)
            out.zone = out.zone or shown_zone(line, "the `date` line above `ps`")
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
                phase="ps_started",
            )
        )
    if elsewhere:
        out.zone = None
    # A listing with no gateway row (it had stopped; its title hid its command)
    # is still a listing: its rows are known lines, not unrecognised log text.
    return out if listed else None


def _started(row: re.Match[str]) -> Stamp | None:
    """``lstart`` as a zone-less stamp (the host's local time)."""
    raw = f"{row['mon']} {row['day']} {row['time']} {row['year']}"
    return calendar_stamp(row["mon"], row["day"], row["time"], row["year"], raw, None)
