"""Reading SQLite session-write leases (OpenClaw 2026.7+), strictly read-only.

From 2026.7 a session's write lock is a row of ``state_leases`` in the
agent's database (``agents/<id>/agent/openclaw-agent.sqlite``; the shared
``state/openclaw.sqlite`` has the same table for other scopes).  The schema,
from ``src/state/*schema*`` and ``src/agents/session-write-lock.ts``::

    state_leases(scope, lease_key, owner, expires_at, heartbeat_at,
                 payload_json, created_at, updated_at)   -- times: epoch ms

A session lease has ``scope = 'session-write'``, ``lease_key`` = the session
key (newer builds: a JSON array ``[agentId, databasePath, sessionId]``),
``owner`` = a random UUID, ``expires_at`` = acquire time + maxHoldMs and
``payload_json`` = ``{"pid", "starttime"?, "maxHoldMs"}``.

The database is opened with ``mode=ro`` and never written.  A database
without that table, or with other columns, yields no leases and a warning:
the reader asks only for the columns it needs and tolerates missing ones.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

SCOPE = "session-write"
_WANTED = ("lease_key", "owner", "expires_at", "payload_json", "created_at")


@dataclass(frozen=True, slots=True)
class LeaseRow:
    """One ``session-write`` lease as stored."""

    database: Path
    lease_key: str
    owner: str | None
    expires_at: datetime | None
    created_at: datetime | None
    payload: dict[str, object] | None  # None: missing or not a JSON object


def lease_databases(state_dir: Path) -> list[Path]:
    """SQLite databases that may hold session leases, in a stable order."""
    found = [
        *state_dir.glob("agents/*/agent/*.sqlite"),
        *state_dir.glob("agents/*/*.sqlite"),
        *state_dir.glob("state/*.sqlite"),
    ]
    return sorted({p for p in found if p.is_file() and not p.is_symlink()})


def _instant(value: object) -> datetime | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def read_leases(database: Path) -> tuple[list[LeaseRow], str | None]:
    """The session-write leases in ``database``, and a warning when it cannot be read."""
    uri = f"file:{quote(str(database.resolve()))}?mode=ro"
    try:
        connection = sqlite3.connect(uri, uri=True, timeout=1.0)
    except sqlite3.Error as exc:
        return [], f"{database}: cannot open read-only ({exc})"
    try:
        columns = {row[1] for row in connection.execute("PRAGMA table_info(state_leases)")}
        if not columns:
            return [], None  # a database of another kind: nothing to say
        if "scope" not in columns or "lease_key" not in columns:
            return [], f"{database}: state_leases has no scope/lease_key columns; skipped"
        # Column names come from _WANTED, never from the database or the user.
        select = ", ".join(c if c in columns else f"NULL AS {c}" for c in _WANTED)
        rows = connection.execute(
            f"SELECT {select} FROM state_leases WHERE scope = ? ORDER BY lease_key",
            (SCOPE,),
        ).fetchall()
    except sqlite3.Error as exc:
        return [], f"{database}: cannot read state_leases ({exc})"
    finally:
        connection.close()
    leases = []
    for key, owner, expires, payload_json, created in rows:
        payload: dict[str, object] | None = None
        if isinstance(payload_json, str):
            try:
                decoded = json.loads(payload_json)
            except ValueError:
                decoded = None
            payload = decoded if isinstance(decoded, dict) else None
        leases.append(
            LeaseRow(
                database=database,
                lease_key=str(key),
                owner=None if owner is None else str(owner),
                expires_at=_instant(expires),
                created_at=_instant(created),
                payload=payload,
            )
        )
    return leases, None


def lease_agent_session(key: str) -> tuple[str | None, str | None]:
    """Agent and session id from a lease key: ``[agent, db, session]`` or ``agent:<id>:…``."""
    try:
        decoded = json.loads(key)
    except ValueError:
        decoded = None
    if isinstance(decoded, list) and len(decoded) == 3 and all(isinstance(x, str) for x in decoded):
        return decoded[0], decoded[2]
    parts = key.split(":")
    if len(parts) >= 2 and parts[0] == "agent":
        return parts[1], None
    return None, None
