"""A GitHub issue thread saved as Markdown: comments pasting several kinds of log,
from two hosts, quoting each other (the bug reporter's bundle)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl

from lockforensics.findings import Settings
from lockforensics.pipeline import analyze
from tests.conftest import ingest_files, tslog_line

_LOCK = (
    "session file locked (timeout 10000ms): pid={pid} /home/dk/.openclaw/agents/main/"
    "sessions/{sid}-2b7d-4c11-9e0f-3a5b6c7d8e90.jsonl.lock"
)


def _journal(host: str, pid: int, clock: str, sid: str, day: str = "Jan 20") -> str:
    lock = _LOCK.format(pid=pid, sid=sid)
    return (
        f"{day} {clock} {host} node[{pid}]: [diagnostic] lane task error: "
        f'lane=main durationMs=10412 error="Error: {lock}"\n'
    )


def _wrapped_record(at: str, pid: int, sid: str) -> str:
    """A file-log record as the browser copy hard-wrapped it at 80 columns."""
    message = f'lane task error: lane=main durationMs=10412 error="Error: {_LOCK.format(pid=pid, sid=sid)}"'
    record = tslog_line(at, message).rstrip("\n")
    return "".join(record[i : i + 80] + "\n" for i in range(0, len(record), 80))


def _thread(context: int = 0) -> str:
    """Comment 1 (alpha-box, CET): a journal block (with ``context`` lines of
    start-up before the burst), then the same failures' file-log records
    hard-wrapped in a <details> block.  Comment 2 (gw-lisbon): a journal block,
    quoting comment 1's first line."""
    return (
        "# Gateway keeps failing with session locks\n\n"
        "### dk commented\n\nJournal around the burst:\n\n```text\n"
        + "".join(
            f"Jan 20 10:0{n // 10}:{n % 10}0 alpha-box node[48211]: [gateway] ready\n"
            for n in range(context)
        )
        + _journal("alpha-box", 48211, "10:14:03", "7c1e9a40")
        + _journal("alpha-box", 48211, "10:16:40", "8d2f0b51")
        + "```\n\n<details><summary>file log</summary>\n\n```log\n"
        + _wrapped_record("2026-01-20T10:14:03.412+01:00", 48211, "7c1e9a40")
        + _wrapped_record("2026-01-20T10:16:40.207+01:00", 48211, "8d2f0b51")
        + "```\n\n</details>\n\n### ana commented\n\n"
        + "> "
        + _journal("alpha-box", 48211, "10:14:03", "7c1e9a40")
        + "\nSame here, on another box:\n\n```text\n"
        + _journal("gw-lisbon", 2231, "13:01:20", "9b1d4f6a", day="Jun 18")
        + _journal("gw-lisbon", 2231, "13:02:41", "0a2e5c7b", day="Jun 18")
        + "```\n"
    )


def test_a_tickets_wrapped_file_log_records_are_joined_beside_its_journal() -> None:
    """A journal block at the top does not make the thread a journal: the file-log
    records below it, wrapped at 80 columns, are joined and read (each failure then
    has its file-log copy, to the millisecond).  The journal is a third of the
    thread's lines and more: once, the thread was read as a journal, and the
    records' pieces as unrecognised text."""
    result = ingest_files({"issue-48390.md": _thread(context=14)})
    rows = result.events.filter(pl.col("kind") == "lock_timeout")
    assert rows.filter(pl.col("envelope") == "tslog-json").height == 2
    assert result.files[0].envelope == "plain"


def test_a_ticket_line_naming_no_host_takes_the_host_of_the_lines_around_it() -> None:
    """Two hosts' comments in one file: the hostless file-log records of comment 1
    are alpha-box's, not the file's most common host's."""
    text = _thread() + "".join(
        _journal("gw-lisbon", 2231, f"13:0{n}:00", f"1{n}3e5c7b", day="Jun 18") for n in range(3, 7)
    )
    rows = ingest_files({"issue.md": text}).events.filter(pl.col("envelope") == "tslog-json")
    assert rows.get_column("host").to_list() == ["alpha-box", "alpha-box"]


def test_a_quoted_line_of_a_ticket_is_the_failure_it_quotes() -> None:
    """Comment 2 quoting comment 1's line (`> `) is no second failure: alpha-box's
    burst is two failures, not three."""
    findings = analyze(ingest_files({"issue.md": _thread()}), Settings())
    counts = findings.incidents.select("host", "occurrences").rows()
    assert ("alpha-box", 2) in counts


def test_untimed_copies_of_a_tickets_stamped_failure_are_that_failure() -> None:
    """A reporter quotes a lock error inline in prose and types the chat reply off a
    screenshot (its path cut by `…`): untimed, they name the owner and its age of
    the failure the journal block below holds stamped.  One failure, not three
    (Z140: 11 lock errors for 6); an untimed failure of its own stays."""
    lock = (
        "session file locked (timeout 60000ms): pid=2291 alive=true ageMs=734208 "
        "/home/mara/.openclaw/agents/ops/sessions/3f1c9a27-5b0e-4d2a-9c61-0e8b7d4f2a19.jsonl.lock"
    )
    ticket = (
        f'It fails with `lane task error: lane=main durationMs=60117 error="{lock}"`\n\n'
        "- Agent failed before reply: session file locked (timeout 60000ms): pid=2291 "
        "alive=true ageMs=734208 /home/mara/.openclaw/agents/ops/sessions/3f1c9a27-5b0e-….jsonl.lock."
        " Please try again.\n"
        "- Agent failed before reply: session file locked (timeout 60000ms): pid=2291 "
        "alive=true ageMs=9100 /home/mara/.openclaw/agents/ops/sessions/3f1c9a27-5b0e-….jsonl.lock.\n\n"
        "```console\n"
        "Jun 12 14:03:11 hermes openclaw[2291]: 2026-06-12T14:03:11.482+02:00 [diagnostic] lane "
        f'task error: lane=main durationMs=60113 error="SessionWriteLockTimeoutError: {lock}"\n'
        "```\n"
    )
    result = ingest_files({"issue.md": ticket})
    timeouts = result.events.filter(pl.col("kind") == "lock_timeout")
    assert sorted(timeouts.select("age_ms", pl.col("ts").is_not_null()).rows()) == [
        (9100, False),
        (734208, True),
    ]


def test_a_record_quoted_inline_in_prose_keeps_its_stamp() -> None:
    """ "the only line I kept: `<stamped record>`": the record is read whole, with its
    time and session, not as prose with no time and a key ending in a backtick
    (Z140, Z127)."""
    record = (
        "2026-06-11T21:47:03.118+02:00 [diagnostic] lane task error: "
        'lane=session:agent:ops:main durationMs=60094 error="SessionWriteLockTimeoutError: '
        "session file locked (timeout 60000ms): pid=2291 alive=true ageMs=61022 "
        '/home/mara/.openclaw/agents/ops/sessions/3f1c9a27-5b0e-4d2a-9c61-0e8b7d4f2a19.jsonl.lock"'
    )
    ticket = f"It happened once yesterday, this is the only line I kept: `{record}`\n"
    (row,) = ingest_files({"issue.md": ticket}).events.filter(kind="lock_timeout").to_dicts()
    assert row["ts"].isoformat() == "2026-06-11T19:47:03.118000+00:00"
    assert row["session_id"] == "3f1c9a27-5b0e-4d2a-9c61-0e8b7d4f2a19"


def test_a_logs_own_repeated_line_is_kept() -> None:
    """The same line twice in a log (not a paste) is two lines said: kept."""
    line = _journal("alpha-box", 48211, "10:14:03", "7c1e9a40")
    filler = "".join(
        f"Jan 20 10:14:03 alpha-box node[48211]: [gateway] tick {n}\n" for n in range(8)
    )
    result = ingest_files({"journal.txt": line + filler + line})
    assert result.events.filter(pl.col("kind") == "lock_timeout").height == 2


def test_a_status_paste_is_the_host_its_journal_tail_names() -> None:
    """`systemctl status` names no host in its header; in a ticket pasting two hosts,
    its uptime goes with its own tail's host (by its main pid), not the file's
    most common one."""
    status = (
        "```text\n$ systemctl --user status openclaw-gateway\n"
        "● openclaw-gateway.service - OpenClaw Gateway\n"
        "     Loaded: loaded (/home/dk/.config/systemd/user/openclaw-gateway.service; enabled)\n"
        "     Active: active (running) since Sat 2026-01-17 07:02:11 CET; 3 days ago\n"
        "   Main PID: 48211 (node)\n\n"
        + _journal("alpha-box", 48211, "10:21:47", "0f3b2c1d")
        + "```\n\n"
    )
    other = "".join(
        _journal("gw-lisbon", 2231, f"13:0{n}:00", f"1{n}3e5c7b", day="Jun 18") for n in range(6)
    )
    result = ingest_files({"issue.md": status + other})
    uptime = result.events.filter(pl.col("kind") == "uptime")
    assert uptime.get_column("host").to_list() == ["alpha-box"]


def test_prose_naming_the_wording_is_no_failure() -> None:
    """A reporter's sentence quoting the wording without its owner and lock (`…locked
    (timeout 10000ms) for every message`) is no failure; a fragment cut right after
    the wording is one."""
    prose = (
        "The gateway logs\nsession file locked (timeout 10000ms) for every message, and\n"
        "it came back with session file locked (timeout 60000ms) again, owner\n"
    )
    assert ingest_files({"issue.md": prose}).events.height == 0
    cut = "Jan 20 10:14:03 alpha-box node[48211]: Error: session file locked (timeout 60000ms)\n"
    kinds = ingest_files({"issue.md": prose + cut}).events.get_column("kind").to_list()
    assert kinds == ["lock_timeout"]


def test_each_hosts_zone_less_lines_take_the_zone_its_own_lines_show() -> None:
    """alpha-box's journal lines carry no zone; its file-log records carry +01:00.
    gw-osaka's journal lines each carry a console stamp at +09:00, most of the
    file's zoned stamps. alpha-box's journal lines are read at +01:00, not at the
    file's +09:00 (Z118: a watchdog release 8 h early, its incident unresolved)."""
    osaka = "".join(
        f"Jun 18 22:0{n}:20 gw-osaka node[2231]: 2026-06-18T22:0{n}:20.100+09:00 [diagnostic] "
        f'lane task error: lane=main durationMs=10412 error="Error: '
        f'{_LOCK.format(pid=2231, sid=f"{n}b1d4f6a")}"\n'
        for n in range(1, 6)
    )
    text = _thread() + "\nAnd osaka:\n\n```text\n" + osaka + "```\n"
    rows = ingest_files({"issue.md": text}).events.filter(
        (pl.col("kind") == "lock_timeout") & (pl.col("host") == "alpha-box")
    )
    journal = rows.filter(pl.col("envelope") != "tslog-json")
    assert sorted({ts.strftime("%H:%M:%S") for ts in journal.get_column("ts")}) == [
        "09:14:03",
        "09:16:40",
    ]


def _lock(home: str, agent: str, sid: str) -> str:
    return (
        f"session file locked (timeout 60000ms): pid=4410 alive=true ageMs=61877 "
        f"{home}/.openclaw/agents/{agent}/sessions/{sid}-2b7d-4c11-9e0f-3a5b6c7d8e90.jsonl.lock"
    )


def _three_machines() -> str:
    """A thread pasting three machines' logs: a Mac's `openclaw logs --plain`
    (no host anywhere, CDT, the most lines), a NAS's journal naming
    `nas-berlin` (CEST), a Tokyo box's file log from its start (no host, JST):
    the two unnamed ones' agents share names, and the bursts overlap in UTC."""
    mac = "".join(
        f"2026-06-16T02:1{n}:33.201-05:00 error diagnostic lane task error: lane=main "
        f'durationMs=60100 error="Error: {_lock("/Users/dmitri", "main", f"5f0c7e2{n}")}"\n'
        for n in range(5)
    )
    nas = "".join(
        f"> Jun 16 09:1{n}:14 nas-berlin node[48211]: 2026-06-16T09:1{n}:14.977+02:00 "
        f'[diagnostic] lane task error: lane=main durationMs=60100 error="Error: '
        f'{_lock("/home/anna", "assistant", f"9a1f3c2{n}")}"\n'
        for n in range(3)
    )
    tokyo = tslog_line(
        "2026-06-16T08:02:19.644+09:00", "ready (3 plugins; 6.2s)", "gateway", "INFO"
    )
    tokyo += "".join(
        tslog_line(
            f"2026-06-16T16:1{n}:48.220+09:00",
            f'lane task error: lane=main durationMs=60100 error="Error: '
            f'{_lock("/home/kenji", "main", f"2b6d9e1{n}")}"',
        )
        for n in range(3)
    )
    return (
        "# Session write lock timeouts on several gateways\n\n### dmitri commented\n\n"
        f"```\n{mac}```\n\n---\n\n### anna commented\n\nSame on my NAS:\n\n{nas}\n---\n\n"
        f"### kenji commented\n\n+1, Tokyo box, same agent names:\n\n```\n{tokyo}```\n"
    )


def test_each_fenced_paste_naming_no_host_is_its_own_machine() -> None:
    """The Mac's and the Tokyo box's blocks name no host, and their locks live in
    state directories no named host's do: each is a machine of its own, named
    after its state directory, not the NAS its neighbour (Z146: three machines
    were one incident on nas-berlin, with the Tokyo box's start as its uptime)."""
    result = ingest_files({"issue-131337.md": _three_machines()})
    rows = result.events.filter(pl.col("kind") == "lock_timeout")
    by_host = dict(rows.group_by("host").len().iter_rows())
    assert by_host == {
        "unnamed (/Users/dmitri/.openclaw)": 5,
        "nas-berlin": 3,
        "unnamed (/home/kenji/.openclaw)": 3,
    }
    findings = analyze(result, Settings(gap_s=600))
    assert findings.incidents.height == 3
    # Nor is the Tokyo box's start, the thread's earliest line, where the
    # Mac's process was already running (its uptime, a lower bound, is the
    # minutes its own lines show).
    incidents = findings.incidents
    mac = incidents.filter(pl.col("host").str.contains("dmitri")).row(0, named=True)
    assert mac["uptime_is_lower_bound"]
    assert mac["uptime_s"] < 3600


def test_a_fenced_paste_naming_no_host_is_the_named_host_sharing_its_state_directory() -> None:
    """A hostless block whose locks live where a named host's do is that host's,
    though another host's block stands nearer above it."""
    mbp = "".join(
        f"Jun 16 02:1{n}:33 dmitri-mbp node[5520]: [diagnostic] lane task error: lane=main "
        f'durationMs=60100 error="Error: {_lock("/Users/dmitri", "main", f"5f0c7e2{n}")}"\n'
        for n in range(3)
    )
    text = _three_machines().replace("/home/kenji", "/Users/dmitri")
    text = text.replace("### dmitri commented\n\n", f"### dmitri commented\n\n```\n{mbp}```\n\n")
    rows = ingest_files({"issue.md": text}).events.filter(
        (pl.col("kind") == "lock_timeout") & pl.col("ts").is_not_null()
    )
    hosts = rows.sort("line").get_column("host").to_list()
    assert hosts[-3:] == ["dmitri-mbp"] * 3
    assert "nas-berlin" in hosts


def test_a_fenced_lease_paste_naming_no_host_is_told_apart_by_its_zone() -> None:
    """Leases name a session key, not a path: a hostless block stamped at +08:00
    beside a named host at +02:00 is another machine, named after its zone."""
    lease = (
        "session file locked (timeout 60000ms): another OpenClaw process "
        "sqlite:session-write:agent:ops:main"
    )
    sgp = "".join(
        f"2026-07-21T15:2{n}:11.402+08:00 error diagnostic lane task error: lane=main "
        f'durationMs=60100 error="Error: {lease}"\n'
        for n in range(3)
    )
    fsn = "".join(
        f"Jul 21 09:1{n}:03 fsn1-gw node[48211]: 2026-07-21T09:1{n}:03.112+02:00 [diagnostic] "
        f'lane task error: lane=main durationMs=60100 error="Error: {lease}"\n'
        for n in range(3)
    )
    text = f"# Leases\n\n```text\n{fsn}```\n\nOn my box:\n\n```text\n{sgp}```\n"
    rows = ingest_files({"issue.md": text}).events.filter(pl.col("kind") == "lock_timeout")
    assert (
        rows.sort("line").get_column("host").to_list()
        == ["fsn1-gw"] * 3 + ["unnamed (UTC+08:00)"] * 3
    )


def test_a_fenced_paste_showing_neither_state_directory_nor_zone_is_no_machine_of_its_own() -> None:
    """A 2026.1-2026.2 console stamps in UTC (`Z`), which any machine writes: a
    block of such lines naming no lock is told apart from nothing, and is no
    machine of its own (Z190: `min() arg is an empty sequence`, exit 2, no report)."""
    listening = (
        "2026-02-25T08:03:27.904Z [gateway] listening on ws://127.0.0.1:18789, "
        "ws://[::1]:18789 (PID 71242)"
    )
    errors = "".join(
        f"2026-02-27T21:1{n}:30.581Z [diagnostic] lane task error: lane=main durationMs=10031 "
        f'error="Error: {_lock("/Users/priya", agent, f"3f6c1a9{n}")}"\n'
        for n, agent in enumerate(("main", "ops"))
    )
    text = f"Gateway came up:\n\n```text\n{listening}\n```\n\nThen:\n\n```text\n{errors}```\n"
    events = ingest_files({"issue.md": text}).events
    assert events.filter(pl.col("kind") == "lock_timeout").height == 2
    assert events.get_column("host").n_unique() == 1  # one machine, whatever its name


def test_a_tickets_wrapped_records_beside_a_listing_block_are_joined_whole() -> None:
    """An `ls -la` of the lock files makes the issue a document (ls-listing);
    the log lines beside it are still read as a paste is, the ones the terminal
    hard-wrapped at 80 columns joined whole (Z190: 19 failures for 8, and no
    agent, no incident)."""
    records = [
        f"2026-02-27T21:1{n}:30.581Z [diagnostic] lane task error: lane=main durationMs=10031 "
        f'error="Error: session file locked (timeout 10000ms): pid=71242 '
        f'/Users/priya/.openclaw/agents/{agent}/sessions/3f6c1a9{n}-7b2d-4c1e-9a55-0d4e8f21b7c3.jsonl.lock"'
        for n, agent in enumerate(("main", "ops", "coder"))
    ]
    wrapped = "\n".join(r[i : i + 80] for r in records for i in range(0, len(r), 80))
    listing = (
        "% date; ls -la ~/.openclaw/agents/*/sessions/*.lock\n"
        "Fri Feb 27 15:25:02 CST 2026\n"
        "-rw-r--r--  1 priya  staff  61 Feb 27 15:12 "
        "/Users/priya/.openclaw/agents/main/sessions/3f6c1a90-7b2d-4c1e-9a55-0d4e8f21b7c3.jsonl.lock\n"
    )
    text = f"Errors:\n\n```text\n{wrapped}\n```\n\nLocks:\n\n```console\n{listing}```\n"
    result = ingest_files({"issue.md": text})
    failures = result.events.filter(pl.col("kind") == "lock_timeout")
    assert sorted(failures.get_column("agent").to_list()) == ["coder", "main", "ops"]
    assert failures.get_column("ts").null_count() == 0
    assert result.events.filter(pl.col("kind") == "lock_file").height == 1
    (scan,) = result.files
    assert scan.lines == text.count("\n")
    assert scan.lines == scan.event_lines + scan.noise_lines + scan.unrecognized


def test_a_watchdog_release_pasted_in_a_chat_is_a_release_in_view() -> None:
    """A chat pastes `openclaw logs --plain`'s copy of a stale error, then the
    journal around it, whose copy of that error is the paste's repeat (set
    aside) and whose next line is the watchdog's release: stderr was in view,
    and the incident is not said to be one a release "could not show" (Z198)."""
    lock = "/home/oc/.openclaw/agents/researcher/sessions/7d3e1c52-4b0a-4f6e-9a51-2c8e0f3b6d14.jsonl.lock"
    error = (
        'lane task error: lane=nested durationMs=693 error="SessionWriteLockStaleError: '
        f'session file lock stale (hold-exceeded): pid=3187 {lock}"'
    )
    chat = (
        "mira_ops — Today at 14:02\nhere's `openclaw logs --plain`:\n```\n"
        f"2026-05-27T12:54:10.912Z error diagnostic {error}\n```\n\n"
        "mira_ops — Today at 14:07\njournal around it:\n```\n"
        f"May 27 08:54:10 gw-nyc-01 node[3187]: 2026-05-27T08:54:10.912-04:00 [diagnostic] {error}\n"
        "May 27 08:54:40 gw-nyc-01 node[3187]: [session-write-lock] releasing lock held for "
        f"810441ms (max=720000ms): {lock}\n```\n"
    )
    log = tslog_line("2026-05-27T08:54:10.912-04:00", error) + tslog_line(
        "2026-05-27T08:55:02.114-04:00", error.replace("hold-exceeded", "too-old")
    )
    findings = analyze(ingest_files({"chat.txt": chat, "openclaw-2026-05-27.log": log}), Settings())
    assert findings.incidents.get_column("watchdog_unseen").to_list() == [False]


def test_a_paste_copied_from_a_rendered_page_is_read_as_the_log_it_shows() -> None:
    """A reply quotes comment 1's line as the browser copied it (`error=&quot;…`),
    and a saved page shows the other host's line inside its tags: the quote is
    the failure it quotes, and the page's line keeps its session (Z167: each had
    counted as a failure of its own, a key ending in `&quot;</p>`)."""
    line = _journal("alpha-box", 48211, "10:14:03", "7c1e9a40")
    quoted = "> " + line.replace('"', "&quot;")
    page = (
        '<p dir="auto">'
        + _journal("gw-lisbon", 2231, "13:09:20", "1b2c3d4e", day="Jun 18")
        .rstrip("\n")
        .replace('"', "&quot;")
        + "</p>\n"
    )
    result = ingest_files({"issue.md": _thread() + "\n" + quoted, "comment-5.html": page})
    counts = analyze(result, Settings()).incidents.select("host", "occurrences").rows()
    assert ("alpha-box", 2) in counts
    (row,) = result.events.filter(pl.col("source") == "comment-5.html").to_dicts()
    assert row["session_id"] == "1b2c3d4e-2b7d-4c11-9e0f-3a5b6c7d8e90"
    assert row["host"] == "gw-lisbon"


def test_a_logs_own_html_and_references_are_left_as_written() -> None:
    """A file-log record quoting a provider's HTML error page (`<title>`, `&amp;`)
    is a log's own text, not a page: read as written, its failure whole."""
    html = "502 <html><head><title>proxy &amp; cache</title></head><body>Bad gateway</body></html>"
    lock = _LOCK.format(pid=4100, sid="7c1e9a40")
    message = f'lane task error: lane=main durationMs=10412 error="{html} Error: {lock}"'
    result = ingest_files(
        {"openclaw-2026-01-20.log": tslog_line("2026-01-20T10:14:03.412+01:00", message)}
    )
    (row,) = result.events.filter(pl.col("kind") == "lock_timeout").to_dicts()
    assert row["session_id"] == "7c1e9a40-2b7d-4c11-9e0f-3a5b6c7d8e90"
    assert "proxy &amp; cache" in row["raw"]


def test_a_comment_file_pasting_another_machines_log_is_that_machine() -> None:
    """An issue thread saved one comment per file: comment 0 pastes a file log
    (no host named) whose locks live in /home/alice; comment 1 pastes alpha-box's
    journal, in /home/dk.  Alice's failures are a machine of her own, not
    alpha-box's (Z167: three users' gateways taken for the only host named)."""
    alice = "".join(
        tslog_line(
            f"2026-04-08T13:5{m}:10.915+08:00",
            'lane task error: lane=main durationMs=10412 error="Error: '
            + _LOCK.format(pid=4892, sid=f"{m}c1e9a40").replace("/home/dk/", "/home/alice/")
            + '"',
        )
        for m in range(3)
    )
    bob = "".join(_journal("alpha-box", 48211, f"10:1{m}:03", f"{m}d2f0b51") for m in range(3))
    files = {
        "thread/00-issue-body.md": f"Mine:\n\n```\n{alice}```\n",
        "thread/01-comment.md": f"Same here:\n\n```\n{bob}```\n",
    }
    findings = analyze(ingest_files(files), Settings())
    assert sorted(findings.incidents.get_column("host").to_list()) == [
        "alpha-box",
        "unnamed (/home/alice/.openclaw)",
    ]


def test_comments_sharing_a_state_directory_are_one_machine_in_any_file_order() -> None:
    """Comment 1 pastes failures in /home/carol and /home/alice; comment 2 in
    /home/carol only.  One machine, named the same whichever file is read
    first (CI: the machine took the name of the first comment read)."""

    def failures(*homes: str) -> str:
        lines = "".join(
            tslog_line(
                f"2026-04-08T13:5{m}:10.915+08:00",
                'lane task error: lane=main durationMs=10412 error="Error: '
                + _LOCK.format(pid=4892, sid=f"{m}c1e9a40").replace("/home/dk/", f"/home/{home}/")
                + '"',
            )
            for m, home in enumerate(homes)
        )
        return f"Same here:\n\n```\n{lines}```\n"

    files = {
        "thread/00-issue-body.md": "Ours:\n\n```\n"
        + _journal("alpha-box", 48211, "10:11:03", "1d2f0b51")
        + "```\n",
        "thread/01-comment.md": failures("carol", "alice"),
        "thread/02-comment.md": failures("carol", "carol"),
    }
    names = list(files)
    for order in (names, [names[0], names[2], names[1]]):
        events = ingest_files({name: files[name] for name in order}).events
        hosts = events.filter(pl.col("source") != names[0]).get_column("host").unique()
        assert hosts.to_list() == ["unnamed (/home/alice/.openclaw)"], order


_NAS_LOCK = (
    "/home/mk/.openclaw/agents/main/sessions/6f1c2a9e-4b7d-4f0e-9a51-2d8c7e31b0a4.jsonl.lock"
)
_BRUNO_LOCK = (
    r"C:\Users\bruno\.openclaw\agents\main\sessions\3d9a71c4-5e2b-4a8f-8c06-b7f1e2d49a30.jsonl.lock"
)


def _nas_journal() -> str:
    """nas01's journal (+0100, February): its start and two lock errors."""
    error = (
        "[diagnostic] lane task error: lane=main durationMs=10013 error="
        f'"Error: session file locked (timeout 10000ms): pid=2211 {_NAS_LOCK}"'
    )
    return "".join(
        f"2026-02-14T{at}+0100 nas01 node[2211]: {message}\n"
        for at, message in (
            ("03:50:02", "[gateway] listening on ws://127.0.0.1:18789 (PID 2211)"),
            ("04:12:09", error),
            ("04:12:31", error),
        )
    )


def _bruno_console(*lines: tuple[str, str]) -> str:
    """Bruno's pretty console on Windows: a time of day and its zone, no date."""
    return "".join(f"{at}-04:00 {message}\n" for at, message in lines)


def _bruno_error(at: str) -> tuple[str, str]:
    return (
        at,
        "[diagnostic] lane task error: lane=main durationMs=10014 error="
        f'"Error: session file locked (timeout 10000ms): pid=9144 {_BRUNO_LOCK}"',
    )


def test_a_pastes_time_only_lines_take_no_date_from_another_users_paste() -> None:
    """A thread: nas01's journal in February, then Bruno's console in April,
    naming no date but in its `log file:` line.  His Ctrl+C, 11 s above that
    line, is his gateway's stop on his start's day, not nas01's stop in
    February (Z214: dated by the paste above, two months early)."""
    bruno = _bruno_console(
        ("00:19:30", "[gateway] received SIGINT; shutting down"),
        ("00:19:41", "[gateway] listening on ws://127.0.0.1:18789 (PID 10472)"),
        (
            "00:19:41",
            r"[gateway] log file: C:\Users\bruno\AppData\Local\Temp\openclaw\openclaw-2026-04-21.log",
        ),
    )
    thread = f"# Locks\n\n```text\n{_nas_journal()}```\n\nSame on Windows:\n\n```text\n{bruno}```\n"
    findings = analyze(ingest_files({"issue.md": thread}), Settings())
    stops = findings.events.filter(pl.col("kind") == "gateway_stop").collect()
    assert stops.get_column("ts").to_list() == [datetime(2026, 4, 21, 4, 19, 30, tzinfo=UTC)]
    nas = findings.epochs.filter(pl.col("host") == "nas01").select("pid", "ended_by").rows()
    assert nas == [(2211, None)]


def test_a_quote_of_a_time_only_failure_is_that_failure_past_midnight() -> None:
    """Bruno's console crosses midnight; a reply quotes his first error with `> `.
    The quote is that failure, not one a day later (Z214: 5 lock errors for 4)."""
    bruno = _bruno_console(
        (
            "23:41:17",
            r"[gateway] log file: C:\Users\bruno\AppData\Local\Temp\openclaw\openclaw-2026-04-20.log",
        ),
        _bruno_error("23:58:40"),
        _bruno_error("23:59:52"),
        _bruno_error("00:04:03"),
    )
    quote = "".join(f"{at}-04:00 {m}" for at, m in [_bruno_error("23:58:40")])
    thread = f"# Locks\n\n```text\n{bruno}```\n\n@bruno\n> {quote}\n\nyes\n"
    findings = analyze(ingest_files({"issue.md": thread}), Settings())
    assert findings.headline.lock_timeout == 3


def test_a_quote_of_a_time_only_failure_no_date_was_found_for_is_that_failure() -> None:
    """Dana pastes two lock errors with a time of day alone, no date anywhere; a
    reply quotes one of its lane lines.  Both are untimed: the quote is still that
    failure (Z234: 3 lock errors for 2)."""
    path = (
        "/Users/dana/.openclaw/agents/main/sessions/5e8a1f3b-0c6d-4e29-a7b4-d18f2c90e3a1.jsonl.lock"
    )

    def lane(at: str, name: str, ms: int) -> str:
        error = f"Error: session file locked (timeout 10000ms): pid=61022 {path}"
        return f'{at} [diagnostic] lane task error: lane={name} durationMs={ms} error="{error}"\n'

    paste = "".join(
        lane(at, name, ms)
        for at, base in (("22:14:03", 10034), ("22:16:47", 10029))
        for name, ms in (("main", base), ("session:agent:main:main", base + 7))
    )
    quote = lane("22:14:03", "session:agent:main:main", 10041)
    thread = (
        f"**dana-k** commented\n\n```\n{paste}```\n\n**jonas** commented\n\n> ```\n> {quote}> ```\n"
    )
    findings = analyze(ingest_files({"issue.md": thread}), Settings())
    assert findings.headline.lock_timeout == 2


def test_a_paste_whose_zone_no_named_host_shows_is_a_machine_of_its_own() -> None:
    """nas01's journal (+01:00), Bruno's console (-04:00, its zone written on
    lines that name no date) and a lease host's file-log record (+08:00, no
    state directory): three machines, the lease record not nas01's (Z214)."""
    record = json.dumps(
        {
            "0": '{"subsystem":"diagnostic"}',
            "1": 'lane task error: lane=main durationMs=60214 error="SessionWriteLockTimeoutError: '
            "session file locked (timeout 60000ms): pid=31877 alive=true ageMs=64210 "
            'sqlite:session-write:agent:main:main"',
            "_meta": {"hostname": "unknown", "date": "2026-08-11T06:20:05.112Z"},
            "time": "2026-08-11T14:20:05.112+08:00",
        }
    )
    bruno = _bruno_console(
        (
            "23:41:17",
            r"[gateway] log file: C:\Users\bruno\AppData\Local\Temp\openclaw\openclaw-2026-04-20.log",
        ),
        _bruno_error("23:58:40"),
    )
    thread = (
        f"# Locks\n\n```text\n{_nas_journal()}```\n\nb\n\n```text\n{bruno}```\n\n"
        f"c\n\n```json\n{record}\n```\n"
    )
    events = ingest_files({"issue.md": thread}).events
    lease = events.filter(pl.col("pid") == 31877).get_column("host").to_list()
    assert lease == ["unnamed (UTC+08:00)"]


def test_a_piece_of_a_quote_naming_only_the_wording_is_the_failure_it_quotes() -> None:
    """Dave quotes Bob's journal line with `> ` on its first piece only, so the
    chat's wrap is not joined: its second piece names the wording and timeout
    alone.  It is a piece of that failure, not one of its own with no time,
    agent or session (Z217)."""
    line = (
        "Jun 02 15:44:10 prod-b node[3310]: 2026-06-02T15:44:10.512-05:00 [diagnostic] "
        'lane task error: lane=main durationMs=60208 error="SessionWriteLockTimeoutError: '
        "session file locked (timeout 60000ms): pid=3310 /var/lib/openclaw/.openclaw/agents/"
        'main/sessions/e2d7a4c8-9b31-4f6e-a0d5-6c8b1f7e3a92.jsonl.lock"'
    )
    quoted = ["> " + line[:98], *("  " + line[i : i + 98] for i in range(98, len(line), 98))]
    assert quoted[1].rstrip().endswith("(timeout 60000ms)")
    chat = ["bob  9:46 PM", "prod-b journal:", line, "", "dave  10:02 PM", "same?", *quoted]
    findings = analyze(ingest_files({"notes.txt": "\n".join(chat) + "\n"}), Settings())
    assert findings.headline.lock_timeout == 1


def test_a_note_quoting_another_inputs_failure_without_its_date_adds_none() -> None:
    """notes.md quotes a tmux pane's time-only line word for word; the file log
    holds it stamped: one failure, not one more untimed (Z228: 12 for 11)."""
    lock = "/home/oc/.openclaw/agents/main/sessions/6f1c2a9e-4b7d-4f0e-9a51-2d8c7e31b0a4.jsonl.lock"
    message = (
        "lane task error: lane=session:agent:main:main durationMs=10018 "
        f'error="Error: session file locked (timeout 10000ms): pid=2217 {lock}"'
    )
    files = {
        "old-box/openclaw-2026-08-20.log": tslog_line("2026-08-20T14:14:03.077Z", message),
        "notes.md": f"old-box said:\n\n    14:14:03 [diagnostic] {message}\n",
    }
    findings = analyze(ingest_files(files), Settings())
    assert findings.headline.lock_timeout == 1


def test_a_fenced_openclaw_logs_paste_is_dated_by_its_own_log_file_header() -> None:
    """A chat export: a journal block, then a fenced `openclaw logs` paste whose
    `Log file:` header names its day and whose lines carry the time of day only.
    The paste's lines take that header's day, as its first lines (Z198, after a
    fence began to forget what came before it: dated by another input's copy
    and read at another zone, a phantom incident)."""
    journal = _nas_journal()
    logs = (
        "Log file: /tmp/openclaw/openclaw-2026-02-14.log\n"
        "04:20:03 debug agent/embedded embedded run start: runId=p1e8c2a4 sessionId=s1\n"
        "04:21:49 error diagnostic lane task error: lane=main durationMs=10013 error="
        f'"Error: session file locked (timeout 10000ms): pid=2211 {_NAS_LOCK}"\n'
    )
    thread = f"# Locks\n\n```text\n{journal}```\n\nmine:\n\n```ansi\n{logs}```\n"
    events = ingest_files({"export.txt": thread}).events
    pasted = events.filter(pl.col("line") >= 12)
    assert pasted.get_column("ts").null_count() == 0
    assert all("Log file" in (a or "") for a in pasted.get_column("ts_assumption"))
