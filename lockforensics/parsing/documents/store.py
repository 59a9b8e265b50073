"""An agent's session store, ``sessions.json``: which session id each key names.

OpenClaw keeps ``~/.openclaw/agents/<agentId>/sessions/sessions.json``, a map
``sessionKey -> SessionEntry`` whose entries hold the ``sessionId`` (its
transcript) and when the session started and was last updated (epoch ms;
openclaw-formats §7).  Operators collect it beside the lock files.

A lease-era lock error names its session only by key
(``sqlite:session-write:<key>``), a takeover and a successful run only by id.
Where no debug line shows both, the store does: each entry becomes a
``session_store`` row carrying the key and the id, timed when that session
started (a key names a new id after a reset), and session identity
(correlate/identity.py) links the key's lines to that id.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.timing import UNTIMED, when_from_stamp
from lockforensics.parsing.timestamps import epoch_stamp
from lockforensics.schema import EventKind

#: A session key's agent: ``agent:<agentId>:…``.
_AGENT = re.compile(r"^agent:([^:]+):")


def sniff(name: str, head: str) -> bool:
    base = re.split(r"[/\\]", name)[-1]
    return base == "sessions.json" and '"sessionId"' in head


def parse(doc: Document) -> Parsed | None:
    try:
        store = json.loads(doc.text)
    except ValueError:
        return None
    if not isinstance(store, dict):
        return None
    out = Parsed(known_lines=set(range(1, len(doc.lines) + 1)))
    where = _key_lines(doc)
    for key, entry in store.items():
        session_id = entry.get("sessionId") if isinstance(entry, dict) else None
        if not isinstance(session_id, str) or not session_id:
            continue
        number = where.get(key, 1)
        out.event_lines.add(number)
        agent = _AGENT.match(key)
        out.rows.append(
            event(
                EventKind.SESSION_STORE.value,
                number,
                f"session store: {key} -> {session_id}",
                _started(entry),
                session_key=key,
                session_id=session_id,
                agent=agent.group(1) if agent else None,
                phase="store",
            )
        )
    return out if out.rows else None


def _key_lines(doc: Document) -> dict[str, int]:
    """The line each top-level key opens (pretty-printed: ``  "<key>": {``)."""
    found: dict[str, int] = {}
    for number, line in enumerate(doc.lines, start=1):
        text = line.strip()
        if text.startswith('"') and text.endswith("{"):
            try:
                key = json.loads(text[: text.rindex(":")])
            except ValueError:
                continue
            if isinstance(key, str):
                found.setdefault(key, number)
    return found


def _started(entry: dict[str, Any]) -> dict[str, Any]:
    """When the entry's session started (else was last updated), from its epoch ms."""
    for field in ("sessionStartedAt", "updatedAt"):
        value = entry.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and value > 0:
            stamp = epoch_stamp(str(value), value * 1000)
            if stamp is not None:
                return when_from_stamp(stamp)
    return dict(UNTIMED)
