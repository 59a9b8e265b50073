"""Scope: the part of the event table a report covers (``--since``, ``--until``, ``--agent``).

Applied after epochs are built, so an epoch that began before ``--since``
still gives its events their true uptime.  A time limit reads each
occurrence at its first line's instant, and keeps or leaves all its lines;
untimed lines of no timed occurrence are left out (they cannot be placed
inside it).  With an agent filter, lock
and takeover lines must name one of the agents; other lines that name no
agent (restarts, starts, cleanup runs over every store) stay, because they
bear on every agent.

Incidents are clustered over the whole bundle, not over this scope
(``incidents.renumber``), so the filters never change an incident's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import polars as pl

from lockforensics.schema import LOCK_KINDS


def in_scope(
    events: pl.LazyFrame,
    since: datetime | None = None,
    until: datetime | None = None,
    agents: Sequence[str] = (),
) -> pl.LazyFrame:
    """The events inside the time limits that concern the chosen agents."""
    keep = pl.lit(True)
    # An occurrence is in or out whole, at its first line's instant: a failure
    # its `All models failed` summary repeats a minute later, or its lane
    # mirror 3 ms later, happened when it was first written (Z151: a window
    # from 14:13 counted failures of 14:12:30 by their echoes).
    first = pl.col("ts").min().over("occurrence")
    at = pl.when(pl.col("occurrence").is_not_null()).then(first).otherwise(pl.col("ts"))
    if since is not None:
        keep &= at >= since
    if until is not None:
        keep &= at <= until
    if agents:
        named = pl.col("agent").is_in(list(agents))
        unnamed = pl.col("agent").is_null() & ~pl.col("kind").is_in(sorted(LOCK_KINDS))
        keep &= named.fill_null(False) | unnamed
    return events.filter(keep)
