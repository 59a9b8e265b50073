"""The CLI as a user meets it: exit codes, one-line errors, never a traceback."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from lockforensics.cli import app
from lockforensics.errors import ExitCode

TAKEOVER = (
    "2026-06-09T09:58:16.069+00:00 [diagnostic] session file changed while embedded prompt lock "
    "was released: /d/.openclaw/agents/main/sessions/2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl\n"
)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real console entry point in a subprocess (as a user would)."""
    return subprocess.run(
        [sys.executable, "-m", "lockforensics", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "COLUMNS": "120"},
        check=False,
        # A command that should have stopped (`watch` on bad options) fails
        # the test instead of holding CI.
        timeout=300,
    )


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int) -> None:
    assert proc.returncode == code, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error: ")]
    assert len(errors) == 1, proc.stderr


def test_report_on_stdout_arrives_whole(sample_dir: Path) -> None:
    """The console entry point skips the interpreter's teardown: a report piped
    from stdout is still whole, and a run with incidents exits with the code
    --fail-on-incident asks for."""
    proc = run("report", str(sample_dir), "-f", "json", "--no-cache", "--fail-on-incident")
    assert proc.returncode == ExitCode.INCIDENTS, proc.stderr
    summary = json.loads(proc.stdout)
    assert len(proc.stdout) > 16 << 10  # more than one pipe buffer's worth
    assert summary["incidents"]


@pytest.mark.parametrize(
    ("code", "status", "stderr"), [("3", 3, ""), ("None", 0, ""), ("'bye'", 1, "bye\n")]
)
def test_exit_without_teardown_flushes_and_keeps_the_code(
    code: str, status: int, stderr: str
) -> None:
    """What is still buffered on stdout is written, and the code reads as sys.exit's."""
    script = (
        f"import sys; from lockforensics.entry import _leave; print('unflushed'); _leave({code})"
    )
    # Buffered, as stdout to a pipe is unless PYTHONUNBUFFERED says otherwise.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, env=env
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (status, "unflushed\n", stderr)


@pytest.mark.parametrize("own", [None, "narenas:1"])
def test_allocator_setting_precedes_polars(own: str | None) -> None:
    """The console entry point asks polars' allocator to return freed pages soon,
    before polars is loaded (it reads the setting then); an operator's own wins."""
    fake_cli = (
        "import os, sys, types; "
        "sys.modules['lockforensics.cli'] = types.SimpleNamespace(main=lambda: print("
        "os.environ.get('_RJEM_MALLOC_CONF'), 'polars' in sys.modules)); "
        "sys.argv = ['lockforensics', 'report']; "
        "from lockforensics.entry import main; main()"
    )
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}
    if own is not None:
        env["_RJEM_MALLOC_CONF"] = own
    proc = subprocess.run(
        [sys.executable, "-c", fake_cli], capture_output=True, text=True, check=False, env=env
    )
    assert proc.returncode == 0, proc.stderr
    setting, loaded = proc.stdout.split()
    assert setting == (own or "background_thread:true,dirty_decay_ms:200,muzzy_decay_ms:0")
    assert loaded == "False"


@pytest.mark.parametrize(
    "module",
    [
        # Only `locks` parses a lock's createdAt with it; its zone module alone
        # took 35-40 ms of every command's start.
        "dateutil",
        # The log scanner (its modules compile their patterns as they load):
        # a report from the cache reads no log.
        "lockforensics.parsing.chunks",
    ],
)
def test_the_cli_does_not_load_what_a_cached_report_never_runs(module: str) -> None:
    """What only some commands run is loaded when they run, not with the CLI."""
    script = f"import sys, lockforensics.cli; print({module!r} in sys.modules)"
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert (proc.returncode, proc.stdout) == (0, "False\n"), proc.stderr


def test_missing_path_is_no_input(tmp_path: Path) -> None:
    """A path that does not exist: exit 66 and one `error:` line."""
    assert_one_line_error(run("ingest", str(tmp_path / "nope")), ExitCode.NO_INPUT)


def test_unreadable_named_path_is_no_input(tmp_path: Path) -> None:
    """A named path that is not a readable file (a FIFO here; CI runs as root): exit 66."""
    fifo = tmp_path / "pipe.log"
    os.mkfifo(fifo)
    assert_one_line_error(run("ingest", str(fifo)), ExitCode.NO_INPUT)


def test_empty_directory_is_bad_data(tmp_path: Path) -> None:
    """Nothing readable at all: exit 65."""
    assert_one_line_error(run("ingest", str(tmp_path)), ExitCode.DATA)


def test_only_garbage_is_bad_data(tmp_path: Path) -> None:
    """Files that hold no log lines at all: exit 65, with the summary still printed."""
    (tmp_path / "a.txt").write_text("hello\nworld\n")
    proc = run("ingest", str(tmp_path))
    assert_one_line_error(proc, ExitCode.DATA)
    assert "unrecognized" in proc.stderr


def test_a_report_on_only_a_skipped_log_says_why(tmp_path: Path) -> None:
    """The only log is a zero-filled gzip, skipped as binary content: the error
    names it and why, as `ingest`'s warnings would (Z206: the reason left unsaid)."""
    (tmp_path / "openclaw-2026-05-19.log.gz").write_bytes(gzip.compress(bytes(1 << 16)))
    proc = run("report", str(tmp_path), "-f", "json", "-o", str(tmp_path / "r.json"), "--no-cache")
    assert_one_line_error(proc, ExitCode.DATA)
    assert "openclaw-2026-05-19.log.gz: skipped: binary content" in proc.stderr


def test_bad_file_among_good_is_a_warning(tmp_path: Path) -> None:
    """One corrupt file among many: a warning naming it, and the rest is processed."""
    (tmp_path / "good.log").write_text(TAKEOVER)
    (tmp_path / "broken.log.gz").write_bytes(b"\x1f\x8b\x08\x00garbage-not-deflate")
    (tmp_path / "blob.bin").write_bytes(b"\x00\x01\x02" * 100)
    out = tmp_path / "ev.parquet"
    proc = run("ingest", str(tmp_path), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "broken.log.gz" in proc.stderr
    assert "warning" in proc.stderr
    assert "blob.bin: skipped: binary" in proc.stderr
    assert re.search(r"blob\.bin  \[no time\]\n +binary ", proc.stderr), proc.stderr
    assert out.exists()


def test_each_warning_of_a_report_is_one_line_off_a_terminal(tmp_path: Path) -> None:
    """stderr captured to a file (CI, `2>err.txt`): each warning stays one line,
    however long the path it names (Z182: wrapped at 120 columns)."""
    deep = tmp_path / ("a-rather-long-directory-name-" * 4) / "collected"
    deep.mkdir(parents=True)
    (deep / "good.log").write_text(TAKEOVER)
    (deep / "broken-with-a-long-name-that-goes-on.log.gz").write_bytes(b"\x1f\x8b\x08\x00bad")
    proc = run("report", str(tmp_path), "-f", "json", "-o", str(tmp_path / "r.json"), "--no-cache")
    assert proc.returncode == 0, proc.stderr
    warned = [ln for ln in proc.stderr.splitlines() if "broken-with-a-long-name" in ln]
    assert warned, proc.stderr
    assert all(ln.startswith("warning: ") for ln in warned), proc.stderr
    assert any(len(ln) > 120 for ln in warned)


def test_symlinks_inside_directories_are_not_followed(tmp_path: Path) -> None:
    """A link inside a collected tree is reported and skipped, never read."""
    (tmp_path / "good.log").write_text(TAKEOVER)
    (tmp_path / "passwd.log").symlink_to("/etc/passwd")
    proc = run("ingest", str(tmp_path), "-o", str(tmp_path / "o.csv"), "-f", "csv")
    assert proc.returncode == 0
    assert "passwd.log: skipped: symbolic link" in proc.stderr


@pytest.mark.parametrize("zone", ["Mars/Olympus", ""])
@pytest.mark.parametrize("command", ["ingest", "watch"])
def test_unknown_zone_is_usage_error(tmp_path: Path, command: str, zone: str) -> None:
    """--tz with a zone that does not exist, or none: exit 2, at once, `watch`
    too (Z173: it ran until the first new line, then died; an empty zone was
    taken as none)."""
    (tmp_path / "a.log").write_text(TAKEOVER)
    assert_one_line_error(run(command, str(tmp_path), "--tz", zone), ExitCode.USAGE)


@pytest.mark.parametrize(
    ("since", "why"),
    [
        (
            "2026-03-29T02:30:00",
            "does not exist in Europe/Berlin (its clocks skipped it); give an offset: "
            "2026-03-29T02:30:00+01:00 (the offset before the change) or "
            "2026-03-29T02:30:00+02:00 (after it)",
        ),
        (
            "2026-10-25T02:30:00",
            "happened twice in Europe/Berlin (its clocks went back); give an offset: "
            "2026-10-25T02:30:00+02:00 (the first time) or 2026-10-25T02:30:00+01:00 (the second)",
        ),
    ],
)
def test_a_local_time_its_zone_skipped_or_repeated_is_a_usage_error(
    tmp_path: Path, since: str, why: str
) -> None:
    """`--since 02:30 --tz Europe/Berlin` on a spring-forward night names no instant
    (and on a fall-back night two): read anyway, the window moved by an hour
    without a word.  Exit 2, saying how to name it with the operator's own time
    and the zone's offsets (Z152: the hint gave a European date and offset to
    a New York one)."""
    (tmp_path / "a.log").write_text(TAKEOVER)
    proc = run("report", str(tmp_path), "--since", since, "--tz", "Europe/Berlin")
    assert_one_line_error(proc, ExitCode.USAGE)
    assert why in proc.stderr
    fine = run("report", str(tmp_path), "--since", since + "+02:00", "--tz", "Europe/Berlin")
    assert fine.returncode == 0, fine.stderr


def test_unwritable_output(tmp_path: Path) -> None:
    """An output path in a missing directory: exit 73, one line."""
    (tmp_path / "a.log").write_text(TAKEOVER)
    proc = run("ingest", str(tmp_path), "-o", str(tmp_path / "no" / "such" / "dir.parquet"))
    assert_one_line_error(proc, ExitCode.CANT_CREATE)


def test_bad_option_is_usage_error() -> None:
    """Typer's own usage errors exit 2."""
    proc = run("ingest", "--format", "xml", ".")
    assert proc.returncode == ExitCode.USAGE
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
def test_each_table_format_is_written(tmp_path: Path, fmt: str) -> None:
    """--format writes a non-empty file in that format."""
    (tmp_path / "a.log").write_text(TAKEOVER)
    out = tmp_path / f"events.{fmt}"
    proc = run("ingest", str(tmp_path / "a.log"), "-o", str(out), "--format", fmt, "-q")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    assert out.stat().st_size > 0


def test_summary_lists_files_kinds_and_unrecognized(tmp_path: Path) -> None:
    """The ingest summary names inputs, occurrences per kind, and unrecognised samples."""
    (tmp_path / "a.log").write_text(TAKEOVER + "random words\n")
    proc = run("ingest", str(tmp_path))
    assert proc.returncode == 0
    for needle in ("Inputs", "takeover", "Occurrences per kind", "random words", "a.log"):
        assert needle in proc.stderr


def test_formats_lists_envelopes_and_signatures() -> None:
    """`formats` prints every envelope and signature with its versions."""
    proc = run("formats")
    assert proc.returncode == 0
    for needle in ("tslog-json", "journald-short", "lock-timeout", "takeover", "2026.5.18"):
        assert needle in proc.stdout


def test_every_command_and_option_has_help() -> None:
    """No command or option is undocumented."""
    group = typer.main.get_command(app)
    assert group.help
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        assert command.help, name
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, f"{name} {param.name}"


def test_version() -> None:
    """--version prints the version and exits 0."""
    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.startswith("lockforensics ")


def test_locks_remove_stale_off_a_terminal_without_yes_is_a_usage_error(tmp_path: Path) -> None:
    """Nobody can answer the question off a terminal: exit 2 before anything is
    read or removed (Z157: it said `error:` and exited 0); a file given for the
    state directory says so, not that it does not exist."""
    lock = tmp_path / "agents" / "main" / "sessions" / "a.jsonl.lock"
    lock.parent.mkdir(parents=True)
    lock.write_text('{"pid": 1, "createdAt": "2026-01-01T00:00:00.000Z"}')
    proc = run("locks", str(tmp_path), "--remove-stale")
    assert_one_line_error(proc, ExitCode.USAGE)
    assert "--remove-stale needs --yes" in proc.stderr
    assert lock.exists()
    proc = run("locks", str(lock))
    assert_one_line_error(proc, ExitCode.NO_INPUT)
    assert "not a directory" in proc.stderr


def test_a_value_error_of_the_tools_own_is_an_internal_error_not_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only option values are usage errors (exit 2); a ValueError raised while
    reading the bundle is a bug, said so with exit 70 (Z190: `min() arg is an
    empty sequence` came out as a usage error, exit 2)."""
    from lockforensics import cli  # noqa: PLC0415

    def broken(*_: object, **__: object) -> None:
        raise ValueError("min() arg is an empty sequence")

    monkeypatch.setattr(cli, "ingest", broken)
    monkeypatch.setattr(sys, "argv", ["lockforensics", "report", str(tmp_path), "--no-cache"])
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == ExitCode.SOFTWARE
    assert "internal error (ValueError: min() arg" in capsys.readouterr().err
