"""Resolution: what cleared an incident's sessions, and when.

An incident's *targets* are its sessions (real session ids).  A failure with
no session id stands for its agent, and one with neither for the whole
gateway.  A target is cleared by the first of these strictly after the
incident's end (its last failure):

* ``run``: the next successful run on the session (``embedded run done``, the
  run not timed out; debug level only);
* ``lock_removed``: a startup ``removed stale session lock`` of the session's lock;
* ``doctor_lock``: ``openclaw doctor --fix`` removing the session's lock
  (``[removed]``);
* ``cleanup_run``: a ``sessions cleanup`` run over the agent's store (a run
  naming no agent covers every store);
* ``gateway_restart``: a restart completing, i.e. the end of the old process's
  epoch (its ``restart mode`` line);
* ``gateway_start``: a gateway start that no restart announced.

A clearing event only counts after the last sign that the session's lock was
still held: an ``openclaw doctor`` line showing the lock present and not
removed, taken after the incident and before the session's next failure.
(A dry-run cleanup two minutes after a burst does not clear a lock that
doctor still finds a minute later.)

The incident is resolved when its last target is cleared: ``resolved_at`` is
that instant, ``resolved_by`` the kind of the event that cleared it, and
``resolution_s`` = resolved_at - end.  If any target is never cleared the
incident is unresolved (all three null).  Separately, per kind, ``cleared_at``
says when that kind alone had cleared every target, so a report can show
that a restart would also have done it, 30 minutes later.  Events at the same
instant are ranked in the order of ``RESOLVERS``.
"""

from __future__ import annotations

import polars as pl

from lockforensics.correlate.epochs import RESTARTS
from lockforensics.correlate.frames import first_value, ordered, seconds
from lockforensics.schema import EventKind

#: Resolver kinds, most specific first (the tie-break order).
RESOLVERS: tuple[str, ...] = (
    EventKind.RUN.value,
    EventKind.LOCK_REMOVED.value,
    EventKind.DOCTOR_LOCK.value,
    EventKind.CLEANUP_RUN.value,
    EventKind.GATEWAY_RESTART.value,
    EventKind.GATEWAY_START.value,
)
_RANK = pl.col("kind").replace_strict(list(RESOLVERS), list(range(len(RESOLVERS))))
_DOCTOR = pl.col("kind") == EventKind.DOCTOR_LOCK


def clears(
    events: pl.LazyFrame, run_table: pl.LazyFrame, epoch_table: pl.LazyFrame
) -> pl.LazyFrame:
    """Every event that clears sessions: ``kind``, ``ts``, ``occurrence`` and its scope.

    ``session_id`` set: it clears that session; else ``agent`` set: every
    session of that agent; else every session.
    """
    columns = ("kind", "ts", "occurrence", "session_id", "agent")
    occurrences = (
        ordered(events)
        .filter(
            pl.col("kind").is_in([EventKind.LOCK_REMOVED.value, EventKind.CLEANUP_RUN.value])
            | (_DOCTOR & pl.col("removed").fill_null(False))
        )
        .filter(pl.col("ts").is_not_null())
        .group_by("occurrence", "agent")
        .agg(
            kind=pl.col("kind").first(),
            ts=pl.col("ts").min(),
            session_id=first_value("session_id"),
        )
        # A lock removal that names no session clears nothing we can attribute.
        .filter((pl.col("kind") == EventKind.CLEANUP_RUN) | pl.col("session_id").is_not_null())
    )
    successful_runs = run_table.filter(pl.col("succeeded")).select(
        kind=pl.lit(EventKind.RUN.value),
        ts=pl.col("ended"),
        occurrence=pl.col("run"),
        session_id=pl.col("session_id"),
        agent=pl.lit(None, dtype=pl.String),
    )
    restarts = epoch_table.filter(pl.col("ended_by").is_in(RESTARTS)).select(
        kind=pl.lit(EventKind.GATEWAY_RESTART.value),
        ts=pl.col("end"),
        occurrence=pl.col("end_occurrence"),
    )
    starts = epoch_table.filter(pl.col("opened_by") == "start").select(
        kind=pl.lit(EventKind.GATEWAY_START.value),
        ts=pl.col("start"),
        occurrence=pl.col("start_occurrence"),
    )
    return (
        pl.concat(
            [occurrences.select(columns), successful_runs, restarts, starts],
            how="diagonal_relaxed",
        )
        .filter(
            pl.col("ts").is_not_null()
            & ~((pl.col("kind") == EventKind.RUN) & pl.col("session_id").is_null())
        )
        .select(columns)
        .sort("ts", "occurrence", "kind", "agent", "session_id", nulls_last=True)
    )


def still_held(events: pl.LazyFrame) -> pl.LazyFrame:
    """Doctor observations of a session lock still present (not removed): ``session_id``, ``ts``."""
    return (
        events.filter(
            _DOCTOR
            & ~pl.col("removed").fill_null(False)
            & pl.col("session_id").is_not_null()
            & pl.col("ts").is_not_null()
        )
        .select("session_id", "ts")
        .unique()
        .sort("ts", "session_id")
    )


def _targets(clustered: pl.LazyFrame, held: pl.LazyFrame) -> pl.LazyFrame:
    """One row per (incident, session), or (incident, agent) where no session is known,
    with ``since``: the incident's end or the last sign its lock was still held."""
    hit = clustered.filter(pl.col("incident").is_not_null())
    ends = hit.group_by("incident").agg(end=pl.col("ts").max())
    sessions = (
        hit.filter(pl.col("session_id").is_not_null())
        .group_by("incident", "session_id")
        .agg(agent=first_value("agent"))
    )
    others = (
        hit.filter(pl.col("session_id").is_null())
        .select("incident", "agent")
        .unique()
        .with_columns(session_id=pl.lit(None, dtype=pl.String))
    )
    targets = (
        pl.concat([sessions, others.select("incident", "session_id", "agent")])
        .join(ends, on="incident")
        .sort("incident", "session_id", "agent", nulls_last=True)
        .with_columns(target=pl.int_range(pl.len(), dtype=pl.Int64))
        .cache()
    )
    later_failures = (
        clustered.filter(pl.col("ts").is_not_null() & pl.col("session_id").is_not_null())
        .select("session_id", next_failure=pl.col("ts"))
        .sort("next_failure")
    )
    # Sorted explicitly; polars cannot verify sortedness within `by` groups.
    bounded = targets.sort("end").join_asof(
        later_failures,
        left_on="end",
        right_on="next_failure",
        by="session_id",
        strategy="forward",
        allow_exact_matches=False,
        check_sortedness=False,
    )
    held_until = (
        bounded.join(held.rename({"ts": "held_at"}), on="session_id")
        .filter(
            (pl.col("held_at") > pl.col("end"))
            & (pl.col("next_failure").is_null() | (pl.col("held_at") < pl.col("next_failure")))
        )
        .group_by("target")
        .agg(held_until=pl.col("held_at").max())
    )
    return (
        targets.join(held_until, on="target", how="left")
        .with_columns(since=pl.max_horizontal("end", "held_until"))
        .drop("held_until")
        .sort("target")
    )


def _first_clears(targets: pl.LazyFrame, clear_table: pl.LazyFrame) -> pl.LazyFrame:
    """Per target and resolver kind, the first clearing event after the target's ``since``."""
    # Both are read once per scope; `cache` has the engine build them once.
    by_kind = (
        targets.join(pl.LazyFrame({"kind": list(RESOLVERS)}), how="cross").sort("since").cache()
    )
    right = (
        clear_table.select(
            "kind",
            "session_id",
            "agent",
            cleared_at=pl.col("ts"),
            cleared_by=pl.col("occurrence"),
        )
        .sort("cleared_at")
        .cache()
    )
    scopes = (
        (pl.col("session_id").is_not_null(), ["session_id", "kind"]),
        (pl.col("session_id").is_null() & pl.col("agent").is_not_null(), ["agent", "kind"]),
        (pl.col("session_id").is_null() & pl.col("agent").is_null(), ["kind"]),
    )
    found = []
    for scope, keys in scopes:
        left = by_kind.drop([k for k in ("session_id", "agent") if k not in keys]).filter(
            pl.all_horizontal(pl.col(k).is_not_null() for k in keys)
        )
        # Sorted explicitly above; polars cannot verify sortedness within `by` groups.
        found.append(
            left.join_asof(
                right.filter(scope).select("cleared_at", "cleared_by", *keys),
                left_on="since",
                right_on="cleared_at",
                by=keys,
                strategy="forward",
                allow_exact_matches=False,
                check_sortedness=False,
            ).select("incident", "target", "kind", "cleared_at", "cleared_by")
        )
    return (
        pl.concat(found)
        .filter(pl.col("cleared_at").is_not_null())
        .sort("cleared_at", "cleared_by")
        .group_by("incident", "target", "kind", maintain_order=True)
        .agg(pl.col("cleared_at").first(), pl.col("cleared_by").first())
    )


def resolve(
    clustered: pl.LazyFrame, clear_table: pl.LazyFrame, held: pl.LazyFrame
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """(per incident: resolved_at, resolved_by, resolution_occurrence, resolution_s;
    per incident and kind: when that kind alone had cleared every target)."""
    targets = _targets(clustered, held).cache()
    first = _first_clears(targets, clear_table).with_columns(rank=_RANK).cache()
    per_target = (
        first.sort("cleared_at", "rank")
        .group_by("incident", "target", maintain_order=True)
        .agg(pl.col("cleared_at", "kind", "cleared_by", "rank").first())
    )
    counts = targets.group_by("incident").agg(targets=pl.len(), end=pl.col("end").first())
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
    incidents = (
        counts.join(resolved, on="incident", how="left")
        .with_columns(
            [
                pl.when(unresolved).then(None).otherwise(pl.col(c)).alias(c)
                for c in ("resolved_at", "resolved_by", "resolution_occurrence")
            ]
        )
        .with_columns(resolution_s=seconds(pl.col("resolved_at") - pl.col("end")))
        .select("incident", "resolved_at", "resolved_by", "resolution_occurrence", "resolution_s")
        .sort("incident")
    )
    per_kind = (
        first.sort("cleared_at", descending=True)
        .group_by("incident", "kind", maintain_order=True)
        .agg(cleared=pl.len(), cleared_at=pl.col("cleared_at").first())
        .join(counts, on="incident")
        .filter(pl.col("cleared") == pl.col("targets"))
        .with_columns(resolution_s=seconds(pl.col("cleared_at") - pl.col("end")), rank=_RANK)
        .sort("incident", "cleared_at", "rank")
        .select("incident", "kind", "cleared_at", "resolution_s")
    )
    return incidents, per_kind
