"""Host names a container runtime gave a gateway, or a journal's short name, and
the name the gateway's own logs give.

``docker compose logs`` prefixes each line with the container's name
(``openclaw-gateway-1``), which the envelope takes as the host so that two
replicas on one machine stay two gateways.  But the name is the service's,
not the machine's: the same compose file on prod and on staging names both
gateways ``openclaw-gateway-1``, and the gateway's own file log names the
container's hostname instead.  A runtime-named log that holds the same
records as a log naming its own host (the same occurrences: one record read
from both) is that host's: its rows take that name, per input, so prod's
``openclaw-gateway-1`` and staging's stay apart and each joins its own file
log's timeline.
"""

from __future__ import annotations

import polars as pl

from lockforensics.correlate.epochs import LIFECYCLE
from lockforensics.ingest.occurrences import load_rules
from lockforensics.schema import LOCK_KINDS

#: Envelopes whose host is a name the container runtime gave (envelopes.toml).
RUNTIME_NAMED = ("docker-compose", "kubectl-prefix")
#: Shared records a runtime-named input needs with one host, and how many times
#: as many as with any other, to take its name.
MIN_SHARED = 2
LEAD = 2


def runtime_aliases(detail: pl.LazyFrame) -> pl.LazyFrame:
    """(source, alias, host): in input ``source``, rows named ``alias`` by the runtime
    are host ``host``'s."""
    named = detail.filter(
        pl.col("host").is_not_null()
        & pl.col("occurrence").is_not_null()
        & pl.col("kind").is_in(sorted(k.value for k in (*LOCK_KINDS, *LIFECYCLE)))
    ).select("occurrence", "source", "host", "envelope")
    runtime = named.filter(pl.col("envelope").is_in(RUNTIME_NAMED)).select(
        "occurrence", "source", alias=pl.col("host")
    )
    own = named.filter(~pl.col("envelope").is_in(RUNTIME_NAMED)).select("occurrence", "host")
    # A journal names its host by its short name (`karens-macbook`) where the
    # file log's records give the full one (`karens-macbook.fritz.box`): the
    # short name is the full one's, for the same records read from both.
    dotted = pl.col("host").str.contains(".", literal=True)
    short = named.filter(~pl.col("envelope").is_in(RUNTIME_NAMED) & ~dotted).select(
        "occurrence", "source", alias=pl.col("host")
    )
    by_label = short.join(own.filter(dotted), on="occurrence").filter(
        pl.col("host").str.split(".").list.first() == pl.col("alias")
    )
    # A start or stop read from both is two occurrences (their hosts differ, and
    # a lifecycle occurrence keeps hosts apart): the same line, to the
    # millisecond, is the same record (Z192: a quiet day with one lock error
    # made one container two gateways, every epoch twice).
    life = detail.filter(
        pl.col("host").is_not_null()
        & pl.col("ts").is_not_null()
        & pl.col("kind").is_in(sorted(k.value for k in LIFECYCLE))
    ).select("kind", "ts", "message", "source", "host", "envelope")
    same_line = (
        life.filter(pl.col("envelope").is_in(RUNTIME_NAMED))
        .select("kind", "ts", "message", "source", alias=pl.col("host"))
        .join(
            life.filter(~pl.col("envelope").is_in(RUNTIME_NAMED)).select(
                "kind", "ts", "message", "host"
            ),
            on=["kind", "ts", "message"],
        )
        # Each line a record of its own: a start's `starting…` and `listening`.
        .select(record=pl.format("line {}", "ts"), source="source", alias="alias", host="host")
    )
    shared = pl.concat([runtime.join(own, on="occurrence"), by_label]).select(
        record=pl.format("occurrence {}", "occurrence"), source="source", alias="alias", host="host"
    )
    votes = (
        pl.concat([shared, same_line])
        .filter(pl.col("alias") != pl.col("host"))
        .group_by("source", "alias", "host")
        .agg(n=pl.col("record").n_unique())
        .sort("n", "host", descending=[True, False])
    )
    best = votes.group_by("source", "alias", maintain_order=True).agg(
        host=pl.col("host").first(),
        n=pl.col("n").first(),
        runner_up=pl.col("n").slice(1, 1).first().fill_null(0),
    )
    return best.filter(
        (pl.col("n") >= MIN_SHARED) & (pl.col("n") >= LEAD * pl.col("runner_up"))
    ).select("source", "alias", "host")


def renamed(rows: pl.LazyFrame, aliases: pl.DataFrame) -> pl.LazyFrame:
    """``rows`` with each runtime alias replaced by its host (:func:`runtime_aliases`)."""
    if aliases.is_empty():
        return rows
    host = pl.col("host")
    expr: pl.Expr = host.cast(pl.String)
    for source, alias, name in aliases.iter_rows():
        expr = (
            pl.when((pl.col("source").cast(pl.String) == source) & (host.cast(pl.String) == alias))
            .then(pl.lit(name))
            .otherwise(expr)
        )
    dtype = rows.collect_schema()["host"]
    return rows.with_columns(expr.cast(dtype).alias("host"))


def refolded(rows: pl.DataFrame) -> pl.DataFrame:
    """``rows`` (renamed) with one occurrence for the copies of a line that a
    runtime-named capture and the gateway's own log both hold.

    A gateway start or stop naming another host is another gateway's
    (parsers/occurrences.toml, ``apart``), so at ingest the compose capture's
    `listening` (host `openclaw-gateway-1`) and the file log's (host
    `4be1c07a9e3d`) were two starts; renamed, they are one host's, and the
    same step at the same instant in two inputs is one line read twice (Z138:
    each start had become two epochs, the first ending before it began)."""
    kinds = sorted(kind for kind, rule in load_rules().by_kind.items() if "host" in rule.apart)
    step = ["kind", "phase", "ts", "host", "message"]
    copies = (
        rows.filter(
            pl.col("kind").is_in(kinds)
            & pl.all_horizontal(pl.col(c).is_not_null() for c in ("occurrence", "ts", "host"))
        )
        .group_by(step)
        .agg(pl.col("occurrence").unique(), inputs=pl.col("source").n_unique())
        .filter((pl.col("occurrence").list.len() > 1) & (pl.col("inputs") > 1))
    )
    if copies.is_empty():
        return rows
    # Each occurrence joins the smallest it shares a step with, through any chain.
    joined: dict[int, int] = {}

    def root(ident: int) -> int:
        while joined.get(ident, ident) != ident:
            ident = joined[ident]
        return ident

    for group in copies.get_column("occurrence").to_list():
        first = min(root(ident) for ident in group)
        for ident in group:
            joined[root(ident)] = first
    mapping = {ident: root(ident) for ident in joined if root(ident) != ident}
    occurrence = pl.col("occurrence")
    return rows.with_columns(
        occurrence.replace_strict(
            mapping, default=occurrence, return_dtype=rows.schema["occurrence"]
        )
    )
