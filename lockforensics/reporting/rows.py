"""The report's tables as plain values, shared by the Markdown and HTML reporters.

Each function returns a header and rows of human-formatted but *unescaped*
values; every format applies its own escaping.  Keeping the choice of
columns and wording here is what keeps the formats from drifting apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from lockforensics.correlate.frequency import MIN_BASELINE_HOURS, TOP_SESSIONS
from lockforensics.findings import Findings
from lockforensics.reporting.glossary import EXITED_ON_ERROR, OOM_KILLED, name
from lockforensics.reporting.prose import host_line, resolution_name, zone_line
from lockforensics.reporting.units import clock, epoch_start, rate, span, uptime

Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class Rows:
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]

    @property
    def empty(self) -> bool:
        return not self.rows


def _joined(values: Sequence[object] | None) -> str:
    return ", ".join(str(v) for v in values) if values else "-"


def facts(f: Findings) -> Rows:
    c = f.coverage
    return Rows(
        ("", ""),
        (
            ("OpenClaw", _joined(f.versions) if f.versions else "unknown"),
            ("Host", host_line(f)),
            ("Window (UTC)", f"{clock(f.window_start)} → {clock(f.window_end)}"),
            ("Zone for zone-less stamps", zone_line(c.zone, c.zone_reason)),
            (
                "Alignment window / incident gap",
                f"{span(f.settings.window_s)} / {span(f.settings.gap_s)}",
            ),
            *filters(f),
        ),
    )


def filters(f: Findings) -> list[tuple[str, str]]:
    """The filters a report shows its part of the bundle through, said above the
    numbers they cut (Z227: a filtered report read as the whole bundle's)."""
    s = f.settings
    shown = [
        *([f"--since {clock(s.since)}"] if s.since is not None else []),
        *([f"--until {clock(s.until)}"] if s.until is not None else []),
        *(f"--agent {agent}" for agent in s.agents),
        *([f"--host {s.host}"] if s.host is not None else []),
    ]
    if not shown:
        return []
    return [
        (
            "Filtered",
            f"{', '.join(shown)}: every count, incident and table below is of the failures "
            "in scope only; incidents keep their numbers in the whole bundle",
        )
    ]


def epochs(f: Findings) -> Rows:
    """The gateway epochs; with a ``host`` column when they lie on several hosts."""
    hosts = f.several_hosts
    return Rows(
        ("epoch", *(("host",) if hosts else ()), "gateway pid", "start (UTC)", "start from",
         "end (UTC)", "ended by", "lines"),
        tuple(
            (
                e["epoch"],
                *((e["host"] or "?",) if hosts else ()),
                e["pid"] if e["pid"] is not None else "?",
                epoch_start(e),
                name("start_source", e["start_source"]),
                clock(e["end"]) if e["end"] is not None else "running at bundle end",
                ended(e),
                e["events"],
            )
            for e in f.epochs.iter_rows(named=True)
        ),
    )  # fmt: skip


def ended(e: dict[str, Any]) -> str:
    """How an epoch ended; a stop its host's next start soon followed says so."""
    how = (
        OOM_KILLED
        if e.get("oom_killed")
        else EXITED_ON_ERROR
        if e.get("released_on_exit")
        else name("ended_by", e["ended_by"])
    )
    if e.get("restarted_s") is None:
        return how
    return f"{how}, up again {span(e['restarted_s'])} later (a restart)"


def incidents(f: Findings) -> Rows:
    """One row per incident; with a ``host`` column when the gateways lie on several hosts."""
    hosts = f.several_hosts
    return Rows(
        ("#", *(("host",) if hosts else ()), "start (UTC)", "duration", "agents", "sessions",
         "stale", "timeout", "takeover", "gateway pid", "uptime at start", "resolved by", "after"),
        tuple(
            (
                i["incident"],
                *((i["host"] or "?",) if hosts else ()),
                began(i),
                lasted(i),
                len(i["agents"] or []),
                i["sessions"],
                i["lock_stale"],
                i["lock_timeout"],
                i["takeover"],
                i["gateway_pid"] if i["gateway_pid"] is not None else "?",
                uptime(i["uptime_s"], i["uptime_is_lower_bound"]),
                resolution_name(i["resolved_by"]),
                span(i["resolution_s"]),
            )
            for i in f.incidents.iter_rows(named=True)
        ),
    )  # fmt: skip


def began(i: dict[str, Any]) -> str:
    """An incident's start; ``≤`` when its host's logs begin just before it
    (correlate/evidence_start.py): it may have begun earlier, unseen."""
    return ("≤ " if i.get("start_is_upper_bound") else "") + clock(i["start"])


def lasted(i: dict[str, Any]) -> str:
    """An incident's duration; ``≥`` when it may have begun before its host's logs
    or gone on after them."""
    unseen = i.get("start_is_upper_bound") or i.get("end_is_lower_bound")
    return ("≥ " if unseen else "") + span(i["duration_s"])


def process_uptime(i: dict[str, Any]) -> str | None:
    """The process's own uptime, where an in-process restart began the gateway's."""
    if i.get("process_uptime_s") is None:
        return None
    return uptime(i["process_uptime_s"], i["process_uptime_is_lower_bound"])


def _process_uptime(i: dict[str, Any]) -> str:
    process = process_uptime(i)
    if process is None:
        return ""
    return f" (since an in-process restart that kept its pid; the process: up {process})"


def _unresolved(i: dict[str, Any]) -> str:
    """Why an incident is unresolved: nothing cleared it, or not every session."""
    cleared, targets = i.get("cleared_targets") or 0, i.get("targets") or 0
    if not cleared:
        return "unresolved: nothing in the bundle cleared it"
    still = ", ".join(str(t) for t in i.get("open_targets") or ())
    return f"unresolved: {cleared} of {targets} cleared; nothing in the bundle cleared {still}"


def incident_facts(i: dict[str, Any], several_hosts: bool) -> list[tuple[str, object]]:
    """The facts under one incident's heading; lists stay lists for the formatter.

    ``several_hosts`` (Findings.several_hosts): an incident whose host cannot be
    told then says so.
    """
    host = i.get("host") or ("host unknown" if several_hosts else None)
    resolved = (
        f"{resolution_name(i['resolved_by'])} at {clock(i['resolved_at'])} UTC, "
        # From the last failure of the sessions it had to clear: a session that
        # held no lock (only a takeover after them, Z177) waited on nothing.
        f"{span(i['resolution_s'])} after the last error it cleared"
        if i["resolved_at"] is not None
        else _unresolved(i)
    )
    if i["resolved_at"] is not None and i["resolved_at"] < i["end"]:
        # correlate/resolution: the takeovers after a force-release (_fallout),
        # a lease holder's lease-lost after the waits it ended (Z175).
        resolved += (
            "; the failures after it held no lock any more (a released run finding "
            "its lock gone, a lease holder finding its lease lost)"
        )
    return [
        ("Agents", i["agents"]),
        ("Sessions", i["sessions"]),
        ("Session types", i["session_types"]),
        ("Lanes", i["lanes"]),
        (
            "Gateway",
            (f"{host}, " if host else "") + f"pid {i['gateway_pid'] or '?'}{_live_owners(i)}, up "
            f"{uptime(i['uptime_s'], i['uptime_is_lower_bound'])} at the first error"
            + _process_uptime(i),
        ),
        ("Resolved by", resolved),
        *_when(
            "May have begun earlier",
            i.get("start_is_upper_bound"),
            "its host's logs begin less than --gap before its first failure, in the middle "
            "of the gateway's life: failures before them are unseen, so it may have begun "
            "earlier and lasted longer",
        ),
        *_when(
            "May have gone on later",
            i.get("end_is_lower_bound"),
            f"its host's logs end at {clock(i.get('logs_end'))} UTC, less than --gap after "
            "its last failure: failures after them are unseen, so it may have lasted longer"
            + (
                f"; the {resolution_name(i['resolved_by'])} that cleared it came after them, "
                "so that its failures stopped before it is not in view"
                if i["resolved_at"] is not None
                else ""
            ),
        ),
        *_when(
            "Watchdog release unseen",
            i.get("watchdog_unseen") and i["resolved_by"] != "lock_released_by_watchdog",
            "its failures are in file logs only, and the lock watchdog writes its releases "
            "to stderr, which no file log holds: a release may have cleared it before "
            + ("that" if i["resolved_at"] is not None else "the bundle ends")
            + " (a console or journal capture of those hours would show it)",
        ),
        *_when("Cut by the filters", cut_note(i), cut_note(i)),
        *_when(
            "Lock held by another process",
            i.get("other_owner_pids"),
            f"pid {_joined(i.get('other_owner_pids'))}, not the "
            + (f"gateway's {i['gateway_pid']}" if i["gateway_pid"] is not None else "gateway's")
            + ": a "
            "live owner outside the gateway (a CLI run such as openclaw agent --local, or a "
            "second gateway)" + _remote_owners(i),
        ),
        *_when(
            "Lock held by a dead process",
            i.get("dead_owner_pids"),
            f"pid {_joined(i.get('dead_owner_pids'))}: it exited holding the lock (a crash, a "
            "kill, or a restart that did not wait for the run), which outlived it until "
            "reclaimed as stale (dead-pid, or recycled-pid where another process took its pid)",
        ),
        *_when(
            "Held, acquired unknown", i.get("held_acquired_unknown"), i.get("held_acquired_unknown")
        ),
        *_when(
            "Lock held by run",
            i.get("lock_holders"),
            f"{_joined(i.get('lock_holders'))} UTC: the run on the session that started when "
            "the errors' ageMs says the lock was taken (debug-level run lines)",
        ),
    ]


def _remote_owners(i: dict[str, Any]) -> str:
    """Where the owners OpenClaw called dead were another host's running gateway."""
    hosts = i.get("owner_hosts") or []
    if not hosts:
        return ""
    return (
        f"; the gateway of {_joined(hosts)} held it, alive there, though the error says dead: "
        "OpenClaw checks an owner's pid on its own host only, so hosts that share one state "
        "directory (NFS, a synced home) see each other's locks as dead"
    )


def _when(name: str, shown: object, value: object) -> list[tuple[str, object]]:
    """An incident fact that is listed only when ``shown`` holds something."""
    return [(name, value)] if shown else []


def cut_note(i: dict[str, Any]) -> str | None:
    """What an incident that --since/--until/--agent cut shows of itself, or None."""
    if (i.get("occurrences_in_bundle") or 0) <= i["occurrences"]:
        return None
    return (
        f"{i['occurrences']} of its {i.get('occurrences_in_bundle')} failures fall inside "
        "--since/--until/--agent; its span, counts, uptime and time to clear are those "
        "of that part"
    )


def _live_owners(i: dict[str, Any]) -> str:
    """With the gateway's pid unknown: the live lock owners, likely the gateway itself."""
    pids = i.get("live_owner_pids") or []
    if i["gateway_pid"] is not None or not pids:
        return ""
    return f" (its lock errors name live owner pid {_joined(pids)}: likely the gateway itself)"


def alignment(f: Findings) -> Rows:
    a = f.alignment
    lags = " / ".join(span(a.get(k)) for k in ("lag_s_p50", "lag_s_p90", "lag_s_max"))
    return Rows(
        ("", "value"),
        (
            ("takeovers", a.get("takeovers")),
            ("… after a lock error on the same session", a.get("with_session_precursor")),
            ("… after a lock error of the same agent only", a.get("with_agent_precursor")),
            # Pairs are looked for within the window (`--window`): a lock error
            # earlier than that is no precursor, but it may be in the bundle.
            ("… with no lock error within the window before them", a.get("without_lock_precursor")),
            # correlate/evidence_start.py: the window reaches before the host's logs.
            *(
                (("… whose window begins before the logs (precursor unknown)", unseen),)
                if (unseen := a.get("precursor_unknown"))
                else ()
            ),
            ("lock errors", a.get("lock_errors")),
            (
                "… not followed by a takeover within the window",
                a.get("lock_errors_without_takeover"),
            ),
            ("lag p50 / p90 / max", lags),
            ("window", span(a.get("window_s"))),
        ),
    )


#: What the resolution latency table shows (Z227: its later rows read as more clears).
RESOLUTION_NOTE = (
    "Per incident, each kind of event that on its own cleared every session of it, and "
    "when: the first is what resolved it; a later one would have, had the first not come."
)


def resolutions(f: Findings) -> Rows:
    """Per incident, each kind that alone cleared every session, and when; an
    incident that no one kind cleared (a run cleared one session, the watchdog
    the other) has its own row, at the last session's clearing."""
    alone = {r["incident"] for r in f.resolutions.iter_rows(named=True)}
    found = [
        (r["incident"], resolution_name(r["kind"]), r["cleared_at"], r["resolution_s"])
        for r in f.resolutions.iter_rows(named=True)
    ]
    found += [
        (i["incident"],
         f"{resolution_name(i['resolved_by'])}, the last of {i['targets']} sessions "
         "(no one kind cleared them all)",
         i["resolved_at"], i["resolution_s"])
        for i in f.incidents.iter_rows(named=True)
        if i["resolved_by"] is not None and i["incident"] not in alone
    ]  # fmt: skip
    return Rows(
        ("incident", "cleared by", "at (UTC)", "after the last error it cleared"),
        tuple(
            (n, name, clock(at), span(after))
            for n, name, at, after in sorted(found, key=lambda r: (r[0], r[2]))
        ),
    )


#: Frequency dimensions in report order, with their table titles.
FREQUENCY_TITLES = {
    "day": "per day (UTC)", "hour": "per hour (UTC)", "agent": "per agent",
    "session": f"per session (the {TOP_SESSIONS} most hit)",
    "session_type": "per session type", "lane": "per lane", "epoch": "per gateway epoch",
    "version": "per OpenClaw version",
}  # fmt: skip


def frequency(f: Findings) -> list[tuple[str, Rows]]:
    """One table per dimension present, titled ``Occurrences per …``."""
    out: list[tuple[str, Rows]] = []
    for dimension, title in FREQUENCY_TITLES.items():
        rows = f.frequency.filter(pl.col("dimension") == dimension)
        if rows.is_empty():
            continue
        out.append(
            (
                f"Occurrences {title}",
                Rows(
                    (dimension, "stale", "timeout", "takeover", "total"),
                    tuple(
                        (r["value"] + (f" ({r['host']})" if r["host"] else ""), r["lock_stale"],
                         r["lock_timeout"], r["takeover"], r["occurrences"])
                        for r in rows.iter_rows(named=True)
                    ),
                ),
            )
        )  # fmt: skip
    return out


def rates(f: Findings) -> str:
    """Burst against baseline; a rate the window cannot support says why (correlate/frequency)."""
    r = f.rates
    burst, baseline = r.get("burst_per_hour"), r.get("baseline_per_hour")
    inside = (
        f"{float(burst):.1f} occurrences/hour"
        if burst is not None
        else "no rate (no incident lasts any time)"
        if r.get("in_incidents")
        else "none"
    )
    outside = (
        f"{rate(float(baseline))}/hour"
        if baseline is not None
        else f"no rate (under {MIN_BASELINE_HOURS:g} h of log outside incidents)"
    )
    return (
        f"Inside incidents {inside}; outside {outside} "
        f"({r.get('in_incidents')} vs {r.get('outside_incidents')} occurrences)."
    )


def trigger_writers(f: Findings) -> Rows:
    """Per takeover and other writer: the takeover by its time, agent and session."""
    takeovers = f.triggers.select("takeover", "ts", "agent", "session_id")
    found = f.trigger_writers.join(takeovers, on="takeover", how="left", suffix="_takeover")
    return Rows(
        ("takeover (UTC)", "agent", "session", "other writer", "at (UTC)", "run"),
        tuple(
            (clock(r["ts"]), r["agent"] or "-", r["session_id"] or "-",
             name("trigger", r["trigger"]), clock(r["at"]), r["run_id"] or "-")
            for r in found.iter_rows(named=True)
        ),
    )  # fmt: skip


def stuck_alive(f: Findings) -> Rows:
    """Per host, agent, session and gateway epoch; a ``host`` column when the gateways
    lie on several hosts."""
    hosts = f.several_hosts
    return Rows(
        (*(("host",) if hosts else ()), "agent", "session", "epoch", "lock errors",
         "first (UTC)", "last (UTC)", "owner pids", "incidents"),
        tuple(
            (*((r["host"] or "?",) if hosts else ()), r["agent"], r["session_id"] or "-",
             r["epoch"] if r["epoch"] is not None else "?", r["lock_errors"], clock(r["first"]),
             clock(r["last"]), _joined(r["owner_pids"]), _joined(r["incidents"]))
            for r in f.stuck_alive.iter_rows(named=True)
        ),
    )  # fmt: skip


def held_locks(f: Findings) -> Rows:
    return Rows(
        ("agent", "session", "owner pid", "owner", "created (UTC)", "incidents"),
        tuple(
            (r["agent"] or "-", r["session_id"] or "-", r["pid"] if r["pid"] is not None else "?",
             name("owner", r["owner"]), clock(r["created"]), _joined(r["incidents"]))
            for r in f.held_locks.iter_rows(named=True)
        ),
    )  # fmt: skip


def inputs(f: Findings) -> Rows:
    """Per input, its lines as the accounting has them (event lines + noise +
    unrecognised = lines), and the events read from them (a line may hold two:
    a fallback decision and the lock error in its errorPreview)."""
    return Rows(
        ("input", "format", "sha256", "lines", "event lines", "noise", "unrecognized", "events"),
        tuple(
            (str(m.get("path", "?")), str(m.get("format", "?")),
             str(m.get("sha256") or "-")[:12], _cell(m.get("lines")),
             _cell(m.get("event_lines")), _cell(m.get("noise_lines")),
             _cell(m.get("unrecognized")), _cell(m.get("events")))
            for m in f.coverage.inputs
        ),
    )  # fmt: skip


def set_aside(f: Findings) -> Rows:
    """Inputs whose rows were folded into another copy (whole, or some of them as
    copies of another input's lines), and inputs with untimed events."""
    folded = tuple(
        (str(m.get("path")), f"same document as {m.get('duplicate_of')}")
        for m in f.coverage.inputs
        if m.get("duplicate_of")
    ) + tuple(
        (str(m.get("path")), f"{m['duplicate_rows']:,} events repeat lines another input holds: "
         "counted once")
        for m in f.coverage.inputs
        if not m.get("duplicate_of") and m.get("duplicate_rows")
    )  # fmt: skip
    untimed = tuple(
        (source, f"untimed: {count:,} events with no time in the lines, the document or its name")
        for source, count in f.coverage.untimed_inputs
    )
    return Rows(("input", "set aside"), folded + untimed)


#: Warnings listed in a report; the JSON summary and the terminal carry all of them.
WARNINGS_SHOWN = 50


def skipped(f: Findings) -> Rows:
    """What was skipped, cut short or set aside (inputs, members, far-out stamps): the warnings."""
    shown = f.coverage.warnings[:WARNINGS_SHOWN]
    more = len(f.coverage.warnings) - len(shown)
    return Rows(
        ("warning",),
        tuple((w,) for w in shown) + (((f"… and {more} more",),) if more else ()),
    )


def assumptions(f: Findings) -> Rows:
    return Rows(
        ("assumption", "events"),
        tuple(
            (r["ts_assumption"], r["events"]) for r in f.coverage.assumptions.iter_rows(named=True)
        ),
    )


def coverage_line(f: Findings) -> str:
    c = f.coverage
    return (
        f"{len(c.inputs)} inputs; {c.unrecognized_lines:,} unrecognized lines; "
        f"{c.untimed_events:,} untimed events."
    )


def _cell(value: object) -> Cell:
    return value if isinstance(value, str | int | float) or value is None else str(value)
