"""``ls -l`` listings of sessions directories: which lock files existed, and since when.

An operator who could not copy the lock files often pasted ``ls -l`` of the
sessions directories instead.  Each ``.lock`` entry becomes a ``lock_file``
event (``lock_payload = "listed"``) at the listed modification time; a lock
file is written once, so that is when the lock was taken.  Without
``--time-style`` the time carries no year (recent files) and no zone: the
year comes from the file name or the bundle, the zone from the bundle, and
``ts_assumption`` says so.
"""

from __future__ import annotations

import re
from typing import Any

from lockforensics.parsing.documents.lockfile import lock_scope
from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.timing import when_from_stamp
from lockforensics.parsing.fields import basename
from lockforensics.parsing.timestamps import (
    FileClock,
    Stamp,
    date_from_name,
    parse_iso,
    parse_syslog,
)
from lockforensics.schema import LISTED_PAYLOAD, EventKind, TimeQuality

# `ls -l`: mode (macOS adds `@` for extended attributes, `+` for ACLs), links,
# owner, group, size, then `Mon DD HH:MM` (this year: no year written) or
# `Mon DD  YYYY`, or GNU --time-style long-iso/full-iso.
_ENTRY = re.compile(
    r"^[-dlcbps][-rwxsStT]{9}[@+.]?\s+\d+\s+\S+\s+\S+\s+\d+\s+"
    r"(?:(?P<mon>[A-Z][a-z]{2})\s+(?P<day>\d{1,2})\s+(?:(?P<hm>\d{1,2}:\d{2})|(?P<year>\d{4}))"
    r"|(?P<iso>\d{4}-\d{2}-\d{2} \d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?: [+-]\d{4})?))"
    r"\s(?P<name>.+)$"
)
_TOTAL = re.compile(r"^total \d+[KMG]?$")
_DIR = re.compile(r"^(?P<dir>\S.*):$")


def sniff(name: str, head: str) -> bool:
    lines = head.splitlines()
    entries = [m for ln in lines if (m := _ENTRY.match(ln))]
    return len(entries) >= 2 and any(
        ".jsonl" in m["name"] or "sessions.json" in m["name"] for m in entries
    )


def parse(doc: Document) -> Parsed | None:
    out = Parsed()
    directory = ""
    clock = FileClock(name_date=date_from_name(basename(doc.name)), bundle_year=doc.bundle_year)
    for number, line in enumerate(doc.lines, start=1):
        if _TOTAL.match(line):
            out.known_lines.add(number)
            continue
        if m := _DIR.match(line):
            directory = m["dir"].rstrip("/") + "/"
            out.known_lines.add(number)
            continue
        entry = _ENTRY.match(line)
        if entry is None:
            if line.strip():
                out.unrecognized.add(number)
            continue
        name = entry["name"].split(" -> ")[0]
        if not name.endswith(".lock"):
            out.known_lines.add(number)
            continue
        out.event_lines.add(number)
        path = directory + name
        out.rows.append(
            event(
                EventKind.LOCK_FILE.value,
                number,
                line,
                _entry_time(entry, clock),
                lock_path=path,
                lock_scope=lock_scope(path),
                lock_payload=LISTED_PAYLOAD,
            )
        )
    return out if out.event_lines or out.known_lines else None


def _entry_time(entry: re.Match[str], clock: FileClock) -> dict[str, Any]:
    """The lock file's mtime as listed (a lock is written once: its creation time)."""
    untimed: dict[str, Any] = {"ts": None, "ts_quality": TimeQuality.UNTIMED.value}
    if entry["iso"]:
        day, clock_text, *zone = entry["iso"].split(" ")
        if len(clock_text) == 5:
            clock_text += ":00"  # long-iso writes minutes only
        stamp = parse_iso(f"{day}T{clock_text}{''.join(zone)}")
        return when_from_stamp(stamp) if stamp else untimed
    hm = entry["hm"] or "00:00"
    text = f"{entry['mon']} {int(entry['day']):2d} {int(hm[:-3]):02d}:{hm[-2:]}:00"
    stamp = parse_syslog(text)
    if stamp is None:
        return untimed
    if entry["year"]:
        assert stamp.day is not None
        day = stamp.day.replace(year=int(entry["year"]))
        stamp = Stamp(raw=f"{entry['mon']} {entry['day']} {entry['year']}", day=day)
        return when_from_stamp(stamp)
    value, notes = clock.complete(stamp)
    if value is None:
        # "year unknown" makes the pipeline read the file again with the bundle's year.
        return {**untimed, "ts_raw": text, "ts_assumption": "; ".join(notes)}
    return {
        "ts": None,
        "_local": value,
        "ts_raw": text,
        "ts_quality": TimeQuality.ASSUMED.value,
        "ts_assumption": "; ".join(["listed mtime (minute precision)", *notes]),
    }
