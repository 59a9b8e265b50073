"""`lockforensics report`: the sample's incidents, uptimes and resolutions, formats and exit codes."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from lockforensics.cli import app, main
from lockforensics.findings import Findings, Settings
from lockforensics.pipeline import analyze, correlate, ingest
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.json_summary import summary
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.units import uptime
from tests.conftest import ingest_files
from tests.eventrows import Table

FIXED_TIME = "1780000000"  # SOURCE_DATE_EPOCH for reproducible output


@pytest.fixture(scope="module")
def sample_findings(sample_dir: Path) -> Findings:
    return analyze(ingest([sample_dir]), Settings())


@pytest.fixture(scope="module")
def sample_summary(sample_findings: Findings) -> dict[str, Any]:
    return summary(sample_findings)


def test_sample_incidents_are_the_injected_bursts(
    sample_summary: dict[str, Any], expected: dict[str, Any]
) -> None:
    """Each burst the generator injected is one incident with its agents, sessions and counts."""
    keys = ("start", "end", "agents", "lock_stale", "lock_timeout", "takeover", "gateway_pid")
    got = [
        {k: i[k] for k in keys} | {"sessions": i["session_ids"]}
        for i in sample_summary["incidents"]
    ]
    want = [{k: i[k] for k in (*keys, "sessions")} for i in expected["incidents"]]
    assert got == want


def test_sample_uptimes_are_the_injected_ones(
    sample_summary: dict[str, Any], expected: dict[str, Any]
) -> None:
    """347 h at the first burst, under 2 h after the restart, none of them a lower bound."""
    got = [(i["uptime_s"], i["uptime_is_lower_bound"]) for i in sample_summary["incidents"]]
    assert got == [(i["uptime_s"], False) for i in expected["incidents"]]
    assert got[0][0] == 347 * 3600
    assert got[1][0] < 2 * 3600


def test_sample_resolutions_match_the_scenario(
    sample_summary: dict[str, Any], expected: dict[str, Any]
) -> None:
    """Burst 1 is resolved by the restart, bursts 2 and 3 by the cleanup runs after them."""
    got = [(i["resolved_by"], i["resolved_at"]) for i in sample_summary["incidents"]]
    assert got == [(i["resolved_by"], i["resolved_at"]) for i in expected["incidents"]]


def test_sample_epochs_match_the_generator(
    sample_summary: dict[str, Any], expected: dict[str, Any]
) -> None:
    """Two gateway processes: the pre-bundle one dated by uptime evidence, and its successor."""
    got = [(e["pid"], e["start"], e["end"]) for e in sample_summary["gateway_epochs"]]
    assert got == [(e["pid"], e["start"], e["end"]) for e in expected["gateway"]["epochs"]]
    assert all(e["start_known"] for e in sample_summary["gateway_epochs"])


def test_sample_alignment_matches_the_generator(
    sample_findings: Findings, expected: dict[str, Any]
) -> None:
    """Every takeover gets the precursor the generator wrote before it, or none."""
    got = [
        (str(p["session_id"]), p["precursor_ts"])
        for p in sample_findings.pairs.with_columns(
            pl.col("precursor_ts").dt.strftime("%Y-%m-%dT%H:%M:%S%.3fZ")
        ).iter_rows(named=True)
    ]
    assert got == [(t["session_id"], t["precursor_ts"]) for t in expected["takeovers"]]


def test_sample_json_keeps_the_contract(sample_summary: dict[str, Any]) -> None:
    """The contract's fields are all present, with occurrence counts and UTC `Z` stamps."""
    assert sample_summary["schema"] == "lockforensics.summary/1"
    assert sample_summary["window"]["start"].endswith("Z")
    assert set(sample_summary["inputs"][0]) >= {
        "path",
        "format",
        "sha256",
        "lines",
        "events",
        "unrecognized",
    }
    assert sample_summary["counts"]["takeover"] == 24
    assert sample_summary["counts"]["cleanup_run"] == 16
    assert {"lock_removed", "gateway_start", "gateway_restart"} <= set(sample_summary["counts"])
    assert {"agent", "lock_stale", "lock_timeout", "takeover"} == set(sample_summary["agents"][0])
    assert sample_summary["alignment"]["with_lock_precursor"] == 22
    incident = sample_summary["incidents"][0]
    assert {"id", "sessions", "uptime_is_lower_bound", "resolved_by", "resolved_at"} <= set(
        incident
    )


def test_every_report_format_has_a_reporter(sample_findings: Findings) -> None:
    """The registry answers for every ReportFormat member with a working reporter."""
    for fmt in ReportFormat:
        assert reporter_for(fmt).render(sample_findings, RenderOptions()).strip()


def test_terminal_report_keeps_hostile_text_inert() -> None:
    """ANSI escapes, bidi controls and rich markup in log text are shown, never obeyed."""
    t = Table()
    hostile = "evil\x1b[31m[bold red]x[/bold red]\u202e"
    t.failure("lock_timeout", 0, agent=hostile, raw=f"raw {hostile}")
    t.failure("takeover", 5, agent=hostile, raw=f"raw {hostile}")
    findings = correlate(t.frame(), Settings())
    text = reporter_for(ReportFormat.TERMINAL).render(findings, RenderOptions(evidence=True))
    assert "\x1b" not in text
    assert "\u202e" not in text
    assert "[bold red]x[/bold red]" in text


def test_uptime_lower_bounds_read_as_at_least() -> None:
    """A lower-bound uptime is printed with ≥, an exact one without."""
    assert uptime(70 * 3600 + 120, True) == "≥ 70 h 02 min"
    assert uptime(70 * 3600, False) == "70 h 00 min"


# -- the command ---------------------------------------------------------------


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, ["report", *args], env={"SOURCE_DATE_EPOCH": FIXED_TIME})


def test_report_json_is_reproducible(sample_dir: Path, tmp_path: Path) -> None:
    """Two runs write identical JSON, stamped with SOURCE_DATE_EPOCH."""
    outputs = []
    for name in ("a.json", "b.json"):
        result = invoke(str(sample_dir), "-o", str(tmp_path / name))
        assert result.exit_code == 0, result.output
        outputs.append((tmp_path / name).read_text())
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["generated_at"] == "2026-05-28T20:26:40.000Z"


def test_fail_on_incident_exits_1_and_evidence_names_lines(sample_dir: Path) -> None:
    """With --fail-on-incident the exit is 1; --evidence prints `source:line raw`."""
    result = invoke(str(sample_dir), "-f", "terminal", "--evidence", "--fail-on-incident")
    assert result.exit_code == 1
    assert "evidence for incident 1:" in result.stdout
    assert "fleet-2026-05-28/journal/openclaw-gateway.txt:" in result.stdout


def exit_code(*args: str) -> object:
    """Run the real entry point in-process: exit code as `main()` maps it."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sys.argv", ["lockforensics", "report", *args])
        with pytest.raises(SystemExit) as exit_info:
            main()
    return exit_info.value.code


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--window", "five minutes"], 2),
        (["--since", "yesterday"], 2),
        (["-f", "pdf"], 2),
        (["-o", "/nonexistent-dir/report.json"], 73),
    ],
)
def test_report_usage_and_output_errors(sample_dir: Path, args: list[str], code: int) -> None:
    """Bad option values are usage errors (2); an unwritable -o is 73."""
    assert exit_code(str(sample_dir), *args) == code


def test_report_on_missing_or_unreadable_input(tmp_path: Path) -> None:
    """A missing path is 66; input that is not OpenClaw logs at all is 65."""
    assert exit_code(str(tmp_path / "missing")) == 66
    (tmp_path / "notes.txt").write_text("nothing to see here\n")
    assert exit_code(str(tmp_path / "notes.txt")) == 65


def _hosts_report(files: dict[str, str]) -> tuple[dict[str, Any], str]:
    findings = analyze(ingest_files(files), Settings())
    data = json.loads(reporter_for(ReportFormat.JSON).render(findings, RenderOptions()))
    return data, reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions())


JOURNAL_LINE = (
    "May 28 06:20:01 gw-prod-01 node[4821]: [diagnostic] lane wait exceeded: "
    "lane=main waitedMs=3000 queueAhead=1\n"
)
CONSOLE_LINE = (
    "2026-05-28T06:20:02.000+02:00 [diagnostic] lane wait exceeded: "
    "lane=main waitedMs=3000 queueAhead=1\n"
)


def test_inputs_that_name_no_host_are_said_to_take_the_only_one() -> None:
    """A file log naming no host is put on the bundle's only named host: the report says so."""
    data, markdown = _hosts_report({"journal.txt": JOURNAL_LINE, "console.log": CONSOLE_LINE})
    assert data["coverage"]["hostless_inputs"] == 1
    assert "| Host | gw-prod-01 \\(also taken for 1 input that names none\\) |" in markdown
    data, markdown = _hosts_report({"journal.txt": JOURNAL_LINE})
    assert data["coverage"]["hostless_inputs"] == 0
    assert "| Host | gw-prod-01 |" in markdown
    assert "| epoch | gateway pid |" in markdown


def test_two_hosts_say_how_inputs_naming_none_were_placed() -> None:
    """With two named hosts, inputs naming none go by their directory, and the report says so."""
    other = JOURNAL_LINE.replace("gw-prod-01", "gw-edge-02")
    files = {"a/journal.txt": JOURNAL_LINE, "a/console.log": CONSOLE_LINE, "b/journal.txt": other}
    data, markdown = _hosts_report(files)
    assert data["coverage"]["hosts"] == ["gw-edge-02", "gw-prod-01"]
    assert data["coverage"]["hostless_inputs"] == 1
    assert "1 input names none: taken for the host of their directory" in markdown
    # Each epoch says which host's gateway it was.
    assert "| epoch | host | gateway pid |" in markdown
    assert "| 1 | gw-edge-02 |" in markdown or "| 1 | gw-prod-01 |" in markdown


def _lock_lines(prefix: str, seconds: tuple[int, ...]) -> str:
    return "".join(
        f"{prefix.format(s=s)}session file locked (timeout 10000ms): pid=4821 /data/.openclaw/"
        f"agents/main/sessions/{s:08d}-8cd0-43a6-a382-1b4ebc062f6d.jsonl.lock\n"
        for s in seconds
    )


def test_two_hosts_incidents_name_their_host_and_a_paste_says_unknown() -> None:
    """Bursts of two hosts and of a paste at the bundle's top (host unknown), seconds
    apart: three incidents, each table row and heading naming its host, or `?` and
    "host unknown" for the paste."""
    files = {
        "a/journal.txt": _lock_lines("May 28 06:20:{s:02d} gw-prod-01 node[4821]: ", (1, 5)),
        "b/journal.txt": _lock_lines("May 28 06:20:{s:02d} gw-edge-02 node[999]: ", (2, 6)),
        "paste.txt": _lock_lines("2026-05-28T06:20:{s:02d}.000+02:00 ", (3, 7)),
    }
    data, markdown = _hosts_report(files)
    assert [(i["id"], i["host"], i["gateway_pid"]) for i in data["incidents"]] == [
        (1, "gw-prod-01", 4821),
        (2, "gw-edge-02", 999),
        (3, None, None),
    ]
    assert "| # | host | start (UTC) |" in markdown
    # Each capture begins with its burst: what came before is unseen.
    assert "| 3 | ? | ≤ 2026-05-28 04:20:03 |" in markdown
    assert "- **Gateway:** host unknown, pid ?" in markdown
    assert "- **Gateway:** gw-edge-02, pid 999" in markdown


def test_a_rate_the_window_cannot_support_says_why() -> None:
    """One lock error and nothing else: no incident, and no baseline rate per hour
    over a window of no length (it read `outside 1200000.00/hour`)."""
    _, markdown = _hosts_report({"paste.txt": _lock_lines("2026-05-28T06:20:{s:02d}Z ", (1,))})
    assert (
        "Inside incidents none; outside no rate \\(under 1 h of log outside incidents\\) "
        "\\(0 vs 1 occurrences\\)." in markdown
    )


def _boot(at: str) -> str:
    """One 2026.6+ boot as the console writes it, from ``at`` (hh:mm) on 2026-08-20, +05:30."""
    return (
        f"2026-08-20T{at}:20.050+05:30 [gateway] starting...\n"
        f"2026-08-20T{at}:20.420+05:30 [gateway] starting HTTP server...\n"
        f"2026-08-20T{at}:26.050+05:30 [gateway] http server listening (7 plugins: acpx; 6.0s)\n"
        f"2026-08-20T{at}:26.210+05:30 [gateway] ready\n"
    )


def test_a_2026_6_boot_is_one_start_and_a_clean_shutdown_ends_its_epoch() -> None:
    """`starting...`, `starting HTTP server...`, `http server listening`, `ready` are one
    start (two `starting` lines made two, with epochs ending before they began); the
    restart's child boots the same way; `shutdown completed cleanly` ends it."""
    text = (
        _boot("04:41") + "2026-08-20T05:33:10.000+05:30 [gateway] received SIGUSR1; restarting\n"
        "2026-08-20T05:33:11.210+05:30 [gateway] restart mode: full process restart "
        "(spawned pid 52877)\n"
        + _boot("05:33")
        + "2026-08-20T06:35:00.153+05:30 [shutdown] shutdown completed cleanly in 153ms\n"
    )
    want = [
        # Begun by its boot's `starting...`, though no line names its pid; the
        # restart's child too, its boot coming after its parent's `restart mode`
        # line (which ends the parent's epoch: one before it would be the
        # parent's, and the two would overlap).
        (None, "start", "2026-08-19T23:11:20.050Z", "restart", "2026-08-20T00:03:11.210Z"),
        (52877, "restart", "2026-08-20T00:03:20.050Z", "stop", "2026-08-20T01:05:00.153Z"),
    ]
    data, _ = _hosts_report({"console.log": text})
    epochs = [
        (e["pid"], e["opened_by"], e["start"], e["ended_by"], e["end"])
        for e in data["gateway_epochs"]
    ]
    assert epochs == want
    # The restart closes the server before its `restart mode` line: that close is the
    # restart's, not a stop before the child's boot (which then opened an epoch of
    # its own, 1 s long, and left the child's pid unknown).
    closing = "2026-08-20T05:33:11.202+05:30 [shutdown] shutdown completed cleanly in 1190ms\n"
    at = text.index("2026-08-20T05:33:11.210")
    data, _ = _hosts_report({"console.log": text[:at] + closing + text[at:]})
    epochs = [
        (e["pid"], e["opened_by"], e["start"], e["ended_by"], e["end"])
        for e in data["gateway_epochs"]
    ]
    assert epochs == want


def test_the_old_process_lines_between_a_full_restart_and_its_child_are_its_own() -> None:
    """After `restart mode: full process restart` the old process drains and says
    `shutdown completed` (naming no pid) before its child boots: that line is the
    old process's, the last of its epoch, not the child's first (which had made
    the child's epoch begin before the child did)."""
    text = (
        _boot("04:41")
        + "2026-08-20T05:33:11.210+05:30 [gateway] restart mode: full process restart "
        "(spawned pid 52877)\n"
        "2026-08-20T05:33:11.420+05:30 [shutdown] shutdown completed cleanly in 190ms\n"
        + _boot("05:33")
    )
    data, _ = _hosts_report({"console.log": text})
    old, child = data["gateway_epochs"]
    assert old["last_line"] == "2026-08-20T00:03:11.420Z"
    assert (child["first_line"], child["events"]) == ("2026-08-20T00:03:20.050Z", 4)


def test_a_starts_side_line_alone_is_no_start_in_the_counts() -> None:
    """`agent model:` and `heartbeat: started` mid-run (a model switch, a heartbeat
    restarted) open no epoch, and are no gateway start in the counts either."""
    text = (
        _boot("04:41") + "2026-08-20T05:10:00.100+05:30 [gateway] agent model: openai/gpt-5.6-sol\n"
        "2026-08-20T05:20:00.100+05:30 [heartbeat] started\n"
    )
    data, _ = _hosts_report({"console.log": text})
    assert (data["counts"]["gateway_start"], len(data["gateway_epochs"])) == (1, 1)


_EAST_LOCK = (
    "session file locked (timeout 10000ms): pid=20931 /h/.openclaw/agents/main/sessions/"
    "c9a7e3b2-5d18-4f6a-8e2c-1b4d7f9a0c2{n}.jsonl.lock"
)


def _east(minute: int) -> str:
    """gw-east's journal (names its host) with two lock errors at 15:<minute>:01 and :06."""
    return "".join(
        f"2026-06-09T15:{minute}:0{n}+0000 east-gw1 node[20931]: [diagnostic] lane task error: "
        f'lane=main durationMs=10012 error="Error: {_EAST_LOCK.format(n=n)}"\n'
        for n in (1, 6)
    )


def test_a_sibling_gateway_whose_logs_name_no_host_is_not_the_named_one() -> None:
    """gw-east/ holds a journal naming east-gw1; gw-west/ only a docker capture naming no
    host, failing in the same minute.  Its records are none of east-gw1's, so it is
    another gateway (host unknown), not east-gw1 by default: two incidents, not one
    with east's pid.  A file log beside the journal in another folder (logs/), holding
    the same records, stays on east-gw1."""
    west = "".join(
        f"2026-06-09T15:15:0{n}.000000000Z 2026-06-09T15:15:0{n}.500+00:00 [diagnostic] "
        f"session file lock stale (too-old): pid=7 alive=true ageMs=2004500 "
        f"/data/.openclaw/agents/support/sessions/6c1f9d2e-4a7b-4e85-9c3d-2a8f5b1e6d5{n}"
        ".jsonl.lock\n"
        for n in (3, 4)
    )
    data, markdown = _hosts_report({"gw-east/journal.txt": _east(15), "gw-west/docker.log": west})
    assert [(i["host"], i["gateway_pid"], i["occurrences"]) for i in data["incidents"]] == [
        ("east-gw1", 20931, 2),
        (None, None, 2),
    ]
    assert data["coverage"]["unplaced_inputs"] == 1
    assert "another gateway's, host unknown" in markdown
    assert "| # | host |" in markdown
    log = "".join(
        json.dumps(
            {
                "0": '{"subsystem":"diagnostic"}',
                "1": f'lane task error: lane=main durationMs=10012 error="Error: {_EAST_LOCK.format(n=n)}"',
                "_meta": {"name": '{"subsystem":"diagnostic"}', "logLevelName": "ERROR"},
                "time": f"2026-06-09T15:15:0{n}.100Z",
            }
        )
        + "\n"
        for n in (1, 6)
    )
    data, _ = _hosts_report({"host/journal.txt": _east(15), "logs/openclaw-2026-06-09.log": log})
    assert [(i["host"], i["occurrences"]) for i in data["incidents"]] == [("east-gw1", 2)]
    assert data["coverage"]["unplaced_inputs"] == 0


@pytest.mark.parametrize(("west_minute", "packed"), [(15, ""), (45, ""), (15, ".tar.gz")])
def test_a_sibling_gateway_in_a_folder_per_host_layout_takes_its_folders_name(
    west_minute: int, packed: str
) -> None:
    """The bundle is laid out a folder per host: east-gw1/ holds a journal naming
    east-gw1. gw-west/ holds `openclaw logs` captures naming no host, another
    gateway's (no record shared). It is the host its folder names, said in the
    host line, whether it failed as east did or half an hour after (Z125: a
    burst after east's, whose time overlapped none of east's, was east's own);
    a cleanup/ folder beside them holds no host of its own.  A collection per host
    as an archive each (`gw-west.tar.gz`) is laid out so too (Z187)."""
    west = "".join(
        f"2026-06-09T15:{west_minute}:0{n}.500+00:00 error diagnostic lane task error: lane=main "
        'durationMs=10012 error="Error: session file locked (timeout 10000ms): pid=7 '
        f'/data/.openclaw/agents/support/sessions/6c1f9d2e-4a7b-4e85-9c3d-2a8f5b1e6d5{n}.jsonl.lock"\n'
        for n in (3, 4)
    )
    cleanup = (
        "Session store: /h/.openclaw/agents/main/sessions/sessions.json\n"
        "Applied maintenance. Current entries: 12\n"
    )
    files = {
        f"east-gw1{packed}/journal.txt": _east(15),
        f"gw-west{packed}/openclaw-logs.txt": "Log file: /tmp/openclaw/openclaw-2026-06-09.log\n"
        + west,
        "cleanup/sessions-cleanup-20260609T1530Z.txt": cleanup,
    }
    data, markdown = _hosts_report(files)
    assert [(i["host"], i["occurrences"]) for i in data["incidents"]] == [
        ("east-gw1", 2),
        ("gw-west", 2),
    ]
    assert data["coverage"]["folder_hosts"] == ["gw-west"]
    assert data["coverage"]["hosts"] == ["east-gw1", "gw-west"]
    assert "taken for gw-west, the name of its folder" in markdown
    assert "host unknown" not in markdown


@pytest.mark.parametrize("packed", ["", ".tar.gz"])
def test_a_cleanup_log_in_a_host_folder_naming_none_is_that_hosts(packed: str) -> None:
    """gw-west's folder (or archive) holds its `openclaw logs` capture, naming no
    host, and its cron's cleanup log: the cleanup is gw-west's, as its capture
    is, not a gateway of no host nor the host the bundle's root names, and it
    clears west's burst (Z187: unresolved)."""
    west = "".join(
        f"2026-06-09T15:15:0{n}.500+00:00 error diagnostic lane task error: lane=main "
        'durationMs=10012 error="Error: session file locked (timeout 10000ms): pid=7 '
        f'/data/.openclaw/agents/support/sessions/6c1f9d2e-4a7b-4e85-9c3d-2a8f5b1e6d5{n}.jsonl.lock"\n'
        for n in (3, 4)
    )
    cleanup = (
        "Tue Jun  9 15:20:01 UTC 2026\n"
        "Agent: support\n"
        "Session store: /data/.openclaw/agents/support/sessions/sessions.json\n"
        "Applied maintenance. Current entries: 12\n"
    )
    files = {
        f"east-gw1{packed}/journal.txt": _east(15),
        f"gw-west{packed}/openclaw-logs.txt": "Log file: /tmp/openclaw/openclaw-2026-06-09.log\n"
        + west,
        f"gw-west{packed}/var/log/openclaw-sessions-cleanup.log": cleanup,
    }
    data, _ = _hosts_report(files)
    assert [(i["host"], i["resolved_by"]) for i in data["incidents"]] == [
        ("east-gw1", None),
        ("gw-west", "cleanup_run"),
    ]
    assert [e["host"] for e in data["gateway_epochs"]] == ["east-gw1", "gw-west"]


def test_a_containers_inspection_in_its_hosts_folder_is_that_hosts() -> None:
    """east-gw1/ holds a journal naming east-gw1; gw-west/ a container's logs and its
    `docker inspect`, naming no host.  The container's start and OOM kill are
    gw-west's, not east-gw1's (Z125: they ended east-gw1's process and gave it a
    start two days early)."""
    state = {"Status": "exited", "Running": False, "OOMKilled": True, "ExitCode": 137,
             "StartedAt": "2026-06-07T09:00:00.5Z", "FinishedAt": "2026-06-09T15:50:00.5Z"}  # fmt: skip
    inspect = json.dumps(
        [{"Name": "/openclaw-gateway", "Args": ["node", "dist/index.js", "gateway"],
          "State": state}],
        indent=4,
    )  # fmt: skip
    west = "".join(
        f"2026-06-09T15:4{n}:03.000000000Z 2026-06-09T15:4{n}:03.000+00:00 [diagnostic] "
        "session file lock stale (too-old): pid=7 alive=true ageMs=2004500 "
        "/data/.openclaw/agents/support/sessions/6c1f9d2e-4a7b-4e85-9c3d-2a8f5b1e6d53.jsonl.lock\n"
        for n in (3, 4)
    )
    files = {
        "incident/east-gw1/journal.txt": _east(15),
        "incident/gw-west/docker-logs.txt": west,
        "incident/gw-west/docker-inspect.json": inspect + "\n",
    }
    data, _ = _hosts_report(files)
    epochs = [(e["host"], e["start"], e["ended_by"]) for e in data["gateway_epochs"]]
    assert ("gw-west", "2026-06-07T09:00:00.500Z", "crash") in epochs
    assert all(
        start != "2026-06-07T09:00:00.500Z" for host, start, _ in epochs if host == "east-gw1"
    )
    assert [(i["host"], i["uptime_is_lower_bound"]) for i in data["incidents"]] == [
        ("east-gw1", True),
        ("gw-west", False),
    ]


def test_a_gateway_folder_naming_no_host_beside_two_named_ones_takes_its_folders_name() -> None:
    """Three hosts a folder each: east-gw1/ and mid-gw2/ hold journals naming their
    hosts, kelp/ a macOS gateway.log naming none. With two hosts named there is no
    only host to take, so kelp's failures were "host unknown" beside hosts named by
    their folders; they are kelp's, said in the host line."""
    mid = _east(15).replace("east-gw1", "mid-gw2").replace("node[20931]", "node[3117]")
    kelp = "".join(
        f"2026-06-09T17:20:0{n}.500+02:00 [diagnostic] lane task error: lane=main "
        'durationMs=10012 error="Error: session file locked (timeout 10000ms): pid=812 '
        f'/Users/mara/.openclaw/agents/scribe/sessions/1ce6fcba-a707-426b-a6de-2744145113c{n}.jsonl.lock"\n'
        for n in (3, 4)
    )
    files = {
        "bundle/east-gw1/journal.txt": _east(15),
        "bundle/mid-gw2/journal.txt": mid,
        "bundle/kelp/Users/mara/.openclaw/logs/gateway.log": kelp,
    }
    data, markdown = _hosts_report(files)
    assert sorted((i["host"], i["occurrences"]) for i in data["incidents"]) == [
        ("east-gw1", 2),
        ("kelp", 2),
        ("mid-gw2", 2),
    ]
    assert data["coverage"]["folder_hosts"] == ["kelp"]
    assert "taken for kelp, the name of its folder" in markdown
    assert "host unknown" not in markdown


def test_a_doctor_that_found_no_lock_is_no_other_gateway() -> None:
    """A 2026.7 doctor beside a named journal holds only the CLI's banner once leases
    leave no `.jsonl.lock` to list.  Every command prints that banner, so it is no
    gateway's record: the doctor keeps the folder's host and opens no epoch (it had
    made a gateway of no host and no pid, running to the bundle's end)."""
    doctor = (
        "\U0001f99e OpenClaw 2026.7.3 (c41d0b7) \u2014 Now with 100% more database.\n\n"
        "Session locks\n- Found 0 session lock files.\n"
    )
    files = {
        "gw-east/journal.txt": _east(15),
        "gw-east/maintenance/doctor-20260609T151503Z.txt": doctor,
    }
    data, markdown = _hosts_report(files)
    assert [(e["host"], e["pid"]) for e in data["gateway_epochs"]] == [("east-gw1", 20931)]
    assert data["coverage"]["unplaced_inputs"] == 0
    assert "another gateway's" not in markdown


def test_each_pod_of_a_kubectl_prefix_capture_is_its_own_host() -> None:
    """Two replicas' gateways interleaved by `kubectl logs --prefix` (pid 1 in both
    containers) are two hosts named after their pods: two epochs, each up since its own
    start, not one gateway restarting whenever the other pod starts."""

    def line(pod: str, at: str, message: str) -> str:
        return (
            f"[pod/{pod}/gateway] 2026-06-20T{at}.000000000Z 2026-06-20T{at}.000+00:00 {message}\n"
        )

    text = (
        line("openclaw-0", "08:00:05", "[gateway] ready (3 plugins: a, b, c; 4.2s)")
        + line("openclaw-1", "10:20:05", "[gateway] ready (3 plugins: a, b, c; 4.2s)")
        + line(
            "openclaw-0",
            "10:30:01",
            f'[diagnostic] lane task error: lane=main durationMs=1 error="Error: {_EAST_LOCK.format(n=1)}"',
        )
        + line(
            "openclaw-1",
            "10:30:02",
            f'[diagnostic] lane task error: lane=main durationMs=1 error="Error: {_EAST_LOCK.format(n=2)}"',
        )
    )
    data, _ = _hosts_report({"kubectl-logs.txt": text})
    assert data["coverage"]["hosts"] == ["openclaw-0", "openclaw-1"]
    assert [(e["host"], e["start"], e["ended_by"]) for e in data["gateway_epochs"]] == [
        ("openclaw-0", "2026-06-20T08:00:05.000Z", None),
        ("openclaw-1", "2026-06-20T10:20:05.000Z", None),
    ]


def test_a_lone_failure_is_background_not_nothing() -> None:
    """One lock error and no incident: the incidents section says the error is there
    (background), where it read 'No lock errors or takeovers in the window' beside a
    headline counting one."""
    files = {"paste.txt": _lock_lines("2026-05-28T06:20:{s:02d}Z ", (1,))}
    _, markdown = _hosts_report(files)
    assert (
        "No incidents: 1 lock error or takeover, none within 10 min 00 s of another on its host"
        in markdown
    )
    _, markdown = _hosts_report({"notes.txt": JOURNAL_LINE})
    assert "No lock errors or takeovers in the window." in markdown


#: A crash loop under systemd (Restart=always): an OOM kill during startup, two
#: starts that fail on the dead process's singleton lock, then a start that
#: listens; each restart comes five seconds after the exit before it.
_CRASH_LOOP = """\
May 29 11:10:31 gw systemd[1190]: openclaw-gateway.service: Main process exited, code=dumped, status=6/ABRT
May 29 11:10:31 gw systemd[1190]: openclaw-gateway.service: Failed with result 'core-dump'.
May 29 11:10:36 gw systemd[1190]: Stopped OpenClaw Gateway (v2026.5.22).
May 29 11:10:36 gw systemd[1190]: Started OpenClaw Gateway (v2026.5.22).
May 29 11:10:39 gw node[32999]: 2026-05-29T11:10:39.100+02:00 [canvas] host mounted at http://127.0.0.1:18789/__openclaw__/canvas/ (root /home/oc/.openclaw/canvas)
May 29 11:10:39 gw node[32999]: 2026-05-29T11:10:39.150+02:00 [heartbeat] started
May 29 11:10:41 gw systemd[1190]: openclaw-gateway.service: Main process exited, code=killed, status=9/KILL
May 29 11:10:41 gw systemd[1190]: openclaw-gateway.service: Failed with result 'oom-kill'.
May 29 11:10:46 gw systemd[1190]: Stopped OpenClaw Gateway (v2026.5.22).
May 29 11:10:46 gw systemd[1190]: Started OpenClaw Gateway (v2026.5.22).
May 29 11:10:51 gw node[33120]: 2026-05-29T11:10:51.990+02:00 Gateway failed to start: gateway already running (pid 32999); lock timeout after 5000ms
May 29 11:10:52 gw systemd[1190]: openclaw-gateway.service: Main process exited, code=exited, status=1/FAILURE
May 29 11:10:52 gw systemd[1190]: openclaw-gateway.service: Failed with result 'exit-code'.
May 29 11:10:57 gw systemd[1190]: Stopped OpenClaw Gateway (v2026.5.22).
May 29 11:10:57 gw systemd[1190]: Started OpenClaw Gateway (v2026.5.22).
May 29 11:11:03 gw node[33245]: 2026-05-29T11:11:03.060+02:00 Gateway failed to start: gateway already running (pid 32999); lock timeout after 5000ms
May 29 11:11:03 gw systemd[1190]: openclaw-gateway.service: Main process exited, code=exited, status=1/FAILURE
May 29 11:11:03 gw systemd[1190]: openclaw-gateway.service: Failed with result 'exit-code'.
May 29 11:11:08 gw systemd[1190]: Stopped OpenClaw Gateway (v2026.5.22).
May 29 11:11:08 gw systemd[1190]: Started OpenClaw Gateway (v2026.5.22).
May 29 11:11:11 gw node[33371]: 2026-05-29T11:11:11.500+02:00 [canvas] host mounted at http://127.0.0.1:18789/__openclaw__/canvas/ (root /home/oc/.openclaw/canvas)
May 29 11:11:11 gw node[33371]: 2026-05-29T11:11:11.800+02:00 [health-monitor] started (interval: 300s, startup-grace: 60s, channel-connect-grace: 120s)
May 29 11:11:12 gw node[33371]: 2026-05-29T11:11:12.400+02:00 [gateway] listening on ws://127.0.0.1:18789, ws://[::1]:18789 (PID 33371)
May 29 11:11:12 gw node[33371]: 2026-05-29T11:11:12.402+02:00 [gateway] log file: /tmp/openclaw/openclaw-2026-05-29.log
"""


def _file_line(console: str) -> str:
    """The file log's copy of a console line (``<stamp> [subsystem] message``): no pid."""
    stamp, subsystem, message = re.fullmatch(r"(\S+) \[([^\]]+)\] (.*)", console).groups()  # type: ignore[union-attr]
    utc = datetime.fromisoformat(stamp).astimezone(UTC).isoformat(timespec="milliseconds")
    record = {
        "0": json.dumps({"subsystem": subsystem}),
        "1": message,
        "_meta": {
            "name": json.dumps({"subsystem": subsystem}),
            "date": utc.replace("+00:00", "Z"),
            "logLevelId": 3,
            "logLevelName": "INFO",
        },
        "time": stamp,
    }
    return json.dumps(record) + "\n"


def test_a_crash_loops_starts_are_each_their_own_process() -> None:
    """Starts seconds apart are as many processes as their lines name pids, and
    the file log's pid-less copies of a start go to the start before them: they
    had joined a start a minute older, mixing four processes into two epochs
    that ended before they began.  The two starts the singleton lock refused
    (`gateway already running (pid 32999)`) are no processes of their own."""
    copies = "".join(
        _file_line(line.split(": ", 1)[1])
        for line in _CRASH_LOOP.splitlines()
        if "node[33371]" in line
    )
    data, _ = _hosts_report({"journal.txt": _CRASH_LOOP, "openclaw-2026-05-29.log": copies})
    epochs = [(e["pid"], e["start"], e["ended_by"], e["end"]) for e in data["gateway_epochs"]]
    assert epochs[-2:] == [
        (32999, "2026-05-29T09:10:36.000Z", "crash", "2026-05-29T09:10:41.000Z"),
        # Begun when systemd started it, as 32999 was: its `Started` line names
        # no pid, and comes after 32999 ended (Z164).
        (33371, "2026-05-29T09:11:08.000Z", None, None),
    ]
    assert not {33120, 33245} & {pid for pid, *_ in epochs}


def test_a_busy_bundles_markdown_fits_with_every_section_saying_what_it_left_out() -> None:
    """Hundreds of agents and stuck sessions: the long tables and the timeline keep
    their first rows, each saying how many more there are, so every section and the
    incidents' details fit GitHub's limit, where the cut had taken them all away."""
    lines = ["2026-06-01T00:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 4100)"]
    for n in range(300):
        path = (
            f"/h/.openclaw/agents/agent-{n:03d}/sessions/{n:08d}-0000-4000-8000-000000000000.jsonl"
        )
        for second in (0, 30):
            lines.append(
                f"2026-06-01T01:{n // 60:02d}:{second + n % 30:02d}.000+00:00 [diagnostic] lane "
                'task error: lane=main durationMs=60012 error="Error: session file locked '
                f'(timeout 60000ms): pid=4100 alive=true ageMs=61000 {path}.lock"'
            )
    findings = analyze(ingest_files({"console.log": "\n".join(lines) + "\n"}), Settings())
    limit = 30_000
    text = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions(max_chars=limit))
    assert len(text) <= limit
    assert "Report truncated" not in text
    for section in ("### Timeline", "### Frequency", "### Stuck but alive", "### Coverage"):
        assert section in text
    assert "#### Incident 1:" in text
    assert "260 more sessions not shown to fit the report" in text
    assert "260 more agents, with fewer failures, not drawn" in text


def test_a_since_window_runs_to_the_last_line_as_the_whole_one_does() -> None:
    """--since bounds the start; the end is still the logs' last line, not the last
    event, so the baseline rate divides by the hours the logs cover."""
    error = (
        '[diagnostic] lane task error: lane=main durationMs=10012 error="Error: session file '
        'locked (timeout 10000ms): pid=7 /h/.openclaw/agents/a/sessions/s.jsonl.lock"'
    )
    log = (
        f"2026-06-14T08:00:00.000+00:00 {error}\n"
        f"2026-06-14T10:00:00.000+00:00 {error}\n"
        "2026-06-14T21:56:06.144+00:00 [telegram] inbound message queued\n"
    )
    result = ingest_files({"console.log": log})
    since = datetime(2026, 6, 14, 9, 0, tzinfo=UTC)
    whole, scoped = analyze(result, Settings()), analyze(result, Settings(since=since))
    assert (
        whole.window_end
        == scoped.window_end
        == datetime(2026, 6, 14, 21, 56, 6, 144000, tzinfo=UTC)
    )
    assert scoped.window_start == since


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        # From between the failure and the summary that repeats it a minute later.
        ("14:10:00", None, {"main": 2}),
        # Ending between the failure's file line and its lane mirror 3 ms later.
        ("14:09:00", "14:09:51.305", {"main": 1}),
        # Beginning there: the failure happened before.
        ("14:09:51.306", "14:10:30", {}),
    ],
)
def test_time_limits_read_each_failure_at_its_first_line(
    since: str, until: str | None, expected: dict[str, int]
) -> None:
    """A failure is in `--since`/`--until` by when it was first written, whatever
    its echoes' times: the lane mirror 3 ms on, the model chain's `All models
    failed` summary repeating it a minute on (Z151: counted in windows that held
    only an echo)."""
    lock = "/home/ops/.openclaw/agents/main/sessions/{}.jsonl.lock"
    error = "session file locked (timeout 60000ms): pid=48211 alive=true ageMs={} " + lock
    session = "383bc376-0b7e-4f3c-9d2a-1a2b3c4d5e6f"
    first, second = error.format(95317, session), error.format(155402, session)
    later = error.format(9000, "b4e20435-5d6e-4f70-8a9b-0c1d2e3f4a5b")
    log = (
        f"2026-05-30T14:09:51.304Z [diagnostic] lane task error: lane=nested durationMs=60003 "
        f'error="SessionWriteLockTimeoutError: {first}"\n'
        f"2026-05-30T14:09:51.307Z [diagnostic] lane task error: lane=session:agent:main:main "
        f'durationMs=60006 error="SessionWriteLockTimeoutError: {first}"\n'
        f"2026-05-30T14:10:51.390Z [diagnostic] lane task error: lane=session:agent:main:main "
        f'durationMs=60004 error="SessionWriteLockTimeoutError: {second}"\n'
        f"2026-05-30T14:10:51.400Z [diagnostic] lane task error: lane=nested durationMs=120100 "
        f'error="FallbackSummaryError: All models failed (2): anthropic/claude-sonnet-4-6: '
        f'{first} (timeout) | openai/gpt-5.4: {second} (timeout)"\n'
        f"2026-05-30T14:20:00.100Z [diagnostic] lane task error: lane=nested durationMs=60001 "
        f'error="SessionWriteLockTimeoutError: {later}"\n'
    )
    result = ingest_files({"console.log": log})
    limits = {"since": since, "until": until}
    at = {k: datetime.fromisoformat(f"2026-05-30T{v}+00:00") for k, v in limits.items() if v}
    findings = analyze(result, Settings(**at))
    timeouts = findings.failures.filter(pl.col("kind") == "lock_timeout")
    assert dict(timeouts.group_by("agent").len().iter_rows()) == expected
    assert findings.counts["lock_timeout"] == sum(expected.values())


def test_a_window_past_the_banner_keeps_its_gateways_version() -> None:
    """The banner names the version at the start; `--since` hours later keeps the
    version of the gateway its failures ran under (Z156: `OpenClaw unknown`)."""
    lock = (
        "session file locked (timeout 60000ms): pid=61234 alive=true ageMs=80863 "
        "sqlite:session-write:agent:ledger:main"
    )
    log = (
        "2026-08-14T06:02:04.100+00:00 🦞 OpenClaw 2026.8.14 (3e1a9c4) — I read logs so you don't have to.\n"
        "2026-08-14T06:02:05.371+00:00 [gateway] starting...\n"
        "2026-08-14T06:02:11.010+00:00 [gateway] http server listening (2 plugins: a, b; 5.6s)\n"
        + "".join(
            f"2026-08-15T03:1{n}:41.210+00:00 Embedded agent failed before reply: {lock}\n"
            for n in range(3)
        )
    )
    since = datetime(2026, 8, 15, 3, 0, tzinfo=UTC)
    findings = analyze(ingest_files({"console.log": log}), Settings(since=since))
    assert findings.versions == ("2026.8.14",)


def test_a_filter_changes_the_counts_never_which_counts_there_are(sample_dir: Path) -> None:
    """`--agent` keeps every kind the bundle holds among the counts, 0 where the
    agent has none: a JSON consumer's key is there whatever the filter (Z203:
    `lock_released_by_watchdog` missing under `--agent billing`)."""
    result = ingest([sample_dir])
    whole = analyze(result, Settings())
    for agent in sorted(set(whole.failures.get_column("agent").drop_nulls())):
        one = analyze(result, Settings(agents=(agent,)))
        assert sorted(one.counts) == sorted(whole.counts), agent


def test_many_inputs_leave_the_incidents_details_and_the_skipped_list_in_the_markdown() -> None:
    """A zip of thousands of tiny transcripts beside a burst: the inputs table
    keeps its first rows, saying how many it left out, so the incident's
    details and the skipped members stay in (Z225: the whole coverage section
    and every incident's details were cut, 60 K of the budget unused)."""
    lock = "/h/.openclaw/agents/main/sessions/11111111-0000-4000-8000-000000000000.jsonl.lock"
    burst = "".join(
        f"2026-06-01T01:0{m}:00.000+00:00 [diagnostic] lane task error: lane=main "
        f'durationMs=60012 error="Error: session file locked (timeout 60000ms): pid=4100 {lock}"\n'
        for m in range(3)
    )
    files: dict[str, str | bytes] = {"console.log": burst}
    for n in range(600):
        sid = f"{n:08d}-0000-4000-8000-000000000000"
        files[f"sessions/{sid}.jsonl"] = json.dumps({"type": "session", "id": sid}) + "\n"
    findings = analyze(ingest_files(files), Settings())
    limit = 30_000
    text = reporter_for(ReportFormat.MARKDOWN).render(findings, RenderOptions(max_chars=limit))
    assert len(text) <= limit
    assert "Report truncated" not in text
    assert "#### Incident 1:" in text
    assert "more inputs not shown to fit the report" in text
