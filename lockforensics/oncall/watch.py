"""Watch mode: live detection of lock incidents from growing logs.

Every poll, the new complete lines of each followed file
(:mod:`lockforensics.oncall.follow`) go through the same engine as
``report``: :func:`lockforensics.pipeline.ingest_inputs` on an in-memory
input named by the file's path, then the correlator's epoch and failure
stages, so a failure logged on several lines (lane mirrors, echoes) is one
occurrence.  Line numbers are the file's own.

Incidents follow ``report``'s rule: failures (lock-stale, lock-timeout,
takeover occurrences) in time order, cut where two are more than ``gap``
apart; the second failure of a cluster opens an incident.  Each gateway host
is its own timeline, as in ``report`` (Z233: a lone failure on each of two
hosts opened one incident): a failure's host is the one its lines name, else
its epoch's (:func:`lockforensics.correlate.incidents.with_gateway_hosts`),
else, for a file naming none, the one ``report`` gives it from the hosts the
followed files name.  An open incident closes when ``gap`` of wall-clock time
passes with no new failure on its host, or when a failure of its host arrives
more than ``gap`` (log time) after its last one.  Incident numbers are one
count over every host.

A failure split across two polls (its mirror lines arrived later) would look
like two occurrences; one of the same kind, agent, session, lock path and
owner's age within ``MERGE_S`` seconds of a failure an earlier chunk gave is
folded into it.

State (file offsets, the hosts the files named, each host's open incident,
the incident counter, when hooks last ran) is saved atomically after every
poll that changed it, so a restarted ``watch`` neither re-reads lines nor
re-alerts.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl

from lockforensics.correlate import epochs, failures
from lockforensics.correlate.frames import most_common
from lockforensics.correlate.incidents import MIN_FAILURES, with_gateway_hosts
from lockforensics.ingest.bundle import memory_input
from lockforensics.oncall.follow import Chunk, Follower
from lockforensics.oncall.output import iso
from lockforensics.pipeline import annotate, ingest_inputs
from lockforensics.textsafety import clean

MERGE_S = 2.0
#: 2: clusters and incidents kept per host (Z233); a state of another version is ignored.
STATE_VERSION = 2


@dataclass(frozen=True, slots=True)
class WatchOptions:
    """What the operator asked ``watch`` for."""

    gap_s: float = 600.0
    interval_s: float = 0.5
    tz: str | None = None
    exec_cmd: str | None = None
    exec_min_interval_s: float = 30.0
    on_incident_run: str | None = None
    cooldown_s: float = 900.0
    from_start: bool = False


@dataclass(slots=True)
class Failure:
    """One failure occurrence as watch saw it."""

    kind: str
    ts: str | None
    agent: str | None
    session_id: str | None
    lock_path: str | None
    pid: int | None
    source: str
    line: int
    #: The lock owner's age the error gave: one failure's echoes share it.
    age_ms: int | None = None
    #: The gateway host it was logged on, its timeline (None: unknown).
    host: str | None = None


@dataclass(slots=True)
class Incident:
    """The incident being watched: its failures so far."""

    number: int
    failures: list[Failure] = field(default_factory=list)
    closed: bool = False
    host: str | None = None

    def summary(self, state: str) -> dict[str, Any]:
        """The incident as the JSON ``--exec`` commands receive (``lockforensics.watch/1``)."""
        times = [f.ts for f in self.failures if f.ts]
        kinds = [f.kind for f in self.failures]
        return {
            "schema": "lockforensics.watch/1",
            "event": state,
            "incident": self.number,
            "host": self.host,
            "start": min(times) if times else None,
            "end": max(times) if times else None,
            "occurrences": len(self.failures),
            "lock_stale": kinds.count("lock_stale"),
            "lock_timeout": kinds.count("lock_timeout"),
            "takeover": kinds.count("takeover"),
            "agents": sorted({f.agent for f in self.failures if f.agent}),
            "sessions": sorted({f.session_id for f in self.failures if f.session_id}),
            "failures": [asdict(f) for f in self.failures],
        }


@dataclass(slots=True)
class Timeline:
    """One gateway host's failures being clustered, and its open incident."""

    host: str | None
    cluster: list[Failure] = field(default_factory=list)
    incident: Incident | None = None
    #: When (wall clock) its last failure was read.
    last_failure_wall: float | None = None

    def saved(self) -> dict[str, Any]:
        """The timeline as the state file holds it."""
        incident = self.incident
        return {
            "host": self.host,
            "cluster": [asdict(f) for f in self.cluster],
            "incident": {
                "number": incident.number,
                "failures": [asdict(f) for f in incident.failures],
            }
            if incident
            else None,
            "last_failure_wall": self.last_failure_wall,
        }

    @classmethod
    def restored(cls, saved: dict[str, Any]) -> Timeline:
        """The timeline :meth:`saved` wrote."""
        host = saved.get("host")
        incident = saved.get("incident")
        return cls(
            host=host,
            cluster=[Failure(**f) for f in saved.get("cluster", [])],
            incident=Incident(
                number=int(incident["number"]),
                failures=[Failure(**f) for f in incident["failures"]],
                host=host,
            )
            if incident
            else None,
            last_failure_wall=saved.get("last_failure_wall"),
        )


Sink = Callable[[str], None]
#: How many printed failures a new one is checked against for a copy.
RECENT = 1000


@dataclass(slots=True)
class Watcher:
    """Follow ``paths``, print occurrences and incident summaries, run the hooks."""

    paths: list[Path]
    options: WatchOptions
    out: Sink
    err: Sink
    state_path: Path | None = None
    clock: Callable[[], float] = time.time
    follower: Follower = field(init=False)
    #: Per host (None: unknown), its failures being clustered (``report``'s timelines).
    timelines: dict[str | None, Timeline] = field(default_factory=dict)
    #: The host each followed file's lines named (by path), for the files naming none.
    hosts: dict[str, str] = field(default_factory=dict)
    last_number: int = 0
    last_exec: float | None = None
    pending_exec: list[dict[str, Any]] = field(default_factory=list)
    last_run: float | None = None
    children: list[subprocess.Popen[bytes]] = field(default_factory=list)
    printed: deque[Failure] = field(default_factory=lambda: deque(maxlen=RECENT))

    def __post_init__(self) -> None:
        self.follower = Follower(self.paths, from_start=self.options.from_start)
        self._load_state()

    # -- state ---------------------------------------------------------------
    def _load_state(self) -> None:
        if self.state_path is None or not self.state_path.exists():
            return
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            self.err(f"warning: ignoring unreadable state file {self.state_path}: {exc}")
            return
        if not isinstance(state, dict) or state.get("version") != STATE_VERSION:
            # Another shape (version 1 kept one timeline for every host): read afresh.
            self.err(f"warning: ignoring state file {self.state_path} of another version")
            return
        self.follower.restore(state.get("files", {}), state.get("saved_at"))
        self.last_number = int(state.get("last_number", 0))
        timelines = [Timeline.restored(t) for t in state.get("timelines", [])]
        self.timelines = {t.host: t for t in timelines}
        self.hosts = dict(state.get("hosts", {}))
        self.last_exec = state.get("last_exec")
        self.last_run = state.get("last_run")
        self.pending_exec = [p for p in state.get("pending_exec", []) if isinstance(p, dict)]
        for timeline in timelines:
            self.printed.extend(
                timeline.incident.failures if timeline.incident else timeline.cluster
            )

    def save_state(self) -> None:
        """Write the state file atomically (temporary file, then rename)."""
        if self.state_path is None:
            return
        state = {
            "version": STATE_VERSION,
            "files": self.follower.snapshot(),
            "last_number": self.last_number,
            "timelines": [t.saved() for t in self.timelines.values()],
            "hosts": self.hosts,
            "last_exec": self.last_exec,
            "last_run": self.last_run,
            "pending_exec": self.pending_exec,
            "saved_at": self.clock(),
        }
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_path.with_name(f".{self.state_path.name}.tmp")
        temporary.write_text(json.dumps(state), encoding="utf-8")
        os.replace(temporary, self.state_path)

    # -- reading -------------------------------------------------------------
    def _failures(self, chunk: Chunk) -> list[Failure]:
        result = ingest_inputs([memory_input(str(chunk.path), chunk.data)], tz=self.options.tz)
        for warning in result.warnings:
            self.err(f"warning: {clean(warning)}")
        events = result.events.with_columns(pl.col("line") + (chunk.first_line - 1))
        if events.is_empty():
            return []
        named = most_common(events.lazy(), "source", "host").collect()
        self.hosts.update(zip(named.get_column("source"), named.get_column("host"), strict=True))
        epoch_table = epochs.epochs(events.lazy()).collect()
        annotated = annotate(events, epoch_table)
        rows = with_gateway_hosts(
            failures.failures(annotated.lazy()), epoch_table.lazy().select("epoch", "host")
        ).collect()
        lines = events.group_by("occurrence").agg(pl.col("line").min().alias("_line"))
        rows = rows.join(lines, on="occurrence", how="left").sort("ts", "_line", nulls_last=True)
        return [
            Failure(
                kind=row["kind"],
                ts=iso(row["ts"]),
                agent=row["agent"],
                session_id=row["session_id"],
                lock_path=row["lock_path"],
                pid=row["pid"],
                source=str(chunk.path),
                line=int(row["_line"]),
                age_ms=row["age_ms"],
                host=row["gateway_host"],
            )
            for row in rows.iter_rows(named=True)
        ]

    def _placed(self, sources: set[str]) -> dict[str, str]:
        """The host each of ``sources`` (files naming none) is on, as ``report``
        gives a file naming none one: its folder's, else the only one the
        followed files name.  Only what the files named decides it: no timed
        records are given, so none is set apart as another gateway's."""
        rows = {**dict.fromkeys(sources), **self.hosts}
        named = pl.LazyFrame(
            {"source": list(rows), "host": list(rows.values())},
            schema={"source": pl.String, "host": pl.String},
        ).with_columns(
            ts=pl.lit(None, pl.Datetime("us", "UTC")),
            kind=pl.lit(None, pl.String),
            occurrence=pl.lit(None, pl.Int64),
            channel=pl.lit(None, pl.String),
        )
        fallback = epochs.fallback_hosts(named).drop_nulls().collect()
        return dict(
            zip(fallback.get_column("source"), fallback.get_column("_fallback"), strict=True)
        )

    def _recent(self, places: dict[str, str]) -> list[Failure]:
        """The failures printed lately, whatever incident they were in: a copy in
        another file (the journal's of the file log's line) is no news (Z173:
        a folder of both printed every failure twice).  One of no host is taken
        on the host its file is placed on now: the file log read before its
        journal named the host."""
        return [
            replace(f, host=places.get(f.source)) if f.host is None else f for f in self.printed
        ]

    @staticmethod
    def _is_repeat(failure: Failure, earlier: list[Failure]) -> bool:
        """``failure`` is one of ``earlier`` (seen in other chunks) whose mirror
        lines came later: the failures of one chunk are occurrences already, and
        two of one session a moment apart with owners of other ages are two
        (Z157: three timeouts 0.7 s apart were printed as one), and so are two
        of two hosts (Z230: hosts sharing a state directory)."""
        for seen in earlier:
            same = (seen.kind, seen.agent, seen.session_id, seen.lock_path, seen.host) == (
                failure.kind,
                failure.agent,
                failure.session_id,
                failure.lock_path,
                failure.host,
            )
            ages = seen.age_ms is None or failure.age_ms is None or seen.age_ms == failure.age_ms
            if same and ages and _seconds_between(seen.ts, failure.ts) <= MERGE_S:
                return True
        return False

    # -- incidents -----------------------------------------------------------
    def _add(self, failure: Failure, now: float) -> None:
        self.out(_occurrence_line(failure))
        self.printed.append(failure)
        timeline = self.timelines.get(failure.host)
        last = timeline.cluster[-1] if timeline is not None and timeline.cluster else None
        if last is not None and _seconds_before(failure.ts, last.ts) > self.options.gap_s:
            # Written long before the failures being followed (another file's
            # backlog, a copy of history): printed, but it neither ends the open
            # incident nor joins it (Z172: the morning's failures closed a
            # burst still going).
            return
        if timeline is None:
            timeline = self.timelines[failure.host] = Timeline(failure.host)
        elif last is not None and _seconds_between(last.ts, failure.ts) > self.options.gap_s:
            self._close(timeline, now)
            timeline.cluster = []
        timeline.cluster.append(failure)
        timeline.last_failure_wall = now
        if timeline.incident is not None:
            timeline.incident.failures.append(failure)
            self._notify(timeline.incident.summary("updated"), now)
        elif len(timeline.cluster) >= MIN_FAILURES:
            self.last_number += 1
            timeline.incident = Incident(
                self.last_number, list(timeline.cluster), host=timeline.host
            )
            summary = timeline.incident.summary("opened")
            self.out(_summary_line(summary))
            self._notify(summary, now, urgent=True)
            self._run_on_incident(now)

    def _close(self, timeline: Timeline, now: float) -> None:
        if timeline.incident is None:
            return
        summary = timeline.incident.summary("closed")
        self.out(_summary_line(summary))
        self._notify(summary, now, urgent=True)
        timeline.incident = None

    def _notify(self, summary: dict[str, Any], now: float, urgent: bool = False) -> None:
        """Queue the incident JSON for ``--exec``.  The rate limit keeps only an
        incident's latest update; an opening or a closing is never dropped, and
        an opening is sent at once (Z172: a backlog's closing had been replaced
        by the next opening, and never sent)."""
        if not self.options.exec_cmd:
            return
        last = self.pending_exec[-1] if self.pending_exec else None
        if (
            last is not None
            and last["event"] == "updated"
            and last["incident"] == summary["incident"]
        ):
            self.pending_exec[-1] = summary
        else:
            self.pending_exec.append(summary)
        if urgent and summary["event"] == "opened":
            self._flush_exec(now, force=True)

    def _flush_exec(self, now: float, force: bool = False) -> None:
        """Send the queued incident JSON, one run per event, in order."""
        if not self.pending_exec or not self.options.exec_cmd:
            return
        waited = self.last_exec is None or now - self.last_exec >= self.options.exec_min_interval_s
        if not (force or waited):
            return
        queued, self.pending_exec = self.pending_exec, []
        self.last_exec = now
        for summary in queued:
            self._spawn(self.options.exec_cmd, json.dumps(summary).encode() + b"\n")

    def _run_on_incident(self, now: float) -> None:
        command = self.options.on_incident_run
        if not command:
            return
        if self.last_run is not None and now - self.last_run < self.options.cooldown_s:
            self.err(f"on-incident-run skipped: cooldown ({self.options.cooldown_s:.0f} s)")
            return
        self.last_run = now
        self._spawn(command, None)

    def _spawn(self, command: str, stdin: bytes | None) -> None:
        try:
            # The operator's own command, split like a shell would but run without one.
            child = subprocess.Popen(
                shlex.split(command),
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            )
        except OSError as exc:
            self.err(f"warning: cannot run {command!r}: {exc.strerror or exc}")
            return
        if stdin is not None and child.stdin is not None:
            try:
                child.stdin.write(stdin)
                child.stdin.close()
            except OSError:
                pass  # the command exited without reading its input
        self.children.append(child)
        self.err(f"ran {command!r} (pid {child.pid})")

    # -- the loop ------------------------------------------------------------
    def poll_once(self) -> bool:
        """Read new lines, update incidents and hooks; True when anything changed."""
        now = self.clock()
        # Every chunk of the poll is read before any failure is placed: a file log
        # naming no host is placed by the hosts its journal, read after it, names.
        found = [self._failures(chunk) for chunk in self.follower.poll()]
        changed = bool(found)
        new = [f for chunk_failures in found for f in chunk_failures]
        hostless = {f.source for f in (*self.printed, *new) if f.host is None} if new else set()
        places = self._placed(hostless) if hostless else {}
        for chunk_failures in found:
            earlier = self._recent(places)
            for failure in chunk_failures:
                if failure.host is None:
                    failure.host = places.get(failure.source)
                if not self._is_repeat(failure, earlier):
                    self._add(failure, now)
        for warning in self.follower.warnings:
            self.err(f"warning: {clean(warning)}")
        self.follower.warnings.clear()
        for host, timeline in list(self.timelines.items()):
            wall = timeline.last_failure_wall
            if wall is not None and now - wall > self.options.gap_s:
                self._close(timeline, now)
                del self.timelines[host]
                changed = True
        if self.pending_exec:
            self._flush_exec(now)
            changed = True
        self.children = [c for c in self.children if c.poll() is None]
        if changed:
            self.save_state()
        return changed

    def run(self, stop: Callable[[], bool]) -> None:
        """Poll until ``stop()`` says so; state is saved on the way out."""
        try:
            while not stop():
                self.poll_once()
                time.sleep(self.options.interval_s)
        finally:
            # What the rate limit held back is the latest news: sent on the way out.
            self._flush_exec(self.clock(), force=True)
            self.save_state()
            self.follower.close()


def _seconds_before(a: str | None, b: str | None) -> float:
    """How long ``a`` came before ``b`` (0 when after, or either untimed)."""
    return max(_seconds(a, b), 0.0)


def _seconds_between(a: str | None, b: str | None) -> float:
    return abs(_seconds(a, b))


def _seconds(a: str | None, b: str | None) -> float:
    """``b`` less ``a``, in seconds (0 when either is untimed)."""
    if a is None or b is None:
        return 0.0
    return (_parse(b) - _parse(a)).total_seconds()


def _parse(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


def _occurrence_line(failure: Failure) -> str:
    parts = [
        failure.ts or "untimed",
        failure.kind,
        f"agent={failure.agent or '-'}",
        f"session={failure.session_id or '-'}",
        f"pid={failure.pid if failure.pid is not None else '-'}",
        f"host={failure.host or '-'}",
        f"{failure.source}:{failure.line}",
    ]
    return clean(" ".join(parts))


def _summary_line(summary: dict[str, Any]) -> str:
    agents = ", ".join(summary["agents"]) or "-"
    return clean(
        f"INCIDENT {summary['incident']} {summary['event']}: {summary['start']} .. "
        f"{summary['end']}, {summary['occurrences']} occurrences "
        f"(stale {summary['lock_stale']}, timeout {summary['lock_timeout']}, "
        f"takeover {summary['takeover']}), agents {agents}, host {summary['host'] or '-'}"
    )
