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

#: The ellipsis, also as a console in another code page shows its UTF-8 bytes
#: (PowerShell 5.1 redirecting node's output: CP850, CP437, Windows-1252).
ELLIPSIS = "…|ÔÇª|ΓÇª|â€¦|â\x80¦"
#: How far apart a shortened path and its full copy may be logged (the
#: occurrence window of the lock kinds, parsers/occurrences.toml).
NEAR = timedelta(seconds=5)
#: The columns a completed path decides (fields.derive).
_DERIVED = ("session_file", "session_id", "agent", "session_is_placeholder")


def completed(detail: pl.DataFrame) -> pl.DataFrame:
    """``detail`` with each shortened ``session_file`` of a lock kind made whole."""
    kind, path = pl.col("kind"), pl.col("session_file")
    lock = kind.is_in(sorted(LOCK_KINDS)) & path.is_not_null() & pl.col("ts").is_not_null()
    short = path.str.contains(ELLIPSIS)
    indexed = detail.with_row_index("_i")
    cut = indexed.filter(lock & short).select("_i", "kind", "ts", "session_file")
    if cut.is_empty():
        return detail
    whole = indexed.filter(lock & ~short).select("kind", "ts", "session_file")
    rows: list[int] = []
    values: dict[str, list[object]] = {name: [] for name in _DERIVED}
    for index, row_kind, at, shortened in cut.iter_rows():
        fits = "^" + ".*".join(re.escape(piece) for piece in re.split(ELLIPSIS, shortened)) + "$"
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
    return _patched(detail, indexed, rows, values, _DERIVED)


def _patched(
    detail: pl.DataFrame,
    indexed: pl.DataFrame,
    rows: list[int],
    values: dict[str, list[object]],
    names: tuple[str, ...],
) -> pl.DataFrame:
    """``detail`` with the columns ``names`` of its rows ``rows`` (``_i`` in
    ``indexed``) set to ``values``."""
    if not rows:
        return detail
    patch = pl.DataFrame(
        {"_i": rows, **{f"_{n}": values[n] for n in names}},
        schema={"_i": pl.UInt32, **{f"_{n}": detail.schema[n] for n in names}},
    )
    return (
        indexed.join(patch, on="_i", how="left", maintain_order="left")
        .with_columns(
            pl.when(pl.col("_i").is_in(patch.get_column("_i").implode()))
            .then(pl.col(f"_{n}"))
            .otherwise(pl.col(n))
            .alias(n)
            for n in names
        )
        .select(detail.columns)
    )


#: The lock errors whose owner's ``ageMs`` makes each one error object.
_AGED = ("lock_timeout", "lock_stale")
#: The columns a lock path decides (fields.derive).
_FROM_LOCK = ("lock_path", *_DERIVED)


def cut_short(detail: pl.DataFrame) -> pl.DataFrame:
    """``detail`` with each lock error whose lock path was cut away given the path of
    the same error logged beside it: the diagnostics export cuts a record's
    ``msg`` at 240 characters (openclaw-formats §8), so its `lane=session:` line
    ends before the path its uncut echo names.  The same kind, input, pid and
    ``ageMs`` (which make the error one object), within ``NEAR``; one path only."""
    aged = (
        pl.col("kind").is_in(_AGED)
        & pl.col("pid").is_not_null()
        & pl.col("age_ms").is_not_null()
        & pl.col("ts").is_not_null()
    )
    indexed = detail.with_row_index("_i")
    same = ["source", "kind", "pid", "age_ms"]
    bare = indexed.filter(aged & pl.col("lock_path").is_null()).select("_i", *same, "ts")
    if bare.is_empty():
        return detail
    whole = indexed.filter(aged & pl.col("lock_path").is_not_null()).select(
        *same, _at="ts", _path="lock_path"
    )
    found = (
        bare.join(whole, on=same)
        .filter((pl.col("ts") - pl.col("_at")).abs() <= NEAR)
        .group_by("_i")
        .agg(pl.col("_path").unique())
        .filter(pl.col("_path").list.len() == 1)
    )
    return _cut_takeovers(_filled(detail, indexed, found, "lock_path", _FROM_LOCK))


#: How far apart the lines of one takeover are logged (its warning and its two
#: lane mirrors: milliseconds): a cut line naming no session is matched within it.
MIRRORS = timedelta(milliseconds=100)


def _cut_takeovers(detail: pl.DataFrame) -> pl.DataFrame:
    """Takeover lines whose transcript path the export's cut took, given the path
    of the same takeover's line beside them in their input: the one naming the
    session id they name within ``NEAR``, or, naming none (a `lane=session:`
    line cut after `released:`), the one path logged within ``MIRRORS``."""
    takeover = (pl.col("kind") == "takeover") & pl.col("ts").is_not_null()
    indexed = detail.with_row_index("_i")
    bare = indexed.filter(takeover & pl.col("session_file").is_null()).select(
        "_i", "source", "ts", "session_id"
    )
    if bare.is_empty():
        return detail
    whole = indexed.filter(takeover & pl.col("session_file").is_not_null()).select(
        "source", _at="ts", _id="session_id", _path="session_file"
    )
    apart = (pl.col("ts") - pl.col("_at")).abs()
    fits = pl.when(pl.col("session_id").is_not_null()).then(
        (pl.col("session_id") == pl.col("_id")) & (apart <= NEAR)
    )
    found = (
        bare.join(whole, on="source")
        .filter(fits.otherwise(apart <= MIRRORS))
        .group_by("_i")
        .agg(pl.col("_path").unique())
        .filter(pl.col("_path").list.len() == 1)
    )
    return _filled(detail, indexed, found, "session_file", _DERIVED)


def _filled(
    detail: pl.DataFrame,
    indexed: pl.DataFrame,
    found: pl.DataFrame,
    column: str,
    names: tuple[str, ...],
) -> pl.DataFrame:
    """``detail`` with each row of ``found`` (``_i``, ``_path``: its one value of
    ``column``) given the columns ``names`` that value decides (fields.derive)."""
    rows: list[int] = []
    values: dict[str, list[object]] = {name: [] for name in names}
    for index, paths in found.iter_rows():
        fields = derive({column: paths[0]})
        rows.append(index)
        for name in names:
            values[name].append(fields.get(name))
    return _patched(detail, indexed, rows, values, names)
