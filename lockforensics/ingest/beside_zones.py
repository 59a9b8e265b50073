"""The zone of a journal's own stamps, read off the console stamps its lines carry.

A journal's `-o short` prefix carries no zone; the gateway's console stamp
inside most of its lines does, in the gateway process's zone.  The two can
differ: a service run with `TZ=Europe/Berlin` on a host whose journal prints
Los Angeles time, a container logging UTC to a host journal in local time.
Taking the console's offset for the prefix put the journal's own lines
(systemd's `Started …`) hours off: a start seven hours early opened a phantom
gateway.  A line carrying both shows the prefix's offset directly: the prefix's
local time less the console stamp's instant (the two are milliseconds apart).
pm2's `--time` prefix (`YYYY-MM-DDTHH:mm:ss: `, local, no zone) before a
2026.1 console's UTC `…Z` stamp is read the same way (Z166: the pm2 lines were
read as UTC, six hours off, with a restart history of their own).
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from lockforensics.parsing.filescan import FileScan
from lockforensics.parsing.timestamps import ZoneChoice, parse_syslog, zone_from_offset

#: pm2's `--time` prefix, after `pm2 logs`' `<id>|<app> | ` when it tailed them.
_PM2_TIME = re.compile(r"^(?:\d+\|[^|]*?\s*\|\s)?(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}): ")
#: Offsets are read to the quarter hour.
_QUARTER = 900
#: The share of the lines that must agree.
_AGREE = 0.8


def beside_zone(scan: FileScan) -> ZoneChoice | None:
    """The one offset an input's zone-less line prefixes show against the zoned
    console stamps the same lines carry (most of those lines agreeing, none
    beyond ±14 h): for its own zone-less lines, and, where no zone is written
    anywhere, for the host's other zone-less inputs (pm2.log beside the app
    logs whose every line carries both)."""
    quarters: Counter[int] = Counter()
    for row in scan.rows:
        instant, raw = row.get("ts"), row.get("raw")
        if not isinstance(instant, datetime) or not isinstance(raw, str) or raw[:1] == "{":
            continue  # a JSON record has no prefix of this kind
        utc = instant.astimezone(UTC).replace(tzinfo=None)
        pm2 = _PM2_TIME.match(raw)
        if pm2 is not None:
            quarters[round((datetime.fromisoformat(pm2[1]) - utc).total_seconds() / _QUARTER)] += 1
            continue
        prefix = parse_syslog(raw)
        if prefix is None or prefix.day is None or prefix.clock is None:
            continue
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
