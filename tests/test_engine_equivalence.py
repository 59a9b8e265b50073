"""The vectorised chunk engine and the line-by-line reference give identical tables.

The engine (parsing/vector.py) settles high-volume lines in bulk; the per-line
reader (parsing/lines.py) can read every candidate alone.  Whatever the engine
takes, it must produce exactly the rows, accounting and zone evidence the
reference does, on every sample and fixture, in every envelope.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from lockforensics.ingest.bundle import memory_input, walk
from lockforensics.parsing import chunks
from lockforensics.parsing.scan import Scanner
from lockforensics.parsing.signatures import load_catalog
from lockforensics.pipeline import Ingest, ingest_inputs
from lockforensics.schema import ACTIVITY_KINDS
from tests import hostile

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "fleet-2026-05-28"
ACCOUNTING = ("lines", "event_lines", "noise_lines", "unrecognized", "relevant", "envelope")


@pytest.fixture(autouse=True)
def _vectorise_every_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small fixtures would stay under the engine's per-chunk threshold: lift it."""
    monkeypatch.setattr(chunks, "VECTOR_MIN", 0)


def _both(files: dict[str, bytes]) -> tuple[Ingest, Ingest]:
    results = []
    for vectorised in (True, False):
        inputs = [memory_input(name, data) for name, data in files.items()]
        results.append(ingest_inputs(inputs, jobs=1, vectorised=vectorised))
    return results[0], results[1]


def assert_same(fast: Ingest, reference: Ingest) -> None:
    """Same table, same per-input accounting and zone evidence."""
    assert_frame_equal(fast.events, reference.events)
    for a, b in zip(fast.files, reference.files, strict=True):
        assert [getattr(a, f) for f in ACCOUNTING] == [getattr(b, f) for f in ACCOUNTING], a.source
        assert (a.offsets, a.years, a.offset_spans) == (b.offsets, b.years, b.offset_spans), (
            a.source
        )
        assert a.unrecognized_samples == b.unrecognized_samples, a.source
        assert a.relevant_samples == b.relevant_samples, a.source


_LEVEL: dict[str, object] = {"logLevelId": 3, "logLevelName": "INFO"}


def _tslog(
    message: str,
    subsystem: str,
    second: int,
    meta: dict[str, object] | None,
    level: tuple[str, ...] = ("logLevelId", "logLevelName"),
    top: dict[str, object] | None = None,
    top_first: bool = False,
) -> str:
    """A file-log line; ``level``: which of the level's number and name it writes;
    ``top``: the top-level keys a newer file log adds, after ``time`` or, with
    ``top_first``, before ``_meta`` (their place is not known)."""
    binding = json.dumps({"subsystem": subsystem}, separators=(",", ":"))
    record: dict[str, object] = {"0": binding}
    if meta is None:
        record["1"] = message
    else:
        record["1"], record["2"] = meta, message
    if top_first:
        record.update(top or {})
    record["_meta"] = {
        "runtime": "node",
        "hostname": "gw-1",
        "name": binding,
        "date": f"2026-05-28T04:20:{second:02d}.000Z",
        **{key: _LEVEL[key] for key in level},
        "path": {"fullFilePath": "file:///x/subsystem-ab.js:1:2", "method": "logToFile"},
    }
    record["time"] = f"2026-05-28T06:20:{second:02d}.{second:03d}+02:00"
    if not top_first:
        record.update(top or {})
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


#: Each message as every vectorisable envelope writes it (message, subsystem, second).
WRAPPERS = {
    "tslog": lambda m, sub, s: _tslog(m, sub, s, None),
    "tslog-meta": lambda m, sub, s: _tslog(m, sub, s, {"runId": f"r-{s}", "durationMs": s}),
    # The level by number only, or not at all: the vectorised reader looks
    # for the number only where no name is written.
    "tslog-level-id": lambda m, sub, s: _tslog(m, sub, s, None, ("logLevelId",)),
    "tslog-no-level": lambda m, sub, s: _tslog(m, sub, s, None, ()),
    # 2026.4.26+: top-level keys, the session "id" being an id or a key.
    "tslog-top-keys": lambda m, sub, s: _tslog(
        m,
        sub,
        s,
        None,
        top={
            "hostname": "gw-1",
            "agent_id": "main",
            "session_id": "agent:main:main" if s % 2 else f"6e0c1a53-7d2b-4f11-8c9e-{s:012d}",
        },
    ),
    # The same keys before `_meta`, the message among them, channel too.
    "tslog-top-keys-first": lambda m, sub, s: _tslog(
        m,
        sub,
        s,
        {"runId": f"r-{s}"} if s % 3 == 0 else None,
        top={
            "hostname": "gw-1",
            "message": m,
            "agent_id": "main",
            "session_id": "agent:main:main" if s % 2 else f"6e0c1a53-7d2b-4f11-8c9e-{s:012d}",
            "channel": "whatsapp",
        },
        top_first=True,
    ),
    "logs-plain": lambda m, sub, s: f"2026-05-28T06:20:{s:02d}.100+02:00 info {sub} {m}",
    "console": lambda m, sub, s: f"2026-05-28T06:20:{s:02d}.100+02:00 [{sub}] {m}",
    "journald-iso": lambda m, sub, s: f"2026-05-28T06:20:{s:02d}+0200 gw-1 node[4821]: [{sub}] {m}",
    "docker": lambda m, sub, s: f"2026-05-28T04:20:{s:02d}.123456789Z [{sub}] {m}",
    # Other journalctl outputs around a console line with its own dated stamp.
    "journald-precise": lambda m, sub, s: (
        f"May 28 06:20:{s:02d}.104381 gw-1 node[4821]: 2026-05-28T06:20:{s:02d}.100+02:00 [{sub}] {m}"
    ),
    "journald-full": lambda m, sub, s: (
        f"Thu 2026-05-28 06:20:{s:02d} CEST gw-1 node[4821]: "
        f"2026-05-28T06:20:{s:02d}.100+02:00 [{sub}] {m}"
    ),
    "journald-unix": lambda m, sub, s: (
        f"17799480{s:02d}.104381 gw-1 node[4821]: 2026-05-28T06:20:{s:02d}.100+02:00 [{sub}] {m}"
    ),
    "docker-compose": lambda m, sub, s: (
        f"openclaw-gateway-1  | 2026-05-28T06:20:{s:02d}.100+02:00 [{sub}] {m}"
    ),
    "docker-compose-ts": lambda m, sub, s: (
        f"openclaw-gateway-1  | 2026-05-28T04:20:{s:02d}.123456789Z [{sub}] {m}"
    ),
    "kubectl-prefix": lambda m, sub, s: (
        f"[pod/openclaw-0/gateway] 2026-05-28T06:20:{s:02d}.100+02:00 [{sub}] {m}"
    ),
    "journald-monotonic": lambda m, sub, s: (
        f"[ 8120.{s:06d}] gw-1 node[4821]: 2026-05-28T06:20:{s:02d}.100+02:00 [{sub}] {m}"
    ),
}


def _examples() -> list[str]:
    """The message of every example line in the signature catalog."""
    out = []
    for rule in load_catalog().rules:
        for example in rule.examples:
            line = example.line
            out.append(line if not line.startswith("{") else json.loads(line).get("1", ""))
    # A message holding a line break is a line only inside a file-log record,
    # which escapes it (its example is read as such, test_signatures): set in
    # a console line, it would be several.
    return [m for m in out if isinstance(m, str) and m and not {"\n", "\r"} & set(m)]


def test_sample_bundle_tables_are_identical() -> None:
    """The bundled sample reads the same through the engine and the reference."""
    fast, reference = (
        ingest_inputs(walk([SAMPLE]).inputs, jobs=1, vectorised=v) for v in (True, False)
    )
    assert_same(fast, reference)
    assert fast.events.filter(pl.col("kind").is_in(sorted(ACTIVITY_KINDS))).height > 100


def test_hostile_fixture_tables_are_identical() -> None:
    """Hostile text reads the same through the engine and the reference."""
    assert_same(*_both({k: v.encode() for k, v in hostile.files().items()}))


@pytest.mark.parametrize("envelope", sorted(WRAPPERS))
def test_every_example_in_every_envelope(envelope: str) -> None:
    """Every catalog example wrapped in each vectorisable envelope reads the same both ways."""
    wrap = WRAPPERS[envelope]
    lines = [wrap(m, "diagnostic", i % 60) for i, m in enumerate(_examples())]
    data = ("\n".join(lines) + "\n").encode()
    assert_same(*_both({f"{envelope}.log": data}))
    # The comparison means something only if the engine took some of them.
    settled = Scanner().scan(memory_input(f"{envelope}.log", data)).frames
    assert sum(frame.height for frame in settled) >= 5


def test_engine_takes_the_high_volume_lines() -> None:
    """Run and lane lines in a file log are settled in bulk, not line by line."""
    lines = [
        _tslog(
            f"embedded run done: runId=r-{i} sessionId=s-{i} durationMs={i}",
            "agent/embedded",
            i % 60,
            None,
        )
        for i in range(200)
    ]
    fast, _ = _both({"openclaw-2026-05-28.log": ("\n".join(lines) + "\n").encode()})
    scan = fast.files[0]
    assert scan.event_lines == 200
    # Text is kept for a bounded sample only.
    assert fast.events.get_column("raw").drop_nulls().len() == 5


_FRAGMENTS = [
    *_examples(),
    "lane enqueue: lane=session:agent:main:main queueSize=2",
    "lane wait exceeded: lane=main waitedMs=3000 queueAhead=1",
    'quoted "text" with \\ backslash lane task done: lane=main durationMs=1',
    "lane task done: lane=main durationMs=1 lane task done: lane=main durationMs=2",
    "12:00:01 [gateway] a time-only console line",
    "plain words and nothing else",
    "",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(
        st.tuples(
            st.sampled_from(_FRAGMENTS),
            st.sampled_from(sorted(WRAPPERS)),
            st.integers(0, 59),
            st.booleans(),
        ),
        min_size=1,
        max_size=40,
    ),
    seed=st.integers(0, 1000),
)
def test_random_mixtures_are_identical(picks: list[tuple[str, str, int, bool]], seed: int) -> None:
    """Any mixture of envelopes, wordings, noise and odd lines reads the same both ways."""
    rng = random.Random(seed)
    lines = [WRAPPERS[env](m, "diagnostic", s) if wrapped else m for m, env, s, wrapped in picks]
    rng.shuffle(lines)
    assert_same(*_both({"mixed.log": ("\n".join(lines) + "\n").encode()}))


def _clock_line(minute: int, message: str, dated: bool) -> tuple[str, datetime]:
    """A console line ``minute`` minutes past 23:00 on 28 May (UTC), time-only or
    dated, and the instant it was written."""
    instant = datetime(2026, 5, 28, 23, 0, 7, tzinfo=UTC) + timedelta(minutes=minute)
    stamp = instant.strftime("%Y-%m-%dT%H:%M:%S.000Z" if dated else "%H:%M:%S")
    return f"{stamp} [diagnostic] {message}", instant


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    picks=st.lists(
        st.tuples(st.sampled_from(_FRAGMENTS[:12]), st.booleans(), st.booleans()),
        min_size=1,
        max_size=60,
    ),
    chunk_bytes=st.sampled_from([200, 700, 1 << 20]),
    batch_rows=st.sampled_from([4, 1 << 20]),
    batch_bytes=st.sampled_from([300, 1 << 30]),
)
def test_batches_across_chunks_read_as_chunk_by_chunk(
    picks: list[tuple[str, bool, bool]], chunk_bytes: int, batch_rows: int, batch_bytes: int
) -> None:
    """Candidates held over several chunks and read as one batch give the table that
    reading each chunk's candidates at once, line by line, gives, and every line
    keeps its true time: midnight rollovers and the date a dated line sets included."""
    lines, truth, minute = [], {}, 0
    for number, (message, dated, jump) in enumerate(picks, start=1):
        minute += 40 if jump else 1  # some steps cross midnight
        line, truth[number] = _clock_line(minute, message, dated)
        lines.append(line)
    data = ("\n".join(lines) + "\n").encode()
    tables = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(chunks, "CHUNK_BYTES", chunk_bytes)
        patch.setattr(chunks, "BATCH_BYTES", batch_bytes)
        for rows, vectorised in ((batch_rows, True), (1, False)):
            patch.setattr(chunks, "BATCH_ROWS", rows)
            inputs = [memory_input("gateway-2026-05-28.log", data)]
            tables.append(ingest_inputs(inputs, jobs=1, vectorised=vectorised))
    assert_same(*tables)
    scan = tables[0].files[0]
    assert scan.lines == len(lines) == scan.event_lines + scan.noise_lines + scan.unrecognized
    times = tables[0].events.filter(pl.col("kind") != "file").select("line", "ts").unique()
    assert {line: truth[line] for line in times.get_column("line")} == dict(times.iter_rows())


def test_systemds_own_lines_name_no_gateway_pid_in_either_path() -> None:
    """`journalctl -o with-unit` names systemd's lines by its unit (`init.scope[1]`,
    `user@1000.service[1190]`): those pids are the supervisor's, as `systemd[1]`'s
    are; the gateway's unit's pid is the gateway's.  Pid 1 had become a gateway
    process that crashed and restarted."""
    stamp = "Tue 2026-06-16 16:31:{:02d} CEST gw-lin-07 "
    lines = [
        "init.scope[1]: openclaw-gateway.service: Main process exited, code=killed, status=11/SEGV",
        "init.scope[1]: Started openclaw-gateway.service - OpenClaw Gateway (v2026.6.9).",
        "user@1000.service[1190]: Stopped openclaw-gateway.service - OpenClaw Gateway (v2026.6.9).",
        "systemd[1]: Started openclaw-gateway.service - OpenClaw Gateway (v2026.6.9).",
        "openclaw-gateway.service[3410]: 2026-06-16T16:31:24.395+02:00 [gateway] ready",
    ]
    text = "".join(stamp.format(second) + line + "\n" for second, line in enumerate(lines))
    fast, reference = _both({"gw2.out": text.encode()})
    assert_same(fast, reference)
    events = fast.events.sort("line")
    assert events["line"].to_list() == [1, 2, 3, 4, 5]
    assert events["gateway_pid"].to_list() == [None, None, None, None, 3410]


def test_a_consoles_zoned_clock_on_a_journals_day_reads_the_same_both_ways() -> None:
    """`Apr 05 01:34:30 host node[7]: 01:34:30+10:30 [diagnostic] …`: the console's
    clock and offset on the journal's day (the per-line reader's), each line its own
    offset across a DST fall-back."""
    lines = [
        f"Apr 05 01:{m:02d}:10 gw node[7]: 01:{m:02d}:10{offset} [diagnostic] lane wait exceeded: "
        f"lane=main waitedMs=3000 queueAhead={m}"
        for m, offset in ((50, "+11:00"), (55, "+11:00"), (31, "+10:30"), (36, "+10:30"))
    ]
    header = (
        "-- Logs begin at Sat 2026-04-04 19:40:03 +11, end at Sun 2026-04-05 02:00:00 +1030. --\n"
    )
    fast, reference = _both({"journal.txt": (header + "\n".join(lines) + "\n").encode()})
    assert_same(fast, reference)
    assert [t.isoformat() for t in fast.events.sort("line").get_column("ts")] == [
        "2026-04-04T14:50:10+00:00",
        "2026-04-04T14:55:10+00:00",
        "2026-04-04T15:01:10+00:00",
        "2026-04-04T15:06:10+00:00",
    ]


def test_openclaw_logs_plain_leaves_a_missing_subsystem_out_both_ways() -> None:
    """`openclaw logs --plain` joins `[time, level, label, message]` leaving empty
    parts out: a record with no subsystem has one space after its level.  Its
    message's first word is no subsystem, so the `Embedded agent failed before
    reply` echo stays its failure's (it had been a failure of its own)."""
    lock = (
        "session file locked (timeout 10000ms): pid=2417 "
        "/h/.openclaw/agents/main/sessions/d4a1e7b3-9c2f-4e58-a613-5b0c8f2e9d47.jsonl.lock"
    )
    text = (
        "2026-04-05T08:07:10.100+05:45 error diagnostic lane task error: "
        f'lane=session:agent:main:main durationMs=10011 error="Error: {lock}"\n'
        f"2026-04-05T08:07:10.104+05:45 error Embedded agent failed before reply: {lock}\n"
    )
    fast, reference = _both({"plain.txt": text.encode()})
    assert_same(fast, reference)
    events = fast.events.sort("line")
    assert events["subsystem"].to_list() == ["diagnostic", None]
    assert fast.occurrence_counts() == {"lock_timeout": 1}
