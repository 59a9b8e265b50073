"""The fleet store: event tables of many gateways as hive-partitioned Parquet.

Layout: ``DIR/host=<host>/date=<YYYY-MM-DD>/part-<batch>.parquet``.  A row's
host is its own ``host`` column, else the host most of its ingest names,
else ``unknown``; its date is its UTC day, ``undated`` when it has no time.
Each file keeps the full event schema (including ``host``), so Spark,
DuckDB or polars read the directory as one table.

Re-ingesting replaces: before a batch is written, every row already in the
store under the same hosts whose ``source`` the batch holds again is removed
(files are rewritten through a temporary file and an atomic rename), so
ingesting the same inputs twice leaves the rows of one ingest.

Rows another batch holds too (the same log ingested by another path, or
collected again as it grew) are read once (:func:`_one_copy`).

Occurrence ids are numbered per ingest; a batch's files share its name, and
:func:`load` renumbers occurrences per (batch, occurrence), so rows of two
ingests never merge into one occurrence.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import polars as pl

from lockforensics.correlate import scope
from lockforensics.correlate.epochs import HOSTS_INPUT, fallback_hosts
from lockforensics.errors import DataError, NoInputError, OutputError, UsageError
from lockforensics.ingest.duplicates import PROVENANCE
from lockforensics.schema import EVENT_SCHEMA, SORT_KEY

UNKNOWN_HOST = "unknown"
UNDATED = "undated"


def is_store(path: Path) -> bool:
    """A directory laid out as a store (``host=…`` subdirectories)."""
    return path.is_dir() and any(p.is_dir() for p in path.glob("host=*"))


def _partition_value(value: str) -> str:
    """A host as a directory name: path separators and dots-only names cannot escape."""
    safe = "".join(c if c.isalnum() or c in "-_.:" else "_" for c in value)
    return safe if safe.strip(".") else "_"


def _files(store: Path, hosts: set[str] | None = None) -> list[Path]:
    found = sorted(store.glob("host=*/date=*/*.parquet"))
    if hosts is None:
        return found
    return [f for f in found if f.parent.parent.name.removeprefix("host=") in hosts]


def with_default_host(events: pl.DataFrame) -> pl.DataFrame:
    """Rows that name no host take their input's, as the report places them
    (epochs.fallback_hosts: the host the file names, else its directory's,
    else the bundle's only one); the rest are ``unknown``.

    File logs rarely carry a host name; the journal and ``systemctl`` lines
    of the same bundle do.  A file log of a second gateway beside them
    (``gw-west/`` next to ``gw-east/``), or one sharing no record with the
    host it would take, is not that host's: the report keeps it apart, and
    so must ``sql``, ``compare`` and the store.
    """
    fallback = fallback_hosts(events.lazy().select(HOSTS_INPUT)).collect()
    return (
        events.join(fallback, on="source", how="left", maintain_order="left")
        .with_columns(pl.coalesce("host", "_fallback").fill_null(UNKNOWN_HOST).alias("host"))
        .drop("_fallback")
    )


def write(events: pl.DataFrame, store: Path, manifest: list[dict[str, object]]) -> list[Path]:
    """Add an ingest to the store, replacing the rows its sources left there before."""
    if events.is_empty():
        return []
    tagged = with_default_host(events).with_columns(
        _host=pl.col("host").map_elements(_partition_value, return_dtype=pl.String),
        _date=pl.col("ts").dt.strftime("%Y-%m-%d").fill_null(UNDATED),
    )
    sources = sorted(set(tagged.get_column("source").to_list()))
    batch_hosts = set(tagged.get_column("_host").to_list())
    digest = hashlib.sha256(
        json.dumps([sorted(batch_hosts), manifest], sort_keys=True, default=str).encode()
    ).hexdigest()[:16]
    try:
        store.mkdir(parents=True, exist_ok=True)
        for old in _files(store, batch_hosts):
            _drop_sources(old, sources)
        written = []
        for (host, date), part in tagged.group_by("_host", "_date", maintain_order=True):
            folder = store / f"host={host}" / f"date={date}"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"part-{digest}.parquet"
            _atomic_write(part.drop("_host", "_date"), target)
            written.append(target)
    except OSError as exc:
        raise OutputError(f"{store}: {exc.strerror or exc}") from exc
    return sorted(written)


def _atomic_write(frame: pl.DataFrame, target: Path) -> None:
    temporary = target.with_name(f".{target.name}.tmp")
    frame.write_parquet(temporary)
    os.replace(temporary, target)


def _drop_sources(path: Path, sources: list[str]) -> None:
    frame = pl.read_parquet(path)
    kept = frame.filter(~pl.col("source").is_in(sources))
    if kept.height == frame.height:
        return
    if kept.is_empty():
        path.unlink()
        return
    _atomic_write(kept, path)


def hosts(store: Path) -> list[str]:
    """The hosts a store holds."""
    return sorted({p.parent.parent.name.removeprefix("host=") for p in _files(store)})


def _one_copy(events: pl.DataFrame) -> pl.DataFrame:
    """``events`` less the rows another batch holds as well: the same log ingested
    by another path (the bundle, then a folder inside it) or collected again as
    it grew.  Rows equal in all but where they were read are one row, kept in the
    batch that holds most of them; a batch's own repeats stay (a log that says a
    thing twice said it twice).  Re-ingesting by the same paths replaced them
    already (:func:`write`); by others it had counted each failure twice (Z157)."""
    compared = [c for c in EVENT_SCHEMA if c not in PROVENANCE and c != "host"]
    keyed = events.with_columns(_key=pl.struct(compared).hash())
    # Read alone, a file log names no host: its rows are the named copy's.
    named = pl.col("host") != UNKNOWN_HOST
    named_keys = keyed.filter(named).select("_key").unique()
    keyed = keyed.join(named_keys, on="_key", how="anti").vstack(
        keyed.filter(named).join(named_keys, on="_key", how="semi")
    )
    best = (
        keyed.group_by("_key", "host", "_batch")
        .len()
        .sort(["_key", "host", "len", "_batch"], descending=[False, False, True, False])
        .unique(["_key", "host"], keep="first")
        .select("_key", "host", "_batch")
    )
    return keyed.join(best, on=["_key", "host", "_batch"], how="semi").drop("_key")


def load(store: Path, host: str | None = None) -> pl.DataFrame:
    """The store's events (of one host, or all) as one table in the table's total order."""
    if not store.is_dir():
        raise NoInputError(f"{store}: no such store directory")
    files = _files(store, {_partition_value(host)} if host else None)
    if not files:
        if host and (held := hosts(store)):
            raise UsageError(f"{store}: {scope.no_such_host(host, held, 'store')}")
        raise DataError(f"{store}: the store holds no events")
    frames = []
    for path in files:
        frame = pl.read_parquet(path).with_columns(_batch=pl.lit(path.name))
        frames.append(
            frame.select(
                *(
                    pl.col(c).cast(t) if c in frame.columns else pl.lit(None, t).alias(c)
                    for c, t in EVENT_SCHEMA.items()
                ),
                pl.col("_batch"),
            )
        )
    events = _one_copy(pl.concat(frames))
    renumbered = events.with_columns(
        occurrence=pl.struct("_batch", "occurrence").rank("dense").cast(EVENT_SCHEMA["occurrence"])
    ).drop("_batch")
    return renumbered.sort([*SORT_KEY, "host"], nulls_last=True, maintain_order=True)
