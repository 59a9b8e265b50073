"""What an OpenClaw command line looks like: a ``ps`` row's, a live process's argv.

The gateway runs as the ``openclaw-gateway`` binary, or as ``openclaw`` or
``node …/dist/index.js`` followed by ``gateway`` (a container's entrypoint is
``node dist/index.js gateway``, with no ``openclaw`` in it).
"""

from __future__ import annotations

_OPENCLAW_NAMES = frozenset({"openclaw", "openclaw-gateway"})
_SUFFIXES = (".exe", ".cmd", ".js", ".mjs", ".cjs")


def _base(arg: str) -> str:
    name = arg.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def is_openclaw(argv: list[str]) -> bool:
    """An OpenClaw process: an ``openclaw``/``openclaw-gateway`` binary or ``dist/index.js``."""
    return any(
        _base(arg) in _OPENCLAW_NAMES or arg.replace("\\", "/").endswith("dist/index.js")
        for arg in argv
    )


def is_gateway(argv: list[str]) -> bool:
    """The gateway: ``openclaw-gateway``, or ``openclaw``/``dist/index.js`` run with ``gateway``."""
    for index, arg in enumerate(argv):
        base = _base(arg)
        if base == "openclaw-gateway":
            return True
        launcher = base == "openclaw" or arg.replace("\\", "/").endswith("dist/index.js")
        if launcher and "gateway" in argv[index + 1 :]:
            return True
    return False
