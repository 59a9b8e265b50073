"""SQL over the event table and the correlator's tables, with polars SQL.

Tables (one per correlator stage; every table has ``host``, since a store
holds many gateways and each host is correlated on its own):

* ``events``: the event table (``lockforensics/schema.py``) with ``epoch``,
  ``gateway_pid``, ``uptime_s``; a line naming no host takes its epoch's;
* ``failures``: one row per lock-stale, lock-timeout or takeover occurrence,
  with ``incident``;
* ``incidents``, ``epochs``, ``pairs`` (takeover → lock error),
  ``lock_errors``, ``frequency``, ``stuck_alive``, ``held_locks`` (session
  lock files in the bundle and whose pid they name);
* ``uptime``: per host and epoch, the ``version`` and the ``hours`` of uptime
  the logs cover (the denominator of every rate).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import assert_never

import polars as pl

from lockforensics.errors import UsageError
from lockforensics.findings import Findings, Settings
from lockforensics.oncall.exposure import by_host, epoch_hours
from lockforensics.oncall.output import rich_table
from lockforensics.oncall.store import UNKNOWN_HOST
from lockforensics.reporting.units import iso_z
from lockforensics.textsafety import clean

TABLES = (
    "events",
    "failures",
    "incidents",
    "epochs",
    "pairs",
    "lock_errors",
    "frequency",
    "stuck_alive",
    "held_locks",
)


class SqlFormat(StrEnum):
    TABLE = "table"
    CSV = "csv"
    JSON = "json"


def tables(events: pl.DataFrame, settings: Settings) -> dict[str, pl.DataFrame]:
    """Every table the SQL context offers, each with a leading ``host`` column."""
    parts: dict[str, list[pl.DataFrame]] = {name: [] for name in (*TABLES, "uptime")}
    for item in by_host(events, settings):
        host = pl.lit(item.host, dtype=pl.String).alias("host")
        for name in TABLES:
            frame: pl.DataFrame = getattr(item.findings, name)
            parts[name].append(frame.drop("host", strict=False).select(host, pl.all()))
        parts["uptime"].append(epoch_hours(item.findings).select(host, pl.all()))
    return {
        name: pl.concat(frames, how="diagonal_relaxed") if frames else pl.DataFrame()
        for name, frames in parts.items()
    }


#: Said where a column is not found: tables have columns named like SQL words.
KEYWORD_HINT = ' (a column named like an SQL word, such as end, needs double quotes: "end")'

#: Tables with no host of their own that take their failure's (by this column).
_FAILURE_KEYS = {"pairs": "takeover", "lock_errors": "occurrence"}


def bundle_tables(findings: Findings) -> dict[str, pl.DataFrame]:
    """The tables of one bundle's report, correlated as ``report`` correlates it:
    the same incident and epoch ids and the same figures, the hosts of a
    multi-host bundle in their ``host`` column (``unknown`` where a row's host
    cannot be told, null in the bundle-wide ``frequency``)."""
    host = pl.col("host").fill_null(UNKNOWN_HOST)
    # A failure naming no host is its epoch's, as it was clustered (incidents.cluster).
    failure_hosts = findings.failures.select(
        "occurrence", _host=pl.coalesce("gateway_host", "host").fill_null(UNKNOWN_HOST)
    )
    # A line naming no host (a file log, a cleanup's output) is its epoch's
    # host's, as the report places it (epochs.with_hosts).
    epoch_hosts = findings.epochs.select("epoch", _epoch_host="host")
    out: dict[str, pl.DataFrame] = {}
    for name in TABLES:
        found: pl.DataFrame | pl.LazyFrame = getattr(findings, name)
        frame = found.collect() if isinstance(found, pl.LazyFrame) else found
        if name == "events":
            frame = (
                frame.join(epoch_hosts, on="epoch", how="left", maintain_order="left")
                .with_columns(host=pl.coalesce("host", "_epoch_host"))
                .drop("_epoch_host")
            )
        if "gateway_host" in frame.columns:
            frame = frame.with_columns(
                pl.coalesce("gateway_host", "host").alias("host")
            ).with_columns(host)
        elif "host" in frame.columns:
            frame = frame.with_columns(host)
        elif name in _FAILURE_KEYS:
            keyed = failure_hosts.rename({"occurrence": _FAILURE_KEYS[name]})
            frame = frame.join(keyed, on=_FAILURE_KEYS[name], how="left", maintain_order="left")
            frame = frame.rename({"_host": "host"})
        else:
            frame = frame.with_columns(host=pl.lit(None, pl.String))
        out[name] = frame.select("host", pl.exclude("host"))
    hosts = findings.epochs.select("epoch", host)
    uptime = epoch_hours(findings).join(hosts, on="epoch", how="left", maintain_order="left")
    out["uptime"] = uptime.select("host", pl.exclude("host"))
    return out


#: The statements that answer with rows.
_QUERIES = frozenset({"SELECT", "WITH", "SHOW", "EXPLAIN"})


def _json_value(value: object) -> object:
    """A cell JSON cannot hold as it is: times as the JSON report writes them."""
    if isinstance(value, datetime):
        return iso_z(value.astimezone(UTC)) if value.tzinfo else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    return str(value)


def query(frames: dict[str, pl.DataFrame], statement: str) -> pl.DataFrame:
    """Run one SQL statement over ``frames``; a bad statement is a one-line usage
    error (exit 2): the statement is the user's, the bundle is not at fault."""
    verb = statement.lstrip().lstrip("(").split(None, 1)[0].upper() if statement.strip() else ""
    if verb not in _QUERIES:
        # The tables live for this one statement: DROP, CREATE or INSERT would
        # change nothing, and answering `0 rows` said it had run (Z157).
        allowed = ", ".join(sorted(_QUERIES))
        raise UsageError(f"SQL: only queries ({allowed}) are run here, not {verb or 'nothing'}")
    context = pl.SQLContext({name: frame.lazy() for name, frame in frames.items()})
    try:
        return context.execute(statement).collect()
    except (pl.exceptions.PolarsError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        # polars reads `SELECT start, end FROM epochs` as a CASE's END and says
        # no column is found at all: the cause is a name that is an SQL word.
        hint = KEYWORD_HINT if "unable to find column" in first else ""
        raise UsageError(f"SQL: {first}{hint}") from exc


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists and structs as text, for CSV and the terminal table."""
    return frame.with_columns(
        pl.col(name).map_elements(
            lambda v: json.dumps(v.to_list() if isinstance(v, pl.Series) else v, default=str),
            return_dtype=pl.String,
        )
        for name, dtype in frame.schema.items()
        if isinstance(dtype, pl.List | pl.Struct | pl.Array)
    )


def render(frame: pl.DataFrame, fmt: SqlFormat, width: int | None = None) -> str:
    """The result in ``fmt``: a table, CSV, or a JSON array of row objects."""
    match fmt:
        case SqlFormat.CSV:
            # Log text is hostile: a CSV read in a terminal must not carry its
            # escapes (OSC 52 writes the clipboard).  JSON escapes them itself.
            flat = _flat(frame)
            text = [n for n, t in flat.schema.items() if t == pl.String]
            return flat.with_columns(
                pl.col(text).map_elements(clean, return_dtype=pl.String)
            ).write_csv()
        case SqlFormat.JSON:
            rows = frame.to_dicts()
            return json.dumps(rows, indent=2, default=_json_value, ensure_ascii=False) + "\n"
        case SqlFormat.TABLE:
            flat = _flat(frame)
            cells = [["" if v is None else str(v) for v in row] for row in flat.iter_rows()]
            footer = f"{frame.height} row{'s' if frame.height != 1 else ''}\n"
            return rich_table("", list(flat.columns), cells, width, False) + footer
        case _:
            assert_never(fmt)
