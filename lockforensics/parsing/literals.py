"""The candidate-line prefilter: signature literals as regexes."""

from __future__ import annotations

#: The head of the CLI banner every openclaw command prints (the tagline after
#: it varies by run): a line of its own, never the rest of the line above.
CLI_BANNER = r"^(?:\S+ )?OpenClaw \d{4}\.\d+\.\d+\S* \([0-9a-f]{6,40}\)"
#: The journal identifiers of systemd itself, whose pid is the supervisor's, not
#: the gateway's: `systemd[1]` in the short forms, and in `-o with-unit` the unit
#: of the system manager (`init.scope[1]`) or of a user's (`user@1000.service`).
SUPERVISOR_IDENT = r"^(?:systemd|init\.scope|user@\d+\.service)$"
#: The phase of a `ps` row's start (documents/processes.py), which the zone
#: matching reads too (ingest/echo_zones.py) without loading every document hook.
PS_STARTED = "ps_started"
# Lines the clock must see even though no signature wants them.
CLOCK_LITERALS = ("-- Logs begin at", "-- Journal begins at")
_META_CHARS = frozenset("\\.+*?()|[]{}^$#&-~")


def literal_regex(literals: tuple[str, ...]) -> str:
    """One alternation of literals, escaped for both Rust and Python regex."""
    return "|".join("".join("\\" + c if c in _META_CHARS else c for c in lit) for lit in literals)


#: How many of the shortest literals the prefilter searches for in one regex.
#: Rust's regex finds an alternation of literals with a SIMD prefilter (Teddy)
#: whose cost jumps once the set is big and its literals long: 111 literals
#: in one alternation cost 17-30 ms per 8 MB chunk, the 32 shortest and the
#: rest as two regexes 13-16 ms (CPU, one thread, busy and sparse chunks and
#: a journal; `benchmarks/run.py` shows the ingest figure).
SHORT_GROUP = 32


def prefilter_groups(literals: tuple[str, ...]) -> tuple[str, ...]:
    """Regexes that together match a line exactly when one of ``literals`` occurs
    in it: a literal holding another one is dropped (the shorter finds its
    lines), and the rest are split, shortest first, into two alternations."""
    unique = sorted(dict.fromkeys(literals), key=lambda lit: (len(lit), lit))
    needed = tuple(lit for lit in unique if not any(o != lit and o in lit for o in unique))
    groups = (needed[:SHORT_GROUP], needed[SHORT_GROUP:])
    return tuple(literal_regex(group) for group in groups if group)
