"""The per-line reader: one candidate line through envelope, signatures and clock.

This is the reference path: every candidate line can be read here, and the
vectorised chunk engine (:mod:`lockforensics.parsing.vector`) must produce
exactly the rows it would (tests/test_engine_equivalence.py).  In normal runs
it reads only what the engine leaves: lock errors, wrappers around them,
lifecycle lines, time-only and syslog stamps, and anything unusual.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from lockforensics.parsing.envelopes import (
    PLAIN,
    EnvelopeCatalog,
    EnvelopeSpec,
    Record,
    parse_any_envelope,
)
from lockforensics.parsing.fields import derive
from lockforensics.parsing.filescan import FileScan
from lockforensics.parsing.signatures import Catalog
from lockforensics.parsing.timestamps import FileClock, Stamp, clock_of
from lockforensics.schema import LOCK_KINDS, TimeQuality


class LineReader:
    """Reads single lines with one signature catalog and lock vocabulary."""

    def __init__(self, catalog: Catalog, envelopes: EnvelopeCatalog) -> None:
        self.catalog = catalog
        self.envelopes = envelopes
        self.relevant_re = re.compile(envelopes.unclassified)
        self.timed_above = frozenset(r.id for r in catalog.rules if r.time_from)

    def candidate(
        self,
        line_no: int,
        text: str,
        fit: bool,
        env: EnvelopeSpec,
        clock: FileClock,
        result: FileScan,
        span: int = 1,
    ) -> None:
        """Account one candidate record (``span`` lines joined, numbered by the
        first): an event, known noise or unrecognised."""
        if clock.see_header(text):
            result.noise_lines += span
            return
        if self.emit(line_no, text, env, clock, result, span):
            result.event_lines += span
            return
        if fit and not cut_short(text):
            result.noise_lines += span
        else:
            result.unrecognized_line(line_no, text, span)
        if self.relevant_re.search(text):
            result.relevant_line(line_no, text)

    def emit(
        self,
        line_no: int,
        text: str,
        env: EnvelopeSpec,
        clock: FileClock,
        result: FileScan,
        span: int = 1,
    ) -> bool:
        """Parse one record (``span`` lines from ``line_no``) and add a row per hit;
        False when no signature matched."""
        record, envelope = parse_line(env, text, self.envelopes)
        hits = self.catalog.match(record.message, record.meta, record.subsystem)
        if not hits or (envelope is PLAIN and self._quoted_in_prose(record.message)):
            return False
        for hit in hits:
            if hit.signature == "gateway-log-file":
                clock.see_log_file(f"[gateway] {record.message}")
        when = _utc_era(stamp_row(record, clock, result), record.stamp, envelope)
        if record.stamp is not None and any(h.signature == "gateway-log-file" for h in hits):
            _date_start(result, line_no, record.stamp.raw, when)
        above = result.above.pop(line_no, None)
        around = result.around.pop(line_no, None)
        if around is not None and record.stamp is None:
            when = {**when, **self._times_around(around, env, clock)}
        if record.stamp is None and any(h.signature in self.timed_above for h in hits):
            # `-- Boot … --` first in a capture opens its first boot: no boot
            # before it is in view, so nothing ended there.
            timed = self._time_above(above, env, clock, result) if above else None
            if timed is None:
                return False
            when = timed
        failure = any(hit.kind in LOCK_KINDS for hit in hits)
        if failure and envelope is PLAIN:
            when = _echo_time(when, line_no, result)
        if failure and (when.get("ts") is not None or "_local" in when):
            result.failure_above = (line_no + span, when)
        for index, hit in enumerate(hits):
            row = derive(dict(hit.fields))
            row.update(when)
            row.update(
                kind=hit.kind,
                signature=hit.signature,
                level=record.level,
                subsystem=record.subsystem,
                host=row.get("host") or record.host,
                gateway_pid=row.get("gateway_pid") or record.gateway_pid,
                message=record.message,
                envelope=envelope.name,
                channel=envelope.channel,
                echo_role=hit.role,
                source=result.source,
                line=line_no,
                hit=index,
                raw=text,
            )
            result.rows.append(row)
        return True

    def _times_around(
        self,
        around: tuple[str | None, str | None],
        env: EnvelopeSpec,
        clock: FileClock,
    ) -> dict[str, datetime]:
        """The instants of the lines above and below an unstamped line (``_above_ts``,
        ``_below_ts``), where they have one: ingest/release_times.py bounds it by them."""
        found = {}
        for key, text in zip(("_above_ts", "_below_ts"), around, strict=True):
            record = parse_line(env, text, self.envelopes)[0] if text else None
            # Its instant alone, where its stamp shows a zone: the line is read
            # in its own turn, where its stamp counts as zone evidence once.
            value = clock.complete(record.stamp)[0] if record and record.stamp else None
            if value is not None and value.tzinfo is not None:
                found[key] = value.astimezone(UTC)
        return found

    def _time_above(
        self, above: str, env: EnvelopeSpec, clock: FileClock, result: FileScan
    ) -> dict[str, Any] | None:
        """The time columns of the line above, as an assumed time: a line that
        writes none (journalctl's `-- Boot … --`) came after it, and the line
        above is the last sign of what came before."""
        record = parse_line(env, above, self.envelopes)[0]
        if record.stamp is None:
            return None
        when = stamp_row(record, clock, result)
        notes = [when.get("ts_assumption"), "time of the last line above it"]
        return {
            **when,
            "ts_quality": TimeQuality.ASSUMED.value,
            "ts_assumption": "; ".join(n for n in notes if n),
        }

    def _quoted_in_prose(self, message: str) -> bool:
        """Notes that name a lock wording in Markdown code (``saw `session file
        lock stale (hold-exceeded)` again``) or in quotation marks (``users get
        "session file locked (timeout 10000ms)" replies``) quote it: OpenClaw
        writes none of them in backticks, and quotes an error only as a field's
        value (``error="…"``).  A whole log line pasted in either keeps its
        clock, and is read (Z239: a note's sentence was a lock error)."""
        spans = [*INLINE_CODE_RE.findall(message), *PROSE_QUOTE_RE.findall(message)]
        return any(self.relevant_re.search(span) and not CLOCK_RE.search(span) for span in spans)


#: A Markdown code span, a span in quotation marks opened where a word would
#: begin (not a field's ``="…"``), and a time of day, which a pasted log line
#: has and a wording quoted in prose does not.
INLINE_CODE_RE = re.compile(r"`([^`]+)`")
PROSE_QUOTE_RE = re.compile(r'(?:^|(?<=\s))["“]([^"”]+)["”]')
CLOCK_RE = re.compile(r"\d{1,2}:\d{2}:\d{2}")


def parse_line(
    env: EnvelopeSpec, line: str, catalog: EnvelopeCatalog
) -> tuple[Record, EnvelopeSpec]:
    """The record a line holds and its envelope: ``env``, else whatever envelope
    of ``catalog`` it fits (plain text at the least)."""
    record = env.parse(line) if env is not PLAIN else None
    return (record, env) if record is not None else parse_any_envelope(line, catalog)


def _utc_era(when: dict[str, Any], stamp: Stamp | None, envelope: EnvelopeSpec) -> dict[str, Any]:
    """A bare clock dated before its envelope's ``utc_clock_until``: UTC, as that
    era printed it, not the host's zone."""
    local, until = when.get("_local"), envelope.utc_clock_until
    if not isinstance(local, datetime) or until is None or stamp is None or stamp.day is not None:
        return when
    if local.date() >= date.fromisoformat(until):
        return when
    note = f"UTC, as consoles before {until[:7]} printed a bare HH:MM:SS"
    rest = {k: v for k, v in when.items() if k != "_local"}
    notes = [rest.get("ts_assumption"), note]
    return {
        **rest,
        "ts": local.replace(tzinfo=UTC),
        "ts_assumption": "; ".join(n for n in notes if n),
    }


#: How far above its `log file:` line a start writes its other lines (the
#: banner, `listening on … (PID n)`).
_START_LINES = 20


def _date_start(result: FileScan, line_no: int, raw: str, when: dict[str, Any]) -> None:
    """The time-only rows a start wrote just above its `log file:` line (its
    `starting...`, its banner; a Ctrl+C just before a restart), up to
    ``_BOOT`` before it: dated as that line is, the day before where their
    time of day is later.  A console launchd appends every process to names
    no date: a start the next morning, earlier in the day than the last, had
    its `starting...` on the last start's day, a phantom process (Z223); a
    paste's first lines no date reached at all (FileClock.new_paste, Z214)."""
    at = clock_of(raw)
    if at is None or (when.get("ts") is None and "_local" not in when):
        return
    for row in reversed(result.rows):
        if row["line"] < line_no - _START_LINES:
            break
        mine = clock_of(row.get("ts_raw"))
        if mine is None or mine[1] != at[1]:
            continue
        shift = datetime.combine(date.min, mine[0]) - datetime.combine(date.min, at[0])
        if shift > timedelta(0):
            shift -= timedelta(days=1)  # above it, later in the day: the day before
        if shift < -_BOOT:
            break  # the lines of what ran before this start
        row.pop("_local", None)
        raw_row = row.get("ts_raw")
        row.update({k: v + shift if isinstance(v, datetime) else v for k, v in when.items()})
        row["ts_raw"] = raw_row
        local = row.get("_local") or row["ts"].astimezone(timezone(mine[1] or timedelta(0)))
        row["ts_assumption"] = (
            f"date {local.date().isoformat()} from the gateway's `log file:` line of its start"
        )


#: How long before its `log file:` line a start writes its first lines.
_BOOT = timedelta(minutes=2)


def cut_short(text: str) -> bool:
    """A JSON record that does not close: a write cut it short (a full disk, a
    truncated gzip).  What it held cannot be read, so it is no known noise."""
    return text.startswith("{") and not text.rstrip().endswith("}")


def bound_row(stamp: Stamp, clock: FileClock, envelope: EnvelopeSpec) -> dict[str, Any]:
    """A line's time in row shape (zone-less values are completed by the pipeline)."""
    value, notes = clock.complete(stamp)
    if value is None and stamp.year_missing:
        return {"ts": None, "_yearless": stamp}  # the pipeline gives it the bundle's year
    if value is None:
        return {"ts": None}
    if value.tzinfo is not None:
        return {"ts": value.astimezone(UTC)}
    when = {
        "ts": None,
        "_local": value,
        **_utc_mark(stamp),
        "ts_assumption": "; ".join(notes) or None,
    }
    return _utc_era(when, stamp, envelope)


def _echo_time(when: dict[str, Any], line_no: int, result: FileScan) -> dict[str, Any]:
    """A bare failure (a line that fits no envelope: no stamp, no prefix) on the
    line right under a timed one takes its time.

    A console prints `Embedded agent failed before reply: …` and the error's own
    `Error: …` line without the stamp its lane lines carry, at the same moment
    (openclaw-formats §1.4): left untimed, each would count as a failure of its
    own, since only timed lines fold into one occurrence.  A line whose stamp
    is there but unusable (year 9999) stays untimed."""
    above = result.failure_above
    if when.get("ts_quality") != TimeQuality.UNTIMED.value or when.get("ts_raw") is not None:
        return when
    if above is None or above[0] != line_no:
        return when
    inherited = dict(above[1], ts_raw=None, ts_quality=TimeQuality.ASSUMED.value)
    notes = [inherited.get("ts_assumption"), "time of the failure logged on the line above"]
    inherited["ts_assumption"] = "; ".join(n for n in notes if n)
    return inherited


def stamp_row(record: Record, clock: FileClock, result: FileScan) -> dict[str, Any]:
    """The time columns of an event line; zone evidence is counted as it is seen."""
    stamp = record.stamp
    if stamp is None:
        return {"ts": None, "ts_raw": None, "ts_quality": TimeQuality.UNTIMED.value}
    value, notes = clock.complete(stamp)
    if value is None and stamp.year_missing:
        # A syslog stamp with no year in its own file: the pipeline gives it the
        # bundle's year once every file has been read (no second read of the file).
        return {
            "ts": None,
            "_yearless": stamp,
            "ts_raw": stamp.raw,
            "ts_quality": TimeQuality.ASSUMED.value,
        }
    if value is None:
        return {
            "ts": None,
            "ts_raw": stamp.raw,
            "ts_quality": TimeQuality.UNTIMED.value,
            "ts_assumption": "; ".join(notes),
        }
    if value.tzinfo is not None:
        result.saw_stamp(stamp, value)
        return {
            "ts": value.astimezone(UTC),
            "ts_raw": stamp.raw,
            "ts_quality": (TimeQuality.ASSUMED if notes else TimeQuality.EXPLICIT).value,
            "ts_assumption": "; ".join(notes) or None,
        }
    # Zone-less: resolved once the whole bundle has been seen (pipeline).
    return {
        "ts": None,
        "_local": value,
        **_utc_mark(stamp),
        "ts_raw": stamp.raw,
        "ts_quality": TimeQuality.ASSUMED.value,
        "ts_assumption": "; ".join(notes) or None,
    }


def _utc_mark(stamp: Stamp) -> dict[str, Any]:
    """``_utc``: why the pipeline reads this zone-less time in UTC, unless its
    input's records matched their copies at another offset."""
    return {"_utc": stamp.utc_unless_matched} if stamp.utc_unless_matched else {}
