"""The planned-actions table of ``openclaw sessions cleanup --dry-run`` (openclaw-formats §4.1).

Older builds print it borderless; builds from about 2026.7 draw it with
``renderTable`` (``packages/terminal-core/src/table.ts``): box-drawing
borders, or ``+``/``|`` on legacy Windows consoles, and wrapped cells on
continuation rows whose first cell is blank.  Under the table,
``renderLabelSummaries`` prints ``Summary by Label:``, one
``<label>  N kept, M pruned`` line per label and ``Total: N kept, M pruned``.
Verified against ``src/commands/sessions-cleanup.ts`` in openclaw/openclaw.

People paste the table alone, without the ``Session store:`` lines above
it.  Such a table is still a cleanup run: it is recognised by the action
labels in its first column, and its numbers are counted from its rows.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal

from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.timing import run_time, stamp_line
from lockforensics.parsing.fields import agent_from_key
from lockforensics.parsing.timestamps import Stamp
from lockforensics.schema import EventKind

# Labels of `resolveSessionCleanupAction`, all versions.  The ones that leave
# the entry in the store count as kept, as `buildLabelSummaries` counts them;
# `mark-timeout` (builds with --fix-stale-running) only marks the entry.
KEPT = frozenset({"keep", "archive-dashboard", "archive-cap", "archive-age", "mark-timeout"})
ACTIONS = KEPT | frozenset(
    {
        "prune-missing",
        "prune-model-run",
        "prune-stale",
        "cap-overflow",
        "evict-budget",
        "retire-dm-scope",
    }
)
# Count columns a bare table can fill from its rows.
_COLUMN_OF_ACTION = {
    "prune-missing": "pruned_missing",
    "prune-stale": "pruned_stale",
    "cap-overflow": "capped",
    "retire-dm-scope": "dm_scope_retired",
}
_LABEL = r"[a-z]+(?:-[a-z]+)*"
_PLAIN_HEAD = re.compile(r"^Action +Key +Age +Model +Flags$")
_PLAIN_ROW = re.compile(rf"^(?P<action>{_LABEL})(?P<gap> +)(?P<key>\S+)")
_BORDER = re.compile(r"^[┌├└╞╘+][─━┬┼┴┐┤┘╪╡╛═+-]+$")
_BOXED = re.compile(r"^[│|](?P<cells>.*)[│|]$")
_CELL_SPLIT = re.compile(r"[│|]")
SUMMARY_HEAD = "Summary by Label:"
_LABEL_SUMMARY = re.compile(r"^\S.* \d+ kept, \d+ pruned$")
TOTAL = re.compile(r"^Total: (?P<kept>\d+) kept, (?P<pruned>\d+) pruned$")

Kind = Literal["head", "border", "row", "continuation"]


@dataclass(frozen=True, slots=True)
class TableLine:
    kind: Kind
    action: str | None = None
    key: str | None = None


def table_line(line: str) -> TableLine | None:
    """What one line of a planned-actions table is, or None when it is not one."""
    if _PLAIN_HEAD.match(line):
        return TableLine("head")
    if _BORDER.match(line):
        return TableLine("border")
    if m := _BOXED.match(line):
        cells = [c.strip() for c in _CELL_SPLIT.split(m["cells"])]
        first, key = cells[0], (cells[1] if len(cells) > 1 else "") or None
        if first == "Action":
            return TableLine("head")
        if not first:
            return TableLine("continuation")
        return TableLine("row", first, key) if re.fullmatch(_LABEL, first) else None
    # A label of a later build is taken only when padded like a column, so
    # that prose ("that was all") is not a row.
    if (m := _PLAIN_ROW.match(line)) and (m["action"] in ACTIONS or m["gap"] != " "):
        return TableLine("row", m["action"], m["key"])
    return None


def summary_line(line: str) -> bool:
    """A line of the `Summary by Label:` section under the table."""
    return line == SUMMARY_HEAD or bool(_LABEL_SUMMARY.match(line) or TOTAL.match(line))


# --------------------------------------------------------------------------- bare table


def sniff(name: str, head: str) -> bool:
    """The first line with text is part of a table, and some row names a known action."""
    content = [ln.rstrip() for ln in head.splitlines() if ln.strip() and stamp_line(ln) is None]
    if not content or table_line(content[0]) is None:
        return False
    return any((t := table_line(ln)) is not None and t.action in ACTIONS for ln in content)


@dataclass(slots=True)
class _Table:
    stamp: Stamp | None
    stamp_line: int | None
    first: int | None = None
    lines: list[int] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)


def parse(doc: Document) -> Parsed | None:
    """One cleanup_run per table; a new header or top border after rows starts the next."""
    out = Parsed()
    tables: list[_Table] = []
    stamp: tuple[Stamp, int] | None = None
    current: _Table | None = None
    for number, text in enumerate(doc.lines, start=1):
        line = text.rstrip()
        if not line:
            continue
        if (found := stamp_line(line)) is not None:
            if stamp is not None:
                out.known_lines.add(stamp[1])  # a stamp no table followed
            stamp, current = (found, number), None
            continue
        kind = table_line(line)
        starts = kind is not None and (kind.kind == "head" or line[0] in "┌╒")
        if current is None or (starts and current.actions):
            if kind is None and not summary_line(line):
                out.unrecognized.add(number)
                continue
            current = _Table(*(stamp if stamp else (None, None)))
            tables.append(current)
            stamp = None
        if kind is None and not summary_line(line):
            out.unrecognized.add(number)
            continue
        current.lines.append(number)
        if kind is not None and kind.kind == "row" and kind.action is not None:
            current.first = current.first or number
            current.actions.append(kind.action)
            if kind.key:
                current.keys.append(kind.key)
    if stamp is not None:
        out.known_lines.add(stamp[1])
    found_tables = [t for t in tables if t.actions]
    for table in tables:
        if not table.actions:
            out.known_lines.update(table.lines)  # borders or a header alone
    if not found_tables:
        return None
    for run, table in enumerate(found_tables, start=1):
        out.event_lines.update(table.lines)
        if table.stamp_line is not None:
            out.event_lines.add(table.stamp_line)
        out.rows.append(_row(doc, table, run, len(found_tables)))
    return out


def _row(doc: Document, table: _Table, run: int, runs: int) -> dict[str, Any]:
    when = run_time(doc.name, table.stamp, runs, "tables")
    counts = Counter(table.actions)
    agents = {a for k in table.keys if (a := agent_from_key(k))}
    numbers = {col: counts[action] for action, col in _COLUMN_OF_ACTION.items()}
    first = table.first or table.lines[0]
    return event(
        EventKind.CLEANUP_RUN.value,
        first,
        f"planned session actions: {len(table.actions)} rows, "
        + ", ".join(f"{action} {n}" for action, n in sorted(counts.items())),
        when,
        phase="dry-run",
        dry_run=True,
        doc_run=run,
        # One agent when every key names the same one; a mixed table has none.
        agent=agents.pop() if len(agents) == 1 else None,
        entries_before=len(table.actions),
        entries_after=sum(n for action, n in counts.items() if action in KEPT),
        **numbers,
    )
