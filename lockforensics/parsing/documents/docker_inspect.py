"""``docker inspect``: when the gateway's container started, and how it last ended.

A container's logs say nothing of its death: the kernel's OOM killer ends it
mid-line (exit code 137), and ``docker logs`` just stops.  Its inspection
says, per container, in the runtime's own UTC::

    "State": {
        "Status": "exited", "Running": false, "OOMKilled": true, "ExitCode": 137,
        "StartedAt": "2026-06-25T18:02:11.486403525Z",
        "FinishedAt": "2026-06-28T03:58:31.912275193Z"
    }

``StartedAt`` becomes an ``uptime`` event at that instant (``uptime_ms`` 0,
as ``ps`` lstart and ``kubectl describe pod`` give one): the gateway
process's start, where its start line was rotated away.  A container that is
not running ended at ``FinishedAt``: a ``gateway_stop`` that is
``oom_killed`` for ``OOMKilled``, ``exited`` for exit code 0 and ``killed``
for another (a crash).  A running container's ``FinishedAt`` is an earlier
run's end, whose cause its inspection no longer keeps: not read.  Only
containers whose name, image or command names openclaw are read (a
sidecar's death is no gateway's); the zone is the runtime's UTC, no
evidence of the host's.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lockforensics.parsing.documents import container_states
from lockforensics.parsing.documents.model import Document, Parsed
from lockforensics.parsing.timestamps import Stamp, parse_runtime

_OPENCLAW = re.compile(r"(?i)openclaw")
#: The keys every container inspection holds, all in its head.
_KEYS = ('"State"', '"StartedAt"', '"OOMKilled"')
#: The zero time Docker writes for "never" (a container not yet finished).
_NEVER = "0001-01-01T00:00:00Z"


def sniff(name: str, head: str) -> bool:
    first = head.lstrip()[:1]
    return first in ("[", "{") and all(key in head for key in _KEYS)


def parse(doc: Document) -> Parsed | None:
    try:
        found = json.loads(doc.text)
    except ValueError:
        return None
    containers = found if isinstance(found, list) else [found]
    if not all(isinstance(c, dict) and isinstance(c.get("State"), dict) for c in containers):
        return None
    out = Parsed(known_lines=set(range(1, len(doc.lines) + 1)))
    # Where each container's times stand: the n-th `"StartedAt"` line is the n-th
    # container's (JSON keeps no line numbers).
    lines = {key: _lines(doc, key) for key in ("StartedAt", "FinishedAt")}
    for index, container in enumerate(containers):
        if _OPENCLAW.search(_identity(container)):
            out.rows.extend(_rows(container, index, lines, out))
    return out


def _identity(container: dict[str, Any]) -> str:
    """Its name, command and image: what says it runs OpenClaw."""
    config = container.get("Config")
    config = config if isinstance(config, dict) else {}
    parts: list[object] = [container.get("Name"), container.get("Path"), config.get("Image")]
    for listed in (container.get("Args"), config.get("Cmd")):
        parts += listed if isinstance(listed, list) else []
    return " ".join(str(p) for p in parts if p)


def _lines(doc: Document, key: str) -> list[int]:
    pattern = re.compile(rf'"{key}"\s*:')
    return [number for number, line in enumerate(doc.lines, start=1) if pattern.search(line)]


def _rows(
    container: dict[str, Any], index: int, lines: dict[str, list[int]], out: Parsed
) -> list[dict[str, Any]]:
    state: dict[str, Any] = container["State"]
    name = str(container.get("Name") or "container").lstrip("/")
    rows: list[dict[str, Any]] = []
    started = _stamp(state.get("StartedAt"))
    if started is not None:
        number = _line(lines["StartedAt"], index)
        out.event_lines.add(number)
        message = f"{name}: started {started.raw} (docker inspect)"
        rows.append(container_states.started(number, message, started, "docker_started"))
    finished = _stamp(state.get("FinishedAt"))
    if state.get("Running") is False and finished is not None:
        code = state.get("ExitCode")
        oom = state.get("OOMKilled") is True
        number = _line(lines["FinishedAt"], index)
        out.event_lines.add(number)
        cause = "OOMKilled, " if oom else ""
        status = state.get("Status") or "exited"
        message = f"{name}: {status} ({cause}exit code {code}) at {finished.raw}"
        rows.append(container_states.ended(number, message, finished, oom, code))
    return rows


def _line(numbers: list[int], index: int) -> int:
    return numbers[index] if index < len(numbers) else 1


def _stamp(value: object) -> Stamp | None:
    if not isinstance(value, str) or value == _NEVER:
        return None
    return parse_runtime(value)
