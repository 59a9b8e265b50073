"""``kubectl describe pod``: when each gateway container started, and how the last one ended.

A pod's logs say nothing of the container's death: the kernel's OOM killer
ends it mid-line, and ``kubectl logs --previous`` just stops.  The pod's
description does::

    Containers:
      openclaw:
        State:          Running
          Started:      Tue, 21 Jul 2026 11:32:01 +0000
        Last State:     Terminated
          Reason:       OOMKilled
          Exit Code:    137
          Started:      Tue, 21 Jul 2026 09:07:12 +0000
          Finished:     Tue, 21 Jul 2026 11:31:20 +0000

Each ``Started`` becomes an ``uptime`` event at that instant (``uptime_ms`` 0,
as ``ps`` lstart gives one), and a terminated state a ``gateway_stop`` at its
``Finished``: ``oom_killed`` for ``OOMKilled``, ``killed`` for another reason
with a non-zero exit code (a crash), ``exited`` for a clean exit.  Only
containers whose image or name says openclaw are read: a sidecar's death is
no gateway's.  The pod's events (``kubectl get events``) give ages, not
times, and are not read.
"""

from __future__ import annotations

import re
from email.utils import parsedate_to_datetime

from lockforensics.parsing.documents import container_states
from lockforensics.parsing.documents.model import Document, Parsed
from lockforensics.parsing.fields import int_field
from lockforensics.parsing.timestamps import Stamp

_NAME = re.compile(r"^Name:\s+\S+")
_CONTAINERS = re.compile(r"^Containers:\s*$")
#: A container's name under ``Containers:``, two spaces in.
_CONTAINER = re.compile(r"^  (?P<name>[\w.-]+):\s*$")
#: ``Key:  value`` lines of a container, with their indent.
_FIELD = re.compile(r"^(?P<indent> {4,})(?P<key>[A-Z][\w ]*?):\s*(?P<value>.*?)\s*$")
#: The section after the containers (``Conditions:``, ``Volumes:``, ``Events:``).
_SECTION = re.compile(r"^[A-Z][\w ]*:")
_OPENCLAW = re.compile(r"(?i)openclaw")


def sniff(name: str, head: str) -> bool:
    lines = head.splitlines()[:200]
    return (
        any(_NAME.match(ln) for ln in lines[:5])
        and any(_CONTAINERS.match(ln) for ln in lines)
        and bool(_OPENCLAW.search(head))
    )


def parse(doc: Document) -> Parsed | None:
    out = Parsed()
    container: str | None = None
    image = ""
    state: str | None = None  # "State" or "Last State", while inside one
    fields: dict[str, tuple[int, str]] = {}
    blocks: list[tuple[str, str, dict[str, tuple[int, str]]]] = []

    def close_state() -> None:
        nonlocal state, fields
        if state is not None and container is not None:
            blocks.append((container, state, fields))
        state, fields = None, {}

    inside = False
    for number, line in enumerate(doc.lines, start=1):
        out.known_lines.add(number)
        if _CONTAINERS.match(line):
            inside = True
            continue
        if not inside:
            continue
        if (m := _CONTAINER.match(line)) is not None:
            close_state()
            container, image = m["name"], ""
            continue
        if _SECTION.match(line):
            close_state()
            inside = False
            continue
        m = _FIELD.match(line)
        if m is None:
            continue
        key, value = m["key"], m["value"]
        if len(m["indent"]) == 4:
            close_state()
            if key == "Image":
                image = value
            if key in ("State", "Last State"):
                state = key
                fields = {"state": (number, value), "image": (number, image)}
        elif state is not None:
            fields[key] = (number, value)
    close_state()
    for name, which, found in blocks:
        if not (_OPENCLAW.search(name) or _OPENCLAW.search(found["image"][1])):
            continue
        out.rows.extend(_rows(name, which, found, out))
    return out if out.rows else None


def _rows(
    container: str, which: str, found: dict[str, tuple[int, str]], out: Parsed
) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    state = found["state"][1]
    started = _stamp(found.get("Started"))
    if started is not None:
        number = found["Started"][0]
        out.event_lines.add(number)
        message = f"{container}: {which} {state}, started {started.raw}"
        rows.append(container_states.started(number, message, started, "k8s_started"))
    finished = _stamp(found.get("Finished"))
    if state == "Terminated" and finished is not None:
        reason = found.get("Reason", (0, ""))[1]
        code = int_field(found.get("Exit Code", (0, ""))[1])
        number = found["Finished"][0]
        out.event_lines.update({number, found.get("Reason", (number, ""))[0]})
        message = (
            f"{container}: terminated ({reason or 'no reason'}, exit code {code}) at {finished.raw}"
        )
        rows.append(container_states.ended(number, message, finished, reason == "OOMKilled", code))
    return rows


def _stamp(found: tuple[int, str] | None) -> Stamp | None:
    """``Tue, 21 Jul 2026 11:31:20 +0000`` (RFC 1123 with an offset)."""
    if found is None:
        return None
    try:
        moment = parsedate_to_datetime(found[1])
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    # The zone is the kubectl client's, which says nothing of the gateway's host.
    return Stamp(
        raw=found[1],
        day=moment.date(),
        clock=moment.time(),
        offset=moment.utcoffset(),
        shows_zone=False,
    )
