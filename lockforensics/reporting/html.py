"""One self-contained HTML file: charts inline, no request leaves the page.

The template and its CSS/JS live in ``reports/`` (bundled into the wheel).
Jinja2 autoescapes every value; the only unescaped inserts are the SVG
charts vl-convert produced and our own script.  A Content-Security-Policy
meta tag forbids every network fetch, so even a string that slipped through
could not phone home.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import jinja2
import polars as pl

from lockforensics import __version__
from lockforensics.findings import Findings
from lockforensics.reporting import charts
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.prose import NO_TRIGGER_EVIDENCE, headline, resolution_name
from lockforensics.reporting.units import clock, span, uptime
from lockforensics.resources import data_dir
from lockforensics.textsafety import clean

#: Rows in the interactive event table; the rest stays in --evidence / JSON.
EVENT_ROWS = 2000
_EVENT_KINDS = (
    "lock_stale", "lock_timeout", "takeover", "lock_removed", "lock_released_by_watchdog",
    "store_lock_timeout", "gateway_start", "gateway_restart", "gateway_stop", "cleanup_run",
    "doctor_lock", "stuck_session",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Grid:
    """A table for the template: header plus rows of plain (to-be-escaped) strings."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(clean(str(v)) for v in value)
    return clean(str(value))


def _grid(header: Sequence[str], rows: Iterable[Iterable[object]]) -> Grid:
    return Grid(tuple(header), tuple(tuple(_cell(c) for c in row) for row in rows))


def _inert(value: object) -> object:
    """Jinja ``finalize``: every plain string printed is cleaned (ANSI, controls, bidi).

    Markup (``__html__``: our SVG charts, script and CSS, marked ``| safe``) passes as is.
    """
    if isinstance(value, str) and not hasattr(value, "__html__"):
        return clean(value)
    return value


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(data_dir("reports")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        finalize=_inert,
    )


class HtmlReporter:
    """Renders ``Findings`` as one self-contained HTML page."""

    def render(self, findings: Findings, options: RenderOptions) -> str:
        env = _environment()
        folder = data_dir("reports")
        template = env.get_template("report.html.j2")
        return template.render(
            version=__version__,
            css=(folder / "report.css").read_text(encoding="utf-8"),
            script=(folder / "report.js").read_text(encoding="utf-8"),
            **_context(findings, options),
        )


def _context(f: Findings, options: RenderOptions) -> dict[str, Any]:
    a = f.alignment
    wide = [svg for svg in (charts.swimlanes(f), charts.per_hour(f)) if svg]
    small = [svg for svg in (charts.lag_histogram(f), charts.uptime_at_incidents(f)) if svg]
    rates = f.rates
    events = f.events.filter(pl.col("kind").is_in(_EVENT_KINDS)).sort(
        "ts", "source", "line", nulls_last=True
    )
    c = f.coverage
    return {
        "hosts": ", ".join(f.hosts) or "unknown host",
        "window": f"{clock(f.window_start)} → {clock(f.window_end)} UTC",
        "headline": headline(f),
        "generated": clock(f.generated_at),
        "facts": [
            ("OpenClaw", ", ".join(f.versions) or "unknown"),
            ("Host", ", ".join(f.hosts) or "unknown"),
            (
                "Zone for zone-less stamps",
                f"{c.zone or 'UTC'} ({c.zone_reason or 'no zone evidence'})",
            ),
            (
                "Alignment window / incident gap",
                f"{span(f.settings.window_s)} / {span(f.settings.gap_s)}",
            ),
        ],
        "epochs": _grid(
            ("epoch", "gateway pid", "start (UTC)", "start from", "end (UTC)", "ended by", "lines"),
            (
                (
                    e["epoch"],
                    e["pid"],
                    clock(e["start"]) if e["start_known"] else f"≤ {clock(e['first_line'])}",
                    e["start_source"],
                    clock(e["end"]) if e["end"] else "running",
                    e["ended_by"],
                    e["events"],
                )
                for e in f.epochs.iter_rows(named=True)
            ),
        ),
        "wide_charts": wide,
        "small_charts": small,
        "incidents": _grid(
            (
                "#",
                "start (UTC)",
                "duration",
                "agents",
                "sessions",
                "stale",
                "timeout",
                "takeover",
                "gateway pid",
                "uptime at start",
                "resolved by",
                "after",
            ),
            (
                (
                    i["incident"],
                    clock(i["start"]),
                    span(i["duration_s"]),
                    len(i["agents"] or []),
                    i["sessions"],
                    i["lock_stale"],
                    i["lock_timeout"],
                    i["takeover"],
                    i["gateway_pid"],
                    uptime(i["uptime_s"], i["uptime_is_lower_bound"]),
                    resolution_name(i["resolved_by"]),
                    span(i["resolution_s"]),
                )
                for i in f.incidents.iter_rows(named=True)
            ),
        ),
        "incident_sections": [_incident(f, i, options) for i in f.incidents.iter_rows(named=True)],
        "alignment": _grid(
            ("", "value"),
            [
                ("takeovers", a.get("takeovers")),
                ("after a lock error on the same session", a.get("with_session_precursor")),
                ("after a lock error of the same agent only", a.get("with_agent_precursor")),
                ("with no lock error before them", a.get("without_lock_precursor")),
                ("lock errors", a.get("lock_errors")),
                ("not followed by a takeover", a.get("lock_errors_without_takeover")),
                (
                    "lag p50 / p90 / max",
                    " / ".join(span(a.get(k)) for k in ("lag_s_p50", "lag_s_p90", "lag_s_max")),
                ),
            ],
        ),
        "window_s": span(f.settings.window_s),
        "resolutions": _grid(
            ("incident", "cleared by", "at (UTC)", "after the last error"),
            (
                (
                    r["incident"],
                    resolution_name(r["kind"]),
                    clock(r["cleared_at"]),
                    span(r["resolution_s"]),
                )
                for r in f.resolutions.iter_rows(named=True)
            ),
        ),
        "rates": (
            f"Inside incidents {float(rates.get('burst_per_hour') or 0):.1f} occurrences/hour; "
            f"outside {float(rates.get('baseline_per_hour') or 0):.2f}/hour."
        ),
        "frequency": [
            (
                f"Occurrences per {dimension.replace('_', ' ')}",
                _grid(
                    (dimension, "stale", "timeout", "takeover", "total"),
                    (
                        (
                            r["value"],
                            r["lock_stale"],
                            r["lock_timeout"],
                            r["takeover"],
                            r["occurrences"],
                        )
                        for r in rows.iter_rows(named=True)
                    ),
                ),
            )
            for (dimension,), rows in f.frequency.group_by(["dimension"], maintain_order=True)
        ],
        "triggers": _grid(
            ("takeover", "other writer", "at (UTC)", "run"),
            (
                (r["takeover"], r["trigger"], clock(r["at"]), r["run_id"])
                for r in f.trigger_writers.iter_rows(named=True)
            ),
        ),
        "trigger_note": (
            f"{f.triggers.filter(pl.col('status') != 'found').height} takeover(s) without a "
            f"writer in view: {NO_TRIGGER_EVIDENCE}."
        ),
        "stuck": _grid(
            (
                "agent",
                "session",
                "lock errors",
                "first (UTC)",
                "last (UTC)",
                "owner pids",
                "incidents",
            ),
            (
                (
                    r["agent"],
                    r["session_id"],
                    r["lock_errors"],
                    clock(r["first"]),
                    clock(r["last"]),
                    r["owner_pids"],
                    r["incidents"],
                )
                for r in f.stuck_alive.iter_rows(named=True)
            ),
        ),
        "events": _grid(
            ("ts (UTC)", "kind", "agent", "session", "occurrence", "source", "line", "message"),
            (
                (
                    clock(r["ts"]),
                    r["kind"],
                    r["agent"],
                    r["session_id"],
                    r["occurrence"],
                    r["source"],
                    r["line"],
                    (r["message"] or "")[:300],
                )
                for r in events.head(EVENT_ROWS).iter_rows(named=True)
            ),
        ),
        "events_total": events.height,
        "coverage_line": (
            f"{len(c.inputs)} inputs; {c.unrecognized_lines:,} unrecognized lines; "
            f"{c.untimed_events:,} untimed events."
        ),
        "inputs": _grid(
            ("input", "format", "sha256", "lines", "events", "unrecognized"),
            (
                (
                    m.get("path"),
                    m.get("format"),
                    str(m.get("sha256") or "-")[:12],
                    m.get("lines"),
                    m.get("event_lines", m.get("events")),
                    m.get("unrecognized"),
                )
                for m in c.inputs
            ),
        ),
        "assumptions": _grid(
            ("assumption", "events"),
            ((r["ts_assumption"], r["events"]) for r in c.assumptions.iter_rows(named=True)),
        ),
        "redaction": ", ".join(f"{k} {v}" for k, v in options.redaction.items()),
    }


def _incident(f: Findings, i: dict[str, Any], options: RenderOptions) -> dict[str, Any]:
    evidence = f.evidence.filter(pl.col("incident") == i["incident"])
    resolved = (
        f"{resolution_name(i['resolved_by'])} at {clock(i['resolved_at'])} UTC, "
        f"{span(i['resolution_s'])} after the last error"
        if i["resolved_at"] is not None
        else "nothing in the bundle cleared it"
    )
    return {
        "number": i["incident"],
        "when": f"{clock(i['start'])} → {clock(i['end'])} UTC ({span(i['duration_s'])})",
        "facts": [
            ("Agents", _cell(i["agents"])),
            ("Sessions", i["sessions"]),
            ("Session types", _cell(i["session_types"])),
            ("Lanes", _cell(i["lanes"])),
            (
                "Gateway",
                f"pid {i['gateway_pid'] or '?'}, "
                f"up {uptime(i['uptime_s'], i['uptime_is_lower_bound'])}",
            ),
            ("Resolved by", resolved),
        ],
        "evidence": [
            clean(f"{r['source']}:{r['line']}: {r['raw']}") for r in evidence.iter_rows(named=True)
        ],
    }
