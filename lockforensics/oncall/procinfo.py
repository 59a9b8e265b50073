"""What the operating system says about a lock owner's pid, the way OpenClaw asks it.

OpenClaw (``src/agents/session-write-lock.ts``) judges an owner by
``process.kill(pid, 0)`` (alive), ``/proc/<pid>/stat`` field 22 (its start
time in clock ticks, Linux only: a different value means the pid was
recycled) and its argv (an ``openclaw`` / ``openclaw-gateway`` binary or
``dist/index.js gateway``).  Off Linux the start time and argv are unknown
(``None``), and the checks that need them are skipped, as OpenClaw skips them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

PROC = Path("/proc")
# Names an OpenClaw process runs under; Windows adds an extension.


class Probe(Protocol):
    """Questions about a pid (a protocol, so tests can stand in for the OS)."""

    def alive(self, pid: int) -> bool: ...
    def starttime(self, pid: int) -> int | None: ...
    def argv(self, pid: int) -> list[str] | None: ...


@dataclass(frozen=True, slots=True)
class SystemProbe:
    """The running system, read through ``os.kill(pid, 0)`` and ``/proc``."""

    proc: Path = PROC

    def alive(self, pid: int) -> bool:
        """True when a process with ``pid`` exists (even one we may not signal)."""
        if pid <= 0:
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:  # it exists, it is just not ours
            return True
        except OSError:
            return False
        return True

    def starttime(self, pid: int) -> int | None:
        """``/proc/<pid>/stat`` field 22 (clock ticks after boot), or None off Linux."""
        try:
            stat = (self.proc / str(pid) / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:
            return None
        # The command name (field 2) is in parentheses and may hold spaces or
        # parentheses itself: count fields from the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        try:
            return int(fields[19])
        except (IndexError, ValueError):
            return None

    def argv(self, pid: int) -> list[str] | None:
        """The process's arguments from ``/proc/<pid>/cmdline``, or None when unreadable."""
        try:
            raw = (self.proc / str(pid) / "cmdline").read_bytes()
        except OSError:
            return None
        if not raw:
            return None  # kernel threads and zombies show no argv
        return [part.decode("utf-8", "replace") for part in raw.rstrip(b"\0").split(b"\0")]
