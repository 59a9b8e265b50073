"""Warnings for filters that match nothing: an empty report is not an all-clear.

``--agent nobody`` used to give "0 incidents" and exit 0, which reads as a
healthy gateway.  These notes say which filter matched nothing and what the
bundle does hold, so the operator can fix the command.
"""

from __future__ import annotations

import polars as pl

from lockforensics.findings import Findings
from lockforensics.reporting.units import clock
from lockforensics.schema import LOCK_KINDS

#: Agents named in a warning before it says "and N more".
_LISTED = 20


def _listing(names: list[str]) -> str:
    shown = ", ".join(names[:_LISTED])
    more = len(names) - _LISTED
    return f"{shown} and {more} more" if more > 0 else shown or "none"


def scope_warnings(events: pl.LazyFrame, findings: Findings) -> list[str]:
    """One line per filter that matched nothing (``events``: the whole, unfiltered table)."""
    settings = findings.settings
    out: list[str] = []
    agents = events.select(pl.col("agent").drop_nulls().unique()).collect().get_column("agent")
    present = sorted(str(a) for a in agents)
    for agent in settings.agents:
        if agent not in present:
            out.append(f"agent {agent!r} is not in the bundle; agents present: {_listing(present)}")
    filtered = settings.scoped
    in_scope = findings.headline.lock_stale + findings.headline.lock_timeout
    in_scope += findings.headline.takeovers
    if filtered and in_scope == 0:
        failures = (
            events.filter(pl.col("kind").is_in(sorted(LOCK_KINDS)))
            .select("occurrence", "ts")
            .collect()
        )
        total = failures.get_column("occurrence").n_unique()
        if total:
            stamps = failures.get_column("ts").drop_nulls().sort().to_list()
            span = f" between {clock(stamps[0])} and {clock(stamps[-1])} UTC" if stamps else ""
            out.append(
                "no lock errors or takeovers match --since/--until/--agent/--host; this is not an "
                f"all-clear: the whole bundle has {total}{span}"
            )
    return out
