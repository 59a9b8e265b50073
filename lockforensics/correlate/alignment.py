"""Lock error → takeover alignment, in both directions.

Backward, per takeover: its *precursor* is the nearest lock error
(lock_stale or lock_timeout occurrence) at or before it, within ``window``,
on the same session (same agent and session id, i.e. the same transcript
file) of the same gateway (host: two pods' sessions may share a key).  Only
when the session has none does the nearest lock error of the same agent count
(``match = "agent"``).  ``lag_s`` = takeover - precursor.  A
takeover with no session id (a redacted path) can only match by agent.

Forward, per lock error: it is *followed by a takeover* when it is the
precursor of at least one takeover, or when a takeover on its session comes
within ``window`` after it.  A timeout, then a stale error, then the
takeover on one session: the takeover's precursor is the stale error only,
but neither error went away on its own.

Both sides are occurrences at their first line's time.  Untimed lines (a
paste with no stamps) keep their order within their input: an untimed
takeover's precursor is the nearest untimed lock error above it in the same
input on the same session, with ``lag_s`` unknown (null).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from lockforensics.correlate.failures import ACQUIRED, AGED, LOCK_ERRORS
from lockforensics.correlate.frames import seconds
from lockforensics.schema import EventKind

_PRECURSOR = ("precursor", "precursor_ts", "precursor_kind")
#: A failure's gateway (correlate/incidents.py): two pods' sessions may share a
#: key (`agent:main:main`), and one gateway's lock error is no precursor of
#: another's takeover.
_TIMELINE = pl.col("gateway_host").fill_null("").alias("_timeline")


def _lock_errors(failures: pl.LazyFrame) -> pl.LazyFrame:
    return (
        failures.filter(
            pl.col("kind").is_in(LOCK_ERRORS)
            & pl.col("ts").is_not_null()
            & pl.col("agent").is_not_null()
        )
        .select(
            _TIMELINE,
            "agent",
            "session_id",
            precursor=pl.col("occurrence"),
            precursor_ts=pl.col("ts"),
            precursor_kind=pl.col("kind"),
        )
        .sort("precursor_ts", "precursor")
    )


#: The columns of a takeover's pairing with its precursor lock error.
PAIR_COLUMNS = (
    "takeover", "ts", "agent", "session_id", "precursor", "precursor_ts", "precursor_kind",
    "match", "lag_s",
)  # fmt: skip


def pairs(failures: pl.LazyFrame, window_s: float) -> pl.LazyFrame:
    """One row per takeover with its precursor (or nulls), ``match`` and ``lag_s``."""
    tolerance = timedelta(seconds=window_s)
    locks = _lock_errors(failures)
    takeovers = (
        failures.filter((pl.col("kind") == EventKind.TAKEOVER) & pl.col("ts").is_not_null())
        .select(_TIMELINE, "agent", "session_id", takeover=pl.col("occurrence"), ts=pl.col("ts"))
        .sort("ts", "takeover")
    )
    # Sorted explicitly above; polars cannot verify sortedness within `by` groups.
    same_session = takeovers.join_asof(
        locks.filter(pl.col("session_id").is_not_null()),
        left_on="ts",
        right_on="precursor_ts",
        by=["_timeline", "agent", "session_id"],
        strategy="backward",
        tolerance=tolerance,
        check_sortedness=False,
    )
    same_agent = same_session.join_asof(
        locks.drop("session_id").rename({c: f"{c}_agent" for c in _PRECURSOR}),
        left_on="ts",
        right_on="precursor_ts_agent",
        by=["_timeline", "agent"],
        strategy="backward",
        tolerance=tolerance,
        check_sortedness=False,
    )
    by_session = pl.col("precursor").is_not_null()
    timed = (
        same_agent.with_columns(
            match=pl.when(by_session)
            .then(pl.lit("session"))
            .when(pl.col("precursor_agent").is_not_null())
            .then(pl.lit("agent")),
            **{
                c: pl.when(by_session).then(pl.col(c)).otherwise(pl.col(f"{c}_agent"))
                for c in _PRECURSOR
            },
        )
        .with_columns(lag_s=seconds(pl.col("ts") - pl.col("precursor_ts")))
        .select(PAIR_COLUMNS)
    )
    return (
        pl.concat([timed, _untimed_pairs(failures)], how="diagonal_relaxed")
        .select(PAIR_COLUMNS)
        .sort("ts", "takeover", nulls_last=True)
    )


def _untimed_pairs(failures: pl.LazyFrame) -> pl.LazyFrame:
    """Untimed takeovers paired, by line order within their input, with the nearest
    untimed lock error above them on the same session; the lag is unknown."""
    untimed = failures.filter(
        pl.col("ts").is_null() & pl.col("agent").is_not_null() & pl.col("session_id").is_not_null()
    )
    locks = (
        untimed.filter(pl.col("kind").is_in(LOCK_ERRORS))
        .select(
            "source",
            "agent",
            "session_id",
            precursor_line=pl.col("line"),
            precursor=pl.col("occurrence"),
            precursor_kind=pl.col("kind"),
        )
        .sort("precursor_line")
    )
    takeovers = (
        failures.filter((pl.col("kind") == EventKind.TAKEOVER) & pl.col("ts").is_null())
        .select("source", "line", "agent", "session_id", takeover=pl.col("occurrence"))
        .sort("line")
    )
    # Sorted explicitly above; polars cannot verify sortedness within `by` groups.
    return (
        takeovers.join_asof(
            locks,
            left_on="line",
            right_on="precursor_line",
            by=["source", "agent", "session_id"],
            strategy="backward",
            check_sortedness=False,
        )
        .with_columns(
            ts=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            precursor_ts=pl.lit(None, dtype=pl.Datetime("us", "UTC")),
            match=pl.when(pl.col("precursor").is_not_null()).then(pl.lit("session")),
            lag_s=pl.lit(None, dtype=pl.Float64),
        )
        .drop("source", "line", "precursor_line")
    )


def followups(failures: pl.LazyFrame, pair_table: pl.LazyFrame, window_s: float) -> pl.LazyFrame:
    """One row per lock error: the first takeover it is the precursor of, else the
    first takeover on its session within ``window_s`` after it, if any."""
    followed = (
        pair_table.filter(pl.col("precursor").is_not_null())
        .sort("ts", "takeover", nulls_last=True)
        .group_by("precursor", maintain_order=True)
        .agg(takeover=pl.col("takeover").first(), takeover_ts=pl.col("ts").first())
        .rename({"precursor": "occurrence"})
    )
    session = ["_timeline", "agent", "session_id"]
    errors = failures.filter(pl.col("kind").is_in(LOCK_ERRORS)).select(
        _TIMELINE, "occurrence", "kind", "ts", "agent", "session_id"
    )
    takeovers = (
        failures.filter((pl.col("kind") == EventKind.TAKEOVER) & pl.col("ts").is_not_null())
        .select(_TIMELINE, "agent", "session_id", _later=pl.col("occurrence"), _later_ts="ts")
        .sort("_later_ts", "_later")
    )
    # Sorted explicitly; polars cannot verify sortedness within `by` groups.
    later = (
        errors.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in [*session, "ts"]))
        .sort("ts", "occurrence")
        .join_asof(
            takeovers,
            left_on="ts",
            right_on="_later_ts",
            by=session,
            strategy="forward",
            tolerance=timedelta(seconds=window_s),
            check_sortedness=False,
        )
        .select("occurrence", "_later", "_later_ts")
    )
    return (
        errors.drop("_timeline")
        .join(followed, on="occurrence", how="left")
        .join(later, on="occurrence", how="left")
        .with_columns(
            takeover=pl.coalesce("takeover", "_later"),
            takeover_ts=pl.coalesce("takeover_ts", "_later_ts"),
        )
        .drop("_later", "_later_ts")
        .with_columns(followed=pl.col("takeover").is_not_null())
        .sort("ts", "occurrence", nulls_last=True)
    )


#: How long before the acquisition a lock error's ``ageMs`` puts its lock at the
#: holder's first line may be (its attempt takes the lock as it starts), and how
#: far after it (two clocks read a moment apart): a run that began later
#: cannot have taken it.
HOLDER_BEFORE = timedelta(seconds=5)
HOLDER_AFTER = timedelta(seconds=1)


def holders(
    lock_table: pl.LazyFrame, failures: pl.LazyFrame, run_table: pl.LazyFrame
) -> pl.LazyFrame:
    """``lock_table`` with the run that held each error's lock: the last run on the
    session to start before the acquisition the error's ``ageMs`` gives (ts -
    ageMs), within ``HOLDER_BEFORE`` (``HOLDER_AFTER`` after it allowed):
    ``holder_run_id``, ``holder_started``; null without debug-level run lines
    or an age."""
    acquired = (
        failures.filter(AGED)
        .select("occurrence", "session_id", acquired=ACQUIRED + HOLDER_AFTER)
        .sort("acquired")
    )
    started = (
        run_table.filter(pl.col("session_id").is_not_null() & pl.col("started").is_not_null())
        .select("session_id", holder_run_id="run_id", holder_started="started")
        .sort("holder_started")
    )
    held = acquired.join_asof(
        started,
        left_on="acquired",
        right_on="holder_started",
        by="session_id",
        strategy="backward",
        tolerance=HOLDER_BEFORE + HOLDER_AFTER,
        check_sortedness=False,
    ).select("occurrence", "holder_run_id", "holder_started")
    return lock_table.join(held, on="occurrence", how="left", maintain_order="left")


def incident_holders(lock_table: pl.LazyFrame, failures: pl.LazyFrame) -> pl.LazyFrame:
    """Per incident, the runs that held its lock errors' locks (:func:`holders`), first
    started first, as ``lock_holders``: ``<run id> since <start, UTC>``."""
    incident = failures.select("occurrence", "incident").filter(pl.col("incident").is_not_null())
    named = (
        lock_table.filter(pl.col("holder_run_id").is_not_null())
        .join(incident, on="occurrence")
        .select("incident", "holder_run_id", "holder_started")
        .unique()
        .sort("incident", "holder_started", "holder_run_id")
    )
    label = pl.format(
        "{} since {}",
        "holder_run_id",
        pl.col("holder_started").dt.strftime("%Y-%m-%d %H:%M:%S"),
    )
    return named.group_by("incident", maintain_order=True).agg(lock_holders=label)


def summary(pair_table: pl.LazyFrame, followup_table: pl.LazyFrame) -> pl.LazyFrame:
    """The alignment numbers a report headlines, as one row."""
    lag = pl.col("lag_s").drop_nulls()
    takeovers = pair_table.select(
        takeovers=pl.len().cast(pl.Int64),
        with_lock_precursor=pl.col("precursor").is_not_null().sum().cast(pl.Int64),
        with_session_precursor=(pl.col("match") == "session").sum().cast(pl.Int64),
        with_agent_precursor=(pl.col("match") == "agent").sum().cast(pl.Int64),
        lag_s_p50=lag.quantile(0.5, "linear"),
        # The headline names same-session pairs: its median is theirs.
        session_lag_s_p50=pl.col("lag_s")
        .filter(pl.col("match") == "session")
        .drop_nulls()
        .quantile(0.5, "linear"),
        lag_s_p90=lag.quantile(0.9, "linear"),
        lag_s_max=lag.max(),
        # Whose look-back window reaches before their host's logs begin
        # (correlate/evidence_start.py): no lock error seen, none known absent.
        precursor_unknown=pl.col("precursor_unknown").sum().cast(pl.Int64),
    ).with_columns(
        without_lock_precursor=pl.col("takeovers")
        - pl.col("with_lock_precursor")
        - pl.col("precursor_unknown"),
    )
    locks = followup_table.select(
        lock_errors=pl.len().cast(pl.Int64),
        lock_errors_followed=pl.col("followed").sum().cast(pl.Int64),
    ).with_columns(
        lock_errors_without_takeover=pl.col("lock_errors") - pl.col("lock_errors_followed")
    )
    return pl.concat([takeovers, locks], how="horizontal")
