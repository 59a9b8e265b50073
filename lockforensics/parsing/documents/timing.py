"""When a document was written: its own stamp, else a stamp in its name, else unknown.

Command outputs (``sessions cleanup``, ``doctor``) carry no time of their
own; cron wrappers often print one (``date``) before the command, and
operators often put one in the file name.  The first of those found is used
and ``ts_assumption`` says which.  A loose file's modification time is not
used: it tells when the file was last copied, extracted or touched, which may
be hours after the run it holds.  An archive member's is the time the file was
last written on the host it was packed from: for a command's saved output,
when the command ran; the pipeline gives it to a document that has no other
(``UNTIMED``, ``MEMBER_TIME``).  A document with none has an unknown time
(``untimed``): it stays out of the window, the incidents and the charts, and
the report lists it as untimed.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Any

from lockforensics.parsing.timestamps import (
    ABBREVIATIONS,
    MONTH_WORD,
    Stamp,
    month_number,
    parse_iso,
    parse_offset,
)
from lockforensics.schema import TimeQuality

_ZONE = r"(?P<zone>[A-Z]{2,5}|[+-]\d{2}(?:\d{2})?)"
# glibc's en_US `date` writes a 12-hour clock (`%r`: `11:31:18 AM`).
_CLOCK = r"(?P<time>\d{2}:\d{2}:\d{2})(?: (?P<half>[AP]M))?"
_WEEKDAY = r"[^\W\d_]{2,4}\.?,?"
# `date` as cron wrappers print it: "Thu May 28 05:15:00 UTC 2026" ("Tue Jun 23
# 11:31:18 AM CDT 2026" where the locale keeps a 12-hour clock); under a
# German locale "Do 28. Mai 09:50:01 CEST 2026", a French one
# "jeu. 28 mai 2026 09:50:01 CEST".
_DATE_CMDS = (
    re.compile(
        rf"^{_WEEKDAY} (?P<mon>{MONTH_WORD}) +(?P<day>\d{{1,2}}) {_CLOCK}"
        rf" (?:{_ZONE} )?(?P<year>\d{{4}})$"
    ),
    re.compile(
        rf"^{_WEEKDAY} (?P<day>\d{{1,2}})\.? (?P<mon>{MONTH_WORD}) {_CLOCK}"
        rf" (?:{_ZONE} )?(?P<year>\d{{4}})$"
    ),
    re.compile(
        rf"^{_WEEKDAY} (?P<day>\d{{1,2}})\.? (?P<mon>{MONTH_WORD}) (?P<year>\d{{4}})"
        rf" {_CLOCK}(?: {_ZONE})?$"
    ),
)
_ISO_ONLY = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?(?:Z|[+-]\d{2}:?\d{2})?$"
)
# A stamp in a file name: `sessions-cleanup-2026-05-28T0515Z.txt`,
# `openclaw-diagnostics-2026-05-28T05-30-00-000Z-53110.zip`.  A date alone
# (`openclaw-2026-05-28.log`) names a day, not the moment of a run.
_NAME_STAMP = re.compile(
    r"(?<!\d)(?P<y>20\d{2})-?(?P<m>\d{2})-?(?P<d>\d{2})[T_ -]?(?P<H>\d{2})[:-]?(?P<M>\d{2})"
    r"(?:[:-]?(?P<S>\d{2}))?(?:[.-]\d{3})?(?P<zone>Z|[+-]\d{2}:?\d{2})?(?!\d)"
)


#: A cron wrapper's header around a stamp: `=== $(date -Is) sessions cleanup ===`,
#: `----- $(date) -----`, `### $(date -u)`: two or more rule characters (or one
#: `#`), the stamp, then words naming the job, and the rule again.
_HEADER = re.compile(r"^(?:[=*~#-]{2,}|#) *(?P<body>\S.*?) *(?:[=*~#-]{2,})?$")
#: The words after a header's stamp: a label (no digits, so a stamp's own
#: parts are never taken for one).
_LABEL = re.compile(r"^(?P<stamp>.*?\d) +(?P<label>[^\W\d][^\d]*)$")


#: util-linux `script`'s typescript header and trailer: `Script started on
#: 2026-06-10 09:14:22-05:00 [TERM="xterm" …]` (older: `date` output).
_SCRIPT = re.compile(r"^Script (?:started|done) on (?P<stamp>.+?)(?: \[.*\])?$")
#: A PowerShell transcript's header and, with `-IncludeInvocationHeader`, each
#: command's: local time, no zone, to the second (Z200: every command of a
#: transcript timed by its file name's stamp, a clear put before what it cleared).
_TRANSCRIPT = re.compile(
    r"^(?:Command )?[Ss]tart time: (?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})"
    r"(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})$"
)


def stamp_line(text: str) -> Stamp | None:
    """A line that is nothing but a stamp (ISO 8601, or `date` output), a cron
    wrapper's header around one (:data:`_HEADER`), or a typescript's
    (:data:`_SCRIPT`), else None."""
    text = text.strip()
    if (stamp := _bare_stamp(text)) is not None:
        return stamp
    if script := _SCRIPT.match(text):
        return _bare_stamp(script["stamp"])
    if transcript := _TRANSCRIPT.match(text):
        return _transcript_stamp(transcript)
    header = _HEADER.match(text)
    if header is None:
        return None
    body = header["body"]
    label = _LABEL.match(body)
    return (
        _bare_stamp(body)
        or (_bare_stamp(label["stamp"]) if label else None)
        # Not a journal's own notices (`-- Boot … --`), whose words lead too.
        or (None if text.startswith("-- ") else _after_label(body))
    )


def shown_zone(line: str, where: str) -> tuple[timedelta, str, datetime, str] | None:
    """The zone a `date` line names (`… 10:15:09 PDT 2026`), as FileClock's header
    zone (offset, abbreviation, the instant shown, ``where`` it was shown): `ps`
    prints lstart, `ls` its mtimes, in that same local time with no zone (Z197:
    read as UTC, seven hours early, beside `date`'s PDT)."""
    stamp = stamp_line(line)
    name = _ZONE_NAME.search(line)
    if stamp is None or stamp.offset is None or stamp.day is None or stamp.clock is None:
        return None
    if name is None:
        return None
    local = datetime.combine(stamp.day, stamp.clock, timezone(stamp.offset))
    return stamp.offset, name["abbr"], local.astimezone(UTC), where


#: The zone's name in a `date` line, before its year.
_ZONE_NAME = re.compile(r" (?P<abbr>[A-Z]{2,5}) \d{4}\s*$")
#: The names `date -u` shows: any host's clock, no zone of its own.
UTC_NAMES = ("UTC", "GMT", "Z")


def zone_name(line: str) -> str | None:
    """The zone abbreviation a `date` line shows (`IST`, even where the name
    alone cannot say which zone), else None."""
    name = _ZONE_NAME.search(line)
    return name["abbr"] if name is not None and stamp_line(line) is not None else None


def _after_label(body: str) -> Stamp | None:
    """A header's stamp after its label (`oc-nightly start Mon May  4 20:00:01 PDT
    2026`): the longest rest after a label of words with no digits."""
    words = body.split(" ")
    for cut in range(1, len(words)):
        if any(c.isdigit() for c in " ".join(words[:cut])):
            return None
        if (stamp := _bare_stamp(" ".join(words[cut:]).strip())) is not None:
            return stamp
    return None


def _transcript_stamp(m: re.Match[str]) -> Stamp | None:
    clock = f"{m['H']}:{m['M']}:{m['S']}"
    try:
        return Stamp(
            raw=m.group(0),
            day=date(int(m["y"]), int(m["m"]), int(m["d"])),
            clock=time.fromisoformat(clock),
        )
    except ValueError:
        return None


def _bare_stamp(text: str) -> Stamp | None:
    if _ISO_ONLY.match(text):
        return parse_iso(text)
    m = next((m for m in (p.match(text) for p in _DATE_CMDS) if m is not None), None)
    if m is None:
        return None
    clock = _24_hour(m["time"], m["half"])
    return calendar_stamp(m["mon"], m["day"], clock, m["year"], text, zone_offset(m["zone"]))


def _24_hour(clock: str, half: str | None) -> str:
    """``11:31:18`` and ``PM`` as ``23:31:18``; 12 AM is midnight, 12 PM noon."""
    if half is None:
        return clock
    hour = int(clock[:2]) % 12 + (12 if half == "PM" else 0)
    return f"{hour:02d}{clock[2:]}"


def calendar_stamp(
    month: str, day: str, clock: str, year: str, raw: str, offset: timedelta | None
) -> Stamp | None:
    """A stamp written as month name, day, time and year (`date`, `ps` lstart);
    None when the calendar has no such day."""
    number = month_number(month)
    if number is None:
        return None
    try:
        return Stamp(
            raw=raw,
            day=date(int(year), number, int(day)),
            clock=time.fromisoformat(clock),
            offset=offset,
        )
    except ValueError:
        return None


def zone_offset(zone: str | None) -> timedelta | None:
    """The offset of ``UTC``, ``CEST``, ``+0200``; None when it cannot be trusted."""
    if not zone:
        return None
    if zone in ABBREVIATIONS:
        return timedelta(minutes=ABBREVIATIONS[zone])
    if zone[0] in "+-" and zone[1:].isdigit():
        return parse_offset(zone)
    return None


def name_stamp(name: str) -> Stamp | None:
    """The last date-and-time stamp in a file's base name, if any."""
    base = re.split(r"[/\\]", name)[-1]
    found: Stamp | None = None
    for m in _NAME_STAMP.finditer(base):
        try:
            day = date(int(m["y"]), int(m["m"]), int(m["d"]))
            clock = time(int(m["H"]), int(m["M"]), int(m["S"] or 0))
        except ValueError:
            continue
        zone = m["zone"]
        offset = (
            timedelta(0) if zone == "Z" else zone_offset(zone.replace(":", "") if zone else None)
        )
        found = Stamp(raw=m.group(0), day=day, clock=clock, offset=offset)
    return found


def when_from_stamp(stamp: Stamp, origin: str | None = None) -> dict[str, Any]:
    """Row time columns for a full stamp; ``origin`` names where it came from when
    that was not the document's own text.  A zone-less stamp is left for the
    bundle's zone (the pipeline fills ``ts`` from ``_local``)."""
    assert stamp.day is not None
    naive = datetime.combine(stamp.day, stamp.clock or time(0))
    note = f"time from {origin}" if origin else None
    if stamp.offset is not None:
        return {
            "ts": naive.replace(tzinfo=timezone(stamp.offset)).astimezone(UTC),
            "ts_raw": stamp.raw,
            "ts_quality": (TimeQuality.ASSUMED if origin else TimeQuality.EXPLICIT).value,
            "ts_assumption": note,
        }
    return {
        "ts": None,
        "_local": naive,
        "ts_raw": stamp.raw,
        "ts_quality": TimeQuality.ASSUMED.value,
        "ts_assumption": note,
    }


UNTIMED: dict[str, Any] = {
    "ts": None,
    "ts_quality": TimeQuality.UNTIMED.value,
    "ts_assumption": "no time in the document or its name",
}
MEMBER_TIME = (
    "time from its archive member's modification time (when it was last written "
    "before it was packed)"
)


_NAME = "the file name"
#: The assumption of a time taken from the file's name.
FROM_NAME = f"time from {_NAME}"
#: A run of a command with no stamp of its own among several in one file.
SEVERAL_UNSTAMPED: dict[str, Any] = {
    "ts": None,
    "ts_quality": TimeQuality.UNTIMED.value,
    "ts_assumption": "one of several unstamped runs in one file",
}


def run_time(name: str, own: Stamp | None, runs: int, what: str) -> dict[str, Any]:
    """Row time columns for one of ``runs`` runs (``what``) of a command in one file.

    The file's name tells the time of one run, not of several: an unstamped
    run among several is untimed.
    """
    if own is None and runs > 1:
        return {
            **SEVERAL_UNSTAMPED,
            "ts_assumption": f"one of several unstamped {what} in one file",
        }
    return document_time(name, own)


def document_time(name: str, own: Stamp | None) -> dict[str, Any]:
    """Row time columns for a document run: own stamp, else the file name, else untimed."""
    if own is not None and own.day is not None:
        when = when_from_stamp(own)
        when["ts_assumption"] = "; ".join(
            x for x in ("time from the stamp in the document", when["ts_assumption"]) if x
        )
        return when
    from_name = name_stamp(name)
    if from_name is not None:
        # `doctor-fix-20260217-1016.txt` names its minute: the time is no finer
        # (Z179: a clear shown to the millisecond, 32 s before it happened).
        shown = _NAME_STAMP.fullmatch(from_name.raw)
        coarse = shown is not None and shown["S"] is None
        return when_from_stamp(from_name, f"{_NAME} (to the minute)" if coarse else _NAME)
    return dict(UNTIMED)
