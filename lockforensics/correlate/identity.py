"""Session identity: one name per session, whether a line names it by key or by id.

OpenClaw names a session two ways.  A transcript path (takeovers, legacy
``.jsonl.lock`` errors, doctor and cleanup documents) gives the session *id*;
a lane (``lane=session:<key>``) or, from 2026.7, a lease key
(``sqlite:session-write:<key>``) gives the session *key*, and so may a
2026.7+ takeover where its transcript path stood and a newer file log's
top-level ``session_id`` (signatures._key_or).  Counting either
column alone counts a session twice when both wordings report it, or misses
the lease-era errors (key only) entirely.

This stage adds ``session``: the id when the line has a real one, else the id
any other line links to the same key, else the key itself.  A link is a line
that shows both (a lane mirror of a takeover, ``sessionId=… sessionKey=…``
run lines).  A key can name several ids over time (``/new`` and daily resets
start a new transcript under the same key), so a key-only line takes the id
linked nearest in time; an untimed one takes the key's first link.  Both
source columns are kept as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lockforensics.parsing.fields import PLACEHOLDER
from lockforensics.schema import IDENTITY_COLUMNS

# fields.PLACEHOLDER is compiled IGNORECASE; Rust regex spells that inline.
_PLACEHOLDER_RE = f"(?i){PLACEHOLDER.pattern}"
_ROW = "_identity_row"


def _real_id() -> pl.Expr:
    return (
        pl.when(~pl.col("session_is_placeholder").fill_null(False))
        .then(pl.col("session_id"))
        .otherwise(None)
    )


def _real_key() -> pl.Expr:
    key = pl.col("session_key")
    return pl.when(~key.str.contains(_PLACEHOLDER_RE).fill_null(True)).then(key).otherwise(None)


def _with_real_ids(events: pl.LazyFrame, keys: pl.Series) -> pl.LazyFrame:
    """``events`` with ``_key`` and ``_id``, the real key and id; ``keys``: at
    least the distinct keys among them.

    The placeholder test runs once per distinct key: a busy bundle has a few
    dozen keys on hundreds of thousands of lines, and the regex over every
    line cost more than the rest of the stage.
    """
    real = keys.to_frame().select(_real_key()).to_series()
    return events.with_columns(
        _id=_real_id(),
        _key=pl.col("session_key").replace_strict(keys, real, default=None, return_dtype=pl.String),
    )


def _keys(events: pl.LazyFrame) -> pl.Series:
    return events.select(pl.col("session_key").drop_nulls().unique()).collect().to_series()


@dataclass(frozen=True, slots=True)
class Links:
    """Every link the table shows, for linking its rows a batch at a time
    (:func:`linked`): each key's first linked id, and every (key, id, time)."""

    first: pl.DataFrame  # key, first_linked
    timed: pl.DataFrame  # key, linked, link_ts; in time order


def links(events: pl.LazyFrame) -> Links:
    """The :class:`Links` that ``events`` show."""
    # Every (key, id, ts) a single line shows together, one row per distinct triple.
    pairs = (
        _with_real_ids(events, _keys(events))
        .select(key=pl.col("_key"), linked=pl.col("_id"), link_ts=pl.col("ts"))
        .filter(pl.col("key").is_not_null() & pl.col("linked").is_not_null())
        .unique()
        .sort("key", "link_ts", "linked", nulls_last=True)
        .collect()
    )
    return Links(
        first=pairs.group_by("key", maintain_order=True).agg(first_linked=pl.col("linked").first()),
        timed=pairs.filter(pl.col("link_ts").is_not_null()).sort("link_ts"),
    )


def link(events: pl.LazyFrame) -> pl.LazyFrame:
    """Add the ``session`` identity column (see the module docstring)."""
    return linked(links(events), events)


def linked(found: Links, events: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`link` for some rows, with the links of the whole table in ``found``."""
    # Computed once: the keys, the rows wanting one and the result all read it.
    rows = events.with_row_index(_ROW).collect().lazy()
    rows = _with_real_ids(rows, _keys(rows)).collect().lazy()
    # Only key-only rows need a link; the as-of join wants both sides sorted by time.
    wanted = rows.filter(pl.col("_id").is_null() & pl.col("_key").is_not_null())
    nearest = (
        wanted.filter(pl.col("ts").is_not_null())
        .select(_ROW, "_key", "ts")
        .sort("ts")
        .join_asof(
            found.timed.lazy().select("key", "linked", "link_ts"),
            left_on="ts",
            right_on="link_ts",
            by_left="_key",
            by_right="key",
            strategy="nearest",
            check_sortedness=False,
        )
        .select(_ROW, "linked")
    )
    session = pl.coalesce("_id", "linked", "first_linked", "_key")
    return (
        rows.join(nearest, on=_ROW, how="left", maintain_order="left")
        .join(found.first.lazy(), left_on="_key", right_on="key", how="left", maintain_order="left")
        .with_columns(session.cast(IDENTITY_COLUMNS["session"]).alias("session"))
        .drop(_ROW, "_key", "_id", "linked", "first_linked")
    )
