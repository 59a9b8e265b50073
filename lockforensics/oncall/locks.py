"""Live lock census: every session lock of a state dir, judged the way OpenClaw judges it.

Two eras: ``agents/<id>/sessions/*.jsonl.lock`` files (payload ``{pid,
createdAt, starttime?, maxHoldMs?}``) and, from 2026.7, SQLite
``session-write`` leases (:mod:`lockforensics.oncall.leases`).

Stale reasons follow ``inspectLockPayload`` (docs: openclaw-formats §2.3),
computed offline from this process's point of view:

* ``missing-pid`` (no pid > 0), else ``dead-pid``, else ``recycled-pid``
  (alive, but ``/proc`` starttime differs from the stored one);
* ``invalid-createdAt``, else ``too-old`` (age > 30 min, ``staleMs``);
* ``hold-exceeded`` (age > the payload's ``maxHoldMs``);
* ``orphan-self-pid`` (the owner pid is the census's own pid, and the stored
  starttime is absent or ours: nothing here holds it);
* ``non-openclaw-owner`` (alive, argv readable, and not an OpenClaw process).

Which of them OpenClaw reclaims (v3 rules): a lock whose reasons are all
``too-old``/``hold-exceeded`` is report-only; one whose reasons are all
``missing-pid``/``invalid-createdAt`` only once its file is older than
``min(staleMs, 30 s)`` (a writer may still be filling the payload); any other
stale lock is reclaimed.  A lease is reclaimed when its owner is dead or
recycled, or it has no pid and ``expires_at`` has passed
(``canReclaimSessionKeyWriteLease``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from lockforensics.oncall.leases import (
    LeaseRow,
    lease_agent_session,
    lease_databases,
    read_leases,
)
from lockforensics.oncall.procinfo import Probe
from lockforensics.parsing.command_lines import is_gateway, is_openclaw

STALE_MS = 30 * 60 * 1000  # OpenClaw staleMs and the gateway startup sweep
ORPHAN_GRACE_MS = 30_000  # payload-less lock grace (ORPHAN_LOCK_PAYLOAD_GRACE_MS)
REPORT_ONLY = frozenset({"too-old", "hold-exceeded"})
NEEDS_MTIME = frozenset({"missing-pid", "invalid-createdAt"})
LOCK_GLOB = "agents/*/sessions/*.jsonl.lock"


@dataclass(frozen=True, slots=True)
class Owner:
    """What the OS says about a lock's owner pid now."""

    alive: bool | None  # None: no pid to ask about
    starttime: int | None  # observed /proc starttime
    argv: tuple[str, ...] | None
    openclaw: bool | None
    gateway: bool | None
    recycled: bool | None  # None: not comparable (dead, or a starttime missing)


@dataclass(frozen=True, slots=True)
class Lock:
    """One session lock (file or lease) and its verdict."""

    store: str  # "file" or "lease"
    agent: str | None
    session_id: str | None
    path: str  # the lock file, or sqlite:session-write:<key>
    database: str | None
    payload: str  # v1 | v2 | v3 | lease | empty | invalid
    pid: int | None
    created_at: datetime | None
    max_hold_ms: int | None
    pid_starttime: int | None
    mtime: datetime | None
    age_s: float | None
    expires_at: datetime | None
    owner: Owner
    stale_reasons: tuple[str, ...]
    reclaimable: bool
    verdict: str  # one sentence: why OpenClaw would or would not reclaim it


@dataclass(frozen=True, slots=True)
class Census:
    """Every lock found under a state dir, at one instant."""

    state_dir: str
    taken_at: datetime
    locks: tuple[Lock, ...]
    databases: tuple[str, ...]
    warnings: tuple[str, ...]


def _valid_int(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if isinstance(value, float) and not value.is_integer():
        return None
    return int(value)


def _parse_created(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    # Here, not at the top: the CLI loads this module for every command, and
    # dateutil's zone module takes 35-40 ms to load, a tenth of a cached report.
    from dateutil.parser import isoparse  # noqa: PLC0415

    try:
        parsed = isoparse(value)
    except (ValueError, OverflowError):
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def judge_owner(pid: int | None, stored_starttime: int | None, probe: Probe) -> Owner:
    """Ask the OS about ``pid``: alive, starttime, argv, recycled."""
    if pid is None or pid <= 0:
        return Owner(None, None, None, None, None, None)
    alive = probe.alive(pid)
    if not alive:
        return Owner(False, None, None, None, None, None)
    observed = probe.starttime(pid)
    argv = probe.argv(pid)
    recycled = (
        None if stored_starttime is None or observed is None else stored_starttime != observed
    )
    return Owner(
        alive=True,
        starttime=observed,
        argv=tuple(argv) if argv is not None else None,
        openclaw=is_openclaw(argv) if argv is not None else None,
        gateway=is_gateway(argv) if argv is not None else None,
        recycled=recycled,
    )


def stale_reasons(
    *,
    pid: int | None,
    created_at: datetime | None,
    max_hold_ms: int | None,
    stored_starttime: int | None,
    owner: Owner,
    now: datetime,
    self_pid: int,
    self_starttime: int | None,
) -> tuple[str, ...]:
    """OpenClaw's stale reasons for one lock, in OpenClaw's order."""
    reasons: list[str] = []
    if pid is None or pid <= 0:
        reasons.append("missing-pid")
    elif owner.alive is False:
        reasons.append("dead-pid")
    elif owner.recycled:
        reasons.append("recycled-pid")
    if created_at is None:
        reasons.append("invalid-createdAt")
    else:
        age_ms = (now - created_at).total_seconds() * 1000
        if age_ms > STALE_MS:
            reasons.append("too-old")
        if max_hold_ms is not None and age_ms > max_hold_ms:
            reasons.append("hold-exceeded")
    if pid == self_pid and (stored_starttime is None or stored_starttime == self_starttime):
        reasons.append("orphan-self-pid")
    if owner.alive and owner.openclaw is False and pid != self_pid:
        reasons.append("non-openclaw-owner")
    return tuple(reasons)


def file_verdict(reasons: tuple[str, ...], mtime_age_ms: float | None) -> tuple[bool, str]:
    """Would OpenClaw reclaim a ``.jsonl.lock`` with these reasons, and why."""
    if not reasons:
        return False, "not stale: held by a live owner within its limits"
    if set(reasons) <= REPORT_ONLY:
        return False, "report-only: OpenClaw logs it but does not reclaim too-old/hold-exceeded"
    if set(reasons) <= NEEDS_MTIME:
        grace = min(STALE_MS, ORPHAN_GRACE_MS)
        if mtime_age_ms is None or mtime_age_ms <= grace:
            return False, f"payload incomplete; reclaimed once the file is older than {grace} ms"
        return True, "reclaimable: no usable payload and the file is past the orphan grace"
    return True, "reclaimable: " + ", ".join(r for r in reasons if r not in REPORT_ONLY)


def lease_verdict(
    pid: int | None, owner: Owner, expires_at: datetime | None, now: datetime
) -> tuple[bool, str]:
    """Would OpenClaw's next contender reclaim a lease (``canReclaimSessionKeyWriteLease``)."""
    if pid is not None and owner.alive is False:
        return True, "reclaimable: owner pid is dead"
    if pid is not None and owner.recycled:
        return True, "reclaimable: owner pid was recycled"
    if pid is None and expires_at is not None and expires_at <= now:
        return True, "reclaimable: no owner pid and the lease has expired"
    if pid is None and expires_at is None:
        return False, "no owner pid and no deadline: never reclaimed automatically"
    return False, "not reclaimed: OpenClaw never takes a lease from a live owner by time"


def _file_lock(
    path: Path, state_dir: Path, now: datetime, probe: Probe, self_pid: int, self_start: int | None
) -> Lock:
    raw = path.read_bytes()
    mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    try:
        decoded = json.loads(raw) if raw.strip() else None
    except ValueError:
        decoded = None
    payload = decoded if isinstance(decoded, dict) else {}
    pid = _valid_int(payload.get("pid"))
    pid = pid if pid is not None and pid > 0 else None
    created = _parse_created(payload.get("createdAt"))
    max_hold = _valid_int(payload.get("maxHoldMs"))
    stored_start = _valid_int(payload.get("starttime"))
    if not raw.strip():
        version = "empty"
    elif not isinstance(decoded, dict):
        version = "invalid"
    else:
        version = "v3" if max_hold is not None else "v2" if stored_start is not None else "v1"
    owner = judge_owner(pid, stored_start, probe)
    reasons = stale_reasons(
        pid=pid,
        created_at=created,
        max_hold_ms=max_hold,
        stored_starttime=stored_start,
        owner=owner,
        now=now,
        self_pid=self_pid,
        self_starttime=self_start,
    )
    reclaimable, verdict = file_verdict(reasons, (now - mtime).total_seconds() * 1000)
    relative = path.relative_to(state_dir)
    name = path.name.removesuffix(".jsonl.lock")
    return Lock(
        store="file",
        agent=relative.parts[1],
        session_id=name.rsplit("_", 1)[-1] if name else None,
        path=str(path),
        database=None,
        payload=version,
        pid=pid,
        created_at=created,
        max_hold_ms=max_hold,
        pid_starttime=stored_start,
        mtime=mtime,
        age_s=(now - created).total_seconds() if created else None,
        expires_at=None,
        owner=owner,
        stale_reasons=reasons,
        reclaimable=reclaimable,
        verdict=verdict,
    )


def _lease_lock(
    row: LeaseRow, now: datetime, probe: Probe, self_pid: int, self_start: int | None
) -> Lock:
    payload = row.payload or {}
    pid = _valid_int(payload.get("pid"))
    pid = pid if pid is not None and pid > 0 else None
    max_hold = _valid_int(payload.get("maxHoldMs"))
    stored_start = _valid_int(payload.get("starttime"))
    owner = judge_owner(pid, stored_start, probe)
    reasons = stale_reasons(
        pid=pid,
        created_at=row.created_at,
        max_hold_ms=max_hold,
        stored_starttime=stored_start,
        owner=owner,
        now=now,
        self_pid=self_pid,
        self_starttime=self_start,
    )
    reclaimable, verdict = lease_verdict(pid, owner, row.expires_at, now)
    agent, session = lease_agent_session(row.lease_key)
    return Lock(
        store="lease",
        agent=agent,
        session_id=session,
        path=f"sqlite:session-write:{row.lease_key}",
        database=str(row.database),
        payload="lease" if row.payload is not None else "invalid",
        pid=pid,
        created_at=row.created_at,
        max_hold_ms=max_hold,
        pid_starttime=stored_start,
        mtime=None,
        age_s=(now - row.created_at).total_seconds() if row.created_at else None,
        expires_at=row.expires_at,
        owner=owner,
        stale_reasons=reasons,
        reclaimable=reclaimable,
        verdict=verdict,
    )


def census(state_dir: Path, probe: Probe, now: datetime | None = None) -> Census:
    """Find and judge every session lock under ``state_dir`` (reads only)."""
    now = now or datetime.now(tz=UTC)
    self_pid = os.getpid()
    self_start = probe.starttime(self_pid)
    warnings: list[str] = []
    locks: list[Lock] = []
    for path in sorted(state_dir.glob(LOCK_GLOB)):
        if path.is_symlink() or not path.is_file():
            warnings.append(f"{path}: not a regular file; skipped")
            continue
        try:
            locks.append(_file_lock(path, state_dir, now, probe, self_pid, self_start))
        except OSError as exc:  # removed while we looked, or unreadable
            warnings.append(f"{path}: {exc.strerror or exc}")
    databases = lease_databases(state_dir)
    if not databases and not (state_dir / "agents").is_dir():
        # An empty census of the wrong folder (a bundle, a host's home) reads
        # as "no locks held": say that nothing there could hold one.
        warnings.append(
            f"{state_dir}: no agents/ folder and no state database: not an OpenClaw "
            "state dir (~/.openclaw, $OPENCLAW_STATE_DIR), so no lock could be seen"
        )
    for database in databases:
        rows, warning = read_leases(database)
        if warning:
            warnings.append(warning)
        locks.extend(_lease_lock(row, now, probe, self_pid, self_start) for row in rows)
    return Census(
        state_dir=str(state_dir),
        taken_at=now,
        locks=tuple(locks),
        databases=tuple(str(d) for d in databases),
        warnings=tuple(warnings),
    )


def remove_stale(
    found: Census,
    confirm: Callable[[list[Lock]], bool],
    log: Callable[[str], None],
) -> list[Lock]:
    """Delete the lock files OpenClaw itself would reclaim, after ``confirm``; log each one.

    Leases are never touched (the database is opened read-only); OpenClaw's
    next contender reclaims them.  A file whose content changed since the
    census (a new owner took it) is left alone.
    """
    targets = [lock for lock in found.locks if lock.store == "file" and lock.reclaimable]
    if not targets or not confirm(targets):
        return []
    removed: list[Lock] = []
    for lock in targets:
        path = Path(lock.path)
        try:
            current = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            if current != lock.mtime:
                log(f"kept {lock.path}: it changed since the census")
                continue
            path.unlink()
        except OSError as exc:
            log(f"could not remove {lock.path}: {exc.strerror or exc}")
            continue
        stamp = datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        owner = "no pid recorded" if lock.pid is None else f"pid={lock.pid}"
        log(f"{stamp} removed {lock.path} ({', '.join(lock.stale_reasons)}; {owner})")
        removed.append(lock)
    return removed
