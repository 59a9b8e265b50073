"""The ingest summary: files, lines, occurrences per kind, unrecognised lines.

Printed with rich to stderr (the table itself goes wherever the caller
points it).  All log-derived text passes through :func:`safe_text` first.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lockforensics.pipeline import Ingest
from lockforensics.textsafety import clean


def safe_text(value: object, limit: int = 160) -> Text:
    """Hostile log text as an inert rich Text (no markup, no control chars)."""
    return Text(clean(str(value))[:limit])


def render(result: Ingest, console: Console) -> None:
    files = Table(title="Inputs", title_justify="left", show_lines=False)
    for column in ("input", "envelope", "lines", "event lines", "noise", "unrecognized"):
        files.add_column(
            column,
            justify="left" if column in ("input", "envelope") else "right",
            overflow="fold",
        )
    totals = [0, 0, 0, 0]
    for scan in result.files:
        numbers = [scan.lines, scan.event_lines, scan.noise_lines, scan.unrecognized]
        totals = [a + b for a, b in zip(totals, numbers, strict=True)]
        files.add_row(safe_text(scan.source), scan.envelope, *(f"{n:,}" for n in numbers))
    files.add_row(Text("total", style="bold"), "", *(f"{n:,}" for n in totals))
    console.print(files)

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
            f"zone for zone-less stamps: {zone.label} ({zone.reason})"
            if zone
            else "zone for zone-less stamps: UTC (no zone evidence in the bundle)"
        )
    )
    samples = [(s.source, n, t) for s in result.files for n, t in s.unrecognized_samples]
    if samples:
        console.print(Text("first unrecognized lines:", style="bold"))
        for source, line_no, text in samples[:10]:
            console.print(safe_text(f"  {source}:{line_no}: {text}"))
    for warning in result.warnings:
        console.print(Text("warning: ", style="yellow") + safe_text(warning, 300))
