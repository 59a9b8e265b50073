"""``ls -l`` listings of sessions directories: which lock files existed, and since when.

An operator who could not copy the lock files often pasted ``ls -l`` of the
sessions directories instead.  Each ``.lock`` entry becomes a ``lock_file``
event (``lock_payload = "listed"``) at the listed modification time; a lock
file is written once, so that is when the lock was taken.  Without
``--time-style`` the time carries no year (recent files) and no zone: the
year comes from the file name or the bundle, the zone from the bundle, and
``ts_assumption`` says so.

A cron that lists the locks every few hours (``date; ls -la …/*.lock``) is a
census: each run, stamped by its ``date`` line, saw the locks it lists held
then (:func:`seen_by_census`), and its ``ls: cannot access …: No such file or
directory`` is the listing of none.  The run itself is a row too
(:func:`census_run`): a lock an earlier run listed and this one does not was
gone by then.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

from lockforensics.parsing.documents.lockfile import lock_scope
from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.timing import stamp_line, when_from_stamp
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
#: `ls` of a lock glob that matched nothing, as GNU, BSD, zsh or fish say it: no lock listed.
_NONE = re.compile(
    r"^(?:ls: (?:cannot access '?[^']*\.lock'?|[^:']*\.lock): No such file or directory"  # GNU, BSD
    r"|zsh: no matches found: \S*\.lock"  # zsh's glob that matched nothing (macOS's shell)
    r"|fish: No matches for wildcard '[^']*\.lock'\..*)$"
)


# PowerShell's `Get-ChildItem` (`ls`, `dir`, `gci`): a `Directory:` line, a
# `Mode LastWriteTime Length Name` header, then each file: its mode, its
# last write in the session's culture (`6/18/2026  9:20 AM`, `18.06.2026
# 09:20`, `2026-06-18 09:20`) and local time, its length and name.
_PS_DIR = re.compile(r"^\s*Directory: (?P<dir>\S.*?)\s*$")
_PS_HEADER = re.compile(
    r"^\s*(?:Mode\s+LastWriteTime\s+Length\s+Name|-{4}\s+-{13}\s+-{6}\s+-{4})\s*$"
)
_PS_ENTRY = re.compile(
    r"^\s*[-darhsl]{5,6}\s+(?P<date>\d{1,4}[./-]\d{1,2}[./-]\d{1,4})\s+"
    r"(?P<clock>\d{1,2}:\d{2}(?::\d{2})?)(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?\s+\d+\s+(?P<name>\S.*?)\s*$"
)
#: A command typed at a prompt that lists lock files by a glob (`ls …/*.lock`,
#: PowerShell's `Get-ChildItem`): printing nothing, it listed none (PowerShell
#: prints nothing for a wildcard that matched nothing).
LOCK_GLOB = re.compile(r"^(?:ls|dir|gci|get-childitem)\b.*\*[^\s]*\.lock\b", re.IGNORECASE)


def sniff(name: str, head: str) -> bool:
    lines = head.splitlines()
    if any(_PS_HEADER.match(ln) for ln in lines) and any(
        (m := _PS_ENTRY.match(ln)) and m["name"].endswith(".jsonl.lock") for ln in lines
    ):
        return True
    entries = [m for ln in lines if (m := _ENTRY.match(ln))]
    listed = len(entries) >= 2 and any(
        ".jsonl" in m["name"] or "sessions.json" in m["name"] for m in entries
    )
    # A census run lists the locks alone, often one.
    locks = any(m["name"].endswith(".jsonl.lock") for m in entries)
    return listed or locks or any(_NONE.match(ln) for ln in lines)


def parse(doc: Document) -> Parsed | None:
    if sum(stamp_line(line) is not None for line in doc.lines) > 1:
        return None  # a census: read run by run (document_scan), each at its stamp
    out = Parsed(lists_locks=True)
    directory = ""
    clock = FileClock(name_date=date_from_name(basename(doc.name)), bundle_year=doc.bundle_year)
    for number, line in enumerate(doc.lines, start=1):
        if _TOTAL.match(line):
            out.known_lines.add(number)
            continue
        if _NONE.match(line) or stamp_line(line) is not None:
            # No lock listed, or the census run's `date` line (its stamp).
            out.known_lines.add(number)
            continue
        if m := _PS_DIR.match(line):
            directory = m["dir"].rstrip("\\") + "\\"
            out.known_lines.add(number)
            continue
        if m := _DIR.match(line):
            directory = m["dir"].rstrip("/") + "/"
            out.known_lines.add(number)
            continue
        if _PS_HEADER.match(line):
            out.known_lines.add(number)
            continue
        if (shown := _PS_ENTRY.match(line)) is not None:
            name, when = shown["name"], _written_time(shown)
        elif (entry := _ENTRY.match(line)) is not None:
            name, when = entry["name"].split(" -> ")[0], _entry_time(entry, clock)
        else:
            if line.strip():
                out.unrecognized.add(number)
            continue
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
                when,
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


def _written_time(entry: re.Match[str]) -> dict[str, Any]:
    """A `Get-ChildItem` row's LastWriteTime (local, no zone), read by the
    culture its shape shows: ISO `y-m-d`, German `d.m.y`, and with a slash
    `m/d/y` beside AM/PM (en-US), else `d/m/y` (en-GB), unless a field over 12
    says otherwise; ``ts_assumption`` says which."""
    parts = [int(p) for p in re.split(r"[./-]", entry["date"])]
    hour, minute, *_ = (int(p) for p in entry["clock"].split(":"))
    ampm = (entry["ampm"] or "").lower().replace(".", "")
    if ampm:
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    if parts[0] > 31:
        (year, month, day), culture = parts, "y-m-d"
    elif "." in entry["date"] or "-" in entry["date"]:
        (day, month, year), culture = parts, "d.m.y"
    elif parts[1] > 12 or (ampm and parts[0] <= 12):
        (month, day, year), culture = parts, "m/d/y (en-US)"
    else:
        (day, month, year), culture = parts, "d/m/y (en-GB)"
    try:
        local = datetime(year, month, day, hour, minute)
    except ValueError:
        return {"ts": None, "ts_quality": TimeQuality.UNTIMED.value}
    return {
        "ts": None,
        "_local": local,
        "ts_raw": f"{entry['date']} {entry['clock']}{' ' + entry['ampm'] if ampm else ''}",
        "ts_quality": TimeQuality.ASSUMED.value,
        "ts_assumption": f"listed LastWriteTime (minute precision), read as {culture}",
    }


def census_run(first: str, printed: Stamp) -> dict[str, Any] | None:
    """The row of a census run itself (its first line, ``first``), at the stamp
    printed for it: when it listed the sessions directories.  The locks it lists
    share its ``doc_run``."""
    if printed.day is None:
        return None
    return event(EventKind.LOCK_CENSUS.value, 1, first, when_from_stamp(printed), doc_run=1)


def seen_by_census(
    rows: list[dict[str, Any]], printed: Stamp, latest: bool, files: bool = True
) -> None:
    """The listed locks of a run a census cron stamped (``printed``: its ``date``
    line; in a saved shell session, the last stamp printed before the run): their
    mtimes are in the zone that line shows (the same host), and each lock was
    held when the run listed it.  Only the file's
    ``latest`` run shows the locks as the bundle was collected; a lock an earlier
    run listed was seen held for ``duration_ms`` since its mtime, then
    (resolution.session_lock_files), and may be long gone.  So was a lock file an
    earlier run printed (``files``; ``cat <x>.jsonl.lock`` from cron): seen then,
    since its ``createdAt``."""
    if printed.day is None:
        return
    seen = datetime.combine(printed.day, printed.clock or time(0))
    for row in rows:
        if row.get("kind") != EventKind.LOCK_FILE:
            continue
        if row.get("lock_payload") != LISTED_PAYLOAD:
            if (
                files
                and not latest
                and isinstance(row.get("ts"), datetime)
                and printed.offset is not None
            ):
                held = seen.replace(tzinfo=timezone(printed.offset)) - row["ts"]
                row["duration_ms"] = max(0, int(held.total_seconds() * 1000))
            continue
        row["doc_run"] = 1  # the run's (document_scan numbers the runs)
        local = row.get("_local") or _in_year_of(row.get("ts_raw"), seen)
        if local is not None and printed.offset is not None:
            row["ts"] = local.replace(tzinfo=timezone(printed.offset)).astimezone(UTC)
            row["ts_quality"] = TimeQuality.ASSUMED.value
            row["ts_assumption"] = "listed mtime (minute precision), in its run's `date` zone"
            row.pop("_local", None)
        if latest:
            continue
        if local is not None:
            held = seen - local
        elif isinstance(row.get("ts"), datetime) and printed.offset is not None:
            held = seen.replace(tzinfo=timezone(printed.offset)) - row["ts"]
        else:
            continue
        # A stamp printed before the listing ran may precede the file's mtime: it
        # was seen no earlier than that.
        row["duration_ms"] = max(0, int(held.total_seconds() * 1000))


def _in_year_of(raw: object, seen: datetime) -> datetime | None:
    """A yearless ``ls`` time (``Jun 10 04:04:00``) in the year of the run that
    listed it: the latest such time not after the listing (a file is older)."""
    if not isinstance(raw, str):
        return None
    try:
        local = datetime.strptime(f"{seen.year} {raw}", "%Y %b %d %H:%M:%S")
    except ValueError:
        return None
    return local.replace(year=seen.year - 1) if local > seen + timedelta(days=1) else local
