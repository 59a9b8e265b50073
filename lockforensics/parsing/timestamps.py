"""Reading the stamps OpenClaw and its supervisors write, and saying what was assumed.

A stamp is read into a :class:`Stamp`, which keeps whatever parts the line
really carried.  Missing parts (the date of a time-only console stamp, the year
of a syslog stamp, the zone of either) are filled in later by
:class:`FileClock` (per file) and :func:`resolve_zone` (per bundle), and every
filled-in part is written into ``ts_assumption``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: How far a time of day may run back before it is a new day: further than
#: half a day back (23:40, then 00:20) is past a midnight, less is disorder.
MIDNIGHT_S = 43_200

MONTHS = {
    m: i
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        start=1,
    )
}
#: Month abbreviations as `journalctl` and `date` print them under a European
#: locale (LC_TIME de_DE, fr_FR, es_ES, it_IT, nl_NL, pt_PT/pt_BR), lower case,
#: without a trailing dot: no two languages give one abbreviation two months.
_LOCAL_MONTHS = {
    "mär": 3, "mrz": 3, "mai": 5, "okt": 10, "dez": 12,  # de
    "janv": 1, "févr": 2, "fevr": 2, "mars": 3, "avr": 4, "juin": 6, "juil": 7,
    "août": 8, "aout": 8, "sept": 9, "déc": 12,  # fr
    "ene": 1, "abr": 4, "ago": 8, "dic": 12,  # es
    "gen": 1, "mag": 5, "giu": 6, "lug": 7, "set": 9, "ott": 10,  # it
    "mrt": 3, "mei": 5,  # nl
    "fev": 2, "out": 10,  # pt
}  # fmt: skip
#: A month as a locale abbreviates it: three to five letters, a dot maybe.
MONTH_WORD = r"[^\W\d_]{3,5}\.?"


def month_number(name: str) -> int | None:
    """The month an abbreviation names, in English or a European locale; None if none."""
    if name in MONTHS:
        return MONTHS[name]
    word = name.rstrip(".").lower()
    return MONTHS.get(word.capitalize()) or _LOCAL_MONTHS.get(word)


# ISO 8601 as OpenClaw, journald (short-iso[-precise]) and docker write it.
# Fractions are cut to microseconds because docker writes nanoseconds.
ISO_RE = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})[T ](?P<time>\d{2}:\d{2}:\d{2})(?:[.,](?P<frac>\d{1,9}))?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})?"
)
# Console "pretty" style: HH:MM:SS with or without a UTC offset.
TIME_ONLY_RE = re.compile(
    r"(?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d{1,6}))?(?P<zone>[+-]\d{2}:\d{2})?"
)
# Classic syslog / `journalctl -o short[-precise]`: month, day and time, no year, no zone.
SYSLOG_RE = re.compile(
    rf"(?P<mon>{MONTH_WORD}) {{1,2}}(?P<day>\d{{1,2}}) (?P<time>\d{{2}}:\d{{2}}:\d{{2}})"
    r"(?:\.(?P<frac>\d{1,9}))?"
)
# `journalctl -o short-full` (and the journal header): weekday, date, time, and
# the zone as the host's abbreviation (CEST) or, for zones without one, a number (+04).
FULL_RE = re.compile(
    r"[^\W\d_]{2,4}\.? (?P<date>\d{4}-\d{2}-\d{2}) (?P<time>\d{2}:\d{2}:\d{2})"
    r"(?:\.(?P<frac>\d{1,9}))?"
    r" (?P<abbr>[A-Z]{2,5}|[+-]\d{2}(?::?\d{2})?)"
)
# `journalctl -o short-unix`: seconds since the epoch (UTC by definition).
UNIX_RE = re.compile(r"(?P<seconds>\d{9,11})(?:\.(?P<frac>\d{1,9}))?")

# Zone abbreviations seen in journal headers (`-- Logs begin at Tue 2026-05-26
# 00:00:03 CEST, ...`).  Only unambiguous ones; anything else is not trusted.
ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "WET": 0, "WEST": 60, "BST": 60, "CET": 60, "CEST": 120,
    "EET": 120, "EEST": 180, "MSK": 180, "EST": -300, "EDT": -240, "CDT": -300,
    "MST": -420, "MDT": -360, "PST": -480, "PDT": -420, "AKST": -540, "AKDT": -480,
    "HST": -600, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480, "AEST": 600,
    "AEDT": 660, "NZST": 720, "NZDT": 780,
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Stamp:
    """The parts of an instant that one line actually wrote."""

    raw: str
    day: date | None = None  # None: date not on the line
    clock: time | None = None
    offset: timedelta | None = None  # None: zone not on the line
    year_missing: bool = False  # syslog: month and day only
    #: The offset is the zone the host writes in.  Not so for seconds since the
    #: epoch, or a container runtime's own stamp: UTC by definition, they say
    #: nothing of the zone that zone-less stamps elsewhere in the bundle were
    #: written in.
    shows_zone: bool = True
    #: Why a zone-less stamp is UTC unless its input's records match copies
    #: stamped elsewhere at another offset (the pipeline reads it so).
    utc_unless_matched: str | None = None


def _frac_us(frac: str | None) -> int:
    return int((frac or "0")[:6].ljust(6, "0"))


def parse_offset(zone: str | None) -> timedelta | None:
    """``Z``, ``+HH:MM``, ``+HHMM`` or ``+HH`` (`date` for a zone with no
    abbreviation and whole hours) as an offset from UTC (None for none)."""
    if not zone:
        return None
    if zone == "Z":
        return timedelta(0)
    sign = -1 if zone[0] == "-" else 1
    digits = zone[1:].replace(":", "")
    return sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0))


def parse_iso(text: str) -> Stamp | None:
    """Parse an ISO stamp at the start of ``text``.

    A ``Z`` stamp is no evidence of a zone: OpenClaw writes ``Z`` only where it
    calls ``toISOString`` (the file log until ~2026.3, early consoles,
    ``openclaw logs --utc``), UTC whatever the host's zone; its local stamps
    spell even UTC ``+00:00``.
    """
    m = ISO_RE.match(text)
    if m is None:
        return None
    stamp = _dated(m, parse_offset(m["zone"]))
    return replace(stamp, shows_zone=False) if stamp and m["zone"] == "Z" else stamp


def _dated(m: re.Match[str], offset: timedelta | None) -> Stamp | None:
    """The stamp a match of date, time and fraction groups writes; None when the
    calendar or Python's range has no such instant."""
    try:
        day = date.fromisoformat(m["date"])
        clock = time.fromisoformat(m["time"]).replace(microsecond=_frac_us(m["frac"]))
    except ValueError:
        return None
    if not _representable(day):
        return None
    return Stamp(raw=m.group(0), day=day, clock=clock, offset=offset)


def _representable(day: date) -> bool:
    """Whether any zone's offset (and a day's rollover) keeps this date inside
    Python's range; 0001-01-01 or 9999-12-31 would overflow in UTC arithmetic.
    Such a "stamp" is no stamp: the line stays untimed (and counted)."""
    return date.min + timedelta(days=2) <= day <= date.max - timedelta(days=2)


def parse_time_only(text: str) -> Stamp | None:
    """Parse a console ``HH:MM:SS[±HH:MM]`` stamp at the start of ``text``."""
    m = TIME_ONLY_RE.match(text)
    if m is None:
        return None
    try:
        clock = time.fromisoformat(m["time"]).replace(microsecond=_frac_us(m["frac"]))
    except ValueError:
        return None
    return Stamp(raw=m.group(0), clock=clock, offset=parse_offset(m["zone"]))


#: What :func:`parse_logs_time` assumes.
LOGS_TIME_UTC = "UTC, as `openclaw logs` prints its HH:MM:SS (local only with --local-time)"


def parse_logs_time(text: str) -> Stamp | None:
    """``openclaw logs`` on a terminal: ``HH:MM:SS``, in UTC as logs-cli.ts has
    written it (``toISOString().slice(11, 19)``; the host's time only with
    ``--local-time``, or in a build that made local time the default).  So UTC,
    unless the capture's records match their copies elsewhere at another
    offset (ingest/echo_zones)."""
    stamp = parse_time_only(text)
    if stamp is None or stamp.offset is not None:
        return stamp
    return replace(stamp, utc_unless_matched=LOGS_TIME_UTC)


def on_the_day_of(outer: Stamp, inner: Stamp) -> Stamp | None:
    """A console's ``HH:MM:SS±HH:MM`` (``inner``) on the day of a supervisor's
    zone-less stamp (``outer``: ``journalctl -o short``): the console wrote the
    offset the journal's local time leaves out, so the instant is known, and
    across a DST change each line keeps its own offset.  The day is the one
    that puts the two clocks nearest (journald's stamp may be a few seconds
    later, past midnight).  None unless the two fit so."""
    if (
        outer.day is None
        or outer.clock is None
        or outer.offset is not None
        or not outer.shows_zone
        or inner.clock is None
        or inner.offset is None
    ):
        return None
    apart = seconds_of_day(inner.clock) - seconds_of_day(outer.clock)
    day = outer.day + timedelta(days=-1 if apart > MIDNIGHT_S else 1 if apart < -MIDNIGHT_S else 0)
    return Stamp(
        raw=f"{outer.raw} {inner.raw}",
        day=day,
        clock=inner.clock,
        offset=inner.offset,
        year_missing=outer.year_missing,
    )


def parse_syslog(text: str) -> Stamp | None:
    """Parse a ``Mon DD HH:MM:SS`` stamp; the year is recorded as missing."""
    m = SYSLOG_RE.match(text)
    month = month_number(m["mon"]) if m is not None else None
    if m is None or month is None:
        return None
    try:
        clock = time.fromisoformat(m["time"]).replace(microsecond=_frac_us(m["frac"]))
        # Leap-year safe placeholder; the real year is filled in by FileClock.
        day = date(2000, month, int(m["day"]))
    except ValueError:
        return None
    return Stamp(raw=m.group(0), day=day, clock=clock, year_missing=True)


def parse_full(text: str) -> Stamp | None:
    """Parse a ``Thu 2026-05-28 00:29:08 CEST`` stamp.  The zone counts as written
    only when it is a number or an unambiguous abbreviation (:data:`ABBREVIATIONS`);
    any other (IST: India, Ireland or Israel?) leaves the zone to be assumed."""
    m = FULL_RE.match(text)
    return None if m is None else _dated(m, abbreviation_offset(m["abbr"]))


def abbreviation_offset(abbr: str | None) -> timedelta | None:
    """The offset a zone abbreviation or number names; None when it is not trusted."""
    if not abbr:
        return None
    if abbr[0] in "+-":
        digits = abbr[1:].replace(":", "").ljust(4, "0")
        return parse_offset(abbr[0] + digits)
    minutes = ABBREVIATIONS.get(abbr)
    return None if minutes is None else timedelta(minutes=minutes)


def parse_runtime(text: str) -> Stamp | None:
    """A container runtime's own stamp (docker, the kubelet): RFC 3339 in UTC
    whatever zone the host or the container runs in."""
    stamp = parse_iso(text)
    return None if stamp is None else replace(stamp, shows_zone=False)


def parse_unix(text: str) -> Stamp | None:
    """Parse a ``1779921548.044123`` stamp: seconds since the epoch, an instant in UTC."""
    m = UNIX_RE.match(text)
    if m is None:
        return None
    return epoch_stamp(m.group(0), int(m["seconds"]) * 1_000_000 + _frac_us(m["frac"]))


def epoch_stamp(raw: str, micros: int) -> Stamp | None:
    """The stamp ``raw`` writes as ``micros`` microseconds since the epoch."""
    try:
        instant = datetime.fromtimestamp(0, UTC) + timedelta(microseconds=micros)
    except OverflowError:
        return None
    if not _representable(instant.date()):
        return None
    return Stamp(
        raw=raw, day=instant.date(), clock=instant.time(), offset=timedelta(0), shows_zone=False
    )


def parse_none(text: str) -> Stamp | None:
    """No wall time (``journalctl -o short-monotonic``): the inner line's stamp or none."""
    return None


def parse_any(text: str) -> Stamp | None:
    """Find a stamp at the start of free text (plain-text fallback)."""
    text = text.lstrip("[ ")
    return parse_iso(text) or parse_syslog(text) or parse_time_only(text)


FILE_DATE_RE = re.compile(r"(?<!\d)(20\d{2})-?(\d{2})-?(\d{2})(?!\d)")


def date_from_name(name: str) -> date | None:
    """The date in a file name such as ``openclaw-2026-05-27.1.log``."""
    for m in FILE_DATE_RE.finditer(name):
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            continue
    return None


#: The gateway's start-up line naming its (dated) file log, in a console.
GATEWAY_LOG_FILE_RE = re.compile(r"\[gateway\] log file: (?P<path>\S+)")
#: The first line of an ``openclaw logs`` capture.
LOGS_HEADER = "Log file: "
JOURNAL_HEADER_RE = re.compile(
    r"^-- (?:Logs begin at|Journal begins at) \w{3} (?P<date>\d{4}-\d{2}-\d{2}) "
    r"(?P<time>\d{2}:\d{2}:\d{2})(?: (?P<abbr>[A-Z]{2,5}|[+-]\d{2}(?::?\d{2})?))?"
    r"(?:, ends? at \w{3} (?P<end>\d{4}-\d{2}-\d{2}))?"
)


@dataclass(slots=True)
class FileClock:
    """Completes the partial stamps of one file, in line order.

    The date of a time-only stamp comes from the last full date seen in the
    file, else the file name, else nothing (the event stays untimed); the day
    advances when the clock runs backwards by more than 12 h.  The year of a
    syslog stamp comes from the journal header, else the file name, else the
    bundle, and advances when the month runs backwards (New Year), not when the
    clock steps back a little across it.  A context that is a
    date (header, file name, or ``bundle_year`` given as the bundle's date)
    picks the year that puts the first stamp nearest to it, so that "Dec 31"
    next to 2027-01-01 is 2026-12-31 (:func:`nearest_year`); each later one
    follows the stamp above it (:func:`following_year`).
    """

    name_date: date | None = None
    #: Where ``name_date`` came from, as assumptions name it.
    name_source: str = "file name"
    #: The bundle's year, or better its date (the day most of its dated stamps show).
    bundle_year: int | date | None = None
    header_day: date | None = None
    #: The day its last entry was written (`ends at`): the journal's lines lie
    #: between the two, whatever `--since` showed of it.
    header_end: date | None = None
    header_offset: timedelta | None = None
    header_abbr: str | None = None
    #: What showed ``header_offset``: a journal's header, or the `since` of the
    #: `systemctl status` a journal tail is printed under; and the instant it did.
    header_from: str = "the journal header"
    header_at: datetime | None = None
    _last_day: date | None = None
    _last_clock: time | None = None
    _day_source: str = ""
    _year: int | None = None
    _year_source: str = ""
    _last_yearless: datetime | None = None
    notes: set[str] = field(default_factory=set)
    # Day rollovers counted over *every* line of a time-only file by the
    # scanner (None: count them here, from the stamps this clock sees).
    rollovers_seen: int | None = None
    # The time of day of the last stamped line, carried across scan chunks.
    carry_seconds: int | None = None
    _anchor_rollovers: int = 0

    def _current_day(self, last_day: date) -> date:
        """The day the lines are at now: ``last_day`` and the midnights since."""
        shift = (self.rollovers_seen or 0) - self._anchor_rollovers
        return last_day + timedelta(days=shift)

    def see_log_file(self, line: str, midnights: int = 0) -> None:
        """Date the file from the gateway's ``log file: <dated path>`` start-up line.

        A console names its file log seconds after it starts; the scanner shows
        the clock its opening lines first, so the lines before that one (the
        banner, ``listening on … (PID n)``) are dated too, not set aside: the
        file begins ``midnights`` days before the day it names.  A later
        start's line naming another day moves the date there (the lines of
        that start just above it follow: lines._date_start)."""
        m = GATEWAY_LOG_FILE_RE.search(line)
        if m is None or (day := date_from_name(m["path"])) is None:
            return
        if self.name_date is None:
            self.name_date = day - timedelta(days=midnights)
            self.name_source = "the gateway's `log file:` line"
            return
        if self._last_day is None or day == self._current_day(self._last_day):
            return
        # A later start names the day it began on: a console that launchd or a
        # redirect appends to across weeks dates each process's lines by its
        # own start, not by rollovers counted from the first.
        self._last_day, self._last_clock = day, None
        self._anchor_rollovers = self.rollovers_seen or 0
        self._day_source = "the gateway's `log file:` line of its start"

    def new_paste(self) -> None:
        """A fence begins another paste of a thread, maybe another user's machine:
        its time-only lines take no date from the pastes above it (Z214: a
        Windows user's Ctrl+C dated by another user's journal, two months on,
        stopped that user's gateway).  The file name's date still holds."""
        self._last_day = self._last_clock = None
        self._day_source = ""
        self._anchor_rollovers = self.rollovers_seen or 0
        self.header_day = self.header_end = None
        if self.name_source != "file name":
            self.name_date, self.name_source = None, "file name"

    def see_header(self, line: str) -> bool:
        """Take year/date/zone hints from a journal header line, or the date from the
        ``Log file: <path>`` header of ``openclaw logs`` (its dated file,
        openclaw-formats §1.3); True if it was one."""
        if line.startswith(LOGS_HEADER):
            if self.name_date is None and (day := date_from_name(line)) is not None:
                self.name_date, self.name_source = day, "the `Log file:` header"
            return True
        m = JOURNAL_HEADER_RE.match(line)
        if m is None:
            return False
        header_day = date.fromisoformat(m["date"])
        if not _representable(header_day):
            return True  # a header all the same, but no date to lean on
        self.header_day = header_day
        end = date.fromisoformat(m["end"]) if m["end"] else None
        self.header_end = end if end is not None and _representable(end) else None
        offset = abbreviation_offset(m["abbr"])
        if offset is not None:
            self.header_offset, self.header_abbr = offset, m["abbr"]
            local = datetime.combine(header_day, time.fromisoformat(m["time"]))
            self.header_at = local.replace(tzinfo=timezone(offset)).astimezone(UTC)
        return True

    def complete(self, stamp: Stamp) -> tuple[datetime | None, list[str]]:
        """Return (naive-or-aware datetime, assumptions) for a stamp.

        The datetime is aware when the zone was written on the line, naive when
        it still needs a zone (see :func:`resolve_zone`), None when no date can
        be found.
        """
        notes: list[str] = []
        clock = stamp.clock or time(0)
        day = stamp.day
        if stamp.year_missing and day is not None:
            year = self._syslog_year(day.month, day.day, clock)
            if year is None:
                return None, ["year unknown"]
            notes.append(f"year {year} from {self._year_source}")
            day = day.replace(year=year)
        elif day is None:
            day = self._time_only_day(clock)
            if day is None:
                return None, ["date unknown"]
            notes.append(f"date {day.isoformat()} from {self._day_source}")
        else:
            self._last_day, self._last_clock, self._day_source = day, clock, "neighbouring stamp"
            self._anchor_rollovers = self.rollovers_seen or 0
        naive = datetime.combine(day, clock)
        if stamp.offset is not None:
            return naive.replace(tzinfo=timezone(stamp.offset)), notes
        return naive, notes

    def _time_only_day(self, clock: time) -> date | None:
        if self._last_day is None:
            base = self.name_date or self.header_day
            if base is None:
                return None
            self._last_day = base  # the date at the file's first line
            self._anchor_rollovers = 0
            self._day_source = self.name_source if self.name_date else "journal header"
        if self.rollovers_seen is not None:
            shift = self.rollovers_seen - self._anchor_rollovers
            self._last_clock = clock
            if shift:
                self._day_source = f"{self._day_source.split(' + ')[0]} + {shift} day rollover(s)"
            return self._current_day(self._last_day)
        last = self._last_clock
        if last is not None and seconds_of_day(clock) < seconds_of_day(last) - MIDNIGHT_S:
            self._last_day += timedelta(days=1)
            self._day_source += " + day rollover"
        self._last_clock = clock
        return self._last_day

    def _syslog_year(self, month: int, day: int, clock: time) -> int | None:
        if self._year is None:
            context: int | date | None
            if self.header_day is not None:
                context, self._year_source = self.header_day, "journal header"
            elif self.name_date is not None:
                context, self._year_source = self.name_date, self.name_source
            elif self.bundle_year is not None:
                context, self._year_source = self.bundle_year, "other files in the bundle"
            else:
                return None
            within = self._within_journal(month, day)
            if within is not None:
                self._year = within
            elif isinstance(context, date):
                self._year = nearest_year(month, day, context)
                if self._year != context.year:
                    self._year_source += f" ({context.isoformat()}, across New Year)"
            else:
                self._year = context
        elif self._last_yearless is not None:
            year = following_year(self._last_yearless, month, day, clock)
            if year > self._year:
                self._year_source += " + year rollover"
            elif year < self._year:
                self._year_source += " - clock stepped back over New Year"
            self._year = year
        with suppress(ValueError):  # 29 February in a year without one
            self._last_yearless = datetime.combine(date(self._year, month, day), clock)
        return self._year

    def _within_journal(self, month: int, day: int) -> int | None:
        """The first year in which ``month``/``day`` lies between the journal's
        first and last entries (a day's slack each side, for the zone), when the
        header names both: a journal kept since November shows `Jun 18` of the
        next year, not the June before it began (Z201: a year early)."""
        first, last = self.header_day, self.header_end
        if first is None or last is None:
            return None
        for year in range(first.year, last.year + 1):
            with suppress(ValueError):  # 29 February in a year without one
                if first - timedelta(days=1) <= date(year, month, day) <= last + timedelta(days=1):
                    return year
        return None


def nearest_year(month: int, day: int, context: date) -> int:
    """The year that puts ``month``/``day`` nearest to ``context`` (the year before,
    the same or the next): ``Dec 31`` next to 2027-01-01 is in 2026."""
    best: tuple[int, int] | None = None
    for year in (context.year - 1, context.year, context.year + 1):
        try:
            distance = abs((date(year, month, day) - context).days)
        except ValueError:  # Feb 29 outside a leap year
            continue
        if best is None or distance < best[0]:
            best = (distance, year)
    return context.year if best is None else best[1]


#: How far a year-less stamp may fall before the one above it and still be read
#: as the clock stepping back (NTP, a DST fall-back), not as a year later.
STEP_BACK = timedelta(days=1)


def following_year(previous: datetime, month: int, day: int, clock: time) -> int:
    """The year of a year-less stamp on the line after ``previous`` (naive): the
    one that puts it nearest after ``previous`` (a log runs forward: ``Mar``
    then ``Nov`` is the same year, ``Dec 31`` then ``Jan 01`` the next), or
    less than STEP_BACK before it (``Jan 01 00:00:25`` then a clock step to
    ``Dec 31 23:59:45`` is 40 s back, not a year on)."""
    best: tuple[timedelta, int] | None = None
    for year in (previous.year - 1, previous.year, previous.year + 1):
        try:
            delta = datetime.combine(date(year, month, day), clock) - previous
        except ValueError:  # 29 February in a year without one
            continue
        if delta >= -STEP_BACK and (best is None or abs(delta) < best[0]):
            best = (abs(delta), year)
    return previous.year if best is None else best[1]


def seconds_of_day(clock: time) -> int:
    """Whole seconds since midnight."""
    return clock.hour * 3600 + clock.minute * 60 + clock.second


@dataclass(frozen=True, slots=True)
class ZoneChoice:
    """The zone given to zone-less stamps, and why."""

    tz: tzinfo
    label: str
    reason: str


#: Longer than any IANA name (the longest is 32 characters).
MAX_ZONE_NAME = 64


def zone_from_option(name: str) -> ZoneChoice:
    """Interpret ``--tz``: an IANA name, ``UTC`` or a fixed ``±HH:MM`` offset."""
    if len(name) > MAX_ZONE_NAME:
        # ZoneInfo would try it as a file name and fail with ENAMETOOLONG.
        raise ValueError(f"--tz: not a time zone (a name of {len(name):,} characters)")
    offset = parse_offset(name) if re.fullmatch(r"[+-]\d{2}:?\d{2}", name) else None
    if offset is not None:
        if abs(offset) >= timedelta(hours=24):
            raise ValueError(f"--tz: offset {name!r} is a day or more")
        return ZoneChoice(timezone(offset), name, "--tz")
    try:
        return ZoneChoice(ZoneInfo(name), name, "--tz")
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def zone_from_offset(offset: timedelta, reason: str) -> ZoneChoice:
    """A fixed-offset zone (no DST knowledge), labelled ``+HH:MM``."""
    return ZoneChoice(timezone(offset), format_offset(offset), reason)


#: A time-of-day stamp, its fraction and its offset when written (`23:41:17-04:00`).
_CLOCK_ONLY = re.compile(
    r"^(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})(?:\.(?P<f>\d{1,9}))?"
    r"(?:(?P<z>Z)|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2}))?$"
)


def clock_of(raw: object) -> tuple[time, timedelta | None] | None:
    """A time-only stamp's time of day, and its offset when it wrote one."""
    m = _CLOCK_ONLY.match(raw) if isinstance(raw, str) else None
    if m is None:
        return None
    try:
        clock = time(int(m["h"]), int(m["m"]), int(m["s"]), int((m["f"] or "0")[:6].ljust(6, "0")))
    except ValueError:
        return None
    if m["z"]:
        return clock, timedelta(0)
    if m["sign"]:
        sign = -1 if m["sign"] == "-" else 1
        return clock, sign * timedelta(hours=int(m["oh"]), minutes=int(m["om"]))
    return clock, None


def format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


UTC_CHOICE = ZoneChoice(UTC, "UTC", "no zone evidence in the bundle")


@dataclass(slots=True)
class LocalTimes:
    """Zone-less stamps of one file, in file order → UTC, honest about DST.

    * A local time that never existed (the hour skipped when clocks go
      forward, 02:30 on 2026-03-08 in America/New_York) is read with the
      offset before the gap, and flagged.
    * A local time that existed twice (01:xx on 2026-11-01) is taken as the
      first pass until the clock runs backwards (by more than a minute)
      inside the repeated hour;
      from then on it is the second pass.  Repeated-hour lines thus keep
      their file order; both readings are flagged.  A line whose record
      another input holds stamped (``twins``: their instants) is read on the
      side its copy is, and the lines after it follow: a journal tail that
      `systemctl status` printed holds a few lines and no step back to see.
    """

    zone: ZoneChoice | None
    _last: datetime | None = None
    _second_pass: bool = False

    def to_utc(
        self, value: datetime, twins: Callable[[], Sequence[datetime]] | None = None
    ) -> tuple[datetime, str | None]:
        if value.tzinfo is not None:
            return value.astimezone(UTC), None
        chosen = self.zone or UTC_CHOICE
        note = f"zone {chosen.label} from {chosen.reason}"
        first = value.replace(tzinfo=chosen.tz, fold=0)
        second = value.replace(tzinfo=chosen.tz, fold=1)
        if first.utcoffset() == second.utcoffset():
            self._last, self._second_pass = None, False
            return first.astimezone(UTC), note
        if _exists(first):
            if self._last is not None and value < self._last - _JITTER:
                self._second_pass = True
            self._last = value
            by = "file order"
            copies = twins() if twins is not None else ()
            copied = [p for p in (first, second) if any(abs(p - t) <= _TWIN for t in copies)]
            if len(copied) == 1:
                self._second_pass, by = copied[0] is second, "its stamped copy in another input"
            pick = second if self._second_pass else first
            which = "second" if self._second_pass else "first"
            return pick.astimezone(UTC), (
                f"{note}; ambiguous local time (the repeated hour in {chosen.label}), "
                f"taken as its {which} pass ({pick.tzname()}) by {by}"
            )
        self._last, self._second_pass = None, False
        # fold=0 reads a skipped time with the offset in force before the gap.
        return first.astimezone(UTC), (
            f"{note}; nonexistent local time (skipped when {chosen.label} clocks went "
            f"forward), read with the earlier offset ({first.tzname()})"
        )


# Concurrent writers put lines a little out of order; only a step back longer
# than this inside the repeated hour means the clocks went back.
_JITTER = timedelta(minutes=1)
# A zone-less copy of a record and its stamped one: the journal's second
# against the log's millisecond, and the moment between writing the two.
_TWIN = timedelta(seconds=2)


def _exists(aware: datetime) -> bool:
    """The wall time survives a round trip through UTC (it is not in a DST gap)."""
    back = aware.astimezone(UTC).astimezone(aware.tzinfo)
    return back.replace(tzinfo=None, fold=0) == aware.replace(tzinfo=None, fold=0)
