"""The vectorised occurrence assignment gives exactly the single pass's ids."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockforensics.ingest.occurrences import MESSAGE_KEY, RANK, assign_frame, first_rows
from lockforensics.schema import EVENT_SCHEMA, SORT_KEY

BASE = datetime(2026, 5, 28, tzinfo=UTC)

row = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(
            [
                "run",
                "lane_task",
                "lock_timeout",
                "takeover",
                "gateway_start",
                "gateway_restart",
                "gateway_stop",
                "lane_error",
            ]
        ),
        "ts": st.one_of(st.none(), st.integers(0, 400).map(lambda s: BASE + timedelta(seconds=s))),
        "source": st.sampled_from(["a.log", "b.log"]),
        "line": st.integers(1, 60),
        "channel": st.sampled_from(["file", "console", None]),
        "echo_role": st.sampled_from(["direct", "lane:main", "reply", None]),
        # killed/exited and failed/exit_result: one role of a gateway_stop each.
        "phase": st.sampled_from(
            ["start", "done", "drain_wait", "killed", "exited", "failed", "exit_result", None]
        ),
        "run_id": st.sampled_from(["r1", "r2", None]),
        "session_file": st.sampled_from(["/s/1.jsonl", "/s/2.jsonl", None]),
        "lock_path": st.sampled_from(["/s/1.jsonl.lock", None]),
        "pid": st.sampled_from([7, 8, None]),
        # A start's lines never span two processes' pids (`apart`).
        "gateway_pid": st.sampled_from([41, 42, None]),
        # A lane failure's two lines: the global lane's names no session.
        "session_key": st.sampled_from(["agent:a:main", "agent:b:main", None]),
        "age_ms": st.sampled_from([100, 200, None]),
        "timeout_ms": st.sampled_from([60000, None]),
        MESSAGE_KEY: st.sampled_from([1, 2, 3]),
    }
)


# A busy lane: one message repeated within seconds from few roles, and restart
# drain lines of one repeatable role (groups of one role are folded without the
# pass unless that role is repeatable).
dense = row.map(lambda r: {**r, "kind": "gateway_restart" if r["line"] % 5 == 0 else "lane_task"})
dense = st.builds(
    lambda r, s, channel, phase: {
        **r,
        # Restart lines spread wider than their 330 s window, lane lines within 2 s.
        "ts": BASE + timedelta(seconds=s * (100 if r["kind"] == "gateway_restart" else 1)),
        "channel": "file" if r["kind"] == "gateway_restart" else channel,
        "echo_role": "direct",
        # Restarts: one repeatable role, folded by their window alone.
        "phase": "drain_wait" if r["kind"] == "gateway_restart" else phase,
    },
    dense,
    st.integers(0, 6),
    st.sampled_from(["file", "console"]),
    st.sampled_from([None, "drain_wait"]),
)


# A crash loop: starts and stops of a few processes seconds apart, inside one
# window, whose lines name their pids or none, in phases that are one role.
lifecycle = st.builds(
    lambda r, kind, s, channel, phase: {
        **r,
        "kind": kind,
        "ts": BASE + timedelta(seconds=s),
        "channel": channel,
        "echo_role": "direct",
        "phase": phase,
    },
    row,
    st.sampled_from(["gateway_start", "gateway_stop"]),
    st.integers(0, 50),
    st.sampled_from(["file", "console"]),
    st.sampled_from(["killed", "exited", "failed", "exit_result", "listening", None]),
)


# Restarts of two gateways minutes apart in several captures: the same steps
# (phases) on several channels, some copies seconds apart, some minutes.
restarts = st.builds(
    lambda r, s, channel, phase: {
        **r,
        "kind": "gateway_restart",
        "ts": BASE + timedelta(seconds=s),
        "channel": channel,
        "echo_role": "direct",
        "phase": phase,
    },
    row,
    st.sampled_from([0, 1, 3, 4, 6, 9, 140, 142, 145, 300, 331]),
    st.sampled_from(["file", "console", "logs"]),
    st.sampled_from(["signal", "drain", "drained", "mode", "drain_wait"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(restarts, min_size=1, max_size=14))
def test_restart_steps_copied_minutes_apart_get_the_single_pass_ids(
    rows: list[dict[str, Any]],
) -> None:
    """A step written again more than the copy window after its first line is
    another restart's, in the vectorised path as in the pass."""
    _check(rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(lifecycle, min_size=1, max_size=12))
def test_lifecycle_lines_of_several_processes_get_the_single_pass_ids(
    rows: list[dict[str, Any]],
) -> None:
    """Starts and stops seconds apart get the pass's ids: no start spans two pids,
    and an exit written as `killed` then `exited` is a second exit."""
    _check(rows)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, min_size=1, max_size=60))
def test_vectorised_ids_equal_the_single_pass(rows: list[dict[str, Any]]) -> None:
    """Any mixture of kinds, keys, times, untimed lines and echo roles gets the pass's ids."""
    _check(rows)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, min_size=1, max_size=60), seed=st.integers(0, 2**32 - 1))
def test_rows_out_of_order_with_their_ranks_get_the_same_ids(
    rows: list[dict[str, Any]], seed: int
) -> None:
    """The table build passes its rows unsorted, each with its place in the order:
    the ids, in that order, are the ones the sorted frame gets."""
    frame = _frame(rows)
    shuffled = frame.with_row_index(RANK).sample(fraction=1.0, shuffle=True, seed=seed)
    assert assign_frame(shuffled).to_list() == assign_frame(frame).to_list()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(dense, min_size=1, max_size=60))
def test_repeated_lines_of_few_roles_get_the_single_pass_ids(rows: list[dict[str, Any]]) -> None:
    """Lines repeating one message within its window, from one or two roles, get the pass's ids."""
    _check(rows)


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    """The rows as a table in its total order."""
    unique = {(r["source"], r["line"]): r for r in rows}  # (source, line) is unique in a table
    full = [{**r, "hit": 0} for r in unique.values()]
    return pl.DataFrame(full, schema={**EVENT_SCHEMA, MESSAGE_KEY: pl.UInt64}).sort(
        list(SORT_KEY), nulls_last=True, maintain_order=True
    )


def _check(rows: list[dict[str, Any]]) -> None:
    frame = _frame(rows)
    firsts = first_rows(frame.to_dicts())
    ranks = {first: rank for rank, first in enumerate(sorted(set(firsts)), start=1)}
    assert assign_frame(frame).to_list() == [ranks[f] for f in firsts]
