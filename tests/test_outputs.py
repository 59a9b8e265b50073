"""Outputs never destroy evidence: refused overlaps, atomic writes, named write failures."""

from __future__ import annotations

import io
import os
import resource
import signal
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from lockforensics.errors import ExitCode, OutputError
from lockforensics.outputs import Interrupted, atomic_path
from tests.test_cli import TAKEOVER, assert_one_line_error, run

OLD = b"an earlier output, which must survive\n"


def _log(tmp_path: Path) -> Path:
    path = tmp_path / "in.log"
    path.write_text(TAKEOVER)
    return path


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".partial"))


def test_ingest_refuses_to_write_over_its_input(tmp_path: Path) -> None:
    """`ingest in.log -o in.log`: exit 73, and the log is byte-for-byte intact."""
    log = _log(tmp_path)
    proc = run("ingest", str(log), "-o", str(log))
    assert_one_line_error(proc, ExitCode.CANT_CREATE)
    assert "refusing to overwrite evidence" in proc.stderr
    assert log.read_text() == TAKEOVER


def test_report_refuses_a_file_inside_an_input_tree(tmp_path: Path) -> None:
    """`report DIR -o DIR/x.log` over an existing log of the tree: exit 73, log intact."""
    log = _log(tmp_path)
    proc = run("report", str(tmp_path), "-f", "md", "-o", str(log))
    assert_one_line_error(proc, ExitCode.CANT_CREATE)
    assert log.read_text() == TAKEOVER


def test_report_refuses_a_path_through_an_input_archive(tmp_path: Path) -> None:
    """An output "inside" an input archive (`b.tar/x`): exit 73, the archive intact."""
    archive = tmp_path / "b.tar"
    with tarfile.open(archive, "w") as tar:
        info = tarfile.TarInfo("in.log")
        info.size = len(TAKEOVER)
        tar.addfile(info, io.BytesIO(TAKEOVER.encode()))
    before = archive.read_bytes()
    proc = run("report", str(archive), "-f", "md", "-o", str(archive / "report.md"))
    assert_one_line_error(proc, ExitCode.CANT_CREATE)
    assert archive.read_bytes() == before


def test_a_hard_link_to_an_input_is_refused(tmp_path: Path) -> None:
    """Another name for the input's bytes is the input: exit 73."""
    log = _log(tmp_path)
    alias = tmp_path / "out.json"
    os.link(log, alias)
    assert_one_line_error(run("report", str(log), "-o", str(alias)), ExitCode.CANT_CREATE)
    assert log.read_text() == TAKEOVER


def test_a_symlink_to_an_input_is_refused(tmp_path: Path) -> None:
    """An output path that is a link to the input resolves to it: exit 73, log intact."""
    log = _log(tmp_path)
    link = tmp_path / "out.parquet"
    link.symlink_to(log)
    assert_one_line_error(run("ingest", str(log), "-o", str(link)), ExitCode.CANT_CREATE)
    assert log.read_text() == TAKEOVER


def test_a_new_report_inside_the_input_tree_is_allowed(tmp_path: Path) -> None:
    """A new file in an input directory destroys nothing: written, exit 0."""
    _log(tmp_path)
    out = tmp_path / "report.md"
    proc = run("report", str(tmp_path), "-f", "md", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "takeover" in out.read_text()


def test_an_earlier_report_inside_the_input_tree_can_be_replaced(tmp_path: Path) -> None:
    """Re-running `report DIR -o DIR/report.md` replaces our own earlier report: exit 0."""
    _log(tmp_path)
    out = tmp_path / "report.md"
    for _ in range(2):
        proc = run("report", str(tmp_path), "-f", "md", "-o", str(out))
        assert proc.returncode == 0, proc.stderr
    assert "our own output" in out.read_text()  # the first report, skipped with a note


def test_failing_run_keeps_the_earlier_output(tmp_path: Path) -> None:
    """A run that exits 65 (nothing readable) leaves an existing output as it was."""
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("hello\n")
    out = tmp_path / "events.parquet"
    out.write_bytes(OLD)
    assert_one_line_error(run("ingest", str(tmp_path / "in"), "-o", str(out)), ExitCode.DATA)
    assert out.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
def test_full_device_is_exit_73_with_a_clear_message(tmp_path: Path, fmt: str) -> None:
    """Writing the table to /dev/full: exit 73 and "no space left", in every format."""
    proc = run("ingest", str(_log(tmp_path)), "-f", fmt, "-o", "/dev/full", "-q")
    assert_one_line_error(proc, ExitCode.CANT_CREATE)
    assert "no space left on device" in proc.stderr


def test_report_to_a_full_stdout_is_exit_73(tmp_path: Path) -> None:
    """`report > /dev/full`: exit 73 naming stdout, not an internal error."""
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "lockforensics", "report", str(_log(tmp_path)), "-f", "md"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    assert_one_line_error(proc, ExitCode.CANT_CREATE)
    assert "stdout: no space left" in proc.stderr
    assert "Exception ignored" not in proc.stderr


def test_report_to_a_closed_stdout_is_exit_73(tmp_path: Path) -> None:
    """`report >&-`: exit 73 "stdout: closed" before any work, not an internal error."""
    proc = subprocess.run(
        [sys.executable, "-m", "lockforensics", "report", str(_log(tmp_path)), "-f", "json"],
        stdout=None,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
        pass_fds=(),
        preexec_fn=lambda: os.close(1),
    )
    assert_one_line_error(proc, ExitCode.CANT_CREATE)
    assert "stdout: closed" in proc.stderr


def test_closed_stderr_does_not_change_the_outcome(tmp_path: Path) -> None:
    """`report 2>&-`: the report is still written to stdout, exit 0."""
    proc = subprocess.run(
        [sys.executable, "-m", "lockforensics", "report", str(_log(tmp_path)), "-f", "json"],
        stdout=subprocess.PIPE,
        stderr=None,
        text=True,
        check=False,
        preexec_fn=lambda: os.close(2),
    )
    assert proc.returncode == 0
    assert '"schema": "lockforensics.summary/1"' in proc.stdout


def _small_file_limit() -> None:
    # A disk that fills after 4 KiB: writes past it fail with EFBIG, not SIGXFSZ.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.parametrize("fmt", ["parquet", "csv", "ndjson"])
def test_running_out_of_space_keeps_the_earlier_output(tmp_path: Path, fmt: str) -> None:
    """A write that fails part-way (file size limit): exit 73, old output intact, no temp left."""
    log = tmp_path / "in" / "in.log"
    log.parent.mkdir()
    log.write_text(TAKEOVER * 400)
    out = tmp_path / f"events.{fmt}"
    out.write_bytes(OLD)
    proc = subprocess.run(
        [sys.executable, "-m", "lockforensics", "ingest", str(log), "-f", fmt, "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_small_file_limit,
    )
    assert_one_line_error(proc, ExitCode.CANT_CREATE)
    assert out.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_interrupt_mid_write_leaves_the_target_untouched(tmp_path: Path) -> None:
    """An interrupt after half the bytes were written: no partial file, old content kept."""
    target = tmp_path / "events.csv"
    target.write_bytes(OLD)

    def half_written() -> None:
        with atomic_path(target) as temp:
            temp.write_bytes(b"ts,kind\n")  # header only: the state the old writer left
            raise Interrupted

    with pytest.raises(Interrupted):
        half_written()
    assert target.read_bytes() == OLD
    assert _leftovers(tmp_path) == []


def test_interrupt_before_a_first_output_leaves_no_file(tmp_path: Path) -> None:
    """An interrupt while writing a new output: neither an empty file nor a temp remains."""
    target = tmp_path / "events.parquet"
    with pytest.raises(Interrupted), atomic_path(target):
        raise Interrupted
    assert list(tmp_path.iterdir()) == []


def test_atomic_write_keeps_the_replaced_files_mode(tmp_path: Path) -> None:
    """The renamed temp file takes the old file's permissions, not mkstemp's 0600."""
    target = tmp_path / "report.md"
    target.write_bytes(OLD)
    target.chmod(0o640)
    with atomic_path(target) as temp:
        temp.write_text("new")
    assert target.read_text() == "new"
    assert target.stat().st_mode & 0o777 == 0o640


def test_unwritable_directory_is_an_output_error(tmp_path: Path) -> None:
    """No directory to put the temp file in: OutputError (exit 73), not OSError."""
    with pytest.raises(OutputError), atomic_path(tmp_path / "missing" / "x.md"):
        pass


@pytest.mark.parametrize(
    ("signum", "code", "message"),
    [
        (signal.SIGINT, ExitCode.INTERRUPTED, "interrupted"),
        (signal.SIGTERM, ExitCode.TERMINATED, "terminated"),
    ],
)
def test_a_signal_ends_the_run_with_its_code_and_no_temporary_files(
    tmp_path: Path, signum: signal.Signals, code: ExitCode, message: str
) -> None:
    """SIGINT or SIGTERM (``timeout``) while the run waits to write (a FIFO nobody
    reads): one error line, the signal's exit code, and the ingest's spill folder
    in $TMPDIR removed."""
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lockforensics", "ingest", str(_log(tmp_path)), "-o", str(fifo)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert proc.stderr is not None
    # The summary is printed before the table is written: after it, the run blocks on the FIFO.
    deadline = time.monotonic() + 60
    while "coverage:" not in proc.stderr.readline() and time.monotonic() < deadline:
        pass
    time.sleep(0.3)
    # The ingest's spill folder, and the one the FIFO's copy is written in.
    assert sorted(p.name[:14] for p in scratch.iterdir()) == ["lockforensics-"] * 2
    proc.send_signal(signum)
    stderr = proc.stderr.read()
    assert proc.wait(timeout=30) == code
    assert f"error: {message}" in stderr
    assert "Traceback" not in stderr
    assert list(scratch.iterdir()) == []


def test_huge_tz_is_a_usage_error(tmp_path: Path) -> None:
    """A 5,000-character --tz: exit 2 with a one-line message, not exit 70."""
    proc = run("report", str(_log(tmp_path)), "--tz", "A" * 5000)
    assert_one_line_error(proc, ExitCode.USAGE)
    assert "--tz" in proc.stderr
    assert len(proc.stderr) < 300
