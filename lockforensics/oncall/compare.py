"""Before against after: failure rates per hour of gateway uptime, and whether they changed.

Each side (a bundle or a fleet store) is correlated host by host with the
``report`` rules; its exposure is the gateway uptime its logs cover
(:mod:`lockforensics.oncall.exposure`).  Rows compare, per dimension:

* ``kind``: each failure kind, and ``all`` (every lock error and takeover);
* ``agent``: every failure of that agent, over the side's whole uptime;
* ``version``: every failure under that OpenClaw version, over the uptime of
  the epochs that ran it.

Each row gets the rate ratio after/before, its exact 95 % interval and the
exact conditional (binomial) p-value (:mod:`lockforensics.oncall.poisson`).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass
from typing import assert_never

import polars as pl

from lockforensics.findings import Settings
from lockforensics.oncall.exposure import (
    HostFindings,
    by_host,
    epoch_hours,
    failures_with_version,
)
from lockforensics.oncall.output import OncallFormat, md_table, rich_table
from lockforensics.oncall.poisson import RateComparison, compare_rates
from lockforensics.textsafety import md_text

KINDS = ("lock_stale", "lock_timeout", "takeover")
SCHEMA = "lockforensics.compare/1"


@dataclass(frozen=True, slots=True)
class Side:
    """One side's counts and exposure."""

    label: str
    hours: float
    counts: Counter[tuple[str, str]]  # (dimension, value) -> failures
    version_hours: dict[str, float]
    hosts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Row:
    """One dimension value compared."""

    dimension: str
    value: str
    stats: RateComparison


def side(label: str, events: pl.DataFrame, settings: Settings) -> Side:
    """Count one side's failures per kind, agent and version, and its uptime hours."""
    return side_of(label, by_host(events, settings))


def side_of(label: str, analysed: list[HostFindings]) -> Side:
    """:func:`side` of findings made already (a bundle's, analysed whole)."""
    counts: Counter[tuple[str, str]] = Counter()
    version_hours: Counter[str] = Counter()
    hours = 0.0
    hosts = []
    for item in analysed:
        hosts.append(item.host)
        for row in epoch_hours(item.findings).iter_rows(named=True):
            version_hours[row["version"]] += row["hours"]
            hours += row["hours"]
        for row in failures_with_version(item.findings).iter_rows(named=True):
            counts["kind", row["kind"]] += 1
            counts["kind", "all"] += 1
            counts["agent", row["agent"]] += 1
            counts["version", row["version"]] += 1
    return Side(label, hours, counts, dict(version_hours), tuple(hosts))


def compare(before: Side, after: Side) -> list[Row]:
    """Rows for every kind, and every agent and version either side shows."""
    rows = [Row("kind", kind, _stats(before, after, "kind", kind)) for kind in (*KINDS, "all")]
    for dimension in ("agent", "version"):
        values = sorted(
            {v for d, v in before.counts if d == dimension}
            | {v for d, v in after.counts if d == dimension}
            | (
                set(before.version_hours) | set(after.version_hours)
                if dimension == "version"
                else set()
            )
        )
        rows += [Row(dimension, v, _stats(before, after, dimension, v)) for v in values]
    return rows


def _stats(before: Side, after: Side, dimension: str, value: str) -> RateComparison:
    def exposure(s: Side) -> float:
        return s.version_hours.get(value, 0.0) if dimension == "version" else s.hours

    return compare_rates(
        before.counts[dimension, value],
        exposure(before),
        after.counts[dimension, value],
        exposure(after),
    )


def _fmt(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}g}"


def _verdict(stats: RateComparison) -> str:
    if stats.p_value is None:
        return "nothing to compare"
    if stats.p_value >= 0.05:
        return "no significant change"
    return (
        "lower after"
        if (stats.ratio is None or stats.ratio < 1) and stats.x1 > 0
        else "higher after"
    )


_HEADER = ["dimension", "value", "before n", "before h", "before /h", "after n", "after h",
           "after /h", "ratio", "95% CI", "p", "verdict"]  # fmt: skip


def _cells(row: Row) -> list[str]:
    s = row.stats
    return [
        row.dimension,
        row.value,
        str(s.x1),
        f"{s.t1:.1f}",
        _fmt(s.rate1),
        str(s.x2),
        f"{s.t2:.1f}",
        _fmt(s.rate2),
        _fmt(s.ratio),
        f"{_fmt(s.ratio_low)} .. {_fmt(s.ratio_high) if s.ratio_high is not None else 'inf'}"
        if s.p_value is not None
        else "-",
        _fmt(s.p_value, 2),
        _verdict(s),
    ]


def render(
    before: Side, after: Side, rows: list[Row], fmt: OncallFormat, width: int | None = None
) -> str:
    """The comparison in ``fmt``."""
    headline = (
        f"before: {before.label} ({before.hours:.1f} h of gateway uptime, hosts "
        f"{', '.join(before.hosts) or '-'}); after: {after.label} ({after.hours:.1f} h, hosts "
        f"{', '.join(after.hosts) or '-'})"
    )
    match fmt:
        case OncallFormat.JSON:
            document = {
                "schema": SCHEMA,
                "before": {"label": before.label, "hours": before.hours, "hosts": before.hosts},
                "after": {"label": after.label, "hours": after.hours, "hosts": after.hosts},
                "rows": [
                    {
                        "dimension": r.dimension,
                        "value": r.value,
                        **asdict(r.stats),
                        "verdict": _verdict(r.stats),
                    }
                    for r in rows
                ],
            }
            return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
        case OncallFormat.TERMINAL:
            table = rich_table(
                "Failure rates per hour of gateway uptime",
                _HEADER,
                [_cells(r) for r in rows],
                width,
                False,
            )
            return headline + "\n" + table
        case OncallFormat.MD:
            return (
                "### Failure rates per hour of gateway uptime\n\n"
                + md_text(headline)
                + "\n\n"
                + md_table(_HEADER, [_cells(r) for r in rows])
            )
        case _:
            assert_never(fmt)
