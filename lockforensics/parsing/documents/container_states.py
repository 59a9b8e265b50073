"""A container's life as its runtime records it (``kubectl describe pod``,
``docker inspect``): when it started, and how it ended.

Both become the same rows: a start is an ``uptime`` event at that instant
(``uptime_ms`` 0, as ``ps`` lstart gives one); an end a ``gateway_stop``,
``oom_killed`` when the OOM killer ended it, ``exited`` for exit code 0 and
``killed`` for another (a crash).
"""

from __future__ import annotations

from typing import Any

from lockforensics.parsing.documents.model import event
from lockforensics.parsing.documents.timing import when_from_stamp
from lockforensics.parsing.timestamps import Stamp
from lockforensics.schema import EventKind


def started(line: int, message: str, stamp: Stamp, phase: str) -> dict[str, Any]:
    """The container's process began at ``stamp``."""
    return event(
        EventKind.UPTIME.value, line, message, when_from_stamp(stamp), uptime_ms=0, phase=phase
    )


def ended(line: int, message: str, stamp: Stamp, oom: bool, code: object) -> dict[str, Any]:
    """The container's process ended at ``stamp``: killed by the OOM killer
    (``oom``), or with exit ``code``."""
    phase = "oom_killed" if oom else "exited" if code == 0 else "killed"
    return event(EventKind.GATEWAY_STOP.value, line, message, when_from_stamp(stamp), phase=phase)
