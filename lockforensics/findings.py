"""Findings: everything a report needs, collected once and frozen.

The pipeline builds one ``Findings`` from the event table; every reporter
(terminal, JSON, and later Markdown and HTML) renders from it alone and never
recomputes.  Frames are collected polars DataFrames, each in a total order;
their columns are documented where the correlator builds them
(``lockforensics/correlate/``).  Times are UTC; durations are float seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl

#: The occurrence counts the JSON summary always carries, zero or not.
HEADLINE_KINDS: tuple[str, ...] = (
    "lock_stale",
    "lock_timeout",
    "takeover",
    "lock_removed",
    "gateway_start",
    "gateway_restart",
    "cleanup_run",
)


@dataclass(frozen=True, slots=True)
class Settings:
    """What the operator asked for (``report`` options)."""

    window_s: float = 300.0  # alignment: how far back a takeover looks for its lock error
    gap_s: float = 600.0  # incidents: the quiet time that separates two incidents
    since: datetime | None = None
    until: datetime | None = None
    agents: tuple[str, ...] = ()  # empty: every agent
    host: str | None = None  # a bundle's one host (a store's is chosen as it is read)

    @property
    def scoped(self) -> bool:
        """Whether a filter leaves part of the bundle out (correlate/scope.py)."""
        return bool(self.since or self.until or self.agents or self.host)


@dataclass(frozen=True, slots=True)
class Coverage:
    """Provenance: what was read, and what had to be assumed."""

    inputs: tuple[Mapping[str, object], ...] = ()  # the ingest manifest, one row per input
    zone: str | None = None  # the zone given to stamps that carry none
    zone_reason: str | None = None
    assumptions: pl.DataFrame = field(default_factory=pl.DataFrame)  # ts_assumption, events
    untimed_events: int = 0
    # (input, events with no time): documents with no stamp in them or their name,
    # pastes without stamps; kept out of the window, incidents and charts.
    untimed_inputs: tuple[tuple[str, int], ...] = ()
    unrecognized_lines: int = 0
    warnings: tuple[str, ...] = ()
    # Inputs whose lines name no host (file logs, documents): they are taken to be
    # on their directory's host, else the bundle's only named one
    # (correlate/epochs.with_hosts); shown with the hosts.
    hostless_inputs: int = 0
    # Of those, logs that are another gateway's than the host they would take
    # (correlate/epochs.fallback_hosts): their host is unknown.
    unplaced_inputs: int = 0
    # Of those, logs set apart that took their folder's name as their host, the
    # bundle being laid out a folder per host (correlate/epochs._folder_hosts),
    # and those hosts.
    folder_named_inputs: int = 0
    folder_hosts: tuple[str, ...] = ()
    # The first and last line stamped in any input (not only the events: a log's
    # first lines may be noise), far-out stamps left out: the time the logs cover.
    lines_span: tuple[datetime | None, datetime | None] = (None, None)
    # The spans no log covers between them: the days a folder of daily file
    # logs lacks (ingest/missing_days.holes), from the last line before each
    # to the first after.  The rates do not count them as watched.
    unseen: tuple[tuple[datetime, datetime], ...] = ()
    # Per host (``host``, null: unknown), the last line its logs hold
    # (``logs_end``), a command's output left out: after it, its failures are unseen.
    logs_end: pl.DataFrame = field(
        default_factory=lambda: pl.DataFrame(
            schema={"host": pl.String, "logs_end": pl.Datetime("us", "UTC")}
        )
    )


@dataclass(frozen=True, slots=True)
class Headline:
    """The numbers an operator writes at the top of an issue."""

    lock_stale: int
    lock_timeout: int
    takeovers: int
    agents: int
    sessions: int  # distinct real session ids with a lock error or takeover
    days: float  # span of the analysed window
    incidents: int
    with_lock_precursor: int
    # The median lag of the takeovers that follow a lock error on their own session.
    session_lag_s_p50: float | None


@dataclass(frozen=True, slots=True)
class Findings:
    """The correlated view of one bundle (see the module docstring)."""

    settings: Settings
    generated_at: datetime
    window_start: datetime | None
    window_end: datetime | None
    headline: Headline
    counts: Mapping[str, int]  # occurrences per kind
    # The event table in the window, with epoch / uptime columns; lazy, over the
    # table's two parts (lockforensics/activity.py): filter and select, then collect.
    events: pl.LazyFrame
    epochs: pl.DataFrame
    failures: pl.DataFrame  # one row per lock/takeover occurrence, with `incident`
    pairs: pl.DataFrame  # one row per takeover: precursor, match, lag_s
    lock_errors: pl.DataFrame  # one row per lock error: followed by a takeover or not
    alignment: Mapping[str, float | int | None]
    incidents: pl.DataFrame  # with resolved_at / resolved_by / resolution_s
    resolutions: pl.DataFrame  # per incident and kind: when that kind alone cleared it
    frequency: pl.DataFrame  # dimension, value, counts per kind
    rates: Mapping[str, float | int | None]  # burst vs baseline
    triggers: pl.DataFrame  # per takeover: release window and trigger status
    trigger_writers: pl.DataFrame  # per takeover and writer found
    stuck_alive: pl.DataFrame
    held_locks: pl.DataFrame  # session lock files in the bundle and whose they are
    evidence: pl.DataFrame  # incident, role, occurrence and the lines behind it
    hosts: tuple[str, ...]  # of the lines in scope
    versions: tuple[str, ...]
    coverage: Coverage
    # Every host of the bundle, whatever the scope: what --host may name, and
    # what --redact hides wherever the whole bundle shows (inputs, owner hosts).
    bundle_hosts: tuple[str, ...] = ()

    @property
    def several_hosts(self) -> bool:
        """Whether the gateways lie on more than one host's timeline: several named
        hosts, or a named one and logs whose host cannot be told (another gateway's:
        correlate/epochs._gateways_apart).  Reports then name each row's host."""
        return len(self.hosts) > 1 or (
            bool(self.hosts) and self.epochs.get_column("host").null_count() > 0
        )
