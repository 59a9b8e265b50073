"""Where the on-call commands get events from: a fleet store, or a bundle read now."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from lockforensics.errors import DataError
from lockforensics.oncall import store
from lockforensics.pipeline import ingest


def events_of(path: Path, tz: str | None = None, host: str | None = None) -> pl.DataFrame:
    """A fleet store's events (of ``host``, or all), or a bundle's."""
    if store.is_store(path):
        return store.load(path, host)
    result = ingest([path], tz=tz)
    if all(s.event_lines == 0 and s.noise_lines == 0 for s in result.files):
        raise DataError(f"{path}: none of the input could be read as OpenClaw logs")
    return store.with_default_host(result.events)


def events_of_all(
    paths: list[Path], tz: str | None = None, host: str | None = None
) -> pl.DataFrame:
    """Several stores or bundles as one table (their hosts keep them apart)."""
    return pl.concat([events_of(p, tz, host) for p in paths], how="diagonal_relaxed")
