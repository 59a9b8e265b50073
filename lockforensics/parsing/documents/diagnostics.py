"""OpenClaw's diagnostics export and stability bundles (openclaw-formats §8).

``openclaw gateway diagnostics export`` writes a zip
(``src/logging/diagnostic-support-export.ts``)::

    manifest.json                  openclawVersion, generatedAt, platform, arch, node, contents
    diagnostics.json               the same, plus process.pid (of the exporting CLI)
    config/shape.json, config/sanitized.json
    logs/openclaw-sanitized.jsonl  read by the `diagnostics-sanitized` envelope, not here
    status/gateway-status.json, health/gateway-health.json   {status, capturedAt, data|error}
    stability/latest.json          the newest stability bundle, when there is one
    summary.md                     "OpenClaw: <version>"

The export records no host name (stability bundles write
``<redacted-hostname>``), so what it says about the host is its platform.
Facts found here (``version``, ``platform``, ``host``) apply to every input
of the export; see :mod:`lockforensics.ingest.facts`.  A stability bundle, inside
an export or copied from ``~/.openclaw/logs/stability/``, is uptime evidence:
``process.uptimeMs`` at ``generatedAt``, for ``process.pid``.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.timing import when_from_stamp
from lockforensics.parsing.fields import int_value, is_placeholder
from lockforensics.parsing.timestamps import parse_iso
from lockforensics.schema import EventKind

#: The fact that marks a diagnostics export's root (its manifest's folder).
EXPORT_ROOT = "diagnostics_export"
_VERSION_LINE = re.compile(r"^OpenClaw: (?P<version>\S+)$")
#: Stability bundle reasons of a process dying of its own error (not a shutdown
#: timeout or a restart's failed start, where something asked it to stop).
_FATAL = re.compile(r"uncaught|unhandled|fatal", re.IGNORECASE)
#: The fatal reasons OpenClaw's own handlers catch, before `process.exit(1)`.
_HANDLED = re.compile(r"uncaught|unhandled", re.IGNORECASE)
_STABILITY_KEYS = re.compile(r'^\s*"(?:generatedAt|pid|uptimeMs|hostname|reason)":')


def _object(doc: Document) -> dict[str, Any] | None:
    try:
        value = json.loads(doc.text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _known(doc: Document, out: Parsed) -> Parsed:
    out.known_lines.update(range(1, len(doc.lines) + 1))
    return out


def _platform(obj: dict[str, Any]) -> str | None:
    parts = [obj.get("platform"), obj.get("arch")]
    words = [p for p in parts if isinstance(p, str)]
    if isinstance(obj.get("node"), str):
        words.append(f"node {obj['node']}")
    return " ".join(words) or None


def _is_json_object(head: str) -> bool:
    return head.lstrip().startswith("{")


# --------------------------------------------------------------------------- manifest.json


def sniff_manifest(name: str, head: str) -> bool:
    return _is_json_object(head) and '"openclawVersion"' in head and '"contents"' in head


def parse_manifest(doc: Document) -> Parsed | None:
    """The export's facts; and, with its ``generatedAt``, a ``version`` event then:
    the gateway running when the export was taken ran that version (its epoch's
    version even where the export's log records are copies of lines another
    input holds, dropped as such: ingest/duplicates)."""
    obj = _object(doc)
    if obj is None or not isinstance(obj.get("contents"), list):
        return None
    out = Parsed()
    out.facts[EXPORT_ROOT] = "manifest.json"
    version = obj.get("openclawVersion")
    if isinstance(version, str):
        out.facts["version"] = version
    if platform := _platform(obj):
        out.facts["platform"] = platform
    generated = obj.get("generatedAt")
    stamp = parse_iso(generated) if isinstance(generated, str) else None
    line = next((n for n, ln in enumerate(doc.lines, 1) if '"generatedAt"' in ln), None)
    if isinstance(version, str) and stamp is not None and stamp.day is not None and line:
        out.event_lines.add(line)
        out.rows.append(
            event(
                EventKind.VERSION.value,
                line,
                doc.lines[line - 1],
                when_from_stamp(stamp),
                message=f"diagnostics export of OpenClaw {version}",
                version=version,
            )
        )
    out.known_lines.update(set(range(1, len(doc.lines) + 1)) - out.event_lines)
    return out


# --------------------------------------------------------------------------- diagnostics.json


def sniff_summary(name: str, head: str) -> bool:
    return (
        _is_json_object(head)
        and '"openclawVersion"' in head
        and '"process"' in head
        and '"logs"' in head
    )


def parse_summary(doc: Document) -> Parsed | None:
    obj = _object(doc)
    if obj is None or not isinstance(obj.get("process"), dict):
        return None
    out = Parsed()
    if isinstance(obj.get("openclawVersion"), str):
        out.facts["version"] = obj["openclawVersion"]
    if platform := _platform(obj["process"]):
        out.facts["platform"] = platform
    return _known(doc, out)


# --------------------------------------------------------------------------- stability bundle


def sniff_stability(name: str, head: str) -> bool:
    return (
        _is_json_object(head)
        and '"uptimeMs"' in head
        and '"generatedAt"' in head
        and '"process"' in head
    )


def parse_stability(doc: Document) -> Parsed | None:
    obj = _object(doc)
    process = obj.get("process") if obj else None
    if obj is None or not isinstance(process, dict):
        return None
    # Numbers only (a string uptime is no uptime), and ones that fit the table.
    uptime_ms, pid_value = (
        int_value(v) if isinstance(v, int | float) else None
        for v in (process.get("uptimeMs"), process.get("pid"))
    )
    generated = obj.get("generatedAt")
    stamp = parse_iso(generated) if isinstance(generated, str) else None
    if uptime_ms is None or stamp is None or stamp.day is None:
        return None
    out = Parsed()
    host_block = obj.get("host")
    hostname = host_block.get("hostname") if isinstance(host_block, dict) else None
    host = hostname if isinstance(hostname, str) and not is_placeholder(hostname) else None
    if host:
        out.facts["host"] = host
    if platform := _platform(process):
        out.facts["platform"] = platform
    lines = [n for n, ln in enumerate(doc.lines, start=1) if _STABILITY_KEYS.match(ln)]
    out.event_lines.update(lines or [1])
    out.known_lines.update(set(range(1, len(doc.lines) + 1)) - out.event_lines)
    written = obj.get("reason")
    reason = written if isinstance(written, str) else "unknown"
    raw = "\n".join(doc.lines[n - 1] for n in sorted(out.event_lines))
    message = f"stability bundle ({reason}): pid {pid_value} up {uptime_ms} ms"
    common = {"message": message, "gateway_pid": pid_value, "host": host}
    first = min(out.event_lines)
    out.rows.append(
        event(
            EventKind.UPTIME.value,
            first,
            raw,
            when_from_stamp(stamp),
            phase="stability",
            uptime_ms=uptime_ms,
            **common,
        )
    )
    if _FATAL.search(reason):
        # Written as the process died of it (openclaw-formats §8): its end, unasked.
        # An uncaught exception's or unhandled rejection's handler then calls
        # `process.exit`, whose exit handler removes the locks it held.
        when = when_from_stamp(stamp)
        phase = "fatal_exit" if _HANDLED.search(reason) else "fatal"
        stop = event(EventKind.GATEWAY_STOP.value, first, raw, when, phase=phase, **common)
        out.rows.append({**stop, "hit": 1})
    return out


# --------------------------------------------------------------------------- snapshots, summary


def sniff_snapshot(name: str, head: str) -> bool:
    return _is_json_object(head) and '"capturedAt"' in head and '"status"' in head


def parse_snapshot(doc: Document) -> Parsed | None:
    obj = _object(doc)
    if obj is None or obj.get("status") not in ("ok", "failed"):
        return None
    return _known(doc, Parsed())


def sniff_summary_md(name: str, head: str) -> bool:
    return head.startswith("# OpenClaw Diagnostics Export")


def parse_summary_md(doc: Document) -> Parsed | None:
    out = Parsed()
    for line in doc.lines:
        if m := _VERSION_LINE.match(line):
            out.facts["version"] = m["version"]
    return _known(doc, out)


# --------------------------------------------------------------------------- any other JSON


def sniff_json(name: str, head: str) -> bool:
    """Pretty-printed JSON (its first line opens it alone), as OpenClaw writes config
    and snapshot files; compact single-line JSON is left to the line envelopes."""
    first = next((ln.strip() for ln in head.splitlines() if ln.strip()), "")
    return first in ("{", "[", "null")


def parse_json(doc: Document) -> Parsed | None:
    try:
        json.loads(doc.text)
    except ValueError:
        return None
    return Parsed()  # read, understood as JSON, meaningless here: noise
