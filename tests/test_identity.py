"""Sessions named by key (lease-era lock errors, lanes) and by id (transcript paths) are one."""

from __future__ import annotations

import json
from typing import Any

import polars as pl
import pytest

from lockforensics.correlate import identity
from lockforensics.findings import Settings
from lockforensics.parsing import chunks
from lockforensics.pipeline import analyze
from tests.conftest import ingest_files

SID = "2bc0117f-8cd0-43a6-a382-1b4ebc062f6d"
PATH = f"/data/.openclaw/agents/main/sessions/{SID}.jsonl"
KEY = "agent:main:telegram:direct:5550001"
STALE = f"session file lock stale (lease-lost): replacement sqlite:session-write:{KEY}"
TAKEOVER = f"EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt lock was released: {PATH}"


def _lines(*rows: tuple[str, str]) -> str:
    return "".join(f"2026-11-03T09:{ts}+00:00 [diagnostic] {text}\n" for ts, text in rows)


def test_key_and_id_of_one_session_count_once() -> None:
    """A lease error (key) and a takeover (id) linked by a lane mirror are one session."""
    text = _lines(
        ("20:00.000", f'lane task error: lane=main durationMs=61000 error="{STALE}"'),
        ("20:02.000", f'lane task error: lane=main durationMs=85716 error="{TAKEOVER}"'),
        ("20:02.005", f'lane task error: lane=session:{KEY} durationMs=85722 error="{TAKEOVER}"'),
    )
    findings = analyze(ingest_files({"gateway.log": text}), Settings())
    assert findings.headline.lock_stale == 1
    assert findings.headline.takeovers == 1
    assert findings.headline.sessions == 1
    assert set(findings.failures["session_id"].to_list()) == {SID}
    assert findings.alignment["with_lock_precursor"] == 1


def test_unlinked_key_is_the_session() -> None:
    """With no line linking a key to an id, the key itself is the session (never null)."""
    text = _lines(("20:00.000", STALE), ("20:09.000", STALE.replace(KEY, "agent:main:main")))
    findings = analyze(ingest_files({"gateway.log": text}), Settings())
    assert sorted(findings.failures["session_id"].to_list()) == sorted([KEY, "agent:main:main"])
    assert findings.headline.sessions == 2


def test_key_reused_by_a_new_transcript_links_to_the_nearest_id() -> None:
    """A key whose transcript was reset links each key-only line to the id nearest in time."""
    frame = pl.LazyFrame(
        {
            "ts": pl.Series(
                [
                    "2026-11-03T09:00:00",
                    "2026-11-03T09:01:00",
                    "2026-11-03T12:00:00",
                    "2026-11-03T12:00:05",
                ]
            ).str.to_datetime(time_zone="UTC"),
            "session_id": ["old", None, "new", None],
            "session_is_placeholder": [False, None, False, None],
            "session_key": ["agent:a:main"] * 4,
        }
    )
    assert identity.link(frame).collect()["session"].to_list() == ["old", "old", "new", "new"]


def test_placeholder_id_falls_back_to_the_key() -> None:
    """A redacted id (`<session>`) is not an identity; the line's key is."""
    frame = pl.LazyFrame(
        {
            "ts": pl.Series(["2026-11-03T09:00:00"]).str.to_datetime(time_zone="UTC"),
            "session_id": ["<session>"],
            "session_is_placeholder": [True],
            "session_key": ["agent:a:main"],
        }
    )
    assert identity.link(frame).collect()["session"].to_list() == ["agent:a:main"]


def test_placeholder_key_is_no_identity() -> None:
    """A redacted key (`<key>`) neither names a session nor links one: a line with a
    real id keeps it, and a line with nothing real has no session."""
    frame = pl.LazyFrame(
        {
            "ts": pl.Series(
                ["2026-11-03T09:00:00", "2026-11-03T09:00:01", "2026-11-03T09:00:02"]
            ).str.to_datetime(time_zone="UTC"),
            "session_id": ["real-id", None, None],
            "session_is_placeholder": [False, None, None],
            "session_key": ["<key>", "<key>", "agent:a:main"],
        }
    )
    assert identity.link(frame).collect()["session"].to_list() == [
        "real-id",
        None,
        "agent:a:main",
    ]


def test_a_key_links_to_ids_on_its_own_host_only() -> None:
    """prod and staging run the same agents: both name a session `agent:main:main`,
    each linked to its own transcript.  A lease error naming the key on staging is
    staging's session, not prod's transcript linked nearer in time."""
    key = "agent:main:main"
    lease = f"session file lock stale (lease-lost): replacement sqlite:session-write:{key}"

    def host_log(host: str, sid: str, minute: int) -> str:
        return "".join(
            f"2026-11-03T09:{minute:02d}:{second:02d}.000+00:00 {host} openclaw[7]: "
            f"[diagnostic] {text}\n"
            for second, text in (
                (
                    0,
                    f'lane task error: lane=session:{key} durationMs=12 error="{TAKEOVER.replace(SID, sid)}"',
                ),
                (30, lease),
            )
        )

    prod, staging = "1bc0117f-8cd0-43a6-a382-1b4ebc062f6d", "3bc0117f-8cd0-43a6-a382-1b4ebc062f6d"
    files = {
        "prod/journal.txt": host_log("prod", prod, 20),
        "staging/journal.txt": host_log("staging", staging, 21),
    }
    failures = analyze(ingest_files(files), Settings()).failures
    stale = failures.filter(pl.col("kind") == "lock_stale").sort("ts")
    assert stale.select("host", "session_id").rows() == [("prod", prod), ("staging", staging)]


def test_a_journal_naming_its_host_short_is_the_host_the_file_log_names_in_full() -> None:
    """The journal says `karens-macbook`, the file log's records `karens-macbook.fritz.box`:
    one host, so each failure logged in both is one failure of one incident."""
    path = "/home/karen/.openclaw/agents/main/sessions/11111111-aaaa-4bbb-8ccc-000000000001.jsonl"

    def error(second: int) -> str:
        return (
            f'lane task error: lane=main durationMs=60012 error="Error: session file locked '
            f'(timeout 60000ms): pid=48121 alive=true ageMs={183000 + second} {path}.lock"'
        )

    tslog = "".join(
        json.dumps(
            {
                "0": json.dumps({"subsystem": "diagnostic"}),
                "1": error(second),
                "_meta": {"date": f"2026-06-15T07:16:{second:02d}.000Z", "logLevelName": "ERROR"},
                "hostname": "karens-macbook.fritz.box",
                "time": f"2026-06-15T09:16:{second:02d}.000+02:00",
            }
        )
        + "\n"
        for second in (5, 35)
    )
    journal = "".join(
        f"2026-06-15T09:16:{second:02d}+0200 karens-macbook node[48121]: "
        f"2026-06-15T09:16:{second:02d}.000+02:00 [diagnostic] {error(second)}\n"
        for second in (5, 35)
    )
    findings = analyze(
        ingest_files({"openclaw-2026-06-15.log": tslog, "journal.txt": journal}), Settings()
    )
    assert findings.hosts == ("karens-macbook.fritz.box",)
    assert findings.incidents.select("host", "lock_timeout").rows() == [
        ("karens-macbook.fritz.box", 2)
    ]


def _senders_record(message: str, at: str, session_id: str) -> dict[str, Any]:
    """A newer file log's record of a diagnostic error, logged with main's run as
    its context (top-level `agent_id`, `session_id`)."""
    return {
        "0": '{"subsystem":"diagnostic"}',
        "1": message,
        "_meta": {"name": '{"subsystem":"diagnostic"}', "logLevelName": "ERROR"},
        "time": at,
        "agent_id": "main",
        "session_id": session_id,
    }


def test_a_lock_of_another_agents_session_is_that_agents() -> None:
    """`sessions_send` from `main` into an `ops` session fails on a lock under
    `agents/ops/` while logged under `main`'s lane and, in a newer file log, with
    `main`'s run as the record's context (top-level `agent_id`, `session_id`).
    The failure is `ops`'s, with no key of `main`'s: `--agent main` leaves it out."""
    sid = "7c1e0b52-3f4a-4d1e-9a0b-5e2f6c8d1a10"
    lock = f"/home/oc/.openclaw/agents/ops/sessions/{sid}.jsonl.lock"
    message = (
        "lane task error: lane=session:agent:main:main durationMs=60012 "
        f'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
        f'pid=48213 alive=true ageMs=70312 {lock}"'
    )
    record = _senders_record(message, "2026-06-03T13:20:05.118-05:00", "agent:main:main")
    console = f"2026-06-03T13:20:05.118-05:00 [diagnostic] {message}\n"
    files = {"openclaw-2026-06-03.log": json.dumps(record) + "\n", "gateway.log": console}
    findings = analyze(ingest_files(files), Settings())
    (failure,) = findings.failures.select("agent", "session_id", "session_key").rows()
    assert failure == ("ops", sid, None)
    events = findings.events.filter(pl.col("kind") == "lock_timeout").collect()
    assert set(events.get_column("agent")) == {"ops"}
    assert set(events.get_column("session_key").drop_nulls()) == set()
    assert analyze(ingest_files(files), Settings(agents=("main",))).headline.lock_timeout == 0


@pytest.mark.parametrize("vectorised", [True, False])
def test_a_lease_of_another_agents_session_is_that_agents(vectorised: bool) -> None:
    """The lease era: `sessions_send` from main into ops fails on the lease
    `sqlite:session-write:agent:ops:main`, logged on main's nested lane with main's
    run as the record's context (top-level `agent_id` main, `session_id` main's
    transcript id). The failure is ops's session, not main's (Z121: charged to the
    caller, the ops takeover after it left with no precursor)."""
    message = (
        "lane task error: lane=nested durationMs=60012 "
        'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
        'another OpenClaw process sqlite:session-write:agent:ops:main"'
    )
    record = _senders_record(
        message, "2026-11-13T09:20:11.402+01:00", "0e6f3b2a-9c41-4d7e-8a55-1f2b3c4d5e60"
    )
    # Enough copies for the vectorised reader (VECTOR_MIN), a second apart.
    count = chunks.VECTOR_MIN if vectorised else 1
    text = "".join(
        json.dumps({**record, "time": f"2026-11-13T09:{20 + n // 60:02d}:{n % 60:02d}.402+01:00"})
        + "\n"
        for n in range(count)
    )
    result = ingest_files({"openclaw-2026-11-13.log": text})
    rows = result.events.filter(pl.col("kind") == "lock_timeout")
    assert set(rows.select("agent", "session_id", "session_key").rows()) == {
        ("ops", None, "agent:ops:main")
    }


def test_a_key_the_support_export_redacted_is_the_one_real_key_it_fits() -> None:
    """The export sanitizes runs of 9 or more digits to `<redacted-id>`: a key that
    one real key alone fits is that session; one that two fit, or another
    placeholder beside it, is none."""
    keys = pl.Series(
        [
            "agent:writer:telegram:direct:7723419980",
            "agent:writer:telegram:direct:<redacted-id>",
            "agent:main:telegram:direct:111111111",
            "agent:main:telegram:direct:222222222",
            "agent:main:telegram:direct:<redacted-id>",
            "agent:ops:telegram:direct:12345",
            "agent:ops:telegram:direct:<redacted-id>",
            "agent:<agent>:telegram:direct:<redacted-id>",
        ]
    )
    assert identity.unredacted(keys) == {
        "agent:writer:telegram:direct:<redacted-id>": "agent:writer:telegram:direct:7723419980"
    }


def test_a_run_ending_on_a_redacted_key_clears_the_session_its_failure_named_whole() -> None:
    """The journal names the failing session's key whole; the export's sanitized
    log has the lane's `task done` on the redacted key: that run's end clears
    the session (Z175: the incident unresolved)."""
    key = "agent:writer:telegram:direct:7723419980"
    redacted = "agent:writer:telegram:direct:<redacted-id>"
    waited = (
        "SessionWriteLockTimeoutError: session file locked (timeout 60000ms): "
        f"another OpenClaw process sqlite:session-write:{key}"
    )
    text = _lines(
        ("20:00.000", f'lane task error: lane=session:{key} durationMs=60012 error="{waited}"'),
        ("20:30.000", f'lane task error: lane=session:{key} durationMs=60013 error="{waited}"'),
        (
            "21:05.318",
            f"lane task done: lane=session:{redacted} durationMs=127338 active=0 queued=0",
        ),
    )
    findings = analyze(ingest_files({"gateway.log": text}), Settings())
    row = findings.incidents.row(0, named=True)
    assert (row["resolved_by"], row["open_targets"]) == ("run", [])


def test_a_failure_on_global_lanes_takes_the_key_other_lines_name_its_session_by() -> None:
    """Failures logged on `lane=main` alone name the transcript, no key; the
    gateway's `stuck session` line names both: the session's type is the key's,
    not "unknown" (Z177, Z185)."""
    path = f"/data/.openclaw/agents/main/sessions/{SID}.jsonl.lock"
    waited = f"Error: session file locked (timeout 10000ms): pid=7 {path}"
    text = _lines(
        ("19:00.000", f"stuck session: sessionId={SID} sessionKey={KEY} state=processing age=125s"),
        ("20:00.000", f'lane task error: lane=main durationMs=10012 error="{waited}"'),
        ("20:30.000", f'lane task error: lane=main durationMs=10013 error="{waited}"'),
    )
    findings = analyze(ingest_files({"gateway.log": text}), Settings())
    assert findings.failures.get_column("session_type").unique().to_list() == ["direct"]
