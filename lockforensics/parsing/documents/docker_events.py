"""``docker events``: the container runtime's record of each start and death.

A container that the OOM killer ends and Docker's restart policy starts again
leaves nothing of either in its own logs, and its ``docker inspect`` keeps
only the running container (``OOMKilled: false``, a restart count): its
events are the one record of each kill.  Each line is the runtime's instant,
the object's type, the action, its id and attributes::

    2026-07-21T02:42:07.519338934+01:00 container oom 9c41e7d2… (image=…, name=openclaw-gateway-1)
    2026-07-21T02:42:07.600338825+01:00 container die 9c41e7d2… (exitCode=137, image=…, name=…)
    2026-07-21T02:42:08.201554210+01:00 container start 9c41e7d2… (image=…, name=…)

or, with ``--format '{{json .}}'``, one JSON object per line (``Type``,
``Action``, ``Actor.Attributes``, ``timeNano``).  Only containers whose
name, image or compose project names openclaw are read.  A ``start`` is the
gateway process's start (an ``uptime`` event at that instant, as ``docker
inspect``'s ``StartedAt``); a ``die`` its end (container_states.ended):
``oom_killed`` after an ``oom`` of the same container, a clean exit for exit
code 0 or a stop's signal (``kill`` with SIGTERM or SIGINT before it: ``docker
stop``, ``compose restart``), a crash for another code.  Every other event is
a known line.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from lockforensics.parsing.documents import container_states
from lockforensics.parsing.documents.model import Document, Parsed
from lockforensics.parsing.documents.runs import preamble
from lockforensics.parsing.timestamps import Stamp, epoch_stamp, parse_runtime

_LINE = re.compile(
    r"^(?P<ts>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s+"
    r"(?P<type>container|image|volume|network|plugin|daemon|service|node|secret|config)\s+"
    # An action's detail (`exec_create: <command>`) may hold parentheses: the
    # healthcheck many compose files run, `node -e fetch(…).then((r)=>…)` (Z235).
    r"(?P<action>[\w-]+)(?::\s.*?)?\s+(?P<id>\S+)(?:\s+\((?P<attrs>.*)\))?\s*$"
)
_ATTR = re.compile(r"(?:^|, )(?P<key>[\w.-]+)=(?P<value>[^,]*)")
_OPENCLAW = re.compile(r"(?i)openclaw")
#: The signals a stop sends first (`docker stop`, `compose restart`): what dies
#: of them shut down when asked.
_STOP_SIGNALS = ("15", "2", "SIGTERM", "SIGINT")


def sniff(name: str, head: str) -> bool:
    return any(_event(line) is not None for line in head.splitlines()[:20])


def parse(doc: Document) -> Parsed | None:
    out = Parsed()
    oom: set[str] = set()  # containers the OOM killer just hit
    stopping: set[str] = set()  # containers a stop just signalled
    read = False
    for number, line in enumerate(doc.lines, start=1):
        if not line.strip():
            continue
        found = _event(line)
        if found is None:
            (out.known_lines if preamble(line) else out.unrecognized).add(number)
            continue
        read = True
        kind, action, ident, attrs, stamp = found
        if kind != "container" or not _OPENCLAW.search(" ".join(attrs.values())):
            out.known_lines.add(number)
            continue
        name = attrs.get("name") or ident[:12]
        if action == "oom":
            oom.add(ident)
        elif action == "kill" and attrs.get("signal") in _STOP_SIGNALS:
            stopping.add(ident)
        elif action == "start":
            out.event_lines.add(number)
            message = f"{name}: started {stamp.raw} (docker events)"
            out.rows.append(container_states.started(number, message, stamp, "docker_started"))
            oom.discard(ident)
            stopping.discard(ident)
            continue
        elif action == "die":
            code: object = attrs.get("exitCode")
            code = int(code) if isinstance(code, str) and code.isdigit() else code
            killed = ident in oom
            asked = ident in stopping and not killed
            message = f"{name}: died ({'OOM, ' if killed else ''}exit code {code}) at {stamp.raw}"
            out.event_lines.add(number)
            out.rows.append(
                container_states.ended(number, message, stamp, killed, 0 if asked else code)
            )
            continue
        out.known_lines.add(number)
    return out if read else None


def _event(line: str) -> tuple[str, str, str, dict[str, str], Stamp] | None:
    """(type, action, id, attributes, instant) of one event line, either format."""
    text = line.strip()
    if text.startswith("{"):
        return _json_event(text)
    m = _LINE.match(text)
    if m is None:
        return None
    stamp = parse_runtime(m["ts"])
    if stamp is None:
        return None
    attrs = {a["key"]: a["value"] for a in _ATTR.finditer(m["attrs"] or "")}
    return m["type"], m["action"], m["id"], attrs, stamp


def _json_event(text: str) -> tuple[str, str, str, dict[str, str], Stamp] | None:
    try:
        found = json.loads(text)
    except ValueError:
        return None
    if not isinstance(found, dict) or not isinstance(found.get("Actor"), dict):
        return None
    actor: dict[str, Any] = found["Actor"]
    attrs = actor.get("Attributes")
    nano = found.get("timeNano")
    if not isinstance(attrs, dict) or not isinstance(nano, int):
        return None
    instant = datetime.fromtimestamp(0, UTC) + timedelta(microseconds=nano // 1000)
    stamp = epoch_stamp(instant.isoformat().replace("+00:00", "Z"), nano // 1000)
    if stamp is None:
        return None
    action = str(found.get("Action") or found.get("status") or "").split(":", 1)[0]
    attributes = {str(k): str(v) for k, v in attrs.items()}
    return str(found.get("Type") or ""), action, str(actor.get("ID") or ""), attributes, stamp
