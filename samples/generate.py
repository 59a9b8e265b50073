#!/usr/bin/env python3
"""Deterministic generator of synthetic OpenClaw gateway log bundles (stdlib only).

The bundle imitates what an operator copies off a Linux gateway host after a
"session lock stale" incident: the tslog JSONL file logs from ``/tmp/openclaw``
(one gzipped, one rotated), a ``journalctl --user -u openclaw-gateway`` capture,
the text outputs of ``openclaw sessions cleanup`` cron runs, a ``systemctl
status`` and an ``openclaw doctor`` run taken during the first burst, and the
``openclaw gateway diagnostics export`` zip taken after the restart.  Every line
shape follows ``/work/shared/openclaw-formats.md``; the scenario (agents, pids,
bursts, restart) lives in the constants below.

Ground truth goes to ``<out>.expected.json`` next to (never inside) the bundle,
so the analyzer does not ingest it.  Output is byte-for-byte deterministic for a
given seed: no wall clock, no set iteration, sorted JSON keys in the ground
truth, ``mtime=0`` in the gzip header.

    python samples/generate.py                       # samples/fleet-2026-05-28/
    python samples/generate.py --size 1GB --out /tmp/big   # benchmark bundle

With ``--size`` the same incident content is padded with pre-rendered
background lines (inbound channel messages and similar info/warn traffic) until
the bundle reaches the requested size; counts of lock, takeover and lifecycle
occurrences are unchanged.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import math
import random
import re
import shutil
import sys
import uuid
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final, TextIO
from zoneinfo import ZoneInfo

# ---------------------------------------------------------------------------
# Scenario constants
# ---------------------------------------------------------------------------

BUNDLE_NAME: Final = "fleet-2026-05-28"
HOST: Final = "gw-prod-01"
TZ_NAME: Final = "Europe/Berlin"
TZ: Final = ZoneInfo(TZ_NAME)
OPENCLAW_VERSION: Final = "2026.5.22"
NODE_VERSION: Final = "22.22.2"
DEFAULT_SEED: Final = 20260528

HOME: Final = "/home/ops"
STATE_DIR: Final = f"{HOME}/.openclaw"
INSTALL_DIST: Final = "/usr/lib/node_modules/openclaw/dist"
LOG_DIR: Final = "/tmp/openclaw"
GATEWAY_PORT: Final = 18789
SYSTEMD_UNIT: Final = "openclaw-gateway.service"

AGENTS: Final = (
    "woodhouse",
    "fleet-ops",
    "pm-atlas",
    "pm-borealis",
    "pm-cinder",
    "pm-delta",
    "pm-ember",
    "research",
    "support",
    "scribe",
    "main",
)

# Session slots per agent: (slot, key suffix after "agent:<id>:", transcript file style).
# "{uuid}"/"{job}" are filled from the seeded RNG.  Styles: "plain" = <uuid>.jsonl,
# "iso" = <ISO-with-dashes>_<uuid>.jsonl, "topic" = <uuid>-topic-<n>.jsonl.
SESSION_LAYOUT: Final[dict[str, tuple[tuple[str, str, str], ...]]] = {
    "woodhouse": (
        ("main", "main", "plain"),
        ("tg", "telegram:direct:7384910262", "plain"),
        ("hb", "main:heartbeat", "plain"),
    ),
    "fleet-ops": (
        ("main", "main", "plain"),
        ("slack", "slack:channel:C07F1EE70PS", "plain"),
        ("cron", "cron:{job}", "plain"),
    ),
    "pm-atlas": (("main", "main", "iso"), ("sub", "subagent:{uuid}", "plain")),
    "pm-borealis": (("main", "main", "plain"), ("tg", "telegram:direct:5520938471", "plain")),
    "pm-cinder": (("main", "main", "plain"), ("slack", "slack:channel:C08C1NDER01", "iso")),
    "pm-delta": (("main", "main", "plain"), ("cron", "cron:{job}", "plain")),
    "pm-ember": (("main", "main", "plain"), ("slack", "slack:channel:C08EMBER77Q", "plain")),
    "research": (
        ("main", "main", "plain"),
        ("tg", "telegram:direct:6011223344", "plain"),
        ("sub", "subagent:{uuid}", "iso"),
    ),
    "support": (
        ("main", "main", "plain"),
        ("topic", "telegram:group:-1002233445566:topic:42", "topic"),
        ("slack", "slack:channel:C05SUPP0RT9", "plain"),
    ),
    "scribe": (("main", "main", "plain"),),
    "main": (("main", "main", "plain"), ("tg", "telegram:direct:4917612345", "plain")),
}

# provider/model per agent (the first is the primary; FALLBACK_MODEL is the configured fallback).
AGENT_MODELS: Final[dict[str, tuple[str, str]]] = {
    "woodhouse": ("anthropic", "claude-opus-4-6"),
    "research": ("openai", "gpt-5.5"),
}
DEFAULT_MODEL: Final = ("anthropic", "claude-sonnet-4-6")
FALLBACK_MODEL: Final = ("openai", "gpt-5.5")

TELEGRAM_BOT: Final = "@gwprod_fleet_bot"
WHATSAPP_SELF: Final = "+4915201234567"
WHATSAPP_PEERS: Final = ("+4915112345678", "+4917698765432", "+4916055501234", "+4915733344455")

# Gateway processes.  A started long before the bundle (its start was pruned with
# the old file logs), so its uptime is only visible through web-heartbeat uptimeMs.
PID_A: Final = 48213
PID_B: Final = 51877
PROC_A_START: Final = "2026-05-13T17:22:00.000Z"  # 347 h before burst 1
WEB_HEARTBEAT_EVERY_MS: Final = 30 * 60 * 1000
WEB_HEARTBEAT_DRIFT_MS: Final = 2  # setInterval drift per tick, as in real logs
MESSAGES_HANDLED_BEFORE_WINDOW: Final = 1873  # WhatsApp messages A handled before the window

# Bundle time window (host local time): 2026-05-26 00:00 .. 2026-05-28 23:59:59.
DAYS: Final = ("2026-05-26", "2026-05-27", "2026-05-28")
GZIPPED_DAY: Final = "2026-05-26"
JOURNAL_DAY: Final = "2026-05-28"  # journal retention in this capture
JOURNAL_HEADER: Final = (
    "-- Logs begin at Tue 2026-05-26 00:00:03 CEST, end at Thu 2026-05-28 23:59:58 CEST. --"
)
# Sample bundle: where the 2026-05-28 file was rotated (.1.log holds the earlier
# lines).  It falls inside burst 1, between the research lock timeout and its
# takeover, so one takeover/precursor pair spans two files.
SAMPLE_ROTATE_AT: Final = "2026-05-28T04:24:32.000Z"
ROTATE_MAX_BYTES: Final = 100 * 1024 * 1024  # logging.maxFileBytes default
ROTATE_MAX_ARCHIVES: Final = 5

# Logging level was raised to debug for three hours on the 28th (file log only).
DEBUG_WINDOW: Final = ("2026-05-28T04:00:00.000Z", "2026-05-28T07:00:00.000Z")
DEBUG_RUNS: Final = 96  # background embedded runs started inside the debug window

# Full-process restart by SIGUSR1 (no systemd involvement: the child is spawned).
RESTART_SIGNAL_AT: Final = "2026-05-28T05:02:04.118Z"
RESTART_DRAINED_AT: Final = "2026-05-28T05:02:11.604Z"
RESTART_SPAWN_AT: Final = "2026-05-28T05:02:11.690Z"  # last line of pid A = epoch A end
B_BOOT_AT: Final = "2026-05-28T05:02:14.903Z"  # first line of pid B
B_LISTEN_AT: Final = "2026-05-28T05:02:14.918Z"  # "listening on ... (PID 51877)" = epoch B start
AGENT_MODEL_LINE: Final = "anthropic/claude-sonnet-4-6"

# A CLI `openclaw gateway` started by hand while A was wedged (file log only).
GATEWAY_START_FAILED_AT: Final = "2026-05-28T04:47:12.861Z"

# Lock defaults of the v3 lock manager (2026.5.x).
LOCK_ACQUIRE_TIMEOUT_MS: Final = 60000
LOCK_MAX_HOLD_MS: Final = 720000
LOCK_STALE_MS: Final = 1800000
PRECURSOR_WINDOW_MS: Final = 60000  # how far back a takeover looks for "its" lock error

# The sessions.json store-lock timeout distractor (wording kept in this ONE constant;
# real shape: "[telegram] handler failed: Error: timeout acquiring session store lock: <path>").
STORE_LOCK_TIMEOUT_MESSAGE: Final = (
    "handler failed: Error: timeout acquiring session store lock: {store_lock_path}"
)

# `openclaw sessions cleanup --all-agents` cron runs (UTC, minute precision in file names).
CLEANUP_RUNS: Final[tuple[tuple[str, str], ...]] = (
    ("2026-05-26T00:00:00Z", "dry-run"),
    ("2026-05-26T06:00:00Z", "dry-run"),
    ("2026-05-26T12:00:00Z", "dry-run"),
    ("2026-05-26T18:00:00Z", "dry-run"),
    ("2026-05-27T00:00:00Z", "dry-run"),
    ("2026-05-27T06:00:00Z", "dry-run"),
    ("2026-05-27T12:00:00Z", "dry-run"),
    ("2026-05-27T18:00:00Z", "dry-run"),
    ("2026-05-28T00:00:00Z", "dry-run"),
    ("2026-05-28T04:30:00Z", "dry-run"),
    ("2026-05-28T05:15:00Z", "applied"),  # --enforce after the restart, via gateway RPC
    ("2026-05-28T06:00:00Z", "dry-run"),
    ("2026-05-28T06:55:00Z", "dry-run"),
    ("2026-05-28T12:00:00Z", "dry-run"),
    ("2026-05-28T14:40:00Z", "dry-run"),
    ("2026-05-28T18:00:00Z", "dry-run"),
)
CLEANUP_PRUNE_AFTER_MS: Final = 30 * 86400 * 1000


@dataclass(frozen=True, slots=True)
class Step:
    """One scripted thing that happens during a burst, at an offset from its start."""

    at_ms: int
    op: str  # stale | timeout | chained | takeover | watchdog | stuck | store_lock | lane_wait
    agent: str
    slot: str = "main"
    reasons: str = "hold-exceeded"  # stale only
    echo: bool = False  # add a model-fallback decision record echoing the error
    failed_echo: bool = True  # takeover: add the "Embedded agent failed before reply" echo
    age_ms: int | None = None  # owner ageMs pinned (else drawn from the RNG)


@dataclass(frozen=True, slots=True)
class Burst:
    name: str
    start: str  # first lock/takeover occurrence (UTC)
    steps: tuple[Step, ...]


BURSTS: Final[tuple[Burst, ...]] = (
    Burst(
        "burst-1",
        "2026-05-28T04:22:00.412Z",
        (
            Step(0, "stale", "woodhouse", "main", age_ms=724340),
            Step(6702, "watchdog", "woodhouse", "main"),
            Step(9310, "takeover", "woodhouse", "main"),
            Step(31040, "timeout", "fleet-ops", "slack", echo=True),
            Step(38650, "takeover", "fleet-ops", "slack", failed_echo=False),
            Step(52800, "lane_wait", "pm-atlas", "main"),
            Step(75120, "stale", "pm-atlas", "main", reasons="too-old, hold-exceeded"),
            Step(76010, "watchdog", "pm-atlas", "main"),
            Step(77180, "takeover", "pm-atlas", "main"),
            Step(95500, "stuck", "woodhouse", "tg"),
            # Two chained failures inside one FallbackSummaryError, no takeover after.
            Step(110230, "chained", "pm-borealis", "main"),
            Step(150390, "timeout", "research", "main"),
            Step(153880, "takeover", "research", "main", failed_echo=False),
            Step(187020, "store_lock", "woodhouse", "main"),
            Step(200110, "takeover", "support", "topic"),  # no preceding lock error
            Step(240660, "stale", "research", "tg", echo=True),  # no takeover follows
            Step(300200, "timeout", "woodhouse", "tg"),
            Step(318240, "takeover", "woodhouse", "tg", failed_echo=False),
            Step(345070, "timeout", "support", "main", age_ms=722400, echo=True),
            Step(345630, "watchdog", "support", "main"),
            Step(346270, "takeover", "support", "main"),
        ),
    ),
    Burst(
        "burst-2",
        "2026-05-28T06:45:00.418Z",
        (
            Step(0, "timeout", "pm-cinder", "main", echo=True),
            Step(4810, "takeover", "pm-cinder", "main"),
            Step(22090, "stale", "scribe", "main", age_ms=741200),
            Step(25030, "watchdog", "scribe", "main"),
            Step(27110, "takeover", "scribe", "main", failed_echo=False),
            Step(61300, "timeout", "fleet-ops", "cron"),
            Step(75480, "takeover", "fleet-ops", "cron"),
        ),
    ),
    Burst(
        "burst-3",
        "2026-05-28T14:23:00.418Z",
        (
            Step(0, "stale", "main", "main", reasons="too-old, hold-exceeded", age_ms=1812400),
            Step(4020, "watchdog", "main", "main"),
            Step(6130, "takeover", "main", "main"),
            Step(18200, "timeout", "pm-delta", "main"),
            Step(29330, "takeover", "pm-delta", "main", failed_echo=False),
            Step(40010, "timeout", "pm-ember", "slack", echo=True),
            Step(41320, "takeover", "pm-ember", "slack"),
            Step(65470, "stale", "woodhouse", "hb"),  # no takeover follows
            Step(90150, "timeout", "pm-atlas", "sub"),
            Step(108400, "takeover", "pm-atlas", "sub"),
            Step(118000, "lane_wait", "research", "main"),
            Step(130060, "takeover", "research", "sub", failed_echo=False),  # no precursor
            Step(160330, "timeout", "fleet-ops", "main", echo=True),
            Step(163010, "takeover", "fleet-ops", "main"),
            Step(200240, "stale", "pm-borealis", "tg", age_ms=731900),
            Step(210020, "watchdog", "pm-borealis", "tg"),
            Step(214090, "takeover", "pm-borealis", "tg"),
            Step(260120, "timeout", "support", "slack"),  # no takeover follows
            Step(300070, "stuck", "support", "slack"),
            Step(300410, "timeout", "pm-cinder", "slack"),
            Step(302900, "takeover", "pm-cinder", "slack", failed_echo=False),
            Step(350180, "stale", "pm-delta", "main", age_ms=726010),
            Step(360040, "watchdog", "pm-delta", "main"),
            Step(366200, "takeover", "pm-delta", "main"),
            Step(410230, "timeout", "main", "tg", echo=True),
            Step(419010, "takeover", "main", "tg"),
            Step(433900, "store_lock", "pm-borealis", "tg"),
            Step(470150, "stale", "research", "main"),  # no takeover follows
            Step(520300, "timeout", "woodhouse", "main"),
            Step(522180, "takeover", "woodhouse", "main", failed_echo=False),
            Step(580110, "timeout", "pm-ember", "main"),
            Step(597040, "takeover", "pm-ember", "main"),
            Step(640060, "stale", "fleet-ops", "main", age_ms=733600),
            Step(645150, "watchdog", "fleet-ops", "main"),
            Step(648010, "takeover", "fleet-ops", "main"),
            Step(700250, "timeout", "pm-atlas", "main", echo=True),
            Step(712380, "takeover", "pm-atlas", "main"),
        ),
    ),
)

# Quiet-time distractors outside the bursts: (UTC time, op, agent, slot).
QUIET_EVENTS: Final[tuple[tuple[str, str, str, str], ...]] = (
    ("2026-05-26T15:10:42.337Z", "stuck", "scribe", "main"),
    ("2026-05-26T19:33:07.201Z", "store_lock", "support", "topic"),
    ("2026-05-27T09:41:18.906Z", "stuck", "pm-delta", "main"),
    ("2026-05-27T12:08:44.530Z", "store_lock", "main", "tg"),
    ("2026-05-28T10:05:51.772Z", "stuck", "research", "main"),
)

# ---------------------------------------------------------------------------
# Log sources: chunk file, line, column and tslog "method" per call site
# ---------------------------------------------------------------------------


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
MONTHS: Final = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
DAY_NAMES: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

# ---------------------------------------------------------------------------
# Time helpers (epoch milliseconds, UTC, everywhere inside the generator)
# ---------------------------------------------------------------------------


def ms_of(iso_utc: str) -> int:
    """Epoch ms of an ISO-8601 UTC instant ending in Z."""
    dt = datetime.fromisoformat(iso_utc.replace("Z", "+00:00"))
    return round(dt.timestamp() * 1000)


def local_midnight_ms(day: str) -> int:
    dt = datetime.combine(date.fromisoformat(day), datetime.min.time(), tzinfo=TZ)
    return round(dt.timestamp() * 1000)


def iso_z(ms: int, *, with_ms: bool = True) -> str:
    dt = datetime.fromtimestamp(ms / 1000, tz=UTC)
    if with_ms:
        return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


class TimeFormatter:
    """Per-second cache of the prefixes every line needs (hot path of --size)."""

    __slots__ = ("_cache_sec", "_parts")

    def __init__(self) -> None:
        self._cache_sec = -1
        self._parts: tuple[str, str, str, str, str] = ("", "", "", "", "")

    def parts(self, sec: int) -> tuple[str, str, str, str, str]:
        """(utc prefix, local prefix, offset, journal stamp, local date) for one second."""
        if sec != self._cache_sec:
            utc = datetime.fromtimestamp(sec, tz=UTC)
            loc = utc.astimezone(TZ)
            off = loc.utcoffset() or timedelta(0)
            mins = int(off.total_seconds()) // 60
            sign = "+" if mins >= 0 else "-"
            offset = f"{sign}{abs(mins) // 60:02d}:{abs(mins) % 60:02d}"
            stamp = f"{MONTHS[loc.month - 1]} {loc.day:2d} {loc:%H:%M:%S}"
            self._parts = (
                f"{utc:%Y-%m-%dT%H:%M:%S}.",
                f"{loc:%Y-%m-%dT%H:%M:%S}.",
                offset,
                stamp,
                f"{loc:%Y-%m-%d}",
            )
            self._cache_sec = sec
        return self._parts


MS3: Final = tuple(f"{i:03d}" for i in range(1000))

# ---------------------------------------------------------------------------
# Sessions
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Session:
    agent: str
    slot: str
    key: str
    session_id: str
    file_name: str

    @property
    def path(self) -> str:
        return f"{STATE_DIR}/agents/{self.agent}/sessions/{self.file_name}"

    @property
    def lock_path(self) -> str:
        return self.path + ".lock"

    @property
    def lane(self) -> str:
        return f"session:{self.key}"

    @property
    def global_lane(self) -> str:
        # Cron and spawned sub-agent runs use their own global lanes (src/process/lanes.ts).
        kind = self.key.split(":")[2]
        return {"cron": "cron", "subagent": "subagent"}.get(kind, "main")

    @property
    def channel(self) -> str:
        kind = self.key.split(":")[2]
        if kind in ("telegram", "slack", "whatsapp"):
            return kind
        if self.key.endswith(":heartbeat"):
            return "heartbeat"
        return {"cron": "cron", "subagent": "internal"}.get(kind, "webchat")


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build_sessions(seed: int) -> dict[tuple[str, str], Session]:
    rng = random.Random(f"{seed}:sessions")
    created_base = ms_of("2026-05-19T06:00:00.000Z")
    sessions: dict[tuple[str, str], Session] = {}
    for agent in AGENTS:
        for slot, suffix, style in SESSION_LAYOUT[agent]:
            key = "agent:" + agent + ":" + suffix.format(uuid=new_uuid(rng), job=new_uuid(rng))
            sid = new_uuid(rng)
            if style == "iso":
                created = created_base + rng.randrange(0, 7 * 86400 * 1000)
                stamp = iso_z(created).replace(":", "-").replace(".", "-")
                file_name = f"{stamp}_{sid}.jsonl"
            elif style == "topic":
                file_name = f"{sid}-topic-{key.rsplit(':', 1)[1]}.jsonl"
            else:
                file_name = f"{sid}.jsonl"
            sessions[(agent, slot)] = Session(agent, slot, key, sid, file_name)
    return sessions


def model_of(agent: str) -> tuple[str, str]:
    return AGENT_MODELS.get(agent, DEFAULT_MODEL)


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


# ---------------------------------------------------------------------------
# Scenario building
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Epochs:
    a_start: int
    a_end: int
    b_boot: int
    b_start: int

    def pid_at(self, ts: int) -> int:
        return PID_A if ts <= self.a_end else PID_B

    def alive(self, ts: int) -> bool:
        """False in the few seconds between A's exit and B's first line."""
        return not (self.a_end < ts < self.b_boot)


EPOCHS: Final = Epochs(
    ms_of(PROC_A_START), ms_of(RESTART_SPAWN_AT), ms_of(B_BOOT_AT), ms_of(B_LISTEN_AT)
)
WINDOW_START_MS: Final = local_midnight_ms(DAYS[0])
WINDOW_END_MS: Final = local_midnight_ms("2026-05-29") - 1
DEBUG_FROM_MS: Final = ms_of(DEBUG_WINDOW[0])
DEBUG_TO_MS: Final = ms_of(DEBUG_WINDOW[1])


def in_debug(ts: int) -> bool:
    return DEBUG_FROM_MS <= ts < DEBUG_TO_MS


def tool_call_id(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "toolu_01" + "".join(rng.choice(alphabet) for _ in range(22))


def error_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:12]


def fallback_decision(
    run_id: str,
    agent: str,
    candidate: tuple[str, str],
    *,
    attempt: int,
    total: int,
    reason: str,
    status: int | None,
    preview: str,
    next_candidate: tuple[str, str] | None,
) -> dict[str, Any]:
    """model-fallback/decision meta for a failed candidate (key order of a real record)."""
    requested = model_of(agent)
    meta: dict[str, Any] = {
        "event": "model_fallback_decision",
        "tags": ["error_handling", "model_fallback", "candidate_failed"],
        "runId": run_id,
        "decision": "candidate_failed",
        "requestedProvider": requested[0],
        "requestedModel": requested[1],
        "candidateProvider": candidate[0],
        "candidateModel": candidate[1],
        "attempt": attempt,
        "total": total,
        "reason": reason,
    }
    if status is not None:
        meta["status"] = status
    meta["errorPreview"] = preview
    meta["errorHash"] = error_hash(preview)
    if next_candidate is not None:
        meta["nextCandidateProvider"] = next_candidate[0]
        meta["nextCandidateModel"] = next_candidate[1]
    meta["isPrimary"] = attempt == 1
    meta["requestedModelMatched"] = candidate == requested
    meta["fallbackConfigured"] = total > 1
    return meta


RATE_LIMIT_PREVIEW: Final = (
    "429 rate_limit_error: This request would exceed the rate limit for your "
    "organization of 450,000 input tokens per minute."
)


def rate_limit_decision(rng: random.Random) -> dict[str, Any]:
    """A distractor: a model-fallback record whose errorPreview is not a lock error."""
    agent = rng.choice(AGENTS)
    return fallback_decision(
        new_uuid(rng),
        agent,
        model_of(agent),
        attempt=1,
        total=2,
        reason="rate_limit",
        status=429,
        preview=RATE_LIMIT_PREVIEW,
        next_candidate=FALLBACK_MODEL,
    )


class ScenarioBuilder:
    """Emits every record of the scenario into a Timeline, recording ground truth."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.sessions = build_sessions(seed)
        self.tl = Timeline()
        self.ids = random.Random(f"{seed}:ids")
        # Per-session busy-until, so background runs never overlap on one session lane.
        self.busy: dict[str, int] = {}

    # -- helpers ----------------------------------------------------------------

    def sess(self, agent: str, slot: str) -> Session:
        return self.sessions[(agent, slot)]

    def run_start(self, ts: int, run_id: str, s: Session) -> None:
        """Lane + run start lines of an embedded run; debug level, so only inside the window."""
        if not in_debug(ts):
            return
        provider, model = model_of(s.agent)
        add = self.tl.add
        add(ts, "DEBUG", "diagnostic", f"lane enqueue: lane={s.lane} queueSize=1")
        add(ts + 1, "DEBUG", "diagnostic", f"lane dequeue: lane={s.lane} waitMs=1 queueSize=0")
        add(ts + 2, "DEBUG", "diagnostic", f"lane enqueue: lane={s.global_lane} queueSize=1")
        add(
            ts + 3,
            "DEBUG",
            "diagnostic",
            f"lane dequeue: lane={s.global_lane} waitMs=1 queueSize=0",
        )
        add(
            ts + 5,
            "DEBUG",
            "diagnostic",
            f"run attempt: sessionId={s.session_id} sessionKey={s.key} runId={run_id} attempt=1",
        )
        add(
            ts + 7,
            "DEBUG",
            "agent/embedded",
            f"embedded run start: runId={run_id} sessionId={s.session_id} provider={provider} "
            f"model={model} thinking=medium messageChannel={s.channel}",
        )
        self.tl.occ.append(Occurrence("run", ts + 7, s.agent, s.session_id, key=run_id))

    def tool_call(self, ts: int, dur: int, run_id: str, tool: str) -> None:
        call_id = tool_call_id(self.ids)
        self.tl.add(
            ts,
            "DEBUG",
            "agent/embedded",
            f"embedded run tool start: runId={run_id} tool={tool} toolCallId={call_id}",
        )
        self.tl.add(
            ts + dur,
            "DEBUG",
            "agent/embedded",
            f"embedded run tool end: runId={run_id} tool={tool} toolCallId={call_id}",
        )
        self.tl.occ.append(Occurrence("tool_call", ts, key=call_id))
        self.tl.tool_calls[tool] = self.tl.tool_calls.get(tool, 0) + 1

    # -- lock failures -------------------------------------------------------------

    def owner(self, pid: int, age: int) -> str:
        return f"pid={pid} alive=true ageMs={age}"

    def lock_failure(
        self, t: int, step: Step, burst: int, last_age: dict[str, tuple[int, int]]
    ) -> None:
        """One lock_timeout / lock_stale occurrence, logged on 3-4 lines."""
        rng = self.ids
        s = self.sess(step.agent, step.slot)
        pid = EPOCHS.pid_at(t)
        if step.op == "stale":
            default_age = (
                rng.randrange(LOCK_STALE_MS + 1000, LOCK_STALE_MS + 300000)
                if "too-old" in step.reasons
                else rng.randrange(LOCK_MAX_HOLD_MS + 1000, LOCK_MAX_HOLD_MS + 58000)
            )
            age = step.age_ms or default_age
            core = f"session file lock stale ({step.reasons}): {self.owner(pid, age)} {s.lock_path}"
            err = f"SessionWriteLockStaleError: {core}"
            kind = "lock_stale"
        else:
            age = step.age_ms or rng.randrange(LOCK_ACQUIRE_TIMEOUT_MS + 2000, 420000)
            core = (
                f"session file locked (timeout {LOCK_ACQUIRE_TIMEOUT_MS}ms): "
                f"{self.owner(pid, age)} {s.lock_path}"
            )
            err = f"SessionWriteLockTimeoutError: {core}"
            kind = "lock_timeout"
        last_age[s.lock_path] = (t, age)
        dur = LOCK_ACQUIRE_TIMEOUT_MS + rng.randrange(40, 420)
        run_id = new_uuid(rng)
        self.run_start(t - dur - 40, run_id, s)
        add = self.tl.add
        add(
            t,
            "ERROR",
            "diagnostic",
            f'lane task error: lane={s.lane} durationMs={dur} error="{err}"',
        )
        if step.echo:
            meta = fallback_decision(
                run_id,
                s.agent,
                model_of(s.agent),
                attempt=1,
                total=1,
                reason="timeout",
                status=408,
                preview=core,
                next_candidate=None,
            )
            add(t + 1, "WARN", "model-fallback/decision", "model fallback decision", meta)
        add(
            t + 4,
            "ERROR",
            "diagnostic",
            f'lane task error: lane={s.global_lane} durationMs={dur + 3} error="{err}"',
        )
        add(
            t + 6,
            "ERROR",
            None,
            f"Embedded agent failed before reply: {core}",
            src=SRC_CONSOLE_ERROR,
        )
        self.tl.occ.append(Occurrence(kind, t, s.agent, s.session_id, s.path, burst))

    def chained_failure(
        self, t: int, step: Step, burst: int, last_age: dict[str, tuple[int, int]]
    ) -> None:
        """FallbackSummaryError with two chained lock timeouts: TWO occurrences.

        Each candidate waited the full acquire timeout, and each candidate failure was
        logged by model-fallback/decision first; the lane error carries both.
        """
        rng = self.ids
        s = self.sess(step.agent, step.slot)
        pid = EPOCHS.pid_at(t)
        primary, fallback = model_of(s.agent), FALLBACK_MODEL
        age1 = rng.randrange(150000, 300000)
        t2 = t + LOCK_ACQUIRE_TIMEOUT_MS + rng.randrange(30, 90)
        age2 = age1 + (t2 - t)
        cores = [
            f"session file locked (timeout {LOCK_ACQUIRE_TIMEOUT_MS}ms): "
            f"{self.owner(pid, a)} {s.lock_path}"
            for a in (age1, age2)
        ]
        run_id = new_uuid(rng)
        self.run_start(t - LOCK_ACQUIRE_TIMEOUT_MS - 60, run_id, s)
        add = self.tl.add
        add(
            t,
            "WARN",
            "model-fallback/decision",
            "model fallback decision",
            fallback_decision(
                run_id,
                s.agent,
                primary,
                attempt=1,
                total=2,
                reason="timeout",
                status=408,
                preview=cores[0],
                next_candidate=fallback,
            ),
        )
        add(
            t2,
            "WARN",
            "model-fallback/decision",
            "model fallback decision",
            fallback_decision(
                run_id,
                s.agent,
                fallback,
                attempt=2,
                total=2,
                reason="timeout",
                status=408,
                preview=cores[1],
                next_candidate=None,
            ),
        )
        summary = (
            f"All models failed (2): {primary[0]}/{primary[1]}: {cores[0]} | "
            f"{fallback[0]}/{fallback[1]}: {cores[1]}"
        )
        dur = t2 - t + LOCK_ACQUIRE_TIMEOUT_MS + rng.randrange(40, 200)
        err = f"FallbackSummaryError: {summary}"
        add(
            t2 + 3,
            "ERROR",
            "diagnostic",
            f'lane task error: lane={s.lane} durationMs={dur} error="{err}"',
        )
        add(
            t2 + 7,
            "ERROR",
            "diagnostic",
            f'lane task error: lane={s.global_lane} durationMs={dur + 4} error="{err}"',
        )
        add(
            t2 + 9,
            "ERROR",
            None,
            f"Embedded agent failed before reply: {summary}",
            src=SRC_CONSOLE_ERROR,
        )
        last_age[s.lock_path] = (t2, age2)
        for ts in (t, t2):
            self.tl.occ.append(Occurrence("lock_timeout", ts, s.agent, s.session_id, s.path, burst))

    def takeover(self, t: int, step: Step, burst: int) -> None:
        """One takeover occurrence: warn + lane=<global> + lane=session (+ console echo)."""
        rng = self.ids
        s = self.sess(step.agent, step.slot)
        run_id = new_uuid(rng)
        dur = rng.randrange(18000, 300000)
        self.run_start(t - dur - 30, run_id, s)
        msg = f"session file changed while embedded prompt lock was released: {s.path}"
        add = self.tl.add
        add(
            t,
            "WARN",
            "agent/embedded",
            "embedded attempt cleanup detected session takeover after prompt failure; "
            f"preserving prompt error: runId={run_id} sessionId={s.session_id} "
            f"promptError={msg} cleanupError={msg}",
        )
        add(
            t + 6,
            "ERROR",
            "diagnostic",
            f"lane task error: lane={s.global_lane} durationMs={dur} "
            f'error="EmbeddedAttemptSessionTakeoverError: {msg}"',
        )
        add(
            t + 11,
            "ERROR",
            "diagnostic",
            f"lane task error: lane={s.lane} durationMs={dur + 5} "
            f'error="EmbeddedAttemptSessionTakeoverError: {msg}"',
        )
        if step.failed_echo:
            add(
                t + 13,
                "ERROR",
                None,
                f"Embedded agent failed before reply: {msg}",
                src=SRC_CONSOLE_ERROR,
            )
        self.tl.occ.append(Occurrence("takeover", t, s.agent, s.session_id, s.path, burst))

    def watchdog(self, t: int, step: Step, last_age: dict[str, tuple[int, int]]) -> None:
        s = self.sess(step.agent, step.slot)
        if s.lock_path in last_age:
            err_t, age = last_age[s.lock_path]
            held = age + (t - err_t)
        else:
            held = LOCK_MAX_HOLD_MS + self.ids.randrange(1000, 59000)
        self.tl.add_stderr(
            t,
            f"[session-write-lock] releasing lock held for {held}ms "
            f"(max={LOCK_MAX_HOLD_MS}ms): {s.lock_path}",
        )
        self.tl.occ.append(Occurrence("lock_released_by_watchdog", t, s.agent, s.session_id))

    def stuck(self, t: int, s: Session) -> None:
        age = self.ids.randrange(130, 900)
        self.tl.add(
            t,
            "WARN",
            "diagnostic",
            f"stuck session: sessionId={s.session_id} sessionKey={s.key} state=processing "
            f"age={age}s queueDepth={self.ids.randrange(1, 4)}",
        )
        self.tl.occ.append(Occurrence("stuck_session", t, s.agent, s.session_id))

    def store_lock(self, t: int, agent: str) -> None:
        path = f"{STATE_DIR}/agents/{agent}/sessions/sessions.json.lock"
        self.tl.add(
            t,
            "ERROR",
            "gateway/channels/telegram",
            STORE_LOCK_TIMEOUT_MESSAGE.format(store_lock_path=path),
        )
        self.tl.occ.append(Occurrence("store_lock_timeout", t, agent))

    def lane_wait(self, t: int, s: Session) -> None:
        self.tl.add(
            t,
            "WARN",
            "diagnostic",
            f"lane wait exceeded: lane={s.lane} waitedMs={self.ids.randrange(2100, 45000)} "
            f"queueAhead={self.ids.randrange(1, 5)}",
        )

    # -- scenario sections -------------------------------------------------------------

    def bursts(self) -> None:
        for index, burst in enumerate(BURSTS):
            base = ms_of(burst.start)
            last_age: dict[str, tuple[int, int]] = {}
            for step in burst.steps:
                t = base + step.at_ms
                if step.op in ("stale", "timeout"):
                    self.lock_failure(t, step, index, last_age)
                elif step.op == "chained":
                    self.chained_failure(t, step, index, last_age)
                elif step.op == "takeover":
                    self.takeover(t, step, index)
                elif step.op == "watchdog":
                    self.watchdog(t, step, last_age)
                elif step.op == "stuck":
                    self.stuck(t, self.sess(step.agent, step.slot))
                elif step.op == "store_lock":
                    self.store_lock(t, step.agent)
                elif step.op == "lane_wait":
                    self.lane_wait(t, self.sess(step.agent, step.slot))
                else:
                    raise ValueError(f"unknown step op {step.op!r}")

    def quiet_events(self) -> None:
        for when, op, agent, slot in QUIET_EVENTS:
            t = ms_of(when)
            if op == "stuck":
                self.stuck(t, self.sess(agent, slot))
            elif op == "store_lock":
                self.store_lock(t, agent)
            else:
                raise ValueError(f"unknown quiet op {op!r}")

    def lifecycle(self) -> None:
        add = self.tl.add
        sig = ms_of(RESTART_SIGNAL_AT)
        add(sig - 1, "DEBUG", "gateway", "signal SIGUSR1 received")
        add(sig, "INFO", "gateway", "received SIGUSR1; restarting")
        add(
            sig + 3,
            "INFO",
            "gateway",
            "draining 2 active task(s) and 1 active embedded run(s) before restart "
            "with timeout 300000ms",
        )
        # The one embedded run being drained finishes before the drain completes.
        s = self.sess("research", "tg")
        run_id = new_uuid(self.ids)
        started = sig - 41230
        self.run_start(started, run_id, s)
        self.tool_call(started + 2900, 1840, run_id, "read")
        done = ms_of(RESTART_DRAINED_AT) - 380
        add(
            done,
            "DEBUG",
            "agent/embedded",
            f"embedded run done: runId={run_id} sessionId={s.session_id} "
            f"durationMs={done - started - 7} aborted=false",
        )
        add(
            done + 2,
            "DEBUG",
            "diagnostic",
            f"lane task done: lane={s.global_lane} durationMs={done - started} active=0 queued=0",
        )
        add(
            done + 3,
            "DEBUG",
            "diagnostic",
            f"lane task done: lane={s.lane} durationMs={done - started + 2} active=0 queued=0",
        )
        add(ms_of(RESTART_DRAINED_AT), "INFO", "gateway", "all active work drained")
        add(
            EPOCHS.a_end,
            "INFO",
            "gateway",
            f"restart mode: full process restart (spawned pid {PID_B})",
        )
        self.tl.occ.append(Occurrence("gateway_restart", sig))

        # Process B boot sequence (formats doc §5).
        boot = EPOCHS.b_boot
        add(
            boot,
            "INFO",
            "canvas",
            f"host mounted at http://127.0.0.1:{GATEWAY_PORT}/__openclaw__/canvas/ "
            f"(root {STATE_DIR}/canvas)",
        )
        add(
            boot + 6,
            "INFO",
            "gateway/heartbeat",
            "heartbeat: started",
            {"intervalMs": 1800000},
            console="started",
        )
        add(
            boot + 8,
            "INFO",
            "gateway/health-monitor",
            "started (interval: 300s, startup-grace: 60s, channel-connect-grace: 120s)",
        )
        add(boot + 11, "INFO", "gateway", f"agent model: {AGENT_MODEL_LINE}")
        add(
            EPOCHS.b_start,
            "INFO",
            "gateway",
            f"listening on ws://127.0.0.1:{GATEWAY_PORT}, ws://[::1]:{GATEWAY_PORT} (PID {PID_B})",
        )
        day = datetime.fromtimestamp(EPOCHS.b_start / 1000, tz=TZ).strftime("%Y-%m-%d")
        add(EPOCHS.b_start + 1, "INFO", "gateway", f"log file: {LOG_DIR}/openclaw-{day}.log")
        add(EPOCHS.b_start + 7, "INFO", "hooks", "loaded 4 internal hook handlers")
        add(
            EPOCHS.b_start + 12,
            "INFO",
            None,
            "cron: started",
            {"enabled": True, "jobs": 6, "nextWakeAtMs": EPOCHS.b_start + 45088},
            binding=json.dumps(
                {"module": "cron", "storePath": f"{STATE_DIR}/cron/jobs.json"},
                separators=(",", ":"),
            ),
            src=SRC_CRON_START,
        )
        add(
            EPOCHS.b_start + 480,
            "INFO",
            "gateway/channels/telegram",
            f"[default] starting provider ({TELEGRAM_BOT})",
        )
        add(EPOCHS.b_start + 512, "INFO", "gateway/channels/slack", "[default] starting provider")
        add(EPOCHS.b_start + 1290, "INFO", "gateway/channels/slack", "slack socket mode connected")
        self.tl.occ.append(Occurrence("gateway_start", boot))

        # An operator's `openclaw gateway` while A was wedged: a separate CLI process whose
        # console.error is captured into the same file log (never reaches the unit's journal).
        self.tl.add(
            ms_of(GATEWAY_START_FAILED_AT),
            "ERROR",
            None,
            f"Gateway failed to start: gateway already running (pid {PID_A}); lock timeout "
            "after 5000ms\nIf the gateway is supervised, stop it with: openclaw gateway stop",
            src=SRC_CLI_ENTRY,
            to_console=False,
        )
        self.tl.occ.append(Occurrence("gateway_start_failed", ms_of(GATEWAY_START_FAILED_AT)))

        # logging.level flipped to debug and back (hot reload).
        for edge in (DEBUG_FROM_MS - 1840, DEBUG_TO_MS + 260):
            add(
                edge,
                "INFO",
                "gateway/reload",
                "config change detected; evaluating reload (logging.level)",
            )

    def web_heartbeats(self) -> None:
        """WhatsApp web heartbeat every 30 min; its uptimeMs is the only uptime evidence for A."""
        rng = random.Random(f"{self.seed}:web-heartbeat")
        inbound = sorted(
            r.ts for r in self.tl.recs if r.binding is not None and "whatsapp" in r.binding
        )
        for start, end, pid_run in (
            (EPOCHS.a_start, EPOCHS.a_end, new_uuid(rng)),
            (EPOCHS.b_start, WINDOW_END_MS, new_uuid(rng)),
        ):
            connection = new_uuid(rng)
            auth_age = rng.uniform(40000, 900000)
            binding = json.dumps(
                {"module": "web-heartbeat", "runId": pid_run}, separators=(",", ":")
            )
            k = 1
            while True:
                t = start + k * (WEB_HEARTBEAT_EVERY_MS + WEB_HEARTBEAT_DRIFT_MS)
                k += 1
                if t > end:
                    break
                if t < WINDOW_START_MS:
                    continue
                seen = [x for x in inbound if start <= x <= t]
                handled = len(seen) + (
                    MESSAGES_HANDLED_BEFORE_WINDOW if start < WINDOW_START_MS else 0
                )
                meta: dict[str, Any] = {
                    "connectionId": connection,
                    "reconnectAttempts": 0,
                    "messagesHandled": handled,
                    "lastMessageAt": seen[-1] if seen else None,
                    "authAgeMs": auth_age + (t - start) % 3600000,
                    "uptimeMs": t - start,
                }
                self.tl.add(
                    t,
                    "INFO",
                    None,
                    "web gateway heartbeat",
                    meta,
                    binding=binding,
                    src=SRC_WEB_HEARTBEAT,
                )
                self.tl.occ.append(Occurrence("uptime", t))

    def background(self) -> None:
        """Modest info/warn traffic across the whole window (file log; journal on the 28th)."""
        rng = random.Random(f"{self.seed}:background")
        tg = [s for s in self.sessions.values() if s.key.split(":")[2] == "telegram"]
        all_sessions = list(self.sessions.values())
        hour = WINDOW_START_MS
        while hour < WINDOW_END_MS:
            local_hour = datetime.fromtimestamp(hour / 1000, tz=TZ).hour
            busy = 7 <= local_hour <= 22
            for _ in range(rng.randrange(16, 28) if busy else rng.randrange(1, 5)):
                t = hour + rng.randrange(0, 3600000)
                s = rng.choice(tg)
                chars = rng.randrange(3, 700)
                if ":group:" in s.key:
                    src = s.key.split(":", 2)[2]
                    text = f"Inbound message {src} -> {TELEGRAM_BOT} (group, {chars} chars)"
                else:
                    peer = s.key.rsplit(":", 1)[1]
                    text = (
                        f"Inbound message telegram:{peer} -> {TELEGRAM_BOT} (direct, {chars} chars)"
                    )
                self.maybe_add(t, "INFO", "gateway/channels/telegram", text)
            for _ in range(rng.randrange(3, 8) if busy else rng.randrange(0, 2)):
                t = hour + rng.randrange(0, 3600000)
                text = (
                    f"Inbound message {rng.choice(WHATSAPP_PEERS)} -> {WHATSAPP_SELF} "
                    f"(direct, {rng.randrange(2, 400)} chars)"
                )
                self.maybe_add(t, "INFO", "gateway/channels/whatsapp", text)
            if rng.random() < 0.09:
                t = hour + rng.randrange(0, 3600000)
                self.maybe_add(t, "INFO", "gateway/channels/slack", "[default] starting provider")
                self.maybe_add(
                    t + rng.randrange(500, 1900),
                    "INFO",
                    "gateway/channels/slack",
                    "slack socket mode connected",
                )
            if busy and rng.random() < 0.2:
                t = hour + rng.randrange(0, 3600000)
                if EPOCHS.alive(t):
                    self.lane_wait(t, rng.choice(all_sessions))
            if busy and rng.random() < 0.12:
                t = hour + rng.randrange(0, 3600000)
                meta = rate_limit_decision(rng)
                self.maybe_add(
                    t, "WARN", "model-fallback/decision", "model fallback decision", meta
                )
            hour += 3600000

    def maybe_add(
        self, t: int, level: str, subsystem: str, message: str, meta: dict[str, Any] | None = None
    ) -> None:
        if EPOCHS.alive(t) and WINDOW_START_MS <= t <= WINDOW_END_MS:
            self.tl.add(t, level, subsystem, message, meta)

    def debug_window(self) -> None:
        """Runs, tools, lanes and compactions: visible only while logging.level=debug."""
        rng = random.Random(f"{self.seed}:debug")
        add = self.tl.add
        # cron module re-arms its timer every minute (debug).
        cron_binding = json.dumps(
            {"module": "cron", "storePath": f"{STATE_DIR}/cron/jobs.json"}, separators=(",", ":")
        )
        t = DEBUG_FROM_MS + 17342
        while t < DEBUG_TO_MS:
            if EPOCHS.alive(t):
                add(
                    t,
                    "DEBUG",
                    None,
                    "cron: timer armed",
                    {"nextAt": t + 60000, "delayMs": 60000, "clamped": False},
                    binding=cron_binding,
                    src=SRC_CRON,
                )
            t += 60000 + rng.randrange(0, 4)
        tools = (
            ("read", 30),
            ("exec", 22),
            ("sessions_send", 12),
            ("sessions_spawn", 6),
            ("edit", 10),
            ("write", 6),
            ("web_fetch", 8),
            ("memory_search", 6),
        )
        names = [n for n, _ in tools]
        weights = [w for _, w in tools]
        sessions = list(self.sessions.values())
        made = 0
        while made < DEBUG_RUNS:
            start = DEBUG_FROM_MS + rng.randrange(5000, DEBUG_TO_MS - DEBUG_FROM_MS - 200000)
            dur = rng.randrange(3500, 150000)
            end = start + dur
            s = rng.choice(sessions)
            # Stay clear of the restart (drain handled in lifecycle()) and of busy lanes.
            if not (end < EPOCHS.a_end - 60000 or start > EPOCHS.b_start + 5000):
                continue
            if self.busy.get(s.key, 0) > start:
                continue
            self.busy[s.key] = end + 1000
            made += 1
            run_id = new_uuid(rng)
            self.run_start(start, run_id, s)
            cursor = start + 900 + rng.randrange(0, 3000)
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
                tdur = rng.randrange(40, 6000)
                if cursor + tdur >= end - 500:
                    break
                self.tool_call(cursor, tdur, run_id, rng.choices(names, weights)[0])
                cursor += tdur + rng.randrange(300, 9000)
            if rng.random() < 0.08 and cursor < end - 2500:
                reason = rng.choice(("threshold", "threshold", "overflow"))
                add(
                    cursor,
                    "DEBUG",
                    "agent/embedded",
                    "embedded run auto-compaction start",
                    {"event": "embedded_run_compaction_start", "reason": reason, "runId": run_id},
                )
                add(
                    cursor + 1900,
                    "DEBUG",
                    "agent/embedded",
                    "embedded run auto-compaction complete",
                    {
                        "event": "embedded_run_compaction_end",
                        "runId": run_id,
                        "reason": reason,
                        "completed": True,
                        "compactionCount": 1,
                        "willRetry": True,
                    },
                )
                self.tl.occ.append(
                    Occurrence("compaction", cursor, s.agent, s.session_id, key=run_id)
                )
            aborted = made == DEBUG_RUNS // 2  # one run hits the embedded run timeout
            if aborted:
                add(
                    end - 2,
                    "WARN",
                    "agent/embedded",
                    f"embedded run timeout: runId={run_id} sessionId={s.session_id} "
                    f"timeoutMs={dur - 9}",
                )
            add(
                end,
                "DEBUG",
                "agent/embedded",
                f"embedded run done: runId={run_id} sessionId={s.session_id} durationMs={dur - 7} "
                f"aborted={'true' if aborted else 'false'}",
            )
            add(
                end + 2,
                "DEBUG",
                "diagnostic",
                f"lane task done: lane={s.global_lane} durationMs={dur} active=0 queued=0",
            )
            add(
                end + 3,
                "DEBUG",
                "diagnostic",
                f"lane task done: lane={s.lane} durationMs={dur + 2} active=0 queued=0",
            )

    def build(self) -> Timeline:
        self.lifecycle()
        self.bursts()
        self.quiet_events()
        self.background()
        self.debug_window()
        self.web_heartbeats()  # last: it counts the WhatsApp inbound lines above
        self.tl.recs.sort(key=lambda r: (r.ts, r.seq))
        return self.tl


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

PATH_CACHE: dict[Src, dict[str, str]] = {}


def src_path(src: Src) -> dict[str, str]:
    cached = PATH_CACHE.get(src)
    if cached is None:
        full = f"{INSTALL_DIST}/{src.file}"
        cached = {
            "fullFilePath": f"file://{full}:{src.line}:{src.col}",
            "fileName": src.file,
            "fileNameWithLine": f"{src.file}:{src.line}",
            "fileColumn": str(src.col),
            "fileLine": str(src.line),
            "filePath": full,
            "filePathWithLine": f"{full}:{src.line}",
            "method": src.method,
        }
        PATH_CACHE[src] = cached
    return cached


def file_obj(rec: Rec, utc: str, loc: str) -> dict[str, Any]:
    """tslog record in writer key order: positional args, _meta, then time last."""
    obj: dict[str, Any] = {}
    if rec.binding is None:
        obj["0"] = rec.message
    else:
        obj["0"] = rec.binding
        if rec.meta is None:
            obj["1"] = rec.message
        else:
            obj["1"] = rec.meta
            obj["2"] = rec.message
    meta: dict[str, Any] = {
        "runtime": "node",
        "runtimeVersion": NODE_VERSION,
        "hostname": "unknown",
        "name": rec.binding if rec.binding is not None else "openclaw",
    }
    if rec.binding is not None:
        meta["parentNames"] = ["openclaw"]  # captured console records have none
    meta["date"] = utc
    meta["logLevelId"] = LEVEL_IDS[rec.level]
    meta["logLevelName"] = rec.level
    meta["path"] = src_path(rec.src)
    obj["_meta"] = meta
    obj["time"] = loc
    return obj


def dumps_line(obj: dict[str, Any]) -> str:
    # JSON.stringify: compact, non-ASCII kept as is.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass(slots=True)
class Rendered:
    ts: int
    file_line: str | None
    journal_line: str | None
    local_day: str


def render(recs: Iterable[Rec]) -> list[Rendered]:
    tf = TimeFormatter()
    out: list[Rendered] = []
    for rec in recs:
        sec, ms = divmod(rec.ts, 1000)
        up, lp, off, stamp, day = tf.parts(sec)
        utc = up + MS3[ms] + "Z"
        loc = lp + MS3[ms] + off
        file_line = dumps_line(file_obj(rec, utc, loc)) if rec.in_file else None
        journal_line = None
        if rec.console is not None and day == JOURNAL_DAY:
            body = rec.console if rec.raw_stderr else f"{loc} {rec.console}"
            journal_line = f"{stamp} {HOST} node[{EPOCHS.pid_at(rec.ts)}]: {body}"
        out.append(Rendered(rec.ts, file_line, journal_line, day))
    return out


# ---------------------------------------------------------------------------
# Noise pool for --size (pre-rendered once, cycled with cheap timestamp splicing)
# ---------------------------------------------------------------------------

UTC_SENTINEL: Final = "@@UTC@@"
LOC_SENTINEL: Final = "@@LOC@@"
NOISE_POOL_SIZE: Final = 3001  # prime, so the cycle never lines up with anything periodic


@dataclass(frozen=True, slots=True)
class NoiseEntry:
    before_utc: str
    between: str
    after_loc: str
    console: str


def build_noise_pool(seed: int, sessions: dict[tuple[str, str], Session]) -> list[NoiseEntry]:
    rng = random.Random(f"{seed}:noise")
    tg = [s for s in sessions.values() if s.key.split(":")[2] == "telegram"]
    all_sessions = list(sessions.values())
    pool: list[NoiseEntry] = []
    tl = Timeline()
    for _ in range(NOISE_POOL_SIZE):
        roll = rng.random()
        meta: dict[str, Any] | None = None
        if roll < 0.70:
            s = rng.choice(tg)
            chars = rng.randrange(3, 700)
            if ":group:" in s.key:
                text = (
                    f"Inbound message {s.key.split(':', 2)[2]} -> {TELEGRAM_BOT} "
                    f"(group, {chars} chars)"
                )
            else:
                text = (
                    f"Inbound message telegram:{s.key.rsplit(':', 1)[1]} -> {TELEGRAM_BOT} "
                    f"(direct, {chars} chars)"
                )
            level, sub = "INFO", "gateway/channels/telegram"
        elif roll < 0.96:
            text = (
                f"Inbound message {rng.choice(WHATSAPP_PEERS)} -> {WHATSAPP_SELF} "
                f"(direct, {rng.randrange(2, 400)} chars)"
            )
            level, sub = "INFO", "gateway/channels/whatsapp"
        elif roll < 0.99:
            s = rng.choice(all_sessions)
            text = (
                f"lane wait exceeded: lane={s.lane} waitedMs={rng.randrange(2100, 45000)} "
                f"queueAhead={rng.randrange(1, 5)}"
            )
            level, sub = "WARN", "diagnostic"
        else:
            meta = rate_limit_decision(rng)
            text, level, sub = "model fallback decision", "WARN", "model-fallback/decision"
        tl.add(0, level, sub, text, meta)
        rec = tl.recs[-1]
        line = dumps_line(file_obj(rec, UTC_SENTINEL, LOC_SENTINEL))
        head, rest = line.split(UTC_SENTINEL)
        mid, tail = rest.split(LOC_SENTINEL)
        assert rec.console is not None
        assert line.isascii()  # byte length == len(str) in the hot loop
        pool.append(NoiseEntry(head, mid, tail, rec.console))
    return pool


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------


class RotatingDayWriter:
    """Writes one local day's file log, rotating like logging.maxFileBytes does.

    Parts are written in time order to temporary names; at close() the newest part
    becomes openclaw-<day>.log and older ones .1.log, .2.log, ... (.1 = most recent).
    """

    def __init__(
        self, directory: Path, day: str, max_bytes: int | None, split_at: int | None
    ) -> None:
        self.directory = directory
        self.day = day
        self.max_bytes = max_bytes
        self.split_at = split_at
        self.parts: list[tuple[Path, int]] = []  # (temp path, line count)
        self._buf: list[str] = []
        self._bytes = 0
        self._lines = 0
        self._fh: TextIO | None = None
        self._open()

    def _open(self) -> None:
        path = self.directory / f".part-{self.day}-{len(self.parts):03d}.tmp"
        self._fh = path.open("w", encoding="utf-8", newline="\n")
        self.parts.append((path, 0))
        self._bytes = 0
        self._lines = 0

    def _flush(self) -> None:
        if self._buf and self._fh is not None:
            self._fh.write("".join(self._buf))
            self._buf.clear()

    def _rotate(self) -> None:
        self._flush()
        assert self._fh is not None
        self._fh.close()
        path, _ = self.parts[-1]
        self.parts[-1] = (path, self._lines)
        self._open()

    def write(self, line: str, ts: int, size: int) -> None:
        """line already ends with a newline; size is its UTF-8 byte length."""
        if self.split_at is not None and ts >= self.split_at and len(self.parts) == 1:
            if self._lines:
                self._rotate()
            self.split_at = None
        elif self.max_bytes is not None and self._bytes + size > self.max_bytes and self._lines:
            self._rotate()
        self._buf.append(line)
        self._bytes += size
        self._lines += 1
        if len(self._buf) >= 20000:
            self._flush()

    def close(self, gzip_it: bool) -> dict[str, int]:
        """Finish and rename the parts; returns {relative name: line count}."""
        self._flush()
        assert self._fh is not None
        self._fh.close()
        path, _ = self.parts[-1]
        self.parts[-1] = (path, self._lines)
        names: dict[str, int] = {}
        count = len(self.parts)
        for index, (tmp, lines) in enumerate(self.parts):
            age = count - 1 - index  # 0 = current file
            name = f"openclaw-{self.day}.log" if age == 0 else f"openclaw-{self.day}.{age}.log"
            if gzip_it:
                target = self.directory / (name + ".gz")
                with (
                    tmp.open("rb") as src,
                    target.open("wb") as raw,
                    gzip.GzipFile(
                        filename=name, mode="wb", fileobj=raw, mtime=0, compresslevel=9
                    ) as gz,
                ):
                    shutil.copyfileobj(src, gz, 1 << 20)
                tmp.unlink()
                names[target.name] = lines
            else:
                tmp.replace(self.directory / name)
                names[name] = lines
        return names


def parse_size(text: str) -> int:
    """'200MB', '1GB', '1.5G', '750K', '123' -> bytes (binary multiples)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", text.upper())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (try 200MB or 1GB)")
    number, unit = match.groups()
    scale = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}[unit]
    return int(float(number) * scale)


def day_bounds(day: str) -> tuple[int, int]:
    start = local_midnight_ms(day)
    next_day = (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    return start, local_midnight_ms(next_day)


def noise_times(start: int, end: int, n: int, seed: int) -> Iterator[int]:
    """n monotonic, evenly spread instants in [start, end) with small deterministic jitter."""
    if n <= 0:
        return
    span = end - start
    step = span // n
    rng = random.Random(f"{seed}:jitter")
    jitter = [rng.randrange(0, max(1, step // 2)) for _ in range(997)]
    for i in range(n):
        yield start + (i * span) // n + jitter[i % 997]


def write_logs(
    out: Path,
    *,
    rendered: list[Rendered],
    pool: list[NoiseEntry],
    noise_per_day: dict[str, int],
    scaled: bool,
    seed: int,
) -> dict[str, int]:
    """Write the file logs and the journal; returns {relative path: line count}."""
    log_dir = out / "tmp-openclaw"
    journal_dir = out / "journal"
    log_dir.mkdir(parents=True)
    journal_dir.mkdir(parents=True)
    lines: dict[str, int] = {}
    journal_path = journal_dir / "openclaw-gateway.txt"
    journal = journal_path.open("w", encoding="utf-8", newline="\n")
    journal.write(JOURNAL_HEADER + "\n")
    journal_lines = 1
    jbuf: list[str] = []
    tf = TimeFormatter()
    pool_len = len(pool)
    a_end, b_boot = EPOCHS.a_end, EPOCHS.b_boot
    host_a = f" {HOST} node[{PID_A}]: "
    host_b = f" {HOST} node[{PID_B}]: "

    for day in DAYS:
        d0, d1 = day_bounds(day)
        base = [r for r in rendered if r.local_day == day]
        n_noise = noise_per_day.get(day, 0)
        if scaled:
            est = sum(len(r.file_line) + 1 for r in base if r.file_line) + n_noise * 700
            max_bytes: int | None = max(
                ROTATE_MAX_BYTES, math.ceil(est / (ROTATE_MAX_ARCHIVES + 1))
            )
            split_at = None
        else:
            max_bytes, split_at = None, (ms_of(SAMPLE_ROTATE_AT) if day == "2026-05-28" else None)
        writer = RotatingDayWriter(log_dir, day, max_bytes, split_at)
        to_journal = day == JOURNAL_DAY
        times = noise_times(d0, d1, n_noise, seed + d0)
        next_noise = next(times, None)
        i = 0
        for rec in [*base, None]:
            limit = rec.ts if rec is not None else d1
            # Hot loop: splice timestamps into pre-rendered noise lines.
            while next_noise is not None and next_noise < limit:
                t = next_noise
                next_noise = next(times, None)
                if a_end < t < b_boot:
                    continue
                entry = pool[i % pool_len]
                i += 1
                sec = t // 1000
                up, lp, off, stamp, _ = tf.parts(sec)
                ms3 = MS3[t - sec * 1000]
                loc = lp + ms3 + off
                line = entry.before_utc + up + ms3 + "Z" + entry.between + loc + entry.after_loc
                line += "\n"
                writer.write(line, t, len(line))
                if to_journal:
                    jbuf.append(
                        stamp
                        + (host_a if t <= a_end else host_b)
                        + loc
                        + " "
                        + entry.console
                        + "\n"
                    )
            if rec is None:
                break
            if rec.file_line is not None:
                line = rec.file_line + "\n"
                writer.write(line, rec.ts, len(line.encode("utf-8")))
            if rec.journal_line is not None:
                jbuf.append(rec.journal_line + "\n")
            if len(jbuf) >= 20000:
                journal.write("".join(jbuf))
                journal_lines += len(jbuf)
                jbuf.clear()
        for name, count in writer.close(gzip_it=(day == GZIPPED_DAY and not scaled)).items():
            lines[f"tmp-openclaw/{name}"] = count
    journal.write("".join(jbuf))
    journal_lines += len(jbuf)
    journal.close()
    lines["journal/openclaw-gateway.txt"] = journal_lines
    return lines


# ---------------------------------------------------------------------------
# sessions cleanup outputs (formats doc §4.1; src/commands/sessions-cleanup.ts)
# ---------------------------------------------------------------------------

ACTION_PAD: Final = 12
SESSION_KEY_PAD: Final = 26
SESSION_AGE_PAD: Final = 9
SESSION_MODEL_PAD: Final = 14


@dataclass(slots=True)
class StoreEntry:
    key: str
    session_id: str
    updated_at: int
    model: str
    thinking: str | None
    live: bool  # a scenario session: touched shortly before every cleanup run


def time_ago(duration_ms: int) -> str:
    """formatTimeAgo() of src/infra/format-time/format-relative.ts (with suffix)."""
    seconds = round(duration_ms / 1000)
    minutes = round(seconds / 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes}m ago"
    hours = round(minutes / 60)
    if hours < 48:
        return f"{hours}h ago"
    return f"{round(hours / 24)}d ago"


def truncate_key(key: str) -> str:
    if len(key) <= SESSION_KEY_PAD:
        return key
    head = max(4, SESSION_KEY_PAD - 10)
    return f"{key[:head]}...{key[-6:]}"


def build_stores(
    seed: int, sessions: dict[tuple[str, str], Session]
) -> dict[str, list[StoreEntry]]:
    rng = random.Random(f"{seed}:stores")
    ref = ms_of("2026-05-28T00:00:00.000Z")
    stores: dict[str, list[StoreEntry]] = {a: [] for a in AGENTS}
    for s in sessions.values():
        stores[s.agent].append(
            StoreEntry(
                s.key,
                s.session_id,
                ref,
                model_of(s.agent)[1],
                rng.choice((None, "medium")),
                live=True,
            )
        )
    for agent in AGENTS:
        for _ in range(rng.randrange(3, 12)):
            kind = rng.choice(("cron-run", "dm", "subagent"))
            if kind == "cron-run":
                key = f"agent:{agent}:cron:{new_uuid(rng)}:run:{new_uuid(rng)}"
            elif kind == "dm":
                key = f"agent:{agent}:telegram:direct:{rng.randrange(10**9, 10**10)}"
            else:
                key = f"agent:{agent}:subagent:{new_uuid(rng)}"
            # Idle leftovers, older than the first cleanup run; some cross pruneAfter (30d).
            age = rng.randrange(3 * 86400000, 44 * 86400000)
            stores[agent].append(
                StoreEntry(key, new_uuid(rng), ref - age, model_of(agent)[1], None, live=False)
            )
    return stores


def cleanup_text(when: int, mode: str, stores: dict[str, list[StoreEntry]]) -> str:
    out: list[str] = []
    for index, agent in enumerate(AGENTS):
        entries = sorted(stores[agent], key=lambda e: -e.updated_at)
        stale = [e for e in entries if when - e.updated_at > CLEANUP_PRUNE_AFTER_MS]
        store_path = f"{STATE_DIR}/agents/{agent}/sessions/sessions.json"
        if index:
            out.append("")
        out.append(f"Agent: {agent}")
        out.append(f"Session store: {store_path}")
        if mode == "applied":
            out.append(f"Applied maintenance. Current entries: {len(entries) - len(stale)}")
            continue
        before, after = len(entries), len(entries) - len(stale)
        out.append("Maintenance mode: warn")
        out.append(f"Entries: {before} -> {after} (remove {before - after})")
        out.append("Would prune missing transcripts: 0")
        out.append(f"Would prune stale: {len(stale)}")
        out.append("Would cap overflow: 0")
        out.append("")
        out.append("Planned session actions:")
        out.append(
            " ".join(
                (
                    "Action".ljust(ACTION_PAD),
                    "Key".ljust(SESSION_KEY_PAD),
                    "Age".ljust(SESSION_AGE_PAD),
                    "Model".ljust(SESSION_MODEL_PAD),
                    "Flags",
                )
            )
        )
        for e in entries:
            action = "prune-stale" if e in stale else "keep"
            flags = " ".join(
                f for f in (f"think:{e.thinking}" if e.thinking else "", f"id:{e.session_id}") if f
            )
            row = " ".join(
                (
                    action.ljust(ACTION_PAD),
                    truncate_key(e.key).ljust(SESSION_KEY_PAD),
                    time_ago(when - e.updated_at).ljust(SESSION_AGE_PAD),
                    e.model.ljust(SESSION_MODEL_PAD),
                    flags,
                )
            )
            out.append(row.rstrip())
    return "\n".join(out) + "\n"


def write_cleanups(
    out: Path, seed: int, sessions: dict[tuple[str, str], Session]
) -> dict[str, int]:
    cleanup_dir = out / "cleanup"
    cleanup_dir.mkdir(parents=True)
    stores = build_stores(seed, sessions)
    lines: dict[str, int] = {}
    for when_iso, mode in CLEANUP_RUNS:
        when = ms_of(when_iso)
        # Scenario sessions stay in use; their updatedAt trails each run by minutes to hours.
        touch = random.Random(f"{seed}:touch:{when_iso}")
        for entries in stores.values():
            for e in entries:
                if e.live:
                    e.updated_at = when - touch.randrange(30000, 6 * 3600000)
        text = cleanup_text(when, mode, stores)
        if mode == "applied":
            for agent, entries in stores.items():
                stores[agent] = [
                    e for e in entries if when - e.updated_at <= CLEANUP_PRUNE_AFTER_MS
                ]
        name = f"sessions-cleanup-{datetime.fromtimestamp(when / 1000, tz=UTC):%Y-%m-%dT%H%MZ}.txt"
        (cleanup_dir / name).write_text(text, encoding="utf-8", newline="\n")
        lines[f"cleanup/{name}"] = text.count("\n")
    return lines


# ---------------------------------------------------------------------------
# Host captures from the incident (formats doc §4.2, §5, §8): `systemctl status`
# and `openclaw doctor` taken during burst 1, and the diagnostics export zip
# taken after the restart.  Times sit in the file names, as operators save them.
# ---------------------------------------------------------------------------

SYSTEMCTL_AT: Final = "2026-05-28T04:28:00.000Z"
SYSTEMCTL_TAIL: Final = 10  # `systemctl status` prints the last 10 journal lines
DOCTOR_AT: Final = "2026-05-28T04:31:00.000Z"
# Session lock files doctor found (agent, slot, age ms), all held by process A;
# only the oldest is past staleMs (30 min).  No --fix: nothing is removed.
DOCTOR_LOCKS: Final = (
    ("fleet-ops", "slack", 561_000),
    ("research", "main", 1_862_000),
    ("woodhouse", "tg", 280_000),
)
STABILITY_AT: Final = "2026-05-28T04:36:12.004Z"  # A's memory-pressure stability bundle
EXPORT_AT: Final = "2026-05-28T05:31:07.220Z"  # `openclaw gateway diagnostics export`
EXPORT_PID: Final = 53110  # the exporting CLI process
EXPORT_LOG_LINES: Final = 60  # --log-lines 60
NOTE_WIDTH: Final = 70  # clack note word-wrap width on an 80-column terminal
NOTE_INNER: Final = 78  # clack box inner width: longer lines split at a path separator


def capture_stamp(iso: str) -> str:
    """`2026-05-28T04:28:00.000Z` -> `2026-05-28T0428Z` (operator file-name stamp)."""
    return datetime.fromtimestamp(ms_of(iso) / 1000, tz=UTC).strftime("%Y-%m-%dT%H%MZ")


def local_dt(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=TZ)


def systemd_ago(ms: int) -> str:
    """format_timestamp_relative() of systemd for spans of a week or more."""
    days = ms // 86_400_000
    weeks, days = divmod(days, 7)
    return f"{weeks} week{'s' if weeks != 1 else ''} {days} day{'s' if days != 1 else ''} ago"


def write_systemctl(out: Path, rendered: list[Rendered], tl: Timeline) -> dict[str, int]:
    """`systemctl --user status openclaw-gateway` while A was wedged: its journal tail
    repeats lines of journal/openclaw-gateway.txt (an overlapping copy)."""
    at = ms_of(SYSTEMCTL_AT)
    since = local_dt(EPOCHS.a_start)
    tail = [r.journal_line for r in rendered if r.journal_line and r.ts <= at][-SYSTEMCTL_TAIL:]
    unit = f"{STATE_DIR.rsplit('/', 1)[0]}/.config/systemd/user/{SYSTEMD_UNIT}"
    lines = [
        f"● {SYSTEMD_UNIT} - OpenClaw Gateway (v{OPENCLAW_VERSION})",
        f"     Loaded: loaded ({unit}; enabled; preset: enabled)",
        f"     Active: active (running) since {since:%a %Y-%m-%d %H:%M:%S %Z}; "
        f"{systemd_ago(at - EPOCHS.a_start)}",
        f"   Main PID: {PID_A} (node)",
        "      Tasks: 23 (limit: 38169)",
        "     Memory: 1.2G (peak: 1.9G)",
        "        CPU: 6h 41min 12.904s",
        f"     CGroup: /user.slice/user-1000.slice/user@1000.service/app.slice/{SYSTEMD_UNIT}",
        f"             └─{PID_A} openclaw-gateway",
        "",
        *tail,
    ]
    directory = out / "host"
    directory.mkdir(parents=True)
    name = f"systemctl-status-{capture_stamp(SYSTEMCTL_AT)}.txt"
    (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    tl.occ.append(Occurrence("uptime", at))
    return {f"host/{name}": len(lines)}


def wrap_note_line(line: str) -> list[str]:
    """wrapLine() + splitOversizedCopySensitiveLine() of packages/terminal-core/src/note.ts."""
    if not line.strip():
        return [line]
    m = re.match(r"^(\s*)([-*•]\s+)?(.*)$", line)
    assert m is not None
    indent, bullet, content = m[1], m[2] or "", m[3]
    prefix, next_prefix = indent + bullet, indent + " " * len(bullet)
    available, next_width = (
        max(10, NOTE_WIDTH - len(prefix)),
        max(10, NOTE_WIDTH - len(next_prefix)),
    )
    wrapped: list[str] = []
    current = ""
    for word in content.split():
        if current and len(f"{current} {word}") > available:
            wrapped.append(prefix + current)
            prefix, available, current = next_prefix, next_width, word
        else:
            current = f"{current} {word}" if current else word  # paths stay whole
    wrapped.append(prefix + current)
    out: list[str] = []
    for piece in wrapped:
        lead = piece[: len(piece) - len(piece.lstrip())]
        rest = piece[len(lead) :]
        while len(lead + rest) > NOTE_INNER:
            cut = rest[:NOTE_INNER].rfind("/") + 1 or NOTE_INNER
            out.append(lead + rest[:cut])
            rest = rest[cut:]
        out.append(lead + rest)
    return out


def clack_note(title: str, message: list[str]) -> list[str]:
    """@clack/prompts note(): a titled box, drawn even when stdout is not a terminal."""
    body = ["", *(w for line in message for w in wrap_note_line(line)), ""]
    width = max(*(len(b) for b in body), len(title)) + 2
    return [
        "│",
        f"◇  {title} {'─' * max(width - len(title) - 1, 1)}╮",
        *(f"│  {b}{' ' * (width - len(b))}│" for b in body),
        f"├{'─' * (width + 2)}╯",
    ]


def write_doctor(
    out: Path, tl: Timeline, sessions: dict[tuple[str, str], Session]
) -> dict[str, int]:
    """`openclaw doctor` during burst 1 (src/commands/doctor-session-locks.ts)."""
    at = ms_of(DOCTOR_AT)
    locks = sorted(
        (
            (sessions[(agent, slot)].lock_path.replace(HOME, "~", 1), age)
            for agent, slot, age in DOCTOR_LOCKS
        ),
    )
    bullets = [f"- Found {len(locks)} session lock files."]
    stale = 0
    for path, age in locks:
        seconds = age // 1000
        age_text = (
            f"{seconds // 60}m{seconds % 60}s"
            if seconds < 3600
            else f"{seconds // 3600}h{seconds % 3600 // 60}m"
        )
        if age > LOCK_STALE_MS:
            stale += 1
            state = "stale=yes (too-old)"
        else:
            state = "stale=no"
        bullets.append(f"- {path} pid={PID_A} (alive) age={age_text} {state}")
        tl.occ.append(Occurrence("doctor_lock", at))
    bullets.append(
        f"- {stale} lock file is stale." if stale == 1 else f"- {stale} lock files are stale."
    )
    bullets.append('- Run "openclaw doctor --fix" to remove stale lock files automatically.')
    lines = [
        "┌  OpenClaw doctor",
        *clack_note(
            "Gateway",
            [
                f"Gateway service: systemd user unit {SYSTEMD_UNIT} (running, pid {PID_A})",
                f"Gateway: ws://127.0.0.1:{GATEWAY_PORT} (reachable)",
            ],
        ),
        *clack_note("Session locks", bullets),
        "│",
        "└  Doctor complete.",
    ]
    directory = out / "doctor"
    directory.mkdir(parents=True)
    name = f"doctor-{capture_stamp(DOCTOR_AT)}.txt"
    (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return {f"doctor/{name}": len(lines)}


# Safe keys and redactions of src/logging/diagnostic-support-export.ts and
# diagnostic-support-redaction.ts (the subset the scenario's records exercise).
SUPPORT_STRING_KEYS: Final = re.compile(
    r"^(?:action|channel|code|component|endpoint|event|handshake|kind|level|localAddr|logger|method"
    r"|model|module|msg|name|outcome|phase|pluginId|provider|reason|remoteAddr|requestId|runId"
    r"|service|sessionId|sessionKey|source|status|subsystem|surface|target|time|traceId|type)$",
    re.I,
)
SUPPORT_SCALAR_KEYS: Final = re.compile(
    r"^(?:active|attempt|bytes|count|durationMs|enabled|exitCode|intervalMs|jobs|limitBytes"
    r"|localPort|nextWakeAtMs|pid|port|queueDepth|queued|remotePort|statusCode|waitMs|waiting)$",
    re.I,
)
SUPPORT_OMITTED_KEYS: Final = re.compile(
    r"(?:authorization|body|chat|content|cookie|credential|detail|error|header|instruction"
    r"|message|password|payload|prompt|result|secret|text|token|tool|transcript|url)",
    re.I,
)
SUPPORT_UNSAFE_MESSAGE: Final = re.compile(
    r"(?:\b(?:ai response|assistant said|chat text|message contents|prompt|raw webhook body"
    r"|tool output|tool result|transcript|user said|webhook body)\b"
    r"|auto-responding\b.*:\s*[\"']|partial for\b.*:)",
    re.I,
)


def redact_support(text: str, max_length: int = 240) -> str:
    text = re.sub(
        r"\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b", "<redacted-email>", text, flags=re.I
    )
    text = re.sub(r"(^|[^\w:/])@[A-Za-z0-9_]{5,}\b(?!\.)", r"\1<redacted-handle>", text)
    text = re.sub(r"\b\d{9,}\b", "<redacted-id>", text)
    text = text.replace(STATE_DIR, "$OPENCLAW_STATE_DIR").replace(HOME, "~")
    return text[:max_length]


def sanitize_record(line: str) -> dict[str, Any]:
    """sanitizeLogRecord(): a file-log line flattened to safe keys."""
    source = json.loads(line)
    out: dict[str, Any] = {}

    def add(key: str, value: Any) -> None:
        if SUPPORT_OMITTED_KEYS.search(key):
            return
        scalar = value is None or isinstance(value, bool | int | float)
        if isinstance(value, str) and SUPPORT_STRING_KEYS.match(key):
            out[key] = redact_support(value)
        elif scalar and (SUPPORT_STRING_KEYS.match(key) or SUPPORT_SCALAR_KEYS.match(key)):
            out[key] = value

    def record(value: Any) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        if isinstance(value, str) and value.strip().startswith("{") and value.strip().endswith("}"):
            parsed = json.loads(value)
            return parsed if isinstance(parsed, dict) else None
        return None

    for key, value in source.items():
        if key != "_meta" and not key.isdigit():
            add(key, value)
    meta = source.get("_meta", {})
    for src, dst in (("logLevelName", "level"), ("name", "logger")):
        value = meta.get(src)
        if dst in out or not isinstance(value, str):
            continue
        if src == "name" and (bound := record(value)) is not None:
            for k, v in bound.items():
                add(k, v)
            continue
        out[dst] = redact_support(value)
    for key in sorted((k for k in source if k.isdigit()), key=int):
        value = source[key]
        if (bound := record(value)) is not None:
            for k, v in bound.items():
                add(k, v)
        elif isinstance(value, str):
            message = redact_support(value)
            if "msg" not in out and message and not SUPPORT_UNSAFE_MESSAGE.search(message):
                out["msg"] = message
            else:
                out["omitted"] = "log-message"
                out["omittedLogMessageBytes"] = out.get("omittedLogMessageBytes", 0) + len(
                    value.encode()
                )
                out["omittedLogMessageCount"] = out.get("omittedLogMessageCount", 0) + 1
    return out or {"omitted": "no-safe-fields", "bytes": len(line.encode())}


def support_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write_diagnostics_export(out: Path, rendered: list[Rendered], tl: Timeline) -> dict[str, int]:
    """The zip `openclaw gateway diagnostics export --log-lines 60` writes after the restart."""
    at = ms_of(EXPORT_AT)
    generated = iso_z(at)
    tail = [r.file_line for r in rendered if r.file_line and r.ts < at][-EXPORT_LOG_LINES:]
    log_file = f"{LOG_DIR}/openclaw-{local_dt(at):%Y-%m-%d}.log"
    stability_at = ms_of(STABILITY_AT)
    stability_name = (
        f"openclaw-stability-{iso_z(stability_at).replace(':', '-').replace('.', '-')}"
        f"-{PID_A}-diagnostic.memory.pressure.critical.json"
    )
    stability = {
        "version": 1,
        "generatedAt": iso_z(stability_at),
        "reason": "diagnostic.memory.pressure.critical",
        "process": {
            "pid": PID_A,
            "platform": "linux",
            "arch": "x64",
            "node": NODE_VERSION,
            "uptimeMs": stability_at - EPOCHS.a_start,
        },
        "host": {"hostname": "<redacted-hostname>"},
        "evidence": {
            "memoryPressure": {
                "level": "critical",
                "reason": "rss_threshold",
                "memory": {
                    "rssBytes": 1_932_861_440,
                    "heapTotalBytes": 1_398_145_024,
                    "heapUsedBytes": 1_310_972_216,
                    "externalBytes": 48_211_907,
                    "arrayBuffersBytes": 21_557_102,
                },
                "thresholdBytes": 1_879_048_192,
            }
        },
        "snapshot": {
            "generatedAt": iso_z(stability_at),
            "capacity": 1000,
            "count": 0,
            "dropped": 0,
            "events": [],
            "summary": {"byType": {}},
        },
    }
    tl.occ.append(Occurrence("uptime", stability_at))
    shape = {
        "path": "$OPENCLAW_STATE_DIR/openclaw.json",
        "exists": True,
        "parseOk": True,
        "bytes": 6184,
        "mtime": "2026-05-19T08:12:40.511Z",
        "topLevelKeys": ["agents", "channels", "gateway", "logging", "models", "session"],
        "gateway": {"mode": "local", "bind": "loopback", "port": GATEWAY_PORT, "authMode": "token"},
        "channels": {"count": 3, "ids": ["slack", "telegram", "whatsapp"]},
    }
    status = {"status": "included", "path": "status/gateway-status.json"}
    health = {"status": "included", "path": "health/gateway-health.json"}
    files: list[tuple[str, str, str]] = [
        (
            "diagnostics.json",
            "application/json",
            support_json(
                {
                    "generatedAt": generated,
                    "openclawVersion": OPENCLAW_VERSION,
                    "process": {
                        "platform": "linux",
                        "arch": "x64",
                        "node": NODE_VERSION,
                        "pid": EXPORT_PID,
                    },
                    "stateDir": "$OPENCLAW_STATE_DIR",
                    "config": shape,
                    "logs": {
                        "file": log_file,
                        "cursor": 1_693_208,
                        "size": 1_693_208,
                        "lineCount": len(tail),
                        "truncated": True,
                        "reset": False,
                    },
                    "stability": {
                        "status": "found",
                        "path": f"$OPENCLAW_STATE_DIR/logs/stability/{stability_name}",
                        "mtimeMs": stability_at,
                        "eventCount": 0,
                        "reason": stability["reason"],
                        "generatedAt": stability["generatedAt"],
                    },
                    "status": status,
                    "health": health,
                }
            ),
        ),
        ("config/shape.json", "application/json", support_json(shape)),
        (
            "config/sanitized.json",
            "application/json",
            support_json(
                {
                    "gateway": {
                        "auth": {"mode": "token", "token": "<redacted>"},
                        "bind": "loopback",
                        "mode": "local",
                        "port": GATEWAY_PORT,
                    },
                    "logging": {"level": "info"},
                }
            ),
        ),
        (
            "logs/openclaw-sanitized.jsonl",
            "application/x-ndjson",
            "\n".join(dumps_line(sanitize_record(line)) for line in tail) + "\n",
        ),
        (
            "status/gateway-status.json",
            "application/json",
            support_json(
                {
                    "status": "ok",
                    "capturedAt": generated,
                    "data": {
                        "gateway": {"port": GATEWAY_PORT, "reachable": True},
                        "runtime": {"pid": PID_B, "status": "running"},
                        "service": {"label": SYSTEMD_UNIT, "loaded": True},
                    },
                }
            ),
        ),
        (
            "health/gateway-health.json",
            "application/json",
            support_json(
                {
                    "status": "ok",
                    "capturedAt": generated,
                    "data": {
                        "channels": {"slack": {"ok": True}, "telegram": {"ok": True}},
                        "ok": True,
                    },
                }
            ),
        ),
        ("stability/latest.json", "application/json", support_json(stability)),
        (
            "summary.md",
            "text/plain; charset=utf-8",
            "\n".join(
                [
                    "# OpenClaw Diagnostics Export",
                    "",
                    "Attach this zip to the bug report. It is designed for maintainers to inspect "
                    "without asking for raw logs first.",
                    "",
                    "## Generated",
                    "",
                    f"Generated: {generated}",
                    f"OpenClaw: {OPENCLAW_VERSION}",
                    "",
                    "## Contents",
                    "",
                    "- included latest stability bundle (0 event(s))",
                    f"- sanitized log tail ({len(tail)} line(s), inspected 1693208 byte(s), raw "
                    "messages omitted)",
                    "- config shape included (parsed)",
                    "- gateway status snapshot included (status/gateway-status.json)",
                    "- gateway health snapshot included (health/gateway-health.json)",
                ]
            )
            + "\n",
        ),
    ]
    manifest = {
        "version": 1,
        "generatedAt": generated,
        "openclawVersion": OPENCLAW_VERSION,
        "platform": "linux",
        "arch": "x64",
        "node": NODE_VERSION,
        "stateDir": "$OPENCLAW_STATE_DIR",
        "contents": [
            {"path": path, "mediaType": media, "bytes": len(content.encode())}
            for path, media, content in files
        ],
        "privacy": {
            "payloadFree": True,
            "rawLogsIncluded": False,
            "notes": [
                "Stability bundles are payload-free diagnostic snapshots.",
                "Logs keep operational summaries and safe metadata fields; "
                "payload-like fields are omitted.",
            ],
        },
    }
    files.insert(0, ("manifest.json", "application/json", support_json(manifest)))
    directory = out / "support"
    directory.mkdir(parents=True)
    name = f"openclaw-diagnostics-{generated.replace(':', '-').replace('.', '-')}-{EXPORT_PID}.zip"
    stamp = local_dt(at).timetuple()[:6]
    with zipfile.ZipFile(directory / name, "w") as archive:
        for path, _media, content in files:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same bytes whichever OS generates the sample
            archive.writestr(info, content.encode(), compresslevel=6)
    return {f"support/{name}/{path}": content.count("\n") for path, _media, content in files}


# ---------------------------------------------------------------------------
# Ground truth
# ---------------------------------------------------------------------------

LOCK_KINDS: Final = ("lock_stale", "lock_timeout", "takeover")
COUNTED_KINDS: Final = (
    "lock_stale",
    "lock_timeout",
    "takeover",
    "lock_released_by_watchdog",
    "store_lock_timeout",
    "gateway_restart",
    "gateway_start",
    "gateway_start_failed",
    "stuck_session",
    "compaction",
    "tool_call",
    "run",
    "uptime",
    "cleanup_run",
    "doctor_lock",
)


# What clears a session, most specific first (the order ties are broken in);
# the rule is the analyzer's, documented in lockforensics/correlate/resolution.py.
RESOLVER_RANK: Final = {"run": 0, "cleanup_run": 3, "gateway_restart": 4}
RUN_DONE: Final = re.compile(r"embedded run done: runId=\S+ sessionId=(\S+) .*aborted=false$")


def resolution_truth(
    tl: Timeline, mine: list[Occurrence], sessions: dict[tuple[str, str], Session]
) -> tuple[str, int]:
    """(resolved_by, resolved_at ms) of one burst, from the scenario's own timeline.

    Each session of the burst is cleared by the first successful run on it, cleanup
    run (they cover every store) or gateway restart after the burst's last failure,
    and after the doctor run if doctor still saw its lock before its next failure.
    The burst is resolved when its last session is cleared.
    """
    end = mine[-1].ts
    runs_done = [(r.ts, m[1]) for r in tl.recs if (m := RUN_DONE.match(r.message)) is not None]
    doctor_saw = {sessions[(agent, slot)].session_id for agent, slot, _ in DOCTOR_LOCKS}
    cleared: list[tuple[int, int, str]] = []
    for sid in sorted({o.session_id for o in mine if o.session_id}):
        since = end
        later = [
            o.ts for o in tl.occ if o.kind in LOCK_KINDS and o.session_id == sid and o.ts > end
        ]
        doctor = ms_of(DOCTOR_AT)
        if sid in doctor_saw and end < doctor < min(later, default=doctor + 1):
            since = doctor
        candidates = [(t, "run") for t, s in runs_done if s == sid and t > since]
        candidates += [(ms_of(when), "cleanup_run") for when, _ in CLEANUP_RUNS]
        candidates += [(EPOCHS.a_end, "gateway_restart")]
        t, kind = min(
            ((t, k) for t, k in candidates if t > since), key=lambda c: (c[0], RESOLVER_RANK[c[1]])
        )
        cleared.append((t, -RESOLVER_RANK[kind], kind))
    t, _, kind = max(cleared)
    return kind, t


def expected_truth(
    tl: Timeline,
    bundle: str,
    lines: dict[str, int],
    sessions: dict[tuple[str, str], Session],
) -> dict[str, Any]:
    occ = tl.occ
    counts = {k: 0 for k in COUNTED_KINDS}
    seen_runs: set[str] = set()
    for o in occ:
        if o.kind == "run":
            if o.key in seen_runs:
                continue
            seen_runs.add(o.key or "")
        counts[o.kind] += 1

    lock_occ = sorted((o for o in occ if o.kind in LOCK_KINDS), key=lambda o: o.ts)
    incidents: list[dict[str, Any]] = []
    for index, _burst in enumerate(BURSTS):
        mine = [o for o in lock_occ if o.burst == index]
        start, end = mine[0].ts, mine[-1].ts
        epoch_start = EPOCHS.a_start if EPOCHS.pid_at(start) == PID_A else EPOCHS.b_start
        resolved_by, resolved_at = resolution_truth(tl, mine, sessions)
        incidents.append(
            {
                "start": iso_z(start),
                "end": iso_z(end),
                "agents": sorted({o.agent for o in mine if o.agent}),
                "sessions": sorted({o.session_id for o in mine if o.session_id}),
                "lock_stale": sum(o.kind == "lock_stale" for o in mine),
                "lock_timeout": sum(o.kind == "lock_timeout" for o in mine),
                "takeover": sum(o.kind == "takeover" for o in mine),
                "gateway_pid": EPOCHS.pid_at(start),
                "uptime_s": (start - epoch_start) // 1000,
                "resolved_by": resolved_by,
                "resolved_at": iso_z(resolved_at),
            }
        )

    takeovers: list[dict[str, Any]] = []
    for o in lock_occ:
        if o.kind != "takeover":
            continue
        before = [
            p
            for p in lock_occ
            if p.kind != "takeover"
            and p.session_path == o.session_path
            and o.ts - PRECURSOR_WINDOW_MS <= p.ts < o.ts
        ]
        precursor = before[-1].ts if before else None
        takeovers.append(
            {
                "ts": iso_z(o.ts),
                "session_id": o.session_id,
                "agent": o.agent,
                "precursor_ts": iso_z(precursor) if precursor is not None else None,
            }
        )

    return {
        "bundle": bundle,
        "host": HOST,
        "tz": TZ_NAME,
        "openclaw_version": OPENCLAW_VERSION,
        "occurrences": counts,
        "tool_calls": dict(sorted(tl.tool_calls.items())),
        "lines": dict(sorted(lines.items())),
        "gateway": {
            "epochs": [
                {"pid": PID_A, "start": iso_z(EPOCHS.a_start), "end": iso_z(EPOCHS.a_end)},
                {"pid": PID_B, "start": iso_z(EPOCHS.b_start), "end": None},
            ]
        },
        "incidents": incidents,
        "takeovers": takeovers,
        "cleanup_runs": sorted(iso_z(ms_of(when), with_ms=False) for when, _ in CLEANUP_RUNS),
    }


def check_scenario(truth: dict[str, Any]) -> None:
    """Guard the properties the analyzer's tests rely on (fails loudly if constants drift)."""
    takeovers = truth["takeovers"]
    orphans = [t for t in takeovers if t["precursor_ts"] is None]
    assert len(orphans) >= 2, "need takeovers without a preceding lock error"
    for t in takeovers:
        if t["precursor_ts"] is not None:
            lag = ms_of(t["ts"]) - ms_of(t["precursor_ts"])
            assert 1000 <= lag <= 20000, f"takeover lag out of range: {t}"
    assert truth["occurrences"]["gateway_restart"] == 1
    assert truth["occurrences"]["gateway_start"] == 1
    assert truth["incidents"][0]["uptime_s"] == 347 * 3600
    assert len(truth["incidents"][2]["agents"]) >= 8


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def expected_path(out: Path) -> Path:
    return out.with_name(out.name + ".expected.json")


def generate(out: Path, size_bytes: int | None = None, seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Write a bundle into ``out`` (+ ``<out>.expected.json``) and return the ground truth.

    Only the generator-owned subdirectories of ``out`` are replaced.  With ``size_bytes``
    the bundle is padded with background lines to about that many bytes in total.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for sub in ("tmp-openclaw", "journal", "cleanup", "host", "doctor", "support"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)

    builder = ScenarioBuilder(seed)
    tl = builder.build()
    rendered = render(tl.recs)
    lines = write_cleanups(out, seed, builder.sessions)

    noise_per_day: dict[str, int] = {}
    pool: list[NoiseEntry] = []
    if size_bytes is not None:
        pool = build_noise_pool(seed, builder.sessions)
        base = sum(len(r.file_line.encode()) + 1 for r in rendered if r.file_line)
        base += sum(len(r.journal_line.encode()) + 1 for r in rendered if r.journal_line)
        base += sum(p.stat().st_size for p in (out / "cleanup").iterdir())
        # Average noise line: pre-rendered parts + UTC stamp (24) + local stamp (29) + newline.
        avg_file = sum(len(e.before_utc) + len(e.between) + len(e.after_loc) for e in pool) / len(
            pool
        ) + (24 + 29 + 1)
        avg_journal = sum(len(e.console) for e in pool) / len(pool)
        avg_journal += len(f"May 28 06:22:13 {HOST} node[{PID_A}]: ") + 29 + 2
        remaining = max(0, size_bytes - base - len(JOURNAL_HEADER) - 1)
        spans = {day: day_bounds(day)[1] - day_bounds(day)[0] for day in DAYS}
        per_ms = sum(spans.values())
        weight = sum(
            spans[d] / per_ms * (avg_file + (avg_journal if d == JOURNAL_DAY else 0)) for d in DAYS
        )
        n_total = math.ceil(remaining / weight)
        noise_per_day = {d: math.ceil(n_total * spans[d] / per_ms) for d in DAYS}

    lines |= write_logs(
        out,
        rendered=rendered,
        pool=pool,
        noise_per_day=noise_per_day,
        scaled=size_bytes is not None,
        seed=seed,
    )
    tl.occ.extend(Occurrence("cleanup_run", ms_of(when)) for when, _ in CLEANUP_RUNS)
    lines |= write_systemctl(out, rendered, tl)
    lines |= write_doctor(out, tl, builder.sessions)
    lines |= write_diagnostics_export(out, rendered, tl)
    truth = expected_truth(tl, out.name, lines, builder.sessions)
    check_scenario(truth)
    expected_path(out).write_text(
        json.dumps(truth, indent=2, sort_keys=True) + "\n", encoding="utf-8", newline="\n"
    )
    return truth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, help="bundle directory (required with --size)")
    parser.add_argument("--size", type=parse_size, help="pad to this total size, e.g. 1GB")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    if args.size is not None and args.out is None:
        parser.error("--out is required with --size")
    out: Path = args.out or Path(__file__).resolve().parent / BUNDLE_NAME
    truth = generate(out, args.size, args.seed)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    occ = truth["occurrences"]
    print(
        f"wrote {out} ({total:,} bytes); lock_stale={occ['lock_stale']} "
        f"lock_timeout={occ['lock_timeout']} takeover={occ['takeover']}; "
        f"ground truth {expected_path(out)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
