"""Property tests of the correlator: pairs, windows, row order and the incident partition."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockforensics.correlate import alignment, epochs, failures, identity, incidents
from lockforensics.findings import Settings
from lockforensics.pipeline import correlate
from tests.eventrows import Table

KINDS = ("lock_stale", "lock_timeout", "takeover")
failure_rows = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, 3600),  # seconds: collisions and near misses are likely
        st.sampled_from(("a", "b", "c")),
        st.sampled_from(("s1", "s2", "<session>", None)),
    ),
    max_size=30,
)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def table(rows: list[tuple[str, int, str, str | None]]) -> pl.DataFrame:
    t = Table()
    for kind, seconds, agent, session in rows:
        t.failure(
            kind,
            seconds,
            agent=agent,
            session=f"{agent}-{session}" if session and "<" not in session else session,
            session_is_placeholder=session == "<session>",
        )
    return t.frame()


def failure_frame(frame: pl.DataFrame, gap_s: float = 600.0) -> pl.LazyFrame:
    events = frame.lazy()
    annotated = epochs.annotate(events, epochs.epochs(events).collect().lazy()).collect()
    return (
        incidents.cluster(failures.failures(identity.link(annotated.lazy())), gap_s)
        .collect()
        .lazy()
    )


def pair_rows(frame: pl.DataFrame, window_s: float) -> list[dict[str, Any]]:
    return alignment.pairs(failure_frame(frame), window_s).collect().to_dicts()


@SETTINGS
@given(failure_rows, st.integers(1, 900))
def test_a_pair_never_crosses_sessions(rows: list[Any], window: int) -> None:
    """A session match joins one session's lock error and takeover; an agent match one agent's."""
    frame = table(rows)
    by_occurrence = {r["occurrence"]: r for r in frame.to_dicts()}
    for pair in pair_rows(frame, window):
        if pair["precursor"] is None:
            continue
        takeover, lock = by_occurrence[pair["takeover"]], by_occurrence[pair["precursor"]]
        assert takeover["agent"] == lock["agent"]
        assert lock["kind"] in ("lock_stale", "lock_timeout")
        assert 0 <= pair["lag_s"] <= window
        if pair["match"] == "session":
            assert takeover["session_id"] == lock["session_id"]
            assert not lock["session_is_placeholder"]


@SETTINGS
@given(failure_rows, st.integers(1, 900), st.integers(0, 900))
def test_widening_the_window_never_loses_a_pair(rows: list[Any], window: int, more: int) -> None:
    """Every takeover paired under a window is paired under a wider one, session pairs unchanged."""
    frame = table(rows)
    narrow = {p["takeover"]: p for p in pair_rows(frame, window)}
    wide = {p["takeover"]: p for p in pair_rows(frame, window + more)}
    for takeover, pair in narrow.items():
        if pair["precursor"] is None:
            continue
        assert wide[takeover]["precursor"] is not None
        if pair["match"] == "session":
            assert wide[takeover]["precursor"] == pair["precursor"]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(failure_rows, st.randoms(use_true_random=False))
def test_shuffling_input_rows_changes_nothing(rows: list[Any], rnd: Any) -> None:
    """The findings do not depend on the order of the event table's rows."""
    frame = table(rows)
    order = list(range(frame.height))
    rnd.shuffle(order)
    shuffled = frame[order]
    a, b = correlate(frame, Settings()), correlate(shuffled, Settings())
    for name in ("epochs", "failures", "pairs", "lock_errors", "incidents", "frequency"):
        assert getattr(a, name).equals(getattr(b, name)), name
    assert a.alignment == b.alignment


@SETTINGS
@given(failure_rows, st.integers(1, 1200))
def test_incidents_partition_the_occurrences(rows: list[Any], gap: int) -> None:
    """Each timed failure is in one incident or is background, and gaps separate exactly."""
    clustered = failure_frame(table(rows), gap).collect().sort("ts", "occurrence")
    assert clustered["occurrence"].n_unique() == clustered.height == len(rows)
    sizes = clustered.group_by("incident").len().filter(pl.col("incident").is_not_null())
    assert (sizes["len"] >= incidents.MIN_FAILURES).all()
    records = clustered.to_dicts()
    for before, after in pairwise(records):
        apart = (after["ts"] - before["ts"]).total_seconds()
        same = before["incident"] is not None and before["incident"] == after["incident"]
        assert same == (apart <= gap and after["incident"] is not None), (before, after)


@SETTINGS
@given(
    failure_rows,
    st.lists(st.sampled_from(("gw-1", "gw-2")), min_size=30, max_size=30),
    st.integers(1, 1200),
)
def test_incidents_partition_each_hosts_occurrences(
    rows: list[Any], hosts: list[str], gap: int
) -> None:
    """With every failure's host known, each host's failures are partitioned by the gap
    on their own, an incident holds one host's failures, and ids follow start times."""
    t = Table()
    for (kind, seconds, agent, session), host in zip(rows, hosts, strict=False):
        t.failure(kind, seconds, agent=agent, session=session, host=host)
    clustered = failure_frame(t.frame(), gap).collect().sort("ts", "occurrence")
    assert (
        clustered.group_by("incident")
        .agg(pl.col("gateway_host").n_unique())
        .filter(pl.col("incident").is_not_null() & (pl.col("gateway_host") > 1))
        .is_empty()
    )
    for (host,), mine in clustered.partition_by("gateway_host", as_dict=True).items():
        assert host in ("gw-1", "gw-2")
        for before, after in pairwise(mine.to_dicts()):
            apart = (after["ts"] - before["ts"]).total_seconds()
            same = before["incident"] is not None and before["incident"] == after["incident"]
            assert same == (apart <= gap and after["incident"] is not None), (before, after)
    starts = (
        clustered.filter(pl.col("incident").is_not_null())
        .group_by("incident")
        .agg(pl.col("ts").min())
    )
    assert starts.sort("incident")["ts"].is_sorted()
