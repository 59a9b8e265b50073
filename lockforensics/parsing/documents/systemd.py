"""``systemctl status openclaw-gateway`` captures: when the running gateway started.

The header says which process runs and since when::

    ● openclaw-gateway.service - OpenClaw Gateway (v2026.5.22)
         Loaded: loaded (/home/ops/.config/systemd/user/openclaw-gateway.service; enabled; ...)
         Active: active (running) since Wed 2026-05-13 19:22:00 CEST; 2 weeks 0 days ago
       Main PID: 48213 (node)
         CGroup: /user.slice/.../openclaw-gateway.service
                 └─48213 node /usr/lib/node_modules/openclaw/dist/index.js gateway --port 18789

    May 28 06:40:31 gw-prod-01 node[48213]: ...     (the journal tail: scanned as a log)

``Active: active … since`` becomes an ``uptime`` event: the process start is
``ts - uptime_ms`` as for every uptime event.  When the capture's own time is
known (a stamp line, the file name) ``ts`` is that time and
``uptime_ms`` the time since; else ``ts`` is the start itself and
``uptime_ms`` 0.  ``inactive``/``failed`` since … becomes a ``gateway_stop``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timezone
from typing import Any

from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.timing import (
    document_time,
    stamp_line,
    when_from_stamp,
    zone_offset,
)
from lockforensics.parsing.envelopes import load_envelopes, parse_any_envelope
from lockforensics.parsing.fields import int_field
from lockforensics.parsing.timestamps import Stamp, format_offset, parse_iso
from lockforensics.schema import EventKind

# The unit's state glyph: ● running, ○ inactive, \u00d7 failed, ↻ reloading.
_UNIT = re.compile("^[●○\u00d7↻*] " + r"(?P<unit>\S+)(?: - (?P<description>.*))?$")
# The weekday and the age as the locale writes them: `Do …; 2 Tage her` (de_DE).
_ACTIVE = re.compile(
    r"^\s*Active: (?P<state>[\w-]+) \((?P<sub>[^)]*)\)(?: since [^\W\d_]{2,4}\.? "
    r"(?P<date>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}:\d{2}:\d{2})(?: (?P<zone>[A-Z]{2,5}|[+-]\d{4}))?"
    r"(?:; (?P<ago>.+?) ago|; .*)?)?\s*$"
)
_MAIN_PID = re.compile(r"^\s*Main PID: (?P<pid>\d+)")
_HEADER = re.compile(r"^\s*[A-Z][A-Za-z -]*: |^\s+[└├│]")
_VERSION = re.compile(r"\(v(?P<version>\d{4}\.\d+\.\d+[\w.-]*)\)")
_GATEWAY = re.compile(r"openclaw|OpenClaw")
#: systemctl shows the last 10 lines (`-n` more); a paste may run on past them.
_TAIL_LINES = 50


def sniff(name: str, head: str) -> bool:
    lines = head.splitlines()[:40]
    return any(_ACTIVE.match(ln) for ln in lines) and any(
        _UNIT.match(ln) or ln.lstrip().startswith("Loaded: ") for ln in lines
    )


def parse(doc: Document) -> Parsed | None:
    out = Parsed()
    stamp = None
    unit_line = ""
    active: tuple[int, re.Match[str]] | None = None
    pid: tuple[int, int] | None = None
    for number, line in enumerate(doc.lines, start=1):
        if active is not None and not line.strip():
            out.known_lines.add(number)
            out.tail_from = number + 1 if number < len(doc.lines) else None
            break
        if (found := stamp_line(line)) is not None and active is None:
            stamp = found
            out.known_lines.add(number)
        elif m := _UNIT.match(line):
            unit_line = line
            out.known_lines.add(number)
            if v := _VERSION.search(m["description"] or ""):
                out.facts["version"] = v["version"]
        elif m := _ACTIVE.match(line):
            active = (number, m)
        elif (m := _MAIN_PID.match(line)) and (main := int_field(m["pid"])) is not None:
            pid = (number, main)
        elif _HEADER.match(line) or not line.strip():
            out.known_lines.add(number)
        else:
            out.unrecognized.add(number)
    if active is None or not _GATEWAY.search(unit_line or doc.name):
        return None
    number, m = active
    since = _since(m["date"], m["time"], m["zone"] or "") if m["date"] else None
    if since is not None and since.day and since.clock and since.offset is not None:
        # The default `journalctl` output writes local time and no zone: the
        # journal captured beside this status is read in the zone it shows.
        local = datetime.combine(since.day, since.clock, timezone(since.offset))
        out.zone = (
            since.offset,
            m["zone"],
            local.astimezone(UTC),
            "the `since` of `systemctl status`",
        )
    lines = [number] + ([pid[0]] if pid else [])
    out.event_lines.update(lines)
    row = _row(doc, m, stamp, number, pid[1] if pid else None)
    if row is not None:
        row["raw"] = "\n".join(doc.lines[n - 1] for n in lines)
        row["version"] = out.facts.get("version")
        if pid is not None and out.tail_from is not None:
            row["host"] = _tail_host(doc.lines[out.tail_from - 1 :], pid[1])
        out.rows.append(row)
    return out


def _tail_host(tail: Sequence[str], pid: int) -> str | None:
    """The host its journal tail names for the main pid: the header names none, and
    a ticket pasting two hosts' captures must not give the status to the other."""
    catalog = load_envelopes()
    for line in tail[:_TAIL_LINES]:
        record = parse_any_envelope(line, catalog)[0]
        if record.host and record.gateway_pid == pid:
            return record.host
    return None


def _row(
    doc: Document, m: re.Match[str], stamp: Stamp | None, number: int, pid: int | None
) -> dict[str, Any] | None:
    if m["date"] is None:
        return None
    zone = m["zone"] or ""
    zone_text = f" {zone}" if zone else ""
    since_stamp = _since(m["date"], m["time"], zone)
    since = when_from_stamp(since_stamp) if since_stamp else None
    if since is None:
        return None
    running = m["state"] in ("active", "reloading")
    kind = EventKind.UPTIME if running else EventKind.GATEWAY_STOP
    fields: dict[str, Any] = {
        "gateway_pid": pid if running else None,
        "phase": f"systemd_{m['state']}_since",
        "message": f"{m['state']} ({m['sub']}) since {m['date']} {m['time']}{zone_text}",
    }
    if not running:
        return event(kind.value, number, "", since, **fields)
    seen = document_time(doc.name, stamp)
    local = seen.get("_local")
    if isinstance(local, datetime) and since_stamp is not None and since_stamp.offset is not None:
        # A capture time with no zone (`systemctl-status-20260617-082730.txt`,
        # the operator's `date`) is the host's clock, which `since` shows.
        aware = local.replace(tzinfo=timezone(since_stamp.offset))
        seen = {**seen, "ts": aware.astimezone(UTC)}
        seen.pop("_local")
        note = f"zone {format_offset(since_stamp.offset)} from its own `since` line"
        seen["ts_assumption"] = "; ".join(x for x in (seen.get("ts_assumption"), note) if x)
    observed, started = seen.get("ts"), since.get("ts")
    if isinstance(observed, datetime) and isinstance(started, datetime) and observed >= started:
        uptime = int((observed - started).total_seconds() * 1000)
        return event(kind.value, number, "", seen, uptime_ms=uptime, **fields)
    # No time of observation that can be trusted: the start itself, uptime 0.
    return event(kind.value, number, "", since, uptime_ms=0, **fields)


def _since(day: str, clock: str, zone: str) -> Stamp | None:
    stamp = parse_iso(f"{day}T{clock}")
    if stamp is None:
        return None
    return replace(stamp, raw=f"{day} {clock} {zone}".strip(), offset=zone_offset(zone))


#: `systemctl show` output: one `Key=value` line per property.
_PROPERTY = re.compile(r"^(?P<key>[A-Z][A-Za-z]+)=(?P<value>.*)$")
#: A property's time as systemd writes it: `Tue 2026-06-02 09:14:36 CEST`.
_WHEN = re.compile(
    r"^(?:[^\W\d_]{2,4}\.? )?(?P<date>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}:\d{2}:\d{2})"
    r"(?: (?P<zone>[A-Z]{2,5}|[+-]\d{4}))?$"
)


def sniff_show(name: str, head: str) -> bool:
    """`systemctl show <unit> -p MainPID -p ExecMainStartTimestamp …`."""
    lines = [ln for ln in head.splitlines()[:400] if ln.strip()]
    keys = {m["key"] for ln in lines if (m := _PROPERTY.match(ln))}
    return bool(lines) and len(keys) == len(lines) and {"MainPID", "ExecMainStartTimestamp"} <= keys


def parse_show(doc: Document) -> Parsed | None:
    """The unit's main process and when it started: an ``uptime`` event at
    ``ExecMainStartTimestamp`` naming ``MainPID`` (as ``ps`` lstart gives one).
    A unit that names itself (``Id=``, ``Names=``) must be the gateway's."""
    found: dict[str, tuple[int, str]] = {}
    for number, line in enumerate(doc.lines, start=1):
        if m := _PROPERTY.match(line):
            found.setdefault(m["key"], (number, m["value"]))
    names = " ".join(found[key][1] for key in ("Id", "Names", "Description") if key in found)
    if names and not _GATEWAY.search(names):
        return None
    out = Parsed(known_lines=set(range(1, len(doc.lines) + 1)))
    start = _WHEN.match(found.get("ExecMainStartTimestamp", (0, ""))[1])
    pid = int_field(found.get("MainPID", (0, ""))[1])
    stamp = _since(start["date"], start["time"], start["zone"] or "") if start else None
    if stamp is not None and pid:
        lines = [found["ExecMainStartTimestamp"][0], found["MainPID"][0]]
        out.event_lines.update(lines)
        row = event(
            EventKind.UPTIME.value,
            lines[0],
            "\n".join(doc.lines[n - 1] for n in lines),
            when_from_stamp(stamp),
            uptime_ms=0,
            gateway_pid=pid,
            phase="systemd_show_started",
        )
        out.rows.append(row)
    return out
