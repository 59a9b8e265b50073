"""Writing outputs without ever destroying evidence.

* An output path that resolves to an input, to an existing file inside an
  input tree (unless it is an earlier report of ours), or to a path inside
  an input archive, is refused before a byte is read (exit 73).
* A regular-file output is written to a temporary file in the same
  directory, fsynced, then renamed over the target: an interrupt, a full disk
  or a failing run leaves the previous file (or nothing) in place, never a
  truncated one.  Devices and pipes (``/dev/stdout``, ``/dev/full``) cannot be
  renamed over: the output is completed in a private temporary file, then
  copied to them.
* Failures to write name their cause in one line: a full disk, a closed
  stdout, a broken pipe.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

from lockforensics.errors import OutputError
from lockforensics.ingest.own import OWN_HEAD, own_output


class Interrupted(BaseException):
    """SIGINT (or SIGTERM) arrived.  A BaseException so that no ``except
    Exception`` (nor Click, which turns KeyboardInterrupt into "Aborted!" and
    exit 1) swallows it."""

    def __init__(self, signum: int = signal.SIGINT) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def trap_interrupts() -> None:
    """Turn SIGINT and SIGTERM (``timeout``, ``kill``, a stopping service) into
    :class:`Interrupted` (main thread only; the CLI calls this): the run then
    ends as an interrupted one does, its partial outputs and temporary files
    removed, instead of being killed where it stands."""
    signal.signal(signal.SIGINT, _raise_interrupted)
    signal.signal(signal.SIGTERM, _raise_interrupted)


def tolerate_closed_stderr() -> None:
    """Started with stderr closed (``2>&-``): summaries and errors go nowhere, and the
    run still does its work and exits with its own code."""
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115  # lives as long as the process


def refuse_overwriting_inputs(output: Path, inputs: list[Path]) -> None:
    """Raise OutputError when writing ``output`` would destroy evidence.

    Refused: an input itself (or a link to it), a path "inside" an input file
    (an archive), and an existing file inside an input tree, which this run
    reads as evidence.  A new file in an input tree destroys nothing, nor does
    replacing one of our own earlier reports there (a run skips those): both
    are allowed.
    """
    target = output.resolve()
    for path in inputs:
        source = path.resolve()
        is_input = target == source or _same_file(output, path)
        inside = source in target.parents
        harmless = source.is_dir() and (not output.exists() or _ours(output))
        if not is_input and (not inside or harmless):
            continue
        raise OutputError(
            f"{output}: refusing to overwrite evidence (it is, or is inside, the input {path})"
        )


def _ours(path: Path) -> bool:
    """An earlier lockforensics output (a later run skips it, so it is no evidence)."""
    try:
        with path.open("rb") as handle:
            return own_output(handle.read(OWN_HEAD), path) is not None
    except OSError:
        return False


def _same_file(a: Path, b: Path) -> bool:
    """Hard links and bind mounts: two paths, one file."""
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


# polars (Rust) reports I/O failures as text ending in "(os error 28)", with no errno.
_RUST_ERRNO = re.compile(r"\(os error (\d+)\)")


def os_error(exc: Exception) -> OSError | None:
    """The OS error behind ``exc``: itself, or the one a polars error names in its text."""
    match = _RUST_ERRNO.search(str(exc))
    if match is not None:
        code = int(match[1])
        return OSError(code, os.strerror(code))
    return exc if isinstance(exc, OSError) else None


def describe(exc: OSError, where: str) -> str:
    """A one-line cause for a failed write."""
    if exc.errno == errno.ENOSPC:
        return f"{where}: no space left on device (the disk is full); nothing was written"
    if exc.errno == errno.EPIPE:
        return f"{where}: broken pipe (the reader went away)"
    if exc.errno == errno.EBADF:
        return f"{where}: closed (nothing can be written to it)"
    return f"{where}: {exc.strerror or exc}"


def _is_special(target: Path) -> bool:
    try:
        return not stat.S_ISREG(target.stat().st_mode)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise OutputError(describe(exc, str(target))) from exc


@contextlib.contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A path to write ``target``'s new content to; it replaces ``target`` only on success.

    On any failure (an error, an interrupt) the temporary file is removed and
    ``target`` is untouched.  OSErrors become :class:`OutputError`.
    """
    if _is_special(target):
        # A device or pipe cannot be renamed over: the table is written to a
        # private temporary file, then copied with Python's I/O, whose errors
        # carry an errno (polars reports a full device as a thrift error).
        with tempfile.TemporaryDirectory(prefix="lockforensics-") as scratch:
            temp = Path(scratch) / target.name
            yield temp
            try:
                with temp.open("rb") as source, target.open("wb") as sink:
                    shutil.copyfileobj(source, sink)
            except OSError as exc:
                raise OutputError(describe(exc, str(target))) from exc
        return
    directory = target.parent
    try:
        fd, name = tempfile.mkstemp(dir=directory, prefix=f".{target.name}.", suffix=".partial")
    except OSError as exc:
        raise OutputError(describe(exc, str(target))) from exc
    os.close(fd)
    temp = Path(name)
    try:
        temp.chmod(_mode_for(target))
        yield temp
        _fsync(temp)
        temp.replace(target)
        _fsync_dir(directory)
    except Exception as exc:
        temp.unlink(missing_ok=True)
        cause = os_error(exc)
        if cause is None:
            raise
        raise OutputError(describe(cause, str(target))) from exc
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def _mode_for(target: Path) -> int:
    """The replaced file's permissions, else what a plain ``open`` would give (mkstemp: 0600)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (some filesystems refuse fsync on a directory)."""
    with contextlib.suppress(OSError):
        _fsync(directory)


def write_text(text: str, output: Path | None) -> None:
    """The report: to ``output`` atomically, or to stdout with its failures named."""
    if output is None:
        _write_stdout(text)
        return
    # newline="": the text's own line ends, byte for byte, on every platform.
    with atomic_path(output) as temp, temp.open("w", encoding="utf-8", newline="") as handle:
        handle.write(text)


_CLOSED_STDOUT = "stdout: closed (nothing can be written to it); use -o FILE"


def require_stdout() -> None:
    """Fail before any work when the report would go to a stdout that was closed (``>&-``)."""
    if sys.stdout is None:
        raise OutputError(_CLOSED_STDOUT)


def _write_stdout(text: str) -> None:
    require_stdout()
    stream = sys.stdout
    try:
        stream.write(text)
        stream.flush()
    except OSError as exc:
        _silence_stdout()
        raise OutputError(describe(exc, "stdout")) from exc
    except ValueError as exc:  # a closed file object
        raise OutputError(_CLOSED_STDOUT) from exc


def _silence_stdout() -> None:
    """Point fd 1 at /dev/null so the interpreter's final flush cannot fail a second time."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
