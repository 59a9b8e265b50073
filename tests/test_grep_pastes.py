"""What operators paste most: grep's output, each line behind its file and number,
and `openclaw logs` runs appended to one capture."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from lockforensics.parsing.chunks import GREP_PREFIX
from tests.conftest import ingest_files

SESSIONS = "/home/al/.openclaw/agents/main/sessions"


def _record(at: datetime, message: str) -> str:
    """A file-log (tslog JSON) record at ``at``."""
    binding = json.dumps({"subsystem": "diagnostic"}, separators=(",", ":"))
    record = {
        "0": binding,
        "1": message,
        "_meta": {"name": binding, "logLevelName": "ERROR", "date": at.isoformat()},
        "time": at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
    }
    return json.dumps(record, separators=(",", ":"))


def _timeout(n: int) -> str:
    return (
        f'lane task error: lane=main durationMs=10013 error="Error: session file locked '
        f'(timeout 10000ms): pid=2417 {SESSIONS}/0000000{n}-0000-4000-8000-000000000000.jsonl.lock"'
    )


START = datetime(2026, 5, 28, 7, 41, 5, 220_000, tzinfo=UTC)
LOG = [_record(START + timedelta(seconds=40 * n), _timeout(n)) for n in range(4)]
PATH = "/tmp/openclaw/openclaw-2026-05-28.log"


def _found(files: dict[str, str]) -> pl.DataFrame:
    table = ingest_files(files).events
    return table.filter(pl.col("kind") == "lock_timeout").select("ts", "session_id").unique()


def test_grep_rn_output_is_read_as_the_log_it_came_from() -> None:
    """`grep -rn` and `zgrep -H` put `path:N:` or `path:` before each record;
    taken off, the records keep their times, as in the log itself."""
    plain = _found({"openclaw-2026-05-28.log": "\n".join(LOG) + "\n"})
    assert plain.height == 4
    grep_rn = "".join(f"{PATH}:{n + 10}:{line}\n" for n, line in enumerate(LOG))
    zgrep = "".join(f"{PATH}.gz:{line}\n" for line in LOG)
    for text in (grep_rn, zgrep):
        prompt = f"al@lobster-vps:~$ grep -rn 'lock' {PATH}\n"
        found = _found({"grep.txt": prompt + text})
        assert found.sort("ts").equals(plain.sort("ts"))


def test_grep_context_lines_shown_twice_count_once() -> None:
    """`grep -n -C1` around two hits a line apart prints the lines between them
    in both contexts (`N:` for a hit, `N-` for context, `--` between groups):
    each record is still one failure, not two."""
    first = "".join(f"{n + 1}{':' if n == 1 else '-'}{LOG[n]}\n" for n in range(3))
    second = "".join(f"{n + 1}{':' if n == 2 else '-'}{LOG[n]}\n" for n in range(1, 4))
    text = first + "--\n" + second
    result = ingest_files({"grep-C.txt": text})
    # The group separator is grep's, known: no line is left unrecognised.
    assert (result.files[0].lines, result.files[0].unrecognized) == (7, 0)
    timeouts = result.events.filter(pl.col("kind") == "lock_timeout")
    assert timeouts.get_column("occurrence").n_unique() == 4
    assert timeouts.get_column("ts").is_not_null().all()


_LOG_LINES = st.sampled_from(
    [
        "{ts_iso} [gateway] listening on ws://127.0.0.1:18789 (PID 7)",
        "{ts_short} gw-prod-01 node[7]: [gateway] ready",
        "{syslog} gw-prod-01 node[7]: [diagnostic] lane task error: lane=main",
        "{clock} [gateway] ready",
        '{ts_iso} info gateway {{"subsystem":"gateway"}} ready',
        '{{"0":"x","time":"{ts_iso}"}}',
        # A piece of a JSON record a console wrapped: an escape, then a key.
        'ock\\"","_meta":{{"date":"{ts_iso}"}}',
    ]
)


@given(
    template=_LOG_LINES,
    at=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
)
@settings(max_examples=200, deadline=None)
def test_no_log_line_passes_for_a_grep_prefix(template: str, at: datetime) -> None:
    """A stamp's own colons and dashes never pass for grep's `path:N:` or `N-`:
    a log line as OpenClaw, journald or syslog writes it is left as it is."""
    line = template.format(
        ts_iso=at.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+02:00",
        ts_short=at.strftime("%Y-%m-%dT%H:%M:%S+0200"),
        syslog=at.strftime("%b %d %H:%M:%S").replace(" 0", "  ", 1),
        clock=at.strftime("%H:%M:%S.%f")[:-3],
    )
    assert re.match(GREP_PREFIX, line) is None


def test_a_second_openclaw_logs_run_printing_the_tail_again_adds_nothing() -> None:
    """`openclaw logs` prints its file's tail before it follows: run twice into one
    capture, the second run shows again the first's last lines (a lock timeout,
    a restart).  They are the same failure and the same restart."""
    tail = (
        "2026-08-14T10:15:40.250-05:00 error diagnostic lane task error: lane=main "
        'durationMs=60011 error="Error: session file locked (timeout 60000ms): pid=3187 '
        f'{SESSIONS}/0c8d2b1a-5e4f-4a3b-9c2d-1e0f9a8b7c6d.jsonl.lock"\n'
        "2026-08-14T10:16:02.900-05:00 info gateway restart mode: full process restart "
        "(supervisor restart)\n"
    )
    header = "Log file: /tmp/openclaw/openclaw-2026-08-14.log\n"
    start = (
        "2026-08-14T10:16:11.020-05:00 info gateway listening on ws://127.0.0.1:18789 (PID 9154)\n"
    )
    result = ingest_files({"incident-logs.txt": header + tail + header + tail + start})
    counts = result.occurrence_counts()
    assert (counts["lock_timeout"], counts["gateway_restart"]) == (1, 1)


@settings(max_examples=20, deadline=None)
@given(compact=st.booleans(), again=st.integers(1, 4))
def test_a_follow_reading_its_file_again_after_a_cursor_reset_adds_nothing(
    compact: bool, again: int
) -> None:
    """`openclaw logs --json --follow` across a rotation: the file shrank under its
    cursor, so it reads the file from its start, printing again the records it
    had shown, and then says `Log cursor reset (file rotated).` (src/cli/logs-cli.ts:
    a payload's lines, then its notices; the meta record only once, first).  They
    are the same failures, written by OpenClaw or re-serialised by Python (Z165:
    counted twice, the notice coming after them and no meta record again)."""
    sep = (",", ":") if compact else (", ", ": ")

    def line(obj: dict[str, object]) -> str:
        return json.dumps(obj, separators=sep) + "\n"

    def log(record: str) -> str:
        fields = json.loads(record)
        return line(
            {"type": "log", "time": fields["time"], "level": "error",
             "subsystem": "diagnostic", "message": fields["1"], "raw": record}
        )  # fmt: skip

    capture = line({"type": "meta", "file": PATH, "cursor": 9000, "size": 9000})
    capture += "".join(log(r) for r in LOG)
    capture += "".join(log(r) for r in LOG[-again:])
    capture += line({"type": "notice", "message": "Log cursor reset (file rotated)."})
    result = ingest_files({"logs-follow.ndjson": capture})
    assert result.occurrence_counts() == {"lock_timeout": len(LOG)}
    # No clock moved: the step back (past its 5 s jitter) is the capture
    # reading its file again.
    steps = [w for w in result.warnings if "steps back" in w]
    assert len(steps) == (again > 1)
    assert all("reads its file again" in w and "NTP" not in w for w in steps)


def test_a_second_logs_run_showing_runs_again_counts_each_run_once() -> None:
    """A second `openclaw logs --json` run re-shows a tail the first showed: its
    lane waits and lane tasks (the table's high-volume part, past the few rows
    kept whole) are the same lines, counted once as its failures are (Z188:
    lane tasks, runs and tool calls counted twice)."""

    def line(obj: dict[str, object]) -> str:
        return json.dumps(obj, separators=(",", ":")) + "\n"

    waits = [
        _record(
            START + timedelta(seconds=7 * n),
            f"lane wait exceeded: lane=session:agent:main:main waitedMs={2000 + n} queueAhead=1",
        )
        for n in range(12)
    ]

    def run(records: list[str]) -> str:
        out = line({"type": "meta", "file": PATH, "cursor": 0, "size": 9000})
        for record in records:
            fields = json.loads(record)
            out += line(
                {"type": "log", "time": fields["time"], "level": "warn",
                 "subsystem": "diagnostic", "message": fields["1"], "raw": record}
            )  # fmt: skip
        return out

    capture = run(waits + LOG) + run(waits[4:] + LOG)
    result = ingest_files({"logs-follow.ndjson": capture})
    assert result.occurrence_counts() == {"lane_wait": 12, "lock_timeout": len(LOG)}


def test_the_cut_first_line_of_a_truncated_json_tail_adds_no_failure() -> None:
    """`openclaw logs --json` over a tail cut at --max-bytes: its first line is a
    file-log record cut before it began, given as a `raw` object.  What is left
    of it (a lease key ending in the record's escaped quote, its top-level
    `message`) is no failure of its own; the whole record follows, and counts
    once."""
    lease = (
        'lane task error: lane=main durationMs=60010 error="SessionWriteLockTimeoutError: '
        "session file locked (timeout 60000ms): pid=40117 alive=true ageMs=64051 "
        'sqlite:session-write:agent:ops:cron:nightly"'
    )
    # A newer file log writes the message again at the top level, after `time`.
    whole = {**json.loads(_record(START, lease)), "hostname": "gw-eu", "message": lease}
    record = json.dumps(whole, separators=(",", ":"))
    cut = record[record.index("ageMs=") :]
    lines = [
        {"type": "meta", "file": PATH, "cursor": 44673, "size": 47671},
        {"type": "notice", "message": "Log tail truncated (increase --max-bytes)."},
        {"type": "raw", "raw": cut},
        {"type": "log", "time": whole["time"], "level": "error", "subsystem": "diagnostic",
         "message": whole["1"], "raw": record},
    ]  # fmt: skip
    result = ingest_files({"logs.ndjson": "".join(json.dumps(x) + "\n" for x in lines)})
    assert result.occurrence_counts() == {"lock_timeout": 1}
    scan = result.files[0]
    assert (scan.lines, scan.event_lines, scan.unrecognized) == (4, 1, 0)


def test_a_record_a_note_quotes_in_quotation_marks_keeps_its_stamp() -> None:
    """An on-call note quoting a journal's lock error in curly quotes (or straight
    ones): the record is read with its stamp, a copy of the journal's line, not
    a failure of its own with no time (Z220: 13 lock errors for 12)."""
    record = (
        "2026-06-10T11:16:05.220+02:00 [diagnostic] lane task error: lane=main durationMs=60213 "
        'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=31877 '
        '/home/oc/.openclaw/agents/ops/sessions/b7e91d3c-5a2f-4e60-9d1b-8c7f6e5d4a30.jsonl.lock"'
    )
    journal = f"Jun 10 11:16:05 gw-01 node[31877]: {record}\n"
    for opening, closing in (("“", "”"), ('"', '"')):
        note = f"what we saw:\n{opening}{record}{closing}\nthen it stopped\n"
        result = ingest_files({"journal.txt": journal, "oncall-notes.txt": note})
        assert result.occurrence_counts() == {"lock_timeout": 1}, opening
        assert result.events.get_column("ts").null_count() == 0
