"""Reading the report's time options: instants (``--since``/``--until``) and spans
(``--window``/``--gap``).  Bad values raise ``ValueError`` with a message an
operator can act on; the CLI turns it into a usage error (exit 2).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo

_SPAN = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_UNIT_S = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_span(text: str) -> float:
    """``300``, ``300s``, ``5m``, ``1h30m``, ``1.5m`` → seconds (a bare number is seconds)."""
    value = text.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", value):
        seconds = float(value)
    elif value and _SPAN.sub("", value) == "":
        seconds = sum(float(n) * _UNIT_S[unit] for n, unit in _SPAN.findall(value))
    else:
        raise ValueError(f"{text!r} is not a duration (use e.g. 300s, 5m, 1h30m)")
    if seconds <= 0:
        raise ValueError(f"{text!r}: the duration must be positive")
    return seconds


def parse_instant(text: str, zone: tzinfo | None = None) -> datetime:
    """ISO-8601 date or date-time → UTC; a value without a zone is read in ``zone`` (or UTC)."""
    value = text.strip()
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError as exc:
        raise ValueError(f"{text!r} is not an ISO-8601 date or date-time") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone or UTC)
        _exists(text, parsed)
    return parsed.astimezone(UTC)


def _exists(text: str, local: datetime) -> None:
    """A wall time its zone skipped (02:30 on a spring-forward night) or passed
    twice (fall back) names no one instant: read anyway, the window would move
    by an hour without a word."""
    zone = local.tzinfo
    assert zone is not None
    there = local.astimezone(UTC).astimezone(zone)
    # The wall time with each offset the zone had around it (fold 0: before the
    # change), as the operator would type it.
    before, after = (_with_offset(local.replace(fold=fold)) for fold in (0, 1))
    if there.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValueError(
            f"{text!r} does not exist in {zone} (its clocks skipped it); give an offset: "
            f"{before} (the offset before the change) or {after} (after it)"
        )
    if before != after:
        raise ValueError(
            f"{text!r} happened twice in {zone} (its clocks went back); give an offset: "
            f"{before} (the first time) or {after} (the second)"
        )


def _with_offset(local: datetime) -> str:
    offset = local.utcoffset()
    assert offset is not None
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{local.replace(tzinfo=None).isoformat()}{sign}{hours:02d}:{rest:02d}"
