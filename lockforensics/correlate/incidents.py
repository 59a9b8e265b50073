"""Incidents: failures clustered by time gap, across agents, per gateway host.

Timed failures (lock_stale, lock_timeout, takeover occurrences) in time order
are cut wherever two consecutive ones lie more than ``gap`` apart, unless the
later one's lock, by its owner's ``ageMs``, was held since its session's last
failure in the cluster before and the quiet is at most twice ``gap``: one
hold, still failing.  Each
gateway host is its own timeline: two hosts' bursts at the same time are two
incidents (each with its own gateway pid and uptime), not one.  A failure's
host is the one its lines name, else its epoch's (correlate/epochs.py: its
file's, else the bundle's only host).  Failures whose host cannot be told (a
pasted capture in a bundle of several hosts) are one more timeline, host
unknown: merged into the others, one paste would make every host's bursts
one incident showing one host's pid.  A cluster
of at least two failures is an incident; a failure alone in its cluster is
background (``incident`` null) and counts toward the baseline rate, which
would otherwise be zero by construction.  Untimed failures belong to no
cluster.  Incidents are numbered from 1 in time order; an incident's start and
end are its first and last failure.

Incident ids are stable under ``--since``/``--until``/``--agent``: the
pipeline clusters the failures of the whole bundle, then ``renumber`` gives
the failures in scope those whole-bundle ids.  So incident 3 is incident 3 in
every report of one bundle (with the same ``--gap``), and a filter only
chooses which incidents are shown and which of their failures are counted.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from lockforensics.correlate.frames import seconds
from lockforensics.schema import EventKind

MIN_FAILURES = 2


def cluster(
    failures: pl.LazyFrame, gap_s: float, epoch_hosts: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """The failures with an ``incident`` column (null: background or untimed) and
    ``gateway_host``, the timeline each was clustered on (null: host unknown).

    ``epoch_hosts`` (epoch, host): the host of each epoch, for failures whose
    lines name none.
    """
    gap = timedelta(seconds=gap_s)
    failures = with_gateway_hosts(failures, epoch_hosts)
    timeline = pl.col("gateway_host")
    lock = pl.coalesce("session_id", "lock_path")
    cut = (pl.col("ts").diff().over(timeline) > gap).fill_null(True)
    # A failure whose lock (its owner's ageMs ago) was taken by the time its
    # session's last failure in the cluster before came is that hold still
    # failing: one incident across the quiet, not a second one that the first's
    # "clear" came after (Z235: a lease held 37 min, failing about every 8
    # min, was two incidents, the first cleared by a cleanup after the second began).
    taken = pl.col("ts") - pl.duration(milliseconds=pl.col("age_ms"))
    # Only across a quiet of at most twice the gap: a hold failing again hours
    # later is a burst of its own (Z216, Z223: bursts an hour and more apart,
    # one stuck lock, had become one incident hours long).
    held = (
        (taken <= pl.col("ts").shift(1).over(timeline, lock))
        & (pl.col("_cluster").shift(1).over(timeline, lock) == pl.col("_cluster") - 1)
        & (pl.col("ts").diff().over(timeline) <= 2 * gap)
    ).fill_null(False)
    timed = (
        failures.filter(pl.col("ts").is_not_null())
        .sort("ts", "occurrence")
        .with_columns(_new=cut)
        .with_columns(_cluster=pl.col("_new").cum_sum().over(timeline))
        .with_columns(_new=pl.col("_new") & ~(held & lock.is_not_null()))
        .with_columns(_cluster=pl.col("_new").cum_sum().over(timeline))
        .with_columns(_big=pl.len().over(timeline, "_cluster") >= MIN_FAILURES)
        # Numbered in time order over every host: the n-th incident to start is n.
        .with_columns(_start=(pl.col("_new") & pl.col("_big")).cum_sum())
        .with_columns(
            incident=pl.when(pl.col("_big"))
            .then(pl.col("_start").first().over(timeline, "_cluster"))
            .cast(pl.Int64)
        )
        .drop("_new", "_cluster", "_big", "_start")
    )
    untimed = failures.filter(pl.col("ts").is_null()).with_columns(
        incident=pl.lit(None, dtype=pl.Int64), gateway_host=pl.lit(None, dtype=pl.String)
    )
    return pl.concat([timed, untimed]).sort("ts", "occurrence", nulls_last=True)


def with_gateway_hosts(
    failures: pl.LazyFrame, epoch_hosts: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """The failures with ``gateway_host``, the timeline each is on: the host its
    lines name, else its epoch's (``epoch_hosts``: epoch, host); null when unknown.
    ``watch`` places the failures it follows by this rule too."""
    host = pl.col("host")
    if epoch_hosts is not None:
        failures = failures.join(
            epoch_hosts.select("epoch", _epoch_host="host"), on="epoch", how="left"
        )
        host = pl.coalesce(host, pl.col("_epoch_host"))
    return failures.with_columns(gateway_host=pl.when(host != "").then(host)).drop(
        "_epoch_host", strict=False
    )


def renumber(failures: pl.LazyFrame, whole: pl.LazyFrame) -> pl.LazyFrame:
    """``failures`` (a filtered subset) with the ``incident`` their occurrence has in ``whole``.

    ``whole`` is ``cluster`` over every failure of the bundle; the ids it gave
    replace any clustering of the subset, so filters never renumber incidents.
    """
    ids = whole.select("occurrence", "incident", "gateway_host").unique("occurrence", keep="first")
    return (
        failures.drop("incident", "gateway_host", strict=False)
        .join(ids, on="occurrence", how="left")
        .sort("ts", "occurrence", nulls_last=True)
    )


#: A lock error whose owner was alive: one that says so, or a timeout that does
#: not say (a timeout waits on a live holder; a dead one's lock is reclaimed as
#: stale).
_live_owner = (
    (pl.col("kind") == EventKind.LOCK_TIMEOUT) | pl.col("owner_alive").fill_null(False)
) & pl.col("owner_alive").fill_null(True)

#: A live owner that is not the gateway that logged the error: another process
#: (`openclaw agent --local`, a second gateway).
_other_owner = _live_owner & (pl.col("pid") != pl.col("gateway_pid")).fill_null(False)


def _sorted_unique(column: str) -> pl.Expr:
    return pl.col(column).drop_nulls().unique().sort()


def table(clustered: pl.LazyFrame) -> pl.LazyFrame:
    """One row per incident: span, who was hit, counts per kind, and the gateway state."""
    return (
        clustered.filter(pl.col("incident").is_not_null())
        .sort("ts", "occurrence")
        .group_by("incident", maintain_order=True)
        .agg(
            start=pl.col("ts").first(),
            end=pl.col("ts").last(),
            occurrences=pl.len().cast(pl.Int64),
            lock_stale=(pl.col("kind") == EventKind.LOCK_STALE).sum().cast(pl.Int64),
            lock_timeout=(pl.col("kind") == EventKind.LOCK_TIMEOUT).sum().cast(pl.Int64),
            takeover=(pl.col("kind") == EventKind.TAKEOVER).sum().cast(pl.Int64),
            agents=_sorted_unique("agent"),
            session_ids=_sorted_unique("session_id"),
            session_types=_sorted_unique("session_type"),
            lanes=_sorted_unique("lane"),
            epoch=pl.col("epoch").first(),
            gateway_pid=pl.col("gateway_pid").first(),
            uptime_s=pl.col("uptime_s").first(),
            uptime_is_lower_bound=pl.col("uptime_is_lower_bound").first(),
            host=pl.col("gateway_host").first(),
            other_owner_pids=pl.col("pid").filter(_other_owner).drop_nulls().unique().sort(),
            # Its failures are in file logs only: a lock watchdog's release
            # (stderr only) could not show, and may have cleared it before
            # what the bundle shows did (Z148, Z149).
            watchdog_unseen=pl.col("in_file_log").any() & ~pl.col("on_console").any(),
            # The hosts whose running gateway held a lock OpenClaw called dead
            # (failures.with_remote_owners): a state directory the hosts share.
            owner_hosts=_sorted_unique("owner_host"),
            # Owners that died holding the lock (a crash, a kill): the lock outlived
            # them; under the gateway's own pid, a process before it (a container's
            # earlier pid 1).
            dead_owner_pids=pl.col("pid")
            .filter(
                pl.col("owner_dead")
                & (
                    (pl.col("pid") != pl.col("gateway_pid")).fill_null(True)
                    | pl.col("owner_before_process")
                )
            )
            .drop_nulls()
            .unique()
            .sort(),
            # With the gateway's pid unknown (2026.6+ logs name it nowhere), the
            # live owners its lock errors name: most often the gateway itself.
            live_owner_pids=pl.col("pid")
            .filter(_live_owner & pl.col("gateway_pid").is_null())
            .drop_nulls()
            .unique()
            .sort(),
        )
        .with_columns(
            duration_s=seconds(pl.col("end") - pl.col("start")),
            sessions=pl.col("session_ids").list.len().cast(pl.Int64),
        )
        .sort("incident")
    )


def with_process_uptime(table: pl.LazyFrame, epoch_table: pl.LazyFrame) -> pl.LazyFrame:
    """``process_uptime_s`` (and its lower-bound flag): how long the gateway's
    *process* had run at the incident's first error, where an in-process
    restart (the same pid: ``OPENCLAW_NO_RESPAWN``) opened its epoch.
    ``uptime_s`` counts from that restart, the gateway's own new ``ready``;
    the process, and what it accumulates, ran on from before.  Null elsewhere,
    where the two are one."""
    process = epoch_table.filter(pl.col("opened_by") == "in_process_restart").select(
        "epoch", "process_start", "process_start_known"
    )
    return (
        table.join(process, on="epoch", how="left", maintain_order="left")
        .with_columns(
            process_uptime_s=seconds(pl.col("start") - pl.col("process_start"))
            .round(0)
            .cast(pl.Int64),
            process_uptime_is_lower_bound=~pl.col("process_start_known"),
        )
        .drop("process_start", "process_start_known")
    )


#: Resolvers that are a run's line (its occurrence spans the whole run).
_RUN_RESOLVERS = ("run", "run_timeout")


def evidence(
    events: pl.LazyFrame, clustered: pl.LazyFrame, incident_table: pl.LazyFrame
) -> pl.LazyFrame:
    """The lines behind each incident: its failures' lines and its resolution's lines.

    A resolving event may span agents (a cleanup run reports every store): only
    its lines about the incident's own agents, or about no agent, are shown.
    """
    keys = pl.concat(
        [
            clustered.filter(pl.col("incident").is_not_null()).select(
                "incident",
                "occurrence",
                role=pl.lit("failure"),
                at=pl.lit(None, pl.Datetime("us", "UTC")),
            ),
            incident_table.filter(pl.col("resolution_occurrence").is_not_null()).select(
                "incident",
                occurrence=pl.col("resolution_occurrence"),
                role=pl.lit("resolution"),
                # A run is one occurrence from its start to its end: the line
                # that cleared is the one at the resolution (its done or timeout).
                at=pl.when(pl.col("resolved_by").is_in(_RUN_RESOLVERS)).then(pl.col("resolved_at")),
            ),
        ]
    ).collect()
    # Only the lines of these few occurrences, picked by a filter that reaches
    # the table's files: joined whole, every line's columns were read in (busy
    # 2 GB: 110 MB; a semi join 80 MB).
    wanted = keys.get_column("occurrence").implode()
    lines = events.filter(pl.col("occurrence").is_in(wanted)).select(
        "occurrence",
        "kind",
        "ts",
        "source",
        "line",
        "hit",
        "agent",
        # A high-volume row keeps its text only in a sample (activity.py): the
        # rest say what they were read as.
        raw=pl.coalesce(
            "raw",
            pl.concat_str(
                pl.lit("("),
                pl.col("kind"),
                pl.lit(" "),
                pl.col("phase").fill_null(""),
                pl.lit(" run "),
                pl.col("run_id").fill_null("?"),
                pl.lit(" session "),
                pl.col("session_id").fill_null("?"),
                pl.lit("; the line's text is not kept for this kind)"),
            ),
        ),
    )
    own = pl.col("agent").is_null() | pl.col("agents").list.contains(pl.col("agent"))
    return (
        keys.lazy()
        .join(lines, on="occurrence")
        .join(incident_table.select("incident", "agents"), on="incident", how="left")
        .filter((pl.col("role") == "failure") | own)
        .filter(pl.col("at").is_null() | (pl.col("ts") == pl.col("at")))
        .drop("agent", "agents", "at")
        .sort("incident", "ts", "source", "line", "hit", nulls_last=True)
    )
