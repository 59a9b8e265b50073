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

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from lockforensics import __version__
from lockforensics.findings import Findings
from lockforensics.reporting import mermaid, rows
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.prose import (
    HELD_NOTE,
    NO_TRIGGER_EVIDENCE,
    headline,
    missing_writers,
    no_incidents,
)
from lockforensics.reporting.units import clock, span
from lockforensics.textsafety import md_code, md_fence, md_text

#: Evidence lines per incident, tried in order until the report fits.
_EVIDENCE_STEPS = (40, 12, 4, 0)
#: How an incident's evidence block begins; its number is the lines it shows.
_EVIDENCE_SUMMARY = "Evidence: first line of"
_EVIDENCE_SHOWN = re.compile(rf"<summary>{_EVIDENCE_SUMMARY} (\d+) of ")


def evidence_shown(text: str) -> int:
    """The raw log lines a rendered Markdown report holds: what its evidence blocks
    show, after the trimming that fit it to ``--max-chars``."""
    return sum(int(n) for n in _EVIDENCE_SHOWN.findall(text))


#: Columns holding identifiers (paths, ids, names): shown as code spans, so they
#: read literally and their characters need no escaping.
_CODE_COLUMNS = frozenset(
    {"input", "sha256", "agent", "session", "run", "lane", "session_type", "version"}
)


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _md(table: rows.Rows) -> str:
    """A GFM table; every cell escaped for its column (text or code span)."""
    code = [name in _CODE_COLUMNS or name in rows.FREQUENCY_TITLES for name in table.header]
    # Headers are this module's own words, never log text.
    lines = [_row(table.header), _row("---" for _ in table.header)]
    for row in table.rows:
        lines.append(
            _row(
                "-" if cell is None
                else str(cell) if isinstance(cell, int | float)
                else md_code(cell) if is_code and cell != "-"
                else md_text(cell)
                for cell, is_code in zip(row, code, strict=True)
            )
        )  # fmt: skip
    return "\n".join(lines)


#: Rows a long table keeps when the report must be compacted to fit.
_COMPACT_ROWS = 40


def _md_capped(table: rows.Rows, what: str, limit: int | None) -> str:
    """``table`` as :func:`_md`, its first ``limit`` rows when it has more (None: all),
    with a line saying how many were left out and where they all are."""
    if limit is None or len(table.rows) <= limit:
        return _md(table)
    shown = rows.Rows(table.header, table.rows[:limit])
    return (
        f"{_md(shown)}\n\n_{len(table.rows) - limit:,} more {what} not shown to fit the "
        "report; the JSON report (`-f json`) lists every one._"
    )


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
    # Facts are list items, not table cells.
    shown = ", ".join(md_code(str(v), in_table=False) for v in list(values)[:limit])
    more = len(values) - limit
    return f"{shown} (+{more} more)" if more > 0 else shown


#: Room kept for the truncation note, which names the sections it cut.
_NOTE_ROOM = 600


@dataclass(frozen=True, slots=True)
class _Parts:
    """A report's blocks, so that fewer incidents' details can be joined without
    rendering the rest again."""

    head: list[str]
    incidents: str
    details: list[str]
    numbers: list[int]
    trimmed: str
    tail: list[str]

    def joined(self, details: int, limit: int | None = None) -> str:
        """The document with the first ``details`` incidents' details; with ``limit``,
        a note naming the incidents whose details were left out to fit it."""
        left_out = self.numbers[details:]
        note = ""
        if left_out and limit is not None:
            span = (
                f"incident {left_out[0]}"
                if len(left_out) == 1
                else f"incidents {left_out[0]} to {left_out[-1]}"
            )
            note = (
                f"> Details of {span} not shown to fit {limit:,} characters; the "
                "table above lists every incident (raise `--max-chars`, or narrow with "
                "`--since/--until/--agent`)."
            )
        blocks = [*self.head, self.incidents, *self.details[:details], note, self.trimmed]
        return "\n\n".join(b for b in [*blocks, *self.tail] if b) + "\n"


#: An invisible first line: a later run skips the report instead of reading it as evidence.
GENERATOR_MARK = f"<!-- generator: lockforensics {__version__} -->"


class MarkdownReporter:
    """Renders ``Findings`` as a GitHub comment-sized Markdown document."""

    def render(self, findings: Findings, options: RenderOptions) -> str:
        # Raw lines carry chat ids and home paths: only with --evidence.
        steps = _EVIDENCE_STEPS if options.evidence else (0,)
        for lines_per_incident in steps:
            parts = self._parts(findings, options, lines_per_incident)
            text = parts.joined(len(parts.details))
            if len(text) <= options.max_chars:
                return text
        # Still too long without evidence: the long tables and the timeline of a
        # busy bundle (thousands of stuck sessions, hundreds of agents) keep
        # their first rows, each saying how many it left out.
        parts = self._parts(findings, options, 0, compact=True)
        text = parts.joined(len(parts.details))
        if len(text) <= options.max_chars:
            return text
        # Then fewer incidents' details, the last first (the incidents table
        # above them lists every one), so that the other sections stay whole.
        for details in range(len(parts.details) - 1, -1, -1):
            text = parts.joined(details, options.max_chars)
            if len(text) <= options.max_chars:
                return text
        # Not even then: cut at a line boundary, and say what the cut left out:
        # every section whose end is past the cut, the one it falls in too.
        text = parts.joined(0)
        kept = _whole_blocks(text, options.max_chars - _NOTE_ROOM).rstrip("\n")
        rest = text[len(kept) :].splitlines()
        after = [h for h in rest if h.startswith("### ")]
        # The section the cut falls in, unless the cut came right before a heading.
        inside = not next((h for h in rest if h.strip()), "").startswith("### ")
        last = next((h for h in reversed(kept.splitlines()) if h.startswith("### ")), None)
        missing = [h.lstrip("# ") for h in ([last] if last and inside else []) + after]
        if parts.details:
            missing.insert(0, f"details of all {len(parts.details)} incidents")
        cut = f" Not shown: {', '.join(missing)}." if missing else ""
        note = (
            f"\n\n> **Report truncated at {options.max_chars:,} characters**{cut} "
            "(raise `--max-chars`, or narrow with `--since/--until/--agent`).\n"
        )
        return kept + note

    def _parts(
        self, f: Findings, options: RenderOptions, evidence_lines: int, compact: bool = False
    ) -> _Parts:
        limit = _COMPACT_ROWS if compact else None
        return _Parts(
            head=[
                GENERATOR_MARK,  # issue 12: tells a later run this file is our output, not evidence
                self._title(f),
                self._environment(f),
            ],
            incidents=self._incidents(f),
            details=[
                self._incident(f, i, evidence_lines) for i in f.incidents.iter_rows(named=True)
            ],
            numbers=[int(n) for n in f.incidents.get_column("incident")],
            trimmed=self._trimmed(evidence_lines, options),
            tail=[
                self._charts(f, options, limit),
                self._frequency(f, limit),
                self._alignment(f),
                self._resolution(f),
                self._triggers(f),
                self._stuck(f, limit),
                self._held(f, limit),
                self._coverage(f, options, limit),
            ],
        )

    # ------------------------------------------------------------------ sections

    def _title(self, f: Findings) -> str:
        hosts = ", ".join(f.hosts) or "unknown host"
        window = f"{clock(f.window_start)} → {clock(f.window_end)} UTC"
        return (
            f"## Session-lock incident report: {md_text(hosts)}, {window}\n\n"
            f"> **{md_text(headline(f))}**"
        )

    def _environment(self, f: Findings) -> str:
        return (
            f"### Environment\n\n{_md(rows.facts(f))}\n\n"
            f"#### Gateway epochs\n\n{_md(rows.epochs(f))}"
        )

    def _incidents(self, f: Findings) -> str:
        if f.incidents.is_empty():
            return f"### Incidents\n\n{md_text(no_incidents(f))}"
        return f"### Incidents\n\n{_md(rows.incidents(f))}"

    @staticmethod
    def _trimmed(evidence_lines: int, options: RenderOptions) -> str:
        if not options.evidence or evidence_lines >= _EVIDENCE_STEPS[0]:
            return ""
        shown = f"{evidence_lines} lines per incident" if evidence_lines else "omitted"
        return (
            f"> Evidence trimmed to fit {options.max_chars:,} characters ({shown}); a larger "
            "`--max-chars`, or `-f html --evidence`, shows every line."
        )

    def _incident(self, f: Findings, i: dict[str, Any], evidence_lines: int) -> str:
        number = i["incident"]
        lines = [f"#### Incident {number}: {rows.began(i)} → {clock(i['end'])} UTC"]
        facts = [
            f"- **{name}:** " + (_list(value) if isinstance(value, list) else md_text(str(value)))
            for name, value in rows.incident_facts(i, f.several_hosts)
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
            # The count names what it counts: the incident's own occurrences
            # (the number in its table row) and the event that resolved it.
            failures = firsts.filter(pl.col("role") == "failure").height
            resolving = " and the event that resolved it" if firsts.height > failures else ""
            summary = (
                f"{_EVIDENCE_SUMMARY} {shown.height} of {firsts.height} occurrences, "
                f"the incident's {failures}{resolving} ({evidence.height} source lines in all)"
            )
            lines.append(f"<details><summary>{summary}</summary>\n\n{md_fence(body)}\n\n</details>")
        return "\n\n".join(lines)

    def _charts(self, f: Findings, options: RenderOptions, limit: int | None = None) -> str:
        parts = ["### Timeline"]
        if options.mermaid:
            chart = mermaid.gantt(f, max_agents=limit)
            bars = mermaid.hourly_bars(f)
            if chart:
                parts.append(f"```mermaid\n{chart}\n```")
                parts.append(
                    mermaid.GANTT_NOTE.format(
                        min_bar=span(mermaid.min_bar_width(f).total_seconds())
                    )
                )
                agents = mermaid.gantt_agents(f)
                if limit is not None and agents > limit:
                    parts.append(
                        f"_{agents - limit:,} more agents, with fewer failures, not drawn to "
                        "fit the report; the JSON report (`-f json`) lists every one._"
                    )
            if bars:
                parts.append(f"```mermaid\n{bars}\n```")
            if not (chart or bars):
                return ""
        else:
            hours = mermaid.hourly_counts(f)
            if hours.is_empty():
                return ""
            parts.append(
                _md(
                    rows.Rows(
                        ("hour (UTC)", "lock errors + takeovers", ""),
                        tuple(
                            (r["hour_label"], r["occurrences"], "█" * min(40, r["occurrences"]))
                            for r in hours.iter_rows(named=True)
                        ),
                    )
                )
            )
        return "\n\n".join(parts)

    def _frequency(self, f: Findings, limit: int | None = None) -> str:
        lines = ["### Frequency", md_text(rows.rates(f))]
        for title, table in rows.frequency(f):
            if title.endswith("per hour (UTC)"):
                continue  # the Timeline chart already shows it
            shown = _md_capped(table, "rows", limit)
            lines.append(f"<details><summary>{title}</summary>\n\n{shown}\n\n</details>")
        return "\n\n".join(lines)

    def _alignment(self, f: Findings) -> str:
        return (
            f"### Lock error → takeover\n\n{_md(rows.alignment(f))}\n\n"
            "A takeover's precursor is the nearest lock error at or before it on the same "
            "session within the window, else the nearest one of the same agent."
        )

    def _resolution(self, f: Findings) -> str:
        if f.resolutions.is_empty():
            return ""
        return (
            f"### Resolution latency\n\n{md_text(rows.RESOLUTION_NOTE)}\n\n"
            f"{_md(rows.resolutions(f))}"
        )

    def _triggers(self, f: Findings) -> str:
        lines = ["### Trigger evidence"]
        if f.trigger_writers.is_empty():
            # Why none were found, as the other formats say it: debug lines near
            # a takeover that show no writer are no case for a higher log level.
            lines.append(missing_writers(f) or f"No other writer found: {NO_TRIGGER_EVIDENCE}.")
            return "\n\n".join(lines)
        lines.append(_md(rows.trigger_writers(f)))
        lines.append(missing_writers(f))
        return "\n\n".join(line for line in lines if line)

    def _stuck(self, f: Findings, limit: int | None = None) -> str:
        if f.stuck_alive.is_empty():
            return ""
        return (
            "### Stuck but alive\n\nSessions whose lock errors name a live owner: the gateway's "
            "own pid or `alive=true`, per gateway process (epoch).\n\n"
            f"<details><summary>{f.stuck_alive.height} sessions"
            f"</summary>\n\n{_md_capped(rows.stuck_alive(f), 'sessions', limit)}\n\n</details>"
        )

    def _held(self, f: Findings, limit: int | None = None) -> str:
        if f.held_locks.is_empty():
            return ""
        held = _md_capped(rows.held_locks(f), "lock files", limit)
        return (
            f"### Locks held at collection\n\n{HELD_NOTE}\n\n<details><summary>"
            f"{f.held_locks.height} lock files</summary>\n\n{held}\n\n</details>"
        )

    def _coverage(self, f: Findings, options: RenderOptions, limit: int | None = None) -> str:
        # Capped as the other long tables are: a zip of 5,000 transcripts had
        # pushed the whole section, and every incident's details, out (Z225).
        inputs = _md_capped(rows.inputs(f), "inputs", limit)
        parts = [
            "### Coverage and provenance",
            md_text(rows.coverage_line(f)),
            f"<details><summary>Inputs</summary>\n\n{inputs}\n\n</details>",
        ]
        aside = rows.set_aside(f)
        if not aside.empty:
            parts.append(f"Set aside:\n\n{_md_capped(aside, 'inputs', limit)}")
        if f.coverage.warnings:  # issue 12: skipped inputs are listed in every format
            skipped = _md_capped(rows.skipped(f), "warnings", limit)
            parts.append(f"Skipped, cut short or set aside:\n\n{skipped}")
        assumed = rows.assumptions(f)
        if not assumed.empty:
            parts.append(f"Time assumptions:\n\n{_md(assumed)}")
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
