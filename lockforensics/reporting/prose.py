"""Sentences every human-facing report shares, so the formats never disagree."""

from __future__ import annotations

from lockforensics.findings import Findings
from lockforensics.reporting.glossary import name
from lockforensics.reporting.units import clock, span

NO_TRIGGER_EVIDENCE = "no trigger evidence at this log level"
HELD_NOTE = (
    "Session lock files in the bundle, held when it was collected, and whose pid they "
    "name beside the gateway epochs."
)


def missing_writers(f: Findings) -> str:
    """The takeovers with no writer in view, by why: no debug lines near them
    (nothing to see at this log level), or debug lines that show no writer."""
    statuses = f.triggers.get_column("status").to_list() if f.triggers.height else []
    quiet, seen = statuses.count("no_debug_lines"), statuses.count("none_found")
    if not quiet and not seen:
        return ""
    parts = [f"{quiet} with no debug lines near them ({NO_TRIGGER_EVIDENCE})"] if quiet else []
    parts += [f"{seen} with debug lines near them, none of them a writer"] if seen else []
    # Which ones, by their time (UTC), so each can be looked up (Z158: counts
    # alone); the JSON names their agents and sessions too.
    times = [
        clock(at)
        for at, status in f.triggers.select("ts", "status").iter_rows()
        if status != "found"
    ]
    more = len(times) - _NAMED
    named = ", ".join(times[:_NAMED]) + (f" and {more} more" if more > 0 else "")
    return (
        f"{_count(quiet + seen, 'takeover')} without a writer in view (at {named}): "
        f"{'; '.join(parts)}."
    )


#: How many takeovers without a writer the sentence names by their time.
_NAMED = 6


def headline(f: Findings) -> str:
    """The sentence operators write by hand at the top of an issue."""
    h = f.headline
    agent_only = int(f.alignment.get("with_agent_precursor") or 0)
    agent_lag = f.alignment.get("lag_s_p50")
    if h.session_lag_s_p50 is not None:
        lag = f"median lag {span(h.session_lag_s_p50)}"
    elif agent_only and agent_lag is not None:
        # The alignment table's lag is then these pairs' alone: say whose it is.
        lag = f"{agent_only} after one of the same agent only, median lag {span(agent_lag)}"
    else:
        lag = "no lag to measure"
    same_session = int(f.alignment.get("with_session_precursor") or 0)
    days = f"{h.days:.1f} days" if h.days >= 1 else span(h.days * 86400)
    return (
        f"{h.lock_stale} lock-stale, {h.lock_timeout} lock-timeout, "
        f"{_count(h.takeovers, 'takeover')}, {_count(h.agents, 'agent')}, {days}, "
        f"{_count(h.incidents, 'incident')}; "
        f"{same_session}/{h.takeovers} takeovers follow a lock error on the same "
        f"session ({lag})"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def no_incidents(f: Findings) -> str:
    """The incidents section when there are none: whether any failure was seen at all
    (a lone one is background, below the incident threshold, not nothing)."""
    h = f.headline
    failures = h.lock_stale + h.lock_timeout + h.takeovers
    if not failures:
        return "No lock errors or takeovers in the window."
    what = "1 lock error or takeover" if failures == 1 else f"{failures} lock errors and takeovers"
    edges = int(f.rates.get("background_at_edges") or 0)
    alone = (
        ""
        if not edges
        else f"; {'it lies' if failures == 1 else f'{edges} of them lie'} within "
        f"{span(f.settings.gap_s)} of where its host's logs begin or end, so whether "
        f"{'it was' if edges == 1 else 'they were'} alone is unknown"
    )
    return (
        f"No incidents: {what}, none within {span(f.settings.gap_s)} of another on its host "
        f"(background, counted in the baseline rate{alone})."
    )


def resolution_name(kind: str | None) -> str:
    """What cleared an incident, in the operator's words."""
    return name("resolver", kind, missing="unresolved")


def zone_line(zone: str | None, reason: str | None) -> str:
    """The zone given to zone-less stamps and why, in one flat phrase (no nested parentheses)."""
    if not zone:
        return "none needed: every stamp read shows its zone"
    return f"{zone}, taken from {reason}" if reason else zone


def host_line(f: Findings) -> str:
    """The hosts the bundle names, and the inputs that name none, which are taken
    to be on the only one, or on their directory's (correlate/epochs.with_hosts):
    an assumption the report states, as it does the zone's."""
    hosts = ", ".join(f.hosts) or "unknown"
    hostless, unplaced = f.coverage.hostless_inputs, f.coverage.unplaced_inputs
    if not hostless:
        return hosts
    unplaced = unplaced if f.hosts else 0
    by_folder = f.coverage.folder_named_inputs
    placed = hostless - unplaced - by_folder
    inputs, verb = _count(placed, "input"), "names" if placed == 1 else "name"
    notes = (
        [
            f"also taken for {inputs} that {verb} none"
            if len(f.hosts) == 1
            else f"{inputs} {verb} none: taken for the host of their directory, if it names one"
        ]
        if placed
        else []
    )
    if unplaced:
        notes.append(
            f"{_count(unplaced, 'log')} sharing no record with any input naming it: "
            "another gateway's, host unknown"
        )
    if by_folder:
        named = ", ".join(f.coverage.folder_hosts)
        notes.append(
            f"{_count(by_folder, 'log')} of another gateway, named none: "
            f"taken for {named}, the name of {'its' if by_folder == 1 else 'their'} "
            "folder (a folder per host)"
        )
    return f"{hosts} ({'; '.join(notes)})"
