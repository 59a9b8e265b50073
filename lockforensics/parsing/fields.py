"""Fields derived from what a signature captured: agent, session id, session key.

OpenClaw rarely names the agent or the session outright; it names a path
(``~/.openclaw/agents/<agent>/sessions/<file>.jsonl.lock``), a lane
(``session:agent:<agent>:...``) or a key.  This module reads those, on POSIX
and Windows paths alike, and recognises redaction placeholders so that
``<session>`` is never counted as a real session.
"""

from __future__ import annotations

import math
import re
from typing import Any

# An agent's directory: its sessions, and `agent/` (auth profiles, the
# 2026.7+ `openclaw-agent.sqlite` store).
AGENT_IN_PATH = re.compile(r"[/\\]agents[/\\](?P<agent>[^/\\\s]+)[/\\](?:sessions|agent)[/\\]")
AGENT_IN_KEY = re.compile(r"(?:^|[:=])agent:(?P<agent>[^:\s\"]+):")
#: The agent a SQLite-era lease names: its session key, or its transcript target
#: (`["ops","…/openclaw-agent.sqlite","<id>"]`, quotes maybe escaped).
AGENT_IN_LEASE = re.compile(r'^sqlite:session-write:(?:agent:|\[\\?")(?P<agent>[^:\s"\\]+)')
# <ISO with ':' and '.' replaced by '-'>_<sessionId>.jsonl (pi SessionManager).
ISO_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}(?:-\d{3})?Z_")
TRANSCRIPT_SUFFIX = re.compile(r"\.jsonl(?:\.lock)?$")
TOPIC_SUFFIX = re.compile(r"-topic-[^/\\]+$")
# Placeholders that people, docs and OpenClaw's own redaction put where an id
# was: `<uuid>`, `<sessionId>`, `[session-id]`, `{id}`, an elided id
# (`80b5c956-...` leaves `80b5c956-..` once `.jsonl` is cut, `…`), `xxxx`,
# `<redacted>`, and a bare word naming what belongs there (`session`).  The
# ellipsis also as a console in another code page shows its UTF-8 bytes
# (PowerShell 5.1 redirecting node's output: `ÔÇª` in CP850, `ΓÇª` in CP437,
# `â€¦` in Windows-1252).  The flag is inline so the pattern means the same
# where only its text is used (polars evaluates it in Rust: no look-around,
# no backreferences).
PLACEHOLDER = re.compile(
    r"(?i)[<>…]|ÔÇª|ΓÇª|â[€\x80]¦|^\[.*\]$|^\{.*\}$|\.\.|^x{3,}$|redacted"
    r"|^(?:session|session[-_]?id|uuid|id|sid)$"
)
STORE_FILE = re.compile(r"sessions\.json(?:\.lock)?$")


def int_field(text: str | None) -> int | None:
    """A number as a log writes it: ASCII digits that fit the table's Int64
    columns.  Anything else (garbled, or hostile: ``int`` refuses 5,000 digits,
    and ``²`` passes ``isdigit``) is no number, not an error that stops the read."""
    if text and len(text) < 19 and text.isascii() and text.isdigit():
        return int(text)
    return None


def int_value(value: Any) -> int | None:
    """A JSON field as the table's Int64: an integer (not a boolean), a finite
    number cut to its whole part, or :func:`int_field` text; None for anything
    else (``1e400`` is infinity, and an integer may have any number of digits)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = int(value) if math.isfinite(value) else None
    if isinstance(value, int):
        return value if -_INT64 <= value < _INT64 else None
    return int_field(value) if isinstance(value, str) else None


_INT64 = 1 << 63


def basename(path: str) -> str:
    return re.split(r"[/\\]", path)[-1]


def session_id_from_file(path: str) -> str | None:
    """``.../<ISO>_<uuid>-topic-7.jsonl.lock`` → ``<uuid>``; None for non-transcripts."""
    name = basename(path)
    if not TRANSCRIPT_SUFFIX.search(name) or STORE_FILE.search(name):
        return None
    stem = TRANSCRIPT_SUFFIX.sub("", name)
    stem = ISO_PREFIX.sub("", stem)
    stem = TOPIC_SUFFIX.sub("", stem)
    return stem or None


def is_placeholder(value: str) -> bool:
    return bool(PLACEHOLDER.search(value))


def agent_from_key(key: str) -> str | None:
    m = AGENT_IN_KEY.search(key)
    return m["agent"] if m else None


def _path_agent(*paths: object) -> str | None:
    """The agent whose directory the first of ``paths`` that names one lies in."""
    for text in paths:
        if text and (m := AGENT_IN_PATH.search(str(text))):
            return m["agent"]
    return None


#: A separator doubled past a path's first character: the path as a JSON string
#: shows it (`C:\\Users\\…` in a model-fallback decision's errorPreview that
#: `openclaw logs` prints as written).  A UNC path's leading `\\` is its own.
ESCAPED_SEPARATOR = "\\\\"


def unescaped_path(path: str) -> str:
    """``path`` with the separators a JSON string doubled single again, so the
    copy reads as the file log's (Z141: it stood as a timeout of its own, of no
    agent)."""
    return path.replace(ESCAPED_SEPARATOR, "\\") if ESCAPED_SEPARATOR in path[1:] else path


def derive(fields: dict[str, Any]) -> dict[str, Any]:
    """Fill agent / session columns from paths, keys and lanes (in place)."""
    for name in ("lock_path", "session_file"):
        if isinstance(path := fields.get(name), str):
            fields[name] = unescaped_path(path)
    lock_path = fields.get("lock_path")
    session_file = fields.get("session_file")
    if lock_path and not session_file and str(lock_path).endswith(".jsonl.lock"):
        session_file = fields["session_file"] = str(lock_path)[: -len(".lock")]
    lane = fields.get("lane")
    if lane and not fields.get("session_key") and str(lane).startswith("session:"):
        fields["session_key"] = str(lane)[len("session:") :]
    lease = AGENT_IN_LEASE.search(str(lock_path)) if lock_path else None
    if lease is not None and fields.get("agent") not in (None, lease["agent"]):
        # A lease of another agent's session (`sessions_send` from main into
        # ops): the record's context, its session id too, is the sender's.
        fields["session_id"] = None
    owner = _path_agent(lock_path, session_file) or (lease["agent"] if lease else None)
    key = fields.get("session_key")
    if owner is not None and key and agent_from_key(str(key)) not in (None, owner):
        # The lane and the record's context are the sender's: `sessions_send`
        # from `main` into an `ops` session fails on `agents/ops/…` under
        # `main`'s lane and run, whose key is not that session's.
        fields["session_key"] = None
    if not fields.get("session_id"):
        for path in (session_file, lock_path):
            if path and (sid := session_id_from_file(str(path))):
                fields["session_id"] = sid
                break
    if owner is not None:
        # Whose directory the lock lies in, over the record's context (a newer
        # file log's top-level `agent_id` is the sender's run's).
        fields["agent"] = owner
    elif not fields.get("agent"):
        for text in (fields.get("session_key"), lane):
            if text and (agent := agent_from_key(str(text))):
                fields["agent"] = agent
                break
    sid = fields.get("session_id")
    if isinstance(sid, str):
        fields["session_is_placeholder"] = is_placeholder(sid) or not sid.strip()
    agent = fields.get("agent")
    if isinstance(agent, str) and is_placeholder(agent):
        # A redacted agent name is evidence, not an agent: keep it out of counts.
        fields["agent"] = None
    return fields


def session_type(key: str | None) -> str:
    """The kind of conversation a session key names (for grouping in reports)."""
    if not key:
        return "unknown"
    parts = key.split(":")
    if ":subagent:" in key:
        return "subagent"
    if key.endswith(":heartbeat"):
        return "heartbeat"
    if ":cron:" in key or key.startswith("cron:"):
        return "cron"
    if ":direct:" in key or ":dm:" in key:
        return "direct"
    # A group chat (`telegram:group:<id>`, `whatsapp:group:<jid>`) is no room of a
    # workspace (`slack:channel:<id>`): openclaw-formats §7 keys them apart.
    if "group" in parts:
        return "group"
    if any(p in ("channel", "room", "thread") for p in parts):
        return "channel"
    if ":hook:" in key or key.startswith("hook:"):
        return "hook"
    # A model-run probe (`agent:<id>:explicit:model-run-<uuid>`, openclaw-formats §7).
    if ":explicit:model-run-" in key:
        return "probe"
    if len(parts) >= 3 and parts[0] == "agent" and parts[2] == "main":
        return "main"
    return "other"
