"""Numbers as people read them, shared by every human-facing report format.

Machine formats (JSON) keep ISO-8601 UTC instants and float seconds; these
helpers are for the text around them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any


def iso_z(value: datetime | None) -> str | None:
    """ISO-8601 UTC ending in ``Z``; milliseconds, or microseconds when the stamp has them."""
    if value is None:
        return None
    stamp = value.strftime("%Y-%m-%dT%H:%M:%S")
    micros = value.microsecond
    fraction = f".{micros // 1000:03d}" if micros % 1000 == 0 else f".{micros:06d}"
    return f"{stamp}{fraction}Z"


def clock(value: datetime | None) -> str:
    """A compact UTC time for tables: ``2026-05-28 04:22:00``."""
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def span(seconds: float | None) -> str:
    """``8.7 s``, ``5 min 07 s``, ``2 h 05 min``, ``3 d 04 h``."""
    if seconds is None:
        return "-"
    if seconds < 60:
        return f"{seconds:.1f} s"
    whole = int(seconds)
    if whole < 3600:
        return f"{whole // 60} min {whole % 60:02d} s"
    if whole < 86400:
        return f"{whole // 3600} h {whole % 3600 // 60:02d} min"
    return f"{whole // 86400} d {whole % 86400 // 3600:02d} h"


def uptime(seconds: int | None, lower_bound: bool | None) -> str:
    """Gateway uptime in hours (how operators quote it), ``≥`` when only a lower bound."""
    if seconds is None:
        return "-"
    hours, rest = divmod(int(seconds), 3600)
    text = f"{hours} h {rest // 60:02d} min"
    return f"≥ {text}" if lower_bound else text


def epoch_start(epoch: Mapping[str, Any]) -> str:
    """An epoch's start, or ``≤ first line`` when the process started before the bundle."""
    if epoch["start_known"]:
        return clock(epoch["start"])
    return f"≤ {clock(epoch['first_line'])}"


def rate(per_hour: float) -> str:
    """A rate per hour with the digits it needs: one failure in three weeks is
    0.002/hour, not "0.00" beside "1 occurrence"."""
    if per_hour >= 10:
        return f"{per_hour:.1f}"
    if per_hour >= 0.1 or per_hour == 0:
        return f"{per_hour:.2f}"
    return f"{per_hour:.2g}"
