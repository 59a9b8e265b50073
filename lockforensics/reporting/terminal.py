"""The terminal report: rich tables for people reading a console.

Every cell is a ``rich.text.Text`` built from ``textsafety.clean`` output and
the console has markup, emoji and highlighting off, so log text (agent names,
paths, raw lines) can neither style nor move the terminal.  Off a TTY the
width is fixed and there is no colour, so the output is stable.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import StringIO

import polars as pl
from rich.console import Console
from rich.table import Table
from rich.text import Text

from lockforensics.findings import Findings
from lockforensics.reporting import rows
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.prose import NO_TRIGGER_EVIDENCE, headline, resolution_name
from lockforensics.reporting.units import clock, epoch_start, span, uptime
from lockforensics.textsafety import clean


def _t(value: object, style: str = "") -> Text:
    """Any value as inert text."""
    return Text("-" if value is None else clean(str(value)), style=style)


def _table(title: str, *columns: str, wrap: tuple[str, ...] = ()) -> Table:
    """A table whose columns never wrap, except those in ``wrap`` (long log text)."""
    table = Table(title=title, title_justify="left", title_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column not in wrap)
    return table


def _headline(findings: Findings) -> Text:
    return Text(clean(headline(findings)), style="bold")


def _environment(findings: Findings, console: Console) -> None:
    console.print(
        _t(
            f"window {clock(findings.window_start)} .. {clock(findings.window_end)} UTC; "
            f"hosts: {', '.join(findings.hosts) or 'unknown'}; "
            f"OpenClaw: {', '.join(findings.versions) or 'unknown'}"
        )
    )
    table = _table("Gateway epochs", "#", "pid", "start", "from", "end", "ended by", "lines")
    for e in findings.epochs.iter_rows(named=True):
        start = epoch_start(e)
        end = clock(e["end"]) if e["end"] is not None else "running"
        table.add_row(
            *map(_t, (e["epoch"], e["pid"], start, e["start_source"], end)),
            _t(e["ended_by"] or "-"),
            _t(e["events"]),
        )
    console.print(table)


def _incidents(findings: Findings, console: Console) -> None:
    spans = _table(
        "Incidents (UTC)",
        "#",
        "start",
        "end",
        "duration",
        "agents",
        "sessions",
        "stale",
        "timeout",
        "takeover",
    )
    gateway = _table(
        "Incidents: gateway and resolution",
        "#",
        "pid",
        "uptime at start",
        "resolved by",
        "resolved at (UTC)",
        "after",
    )
    for i in findings.incidents.iter_rows(named=True):
        spans.add_row(
            *map(
                _t,
                (
                    i["incident"],
                    clock(i["start"]),
                    clock(i["end"]),
                    span(i["duration_s"]),
                    len(i["agents"]),
                    i["sessions"],
                    i["lock_stale"],
                    i["lock_timeout"],
                    i["takeover"],
                ),
            )
        )
        gateway.add_row(
            *map(
                _t,
                (
                    i["incident"],
                    i["gateway_pid"],
                    uptime(i["uptime_s"], i["uptime_is_lower_bound"]),
                    resolution_name(i["resolved_by"]),
                    clock(i["resolved_at"]),
                    span(i["resolution_s"]),
                ),
            )
        )
    console.print(spans)
    console.print(gateway)
    for i in findings.incidents.iter_rows(named=True):
        cleared = findings.resolutions.filter(pl.col("incident") == i["incident"])
        alone = "; ".join(
            f"{r['kind']} after {span(r['resolution_s'])}" for r in cleared.iter_rows(named=True)
        )
        console.print(
            _t(
                f"incident {i['incident']}: agents {', '.join(i['agents'])}; "
                f"session types {', '.join(i['session_types']) or '-'}; "
                f"lanes {', '.join(i['lanes']) or '-'}; "
                f"each kind alone would have cleared it: {alone or 'none'}"
            )
        )


def _frequency(findings: Findings, console: Console, dimension: str, title: str) -> None:
    found = findings.frequency.filter(pl.col("dimension") == dimension)
    table = _table(
        title, dimension, "lock_stale", "lock_timeout", "takeover", "occurrences", wrap=(dimension,)
    )
    for r in found.iter_rows(named=True):
        table.add_row(
            *map(_t, (r["value"], r["lock_stale"], r["lock_timeout"], r["takeover"])),
            _t(r["occurrences"]),
        )
    console.print(table)


def _alignment(findings: Findings, console: Console) -> None:
    a = findings.alignment
    table = _table(f"Lock error → takeover (window {span(float(a['window_s'] or 0))})", "", "")
    for label, key in (
        ("takeovers", "takeovers"),
        ("with a lock error on the same session", "with_session_precursor"),
        ("with a lock error on the same agent only", "with_agent_precursor"),
        ("without a lock error before them", "without_lock_precursor"),
        ("lock errors", "lock_errors"),
        ("lock errors followed by a takeover", "lock_errors_followed"),
        ("lock errors not followed by a takeover", "lock_errors_without_takeover"),
    ):
        table.add_row(_t(label), _t(a[key]))
    for label, key in (
        ("lag p50", "lag_s_p50"),
        ("lag p90", "lag_s_p90"),
        ("lag max", "lag_s_max"),
    ):
        value = a[key]
        table.add_row(_t(label), _t(span(float(value)) if value is not None else "-"))
    r = findings.rates
    for label, key in (
        ("burst rate (per h)", "burst_per_hour"),
        ("baseline rate (per h)", "baseline_per_hour"),
    ):
        value = r[key]
        table.add_row(_t(label), _t(f"{float(value):.2f}" if value is not None else "-"))
    console.print(table)


def _triggers(findings: Findings, console: Console) -> None:
    table = _table(
        "Trigger evidence per takeover", "takeover (UTC)", "agent", "trigger", "at", wrap=("agent",)
    )
    writers = findings.trigger_writers
    for t in findings.triggers.iter_rows(named=True):
        found = writers.filter(pl.col("takeover") == t["takeover"])
        if found.is_empty():
            note = NO_TRIGGER_EVIDENCE if t["status"] == "no_debug_lines" else "none found"
            table.add_row(_t(clock(t["ts"])), _t(t["agent"]), _t(note), _t("-"))
        for w in found.iter_rows(named=True):
            table.add_row(_t(clock(t["ts"])), _t(t["agent"]), _t(w["trigger"]), _t(clock(w["at"])))
    console.print(table)


def _stuck(findings: Findings, console: Console) -> None:
    table = _table(
        "Stuck but alive (lock owner still running)",
        "agent",
        "session",
        "lock errors",
        "first (UTC)",
        "owner",
        "incidents",
        wrap=("agent", "session"),
    )
    for s in findings.stuck_alive.iter_rows(named=True):
        table.add_row(
            *map(
                _t,
                (
                    s["agent"],
                    s["session_id"],
                    s["lock_errors"],
                    clock(s["first"]),
                    ", ".join(s["owners"]),
                    ", ".join(str(n) for n in s["incidents"]) or "-",
                ),
            )
        )
    console.print(table)


def _coverage(findings: Findings, console: Console, redaction: Mapping[str, int]) -> None:
    c = findings.coverage
    table = _table(
        "Coverage", "input", "format", "lines", "events", "unrecognized", "sha256", wrap=("input",)
    )
    for row in c.inputs:
        sha = row.get("sha256")
        table.add_row(
            *map(
                _t,
                (row.get("path"), row.get("format"), row.get("lines"), row.get("events")),
            ),
            _t(row.get("unrecognized")),
            _t(str(sha)[:12] if sha else "-"),
        )
    console.print(table)
    zone = f"{c.zone} ({c.zone_reason})" if c.zone else "UTC (no zone evidence in the bundle)"
    console.print(_t(f"zone for zone-less stamps: {zone}; untimed events: {c.untimed_events}"))
    for path, why in rows.set_aside(findings).rows:
        console.print(_t(f"set aside: {path}: {why}"))
    for row in c.assumptions.iter_rows(named=True):
        console.print(_t(f"assumed for {row['events']} events: {row['ts_assumption']}"))
    for warning in c.warnings:
        console.print(_t(f"warning: {warning}", "yellow"))
    if redaction:
        counts = ", ".join(f"{k} {v}" for k, v in redaction.items())
        console.print(_t(f"redacted (distinct values): {counts}"))


def _evidence(findings: Findings, console: Console) -> None:
    for incident, lines in findings.evidence.group_by("incident", maintain_order=True):
        console.print(_t(f"evidence for incident {incident[0]}:", "bold"))
        for r in lines.iter_rows(named=True):
            console.print(_t(f"{r['source']}:{r['line']} {r['raw']}"), overflow="fold")


class TerminalReporter:
    """``-f terminal``: headline, environment, incidents, counts, lag, triggers, coverage."""

    def render(self, findings: Findings, options: RenderOptions) -> str:
        buffer = StringIO()
        console = Console(
            file=buffer,
            width=options.width,
            force_terminal=options.color,
            color_system="standard" if options.color else None,
            markup=False,
            emoji=False,
            highlight=False,
            soft_wrap=False,
        )
        console.print(_headline(findings))
        _environment(findings, console)
        _incidents(findings, console)
        _frequency(findings, console, "agent", "Occurrences per agent")
        _alignment(findings, console)
        for dimension, title in (
            ("day", "Occurrences per day (UTC)"),
            ("hour", "Occurrences per hour (UTC, hours with any)"),
            ("session_type", "Occurrences per session type"),
            ("lane", "Occurrences per lane"),
            ("epoch", "Occurrences per gateway epoch"),
            ("version", "Occurrences per OpenClaw version"),
        ):
            _frequency(findings, console, dimension, title)
        _triggers(findings, console)
        _stuck(findings, console)
        _coverage(findings, console, options.redaction)
        if options.evidence:
            _evidence(findings, console)
        return buffer.getvalue()
