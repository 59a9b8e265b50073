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
linked nearest in time, within ``LINK_REACH`` (else its key); an untimed one
takes the key's first link.  Both
source columns are kept as they were.

A key links to ids on its own host only: two gateways running the same
agents name their sessions alike (``agent:main:main`` on prod and on
staging), and their transcripts are not one another's.  A row's host is the
line's, else its input's (epochs.fallback_hosts); unknown is a host of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import polars as pl

from lockforensics.parsing.fields import PLACEHOLDER
from lockforensics.schema import IDENTITY_COLUMNS, EventKind

# fields.PLACEHOLDER is compiled IGNORECASE; Rust regex spells that inline.
_PLACEHOLDER_RE = f"(?i){PLACEHOLDER.pattern}"
_ROW = "_identity_row"
#: How far in time a key-only line reaches for the id a line links to its key:
#: OpenClaw starts each session anew at its daily reset (04:00 host time by
#: default), so a link days away names another transcript (Z222: a lease-era
#: burst given a pre-upgrade id five days old, and that id's relic lock).
LINK_REACH = timedelta(hours=12)


def _real_id() -> pl.Expr:
    return (
        pl.when(~pl.col("session_is_placeholder").fill_null(False))
        .then(pl.col("session_id"))
        .otherwise(None)
    )


def real_key() -> pl.Expr:
    """``session_key`` where it is a real key, not a placeholder (`<key>`, redacted)."""
    key = pl.col("session_key")
    return pl.when(~key.str.contains(_PLACEHOLDER_RE).fill_null(True)).then(key).otherwise(None)


#: What OpenClaw's support export writes for a run of 9 or more digits (a
#: Telegram or Slack peer's id) in the logs it sanitizes (openclaw-formats §8).
REDACTED_ID = "<redacted-id>"
_REDACTED_SPLIT = re.compile(f"({re.escape(REDACTED_ID)})")


def unredacted(keys: pl.Series) -> dict[str, str]:
    """Each key an export redacted (`agent:writer:telegram:direct:<redacted-id>`)
    that one real key among ``keys`` alone fits: the same session, its copy in a
    journal or a log the export did not sanitize naming it whole (Z175: a run's
    end on the redacted key cleared nothing).  Two that fit: neither."""
    texts = [str(k) for k in keys.drop_nulls()]
    real = [k for k in texts if not PLACEHOLDER.search(k)]
    found: dict[str, str] = {}
    for key in texts:
        if REDACTED_ID not in key:
            continue
        parts = _REDACTED_SPLIT.split(key)
        if PLACEHOLDER.search("".join(p for p in parts if p != REDACTED_ID)):
            continue  # another placeholder beside it: not one session
        fits = re.compile("".join(r"\d{9,}" if p == REDACTED_ID else re.escape(p) for p in parts))
        matches = [k for k in real if k.startswith(parts[0]) and fits.fullmatch(k)]
        if len(matches) == 1:
            found[key] = matches[0]
    return found


def _with_real_ids(
    events: pl.LazyFrame, keys: pl.Series, redacted: dict[str, str] | None = None
) -> pl.LazyFrame:
    """``events`` with ``_key`` and ``_id``, the real key and id; ``keys``: at
    least the distinct keys among them; ``redacted``: the real key of each
    redacted one that has one (:func:`unredacted`).

    The placeholder test runs once per distinct key: a busy bundle has a few
    dozen keys on hundreds of thousands of lines, and the regex over every
    line cost more than the rest of the stage.
    """
    real = keys.to_frame().select(real_key()).to_series()
    if redacted:
        real = pl.Series([redacted.get(k, r) for k, r in zip(keys, real, strict=True)])
    return events.with_columns(
        _id=_real_id(),
        _key=pl.col("session_key").replace_strict(keys, real, default=None, return_dtype=pl.String),
    )


def _keys(events: pl.LazyFrame) -> pl.Series:
    return events.select(pl.col("session_key").drop_nulls().unique()).collect().to_series()


@dataclass(frozen=True, slots=True)
class Links:
    """Every link the table shows, for linking its rows a batch at a time
    (:func:`linked`): each (host, key)'s first linked id, and every (host, key,
    id, time); ``hosts``: each input's host when its lines name none."""

    first: pl.DataFrame  # _h, key, first_linked, _g (a number per (_h, key))
    timed: pl.DataFrame  # _g, linked, link_ts; in time order
    hosts: pl.DataFrame | None = None  # source, _fallback
    redacted: dict[str, str] = field(default_factory=dict)  # :func:`unredacted`


def _hosted(events: pl.LazyFrame, hosts: pl.DataFrame | None) -> pl.LazyFrame:
    """``events`` with ``_h``: the line's host, else its input's, "" when unknown."""
    schema = events.collect_schema()
    if "host" not in schema:
        return events.with_columns(_h=pl.lit(""))
    if hosts is None or "source" not in schema:
        return events.with_columns(_h=pl.col("host").cast(pl.String).fill_null(""))
    return (
        events.join(hosts.lazy(), on="source", how="left", maintain_order="left")
        .with_columns(_h=pl.coalesce(pl.col("host").cast(pl.String), "_fallback").fill_null(""))
        .drop("_fallback")
    )


def links(events: pl.LazyFrame, hosts: pl.DataFrame | None = None) -> Links:
    """The :class:`Links` that ``events`` show (``hosts``: epochs.fallback_hosts)."""
    # Every (host, key, id, ts) a single line shows together, one row per distinct one.
    # Only lines naming both can link: filtered first, so the scan reads only
    # them (every row's path and host, hosted, had cost the busy 1 GB report
    # 110 MB at its peak).
    both = events.filter(pl.col("session_key").is_not_null() & pl.col("session_id").is_not_null())
    redacted = unredacted(_keys(events))
    store = (
        (pl.col("kind") == EventKind.SESSION_STORE).fill_null(False)
        if "kind" in both.collect_schema().names()
        else pl.lit(False)
    )
    pairs = (
        _hosted(_with_real_ids(both, _keys(both), redacted), hosts)
        .select(
            "_h",
            key=pl.col("_key"),
            linked=pl.col("_id"),
            # A store's link holds at collection, whenever its session began.
            link_ts=pl.when(~store).then(pl.col("ts")),
        )
        .filter(pl.col("key").is_not_null() & pl.col("linked").is_not_null())
        .unique()
        .sort("_h", "key", "link_ts", "linked", nulls_last=True)
        .collect()
    )
    first = (
        pairs.group_by("_h", "key", maintain_order=True)
        .agg(
            first_linked=pl.col("linked").first(),
            # A link of no time (a `sessions.json` snapshot) serves every row.
            _untimed_linked=pl.col("linked").filter(pl.col("link_ts").is_null()).first(),
        )
        .with_row_index("_g")
    )
    # The as-of join groups by a number, not by the host and key: grouping by
    # two strings cost it three times as much on a busy bundle.
    timed = (
        pairs.filter(pl.col("link_ts").is_not_null())
        .join(first.select("_h", "key", "_g"), on=["_h", "key"], how="left")
        .select("_g", "linked", "link_ts")
        .sort("link_ts")
    )
    return Links(first=first, timed=timed, hosts=hosts, redacted=redacted)


def link(events: pl.LazyFrame) -> pl.LazyFrame:
    """Add the ``session`` identity column (see the module docstring)."""
    return linked(links(events), events)


def linked(found: Links, events: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`link` for some rows, with the links of the whole table in ``found``."""
    # Computed once: the keys, the rows wanting one and the result all read it.
    rows = events.with_row_index(_ROW).collect().lazy()
    rows = _hosted(_with_real_ids(rows, _keys(rows), found.redacted), found.hosts)
    rows = rows.collect().lazy()
    rows = rows.join(
        found.first.lazy(),
        left_on=["_h", "_key"],
        right_on=["_h", "key"],
        how="left",
        maintain_order="left",
    )
    # Only key-only rows with links need one; the as-of join wants both sides sorted by time.
    wanted = rows.filter(pl.col("_id").is_null() & pl.col("_g").is_not_null())
    nearest = (
        wanted.filter(pl.col("ts").is_not_null())
        .select(_ROW, "_g", "ts")
        .sort("ts")
        .join_asof(
            found.timed.lazy(),
            left_on="ts",
            right_on="link_ts",
            by="_g",
            strategy="nearest",
            tolerance=LINK_REACH,
            check_sortedness=False,
        )
        .select(_ROW, "linked")
    )
    # An untimed row takes the key's first link; a timed one no timed link
    # farther than LINK_REACH, then a link of no time (a store's), else its key.
    first = pl.when(pl.col("ts").is_null()).then("first_linked")
    session = pl.coalesce("_id", "linked", first, "_untimed_linked", "_key")
    return (
        rows.join(nearest, on=_ROW, how="left", maintain_order="left")
        .with_columns(session.cast(IDENTITY_COLUMNS["session"]).alias("session"))
        .drop(_ROW, "_key", "_id", "_h", "_g", "linked", "first_linked", "_untimed_linked")
    )
