"""Two gateways on one host under named profiles (`--profile staging`): two gateways."""

from __future__ import annotations

import json

import polars as pl

from lockforensics.correlate import profiles
from lockforensics.findings import Settings
from lockforensics.pipeline import analyze
from lockforensics.schema import EVENT_SCHEMA
from tests.conftest import ingest_files

LEASE = "sqlite:session-write:agent:main:main"
TIMEOUT = (
    'lane task error: lane=session:agent:main:main durationMs=60213 error="SessionWriteLockTimeoutError: '
    f'session file locked (timeout 60000ms): pid=2211 alive=true ageMs={{age}} {LEASE}"'
)


def _record(at: str, subsystem: str, message: str) -> str:
    binding = json.dumps({"subsystem": subsystem})
    return json.dumps({"0": binding, "1": message, "time": f"2026-08-14T{at}+02:00"})


def _start(at: str, port: int) -> list[tuple[str, str, str]]:
    return [
        (
            at + ".100",
            "gateway",
            "http server listening (3 plugins: telegram, slack, memory-core; 5.3s)",
        ),
        (at + ".200", "gateway", "ready"),
    ]


def _stop(at: str) -> list[tuple[str, str, str]]:
    return [(at + ".100", "gateway", "received SIGTERM; shutting down")]


# (pid, records): 2026.8 file logs name no pid; the journal's copies do.
PROD = [
    (2211, _start("06:12:10", 18789)),
    (2211, [(f"11:4{n}:10.412", "diagnostic", TIMEOUT.format(age=90000 + n)) for n in range(3)]),
    (2211, _stop("12:14:07")),
    (4105, _start("12:14:13", 18789)),
]
STAGING = [
    (2290, _start("06:15:37", 19001)),
    (2290, _stop("11:41:30")),
    (3390, _start("11:41:41", 19001)),
]


def _bundle() -> dict[str, str | bytes]:
    files: dict[str, str | bytes] = {}
    journal = []
    for name, gateway in (("openclaw", PROD), ("openclaw-staging", STAGING)):
        lines = []
        for pid, records in gateway:
            for at, subsystem, message in records:
                lines.append(_record(at, subsystem, message))
                stamp = f"2026-08-14T{at}+02:00"
                journal.append(
                    f"{stamp[:19]}+0200 atlas node[{pid}]: {stamp} [{subsystem}] {message}"
                )
        files[f"tmp/openclaw/{name}-2026-08-14.log"] = "\n".join(lines) + "\n"
    files["journal.txt"] = "\n".join(sorted(journal)) + "\n"
    return files


def test_a_profiles_gateway_is_a_gateway_of_its_own() -> None:
    """Staging's restart beside prod's burst neither ends prod's process nor clears
    its incident; staging's pid-less file-log lines are staging's."""
    findings = analyze(ingest_files(_bundle()), Settings())
    epochs = findings.epochs.sort("start").select("host", "pid", "ended_by").rows()
    assert epochs == [
        ("atlas", 2211, "stop"),
        ("atlas (staging)", 2290, "stop"),
        ("atlas (staging)", 3390, None),
        ("atlas", 4105, None),
    ]
    (incident,) = findings.incidents.to_dicts()
    assert (incident["host"], incident["gateway_pid"]) == ("atlas", 2211)
    # Prod's own stop, its next start 6 s later: a restart from outside.
    assert incident["resolved_by"] == "gateway_restart"
    assert incident["resolved_at"].strftime("%H:%M:%S") == "10:14:07"
    staging_file = findings.events.filter(
        pl.col("source").str.contains("openclaw-staging", literal=True)
    ).collect()
    assert staging_file.get_column("host").unique().to_list() == ["atlas (staging)"]


def test_a_pm2_app_named_gateway_is_no_profile() -> None:
    """pm2 writes `<app>-out.log` and `<app>-error.log`: no profiles `out`, `error`."""
    found = profiles.profile_hosts(
        pl.DataFrame(schema=EVENT_SCHEMA).lazy(),
        ["logs/gateway-out.log", "logs/gateway-error.log", "Logs/openclaw/gateway-work.log"],
    )
    assert found.select("source", "profile").rows() == [("Logs/openclaw/gateway-work.log", "work")]


def test_a_file_log_named_like_launchds_profile_log_is_no_profile() -> None:
    """launchd's `gateway-<profile>.log` holds console lines; a file log an
    operator saved as `gateway-runaway.log` is no profile `runaway` (Z171: a
    host of its own, which took a failure of the real one)."""
    sources = ["vps/gateway-runaway.log", "Logs/openclaw/gateway-work.log"]
    found = profiles.profile_hosts(
        pl.DataFrame(schema=EVENT_SCHEMA).lazy(), sources, None, {"vps/gateway-runaway.log"}
    )
    assert found.select("source", "profile").rows() == [("Logs/openclaw/gateway-work.log", "work")]


def test_a_saved_terminal_names_each_profiles_pid_and_its_locks() -> None:
    """A zsh session saved on the Mac: `ps -o pid,lstart,…` names each gateway's pid
    (the `--profile work` one is the work gateway's, though its logs name no pid),
    its start seconds before the `ready` line opening its epoch; `cat` of a lock
    file gives the lock's owner."""

    def console(at: str, message: str) -> str:
        return f"2026-07-02T{at}-07:00 [gateway] {message}\n"

    def boot(at: str) -> str:
        return console(at + ".100", "http server listening (3 plugins: a, b, c; 4.2s)") + console(
            at + ".200", "ready"
        )

    ops = (
        "/Users/maya/.openclaw-work/agents/ops/sessions/5f3c9e2a-7b41-4c0e-9d2a-1e8f6a4b7c30.jsonl"
    )
    timeout = f"session file locked (timeout 60000ms): pid=2871 alive=true ageMs=91000 {ops}.lock"
    work_log = boot("18:40:10") + "".join(
        f"2026-07-02T19:1{n}:05.310-07:00 [diagnostic] lane task error: lane=main "
        f'durationMs=60010 error="SessionWriteLockTimeoutError: {timeout.replace("91000", str(91000 + n))}"\n'
        for n in range(2)
    )
    terminal = (
        "maya@Mayas-MacBook-Pro ~ % date\nThu Jul  2 19:30:00 PDT 2026\n"
        "maya@Mayas-MacBook-Pro ~ % ps -o pid,lstart,etime,command\n"
        "  PID STARTED                          ELAPSED COMMAND\n"
        " 2871 Thu Jul  2 18:40:05 2026           49:55 /opt/homebrew/bin/node "
        "/opt/homebrew/lib/node_modules/openclaw/dist/index.js gateway --profile work --port 19001\n"
        " 3055 Thu Jul  2 18:40:06 2026           49:54 /opt/homebrew/bin/node "
        "/opt/homebrew/lib/node_modules/openclaw/dist/index.js gateway --port 18789\n"
        f"maya@Mayas-MacBook-Pro ~ % cat {ops}.lock\n"
        '{\n  "pid": 2871,\n  "createdAt": "2026-07-03T02:09:54.310Z",\n  "maxHoldMs": 1020000\n}\n'
        "maya@Mayas-MacBook-Pro ~ % \n"
    )
    result = ingest_files(
        {
            "Library/Logs/openclaw/gateway.log": boot("18:40:11"),
            "Library/Logs/openclaw/gateway-work.log": work_log,
            "terminal.txt": terminal,
        }
    )
    (scan,) = [s for s in result.files if s.source == "terminal.txt"]
    assert scan.unrecognized == 0
    findings = analyze(result, Settings())
    # No line names the Mac: the work gateway is its profile's.
    epochs = findings.epochs.sort("start").select("host", "pid", "ended_by").rows()
    assert epochs == [("profile work", 2871, None), (None, 3055, None)]
    (incident,) = findings.incidents.to_dicts()
    assert incident["gateway_pid"] == 2871
    (lock,) = findings.held_locks.select("pid", "owner").rows()
    assert lock == (2871, "running gateway")


def test_a_tail_of_two_profiles_logs_keeps_their_gateways_apart() -> None:
    """`tail -f /tmp/openclaw/openclaw-*.log` follows the default profile's log and
    a `dev` profile's at once, printing `==> file <==` before each file's lines.
    The dev gateway starting in its section is no process of the default
    gateway's, whose lock errors name no pid: they are not the dev gateway's."""

    def record(message: str, at: str) -> str:
        return json.dumps(
            {
                "0": json.dumps({"subsystem": "gateway"}),
                "1": message,
                "_meta": {"date": at, "logLevelName": "INFO"},
                "time": at,
            }
        )

    path = "/home/ops/.openclaw/agents/main/sessions/3b7c1e9a-5d2f-4c8e-9a61-0f4d2b8e7c13.jsonl"
    error = (
        'lane task error: lane=main durationMs=60021 error="Error: session file locked '
        f'(timeout 60000ms): pid=41877 alive=true {path}.lock"'
    )
    capture = "\n".join(
        [
            "$ tail -f /tmp/openclaw/openclaw-*.log",
            "==> /tmp/openclaw/openclaw-dev-2026-06-30.log <==",
            record("listening on ws://127.0.0.1:19001 (PID 7702)", "2026-06-30T09:36:58.441Z"),
            "",
            "==> /tmp/openclaw/openclaw-2026-06-30.log <==",
            record(error, "2026-06-30T09:40:12.304Z"),
            record(error, "2026-06-30T09:41:12.304Z"),
        ]
    )
    findings = analyze(ingest_files({"terminal-2026-06-30.txt": capture + "\n"}), Settings())
    incident = findings.incidents.row(0, named=True)
    assert incident["gateway_pid"] != 7702
    dev = findings.epochs.filter(pl.col("pid") == 7702).row(0, named=True)
    assert dev["host"] == "profile dev"


_WORK_TIMEOUT = (
    "lane task error: lane=session:agent:ops:main durationMs=60013 error="
    '"SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=3377 alive=true '
    'ageMs=250194 /home/dana/.openclaw-work/agents/ops/sessions/4c1e9d2a-7b3f-4e61-9a0c-5d8e2f61b7a3.jsonl.lock"'
)
#: `journalctl --user -u 'openclaw-gateway*'` (-o short): the default and the
#: work unit started in one second, their processes' lines interleaved.
_TWO_UNITS = [
    "-- Journal begins at Mon 2026-06-22 07:58:41 CEST, ends at Tue 2026-06-30 16:03:44 CEST. --",
    "Jun 30 08:01:12 devbox systemd[1604]: Started openclaw-gateway.service - OpenClaw Gateway (v2026.6.26).",
    "Jun 30 08:01:13 devbox node[2211]: 2026-06-30T08:01:13.101+02:00 [gateway] starting...",
    "Jun 30 08:01:13 devbox systemd[1604]: Started openclaw-gateway-work.service - OpenClaw Gateway (profile: work, v2026.6.26).",
    "Jun 30 08:01:13 devbox node[2211]: 2026-06-30T08:01:13.901+02:00 [gateway] starting HTTP server...",
    "Jun 30 08:01:14 devbox node[3377]: 2026-06-30T08:01:14.450+02:00 [gateway] starting...",
    "Jun 30 08:01:16 devbox node[2211]: 2026-06-30T08:01:16.701+02:00 [gateway] ready",
    "Jun 30 08:01:18 devbox node[3377]: 2026-06-30T08:01:18.050+02:00 [gateway] ready",
    f"Jun 30 14:06:10 devbox node[3377]: 2026-06-30T14:06:10.512+02:00 [diagnostic] {_WORK_TIMEOUT}",
    f"Jun 30 14:09:40 devbox node[3377]: 2026-06-30T14:09:40.077+02:00 [diagnostic] {_WORK_TIMEOUT}",
]


def test_two_units_starting_in_one_second_are_two_starts_each_of_its_own_profile() -> None:
    """The work unit's `Started` line comes between the default process's
    lines: each process starts once, on its own unit's host, and the work
    process's failure is the work gateway's (Z205: the pids had swapped)."""
    findings = analyze(ingest_files({"journal.txt": "\n".join(_TWO_UNITS) + "\n"}), Settings())
    epochs = findings.epochs.sort("start").select("host", "pid", "start_known").rows()
    assert epochs == [("devbox", 2211, True), ("devbox (work)", 3377, True)]
    (incident,) = findings.incidents.to_dicts()
    assert (incident["host"], incident["gateway_pid"]) == ("devbox (work)", 3377)


def test_a_journal_of_one_profiles_unit_puts_its_process_on_that_profile() -> None:
    """`journalctl --user -u openclaw-gateway-work` alone: the process its
    `Started` line starts is the work gateway's, failures and all, one gateway
    (Z205: its failures had been a second gateway of the plain host, begun
    earlier, of unknown uptime)."""
    journal = [line for line in _TWO_UNITS if "2211" not in line and "gateway.service" not in line]
    findings = analyze(ingest_files({"journal.txt": "\n".join(journal) + "\n"}), Settings())
    assert findings.epochs.select("host", "pid").rows() == [("devbox (work)", 3377)]
    (incident,) = findings.incidents.to_dicts()
    assert incident["host"] == "devbox (work)"
