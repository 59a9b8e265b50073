"""What an OpenClaw command line looks like: a ``ps`` row's, a live process's argv.

The gateway runs as the ``openclaw-gateway`` binary, or as ``openclaw`` or
``node …/dist/index.js`` followed by ``gateway`` (a container's entrypoint is
``node dist/index.js gateway``, with no ``openclaw`` in it; builds before
2026.3 ran ``node …/openclaw/dist/entry.js gateway``, Z228).
"""

from __future__ import annotations

_OPENCLAW_NAMES = frozenset({"openclaw", "openclaw-gateway"})
_SUFFIXES = (".exe", ".cmd", ".js", ".mjs", ".cjs")
#: Programs that run the CLI's script (``node …/dist/index.js gateway``).
_RUNTIMES = frozenset({"node", "nodejs", "bun", "npx", "tsx"})


def _script(arg: str) -> bool:
    """The CLI's script run by a runtime: ``dist/index.js``; older builds'
    ``…/openclaw/dist/entry.js`` (a name other apps use: only in openclaw's tree)."""
    path = arg.replace("\\", "/")
    return path.endswith("dist/index.js") or path.endswith("openclaw/dist/entry.js")


def _base(arg: str) -> str:
    name = arg.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_openclaw(argv: list[str]) -> bool:
    """An OpenClaw process: an ``openclaw``/``openclaw-gateway`` binary or the CLI's script."""
    return any(_base(arg) in _OPENCLAW_NAMES or _script(arg) for arg in argv)


def is_gateway(argv: list[str]) -> bool:
    """The gateway: ``openclaw-gateway``, or ``openclaw``/``dist/index.js`` run with
    ``gateway`` and no subcommand of it but ``run``.

    The program is the command's first word, or the first after a JS runtime
    and its options: an operator's ``journalctl -u openclaw-gateway -f`` or
    ``watch openclaw gateway status`` names the gateway and is none, and taken
    for one it was a gateway started hours into an incident (Z126).
    """
    at = 0
    if argv and _base(argv[0]) in _RUNTIMES:
        at = 1
        while at < len(argv) and argv[at].startswith("-"):
            at += 1
    if at >= len(argv):
        return False
    program = argv[at]
    if _base(program) == "openclaw-gateway":
        return True
    if _base(program) != "openclaw" and not _script(program):
        return False
    rest = argv[at + 1 :]
    if "gateway" not in rest:
        return False
    after = rest[rest.index("gateway") + 1 :]
    # `gateway status`, `gateway restart`, `gateway call …`: a CLI talking to it.
    return not after or after[0].startswith("-") or after[0] == "run"
