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

#: Letters and digits of any script stay (an agent named `zoë` is not `zo_`, the
#: same label as `zo?`); punctuation, symbols and format characters (bidi
#: controls, zero-width joiners) do not.
_UNSAFE = re.compile(r"[^\w ._/+()-]")
# A bar is drawn at least this share of the chart's span wide (and at least a
# minute): a one-minute incident in a 21-hour gantt was 0-1 px wide.
_MIN_BAR_SHARE = 0.015
_MIN_BAR = timedelta(minutes=1)
_FMT = "%Y-%m-%dT%H:%M:%S"
#: How far before and after the incidents the gateway bars reach.
_EPOCH_MARGIN = timedelta(hours=1)
#: The bar chart keeps at most this many bars, so its labels never overlap: 12 short
#: ``04h`` labels, or 8 dated ``05-28 04h`` ones when the bins span more than one day.
MAX_BARS = 12
MAX_DATED_BARS = 8
_BIN_HOURS = (1, 2, 3, 4, 6, 8, 12, 24)

GANTT_NOTE = (
    "Each bar is one incident on one agent, from its first to its last lock error or "
    "takeover; (N) is how many that agent had in the incident. Short incidents are drawn "
    "{min_bar} wide so they stay visible."
)


def label(text: object) -> str:
    """A label Mermaid cannot misread (no `:`, `#`, `;`, quotes, brackets, newlines)."""
    return _UNSAFE.sub("_", str(text))[:60] or "_"


def gantt(findings: Findings, max_agents: int | None = None) -> str | None:
    """Incident swimlanes per agent, with gateway epochs and restarts; None if nothing to draw.

    ``max_agents``: draw only that many agents, those with the most failures
    (:func:`gantt_agents` says how many there are)."""
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
    # The host is named when the bundle holds several (two hosts' pids may be
    # alike); what is not known is said in words (`label` takes a "?" away).
    hosts = findings.several_hosts
    for epoch in findings.epochs.iter_rows(named=True):
        pid = f"pid {epoch['pid'] if epoch['pid'] is not None else 'unknown'}"
        who = f"{epoch['host'] or 'unknown host'} {pid}" if hosts else pid
        began = epoch["start"] or epoch["first_line"] or first
        start = max(began, first - _EPOCH_MARGIN)
        # A process still running at the bundle's end runs to its last line, not
        # to the last failure.
        end = min(epoch["end"] or epoch["last_line"] or last, last + _EPOCH_MARGIN)
        if end <= start:
            continue
        # The bar is cut to an hour around the incidents; its label keeps what was cut.
        if began < start:
            who += f" since {began:%m-%d %Hh%M}"
        if epoch["end"] is None:
            who += " running"
        elif epoch["end"] > end:
            who += f" until {epoch['end']:%m-%d %Hh%M}"
        name = label(who)
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
    min_bar = min_bar_width(findings)
    agents = (
        spans.group_by("agent")
        .agg(n=pl.col("n").sum())
        .sort(["n", "agent"], descending=[True, False])
    )
    if max_agents is not None and agents.height > max_agents:
        spans = spans.filter(pl.col("agent").is_in(agents.head(max_agents)["agent"].implode()))
    for (agent,), rows in spans.group_by(["agent"], maintain_order=True):
        lines.append(f"    section {label(agent)}")
        for row in rows.iter_rows(named=True):
            end = max(row["end"], row["start"] + min_bar)
            name = label(f"incident {row['incident']} ({row['n']})")
            lines.append(f"    {name} :crit, {row['start']:{_FMT}}, {end:{_FMT}}")
    return "\n".join(lines)


def gantt_agents(findings: Findings) -> int:
    """How many agents the gantt has a lane for."""
    return findings.failures.filter(
        pl.col("ts").is_not_null()
        & pl.col("incident").is_not_null()
        & pl.col("agent").is_not_null()
    )["agent"].n_unique()


def min_bar_width(findings: Findings) -> timedelta:
    """The shortest bar the gantt draws: a share of the span it draws (its incidents'
    failures, and the hour around them its gateway bars reach), at least 1 min.
    Lone failures the gantt leaves out do not widen it: two, hours from a
    20-minute herd, had drawn its bars 9 minutes wide, past the restart that
    cleared it."""
    timed = findings.failures.filter(pl.col("incident").is_not_null())
    times = timed.get_column("ts").drop_nulls().sort().to_list()
    if len(times) < 2:
        return _MIN_BAR
    margins = 0 if findings.epochs.is_empty() else 2
    share = (times[-1] - times[0] + margins * _EPOCH_MARGIN) * _MIN_BAR_SHARE
    return max(_MIN_BAR, timedelta(minutes=round(share.total_seconds() / 60)))


def bin_hours(hours: int, max_bars: int = MAX_BARS) -> int:
    """The bin width (hours) that shows ``hours`` hours in at most ``max_bars`` bars."""
    fitting = (b for b in _BIN_HOURS if -(-hours // b) <= max_bars)
    return next(fitting, 24 * -(-hours // (24 * max_bars)))


def hourly_bars(findings: Findings) -> str | None:
    """Lock errors and takeovers per bin (1 h, or wider when the span is long), zeros included."""
    hours = hourly_counts(findings)
    if hours.is_empty():
        return None
    days = hours["hour"].dt.date().n_unique()
    width = bin_hours(hours.height, MAX_BARS if days == 1 else MAX_DATED_BARS)
    bins = (
        hours.with_row_index("i")
        .group_by(pl.col("i") // width, maintain_order=True)
        .agg(pl.col("hour").first(), pl.col("occurrences").sum())
        .sort("hour")
    )
    labels = ", ".join(f'"{label(text)}"' for text in _bin_labels(bins["hour"].to_list()))
    values = ", ".join(str(v) for v in bins["occurrences"])
    top = max(1, int(bins["occurrences"].max() or 0))  # type: ignore[arg-type]  # an Int64 column
    # hourly_counts may already use wider bins (a long span); bars group those.
    hours_per_bar = width * int(hours["bin_hours"][0])
    per = "hour" if hours_per_bar == 1 else f"{hours_per_bar} hours"
    return "\n".join(
        [
            "xychart-beta",
            f'    title "Lock errors and takeovers per {per} (UTC)"',
            f"    x-axis [{labels}]",
            f'    y-axis "occurrences" 0 --> {top}',
            f"    bar [{values}]",
        ]
    )


def _bin_labels(starts: list[datetime]) -> list[str]:
    """``04h`` within one day (the first with its date); ``05-28 04h`` when the bins span days.

    xychart treats labels as categories, so they must be unique: two ``10h`` of
    different days would be drawn on top of each other.
    """
    if len({start.date() for start in starts}) > 1:
        return [start.strftime("%m-%d %Hh") for start in starts]
    return [start.strftime("%m-%d %Hh" if i == 0 else "%Hh") for i, start in enumerate(starts)]


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
