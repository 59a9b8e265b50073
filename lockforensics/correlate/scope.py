"""Scope: the part of the event table a report covers (``--since``, ``--until``,
``--agent``, ``--host``).

Applied after epochs are built, so an epoch that began before ``--since``
still gives its events their true uptime.  A time limit reads each
occurrence at its first line's instant, and keeps or leaves all its lines;
untimed lines of no timed occurrence are left out (they cannot be placed
inside it).  With an agent filter, lock
and takeover lines must name one of the agents; other lines that name no
agent (restarts, starts, cleanup runs over every store) stay, because they
bear on every agent.  With a host, a line is kept where the report places it:
on the host it names, else on its epoch's (as incidents.cluster places failures).

Incidents are clustered over the whole bundle, not over this scope
(``incidents.renumber``), so the filters never change an incident's id.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lockforensics.errors import UsageError
from lockforensics.findings import Settings
from lockforensics.schema import LOCK_KINDS


def in_scope(events: pl.LazyFrame, settings: Settings, epochs: pl.DataFrame) -> pl.LazyFrame:
    """The events inside the time limits that concern the chosen agents and host
    (``epochs``: the whole table's, with each epoch's ``host``)."""
    since, until, agents, host = settings.since, settings.until, settings.agents, settings.host
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
    if host is not None:
        theirs = epochs.filter(pl.col("host") == host).get_column("epoch").implode()
        on_epoch = pl.col("host").is_null() & pl.col("epoch").is_in(theirs)
        keep &= ((pl.col("host") == host) | on_epoch).fill_null(False)
    return events.filter(keep)


def on_host(failures: pl.LazyFrame, host: str | None) -> pl.LazyFrame:
    """The failures (clustered over the whole bundle) that are ``host``'s: an
    occurrence whose copies lie on two hosts is where the whole bundle's
    clustering placed it, not where its copies in scope would."""
    if host is None:
        return failures
    return failures.filter((pl.col("gateway_host") == host).fill_null(False))


def no_such_host(host: str, held: Sequence[str], holder: str = "bundle") -> UsageError:
    """``--host`` naming a host no input holds: a misspelling is the operator's to
    fix (exit 2, not an empty report that reads as an all-clear), so name the
    hosts there are (Z143 for a store, Z233 for a bundle)."""
    there = ", ".join(held) or "no named host"
    return UsageError(f"no host {host}; the {holder} holds {there}")
