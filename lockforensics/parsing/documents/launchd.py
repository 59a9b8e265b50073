"""``launchctl print gui/<uid>/ai.openclaw.gateway``: the macOS gateway's pid, or that it was down.

launchd prints a service as a block of tab-indented ``key = value`` lines,
nested blocks (``arguments = {``, ``environment = {``) inside it::

    gui/501/ai.openclaw.gateway = {
        state = running
        program = /opt/homebrew/opt/node/bin/node
        arguments = {
                /opt/homebrew/opt/node/bin/node
                /opt/homebrew/lib/node_modules/openclaw/dist/index.js
                gateway
        }
        pid = 4412
        last exit code = 0
    }

A 2026.6+ start names no pid, and on a launchd host no journal names it
either: this is where the pid is.  A running block becomes an ``uptime``
event naming ``pid`` with no ``uptime_ms`` (launchd does not say since when):
a line naming the gateway's pid, at the time the command ran, which is the
``date`` printed before it (in the zone it shows), else the file name's;
with neither it is untimed.  A ``not running`` (or ``spawn scheduled``)
block is known lines and no event: the gateway was down when launchd was
asked, but launchd does not say since when, and a stop at that instant would
say it released its locks then (a crash hours before leaves them).  Only a
block whose program and arguments are the gateway's counts (the label alone
where launchd printed neither): ``ai.openclaw.node``, ``com.apple.*`` are
read as known lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from lockforensics.parsing.command_lines import is_gateway
from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.runs import preamble
from lockforensics.parsing.documents.timing import document_time, stamp_line
from lockforensics.parsing.fields import int_field
from lockforensics.parsing.timestamps import Stamp
from lockforensics.schema import EventKind

#: A service block's first line: ``<domain>/<label> = {``.
_SERVICE = re.compile(
    r"^(?P<target>(?:system|(?:gui|user|login|pid)/\d+)/(?P<label>[^\s/=]+)) = \{\s*$"
)
#: A ``key = value`` line of a block (a value of ``{`` opens a nested one).
_PROPERTY = re.compile(r"^\t(?P<key>[^\t=][^=]*?) = (?P<value>.*?)\s*$")
#: A line that opens a nested block: `arguments = {`, `"com.apple.x" = {`.
_OPENS = re.compile(r"= \{\s*$")
#: The label OpenClaw installs (``resolveGatewayLaunchAgentLabel``; a profile's
#: ``ai.openclaw.<profile>`` is told from ``ai.openclaw.node`` by its arguments only).
_GATEWAY_LABEL = "ai.openclaw.gateway"

#: The phase of a running block's event.
RUNNING = "launchd_running"


def sniff(name: str, head: str) -> bool:
    lines = [ln for ln in head.splitlines()[:40] if ln.strip()]
    # What an operator types before it: `date; launchctl print …` at a prompt.
    while lines and not _SERVICE.match(lines[0]) and preamble(lines[0]):
        lines.pop(0)
    return bool(lines) and _SERVICE.match(lines[0]) is not None


@dataclass(slots=True)
class _Block:
    """One service block: its label, top-level properties (line, value) and argv."""

    label: str
    properties: dict[str, tuple[int, str]] = field(default_factory=dict)
    arguments: list[str] = field(default_factory=list)

    def is_gateway(self) -> bool:
        program = self.properties.get("program")
        argv = self.arguments or ([program[1]] if program else [])
        return is_gateway(argv) if argv else self.label == _GATEWAY_LABEL


def parse(doc: Document) -> Parsed | None:
    out = Parsed()
    stamp: Stamp | None = None  # the `date` printed above the next block
    blocks: list[tuple[_Block, Stamp | None]] = []
    block: _Block | None = None
    depth = 0  # nested blocks open inside the service's (`arguments = {`)
    outer = ""  # the key of the outermost nested block open
    for number, line in enumerate(doc.lines, start=1):
        if block is None:
            if m := _SERVICE.match(line):
                block = _Block(m["label"])
                out.known_lines.add(number)
            elif not line.strip() or preamble(line):
                stamp = stamp_line(line) or stamp
                out.known_lines.add(number)
            else:
                out.unrecognized.add(number)
            continue
        prop = _PROPERTY.match(line)
        if line.strip() == "}" and not depth:
            # A block takes the `date` above it; the next needs its own.
            blocks.append((block, stamp))
            block, stamp = None, None
        elif line.strip() == "}":
            depth -= 1
        elif _OPENS.search(line):
            outer = prop["key"] if not depth and prop is not None else outer
            depth += 1
        elif depth:
            if depth == 1 and outer == "arguments":
                block.arguments.append(line.strip())
        elif prop is not None:
            block.properties.setdefault(prop["key"], (number, prop["value"]))
        elif line.strip():
            out.unrecognized.add(number)
            continue
        out.known_lines.add(number)
    if block is not None:  # cut off before its `}`: what it printed still counts
        blocks.append((block, stamp))
    if not blocks:
        return None
    for found, at in blocks:
        if found.is_gateway() and (read := _row(doc, found, at)) is not None:
            row, lines = read
            out.event_lines.update(lines)
            out.rows.append(row)
    return out


def _row(
    doc: Document, block: _Block, stamp: Stamp | None
) -> tuple[dict[str, Any], list[int]] | None:
    """A running gateway block's event, naming its pid, and its lines."""
    state = block.properties.get("state")
    if state is None or state[1] != "running":
        return None
    line, value = block.properties.get("pid", (0, ""))
    pid = int_field(value)
    if pid is None:
        return None
    lines = [state[0], line]
    when = document_time(doc.name, stamp)
    message = f"launchctl print {block.label}: running, pid {pid}"
    raw = "\n".join(doc.lines[n - 1].strip() for n in lines)
    return event(
        EventKind.UPTIME.value, line, raw, when, message=message, gateway_pid=pid, phase=RUNNING
    ), lines
