"""Gateway epoch invariants, on hand-built tables, on both bundles, and over shuffled input order.

Per host, epochs do not overlap; end ≥ start; one epoch per (host, pid,
start); an epoch opened by a restart and the start line it announces are one
epoch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockforensics.correlate import epochs
from lockforensics.correlate.epochs import RESTARTS
from lockforensics.pipeline import ingest
from samples.truth_bundle import build
from tests.eventrows import Table, at

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def epoch_table(events: pl.DataFrame) -> pl.DataFrame:
    return epochs.epochs(events.lazy()).collect()


def assert_invariants(table: pl.DataFrame) -> None:
    """Fail with the offending rows when an invariant does not hold."""
    rows = table.to_dicts()
    for e in rows:
        assert e["end"] is None or e["start"] is None or e["end"] >= e["start"], e
    keys = [(e["host"], e["pid"], e["start"]) for e in rows]
    assert len(keys) == len(set(keys)), rows
    for host in {e["host"] for e in rows}:
        mine = [e for e in rows if e["host"] == host]
        for before, after in pairwise(mine):
            assert before["end"] is not None, (before, after)
            assert before["end"] <= after["start"], (before, after)
            # The start a restart announces is the restart's epoch, never one of its own.
            if before["opened_by"] in RESTARTS and after["opened_by"] == "start":
                assert after["pid"] != before["pid"], (before, after)
    announced = [e["start_occurrence"] for e in rows if e["start_occurrence"] is not None]
    assert len(announced) == len(set(announced)), rows


def restart_with_an_early_child() -> Table:
    """A full restart whose child writes a line before its parent's `restart mode` line."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    restart = t.add("gateway_restart", 10, phase="signal", gateway_pid=100)
    t.add("lane_wait", 11, gateway_pid=200)
    t.add("gateway_restart", 12, same=restart, phase="mode", gateway_pid=100, spawned_pid=200)
    t.add("gateway_start", 15, phase="listening", gateway_pid=200)
    t.add("lane_wait", 20, gateway_pid=200)
    t.add("lane_wait", 21, gateway_pid=100)  # the old process's last word
    return t


def test_restart_with_an_early_child_is_two_epochs() -> None:
    """The old pid's epoch ends at the restart; the child's starts at its listening line."""
    table = epoch_table(restart_with_an_early_child().frame())
    assert table.select("pid", "opened_by", "start", "end", "ended_by").rows() == [
        (100, "before_bundle", at(0), at(12), "restart"),
        (200, "restart", at(15), None, None),
    ]
    assert_invariants(table)


def test_epochs_are_split_by_host() -> None:
    """Two gateways writing at the same time are two epochs, not a pid change every line."""
    t = Table()
    for second in (0, 20, 40):
        t.add("lane_wait", second, gateway_pid=100, host="h1")
        t.add("lane_wait", second + 10, gateway_pid=300, host="h2")
    table = epoch_table(t.frame())
    assert table.select("host", "pid", "ended_by").rows() == [("h1", 100, None), ("h2", 300, None)]
    assert_invariants(table)


def test_file_log_lines_take_their_hosts_only_gateway() -> None:
    """Lines that name no host (the file log) belong to the bundle's only host."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100, host="h1", source="journal.txt")
    t.add("lane_wait", 5, source="openclaw.log")
    assert epoch_table(t.frame())["events"].to_list() == [2]


@pytest.fixture(scope="module")
def truth_events(tmp_path_factory: pytest.TempPathFactory) -> pl.DataFrame:
    root = tmp_path_factory.mktemp("epochs") / "truth-2026-06-02"
    build(root)
    return ingest([root]).events


def test_both_bundles_hold_the_invariants(truth_events: pl.DataFrame, sample_dir: Path) -> None:
    """The truth bundle and the sample give epochs that satisfy every invariant."""
    assert_invariants(epoch_table(truth_events))
    assert_invariants(epoch_table(ingest([sample_dir]).events))


@SETTINGS
@given(st.randoms(use_true_random=False))
def test_epochs_do_not_depend_on_input_order(truth_events: pl.DataFrame, rng: object) -> None:
    """Shuffling the event table's rows changes no epoch."""
    order = list(range(truth_events.height))
    rng.shuffle(order)  # type: ignore[attr-defined]
    shuffled = truth_events[order]
    assert epoch_table(shuffled).equals(epoch_table(truth_events))
    assert_invariants(epoch_table(shuffled))


# A gateway's life, step by step: (what happens next, seconds after the last step).
STEPS = ("line", "full_restart", "in_process_restart", "crash", "stop_start", "supervised_restart")
lives = st.lists(
    st.tuples(st.sampled_from(("h1", "h2")), st.sampled_from(STEPS), st.integers(1, 90)),
    max_size=25,
)


def simulate(steps: list[tuple[str, str, int]]) -> Table:
    """The lines two hosts' gateways write, each host's process doing what ``steps`` say."""
    t = Table()
    pids = {"h1": 100, "h2": 5000}
    clock = {"h1": 0, "h2": 3}
    for host, first_pid in pids.items():
        t.add("lane_wait", clock[host], gateway_pid=first_pid, host=host)
    for host, step, gap in steps:
        clock[host] += gap
        now, pid = clock[host], pids[host]
        if step == "full_restart":
            pids[host] += 1
            occurrence = t.add("gateway_restart", now, phase="signal", gateway_pid=pid, host=host)
            t.add("gateway_restart", now + 1, same=occurrence, phase="mode", gateway_pid=pid,
                  spawned_pid=pids[host], host=host)  # fmt: skip
            t.add("gateway_start", now + 3, phase="listening", gateway_pid=pids[host], host=host)
            clock[host] += 3
        elif step == "in_process_restart":
            t.add("gateway_restart", now, phase="in_process", gateway_pid=pid, host=host)
        elif step == "crash":
            pids[host] += 1
            t.add("lane_wait", now, gateway_pid=pids[host], host=host)
        elif step == "stop_start":
            pids[host] += 1
            t.add("gateway_stop", now, phase="signal", gateway_pid=pid, host=host)
            t.add("gateway_start", now + 2, phase="listening", gateway_pid=pids[host], host=host)
            clock[host] += 2
        elif step == "supervised_restart":
            # A journal to the second: systemd's `Stopped` of the old process and
            # `Started` of the next share an instant; the new pid speaks later.
            pids[host] += 1
            t.add("gateway_stop", now, phase="signal", gateway_pid=pid, host=host)
            t.add("gateway_stop", now + 1, phase="systemd", host=host)
            started = t.add("gateway_start", now + 1, phase="systemd", host=host)
            t.add("gateway_start", now + 6, same=started, phase="listening",
                  gateway_pid=pids[host], host=host)  # fmt: skip
            clock[host] += 6
        else:
            t.add("lane_wait", now, gateway_pid=pid, host=host)
            t.add("lane_wait", now, host=host)  # a file-log line: no pid
    return t


@SETTINGS
@given(lives)
def test_invariants_hold_for_any_gateway_life(steps: list[tuple[str, str, int]]) -> None:
    """Restarts, crashes, stops and starts on two hosts, in any mix, never break an invariant."""
    table = epoch_table(simulate(steps).frame())
    assert_invariants(table)
    restarts = sum(step in STEPS[1:] for _, step, _ in steps)
    assert table.height == 2 + restarts


def test_an_opener_adopts_its_pid_whatever_order_its_rows_come_in() -> None:
    """An in-place restart naming no pid takes the first pid its host's lines name
    after it (a lock of its own, later).  The openers come from plans whose row
    order is not fixed: each read numbered them anew, and the pid went now and
    then to another opener, the report changing from run to run."""
    at = [datetime(2026, 7, 21, h, m, tzinfo=UTC) for h, m in ((2, 47), (5, 30), (9, 7))]
    openers = pl.LazyFrame(
        {
            "host": [""] * 3,
            "opened_at": at,
            "opened_by": ["start", "in_process_restart", "start"],
            "opener_pid": pl.Series([None, None, None], dtype=pl.Int64),
        }
    )
    # A different order on every read, as a group_by's output may come.
    shuffled = openers.with_columns(_r=pl.int_range(pl.len()).shuffle()).sort("_r").drop("_r")
    seen = datetime(2026, 7, 21, 8, 47, tzinfo=UTC)
    firsts = pl.LazyFrame(
        {"host": [""], "opener_pid": [1], "seen": [seen], "alive": [seen], "ended": [None]},
        schema_overrides={"ended": pl.Datetime("us", "UTC")},
    )
    for _ in range(30):
        adopted = epochs._adopted(shuffled, firsts).sort("opened_at").collect()
        assert adopted.get_column("opener_pid").to_list() == [None, 1, None]
