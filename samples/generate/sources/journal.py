"""The journald capture: ``journalctl --user -u openclaw-gateway -o short`` of one day.

Only console output reaches it (info and above, subsystem and console.* records,
raw stderr writes), each line prefixed with the syslog stamp, host and
``node[PID]`` of the process that wrote it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final, TextIO

from samples.generate.epochs import EPOCHS
from samples.generate.scenario import HOST, JOURNAL_HEADER, PID_A, PID_B

FLUSH_LINES: Final = 20000
_NODE_A: Final = f" {HOST} node[{PID_A}]: "
_NODE_B: Final = f" {HOST} node[{PID_B}]: "


def node_tag(ts: int) -> str:
    """`` <host> node[<pid>]: `` of the gateway process alive at ``ts``."""
    return _NODE_A if ts <= EPOCHS.a_end else _NODE_B


class JournalWriter:
    """Buffered writer of the capture; counts its lines (the header is one)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: TextIO = path.open("w", encoding="utf-8", newline="\n")
        self._fh.write(JOURNAL_HEADER + "\n")
        self._buf: list[str] = []
        self.lines = 1

    def add(self, line: str) -> None:
        """``line`` ends with a newline."""
        self._buf.append(line)
        if len(self._buf) >= FLUSH_LINES:
            self._flush()

    def _flush(self) -> None:
        self._fh.write("".join(self._buf))
        self.lines += len(self._buf)
        self._buf.clear()

    def close(self) -> int:
        """Finish the file; returns its line count."""
        self._flush()
        self._fh.close()
        return self.lines
