"""GitHub-flavoured Markdown: the report an operator pastes into an upstream issue.

Layout follows the best bug reports: a one-line headline with the numbers,
the environment, the incidents, charts GitHub renders natively (Mermaid),
lag and resolution figures, then the raw evidence folded away.  All log
text goes through ``md_text``/``md_code``/``md_fence`` so it renders
literally, pings nobody and cannot break a table.

GitHub refuses comments longer than 65 536 characters; evidence is trimmed
first (with a note saying so) until the report fits ``max_chars``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from lockforensics import __version__
from lockforensics.findings import Findings
from lockforensics.reporting import mermaid
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.prose import NO_TRIGGER_EVIDENCE, headline, resolution_name
from lockforensics.reporting.units import clock, span, uptime
from lockforensics.textsafety import md_code, md_fence, md_text

#: Evidence lines per incident, tried in order until the report fits.
_EVIDENCE_STEPS = (40, 12, 4, 0)


def _row(cells: Iterable[object]) -> str:
    return "| " + " | ".join("-" if c is None else str(c) for c in cells) + " |"


def _table(header: Sequence[str], rows: Iterable[Iterable[object]]) -> str:
    lines = [_row(header), _row("---" for _ in header)]
    lines.extend(_row(r) for r in rows)
    return "\n".join(lines)


def _shorten(text: str, limit: int = 400) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _whole_blocks(text: str, limit: int) -> str:
    """The longest prefix within ``limit`` that ends between blocks.

    Never inside a code fence (a cut Mermaid block fails to render and the
    truncation note would land in the code) or a ``<details>`` (the note
    would be folded away).
    """
    best = position = depth = 0
    fence = ""
    for line in text.splitlines(keepends=True):
        position += len(line)
        if position > limit:
            break
        stripped = line.rstrip("\n")
        if fence:
            if stripped.startswith(fence) and not stripped.strip("`"):
                fence = ""
        elif stripped.startswith("```"):
            fence = stripped[: len(stripped) - len(stripped.lstrip("`"))]
        elif stripped.startswith("<details>"):
            depth += 1
        elif stripped.endswith("</details>"):
            depth -= 1
        if not fence and depth == 0 and not stripped:
            best = position
    return text[:best]


def _list(values: Sequence[object] | None, limit: int = 12) -> str:
    if not values:
        return "-"
    shown = ", ".join(md_code(str(v)) for v in list(values)[:limit])
    more = len(values) - limit
    return f"{shown} (+{more} more)" if more > 0 else shown


class MarkdownReporter:
    """Renders ``Findings`` as a GitHub comment-sized Markdown document."""

    def render(self, findings: Findings, options: RenderOptions) -> str:
        for lines_per_incident in _EVIDENCE_STEPS:
            text = self._document(findings, options, lines_per_incident)
            if len(text) <= options.max_chars:
                return text
        # Even without evidence the report is too long: cut at a line boundary.
        note = (
            f"\n\n> **Report truncated at {options.max_chars:,} characters** "
            "(raise `--max-chars`, or narrow with `--since/--until/--agent`).\n"
        )
        return _whole_blocks(text, options.max_chars - len(note)).rstrip("\n") + note

    def _document(self, f: Findings, options: RenderOptions, evidence_lines: int) -> str:
        parts = [
            self._title(f),
            self._environment(f),
            self._incidents(f, evidence_lines, options),
            self._charts(f, options),
            self._frequency(f),
            self._alignment(f),
            self._resolution(f),
            self._triggers(f),
            self._stuck(f),
            self._coverage(f, options),
        ]
        return "\n\n".join(p for p in parts if p) + "\n"

    # ------------------------------------------------------------------ sections

    def _title(self, f: Findings) -> str:
        hosts = ", ".join(f.hosts) or "unknown host"
        window = f"{clock(f.window_start)} → {clock(f.window_end)} UTC"
        return (
            f"## Session-lock incident report: {md_text(hosts)}, {window}\n\n"
            f"> **{md_text(headline(f))}**"
        )

    def _environment(self, f: Findings) -> str:
        zone = f.coverage.zone or "UTC"
        why = f.coverage.zone_reason or "no zone evidence in the bundle"
        facts = _table(
            ("", ""),
            [
                ("OpenClaw", _list(f.versions) if f.versions else "unknown"),
                ("Host", _list(f.hosts) if f.hosts else "unknown"),
                ("Window (UTC)", f"{clock(f.window_start)} → {clock(f.window_end)}"),
                ("Zone for zone-less stamps", md_text(f"{zone} ({why})")),
                (
                    "Alignment window / incident gap",
                    f"{span(f.settings.window_s)} / {span(f.settings.gap_s)}",
                ),
            ],
        )
        epochs = _table(
            ("epoch", "gateway pid", "start (UTC)", "start from", "end (UTC)", "ended by", "lines"),
            (
                (
                    e["epoch"],
                    e["pid"] if e["pid"] is not None else "?",
                    clock(e["start"]) if e["start_known"] else f"≤ {clock(e['first_line'])}",
                    md_text(e["start_source"] or "-"),
                    clock(e["end"]) if e["end"] is not None else "running at bundle end",
                    md_text(e["ended_by"] or "-"),
                    e["events"],
                )
                for e in f.epochs.iter_rows(named=True)
            ),
        )
        return f"### Environment\n\n{facts}\n\n#### Gateway epochs\n\n{epochs}"

    def _incidents(self, f: Findings, evidence_lines: int, options: RenderOptions) -> str:
        if f.incidents.is_empty():
            return "### Incidents\n\nNo lock errors or takeovers in the window."
        table = _table(
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
                    i["gateway_pid"] if i["gateway_pid"] is not None else "?",
                    uptime(i["uptime_s"], i["uptime_is_lower_bound"]),
                    resolution_name(i["resolved_by"]),
                    span(i["resolution_s"]),
                )
                for i in f.incidents.iter_rows(named=True)
            ),
        )
        sections = [f"### Incidents\n\n{table}"]
        for incident in f.incidents.iter_rows(named=True):
            sections.append(self._incident(f, incident, evidence_lines))
        if evidence_lines < _EVIDENCE_STEPS[0]:
            shown = f"{evidence_lines} lines per incident" if evidence_lines else "omitted"
            sections.append(
                f"> Evidence trimmed to fit {options.max_chars:,} characters ({shown}); "
                "`lockforensics report --evidence` prints every line."
            )
        return "\n\n".join(sections)

    def _incident(self, f: Findings, i: dict[str, Any], evidence_lines: int) -> str:
        number = i["incident"]
        lines = [f"#### Incident {number}: {clock(i['start'])} → {clock(i['end'])} UTC"]
        facts = [
            f"- **Agents:** {_list(i['agents'])}",
            f"- **Session types:** {_list(i['session_types'])}",
            f"- **Lanes:** {_list(i['lanes'])}",
            f"- **Gateway:** pid {i['gateway_pid'] or '?'}, up "
            f"{uptime(i['uptime_s'], i['uptime_is_lower_bound'])} at the first error",
            f"- **Resolved by:** {resolution_name(i['resolved_by'])}"
            + (
                f" at {clock(i['resolved_at'])} UTC, {span(i['resolution_s'])} after the last error"
                if i["resolved_at"] is not None
                else " (nothing in the bundle cleared it)"
            ),
        ]
        lines.append("\n".join(facts))
        evidence = f.evidence.filter(pl.col("incident") == number)
        if evidence_lines and not evidence.is_empty():
            # One line per occurrence (its first): the echoes say the same thing.
            firsts = evidence.unique("occurrence", keep="first", maintain_order=True)
            shown = firsts.head(evidence_lines)
            body = [
                f"{r['source']}:{r['line']}: {_shorten(r['raw'])}"
                for r in shown.iter_rows(named=True)
            ]
            summary = (
                f"Evidence: first line of {shown.height} of {firsts.height} occurrences "
                f"({evidence.height} source lines in all)"
            )
            lines.append(f"<details><summary>{summary}</summary>\n\n{md_fence(body)}\n\n</details>")
        return "\n\n".join(lines)

    def _charts(self, f: Findings, options: RenderOptions) -> str:
        parts = ["### Timeline"]
        if options.mermaid:
            chart = mermaid.gantt(f)
            bars = mermaid.hourly_bars(f)
            if chart:
                parts.append(f"```mermaid\n{chart}\n```")
            if bars:
                parts.append(f"```mermaid\n{bars}\n```")
            if not (chart or bars):
                return ""
        else:
            hours = mermaid.hourly_counts(f)
            if hours.is_empty():
                return ""
            parts.append(
                _table(
                    ("hour (UTC)", "lock errors + takeovers", ""),
                    (
                        (r["hour_label"], r["occurrences"], "█" * min(40, r["occurrences"]))
                        for r in hours.iter_rows(named=True)
                    ),
                )
            )
        return "\n\n".join(parts)

    def _frequency(self, f: Findings) -> str:
        rates = f.rates
        lines = ["### Frequency"]
        burst, base = rates.get("burst_per_hour"), rates.get("baseline_per_hour")
        if burst is not None:
            lines.append(
                f"Inside incidents: **{float(burst):.1f}** occurrences/hour; outside: "
                f"**{float(base or 0):.2f}**/hour "
                f"({rates.get('in_incidents')} vs {rates.get('outside_incidents')} occurrences)."
            )
        titles = {
            "day": "per day (UTC)", "agent": "per agent", "session_type": "per session type",
            "lane": "per lane", "epoch": "per gateway epoch", "version": "per OpenClaw version",
        }  # fmt: skip
        for dimension, title in titles.items():
            rows = f.frequency.filter(pl.col("dimension") == dimension)
            if rows.is_empty():
                continue
            lines.append(
                f"<details><summary>Occurrences {title}</summary>\n\n"
                + _table(
                    (dimension, "stale", "timeout", "takeover", "total"),
                    (
                        (
                            md_code(r["value"]),
                            r["lock_stale"],
                            r["lock_timeout"],
                            r["takeover"],
                            r["occurrences"],
                        )
                        for r in rows.iter_rows(named=True)
                    ),
                )
                + "\n\n</details>"
            )
        return "\n\n".join(lines)

    def _alignment(self, f: Findings) -> str:
        a = f.alignment
        lines = [
            "### Lock error → takeover",
            _table(
                ("", "value"),
                [
                    ("takeovers", a.get("takeovers")),
                    ("… after a lock error on the same session", a.get("with_session_precursor")),
                    ("… after a lock error of the same agent only", a.get("with_agent_precursor")),
                    ("… with no lock error before them", a.get("without_lock_precursor")),
                    ("lock errors", a.get("lock_errors")),
                    ("… not followed by a takeover", a.get("lock_errors_without_takeover")),
                    (
                        "lag p50 / p90 / max",
                        " / ".join(span(a.get(k)) for k in ("lag_s_p50", "lag_s_p90", "lag_s_max")),
                    ),
                    ("window", span(a.get("window_s"))),
                ],
            ),
            "A takeover's precursor is the nearest lock error at or before it on the same "
            "session within the window, else the nearest one of the same agent.",
        ]
        return "\n\n".join(lines)

    def _resolution(self, f: Findings) -> str:
        if f.resolutions.is_empty():
            return ""
        table = _table(
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
        )
        return f"### Resolution latency\n\n{table}"

    def _triggers(self, f: Findings) -> str:
        lines = ["### Trigger evidence"]
        if f.trigger_writers.is_empty():
            lines.append(f"No other writer found: {NO_TRIGGER_EVIDENCE}.")
            return "\n\n".join(lines)
        lines.append(
            _table(
                ("takeover", "other writer", "at (UTC)", "run"),
                (
                    (
                        r["takeover"],
                        md_text(r["trigger"]),
                        clock(r["at"]),
                        md_code(r["run_id"] or "-"),
                    )
                    for r in f.trigger_writers.iter_rows(named=True)
                ),
            )
        )
        missing = f.triggers.filter(pl.col("status") != "found").height
        if missing:
            lines.append(f"{missing} takeover(s) without a writer in view: {NO_TRIGGER_EVIDENCE}.")
        return "\n\n".join(lines)

    def _stuck(self, f: Findings) -> str:
        if f.stuck_alive.is_empty():
            return ""
        table = _table(
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
                    md_code(r["agent"]),
                    md_code(r["session_id"] or "-"),
                    r["lock_errors"],
                    clock(r["first"]),
                    clock(r["last"]),
                    _list(r["owner_pids"]),
                    _list(r["incidents"]),
                )
                for r in f.stuck_alive.iter_rows(named=True)
            ),
        )
        return (
            "### Stuck but alive\n\nSessions whose lock errors name a live owner: the gateway's "
            f"own pid or `alive=true`.\n\n<details><summary>{f.stuck_alive.height} sessions"
            f"</summary>\n\n{table}\n\n</details>"
        )

    def _coverage(self, f: Findings, options: RenderOptions) -> str:
        c = f.coverage
        inputs = _table(
            ("input", "format", "sha256", "lines", "events", "unrecognized"),
            (
                (
                    md_code(str(m.get("path", "?"))),
                    md_text(str(m.get("format", "?"))),
                    md_code(str(m.get("sha256") or "-")[:12]),
                    m.get("lines"),
                    m.get("event_lines", m.get("events")),
                    m.get("unrecognized"),
                )
                for m in c.inputs
            ),
        )
        parts = [
            "### Coverage and provenance",
            f"{len(c.inputs)} inputs; {c.unrecognized_lines:,} unrecognized lines; "
            f"{c.untimed_events:,} untimed events.",
            f"<details><summary>Inputs</summary>\n\n{inputs}\n\n</details>",
        ]
        if not c.assumptions.is_empty():
            parts.append(
                "Time assumptions:\n\n"
                + _table(
                    ("assumption", "events"),
                    (
                        (md_text(r["ts_assumption"]), r["events"])
                        for r in c.assumptions.iter_rows(named=True)
                    ),
                )
            )
        if options.redaction:
            parts.append(
                "Redacted (distinct values): "
                + ", ".join(f"{k} {v}" for k, v in options.redaction.items())
                + "."
            )
        parts.append(
            f"<sub>lockforensics {__version__}, generated {clock(f.generated_at)} UTC.</sub>"
        )
        return "\n\n".join(parts)
