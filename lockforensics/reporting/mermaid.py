"""Mermaid charts that GitHub renders natively: an incident gantt and an hourly bar chart.

Mermaid has its own syntax and no escaping, so every label is reduced to a
safe alphabet here; nothing from a log line reaches a chart verbatim.
"""

from __future__ import annotations

import math
import re
from datetime import datetime, timedelta

import polars as pl

from lockforensics.findings import Findings

_UNSAFE = re.compile(r"[^A-Za-z0-9 ._/+()-]")
# Bars shorter than this vanish in a gantt spanning hours.
_MIN_BAR = timedelta(minutes=1)
_FMT = "%Y-%m-%dT%H:%M:%S"


def label(text: object) -> str:
    """A label Mermaid cannot misread (no `:`, `#`, `;`, quotes, brackets, newlines)."""
    return _UNSAFE.sub("_", str(text))[:60] or "_"


def gantt(findings: Findings) -> str | None:
    """Incident swimlanes per agent, with gateway epochs and restarts; None if nothing to draw."""
    failures = findings.failures.filter(
        pl.col("ts").is_not_null() & pl.col("incident").is_not_null()
    )
    if failures.is_empty():
        return None
    first, last = failures["ts"].min(), failures["ts"].max()
    assert isinstance(first, datetime)
    assert isinstance(last, datetime)
    lines = [
        "gantt",
        "    title Session-lock incidents per agent (UTC)",
        "    dateFormat YYYY-MM-DDTHH:mm:ss",
        "    axisFormat %m-%d %H:%M",
        "    section gateway",
    ]
    for epoch in findings.epochs.iter_rows(named=True):
        start = max(epoch["start"] or epoch["first_line"] or first, first - timedelta(hours=1))
        end = min(epoch["end"] or last, last + timedelta(hours=1))
        if end <= start:
            continue
        name = label(f"pid {epoch['pid']}")
        lines.append(f"    {name} :active, e{epoch['epoch']}, {start:{_FMT}}, {end:{_FMT}}")
        if epoch["ended_by"] in ("restart", "in_process_restart") and epoch["end"] is not None:
            lines.append(
                f"    {label('restart')} :milestone, r{epoch['epoch']}, {epoch['end']:{_FMT}}, 0s"
            )
    spans = (
        failures.filter(pl.col("agent").is_not_null())
        .group_by("agent", "incident")
        .agg(start=pl.col("ts").min(), end=pl.col("ts").max(), n=pl.len())
        .sort("agent", "incident")
    )
    for (agent,), rows in spans.group_by(["agent"], maintain_order=True):
        lines.append(f"    section {label(agent)}")
        for row in rows.iter_rows(named=True):
            end = max(row["end"], row["start"] + _MIN_BAR)
            name = label(f"incident {row['incident']} ({row['n']})")
            lines.append(f"    {name} :crit, {row['start']:{_FMT}}, {end:{_FMT}}")
    return "\n".join(lines)


def hourly_bars(findings: Findings) -> str | None:
    """Lock errors and takeovers per hour over the hours between the first and last one."""
    hours = hourly_counts(findings)
    if hours.is_empty():
        return None
    labels = ", ".join(f'"{label(h)}"' for h in hours["hour_label"])
    values = ", ".join(str(v) for v in hours["occurrences"])
    top = max(1, int(hours["occurrences"].max() or 0))  # type: ignore[arg-type]  # an Int64 column
    step = int(hours["bin_hours"][0])
    per = "hour" if step == 1 else f"{step} hours"
    return "\n".join(
        [
            "xychart-beta",
            f'    title "Lock errors and takeovers per {per} (UTC)"',
            f"    x-axis [{labels}]",
            f'    y-axis "occurrences" 0 --> {top}',
            f"    bar [{values}]",
        ]
    )


#: Bins on the hourly axis, at most: a longer span gets wider bins (issue 12: a
#: stray stamp decades away must not build millions of hours).
MAX_BINS = 24 * 31


def hourly_counts(findings: Findings) -> pl.DataFrame:
    """Every hour from the first to the last failure, zeros included (a continuous axis).

    Over more than :data:`MAX_BINS` hours, each bin covers ``bin_hours`` hours instead.
    """
    timed = findings.failures.filter(pl.col("ts").is_not_null())
    if timed.is_empty():
        return pl.DataFrame(
            schema={
                "hour": pl.Datetime("us", "UTC"),
                "hour_label": pl.String,
                "occurrences": pl.Int64,
                "bin_hours": pl.Int64,
            }
        )
    first, last = timed["ts"].min(), timed["ts"].max()
    assert isinstance(first, datetime)
    assert isinstance(last, datetime)
    # Bins start on multiples of the step, so the span can touch two more than it covers.
    step = max(1, math.ceil((last - first).total_seconds() / 3600 / (MAX_BINS - 2)))
    every = f"{step}h"
    counted = timed.group_by(hour=pl.col("ts").dt.truncate(every)).agg(
        occurrences=pl.len().cast(pl.Int64)
    )
    start, end = counted["hour"].min(), counted["hour"].max()
    assert isinstance(start, datetime)
    assert isinstance(end, datetime)
    axis = pl.DataFrame({"hour": pl.datetime_range(start, end, every, time_zone="UTC", eager=True)})
    return (
        axis.join(counted, on="hour", how="left")
        .with_columns(
            pl.col("occurrences").fill_null(0),
            hour_label=pl.col("hour").dt.strftime("%m-%d %Hh" if step == 1 else "%Y-%m-%d %Hh"),
            bin_hours=pl.lit(step, dtype=pl.Int64),
        )
        .select("hour", "hour_label", "occurrences", "bin_hours")
        .sort("hour")
    )
