"""Honest time: year inference across New Year, DST gaps and repeated hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from lockforensics.parsing.timestamps import (
    FileClock,
    LocalTimes,
    nearest_year,
    parse_syslog,
    zone_from_option,
)
from tests.conftest import ingest_files

NEW_YORK = zone_from_option("America/New_York")
SYSLOG_TAKEOVER = (
    "{stamp} gw node[4242]: [diagnostic] session file changed while embedded prompt lock "
    "was released: /d/.openclaw/agents/main/sessions/2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl\n"
)


def _complete(clock: FileClock, text: str) -> datetime | None:
    stamp = parse_syslog(text)
    assert stamp is not None
    value, _notes = clock.complete(stamp)
    return value


def test_nearest_year_crosses_new_year_both_ways() -> None:
    """Dec 31 next to Jan 1 is the year before; Jan 1 next to Dec 31 is the year after."""
    assert nearest_year(12, 31, date(2027, 1, 1)) == 2026
    assert nearest_year(1, 1, date(2026, 12, 31)) == 2027
    assert nearest_year(6, 15, date(2026, 6, 1)) == 2026


def test_nearest_year_skips_a_missing_leap_day() -> None:
    """Feb 29 is placed only in a leap year near the context."""
    assert nearest_year(2, 29, date(2027, 3, 1)) == 2028


def test_bundle_date_puts_dec_31_in_the_previous_year() -> None:
    """With only a 2027-01-01 date for context, syslog "Dec 31" is 2026-12-31, said so."""
    clock = FileClock(bundle_year=date(2027, 1, 1))
    stamp = parse_syslog("Dec 31 23:59:58 gw x")
    assert stamp is not None
    value, notes = clock.complete(stamp)
    assert value == datetime(2026, 12, 31, 23, 59, 58)
    assert any("across New Year" in n for n in notes)


def test_rollover_after_a_previous_year_start() -> None:
    """Dec 31 then Jan 1 in one file: the year advances from the inferred one."""
    clock = FileClock(bundle_year=date(2027, 1, 1))
    assert _complete(clock, "Dec 31 23:59:58 gw x") == datetime(2026, 12, 31, 23, 59, 58)
    assert _complete(clock, "Jan  1 00:00:03 gw x") == datetime(2027, 1, 1, 0, 0, 3)


def test_bundle_year_as_a_number_keeps_working() -> None:
    """A bare year (no date) is still used as the year, as before."""
    assert _complete(FileClock(bundle_year=2026), "May 28 04:22:00 x") == datetime(
        2026, 5, 28, 4, 22
    )


def test_rotated_file_named_for_new_year_holds_last_years_lines() -> None:
    """`messages-2027-01-01` holding "Dec 31" lines: the takeover is dated 2026-12-31 UTC."""
    result = ingest_files(
        {"messages-2027-01-01": SYSLOG_TAKEOVER.format(stamp="Dec 31 23:59:58")}, tz="UTC"
    )
    takeovers = result.events.filter(kind="takeover")
    assert takeovers.height >= 1
    assert takeovers["ts"][0] == datetime(2026, 12, 31, 23, 59, 58, tzinfo=UTC)


def test_nonexistent_local_time_is_flagged() -> None:
    """02:30 on 2026-03-08 in New York never happened: read with EST, and flagged."""
    value, note = LocalTimes(NEW_YORK).to_utc(datetime(2026, 3, 8, 2, 30))
    assert value == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert note is not None
    assert "nonexistent local time" in note


def test_ambiguous_local_time_is_flagged() -> None:
    """01:30 on 2026-11-01 in New York happened twice: flagged, first pass (EDT) alone."""
    value, note = LocalTimes(NEW_YORK).to_utc(datetime(2026, 11, 1, 1, 30))
    assert value == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert note is not None
    assert "ambiguous local time" in note
    assert "EDT" in note


def test_repeated_hour_keeps_file_order() -> None:
    """01:10, 01:50, then 01:05 and 01:40 after clocks go back: UTC follows file order."""
    reader = LocalTimes(NEW_YORK)
    clocks = [time(0, 55), time(1, 10), time(1, 50), time(1, 5), time(1, 40), time(1, 59)]
    utc = [reader.to_utc(datetime.combine(date(2026, 11, 1), c))[0] for c in clocks]
    assert utc == sorted(utc)
    assert utc[3] == datetime(2026, 11, 1, 6, 5, tzinfo=UTC)  # 01:05 EST


def test_small_step_back_in_the_repeated_hour_is_jitter() -> None:
    """Lines a few seconds out of order stay in the first pass (EDT)."""
    reader = LocalTimes(NEW_YORK)
    day = date(2026, 11, 1)
    reader.to_utc(datetime.combine(day, time(1, 10, 5)))
    value, note = reader.to_utc(datetime.combine(day, time(1, 10, 2)))
    assert value == datetime(2026, 11, 1, 5, 10, 2, tzinfo=UTC)
    assert note is not None
    assert "first pass" in note


def test_fixed_offsets_carry_no_dst_note() -> None:
    """A fixed offset has no gaps or repeats: only the zone assumption is noted."""
    value, note = LocalTimes(zone_from_option("-05:00")).to_utc(datetime(2026, 11, 1, 1, 30))
    assert value == datetime(2026, 11, 1, 6, 30, tzinfo=UTC)
    assert note == "zone -05:00 from --tz"


def test_a_zoned_stamp_counts_once_as_zone_evidence() -> None:
    """An event line among a file's first lines is counted by its reader, not again
    as opening evidence: the report's "N of M zoned stamps" counts stamps."""
    text = (
        "2026-05-28T06:20:01.100+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 4821)\n"
        "2026-05-28T06:20:02.100+02:00 [gateway] a line no signature reads\n"
        "2026-05-28T06:20:03.100+02:00 [diagnostic] lane wait exceeded: lane=main waitedMs=3000 queueAhead=1\n"
    )
    result = ingest_files({"console.log": text})
    scan = result.files[0]
    assert scan.event_lines == 2
    assert dict(scan.offsets) == {"+02:00": 3}
    assert dict(scan.years) == {2026: 3}


def test_the_log_file_header_of_openclaw_logs_dates_its_time_only_lines() -> None:
    """`openclaw logs` in a terminal prints `HH:MM:SS level subsystem message` under a
    `Log file: <path>` header naming the dated file (openclaw-formats §1.3): its date
    dates the lines (they were all untimed), and the assumption says where it came from."""
    capture = (
        "Log file: /tmp/openclaw/openclaw-2026-11-01.log\n"
        "08:52:10 error diagnostic lane task error: lane=nested durationMs=60018 "
        'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=52877 '
        "alive=true ageMs=61002 /Users/dana/.openclaw/agents/ops/sessions/"
        '5e0c9a77-2b1d-4f7e-8a61-0d3c4b9e2f18.jsonl.lock"\n'
    )
    events = ingest_files({"follow.txt": capture}).events
    assert events.select("ts").item().isoformat() == "2026-11-01T08:52:10+00:00"
    assert (
        events.select("ts_assumption")
        .item()
        .startswith("date 2026-11-01 from the `Log file:` header")
    )


def test_a_console_is_dated_by_its_gateways_log_file_line_from_its_first_line() -> None:
    """A pretty console (time-only stamps) names its dated file log a second after
    `listening on … (PID n)`: that start line is dated too, not set aside untimed
    (which left the gateway's pid unknown and its uptime a lower bound)."""
    console = (
        "21:58:02-07:00 [gateway] listening on ws://127.0.0.1:18789 (PID 41210)\n"
        "21:58:02-07:00 [gateway] log file: /tmp/openclaw/openclaw-2026-10-31.log\n"
    )
    events = ingest_files({"gateway.log": console}).events
    assert events.select("ts", "gateway_pid").rows()[0] == (
        datetime(2026, 11, 1, 4, 58, 2, tzinfo=UTC),
        41210,
    )
