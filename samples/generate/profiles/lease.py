"""The lease profile: the sample's scenario as a 2026.11 gateway logs it.

Session write locks are SQLite leases (``sqlite:session-write:<key>``), so the
lock errors name a session KEY while takeovers name the transcript (session
id); the gateway boots with ``http server listening (...)`` and a bare
``ready``.  Padding is the sparse profile's.
"""

from __future__ import annotations

from dataclasses import replace

from samples.generate.profiles import sparse

PROFILE = replace(
    sparse.PROFILE,
    name="lease",
    summary="the sample as a 2026.11 gateway writes it (SQLite session-write leases)",
    era="lease",
)
