"""The lock census in terminal, JSON (``lockforensics.locks/1``) and Markdown."""

from __future__ import annotations

import json
from typing import assert_never

from lockforensics.oncall.locks import Census, Lock
from lockforensics.oncall.output import OncallFormat, iso, md_table, rich_table
from lockforensics.reporting.units import span
from lockforensics.textsafety import clean, md_code

SCHEMA = "lockforensics.locks/1"
_HEADER = ["store", "agent", "lock", "pid", "alive", "gateway", "recycled", "age", "max hold",
           "stale reasons", "OpenClaw reclaims"]  # fmt: skip


def _flag(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "no"


def _row(lock: Lock) -> list[str]:
    return [
        lock.store,
        lock.agent or "-",
        lock.path,
        str(lock.pid) if lock.pid is not None else "-",
        _flag(lock.owner.alive),
        _flag(lock.owner.gateway),
        _flag(lock.owner.recycled),
        span(lock.age_s),
        span(lock.max_hold_ms / 1000) if lock.max_hold_ms is not None else "-",
        ", ".join(lock.stale_reasons) or "-",
        ("yes: " if lock.reclaimable else "no: ") + lock.verdict.split(": ", 1)[-1],
    ]


def to_json(found: Census) -> str:
    """The census as JSON: one object per lock, instants in UTC ``Z``."""
    locks = [
        {
            "store": lock.store,
            "agent": lock.agent,
            "session_id": lock.session_id,
            "path": lock.path,
            "database": lock.database,
            "payload": lock.payload,
            "pid": lock.pid,
            "created_at": iso(lock.created_at),
            "max_hold_ms": lock.max_hold_ms,
            "pid_starttime": lock.pid_starttime,
            "mtime": iso(lock.mtime),
            "age_s": lock.age_s,
            "expires_at": iso(lock.expires_at),
            "owner_alive": lock.owner.alive,
            "owner_starttime": lock.owner.starttime,
            "owner_argv": list(lock.owner.argv) if lock.owner.argv is not None else None,
            "owner_is_openclaw": lock.owner.openclaw,
            "owner_is_gateway": lock.owner.gateway,
            "owner_recycled": lock.owner.recycled,
            "stale_reasons": list(lock.stale_reasons),
            "reclaimable": lock.reclaimable,
            "verdict": lock.verdict,
        }
        for lock in found.locks
    ]
    document = {
        "schema": SCHEMA,
        "state_dir": found.state_dir,
        "taken_at": iso(found.taken_at),
        "databases": list(found.databases),
        "locks": locks,
        "stale": sum(1 for lock in found.locks if lock.stale_reasons),
        "reclaimable": sum(1 for lock in found.locks if lock.reclaimable),
        "warnings": list(found.warnings),
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _summary(found: Census) -> str:
    stale = sum(1 for lock in found.locks if lock.stale_reasons)
    reclaim = sum(1 for lock in found.locks if lock.reclaimable)
    return f"{len(found.locks)} locks, {stale} stale, {reclaim} OpenClaw would reclaim"


def render(found: Census, fmt: OncallFormat, width: int | None = None, color: bool = False) -> str:
    """The census in ``fmt``."""
    rows = [_row(lock) for lock in found.locks]
    match fmt:
        case OncallFormat.JSON:
            return to_json(found)
        case OncallFormat.TERMINAL:
            title = f"Session locks in {clean(found.state_dir)} at {iso(found.taken_at)}"
            text = rich_table(title, _HEADER, rows, width, color) + _summary(found) + "\n"
            return text + "".join(f"warning: {clean(w)}\n" for w in found.warnings)
        case OncallFormat.MD:
            parts = [
                f"### Session locks in {md_code(found.state_dir)} at {iso(found.taken_at)}\n",
                f"**{_summary(found)}**\n",
                md_table(_HEADER, rows) if rows else "No session locks found.\n",
            ]
            parts += [f"- warning: {md_code(w)}\n" for w in found.warnings]
            return "\n".join(parts)
        case _:
            assert_never(fmt)
