"""Honest time: year inference across New Year, DST gaps and repeated hours."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lockforensics.findings import Settings
from lockforensics.ingest.zone_rules import named_zone
from lockforensics.parsing.documents.timing import stamp_line
from lockforensics.parsing.timestamps import (
    STEP_BACK,
    FileClock,
    LocalTimes,
    following_year,
    format_offset,
    nearest_year,
    parse_syslog,
    zone_from_option,
)
from lockforensics.pipeline import analyze
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


def test_a_clock_stepped_back_over_new_year_stays_in_its_year() -> None:
    """New Year, then an NTP step 40 s back across it, then New Year again: the
    stamps after the step are 2026-12-31, not a year on (and not two)."""
    clock = FileClock(bundle_year=date(2026, 12, 31))
    lines = ("Dec 31 23:59:58", "Jan  1 00:00:25", "Dec 31 23:59:45", "Jan  1 00:00:03")
    years = [_complete(clock, f"{stamp} gw x") for stamp in lines]
    assert [y.year if y else None for y in years] == [2026, 2027, 2026, 2027]


def test_a_journal_stepped_back_over_new_year_keeps_one_year() -> None:
    """The same step in a headerless journal, dated by another file: every
    takeover is on 2026-12-31 UTC (the year-less pass in the pipeline)."""
    stamps = ("Dec 31 23:59:58", "Jan 01 00:00:25", "Dec 31 23:59:45", "Dec 31 23:59:59")
    journal = "".join(SYSLOG_TAKEOVER.format(stamp=s) for s in stamps)
    other = SYSLOG_TAKEOVER.format(stamp="2026-12-31T23:00:00+0000")
    result = ingest_files({"journal.txt": journal, "iso.txt": other}, tz="UTC")
    takeovers = result.events.filter(kind="takeover", source="journal.txt").sort("line")
    days = takeovers.get_column("ts").dt.date().to_list()
    assert days == [date(2026, 12, 31), date(2027, 1, 1), date(2026, 12, 31), date(2026, 12, 31)]


@given(
    previous=st.datetimes(min_value=datetime(2001, 1, 1), max_value=datetime(2098, 12, 31)),
    step=st.timedeltas(min_value=-STEP_BACK, max_value=timedelta(days=300)),
)
@example(previous=datetime(2027, 1, 1, 0, 0, 25), step=timedelta(seconds=-40))
@example(previous=datetime(2026, 12, 31, 23, 59, 58), step=timedelta(seconds=5))
def test_following_year_recovers_any_forward_or_small_backward_step(
    previous: datetime, step: timedelta
) -> None:
    """A stamp less than a year on, or less than STEP_BACK back, gets its own year back."""
    when = previous + step
    if when.month == 2 and when.day == 29:
        return  # a leap day may have no year near; not this rule's to settle
    assert following_year(previous, when.month, when.day, when.time()) == when.year


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


def _syslog_lock(stamp: str, session: str) -> str:
    return (
        f"{stamp} gw node[4242]: [diagnostic] session file locked (timeout 10000ms): pid=4242 "
        f"/d/.openclaw/agents/main/sessions/{session}.jsonl.lock\n"
    )


# A Berlin host's file log, stamped with its offsets: +01:00 before clocks went
# forward on 2026-03-29 (01:00 UTC), +02:00 after.
BERLIN_FILE_LOG = (
    "2026-03-27T10:00:00.000+01:00 [gateway] a line no signature reads\n"
    "2026-03-30T10:00:00.000+02:00 [gateway] a line no signature reads\n"
    "2026-03-30T11:00:00.000+02:00 [gateway] a line no signature reads\n"
)
BERLIN_JOURNAL = _syslog_lock(
    "Mar 28 12:00:00", "2bc0117f-8cd0-43a6-a382-1b4ebc062f6d"
) + _syslog_lock("Mar 30 12:00:00", "3cd1228f-8cd0-43a6-a382-1b4ebc062f6d")


def test_a_zone_less_journal_across_a_dst_change_is_read_in_the_zone_the_offsets_show() -> None:
    """Two offsets in the bundle, each over its span of instants, are a zone with DST
    rules (here one that changes like Europe/Berlin's): the zone-less journal's lines
    on each side of the change are read with the offset in force then, not both with
    the bundle's most common one (an hour off on one side)."""
    result = ingest_files({"openclaw.log": BERLIN_FILE_LOG, "journal.txt": BERLIN_JOURNAL})
    assert result.zone is not None
    assert result.zone.label.startswith("Europe/")
    times = result.events.filter(pl.col("kind") == "lock_timeout").get_column("ts").to_list()
    assert [t.isoformat() for t in times] == [
        "2026-03-28T11:00:00+00:00",  # 12:00 CET
        "2026-03-30T10:00:00+00:00",  # 12:00 CEST
    ]
    assert "zones with these rules" in result.zone.reason
    assert "+01:00 2026-03-27 09:00" in result.zone.reason


def _tslog(zoned: str, message: str) -> str:
    """A file-log record written at local ``zoned`` (``…+02:00``)."""
    instant = datetime.fromisoformat(zoned).astimezone(UTC).isoformat(timespec="milliseconds")
    meta = {"name": '{"subsystem":"diagnostic"}', "logLevelName": "ERROR", "date": instant}
    record = {"0": '{"subsystem":"diagnostic"}', "1": message, "_meta": meta, "time": zoned}
    return json.dumps(record) + "\n"


def test_a_journal_matched_to_one_side_of_the_change_still_takes_the_zone() -> None:
    """A journal whose records match the file log's at +02:00 only (its copies of the
    summer lines) was written in the host's zone, not at a fixed +02:00: its winter
    line is read at +01:00, and its summer copies still fold into the file log's."""
    summer = [f"{n}cd1228f-8cd0-43a6-a382-1b4ebc062f6d" for n in range(3)]
    locked = (
        "session file locked (timeout 10000ms): pid=4242 /d/.openclaw/agents/main/sessions/"
        "{}.jsonl.lock"
    )
    file_log = _tslog("2026-03-27T10:00:00.000+01:00", "a line no signature reads") + "".join(
        _tslog(f"2026-03-30T12:0{n}:00.000+02:00", locked.format(session))
        for n, session in enumerate(summer)
    )
    journal = _syslog_lock("Mar 28 12:00:00", "2bc0117f-8cd0-43a6-a382-1b4ebc062f6d") + "".join(
        _syslog_lock(f"Mar 30 12:0{n}:00", session) for n, session in enumerate(summer)
    )
    result = ingest_files({"openclaw.log": file_log, "journal.txt": journal})
    winter = result.events.filter(pl.col("session_id") == "2bc0117f-8cd0-43a6-a382-1b4ebc062f6d")
    assert winter.get_column("ts").item().isoformat() == "2026-03-28T11:00:00+00:00"
    assert result.occurrence_counts()["lock_timeout"] == 4


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_the_zone_named_is_the_rule_most_places_share_and_never_an_alias() -> None:
    """US Eastern stamps up to a day before and after 2026-03-08 fit New York and
    Havana alike (Cuba changes at local midnight, the US at 02:00): the rule many
    zones share is named, by the name the zone tables give it, not
    America/Detroit; Pacific stamps are America/Los_Angeles, not the alias
    America/Ensenada that sorts first."""
    eastern = named_zone(
        {
            "-05:00": (_at("2026-03-01T04:58"), _at("2026-03-08T01:58")),
            "-04:00": (_at("2026-03-09T09:03"), _at("2026-03-10T09:50")),
        }
    )
    assert eastern is not None
    assert eastern.label == "America/New_York"
    assert "1 other zone(s) fit but change at other times" in eastern.reason
    pacific = named_zone(
        {
            "-07:00": (_at("2026-11-01T04:58"), _at("2026-11-01T08:58")),
            "-08:00": (_at("2026-11-01T09:03"), _at("2026-11-01T09:50")),
        }
    )
    assert pacific is not None
    assert pacific.label == "America/Los_Angeles"


def test_one_offset_names_no_zone() -> None:
    """A bundle that shows one offset shows no rules: zone-less stamps take that
    fixed offset, as before (a named zone would be a guess)."""
    result = ingest_files(
        {
            "openclaw.log": BERLIN_FILE_LOG.splitlines(keepends=True)[1],
            "journal.txt": BERLIN_JOURNAL,
        }
    )
    assert result.zone is not None
    assert result.zone.label == "+02:00"


DST_ZONES = (
    "Europe/Berlin",
    "Europe/London",
    "America/New_York",
    "America/Santiago",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Australia/Lord_Howe",  # a half-hour change
)


def _changes(name: str) -> list[datetime]:
    """The instants in 2026 at which zone ``name`` changes its offset (to the hour)."""
    zone = ZoneInfo(name)
    hours = [datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=h) for h in range(365 * 24)]
    return [
        b
        for a, b in itertools.pairwise(hours)
        if a.astimezone(zone).utcoffset() != b.astimezone(zone).utcoffset()
    ]


@settings(max_examples=80, deadline=None)
# Two winters around a one-stamp summer: Cuba fits their ends, but changes at
# 05:00 UTC, two hours before the stamp at 06:59:59 still written -05:00.
@example(name="America/New_York", picks=[(0, 0), (0, -1), (0, -7201), (1, 0)])
@given(
    name=st.sampled_from(DST_ZONES),
    picks=st.lists(
        st.tuples(st.integers(0, 1), st.integers(-4 * 3600, 4 * 3600)), min_size=2, max_size=12
    ),
)
def test_the_named_zone_gives_every_stamp_its_own_offset(
    name: str, picks: list[tuple[int, int]]
) -> None:
    """Stamps written in a zone with DST, within hours of its changes: when they show
    two offsets, the zone named gives each of them the offset it was written with;
    with one offset, none is named."""
    changes = _changes(name)
    moments = [changes[i % len(changes)] + timedelta(seconds=s) for i, s in picks]
    zone = ZoneInfo(name)
    instants = moments
    spans: dict[str, tuple[datetime, datetime]] = {}
    for instant in instants:
        offset = instant.astimezone(zone).utcoffset()
        assert offset is not None
        label = format_offset(offset)
        first, last = spans.get(label, (instant, instant))
        spans[label] = (min(first, instant), max(last, instant))
    choice = named_zone(spans)
    if len(spans) < 2:
        assert choice is None
        return
    assert choice is not None
    for instant in instants:
        assert instant.astimezone(choice.tz).utcoffset() == instant.astimezone(zone).utcoffset()


#: A Lord Howe host's `journalctl -o short` across its April fall-back (+11:00 →
#: +10:30 at 2026-04-04T15:00Z): the pretty console's `HH:MM:SS±HH:MM` gives each
#: line its offset; systemd's lines and raw stderr carry the journal's time alone.
_LORD_HOWE = """\
Apr 05 01:52:10 gw-lhi-01 node[6620]: 01:52:10+11:00 [diagnostic] lane wait exceeded: lane=main waitedMs=3000 queueAhead=1
Apr 05 01:52:10 gw-lhi-01 node[6620]: Embedded agent failed before reply: session file locked (timeout 10000ms): pid=6620 /h/.openclaw/agents/main/sessions/d4a1e7b3-9c2f-4e58-a613-5b0c8f2e9d47.jsonl.lock
Apr 05 01:34:30 gw-lhi-01 node[6620]: 01:34:30+10:30 [diagnostic] lane wait exceeded: lane=main waitedMs=3000 queueAhead=1
Apr 05 01:34:30 gw-lhi-01 node[6620]: Embedded agent failed before reply: session file locked (timeout 10000ms): pid=6620 /h/.openclaw/agents/main/sessions/e4a1e7b3-9c2f-4e58-a613-5b0c8f2e9d47.jsonl.lock
Apr 05 01:55:00 gw-lhi-01 systemd[901]: Stopping openclaw-gateway.service - OpenClaw Gateway (v2026.4.2)...
"""


def test_a_journal_whose_console_wrote_offsets_is_read_in_them_not_another_hosts() -> None:
    """Another host's files, in +05:45, hold most of the bundle's zoned stamps.
    The journal's lines read the offset the console wrote on them (and keep it
    across the fall-back); its lines with no console stamp are read in the zone
    those offsets name, in file order through the repeated half-hour.  All had
    been read at +05:45: two phantom incidents, five hours late."""
    kathmandu = "".join(
        f"2026-04-05T0{h}:00:00.000+05:45 [diagnostic] lane wait exceeded: lane=main "
        "waitedMs=3000 queueAhead=1\n"
        for h in range(1, 10)
    )
    result = ingest_files(
        {
            "np/openclaw-2026-04-05.log": kathmandu * 10,
            "au/openclaw-2026-04-05.log": (
                "2026-04-05T01:50:00.000+11:00 [gateway] log file: /tmp/openclaw/openclaw-2026-04-05.log\n"
            ),
            "au/journal.txt": _LORD_HOWE,
        }
    )
    journal = result.events.filter(pl.col("source") == "au/journal.txt").sort("line")
    assert [t.isoformat() for t in journal.get_column("ts")] == [
        "2026-04-04T14:52:10+00:00",
        "2026-04-04T14:52:10+00:00",
        "2026-04-04T15:04:30+00:00",  # 01:34:30 the second time round, +10:30
        "2026-04-04T15:04:30+00:00",
        "2026-04-04T15:25:00+00:00",
    ]
    assumption = journal.get_column("ts_assumption").to_list()[1]
    assert "Australia/Lord_Howe" in assumption
    assert "this input's own lines" in assumption


def test_a_journal_and_date_written_under_a_european_locale_are_read() -> None:
    """journalctl and `date` print month and weekday names as LC_TIME has them
    (`Mai 28`, `Do 28. Mai … CEST 2026`, `jeu. 28 mai 2026 … CEST`): they are
    times like the English ones, not untimed lines."""
    sid = "d5f60718-0000-4000-8000-000000000001"
    path = f"/home/ops/.openclaw/agents/main/sessions/{sid}.jsonl"
    journal = (
        "Mai 28 09:41:07 gw-fra-01 node[51877]: [diagnostic] lane task error: lane=main "
        f'durationMs=10 error="Error: session file locked (timeout 10000ms): pid=51877 {path}.lock"\n'
        "Mai 28 09:52:40 gw-fra-01 node[51877]: [session-write-lock] releasing lock held for "
        f"743118ms (max=720000ms): {path}.lock\n"
    )
    cron = (
        "Do 28. Mai 09:50:01 CEST 2026\n"
        "🦞 OpenClaw 2026.5.22 (a374c3a) — Your sessions, tidied.\n\n"
        "Session store: /home/ops/.openclaw/agents/main/sessions/sessions.json\n"
        "Applied maintenance. Current entries: 3\n"
    )
    dated = "2026-05-28T09:00:00.000+02:00 [gateway] a line no signature reads\n"
    result = ingest_files({"journal.txt": journal, "cron-cleanup.log": cron, "gateway.log": dated})
    times = {
        row["kind"]: row["ts"]
        for row in result.events.filter(
            pl.col("kind").is_in(["lock_timeout", "lock_released_by_watchdog", "cleanup_run"])
        ).to_dicts()
    }
    assert times == {
        "lock_timeout": datetime(2026, 5, 28, 7, 41, 7, tzinfo=UTC),
        "lock_released_by_watchdog": datetime(2026, 5, 28, 7, 52, 40, tzinfo=UTC),
        "cleanup_run": datetime(2026, 5, 28, 7, 50, 1, tzinfo=UTC),
    }


def test_a_french_date_line_is_read() -> None:
    """`date` under fr_FR writes the year before the time."""
    stamp = stamp_line("jeu. 28 mai 2026 09:50:01 CEST")
    assert stamp is not None
    assert (stamp.day, stamp.clock, stamp.offset) == (
        date(2026, 5, 28),
        time(9, 50, 1),
        timedelta(hours=2),
    )


def _console_lock(at: str, sid: int) -> str:
    path = f"/h/.openclaw/agents/main/sessions/00000000-0000-4000-8000-{sid:012d}.jsonl.lock"
    return f"{at} [diagnostic] session file locked (timeout 10000ms): pid=7 {path}\n"


@given(step_s=st.integers(0, 600), jitter_s=st.integers(0, 4))
@settings(max_examples=25, deadline=None)
def test_a_clock_stepped_back_is_named_with_its_line(step_s: int, jitter_s: int) -> None:
    """chrony steps a fast clock back: the file log's stamps run backwards at one
    line, and instants across it are off.  A step over 5 s is named with its line
    and size; a journal's interleaving jitter (a few seconds) is not."""
    base = datetime(2026, 6, 15, 9, 20, tzinfo=UTC)
    stamps = [base, base + timedelta(seconds=60), base + timedelta(seconds=60 - jitter_s)]
    stamps.append(stamps[-1] + timedelta(seconds=60) - timedelta(seconds=step_s))
    text = "".join(
        _console_lock(at.isoformat(timespec="milliseconds"), n) for n, at in enumerate(stamps)
    )
    warnings = [w for w in ingest_files({"gateway.log": text}).warnings if "steps back" in w]
    # The jitter (line 3) is never over 5 s; line 4 lies step + jitter - 60 s
    # before the latest instant above it.
    if step_s + jitter_s - 60 > 5:
        assert len(warnings) == 1
        assert "gateway.log: its clock steps back" in warnings[0]
        assert "at line 4" in warnings[0]
    else:
        assert warnings == []


@pytest.mark.parametrize("own_step", [False, True])
def test_two_compose_services_interleaved_are_no_clock_step(own_step: bool) -> None:
    """`docker compose logs` prints each container's lines in bursts: one
    service's 09:01 lines, then the other's from 22:15 the day before.  Each
    service's clock moves on; only a step within one service is named."""

    def line(service: str, at: str, sid: int) -> str:
        return f"{service}  | {at}Z " + _console_lock(f"{at}+00:00", sid)

    text = (
        line("gateway-2", "2026-10-14T09:01:05.250", 1)
        + line("gateway-1", "2026-10-13T22:15:05.000", 2)
        + line("gateway-1", "2026-10-14T09:02:10.480", 3)
        + line("gateway-2", "2026-10-14T08:50:00.000" if own_step else "2026-10-14T09:03:12.400", 4)
    )
    warnings = [w for w in ingest_files({"compose.log": text}).warnings if "steps back" in w]
    assert len(warnings) == (1 if own_step else 0)
    if own_step:
        assert "at line 4" in warnings[0]


def test_openclaw_logs_on_a_terminal_prints_utc_whatever_the_hosts_zone() -> None:
    """`openclaw logs` on a TTY writes `toISOString().slice(11, 19)`: its HH:MM:SS is
    UTC, not the +02:00 the host's other logs show, and says so (Z110: read as
    local, each failure came twice, two hours apart)."""
    lock = (
        "session file locked (timeout 60000ms): pid=3117 alive=true ageMs=60412 "
        "/home/ops/.openclaw/agents/main/sessions/7f3c9a2e-4b1d-4e8a-9c0f-2d6b8e1a5c47.jsonl.lock"
    )
    pretty = (
        "Log file: /tmp/openclaw/openclaw-2026-06-18.log\n"
        f'07:00:20 error diagnostic lane task error: lane=main durationMs=60188 error="{lock}"\n'
    )
    console = "2026-06-18T09:30:00.000+02:00 [gateway] a line no signature reads\n"
    result = ingest_files({"logs-follow.txt": pretty, "console.log": console})
    (row,) = result.events.filter(pl.col("kind") == "lock_timeout").iter_rows(named=True)
    assert row["ts"] == datetime(2026, 6, 18, 7, 0, 20, tzinfo=UTC)
    assert "UTC, as `openclaw logs` prints" in row["ts_assumption"]


def test_a_later_starts_log_file_line_dates_that_process_in_an_appended_console() -> None:
    """launchd appends every gateway's console to one gateway.log: a start's
    `log file: …-2026-04-21.log` dates its lines, and its `listening` line just
    above, on that day, not by rollovers counted from February's first start
    (Z114: a whole process's life placed 66 days early, its incident pid-less)."""
    path = "/Users/mariam/.openclaw/agents/main/sessions/7c1e5a92-4b0f-4d6e-9a51-2f8b3c7d9e14"
    console = (
        "08:12:36 [gateway] listening on ws://127.0.0.1:18789 (PID 812)\n"
        "08:12:36 [gateway] log file: /tmp/openclaw/openclaw-2026-02-14.log\n"
        "09:14:05+02:00 [gateway] listening on ws://127.0.0.1:18789 (PID 4127)\n"
        "09:14:05+02:00 [gateway] log file: /tmp/openclaw/openclaw-2026-04-21.log\n"
        '23:48:12+02:00 [diagnostic] lane task error: lane=main durationMs=10014 error="Error: '
        f'session file locked (timeout 10000ms): pid=4127 {path}.jsonl.lock"\n'
    )
    events = ingest_files({"gateway.log": console}).events.sort("line")
    days = [ts.date().isoformat() for ts in events.get_column("ts")]
    assert days == ["2026-02-14", "2026-02-14", "2026-04-21", "2026-04-21", "2026-04-21"]
    assert (
        "date 2026-04-21 from the gateway's `log file:` line of its start"
        in (events.row(2, named=True)["ts_assumption"])
    )


@pytest.mark.parametrize(
    ("day", "hour"),
    [("2026-02-14", 8), ("2026-08-14", 6)],
    ids=["early-2026-utc", "newest-local"],
)
def test_a_bare_console_clock_is_utc_only_in_its_early_era(day: str, hour: int) -> None:
    """Consoles of early 2026 printed `toISOString().slice(11, 19)`: a bare 08:12:36
    then is UTC, whatever zone the host's other logs show; the newest builds print
    local time without its offset, read in the bundle's zone (Z114: the February
    process read two hours early)."""
    console = (
        "08:12:36 [gateway] listening on ws://127.0.0.1:18789 (PID 812)\n"
        f"08:12:36 [gateway] log file: /tmp/openclaw/openclaw-{day}.log\n"
    )
    zoned = f"{day}T09:00:00.000+02:00 [gateway] a line no signature reads\n"
    result = ingest_files({"gateway.log": console, "other/console.log": zoned})
    start = result.events.filter(pl.col("source") == "gateway.log").sort("line").row(0, named=True)
    assert start["ts"] == datetime.fromisoformat(f"{day}T{hour:02d}:12:36+00:00")


def test_a_journal_beside_systemctl_status_is_read_in_the_zone_status_shows() -> None:
    """`journalctl -u openclaw-gateway` writes local time and no zone; the
    `systemctl status` captured beside it shows the host's (`since … CEST`).
    Its lock errors are read in a zone of CEST's rules, on both sides of the
    October change, and the report says why (Z142: read as UTC, two hours late,
    "no zone evidence in the bundle")."""
    status = (
        "● openclaw-gateway.service - OpenClaw Gateway (v2026.6.11)\n"
        "     Loaded: loaded (/home/ops/.config/systemd/user/openclaw-gateway.service; enabled)\n"
        "     Active: active (running) since Fri 2026-10-23 18:04:11 CEST; 2 days ago\n"
        "   Main PID: 2817 (node)\n"
    )
    lock = (
        "Oct {day} {clock} gw-fra-07 node[2817]: [diagnostic] lane task error: lane=main "
        'durationMs=60012 error="Error: session file locked (timeout 60000ms): pid=2817 '
        '/home/ops/.openclaw/agents/main/sessions/4a1b2c3d-0000-4000-8000-00000000000a.jsonl.lock"\n'
    )
    journal = lock.format(day=24, clock="14:06:30") + lock.format(day=25, clock="14:06:30")
    result = ingest_files(
        {"host/systemctl-status.txt": status, "host/journal-2026-10-24.txt": journal}
    )
    rows = result.events.filter(pl.col("kind") == "lock_timeout").sort("line")
    assert [t.isoformat() for t in rows.get_column("ts")] == [
        "2026-10-24T12:06:30+00:00",  # CEST
        "2026-10-25T13:06:30+00:00",  # CET, after the change
    ]
    assumption = rows.get_column("ts_assumption")[0]
    assert "systemctl status" in assumption
    assert "CEST" in assumption


def test_a_repeated_hour_line_is_read_on_the_side_its_stamped_copy_is() -> None:
    """The file log shows the zone's change (+02:00, then +01:00).  The journal
    tail `systemctl status` printed holds one line of the repeated hour and
    nothing to order it by: its stamped copy in the file log says it is the
    second pass, so it folds into that copy (Z142: read an hour early, as the
    first pass, it became a failure and an incident of its own)."""
    error = (
        '[diagnostic] lane task error: lane=main durationMs=60012 error="Error: session file '
        "locked (timeout 60000ms): pid=2817 "
        '/home/ops/.openclaw/agents/main/sessions/4a1b2c3d-0000-4000-8000-00000000000a.jsonl.lock"'
    )
    wait = "[diagnostic] lane wait exceeded: lane=main waitedMs=3000 queueAhead=1"
    log = "".join(
        [
            f"2026-10-24T23:00:00.000+02:00 {wait}\n",
            f"2026-10-25T02:30:00.000+02:00 {wait}\n",
            f"2026-10-25T02:16:14.000+01:00 {error}\n",
            f"2026-10-25T09:00:00.000+01:00 {wait}\n",
        ]
    )
    journal = f"Oct 25 02:16:14 gw-fra-07 node[2817]: {error}\n"
    result = ingest_files({"openclaw-2026-10-25.log": log, "journal-2026-10-25.txt": journal})
    locks = result.events.filter(pl.col("kind") == "lock_timeout")
    assert set(locks.get_column("ts").dt.to_string("%Y-%m-%dT%H:%M:%S")) == {"2026-10-25T01:16:14"}
    assert locks.get_column("occurrence").n_unique() == 1


@pytest.mark.parametrize(
    ("line", "clock"),
    [
        ("Tue Jun 23 11:31:18 AM CDT 2026", "16:31:18"),
        ("Tue Jun 23 11:31:18 PM CDT 2026", "04:31:18"),
        ("Tue Jun 23 12:01:00 AM UTC 2026", "00:01:00"),
        ("Tue Jun 23 12:01:00 PM UTC 2026", "12:01:00"),
    ],
)
def test_date_in_a_twelve_hour_locale_is_read(line: str, clock: str) -> None:
    """glibc's en_US `date` (`%r`): an operator's `date; ls -la …` census and a
    cron wrapper's header are timed (Z145: unread, the cleanup untimed)."""
    stamp = stamp_line(line)
    assert stamp is not None
    assert stamp.day is not None
    assert stamp.clock is not None
    assert stamp.offset is not None
    instant = datetime.combine(stamp.day, stamp.clock, timezone(stamp.offset)).astimezone(UTC)
    assert instant.strftime("%H:%M:%S") == clock


def test_a_cat_copy_crossing_midnight_before_its_log_file_line_is_dated_by_it() -> None:
    """`journalctl -o cat` beside `-o short-iso` of a 2026.1 gateway: the console's
    own stamps are times of day, and the only date is the `log file:` line its
    restart wrote after midnight.  That date is that line's; the lines above it,
    before midnight, are the day before (Z155: the whole copy a day late, its
    burst a phantom second incident), and the copy's restart, which names no
    pid, is the journal's (it stood as a second restart)."""
    lock = "session file locked (timeout 10000ms): pid=48213 /home/oc/.openclaw/agents/main/sessions/a.jsonl.lock"
    lines = [
        ("2026-02-01T00:52:14", "23:52:14", f"Embedded agent failed before reply: {lock}"),
        ("2026-02-01T00:58:14", "23:58:14", f"Embedded agent failed before reply: {lock}"),
        ("2026-02-01T01:00:08", "00:00:08", "[diagnostic] lane wait exceeded: lane=main waitedMs=4733 queueAhead=2"),
        ("2026-02-01T01:07:31", "00:07:31", f"Embedded agent failed before reply: {lock}"),
        ("2026-02-01T01:09:12", "00:09:12", "[gateway] received SIGUSR1; restarting"),
        ("2026-02-01T01:09:14", "00:09:14", "[gateway] listening on ws://127.0.0.1:18789 (PID 48213)"),
        ("2026-02-01T01:09:14", "00:09:14", "[gateway] log file: /tmp/openclaw/openclaw-2026-02-01.log"),
    ]  # fmt: skip
    journal = (
        "2026-01-29T15:03:26+0100 gw node[48213]: 14:03:26 [gateway] listening on "
        "ws://127.0.0.1:18789 (PID 48213)\n"
        + "".join(f"{at}+0100 gw node[48213]: {clock} {text}\n" for at, clock, text in lines)
    )
    cat = "".join(f"{clock} {text}\n" for _, clock, text in lines)
    result = ingest_files({"journal-short-iso.txt": journal, "journal-cat.txt": cat})
    counts = result.occurrence_counts()
    assert (counts["lock_timeout"], counts["gateway_restart"]) == (3, 1)
    findings = analyze(result, Settings())
    (incident,) = findings.incidents.to_dicts()
    assert incident["start"] == datetime(2026, 1, 31, 23, 52, 14, tzinfo=UTC)
    assert findings.epochs.select("pid", "opened_by").rows() == [
        (48213, "start"),
        (48213, "in_process_restart"),
    ]


def test_stamps_read_in_utc_for_want_of_any_zone_say_so_in_the_zone_line() -> None:
    """A cron log's `date` names `CST` (US Central, China or Cuba: not trusted)
    and no input shows a zone: its stamps are read as UTC, and the report says
    so, not "none needed" beside an assumption of UTC (Z204)."""
    cron = (
        "Sun Feb  1 09:00:01 CST 2026\n"
        "Agent: main\n"
        "Session store: /home/ops/.openclaw/agents/main/sessions/sessions.json\n"
        "Applied maintenance. Current entries: 44\n"
    )
    findings = analyze(ingest_files({"cron/sessions-cleanup.log": cron}), Settings())
    assert findings.coverage.zone == "UTC"
    assert "no zone evidence" in (findings.coverage.zone_reason or "")


def test_a_next_mornings_start_in_an_appended_console_is_on_its_own_day() -> None:
    """launchd appends every process's pretty console (`HH:MM:SS`) to one
    gateway.log: the next start, earlier in the day than the last, writes its
    `starting...` six seconds above its `log file: …-11-30.log`: on the 30th,
    not on the 27th (Z223: a phantom process, a clock "stepping back")."""
    console = (
        "09:02:38 [gateway] starting...\n"
        "09:02:44 [gateway] ready\n"
        "09:02:44 [gateway] log file: /tmp/openclaw/openclaw-2026-11-27.log\n"
        "08:14:05 [gateway] starting...\n"
        "08:14:11 [gateway] ready\n"
        "08:14:11 [gateway] log file: /tmp/openclaw/openclaw-2026-11-30.log\n"
    )
    result = ingest_files({"Users/kenji/.openclaw/logs/gateway.log": console}, tz="+09:00")
    starting = result.events.filter(pl.col("phase") == "starting").sort("line")
    assert [ts.date().isoformat() for ts in starting.get_column("ts")] == [
        "2026-11-27",
        "2026-11-29",  # 08:14:05 +09:00 on the 30th
    ]
    assert not any("steps back" in w for w in result.warnings)


def test_time_only_records_above_their_matched_copy_are_days_before_it() -> None:
    """A launchd gateway.err.log (`HH:MM:SS`): only its last lock error has a
    stamped copy (`openclaw logs --json`, Monday 08:13).  The errors above it at
    16:44 and 23:38 came before it: at least a day earlier, not Monday evening,
    after the process had died (Z223)."""
    lease = "sqlite:session-write:agent:main:main"
    error = (
        "[diagnostic] lane task error: lane=session:agent:main:main durationMs=60066 error="
        '"SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=48211 '
        f'alive=true ageMs={{age}} {lease}"'
    )
    echo = (
        "Embedded agent failed before reply: session file locked (timeout 60000ms): "
        f"pid=48211 alive=true ageMs=203871354 {lease}"
    )
    err_log = (
        "".join(
            f"{at} {error.format(age=age)}\n"
            for at, age in (("16:44:09", 1200), ("23:38:13", 134693), ("08:13:49", 203871354))
        )
        + f"08:13:49 {echo}\n"
    )
    copies = "".join(
        json.dumps(
            {"type": "log", "time": f"2026-11-30T08:13:49.76{n}+09:00", "level": "error"}
            | {"subsystem": subsystem, "message": message}
        )
        + "\n"
        for n, subsystem, message in (
            (6, "diagnostic", error.format(age=203871354).removeprefix("[diagnostic] ")),
            (8, "", echo),
        )
    )
    result = ingest_files(
        {"logs/gateway.err.log": err_log, "openclaw-logs-2026-11-30T0841.ndjson": copies}
    )
    times = (
        result.events.filter(pl.col("source") == "logs/gateway.err.log")
        .sort("line")
        .get_column("ts")
        .to_list()
    )
    assert times == sorted(times)
    assert times[1].isoformat() == "2026-11-29T14:38:13+00:00"  # 23:38 +09:00, the day before
