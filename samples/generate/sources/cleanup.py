"""`openclaw sessions cleanup --all-agents` cron outputs (formats doc §4.1)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from samples.generate.clock import ms_of
from samples.generate.records import Occurrence
from samples.generate.scenario import AGENTS, CLEANUP_PRUNE_AFTER_MS, CLEANUP_RUNS, STATE_DIR
from samples.generate.sessions import Session, model_of, new_uuid
from samples.generate.sources.context import SourceContext

ACTION_PAD: Final = 12
SESSION_KEY_PAD: Final = 26
SESSION_AGE_PAD: Final = 9
SESSION_MODEL_PAD: Final = 14


@dataclass(slots=True)
class StoreEntry:
    key: str
    session_id: str
    updated_at: int
    model: str
    thinking: str | None
    live: bool  # a scenario session: touched shortly before every cleanup run


def time_ago(duration_ms: int) -> str:
    """formatTimeAgo() of src/infra/format-time/format-relative.ts (with suffix)."""
    seconds = round(duration_ms / 1000)
    minutes = round(seconds / 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes}m ago"
    hours = round(minutes / 60)
    if hours < 48:
        return f"{hours}h ago"
    return f"{round(hours / 24)}d ago"


def truncate_key(key: str) -> str:
    if len(key) <= SESSION_KEY_PAD:
        return key
    head = max(4, SESSION_KEY_PAD - 10)
    return f"{key[:head]}...{key[-6:]}"


def build_stores(
    seed: int, sessions: dict[tuple[str, str], Session]
) -> dict[str, list[StoreEntry]]:
    rng = random.Random(f"{seed}:stores")
    ref = ms_of("2026-05-28T00:00:00.000Z")
    stores: dict[str, list[StoreEntry]] = {a: [] for a in AGENTS}
    for s in sessions.values():
        stores[s.agent].append(
            StoreEntry(
                s.key,
                s.session_id,
                ref,
                model_of(s.agent)[1],
                rng.choice((None, "medium")),
                live=True,
            )
        )
    for agent in AGENTS:
        for _ in range(rng.randrange(3, 12)):
            kind = rng.choice(("cron-run", "dm", "subagent"))
            if kind == "cron-run":
                key = f"agent:{agent}:cron:{new_uuid(rng)}:run:{new_uuid(rng)}"
            elif kind == "dm":
                key = f"agent:{agent}:telegram:direct:{rng.randrange(10**9, 10**10)}"
            else:
                key = f"agent:{agent}:subagent:{new_uuid(rng)}"
            # Idle leftovers, older than the first cleanup run; some cross pruneAfter (30d).
            age = rng.randrange(3 * 86400000, 44 * 86400000)
            stores[agent].append(
                StoreEntry(key, new_uuid(rng), ref - age, model_of(agent)[1], None, live=False)
            )
    return stores


def cleanup_text(when: int, mode: str, stores: dict[str, list[StoreEntry]]) -> str:
    out: list[str] = []
    for index, agent in enumerate(AGENTS):
        entries = sorted(stores[agent], key=lambda e: -e.updated_at)
        stale = [e for e in entries if when - e.updated_at > CLEANUP_PRUNE_AFTER_MS]
        store_path = f"{STATE_DIR}/agents/{agent}/sessions/sessions.json"
        if index:
            out.append("")
        out.append(f"Agent: {agent}")
        out.append(f"Session store: {store_path}")
        if mode == "applied":
            out.append(f"Applied maintenance. Current entries: {len(entries) - len(stale)}")
            continue
        before, after = len(entries), len(entries) - len(stale)
        out.append("Maintenance mode: warn")
        out.append(f"Entries: {before} -> {after} (remove {before - after})")
        out.append("Would prune missing transcripts: 0")
        out.append(f"Would prune stale: {len(stale)}")
        out.append("Would cap overflow: 0")
        out.append("")
        out.append("Planned session actions:")
        out.append(
            " ".join(
                (
                    "Action".ljust(ACTION_PAD),
                    "Key".ljust(SESSION_KEY_PAD),
                    "Age".ljust(SESSION_AGE_PAD),
                    "Model".ljust(SESSION_MODEL_PAD),
                    "Flags",
                )
            )
        )
        for e in entries:
            action = "prune-stale" if e in stale else "keep"
            flags = " ".join(
                f for f in (f"think:{e.thinking}" if e.thinking else "", f"id:{e.session_id}") if f
            )
            row = " ".join(
                (
                    action.ljust(ACTION_PAD),
                    truncate_key(e.key).ljust(SESSION_KEY_PAD),
                    time_ago(when - e.updated_at).ljust(SESSION_AGE_PAD),
                    e.model.ljust(SESSION_MODEL_PAD),
                    flags,
                )
            )
            out.append(row.rstrip())
    return "\n".join(out) + "\n"


def write(ctx: SourceContext) -> dict[str, int]:
    cleanup_dir = ctx.out / "cleanup"
    cleanup_dir.mkdir(parents=True)
    stores = build_stores(ctx.seed, ctx.sessions)
    lines: dict[str, int] = {}
    for when_iso, mode in CLEANUP_RUNS:
        when = ms_of(when_iso)
        # Scenario sessions stay in use; their updatedAt trails each run by minutes to hours.
        touch = random.Random(f"{ctx.seed}:touch:{when_iso}")
        for entries in stores.values():
            for e in entries:
                if e.live:
                    e.updated_at = when - touch.randrange(30000, 6 * 3600000)
        text = cleanup_text(when, mode, stores)
        if mode == "applied":
            for agent, entries in stores.items():
                stores[agent] = [
                    e for e in entries if when - e.updated_at <= CLEANUP_PRUNE_AFTER_MS
                ]
        name = f"sessions-cleanup-{datetime.fromtimestamp(when / 1000, tz=UTC):%Y-%m-%dT%H%MZ}.txt"
        (cleanup_dir / name).write_text(text, encoding="utf-8", newline="\n")
        lines[f"cleanup/{name}"] = text.count("\n")
        ctx.timeline.occ.append(Occurrence("cleanup_run", when))
    return lines
