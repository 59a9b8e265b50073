"""Records (one logged line, file log and/or journal) and the timeline that collects them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final


@dataclass(frozen=True, slots=True)
class Src:
    file: str
    line: int
    col: int
    method: str


SRC_SUBSYSTEM: Final = Src("subsystem-CsW4n0Qe.js", 1022, 14, "logToFile")
SRC_CONSOLE_ERROR: Final = Src("subsystem-CsW4n0Qe.js", 1187, 46, "console.error")
SRC_WEB_HEARTBEAT: Final = Src("channel-web-B7qLpX2m.js", 2116, 26, "Timeout._onTimeout")
SRC_CRON: Final = Src("gateway-cli-Hc81Lw0r.js", 6420, 19, "armTimer")
SRC_CRON_START: Final = Src("gateway-cli-Hc81Lw0r.js", 6187, 17, "start")
SRC_CLI_ENTRY: Final = Src("entry.js", 917, 68, "console.error")

LEVEL_IDS: Final = {"DEBUG": 2, "INFO": 3, "WARN": 4, "ERROR": 5}

# ---------------------------------------------------------------------------
# Records: one logged line (file log and/or journal)
# ---------------------------------------------------------------------------


def subsystem_binding(subsystem: str) -> str:
    return json.dumps({"subsystem": subsystem}, separators=(",", ":"))


def display_subsystem(subsystem: str) -> str:
    """Console display name (formats doc §1.4): drop gateway/channels/providers, keep 2."""
    parts = subsystem.split("/")
    while len(parts) > 1 and parts[0] in ("gateway", "channels", "providers"):
        parts = parts[1:]
    return "/".join(parts[-2:])


@dataclass(slots=True)
class Rec:
    ts: int
    seq: int
    level: str
    binding: str | None  # JSON-string child-logger binding; None = captured console.* record
    message: str
    meta: dict[str, Any] | None
    src: Src
    in_file: bool
    console: str | None  # console text (without timestamp) when it reaches the journal
    raw_stderr: bool = False  # written with process.stderr.write: no timestamp of its own


@dataclass(frozen=True, slots=True)
class Occurrence:
    kind: str
    ts: int
    agent: str | None = None
    session_id: str | None = None
    session_path: str | None = None
    burst: int | None = None
    key: str | None = None  # run id / tool call id / compaction id for de-duplication


@dataclass(slots=True)
class Timeline:
    """Collects records and the ground-truth occurrences they represent."""

    recs: list[Rec] = field(default_factory=list)
    occ: list[Occurrence] = field(default_factory=list)
    tool_calls: dict[str, int] = field(default_factory=dict)
    _seq: int = 0

    def add(
        self,
        ts: int,
        level: str,
        subsystem: str | None,
        message: str,
        meta: dict[str, Any] | None = None,
        *,
        src: Src = SRC_SUBSYSTEM,
        binding: str | None = None,
        console: str | None = None,
        to_console: bool = True,
    ) -> None:
        """Add one record.  subsystem=None and binding=None means captured console output."""
        if subsystem is not None:
            binding = subsystem_binding(subsystem)
        text: str | None = None
        # Only subsystem loggers and captured console output reach stdout/stderr, at
        # the default console level (info); child loggers with other bindings are file-only.
        if to_console and level != "DEBUG":
            if subsystem is not None:
                text = f"[{display_subsystem(subsystem)}] {console or message}"
            elif binding is None:
                text = console or message
        self.recs.append(Rec(ts, self._seq, level, binding, message, meta, src, True, text))
        self._seq += 1

    def add_stderr(self, ts: int, text: str) -> None:
        """A raw process.stderr.write line: journal only, never in the file log."""
        self.recs.append(Rec(ts, self._seq, "WARN", None, text, None, SRC_SUBSYSTEM, False, text))
        self.recs[-1].raw_stderr = True
        self._seq += 1
