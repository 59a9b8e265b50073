"""What scanning one input yields: its line accounting, its events and its time evidence."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import polars as pl

from lockforensics.parsing.envelopes import PLAIN
from lockforensics.parsing.timestamps import Stamp, format_offset

#: Unrecognised and possibly-relevant lines kept as samples, per input.
SAMPLE_LIMIT = 5
#: Last lines kept per input to find its end time in (FileScan.last_texts).
LAST_LINES = 8


@dataclass(slots=True)
class FileScan:
    """What one input held: its accounting, its events, and the time evidence it showed.

    Events arrive two ways: ``rows`` (dicts, from documents and the per-line
    reader) and ``frames`` (columnar, from the vectorised chunk engine, holding
    only the columns they fill).  Both become rows of the one event table.
    ``activity`` holds the engine's high-volume rows past their sample, already
    narrow (lockforensics/activity.py), lazily: in memory, or in part files
    (lockforensics/spill.py); ``activity_rows`` counts them.
    """

    source: str
    size: int
    envelope: str = PLAIN.name
    lines: int = 0
    event_lines: int = 0
    noise_lines: int = 0
    unrecognized: int = 0
    unrecognized_samples: list[tuple[int, str]] = field(default_factory=list)
    # Lines with lock vocabulary that no signature read (a subset of noise + unrecognized).
    relevant: int = 0
    relevant_samples: list[tuple[int, str]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    frames: list[pl.DataFrame] = field(default_factory=list)
    activity: list[pl.LazyFrame] = field(default_factory=list)
    activity_rows: int = 0
    offsets: Counter[str] = field(default_factory=Counter)
    # Per zone label, the earliest and latest instant stamped with it: two
    # offsets in a bundle show when its host's clock changed (DST).
    offset_spans: dict[str, tuple[datetime, datetime]] = field(default_factory=dict)
    years: Counter[int] = field(default_factory=Counter)
    # The zone a header showed (FileClock's header_* fields): what showed it,
    # its name (`CEST`) and an instant it was in effect.
    header_from: str = ""
    header_abbr: str | None = None
    header_at: datetime | None = None
    header_offset: timedelta | None = None
    warnings: list[str] = field(default_factory=list)
    # For the manifest: the stored bytes, their packing, and the times of the
    # first and last lines (row-shaped, completed like event times).
    sha256: str | None = None
    compression: str | None = None
    packing: str = ""
    bounds: list[dict[str, Any]] = field(default_factory=list)
    # The last lines with text (up to LAST_LINES): the file's end time comes
    # from the last of them with a stamp.
    last_texts: list[str] = field(default_factory=list)
    # Where `tail`'s `==> file <==` sections begin (header line, file): a capture
    # of several files followed at once (lockforensics/correlate/profiles.py).
    sections: list[tuple[int, str]] = field(default_factory=list)
    # A paste's Markdown fence lines: each fenced block of a thread is one
    # person's copy of one host's log (lockforensics/ingest/line_hosts.py).
    fences: list[int] = field(default_factory=list)
    # `openclaw logs` headers (`Log file: …`) of a paste, by line: a paste's own
    # date after a fence (FileClock.new_paste).
    log_headers: dict[int, str] = field(default_factory=dict)
    # What a document says about the whole export it belongs to (version, platform, host).
    facts: dict[str, str] = field(default_factory=dict)
    duplicate_of: str | None = None  # same sha256 as an earlier input: its rows are dropped
    # Its lines came quoted in a reply (`> `) or behind grep's `file:line:`, or
    # it holds several `openclaw logs` runs (a `Log file:` header each): a
    # paste, whose repeats are the same lines shown again (grep -C's
    # overlapping contexts, the tail a second run prints again), not lines
    # the log wrote twice.
    pasted: bool = False
    tails: int = 0  # `Log file:` headers seen
    # The one host that the copies of its dropped rows name, when its own name
    # none (ingest/duplicates.py): its lines are that host's gateway's.
    copied_host: str | None = None
    duplicate_rows: int = 0  # rows dropped as copies of lines another file holds
    mojibake: int = 0  # lines read back as the UTF-8 another code page showed (mojibake.py)
    # Rows read so far per high-volume kind (the first RAW_SAMPLE keep their text).
    raw_kept: Counter[str] = field(default_factory=Counter)
    # The line after the last timed failure the per-line reader read, and its
    # time columns: an unstamped echo right there takes them (lines._echo_time).
    failure_above: tuple[int, dict[str, Any]] | None = None
    # Per line that writes no time of its own but is timed by the line above
    # (signatures' ``time_from``): the text of the last line with text above it.
    above: dict[int, str] = field(default_factory=dict)
    # Per unstamped lock watchdog release (written with `process.stderr.write`
    # alone), the texts of the lines with text above and below it, whose stamps
    # bound it in a console capture (ingest/release_times.py).
    around: dict[int, tuple[str | None, str | None]] = field(default_factory=dict)

    def saw_stamp(self, stamp: Stamp, at: datetime | None = None) -> None:
        """Count a stamp that wrote its own date and zone: the zone is evidence
        for the bundle's zone-less stamps (unless it is the epoch's UTC, which
        says nothing of the host), the year for its year-less ones.  ``at``: the
        instant the file's clock completed it to; a stamp that wrote no year
        (a journal's day, a console's zoned clock) counts only with it."""
        if stamp.offset is None or stamp.day is None or (stamp.year_missing and at is None):
            return
        if at is None and stamp.clock is not None:
            at = datetime.combine(stamp.day, stamp.clock, timezone(stamp.offset))
        if stamp.shows_zone:
            label = format_offset(stamp.offset)
            self.offsets[label] += 1
            if at is not None:
                instant = at.astimezone(UTC)
                self.saw_offset(label, instant, instant)
        if not stamp.year_missing:
            self.years[stamp.day.year] += 1

    def saw_offset(self, label: str, first: datetime, last: datetime) -> None:
        """Widen the span over which ``label`` was seen to take in ``first``..``last``."""
        seen = self.offset_spans.get(label)
        if seen is not None:
            first, last = min(seen[0], first), max(seen[1], last)
        self.offset_spans[label] = (first, last)

    @property
    def row_count(self) -> int:
        return len(self.rows) + sum(frame.height for frame in self.frames) + self.activity_rows

    def drop_rows(self) -> None:
        self.rows = []
        self.frames = []
        self.activity = []
        self.activity_rows = 0

    def unrecognized_line(self, number: int, text: str, span: int = 1) -> None:
        self.unrecognized += span
        if len(self.unrecognized_samples) < SAMPLE_LIMIT:
            self.unrecognized_samples.append((number, text))

    def relevant_line(self, number: int, text: str) -> None:
        self.relevant += 1
        if len(self.relevant_samples) < SAMPLE_LIMIT:
            self.relevant_samples.append((number, text))
