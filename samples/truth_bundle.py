"""A small bundle whose every forensic conclusion is known: the ground truth for issue 9.

It holds the situations that once led the report to wrong conclusions, each
written with the line shapes OpenClaw really prints (/work/shared/openclaw-formats.md):

* a ``sessions cleanup`` that clears an incident, followed hours later by a
  fresh lock on the same session at collection time (a ``doctor`` listing
  with ``age=13s`` and a lock file whose ``createdAt`` is seconds old): a new,
  healthy hold, not the incident's lock;
* a doctor listing with ``age=unknown``: held when observed, acquired unknown;
* two byte-identical cleanup captures from two cron runs (different stamps in
  their names: two runs), and the first of them again inside a tarball of the
  cleanup folder (same bytes, same name: one document, folded);
* a full gateway restart whose new process logs its own ``listening`` line,
  in the file log and in the journal;
* an untimed paste (no stamp in its lines or its name) with a lock error
  and the takeover that follows it, and placeholders in place of ids;
* an untimed cleanup capture whose file mtime would, if believed, clear the
  second incident an hour early.

``build(out)`` writes the bundle and returns its ground truth.
"""

from __future__ import annotations

import io
import json
import os
import tarfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

HOST = "gw-truth-01"
DAY = "2026-06-02"
STATE = "/home/ops/.openclaw"
OLD_PID, NEW_PID = 4100, 4200
AGENTS = ("alpha", "beta", "gamma", "delta")
SESSIONS = {
    "alpha": "0a1f3c52-7d4e-4b8a-9c61-2e5f7a9b0c11",
    "beta": "1b2e4d63-8e5f-4c9b-8d72-3f6a8b0c1d22",
    "gamma": "2c3f5e74-9f60-4dac-9e83-4a7b9c1d2e33",
    "gamma2": "3d4a6f85-a071-4ebd-8f94-5b8cad2e3f44",
    "delta": "4e5b7a96-b182-4fce-a0a5-6c9dbe3f4a55",
}


def _at(clock: str) -> datetime:
    return datetime.fromisoformat(f"{DAY}T{clock}+00:00")


def _iso(ts: datetime) -> str:
    """tslog's local stamp (this host runs on UTC, so ``+00:00``)."""
    return ts.isoformat(timespec="milliseconds")


RELEASED = "session file changed while embedded prompt lock was released"
TAKEOVER_WARN = (
    "embedded attempt cleanup detected session takeover after prompt failure; "
    "preserving prompt error:"
)


def _lane_error(lane: str, duration_ms: int, error: str) -> str:
    return f'lane task error: lane={lane} durationMs={duration_ms} error="{error}"'


def _lock_path(agent: str, key: str) -> str:
    return f"{STATE}/agents/{agent}/sessions/{SESSIONS[key]}.jsonl.lock"


def _transcript(agent: str, key: str) -> str:
    return f"{STATE}/agents/{agent}/sessions/{SESSIONS[key]}.jsonl"


class _Log:
    """One gateway's lines, written to the file log and (console shape) to the journal."""

    def __init__(self) -> None:
        self.file: list[str] = []
        self.journal: list[str] = [
            "-- Logs begin at Tue 2026-06-02 00:00:00 UTC, end at Tue 2026-06-02 12:00:00 UTC. --"
        ]

    def line(self, ts: datetime, pid: int, subsystem: str, message: str, level: str) -> None:
        binding = json.dumps({"subsystem": subsystem}, separators=(",", ":"))
        record = {
            "0": binding,
            "1": message,
            "_meta": {
                "runtime": "node",
                "runtimeVersion": "22.22.2",
                "hostname": "unknown",
                "name": binding,
                "parentNames": ["openclaw"],
                "date": ts.astimezone(UTC)
                .isoformat(timespec="milliseconds")
                .replace("+00:00", "Z"),
                "logLevelId": {"INFO": 3, "WARN": 4, "ERROR": 5}[level],
                "logLevelName": level,
                "path": {"method": "logToFile"},
            },
            "time": _iso(ts),
        }
        self.file.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        shown = subsystem.removeprefix("gateway/")
        self.journal.append(
            f"{ts:%b %d %H:%M:%S} {HOST} node[{pid}]: {_iso(ts)} [{shown}] {message}"
        )

    def lock_timeout(self, ts: datetime, pid: int, agent: str, key: str) -> None:
        error = (
            f"SessionWriteLockTimeoutError: session file locked (timeout 60000ms): "
            f"pid={pid} alive=true ageMs=91000 {_lock_path(agent, key)}"
        )
        lane = f"lane=session:agent:{agent}:main"
        self.line(
            ts,
            pid,
            "diagnostic",
            f'lane task error: {lane} durationMs=60012 error="{error}"',
            "ERROR",
        )

    def lock_stale(self, ts: datetime, pid: int, agent: str, key: str) -> None:
        error = (
            f"SessionWriteLockStaleError: session file lock stale (hold-exceeded): "
            f"pid={pid} alive=true ageMs=800000 {_lock_path(agent, key)}"
        )
        lane = f"lane=session:agent:{agent}:main"
        self.line(
            ts,
            pid,
            "diagnostic",
            f'lane task error: {lane} durationMs=60020 error="{error}"',
            "ERROR",
        )

    def takeover(self, ts: datetime, pid: int, agent: str, key: str, run: str) -> None:
        changed = f"{RELEASED}: {_transcript(agent, key)}"
        self.line(
            ts,
            pid,
            "agent/embedded",
            f"{TAKEOVER_WARN} runId={run} sessionId={SESSIONS[key]} "
            f"promptError={changed} cleanupError={changed}",
            "WARN",
        )
        error = f"EmbeddedAttemptSessionTakeoverError: {changed}"
        self.line(
            ts + timedelta(milliseconds=4),
            pid,
            "diagnostic",
            _lane_error("main", 85716, error),
            "ERROR",
        )


def _cleanup_text() -> str:
    """``openclaw sessions cleanup`` (applied) over every store: the same text on every run."""
    parts = [
        f"Agent: {agent}\nSession store: {STATE}/agents/{agent}/sessions/sessions.json\n"
        f"Applied maintenance. Current entries: {3 + index}\n"
        for index, agent in enumerate(AGENTS)
    ]
    return "\n".join(parts)


def _doctor_text() -> str:
    """The doctor run at collection time: clack's box around the Session locks note."""
    body = [
        "- Found 2 session lock files.",
        f"- ~/.openclaw/agents/gamma/sessions/{SESSIONS['gamma']}.jsonl.lock "
        f"pid={NEW_PID} (alive) age=13s stale=no",
        f"- ~/.openclaw/agents/gamma/sessions/{SESSIONS['gamma2']}.jsonl.lock "
        f"pid={NEW_PID} (alive) age=unknown stale=no",
    ]
    width = max(len(line) for line in body) + 4
    lines = [
        "┌  OpenClaw doctor",
        "│",
        "◇  Session locks " + "─" * (width - 16) + "╮",
        "│" + " " * width + "│",
    ]
    lines += [f"│  {line.ljust(width - 2)}│" for line in body]
    lines += ["│" + " " * width + "│", "├" + "─" * width + "╯", "│", "└  Doctor complete."]
    return "\n".join(lines) + "\n"


def _paste() -> str:
    """What an operator pasted from a terminal: no stamps, ids partly elided."""
    changed = f"{RELEASED}: {_transcript('delta', 'delta')}"
    elided = f"{RELEASED}: ~/.openclaw/agents/delta/sessions/<sessionId>.jsonl"
    timeout = f"SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid={NEW_PID}"
    lane = "session:agent:delta:main"
    lines = [
        "[diagnostic] "
        + _lane_error(
            lane, 60012, f"{timeout} alive=true ageMs=91000 {_lock_path('delta', 'delta')}"
        ),
        f"[agent/embedded] {TAKEOVER_WARN} runId=9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a "
        f"sessionId={SESSIONS['delta']} promptError={changed} cleanupError={changed}",
        "[diagnostic] "
        + _lane_error(
            lane,
            60000,
            f"{timeout} alive=true ~/.openclaw/agents/delta/sessions/80b5c956-...jsonl.lock",
        ),
        f"[agent/embedded] {TAKEOVER_WARN} runId=<runId> sessionId=<sessionId> "
        f"promptError={elided} cleanupError={elided}",
    ]
    return "\n".join(lines) + "\n"


def _gateway_log() -> _Log:
    log = _Log()
    listening = "listening on ws://127.0.0.1:18789, ws://[::1]:18789 (PID {pid})"
    log.line(_at("00:00:00.500"), OLD_PID, "gateway", listening.format(pid=OLD_PID), "INFO")
    # Incident 1: alpha and beta, epoch 1.
    log.lock_timeout(_at("02:00:00.000"), OLD_PID, "alpha", "alpha")
    log.takeover(
        _at("02:00:07.500"), OLD_PID, "alpha", "alpha", "6a5b4c3d-2e1f-4a0b-9c8d-7e6f5a4b3c2d"
    )
    log.lock_stale(_at("02:01:00.000"), OLD_PID, "beta", "beta")
    log.takeover(
        _at("02:01:04.000"), OLD_PID, "beta", "beta", "7b6c5d4e-3f2a-4b1c-8d9e-0f1a2b3c4d5e"
    )
    # A full restart; the new process logs its own start line.
    log.line(_at("05:00:04.118"), OLD_PID, "gateway", "received SIGUSR1; restarting", "INFO")
    # The child logs before its parent's last restart line: it is still the child's epoch.
    log.line(
        _at("05:00:11.200"),
        NEW_PID,
        "gateway",
        f"log file: /tmp/openclaw/openclaw-{DAY}.log",
        "INFO",
    )
    log.line(
        _at("05:00:11.690"),
        OLD_PID,
        "gateway",
        f"restart mode: full process restart (spawned pid {NEW_PID})",
        "INFO",
    )
    log.line(_at("05:00:14.918"), NEW_PID, "gateway", listening.format(pid=NEW_PID), "INFO")
    # Incident 2: gamma's two sessions, epoch 2.
    log.lock_timeout(_at("07:00:00.000"), NEW_PID, "gamma", "gamma")
    log.takeover(
        _at("07:00:08.000"), NEW_PID, "gamma", "gamma", "8c7d6e5f-4a3b-4c2d-9e0f-1a2b3c4d5e6f"
    )
    log.lock_timeout(_at("07:02:00.000"), NEW_PID, "gamma", "gamma2")
    return log


def _tar(members: dict[str, bytes], mtime: datetime) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), int(mtime.timestamp()), 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def build(out: Path) -> dict[str, Any]:
    """Write the bundle under ``out`` (created) and return its ground truth."""
    log = _gateway_log()
    cleanup = _cleanup_text().encode()
    files: dict[str, tuple[bytes, datetime]] = {
        f"tmp-openclaw/openclaw-{DAY}.log": ("\n".join(log.file).encode() + b"\n", _at("12:00:00")),
        "journal/openclaw-gateway.txt": ("\n".join(log.journal).encode() + b"\n", _at("12:00:00")),
        "cleanup/sessions-cleanup-2026-06-02T0210Z.txt": (cleanup, _at("02:10:00")),
        # The next cron run: nothing had changed, so the same bytes.
        "cleanup/sessions-cleanup-2026-06-02T0810Z.txt": (cleanup, _at("08:10:00")),
        "archive/cleanup.tar": (
            _tar({"cleanup/sessions-cleanup-2026-06-02T0210Z.txt": cleanup}, _at("12:00:00")),
            _at("12:00:00"),
        ),
        "doctor/doctor-2026-06-02T1200Z.txt": (_doctor_text().encode(), _at("12:00:00")),
        f"locks/agents/gamma/sessions/{SESSIONS['gamma']}.jsonl.lock": (
            json.dumps(
                {"pid": NEW_PID, "createdAt": "2026-06-02T11:59:47.000Z", "maxHoldMs": 720000},
                indent=2,
            ).encode(),
            _at("11:59:47"),
        ),
        "notes/paste.txt": (_paste().encode(), _at("12:00:00")),
        # Untimed; its mtime (07:05) would clear incident 2 before the 08:10 run did.
        "notes/cleanup-output.txt": (
            _cleanup_text().replace("entries: 3", "entries: 2").encode(),
            _at("07:05:00"),
        ),
    }
    out.mkdir(parents=True, exist_ok=True)
    for rel, (data, mtime) in files.items():
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        os.utime(path, (mtime.timestamp(), mtime.timestamp()))
    return truth(out.name)


def _z(ts: datetime) -> str:
    return ts.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def truth(name: str) -> dict[str, Any]:
    """What a correct report concludes about the bundle ``build`` writes."""
    restart_end, new_start = _at("05:00:11.690"), _at("05:00:14.918")
    return {
        "host": HOST,
        "epochs": [
            {
                "pid": OLD_PID,
                "start": _z(_at("00:00:00.500")),
                "end": _z(restart_end),
                "host": HOST,
            },
            {"pid": NEW_PID, "start": _z(new_start), "end": None, "host": HOST},
        ],
        "incidents": [
            {
                "start": _z(_at("02:00:00")),
                "end": _z(_at("02:01:04")),
                "agents": ["alpha", "beta"],
                "sessions": sorted([SESSIONS["alpha"], SESSIONS["beta"]]),
                "occurrences": 4,
                "gateway_pid": OLD_PID,
                "uptime_s": int((_at("02:00:00") - _at("00:00:00.500")).total_seconds()),
                "uptime_is_lower_bound": False,
                "resolved_by": "cleanup_run",
                "resolved_at": _z(_at("02:10:00")),
                "lanes": ["main", "session:agent:alpha:main", "session:agent:beta:main"],
            },
            {
                "start": _z(_at("07:00:00")),
                "end": _z(_at("07:02:00")),
                "agents": ["gamma"],
                "sessions": sorted([SESSIONS["gamma"], SESSIONS["gamma2"]]),
                "occurrences": 3,
                "gateway_pid": NEW_PID,
                "uptime_s": int((_at("07:00:00") - new_start).total_seconds()),
                "uptime_is_lower_bound": False,
                "resolved_by": "cleanup_run",
                "resolved_at": _z(_at("08:10:00")),
                "lanes": ["main", "session:agent:gamma:main"],
            },
        ],
        # (copy, the document it is a copy of: the copy whose name sorts first)
        "folds": [
            (
                f"{name}/cleanup/sessions-cleanup-2026-06-02T0210Z.txt",
                f"{name}/archive/cleanup.tar/cleanup/sessions-cleanup-2026-06-02T0210Z.txt",
            )
        ],
        "cleanup_runs": [_z(_at("02:10:00")), _z(_at("08:10:00"))],
        "untimed_sources": [f"{name}/notes/cleanup-output.txt", f"{name}/notes/paste.txt"],
        # The paste: one real session, and placeholders standing for two more ids.
        "untimed_pairs": [{"agent": "delta", "session_id": SESSIONS["delta"], "match": "session"}],
        "placeholder_sessions": ["80b5c956-..", "<sessionId>"],
        "sessions": sorted([SESSIONS[k] for k in ("alpha", "beta", "gamma", "gamma2", "delta")]),
        "acquired_unknown": [SESSIONS["gamma2"]],
    }
