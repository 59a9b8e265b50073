"""The fleet report: one report over a store of many gateways.

Each host is correlated on its own (its epochs, incidents and resolutions
are its gateway's).  The fleet view ranks the hosts by lock-error rate
(lock-stale + lock-timeout occurrences per hour of gateway uptime, the
denominator from :mod:`lockforensics.oncall.exposure`) and lists every
host's incidents.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import assert_never

import polars as pl

from lockforensics.findings import Settings
from lockforensics.oncall.exposure import by_host, epoch_hours
from lockforensics.oncall.output import OncallFormat, iso, md_table, rich_table
from lockforensics.reporting import glossary
from lockforensics.reporting.units import clock, span

SCHEMA = "lockforensics.fleet/1"


@dataclass(frozen=True, slots=True)
class HostRow:
    """One host's totals."""

    host: str
    uptime_h: float
    lock_stale: int
    lock_timeout: int
    takeover: int
    incidents: int
    lock_errors_per_hour: float | None
    versions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Fleet:
    """Hosts ranked by lock-error rate, and every host's incidents."""

    hosts: tuple[HostRow, ...]
    incidents: pl.DataFrame  # host, incident, start, end, duration_s, counts, resolved_by


def fleet(events: pl.DataFrame, settings: Settings) -> Fleet:
    """Correlate each host and rank them."""
    rows = []
    incidents = []
    for item in by_host(events, settings):
        f = item.findings
        hours = float(epoch_hours(f).get_column("hours").sum())
        errors = f.headline.lock_stale + f.headline.lock_timeout
        rows.append(
            HostRow(
                host=item.host,
                uptime_h=hours,
                lock_stale=f.headline.lock_stale,
                lock_timeout=f.headline.lock_timeout,
                takeover=f.headline.takeovers,
                incidents=f.headline.incidents,
                lock_errors_per_hour=errors / hours if hours > 0 else None,
                versions=f.versions,
            )
        )
        incidents.append(
            f.incidents.select(
                pl.lit(item.host).alias("host"),
                "incident",
                "start",
                "end",
                "duration_s",
                "lock_stale",
                "lock_timeout",
                "takeover",
                pl.col("agents").list.len().alias("agents"),
                "resolved_by",
            )
        )
    ranked = sorted(rows, key=lambda r: (-(r.lock_errors_per_hour or 0.0), r.host))
    table = pl.concat(incidents, how="diagonal_relaxed") if incidents else pl.DataFrame()
    return Fleet(tuple(ranked), table)


_HOSTS = ["rank", "host", "uptime h", "lock errors / h", "stale", "timeout", "takeover",
          "incidents", "versions"]  # fmt: skip
_INCIDENTS = ["host", "#", "start (UTC)", "duration", "stale", "timeout", "takeover", "agents",
              "resolved by"]  # fmt: skip


def _host_cells(rank: int, row: HostRow) -> list[str]:
    rate = "-" if row.lock_errors_per_hour is None else f"{row.lock_errors_per_hour:.3f}"
    return [str(rank), row.host, f"{row.uptime_h:.1f}", rate, str(row.lock_stale),
            str(row.lock_timeout), str(row.takeover), str(row.incidents),
            ", ".join(row.versions) or "-"]  # fmt: skip


def _incident_cells(row: dict[str, object]) -> list[str]:
    start, duration, resolved = row["start"], row["duration_s"], row["resolved_by"]
    return [
        str(row["host"]),
        str(row["incident"]),
        clock(start) if isinstance(start, datetime) else "-",
        span(float(duration)) if isinstance(duration, int | float) else "-",
        str(row["lock_stale"]),
        str(row["lock_timeout"]),
        str(row["takeover"]),
        str(row["agents"]),
        # As the single-host report words it (Z157: `gateway_restart`, `run`).
        glossary.name("resolver", str(resolved) if resolved else None, "unresolved"),
    ]


def render(report: Fleet, fmt: OncallFormat, width: int | None = None) -> str:
    """The fleet report in ``fmt``."""
    host_rows = [_host_cells(i, r) for i, r in enumerate(report.hosts, 1)]
    incident_rows = [_incident_cells(r) for r in report.incidents.iter_rows(named=True)]
    match fmt:
        case OncallFormat.JSON:
            document = {
                "schema": SCHEMA,
                "hosts": [_host_json(r) for r in report.hosts],
                "incidents": [
                    {k: iso(v) if isinstance(v, datetime) else v for k, v in row.items()}
                    for row in report.incidents.iter_rows(named=True)
                ],
            }
            return json.dumps(document, indent=2, default=str, ensure_ascii=False) + "\n"
        case OncallFormat.TERMINAL:
            title = "Hosts by lock-error rate per hour of gateway uptime"
            hosts = rich_table(title, _HOSTS, host_rows, width, False)
            return hosts + rich_table("Incidents per host", _INCIDENTS, incident_rows, width, False)
        case OncallFormat.MD:
            return (
                "### Hosts by lock-error rate per hour of gateway uptime\n\n"
                + md_table(_HOSTS, host_rows)
                + "\n### Incidents per host\n\n"
                + md_table(_INCIDENTS, incident_rows)
            )
        case _:
            assert_never(fmt)


def _host_json(row: HostRow) -> dict[str, object]:
    return {
        "host": row.host,
        "uptime_h": row.uptime_h,
        "lock_stale": row.lock_stale,
        "lock_timeout": row.lock_timeout,
        "takeover": row.takeover,
        "incidents": row.incidents,
        "lock_errors_per_hour": row.lock_errors_per_hour,
        "versions": list(row.versions),
    }
