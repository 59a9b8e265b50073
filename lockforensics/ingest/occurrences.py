"""Fold the lines that report one thing into one occurrence.

The rules are data (``parsers/occurrences.toml``); this module applies them.
Assignment is a single pass over the events in the table's total order, so
the result does not depend on the order files were read in.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from lockforensics.errors import SpecError
from lockforensics.resources import data_dir


@dataclass(frozen=True, slots=True)
class OccurrenceRule:
    key: tuple[str, ...]
    window_s: float
    window_lines: int
    repeatable: frozenset[str]
    exact_when: tuple[str, ...] = ()
    exact_window_s: float = 0.0

    def window_for(self, event: dict[str, Any]) -> float:
        if self.exact_when and all(event.get(name) is not None for name in self.exact_when):
            return max(self.window_s, self.exact_window_s)
        return self.window_s


@dataclass(frozen=True, slots=True)
class OccurrenceRules:
    default: OccurrenceRule
    by_kind: dict[str, OccurrenceRule]

    def for_kind(self, kind: str) -> OccurrenceRule:
        return self.by_kind.get(kind, self.default)


def _rule(entry: dict[str, Any], fallback: OccurrenceRule | None) -> OccurrenceRule:
    return OccurrenceRule(
        key=tuple(entry.get("key", fallback.key if fallback else ())),
        window_s=float(entry.get("window_s", fallback.window_s if fallback else 2)),
        window_lines=int(entry.get("window_lines", fallback.window_lines if fallback else 3)),
        repeatable=frozenset(entry.get("repeatable", ())),
        exact_when=tuple(entry.get("exact_when", ())),
        exact_window_s=float(entry.get("exact_window_s", 0)),
    )


@cache
def load_rules() -> OccurrenceRules:
    path = data_dir("parsers") / "occurrences.toml"
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        default = _rule(doc.pop("default"), None)
        return OccurrenceRules(default, {k: _rule(v, default) for k, v in doc.items()})
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"{path}: {exc}") from exc


@dataclass(slots=True)
class _Open:
    ident: int
    start: datetime | None
    source: str
    last_line: int
    roles: set[str] = field(default_factory=set)


def _key_value(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def role_of(event: dict[str, Any]) -> str:
    """What makes a line an echo rather than a repeat: channel, wrapper path, phase."""
    return f"{event.get('channel')}|{event.get('echo_role')}|{event.get('phase')}"


def assign(events: Sequence[dict[str, Any]], rules: OccurrenceRules | None = None) -> list[int]:
    """Return an occurrence id per event; ``events`` must be in total order.

    Ids are 1-based and increase with the occurrence's first line, so they are
    stable for the same input whatever order the files were read in.
    """
    rules = rules or load_rules()
    open_by_key: dict[tuple[Any, ...], list[_Open]] = {}
    ids: list[int] = []
    next_id = 1
    for event in events:
        kind = str(event["kind"])
        rule = rules.for_kind(kind)
        key = (kind, *(_key_value(event.get(name)) for name in rule.key))
        role = role_of(event)
        repeatable = event.get("phase") in rule.repeatable
        ts: datetime | None = event.get("ts")
        source, line = str(event["source"]), int(event["line"])
        window = rule.window_for(event)
        candidates = open_by_key.setdefault(key, [])
        chosen: _Open | None = None
        for occ in candidates:
            if not _within(occ, ts, source, line, window, rule.window_lines):
                continue
            if role in occ.roles and not repeatable:
                continue
            chosen = occ
            break
        if chosen is None:
            chosen = _Open(next_id, ts, source, line)
            next_id += 1
            # Drop occurrences that can no longer be joined, so the scan stays
            # linear on long bundles.
            candidates[:] = [
                o for o in candidates if _within(o, ts, source, line, window, rule.window_lines)
            ]
            candidates.append(chosen)
        chosen.roles.add(role)
        if chosen.source == source:
            chosen.last_line = max(chosen.last_line, line)
        ids.append(chosen.ident)
    return ids


def _within(
    occ: _Open, ts: datetime | None, source: str, line: int, window_s: float, window_lines: int
) -> bool:
    if ts is None or occ.start is None:
        # Untimed lines only fold with their neighbours in the same file.
        return (
            ts is None
            and occ.start is None
            and occ.source == source
            and 0 <= line - occ.last_line <= window_lines
        )
    return 0 <= (ts - occ.start).total_seconds() <= window_s
