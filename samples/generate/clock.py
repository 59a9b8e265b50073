"""Time helpers: epoch milliseconds in UTC everywhere inside the generator."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Final

from samples.generate.scenario import TZ

MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def ms_of(iso_utc: str) -> int:
    """Epoch ms of an ISO-8601 UTC instant ending in Z."""
    dt = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    return round(dt.timestamp() * 1000)


def local_midnight_ms(day: str) -> int:
    dt = datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=TZ)
    return round(dt.timestamp() * 1000)


def iso_z(ms: int, *, with_ms: bool = True) -> str:
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    if with_ms:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class TimeFormatter:
    """Per-second cache of the prefixes every line needs (hot path of --size)."""

    __slots__ = ("_cache_sec", "_parts")

    def __init__(self) -> None:
        self._cache_sec = -1
        self._parts: tuple[str, str, str, str, str] = ("", "", "", "", "")

    def parts(self, sec: int) -> tuple[str, str, str, str, str]:
        """(utc prefix, local prefix, offset, journal stamp, local date) for one second."""
        if sec != self._cache_sec:
            utc = datetime.fromtimestamp(sec, tz=UTC)
            loc = utc.astimezone(TZ)
            off = loc.utcoffset() or timedelta(0)
            mins = int(off.total_seconds()) // 60
            sign = "+" if mins >= 0 else "-"
            offset = f"{sign}{abs(mins) // 60:02d}:{abs(mins) % 60:02d}"
            stamp = f"{MONTHS[loc.month - 1]} {loc.day:2d} {loc:%H:%M:%S}"
            self._parts = (
                f"{utc:%Y-%m-%dT%H:%M:%S}.",
                f"{loc:%Y-%m-%dT%H:%M:%S}.",
                offset,
                stamp,
                f"{loc:%Y-%m-%d}",
            )
            self._cache_sec = sec
        return self._parts


MS3: Final = tuple(f"{i:03d}" for i in range(1000))


def day_bounds(day: str) -> tuple[int, int]:
    start = local_midnight_ms(day)
    next_day = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    return start, local_midnight_ms(next_day)


def capture_stamp(iso: str) -> str:
    """`2026-05-28T04:28:00.000Z` -> `2026-05-28T0428Z` (operator file-name stamp)."""
    return datetime.fromtimestamp(ms_of(iso) / 1000, tz=UTC).strftime("%Y-%m-%dT%H%MZ")


def local_dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=TZ)
