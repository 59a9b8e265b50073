"""Resolution against lock observations: a held lock voids a clear only if acquired before it."""

from __future__ import annotations

from datetime import datetime

import pytest

from lockforensics.findings import Settings
from lockforensics.pipeline import correlate
from tests.eventrows import Table, at


def burst(t: Table) -> None:
    """Two failures of agent a's session s1 around 60 s, gateway 100 up since 0."""
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    t.failure("lock_timeout", 60)
    t.failure("takeover", 65)


def resolved(t: Table) -> tuple[str | None, datetime | None, list[str]]:
    row = correlate(t.frame(), Settings()).incidents.row(0, named=True)
    return row["resolved_by"], row["resolved_at"], row["held_acquired_unknown"]


def lock_file(t: Table, created: float, session: str = "s1") -> None:
    """A session lock file in the bundle, its row timed by its createdAt."""
    t.add("lock_file", created, agent="a", session_id=session, lock_scope="session", pid=100)


@pytest.mark.parametrize(
    ("age_s", "voids"),
    [(590, True), (13, False)],
    ids=["acquired-before-the-cleanup", "acquired-after-the-cleanup"],
)
def test_doctor_listing_voids_only_a_clear_after_its_acquisition(age_s: int, voids: bool) -> None:
    """A doctor line at 600 s voids the 120 s cleanup only if its age puts the lock before it."""
    t = Table()
    burst(t)
    t.add("cleanup_run", 120, agent="a")
    t.add("doctor_lock", 600, agent="a", session_id="s1", removed=False, age_ms=age_s * 1000)
    t.add("cleanup_run", 900, agent="a")
    assert resolved(t)[:2] == ("cleanup_run", at(900) if voids else at(120))


def test_listing_without_age_voids_nothing_and_is_listed() -> None:
    """age=unknown: held when observed, acquired unknown; the clear stands, the session is named."""
    t = Table()
    burst(t)
    t.add("cleanup_run", 120, agent="a")
    t.add("doctor_lock", 600, agent="a", session_id="s1", removed=False)
    assert resolved(t) == ("cleanup_run", at(120), ["s1"])


@pytest.mark.parametrize(("seen_after_s", "voids"), [(20, False), (None, True)])
def test_a_lock_an_earlier_census_run_listed_was_held_only_then(
    seen_after_s: int | None, voids: bool
) -> None:
    """A census run at 30 s listed the lock taken at 10 s (a healthy run's): held
    then, not at collection, so the cleanup at 120 s clears the burst after it
    (Z112: one such row made an incident a cleanup cleared unresolved, and a
    lock listed held at collection).  Seen at collection, it voids the clear."""
    t = Table()
    burst(t)
    t.add("cleanup_run", 120, agent="a")
    held = None if seen_after_s is None else seen_after_s * 1000
    t.add(
        "lock_file", 10, agent="a", session_id="s1", lock_scope="session",
        lock_payload="listed", duration_ms=held,
    )  # fmt: skip
    assert resolved(t)[:2] == ((None, None) if voids else ("cleanup_run", at(120)))
    findings = correlate(t.frame(), Settings())
    assert findings.held_locks.height == (1 if voids else 0)


@pytest.mark.parametrize(("created", "voids"), [(30, True), (3000, False)])
def test_lock_file_created_before_a_clear_voids_it(created: float, voids: bool) -> None:
    """A lock file seen at collection voids clears after its createdAt, not those before."""
    t = Table()
    burst(t)
    t.add("cleanup_run", 120, agent="a")
    lock_file(t, created)
    by, when, _ = resolved(t)
    assert (by, when) == ((None, None) if voids else ("cleanup_run", at(120)))


def test_listing_without_age_takes_the_lock_files_created_at() -> None:
    """A lock file of the same session dates an age-less listing: created at 30 s, it voids."""
    t = Table()
    burst(t)
    t.add("cleanup_run", 120, agent="a")
    t.add("doctor_lock", 600, agent="a", session_id="s1", removed=False)
    lock_file(t, 30)
    assert resolved(t) == (None, None, [])


def test_clear_at_the_sighting_instant_counts_after_a_voided_one() -> None:
    """After a voided clear, the search starts again where the held lock was last seen."""
    t = Table()
    burst(t)
    t.add("cleanup_run", 120, agent="a")
    t.add("doctor_lock", 600, agent="a", session_id="s1", removed=False, age_ms=550_000)
    t.add("cleanup_run", 600, agent="a")
    assert resolved(t)[:2] == ("cleanup_run", at(600))


def test_a_lock_file_removed_later_was_copied_before_its_removal() -> None:
    """A lock file in the bundle, and `doctor --fix` removing that lock afterwards:
    the file was copied before the removal, so it voids the clears before it (the
    cleanup at 120 s, the lock still held) but not the removal itself."""
    t = Table()
    burst(t)
    t.add("cleanup_run", 120, agent="a")
    lock_file(t, 30)
    t.add("doctor_lock", 6000, agent="a", session_id="s1", removed=True, pid=100)
    assert resolved(t)[:2] == ("doctor_lock", at(6000))


def test_a_listed_lock_and_its_file_are_one_held_lock_whose_dead_owner_is_named() -> None:
    """An `ls -l` row (no pid) and the lock file of the same session are one lock;
    a pid doctor calls dead (stale: dead-pid) is a dead process, not another live
    one; a lock naming no pid says so."""
    t = Table()
    burst(t)
    lock_file(t, 30)
    t.add("lock_file", 31, agent="a", session_id="s1", lock_scope="session")  # the listing
    t.add("lock_file", 32, agent="a", session_id="s2", lock_scope="session", pid=2291)
    t.add("doctor_lock", 90, agent="a", session_id="s2", pid=2291, owner_alive=False,
          stale_reasons=["dead-pid"], removed=False)  # fmt: skip
    t.add("lock_file", 33, agent="a", session_id="s3", lock_scope="session")  # empty
    # Listed only: the file seen, what it holds not read.
    t.add("lock_file", 34, agent="a", session_id="s4", lock_scope="session", lock_payload="listed")
    # doctor's structured finding (`Stale session lock file: <path> (dead-pid)`)
    # names no pid: the owner its lock file names is the dead one.
    t.add("lock_file", 35, agent="a", session_id="s5", lock_scope="session", pid=6620)
    t.add("doctor_lock", 95, agent="a", session_id="s5", stale_reasons=["dead-pid"])
    held = correlate(t.frame(), Settings()).held_locks
    assert held.select("session_id", "pid", "owner").sort("session_id").rows() == [
        ("s1", 100, "running gateway"),
        ("s2", 2291, "dead process"),
        ("s3", None, "no pid"),
        ("s4", None, "not read"),
        ("s5", 6620, "dead process"),
    ]


def test_a_lock_file_voids_no_successful_run_on_its_session() -> None:
    """A run that succeeded after the burst took the session's lock: a lock file
    seen at an unknown time, created before that run, does not void it (it
    still voids the cleanup, which takes no lock)."""
    t = Table()
    burst(t)
    t.add("cleanup_run", 120, agent="a")
    t.add("run", 200, phase="done", run_id="r9", session_id="s1", agent="a")
    lock_file(t, 30)
    assert resolved(t)[:2] == ("run", at(200))


@pytest.mark.parametrize(("host", "voids"), [("gw-b", True), ("gw-a", False)])
def test_an_aged_lock_error_voids_only_its_own_hosts_clear(host: str, voids: bool) -> None:
    """Two hosts each have a session `agent:main:main`.  gw-b's burst is cleared by
    its cleanup at 120 s, unless a later error on gw-b shows its lease taken before
    the cleanup; the same error on gw-a says nothing of gw-b's lease."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=100, host="gw-b")
    t.add("gateway_start", 0, phase="listening", gateway_pid=200, host="gw-a")
    t.failure("lock_timeout", 60, host="gw-b", gateway_pid=100)
    t.failure("takeover", 65, host="gw-b", gateway_pid=100)
    t.add("cleanup_run", 120, agent="a", host="gw-b")
    t.failure(
        "lock_stale", 3000, host=host, gateway_pid=100 if host == "gw-b" else 200, age_ms=2_990_000
    )
    t.add("cleanup_run", 3600, agent="a", host="gw-b")
    findings = correlate(t.frame(), Settings())
    gw_b = findings.incidents.filter(findings.incidents["host"] == "gw-b").row(0, named=True)
    assert (gw_b["resolved_by"], gw_b["resolved_at"]) == ("cleanup_run", at(3600 if voids else 120))


@pytest.mark.parametrize(
    ("held_s", "cleared_by", "when"),
    [(590, "lock_released_by_watchdog", 600), (13, "cleanup_run", 120)],
    ids=["held-across-the-cleanup", "taken-after-the-cleanup"],
)
def test_a_watchdog_release_says_how_long_the_lock_was_held(
    held_s: int, cleared_by: str, when: int
) -> None:
    """The watchdog releasing at 600 s a lock held for 590 s shows the 120 s cleanup
    did not clear it (a cleanup never touches lock files); one held for 13 s was
    taken after it."""
    t = Table()
    burst(t)
    t.add("cleanup_run", 120, agent="a")
    t.add("lock_released_by_watchdog", 600, agent="a", session_id="s1", duration_ms=held_s * 1000)
    assert resolved(t)[:2] == (cleared_by, at(when))


def test_a_lease_release_held_across_a_cleanup_voids_it_as_a_file_lock_release_does() -> None:
    """2026.7+ leases name a key, not a session id (openclaw-formats §11): the
    watchdog's release of `sqlite:session-write:agent:a:main`, held for 590 s,
    was taken before the 120 s cleanup, which cleared nothing (Z189: the cleanup
    was credited, 170 s early, while the release cleared the lock file's twin)."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    lease = {"agent": "a", "session_key": "agent:a:main"}
    path = "sqlite:session-write:agent:a:main"
    for at_s in (60, 70):
        t.add("lock_timeout", at_s, lock_path=path, pid=100, age_ms=at_s * 1000, **lease)
    t.add("cleanup_run", 120, agent="a")
    t.add("lock_released_by_watchdog", 600, lock_path=path, duration_ms=590_000, **lease)
    assert resolved(t)[:2] == ("lock_released_by_watchdog", at(600))


def test_a_lock_file_the_bundle_shows_removed_later_was_not_held_at_collection() -> None:
    """The operator copied s1's lock, then ran `doctor --fix`, which removed it: the
    copy was held when it was taken, not when the bundle was collected (the same
    report had the removal clear the incident and listed the lock as still held).
    s2's lock, taken after a sweep removed its previous one, is still held."""
    t = Table()
    burst(t)
    lock_file(t, 30)
    t.add("doctor_lock", 6000, agent="a", session_id="s1", removed=True, pid=100)
    t.add("lock_removed", 50, agent="a", session_id="s2")
    lock_file(t, 70, session="s2")
    findings = correlate(t.frame(), Settings())
    assert findings.held_locks.get_column("session_id").to_list() == ["s2"]
    assert findings.incidents.get_column("resolved_by").to_list() == ["doctor_lock"]


def test_a_lock_copied_out_of_its_sessions_folder_takes_its_sessions_agent() -> None:
    """`cp -p …/agents/main/sessions/<id>.jsonl.lock lock-copies/`: the copy's path
    names no agent; the session's failures do."""
    t = Table()
    burst(t)
    t.add("lock_file", 30, session_id="s1", lock_scope="session", pid=100)
    held = correlate(t.frame(), Settings()).held_locks
    assert held.select("agent", "session_id").rows() == [("a", "s1")]


def test_a_lock_taken_again_is_not_listed_beside_the_release_in_view_that_cleared_it() -> None:
    """The watchdog releases s1's lock at 100 s; doctor later lists a lock of s1
    14 s old (taken at 686 s).  The release is in view: "taken again (what
    released it is not in the logs)" is not listed beside it (Z207)."""
    t = Table()
    burst(t)
    t.add("lock_released_by_watchdog", 100, agent="a", session_id="s1", duration_ms=60_000)
    t.add("doctor_lock", 700, agent="a", session_id="s1", age_ms=14_000, removed=False, pid=100)
    findings = correlate(t.frame(), Settings())
    assert findings.incidents.get_column("resolved_by").to_list() == ["lock_released_by_watchdog"]
    assert findings.resolutions.get_column("kind").to_list() == ["lock_released_by_watchdog"]


def test_a_lock_created_before_the_running_process_began_is_an_earlier_ones() -> None:
    """Z239: a container's gateway is pid 1 in every restart.  A lock of pid 1
    created before the running one began (less its boot) was the killed
    container's, not "the running gateway's"; and an incident over before the
    lock was taken is none of its."""
    t = Table()
    burst(t)  # pid 100 from 0, failures at 60 and 65: incident 1
    t.add("gateway_stop", 1200, phase="oom_killed")
    t.add("gateway_start", 1350, phase="listening", gateway_pid=100)
    t.failure("lock_timeout", 1400)
    t.failure("lock_timeout", 1420)
    lock_file(t, 1100)  # taken by the first process, after incident 1 ended
    held = correlate(t.frame(), Settings()).held_locks
    assert held.select("pid", "owner", "incidents").rows() == [(100, "ended gateway", [2])]


def test_a_copied_lock_takes_its_sessions_agent_from_a_lone_failure_too() -> None:
    """Z241: the session's one failure is background, in no incident; it still
    names the agent the lock copied out of its folder belongs to."""
    t = Table()
    t.add("gateway_start", 0, phase="listening", gateway_pid=100)
    t.failure("lock_timeout", 60)
    t.add("lock_file", 30, session_id="s1", lock_scope="session", pid=100)
    held = correlate(t.frame(), Settings()).held_locks
    assert held.select("agent", "session_id", "incidents").rows() == [("a", "s1", [])]
