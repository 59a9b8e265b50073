"""One self-contained HTML file: charts inline, no request leaves the page.

The template and its CSS/JS live in ``reports/`` (bundled into the wheel).
Jinja2 autoescapes every value; the only unescaped inserts are the SVG
charts vl-convert produced and our own script.  A Content-Security-Policy
meta tag forbids every network fetch, so even a string that slipped through
could not phone home.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jinja2
import polars as pl

from lockforensics import __version__
from lockforensics.findings import Findings
from lockforensics.reporting import charts, eventlist, rows
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.prose import (
    HELD_NOTE,
    headline,
    missing_writers,
    no_incidents,
)
from lockforensics.reporting.units import clock, span
from lockforensics.resources import data_dir
from lockforensics.textsafety import clean


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


def _grid(table: rows.Rows) -> Grid:
    return Grid(table.header, tuple(tuple(_cell(c) for c in row) for row in table.rows))


def _inert(value: object) -> object:
    """Jinja ``finalize``: every plain string printed is cleaned (controls, ESC too, and bidi).

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
    charts_note = charts.unavailable()
    wide = [] if charts_note else [s for s in (charts.swimlanes(f), charts.per_hour(f)) if s]
    small = (
        []
        if charts_note
        else [s for s in (charts.lag_histogram(f), charts.uptime_at_incidents(f)) if s]
    )
    key_header, key_rows = eventlist.key_rows(f, options.evidence)
    return {
        "hosts": ", ".join(f.hosts) or "unknown host",
        "window": f"{clock(f.window_start)} → {clock(f.window_end)} UTC",
        "headline": headline(f),
        "generated": clock(f.generated_at),
        "facts": rows.facts(f).rows,
        "epochs": _grid(rows.epochs(f)),
        "wide_charts": wide,
        "small_charts": small,
        "charts_note": charts_note,
        "incidents": _grid(rows.incidents(f)),
        "no_incidents": no_incidents(f),
        "incident_sections": [
            _incident(f, i, options.evidence) for i in f.incidents.iter_rows(named=True)
        ],
        "alignment": _grid(rows.alignment(f)),
        "window_s": span(f.settings.window_s),
        "resolutions": _grid(rows.resolutions(f)),
        "resolution_note": rows.RESOLUTION_NOTE,
        "rates": rows.rates(f),
        "frequency": [(title, _grid(table)) for title, table in rows.frequency(f)],
        "triggers": _grid(rows.trigger_writers(f)),
        "trigger_note": missing_writers(f),
        "stuck": _grid(rows.stuck_alive(f)),
        "held": _grid(rows.held_locks(f)),
        "held_note": HELD_NOTE,
        "events": _grid(rows.Rows(key_header, tuple(key_rows))),  # type: ignore[arg-type]  # cells are plain values
        "summaries": eventlist.summaries(f, options.evidence),
        "evidence": options.evidence,
        "coverage_line": rows.coverage_line(f),
        "inputs": _grid(rows.inputs(f)),
        "skipped": _grid(rows.skipped(f)),
        "assumptions": _grid(rows.assumptions(f)),
        "set_aside": _grid(rows.set_aside(f)),
        "redaction": ", ".join(f"{k} {v}" for k, v in options.redaction.items()),
    }


def _incident(f: Findings, i: dict[str, Any], with_evidence: bool) -> dict[str, Any]:
    evidence = f.evidence.filter(pl.col("incident") == i["incident"]).head(
        len(f.evidence) if with_evidence else 0
    )
    return {
        "number": i["incident"],
        "when": f"{rows.began(i)} → {clock(i['end'])} UTC ({rows.lasted(i)})",
        "facts": [(name, _cell(value)) for name, value in rows.incident_facts(i, f.several_hosts)],
        "evidence": [
            clean(f"{r['source']}:{r['line']}: {r['raw']}") for r in evidence.iter_rows(named=True)
        ],
    }
