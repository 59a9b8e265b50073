"""A zone-less input takes the offset at which its records match another input's instants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lockforensics.ingest.echo_zones import matched_zones
from lockforensics.parsing.filescan import FileScan
from tests.conftest import ingest_files, tslog_line

T0 = datetime(2026, 6, 9, 15, 15, 2, tzinfo=UTC)


def _scans(
    offset: timedelta, seconds: list[int], noise: list[int], messages: int = 1_000
) -> list[FileScan]:
    """A journal's zone-less copies (local = instant + offset) of a file log's records,
    ``messages`` distinct texts among them, and, in the journal only, ``noise`` records
    no other input holds."""
    log = FileScan(source="gw/openclaw.log", size=0)
    journal = FileScan(source="gw/journal.txt", size=0)
    for n, s in enumerate(seconds):
        message = f"session file locked (timeout 10000ms): pid=1412 /s/{n % messages}.jsonl.lock"
        instant = T0 + timedelta(seconds=s)
        log.rows.append(
            {"kind": "lock_timeout", "message": message, "ts": instant, "ts_quality": "explicit"}
        )
        local = (instant + offset).replace(tzinfo=None)
        journal.rows.append({"kind": "lock_timeout", "message": message, "_local": local})
    for s in noise:
        local = (T0 + timedelta(seconds=s)).replace(tzinfo=None)
        journal.rows.append({"kind": "takeover", "message": f"other {s}", "_local": local})
    return [log, journal]


@settings(max_examples=60, deadline=None)
@given(
    quarters=st.integers(-48, 56),
    seconds=st.lists(st.integers(0, 3600), min_size=2, max_size=12, unique=True),
    noise=st.lists(st.integers(0, 3600), max_size=5),
    jitter=st.integers(-2, 2),
)
def test_the_offset_at_which_the_records_match_is_the_zone(
    quarters: int, seconds: list[int], noise: list[int], jitter: int
) -> None:
    """Whatever the zone (UTC-12 to UTC+14) and a journal stamp a second or two off its
    file-log twin, the journal takes that zone; records only it holds change nothing."""
    offset = timedelta(minutes=15 * quarters)
    found = matched_zones(_scans(offset + timedelta(seconds=jitter), seconds, noise))
    assert set(found) == {"gw/journal.txt"}
    assert found["gw/journal.txt"].tz.utcoffset(None) == offset


@settings(max_examples=60, deadline=None)
@given(
    quarters=st.integers(-48, 56),
    seconds=st.lists(st.integers(0, 7200), min_size=2, max_size=12, unique=True),
    messages=st.integers(1, 3),
)
def test_repeated_messages_give_the_zone_or_none(
    quarters: int, seconds: list[int], messages: int
) -> None:
    """One lock error repeated word for word: every pair of its copies votes, most of
    them for no real zone.  A zone chosen is still the right one; none is chosen when
    the pairs cannot tell (the bundle's zone is then used, as before)."""
    offset = timedelta(minutes=15 * quarters)
    found = matched_zones(_scans(offset, seconds, [], messages))
    assert all(choice.tz.utcoffset(None) == offset for choice in found.values())
    if messages == len(seconds):
        assert set(found) == {"gw/journal.txt"}


def test_one_matching_record_is_not_enough() -> None:
    """A single pair could be chance: the journal keeps the bundle's zone."""
    assert matched_zones(_scans(timedelta(hours=-5), [0], [])) == {}


def _journal(stamp: str, message: str) -> str:
    return f"{stamp} east-gw1 node[20931]: [diagnostic] {message}\n"


def test_a_journal_beside_its_utc_file_log_is_read_in_the_hosts_zone() -> None:
    """gw-east's journal (zone-less, Chicago) and its 2026.2 file log (`Z`) hold the same
    three lock errors; gw-west's docker log writes +00:00, the bundle's most common zone.
    Read in +00:00 the journal's copies were three more lock errors five hours early;
    read at the offset its records match (-05:00), each error counts once."""
    lock = 'lane task error: lane=session:agent:main:main durationMs=10012 error="Error: session file locked (timeout 10000ms): pid=20931 /h/.openclaw/agents/main/sessions/c9a7e3b2-5d18-4f6a-8e2c-1b4d7f9a0c23.jsonl.lock"'
    journal = "".join(_journal(f"Jun 09 10:{m}:02", lock) for m in (15, 16, 17))
    log = "".join(tslog_line(f"2026-06-09T15:{m}:02.118Z", lock) for m in (15, 16, 17))
    west = "".join(
        f"2026-06-09T15:{m}:30.000000000Z 2026-06-09T15:{m}:30.000+00:00 [gateway] "
        "lane wait exceeded: lane=main waitedMs=3000 queueAhead=1\n"
        for m in range(10, 40)
    )
    result = ingest_files(
        {
            "gw-east/journal.txt": journal,
            "gw-east/openclaw-2026-06-09.log": log,
            "gw-west/docker.log": west,
        }
    )
    locks = result.events.filter(pl.col("kind") == "lock_timeout")
    assert locks.height == 6
    assert locks.get_column("occurrence").n_unique() == 3
    assert locks.get_column("ts").dt.strftime("%H:%M").unique().sort().to_list() == [
        "15:15",
        "15:16",
        "15:17",
    ]
    # No input was read in the bundle's +00:00: the zone line names the journal's
    # (Z233: "+00:00, taken from other files in the bundle" had been stated).
    assert result.zone is not None
    assert result.zone.label == "-05:00"
    assert result.zone.reason.startswith("the same records stamped in gw-east/openclaw")
    assert result.zone.reason.endswith("for gw-east/journal.txt")


def test_a_time_only_console_across_a_fall_back_takes_each_records_own_side() -> None:
    """A launchd `gateway.err.log` (`HH:MM:SS`, no date) across the night of the
    fall-back holds failures at 00:40 and 01:20 PDT and at 01:18 and 01:52 PST; its
    records match the file log's at -07:00 and at -08:00, two votes each.  Each takes
    the side of the change its own copy is on: four failures, not four more undated
    ones (a split vote had left the whole capture untimed), and the second pass of
    the repeated hour after the first."""

    def lock(n: int) -> str:
        return (
            "session file locked (timeout 10000ms): pid=4121 /Users/maya/.openclaw/agents/"
            f"main/sessions/c9a7e3b2-5d18-4f6a-8e2c-1b4d7f9a0c2{n}.jsonl.lock"
        )

    stamps = [("00:40:02", "-07:00"), ("01:20:05", "-07:00"), ("01:18:40", "-08:00")]
    stamps.append(("01:52:30", "-08:00"))
    log = "".join(
        tslog_line(f"2026-11-01T{clock}.118{offset}", lock(n))
        for n, (clock, offset) in enumerate(stamps)
    )
    console = "".join(f"{clock} [diagnostic] {lock(n)}\n" for n, (clock, _) in enumerate(stamps))
    result = ingest_files(
        {
            "tmp/openclaw/openclaw-2026-11-01.log": log,
            "Users/maya/.openclaw/logs/gateway.err.log": console,
        }
    )
    locks = result.events.filter(pl.col("kind") == "lock_timeout")
    copies = locks.filter(pl.col("source").str.ends_with("gateway.err.log")).sort("line")
    assert copies.get_column("ts").dt.strftime("%H:%M:%S").to_list() == [
        "07:40:02",
        "08:20:05",
        "09:18:40",
        "09:52:30",
    ]
    assert locks.get_column("occurrence").n_unique() == 4


def test_a_journal_matched_to_two_days_file_logs_names_both_and_no_conflict() -> None:
    """One zone-less journal whose records two file logs (`Z` stamps, one a day) hold:
    its zone's reason names both files, and with no other zone in the bundle the
    report does not say "but" as if the inputs disagreed."""
    lock = (
        'lane task error: lane=main durationMs=10012 error="Error: session file locked '
        "(timeout 10000ms): pid=20931 /h/.openclaw/agents/main/sessions/c9a7e3b2-5d18-4f6a-"
        '8e2c-1b4d7f9a0c2{n}.jsonl.lock"'
    )
    days = {"09": (1, 2, 3), "10": (4, 5)}
    journal = "".join(
        _journal(f"Jun {day} 10:1{n}:02", lock.format(n=n)) for day, ns in days.items() for n in ns
    )
    files = {"gw/journal.txt": journal}
    for day, ns in days.items():
        files[f"gw/openclaw-2026-06-{day}.log"] = "".join(
            tslog_line(f"2026-06-{day}T15:1{n}:02.118Z", lock.format(n=n)) for n in ns
        )
    result = ingest_files(files)
    assert result.zone is not None
    reason = result.zone.reason
    assert (
        "stamped in gw/openclaw-2026-06-09.log and gw/openclaw-2026-06-10.log (5 matched at -05:00)"
        in reason
    )
    assert "; but " not in reason


def _first_change(name: str) -> datetime:
    """The first instant of 2026 at which zone ``name`` changes its offset (to the minute:
    Adelaide's changes at half past a UTC hour)."""
    zone = ZoneInfo(name)
    moment, step = datetime(2026, 1, 1, tzinfo=UTC), timedelta(hours=1)
    while step >= timedelta(minutes=1):
        while moment.astimezone(zone).utcoffset() == (moment + step).astimezone(zone).utcoffset():
            moment += step
        step /= 60
    return moment + timedelta(minutes=1)


@settings(max_examples=40, deadline=None)
@given(
    name=st.sampled_from(
        ["Australia/Adelaide", "Europe/Berlin", "America/St_Johns", "Australia/Lord_Howe"]
    ),
    before=st.lists(st.integers(60, 6 * 3600), min_size=2, max_size=5, unique=True),
    after=st.lists(st.integers(0, 6 * 3600), min_size=2, max_size=20, unique=True),
)
def test_a_capture_across_a_dst_change_reads_each_side_at_its_own_offset(
    name: str, before: list[int], after: list[int]
) -> None:
    """A journal that runs across its host's DST change, its copies matched in the
    file logs: each side votes for its own offset, however few the pairs before
    the change against those after it (Adelaide's October night had two to one,
    and every record before the change came out an hour early).  The zone taken
    gives every record the offset its stamped copy was written with."""
    change = _first_change(name)
    zone = ZoneInfo(name)
    instants = [change - timedelta(seconds=s) for s in before]
    instants += [change + timedelta(seconds=s) for s in after]
    log = FileScan(source="gw/openclaw.log", size=0)
    journal = FileScan(source="gw/journal.txt", size=0)
    for n, instant in enumerate(sorted(instants)):
        message = f"session file locked (timeout 10000ms): pid=1412 /s/{n}.jsonl.lock"
        log.rows.append(
            {"kind": "lock_timeout", "message": message, "ts": instant, "ts_quality": "explicit"}
        )
        local = instant.astimezone(zone).replace(tzinfo=None)
        journal.rows.append({"kind": "lock_timeout", "message": message, "_local": local})
    chosen = matched_zones([log, journal])["gw/journal.txt"].tz
    assert [i.astimezone(chosen).utcoffset() for i in instants] == [
        i.astimezone(zone).utcoffset() for i in instants
    ]


def test_another_hosts_alike_lines_give_no_zone() -> None:
    """Kolkata's journal (`IST`, zone-less console stamps) and Berlin's (offsets)
    both hold a release's start lines, word for word, 15 min 12 s apart on the
    clock: they are two hosts' starts, not copies, and give Kolkata no zone
    (Z226: read at -05:15, no zone at all, its incident 11 h late)."""
    lines = (
        "[gateway] starting...",
        "[gateway] starting HTTP server...",
        "[gateway] agent model: openai/gpt-5.5 (thinking=medium, fast=off)",
        "[gateway] ready",
    )
    berlin = "".join(
        f"Jun 30 16:16:2{n} gw-fra-01 node[40112]: 2026-06-30T16:16:2{n}.702+02:00 {line}\n"
        for n, line in enumerate(lines)
    )
    kolkata = "".join(
        f"Jun 30 11:01:0{n} gw-blr-01 node[5120]: 11:01:0{n} {line}\n"
        for n, line in enumerate(lines)
    )
    result = ingest_files({"gw-fra-01/journal.txt": berlin, "gw-blr-01/journal.txt": kolkata})
    starts = result.events.filter(pl.col("source") == "gw-blr-01/journal.txt")
    assert not any("same records" in (a or "") for a in starts.get_column("ts_assumption"))
    assert datetime(2026, 6, 30, 14, 16, 20, tzinfo=UTC) not in starts.get_column("ts").to_list()


def _ps_and_start(
    offset: timedelta, boot_s: int, pid: int = 4187, start_pid: int = 4187
) -> list[FileScan]:
    """A `ps` row's lstart (local, to the second) of ``pid`` and, in the file log,
    the start line of ``start_pid`` written ``boot_s`` after that process began."""
    began = T0.replace(microsecond=0)
    log = FileScan(source="openclaw.log", size=0)
    log.rows.append(
        {
            "kind": "gateway_start",
            "message": f"listening on ws://127.0.0.1:18789 (PID {start_pid})",
            "gateway_pid": start_pid,
            "ts": began + timedelta(seconds=boot_s, milliseconds=870),
            "ts_quality": "explicit",
        }
    )
    ps = FileScan(source="ps.txt", size=0)
    local = (began + offset).replace(tzinfo=None)
    ps.rows.append({"kind": "uptime", "phase": "ps_started", "gateway_pid": pid, "_local": local})
    return [log, ps]


@settings(max_examples=60, deadline=None)
@given(quarters=st.integers(-48, 56), boot_s=st.integers(0, 110))
def test_a_ps_start_and_its_start_line_give_the_zone(quarters: int, boot_s: int) -> None:
    """Z234: a pasted `ps` beside a 2026.2 file log (`Z`): lstart less the instant
    of the start line naming its pid, which comes up to two minutes later, is the
    host's offset, from one process alone."""
    offset = timedelta(minutes=15 * quarters)
    found = matched_zones(_ps_and_start(offset, boot_s))
    assert set(found) == {"ps.txt"}
    assert found["ps.txt"].tz.utcoffset(None) == offset
    assert "the start lines of the processes `ps` lists" in found["ps.txt"].reason


def test_a_start_line_before_its_process_or_of_another_pid_gives_no_zone() -> None:
    assert matched_zones(_ps_and_start(timedelta(hours=1), -5)) == {}
    assert matched_zones(_ps_and_start(timedelta(hours=1), 3, pid=4188)) == {}


def test_a_pasted_ps_is_read_in_the_zone_its_gateways_start_line_shows() -> None:
    """One paste: a 2026.2 file log's `Z` records and `ps` run twice, Berlin time.
    The first process's start (from `ps` alone) and its uptime were an hour off."""
    ps = (
        "jonas@nuc:~$ ps -o pid,lstart,etime,args -p $(pgrep -f 'openclaw.*gateway')\n"
        "  PID                  STARTED     ELAPSED COMMAND\n"
        " {pid} {started} 2026  {elapsed} node /home/jonas/.npm-global/lib/node_modules/"
        "openclaw/dist/index.js gateway --port 18789\n"
    )
    log = tslog_line(
        "2026-02-06T13:20:09.870Z",
        "listening on ws://127.0.0.1:18789, ws://[::1]:18789 (PID 4187)",
        subsystem="gateway",
        level="INFO",
    )
    paste = (
        ps.format(pid=2231, started="Mon Feb  2 09:14:05", elapsed="4-04:56:10")
        + log
        + ps.format(pid=4187, started="Fri Feb  6 14:20:09", elapsed="  01:32:49")
    )
    result = ingest_files({"issue/openclaw-2026-02-06.log": log, "issue/ps.txt": paste})
    starts = result.events.filter(pl.col("kind") == "uptime").sort("gateway_pid")
    assert starts.get_column("ts").dt.strftime("%m-%d %H:%M:%S").to_list() == [
        "02-02 08:14:05",
        "02-06 13:20:09",
    ]


def test_a_containers_low_pid_or_a_pid_of_several_starts_gives_no_zone() -> None:
    """Z239: a container's pid 1 listed by `ps` and the next container's start line
    naming pid 1 (the same pid in every restart) fell 119 s within a quarter
    hour: -03:30.  A pid the bundle starts twice is as ambiguous."""
    assert matched_zones(_ps_and_start(timedelta(hours=1), 3, pid=1, start_pid=1)) == {}
    twice = _ps_and_start(timedelta(hours=1), 3)
    again = dict(twice[0].rows[0], ts=twice[0].rows[0]["ts"] + timedelta(hours=5))
    twice[0].rows.append(again)
    assert matched_zones(twice) == {}


def test_records_that_settle_a_zone_outvote_a_ps_start_beside_them() -> None:
    """Z198: a Discord export holds a journal whose records match the file log's at
    -04:00 and a `ps` another user ran on a UTC host: the records decide the
    input's zone; a `ps` start counts only where they settle none."""
    log, journal = _scans(timedelta(hours=-4), [0, 30, 60], [])
    start, ps = _ps_and_start(timedelta(0), 3)
    log.rows.extend(start.rows)
    journal.rows.extend(ps.rows)
    found = matched_zones([log, journal])
    assert found["gw/journal.txt"].tz.utcoffset(None) == timedelta(hours=-4)


def test_a_journals_copies_of_start_lines_match_as_records() -> None:
    """A journal's zone-less copies of two start lines (a container's pid 1 each
    time) match the file log's as records do: the zone, whatever the pid."""
    log = FileScan(source="gw/openclaw.log", size=0)
    journal = FileScan(source="gw/journal.txt", size=0)
    for n in range(2):
        instant = T0 + timedelta(hours=n)
        row = {
            "kind": "gateway_start",
            "message": "listening on ws://0.0.0.0:18789 (PID 1)",
            "gateway_pid": 1,
        }
        log.rows.append({**row, "ts": instant, "ts_quality": "explicit"})
        local = (instant + timedelta(hours=-6)).replace(tzinfo=None)
        journal.rows.append({**row, "_local": local})
    found = matched_zones([log, journal])
    assert found["gw/journal.txt"].tz.utcoffset(None) == timedelta(hours=-6)
    assert found["gw/journal.txt"].reason.startswith("the same records stamped in")
