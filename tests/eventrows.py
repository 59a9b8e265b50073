"""Hand-built event tables for correlator tests: one row per call, in the table's schema."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl

from lockforensics.schema import events_from_rows

T0 = datetime(2026, 5, 28, 4, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    """``T0`` plus ``seconds``."""
    return T0 + timedelta(seconds=seconds)


@dataclass
class Table:
    """Collects rows; each ``add`` is a new line, and a new occurrence unless ``same`` is given."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def add(self, kind: str, seconds: float | None, same: int | None = None, **fields: Any) -> int:
        occurrence = same if same is not None else len(self.rows) + 1
        self.rows.append(
            {
                "kind": kind,
                "ts": at(seconds) if seconds is not None else None,
                "source": fields.pop("source", "test.log"),
                "line": len(self.rows) + 1,
                "hit": 0,
                "raw": fields.pop("raw", f"{kind} line {len(self.rows) + 1}"),
                "occurrence": occurrence,
                **fields,
            }
        )
        return occurrence

    def failure(
        self, kind: str, seconds: float, agent: str = "a", session: str = "s1", **kw: Any
    ) -> int:
        return self.add(kind, seconds, agent=agent, session_id=session, **kw)

    def frame(self) -> pl.DataFrame:
        return events_from_rows(self.rows)
