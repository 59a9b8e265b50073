"""Zones per host in an input that pastes several hosts' lines.

A ticket pasting two gateways' logs (Lisbon at +01:00, Osaka at +09:00) gives
its zone-less lines (a journal's `Jun 03 14:33:12 lisbon-gw01 …` watchdog
release, which has no console stamp of its own) one zone for the whole file:
the offset most of its stamps carry, the other host's, eight hours off.  Each
line's host is known by then (line_hosts.nearest_hosts); a host whose own
stamped lines in the input all carry one offset has its zone-less lines read
in it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from lockforensics.parsing.filescan import FileScan
from lockforensics.parsing.timestamps import ZoneChoice, parse_offset, zone_from_offset
from lockforensics.schema import ACTIVITY_KINDS

#: The offset a stamp was written with, at its end (``Z`` says nothing of a zone).
_OFFSET = re.compile(r"([+-]\d{2}:?\d{2})$")


def host_zones(scan: FileScan) -> dict[str, ZoneChoice]:
    """Per host of an input naming two or more, the one offset its own stamped
    lines carry (none for a host whose lines carry several, or none)."""
    # The lines every reader keeps as rows: a high-volume line (a run, a lane
    # wait) is a row of the per-line reader's but a frame's of the vectorised
    # one's, and both must see the same stamps.
    rows = [row for row in scan.rows if row.get("kind") not in ACTIVITY_KINDS]
    hosts = {row.get("host") for row in rows} - {None, ""}
    if len(hosts) < 2:
        return {}
    seen: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        host, raw = row.get("host"), row.get("ts_raw")
        found = _OFFSET.search(raw) if isinstance(raw, str) else None
        if host and row.get("ts") is not None and found is not None:
            seen[str(host)][found[1].replace(":", "")] += 1
    out: dict[str, ZoneChoice] = {}
    for host, labels in seen.items():
        if len(labels) != 1:
            continue
        ((label, count),) = labels.items()
        offset = parse_offset(label)
        if offset is not None:
            out[host] = zone_from_offset(offset, f"{host}'s own stamped lines ({count})")
    return out
