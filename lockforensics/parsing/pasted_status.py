"""A ``systemctl status`` header pasted among log lines: a ticket's fenced block.

Saved as a file of its own, the header is a document (documents/systemd.py):
the running gateway's pid and when it started, its exact uptime.  Pasted in a
bug report beside the logs, it is a few lines of a plain paste, which the
chunk engine reads line by line and would count as unrecognised (Z176: a
ticket's status block named the VPS's start 42 h before its burst; the
report gave "at least 4 h 10 min").  Each header found in a chunk of text
(a paste, a saved terminal) is read by the document hook, its lines
accounted as the hook read them.
"""

from __future__ import annotations

import polars as pl

from lockforensics.parsing.documents.model import Document, document_row
from lockforensics.parsing.documents.systemd import parse
from lockforensics.parsing.filescan import SAMPLE_LIMIT, FileScan

#: The line that makes a block a status header: the unit's state and since when.
ACTIVE = r"^\s*Active: \S+ \([^)]*\) since "
#: The unit line (`● openclaw-gateway.service - OpenClaw Gateway (v…)`), at most
#: this many lines above `Active:` (`Loaded:`, maybe wrapped, between them).
UNIT_ABOVE = 4
#: The header's lines after `Active:` (Main PID, Tasks, Memory, CPU, CGroup and
#: its process tree, wrapped): its end is a blank line or a fence before these.
HEADER_BELOW = 12
_UNIT = r"^[●○\u00d7↻*] \S+"
_END = r"^\s*(?:```|~~~)|^\s*$"
#: The document name its rows carry (documents.toml's, for the status hook).
NAME = "systemd-status"


def take_status_blocks(numbered: pl.DataFrame, result: FileScan) -> tuple[pl.DataFrame, int]:
    """Read each status header among ``numbered``'s lines (a chunk's ``line`` and
    ``text``, before records are joined) into ``result``, accounted as the hook
    read its lines; return the other lines, and how many were taken.

    Taken before the chunk joins wrapped records: the header's indented lines
    would join the line above them, and a joined record is no header line.
    """
    text = pl.col("text")
    if not numbered.select(text.str.contains("Active: ", literal=True).any()).item():
        return numbered, 0
    marked = numbered.with_row_index("_at").with_columns(
        _active=text.str.contains(ACTIVE).fill_null(False),
        _unit=text.str.contains(_UNIT).fill_null(False),
        _end=text.str.contains(_END).fill_null(True),
    )
    taken: list[int] = []
    for at in marked.filter(pl.col("_active")).get_column("_at"):
        above = marked.slice(max(0, at - UNIT_ABOVE), min(at, UNIT_ABOVE))
        units = above.filter(pl.col("_unit")).get_column("_at")
        if units.is_empty():
            continue
        first = int(units[-1])
        ends = marked.slice(at, HEADER_BELOW + 1).filter(pl.col("_end")).get_column("_at")
        end = int(ends[0]) if len(ends) else min(marked.height, at + HEADER_BELOW + 1)
        block = marked.slice(first, end - first)
        if _read(block, result):
            taken += block.get_column("line").to_list()
    if not taken:
        return numbered, 0
    return numbered.filter(~pl.col("line").is_in(taken)), len(taken)


def _read(block: pl.DataFrame, result: FileScan) -> bool:
    """One header's lines, read by the status hook and accounted; False when it
    reads no event from them (they are left to the chunk)."""
    lines = block.get_column("line").to_list()
    texts = block.get_column("text").fill_null("").to_list()
    parsed = parse(Document.of(NAME, "\n".join(texts)))
    if parsed is None or not parsed.rows:
        return False
    for row in parsed.rows:
        row["line"] = lines[row["line"] - 1]
        result.rows.append(document_row(row, NAME, result.source))
    events = len(parsed.event_lines)
    unrecognized = sorted(parsed.unrecognized - parsed.event_lines)
    result.lines += len(lines)
    result.event_lines += events
    result.unrecognized += len(unrecognized)
    result.noise_lines += len(lines) - events - len(unrecognized)
    for number in unrecognized:
        if len(result.unrecognized_samples) < SAMPLE_LIMIT:
            result.unrecognized_samples.append((lines[number - 1], texts[number - 1]))
    return True
