"""Exposure: hours of gateway uptime the logs cover, per epoch, host and version.

Rates are failures per hour of gateway uptime, so a host that was down, or a
bundle that covers two days against one that covers one, compare fairly.
An epoch contributes the time it was running inside the logged window: from
its start (or the window's start, if later) to its end (or its last line
when it was still running or its end was not logged; or the window's end,
if earlier).  Hosts are analysed one by one, so epochs of different
gateways never mix.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lockforensics.correlate.frequency import UNKNOWN
from lockforensics.findings import Findings, Settings
from lockforensics.oncall.store import UNKNOWN_HOST
from lockforensics.pipeline import correlate


@dataclass(frozen=True, slots=True)
class HostFindings:
    """One gateway host's correlated findings."""

    host: str
    findings: Findings


def by_host(events: pl.DataFrame, settings: Settings) -> list[HostFindings]:
    """Correlate each host's events on their own (epochs never span two gateways)."""
    keyed = events.with_columns(_host=pl.col("host").fill_null(UNKNOWN_HOST))
    result = []
    for host in sorted(set(keyed.get_column("_host").to_list())):
        part = keyed.filter(pl.col("_host") == host).drop("_host")
        result.append(HostFindings(host=host, findings=correlate(part, settings)))
    return result


def epoch_hours(findings: Findings) -> pl.DataFrame:
    """Per epoch: ``epoch``, ``version`` (``unknown`` if none) and covered ``hours``."""
    start, end = findings.window_start, findings.window_end
    epochs = findings.epochs
    if start is None or end is None or epochs.is_empty():
        return pl.DataFrame(schema={"epoch": pl.Int64, "version": pl.String, "hours": pl.Float64})
    covered = epochs.select(
        "epoch",
        version=pl.col("version").fill_null(UNKNOWN),
        begin=pl.max_horizontal(pl.col("start").fill_null(pl.col("first_line")), pl.lit(start)),
        finish=pl.min_horizontal(pl.coalesce("end", "last_line"), pl.lit(end)),
    )
    return covered.select(
        "epoch",
        "version",
        hours=((pl.col("finish") - pl.col("begin")).dt.total_seconds(fractional=True) / 3600)
        .clip(lower_bound=0)
        .fill_null(0.0),
    ).sort("epoch")


def failures_with_version(findings: Findings) -> pl.DataFrame:
    """The failures, each with its version: its own line's, else its epoch's, else unknown."""
    versions = findings.epochs.select("epoch", epoch_version=pl.col("version"))
    return findings.failures.join(versions, on="epoch", how="left").with_columns(
        version=pl.coalesce("version", "epoch_version").fill_null(UNKNOWN),
        agent=pl.col("agent").fill_null(UNKNOWN),
    )
