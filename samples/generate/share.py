"""Which lines a busy gateway writes "nearly every minute": the benchmark's ≥ 40 % share.

Runs, lanes, model-fallback decisions, session *store* lock timeouts, compactions
and session state changes, matched on their message wording (formats doc §6).
"""

from __future__ import annotations

import re
from typing import Final

BUSY_WORDINGS: Final = (
    "embedded run start: ",
    "embedded run done: ",
    "embedded run tool start: ",
    "embedded run tool end: ",
    "embedded run auto-compaction",
    "run attempt: ",
    "lane enqueue: ",
    "lane dequeue: ",
    "lane task done: ",
    "lane task error: ",
    "lane wait exceeded: ",
    "model fallback decision",
    "timeout acquiring session store lock",
    "session state: ",
)
BUSY_LINE: Final = re.compile("|".join(re.escape(w) for w in BUSY_WORDINGS))


def is_busy(line: str) -> bool:
    """True for a run/lane/fallback/store-lock/compaction/session-state line."""
    return BUSY_LINE.search(line) is not None
