"""How a report is rendered, as opposed to what it says (that is ``Findings``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RenderOptions:
    evidence: bool = False  # include the source lines behind every incident
    width: int | None = 120  # terminal columns; fixed off a TTY so output is stable
    color: bool = False  # ANSI colour: only when writing to a terminal
