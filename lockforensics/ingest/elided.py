"""Paths OpenClaw elided with ``…``, completed from the full copy logged beside them.

OpenClaw logs one takeover three times within milliseconds: the cleanup
warning (``sessionId=…``), the ``lane=main`` mirror with the transcript's full
path, and the ``lane=session:<key>`` mirror with the path shortened in the
middle (openclaw-formats §1.3, issue 107873)::

    …lock was released: C:\\Users\\…\\2026-07-15T00-22-18-733Z_2fd41ab3-….jsonl

Read alone, the shortened path names no session, so the mirror became a
takeover of its own and its session key was never linked to the session id.
A shortened path is completed here from the one full path of the same kind,
logged within ``NEAR`` of it, that its visible pieces fit; an ambiguous or
absent match leaves the row as it was.
"""

from __future__ import annotations

import re
from datetime import timedelta

import polars as pl

from lockforensics.parsing.fields import derive
from lockforensics.schema import LOCK_KINDS

ELLIPSIS = "…"
#: How far apart a shortened path and its full copy may be logged (the
#: occurrence window of the lock kinds, parsers/occurrences.toml).
NEAR = timedelta(seconds=5)
#: The columns a completed path decides (fields.derive).
_DERIVED = ("session_file", "session_id", "agent", "session_is_placeholder")


def completed(detail: pl.DataFrame) -> pl.DataFrame:
    """``detail`` with each shortened ``session_file`` of a lock kind made whole."""
    kind, path = pl.col("kind"), pl.col("session_file")
    lock = kind.is_in(sorted(LOCK_KINDS)) & path.is_not_null() & pl.col("ts").is_not_null()
    short = path.str.contains(ELLIPSIS, literal=True)
    indexed = detail.with_row_index("_i")
    cut = indexed.filter(lock & short).select("_i", "kind", "ts", "session_file")
    if cut.is_empty():
        return detail
    whole = indexed.filter(lock & ~short).select("kind", "ts", "session_file")
    rows: list[int] = []
    values: dict[str, list[object]] = {name: [] for name in _DERIVED}
    for index, row_kind, at, shortened in cut.iter_rows():
        fits = "^" + ".*".join(re.escape(piece) for piece in shortened.split(ELLIPSIS)) + "$"
        found = (
            whole.filter(
                (pl.col("kind") == row_kind)
                & pl.col("ts").is_between(at - NEAR, at + NEAR)
                & pl.col("session_file").str.contains(fits)
            )
            .get_column("session_file")
            .unique()
        )
        if found.len() != 1:
            continue
        fields = derive({"session_file": found.item()})
        rows.append(index)
        for name in _DERIVED:
            values[name].append(fields.get(name))
    if not rows:
        return detail
    patch = pl.DataFrame(
        {"_i": rows, **{f"_{n}": values[n] for n in _DERIVED}},
        schema={"_i": pl.UInt32, **{f"_{n}": detail.schema[n] for n in _DERIVED}},
    )
    return (
        indexed.join(patch, on="_i", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("_i").is_in(patch.get_column("_i").implode()))
            .then(pl.col(f"_{n}"))
            .otherwise(pl.col(n))
            .alias(n)
            for n in _DERIVED
        )
        .select(detail.columns)
    )
