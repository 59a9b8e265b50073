"""How a report is rendered, as opposed to what it says (that is ``Findings``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

#: GitHub's limit for one issue comment.
GITHUB_COMMENT_LIMIT = 65_536


@dataclass(frozen=True, slots=True)
class RenderOptions:
    evidence: bool = False  # include the source lines behind every incident
    width: int | None = 120  # terminal columns; fixed off a TTY so output is stable
    color: bool = False  # ANSI colour: only when writing to a terminal
    mermaid: bool = True  # Markdown: Mermaid charts (GitHub renders them); else plain tables
    max_chars: int = GITHUB_COMMENT_LIMIT  # Markdown: evidence is trimmed first to fit
    redaction: Mapping[str, int] = field(default_factory=dict)  # what --redact rewrote
