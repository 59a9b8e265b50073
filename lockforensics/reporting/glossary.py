"""The one glossary of display names: what every human-facing format calls a value.

The event table, the correlator and the JSON contract keep their snake_case
values (``lock_stale``, ``cleanup_run``, ``second_run``); people read these
words instead.  Terminal, Markdown and HTML all go through ``name``, so the
three formats never call one thing by two names.  A value missing here is
shown with its underscores turned into spaces, never raw.
"""

from __future__ import annotations

#: Event kinds (``schema.EventKind``).
KINDS = {
    "lock_stale": "lock stale",
    "log_suppressed": "log lines lost at the source",
    "lock_timeout": "lock timeout",
    "lock_removed": "stale lock removed at startup",
    "lock_released_by_watchdog": "lock released by watchdog",
    "lock_cleanup_failed": "lock cleanup failed",
    "lock_file": "lock file",
    "lock_census": "lock census run",
    "takeover": "takeover",
    "store_lock_timeout": "session-store lock timeout",
    "store_lock_stale": "session-store lock stale",
    "other_file_lock": "other file lock",
    "transcript_lock_busy": "transcript lock busy",
    "gateway_start": "gateway start",
    "gateway_start_failed": "gateway start failed",
    "gateway_reload": "gateway config reload",
    "gateway_restart": "gateway restart",
    "gateway_stop": "gateway stop",
    "uptime": "uptime report",
    "version": "version line",
    "run": "agent run",
    "run_failed": "agent run failed",
    "tool_call": "tool call",
    "compaction": "auto-compaction",
    "own_compaction": "auto-compaction by the taken-over run itself (no other writer)",
    "heartbeat": "a heartbeat's run on the session",
    "cron": "cron run",
    "subagent": "subagent",
    "lane_task": "lane task",
    "lane_error": "lane error",
    "lane_wait": "lane wait",
    "session_state": "session state",
    "session_store": "session store entry",
    "stuck_session": "stuck session",
    "model_fallback": "model fallback",
    "cleanup_run": "sessions cleanup run",
    "doctor_lock": "doctor lock check",
}

#: What cleared an incident (``incidents.resolved_by``, ``resolutions.kind``).
RESOLVERS = {
    "cleanup_run": "sessions cleanup run",
    "doctor_lock": "doctor --fix",
    "lock_removed": "startup stale-lock sweep",
    "lock_released_by_watchdog": "lock watchdog release",
    "gateway_restart": "gateway restart",
    "gateway_stop": "gateway stop (locks released on exit)",
    "gateway_exit": "gateway exit on an uncaught error (locks released on exit)",
    "gateway_start": "gateway start",
    "run": "next successful run",
    "run_timeout": "a run on the session timing out (lock released)",
    "lock_retaken": "its lock taken again (released by then; what released it is not in the logs)",
    "lease_lost": (
        "the lease holder's own error saying its lease expired or was replaced "
        "(released by then; what released it is not in the logs)"
    ),
    "lock_gone": (
        "its lock gone from the next lock census (released by then; "
        "what released it is not in the logs)"
    ),
}

#: Other writers of a session found near a takeover (``trigger_writers.trigger``).
TRIGGERS = {
    "second_run": "another run on the session",
    "heartbeat": "a heartbeat's run on the session",
    "compaction": "auto-compaction",
    "own_compaction": "auto-compaction by the taken-over run itself (no other writer)",
    "cron": "cron run",
    "queued_message": (
        "a message queued into the running session (a cron or sub-agent reply, sessions_send)"
    ),
    "sessions_send": "sessions_send by another run, to this session",
    "sessions_spawn": "sessions_spawn by another run, to this session",
    "sessions_send_of_agent": (
        "sessions_send by another run of the agent, its target not in view"
        " (a candidate, not seen writing this session)"
    ),
    "sessions_spawn_of_agent": (
        "sessions_spawn by another run of the agent, its target not in view"
        " (a candidate, not seen writing this session)"
    ),
}

#: Where an epoch's start came from (``epochs.start_source``).
START_SOURCES = {
    "start_line": "start line",
    "restart": "restart line",
    "uptime": "uptime report",
    "first_line": "first line (started earlier)",
}

#: How an epoch ended (``epochs.ended_by``).
ENDINGS = {
    "restart": "restart",
    "in_process_restart": "in-process restart",
    "stop": "stop",
    "crash": (
        "crash (killed: a signal, the OOM killer, a stop that hung; a fatal error; "
        "the host went down: no clean shutdown)"
    ),
    "unlogged": "next start (no stop logged)",
    "log_gap": "unseen: its logs stop at days with no file log, and another process ran after",
}

#: A crash the OOM killer caused (``epochs.oom_killed``): the cause is named.
OOM_KILLED = "crash: killed by the OOM killer (out of memory)"
#: A crash by OpenClaw's own fatal-error handler (``epochs.released_on_exit``).
EXITED_ON_ERROR = (
    "crash: exited on an uncaught error (process.exit: its lock files removed as it exited)"
)

#: Whose pid a lock file held at collection names (``held_locks.owner``).
OWNERS = {
    "running gateway": "the running gateway",
    "ended gateway": "a gateway that has ended (stale: dead-pid)",
    "dead process": "a process that has died (doctor or a stale error: dead-pid, recycled-pid)",
    "other process": "another process",
    "unknown": "unknown (gateway pid unknown)",
    "no pid": "names no pid (an empty or unreadable lock file)",
    "not read": "pid unknown (only listed by ls -l: its content is not in the bundle)",
}

_TABLES = {
    "kind": KINDS,
    "resolver": RESOLVERS,
    "trigger": TRIGGERS,
    "start_source": START_SOURCES,
    "ended_by": ENDINGS,
    "owner": OWNERS,
}


def name(table: str, value: str | None, missing: str = "-") -> str:
    """The display name of ``value`` in glossary ``table`` (``kind``, ``resolver``, …)."""
    if value is None:
        return missing
    return _TABLES[table].get(value, value.replace("_", " "))


def kind(value: str | None) -> str:
    """An event kind as people read it (``lock_stale`` → ``lock stale``)."""
    return name("kind", value)
