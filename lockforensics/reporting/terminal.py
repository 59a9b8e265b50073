"""The terminal report: rich tables for people reading a console.

Every cell is a ``rich.text.Text`` built from ``textsafety.clean`` output and
the console has markup, emoji and highlighting off, so log text (agent names,
paths, raw lines) can neither style nor move the terminal.  Off a TTY the
width is fixed and there is no colour, so the output is stable.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import StringIO
from typing import Any

import polars as pl
from rich.console import Console
from rich.text import Text

from lockforensics.findings import Findings
from lockforensics.reporting import rows
from lockforensics.reporting.fit import Layout, fitted
from lockforensics.reporting.glossary import name
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.prose import (
    headline,
    host_line,
    missing_writers,
    no_incidents,
    resolution_name,
    zone_line,
)
from lockforensics.reporting.units import clock, rate, span, uptime
from lockforensics.textsafety import clean


def _t(value: object, style: str = "") -> Text:
    """Any value as inert text."""
    return Text("-" if value is None else clean(str(value)), style=style)


def _print(console: Console, title: str, table: rows.Rows, layout: Layout = Layout()) -> None:  # noqa: B008
    console.print(fitted(title, table.header, table.rows, console.width, layout))


def _uptimes(i: dict[str, Any]) -> str:
    """The gateway's uptime, and the process's where an in-process restart began it."""
    gateway = uptime(i["uptime_s"], i["uptime_is_lower_bound"])
    process = rows.process_uptime(i)
    return gateway if process is None else f"{gateway} (process {process})"


def _environment(findings: Findings, console: Console) -> None:
    console.print(
        _t(
            f"window {clock(findings.window_start)} .. {clock(findings.window_end)} UTC; "
            f"hosts: {host_line(findings)}; "
            f"OpenClaw: {', '.join(findings.versions) or 'unknown'}"
        )
    )
    for label, value in rows.filters(findings):
        console.print(_t(f"{label.lower()}: {value}", "yellow"))
    _print(
        console,
        "Gateway epochs",
        rows.epochs(findings),
        Layout(wrap=("start from", "ended by"), drop=("lines", "start from")),
    )


def _incidents(findings: Findings, console: Console) -> None:
    if findings.incidents.is_empty():
        console.print(_t(f"Incidents: {no_incidents(findings)}"))
        return
    spans = rows.Rows(
        ("#", "start (UTC)", "end (UTC)", "duration", "agents", "sessions", "stale", "timeout",
         "takeover"),
        tuple(
            (i["incident"], rows.began(i), clock(i["end"]), rows.lasted(i),
             len(i["agents"]), i["sessions"], i["lock_stale"], i["lock_timeout"], i["takeover"])
            for i in findings.incidents.iter_rows(named=True)
        ),
    )  # fmt: skip
    _print(
        console,
        "Incidents",
        spans,
        Layout(drop=("end (UTC)", "sessions", "agents")),
    )
    hosts = findings.several_hosts
    gateway = rows.Rows(
        ("#", *(("host",) if hosts else ()), "gateway pid", "uptime at start", "resolved by",
         "resolved at (UTC)", "after"),
        tuple(
            (i["incident"], *((i["host"] or "?",) if hosts else ()), i["gateway_pid"],
             _uptimes(i), resolution_name(i["resolved_by"]), clock(i["resolved_at"]),
             span(i["resolution_s"]))
            for i in findings.incidents.iter_rows(named=True)
        ),
    )  # fmt: skip
    _print(
        console,
        "Incidents: gateway and resolution",
        gateway,
        Layout(
            wrap=("uptime at start", "resolved by", "after"),
            drop=("resolved at (UTC)",),
        ),
    )
    for i in findings.incidents.iter_rows(named=True):
        cleared = findings.resolutions.filter(pl.col("incident") == i["incident"])
        alone = "; ".join(
            f"{resolution_name(r['kind'])} after {span(r['resolution_s'])}"
            for r in cleared.iter_rows(named=True)
        )
        cut = rows.cut_note(i)
        console.print(
            _t(
                f"incident {i['incident']}: "
                + (f"cut by the filters ({cut}); " if cut else "")
                + f"agents {', '.join(i['agents'])}; "
                f"session types {', '.join(i['session_types']) or '-'}; "
                f"lanes {', '.join(i['lanes']) or '-'}; "
                f"each kind alone would have cleared it: {alone or 'none'}"
            )
        )


def _alignment(findings: Findings, console: Console) -> None:
    table = rows.alignment(findings)
    r = findings.rates
    extra = tuple(
        (label, rate(float(value)) if value is not None else "-")
        for label, value in (
            ("burst rate (per h)", r.get("burst_per_hour")),
            ("baseline rate (per h)", r.get("baseline_per_hour")),
        )
    )
    _print(
        console,
        "Lock error → takeover",
        rows.Rows(table.header, table.rows + extra),
        Layout(wrap=("",)),
    )


def _triggers(findings: Findings, console: Console) -> None:
    """The takeovers with a writer in view, a row per writer; the rest in one
    sentence (hundreds of rows saying "no trigger evidence" said nothing more)."""
    table = rows.Rows(
        ("takeover (UTC)", "agent", "other writer", "at (UTC)"),
        tuple(_trigger_rows(findings)),
    )
    _listed(
        console,
        findings.trigger_writers,
        "Trigger evidence per takeover",
        table,
        Layout(wrap=("agent", "other writer"), drop=("at (UTC)",)),
    )
    note = missing_writers(findings)
    if note:
        console.print(Text(note))


def _trigger_rows(findings: Findings) -> list[tuple[rows.Cell, ...]]:
    found = findings.triggers.select("takeover", "ts", "agent").join(
        findings.trigger_writers.select("takeover", "trigger", "at"),
        on="takeover",
        maintain_order="left_right",
    )
    return [
        (clock(ts), agent, name("trigger", trigger), clock(at))
        for _, ts, agent, trigger, at in found.iter_rows()
    ]


def _listed(
    console: Console, frame: pl.DataFrame, title: str, table: rows.Rows, layout: Layout
) -> None:
    """A section that is left out when its frame is empty."""
    if not frame.is_empty():
        _print(console, title, table, layout)


def _stuck(findings: Findings, console: Console) -> None:
    _listed(
        console,
        findings.stuck_alive,
        "Stuck but alive (lock owner running at the time)",
        rows.stuck_alive(findings),
        Layout(
            wrap=("agent", "session", "owner pids", "incidents"),
            drop=("last (UTC)", "owner pids", "session"),
        ),
    )


def _held(findings: Findings, console: Console) -> None:
    _listed(
        console,
        findings.held_locks,
        "Locks held at collection",
        rows.held_locks(findings),
        Layout(wrap=("agent", "session", "owner", "incidents"), drop=("created (UTC)", "session")),
    )


def _coverage(findings: Findings, console: Console, redaction: Mapping[str, int]) -> None:
    c = findings.coverage
    _print(
        console,
        "Coverage",
        rows.inputs(findings),
        Layout(wrap=("input",), drop=("noise", "event lines", "sha256", "format")),
    )
    console.print(
        _t(f"zone for zone-less stamps: {zone_line(c.zone, c.zone_reason)}; "
           f"untimed events: {c.untimed_events}")
    )  # fmt: skip
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
        console.print(Text(clean(headline(findings)), style="bold"))
        _environment(findings, console)
        _incidents(findings, console)
        _alignment(findings, console)
        for title, table in rows.frequency(findings):
            _print(console, title, table, Layout(wrap=(table.header[0],)))
        _triggers(findings, console)
        _stuck(findings, console)
        _held(findings, console)
        _coverage(findings, console, options.redaction)
        if options.evidence:
            _evidence(findings, console)
        return buffer.getvalue()
