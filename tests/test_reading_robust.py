"""Real files that are not tidy: huge lines, NUL holes, byte order marks, stack
traces before the first record, and logs of two kinds one after the other."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from lockforensics.findings import Settings
from lockforensics.ingest.bundle import memory_input
from lockforensics.parsing import chunks, signatures
from lockforensics.parsing.envelopes import load_envelopes
from lockforensics.pipeline import analyze, ingest, ingest_inputs
from tests.conftest import SAMPLE, ingest_files


def _tslog(second: int, lane: str = "main") -> str:
    binding = json.dumps({"subsystem": "diagnostic"}, separators=(",", ":"))
    message = (
        f'lane task error: lane={lane} durationMs=1 error="session file locked (timeout 60000ms): '
        f"pid=7 alive=true ageMs={second} /h/.openclaw/agents/main/sessions/"
        f'11111111-2222-3333-4444-55555555555{second % 10}.jsonl.lock"'
    )
    record = {
        "0": binding,
        "1": message,
        "_meta": {
            "name": binding,
            "logLevelName": "ERROR",
            "date": f"2026-05-28T04:20:{second:02d}.000Z",
        },
        "time": f"2026-05-28T06:20:{second:02d}.000+02:00",
    }
    return json.dumps(record, separators=(",", ":"))


def _accounted(result) -> None:  # type: ignore[no-untyped-def]
    for scan in result.files:
        assert scan.event_lines + scan.noise_lines + scan.unrecognized == scan.lines


def test_a_huge_line_is_cut_and_the_lines_after_it_are_read() -> None:
    """A 10 MB line keeps 1 MiB, is counted, and the events after it are kept."""
    huge = "x" * (10 << 20)
    text = "\n".join([_tslog(1), huge, _tslog(2), _tslog(3)]) + "\n"
    result = ingest_files({"openclaw-2026-05-28.log": text})
    scan = result.files[0]
    assert scan.lines == 4
    assert result.events.filter(pl.col("kind") == "lock_timeout").height == 3
    assert any("longer than 1 MiB cut" in w for w in scan.warnings)
    _accounted(result)


def test_a_huge_first_line_does_not_make_the_file_plain() -> None:
    """The envelope is sniffed on lines that can tell it, not the first 64 KiB."""
    text = "\n".join(["y" * (200 << 10), _tslog(1), _tslog(2)]) + "\n"
    scan = ingest_files({"openclaw-2026-05-28.log": text}).files[0]
    assert scan.envelope == "tslog-json"
    assert scan.event_lines == 2


def test_a_stack_trace_before_the_first_record_does_not_make_the_file_plain() -> None:
    """Indented stack frames (91 KB of them) are not evidence against the envelope."""
    frames = [
        f"    at Object.<anonymous> (/usr/lib/node_modules/openclaw/dist/x.js:{i}:1)"
        for i in range(1300)
    ]
    text = "\n".join(["Error: boom", *frames, *(_tslog(i) for i in range(5))]) + "\n"
    scan = ingest_files({"openclaw-2026-05-28.log": text}).files[0]
    assert scan.envelope == "tslog-json"
    assert scan.event_lines == 5


def test_envelope_may_change_between_chunks(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A console capture followed by a file log is read in both envelopes."""
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 4096)
    console = [
        f"2026-05-28T06:21:{i:02d}.000+02:00 [diagnostic] lane wait exceeded: lane=main waitedMs=3000 queueAhead=1"
        for i in range(60)
    ]
    text = "\n".join([*console, *(_tslog(i) for i in range(40))]) + "\n"
    result = ingest_files({"capture.log": text})
    scan = result.files[0]
    assert any("envelope changes from console to tslog-json" in w for w in scan.warnings)
    # Lines of the chunk where the kind changes fall back to plain-text reading.
    assert {"console", "tslog-json"} <= set(result.events.get_column("envelope"))
    assert result.events.height == 100
    _accounted(result)


def test_nul_runs_are_read_around_not_skipped() -> None:
    """A NUL hole (crash-truncated write) leaves the records around it readable."""
    text = _tslog(1) + "\n" + '{"0":"partial' + "\x00" * 5000 + _tslog(2) + "\n" + _tslog(3) + "\n"
    result = ingest_files({"openclaw-2026-05-28.log": text})
    scan = result.files[0]
    assert scan.event_lines == 3
    (warning,) = [w for w in scan.warnings if "NUL bytes" in w]
    # The record the crash cut before the hole is said, not lost (Z220).
    assert warning.endswith("on 1, a record cut short before the run, unread")
    _accounted(result)

    lock = _tslog(3)[:200]  # a lock error's beginning, cut by the crash
    assert "session file lock" in lock
    result = ingest_files({"openclaw-2026-05-28.log": lock + "\x00" * 5000 + _tslog(2) + "\n"})
    (warning,) = [w for w in result.files[0].warnings if "NUL bytes" in w]
    assert warning.endswith("unread, a lock error among them")


def test_a_record_cut_short_at_the_end_leaves_the_span_to_the_line_before() -> None:
    """A full disk cut the last record before its `time`: the file still covers
    the lines before it (its span is not cut back to its last event)."""
    quiet = json.dumps({"0": "telegram: delivered reply", "time": "2026-05-28T09:30:00.000+02:00"})
    text = "\n".join([_tslog(1), quiet, _tslog(2)[:150]])
    result = ingest_files({"openclaw-2026-05-28.log": text})
    (scan,) = result.files
    assert max(b["ts"] for b in scan.bounds).isoformat() == "2026-05-28T07:30:00+00:00"
    assert any("cut short" in w for w in scan.warnings)
    # _tslog's records are lock errors: the cut one may be a failure uncounted,
    # which the report's warnings say (Z183: only the ingest summary had).
    (cut,) = [w for w in scan.warnings if "cut short" in w]
    assert cut.endswith("it names a lock: a failure may be missing from the counts")
    _accounted(result)
    quiet_cut = "\n".join([_tslog(1), quiet[:30]])
    (scan,) = ingest_files({"openclaw-2026-05-28.log": quiet_cut}).files
    assert not any("names a lock" in w for w in scan.warnings)


def test_a_whole_notice_at_the_end_is_no_record_cut_short() -> None:
    """`openclaw logs --json` may end with its `Log tail truncated` notice: a whole
    object with no time, not a record a full disk cut (Z113: a false warning)."""
    log = {"type": "log", "time": "2026-08-14T10:12:12.234-05:00", "level": "info",
           "subsystem": "gateway", "message": "a line no signature reads"}  # fmt: skip
    notice = {"type": "notice", "message": "Log tail truncated (increase --max-bytes)."}
    text = "\n".join([json.dumps(log), json.dumps(log), json.dumps(notice)]) + "\n"
    (scan,) = ingest_files({"openclaw-logs.ndjson": text}).files
    assert not any("cut short" in w for w in scan.warnings)


def test_lines_ending_in_a_cr_alone_are_lines() -> None:
    """A paste saved with classic Mac line ends is read line by line."""
    text = "\r".join([_tslog(1), _tslog(2), _tslog(3)]) + "\r"
    result = ingest_files({"openclaw-2026-05-28.log": text})
    (scan,) = result.files
    assert (scan.lines, scan.event_lines) == (3, 3)
    assert result.events.filter(pl.col("kind") == "lock_timeout").height == 3
    assert any("CR alone" in w for w in scan.warnings)


def test_binary_files_are_still_skipped() -> None:
    """A real binary (control bytes and broken UTF-8 throughout) is skipped with a warning."""
    blob = bytes(range(256)) * 64
    result = ingest_files({"core.bin": blob, "openclaw-2026-05-28.log": _tslog(1) + "\n"})
    assert any("binary content" in w for w in result.warnings)
    assert result.events.height == 1


def test_sqlite_files_of_a_state_directory_are_binary(tmp_path: Path) -> None:
    """A lease-era state directory's database and its write-ahead log hold a
    transcript's quoted lock errors as text between their pages: they are
    skipped as SQLite files, not read for events (Z164: 46 lock timeouts made
    of one quoted line).  The gateway's own log beside them still counts."""
    db = tmp_path / "openclaw-agent.sqlite"
    quoted = "\n".join(_tslog(n) for n in range(40))
    keep = sqlite3.connect(db)
    keep.execute("PRAGMA journal_mode=WAL")
    keep.execute("CREATE TABLE t (body TEXT)")
    keep.commit()
    keep.execute("INSERT INTO t VALUES (?)", (quoted,))
    keep.commit()  # still open: the write stays in the -wal file
    wal = (tmp_path / "openclaw-agent.sqlite-wal").read_bytes()
    files = {
        "agents/main/agent/openclaw-agent.sqlite": db.read_bytes(),
        "agents/main/agent/openclaw-agent.sqlite-wal": wal,
        "logs/openclaw-2026-05-28.log": _tslog(1) + "\n",
    }
    keep.close()
    result = ingest_files(files)
    assert result.events.filter(pl.col("kind") == "lock_timeout").height == 1
    formats = {s.source.rsplit("/", 1)[-1]: s.envelope for s in result.files}
    assert formats["openclaw-agent.sqlite"] == formats["openclaw-agent.sqlite-wal"] == "binary"
    assert any("an SQLite database" in w for w in result.warnings)
    assert any("an SQLite write-ahead log" in w for w in result.warnings)


def test_utf16_and_utf8_byte_order_marks() -> None:
    """UTF-16 (with BOM) and UTF-8 with a BOM read like plain UTF-8."""
    text = "\n".join(_tslog(i) for i in range(3)) + "\n"
    result = ingest_files(
        {
            "a-2026-05-28.log": b"\xff\xfe" + text.encode("utf-16-le"),
            "b-2026-05-28.log": b"\xfe\xff" + text.encode("utf-16-be"),
            "c-2026-05-28.log": b"\xef\xbb\xbf" + text.encode(),
        }
    )
    for scan in result.files:
        assert (scan.envelope, scan.event_lines, scan.lines) == ("tslog-json", 3, 3), scan.source


#: A child's own peak RSS in KiB (Linux), printed by code run with ``python -c``.
_HIGH_WATER = "[x for x in open('/proc/self/status') if x.startswith('VmHWM')][0].split()[1]"


def test_memory_stays_bounded_on_a_256_mb_line(tmp_path: Path) -> None:
    """RSS does not follow the length of the longest line."""
    path = tmp_path / "openclaw-2026-05-28.log"
    with path.open("wb") as handle:
        handle.write(_tslog(1).encode() + b"\n")
        block = b"z" * (16 << 20)
        for _ in range(16):
            handle.write(block)
        handle.write(b"\n" + _tslog(2).encode() + b"\n")
    # The child's own high-water mark: its ru_maxrss would carry pytest's peak
    # in through exec (see the blank-lines test below).
    code = (
        "from pathlib import Path; from lockforensics.pipeline import ingest; "
        f"r = ingest([Path({str(path)!r})]); "
        f"print(r.events.height, {_HIGH_WATER})"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    events, peak_kib = (int(x) for x in out.stdout.split())
    assert events == 2
    # Before the cap a 256 MB line took 12.5x its size (3.3 GB).
    assert peak_kib < 768 * 1024, f"peak RSS {peak_kib // 1024} MiB"


def test_memory_stays_bounded_on_a_million_blank_lines(tmp_path: Path) -> None:
    """RSS follows the lines of a chunk, not a group per line: the continuation
    rules once took a window (``over``) per run of lines, and in a paste every
    blank line is a run of its own (a million blank lines: 530 MB, 25 s).

    One chunk of all the lines (CHUNK_LINES lifted), a dash every thousand so
    that no stretch is blank only (those are counted without polars).  The
    child's own high-water mark (VmHWM), with polars' allocator returning
    freed pages at once: the peak is then what the run holds (180 MB), not what
    the allocator kept, nor the parent's peak that a child's ``ru_maxrss``
    inherits through exec (the whole suite's pytest once made it 630 MB)."""
    path = tmp_path / "ticket.txt"  # a paste: plain text, whose records may wrap
    lines = ["notes from the incident", *([""] * 999 + ["-"]) * 1000, _syslog("May 28 04:22:02")]
    read, events, peak_kib = _ingest_in_child(path, lines, "chunks.CHUNK_LINES = 1 << 30")
    assert (read, events) == (1_000_002, 1)
    assert peak_kib < 350 * 1024, f"peak RSS {peak_kib // 1024} MiB"


def test_a_chunk_of_short_lines_is_split(tmp_path: Path) -> None:
    """A chunk's working set follows its lines (about 90 bytes each at the peak),
    so at most CHUNK_LINES of them are read at once: two million short lines
    took 182 MiB above a child's own floor (polars imported, a small file read)
    read as one chunk, and 76 MiB in slices.  The floor is measured, not
    assumed: it moves by machine (CI's was 4 MiB above this one's), and an
    absolute bound sat on that edge."""

    def shape(blocks: int) -> list[str]:
        return [
            "notes from the incident",
            *([""] * 99 + ["-"]) * blocks,
            _syslog("May 28 04:22:02"),
        ]

    *_, floor_kib = _ingest_in_child(tmp_path / "small.txt", shape(1), "pass")
    read, events, peak_kib = _ingest_in_child(tmp_path / "ticket.txt", shape(20_000), "pass")
    assert (read, events) == (2_000_002, 1)
    growth = (peak_kib - floor_kib) // 1024
    assert growth < 130, f"peak RSS {growth} MiB above the floor"


def _ingest_in_child(path: Path, lines: list[str], setup: str) -> tuple[int, int, int]:
    """Lines read, events and the child's own VmHWM (KiB), ``path`` (written with
    ``lines``) ingested in a child after ``setup`` (``chunks`` is imported)."""
    path.write_text("\n".join(lines) + "\n")
    code = (
        "from pathlib import Path; from lockforensics.parsing import chunks; "
        f"{setup}; from lockforensics.pipeline import ingest; "
        f"r = ingest([Path({str(path)!r})]); "
        f"print(r.files[0].lines, r.events.height, {_HIGH_WATER})"
    )
    env = {**os.environ, "_RJEM_MALLOC_CONF": "dirty_decay_ms:0,muzzy_decay_ms:0"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    read, events, peak_kib = (int(x) for x in out.stdout.split())
    return read, events, peak_kib


def test_a_chunk_read_in_slices_gives_the_same_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """Slices of CHUNK_LINES lines are chunks of their own to the engine: records
    cut between two are held back and joined, as at a chunk's end."""
    whole = ingest([SAMPLE])
    monkeypatch.setattr(chunks, "CHUNK_LINES", 50)
    sliced = ingest([SAMPLE])
    assert [f.lines for f in sliced.files] == [f.lines for f in whole.files]
    assert [f.event_lines for f in sliced.files] == [f.event_lines for f in whole.files]
    assert_frame_equal(sliced.events, whole.events)


def test_blank_stretches_are_noise_and_tell_no_envelope(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Chunks of blank lines only are counted (as noise) without being read as
    lines: every line is still accounted, and a file that opens with them is
    not said to change envelope when its records begin."""
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 64)
    stamp = "2026-05-28T06:21:{:02d}.000+02:00"
    lock = " [diagnostic] lane wait exceeded: lane=main waitedMs=3000 queueAhead=1"
    text = (
        "\n" * 500
        + stamp.format(1)
        + lock
        + "\n"
        + " \n" * 300
        + "\r\n" * 200
        + stamp.format(2)
        + lock
        + "\n"
        + "\t\n" * 50
        + "   "
    )
    result = ingest_files({"capture.log": text})
    scan = result.files[0]
    assert (scan.lines, scan.noise_lines, scan.event_lines) == (1053, 1051, 2)
    assert scan.envelope == "console"
    assert result.events.height == 2
    assert not scan.warnings
    _accounted(result)


def _syslog(stamp: str) -> str:
    return (
        f"{stamp} gw-1 node[4821]: [diagnostic] lane task error: lane=main durationMs=1 "
        'error="session file locked (timeout 60000ms): pid=7 alive=true ageMs=9 '
        '/h/.openclaw/agents/main/sessions/11111111-2222-3333-4444-555555555555.jsonl.lock"'
    )


def test_yearless_stamps_are_completed_without_reading_the_file_again() -> None:
    """A syslog capture with no year of its own is opened once; the bundle gives the year."""
    opened: list[str] = []
    plain = memory_input("journal.txt", (_syslog("May 28 06:20:01") + "\n").encode())

    def counting():  # type: ignore[no-untyped-def]
        opened.append(plain.name)
        return plain.opener()

    journal = dataclasses.replace(plain, opener=counting)
    other = memory_input("openclaw-2026-05-28.log", (_tslog(1) + "\n").encode())
    result = ingest_inputs([journal, other], jobs=1)
    assert opened == ["journal.txt"]
    row = result.events.filter(pl.col("source") == "journal.txt").row(0, named=True)
    assert row["ts"].year == 2026
    assert "year 2026 from other files in the bundle" in row["ts_assumption"]


def test_december_beside_a_new_year_file_is_the_old_year() -> None:
    """`Dec 31` read next to a 2027-01-01 log is 2026-12-31, not 2027-12-31."""
    new_year = _tslog(1).replace("2026-05-28T06:20:01.000+02:00", "2027-01-01T00:00:05.000+00:00")
    result = ingest_files(
        {"journal.txt": _syslog("Dec 31 23:59:58") + "\n", "openclaw.log": new_year + "\n"}
    )
    ts = result.events.filter(pl.col("source") == "journal.txt").get_column("ts")
    assert ts.dt.year().to_list() == [2026]


def test_new_year_inside_a_yearless_file_rolls_the_year() -> None:
    """Dec 31 then Jan 1 in one year-less capture spans two years."""
    lines = [_syslog("Dec 31 23:59:58"), _syslog("Jan  1 00:00:03")]
    context = _tslog(1).replace("2026-05-28T06:20:01.000+02:00", "2026-12-31T12:00:00.000+00:00")
    result = ingest_files({"journal.txt": "\n".join(lines) + "\n", "openclaw.log": context + "\n"})
    ts = result.events.filter(pl.col("source") == "journal.txt").sort("line").get_column("ts")
    assert ts.dt.year().to_list() == [2026, 2027]


@given(text=st.text(alphabet="lockLOCKtakeoverSTALEstale_ unDeadWrite-.", max_size=40))
@example(text="a stale lease")
@example(text="TAKEOVER seen")
@example(text="SessionWriteLock")
@example(text="file_lock_stale")
@example(text="deadlock")
def test_vocabulary_prefilter_keeps_every_relevant_line(text: str) -> None:
    """A line the lock vocabulary matches always passes the cheap prefilter first."""
    vocabulary = re.compile(load_envelopes().unclassified)
    if vocabulary.search(text):
        assert re.search(chunks.VOCAB_PREFILTER, text)


@given(
    lines=st.lists(st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=30),
    newline_at_end=st.booleans(),
    chunk_bytes=st.integers(min_value=1, max_value=64),
)
@example(lines=[b"{"], newline_at_end=False, chunk_bytes=1)
def test_chunks_hold_whole_lines_and_lose_no_byte(
    lines: list[bytes], newline_at_end: bool, chunk_bytes: int
) -> None:
    """However the reads fall, every chunk but the last ends a line, and the
    chunks together are the stream, byte for byte, but for an unterminated last
    line that opens a JSON record and does not close it: that record, cut short
    by its writer, is held apart (Cuts.cut_record) and counted on its own."""
    data = b"\n".join(lines) + (b"\n" if newline_at_end and lines else b"")
    cuts = chunks.Cuts()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks, "CHUNK_BYTES", chunk_bytes)
        out = list(chunks.chunks(io.BytesIO(data), None, cuts))
    assert b"".join(out) + (cuts.cut_record or b"") == data
    assert all(chunk.endswith(b"\n") for chunk in out[:-1])
    assert all(out)


@given(
    texts=st.lists(
        st.none() | st.text(alphabet=" \tab{}\u00e9", max_size=8), min_size=0, max_size=120
    ),
    limit=st.integers(min_value=1, max_value=6),
)
def test_the_sniff_sample_is_the_first_unindented_lines(
    texts: list[str | None], limit: int
) -> None:
    """Up to SNIFF_LINES lines of the window that are not blank, not indented and
    shorter than SNIFF_BYTES characters, in order."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks, "SNIFF_BYTES", limit)
        patch.setattr(chunks, "SNIFF_LINES", 5)
        patch.setattr(chunks, "SNIFF_WINDOW", 100)
        got = chunks._sniff_sample(pl.DataFrame({"text": texts}, schema={"text": pl.String}))
    fit = [t for t in texts[:100] if t and len(t) < limit and t[0] not in " \t"]
    assert got == fit[:5]


@pytest.mark.parametrize("envelope", [e.name for e in load_envelopes().envelopes])
# Lines drawn from a regex are slow to make (20 ms each) and to explain when
# one fails: a few per envelope, every envelope.
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
)
@given(data=st.data())
def test_an_envelopes_start_fits_the_lines_its_whole_pattern_fits(
    envelope: str, data: st.DataObject
) -> None:
    """The yes/no pattern (``start``) and the whole ``line`` agree on every line:
    lines of the envelope, those lines cut short, and other text."""
    env = next(e for e in load_envelopes().envelopes if e.name == envelope)
    record = data.draw(st.from_regex(env.line, fullmatch=True).filter(lambda t: "\n" not in t))
    cut = data.draw(st.integers(min_value=0, max_value=len(record)))
    other = data.draw(st.text(max_size=60).filter(lambda t: "\n" not in t))
    for text in (record, record[:cut], record[:cut] + other, other):
        whole = re.search(env.line, text) is not None
        assert (re.search(env.start, text) is not None) == whole, text


def test_start_drops_only_a_trailing_catch_all() -> None:
    """A journal line's ``(?P<rest>.*)$`` goes; patterns without one stay as written."""
    envelopes = {e.name: e for e in load_envelopes().envelopes}
    journal = envelopes["journald-short"]
    assert journal.line.endswith("(?P<rest>.*)$")
    assert journal.start == journal.line.removesuffix("(?P<rest>.*)$")
    assert envelopes["tslog-json"].start == envelopes["tslog-json"].line
    escaped = dataclasses.replace(journal, line=r"^a \.*$")
    assert escaped.start == escaped.line


def test_small_chunks_are_read_line_by_line_with_the_same_result() -> None:
    """Under VECTOR_MIN candidates the per-line reader settles them, identically."""
    text = "\n".join(_tslog(i % 60, lane=f"session:agent:a{i}:main") for i in range(5)) + "\n"
    small, reference = (
        ingest_inputs([memory_input("openclaw-2026-05-28.log", text.encode())], vectorised=v)
        for v in (True, False)
    )
    assert small.events.height == 5
    assert small.files[0].event_lines == 5
    assert_frame_equal(small.events, reference.events)


def test_numbers_too_long_for_a_number_do_not_stop_the_read() -> None:
    """A pid, age, key or journal time of thousands of digits (``int`` refuses
    them) or a digit that is no ASCII digit (``²``) is no number: the line is
    read without it and the lines after it are read too."""
    huge = "9" * 5000
    takeover = (
        "session file changed while embedded prompt lock was released: "
        "/h/.openclaw/agents/main/sessions/{}-8cd0-43a6-a382-1b4ebc062f6d.jsonl"
    )
    journal = "".join(
        f"May 28 06:23:4{n} gw node[{pid}]: [diagnostic] {takeover.format(sid)}\n"
        for n, (pid, sid) in enumerate(
            [(huge, "2bc0117f"), ("9" * 23, "3bc0117f"), ("7", "4bc0117f")]
        )
    )
    tslog = json.dumps(
        {"0": "x", "²": "y", "1": takeover.format("5bc0117f"), "time": "2026-05-28T06:23:40Z"}
    )
    entry = {"__REALTIME_TIMESTAMP": huge, "_PID": huge, "MESSAGE": takeover.format("6bc0117f")}
    doctor = (SAMPLE / "doctor" / "doctor-2026-05-28T0431Z.txt").read_text(encoding="utf-8")
    # Past Int64, as a number and as milliseconds: before, the whole run stopped.
    doctor = doctor.replace(
        "pid=48213 (alive) age=9m21s", f"pid={'9' * 25} (alive) age={'9' * 18}h0m", 1
    )
    status = (SAMPLE / "host" / "systemctl-status-2026-05-28T0428Z.txt").read_text(encoding="utf-8")
    status = status.replace("Main PID: 48213", f"Main PID: {huge}", 1)
    cleanup = (SAMPLE / "cleanup" / "sessions-cleanup-2026-05-26T0000Z.txt").read_text(
        encoding="utf-8"
    )
    cleanup = cleanup.replace("Entries: 10 -> 8", f"Entries: {huge} -> 8", 1)
    stuck = f"2026-05-28T06:23:40.000+02:00 [diagnostic] stuck session: sessionId=s sessionKey=k state=processing age={huge}s\n"
    result = ingest_files(
        {
            "journal.txt": journal,
            "openclaw-2026-05-28.log": tslog + "\n",
            "journal.json": json.dumps(entry) + "\n",
            "doctor-2026-05-28T0431Z.txt": doctor,
            "console.log": stuck,
            "systemctl-status-2026-05-28T0428Z.txt": status,
            "stability/latest.json": (
                '{"version":1,"generatedAt":"2026-05-28T05:31:07.220Z","reason":"x",'
                '"process":{"pid":7,"uptimeMs":1e400},"host":{"hostname":"gw"}}\n'
            ),
            "gateway.abc12345.lock": f'{{"pid": {"9" * 25}, "createdAt": "2026-05-28T04:00:00Z"}}',
            "sessions-cleanup-2026-05-26T0000Z.txt": cleanup,
            "cleanup-2026-05-26T0600Z.json": json.dumps(
                {
                    "storePath": "/h/.openclaw/agents/main/sessions/sessions.json",
                    "dryRun": True,
                    "beforeCount": 10**30,
                    "afterCount": 8,
                    "pruned": True,
                }
            ),
            "meta/openclaw-2026-05-28.log": json.dumps(
                {
                    "0": "x",
                    "1": {"durationMs": 10**30},
                    "2": takeover.format("7bc0117f"),
                    "time": "2026-05-28T06:23:40Z",
                }
            )
            + "\n",
        }
    )
    assert not [w for w in result.warnings if "stopped early" in w]
    events = result.events
    takeovers = events.filter(
        (pl.col("kind") == "takeover") & pl.col("source").str.contains("journal|openclaw")
    ).sort("source", "line")
    assert takeovers["gateway_pid"].to_list() == [None, None, None, 7, None, None]
    doctor_locks = events.filter(pl.col("kind") == "doctor_lock").sort("line")
    assert doctor_locks["pid"].to_list() == [None, 48213, 48213]
    assert doctor_locks["age_ms"].to_list() == [None, 1862000, 280000]
    assert events.filter(pl.col("signature") == "stuck-session")["age_ms"].to_list() == [None]
    assert events.filter(pl.col("kind") == "lock_file")["pid"].to_list() == [None]
    runs = events.filter(pl.col("source") == "cleanup-2026-05-26T0600Z.json")
    assert runs.select("entries_before", "entries_after", "pruned_stale").row(0) == (None, 8, None)
    meta = events.filter(pl.col("source") == "meta/openclaw-2026-05-28.log")
    assert meta.select("kind", "duration_ms").row(0) == ("takeover", None)
    assert events.filter(pl.col("kind") == "uptime")["gateway_pid"].to_list() == [None]
    stability = next(f for f in result.files if f.source.endswith("latest.json"))
    assert stability.unrecognized == stability.lines == 1  # an infinite uptime is no uptime


def test_a_log_that_says_it_lost_lines_is_named_in_the_coverage() -> None:
    """journald's `Suppressed N messages from openclaw-gateway.service` is a hole in
    the journal: the report's coverage says where, not "every line accounted for"."""
    journal = (
        "2026-06-12T14:05:01.100+0200 gw node[1187]: 2026-06-12T14:05:00.900+02:00 [gateway] ready\n"
        "2026-06-12T14:05:31.412+0200 gw systemd-journald[389]: Suppressed 250 messages from "
        "openclaw-gateway.service\n"
    )
    result = ingest_files({"journal.txt": journal})
    assert result.occurrence_counts().get("log_suppressed") == 1
    findings = analyze(result, Settings())
    (lost,) = [w for w in findings.coverage.warnings if "Suppressed" in w]
    assert lost.startswith("journal.txt:2: Suppressed 250 messages")
    assert "2026-06-12 12:05:31 UTC" in lost


def test_journal_entries_shown_as_blob_data_are_counted_as_lost() -> None:
    """journalctl shows an entry whose text holds an escape as `[650B blob data]`
    unless run with `-a`: one warning per input counts them (Z133: four copies of a
    takeover were silent noise, and a journal alone lost it without a word)."""
    journal = "".join(
        f"Aug 19 10:19:4{n} gw-lab-03 node[73418]: [{size}B blob data]\n"
        for n, size in enumerate((650, 368, 409))
    )
    dated = {"gateway.log": "2026-08-19T10:00:00.000+00:00 [gateway] a line no signature reads\n"}
    findings = analyze(ingest_files({"journal.txt": journal, **dated}), Settings())
    lost = [w for w in findings.coverage.warnings if "blob data" in w]
    assert lost == [
        "journal.txt:1: 3 journal entries shown as `[…B blob data]` (control characters or "
        "bytes not UTF-8, captured without `journalctl -a`): their text is in no input, "
        "failures they held may be missing"
    ]


@given(
    text=st.text(st.characters(exclude_categories=("Cs",)), max_size=40),
    stray=st.binary(max_size=4).map(lambda b: b.replace(b"\n", b"")),
)
def test_bytes_that_are_not_utf8_are_read_as_cp1252_and_utf8_stays(text: str, stray: bytes) -> None:
    """Valid UTF-8 is left as it is; every byte that is not is read as cp1252 on its
    line, and the lines holding such bytes are counted."""
    good = text.replace("\n", " ").encode()
    chunk = b"plain\n" + good + stray + good + b"\n"
    out, repaired = chunks.as_utf8(chunk)
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        assert repaired == 1
        assert out.decode("utf-8").startswith("plain\n" + good.decode())
    else:
        assert (out, repaired) == (chunk, 0)


def test_a_log_re_encoded_as_cp1252_names_its_agent_as_its_copies_do() -> None:
    """A file log copied through a tool that wrote it as cp1252 (`zoë` as 0xEB)
    beside its journal copy in UTF-8: one agent, one failure, and a warning that
    names the file (the replacement character had made a phantom agent `zo\ufffd`
    whose failure was counted again)."""
    lock = "/h/.openclaw/agents/zoë/sessions/a7e3d0b2-1c4f-4e8a-9b6d-2f5c8e1a3d70.jsonl.lock"
    line = (
        "2026-06-18T14:41:10.250+02:00 [diagnostic] lane task error: lane=session:agent:zoë:main "
        f'durationMs=10011 error="Error: session file locked (timeout 10000ms): pid=48120 {lock}"\n'
    )
    journal = "Jun 18 14:41:10 gw-lab-01 node[48120]: " + line
    result = ingest_files({"usb/gateway.log": line.encode("cp1252"), "journal.txt": journal})
    assert result.occurrence_counts() == {"lock_timeout": 1}
    assert set(result.events.get_column("agent").to_list()) == {"zoë"}
    assert any("1 line(s) are not UTF-8" in w for w in result.warnings)


def test_a_record_cut_inside_its_message_is_unrecognised_not_noise() -> None:
    """A file log's last record cut inside its message (a full disk): what it held
    cannot be read, so it is counted unrecognised, where the operator sees it."""
    whole = (
        '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"lane task error: lane=main '
        'durationMs=10 error=\\"x\\"","_meta":{"date":"2026-11-28T15:06:00.000Z"},'
        '"time":"2026-11-28T15:06:00.000Z"}\n'
    )
    cut = '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"lane task error: lane=session:agent:a:main durationMs=21885 error=\\"EmbeddedAttemp'
    result = ingest_files({"openclaw-2026-11-28.log": whole + cut})
    scan = result.files[0]
    assert (scan.lines, scan.unrecognized) == (2, 1)
    assert scan.unrecognized_samples[0][0] == 2
    # Cut inside the file too (a copy that lost a piece), the line ended.
    result = ingest_files({"openclaw-2026-11-28.log": whole + cut + "\n" + whole})
    assert (result.files[0].lines, result.files[0].unrecognized) == (3, 1)


def test_a_terminal_capture_shows_what_the_screen_showed() -> None:
    """A saved terminal (`script`): bash ends a command's prompt with `ESC[?2004l`
    and a carriage return, so the first line of its output carries them, and the
    prompt sets the window title (OSC).  The line is the journal record on screen:
    its host, pid and time are read, where it had been an untimed failure of its
    own, apart from its copies."""
    path = "/home/ops/.openclaw/agents/main/sessions/4a1b2c3d-0000-4000-8000-00000000000a.jsonl"
    error = f"session file lock stale (dead-pid): pid=77 alive=false {path}.lock"
    capture = (
        "Script started on 2026-06-30 11:38:02+02:00\n"
        "\x1b[?2004h\x1b]0;ops@gw: ~\x07\x1b[01;32mops@gw\x1b[00m:~$ openclaw logs --follow\n"
        "\x1b[?2004l\r11:39:00+02:00 [gateway] a line no signature reads\n"
        "\x1b[?2004h\x1b]0;ops@gw: ~\x07ops@gw:~$ journalctl --user -f\n"
    )
    # The terminal was 100 columns wide: the record wraps hard.
    record = (
        "Jun 30 11:40:12 gw node[41877]: 2026-06-30T11:40:12.304+02:00 [diagnostic] lane task "
        f'error: lane=main durationMs=10 error="Error: {error}"'
    )
    wrapped = "\r\n".join(record[i : i + 100] for i in range(0, len(record), 100))
    capture += f"\x1b[?2004l\r{wrapped}\r\n"
    result = ingest_files({"ops-terminal-2026-06-30.typescript": capture})
    assert result.files[0].envelope == "plain"
    (row,) = result.events.filter(pl.col("kind") == "lock_stale").to_dicts()
    assert (row["host"], row["gateway_pid"], row["ts"] is not None) == ("gw", 41877, True)


def test_a_wording_quoted_in_notes_is_no_failure_but_a_pasted_line_is() -> None:
    """Incident notes in Markdown name the error in code (`session file lock
    stale …`): OpenClaw writes no wording in backticks, so the line is prose,
    counted unrecognised and shown as possibly relevant, not a failure of no
    time.  A whole log line pasted in backticks has its clock, and is read."""
    path = "/home/oc/.openclaw/agents/ops/sessions/8d2e4f60-1a3b-4c5d-8e9f-0a1b2c3d4e5f.jsonl"
    notes = (
        "# Incident 2026-06-16\n"
        "- 14:07 CEST saw `session file lock stale (hold-exceeded)` for ops again\n"
        f"- the log: `2026-06-16T14:06:40.207+02:00 [diagnostic] session file lock stale "
        f"(hold-exceeded): pid=41822 alive=true ageMs=731004 {path}.lock`\n"
        # In quotation marks too (Z239: a lock timeout of its own).
        '- ~9:08 AM users in the ops group get "session file locked (timeout 10000ms)" replies.\n'
    )
    result = ingest_files({"incident-notes.md": notes})
    scan = result.files[0]
    stale = result.events.filter(pl.col("kind") == "lock_stale")
    assert stale.get_column("line").to_list() == [3]
    assert result.events.filter(pl.col("kind") == "lock_timeout").is_empty()
    assert (scan.unrecognized, scan.relevant) == (3, 2)
    assert scan.relevant_samples[0][0] == 2


class _Recording:
    """A rule whose regex notes every search it makes: (text length, pos, endpos)."""

    def __init__(self, rule: signatures.Rule, calls: list[tuple[int, int, int]]) -> None:
        self._rule, self._calls = rule, calls

    def __getattr__(self, name: str) -> object:
        return getattr(self._rule, name)

    @property
    def regex(self) -> _Recording:
        return self

    def finditer(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        self._calls.append((len(text), pos, min(endpos, len(text))))
        return self._rule.regex.finditer(text, pos, endpos)


@pytest.mark.parametrize("at", [0, 150_000, 299_000])
def test_a_lock_error_in_a_huge_debug_line_is_matched_near_its_words_only(at: int) -> None:
    """A 3 MB websocket frame dump quoting a lock error beside base64 text: every
    place of a letter run tried `[A-Za-z]*Error` again (quadratic; the run never
    ended).  In a long text a rule reads only near its words, and still finds
    the error and its fields wherever it stands."""
    calls: list[tuple[int, int, int]] = []
    real = signatures.load_catalog()
    catalog = dataclasses.replace(
        real,
        wrappers=tuple(_Recording(r, calls) for r in real.wrappers),  # type: ignore[misc]
        signatures=tuple(_Recording(r, calls) for r in real.signatures),  # type: ignore[misc]
    )
    path = "/h/.openclaw/agents/main/sessions/s1.jsonl.lock"
    lock = f"session file locked (timeout 60000ms): pid=4242 {path}"
    letters = "QUFB" * 75_000
    message = f"ws frame: {letters[:at]} {lock} {letters[at:]}"
    hits = catalog.match(message, {}, "gateway/ws")
    assert [(h.kind, h.fields.get("pid")) for h in hits] == [("lock_timeout", 4242)]
    long = [(pos, end) for n, pos, end in calls if n > signatures.LONG_TEXT]
    assert long
    widest = (
        signatures.NEAR_BEFORE + signatures.NEAR_AFTER + max(len(r.literals[0]) for r in real.rules)
    )
    assert all(end - pos <= widest for pos, end in long)


def test_a_newer_records_end_cut_by_tail_c_is_one_timed_failure() -> None:
    """`tail -c` cuts its first record before it began; a newer file log's record
    ends in its whole `time`, `hostname` and `message`: that is the failure, once
    and timed (Z116: the stump of its argument and the message were two, untimed)."""
    error = (
        "session file locked (timeout 60000ms): another OpenClaw process "
        'sqlite:session-write:["mobile","/home/ocl/.openclaw/agents/mobile/agent/'
        'openclaw-agent.sqlite","ff4a68f4-43ff-4c4d-8b2c-1d3467bc0ed2"]'
    )
    message = f'lane task error: lane=main durationMs=60011 error="{error}"'
    record = json.dumps(
        {
            "0": '{"subsystem":"diagnostic"}',
            "1": message,
            "_meta": {"name": '{"subsystem":"diagnostic"}', "date": "2026-07-22T10:31:05.412Z"},
            "time": "2026-07-22T05:31:05.412-05:00",
            "hostname": "gw-busy-01",
            "message": message,
        },
        separators=(",", ":"),
    )
    quiet = json.dumps({"0": "a line no signature reads", "time": "2026-07-22T05:31:06.000-05:00"})
    result = ingest_files({"openclaw-tail.log": record[60:] + "\n" + quiet + "\n"})
    (failure,) = result.events.filter(pl.col("kind") == "lock_timeout").iter_rows(named=True)
    assert failure["ts"] == datetime(2026, 7, 22, 10, 31, 5, 412000, tzinfo=UTC)
    assert failure["session_id"] == "ff4a68f4-43ff-4c4d-8b2c-1d3467bc0ed2"
    _accounted(result)


def test_blob_entries_a_file_log_covers_may_be_there() -> None:
    """A file log covering the blob entries' times keeps what the console wrote
    (Z147-Z149: the warning said their text was in no input, and the file log
    held it whole): the warning names it."""
    journal = "".join(
        f"Aug 19 10:19:4{n} gw-lab-03 node[73418]: [{size}B blob data]\n"
        for n, size in enumerate((650, 368, 409))
    )
    log = "".join(
        f"2026-08-19T10:{m}:00.000+00:00 [gateway] a line no signature reads\n" for m in (10, 30)
    )
    findings = analyze(ingest_files({"journal.txt": journal, "gateway.log": log}), Settings())
    (lost,) = [w for w in findings.coverage.warnings if "blob data" in w]
    assert lost.endswith(
        "their text is not in this capture; gateway.log covers their times and may hold it"
    )


def test_blob_entries_a_copy_times_to_the_millisecond_are_covered() -> None:
    """The journal's blob entries at the microsecond, their JSON export's copies
    timed by their console stamps to the millisecond: the export's last line is
    a fraction of a millisecond before the last blob, and still covers it
    (Z163: "their text is in no input", with every text in the export)."""
    journal = "".join(
        f"2026-04-16T15:40:0{n}.475{n}00+02:00 kellerbox node[1893]: [269B blob data]\n"
        for n in range(3)
    )
    export = "".join(
        f"2026-04-16T13:40:0{n}.475+00:00 [diagnostic] a line no signature reads\n"
        for n in range(3)
    )
    files = {"journal.txt": journal, "console.log": export}
    findings = analyze(ingest_files(files), Settings())
    (lost,) = [w for w in findings.coverage.warnings if "blob data" in w]
    assert lost.endswith("console.log covers their times and may hold it")


def test_an_input_none_of_whose_lines_was_read_spans_no_window() -> None:
    """`log show --style compact` (no zone, a format the tool does not read):
    every line unrecognised, its stamps guessed in the bundle's zone.  They do
    not stretch the report's window (Z169: six hours before the first line read)."""
    log = "".join(
        f"2026-06-12T09:{m:02d}:00.000+02:00 [gateway] a line no signature reads\n"
        for m in range(3)
    )
    compact = "".join(
        f"2026-06-12 03:{m:02d}:00.911 Df launchd[1:5e1] [gui/501/ai.openclaw.gateway] WILL_SPAWN\n"
        for m in range(3)
    )
    findings = analyze(
        ingest_files({"gateway.log": log, "log-show-compact.txt": compact}), Settings()
    )
    assert findings.window_start == datetime(2026, 6, 12, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("magic", "said"),
    [(b"7z\xbc\xaf\x27\x1c\x00\x04", "7-Zip archive"), (b"Rar!\x1a\x07\x01\x00", "RAR archive")],
)
def test_an_archive_no_reader_opens_is_named(magic: bytes, said: str) -> None:
    """A 7-Zip or RAR archive is not read, and the warning says what it is, so the
    operator extracts it (Z171: "binary content", a burst's only copy inside)."""
    result = ingest_files({"logs-old.7z": magic + bytes(range(256)) * 4})
    assert any(said in w and "extract it" in w for w in result.warnings)


@pytest.mark.parametrize("hole", [65_535, 65_536, 300_000])
def test_a_copytruncate_hole_before_a_files_lines_is_read_past(hole: int) -> None:
    """logrotate's `copytruncate` under `> gateway.out` leaves the live file a
    hole of NULs as long as the copy, then the new lines: a hole of 64 KiB or
    more had made the whole file "binary content" (Z208).  A file of NULs only
    is still binary content."""
    line = _tslog(1).encode() + b"\n"
    result = ingest_files({"gateway.out": bytes(hole) + line, "zeros.out": bytes(hole)})
    scans = {s.source: s for s in result.files}
    live = scans["gateway.out"]
    assert (live.lines, live.event_lines) == (1, 1)
    assert scans["zeros.out"].envelope == "binary"
    # Nothing was read past in it: no warning says so.
    assert not [w for w in result.warnings if "zeros.out" in w and "read past" in w]
