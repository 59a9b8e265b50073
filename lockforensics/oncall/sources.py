"""Where the on-call commands get events from: a fleet store, or a bundle read now."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl

from lockforensics.correlate import scope
from lockforensics.errors import DataError
from lockforensics.findings import Settings
from lockforensics.oncall import store
from lockforensics.oncall.exposure import HostFindings, by_host
from lockforensics.pipeline import Ingest, analyze, ingest


def events_of(path: Path, tz: str | None = None, host: str | None = None) -> pl.DataFrame:
    """A fleet store's events, or a bundle's, of ``host`` or all: a bundle's rows
    placed on hosts as a store's are (Z233: a bundle's --host was ignored)."""
    if store.is_store(path):
        return store.load(path, host)
    events = store.with_default_host(_read(path, tz).events)
    if host is None:
        return events
    held = sorted(set(events.get_column("host").to_list()))
    if host not in held:
        raise scope.no_such_host(host, held)
    return events.filter(pl.col("host") == host)


def _read(path: Path, tz: str | None) -> Ingest:
    result = ingest([path], tz=tz)
    if all(s.event_lines == 0 and s.noise_lines == 0 for s in result.files):
        raise DataError(f"{path}: none of the input could be read as OpenClaw logs")
    return result


def findings_of(
    path: Path, settings: Settings, tz: str | None = None, host: str | None = None
) -> list[HostFindings]:
    """A fleet store's hosts' findings (of ``host``, or all), or a bundle's, analysed
    whole as `report` does: its uptime counts from its logs' first line, not its
    first event (Z161: an epoch of no events held no hour, 36 h of a side lost)."""
    if store.is_store(path):
        return by_host(store.load(path, host), settings)
    findings = analyze(_read(path, tz), replace(settings, host=host))
    return [HostFindings(", ".join(findings.hosts) or store.UNKNOWN_HOST, findings)]


def events_of_all(
    paths: list[Path], tz: str | None = None, host: str | None = None
) -> pl.DataFrame:
    """Several stores or bundles as one table (their hosts keep them apart)."""
    return pl.concat([events_of(p, tz, host) for p in paths], how="diagonal_relaxed")
