"""Ground truth (``<bundle>.expected.json``): what ingest must find in the bundle."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any, Final

from samples.generate.clock import iso_z, ms_of
from samples.generate.epochs import EPOCHS
from samples.generate.profiles.base import PaddingTruth
from samples.generate.records import Occurrence, Timeline
from samples.generate.scenario import (
    BURSTS,
    CLEANUP_RUNS,
    DOCTOR_AT,
    DOCTOR_LOCKS,
    HOST,
    OPENCLAW_VERSION,
    PID_A,
    PID_B,
    PRECURSOR_WINDOW_MS,
    TZ_NAME,
)
from samples.generate.sessions import Session

LOCK_KINDS: Final = ("lock_stale", "lock_timeout", "takeover")
COUNTED_KINDS: Final = (
    "lock_stale",
    "lock_timeout",
    "takeover",
    "lock_released_by_watchdog",
    "store_lock_timeout",
    "gateway_restart",
    "gateway_start",
    "gateway_start_failed",
    "stuck_session",
    "compaction",
    "tool_call",
    "run",
    "uptime",
    "cleanup_run",
    "doctor_lock",
)


# What clears a session, most specific first (the order ties are broken in);
# the rule is the analyzer's, documented in lockforensics/correlate/resolution.py.
RESOLVER_RANK: Final = {"run": 0, "cleanup_run": 3, "gateway_restart": 4}
RUN_DONE: Final = re.compile(r"embedded run done: runId=\S+ sessionId=(\S+) .*aborted=false$")


def resolution_truth(
    tl: Timeline, mine: list[Occurrence], sessions: dict[tuple[str, str], Session]
) -> tuple[str, int]:
    """(resolved_by, resolved_at ms) of one burst, from the scenario's own timeline.

    Each session of the burst is cleared by the first successful run on it, cleanup
    run (they cover every store) or gateway restart after the burst's last failure,
    and after the doctor run if doctor still saw its lock before its next failure.
    The burst is resolved when its last session is cleared.
    """
    end = mine[-1].ts
    runs_done = [(r.ts, m[1]) for r in tl.recs if (m := RUN_DONE.match(r.message)) is not None]
    doctor_saw = {sessions[(agent, slot)].session_id for agent, slot, _ in DOCTOR_LOCKS}
    cleared: list[tuple[int, int, str]] = []
    for sid in sorted({o.session_id for o in mine if o.session_id}):
        since = end
        later = [
            o.ts for o in tl.occ if o.kind in LOCK_KINDS and o.session_id == sid and o.ts > end
        ]
        doctor = ms_of(DOCTOR_AT)
        if sid in doctor_saw and end < doctor < min(later, default=doctor + 1):
            since = doctor
        candidates = [(t, "run") for t, s in runs_done if s == sid and t > since]
        candidates += [
            (ms_of(when), "cleanup_run") for when, mode in CLEANUP_RUNS if mode == "applied"
        ]
        candidates += [(EPOCHS.a_end, "gateway_restart")]
        t, kind = min(
            ((t, k) for t, k in candidates if t > since), key=lambda c: (c[0], RESOLVER_RANK[c[1]])
        )
        cleared.append((t, -RESOLVER_RANK[kind], kind))
    t, _, kind = max(cleared)
    return kind, t


def expected_truth(
    tl: Timeline,
    bundle: str,
    lines: dict[str, int],
    sessions: dict[tuple[str, str], Session],
    padding: PaddingTruth,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The ground truth: occurrences of the scenario and of the profile's padding.

    ``names`` maps a session id to the name the analyzer counts it by (its id,
    or its key when no line links the two); None: every session by id.
    """
    name = names or {}
    occ = tl.occ
    counts = {k: padding.occurrences.get(k, 0) for k in COUNTED_KINDS}
    seen_runs: set[str] = set()
    for o in occ:
        if o.kind == "run":
            if o.key in seen_runs:
                continue
            seen_runs.add(o.key or "")
        counts[o.kind] += 1

    lock_occ = sorted((o for o in occ if o.kind in LOCK_KINDS), key=lambda o: o.ts)
    incidents: list[dict[str, Any]] = []
    for index, _burst in enumerate(BURSTS):
        mine = [o for o in lock_occ if o.burst == index]
        start, end = mine[0].ts, mine[-1].ts
        epoch_start = EPOCHS.a_start if EPOCHS.pid_at(start) == PID_A else EPOCHS.b_start
        resolved_by, resolved_at = resolution_truth(tl, mine, sessions)
        incidents.append(
            {
                "start": iso_z(start),
                "end": iso_z(end),
                "agents": sorted({o.agent for o in mine if o.agent}),
                "sessions": sorted(
                    {name.get(o.session_id, o.session_id) for o in mine if o.session_id}
                ),
                "lock_stale": sum(o.kind == "lock_stale" for o in mine),
                "lock_timeout": sum(o.kind == "lock_timeout" for o in mine),
                "takeover": sum(o.kind == "takeover" for o in mine),
                "gateway_pid": EPOCHS.pid_at(start),
                "uptime_s": (start - epoch_start) // 1000,
                "resolved_by": resolved_by,
                "resolved_at": iso_z(resolved_at),
            }
        )

    takeovers: list[dict[str, Any]] = []
    for o in lock_occ:
        if o.kind != "takeover":
            continue
        before = [
            p
            for p in lock_occ
            if p.kind != "takeover"
            and p.session_path == o.session_path
            and o.ts - PRECURSOR_WINDOW_MS <= p.ts < o.ts
        ]
        precursor = before[-1].ts if before else None
        takeovers.append(
            {
                "ts": iso_z(o.ts),
                "session_id": o.session_id,
                "agent": o.agent,
                "precursor_ts": iso_z(precursor) if precursor is not None else None,
            }
        )

    return {
        "bundle": bundle,
        "host": HOST,
        "tz": TZ_NAME,
        "openclaw_version": OPENCLAW_VERSION,
        "occurrences": counts,
        "tool_calls": dict(sorted((Counter(tl.tool_calls) + Counter(padding.tool_calls)).items())),
        "lines": dict(sorted(lines.items())),
        "gateway": {
            "epochs": [
                {"pid": PID_A, "start": iso_z(EPOCHS.a_start), "end": iso_z(EPOCHS.a_end)},
                {"pid": PID_B, "start": iso_z(EPOCHS.b_start), "end": None},
            ]
        },
        "incidents": incidents,
        "takeovers": takeovers,
        "cleanup_runs": sorted(iso_z(ms_of(when), with_ms=False) for when, _ in CLEANUP_RUNS),
    }


def check_scenario(truth: dict[str, Any]) -> None:
    """Guard the properties the analyzer's tests rely on (fails loudly if constants drift)."""
    takeovers = truth["takeovers"]
    orphans = [t for t in takeovers if t["precursor_ts"] is None]
    assert len(orphans) >= 2, "need takeovers without a preceding lock error"
    for t in takeovers:
        if t["precursor_ts"] is not None:
            lag = ms_of(t["ts"]) - ms_of(t["precursor_ts"])
            assert 1000 <= lag <= 20000, f"takeover lag out of range: {t}"
    assert truth["occurrences"]["gateway_restart"] == 1
    assert truth["occurrences"]["gateway_start"] == 1
    assert truth["incidents"][0]["uptime_s"] == 347 * 3600
    assert len(truth["incidents"][2]["agents"]) >= 8
