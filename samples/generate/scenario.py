"""The incident scenario: host, agents, sessions, gateway processes, bursts and captures.

Pure constants (no computation), so every source and profile module can import
them.  Times are UTC ISO strings; ``epochs.py`` turns them into milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo

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

# `openclaw sessions cleanup --all-agents` runs (UTC, minute precision in file names):
# a dry-run cron every 6 h, and the runs that apply (the one after the restart, and
# the operator's after the later bursts); only those clear an incident.
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
    ("2026-05-28T06:55:00Z", "applied"),  # the operator's, after the second burst
    ("2026-05-28T12:00:00Z", "dry-run"),
    ("2026-05-28T14:40:00Z", "applied"),  # the operator's, after the third burst
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

# Host captures from the incident (formats doc §4.2, §5, §8): `systemctl status`
# and `openclaw doctor` taken during burst 1, and the diagnostics export zip
# taken after the restart.  Times sit in the file names, as operators save them.
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
