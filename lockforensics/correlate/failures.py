"""Failures: one row per lock_stale, lock_timeout or takeover occurrence.

Every later stage (alignment, incidents, frequency, stuck-but-alive) works on
these rows, never on raw lines: OpenClaw logs one failure on three to five
lines (lane mirrors, echoes, the journal copy), and counting lines would
multiply every number.  A failure's time is its first line's, among the
lines stamped to a fraction of a second when some are.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from lockforensics.correlate.frames import first_value, ordered
from lockforensics.correlate.identity import real_key
from lockforensics.parsing.fields import session_type
from lockforensics.schema import LOCK_KINDS, EventKind

LOCK_ERRORS = (EventKind.LOCK_STALE, EventKind.LOCK_TIMEOUT)
#: When a lock error's (or a doctor listing's) lock was taken: its time less
#: the owner's age.
ACQUIRED = pl.col("ts") - pl.duration(milliseconds=pl.col("age_ms"))
#: Lock errors that say when their session's lock was taken.
AGED = (
    pl.col("kind").is_in(LOCK_ERRORS)
    & pl.col("age_ms").is_not_null()
    & pl.col("session_id").is_not_null()
    & pl.col("ts").is_not_null()
)


def _placed(column: str) -> pl.Expr:
    """``column`` of the failure's gateway process: from its first line that names
    its host, when one does (of those, one stamped finer than the second first),
    else from its first line with a value.

    A copy in an input that mixes hosts (an operator's notes: one gateway's
    `openclaw logs` pasted above another's journal) was placed on the host
    most of that input names, which may not be the failure's.  A copy cut to
    the second (a journal's) put the uptime up to a second short."""
    named = pl.col("host").is_not_null()
    return (
        pl.when((named & FINE).any())
        .then(pl.col(column).filter(named & FINE).drop_nulls().first())
        .when(named.any())
        .then(pl.col(column).filter(named).drop_nulls().first())
        .otherwise(first_value(column))
    )


#: A line stamped finer than the second (a journal's or `openclaw logs`' pretty
#: time is cut to it, and reads up to a second early).
FINE = pl.col("ts_raw").str.contains(r"\d[.,]\d").fill_null(False)


#: Stale reasons that say the lock's owner is gone (openclaw-formats §2.3).
GONE_REASONS = ("dead-pid", "recycled-pid")
#: The stale reason of a lease its run lost, expired or replaced: no longer held
#: by it (OpenClaw's isSessionWriteLockLeaseLostError).
LEASE_LOST = "lease-lost"
#: Lock errors: a run waiting on a session's lock (its lane, the waiter's queue).
_WAITS = (EventKind.LOCK_STALE.value, EventKind.LOCK_TIMEOUT.value)
#: A lock error (or lock file) whose stale reasons say its owner is gone.
OWNER_GONE = (
    pl.col("stale_reasons").list.eval(pl.element().is_in(GONE_REASONS)).list.any().fill_null(False)
)


def failures(events: pl.LazyFrame, starts: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """Collapse the (epoch-annotated) lock and takeover lines into occurrences.

    ``starts`` (epoch, start): each epoch's start, from which a failure's
    uptime is counted at its own time (its finest copy's), not at the copy
    its process was read from (a journal's, cut to the second)."""
    rows = ordered(events).filter(pl.col("kind").is_in(sorted(LOCK_KINDS)))
    # `lane=main` / `cron` / `subagent` say which queue the run was on; the
    # `session:<key>` mirror only repeats the session, so it is the lane only
    # when the failure was logged on no other.
    global_lane = pl.col("lane").filter(~pl.col("lane").str.starts_with("session:"))
    # The key other lines name a session by (`stuck session: sessionId=…
    # sessionKey=…`, `session state`): a failure logged on global lanes only
    # names none, and its session's type read "unknown" (Z177, Z185).
    known_keys = (
        events.filter(
            pl.col("kind").is_in([EventKind.STUCK_SESSION.value, EventKind.SESSION_STATE.value])
            & pl.col("session").is_not_null()
        )
        .select("session", _known_key=real_key().cast(pl.String))
        .drop_nulls()
        .group_by("session")
        .agg(pl.col("_known_key").min())
    )
    # The keys each session is named by on lines other than lock waits (a
    # takeover's lane and transcript, a queued message's sessionId/sessionKey).
    keyed = (
        events.filter(
            ~pl.col("kind").is_in(list(_WAITS))
            & pl.col("session_key").is_not_null()
            & pl.col("session").is_not_null()
        )
        .group_by(_session=pl.col("session"))
        .agg(_keys=pl.col("session_key").unique())
    )
    return (
        rows.group_by("occurrence")
        .agg(
            kind=pl.col("kind").first(),
            ts=pl.coalesce(pl.col("ts").filter(FINE).min(), pl.col("ts").min()),
            agent=first_value("agent"),
            # The linked identity (correlate/identity.py): the transcript id, or
            # the session key when no line links the key to an id.
            session_id=first_value("session"),
            session_key=first_value("session_key"),
            session_file=first_value("session_file"),
            lock_path=first_value("lock_path"),
            lane=pl.coalesce(global_lane.drop_nulls().first(), first_value("lane")),
            pid=first_value("pid"),
            # `alive=true` with the lock stale as `recycled-pid` is another
            # process under the owner's pid (a container's next pid 1).
            owner_alive=pl.when(OWNER_GONE.any()).then(False).otherwise(first_value("owner_alive")),
            # The owner had died: `alive=false`, or the lock is stale as `dead-pid`
            # or `recycled-pid`.
            owner_dead=(pl.col("owner_alive").not_().fill_null(False) | OWNER_GONE).any(),
            age_ms=first_value("age_ms"),
            # Its run lost its lease (expired or replaced): it holds nothing now.
            lease_lost=pl.col("stale_reasons").list.contains(LEASE_LOST).any().fill_null(False),
            # Taken before the process that failed began (with_earlier_owners).
            owner_before_process=pl.lit(False),
            run_id=first_value("run_id"),
            duration_ms=pl.col("duration_ms").max(),
            gateway_pid=_placed("gateway_pid"),
            epoch=_placed("epoch"),
            uptime_s=_placed("uptime_s"),
            uptime_is_lower_bound=_placed("uptime_is_lower_bound"),
            version=_placed("version"),
            host=first_value("host"),
            # Which captures hold it: a file log (or `openclaw logs`, which
            # prints it) holds no stderr, where the lock watchdog writes its
            # releases; a console capture does (correlate/incidents.py).
            in_file_log=pl.col("channel").is_in(["file", "cli"]).any().fill_null(False),
            on_console=(pl.col("channel") == "console").any().fill_null(False),
            lines=pl.len().cast(pl.Int64),
            # Where the failure was first written (untimed lines keep their order
            # there), or, as its time, its first copy stamped finer than the second.
            source=pl.coalesce(pl.col("source").filter(FINE).first(), pl.col("source").first()),
            line=pl.coalesce(pl.col("line").filter(FINE).first(), pl.col("line").first()),
        )
        # A lock error's `session:<key>` lane is the waiting run's queue: where
        # other lines name the lock's session by other keys, the waiter's is
        # none of its (Z209: a sub-agent waiting on its parent's lock typed the
        # parent's failures `subagent`).
        .join(keyed, left_on="session_id", right_on="_session", how="left")
        .with_columns(
            session_key=pl.when(
                pl.col("kind").is_in(_WAITS)
                & pl.col("_keys").is_not_null()
                & ~pl.col("_keys").list.contains(pl.col("session_key")).fill_null(False)
            )
            .then(pl.col("_keys").list.min())
            .otherwise(pl.col("session_key"))
        )
        .drop("_keys")
        .with_columns(
            # A failure logged only on a global lane (`lane=main`) names no key;
            # its session's other failures do.
            session_key=pl.when(pl.col("session_id").is_not_null())
            .then(
                pl.coalesce(
                    "session_key", pl.col("session_key").drop_nulls().first().over("session_id")
                )
            )
            .otherwise(pl.col("session_key"))
        )
        .join(known_keys, left_on="session_id", right_on="session", how="left")
        .with_columns(session_key=pl.coalesce("session_key", "_known_key"))
        .drop("_known_key")
        .with_columns(
            session_type=pl.col("session_key").map_elements(
                session_type, return_dtype=pl.String, skip_nulls=False
            )
        )
        .pipe(_uptime_at_its_time, starts)
        .sort("ts", "occurrence", nulls_last=True)
    )


def _uptime_at_its_time(table: pl.LazyFrame, starts: pl.LazyFrame | None) -> pl.LazyFrame:
    if starts is None:
        return table
    since = (pl.col("ts") - pl.col("_start")).dt.total_seconds().clip(lower_bound=0)
    return (
        table.join(
            starts.rename({"start": "_start"}), on="epoch", how="left", maintain_order="left"
        )
        .with_columns(
            uptime_s=pl.when(pl.col("uptime_s").is_not_null() & pl.col("_start").is_not_null())
            .then(since)
            .otherwise(pl.col("uptime_s"))
        )
        .drop("_start")
    )


def with_remote_owners(failure_table: pl.LazyFrame, epoch_table: pl.LazyFrame) -> pl.LazyFrame:
    """Failures whose owner OpenClaw called dead (``alive=false``, ``dead-pid``) while
    that pid was another host's running gateway: ``owner_alive`` true, ``owner_dead``
    false, ``owner_host`` that host (null for every other failure).

    OpenClaw checks an owner's pid on its own host only.  Two gateways that share
    one state directory (NFS, a synced home) see each other's locks held by a pid
    that is not theirs, so dead; it was the other host's gateway, alive.  Not
    when the pid is also the failing gateway's own (containers all run as pid 1):
    then nothing tells the two apart."""
    running = epoch_table.select(
        _owner_host=pl.col("host").fill_null(""),
        pid=pl.col("pid"),
        _from=pl.col("start"),
        _to=pl.col("end"),
    ).filter(pl.col("pid").is_not_null())
    remote = (
        failure_table.filter(
            pl.col("owner_dead")
            & pl.col("pid").is_not_null()
            & (pl.col("pid") != pl.col("gateway_pid")).fill_null(False)
        )
        .select("occurrence", "pid", "ts", _host=pl.coalesce("gateway_host", "host").fill_null(""))
        .join(running, on="pid")
        .filter(
            (pl.col("_owner_host") != pl.col("_host"))
            & (pl.col("_from") <= pl.col("ts")).fill_null(True)
            & (pl.col("ts") <= pl.col("_to")).fill_null(True)
        )
        .group_by("occurrence")
        .agg(owner_host=pl.col("_owner_host").min())
    )
    remote_owner = pl.col("owner_host").is_not_null()
    return failure_table.join(
        remote, on="occurrence", how="left", maintain_order="left"
    ).with_columns(
        owner_alive=pl.when(remote_owner).then(True).otherwise(pl.col("owner_alive")),
        owner_dead=pl.when(remote_owner).then(False).otherwise(pl.col("owner_dead")),
    )


#: How long before its start line a gateway process may have begun (its
#: `starting...` comes seconds before `listening`/`ready`, which says how long
#: it took: 6-12 s): a lock taken longer before that start was not its.
STARTING = timedelta(seconds=20)


def with_earlier_owners(failure_table: pl.LazyFrame, epoch_table: pl.LazyFrame) -> pl.LazyFrame:
    """Failures whose lock was taken (the error's time less its ``ageMs``) before
    their gateway process began: not that process's.  Under the process's own
    pid (every container generation's gateway is pid 1) the owner was an
    earlier process, gone: ``owner_alive`` false, ``owner_dead`` true.  With the
    gateway's pid unknown, the error's `alive=true` says nothing of this
    gateway: ``owner_alive`` null."""
    began = epoch_table.filter(pl.col("process_start_known").fill_null(False)).select(
        "epoch", _began=pl.col("process_start")
    )
    earlier = (pl.col("_began") - STARTING > ACQUIRED).fill_null(False)
    same_pid = (pl.col("pid") == pl.col("gateway_pid")).fill_null(False)
    unknown = pl.col("gateway_pid").is_null()
    return (
        failure_table.join(began, on="epoch", how="left", maintain_order="left")
        .with_columns(
            owner_alive=pl.when(earlier & same_pid)
            .then(False)
            .when(earlier & unknown)
            .then(None)
            .otherwise(pl.col("owner_alive")),
            owner_dead=pl.when(earlier & same_pid).then(True).otherwise(pl.col("owner_dead")),
            owner_before_process=earlier,
        )
        .drop("_began")
    )
