"""watch: following growing logs through rotation and truncation, alerting within seconds."""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lockforensics.oncall.follow import Follower
from lockforensics.oncall.watch import Watcher, WatchOptions

START = "2026-06-09T09:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 77)\n"


def stale(second: int, session: int, minute: int = 58) -> str:
    """One lock-stale failure logged twice (lane mirror), as OpenClaw does."""
    lock = f"/data/.openclaw/agents/main/sessions/aaaa1111-0000-4000-8000-{session:012d}.jsonl.lock"
    message = f"session file lock stale (dead-pid): pid=12 {lock}"
    stamp = f"2026-06-09T09:{minute:02d}:{second:02d}"
    return (
        f'{stamp}.069+00:00 [diagnostic] lane task error: lane=main durationMs=1 error="{message}"\n'
        f"{stamp}.070+00:00 [diagnostic] lane task error: lane=session:agent:main:main "
        f'durationMs=1 error="{message}"\n'
    )


class Running:
    """A watcher polling in a background thread; its output lines are collected."""

    def __init__(self, paths: list[Path], options: WatchOptions, state: Path | None) -> None:
        self.lines: list[str] = []
        self.errors: list[str] = []
        self.stop = threading.Event()
        self.watcher = Watcher(paths, options, self.lines.append, self.errors.append, state)
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop.is_set,))
        self.thread.start()

    def wait_for(self, predicate: Callable[[list[str]], bool], timeout: float = 10.0) -> float:
        """Seconds until ``predicate`` holds for the output; fails after ``timeout``."""
        started = time.monotonic()
        while not predicate(list(self.lines)):
            assert time.monotonic() - started < timeout, self.lines
            time.sleep(0.02)
        return time.monotonic() - started

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)


@pytest.fixture
def running() -> Iterator[Callable[..., Running]]:
    started: list[Running] = []

    def start(paths: list[Path], state: Path | None = None, **options: object) -> Running:
        settings = {"gap_s": 60.0, "interval_s": 0.05, **options}
        item = Running(paths, WatchOptions(**settings), state)  # type: ignore[arg-type]
        started.append(item)
        return item

    yield start
    for item in started:
        item.close()


def _append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()


def test_injected_burst_alerts_within_two_seconds(
    tmp_path: Path, running: Callable[..., Running]
) -> None:
    """Two lock failures appended to a live log open an incident in under 2 s."""
    log = tmp_path / "openclaw.log"
    log.write_text(START + stale(0, 99, minute=30))  # history: not re-alerted
    watch = running([log])
    watch.wait_for(lambda lines: True)
    time.sleep(0.2)
    _append(log, stale(10, 1) + stale(11, 2))
    elapsed = watch.wait_for(lambda lines: any("INCIDENT 1 opened" in x for x in lines))
    assert elapsed < 2.0
    occurrences = [x for x in watch.lines if " lock_stale " in x]
    assert len(occurrences) == 2  # mirror lines are one occurrence each; history is not news
    assert occurrences[0].endswith("openclaw.log:4")


def test_rotation_truncation_and_new_day_file(
    tmp_path: Path, running: Callable[..., Running]
) -> None:
    """Lines survive a rename rotation, a copytruncate and a new file in a watched directory."""
    folder = tmp_path / "logs"
    folder.mkdir()
    log = folder / "openclaw-2026-06-09.log"
    log.write_text(START)
    watch = running([folder])
    time.sleep(0.2)
    _append(log, stale(1, 1))
    watch.wait_for(lambda lines: len(lines) == 1)
    log.rename(folder / "openclaw-2026-06-09.1.log")  # rotate: the old name moves away
    log.write_text(stale(2, 2))
    watch.wait_for(lambda lines: any("INCIDENT 1 opened" in x for x in lines))
    log.write_text("")  # copytruncate: emptied in place, then written again
    time.sleep(0.2)
    _append(log, stale(3, 3))
    watch.wait_for(lambda lines: sum(" lock_stale " in x for x in lines) == 3)
    (folder / "openclaw-2026-06-10.log").write_text(stale(4, 4))  # a new day's file
    watch.wait_for(lambda lines: sum(" lock_stale " in x for x in lines) == 4)
    sessions = [x.split("session=")[1].split()[0][-1] for x in watch.lines if " lock_stale " in x]
    assert sessions == ["1", "2", "3", "4"]  # nothing read twice, nothing lost


def test_incident_closes_after_gap_and_exec_gets_json(
    tmp_path: Path, running: Callable[..., Running]
) -> None:
    """An incident closes after --gap of quiet; --exec receives the opening and closing JSON."""
    log = tmp_path / "gw.log"
    log.write_text(START)
    received = tmp_path / "received.jsonl"
    script = f"import sys; open({str(received)!r}, 'a').write(sys.stdin.read())"
    command = f"{sys.executable} -c {json.dumps(script)}"
    hook = tmp_path / "ran"
    run = f"{sys.executable} -c \"open({str(hook)!r}, 'a').write('x')\""
    watch = running([log], gap_s=1.5, exec_cmd=command, exec_min_interval_s=0.2,
                    on_incident_run=run, cooldown_s=3600)  # fmt: skip
    time.sleep(0.2)
    _append(log, stale(1, 1) + stale(2, 2))
    watch.wait_for(lambda lines: any("INCIDENT 1 closed" in x for x in lines))
    deadline = time.monotonic() + 10
    while received.read_text().count("\n") < 2 if received.exists() else True:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    events = [json.loads(line)["event"] for line in received.read_text().splitlines()]
    assert events[0] == "opened"
    assert events[-1] == "closed"
    _append(log, stale(30, 3) + stale(31, 4))  # a second incident inside the cooldown
    watch.wait_for(lambda lines: any("INCIDENT 2 opened" in x for x in lines))
    time.sleep(0.3)
    assert hook.read_text() == "x"  # ran for incident 1 only


def test_restart_resumes_without_realerting(
    tmp_path: Path, running: Callable[..., Running]
) -> None:
    """A restarted watch with the same state file reads only lines written since."""
    log = tmp_path / "gw.log"
    state = tmp_path / "state.json"
    log.write_text(START)
    first = running([log], state)
    time.sleep(0.2)
    _append(log, stale(1, 1) + stale(2, 2))
    first.wait_for(lambda lines: any("INCIDENT 1 opened" in x for x in lines))
    first.close()
    _append(log, stale(3, 3))  # written while watch was down
    second = running([log], state, from_start=True)
    second.wait_for(lambda lines: len(lines) >= 1)
    time.sleep(0.3)
    assert [x for x in second.lines if "INCIDENT" in x] == []  # still incident 1, not re-opened
    assert len([x for x in second.lines if " lock_stale " in x]) == 1


def test_follower_holds_partial_lines(tmp_path: Path) -> None:
    """A line without its newline yet is handed out only once it is complete."""
    log = tmp_path / "x.log"
    log.write_text("")
    follower = Follower([log])
    assert list(follower.poll()) == []
    _append(log, "first\nsec")
    assert [c.data for c in follower.poll()] == [b"first\n"]
    _append(log, "ond\n")
    chunks = list(follower.poll())
    assert [(c.first_line, c.data) for c in chunks] == [(2, b"second\n")]
    follower.close()


def test_follower_follows_a_whole_tree_and_refuses_a_pipe(tmp_path: Path) -> None:
    """A collected bundle keeps its log below the folder given (`tmp/openclaw/…`):
    it is followed, a new day's file there too, not a link or a compressed
    rotation (Z157: only the top folder was listed, and nothing came).  A named
    pipe would block the poll: it is refused with a warning, once."""
    logs = tmp_path / "bundle" / "tmp" / "openclaw"
    logs.mkdir(parents=True)
    log = logs / "openclaw-2026-12-04.log"
    log.write_text("old\n")
    (logs / "openclaw-2026-12-03.log.gz").write_bytes(b"\x1f\x8b")
    (logs / "link.log").symlink_to(log)
    pipe = tmp_path / "fifo"
    os.mkfifo(pipe)
    follower = Follower([tmp_path / "bundle", pipe], from_start=True)
    assert [(c.path, c.data) for c in follower.poll()] == [(log, b"old\n")]
    _append(log, "new\n")
    nextday = logs / "openclaw-2026-12-05.log"
    nextday.write_text("day\n")
    assert sorted((c.path.name, c.data) for c in follower.poll()) == [
        ("openclaw-2026-12-04.log", b"new\n"),
        ("openclaw-2026-12-05.log", b"day\n"),
    ]
    list(follower.poll())
    assert follower.warnings == [f"{pipe}: not a regular file or directory; not followed"]
    follower.close()


def test_failures_a_moment_apart_are_each_printed_and_a_split_one_once(tmp_path: Path) -> None:
    """Three lock timeouts of one session 0.7 s apart, owners of other ages, are
    three failures (Z157: printed as one, with the incident never opened); one
    whose lane mirror comes a poll later (the same owner's age) is printed once."""
    lock = "/data/.openclaw/agents/main/sessions/aaaa1111-0000-4000-8000-000000000001.jsonl.lock"

    def timeout(at: str, age: int, lane: str = "main") -> str:
        return (
            f"2026-06-09T09:58:{at}+00:00 [diagnostic] lane task error: lane={lane} "
            f'durationMs=10012 error="Error: session file locked (timeout 10000ms): '
            f'pid=77 alive=true ageMs={age} {lock}"\n'
        )

    log = tmp_path / "gateway.log"
    log.write_text(START + timeout("01.000", 61000) + timeout("01.700", 61700))
    lines: list[str] = []
    watcher = Watcher([log], WatchOptions(from_start=True), lines.append, lambda _: None)
    watcher.poll_once()
    _append(log, timeout("02.400", 62400))
    watcher.poll_once()
    _append(log, timeout("02.403", 62400, "session:agent:main:main"))
    watcher.poll_once()
    watcher.follower.close()
    assert len([x for x in lines if " lock_timeout " in x]) == 3
    assert [x for x in lines if "INCIDENT" in x]


def _watcher(
    paths: list[Path], state: Path | None = None, **options: object
) -> tuple[Watcher, list[str]]:
    """A watcher polled by hand, and the lines it prints."""
    settings = {"gap_s": 60.0, "interval_s": 0.05, **options}
    printed: list[str] = []
    watcher = Watcher(paths, WatchOptions(**settings), printed.append, lambda _: None, state)  # type: ignore[arg-type]
    return watcher, printed


def test_a_copytruncate_copy_is_not_read_again_as_news(tmp_path: Path) -> None:
    """logrotate's copytruncate copies the live log to `.1` and empties it in the
    middle of a burst: the copy holds history and the failures already printed,
    so nothing of it is news, and the burst stays one open incident (Z172: the
    morning's failures were printed again and closed the burst)."""
    folder = tmp_path / "live"
    folder.mkdir()
    log = folder / "openclaw-2026-06-09.log"
    log.write_text(START + stale(0, 90, minute=10) + stale(5, 91, minute=10))  # the morning
    watcher, printed = _watcher([folder])
    watcher.poll_once()
    _append(log, stale(1, 1) + stale(2, 2))
    watcher.poll_once()
    (folder / "openclaw-2026-06-09.log.1").write_bytes(log.read_bytes())  # copy…
    log.write_text("")  # …then truncate
    watcher.poll_once()
    _append(log, stale(3, 3))
    watcher.poll_once()
    sessions = [x.split("session=")[1].split()[0][-2:] for x in printed if " lock_stale " in x]
    assert sessions == ["01", "02", "03"]
    assert [x.split(":")[0] for x in printed if x.startswith("INCIDENT")] == ["INCIDENT 1 opened"]


def test_a_days_file_begun_while_the_watcher_was_down_is_news(tmp_path: Path) -> None:
    """The watcher stops; the gateway begins the next day's file and fails twice
    in it; the watcher restarts on its state: both failures are printed, as
    those written to a file it knew are (Z172: lost, the new file taken from
    its end as at a first start)."""
    folder = tmp_path / "live"
    folder.mkdir()
    (folder / "openclaw-2026-06-09.log").write_text(START)
    state = tmp_path / "state.json"
    first, _ = _watcher([folder], state)
    first.poll_once()
    first.save_state()
    time.sleep(0.05)
    (folder / "openclaw-2026-06-10.log").write_text(stale(1, 1) + stale(2, 2))
    second, printed = _watcher([folder], state)
    second.poll_once()
    assert sum(" lock_stale " in x for x in printed) == 2
    assert any("INCIDENT 1 opened" in x for x in printed)


def test_exec_gets_every_opening_and_closing_of_a_backlog(tmp_path: Path) -> None:
    """A backlog read in one poll closes incident 1 and opens incident 2 (a log-time
    gap between them): --exec gets opened 1, closed 1 and opened 2, and what the rate limit held back is sent on the way out (Z172: the closing
    was replaced by the next opening and never sent)."""
    log = tmp_path / "gw.log"
    log.write_text(START)
    received = tmp_path / "received.jsonl"
    script = f"import sys; open({str(received)!r}, 'a').write(sys.stdin.read())"
    command = f"{sys.executable} -c {json.dumps(script)}"
    watcher, _ = _watcher([log], gap_s=30.0, exec_cmd=command, exec_min_interval_s=3600.0)
    watcher.poll_once()
    _append(log, stale(1, 1) + stale(2, 2) + stale(40, 3, minute=59) + stale(41, 4, minute=59))
    watcher.poll_once()
    watcher.run(lambda: True)  # stops at once: what is queued is sent on the way out
    for child in watcher.children:
        child.wait(timeout=10)
    events = [
        (e["incident"], e["event"]) for e in map(json.loads, received.read_text().splitlines())
    ]
    # One run each, spawned in order (the runs themselves may finish in any order).
    assert sorted(events) == [(1, "closed"), (1, "opened"), (2, "opened")]


def test_a_failure_in_the_file_log_and_its_journal_is_printed_once(tmp_path: Path) -> None:
    """A folder holding the file log and the journal: each failure is printed once,
    its journal copy read a poll later being no news (Z173: every failure twice,
    and two incidents more)."""
    folder = tmp_path / "logs"
    folder.mkdir()
    first = START + stale(1, 1) + stale(2, 2)
    (folder / "a-console.log").write_text(first + stale(1, 3, minute=59) + stale(2, 4, minute=59))
    journal = "".join(f"Jun 09 09:58:00 gw node[77]: {line}\n" for line in first.splitlines())
    watcher, printed = _watcher([folder], gap_s=30.0, from_start=True)
    watcher.poll_once()
    (folder / "b-journal.txt").write_text(journal)  # its copies come after incident 1 closed
    watcher.poll_once()
    assert sum(" lock_stale " in x for x in printed) == 4
    assert [x.split(":")[0] for x in printed if x.startswith("INCIDENT")] == [
        "INCIDENT 1 opened",
        "INCIDENT 1 closed",
        "INCIDENT 2 opened",
    ]


def _journal(host: str, text: str) -> str:
    """``text``'s lines as a short journal of ``host`` writes them."""
    return "".join(f"Jun 09 09:58:00 {host} node[77]: {line}\n" for line in text.splitlines())


def test_each_host_followed_is_its_own_timeline(tmp_path: Path) -> None:
    """One lone failure on each of two gateway hosts 85 s apart is no incident, as
    in ``report``: each line names its host, and the incident JSON says it (Z233:
    "INCIDENT 1 opened ... 2 occurrences", and --on-incident-run would have run)."""
    logs = {host: tmp_path / host / "journal.txt" for host in ("gw-a", "gw-b")}
    for host, path in logs.items():
        path.parent.mkdir()
        path.write_text(_journal(host, START))
    watcher, printed = _watcher(list(logs.values()), gap_s=600.0)
    watcher.poll_once()
    _append(logs["gw-a"], _journal("gw-a", stale(1, 1)))
    _append(logs["gw-b"], _journal("gw-b", stale(26, 2, minute=59)))
    watcher.poll_once()
    assert not [x for x in printed if x.startswith("INCIDENT")]
    _append(logs["gw-a"], _journal("gw-a", stale(30, 3, minute=59)))
    watcher.poll_once()
    failures = [x for x in printed if " lock_stale " in x]
    assert [x.split("host=")[1].split()[0] for x in failures] == ["gw-a", "gw-b", "gw-a"]
    assert [x for x in printed if x.startswith("INCIDENT")] == [
        x for x in printed if x.startswith("INCIDENT 1 opened") and x.endswith("host gw-a")
    ]
    assert watcher.timelines["gw-a"].incident is not None
    assert watcher.timelines["gw-a"].incident.summary("opened")["host"] == "gw-a"
    assert "gw-b" not in {t.host for t in watcher.timelines.values() if t.incident}


def test_one_failure_on_two_hosts_is_two(tmp_path: Path) -> None:
    """Two hosts sharing a state directory fail on the same lock at the same moment:
    two failures, not one failure and its copy (Z230: the copy check ignored the host)."""
    logs = {host: tmp_path / host / "journal.txt" for host in ("gw-a", "gw-b")}
    for host, path in logs.items():
        path.parent.mkdir()
        path.write_text(_journal(host, START + stale(1, 1)))
    watcher, printed = _watcher(list(logs.values()), from_start=True)
    watcher.poll_once()
    assert sum(" lock_stale " in x for x in printed) == 2
    assert [x.split("host=")[1].split()[0] for x in printed if " lock_stale " in x] == [
        "gw-a",
        "gw-b",
    ]
    assert not [x for x in printed if x.startswith("INCIDENT")]


def test_a_state_of_the_old_shape_is_ignored(tmp_path: Path) -> None:
    """A state file written before timelines were kept per host (version 1) is
    ignored, as an unknown version is: no traceback, reading starts afresh."""
    log = tmp_path / "gw.log"
    log.write_text(START)
    state = tmp_path / "state.json"
    failure = {"kind": "lock_stale", "ts": None, "agent": None, "session_id": None}
    failure |= {"lock_path": None, "pid": None, "source": str(log), "line": 2}
    old = {"version": 1, "files": {}, "last_number": 4, "cluster": [failure], "incident": None}
    state.write_text(json.dumps(old))
    watcher, _ = _watcher([log], state)
    assert watcher.last_number == 0
    assert not watcher.timelines
    watcher.poll_once()
    watcher.follower.close()


def test_a_file_log_naming_no_host_is_on_its_folders_host(tmp_path: Path) -> None:
    """A file log names no host: it is on the host its folder's journal names, as in
    ``report``, even read before that journal, and not on the other host's timeline
    (Z233)."""
    folders = {host: tmp_path / host for host in ("gw-a", "gw-b")}
    for folder in folders.values():
        folder.mkdir()
    log = folders["gw-a"] / "a-openclaw.log"
    log.write_text(START)
    (folders["gw-a"] / "journal.txt").write_text(_journal("gw-a", START))
    (folders["gw-b"] / "journal.txt").write_text(_journal("gw-b", START))
    watcher, printed = _watcher(list(folders.values()))
    watcher.poll_once()
    _append(log, stale(1, 1))
    _append(folders["gw-a"] / "journal.txt", _journal("gw-a", stale(1, 1)))
    _append(folders["gw-b"] / "journal.txt", _journal("gw-b", stale(9, 2)))
    watcher.poll_once()
    assert not [x for x in printed if x.startswith("INCIDENT")]
    failures = [x for x in printed if " lock_stale " in x]
    assert [(x.split("host=")[1].split()[0], x.rsplit("/", 2)[1]) for x in failures] == [
        ("gw-a", "gw-a"),
        ("gw-b", "gw-b"),
    ]
    assert "a-openclaw.log" in failures[0]
