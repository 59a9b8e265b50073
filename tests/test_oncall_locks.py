"""The live lock census: owners that are alive, dead or recycled, leases, and safe removal."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from lockforensics.oncall import locks, locks_render
from lockforensics.oncall.output import OncallFormat
from lockforensics.oncall.procinfo import SystemProbe
from lockforensics.parsing.command_lines import is_gateway, is_openclaw

NOW = datetime.now(tz=UTC)
PROBE = SystemProbe()


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@pytest.fixture
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[bytes]]:
    """A live child whose argv is `node …/dist/index.js gateway`: Python, named
    node, running a script at that path."""
    script = tmp_path_factory.mktemp("openclaw") / "dist" / "index.js"
    script.parent.mkdir()
    script.write_text("import time; time.sleep(60)\n")
    child = subprocess.Popen(["node", str(script), "gateway"], executable=sys.executable)
    yield child
    child.kill()
    child.wait()


def _lock(state: Path, agent: str, session: str, payload: object, age_s: float = 0) -> Path:
    folder = state / "agents" / agent / "sessions"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{session}.jsonl.lock"
    path.write_text(payload if isinstance(payload, str) else json.dumps(payload))
    stamp = (NOW - timedelta(seconds=age_s)).timestamp()
    os.utime(path, (stamp, stamp))
    return path


def _created(age_s: float) -> str:
    return (NOW - timedelta(seconds=age_s)).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _by_session(census: locks.Census) -> dict[str, locks.Lock]:
    return {lock.session_id or lock.path: lock for lock in census.locks}


def test_argv_checks_match_openclaw() -> None:
    """Gateway argv forms are recognised, other programs are not OpenClaw."""
    assert is_gateway(["openclaw-gateway"])
    assert is_gateway(["node", "/usr/lib/node_modules/openclaw/dist/index.js", "gateway"])
    assert is_gateway(["/usr/bin/openclaw", "gateway", "--port", "1"])
    assert not is_gateway(["openclaw", "sessions", "cleanup"])
    assert is_gateway(
        ["node", "--max-old-space-size=4096", "/opt/openclaw/openclaw.mjs", "gateway"]
    )
    assert is_gateway(["openclaw", "gateway", "run", "--bind", "lan"])
    # What an operator runs beside it names it and is none (Z126).
    assert not is_gateway(["journalctl", "--user", "-u", "openclaw-gateway", "-f"])
    assert not is_gateway(["watch", "-n", "30", "openclaw", "gateway", "status"])
    assert not is_gateway(["openclaw", "gateway", "restart"])
    assert not is_gateway(["grep", "--color=auto", "openclaw", "gateway"])
    assert is_openclaw(["openclaw", "sessions", "cleanup"])
    assert not is_openclaw(["python3", "-m", "http.server"])


def test_census_judges_live_dead_and_recycled_owners(
    tmp_path: Path, gateway: subprocess.Popen[bytes]
) -> None:
    """A live gateway owner is held; dead and recycled owners are stale and reclaimable."""
    real_start = PROBE.starttime(gateway.pid)
    assert real_start is not None
    _lock(tmp_path, "main", "live", {"pid": gateway.pid, "createdAt": _created(5),
          "starttime": real_start, "maxHoldMs": 720000})  # fmt: skip
    _lock(tmp_path, "main", "dead", {"pid": _dead_pid(), "createdAt": _created(60)})
    _lock(tmp_path, "ops", "recycled", {"pid": gateway.pid, "createdAt": _created(60),
          "starttime": real_start + 17, "maxHoldMs": 720000})  # fmt: skip
    found = _by_session(locks.census(tmp_path, PROBE, NOW))
    live = found["live"]
    assert (live.owner.alive, live.owner.gateway, live.owner.recycled) == (True, True, False)
    assert live.stale_reasons == ()
    assert not live.reclaimable
    assert found["dead"].stale_reasons == ("dead-pid",)
    assert found["dead"].reclaimable
    assert found["recycled"].stale_reasons == ("recycled-pid",)
    assert found["recycled"].reclaimable
    assert found["recycled"].agent == "ops"


def test_report_only_and_payload_grace_rules(
    tmp_path: Path, gateway: subprocess.Popen[bytes]
) -> None:
    """too-old/hold-exceeded alone are report-only; a payload-less lock waits for its grace."""
    _lock(tmp_path, "main", "old", {"pid": gateway.pid, "createdAt": _created(3600),
          "maxHoldMs": 720000})  # fmt: skip
    _lock(tmp_path, "main", "fresh-empty", "", age_s=2)
    _lock(tmp_path, "main", "old-empty", "", age_s=120)
    _lock(tmp_path, "main", "foreign", {"pid": os.getppid(), "createdAt": _created(1)})
    found = _by_session(locks.census(tmp_path, PROBE, NOW))
    assert found["old"].stale_reasons == ("too-old", "hold-exceeded")
    assert not found["old"].reclaimable
    assert "report-only" in found["old"].verdict
    assert found["fresh-empty"].stale_reasons == ("missing-pid", "invalid-createdAt")
    assert not found["fresh-empty"].reclaimable
    assert found["old-empty"].reclaimable
    if PROBE.argv(os.getppid()) is not None and not is_openclaw(PROBE.argv(os.getppid()) or []):
        assert "non-openclaw-owner" in found["foreign"].stale_reasons


def test_own_pid_is_an_orphan(tmp_path: Path) -> None:
    """A lock naming this very process, which holds nothing, is orphan-self-pid."""
    _lock(tmp_path, "main", "self", {"pid": os.getpid(), "createdAt": _created(1)})
    lock = locks.census(tmp_path, PROBE, NOW).locks[0]
    assert "orphan-self-pid" in lock.stale_reasons
    assert lock.reclaimable


def test_a_folder_that_is_no_state_dir_says_so(tmp_path: Path) -> None:
    """A census of a bundle or a home folder finds no locks because nothing there
    could hold one: it says so, not an all-clear (Z143); a state dir with no
    lock held says nothing."""
    (tmp_path / "logs").mkdir()
    (found,) = locks.census(tmp_path, PROBE, NOW).warnings
    assert "not an OpenClaw state dir" in found
    (tmp_path / "agents" / "main" / "sessions").mkdir(parents=True)
    assert locks.census(tmp_path, PROBE, NOW).warnings == ()


def test_sqlite_leases_are_read_only_and_judged(tmp_path: Path) -> None:
    """session-write leases are found, judged by OpenClaw's lease rule, and never written."""
    database = tmp_path / "agents" / "main" / "agent" / "openclaw-agent.sqlite"
    database.parent.mkdir(parents=True)
    ms = int(NOW.timestamp() * 1000)
    with sqlite3.connect(database) as db:
        db.execute(
            "CREATE TABLE state_leases (scope TEXT NOT NULL, lease_key TEXT NOT NULL, owner TEXT "
            "NOT NULL, expires_at INTEGER, heartbeat_at INTEGER, payload_json TEXT, created_at "
            "INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (scope, lease_key))"
        )
        rows = [
            ("session-write", '["main","/x.sqlite","s-dead"]', "u1", ms + 60000,
             json.dumps({"pid": _dead_pid(), "maxHoldMs": 300000}), ms - 5000),
            ("session-write", "agent:main:main", "u2", ms - 1000, None, ms - 400000),
            ("gateway-owner", "global", "u3", ms + 1, "{}", ms),
        ]  # fmt: skip
        db.executemany(
            "INSERT INTO state_leases VALUES (?, ?, ?, ?, NULL, ?, ?, ?)",
            [(*r, r[-1]) for r in rows],
        )
    before = database.read_bytes()
    found = locks.census(tmp_path, PROBE, NOW)
    assert database.read_bytes() == before
    leases = {lock.path: lock for lock in found.locks}
    dead = leases['sqlite:session-write:["main","/x.sqlite","s-dead"]']
    assert dead.store == "lease"
    assert dead.session_id == "s-dead"
    assert dead.reclaimable
    expired = leases["sqlite:session-write:agent:main:main"]
    assert expired.agent == "main"
    assert expired.reclaimable
    assert expired.pid is None
    assert len(found.locks) == 2
    removed = locks.remove_stale(found, lambda targets: True, lambda message: None)
    assert removed == []
    assert database.read_bytes() == before


def test_remove_stale_deletes_only_reclaimable_files(
    tmp_path: Path, gateway: subprocess.Popen[bytes]
) -> None:
    """--remove-stale deletes reclaimable locks, logs each, and keeps held and report-only ones."""
    live = _lock(tmp_path, "main", "live", {"pid": gateway.pid, "createdAt": _created(1)})
    old = _lock(tmp_path, "main", "old", {"pid": gateway.pid, "createdAt": _created(3600)})
    dead = _lock(tmp_path, "main", "dead", {"pid": _dead_pid(), "createdAt": _created(60)})
    found = locks.census(tmp_path, PROBE, NOW)
    assert locks.remove_stale(found, lambda targets: False, print) == []
    assert dead.exists()
    log: list[str] = []
    removed = locks.remove_stale(found, lambda targets: True, log.append)
    assert [lock.path for lock in removed] == [str(dead)]
    assert not dead.exists()
    assert live.exists()
    assert old.exists()
    assert len(log) == 1
    assert "removed" in log[0]
    assert "dead-pid" in log[0]


def test_renderings_escape_hostile_names(tmp_path: Path) -> None:
    """Agent names from the disk cannot inject Markdown or break JSON."""
    _lock(tmp_path, "a|<b>@x", "s", {"pid": _dead_pid(), "createdAt": _created(1)})
    found = locks.census(tmp_path, PROBE, NOW)
    markdown = locks_render.render(found, OncallFormat.MD)
    assert "<b>" not in markdown
    assert "a\\|" in markdown
    document = json.loads(locks_render.render(found, OncallFormat.JSON))
    assert document["locks"][0]["agent"] == "a|<b>@x"
    assert document["reclaimable"] == 1
    assert "1 locks, 1 stale" in locks_render.render(found, OncallFormat.TERMINAL)


def test_the_terminal_census_fits_the_terminal_and_keeps_whole_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On an 80-column terminal the census is 80 wide (Z157: 120, its paths cut to
    `state/ag…`, the session unknowable): a path folds onto more lines, whole."""
    session = "7c1e4a92-5b3d-4f6e-9a11-2b3c4d5e6f70"
    _lock(tmp_path, "research", session, {"pid": _dead_pid(), "createdAt": _created(1)})
    found = locks.census(tmp_path, PROBE, NOW)
    monkeypatch.setenv("COLUMNS", "80")
    text = locks_render.render(found, OncallFormat.TERMINAL)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert session in "".join(line.strip(" │|") for line in text.splitlines())
