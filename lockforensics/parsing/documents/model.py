"""What a document hook receives and returns.

A document is a whole file whose meaning lies in its structure, not in any
single line: a ``sessions cleanup`` report, a ``doctor`` run, a lock file, a
diagnostics export member.  A hook reads it whole (documents are small) and
says, for every line, whether it is part of an event, known structure, or
something the document should not hold; the scanner does the accounting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from lockforensics.parsing.fields import derive
from lockforensics.schema import DOCUMENT_CHANNEL


@dataclass(frozen=True, slots=True)
class Document:
    """One input, read whole."""

    name: str  # its path inside the bundle
    lines: tuple[str, ...]
    bundle_year: int | None = None

    @classmethod
    def of(cls, name: str, text: str, bundle_year: int | None = None) -> Document:
        """Split like the line scanner does: a final newline ends the last line."""
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return cls(name, tuple(ln.removesuffix("\r") for ln in lines), bundle_year)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(slots=True)
class Parsed:
    """A hook's reading of a document.  Line numbers are 1-based.

    Lines in ``event_lines`` are part of an event, lines in ``known_lines``
    are structure the hook understood (headers, tables, summaries), lines in
    ``unrecognized`` are what the document should not hold; every other line
    is noise the hook accepted without reading (another section of a doctor
    run, a blank line).  Known lines are never listed as possibly relevant.
    """

    rows: list[dict[str, Any]] = field(default_factory=list)
    event_lines: set[int] = field(default_factory=set)
    known_lines: set[int] = field(default_factory=set)
    unrecognized: set[int] = field(default_factory=set)
    facts: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Lines from here on are a log, scanned like any other (the journal tail
    # `systemctl status` prints under its header).
    tail_from: int | None = None
    # A listing of lock files (`ls`): stamped, a run of a lock census.
    lists_locks: bool = False
    # The host's zone as the document shows it, its name, an instant it was in
    # effect and what showed it (systemctl's `since … CEST`, a `date` line):
    # the zone of the zone-less lines beside it.
    zone: tuple[timedelta, str, datetime, str] | None = None


def event(kind: str, line: int, raw: str, when: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """One event row of a document; ``raw`` holds the lines behind it, its first is the message.

    Source, envelope and channel are added by the scanner.
    """
    row = {"kind": kind, "line": line, "raw": raw, "message": raw.split("\n", 1)[0]}
    row.update(when)
    row.update(fields)
    return row


def document_row(row: dict[str, Any], name: str, source: str) -> dict[str, Any]:
    """A hook's row as the table holds it: derived fields, read by document
    ``name`` of the input ``source``."""
    derive(row)
    row.setdefault("hit", 0)
    row.setdefault("signature", name)
    row.update(envelope=name, channel=DOCUMENT_CHANNEL, echo_role=DOCUMENT_CHANNEL)
    row["source"] = source
    return row
