"""A macOS gateway under launchd, newest console era: what a bundle of it needs.

launchd writes the gateway's stdout to ``gateway.log`` and its stderr to
``gateway.err.log``; the newest console stamps lines ``HH:MM:SS`` (local, no
date), and the ``log file:`` line that dates ``gateway.log`` goes to stdout
only.  The lock errors are in ``gateway.err.log`` and in the file log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from lockforensics.cli import app
from lockforensics.findings import Settings
from lockforensics.pipeline import analyze
from tests.conftest import ingest_files

LOCK = "/Users/dana/.openclaw/agents/main/sessions/7c1e9a40-5b2d-4f8e-9a61-3d2f0b8c4e17.jsonl.lock"


def _error(owner_age: int) -> str:
    return (
        'lane task error: lane=main durationMs=60123 error="SessionWriteLockTimeoutError: '
        f'session file locked (timeout 60000ms): pid=48817 alive=true ageMs={owner_age} {LOCK}"'
    )


def _tslog(message: str, at: str) -> str:
    record = {
        "0": '{"subsystem":"diagnostic"}',
        "1": message,
        "_meta": {"logLevelName": "ERROR", "date": at},
        "time": at,
        "hostname": "danas-mbp.local",
    }
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


FILE_LOG = (
    _tslog("listening on ws://127.0.0.1:18789 (PID 48817)", "2026-07-20T21:14:03.512-06:00")
    .replace("diagnostic", "gateway")
    .replace("ERROR", "INFO")
    + "\n"
    + _tslog(_error(61877), "2026-07-21T03:40:05.118-06:00")
    + "\n"
    + _tslog(_error(95002), "2026-07-21T03:41:10.520-06:00")
    + "\n"
)
STDOUT = (
    "🦞 OpenClaw 2026.6.18 (b81c3e0) — Your shell's favourite crustacean.\n"
    "21:14:03 [gateway] listening on ws://127.0.0.1:18789 (PID 48817)\n"
    "21:14:03 [gateway] log file: /tmp/openclaw/openclaw-2026-07-20.log\n"
)
STDERR = f"03:40:05 [diagnostic] {_error(61877)}\n03:41:10 [diagnostic] {_error(95002)}\n"
DOCTOR = (
    "🦞 OpenClaw 2026.6.18 (b81c3e0) — Your shell's favourite crustacean.\n\n"
    "Session locks\n"
    "- Found 1 session lock file.\n"
    f"- {LOCK.replace('/Users/dana', '~')} pid=48817 (alive) age=2m10s stale=no\n"
)
STABILITY = json.dumps(
    {
        "version": 1,
        "generatedAt": "2026-07-21T09:43:02.771Z",
        "reason": "uncaught_exception",
        "process": {"pid": 48817, "platform": "darwin", "uptimeMs": 44944869},
        "host": {"hostname": "<redacted-hostname>"},
    },
    indent=2,
)


def _bundle() -> dict[str, str]:
    return {
        "Library/Logs/openclaw/gateway.log": STDOUT,
        "Library/Logs/openclaw/gateway.err.log": STDERR,
        "tmp/openclaw/openclaw-2026-07-21.log": FILE_LOG,
        "captures/openclaw-doctor-2026-07-21T034030.txt": DOCTOR,
        "logs/stability/openclaw-stability-2026-07-21T09-43-02-771Z-48817-uncaught_exception.json": (
            STABILITY
        ),
    }


def test_stderr_records_with_no_date_take_the_day_their_file_log_copy_shows() -> None:
    """Each `gateway.err.log` record is dated from the same record in the file log,
    so it folds into that failure: two failures, not four."""
    result = ingest_files(_bundle())
    assert result.occurrence_counts()["lock_timeout"] == 2
    stderr = result.events.filter(pl.col("source").str.ends_with("gateway.err.log"))
    assert stderr.get_column("ts").to_list() == [
        datetime(2026, 7, 21, 9, 40, 5, tzinfo=UTC),
        datetime(2026, 7, 21, 9, 41, 10, tzinfo=UTC),
    ]
    assert stderr.get_column("ts_assumption").str.contains("same record stamped in").all()


def test_a_process_that_left_a_stability_bundle_of_a_fatal_error_crashed() -> None:
    """`reason: uncaught_exception`: the process died of it, at `generatedAt`; the
    doctor output's banner makes no second gateway of it; and its start is the
    file log's copy of its `listening` line, not the console's cut to the second."""
    findings = analyze(ingest_files(_bundle()), Settings())
    assert findings.epochs.select("pid", "start", "ended_by", "end", "version").rows() == [
        (
            48817,
            datetime(2026, 7, 21, 3, 14, 3, 512000, tzinfo=UTC),
            "crash",
            datetime(2026, 7, 21, 9, 43, 2, 771000, tzinfo=UTC),
            "2026.6.18",
        )
    ]


#: What `date; launchctl print gui/501/ai.openclaw.gateway` printed at a zsh prompt.
LAUNCHCTL_PRINT = (
    "dana@Danas-Mac-mini ~ % date; launchctl print gui/501/ai.openclaw.gateway\n"
    "Mon Jul 20 09:32:10 MDT 2026\n"
    "gui/501/ai.openclaw.gateway = {\n"
    "\tpath = /Users/dana/Library/LaunchAgents/ai.openclaw.gateway.plist\n"
    "\tstate = running\n"
    "\tprogram = /opt/homebrew/opt/node/bin/node\n"
    "\targuments = {\n"
    "\t\t/opt/homebrew/opt/node/bin/node\n"
    "\t\t/opt/homebrew/lib/node_modules/openclaw/dist/index.js\n"
    "\t\tgateway\n"
    "\t}\n"
    "\tpid = 4412\n"
    "\tlast exit code = 0\n"
    "}\n"
)


def test_the_gateway_whose_start_names_no_pid_takes_the_pid_launchctl_printed(
    tmp_path: Path,
) -> None:
    """A 2026.6+ start (`starting...`, `ready`) names no pid and launchd writes no
    journal: the report's epoch has the pid `launchctl print` showed while it ran
    (Z232, Z223: "pid ?")."""
    lock = "/Users/dana/.openclaw/agents/research/sessions/7c1e2b90-4f3a-4d1e-9a52-0b6e8f3d2a11"
    error = (
        'lane task error: lane=main durationMs=60004 error="SessionWriteLockTimeoutError: '
        f'session file locked (timeout 60000ms): pid=4412 alive=true ageMs=530418 {lock}.jsonl.lock"'
    )
    gateway = [
        ("starting...", "2026-07-20T04:10:03.902Z"),
        ("ready", "2026-07-20T04:10:09.853Z"),
    ]
    log = (
        "".join(
            _tslog(message, at).replace("diagnostic", "gateway").replace("ERROR", "INFO") + "\n"
            for message, at in gateway
        )
        + _tslog(error, "2026-07-20T15:09:12.118Z")
        + "\n"
    )
    (tmp_path / "oncall").mkdir()
    (tmp_path / "openclaw-2026-07-20.log").write_text(log)
    (tmp_path / "oncall" / "launchctl-print-0932.txt").write_text(LAUNCHCTL_PRINT)
    out = tmp_path / "report.json"
    result = CliRunner().invoke(app, ["report", str(tmp_path), "-o", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text())
    (epoch,) = summary["gateway_epochs"]
    assert (epoch["pid"], epoch["opened_by"], epoch["start_known"]) == (4412, "start", True)
    (launchctl,) = [i for i in summary["inputs"] if i["path"].endswith("launchctl-print-0932.txt")]
    assert (launchctl["format"], launchctl["event_lines"], launchctl["unrecognized"]) == (
        "launchctl-print",
        2,
        0,
    )
