"""What every source module gets: the bundle directory and the rendered scenario."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from samples.generate.records import Timeline
from samples.generate.render import Rendered
from samples.generate.sessions import Session


@dataclass(frozen=True, slots=True)
class SourceContext:
    """The scenario after rendering; sources append their own occurrences to ``timeline``."""

    out: Path
    seed: int
    timeline: Timeline
    sessions: dict[tuple[str, str], Session]
    rendered: list[Rendered]
