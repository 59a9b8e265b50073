"""Resolution: what cleared an incident's sessions, and when.

An incident's *targets* are its sessions (as correlate/identity.py names them:
the transcript id, else the key).  A failure with
no session stands for its agent, and one with neither for the whole
gateway.  A target is cleared by the first of these strictly after its own
last failure in the incident (a takeover that a watchdog release of its lock
caused left out: :func:`_fallout`):

* ``run``: the next successful run on the session (``embedded run done``, the
  run not timed out; debug level only), or the next task finished on its lane
  (``lane task done`` naming the session: a lease-era failure names only the
  session's key, its runs only the transcript id, and no line may link the two);
* ``run_timeout``: a run on the session timing out (``embedded run timeout``):
  the run is aborted and its session lock released on the way out.  A run
  that times out had its lock (a run waiting for the lock fails on the lock's
  own, shorter timeout first), so this is the end of the hold that the
  incident's failures waited on;
* ``lock_removed``: a startup ``removed stale session lock`` of the session's lock;
* ``lock_released_by_watchdog``: the lock watchdog force-releasing the
  session's lock held past its ``maxHoldMs`` (``[session-write-lock] releasing
  lock held for …``);
* ``doctor_lock``: ``openclaw doctor --fix`` removing the session's lock
  (``[removed]``);
* ``cleanup_run``: a ``sessions cleanup`` run over the agent's store (a run
  naming no agent covers every store), not a dry run: that changes nothing;
* ``gateway_restart``: a restart completing, i.e. the old process's exit: its
  last line soon after its ``restart mode`` line (epochs.exited), or a stop
  its host's next start followed within a minute (``systemctl restart``,
  ``openclaw update``: epochs.restarted_s);
* ``gateway_stop``: the gateway process stopping when asked (SIGTERM, SIGINT,
  a supervisor's stop): it releases its locks on the way out (openclaw-formats
  §2.1), so the stop, not the next start, cleared them;
* ``gateway_start``: a gateway start that no restart announced (after a crash
  or a kill, whose locks stay on disk until a start sweeps or reclaims them).
* ``lock_gone``: a run of a lock census (``date; ls -la …/*.lock`` from
  cron) that does not list the session's lock, which an earlier run of it
  listed: released by then, by nothing the bundle shows (a hand ``rm``), so
  this is when it was known gone, not when it went.

A gateway restart or start clears a target only once the gateway process it
failed under has ended (its epoch's end): a start of another gateway on the
same host (a second profile) while that process runs on clears nothing; nor
does any while it runs to the bundle's end.

A cleanup run, gateway restart or start clears only the incidents of its own
host (an incident's host: correlate/incidents.py; a cleanup's output names
none, so it takes its file's, as a failure does).  An unknown host is a host of its
own: a restart whose host cannot be told clears only incidents whose host
cannot be told, and the other way round.  Hosts are unknown only in a bundle
that names none (then every restart clears every incident) or several (a
pasted capture there is on one of them, which one cannot be told: a restart
of gw-a weeks later is no evidence that it cleared the paste's burst).  So
does a clear naming a session (a successful run, a watchdog's release, a
removed lock) where both hosts are known: a host restored from another's
state snapshot has that host's session ids.

A clearing event only counts if the session's lock was not seen held across
it.  A *lock observation* says a lock was held from its acquisition until it
was seen: an ``openclaw doctor`` line showing the lock present and not removed
(acquired at ts - ``age``), a lock error giving its owner's ``ageMs``
(:func:`_aged`), or a ``.jsonl.lock`` file in the bundle (acquired
at its ``createdAt``, seen at collection time, after every line).  It voids a
clearing event only when the lock was acquired at or before that event and
seen after it.  A lock acquired after a cleanup is a new, healthy hold, not
the incident's lock.  A lock file or listing seen at an unknown time (at
collection, for all the bundle says) voids no successful run: that run took
the session's lock, so the hold it shows had ended by then, or was the run's.
(A cleanup two minutes after a burst does not clear a lock that doctor finds
a minute later with ``age=31m``; a cleanup hours before doctor finds a lock
with ``age=13s`` did.)  A listing without
age (``age=unknown``) says the lock was held when observed, acquired at an
unknown time: it voids nothing, and the incident lists the session in
``held_acquired_unknown`` so the report can say so.  A lock file of the same
session gives such a listing its acquisition.

The incident is resolved when its last target is cleared: ``resolved_at`` is
that instant, ``resolved_by`` the kind of the event that cleared it, and
``resolution_s`` = resolved_at - the last of its targets' ends.  If any target
is never cleared the incident is unresolved (all three null); ``targets``,
``cleared_targets`` and ``open_targets`` (session ids, ``agent <id>``, ``the
gateway``) say how far it got.  Separately, per kind, ``cleared_at`` says
when that kind alone had cleared every target, so a report can show that a
restart would also have done it, 30 minutes later.  Events at the same
instant are ranked in the order of ``RESOLVERS``.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from lockforensics.correlate.epochs import RESTARTS
from lockforensics.correlate.failures import ACQUIRED, AGED, FINE, LEASE_LOST
from lockforensics.correlate.frames import first_value, ordered, seconds
from lockforensics.correlate.outliers import NOTE
from lockforensics.ingest.release_times import SAME_HOLD
from lockforensics.schema import LISTED_PAYLOAD, EventKind

#: A run's timeout, as a resolver (runs are one kind; their timeout is not).
RUN_TIMEOUT = "run_timeout"
#: How long after a run's timeout its attempt's cleanup may report a takeover:
#: the cleanup runs as the aborted prompt unwinds, seconds after the timeout.
TIMEOUT_FALLOUT = timedelta(seconds=60)
#: The session's lock taken again after the incident (a later lock error's
#: ``ageMs`` says when): it had been released by then, by nothing in view.
LOCK_RETAKEN = "lock_retaken"
#: A lock census run that no longer lists the session's lock, which an earlier
#: run of the same census listed: it was gone by then, by nothing in view.
LOCK_GONE = "lock_gone"
#: A lock error of the run that held the session's lease, saying the lease
#: expired or was replaced (`lock stale (lease-lost)`): it was no longer held
#: by then, by nothing in view.
LEASE_GONE = "lease_lost"
#: The gateway exiting on an uncaught error of its own: OpenClaw's handler calls
#: `process.exit`, whose exit handler removes every lock the process held.
GATEWAY_EXIT = "gateway_exit"
#: Resolver kinds, most specific first (the tie-break order).
RESOLVERS: tuple[str, ...] = (
    EventKind.RUN.value,
    RUN_TIMEOUT,
    EventKind.LOCK_REMOVED.value,
    EventKind.LOCK_RELEASED_BY_WATCHDOG.value,
    EventKind.DOCTOR_LOCK.value,
    EventKind.CLEANUP_RUN.value,
    EventKind.GATEWAY_RESTART.value,
    EventKind.GATEWAY_STOP.value,
    GATEWAY_EXIT,
    EventKind.GATEWAY_START.value,
    LOCK_GONE,
    LEASE_GONE,
    LOCK_RETAKEN,
)
_RANK = pl.col("kind").replace_strict(list(RESOLVERS), list(range(len(RESOLVERS))))
#: Resolvers that clear by ending the gateway process that held the locks.
GATEWAY_RESOLVERS = (
    EventKind.GATEWAY_RESTART.value,
    EventKind.GATEWAY_STOP.value,
    GATEWAY_EXIT,
    EventKind.GATEWAY_START.value,
)
#: The resolvers that are the end of a gateway process.
_ENDINGS = (EventKind.GATEWAY_RESTART.value, EventKind.GATEWAY_STOP.value, GATEWAY_EXIT)
#: How an epoch ends when its process exits and so releases its locks (an
#: in-process restart keeps the process, and its leases).
_RELEASING_ENDS = ("stop", "restart")
_DOCTOR = pl.col("kind") == EventKind.DOCTOR_LOCK
_TICK = timedelta(microseconds=1)
#: How soon after its run's `embedded run done` a lane logs the task done.
_TASK_AFTER_RUN = timedelta(seconds=1)


def clears(
    events: pl.LazyFrame, run_table: pl.LazyFrame, epoch_table: pl.LazyFrame
) -> pl.LazyFrame:
    """Every event that clears sessions: ``kind``, ``ts``, ``occurrence``, its scope,
    and ``began``: a timed-out run's begin, when known (it cleared only the waits
    that came while it ran).

    ``session_id`` set: it clears that session; else ``agent`` set: every
    session of that agent on ``host``'s gateway; else every session of
    ``host``'s gateway (``host`` null: unknown).  A session id names one
    session on a host (two hosts share ids when one was restored from the
    other's state); an agent's name (``main``) is one on every host: a
    cleanup of gw-b's stores leaves gw-a's locks where they are.
    """
    columns = ("kind", "ts", "occurrence", "session_id", "agent", "host")
    host = pl.when(pl.col("host") != "").then(pl.col("host"))
    occurrences = (
        ordered(events)
        .filter(
            pl.col("kind").is_in(
                [
                    EventKind.LOCK_REMOVED.value,
                    EventKind.LOCK_RELEASED_BY_WATCHDOG.value,
                    EventKind.CLEANUP_RUN.value,
                ]
            )
            | (_DOCTOR & pl.col("removed").fill_null(False))
        )
        # A dry run (`Would prune …`) changes nothing (openclaw-formats §4.1):
        # lock errors that stop after one stopped on their own.
        .filter(~((pl.col("kind") == EventKind.CLEANUP_RUN) & pl.col("dry_run").fill_null(False)))
        .filter(pl.col("ts").is_not_null())
        # Its finest copy's time, as a failure's: a console's whole second put a
        # startup sweep 0.65 s before the file log's copy of it.  Over the whole
        # occurrence: a cleanup's stores are timed by the minute its cron named
        # its output, its `⇄ res ✓ sessions.cleanup` answer (which names no
        # agent) to the millisecond (Z150: cleared 2.6 s before it ran).
        .with_columns(
            _finest=pl.coalesce(pl.col("ts").filter(FINE).min(), pl.col("ts").min()).over(
                "occurrence"
            )
        )
        .group_by("occurrence", "agent")
        .agg(
            kind=pl.col("kind").first(),
            ts=pl.col("_finest").first(),
            # The session as failures name it (identity): a lease watchdog's
            # release names a key that a takeover's lane mirror links to an id.
            session_id=first_value("session"),
            host=first_value("host"),
            epoch=first_value("epoch"),
        )
        # A lock removal that names no session clears nothing we can attribute.
        .filter((pl.col("kind") == EventKind.CLEANUP_RUN) | pl.col("session_id").is_not_null())
        # A cleanup's output names no host: its epoch's is its file's (or its
        # directory's, or the bundle's only one), as a failure's is.
        .join(epoch_table.select("epoch", _epoch_host=host), on="epoch", how="left")
        .with_columns(host=pl.coalesce(host, "_epoch_host"))
    )
    successful_runs = run_table.filter(pl.col("succeeded")).select(
        **_session_clear(EventKind.RUN.value, "ended", "run")
    )
    # A run that timed out released the lock a failure on its session waited
    # for only if it ran when that failure came: one begun after the failures
    # (its timeout less its `timeoutMs`, or its first line) held nothing they
    # waited on (Z156: a run begun 48 min after a burst named as its clear).
    waited = events.filter(
        pl.col("kind").is_in([EventKind.LOCK_TIMEOUT.value, EventKind.LOCK_STALE.value])
        & pl.col("session").is_not_null()
        & pl.col("ts").is_not_null()
    ).select(session_id=pl.col("session"), _failed_at=pl.col("ts"))
    began = pl.min_horizontal(
        "started", pl.col("timed_out_at") - pl.duration(milliseconds=pl.col("timeout_ms"))
    )
    # A run known by its timeout line alone began when nothing says.
    unknown = pl.col("timeout_ms").is_null() & (pl.col("started") >= pl.col("timed_out_at"))
    timed_out_runs = (
        run_table.filter(pl.col("timed_out_at").is_not_null())
        .with_columns(_began=began, _unknown=unknown)
        .join(waited, on="session_id")
        .filter(
            pl.col("_unknown")
            | pl.col("_failed_at").is_between(pl.col("_began"), pl.col("timed_out_at"))
        )
        .unique("run")
        # Its begin, when known: it cleared only the waits that came while it ran.
        .select(
            **_session_clear(RUN_TIMEOUT, "timed_out_at", "run"),
            began=pl.when(~pl.col("_unknown")).then(pl.col("_began")),
        )
    )
    # A lane task that ended without an error ran the session's work to the
    # end (a failed one logs `lane task error`), as a successful run does;
    # but an aborted run's task ends `done` too, just after the run's own
    # `done … aborted=true`, which is no success.
    unsuccessful = (
        run_table.filter(pl.col("aborted") & pl.col("ended").is_not_null())
        .select("session_id", _unsuccessful=pl.col("ended"))
        .sort("_unsuccessful")
    )
    finished_tasks = (
        events.filter(
            (pl.col("kind") == EventKind.LANE_TASK)
            & (pl.col("phase") == "done")
            & pl.col("session").is_not_null()
            & pl.col("ts").is_not_null()
        )
        .group_by("occurrence")
        .agg(ts=pl.col("ts").min(), session_id=first_value("session"))
        .sort("ts")
        .join_asof(
            unsuccessful,
            left_on="ts",
            right_on="_unsuccessful",
            by="session_id",
            strategy="backward",
            tolerance=_TASK_AFTER_RUN,
            check_sortedness=False,  # both sorted just above
        )
        .filter(pl.col("_unsuccessful").is_null())
        .select(**_session_clear(EventKind.RUN.value))
    )
    # The run that held a session's lease finds it expired or replaced: the
    # waits on the session were over by then (Z175: the holder's `lease-lost`
    # came 31 s after the lease expired and a queued run had taken it).
    leases_lost = (
        events.filter(
            (pl.col("kind") == EventKind.LOCK_STALE)
            & _LOST_LEASE
            & pl.col("session").is_not_null()
            & pl.col("ts").is_not_null()
        )
        .group_by("occurrence")
        .agg(
            ts=pl.coalesce(pl.col("ts").filter(FINE).min(), pl.col("ts").min()),
            session_id=first_value("session"),
            host=first_value("host"),
        )
        .select(**_session_clear(LEASE_GONE), host=host)
    )
    # A process releases its locks as it exits, which may be a few lines after
    # the `restart mode` or shutdown line that ends its epoch (epochs.exited).
    restarts = epoch_table.filter(pl.col("ended_by").is_in(RESTARTS)).select(
        kind=pl.lit(EventKind.GATEWAY_RESTART.value),
        ts=pl.col("exited"),
        occurrence=pl.col("end_occurrence"),
        host=host,
    )
    # A stop its host's next start soon followed was a restart from outside
    # (`systemctl restart`): named so, as the operator ran it.
    stops = epoch_table.filter(pl.col("ended_by") == "stop").select(
        kind=pl.when(pl.col("restarted_s").is_not_null())
        .then(pl.lit(EventKind.GATEWAY_RESTART.value))
        .otherwise(pl.lit(EventKind.GATEWAY_STOP.value)),
        ts=pl.col("exited"),
        occurrence=pl.col("end_occurrence"),
        host=host,
    )
    # A crash through OpenClaw's own fatal-error handler exits by
    # `process.exit`: its locks were removed as it exited (Z197: credited to the
    # respawned process's start, 14 s later).
    exits = epoch_table.filter(pl.col("released_on_exit").fill_null(False)).select(
        kind=pl.lit(GATEWAY_EXIT),
        ts=pl.col("exited"),
        occurrence=pl.col("end_occurrence"),
        host=host,
    )
    starts = epoch_table.filter(pl.col("opened_by") == "start").select(
        kind=pl.lit(EventKind.GATEWAY_START.value),
        # Up and its startup sweep done: its `listening`/`ready` line, not the
        # first line of its boot.
        ts=pl.coalesce("ready", "start"),
        occurrence=pl.col("start_occurrence"),
        host=host,
    )
    return (
        pl.concat(
            [
                occurrences.select(columns),
                successful_runs,
                finished_tasks,
                timed_out_runs,
                leases_lost,
                restarts,
                stops,
                exits,
                starts,
                census_gaps(events),
            ],
            how="diagonal_relaxed",
        )
        .filter(
            pl.col("ts").is_not_null()
            & ~(
                pl.col("kind").is_in([EventKind.RUN.value, RUN_TIMEOUT])
                & pl.col("session_id").is_null()
            )
        )
        .select(*columns, "began")
        .sort("ts", "occurrence", "kind", "agent", "session_id", nulls_last=True)
    )


def _session_clear(kind: str, ts: str = "ts", occurrence: str = "occurrence") -> dict[str, pl.Expr]:
    """A clear table row's columns for a clear of one session (no agent's)."""
    return {
        "kind": pl.lit(kind),
        "ts": pl.col(ts),
        "occurrence": pl.col(occurrence),
        "session_id": pl.col("session_id"),
        "agent": pl.lit(None, dtype=pl.String),
    }


def census_gaps(events: pl.LazyFrame) -> pl.LazyFrame:
    """``lock_gone`` clears: per census run (documents/listing.census_run), each
    session lock that another run of the same file listed and this one does not
    (a census sees the directories it lists; a lease-era host lists none, and
    so shows no gap)."""
    runs = events.filter(
        (pl.col("kind") == EventKind.LOCK_CENSUS) & pl.col("ts").is_not_null()
    ).select("source", "doc_run", "ts", "occurrence")
    listed = events.filter(
        (pl.col("kind") == EventKind.LOCK_FILE)
        & pl.col("doc_run").is_not_null()
        & (pl.col("lock_payload") == LISTED_PAYLOAD)
        & (pl.col("lock_scope") == "session")
        & pl.col("session_id").is_not_null()
        & ~pl.col("session_is_placeholder").fill_null(False)
    ).select("source", "doc_run", "session_id")
    return (
        listed.select("source", "session_id")
        .unique()
        .join(runs, on="source")
        .join(listed, on=["source", "doc_run", "session_id"], how="anti")
        .select(**_session_clear(LOCK_GONE))
    )


#: A lock payload's ``createdAt`` (JavaScript's ``toISOString``).
_ISO_UTC = "%Y-%m-%dT%H:%M:%S%.fZ"


def session_lock_files(events: pl.LazyFrame) -> pl.LazyFrame:
    """The session lock files the bundle holds: agent, session_id, pid, source, line,
    ``created`` (its ``createdAt``; null when the payload has no valid one),
    ``listed`` (an ``ls -l`` row: the file seen, its payload not read) and
    ``seen_at`` (when a census run listed it, ``duration_ms`` after it was taken;
    null: as the bundle was collected)."""
    created = ~pl.col("ts_assumption").fill_null("").str.starts_with("no valid createdAt")
    # A relic's createdAt, weeks before the logs, is set aside from the timeline
    # (correlate/outliers) but is still when it was created (Z164: shown blank).
    # OpenClaw writes it with toISOString, so its raw text is UTC.
    aside = pl.col("ts").is_null() & pl.col("ts_assumption").str.contains(NOTE, literal=True)
    relic = pl.col("ts_raw").str.strptime(pl.Datetime("us", "UTC"), _ISO_UTC, strict=False)
    return events.filter(
        (pl.col("kind") == EventKind.LOCK_FILE)
        & (pl.col("lock_scope") == "session")
        & ~pl.col("session_is_placeholder").fill_null(False)
    ).select(
        "agent",
        "session_id",
        "pid",
        "source",
        "line",
        "occurrence",
        created=pl.when(created).then(pl.coalesce("ts", pl.when(aside).then(relic))),
        listed=(pl.col("lock_payload") == LISTED_PAYLOAD).fill_null(False),
        seen_at=pl.col("ts") + pl.duration(milliseconds=pl.col("duration_ms")),
    )


#: A watchdog release that names how long its lock was held, and when it came.
_TIMED_RELEASE = (
    (pl.col("kind") == EventKind.LOCK_RELEASED_BY_WATCHDOG)
    & pl.col("duration_ms").is_not_null()
    & pl.col("ts").is_not_null()
)


def lock_file_removals(files: pl.LazyFrame, events: pl.LazyFrame) -> pl.LazyFrame:
    """``files`` (session_lock_files) with ``removed_at``: the first removal of its
    session's lock at or after the file's ``created`` (``doctor --fix`` [removed], a
    startup sweep), or the lock watchdog's release of that very hold (held since
    its ``createdAt``, within ``SAME_HOLD``: the release removes the file), when the
    bundle shows one.  The file was copied before that removal, and is evidence
    of the hold only until then (Z238: a copy taken mid-burst cancelled the
    watchdog release that cleared it, and was "held at collection")."""
    removals = events.filter(
        (
            (_DOCTOR & pl.col("removed").fill_null(False))
            | (pl.col("kind") == EventKind.LOCK_REMOVED)
        )
        & pl.col("session_id").is_not_null()
        & pl.col("ts").is_not_null()
    ).select("session_id", removed_at=pl.col("ts"))
    released = events.filter(_TIMED_RELEASE & pl.col("session_id").is_not_null()).select(
        "session_id",
        removed_at=pl.col("ts"),
        _held_from=pl.col("ts") - pl.duration(milliseconds=pl.col("duration_ms")),
    )
    created = pl.col("created")
    copies = (
        files.filter(pl.col("session_id").is_not_null())
        .select("session_id", "source", "line", "created")
        .unique()
    )
    first = (
        pl.concat(
            [
                copies.join(removals, on="session_id").filter(
                    created.is_null() | (pl.col("removed_at") >= created)
                ),
                copies.join(released, on="session_id")
                .filter((pl.col("_held_from") - created).abs() <= SAME_HOLD)
                .drop("_held_from"),
            ]
        )
        .group_by("session_id", "source", "line")
        .agg(pl.col("removed_at").min())
    )
    return files.join(first, on=["session_id", "source", "line"], how="left")


#: An observation any host's incident may take: a doctor's listing and a lock file
#: name no host (and a state directory shared over NFS shows one host's locks to
#: another's doctor).
_NO_HOST = pl.lit(None, pl.String)


def observations(events: pl.LazyFrame) -> pl.LazyFrame:
    """Session locks seen held: ``session_id``, ``observed_at`` (null: at collection time,
    after every line), ``acquired_at`` (null: unknown), ``source``, ``line``, ``lease``
    (false: `.jsonl.lock` files, all that doctor and lock files show), ``host`` (null:
    seen by no gateway in particular).  Seen by: a doctor listing, a lock file, and
    the lock watchdog's release (held for its ``duration_ms`` until then).
    ``owner_pid``: the pid a lock file names (null elsewhere)."""
    doctor = events.filter(
        _DOCTOR
        & ~pl.col("removed").fill_null(False)
        & pl.col("session_id").is_not_null()
        & ~pl.col("session_is_placeholder").fill_null(False)
        & pl.col("ts").is_not_null()
    ).pipe(_sightings, pl.lit(False))
    # A lock file is seen at collection, after every line, unless the bundle
    # shows that lock removed after it was taken: then until its removal.  One an
    # earlier census run listed was seen then (or until a later removal).
    files = lock_file_removals(
        session_lock_files(events).filter(pl.col("session_id").is_not_null()), events
    ).select(
        "session_id",
        "source",
        "line",
        "occurrence",
        observed_at=pl.max_horizontal("removed_at", "seen_at"),
        acquired_at=pl.col("created"),
        lease=pl.lit(False),
        host=_NO_HOST,
        owner_pid=pl.col("pid").cast(pl.Int64),
    )
    # A listing without age takes the createdAt of the same session's lock file,
    # when that lock was already there when the listing was taken.
    dated = files.filter(pl.col("acquired_at").is_not_null()).select(
        "session_id", created_at=pl.col("acquired_at")
    )
    undated = (
        doctor.filter(pl.col("acquired_at").is_null())
        .join(dated, on="session_id", how="left")
        .with_columns(
            acquired_at=pl.col("created_at")
            .filter(pl.col("created_at") <= pl.col("observed_at"))
            .max()
            .over("session_id", "source", "line")
        )
        .drop("created_at")
        .unique()
    )
    # The watchdog's release says how long the lock had been held: held from
    # then until the release, across any cleanup in between (a cleanup does not
    # touch lock files: openclaw-formats §4.1).  Its session as failures name it
    # (identity): a lease's release names a key, no id (Z189).
    released = events.filter(_TIMED_RELEASE & pl.col("session").is_not_null()).pipe(
        lambda rows: _sightings(
            rows.with_columns(age_ms=pl.col("duration_ms"), session_id=pl.col("session")),
            _LEASED,
            pl.col("host"),
        )
    )
    return (
        pl.concat([doctor.filter(pl.col("acquired_at").is_not_null()), undated, files, released])
        .unique()
        .sort("session_id", "observed_at", "acquired_at", "source", "line", nulls_last=True)
    )


#: A lock error row's run lost its lease (failures.lease_lost).
_LOST_LEASE = pl.col("stale_reasons").list.contains(LEASE_LOST).fill_null(False)
#: Failures that hold no lock: a takeover (its run lost the transcript to another
#: writer and ended), and the lease holder's own `lease-lost` (expired or
#: replaced, it holds nothing now; it clears the waits before it: ``clears``).
_HOLDS_NOTHING = (pl.col("kind") == EventKind.TAKEOVER) | pl.col("lease_lost").fill_null(False)


def _targets(
    clustered: pl.LazyFrame, clear_table: pl.LazyFrame, epoch_table: pl.LazyFrame
) -> pl.LazyFrame:
    """One row per (incident, session), or (incident, agent) where no session is known,
    with ``end``: that target's last failure in the incident, a takeover that is the
    fallout of a force-release of its lock left out (:func:`_fallout`); and the
    gateway process it failed under: its ``epoch`` and that epoch's ``process_end``."""
    hit = clustered.filter(pl.col("incident").is_not_null())
    kept = hit.join(_fallout(hit, clear_table), on=["incident", "session_id", "ts"], how="anti")
    hosts = hit.group_by("incident").agg(gateway_host=pl.col("gateway_host").first())
    last = {
        # The waits' last: the lease holder's `lease-lost` after them ends them
        # (Z156: it kept a burst open 5 h, to a stop; Z175: it hid the session
        # whose six waits it ended).
        "end": pl.coalesce(
            pl.col("ts").filter(~pl.col("lease_lost").fill_null(False)).max(), pl.col("ts").max()
        ),
        "epoch": pl.col("epoch").sort_by("ts").last(),
        # Which locks its errors were on (takeovers name none).
        "on_lease": _LEASED.any(),
        "on_file": (pl.col("lock_path").is_not_null() & ~_LEASED).any(),
        "_held_none": _HOLDS_NOTHING.all(),
        # The process its last lock error names as the lock's owner.
        "_owner": pl.col("pid").sort_by("ts").drop_nulls().last(),
    }
    sessions = (
        kept.filter(pl.col("session_id").is_not_null())
        .group_by("incident", "session_id")
        .agg(agent=first_value("agent"), **last)
    )
    others = (
        kept.filter(pl.col("session_id").is_null())
        .group_by("incident", "agent")
        .agg(**last)
        .with_columns(session_id=pl.lit(None, dtype=pl.String))
    )
    ends = epoch_table.select(
        "epoch",
        process_end=pl.col("exited"),
        # When the process itself went away: an in-process restart ends an
        # epoch, not its process, which keeps its locks and its watchdog.
        process_gone=pl.when(pl.col("ended_by") != "in_process_restart").then(pl.col("exited")),
        # It released its locks on the way out: a stop, a restart's exit, or
        # its own `process.exit` on an uncaught error.
        released_at_end=(
            pl.col("ended_by").is_in(_RELEASING_ENDS) | pl.col("released_on_exit")
        ).fill_null(False),
        _gateway=pl.col("pid"),
    )
    # A session whose only failures were takeovers held no lock: its run lost the
    # transcript to another writer and ended.  Nor did one whose run lost its
    # lease (`lock stale (lease-lost)`: expired or replaced, so no longer its).
    # It waits on nothing, so it keeps no incident open that has lock errors to
    # clear (an incident of those alone still waits on what shows its sessions
    # run again; Z137: a lost lease kept an incident open 8 h, to a restart).
    with_locks = pl.col("_held_none").not_().any().over("incident")
    return (
        pl.concat([sessions, others.select("incident", "session_id", "agent", *last)])
        .filter(~(pl.col("_held_none") & with_locks))
        .drop("_held_none")
        .join(hosts, on="incident")
        .join(ends, on="epoch", how="left")
        .with_columns(
            # Its lock is another process's (a CLI run, a second gateway): the
            # gateway's stop or restart releases none of that process's locks
            # (Z130: a CLI's lock was cleared by the gateway's stop).
            foreign_owner=(pl.col("_owner") != pl.col("_gateway")).fill_null(False)
        )
        .drop("_owner", "_gateway")
        .sort("incident", "session_id", "agent", nulls_last=True)
        .with_columns(target=pl.int_range(pl.len(), dtype=pl.Int64))
    )


def _fallout(hit: pl.LazyFrame, clear_table: pl.LazyFrame) -> pl.LazyFrame:
    """Takeovers (incident, session_id, ts) that a release of their session's lock
    caused, after the session's last lock error of the incident:

    * the lock watchdog force-released the lock, and the run that held it,
      finishing, found its transcript changed (the takeover's own words:
      "while embedded prompt lock was released");
    * a run on the session timed out, and its attempt's cleanup, re-acquiring
      the lock after the failed prompt, found the transcript changed
      (`embedded attempt cleanup detected session takeover after prompt
      failure`, openclaw-formats §3), within ``TIMEOUT_FALLOUT`` of it (Z232: a
      takeover 8 s after the timeout kept the lease open to a cleanup 12 min
      later).

    The release cleared the session; the takeover is its epilogue, not a failure
    that outlasts it."""
    failures = hit.filter(pl.col("session_id").is_not_null())
    takeover = pl.col("kind") == EventKind.TAKEOVER
    last_error = (
        failures.filter(~takeover)
        .group_by("incident", "session_id")
        .agg(last_error=pl.col("ts").max())
    )
    watchdog = pl.col("kind") == EventKind.LOCK_RELEASED_BY_WATCHDOG
    released = clear_table.filter(
        (watchdog | (pl.col("kind") == RUN_TIMEOUT)) & pl.col("session_id").is_not_null()
    ).select(
        "session_id",
        released=pl.col("ts"),
        _within=pl.when(~watchdog).then(pl.lit(TIMEOUT_FALLOUT)),
    )
    return (
        failures.filter(takeover)
        .select("incident", "session_id", "ts")
        .join(last_error, on=["incident", "session_id"])
        .join(released, on="session_id")
        .filter(
            (pl.col("released") > pl.col("last_error"))
            & (pl.col("released") <= pl.col("ts"))
            & (
                pl.col("_within").is_null()
                | (pl.col("ts") <= pl.col("released") + pl.col("_within"))
            )
        )
        .select("incident", "session_id", "ts")
        .unique()
    )


def _aged(failure_table: pl.LazyFrame) -> pl.LazyFrame:
    """Lock errors as lock observations: one that gives its owner's ``ageMs`` saw
    the lock held from ts - age until ts.  A later error of the session whose lock
    was taken before a restart, a cleanup or a run shows that event did not
    release it (an in-process restart keeps its process's leases: openclaw-formats
    §5, the `orphan-self-pid` errors after it)."""
    return failure_table.filter(AGED).pipe(_sightings, _LEASED, pl.col("gateway_host"))


def _sightings(rows: pl.LazyFrame, lease: pl.Expr, host: pl.Expr = _NO_HOST) -> pl.LazyFrame:
    """``rows`` as lock observations: the lock held from ts - ``age_ms`` until ts;
    ``lease``: the lock was a 2026.7+ lease, not a `.jsonl.lock` file; ``host``:
    the gateway's host that saw it (null: any)."""
    return rows.select(
        "session_id",
        "source",
        "line",
        "occurrence",
        observed_at=pl.col("ts"),
        acquired_at=ACQUIRED,
        lease=lease,
        host=host,
        owner_pid=pl.lit(None, pl.Int64),
    )


#: A lock error's lock was a lease (`sqlite:session-write:<key>`, or the acquire
#: loop's `session-write/<key>`), not a file.
_LEASED = pl.col("lock_path").str.contains(r"^(?:sqlite:|session-write/)").fill_null(False)


def _without_relics(held: pl.LazyFrame, epoch_table: pl.LazyFrame) -> pl.LazyFrame:
    """Observations less the lock files whose owner was a gateway process gone
    before they were seen: a lock its process left as it died (pm2's SIGKILL
    after a stop that overran) is stale, reclaimed by the next acquire, and
    says nothing of a hold after that process's end (Z179: the restart that
    killed pid 2841 voided by 2841's own lock file).  A pid that a gateway
    still running has too (a container's pid 1 again) is left as it is.  A
    listing of the same lock (`ls -l`, doctor: no pid), taken within the minute
    an `ls` shows, is that relic too, when seen after that process's end (or
    at collection): one seen while it ran saw it held (Z190: two `ls -la` runs
    minutes before a kickstart were dropped, and a run timeout was credited
    with clearing the lock they showed still held)."""
    processes = (
        epoch_table.filter(pl.col("pid").is_not_null())
        .group_by("pid")
        .agg(gone=pl.when(pl.col("exited").is_not_null().all()).then(pl.col("exited").max()))
    )
    marked = held.join(processes, left_on="owner_pid", right_on="pid", how="left").with_columns(
        _relic=pl.col("gone").is_not_null()
        & (pl.col("observed_at").is_null() | (pl.col("observed_at") > pl.col("gone")))
    )
    relics = marked.filter(pl.col("_relic")).select(
        "session_id", _taken=pl.col("acquired_at"), _gone=pl.col("gone")
    )
    listed = (
        marked.filter(pl.col("owner_pid").is_null() & pl.col("acquired_at").is_not_null())
        .join(relics, on="session_id")
        .filter(
            ((pl.col("acquired_at") - pl.col("_taken")).abs() <= _LISTING_PRECISION)
            & (pl.col("observed_at").is_null() | (pl.col("observed_at") > pl.col("_gone")))
        )
        .select("session_id", "source", "line")
        .unique()
    )
    return (
        marked.filter(~pl.col("_relic"))
        .join(listed, on=["session_id", "source", "line"], how="anti")
        .drop("gone", "_relic")
    )


#: How far a lock's listing may put its time from its payload's `createdAt`:
#: `ls -l` shows the minute.
_LISTING_PRECISION = timedelta(seconds=60)


def _holds(targets: pl.LazyFrame, held: pl.LazyFrame) -> pl.LazyFrame:
    """Per target, the observations of its session's lock seen after the incident ended.

    A session that failed on a lease (2026.7+) was not held by a `.jsonl.lock`
    file an older gateway left (a doctor line, a lock file), nor one that failed
    on a file by a lease: across an upgrade, one session has both.  A lock error
    another host's gateway wrote is that host's lock: two hosts each have an
    `agent:main:main`, and gw-a's lease seen aged at 10:03 said nothing of whether
    gw-b's 09:35 cleanup cleared gw-b's."""
    return _on_the_same_lock(
        targets.filter(pl.col("session_id").is_not_null())
        .select("incident", "target", "session_id", "end", "on_lease", "on_file", "gateway_host")
        .join(held, on="session_id")
        .filter(pl.col("observed_at").is_null() | (pl.col("observed_at") > pl.col("end")))
    ).drop("on_lease", "on_file", "lease", "gateway_host", "host")


def _on_the_same_lock(rows: pl.LazyFrame) -> pl.LazyFrame:
    """Target and observation pairs (:func:`_holds`) on one lock: a lease for a
    target that failed on a lease, a file for one that failed on a file, seen by
    the target's gateway (or by no gateway in particular)."""
    kind_known = pl.col("on_lease") | pl.col("on_file")
    same_lock = pl.when(pl.col("lease")).then(pl.col("on_lease")).otherwise(pl.col("on_file"))
    same_host = (
        pl.col("host").is_null()
        | pl.col("gateway_host").is_null()
        | (pl.col("host") == pl.col("gateway_host"))
    )
    return rows.filter((~kind_known | same_lock) & same_host)


def _retaken(targets: pl.LazyFrame, seen: pl.LazyFrame) -> pl.LazyFrame:
    """Per target, the first sighting of its session's lock (``seen``: lock
    observations) taken after the target's last failure, as a clear at that
    instant: the lock the incident failed on had been released by then.  A later
    lock error whose ``ageMs`` dates it, the watchdog's release of a hold it
    says began hours after the burst (Z178: credited to the release itself), a
    lock file created since: a session that fails again hours later on a fresh
    hold was not cleared by the restart after that."""
    later = seen.filter(pl.col("acquired_at").is_not_null()).select(
        "session_id",
        "lease",
        "host",
        cleared_by=pl.col("occurrence"),
        cleared_at=pl.col("acquired_at"),
    )
    return (
        _on_the_same_lock(
            targets.filter(pl.col("session_id").is_not_null()).join(later, on="session_id")
        )
        .filter(pl.col("cleared_at") > pl.col("end"))
        .sort("cleared_at", "cleared_by")
        .group_by("incident", "target", maintain_order=True)
        .agg(pl.col("cleared_at").first(), pl.col("cleared_by").first())
        .select(
            "incident", "target", kind=pl.lit(LOCK_RETAKEN), cleared_at="cleared_at",
            cleared_by="cleared_by",
        )
    )  # fmt: skip


def _first_clears(
    targets: pl.LazyFrame, clear_table: pl.LazyFrame, holds: pl.LazyFrame
) -> pl.LazyFrame:
    """Per target and resolver kind, the first clearing event after the incident's end that
    no lock observation voids.

    The search starts at the incident's end and again at every instant a held lock
    was seen: the first clear not voided lies after one of those.
    """
    # What a search carries of its target (a hold has incident, target and session).
    carried = (
        "incident",
        "target",
        "session_id",
        "agent",
        "gateway_host",
        "epoch",
        "process_end",
        "released_at_end",
        "foreign_owner",
        "process_gone",
    )
    starts = pl.concat(
        [
            targets.select(*carried, since=pl.col("end")),
            holds.filter(pl.col("acquired_at").is_not_null() & pl.col("observed_at").is_not_null())
            .join(targets.select("target", *carried[3:]), on="target")
            # The search from a sighting includes a clear at that instant.
            .select(*carried, since=pl.col("observed_at") - _TICK),
        ]
    )
    # A gateway start or restart clears what its host's gateway held by ending
    # that process: not while the process a target failed under runs on (a
    # second gateway on the host, another profile, restarting beside it).
    gateway = pl.col("kind").is_in(GATEWAY_RESOLVERS) & pl.col("epoch").is_not_null()
    by_kind = (
        starts.join(pl.LazyFrame({"kind": list(RESOLVERS)}), how="cross")
        .filter(~(gateway & pl.col("process_end").is_null()))
        .with_columns(
            since=pl.when(gateway)
            .then(pl.max_horizontal("since", pl.col("process_end") - _TICK))
            .otherwise("since")
        )
        .sort("since")
        .cache()
    )
    right = (
        clear_table.select(
            "kind",
            "session_id",
            "agent",
            gateway_host=pl.col("host"),
            cleared_at=pl.col("ts"),
            cleared_by=pl.col("occurrence"),
            began="began",
        )
        .sort("cleared_at")
        .cache()
    )
    # (which clears, which targets, matched on): a clear naming a session clears
    # it, on its host when both hosts are known (a host restored from another's
    # state snapshot has its session ids: the other's watchdog had been named as
    # clearing its burst); one naming an agent, or neither (a cleanup of every
    # store, a gateway start or restart), the targets of that agent, or every
    # target, of an incident on its host, an unknown host being one more host.
    session = pl.col("session_id").is_not_null()
    agent = pl.col("session_id").is_null() & pl.col("agent").is_not_null()
    everything = pl.col("session_id").is_null() & pl.col("agent").is_null()
    hosted = pl.col("gateway_host").is_not_null()
    scopes = (
        (session & hosted, hosted, ["session_id", "gateway_host", "kind"]),
        (session & hosted, ~hosted, ["session_id", "kind"]),
        (session & ~hosted, pl.lit(True), ["session_id", "kind"]),
        (agent & hosted, hosted, ["agent", "gateway_host", "kind"]),
        (agent & ~hosted, ~hosted, ["agent", "kind"]),
        (everything & hosted, hosted, ["gateway_host", "kind"]),
        (everything & ~hosted, ~hosted, ["kind"]),
    )
    found = []
    for scope, targeted, keys in scopes:
        left = (
            by_kind.filter(targeted)
            .drop([k for k in ("session_id", "agent", "gateway_host") if k not in keys])
            .filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
        )
        # Sorted explicitly above; polars cannot verify sortedness within `by` groups.
        found.append(
            left.join_asof(
                right.filter(scope).select("cleared_at", "cleared_by", "began", *keys),
                left_on="since",
                right_on="cleared_at",
                by=keys,
                strategy="forward",
                allow_exact_matches=False,
                check_sortedness=False,
            ).select(
                "incident",
                "target",
                "kind",
                "cleared_at",
                "cleared_by",
                "began",
                "process_end",
                "released_at_end",
                "foreign_owner",
                "process_gone",
            )
        )
    # A process that stopped or restarted released its locks as it ended: a
    # later stop or restart (its successor's) released nothing of its.  The
    # successor's stop, hours after a restart, had been named as clearing the
    # restarted process's burst too.  One that crashed left its locks behind,
    # for any later process to sweep.
    ends_its_own = ~pl.col("kind").is_in(_ENDINGS) | (
        ~pl.col("foreign_owner").fill_null(False)
        & (
            ~pl.col("released_at_end").fill_null(False)
            | (pl.col("cleared_at") == pl.col("process_end"))
        )
    )
    # A lock watchdog runs inside its gateway: one whose process had ended let
    # go of nothing a later process's watchdog released (Z161: a release two
    # weeks and two processes on listed as clearing a burst).
    in_its_process = (pl.col("kind") != EventKind.LOCK_RELEASED_BY_WATCHDOG.value) | (
        pl.col("process_gone").is_null() | (pl.col("cleared_at") <= pl.col("process_gone"))
    )
    # A run that timed out held the lock only from its begin: one begun after
    # the target's last failure released nothing it waited on (Z202: a run of
    # the next process, five hours on, listed as clearing a burst).
    held_it = pl.col("began").is_null() | (pl.col("began") <= pl.col("end"))
    candidates = (
        pl.concat(found)
        .join(targets.select("target", "end"), on="target")
        .filter(pl.col("cleared_at").is_not_null() & ends_its_own & in_its_process & held_it)
        .drop("process_end", "released_at_end", "foreign_owner", "process_gone", "began", "end")
        .unique()
    )
    voids = holds.filter(pl.col("acquired_at").is_not_null())
    # A successful run took the session's lock: the hold a lock file or listing
    # shows, seen at an unknown time, had ended by then (or is that run's own).
    unseen = pl.col("observed_at").is_null()
    voided = (
        candidates.join(voids.select("target", "acquired_at", "observed_at"), on="target")
        .filter(
            (pl.col("acquired_at") <= pl.col("cleared_at"))
            & (unseen | (pl.col("cleared_at") < pl.col("observed_at")))
            & ~(unseen & (pl.col("kind") == EventKind.RUN.value))
        )
        .select("target", "kind", "cleared_by", "cleared_at")
        .unique()
    )
    return (
        candidates.join(voided, on=["target", "kind", "cleared_by", "cleared_at"], how="anti")
        .sort("cleared_at", "cleared_by")
        .group_by("incident", "target", "kind", maintain_order=True)
        .agg(pl.col("cleared_at").first(), pl.col("cleared_by").first())
    )


def resolve(
    clustered: pl.LazyFrame,
    clear_table: pl.LazyFrame,
    held: pl.LazyFrame,
    epoch_table: pl.LazyFrame,
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(per incident: resolved_at, resolved_by, resolution_occurrence, resolution_s,
    held_acquired_unknown; per incident and kind: when that kind alone had cleared
    every target).  ``held``: ``observations(events)``."""
    targets = _targets(clustered, clear_table, epoch_table).cache()
    held = _without_relics(held, epoch_table)
    seen_held = pl.concat([held, _aged(clustered).select(held.collect_schema().names())])
    holds = _holds(targets, seen_held).cache()
    retaken = _retaken(targets, seen_held).cache()
    # Once the lock was taken again, a later clear cleared that new hold, not
    # the incident's: no kind is listed as clearing it after then (Z193: a start's
    # sweep of a lock taken in a burst hours later, listed for the first).
    again = retaken.select("incident", "target", _again=pl.col("cleared_at"))
    first = (
        pl.concat([_first_clears(targets, clear_table, holds), retaken])
        .join(again, on=["incident", "target"], how="left")
        .filter(
            pl.col("_again").is_null()
            | (pl.col("cleared_at") <= pl.col("_again"))
            | (pl.col("kind") == LOCK_RETAKEN)
        )
        .drop("_again")
        .with_columns(rank=_RANK)
        .cache()
    )
    per_target = (
        first.sort("cleared_at", "rank")
        .group_by("incident", "target", maintain_order=True)
        .agg(pl.col("cleared_at", "kind", "cleared_by", "rank").first())
    )
    counts = targets.group_by("incident").agg(targets=pl.len(), end=pl.col("end").max())
    resolved = (
        per_target.sort("cleared_at", "rank", descending=[True, False])
        .group_by("incident", maintain_order=True)
        .agg(
            cleared=pl.len(),
            resolved_at=pl.col("cleared_at").first(),
            resolved_by=pl.col("kind").first(),
            resolution_occurrence=pl.col("cleared_by").first(),
        )
    )
    unresolved = pl.col("cleared").fill_null(0) < pl.col("targets")
    # What no event cleared: an operator chases these.
    named = pl.coalesce(
        pl.col("session_id"), pl.lit("agent ") + pl.col("agent"), pl.lit("the gateway")
    )
    still_open = (
        targets.join(per_target.select("incident", "target"), on=["incident", "target"], how="anti")
        .group_by("incident")
        .agg(open_targets=named.unique().sort())
    )
    # Sessions seen held after the incident, acquired at an unknown time.
    unknown = (
        holds.filter(pl.col("acquired_at").is_null())
        .group_by("incident")
        .agg(held_acquired_unknown=pl.col("session_id").unique().sort())
    )
    incidents = (
        counts.join(resolved, on="incident", how="left")
        .with_columns(
            [
                pl.when(unresolved).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("resolved_at", "resolved_by", "resolution_occurrence")
            ]
        )
        .with_columns(resolution_s=seconds(pl.col("resolved_at") - pl.col("end")))
        .join(unknown, on="incident", how="left")
        .join(still_open, on="incident", how="left")
        .with_columns(
            pl.col("held_acquired_unknown", "open_targets").fill_null(
                pl.lit([], dtype=pl.List(pl.String))
            ),
            cleared_targets=pl.col("cleared").fill_null(0).cast(pl.Int64),
            targets=pl.col("targets").cast(pl.Int64),
        )
        .select(
            "incident",
            "resolved_at",
            "resolved_by",
            "resolution_occurrence",
            "resolution_s",
            "held_acquired_unknown",
            "targets",
            "cleared_targets",
            "open_targets",
        )
        .sort("incident")
    )
    per_kind = (
        first.sort("cleared_at", descending=True)
        .group_by("incident", "kind", maintain_order=True)
        .agg(cleared=pl.len(), cleared_at=pl.col("cleared_at").first())
        .join(counts, on="incident")
        .filter(pl.col("cleared") == pl.col("targets"))
        .with_columns(resolution_s=seconds(pl.col("cleared_at") - pl.col("end")), rank=_RANK)
        # A sighting that says the lock was gone by then, by nothing in view, is
        # listed only where nothing in view cleared it first: beside the release
        # that did, "not in the logs" is untrue (Z207).
        .join(incidents.select("incident", "resolved_by"), on="incident", how="left")
        .filter(
            ~pl.col("kind").is_in(list(_GONE_BY_THEN))
            | pl.col("resolved_by").is_null()
            | (pl.col("resolved_by") == pl.col("kind"))
        )
        .sort("incident", "cleared_at", "rank")
        .select("incident", "kind", "cleared_at", "resolution_s")
    )
    return incidents, per_kind


#: Clears that say a lock was gone by then, what released it not in view.
_GONE_BY_THEN = (LOCK_RETAKEN, LOCK_GONE, LEASE_GONE)
