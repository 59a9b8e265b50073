"""What a profile is: how the scenario's file logs and journal are padded to a size."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from samples.generate.sources.context import SourceContext

# (UTC epoch ms, file-log line, journal line or None); both lines end with a newline
# and are ASCII, so their length is their size in bytes.
PadLine = tuple[int, str, str | None]


@dataclass(slots=True)
class PaddingTruth:
    """Occurrences the padding added, by kind (filled in while its lines are written)."""

    occurrences: dict[str, int] = field(default_factory=dict)
    tool_calls: dict[str, int] = field(default_factory=dict)
    busy_lines: int = 0  # run/lane/fallback/store-lock/compaction/session-state lines


class Padding(Protocol):
    """Background lines around the scenario, one local day at a time."""

    truth: PaddingTruth

    def day_bytes(self, day: str) -> int:
        """About how many bytes of file log this pads ``day`` with (to size rotation)."""
        ...

    def lines(self, day: str, start: int, end: int, to_journal: bool) -> Iterator[PadLine]:
        """Padding of ``day`` ([start, end) in epoch ms), in time order.

        Journal lines are produced only when ``to_journal`` (the captured day).
        """
        ...


@dataclass(frozen=True, slots=True)
class Profile:
    """One entry of ``PROFILES``: a name for ``--profile`` and how to pad."""

    name: str
    summary: str
    default_size: int | None  # None: no padding unless --size is given
    gzip_level: int | None  # a padded bundle's GZIPPED_DAY is gzip'd at this level (None: not)
    pad: Callable[[SourceContext, int], Padding]  # (scenario, bytes to add) -> padding
    era: str = "file"  # "file": .jsonl.lock wordings; "lease": SQLite-era (2026.7+) wordings
