"""The correlator on hand-built event tables: epochs, alignment, incidents, resolution, triggers."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from lockforensics.findings import Findings, Settings
from lockforensics.pipeline import correlate
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.prose import headline
from lockforensics.schema import EPOCH_COLUMNS
from tests.eventrows import Table, at


def run(table: Table, **settings: object) -> Findings:
    return correlate(table.frame(), Settings(**settings))  # type: ignore[arg-type]


def uptime_at(findings: Findings, seconds: float) -> tuple[int | None, bool | None, int | None]:
    row = findings.events.filter(pl.col("ts") == at(seconds)).collect().row(0, named=True)
    return row["uptime_s"], row["uptime_is_lower_bound"], row["gateway_pid"]


# -- epochs --------------------------------------------------------------------


def test_epoch_started_before_the_bundle_gives_a_lower_bound() -> None:
    """With no start line and no uptime evidence, uptime counts from the first line, flagged."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    t.add("lane_wait", 3600, gateway_pid=100)
    f = run(t)
    assert f.epochs.select("pid", "start_known", "start_source").rows() == [
        (100, False, "first_line")
    ]
    assert uptime_at(f, 3600) == (3600, True, 100)
    assert all(f.events.collect_schema()[name] == dtype for name, dtype in EPOCH_COLUMNS.items())


def test_uptime_evidence_dates_a_pre_bundle_start() -> None:
    """An uptime event puts the process start at ts - uptime_ms, so uptimes are exact."""
    t = Table()
    t.add("lane_wait", 0)
    t.add("uptime", 60, uptime_ms=70 * 3600 * 1000)
    t.add("lane_wait", 120)
    f = run(t)
    assert f.epochs.select("start_source", "start_known").row(0) == ("uptime", True)
    assert uptime_at(f, 120) == (70 * 3600 + 60, False, None)


def test_a_connections_uptime_is_a_lower_bound_of_the_process() -> None:
    """The WhatsApp heartbeat's uptimeMs counts from its connection, which every
    reconnect opens anew: the process ran at least that long, maybe longer
    (Z149: a 10 h connection was shown as the gateway's exact uptime, 45 h short)."""
    t = Table()
    t.add("lane_wait", 0)
    t.add("uptime", 60, uptime_ms=10 * 3600 * 1000, phase="connection")
    t.add("lane_wait", 120)
    f = run(t)
    assert f.epochs.select("start_source", "start_known").row(0) == ("first_line", False)
    assert uptime_at(f, 120) == (10 * 3600 + 60, True, None)


def test_restart_followed_by_a_start_is_one_transition() -> None:
    """The restart ends the old pid's epoch; the boot that follows starts the spawned
    pid's, which began by the boot's first line (after the restart's)."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    restart = t.add("gateway_restart", 10, phase="signal", gateway_pid=100)
    t.add("gateway_restart", 12, same=restart, phase="mode", gateway_pid=100, spawned_pid=200)
    boot = t.add("gateway_start", 15, phase="canvas", gateway_pid=200)
    t.add("gateway_start", 16, same=boot, phase="listening", gateway_pid=200)
    t.add("lane_wait", 76)
    f = run(t)
    rows = f.epochs.select("pid", "end", "ended_by", "start").rows()
    assert rows[0][:3] == (100, at(12), "restart")
    assert rows[1] == (200, None, None, at(15))
    assert uptime_at(f, 76) == (61, False, 200)


def test_in_process_restart_keeps_the_pid() -> None:
    """An in-process restart opens a new epoch with the same pid, its uptime from the restart."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    t.add("gateway_restart", 10, phase="in_process", gateway_pid=100)
    t.add("lane_wait", 40)
    f = run(t)
    assert f.epochs.select("pid", "opened_by").rows() == [
        (100, "before_bundle"),
        (100, "in_process_restart"),
    ]
    assert uptime_at(f, 40) == (30, False, 100)


def test_an_incident_after_an_in_process_restart_names_its_process_uptime() -> None:
    """The gateway's uptime counts from the in-process restart; the process's, kept
    beside it, from the process's start."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    t.add("gateway_restart", 1000, phase="in_process", gateway_pid=100)
    t.failure("lock_timeout", 1060)
    t.failure("takeover", 1065)
    findings = run(t)
    (row,) = findings.incidents.select(
        "uptime_s", "process_uptime_s", "process_uptime_is_lower_bound"
    ).rows()
    assert row == (60, 1060, False)
    text = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    assert "up 0 h 01 min at the first error" in text
    assert "the process: up 0 h 17 min" in text
    # The terminal's gateway table gives both too (it gave the gateway's alone).
    wide = RenderOptions(width=200)
    terminal = reporter_for(ReportFormat.TERMINAL).render(findings, wide)
    assert "0 h 01 min (process 0 h 17 min)" in terminal


def test_an_incident_with_no_in_process_restart_has_one_uptime() -> None:
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    t.failure("lock_timeout", 60)
    t.failure("takeover", 65)
    (row,) = run(t).incidents.select("uptime_s", "process_uptime_s").rows()
    assert row == (60, None)


def test_unexplained_pid_change_opens_an_epoch() -> None:
    """Lines from a new pid with no start or restart between mean an unlogged end and start."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    t.add("lane_wait", 50, gateway_pid=200)
    t.add("lane_wait", 80)
    f = run(t)
    assert f.epochs.select("pid", "ended_by", "opened_by", "start_known").rows() == [
        (100, "unlogged", "before_bundle", False),
        (200, None, "pid_change", False),
    ]
    assert uptime_at(f, 80) == (30, True, 200)


def test_lines_after_a_stop_have_no_uptime() -> None:
    """After a logged stop no gateway is running, so later lines get no uptime."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    t.add("gateway_stop", 10, phase="signal", gateway_pid=100)
    t.add("lane_wait", 20)
    f = run(t)
    assert f.epochs.select("ended_by", "end").row(0) == ("stop", at(10))
    assert uptime_at(f, 20) == (None, None, None)


# -- alignment -----------------------------------------------------------------


def test_takeover_pairs_with_the_nearest_lock_error_on_its_session() -> None:
    """The precursor is the latest lock error on the same session, not a nearer one elsewhere."""
    t = Table()
    t.failure("lock_stale", 0)
    nearest = t.failure("lock_timeout", 10)
    t.failure("lock_timeout", 15, session="s2")
    t.failure("takeover", 20)
    pair = run(t).pairs.row(0, named=True)
    assert (pair["precursor"], pair["match"], pair["lag_s"]) == (nearest, "session", 10.0)


def test_the_headline_lag_is_that_of_the_same_session_pairs_it_counts() -> None:
    """The headline says "N/M takeovers follow a lock error on the same session
    (median lag …)": its median is over those N, not the agent-only pairs too."""
    t = Table()
    t.failure("lock_timeout", 0, session="s1")
    t.failure("takeover", 2, session="s1")
    t.failure("lock_timeout", 10, session="s3")
    t.failure("takeover", 230, session="s4")  # its agent's lock error, 220 s before
    f = run(t, window_s=600)
    assert (f.alignment["with_session_precursor"], f.alignment["lag_s_p50"]) == (1, 111.0)
    assert f.headline.session_lag_s_p50 == 2.0


def test_with_only_same_agent_pairs_the_headline_names_their_lag() -> None:
    """No takeover follows a lock error on its own session, one follows its
    agent's: the headline gives that pair's lag as the agent's, not "no lag to
    measure" beside an alignment table showing one (Z121, Z122)."""
    t = Table()
    t.failure("lock_timeout", 10, session="s3")
    t.failure("takeover", 230, session="s4")
    text = headline(run(t, window_s=600))
    assert "0/1 takeovers follow a lock error on the same session" in text
    assert "(1 after one of the same agent only, median lag 3 min 40 s)" in text


def test_takeover_falls_back_to_the_same_agent() -> None:
    """With no lock error on its session, a lock error of the same agent is the precursor."""
    t = Table()
    t.failure("lock_timeout", 0, agent="b", session="s9")
    other = t.failure("lock_timeout", 2, session="s2")
    t.failure("takeover", 5)
    pair = run(t).pairs.row(0, named=True)
    assert (pair["precursor"], pair["match"]) == (other, "agent")


def test_lock_error_outside_the_window_is_no_precursor() -> None:
    """A lock error further back than --window leaves the takeover without a precursor."""
    t = Table()
    t.failure("lock_stale", 0)
    t.failure("takeover", 400)
    f = run(t, window_s=300.0)
    assert f.pairs["precursor"].to_list() == [None]
    assert f.alignment["lock_errors_without_takeover"] == 1
    assert run(t, window_s=500.0).alignment["with_lock_precursor"] == 1


def test_a_lock_error_superseded_on_its_session_is_still_followed() -> None:
    """Forward direction: a timeout, then another, then the takeover on one
    session: the takeover's precursor is the nearest error, but neither error
    went away without a takeover.  One on another session, or further back
    than the window, did."""
    t = Table()
    t.failure("lock_timeout", 0)
    t.failure("lock_timeout", 40, session="s2")
    t.failure("lock_timeout", 60)
    near = t.failure("takeover", 70)
    f = run(t, window_s=65.0)
    assert f.lock_errors["followed"].to_list() == [False, False, True]
    f = run(t, window_s=300.0)
    assert f.lock_errors["followed"].to_list() == [True, False, True]
    assert f.lock_errors["takeover"].to_list() == [near, None, near]
    assert f.pairs["precursor_ts"].is_not_null().all()


# -- incidents -----------------------------------------------------------------


@pytest.mark.parametrize("logged_start", [False, True])
def test_logs_beginning_mid_burst_leave_its_start_and_precursors_unknown(
    logged_start: bool,
) -> None:
    """Logs cut by `tail -n 400` begin inside a process's life, and inside a burst:
    an incident whose first failure lies within --gap of their first line may have
    begun earlier, and a takeover whose window reaches before it may have had its
    lock error there.  Logs that begin with the process's start show it whole."""
    t = Table()
    if logged_start:
        t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    else:
        t.add("lane_wait", 0, gateway_pid=100)
    t.failure("takeover", 12, agent="c", session="s1", gateway_pid=100, duration_ms=5_000)
    t.failure("lock_timeout", 30, session="s2", pid=100, gateway_pid=100)
    t.failure("lock_timeout", 7200, session="s3", pid=100, gateway_pid=100)
    t.failure("takeover", 7260, agent="b", session="s4", gateway_pid=100, duration_ms=5_000)
    f = run(t, gap_s=600.0, window_s=300.0)
    assert f.incidents.get_column("start_is_upper_bound").to_list() == [not logged_start, False]
    assert (f.alignment["precursor_unknown"], f.alignment["without_lock_precursor"]) == (
        (0, 2) if logged_start else (1, 1)
    )
    text = reporter_for(ReportFormat.MARKDOWN).render(f, RenderOptions())
    assert ("Incident 1: ≤ " in text) is not logged_start


def test_gap_splits_incidents_and_lone_failures_are_background() -> None:
    """Failures closer than --gap form an incident; a lone failure is background."""
    t = Table()
    for seconds in (0, 100, 650):
        t.failure("lock_timeout", seconds, agent=f"a{seconds}")
    t.failure("lock_timeout", 5000)
    f = run(t, gap_s=600.0)
    assert f.failures["incident"].to_list() == [1, 1, 1, None]
    assert f.incidents.select("start", "end", "occurrences").row(0) == (at(0), at(650), 3)
    assert f.rates["outside_incidents"] == 1


def test_a_baseline_rate_needs_an_hour_of_log_outside_incidents() -> None:
    """One failure in a window of seconds has no rate per hour (it read 1,200,000/hour);
    with two hours of log around it, it is one per 2 hours."""
    t = Table()
    t.failure("lock_timeout", 0)
    t.add("lane_wait", 3)
    assert run(t).rates["baseline_per_hour"] is None
    t.add("lane_wait", 7200)
    assert run(t).rates["baseline_per_hour"] == 0.5


def test_agents_are_listed_most_hit_first_and_days_in_order() -> None:
    """Per agent (and lane, session type, version), the most occurrences come
    first, ties by name: with hundreds of agents the hardest hit are on top.
    Days, hours and epochs stay in their own order."""
    t = Table()
    t.failure("lock_timeout", 0, agent="alpha")
    for n in range(3):
        t.failure("lock_timeout", 90_000 + n, agent="zulu")
    t.failure("lock_timeout", 90_010, agent="mike")
    t.failure("lock_timeout", 90_020, agent="mike")
    t.failure("lock_timeout", 90_030, agent="bravo")
    frequency = run(t).frequency
    agents = frequency.filter(pl.col("dimension") == "agent")
    assert agents.select("value", "occurrences").rows() == [
        ("zulu", 3), ("mike", 2), ("alpha", 1), ("bravo", 1),
    ]  # fmt: skip
    days = frequency.filter(pl.col("dimension") == "day")["value"].to_list()
    assert days == ["2026-05-28", "2026-05-29"]


def test_incident_sessions_leave_out_placeholders() -> None:
    """A redacted `<session>` id is evidence, not a session: it is not counted."""
    t = Table()
    t.failure("lock_timeout", 0, session="<session>", session_is_placeholder=True)
    t.failure("takeover", 5, session="s1")
    row = run(t).incidents.row(0, named=True)
    assert (row["sessions"], row["session_ids"]) == (1, ["s1"])


def two_hosts(t: Table) -> None:
    """Gateways on gw-a (pid 100) and gw-b (pid 200) fail at once, around 60 s."""
    for host, pid in (("gw-a", 100), ("gw-b", 200)):
        t.add("gateway_start", 0, phase="listening", gateway_pid=pid, host=host, source=host)
    for seconds in (60, 70):
        t.failure("lock_timeout", seconds, session=f"a{seconds}", host="gw-a", source="gw-a")
    for seconds in (65, 75):
        t.failure("takeover", seconds, agent="b", session=f"b{seconds}", host="gw-b", source="gw-b")


def test_each_host_is_its_own_timeline_of_incidents() -> None:
    """Two gateways' bursts at the same time are two incidents, each with its host and
    pid, numbered by start; a failure the file log of gw-a wrote (no host on its line)
    is gw-a's."""
    t = Table()
    two_hosts(t)
    t.failure("lock_stale", 80, session="a80", source="gw-a")
    f = run(t)
    assert f.incidents.select("incident", "host", "start", "end", "gateway_pid").rows() == [
        (1, "gw-a", at(60), at(80), 100),
        (2, "gw-b", at(65), at(75), 200),
    ]


def pasted_burst(t: Table, *seconds: int) -> None:
    """Failures from a paste at the bundle's top: in a bundle of two hosts, host unknown."""
    for second in seconds:
        t.failure("lock_stale", second, agent="p", session=f"p{second}", source="pasted.txt")


def test_failures_of_an_unknown_host_are_a_timeline_of_their_own() -> None:
    """A paste whose host cannot be told, failing at the same time as gw-a and gw-b, is an
    incident of its own (host unknown), and leaves the two hosts' incidents and pids as
    they are; merged, the three would be one incident showing gw-a's pid."""
    t = Table()
    two_hosts(t)
    pasted_burst(t, 62, 80)
    f = run(t)
    assert f.incidents.select("incident", "host", "start", "end", "gateway_pid").rows() == [
        (1, "gw-a", at(60), at(70), 100),
        (2, None, at(62), at(80), None),
        (3, "gw-b", at(65), at(75), 200),
    ]


# -- resolution ----------------------------------------------------------------


def burst(t: Table) -> None:
    """Two sessions of agent a fail around 60 s, alive in gateway 100 since 0."""
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    t.failure("lock_timeout", 60, session="s1")
    t.failure("lock_stale", 65, session="s2")


def test_incident_is_resolved_when_its_last_session_is_cleared() -> None:
    """A run clears s1 first; the cleanup over agent a's store clears s2 and resolves it."""
    t = Table()
    burst(t)
    t.add("run", 100, phase="done", run_id="r1", session_id="s1")
    cleanup = t.add("cleanup_run", 300, agent="a")
    f = run(t)
    row = f.incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"], row["resolution_s"]) == (
        "cleanup_run",
        at(300),
        235.0,
    )
    assert f.resolutions.select("kind", "cleared_at").rows() == [("cleanup_run", at(300))]
    assert set(f.evidence.filter(pl.col("role") == "resolution")["occurrence"]) == {cleanup}


def test_doctor_still_seeing_a_lock_defers_its_clearing() -> None:
    """A cleanup before doctor finds the lock, acquired before it, does not count; the restart after does."""
    t = Table()
    burst(t)
    t.add("cleanup_run", 120, agent="a")
    t.add("doctor_lock", 180, agent="a", session_id="s2", removed=False, age_ms=170_000)
    restart = t.add("gateway_restart", 400, phase="signal", gateway_pid=100)
    t.add("gateway_restart", 401, same=restart, phase="mode", spawned_pid=200)
    row = run(t).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"]) == ("gateway_restart", at(401))


def test_a_successors_stop_clears_nothing_of_the_process_before_it() -> None:
    """Gateway 100 restarts into 200, which is stopped later: the restart ended the
    process the burst failed under; the stop of its successor released only its own
    locks, and is not listed as a kind that would have cleared the burst too."""
    t = Table()
    burst(t)
    restart = t.add("gateway_restart", 400, phase="signal", gateway_pid=100)
    t.add("gateway_restart", 401, same=restart, phase="mode", spawned_pid=200)
    t.add("gateway_start", 405, phase="listening", gateway_pid=200)
    t.add("gateway_stop", 900, phase="signal", gateway_pid=200)
    f = run(t)
    assert f.resolutions.select("kind", "cleared_at").rows() == [("gateway_restart", at(401))]


def test_the_lock_watchdog_releasing_a_sessions_lock_clears_it() -> None:
    """The watchdog force-releasing s2's lock (held past maxHoldMs) clears s2 as a
    startup sweep would; with s1's run, the incident is resolved at the release."""
    t = Table()
    burst(t)
    t.add("run", 100, phase="done", run_id="r1", session_id="s1")
    t.add("lock_released_by_watchdog", 200, session_id="s2", duration_ms=720_263)
    row = run(t).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"]) == ("lock_released_by_watchdog", at(200))


def test_a_clear_is_timed_by_its_finest_copy() -> None:
    """A startup sweep's removal logged by the console to the second (18 s) and by
    the file log to the millisecond (18.65 s) cleared the lock at 18.65 s, as a
    failure is timed by its finest copy: not 0.65 s early."""
    t = Table()
    burst(t)
    t.add("run", 100, phase="done", run_id="r1", session_id="s1")
    removed = t.add("lock_removed", 318, session_id="s2", ts_raw="09:07:18")
    t.add("lock_removed", 318.65, same=removed, session_id="s2", ts_raw="09:07:18.650-08:00")
    row = run(t).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"]) == ("lock_removed", at(318.65))


@pytest.mark.parametrize(
    ("first", "resolved"),
    [("lock_timeout", ("run", at(100), [])), ("takeover", (None, None, ["s2"]))],
    ids=["beside-a-lock-error", "takeovers-alone"],
)
def test_a_session_that_only_lost_its_transcript_keeps_no_incident_open(
    first: str, resolved: tuple[Any, ...]
) -> None:
    """s2's only failure is a takeover: its run lost the transcript to another
    writer and ended, holding no lock. Once s1's lock is cleared the incident is
    resolved (Z118: "unresolved, nothing cleared" the cron session a watchdog
    release had freed). An incident of takeovers alone still waits for a clear."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    t.failure(first, 60, session="s1")
    t.failure("takeover", 65, session="s2")
    t.add("run", 100, phase="done", run_id="r1", session_id="s1")
    row = run(t).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"], row["open_targets"]) == resolved


def test_incident_without_a_clearing_event_is_unresolved() -> None:
    """When one session is never cleared the incident stays unresolved."""
    t = Table()
    burst(t)
    t.add("run", 100, phase="done", run_id="r1", session_id="s1")
    row = run(t).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"]) == (None, None)


def test_a_timed_out_run_releases_its_sessions_lock_but_is_no_successful_run() -> None:
    """A run on s2 that hits its timeout is aborted and releases s2's lock (it held it:
    a run waiting for the lock fails on the lock's shorter timeout first), so it clears
    s2 at its timeout line, as ``run_timeout``; it is still no successful run, so
    ``run`` alone never cleared the incident."""
    t = Table()
    burst(t)
    t.add("run", 100, phase="done", run_id="r1", session_id="s1")
    t.add("run", 110, phase="timeout", run_id="r2", session_id="s2")
    t.add("run", 111, phase="done", run_id="r2", session_id="s2")
    f = run(t)
    row = f.incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"]) == ("run_timeout", at(110))
    assert "run" not in f.resolutions["kind"].to_list()


def test_a_lane_task_finished_on_the_sessions_lane_clears_a_key_only_failure() -> None:
    """A lease-era failure names only the session's key; the heartbeat run after it
    names only its transcript id, and no line links the two.  The lane task that
    ran on ``session:<key>`` and ended without an error is that session's work done:
    it clears the key.  One that ended in ``lane task error``, on another session's
    lane, or just after its run's ``done … aborted=true``, does not."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    key = "agent:main:main"
    for second in (60, 62):
        t.add("lock_timeout", second, agent="main", session_key=key, lock_path=f"sqlite:{key}")
    t.add("run", 80, phase="done", run_id="r1", session_id="2c3d4e5f", agent="main")
    # The lane's own run, aborted (a drain): its task still ends `done`.
    t.add("run", 70, phase="attempt", run_id="r2", session_id="7a1b", session_key=key)
    t.add("run", 75, phase="aborted", run_id="r2", session_id="7a1b")
    t.add("lane_task", 75.002, phase="done", lane=f"session:{key}", session_key=key)
    t.add("lane_task", 85, phase="error", lane=f"session:{key}", session_key=key)
    t.add(
        "lane_task", 88, phase="done", lane="session:agent:ops:main", session_key="agent:ops:main"
    )
    t.add("lane_task", 90, phase="done", lane=f"session:{key}", session_key=key)
    row = run(t).incidents.row(0, named=True)
    assert (row["resolved_by"], row["resolved_at"]) == ("run", at(90))
    assert row["open_targets"] == []


def test_a_lock_taken_again_after_an_incident_had_been_released_by_then() -> None:
    """Hours after an incident, its session fails again on a lock whose age says it
    was taken at 4,900 s: the incident's lock had been released by then, by
    nothing the logs show.  Not left open, nor given to whatever comes later."""
    t = Table()
    t.failure("lock_timeout", 0, session="s1")
    t.failure("lock_timeout", 10, session="s1")
    t.failure("lock_timeout", 5000, session="s1", age_ms=100_000)
    t.failure("lock_timeout", 5010, session="s1", age_ms=110_000)
    first, later = run(t).incidents.sort("incident").iter_rows(named=True)
    assert (first["resolved_by"], first["resolved_at"]) == ("lock_retaken", at(4900))
    assert first["resolution_s"] == 4890.0
    assert later["resolved_by"] is None


def test_a_run_timing_out_before_the_last_failure_clears_nothing() -> None:
    """A timeout inside the burst is not its end: only events after the incident's
    last failure clear it."""
    t = Table()
    burst(t)
    t.add("run", 62, phase="timeout", run_id="r2", session_id="s2")
    t.add("run", 100, phase="done", run_id="r1", session_id="s1")
    assert run(t).incidents["resolved_by"].to_list() == [None]


# -- triggers and stuck-but-alive ---------------------------------------------------


def test_compaction_in_the_release_window_is_trigger_evidence() -> None:
    """Another run's auto-compaction on the session before the takeover is listed, with the run."""
    t = Table()
    t.add("run", 0, phase="attempt", run_id="r2", session_id="s1", agent="a", level="debug")
    t.add("compaction", 30, phase="start", run_id="r2", level="debug")
    t.add("takeover", 60, agent="a", session_id="s1", run_id="r1", duration_ms=50_000)
    f = run(t)
    assert f.triggers["status"].to_list() == ["found"]
    assert sorted(f.trigger_writers["trigger"]) == ["compaction", "second_run"]


def test_the_taken_over_runs_own_compaction_is_named_apart() -> None:
    """The taken-over run's own auto-compaction rewrote the transcript: the cause of
    its takeover, but no other writer, so it is named so (Z133: it read as "other
    writer: auto-compaction")."""
    t = Table()
    t.add("run", 0, phase="start", run_id="r1", session_id="s1", agent="a", level="debug")
    t.add("compaction", 30, phase="start", run_id="r1", level="debug")
    t.add("takeover", 60, agent="a", session_id="s1", run_id="r1", duration_ms=59_000)
    f = run(t)
    assert f.trigger_writers.select("trigger", "run_id").rows() == [("own_compaction", "r1")]
    assert f.triggers["status"].to_list() == ["found"]


def test_a_run_that_only_waited_for_the_lock_is_no_writer() -> None:
    """Run r2 starts on s1 inside r1's release window, and its lane task fails on s1's
    lock 60 s later: it waited, never wrote.  Run r3 started and finished: a writer."""
    t = Table()
    t.add("run", 5, phase="start", run_id="r3", session_id="s1", agent="a", level="debug")
    t.add("run", 9, phase="done", run_id="r3", session_id="s1", agent="a", level="debug")
    t.add("run", 10, phase="start", run_id="r2", session_id="s1", agent="a", level="debug")
    t.failure("lock_timeout", 70.5, duration_ms=60_000)
    t.add("takeover", 90, agent="a", session_id="s1", run_id="r1", duration_ms=89_000)
    writers = run(t).trigger_writers
    assert writers.select("trigger", "run_id").rows() == [("second_run", "r3")]


def test_a_takeover_naming_no_run_has_its_own_run_as_no_writer() -> None:
    """A takeover logged only on `lane=main` names no run: the run on the session
    that began when its lane task did (its durationMs back) and had not ended is
    the run taken over, not a second writer.  Another run in the window is one."""
    t = Table()
    t.add("run", 10, phase="start", run_id="victim", session_id="s1", agent="a", level="debug")
    t.add("run", 20, phase="start", run_id="r3", session_id="s1", agent="a", level="debug")
    t.add("run", 25, phase="done", run_id="r3", session_id="s1", agent="a", level="debug")
    t.add("takeover", 90, agent="a", session_id="s1", duration_ms=80_000)
    writers = run(t).trigger_writers
    assert writers.select("trigger", "run_id").rows() == [("second_run", "r3")]


def test_a_heartbeat_writes_the_session_it_runs_on_not_its_agents_others() -> None:
    """A heartbeat run on the main session (`messageChannel=heartbeat`) inside the
    window writes its transcript: named ``heartbeat``.  An isolated heartbeat on
    `agent:a:main:heartbeat` runs in a session of its own and writes only that
    transcript: no writer of `agent:a:main` (Z123 had it the other way round)."""
    t = Table()
    beat = {"session_key": "agent:a:main:heartbeat", "session_id": "hb", "agent": "a"}
    t.add("run", 20, phase="start", run_id="h1", level="debug", **beat)
    t.add("run", 30, phase="done", run_id="h1", level="debug", **beat)
    main = {"session_key": "agent:a:main", "session_id": "s1", "agent": "a"}
    t.add("run", 22, phase="heartbeat", run_id="h2", level="debug", **main)
    t.add("run", 33, phase="done", run_id="h2", level="debug", **main)
    t.add("takeover", 60, run_id="r1", duration_ms=50_000, **main)
    writers = run(t).trigger_writers
    assert writers.select("trigger", "run_id").rows() == [("heartbeat", "h2")]


def test_a_sessions_send_writes_the_session_it_reached_not_its_callers_agent() -> None:
    """Run r2 of agent a calls sessions_send, and a message is queued into agent b's
    session s9 meanwhile: that is its target, so it is no writer of a's s1.  Run r3
    of agent a sends while a run starts on s1: a writer of s1.  Run r4's send
    reached nothing in view: matched by agent, as the target is not logged, and
    named so.  A
    call reaches its target first: Z133's second of two parallel sends, and a
    long send, had reached every session that ran while they waited."""
    t = Table()
    tool = {"tool": "sessions_send", "level": "debug"}

    def send(run_id: str, start: float, end: float, between: Any = None) -> None:
        call = t.add("tool_call", start, phase="start", run_id=run_id, **tool)
        if between is not None:
            between()
        t.add("tool_call", end, same=call, phase="end", run_id=run_id, **tool)

    for run_id, session, start in (("r2", "s2", 1), ("r3", "s3", 2), ("r4", "s4", 3)):
        t.add(
            "run", start, phase="start", run_id=run_id, session_id=session, agent="a", level="debug"
        )
    queued = {"phase": "queued_into_run", "session_id": "s9", "agent": "b", "level": "debug"}
    send("r2", 10, 12, lambda: t.add("session_state", 11, **queued))
    reached = {"phase": "start", "run_id": "r5", "session_id": "s1", "agent": "a", "level": "debug"}
    send("r3", 20, 22, lambda: t.add("run", 21, **reached))
    send("r4", 30, 31)
    # Run r6 sends twice at once (parallel tool calls): the first call reached s1
    # (queued), the second s8 (a run started there).  Run r7's long send reached
    # s8 first; a message queued into s1 while it still waited is none of its.
    t.add("run", 4, phase="start", run_id="r6", session_id="s6", agent="a", level="debug")
    t.add("run", 5, phase="start", run_id="r7", session_id="s7", agent="a", level="debug")
    into_s1 = {"phase": "queued_into_run", "session_id": "s1", "agent": "a", "level": "debug"}
    first = t.add("tool_call", 40, phase="start", run_id="r6", **tool)
    second = t.add("tool_call", 40.5, phase="start", run_id="r6", **tool)
    t.add("session_state", 41, **into_s1)
    on_s8 = {"phase": "start", "session_id": "s8", "agent": "a", "level": "debug"}
    t.add("run", 43, run_id="r8", **on_s8)
    t.add("tool_call", 44, same=first, phase="end", run_id="r6", **tool)
    t.add("tool_call", 44, same=second, phase="end", run_id="r6", **tool)
    send(
        "r7",
        45,
        58,
        lambda: (t.add("run", 46, run_id="r9", **on_s8), t.add("session_state", 50, **into_s1)),
    )
    t.add("takeover", 60, agent="a", session_id="s1", run_id="r1", duration_ms=55_000)
    writers = run(t).trigger_writers.filter(pl.col("trigger").str.starts_with("sessions_send"))
    assert writers.select("run_id", "at", "trigger").rows() == [
        ("r3", at(20), "sessions_send"),
        # Its target unseen: a candidate of the agent's, named apart (Z158).
        ("r4", at(30), "sessions_send_of_agent"),
        ("r6", at(40), "sessions_send"),
    ]


def test_the_taken_over_runs_own_send_is_no_other_runs_write() -> None:
    """A lease-era takeover names no run.  Run r1 on s1, the session taken over,
    calls sessions_spawn, its target unseen: that is r1's own call, no candidate
    writer of s1 "by another run of the agent" (Z184).  r4 on s4 sends with its
    target unseen: still a candidate."""
    t = Table()
    tool = {"tool": "sessions_spawn", "level": "debug"}
    # r1 began as the takeover's lane task did (60 s less its 55 s): the run taken over.
    for run_id, session, began in (("r1", "s1", 5), ("r4", "s4", 1)):
        t.add(
            "run", began, phase="start", run_id=run_id, session_id=session, agent="a", level="debug"
        )
        call = t.add("tool_call", 20, phase="start", run_id=run_id, **tool)
        t.add("tool_call", 21, same=call, phase="end", run_id=run_id, **tool)
    t.add("takeover", 60, agent="a", session_id="s1", duration_ms=55_000)
    writers = run(t).trigger_writers
    assert writers.select("run_id", "trigger").rows() == [("r4", "sessions_spawn_of_agent")]


def test_sends_one_after_another_each_reach_their_own_target() -> None:
    """Run r2 sends to s5 (40.1-40.5 s, queued there at 40.3), then to s6
    (41.0-41.4 s, queued at 41.2): one call after the other, under the 2 s a
    target's line may follow its call, not two in flight; the second reached
    s6, a writer of the takeover there (Z184: only the queued message named)."""
    t = Table()
    tool = {"tool": "sessions_send", "level": "debug"}
    t.add("run", 1, phase="start", run_id="r2", session_id="s2", agent="a", level="debug")
    for start, end, session in ((40.1, 40.5, "s5"), (41.0, 41.4, "s6")):
        call = t.add("tool_call", start, phase="start", run_id="r2", **tool)
        queued = {"phase": "queued_into_run", "session_id": session, "agent": "a", "level": "debug"}
        t.add("session_state", start + 0.2, **queued)
        t.add("tool_call", end, same=call, phase="end", run_id="r2", **tool)
    t.add("takeover", 80, agent="a", session_id="s6", run_id="r6", duration_ms=60_000)
    writers = run(t).trigger_writers.filter(pl.col("trigger") == "sessions_send")
    assert writers.select("run_id", "at").rows() == [("r2", at(41.0))]


def test_a_message_queued_into_the_running_session_is_a_writer() -> None:
    """A reply queued into s1's running run (`message queued …
    source=pi-embedded-runner`: a sub-agent's announce, a sessions_send) inside
    the release window writes the transcript.  One queued into another session is
    none of s1's (Z123: the announce signatures read a `source=cron` OpenClaw
    never writes, and missed every announce)."""
    t = Table()
    t.add("session_state", 30, phase="queued_into_run", session_id="s1", agent="a", level="debug")
    t.add("session_state", 31, phase="queued_into_run", session_id="s9", agent="a", level="debug")
    t.add("takeover", 60, agent="a", session_id="s1", run_id="r1", duration_ms=50_000)
    writers = run(t).trigger_writers
    assert writers.select("trigger", "at").rows() == [("queued_message", at(30))]


def test_a_lock_errors_holder_is_the_run_its_age_points_at() -> None:
    """A lock error at 100 s whose owner is 60 s old: its lock was taken at 40 s, by the
    run on the session that started then (r2, at 40.5 s), not r3, which started at 80 s
    and waited.  An error giving no age names no holder."""
    t = Table()
    t.add("run", 40.5, phase="start", run_id="r2", session_id="s1", agent="a", level="debug")
    t.add("run", 80, phase="start", run_id="r3", session_id="s1", agent="a", level="debug")
    t.failure("lock_timeout", 100, age_ms=60_000)
    t.failure("lock_timeout", 110)
    rows = run(t).lock_errors.sort("ts").select("holder_run_id", "holder_started").rows()
    assert rows == [("r2", at(40.5)), (None, None)]


def test_an_incident_names_the_runs_that_held_its_locks() -> None:
    """The two lock errors of a burst say their lock was taken 60 s before them: the
    incident names the run that started then, once."""
    t = Table()
    t.add("run", 40.5, phase="start", run_id="r2", session_id="s1", agent="a", level="debug")
    t.failure("lock_timeout", 100, age_ms=60_000)
    t.failure("lock_timeout", 130, age_ms=90_000)
    row = run(t).incidents.row(0, named=True)
    assert row["lock_holders"] == ["r2 since 2026-05-28 04:00:40"]


def test_takeover_without_debug_lines_has_no_trigger_evidence() -> None:
    """At the default log level the report says there is no evidence, not that there is none."""
    t = Table()
    t.add("lane_wait", 0, level="warn")
    t.failure("takeover", 60, duration_ms=50_000)
    assert run(t).triggers["status"].to_list() == ["no_debug_lines"]


@pytest.mark.parametrize("level", ["debug", "warn"])
def test_every_format_says_why_no_writer_was_found(level: str) -> None:
    """Debug lines near a takeover that show no writer are not "no evidence at
    this log level": the Markdown says what the terminal and HTML say."""
    t = Table()
    t.add("lane_wait", 30, level=level, agent="b")
    t.failure("takeover", 60, duration_ms=50_000)
    findings = run(t)
    text = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    section = text[text.index("### Trigger evidence") :]
    if level == "debug":
        assert "1 with debug lines near them, none of them a writer" in section
        assert "at this log level" not in section.split("\n\n")[1]
    else:
        assert "no debug lines near them" in section


def test_stuck_alive_names_live_lock_owners() -> None:
    """Owner pid = the gateway's, or alive=true, is stuck-but-alive; a dead owner is not."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    t.failure("lock_timeout", 10, session="s1", pid=100)
    t.failure("lock_timeout", 20, session="s2", pid=300, owner_alive=True)
    t.failure("lock_stale", 30, session="s3", pid=400, owner_alive=False)
    stuck = run(t).stuck_alive
    assert stuck.select("session_id", "owners").rows() == [
        ("s1", ["gateway"]),
        ("s2", ["other live process"]),
    ]


def test_one_session_id_stuck_on_two_hosts_is_two_rows() -> None:
    """A host restored from another's state snapshot shares its session ids: the
    same id stuck inside each host's own gateway is two sessions, one per host,
    in the stuck table and in the headline's count."""
    t = Table()
    for host, pid in (("gw-a", 4242), ("gw-c", 1873)):
        t.add("gateway_start", 0, phase="listening", gateway_pid=pid, host=host)
        t.failure("lock_timeout", 10, session="s1", pid=pid, host=host, gateway_pid=pid)
    findings = run(t)
    assert findings.stuck_alive.select(
        "host", "session_id", "owner_pids", "lock_errors"
    ).rows() == [
        ("gw-a", "s1", [4242], 1),
        ("gw-c", "s1", [1873], 1),
    ]
    assert findings.headline.sessions == 2


def test_one_session_stuck_in_two_container_processes_is_two_rows() -> None:
    """A container restarted after an OOM kill runs its gateway as pid 1 again: the
    session stuck in the first process and again in the second is two rows, one
    per epoch, not one owner "still running" across both (Z122)."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=1)
    t.failure("lock_timeout", 10, session="s1", pid=1, gateway_pid=1)
    t.add("gateway_start", 3600, phase="listening", gateway_pid=1)
    t.failure("lock_timeout", 3700, session="s1", pid=1, gateway_pid=1)
    stuck = run(t).stuck_alive
    assert stuck.select("session_id", "epoch", "lock_errors").rows() == [
        ("s1", 1, 1),
        ("s1", 2, 1),
    ]


def test_a_live_owner_with_the_gateway_pid_unknown_is_not_called_another_process() -> None:
    """No line names the gateway's pid (2026.6+ `ready` has none): a live owner may
    be the gateway itself, and the report must not send the on-call hunting another."""
    t = Table()
    t.add("gateway_start", 0, phase="ready")
    t.failure("lock_timeout", 20, session="s2", pid=7, owner_alive=True)
    assert run(t).stuck_alive.select("owners").item().to_list() == [
        "live process, gateway pid unknown"
    ]


# -- scope ---------------------------------------------------------------------


def test_agent_filter_keeps_shared_lines_and_drops_other_agents() -> None:
    """--agent drops other agents' failures but keeps restarts and store-wide cleanups."""
    t = Table()
    burst(t)
    t.failure("lock_timeout", 70, agent="b", session="s9")
    t.add("cleanup_run", 300)
    f = run(t, agents=("a",))
    assert set(f.failures["agent"]) == {"a"}
    assert f.incidents["resolved_by"].to_list() == ["cleanup_run"]


@pytest.mark.parametrize(("since", "until", "incidents"), [(None, None, 2), (at(500), None, 1)])
def test_time_limits_bound_the_incidents(since: object, until: object, incidents: int) -> None:
    """--since leaves out the failures before it."""
    t = Table()
    burst(t)
    t.failure("lock_timeout", 1000)
    t.failure("takeover", 1010)
    assert run(t, since=since, until=until).headline.incidents == incidents


def test_versions_are_listed_in_release_order() -> None:
    """2026.6.5 came before 2026.6.12: as text it sorted after it."""
    t = Table()
    for n, version in enumerate(("2026.6.12", "2026.5.22", "2026.6.5")):
        t.add("lane_wait", n, gateway_pid=100, version=version)
    assert run(t).versions == ("2026.5.22", "2026.6.5", "2026.6.12")


def test_a_takeover_just_after_since_keeps_its_lock_error_from_before_it() -> None:
    """--since cuts between a lock error and its takeover 50 s later: the takeover
    is shown, and its precursor is read from the whole bundle, as what cleared
    an incident is, not called missing."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    t.failure("lock_stale", 3570, session="s1", pid=100)
    t.failure("takeover", 3620, session="s1", duration_ms=50_000)
    shown = run(t, since=at(3600))
    assert shown.alignment["with_session_precursor"] == 1
    assert shown.pairs.select("lag_s").item() == 50.0
    assert shown.headline.takeovers == 1


def test_an_incident_cut_by_until_is_cleared_by_what_cleared_it_and_says_it_was_cut() -> None:
    """--until cuts an incident in half: what cleared the part inside is read from the
    whole bundle (a run's timeout just past --until, not the restart days later that
    ends the process), and the incident says how many of its failures the window shows."""
    t = Table()
    burst(t)
    t.failure("lock_timeout", 80, session="s1")
    t.add("run", 200, phase="timeout", run_id="r1", session_id="s1")
    t.add("run", 210, phase="timeout", run_id="r2", session_id="s2")
    t.failure("lock_timeout", 220, session="s1")
    t.add("gateway_restart", 400_000, phase="mode")
    f = run(t, until=at(100))
    (row,) = f.incidents.select("resolved_by", "occurrences", "occurrences_in_bundle").rows()
    assert row == ("run_timeout", 3, 4)
    # Every human format says so: a terminal row of the part alone read as a whole
    # incident of its own.
    for fmt in (ReportFormat.TERMINAL, ReportFormat.MARKDOWN, ReportFormat.HTML):
        text = reporter_for(fmt).render(f, RenderOptions(width=400)).lower()
        assert "cut by the filters" in text, fmt
        assert "3 of its 4 failures fall inside" in text, fmt


def test_another_gateways_lock_error_is_no_precursor() -> None:
    """Two pods both name a session `agent:main:main`: a takeover on gw-b has no
    precursor in gw-a's lock error on that key 5 s before (it was paired with it)."""
    t = Table()
    for host, pid in (("gw-a", 100), ("gw-b", 200)):
        t.add("gateway_start", 0, phase="listening", gateway_pid=pid, host=host, source=host)
    t.failure("lock_timeout", 60, session="agent:main:main", host="gw-a", source="gw-a")
    t.failure("takeover", 65, session="agent:main:main", host="gw-b", source="gw-b")
    t.failure("lock_timeout", 70, session="agent:main:main", host="gw-b", source="gw-b")
    t.failure("takeover", 75, session="agent:main:main", host="gw-b", source="gw-b")
    assert run(t).pairs.select("ts", "match", "lag_s").rows() == [
        (at(65), None, None),
        (at(75), "session", 5.0),
    ]


def test_a_restart_clears_only_its_own_hosts_incident() -> None:
    """gw-b's restart resolves gw-b's incident; gw-a's, which nothing on gw-a cleared, stays
    unresolved."""
    t = Table()
    two_hosts(t)
    restart = t.add("gateway_restart", 300, phase="signal", gateway_pid=200, host="gw-b")
    t.add("gateway_restart", 302, same=restart, phase="mode", gateway_pid=200, host="gw-b")
    f = run(t)
    assert f.incidents.select("host", "resolved_by", "resolved_at").rows() == [
        ("gw-a", None, None),
        ("gw-b", "gateway_restart", at(302)),
    ]


def test_a_known_hosts_restart_does_not_clear_an_unknown_hosts_incident() -> None:
    """gw-b restarting days later is no evidence about a paste whose host cannot be told
    (it may be gw-a's); a start in the paste itself (host unknown too) clears it."""
    t = Table()
    two_hosts(t)
    pasted_burst(t, 100, 110)
    t.add("gateway_start", 3 * 86_400, phase="listening", gateway_pid=300, host="gw-b")
    f = run(t)
    assert f.incidents.filter(pl.col("host").is_null()).select("resolved_by").item() is None
    t.add("gateway_start", 4 * 86_400, phase="listening", gateway_pid=400, source="pasted.txt")
    f = run(t)
    assert f.incidents.select("host", "resolved_by", "resolved_at").rows() == [
        ("gw-a", None, None),
        ("gw-b", "gateway_start", at(3 * 86_400)),
        (None, "gateway_start", at(4 * 86_400)),
    ]


def test_an_unknown_hosts_start_does_not_clear_a_known_hosts_incident() -> None:
    """A start pasted with no host, in a bundle of two hosts, clears neither host's burst."""
    t = Table()
    two_hosts(t)
    t.add("gateway_start", 600, phase="listening", gateway_pid=300, source="pasted.txt")
    f = run(t)
    assert f.incidents.select("host", "resolved_by").rows() == [("gw-a", None), ("gw-b", None)]


def test_a_cleanup_clears_its_agent_on_its_own_host_only() -> None:
    """Agent `a` fails on gw-a and on gw-b; a cleanup of agent a's store written on gw-b
    (its file names no host: its source's lines do) clears gw-b's incident only; a
    cleanup pasted at the bundle's top (host unknown) clears neither."""
    t = Table()
    for host, pid in (("gw-a", 100), ("gw-b", 200)):
        t.add("gateway_start", 0, phase="listening", gateway_pid=pid, host=host, source=host)
        for seconds in (60, 70):
            t.failure("lock_timeout", seconds, session=f"{host}-{seconds}", host=host, source=host)
    t.add("cleanup_run", 300, agent="a", source="gw-b")
    t.add("cleanup_run", 200, agent="a", source="pasted.txt")
    f = run(t)
    assert f.incidents.select("host", "resolved_by", "resolved_at").rows() == [
        ("gw-a", None, None),
        ("gw-b", "cleanup_run", at(300)),
    ]


def test_a_start_days_after_a_restart_is_a_new_process_of_a_reused_pid() -> None:
    """A restart spawning pid 200 announces a boot within minutes; pid 200's start three
    days later (another capture) opens its own epoch, and a failure between the two is
    the restart's successor's, up since the restart, not "up 0 min" in the later one."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    restart = t.add("gateway_restart", 10, phase="signal", gateway_pid=100)
    t.add("gateway_restart", 12, same=restart, phase="mode", gateway_pid=100, spawned_pid=200)
    t.failure("lock_timeout", 86_400 + 12)
    t.add("gateway_start", 3 * 86_400, phase="listening", gateway_pid=200)
    f = run(t)
    assert f.epochs.select("pid", "opened_by", "start").rows() == [
        (100, "before_bundle", at(0)),
        (200, "restart", at(12)),
        (200, "start", at(3 * 86_400)),
    ]
    assert uptime_at(f, 86_400 + 12) == (86_400, False, 200)


def test_a_file_log_takes_the_host_its_directory_names() -> None:
    """A bundle gathered as host-a/ and host-b/: each file log (no host on its lines) is
    on the timeline of the host its directory's journal names, with that gateway's pid."""
    t = Table()
    for host, pid in (("gw-a", 100), ("gw-b", 200)):
        journal, log = f"bundle/{host}/journal.txt", f"bundle/{host}/openclaw.log"
        t.add("gateway_start", 0, phase="listening", gateway_pid=pid, host=host, source=journal)
        t.failure("lock_timeout", 60, session=f"{host}-1", source=log)
        t.failure("takeover", 65, session=f"{host}-2", source=log)
    f = run(t)
    assert f.incidents.select("incident", "host", "gateway_pid", "occurrences").rows() == [
        (1, "gw-a", 100, 2),
        (2, "gw-b", 200, 2),
    ]


def test_a_banner_just_before_a_start_is_the_starting_processs() -> None:
    """`🦞 OpenClaw 2026.6.1 (…)` 3 s before the start (a docker capture's first line)
    gives that process its version; it opened an epoch of its own, 0 s long."""
    t = Table()
    t.add("version", 0, version="2026.6.1")
    boot = t.add("gateway_start", 3, phase="canvas")
    t.add("gateway_start", 4, same=boot, phase="ready")
    t.failure("lock_timeout", 60)
    f = run(t)
    assert f.epochs.select("opened_by", "version").rows() == [("start", "2026.6.1")]


def test_an_unstamped_banner_above_a_start_is_the_starting_processs() -> None:
    """`kubectl logs` without --timestamps prints the banner bare, then the console's
    stamped start lines: the epoch still takes the banner's version."""
    t = Table()
    t.add("version", None, version="2026.6.26")
    boot = t.add("gateway_start", 3, phase="starting")
    t.add("gateway_start", 4, same=boot, phase="ready")
    t.failure("lock_timeout", 60)
    t.add("version", None, version="2026.7.2", source="other.log")  # no start follows it there
    f = run(t)
    assert f.epochs.select("opened_by", "version").rows() == [("start", "2026.6.26")]


def test_a_failure_takes_its_process_from_the_copy_that_names_its_host() -> None:
    """An operator's notes paste gw-a's `openclaw logs` above gw-b's journal: the
    host-less copy of gw-a's failure there was placed on gw-b, the host the notes
    name.  The failure's pid and uptime come from its copy that names its host."""
    t = Table()
    journal, notes = "gw-a/journal.txt", "a-notes.txt"
    t.add("gateway_start", 0, phase="listening", gateway_pid=100, host="gw-a", source=journal)
    t.add("gateway_start", 1, phase="listening", gateway_pid=200, host="gw-b", source=notes)
    first = t.failure("lock_timeout", 50, source=notes)
    t.failure("lock_timeout", 50, same=first, host="gw-a", gateway_pid=100, source=journal)
    second = t.failure("lock_timeout", 70, session="s2", source=notes)
    t.failure("lock_timeout", 70, same=second, session="s2", host="gw-a", gateway_pid=100,
              source=journal)  # fmt: skip
    f = run(t)
    assert f.incidents.select("host", "gateway_pid", "uptime_s").rows() == [("gw-a", 100, 50)]


def test_a_start_line_written_alone_mid_run_is_no_new_process() -> None:
    """`agent model:` or `heartbeat started` alone, minutes into a run (a model
    switch, a config reload), is a line a start writes beside its own, not a start."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    t.add("gateway_start", 900, phase="agent_model")
    t.add("lane_wait", 1000, gateway_pid=100)
    assert run(t).epochs.select("pid", "opened_by", "end").rows() == [(100, "start", None)]


def test_a_supervisor_restarts_exit_lines_are_the_restarts() -> None:
    """`restart mode: full process restart (supervisor restart)` names no pid; systemd's
    `Stopped …` after it is the old process exiting, not the end of its successor."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    restart = t.add("gateway_restart", 10, phase="signal", gateway_pid=100)
    t.add("gateway_restart", 11, same=restart, phase="mode", gateway_pid=100)
    t.add("gateway_stop", 12, phase="systemd_stopped")
    boot = t.add("gateway_start", 12, phase="systemd")
    t.add("gateway_start", 16, same=boot, phase="listening", gateway_pid=200)
    t.add("lane_wait", 60, gateway_pid=200)
    assert run(t).epochs.select("pid", "opened_by", "ended_by").rows() == [
        (100, "before_bundle", "restart"),
        (200, "restart", None),
    ]


def test_a_supervisor_restarts_old_process_shutting_down_after_its_restart_line() -> None:
    """The old process logs `[shutdown] completed cleanly` after its `restart mode`
    line, then systemd stops and starts the unit: all of it is the restart, and the
    boot 6 s later is its successor's (three processes would be one too many)."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    restart = t.add("gateway_restart", 10, phase="signal", gateway_pid=100)
    t.add("gateway_restart", 10.1, same=restart, phase="mode", gateway_pid=100)
    t.add("gateway_stop", 10.3, phase="completed", gateway_pid=100)
    t.add("gateway_stop", 11.5, phase="systemd_stopped")
    boot = t.add("gateway_start", 11.5, phase="systemd")
    t.add("gateway_start", 17, same=boot, phase="listening", gateway_pid=200)
    assert run(t).epochs.select("pid", "opened_by", "ended_by").rows() == [
        (100, "before_bundle", "restart"),
        (200, "restart", None),
    ]


def test_an_in_process_restart_keeps_its_processs_version() -> None:
    """The same code restarted in place prints no banner again: its version stays."""
    t = Table()
    t.add("version", 0, version="2026.8.14")
    t.add("gateway_start", 1, phase="listening", gateway_pid=100)
    t.add("gateway_restart", 500, phase="in_process", gateway_pid=100)
    t.add("gateway_start", 503, phase="ready")
    t.add("lane_wait", 600, gateway_pid=100)
    assert run(t).epochs.select("opened_by", "version").rows() == [
        ("start", "2026.8.14"),
        ("in_process_restart", "2026.8.14"),
    ]


def test_a_long_drain_still_announces_its_boot() -> None:
    """A restart that drains for 20 minutes (no drain timeout) still owns the boot that
    follows its `restart mode` line: one epoch for the successor, started at the boot."""
    t = Table()
    t.add("lane_wait", 0, gateway_pid=100)
    restart = t.add("gateway_restart", 10, phase="signal", gateway_pid=100)
    t.add("gateway_restart", 1210, same=restart, phase="mode", gateway_pid=100, spawned_pid=200)
    t.add("gateway_start", 1215, phase="listening", gateway_pid=200)
    t.add("lane_wait", 1275)
    f = run(t)
    assert f.epochs.select("pid", "opened_by", "start").rows() == [
        (100, "before_bundle", at(0)),
        (200, "restart", at(1215)),
    ]
    assert uptime_at(f, 1275) == (60, False, 200)


def test_a_pid_reused_by_the_next_process_does_not_reach_back_to_the_dead_one() -> None:
    """Inside a container every process is pid 7 (tini) or 1.  A process whose start
    named no pid, after one that crashed as pid 7: a lock error naming pid 7 as its
    writer (`orphan-self-pid`) is the running process's, not the dead one's (it had
    landed a day after that process's end, with no uptime)."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=7)
    t.add("gateway_stop", 100, phase="killed")
    t.add("gateway_start", 110, phase="ready")
    t.failure("lock_stale", 5000, gateway_pid=7)
    t.failure("takeover", 5005)
    findings = run(t)
    epochs = findings.epochs.select("epoch", "end", "ended_by").rows()
    assert epochs == [(1, at(100), "crash"), (2, None, None)]
    (row,) = findings.incidents.select("epoch", "gateway_pid", "uptime_s").rows()
    assert row == (2, 7, 4890)


def test_an_incident_some_of_whose_sessions_were_cleared_says_which_are_open() -> None:
    """Two of three sessions cleared by their next runs, the third by nothing: the
    incident is unresolved, and the report names the open one rather than saying
    nothing cleared it."""
    t = Table()
    for session in ("s1", "s2", "s3"):
        t.failure("lock_timeout", 10, session=session)
    t.add("run", 60, session_id="s1", agent="a", phase="done", run_id="r1")
    t.add("run", 70, session_id="s2", agent="a", phase="done", run_id="r2")
    findings = run(t)
    (row,) = findings.incidents.select(
        "resolved_by", "targets", "cleared_targets", "open_targets"
    ).rows()
    assert row == (None, 3, 2, ["s3"])
    text = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())
    assert "unresolved: 2 of 3 cleared; nothing in the bundle cleared s3" in text


def test_a_recycled_pid_owner_is_gone_though_the_pid_is_alive() -> None:
    """`session file lock stale (recycled-pid): pid=1 alive=true`: pid 1 is alive, but
    it is another process (a container's next); the owner is dead, not a live process
    holding the session."""
    t = Table()
    t.failure("lock_stale", 10, pid=1, owner_alive=True, stale_reasons=["recycled-pid"])
    t.failure("takeover", 15)
    findings = run(t)
    (row,) = findings.incidents.select("dead_owner_pids", "live_owner_pids").rows()
    assert row == ([1], [])
    assert findings.stuck_alive.is_empty()


def test_a_pid_named_long_after_a_pidless_start_is_the_new_process() -> None:
    """A container restarted with nothing logged for the old process's end: the new
    one's start names no pid, and both are pid 1.  A line naming pid 1 minutes
    after that start is the new process's (it had gone to the old one)."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=1)
    t.add("gateway_start", 100, phase="ready")
    t.failure("lock_stale", 500, gateway_pid=1)
    t.failure("takeover", 505)
    findings = run(t)
    (row,) = findings.incidents.select("epoch", "gateway_pid", "uptime_s").rows()
    assert row == (2, 1, 400)


def test_the_most_hit_sessions_are_listed_most_first() -> None:
    """A herd hits hundreds of sessions: the frequency lists the ten most hit, most
    first (ties by id), not every one in id order; a failure naming no session is
    no session of its own."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    for n in range(12):
        for k in range(n + 1):
            t.failure("lock_timeout", 60 + n + k / 100, session=f"s{n:02d}")
    t.add("lock_timeout", 61.5, agent="a")
    rows = run(t).frequency.filter(pl.col("dimension") == "session")
    assert rows.select("value", "occurrences").rows() == [
        (f"s{n:02d}", n + 1) for n in range(11, 1, -1)
    ]


def test_a_run_begun_while_another_waited_on_the_lock_is_a_writer() -> None:
    """r2's lane task waits on s1's lock from 10 s and fails at 50.5 s; a heartbeat
    begun at 40 s, mid-wait, ran on past the failure and wrote s1: a writer of the
    takeover at 90 s, not a waiter (Z158: dropped, the takeover's writer `none
    found`)."""
    t = Table()
    main = {"session_id": "s1", "agent": "a", "level": "debug"}
    t.add("run", 10, phase="start", run_id="r2", **main)
    t.add("run", 40, phase="heartbeat", run_id="h1", session_key="agent:a:main", **main)
    t.failure("lock_timeout", 50.5, duration_ms=40_000)
    t.add("run", 55, phase="done", run_id="h1", **main)
    t.add("takeover", 90, agent="a", session_id="s1", run_id="r1", duration_ms=89_000)
    writers = run(t).trigger_writers
    assert writers.select("trigger", "run_id").rows() == [("heartbeat", "h1")]


def test_a_heartbeat_begun_as_a_named_runs_wait_began_is_a_writer() -> None:
    """r2's lane task waits on s1's lock from 10 s; a heartbeat starts at 10.3 s,
    as r2's task began, and holds the lock.  The failure names its own run (r2,
    the fallback decision's echo), so the heartbeat is no waiter: it wrote s1, a
    writer of the takeover at 90 s (Z177: `none found`)."""
    t = Table()
    main = {"session_id": "s1", "agent": "a", "level": "debug"}
    t.add("run", 10, phase="start", run_id="r2", **main)
    t.add("run", 10.3, phase="heartbeat", run_id="h1", session_key="agent:a:main", **main)
    t.failure("lock_timeout", 70.3, duration_ms=60_300, run_id="r2")
    t.add("run", 75, phase="done", run_id="h1", **main)
    t.add("takeover", 90, agent="a", session_id="s1", run_id="r1", duration_ms=89_000)
    writers = run(t).trigger_writers
    assert writers.select("trigger", "run_id").rows() == [("heartbeat", "h1")]


def test_a_compaction_begun_before_the_window_and_completed_in_it_is_a_writer() -> None:
    """r2's auto-compaction starts 10 s before r1's release window and completes
    inside it: it rewrote the transcript there (Z158: only `another run` named)."""
    t = Table()
    t.add("run", 0, phase="attempt", run_id="r2", session_id="s1", agent="a", level="debug")
    began = t.add("compaction", 5, phase="start", run_id="r2", level="debug")
    t.add("compaction", 35, same=began, phase="complete", run_id="r2", level="debug")
    t.add("takeover", 75, agent="a", session_id="s1", run_id="r1", duration_ms=60_000)
    f = run(t)
    assert sorted(f.trigger_writers["trigger"]) == ["compaction", "second_run"]


def test_one_session_id_on_two_hosts_is_two_sessions_in_the_frequency() -> None:
    """gw-b was restored from gw-a's state: one session id fails on both hosts.
    The per-session table keeps a row per host, as the headline's count does
    (Z187: the two hosts' failures summed on one row)."""
    t = Table()
    for host, offset in (("gw-a", 0), ("gw-b", 7200)):
        t.add("gateway_start", offset, phase="listening", gateway_pid=100 + offset, host=host)
        for n in range(2):
            t.failure("lock_timeout", offset + 60 + n, session="s1", host=host)
    sessions = run(t).frequency.filter(pl.col("dimension") == "session")
    assert sessions.select("value", "host", "occurrences").rows() == [
        ("s1", "gw-a", 2),
        ("s1", "gw-b", 2),
    ]
