"""Profiles: how the scenario is padded to a size (``--profile``).

Every profile keeps the same incident scenario, so its lock-kind ground truth is
the same; what differs is the background around it.  To add one, write a module
with a ``PROFILE = Profile(...)`` and list it in ``PROFILES``.
"""

from __future__ import annotations

from typing import Final

from samples.generate.profiles import busy, lease, sparse
from samples.generate.profiles.base import Padding, PaddingTruth, PadLine, Profile

PROFILES: Final[dict[str, Profile]] = {
    p.name: p for p in (sparse.PROFILE, busy.PROFILE, lease.PROFILE)
}

__all__ = ["PROFILES", "PadLine", "Padding", "PaddingTruth", "Profile"]
