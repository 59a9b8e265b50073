"""The ingest summary: the manifest, line coverage, occurrences per kind, and what to look at.

Printed with rich to stderr (the table itself goes wherever the caller
points it).  All log-derived text passes through :func:`safe_text` first.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lockforensics.ingest.containers import format_size
from lockforensics.ingest.manifest import ManifestRow
from lockforensics.pipeline import Ingest
from lockforensics.reporting.prose import zone_line
from lockforensics.textsafety import clean

SAMPLES_SHOWN = 10
_COUNTS = ("lines", "event_lines", "noise_lines", "unrecognized", "possibly_relevant")


def safe_text(value: object, limit: int = 160) -> Text:
    """Hostile log text as an inert rich Text (no markup, no control chars), cut to
    ``limit`` characters with an ellipsis that says so."""
    text = clean(str(value))
    return Text(text if len(text) <= limit else text[: limit - 1] + "…")


def _span(row: ManifestRow) -> str:
    first, last = row["first"], row["last"]
    if not isinstance(first, str) or not isinstance(last, str):
        return "no time"
    # MM-DD HH:MM: a bundle spans days, not years; the manifest keeps full stamps.
    first, last = first[5:16].replace("T", " "), last[5:16].replace("T", " ")
    return f"{first} UTC" if first == last else f"{first} → {last} UTC"


def _count(row: ManifestRow, key: str) -> int:
    value = row[key]
    return value if isinstance(value, int) else 0


def _manifest(rows: Sequence[ManifestRow], warnings: Sequence[str], console: Console) -> None:
    """Two lines per input: its path, then what it is and how its lines were counted."""
    console.print(Text("Inputs (manifest)", style="bold"))
    totals = dict.fromkeys(_COUNTS, 0)
    for row in rows:
        for key in _COUNTS:
            totals[key] += _count(row, key)
        sha = row["sha256"]
        what = [
            str(row["format"]) + (" (duplicate)" if row["duplicate_of"] else ""),
            format_size(_count(row, "size")),
            f"sha256 {sha[:12]}" if isinstance(sha, str) else "sha256 -",
        ]
        console.print(safe_text(f"{row['path']}  [{_span(row)}]", _PATHS_LINE))
        console.print(Text(f"    {'  '.join(what)}: " + _equation(row)))
    broken = [r for r in rows if _count(r, "lines") != sum(_count(r, k) for k in _PARTS)]
    if broken:
        verdict = f"accounting does not add up for {len(broken)} input(s) (a bug; please report it)"
    elif warnings:
        # Something was skipped, cut short or read with care: "every input"
        # would not be true, and not every warning is a loss (a UTF-16 file).
        verdict = (
            f"every line read is accounted for; {len(warnings)} warning(s) on inputs "
            "skipped, cut short or read with care (see the warnings)"
        )
    else:
        verdict = "every line of every input accounted for"
    console.print(Text(f"coverage: {_equation(totals)}"))
    console.print(Text(f"coverage: {verdict} ({len(rows)} input(s))"))


_PARTS = ("event_lines", "noise_lines", "unrecognized")
#: A summary line naming inputs: paths deep in nested archives run long.
_PATHS_LINE = 600


def _equation(counts: Mapping[str, object]) -> str:
    def n(key: str) -> int:
        value = counts[key]
        return value if isinstance(value, int) else 0

    text = (
        f"{n('lines'):,} lines = {n('event_lines'):,} in events + {n('noise_lines'):,} "
        f"noise + {n('unrecognized'):,} unrecognized"
    )
    if n("possibly_relevant"):
        text += f" ({n('possibly_relevant'):,} possibly relevant)"
    return text


def _facts(rows: Sequence[ManifestRow], console: Console) -> None:
    """What documents say about the gateway (per export), and what was counted once."""
    groups: dict[str, list[str]] = {}
    for row in rows:
        parts = [
            f"{label} {row[key]}"
            for key, label in (("version", "OpenClaw"), ("host", "host"), ("platform", "platform"))
            if row[key]
        ]
        if parts:
            groups.setdefault(", ".join(parts), []).append(str(row["path"]))
    for facts, paths in groups.items():
        where = f"{os.path.commonpath(paths)}/" if len(paths) > 1 else paths[0]
        count = f" ({len(paths)} inputs)" if len(paths) > 1 else ""
        console.print(safe_text(f"recorded: {facts}: {where}{count}", _PATHS_LINE))
    for row in rows:
        if row["duplicate_of"]:
            console.print(
                safe_text(
                    f"duplicate: {row['path']} holds the same bytes as {row['duplicate_of']}",
                    _PATHS_LINE,
                )
            )
        elif _count(row, "duplicate_rows"):
            console.print(
                safe_text(
                    f"duplicate: {_count(row, 'duplicate_rows')} event(s) of {row['path']} "
                    "repeat lines a fuller input holds; counted once",
                    _PATHS_LINE,
                )
            )


def render(result: Ingest, console: Console) -> None:
    rows = result.manifest()
    _manifest(rows, result.warnings, console)
    _facts(rows, console)

    kinds = Table(title="Occurrences per kind", title_justify="left")
    kinds.add_column("kind")
    kinds.add_column("occurrences", justify="right")
    kinds.add_column("lines", justify="right")
    lines = result.line_counts()
    for kind, count in result.occurrence_counts().items():
        kinds.add_row(kind, f"{count:,}", f"{lines.get(kind, 0):,}")
    console.print(kinds)

    zone = result.zone
    console.print(
        Text(
            "zone for zone-less stamps: "
            + zone_line(zone.label if zone else None, zone.reason if zone else None)
        )
    )
    relevant = [(s.source, n, t) for s in result.files for n, t in s.relevant_samples]
    if relevant:
        total = sum(s.relevant for s in result.files)
        console.print(
            Text(
                f"possibly relevant, unclassified: {total:,} line(s) use lock vocabulary "
                "but match no signature:",
                style="bold",
            )
        )
        for source, line_no, text in relevant[:SAMPLES_SHOWN]:
            console.print(safe_text(f"  {source}:{line_no}: {text}"))
    samples = [(s.source, n, t) for s in result.files for n, t in s.unrecognized_samples]
    if samples:
        console.print(Text("first unrecognized lines:", style="bold"))
        for source, line_no, text in samples[:SAMPLES_SHOWN]:
            console.print(safe_text(f"  {source}:{line_no}: {text}"))
    for warning in result.warnings:
        console.print(Text("warning: ", style="yellow") + safe_text(warning, _PATHS_LINE))
