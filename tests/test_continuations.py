"""Records that span lines (issue 10 part 5): wrapped pastes and console captures
are read one record at a time, numbered by their first line, every line counted."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lockforensics.ingest.bundle import memory_input
from lockforensics.parsing import chunks
from lockforensics.parsing.continuations import join_records
from lockforensics.parsing.envelopes import load_envelopes
from lockforensics.parsing.filescan import FileScan
from lockforensics.parsing.scan import Scanner
from lockforensics.pipeline import ingest_inputs
from tests.conftest import ingest_files
from tests.test_engine_equivalence import assert_same

TAKEOVER_SID = "2bc0117f-8cd0-43a6-a382-1b4ebc062f6d"
WRAPPED_SID = "660fdda8-e8a8-44ab-bf1d-facb7e2a8952"
TRACED_SID = "3f2c8a9e-1b2c-4d5e-8f90-123456789abc"
PRETTY_SID = "11111111-2222-3333-4444-555555555555"

# A ticket paste: prose, a takeover whose path wrapped, a lock path cut inside
# a quoted string, an error with its stack, a pretty-printed tslog record.
PASTE = f"""Here is what I see in the gateway log:

2026-06-09T09:58:16.068+00:00 [agent/embedded] session file changed while embedded prompt lock was released: \n\
/data/.openclaw/agents/main/sessions/{TAKEOVER_SID}.jsonl
2026-06-09T09:58:17.000+00:00 [diagnostic] lane task error: lane=main durationMs=60169 \
error="Error: session file locked (timeout 10000ms): pid=4892 \
/home/u/.openclaw/agents/main/sessions/660fdda8-e8a8-44ab-bf1d-
facb7e2a8952.jsonl.lock"
Error: session file locked (timeout 10000ms): pid=28 \
/data/.openclaw/agents/neo/sessions/{TRACED_SID}.jsonl.lock
    at acquireSessionWriteLock (file:///app/dist/session-lock.js:120:11)
    at async runEmbeddedAttempt (file:///app/dist/embedded.js:88:5)
{{
  "0": "{{\\"subsystem\\":\\"diagnostic\\"}}",
  "1": "session file locked (timeout 10000ms): pid=4892 \
/home/u/.openclaw/agents/main/sessions/{PRETTY_SID}.jsonl.lock",
  "_meta": {{
    "logLevelName": "ERROR",
    "date": "2026-04-08T05:52:10.915Z"
  }},
  "time": "2026-04-08T13:52:10.915+08:00"
}}
thanks
"""

# A console capture: lane lines the engine settles in bulk, a takeover whose
# path wrapped, a lock error with a stack trace, and one stray line.
CONSOLE = f"""2026-06-09T09:58:10.000+00:00 [diagnostic] lane enqueue: lane=main queueSize=1
2026-06-09T09:58:16.068+00:00 [agent/embedded] session file changed while embedded prompt lock was released:
/data/.openclaw/agents/main/sessions/{TAKEOVER_SID}.jsonl
2026-06-09T09:58:17.000+00:00 [diagnostic] lane task error: lane=main durationMs=60169 \
error="Error: session file locked (timeout 10000ms): pid=28 \
/data/.openclaw/agents/main/sessions/{TRACED_SID}.jsonl.lock"
    at acquireSessionWriteLock (file:///app/dist/session-lock.js:120:11)
    at async runEmbeddedAttempt (file:///app/dist/embedded.js:88:5)
2026-06-09T09:58:18.000+00:00 [gateway] something the catalog does not know
2026-06-09T09:58:19.000+00:00 [diagnostic] lane enqueue: lane=main queueSize=2
"""


def _scan(name: str, text: str) -> FileScan:
    return Scanner().scan(memory_input(name, text.encode()))


def _events(scan: FileScan) -> list[tuple[int, str, str | None]]:
    rows = [(r["line"], r["kind"], r.get("session_id")) for r in scan.rows]
    for frame in scan.frames:
        for line, kind in frame.select("line", "kind").iter_rows():
            rows.append((int(line), str(kind), None))
    return sorted(rows)


def test_wrapped_records_in_a_paste_are_read_whole() -> None:
    """Each wrapped record in a plain paste is one event at its first line."""
    scan = _scan("ticket.txt", PASTE)
    assert scan.envelope == "plain"
    assert _events(scan) == [
        (3, "takeover", TAKEOVER_SID),
        (5, "lock_timeout", WRAPPED_SID),
        (7, "lock_timeout", TRACED_SID),
        (10, "lock_timeout", PRETTY_SID),
    ]


def test_paste_line_accounting_is_exact() -> None:
    """Joined continuations count as event lines: 16 of 19, plus 1 blank and 2 prose."""
    scan = _scan("ticket.txt", PASTE)
    assert (scan.lines, scan.event_lines, scan.noise_lines, scan.unrecognized) == (19, 16, 1, 2)
    assert scan.unrecognized_samples == [
        (1, "Here is what I see in the gateway log:"),
        (19, "thanks"),
    ]


def test_wrapped_records_in_a_console_capture() -> None:
    """A console capture's takeover and traced lock error are joined; counts stay exact."""
    scan = _scan("gateway.log", CONSOLE)
    assert scan.envelope == "console"
    events = _events(scan)
    assert [(line, kind) for line, kind, _ in events] == [
        (1, "lane_task"),
        (2, "takeover"),
        (4, "lock_timeout"),
        (8, "lane_task"),
    ]
    assert {sid for _, _, sid in events if sid} == {TAKEOVER_SID, TRACED_SID}
    assert (scan.lines, scan.event_lines, scan.noise_lines, scan.unrecognized) == (8, 7, 1, 0)


def test_joined_records_read_the_same_both_ways() -> None:
    """The engine and the per-line reference agree on joined records."""
    results = [
        ingest_inputs(
            [
                memory_input("ticket.txt", PASTE.encode()),
                memory_input("gateway.log", CONSOLE.encode()),
            ],
            jobs=1,
            vectorised=vectorised,
        )
        for vectorised in (True, False)
    ]
    assert_same(results[0], results[1])


def test_a_record_cut_by_a_chunk_boundary_is_joined(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A stack trace split between two chunks still belongs to its error line."""
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 64)
    scan = _scan("gateway.log", CONSOLE)
    assert [(line, kind) for line, kind, _ in _events(scan)] == [
        (1, "lane_task"),
        (2, "takeover"),
        (4, "lock_timeout"),
        (8, "lane_task"),
    ]
    assert (scan.lines, scan.event_lines, scan.noise_lines, scan.unrecognized) == (8, 7, 1, 0)


def test_cut_words_join_without_a_space() -> None:
    """A path cut inside a quoted string joins with nothing; a wrapped path with one space."""
    frame = pl.DataFrame(
        {
            "line": [1, 2, 3, 4, 5],
            "text": ['path: "/a/se', 'ssion.lock"', "was released: ", "/a/b.jsonl", None],
        }
    )
    out = join_records(frame)
    assert out.to_dicts() == [
        {"line": 1, "text": 'path: "/a/session.lock"', "span": 2},
        {"line": 3, "text": "was released: /a/b.jsonl", "span": 2},
        {"line": 5, "text": None, "span": 1},
    ]


def test_envelopes_that_do_not_wrap_keep_one_record_per_line() -> None:
    """A journald capture's indented lines stay lines of their own (it does not wrap)."""
    text = (
        "2026-06-09T09:58:16+0000 gw-1 node[7]: [diagnostic] lane enqueue: lane=main queueSize=1\n"
        "    at somewhere (file:///x.js:1:2)\n"
    )
    scan = _scan("journal.log", text)
    assert scan.envelope == "journald-short-iso"
    assert (scan.lines, scan.event_lines, scan.unrecognized) == (2, 1, 1)


# A chat paste of a console capture: the chat box wrapped a long line at spaces
# and indented what it wrapped; the Markdown block below it is indented whole.
CHAT = f"""2026-06-26T13:48:30+08:00 [diagnostic] lane task error: lane=session:agent:main:main durationMs=60169
 error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=4242 alive=true ageMs=124708
 /root/.openclaw/agents/main/sessions/{WRAPPED_SID}.jsonl.lock"

    2026-06-26T13:49:00+08:00 [diagnostic] lane enqueue: lane=main queueSize=1
    2026-06-26T13:49:01+08:00 [diagnostic] lane dequeue: lane=main waitMs=2 queueSize=0
"""


def test_lines_wrapped_with_an_indent_join_their_record() -> None:
    """An indented line that does not start a record continues the console record above,
    so the wrapped lock error is one event with its path; indented records stay apart."""
    scan = _scan("console-paste.log", CHAT)
    assert scan.envelope == "console"
    assert _events(scan) == [
        (1, "lock_timeout", WRAPPED_SID),
        (5, "lane_task", None),
        (6, "lane_task", None),
    ]
    assert (scan.lines, scan.event_lines, scan.noise_lines, scan.unrecognized) == (6, 5, 1, 0)


def test_without_a_record_pattern_indented_lines_stay_apart() -> None:
    """Where any line may start a record (the plain fallback), an indent alone joins nothing."""
    frame = pl.DataFrame({"line": [1, 2], "text": ["first line", "  second line"]})
    assert join_records(frame).get_column("span").to_list() == [1, 1]
    assert join_records(frame, r"^first").get_column("span").to_list() == [2]


JOURNAL_LOCK = (
    "May 28 06:20:01 gw-prod-01 node[48213]: 2026-05-28T06:20:01.123+02:00 [diagnostic] "
    "lane task error: lane=session:agent:main:main durationMs=60123 "
    'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=48213 '
    f'alive=true ageMs=70312 /home/ops/.openclaw/agents/main/sessions/{WRAPPED_SID}.jsonl.lock"'
)
TSLOG_LOCK = (
    '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"lane task error: lane=main durationMs=60123 '
    'error=\\"session file locked (timeout 60000ms): pid=48213 alive=true '
    f'/home/ops/.openclaw/agents/main/sessions/{TRACED_SID}.jsonl.lock\\"","_meta":'
    '{"logLevelName":"ERROR","date":"2026-05-28T04:20:01.123Z"},"time":"2026-05-28T06:20:01.123+02:00"}'
)


def _hard_wrapped(line: str, width: int) -> str:
    return "\n".join(line[i : i + width] for i in range(0, len(line), width))


def test_a_line_hard_wrapped_at_a_fixed_column_is_read_whole() -> None:
    """A terminal or console that breaks long lines at its width, mid-word: the
    pieces join back with nothing between them, so the journal line keeps its
    stamp, pid and host and the lock path its session; a file-log record keeps
    its JSON.  Every piece counts as an event line."""
    ticket = (
        "Here is what journalctl showed:\n\n"
        + _hard_wrapped(JOURNAL_LOCK, 80)
        + "\n\nand the file log, from the console:\n"
        + _hard_wrapped(TSLOG_LOCK, 120)
        + "\nthanks\n"
    )
    scan = _scan("ticket.txt", ticket)
    assert _events(scan) == [(3, "lock_timeout", WRAPPED_SID), (10, "lock_timeout", TRACED_SID)]
    journal, tslog = sorted(scan.rows, key=lambda r: r["line"])
    assert (journal["envelope"], journal["gateway_pid"], journal["host"]) == (
        "journald-short",
        48213,
        "gw-prod-01",
    )
    assert journal["ts_raw"] == "2026-05-28T06:20:01.123+02:00"
    assert tslog["envelope"] == "tslog-json"
    pieces = len(_hard_wrapped(JOURNAL_LOCK, 80).splitlines()) + len(
        _hard_wrapped(TSLOG_LOCK, 120).splitlines()
    )
    assert (scan.event_lines, scan.unrecognized) == (pieces, 3)


def test_a_wrapped_piece_beginning_with_a_number_is_no_epoch_stamped_record() -> None:
    """A console line wrapped at 100 columns right after a Telegram peer's
    `direct:`: its next piece begins `5512873301 durationMs=60017 error=…`, the
    shape of a `journalctl -o short-unix` record but for the microseconds
    journalctl always prints (Z176: a host `durationMs=60017` in 2144, the burst
    split in three).  One event, on the console's own time."""
    line = (
        "2026-06-02T20:10:05.120-07:00 [diagnostic] lane task error: "
        "lane=session:agent:main:telegram:direct:5512873301 durationMs=60017 "
        'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
        f'pid=3872 /Users/dmitri/.openclaw/agents/main/sessions/{WRAPPED_SID}.jsonl.lock"'
    )
    wrapped = _hard_wrapped(line, 100)
    assert wrapped.splitlines()[1].startswith("5512873301 durationMs=60017 ")
    scan = _scan("ticket.md", "My Mac's gateway.log:\n\n" + wrapped + "\n")
    assert _events(scan) == [(3, "lock_timeout", WRAPPED_SID)]
    (row,) = scan.rows
    assert (row["ts_raw"], row.get("host")) == ("2026-06-02T20:10:05.120-07:00", None)


def _quoted_hanging(line: str, width: int, indent: str = "  ") -> str:
    """``line`` as a chat or mail reply shows it: wrapped at ``width`` columns,
    quote mark included, every piece after the first behind a hanging indent."""
    first, rest = line[: width - 2], line[width - 2 :]
    step = width - 2 - len(indent)
    pieces = [first] + [indent + rest[i : i + step] for i in range(0, len(rest), step)]
    return "\n".join("> " + piece for piece in pieces)


def test_a_quoted_paste_wrapped_behind_a_hanging_indent_is_read_whole() -> None:
    """A journal pasted into a Slack or mail reply: every line quoted `> `,
    wrapped at 80 columns, and each piece after the first indented two spaces.
    The quote marks and the indent are the reply's: dropped, the pieces join
    back with nothing between them, the wrap falling inside a word
    (`[diagn` + `ostic]`) or before a space (` alive=true`, kept)."""
    start = (
        "May 28 06:19:55 gw-prod-01 node[48213]: 2026-05-28T06:19:55.000+02:00 "
        "[gateway] listening on ws://127.0.0.1:18789, ws://[::1]:18789 (PID 48213)"
    )
    reply = (
        "Anna Weber  14:06\nops agent is stuck again, journal below:\n> ```\n"
        + _quoted_hanging(start, 80)
        + "\n"
        + _quoted_hanging(JOURNAL_LOCK, 80)
        + "\n> ```\n\nMehmet  14:12\nis the watchdog releasing it?\n"
    )
    scan = _scan("slack-thread.txt", reply)
    assert _events(scan) == [(4, "gateway_start", None), (6, "lock_timeout", WRAPPED_SID)]
    lock = next(r for r in scan.rows if r["kind"] == "lock_timeout")
    assert (lock["gateway_pid"], lock["pid"], lock["host"]) == (48213, 48213, "gw-prod-01")
    assert lock["subsystem"] == "diagnostic"
    assert lock["raw"] == JOURNAL_LOCK
    pieces = len(_quoted_hanging(start, 80).splitlines()) + len(
        _quoted_hanging(JOURNAL_LOCK, 80).splitlines()
    )
    assert scan.event_lines == pieces
    assert scan.lines == scan.event_lines + scan.noise_lines + scan.unrecognized


def test_a_single_space_at_a_wrap_is_the_texts_own() -> None:
    """A hard wrap whose every cut fell before a space keeps those spaces: one
    leading space is the text's, not a hanging indent; two or more are."""
    words = ["REC " + "a" * 60, " " + "b" * 63, " " + "c" * 63, " dd"]

    def joined(pieces: list[str]) -> str:
        frame = pl.DataFrame({"line": range(1, len(pieces) + 1), "text": pieces})
        rows = join_records(frame, record=r"^REC ", wrap_start=r"^REC ")
        assert rows.get_column("span").to_list() == [len(pieces)]
        return str(rows.item(0, "text"))

    assert joined(words) == "".join(words)
    hung = [words[0], "  " + "b" * 62, "  " + "c" * 62, "  dd"]
    assert joined(hung) == words[0] + "b" * 62 + "c" * 62 + "dd"


CONSOLE_LOCK = (
    "08:29:10+01:00 [gateway] lane task error: lane=main durationMs=60169 "
    'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=5076 '
    f'C:\\Users\\Karen\\.openclaw\\agents\\main\\sessions\\{TAKEOVER_SID}.jsonl.lock"'
)
CONSOLE_WRAPPED = (
    "08:29:09+01:00 [gateway] listening on ws://127.0.0.1:18789\n"
    + _hard_wrapped(CONSOLE_LOCK, 100)
    + "\n08:29:11+01:00 [gateway] log file: C:\\Temp\\openclaw\\openclaw-2026-04-03.log\n"
)


def test_a_console_capture_hard_wrapped_is_read_whole() -> None:
    """The console's own wrapped lines (an old Windows console, 100 columns)."""
    scan = _scan("gateway.log", CONSOLE_WRAPPED)
    assert scan.envelope == "console"
    assert _events(scan) == [(2, "lock_timeout", TAKEOVER_SID), (5, "gateway_start", None)]
    assert scan.unrecognized == 0


def test_file_log_records_hard_wrapped_one_after_another_stay_apart() -> None:
    """Records of the file log grepped in a console and wrapped at 84 columns, one
    after the other: each record's last piece leaves a quote open, and the next
    record's `{"` would close it.  A line that opens a record of any envelope
    continues none, so each record is read whole and on its own."""
    second = TSLOG_LOCK.replace(TRACED_SID, WRAPPED_SID).replace("20:01", "21:01")
    capture = (
        "08:29:09+01:00 [gateway] listening on ws://127.0.0.1:18789\n"
        "$ grep 'lane task error' /tmp/openclaw/openclaw-2026-05-28.log\n"
        + _hard_wrapped(TSLOG_LOCK, 84)
        + "\n"
        + _hard_wrapped(second, 84)
        + "\n"
    )
    scan = _scan("console.txt", capture)
    second_line = 3 + len(_hard_wrapped(TSLOG_LOCK, 84).splitlines())
    assert [e for e in _events(scan) if e[1] == "lock_timeout"] == [
        (3, "lock_timeout", TRACED_SID),
        (second_line, "lock_timeout", WRAPPED_SID),
    ]
    stamps = sorted(r["ts_raw"] for r in scan.rows if r["kind"] == "lock_timeout")
    assert stamps == ["2026-05-28T06:20:01.123+02:00", "2026-05-28T06:21:01.123+02:00"]


def test_a_hard_wrap_cut_by_a_chunk_boundary_is_joined(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Chunks of one line: the wrap is carried until its last piece."""
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 64)
    scan = _scan("gateway.log", CONSOLE_WRAPPED)
    assert _events(scan) == [(2, "lock_timeout", TAKEOVER_SID), (5, "gateway_start", None)]
    assert scan.unrecognized == 0


def test_equal_widths_that_are_no_wrap_stay_apart() -> None:
    """A long line followed by a shorter one is no evidence of a wrap (one full
    line only); equal-width log lines each start a record; an equal-width table
    does not start with a record."""
    glued = _scan("a.txt", f"{JOURNAL_LOCK}\nthen the gateway restarted\n")
    assert glued.unrecognized == 1
    twins = "".join(
        f"2026-06-09T09:58:1{n}.000+00:00 [diagnostic] lane enqueue: lane=main queueSize=1{n}\n"
        for n in range(4)
    )
    assert len({len(line) for line in twins.splitlines()}) == 1
    scan = _scan("gateway.log", twins)
    assert [line for line, _, _ in _events(scan)] == [1, 2, 3, 4]
    table = [f"| agent-{n} | session file locked | {n:>60} |" for n in range(4)]
    frame = pl.DataFrame({"line": [1, 2, 3, 4], "text": table})
    assert join_records(frame, "", load_envelopes().record_start).height == 4


def test_a_journal_pasted_hard_wrapped_is_read_one_entry_a_record() -> None:
    """A file of journal lines copied from an old console, wrapped at 80
    columns: it is still a journal (most entries start a line), and its pieces
    join back, lines of two pieces too once the width has shown itself."""
    entries = [
        "May 28 06:19:58 gw-prod-01 node[48213]: 2026-05-28T06:19:58.000+02:00 [gateway] "
        "log file: /tmp/openclaw/openclaw-2026-05-28.log",
        JOURNAL_LOCK,
        "May 28 06:20:03 gw-prod-01 node[48213]: 2026-05-28T06:20:03.000+02:00 [diagnostic] "
        "lane enqueue: lane=main queueSize=1",
    ]
    assert [len(_hard_wrapped(e, 80).splitlines()) for e in entries] == [2, 5, 2]
    scan = _scan("journal-paste.txt", "".join(_hard_wrapped(e, 80) + "\n" for e in entries))
    assert scan.envelope == "journald-short"
    assert (scan.lines, scan.unrecognized) == (9, 0)
    lock = next(r for r in scan.rows if r["kind"] == "lock_timeout")
    assert (lock["line"], lock["gateway_pid"], lock["session_id"]) == (3, 48213, WRAPPED_SID)
    assert [line for line, _, _ in _events(scan)] == [1, 3, 8]


def test_a_journal_line_it_does_not_fit_stays_apart() -> None:
    """A stray line in a real journal is no wrap: the entries keep their lines."""
    journal = "\n".join(
        f"May 28 06:20:0{n} gw-prod-01 node[48213]: 2026-05-28T06:20:0{n}.000+02:00 "
        f"[diagnostic] lane enqueue: lane=main queueSize={n}"
        for n in range(3)
    )
    scan = _scan("journal.txt", journal + "\nsomething else entirely\n")
    assert [line for line, _, _ in _events(scan)] == [1, 2, 3]
    assert scan.unrecognized == 1


def test_the_cli_banner_continues_no_line_above_it() -> None:
    """launchd's `gateway.log` prints the banner bare under the old process's last
    line; lines of one width above it looked like a hard wrap, and the banner
    (the new process's version) was glued onto the shutdown line."""
    banner = "🦞 OpenClaw 2026.7.1-2 (3e1a9c4) — I read logs so you don't have to."
    log = "".join(
        f"2026-07-0{day}T18:31:02.301-07:00 [shutdown] completed cleanly in 1{day}1ms\n"
        f"{banner}\n"
        f"2026-07-0{day}T18:40:06.708-07:00 [gateway] starting...\n"
        for day in (2, 3)
    )
    result = ingest_files({"gateway.log": log})
    assert result.events.filter(kind="version").height == 2
    (scan,) = result.files
    assert scan.lines == 6


# A record as the 2026.4 file log writes it (openclaw-formats §1.2, issue paste).
FILE_LOG_LOCK = (
    '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"lane task error: lane=session:agent:main:'
    "openclaw-weixin:direct:o9cq80z9eorqjasg6hb1w-cc4-po@im.wechat durationMs=10663 "
    'error=\\"Error: session file locked (timeout 10000ms): pid=4892 /home/summer/.openclaw/'
    f'agents/main/sessions/{WRAPPED_SID}.jsonl.lock\\"","_meta":{{"runtime":"node",'
    '"runtimeVersion":"22.22.2","hostname":"unknown","name":"{\\"subsystem\\":\\"diagnostic\\"}",'
    '"parentNames":["openclaw"],"date":"2026-04-08T05:52:10.915Z","logLevelId":5,'
    '"logLevelName":"ERROR","path":{"fullFilePath":"file:///usr/lib/node_modules/openclaw/dist/'
    'subsystem-CJEvHE2o.js:454:14","fileName":"subsystem-CJEvHE2o.js","fileNameWithLine":'
    '"subsystem-CJEvHE2o.js:454","fileColumn":"14","fileLine":"454","filePath":"/usr/lib/'
    'node_modules/openclaw/dist/subsystem-CJEvHE2o.js","method":"logToFile"}},'
    '"time":"2026-04-08T13:52:10.915+08:00"}'
)


def _folded(line: str, width: int, keep_blanks: bool, break_words: bool = True) -> str:
    """``line`` as `fold -s -w width` writes it: broken after the last blank within
    the width, or at the width where there is none (a mail client leaves such a
    word whole: ``break_words`` False); a terminal copy drops the blank a line
    ends with (``keep_blanks`` False)."""
    pieces = []
    while len(line) > width:
        cut = line.rfind(" ", 0, width)
        if cut <= 0 and not break_words:
            cut = line.find(" ", width)
            if cut < 0:
                break
        at = cut + 1 if cut > 0 else width
        pieces.append(line[:at] if keep_blanks else line[:at].rstrip(" "))
        line = line[at:]
    return "\n".join([*pieces, line])


@settings(max_examples=40, deadline=None)
# A line that ends `"logToFile"}}` closes `_meta`, not the record (CI found it).
@example(width=123, keep_blanks=False, fenced=False, hard=False)
@given(
    width=st.integers(min_value=48, max_value=160),
    keep_blanks=st.booleans(),
    fenced=st.booleans(),
    hard=st.booleans(),
)
def test_a_json_record_a_soft_wrap_broke_is_read_whole(
    width: int, keep_blanks: bool, fenced: bool, hard: bool
) -> None:
    """A file-log record pasted through `fold -s` (broken at its blanks, and inside
    a word only where none is near), a mail client or a terminal copy, or hard
    at the width, between prose: one lock error, its session and its message as
    written (Z118: every piece was a fragment, the host's incident lost). Every
    piece is an event line."""
    wrapped = (
        _hard_wrapped(FILE_LOG_LOCK, width) if hard else _folded(FILE_LOG_LOCK, width, keep_blanks)
    )
    fence = ["```json"] if fenced else []
    ticket = "\n".join(
        ["The gateway log shows:", "", *fence, wrapped, *(["```"] if fenced else []), "", "thanks"]
    )
    scan = _scan("ticket.md", ticket + "\n")
    first = 3 + len(fence)
    assert _events(scan) == [(first, "lock_timeout", WRAPPED_SID)]
    (row,) = scan.rows
    assert row["message"] == json.loads(FILE_LOG_LOCK)["1"]
    assert row["ts_raw"] == "2026-04-08T13:52:10.915+08:00"
    assert scan.event_lines == len(wrapped.splitlines())


def test_log_lines_a_mail_client_soft_wrapped_are_read_whole() -> None:
    """A journal block quoted in a mail reply wrapped at 76 columns at its blanks
    (the quote marks taken off): each entry's pieces are joined, the last one too
    (it is carried to the end of the file alone), so the takeover and both
    watchdog releases are read; the prose between blocks stays prose (Z118)."""
    path = "/home/oc/.openclaw/agents/main/sessions/7b1e3c52-90d4-4f5e-a1c6-2f0d8e6b9a41.jsonl"
    entries = [
        f"Jun 03 14:2{n}:41 lisbon-gw01 node[48112]: 2026-06-03T14:2{n}:41.118+01:00 "
        "[diagnostic] lane task error: lane=main durationMs=60213 "
        'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
        f'pid=48112 {path}.lock"'
        for n in range(3)
    ] + [
        "Jun 03 14:33:12 lisbon-gw01 node[48112]: [session-write-lock] releasing lock "
        f"held for 732311ms (max=720000ms): {path}.lock"
    ]
    wrapped = "\n".join(
        "> " + piece
        for entry in entries
        for piece in _folded(entry, 76, False, break_words=False).splitlines()
    )
    scan = _scan("reply.eml", "Hi,\n\nsee below:\n\n" + wrapped + "\n\nThanks, Ana\n")
    kinds = [kind for _, kind, _ in _events(scan)]
    assert kinds == ["lock_timeout"] * 3 + ["lock_released_by_watchdog"]
    assert scan.unrecognized == 3  # the prose


@pytest.mark.parametrize(("first", "second"), [(100, 72), (72, 100), (132, 76)])
def test_each_paste_of_a_thread_is_read_at_its_own_wrap_width(first: int, second: int) -> None:
    """A thread where one person pasted `fold -s -w 100` and another a mail
    client's 72-column wrap: each block's entries are joined at its own width,
    so every lock error is read (Z127: the mail-wrapped journal went
    unrecognised, read against the widest wrap in the file)."""
    path = "/home/oc/.openclaw/agents/main/sessions/7b1e3c52-90d4-4f5e-a1c6-2f0d8e6b9a41.jsonl"

    def block(width: int, host: str) -> list[str]:
        entries = [
            f"Jun 03 14:2{n}:41 {host} node[48112]: 2026-06-03T14:2{n}:41.118+01:00 "
            "[diagnostic] lane task error: lane=main durationMs=60213 "
            'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
            f'pid=48112 {path}.lock"'
            for n in range(4)
        ]
        return [
            piece
            for entry in entries
            for piece in _folded(entry, width, False, break_words=False).splitlines()
        ]

    folded, mailed = block(first, "fsn1-gw"), block(second, "fsn2-gw")
    thread = "\n\n".join(
        [
            "carol-ops commented:",
            "\n".join(["```console", *folded, "```"]),
            "alice-fsn replied by mail:",
            "\n".join(mailed),
            "thanks",
        ]
    )
    scan = _scan("issue-thread.md", thread + "\n")
    kinds = [kind for _, kind, _ in _events(scan)]
    assert kinds == ["lock_timeout"] * 8
    assert {r["host"] for r in scan.rows} == {"fsn1-gw", "fsn2-gw"}
    assert scan.event_lines == len(folded) + len(mailed)


def _lock_line(at: str, pid: int, sid: str) -> str:
    return (
        f"2026-06-02T{at}-05:00 error diagnostic lane task error: lane=main durationMs=60213 "
        f'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid={pid} '
        f'/var/lib/openclaw/.openclaw/agents/main/sessions/{sid}.jsonl.lock"'
    )


def _hung(line: str, width: int, indent: str) -> list[str]:
    """``line`` wrapped at ``width`` columns, each piece after the first behind ``indent``."""
    step = width - len(indent)
    rest = line[width:]
    return [line[:width], *(indent + rest[i : i + step] for i in range(0, len(rest), step))]


def test_each_paste_of_a_chat_takes_off_its_own_hanging_indent() -> None:
    """Alice's paste hangs by four spaces at 120 columns, Dave's by two at 100:
    each record loses its own indent, not the file's least (Z217: two blanks
    left inside Alice's session id, her copies counted again on another host)."""
    alice_sid, dave_sid = (
        "7f3c2a91-5d0e-4b8a-9c1f-2e6d8a4b7c30",
        "e2d7a4c8-9b31-4f6e-a0d5-6c8b1f7e3a92",
    )
    chat = [
        "alice  9:43 PM",
        "from prod-a:",
        *_hung(_lock_line("15:41:05.220", 48211, alice_sid), 120, "    "),
        "",
        "dave  10:02 PM",
        "and this one:",
        *_hung(_lock_line("15:44:10.512", 3310, dave_sid), 100, "  "),
    ]
    events = ingest_files({"incident-notes.txt": "\n".join(chat) + "\n"}).events
    assert events.select("session_id", "pid").rows() == [(alice_sid, 48211), (dave_sid, 3310)]


def test_records_a_chat_cut_once_each_at_one_column_are_read_whole() -> None:
    """Bob's journal lines, each cut once at column 180 and carried on an
    indented piece: one full piece at one width opening three records shows
    the wrap (Z217: two lock errors lost, only their echoes left)."""
    sid = "e2d7a4c8-9b31-4f6e-a0d5-6c8b1f7e3a92"
    journal = [
        f"Jun 02 15:{m}:10 prod-b node[3310]: "
        + _lock_line(f"15:{m}:10.512", 3310, sid).replace("error diagnostic", "[diagnostic]")
        for m in (44, 45, 46)
    ]
    chat = [
        "bob  9:46 PM",
        "prod-b journal:",
        *(p for line in journal for p in _hung(line, 180, "  ")),
    ]
    assert all(len(_hung(line, 180, "  ")) == 2 for line in journal)
    events = ingest_files({"incident-notes.txt": "\n".join(chat) + "\n"}).events
    assert events.select("session_id", "host").rows() == [(sid, "prod-b")] * 3
