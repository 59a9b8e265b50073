"""The named zone (with its DST rules) that a bundle's zoned stamps show.

A host writes its file log with offsets (``+01:00`` in winter, ``+02:00`` in
summer) and its journal or console without any.  Read with one fixed offset,
a zone-less capture that spans the change is an hour off on one side of it.
When the bundle's stamps show two or more offsets, each over a span of
instants, the IANA zones that give exactly those offsets over those spans
are the host's candidates; any of them reads the zone-less stamps with the
change in its place.  Candidates differ only between the last stamp seen
with one offset and the first seen with the next, so the choice is named
and the number of zones that fit is stated.  The zone named is the one the
zone database itself offers for those rules (``zonenow.tab``: America/New_York
for US Eastern time, not America/Detroit), else a country's principal zone
(``zone.tab``), never a legacy alias (America/Ensenada).
"""

from __future__ import annotations

import importlib.resources
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta, tzinfo
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from lockforensics.parsing.timestamps import ZoneChoice, format_offset

Spans = Mapping[str, tuple[datetime, datetime]]

#: Where a zone's name starts when it names a place (not ``Etc/GMT+1``,
#: ``EST5EDT`` or a legacy alias such as ``US/Eastern``), most familiar first:
#: among zones of one rank (:func:`_ranks`) the first in this order, then by
#: name, is named.
_REGIONS = (
    "Europe/",
    "America/",
    "Asia/",
    "Australia/",
    "Pacific/",
    "Africa/",
    "Atlantic/",
    "Indian/",
    "Antarctica/",
)


def merged(spans: Iterable[Spans]) -> dict[str, tuple[datetime, datetime]]:
    """The spans of several inputs as one: per label, the earliest and latest instant."""
    out: dict[str, tuple[datetime, datetime]] = {}
    for one in spans:
        for label, (first, last) in one.items():
            seen = out.get(label)
            out[label] = (
                (first, last) if seen is None else (min(seen[0], first), max(seen[1], last))
            )
    return out


def named_zone(spans: Spans, whose: str = "other files in the bundle") -> ZoneChoice | None:
    """The IANA zone that gives every label its offset over its whole span, when the
    spans show at least two offsets and some zone fits them all; else None.

    Zones that fit may still change at other instants within the spans' range
    (Cuba at local midnight, the US at 02:00).  The zones are grouped by when
    they change there; the largest group of listed zones holds the host's (a
    rule many places share is likelier than one place's own), and its
    best-ranked zone is named."""
    if len(spans) < 2:
        return None
    fits = [(rank, name, zone) for rank, name, zone in _zones() if _fits(zone, spans)]
    if not fits:
        return None
    listed, _changed, group = _largest_rule(fits, spans)
    name = group[0]
    seen = ", ".join(
        f"{label} {first:%Y-%m-%d %H:%M}..{last:%Y-%m-%d %H:%M} UTC"
        for label, (first, last) in sorted(spans.items(), key=lambda item: item[1][0])
    )
    apart = len(listed) - len(group)
    other = f"; {apart} other zone(s) fit but change at other times" if apart else ""
    return ZoneChoice(
        ZoneInfo(name),
        name,
        f"the offsets {whose} were written with ({seen}){_shared(group)}{other}",
    )


def abbreviated_zone(abbr: str, at: datetime, whose: str) -> ZoneChoice | None:
    """The IANA zone that called ``at`` ``abbr`` (`CEST`): a journal header or a
    `systemctl status` names the host's zone so, and its rules read a zone-less
    journal on both sides of a change, where the offset alone is an hour off
    on one side.  Zones that share the name but change at other times over the
    year around ``at`` are grouped as :func:`named_zone` groups them; None when
    no zone calls ``at`` so (`UTC`, a number)."""
    fits = [f for f in _zones() if at.astimezone(f[2]).tzname() == abbr]
    if not fits:
        return None
    _listed, changes, group = _largest_rule(fits, {"": (at - _HALF_YEAR, at + _HALF_YEAR)})
    if not changes:
        return None  # a name that never changes (`JST`): its offset says it all
    name = group[0]
    return ZoneChoice(ZoneInfo(name), name, f"{whose} ({abbr}: {name}'s rules{_shared(group)})")


_Zone = tuple[int, str, ZoneInfo]


def _largest_rule(
    fits: list[_Zone], spans: Spans
) -> tuple[list[_Zone], tuple[datetime, ...], list[str]]:
    """Of the zones that fit, the listed ones (aliases and historical zones do not
    count as more places with a rule), and the largest group of them that change
    at the same instants over the spans' range: those instants and the group's
    names, best first (``_zones`` is in order; ties go to the group whose best
    zone comes first)."""
    listed = [f for f in fits if f[0] < _UNLISTED] or fits
    groups: dict[tuple[datetime, ...], list[str]] = {}
    for _rank, name, zone in listed:
        groups.setdefault(_changes(zone, spans), []).append(name)
    changes, group = max(groups.items(), key=lambda item: len(item[1]))
    return listed, changes, group


def _shared(group: list[str]) -> str:
    return f", one of {len(group)} zones with these rules" if len(group) > 1 else ""


def takes(choice: ZoneChoice, offset_label: str, spans: Spans) -> bool:
    """Whether ``offset_label`` is one of the offsets a named zone (:func:`named_zone`)
    was chosen for: an input found to be written in that offset is written in the
    zone, on both sides of its change."""
    return isinstance(choice.tz, ZoneInfo) and offset_label in spans


def _fits(zone: tzinfo, spans: Spans) -> bool:
    return all(
        _label(moment.astimezone(zone).utcoffset()) == label
        for label, (first, last) in spans.items()
        for moment in (first, last)
    )


def _changes(zone: tzinfo, spans: Spans) -> tuple[datetime, ...]:
    """When ``zone`` changes offset over the spans' whole range, to the minute.

    Zones that fit the spans agree at their ends; between, they may change at
    other instants (Cuba at local midnight, the US at 02:00), and two winters
    around a summer hide the change inside one label's span.  Every change in
    the range is found: a day at a time, then halved to the minute."""
    low = min(first for first, _ in spans.values())
    high = max(last for _, last in spans.values())
    out: list[datetime] = []
    step = low
    offset = _label(step.astimezone(zone).utcoffset())
    while step < high:
        later = min(step + _DAY, high)
        after = _label(later.astimezone(zone).utcoffset())
        if after != offset:
            before, end = step, later
            while end - before > _MINUTE:
                middle = before + (end - before) / 2
                if _label(middle.astimezone(zone).utcoffset()) == offset:
                    before = middle
                else:
                    end = middle
            out.append(end.replace(second=0, microsecond=0))
            offset = after
        step = later
    return tuple(out)


def _label(offset: timedelta | None) -> str | None:
    return None if offset is None else format_offset(offset)


_MINUTE = timedelta(minutes=1)
_DAY = timedelta(days=1)
_HALF_YEAR = timedelta(days=183)
#: The rank of a zone that no zone table lists: an alias or a historical zone.
_UNLISTED = 2


@cache
def _zones() -> tuple[tuple[int, str, ZoneInfo], ...]:
    """Every place zone this machine's zone database holds, with its rank, best first."""
    ranks = _ranks()
    names = sorted(
        (n for n in available_timezones() if n.startswith(_REGIONS)),
        key=lambda n: (
            ranks.get(n, _UNLISTED),
            next(i for i, r in enumerate(_REGIONS) if n.startswith(r)),
            n,
        ),
    )
    out: list[tuple[int, str, ZoneInfo]] = []
    for name in names:
        try:
            out.append((ranks.get(name, _UNLISTED), name, ZoneInfo(name)))
        except (ZoneInfoNotFoundError, ValueError, OSError):
            continue
    return tuple(out)


def _ranks() -> dict[str, int]:
    """0 for the zones ``zonenow.tab`` names (one per set of rules in use now), 1 for
    the rest of ``zone.tab`` (a country's zones), from whichever zone database
    holds them: the system's, or the ``tzdata`` package's."""
    ranks: dict[str, int] = {}
    for rank, table in enumerate(("zonenow.tab", "zone.tab")):
        for text in _tables(table):
            for line in text.splitlines():
                fields = line.split("\t")
                if len(fields) >= 3 and not line.startswith("#"):
                    ranks.setdefault(fields[2], rank)
    return ranks


def _tables(name: str) -> Iterator[str]:
    for directory in zoneinfo.TZPATH:
        path = Path(directory) / name
        if path.is_file():
            yield path.read_text(encoding="utf-8", errors="replace")
    try:
        yield (importlib.resources.files("tzdata.zoneinfo") / name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, OSError):
        return
