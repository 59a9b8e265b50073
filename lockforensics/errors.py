"""Error tree and exit codes.

Library code raises these; only the CLI turns them into a one-line
``error: ...`` on stderr and an exit code.  Codes follow sysexits(3) where one
fits, so shell scripts and CI can tell bad data from a missing file.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Documented process exit codes (README, `lockforensics --help`)."""

    OK = 0
    INCIDENTS = 1  # incidents found and --fail-on-incident given
    USAGE = 2  # bad options (Typer/Click's own code)
    DATA = 65  # EX_DATAERR: input exists but none of it could be read as logs
    NO_INPUT = 66  # EX_NOINPUT: a path is missing or unreadable
    SOFTWARE = 70  # EX_SOFTWARE: a bug in lockforensics
    CANT_CREATE = 73  # EX_CANTCREAT: the output cannot be written (or would overwrite an input)
    INTERRUPTED = 130  # 128 + SIGINT, as shells report it
    TERMINATED = 143  # 128 + SIGTERM


class LockForensicsError(Exception):
    """Base class; carries the exit code the CLI should use."""

    exit_code: ExitCode = ExitCode.SOFTWARE


class NoInputError(LockForensicsError):
    """A named input path does not exist or cannot be read."""

    exit_code = ExitCode.NO_INPUT


class DataError(LockForensicsError):
    """Input was read but is unusable as a whole."""

    exit_code = ExitCode.DATA


class UnsafeInputError(DataError):
    """An archive member or compressed stream refused for safety (bomb, size limit).

    Raised while a member is read, caught by the scanner, and reported as a
    warning naming the member; the rest of the bundle is still read.
    """


class UsageError(LockForensicsError):
    """An option or argument the user gave cannot be used (a bad SQL statement)."""

    exit_code = ExitCode.USAGE


class OutputError(LockForensicsError):
    """The requested output cannot be written."""

    exit_code = ExitCode.CANT_CREATE


class SpecError(LockForensicsError):
    """A bundled parser spec is malformed: a packaging or development bug."""

    exit_code = ExitCode.SOFTWARE
