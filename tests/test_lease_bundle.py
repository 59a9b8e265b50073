"""Ground truth of a generated 2026.11-style bundle (SQLite session-write leases)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from lockforensics.findings import Findings, Settings
from lockforensics.pipeline import analyze, ingest
from samples.generate import build
from tests.conftest import ingest_files


@pytest.fixture(scope="module")
def lease(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Findings]:
    out = tmp_path_factory.mktemp("lease") / "bundle"
    truth = build(out, profile="lease").truth
    return truth, analyze(ingest([Path(out)]), Settings())


def test_lease_bundle_names_sessions_by_lease_key(
    lease: tuple[dict[str, Any], Findings],
) -> None:
    """Every lock error of the lease bundle names a lease key, never a .jsonl.lock file."""
    _, findings = lease
    locks = findings.events.filter(pl.col("kind").is_in(["lock_stale", "lock_timeout"])).collect()
    assert locks.height > 0
    assert locks["lock_path"].str.starts_with("sqlite:session-write:agent:").all()
    assert locks["session_key"].is_not_null().all()


def test_lease_bundle_occurrence_counts_match(lease: tuple[dict[str, Any], Findings]) -> None:
    """Each kind's occurrence count equals the generator's ground truth."""
    truth, findings = lease
    for kind, count in truth["occurrences"].items():
        assert findings.counts.get(kind, 0) == count, kind


def test_lease_bundle_incidents_count_linked_sessions(
    lease: tuple[dict[str, Any], Findings],
) -> None:
    """Incidents hold the truth's sessions by linked identity, once each, with pid and uptime."""
    truth, findings = lease
    got = [
        {
            "start": row["start"].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "sessions": row["session_ids"],
            "lock_stale": row["lock_stale"],
            "lock_timeout": row["lock_timeout"],
            "takeover": row["takeover"],
            "gateway_pid": row["gateway_pid"],
            "uptime_s": row["uptime_s"],
        }
        for row in findings.incidents.iter_rows(named=True)
    ]
    keys = (
        "start",
        "sessions",
        "lock_stale",
        "lock_timeout",
        "takeover",
        "gateway_pid",
        "uptime_s",
    )
    assert got == [{k: i[k] for k in keys} for i in truth["incidents"]]
    distinct = {s for i in truth["incidents"] for s in i["sessions"]}
    assert findings.headline.sessions == len(distinct)


def test_lease_bundle_aligns_takeovers_with_lease_errors(
    lease: tuple[dict[str, Any], Findings],
) -> None:
    """A takeover (named by id) finds its lease-error precursor (named by key) on its session."""
    truth, findings = lease
    with_precursor = sum(t["precursor_ts"] is not None for t in truth["takeovers"])
    assert findings.alignment["with_session_precursor"] == with_precursor
    assert findings.alignment["with_agent_precursor"] == 0


def test_lease_bundle_epoch_starts_at_http_listening(
    lease: tuple[dict[str, Any], Findings],
) -> None:
    """The restarted gateway's epoch starts at its `http server listening (...)` line."""
    truth, findings = lease
    successor = findings.epochs.row(1, named=True)
    want = truth["gateway"]["epochs"][1]
    assert successor["pid"] == want["pid"]
    assert successor["start_source"] == "start_line"
    assert successor["start"].strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z" == want["start"]


def test_a_takeover_naming_its_session_by_key_follows_the_lease_error() -> None:
    """A 2026.7+ takeover may name its session by key where a transcript path stood
    (OpenClaw's own controller tests throw it with `agent:main:main`): its three lines
    are one takeover, linked through its cleanup line's sessionId to the same session
    as the lease error on that key 100 s before."""
    released = "session file changed while embedded prompt lock was released: agent:main:main"
    text = (
        "2026-08-20T05:13:40.250+05:30 [diagnostic] lane task error: lane=session:agent:main:main "
        'durationMs=2210 error="SessionWriteLockStaleError: session file lock stale '
        '(orphan-self-pid): pid=41210 alive=true ageMs=153002 sqlite:session-write:agent:main:main"\n'
        "2026-08-20T05:15:20.410+05:30 [agent/embedded] embedded attempt cleanup detected session "
        "takeover after prompt failure; preserving prompt error: runId=9b1d2c3e "
        f"sessionId=6e0c1a53-7d2b-4f11-8c9e-0a1b2c3d4e5f promptError={released} "
        f"cleanupError={released}\n"
        "2026-08-20T05:15:20.415+05:30 [diagnostic] lane task error: lane=main durationMs=95012 "
        f'error="EmbeddedAttemptSessionTakeoverError: {released}"\n'
        "2026-08-20T05:15:20.420+05:30 [diagnostic] lane task error: lane=session:agent:main:main "
        f'durationMs=95018 error="EmbeddedAttemptSessionTakeoverError: {released}"\n'
    )
    findings = analyze(ingest_files({"console.log": text}), Settings())
    assert findings.headline.takeovers == 1
    assert findings.alignment["with_session_precursor"] == 1
    assert findings.alignment["lag_s_p50"] == 100.16


def _boot_then_locks(owner_line: str) -> str:
    """A 2026.8 console: a start that names no pid, two lock errors, then a lock
    error whose owner line is ``owner_line``."""
    return (
        "2026-08-20T04:41:00.050+05:30 [gateway] starting...\n"
        "2026-08-20T04:41:06.210+05:30 [gateway] ready\n"
        "2026-08-20T05:12:04.118+05:30 [diagnostic] lane task error: lane=session:agent:main:main "
        'durationMs=60011 error="SessionWriteLockTimeoutError: session file locked '
        '(timeout 60000ms): another OpenClaw process sqlite:session-write:agent:main:main"\n'
        "2026-08-20T05:12:31.502+05:30 [diagnostic] lane task error: lane=session:agent:ops:main "
        'durationMs=60004 error="SessionWriteLockTimeoutError: session file locked '
        '(timeout 60000ms): another OpenClaw process sqlite:session-write:agent:ops:main"\n'
        f"{owner_line}\n"
    )


@pytest.mark.parametrize(
    "owner_line",
    [
        "2026-08-20T05:13:40.250+05:30 [diagnostic] lane task error: lane=session:agent:main:main "
        'durationMs=2210 error="SessionWriteLockStaleError: session file lock stale '
        '(orphan-self-pid): pid=41210 alive=true ageMs=153002 sqlite:session-write:agent:main:main"',
        "2026-08-20T05:31:02.640+05:30 [diagnostic] lane task error: lane=session:agent:main:main "
        'durationMs=60002 error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
        "held by this process (pid 41210); an earlier run has not released it "
        'sqlite:session-write:agent:main:main"',
    ],
    ids=["orphan-self-pid", "held-by-this-process"],
)
def test_a_start_naming_no_pid_takes_the_pid_its_own_locks_name(owner_line: str) -> None:
    """A 2026.6+ `ready` names no pid; a lock that is the writer's own (stale as
    `orphan-self-pid`, or `held by this process (pid N)`) names it.  That pid is the
    started process's, not a process that began unannounced mid-incident: one epoch,
    pid 41210, and the incident's gateway pid and exact uptime come from it."""
    findings = analyze(ingest_files({"console.log": _boot_then_locks(owner_line)}), Settings())
    assert findings.epochs.select("pid", "opened_by", "start_source").rows() == [
        (41210, "start", "start_line")
    ]
    incident = findings.incidents.row(0, named=True)
    assert incident["gateway_pid"] == 41210
    assert incident["uptime_is_lower_bound"] is False
    assert incident["uptime_s"] == 1857  # 05:12:04.118 - 04:41:06.210, whole seconds


def test_a_pid_a_later_start_names_is_not_taken_by_an_earlier_one() -> None:
    """The pid a later `listening … (PID n)` announces is that start's process: an
    earlier start that names none does not take it, even when a line of that pid
    comes first (a journal's boot lines before its `listening` line)."""
    text = (
        "2026-08-20T04:41:06.210+05:30 [gateway] ready\n"
        "2026-08-20T06:00:00.000+05:30 [diagnostic] lane task error: lane=session:agent:main:main "
        'durationMs=2210 error="SessionWriteLockStaleError: session file lock stale '
        '(orphan-self-pid): pid=777 alive=true ageMs=153002 sqlite:session-write:agent:main:main"\n'
        "2026-08-20T06:00:01.000+05:30 [gateway] listening on ws://127.0.0.1:18789 (PID 777)\n"
    )
    findings = analyze(ingest_files({"console.log": text}), Settings())
    assert findings.epochs.get_column("pid")[0] is None


def test_an_in_process_restart_keeps_its_process_pid() -> None:
    """An in-process restart (containers, OPENCLAW_NO_RESPAWN) keeps the pid, but a
    2026.7 console names it on neither the restart nor the `ready` after it: the
    epoch it opens takes the pid of the process that restarted (41210, from its
    own lock), and the lock errors after the restart are that epoch's, 120 s up."""
    text = _boot_then_locks(
        "2026-08-20T05:13:40.250+05:30 [diagnostic] lane task error: lane=session:agent:main:main "
        'durationMs=2210 error="SessionWriteLockStaleError: session file lock stale '
        '(orphan-self-pid): pid=41210 alive=true ageMs=153002 sqlite:session-write:agent:main:main"'
    ) + (
        "2026-08-20T06:00:00.000+05:30 [gateway] restart mode: in-process restart "
        "(OPENCLAW_NO_RESPAWN)\n"
        "2026-08-20T06:00:03.000+05:30 [gateway] ready\n"
        "2026-08-20T06:02:03.500+05:30 [diagnostic] lane task error: lane=session:agent:ops:main "
        'durationMs=60004 error="SessionWriteLockTimeoutError: session file locked '
        '(timeout 60000ms): another OpenClaw process sqlite:session-write:agent:ops:main"\n'
        "2026-08-20T06:02:31.500+05:30 [diagnostic] lane task error: lane=session:agent:main:main "
        'durationMs=60004 error="SessionWriteLockTimeoutError: session file locked '
        '(timeout 60000ms): another OpenClaw process sqlite:session-write:agent:main:main"\n'
    )
    findings = analyze(ingest_files({"console.log": text}), Settings())
    assert findings.epochs.select("pid", "opened_by").rows() == [
        (41210, "start"),
        (41210, "in_process_restart"),
    ]
    last = findings.incidents.sort("start").row(-1, named=True)
    assert (last["gateway_pid"], last["uptime_s"], last["uptime_is_lower_bound"]) == (
        41210,
        120,
        False,
    )
