"""``openclaw sessions cleanup`` reports, text and ``--json`` (openclaw-formats §4.1).

Each store a run reports becomes one ``cleanup_run`` event carrying its
numbers; every store of one run shares ``doc_run`` (and therefore one
occurrence), so counting occurrences counts runs.  A cron log may append
many runs to one file: a run ends where a stamp line starts the next, where
a store it already reported comes again, or (single-store runs, which print
no ``Agent:`` header) at every new ``Session store:``.

Text shapes, from ``src/commands/sessions-cleanup.ts``::

    Agent: main                        (only when the run covers several stores)
    Session store: ~/.openclaw/agents/main/sessions/sessions.json
    Maintenance mode: warn
    Entries: 120 -> 80 (remove 40)
    Would prune missing transcripts: 0
    ...
    Planned session actions:
    Action           Key              Age   Model   Flags
    prune-stale      agent:main:...   31d ago ...
    (boxed │ Action │ Key │ … from about 2026.7, then ``Summary by Label:``
    and ``Total: N kept, M pruned``; see cleanup_table)

    Session store: ...                 (applied)
    Applied maintenance. Current entries: 80
    Pruned unreferenced artifacts: 3
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from lockforensics.parsing.documents.cleanup_table import (
    SUMMARY_HEAD,
    TOTAL,
    summary_line,
    table_line,
)
from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.runs import preamble
from lockforensics.parsing.documents.timing import document_time, run_time, stamp_line
from lockforensics.parsing.fields import AGENT_IN_PATH, int_field, int_value
from lockforensics.parsing.timestamps import Stamp
from lockforensics.schema import EventKind

_AGENT = re.compile(r"^Agent: (?P<agent>\S+)$")
_STORE = re.compile(r"^Session store: (?P<store_path>.+)$")
# Summary lines and the columns their numbers fill.  The dry-run lines with no
# column (DM retirement before 2026.5, disk budget, stale-running timeouts)
# are still part of the event.
_SUMMARY: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"^Maintenance mode: (?P<maintenance_mode>\S+)$",
        r"^Entries: (?P<entries_before>\d+) -> (?P<entries_after>\d+) \(remove -?\d+\)$",
        r"^Would prune missing transcripts: (?P<pruned_missing>\d+)$",
        r"^Would retire stale direct DM sessions: (?P<dm_scope_retired>\d+)$",
        # 2026.7+ (SQLite builds): no column yet; the lines stay in the event's raw.
        r"^Would prune stale model-run probes: \d+$",
        r"^Would archive inactive sessions: \d+$",
        r"^Would archive cap overflow: \d+$",
        r"^Would mark stale running sessions timeout: \d+$",
        r"^Would prune stale: (?P<pruned_stale>\d+)$",
        r"^Would cap overflow: (?P<capped>\d+)$",
        r"^Would prune unreferenced artifacts: (?P<artifacts_pruned>\d+)$",
        r"^Would enforce disk budget: \d+ -> \d+ bytes \(files \d+, entries \d+\)$",
        r"^Applied maintenance\. Current entries: (?P<entries_after>\d+)$",
        r"^Pruned unreferenced artifacts: (?P<artifacts_pruned>\d+)$",
    )
)
_PLANNED = "Planned session actions:"
# `runtime.error` of a failed store, printed after the summaries it belongs to.
_ERROR = re.compile(r"^\[error\] (?P<message>.+)$")
# SQLite builds report the agent database as the store (openclaw-formats §11).
_AGENT_IN_SQLITE = re.compile(
    r"[/\\]agents[/\\](?P<agent>[^/\\\s]+)[/\\]agent[/\\]openclaw-agent\.sqlite$"
)
_SNIFF_STORE = re.compile(r"(?m)^Session store: \S")
_SNIFF_BODY = re.compile(r"(?m)^(?:Entries: \d+ -> \d+|Applied maintenance\. Current entries:)")


# --------------------------------------------------------------------------- text


def sniff_text(name: str, head: str) -> bool:
    return bool(_SNIFF_STORE.search(head) and _SNIFF_BODY.search(head))


@dataclass(slots=True)
class _Store:
    first: int
    agent: str | None
    agent_line: int | None
    lines: list[int] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    applied: bool = False


@dataclass(slots=True)
class _Run:
    stamp: Stamp | None = None
    stamp_line: int | None = None
    stores: list[_Store] = field(default_factory=list)

    def has(self, store_path: str) -> bool:
        return any(s.fields.get("store_path") == store_path for s in self.stores)


def parse_text(doc: Document) -> Parsed | None:
    out = Parsed()
    runs: list[_Run] = [_Run()]
    store: _Store | None = None
    agent: tuple[str, int] | None = None
    in_table = False
    for number, text in enumerate(doc.lines, start=1):
        line = text.rstrip()
        run = runs[-1]
        if not line:
            in_table = False
            continue
        stamp = stamp_line(line)
        if stamp is not None:
            if run.stores or run.stamp is not None:
                runs.append(_Run())
            runs[-1].stamp, runs[-1].stamp_line = stamp, number
            store, in_table = None, False
            continue
        if m := _AGENT.match(line):
            if any(s.agent in (m["agent"], None) for s in run.stores):
                runs.append(_Run())
            agent, store, in_table = (m["agent"], number), None, False
            continue
        if m := _STORE.match(line):
            if run.stores and (agent is None or run.has(m["store_path"])):
                runs.append(_Run())
            store = _Store(
                first=agent[1] if agent else number,
                agent=agent[0] if agent else None,
                agent_line=agent[1] if agent else None,
            )
            store.fields["store_path"] = m["store_path"]
            store.lines.append(number)
            store.raw.append(line)
            runs[-1].stores.append(store)
            agent, in_table = None, False
            continue
        if store is None:
            out.unrecognized.add(number)
            continue
        table = table_line(line)
        # A drawn table's top border or header opens it even when the paste left
        # out the `Planned session actions:` line above it.
        opens = table is not None and table.kind in ("head", "border")
        if (in_table or opens) and (table is not None or summary_line(line)):
            in_table = True
            store.lines.append(number)  # part of the store's report, not copied into raw
            continue
        if TOTAL.match(line):
            # 2026.7+ prints the total under a store with nothing planned too.
            store.lines.append(number)
            continue
        if line in (_PLANNED, SUMMARY_HEAD):
            # The label summary follows the table after a blank line.
            in_table = True
            store.lines.append(number)
            continue
        if m := _ERROR.match(line):
            out.warnings.append(f"{doc.name}:{number}: cleanup failed: {m['message']}")
            store.lines.append(number)
            store.raw.append(line)
            continue
        summary = next((m for p in _SUMMARY if (m := p.match(line))), None)
        if summary is None:
            out.unrecognized.add(number)
            continue
        store.applied = store.applied or line.startswith("Applied maintenance")
        store.fields.update({k: v for k, v in summary.groupdict().items() if v is not None})
        store.lines.append(number)
        store.raw.append(line)
    for run in runs:
        if not run.stores and run.stamp_line is not None:
            out.known_lines.add(run.stamp_line)  # a stamp no report followed
    runs = [r for r in runs if r.stores]
    if not runs:
        return None
    _emit(doc, runs, out)
    return out


def _emit(doc: Document, runs: list[_Run], out: Parsed) -> None:
    for index, run in enumerate(runs, start=1):
        if run.stamp_line is not None:
            out.event_lines.add(run.stamp_line)
        when = run_time(doc.name, run.stamp, len(runs), "runs")
        for store in run.stores:
            lines = [store.agent_line] if store.agent_line else []
            raw = ([f"Agent: {store.agent}"] if store.agent else []) + store.raw
            out.event_lines.update(lines + store.lines)
            out.rows.append(
                _row(
                    store.first,
                    "\n".join(raw),
                    when,
                    index,
                    store.agent,
                    store.applied,
                    store.fields,
                )
            )


def _row(
    line: int,
    raw: str,
    when: dict[str, Any],
    run: int,
    agent: str | None,
    applied: bool,
    fields: dict[str, Any],
) -> dict[str, Any]:
    numbers = {
        k: n for k, v in fields.items() if isinstance(v, str) and (n := int_field(v)) is not None
    }
    store_path = str(fields.get("store_path") or "") or None
    return event(
        EventKind.CLEANUP_RUN.value,
        line,
        raw,
        when,
        phase="applied" if applied else "dry-run",
        dry_run=not applied,
        doc_run=run,
        agent=agent or _agent_of(store_path),
        store_path=store_path,
        maintenance_mode=fields.get("maintenance_mode"),
        **numbers,
    )


def _agent_of(store_path: str | None) -> str | None:
    """The agent a store path names: `agents/<id>/sessions/…` or `agents/<id>/agent/….sqlite`."""
    if not store_path:
        return None
    m = AGENT_IN_PATH.search(store_path) or _AGENT_IN_SQLITE.search(store_path)
    return m["agent"] if m else None


# --------------------------------------------------------------------------- JSON

_JSON_KEYS = ('"beforeCount"', '"appliedCount"', '"allAgents"')
_NUMBERS = {
    "beforeCount": "entries_before",
    "afterCount": "entries_after",
    "missing": "pruned_missing",
    "pruned": "pruned_stale",
    "capped": "capped",
    "dmScopeRetired": "dm_scope_retired",
}


def sniff_json(name: str, head: str) -> bool:
    body = "\n".join(ln for ln in head.splitlines() if not preamble(ln)).lstrip()
    return body.startswith("{") and '"storePath"' in head and any(k in head for k in _JSON_KEYS)


def parse_json(doc: Document) -> Parsed | None:
    """One or more JSON values (a cron log may append several), each one run."""
    out = Parsed()
    text = doc.text
    starts = _line_starts(doc.lines)
    decoder = json.JSONDecoder()
    pos, run, stamp = 0, 0, None
    while pos < len(text):
        if text[pos].isspace():
            pos += 1
            continue
        line = _line_at(starts, pos)
        end_of_line = text.find("\n", pos)
        end_of_line = len(text) if end_of_line < 0 else end_of_line
        if (found := stamp_line(text[pos:end_of_line])) is not None:
            stamp = found
            out.event_lines.add(line)
            pos = end_of_line
            continue
        if preamble(text[pos:end_of_line]):
            pos = end_of_line  # the CLI banner: left to the signatures (version)
            continue
        try:
            value, end = decoder.raw_decode(text, pos)
        except ValueError:
            out.unrecognized.update(range(line, len(doc.lines) + 1))
            out.warnings.append(f"{doc.name}:{line}: not valid JSON; the rest is not read")
            break
        stores = _stores(value)
        if stores is None:
            if run == 0:
                return None
            out.unrecognized.update(range(line, _line_at(starts, max(end - 1, pos)) + 1))
            pos = end
            continue
        run += 1
        when = document_time(doc.name, stamp)
        stamp = None
        out.event_lines.update(range(line, _line_at(starts, max(end - 1, pos)) + 1))
        for hit, store in enumerate(stores):
            out.rows.append(_json_row(store, line, hit, when, run))
        if isinstance(value, dict) and isinstance(err := value.get("partialError"), dict):
            out.warnings.append(
                f"{doc.name}:{line}: cleanup failed for agent "
                f"{err.get('failingAgentId')!r}: {err.get('message')}"
            )
        pos = end
    return out if run else None


def _stores(value: Any) -> list[dict[str, Any]] | None:
    if not isinstance(value, dict):
        return None
    if isinstance(value.get("stores"), list):
        return [s for s in value["stores"] if isinstance(s, dict)]
    if "storePath" in value:
        return [value]
    return None


def _json_row(
    store: dict[str, Any], line: int, hit: int, when: dict[str, Any], run: int
) -> dict[str, Any]:
    applied = store.get("applied") is True or store.get("dryRun") is False
    fields: dict[str, Any] = {
        col: n for key, col in _NUMBERS.items() if (n := _count(store.get(key))) is not None
    }
    if applied and (n := _count(store.get("appliedCount"))) is not None:
        fields["entries_after"] = n
    artifacts = store.get("unreferencedArtifacts")
    if isinstance(artifacts, dict) and (n := _count(artifacts.get("removedFiles"))) is not None:
        fields["artifacts_pruned"] = n
    store_path = store.get("storePath") if isinstance(store.get("storePath"), str) else None
    agent = store.get("agentId") if isinstance(store.get("agentId"), str) else None
    mode = store.get("mode")
    return event(
        EventKind.CLEANUP_RUN.value,
        line,
        json.dumps(store, ensure_ascii=False, separators=(",", ":")),
        when,
        hit=hit,
        phase="applied" if applied else "dry-run",
        dry_run=not applied,
        doc_run=run,
        agent=agent or _agent_of(store_path),
        store_path=store_path,
        maintenance_mode=mode if isinstance(mode, str) else None,
        **fields,
    )


def _count(value: Any) -> int | None:
    """A JSON count: an integer (not a boolean) that fits the table."""
    return int_value(value) if isinstance(value, int) else None


def _line_starts(lines: tuple[str, ...]) -> list[int]:
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    return starts


def _line_at(starts: list[int], pos: int) -> int:
    """1-based line number of character offset ``pos``."""
    return bisect.bisect_right(starts, pos)
