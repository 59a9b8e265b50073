"""The HTML report's charts: Altair specs rendered offline to inline SVG by vl-convert.

No chart is hand-drawn and none needs a network: vl-convert embeds the Vega
runtime, and the SVG it returns is pasted into the page.  Labels come from
data fields, which Vega writes as SVG text nodes (escaped), never as markup.
"""

from __future__ import annotations

import functools
import resource
import subprocess
import sys
from datetime import datetime, timedelta

import altair as alt
import polars as pl
import vl_convert as vlc

from lockforensics.findings import Findings
from lockforensics.reporting.glossary import kind as kind_name
from lockforensics.reporting.mermaid import hourly_counts
from lockforensics.textsafety import clean

_KIND_COLORS = alt.Scale(
    domain=[kind_name(k) for k in ("lock_stale", "lock_timeout", "takeover")],
    range=["#d97706", "#2563eb", "#dc2626"],
)
_KIND_NAMES = {k: kind_name(k) for k in ("lock_stale", "lock_timeout", "takeover")}
_WIDTH = 860
UPTIME_MEASURED = "measured from the start line"
UPTIME_AT_LEAST = "at least (started before the bundle)"
# Time scales in UTC: Vega's default is the renderer's local zone (TZ), which
# mislabels the "UTC" axes and makes the SVG depend on the machine.  For the
# same reason no tooltip (the SVG's aria-labels) formats a time on its own:
# the x channel already labels each mark in UTC.
_UTC = alt.Scale(type="utc")


# A one-bar chart, rendered in a child process: V8 aborts the whole process
# (SIGTRAP, no exception) when it cannot reserve its address space.
_PROBE = (
    "import vl_convert as v; v.vegalite_to_svg({'mark': 'bar', 'data': {'values': [{'a': 1}]}, "
    "'encoding': {'x': {'field': 'a', 'type': 'quantitative'}}})"
)


@functools.cache
def unavailable() -> str | None:
    """Why charts cannot be drawn here, or None.  Only under an address-space limit
    (``ulimit -v``) is vl-convert tried first, in a child process that may die."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_AS)
    if soft == resource.RLIM_INFINITY:
        return None
    try:
        probe = subprocess.run(
            [sys.executable, "-c", _PROBE], capture_output=True, timeout=120, check=False
        )
        if probe.returncode == 0:
            return None
    except (OSError, subprocess.TimeoutExpired):
        pass
    return (
        "Charts left out: vl-convert (its V8 engine) needs more address space than "
        f"ulimit -v allows here ({soft >> 20} MiB); run without the limit to draw them."
    )


def _svg(chart: alt.TopLevelMixin) -> str:
    # Vega cuts legend labels at 160 px ("lock timeou"): let them run full length.
    configured = chart.configure_legend(labelLimit=0, titleLimit=0)
    return str(vlc.vegalite_to_svg(configured.to_json()))


def _records(frame: pl.DataFrame) -> alt.Data:
    # ISO strings with a Z keep Vega from reinterpreting instants in a local zone.
    out = frame.with_columns(
        pl.col(c).dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        for c, t in frame.schema.items()
        if isinstance(t, pl.Datetime)
    ).with_columns(
        # Vega escapes markup in labels but keeps bidi overrides and controls.
        pl.col(c).map_elements(clean, return_dtype=pl.String)
        for c, t in frame.schema.items()
        if t == pl.String
    )
    return alt.Data(values=out.to_dicts())  # type: ignore[no-untyped-call]  # altair ships no types here


def _named(frame: pl.DataFrame) -> pl.DataFrame:
    """``kind`` as the glossary names it, for legends and tooltips."""
    return frame.with_columns(pl.col("kind").replace_strict(_KIND_NAMES, default=pl.col("kind")))


#: Characters of an agent's name a lane label keeps (Vega cut longer ones at
#: their end, and agents named alike up to there shared one label).
_LANE_CHARS = 36


def lane_labels(agents: list[str]) -> dict[str, str]:
    """A label per agent, at most ``_LANE_CHARS`` characters, told apart: a long name
    keeps its start and its end (`customer-support-t…-frankfurt-017`)."""
    half = (_LANE_CHARS - 1) // 2
    labels = {
        a: a if len(a) <= _LANE_CHARS else f"{a[:half]}…{a[-(_LANE_CHARS - 1 - half) :]}"
        for a in agents
    }
    seen: dict[str, int] = {}
    for agent in sorted(agents):
        label = labels[agent]
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:  # alike even so: numbered, in name order
            labels[agent] = f"{label} ({seen[label]})"
    return labels


def swimlanes(f: Findings) -> str | None:
    """One lane per agent: failures as ticks, incidents shaded, gateway restarts as rules."""
    failures = f.failures.filter(pl.col("ts").is_not_null() & pl.col("agent").is_not_null())
    if failures.is_empty():
        return None
    agents = sorted(failures["agent"].unique().to_list())
    labels = lane_labels(agents)
    lanes = [labels[a] for a in agents]
    failures = failures.with_columns(lane=pl.col("agent").replace_strict(labels))
    x_scale = alt.Scale(type="utc", domain=_padded_domain(f, failures))
    ticks = (
        alt.Chart(
            _records(
                _named(failures.select("ts", "agent", "lane", "kind", "incident", "session_id"))
            )
        )
        .mark_tick(thickness=2, size=14)
        .encode(
            x=alt.X("ts:T", title="UTC", scale=x_scale, axis=alt.Axis(format="%m-%d %H:%M")),
            y=alt.Y("lane:N", sort=lanes, title=None, axis=alt.Axis(labelLimit=0)),
            color=alt.Color("kind:N", scale=_KIND_COLORS, title="kind"),
            tooltip=["agent:N", "kind:N", "incident:Q", "session_id:N"],
        )
    )
    layers: list[alt.Chart] = []
    if not f.incidents.is_empty():
        spans = f.incidents.select(
            "incident",
            start=pl.col("start") - timedelta(minutes=2),
            end=pl.col("end") + timedelta(minutes=2),
        )
        layers.append(
            alt.Chart(_records(spans))
            .mark_rect(opacity=0.15, color="#dc2626", aria=False)  # decoration: no local-time label
            .encode(x=alt.X("start:T", scale=x_scale), x2="end:T")
        )
    restarts = f.epochs.filter(pl.col("ended_by").is_in(["restart", "in_process_restart"]))
    if not restarts.is_empty():
        rule = alt.Chart(_records(restarts.select("end", "pid")))
        layers.append(
            rule.mark_rule(color="#111827", strokeDash=[4, 3]).encode(
                x=alt.X("end:T", scale=x_scale),
                tooltip=[alt.Tooltip("pid:Q", title="restarted pid")],
            )
        )
        # The rule alone said nothing: name it where it meets the top of the frame.
        layers.append(
            rule.transform_calculate(label="'gateway restart (pid ' + datum.pid + ')'")
            .mark_text(align="left", baseline="bottom", dx=3, dy=-2, fontSize=10, color="#111827")
            .encode(x=alt.X("end:T", scale=x_scale), y=alt.value(0), text="label:N")
        )
    chart = alt.layer(*layers, ticks).properties(
        width=_WIDTH, height=max(80, 22 * len(agents)), title="Lock errors and takeovers per agent"
    )
    return _svg(chart)


def _padded_domain(f: Findings, failures: pl.DataFrame) -> list[str]:
    """The time axis: every failure, incident band and restart, plus a margin on each side.

    Without the margin, an incident at the first or last failure was cut by the frame.
    """
    stamps = [failures["ts"].min(), failures["ts"].max()]
    if not f.incidents.is_empty():
        stamps += [f.incidents["start"].min(), f.incidents["end"].max()]
    ends = f.epochs.filter(pl.col("ended_by").is_in(["restart", "in_process_restart"]))["end"]
    stamps += ends.drop_nulls().to_list()
    known = sorted(s for s in stamps if isinstance(s, datetime))
    first, last = known[0], known[-1]
    margin = max((last - first) * 0.03, timedelta(minutes=5))
    return [moment.strftime("%Y-%m-%dT%H:%M:%SZ") for moment in (first - margin, last + margin)]


def per_hour(f: Findings) -> str | None:
    """Occurrences per hour, stacked by kind, over a continuous axis."""
    hours = hourly_counts(f)
    if hours.is_empty():
        return None
    counted = (
        f.failures.filter(pl.col("ts").is_not_null())
        .group_by(hour=pl.col("ts").dt.truncate("1h"), kind=pl.col("kind"))
        .agg(occurrences=pl.len())
        .sort("hour", "kind")
    )
    chart = (
        alt.Chart(_records(_named(counted)))
        .mark_bar()
        .encode(
            x=alt.X("hour:T", title="hour (UTC)", scale=_UTC, axis=alt.Axis(format="%m-%d %H:00")),
            y=alt.Y("occurrences:Q", title="occurrences"),
            color=alt.Color("kind:N", scale=_KIND_COLORS),
            tooltip=["kind:N", "occurrences:Q"],
        )
        .properties(width=_WIDTH, height=200, title="Occurrences per hour")
    )
    return _svg(chart)


def lag_histogram(f: Findings) -> str | None:
    """How long after its lock error each takeover came."""
    lags = f.pairs.filter(pl.col("lag_s").is_not_null()).select("lag_s", "match")
    if lags.is_empty():
        return None
    chart = (
        alt.Chart(_records(lags))
        .mark_bar()
        .encode(
            x=alt.X("lag_s:Q", bin=alt.Bin(maxbins=30), title="lag (s), lock error → takeover"),
            y=alt.Y("count():Q", title="takeovers"),
            color=alt.Color("match:N", title="matched on"),
        )
        .properties(width=_WIDTH // 2, height=200, title="Lock error → takeover lag")
    )
    return _svg(chart)


def uptime_at_incidents(f: Findings) -> str | None:
    """Gateway uptime (hours) when each incident began; lower bounds marked."""
    rows = f.incidents.filter(pl.col("uptime_s").is_not_null()).select(
        incident=pl.col("incident").cast(pl.String),
        uptime_h=pl.col("uptime_s") / 3600,
        uptime=pl.when(pl.col("uptime_is_lower_bound").fill_null(False))
        .then(pl.lit(UPTIME_AT_LEAST))
        .otherwise(pl.lit(UPTIME_MEASURED)),
        gateway_pid=pl.col("gateway_pid"),
    )
    if rows.is_empty():
        return None
    chart = (
        alt.Chart(_records(rows))
        .mark_bar()
        .encode(
            x=alt.X("incident:N", title="incident", sort=None),
            y=alt.Y("uptime_h:Q", title="gateway uptime at start (h)"),
            color=alt.Color(
                "uptime:N",
                title="uptime",
                scale=alt.Scale(
                    domain=[UPTIME_MEASURED, UPTIME_AT_LEAST], range=["#4c78a8", "#9ca3af"]
                ),
            ),
            tooltip=[
                "incident:N",
                alt.Tooltip("uptime_h:Q", format=".1f", title="uptime (h)"),
                "uptime:N",
                alt.Tooltip("gateway_pid:Q", title="gateway pid"),
            ],
        )
        .properties(width=_WIDTH // 2 - 60, height=200, title="Uptime at each incident")
    )
    return _svg(chart)
