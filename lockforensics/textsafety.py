"""Making hostile log text inert before any output format sees it.

Log lines are attacker-controlled (chat messages end up in them).  Every
reporter strips terminal escapes and bidi/control characters first, then
applies its own format's escaping.
"""

from __future__ import annotations

import re

ANSI = re.compile(r"\x1b(?:\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)|[@-Z\\-_])")
# C0/C1 controls except tab and newline, plus bidi overrides/isolates (Trojan Source).
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """Strip ANSI escapes, control characters and bidi controls."""
    return CONTROLS.sub("\ufffd", ANSI.sub("", text))
