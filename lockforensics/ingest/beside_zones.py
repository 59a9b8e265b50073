"""The zone of a journal's own stamps, read off the console stamps its lines carry.

A journal's `-o short` prefix carries no zone; the gateway's console stamp
inside most of its lines does, in the gateway process's zone.  The two can
differ: a service run with `TZ=Europe/Berlin` on a host whose journal prints
Los Angeles time, a container logging UTC to a host journal in local time.
Taking the console's offset for the prefix put the journal's own lines
(systemd's `Started …`) hours off: a start seven hours early opened a phantom
gateway.  A line carrying both shows the prefix's offset directly: the prefix's
local time less the console stamp's instant (the two are milliseconds apart).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

from lockforensics.parsing.filescan import FileScan
from lockforensics.parsing.timestamps import ZoneChoice, parse_syslog, zone_from_offset

#: Offsets are read to the quarter hour.
_QUARTER = 900
#: The share of the lines that must agree.
_AGREE = 0.8


def beside_zone(scan: FileScan) -> ZoneChoice | None:
    """The one offset an input's zone-less line prefixes show against the zoned
    console stamps the same lines carry, when it has zone-less lines to read
    (most of those lines agreeing, none beyond ±14 h)."""
    if not any(isinstance(row.get("_local"), datetime) for row in scan.rows):
        return None
    quarters: Counter[int] = Counter()
    for row in scan.rows:
        instant, raw = row.get("ts"), row.get("raw")
        if not isinstance(instant, datetime) or not isinstance(raw, str):
            continue
        prefix = parse_syslog(raw)
        if prefix is None or prefix.day is None or prefix.clock is None:
            continue
        utc = instant.astimezone(UTC).replace(tzinfo=None)
        # The prefix writes no year: the instant's, or the one beside it at New Year.
        local = min(
            (
                datetime.combine(date(year, prefix.day.month, prefix.day.day), prefix.clock)
                for year in (utc.year - 1, utc.year, utc.year + 1)
                if prefix.day.month != 2 or prefix.day.day != 29 or year % 4 == 0
            ),
            key=lambda value: abs(value - utc),
        )
        quarters[round((local - utc).total_seconds() / _QUARTER)] += 1
    total = sum(quarters.values())
    if not total:
        return None
    quarter, count = quarters.most_common(1)[0]
    if count < _AGREE * total or abs(quarter) > 14 * 4:
        return None
    return zone_from_offset(
        timedelta(seconds=quarter * _QUARTER),
        f"its zone-less stamps against the console stamps its lines carry ({count} of {total})",
    )
