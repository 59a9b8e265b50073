"""The candidate-line prefilter: signature literals as one regex."""

from __future__ import annotations

#: The head of the CLI banner every openclaw command prints (the tagline after
#: it varies by run): a line of its own, never the rest of the line above.
CLI_BANNER = r"^(?:\S+ )?OpenClaw \d{4}\.\d+\.\d+\S* \([0-9a-f]{6,40}\)"
#: The journal identifiers of systemd itself, whose pid is the supervisor's, not
#: the gateway's: `systemd[1]` in the short forms, and in `-o with-unit` the unit
#: of the system manager (`init.scope[1]`) or of a user's (`user@1000.service`).
SUPERVISOR_IDENT = r"^(?:systemd|init\.scope|user@\d+\.service)$"
# Lines the clock must see even though no signature wants them.
CLOCK_LITERALS = ("-- Logs begin at", "-- Journal begins at")
_META_CHARS = frozenset("\\.+*?()|[]{}^$#&-~")


def literal_regex(literals: tuple[str, ...]) -> str:
    """One alternation of literals, escaped for both Rust and Python regex."""
    return "|".join("".join("\\" + c if c in _META_CHARS else c for c in lit) for lit in literals)
