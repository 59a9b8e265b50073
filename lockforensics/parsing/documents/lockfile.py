"""Lock files found in the bundle.

A session write lock is ``<transcript>.jsonl.lock`` holding a small JSON
payload (openclaw-formats §2.1): v1 ``{pid, createdAt}``, v2 adds
``starttime`` (Linux), v3 adds ``maxHoldMs``; older builds pretty-print it.
No agent or session is written inside: both come from the path.  The same
fs-safe lock manager guards ``sessions.json`` (the store lock) and other
JSON files, and the gateway singleton lock is ``gateway.<hash>.lock`` with
``{pid, createdAt, configPath}``: these are classified by ``lock_scope`` and
never counted as session locks.

A lock file is recognised by its name (its path is its identity, and a
crashed writer may have left it empty or half-written) or, renamed, by a
payload of lock keys only.  Unreadable payloads are kept as events and
reported, since the file's existence is itself evidence.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.timing import document_time, when_from_stamp
from lockforensics.parsing.fields import STORE_FILE, basename, int_value
from lockforensics.parsing.timestamps import parse_iso
from lockforensics.schema import EventKind

_LOCK_NAME = re.compile(r"(?:\.jsonl\.lock|\.json\.lock|^gateway\.[0-9a-f]{8}\.lock)$")
_PAYLOAD_KEYS = frozenset({"pid", "createdAt", "maxHoldMs", "starttime", "configPath", "startTime"})
_MAX_PAYLOAD = 4096  # real payloads are under 200 bytes
# Pasted payloads are often not strict JSON: unquoted or single-quoted keys
# (a JS object dump), `...` elisions, a `$ cat` transcript around them.
# A number counts only when something follows it: one the write was cut inside
# (`"pid": 19` of 19041) is no pid (Z173: read as 19, where OpenClaw's own
# JSON.parse, and `locks`, find none).
_PARTIAL = {
    "pid": re.compile(r"""["']?\bpid["']?\s*:\s*(\d+)(?=\s*[,}])"""),
    "createdAt": re.compile(r"""["']?\bcreatedAt["']?\s*:\s*["']([^"']+)["']"""),
    "maxHoldMs": re.compile(r"""["']?\bmaxHoldMs["']?\s*:\s*(\d+)(?=\s*[,}])"""),
    "starttime": re.compile(r"""["']?\bstarttime["']?\s*:\s*(\d+)(?=\s*[,}])"""),
}


def lock_scope(path: str) -> str:
    """What a ``.lock`` guards: a transcript, the session store, the gateway, or else."""
    name = basename(path)
    if name.endswith(".jsonl.lock"):
        return "session"
    if STORE_FILE.search(name):
        return "store"
    if name.startswith("gateway.") and name.endswith(".lock"):
        return "gateway"
    return "other"


def sniff(name: str, head: str) -> bool:
    if _LOCK_NAME.search(basename(name)):
        return len(head) <= _MAX_PAYLOAD
    body = head.strip()
    if not body.startswith("{") or len(body) > _MAX_PAYLOAD:
        return False
    try:
        obj = json.loads(body)
    except ValueError:
        return False
    return isinstance(obj, dict) and {"pid", "createdAt"} <= set(obj) <= _PAYLOAD_KEYS


def parse(doc: Document) -> Parsed | None:
    out = Parsed(event_lines=set(range(1, len(doc.lines) + 1)))
    text = doc.text.strip()
    payload, fields = _payload(text)
    if payload in ("empty", "partial", "invalid"):
        out.warnings.append(
            f"{doc.name}: lock file payload is {payload}"
            + ("" if payload == "empty" else " JSON; read what could be read")
        )
    scope = "gateway" if payload == "gateway" else lock_scope(doc.name)
    created = fields.get("createdAt")
    stamp = parse_iso(created) if isinstance(created, str) else None
    if stamp is not None and stamp.day is not None:
        when = when_from_stamp(stamp)
    else:
        when = document_time(doc.name, None)
        when["ts_assumption"] = "; ".join(
            x for x in ("no valid createdAt in the payload", when.get("ts_assumption")) if x
        )
    pid = int_value(fields.get("pid"))
    out.rows.append(
        event(
            EventKind.LOCK_FILE.value,
            1,
            text,
            when,
            message=f"lock file {basename(doc.name)} ({payload})",
            lock_path=doc.name,
            lock_scope=scope,
            lock_payload=payload,
            pid=pid,
            gateway_pid=pid if scope == "gateway" else None,
            max_hold_ms=int_value(fields.get("maxHoldMs")),
            pid_starttime=int_value(fields.get("starttime")),
        )
    )
    return out


def _payload(text: str) -> tuple[str, dict[str, Any]]:
    """(payload version or failure, the fields that could be read)."""
    if not text:
        return "empty", {}
    try:
        obj = json.loads(text)
    except ValueError:
        found = {key: m[1] for key, rx in _PARTIAL.items() if (m := rx.search(text))}
        return ("partial" if found else "invalid"), found
    if not isinstance(obj, dict):
        return "invalid", {}
    if "configPath" in obj:
        return "gateway", obj
    if "maxHoldMs" in obj:
        return "v3", obj
    if "starttime" in obj:
        return "v2", obj
    return "v1", obj
