"""Gateways run side by side on one host under named profiles (``--profile staging``).

A profile is a gateway of its own: its state dir, port, systemd unit
(``openclaw-gateway-<profile>.service``) and logs (``openclaw-<profile>-
YYYY-MM-DD.log``, launchd's ``gateway-<profile>.log``; openclaw-formats §1.1).
On one host their lines share the host's name, and one journal interleaves
both units' ``node[pid]`` lines: read as one gateway, staging restarting beside
prod's burst ended prod's process and "cleared" its incident.

A profile's lines take the host ``<host> (<profile>)`` (``profile <profile>``
where no line names the host), so every stage keeps the two apart as it keeps
two hosts apart:

* every line of a log named for a profile;
* a systemd line naming a profile's unit;
* a line whose pid is a profile's: a pid its logs name, a process whose
  command line (``ps``) says ``--profile <name>``, or, as 2026.6+ logs
  name none, the pid on the journal copies of their records (the same
  occurrence), when that profile holds most of the records the pid shares
  with any gateway's logs (the default profile's logs compete).
"""

from __future__ import annotations

from collections.abc import Collection

import polars as pl

from lockforensics.correlate.epochs import LIFECYCLE
from lockforensics.correlate.frames import first_value
from lockforensics.schema import LOCK_KINDS, EventKind

#: A log named for a profile (its base name; rotated and compressed copies too).
PROFILE_LOG = (
    r"(?:^|[/\\])(?:openclaw-(?P<log>[A-Za-z0-9][\w-]*?)-\d{4}-\d{2}-\d{2}(?:\.\d+)?\.log"
    r"|gateway-(?P<launchd>[A-Za-z0-9][\w-]*?)(?:\.err)?\.log)(?:\.gz|\.zst)?$"
)
#: A command line's profile flag (``--profile work``, ``--profile=work``).
PROFILE_FLAG = r"--profile[= ](?P<flag>[A-Za-z0-9][\w-]*)"
#: A systemd line naming a profile's unit (a template instance, too).
PROFILE_UNIT = r"openclaw-gateway[-@](?P<unit>[A-Za-z0-9][\w.-]*?)\.service"
#: pm2's own suffixes (``<app>-out.log``, ``<app>-error.log``): an app named
#: ``gateway`` is no profile ``out``.
NOT_PROFILES = ("out", "error")
#: The default profile's logs, which compete with the named ones for a pid.
DEFAULT_LOG = r"(?:^|[/\\])openclaw-\d{4}-\d{2}-\d{2}(?:\.\d+)?\.log(?:\.gz|\.zst)?$"
#: How many times as many shared records the winning profile needs.
LEAD = 2


def _log_profile(path: pl.Expr, file_log: pl.Expr | None = None) -> pl.Expr:
    """The profile a log's name is for (null: none; PROFILE_LOG).  launchd's
    ``gateway-<profile>.log`` holds console lines: a file log so named is an
    operator's copy (``gateway-runaway.log``, Z171: a host of its own), no
    profile's."""
    launchd = path.str.extract(PROFILE_LOG, 2)
    if file_log is not None:
        launchd = pl.when(~file_log).then(launchd)
    return pl.coalesce(path.str.extract(PROFILE_LOG, 1), launchd)


def profile_hosts(
    detail: pl.LazyFrame,
    sources: list[str],
    sections: pl.DataFrame | None = None,
    file_logs: Collection[str] = (),
) -> pl.DataFrame:
    """Per input and pid, and per detail row, the profile its lines are a gateway of:
    rows (``source``, ``pid``, ``occurrence``, ``profile``), where a null ``pid``
    and ``occurrence`` stand for every row of the input, a null ``occurrence``
    for every row of that pid on the input's host, and a set ``occurrence`` for
    that occurrence's rows (systemd's, or a `tail` section's).  ``sections``:
    where each `==> file <==` section of a capture begins (``source``, ``line``,
    ``path``); ``file_logs``: the inputs read as the gateway's file log.  Empty
    when the bundle shows no profile."""
    logs = pl.DataFrame({"source": sources}, schema={"source": pl.String}).with_columns(
        profile=_log_profile(pl.col("source"), pl.col("source").is_in(list(file_logs))),
        default=pl.col("source").str.contains(DEFAULT_LOG),
    )
    named = logs.filter(pl.col("profile").is_not_null() & ~pl.col("profile").is_in(NOT_PROFILES))
    units = (
        detail.filter(
            pl.col("kind").is_in([k.value for k in LIFECYCLE])
            & pl.col("message").str.contains("openclaw-gateway", literal=True)
        )
        .select("occurrence", profile=pl.col("message").str.extract(PROFILE_UNIT, 1))
        .filter(pl.col("profile").is_not_null() & pl.col("occurrence").is_not_null())
        .unique()
        .collect()
    )
    units = pl.concat([units, _sectioned(detail, sections)])
    # A process whose command line says `--profile <name>` (`ps` output) is that
    # profile's, on whichever host its lines are.
    commands = (
        detail.filter(
            (pl.col("kind") == EventKind.UPTIME)
            & pl.col("gateway_pid").is_not_null()
            & pl.col("raw").str.contains("--profile", literal=True)
        )
        .select(pid=pl.col("gateway_pid"), profile=pl.col("raw").str.extract(PROFILE_FLAG, 1))
        .filter(pl.col("profile").is_not_null())
        .unique()
        .collect()
    )
    empty = pl.DataFrame(
        schema={
            "source": pl.String,
            "host": pl.String,
            "pid": pl.Int64,
            "occurrence": pl.Int64,
            "profile": pl.String,
        }
    )
    if named.is_empty() and units.is_empty() and commands.is_empty():
        return empty
    # Whose logs each record is in: a profile's, or the default profile's.
    owners = pl.concat(
        [
            named.select("source", "profile"),
            logs.filter("default").select("source", profile=pl.lit("")),
        ]
    )
    records = detail.filter(
        pl.col("occurrence").is_not_null()
        & pl.col("kind").is_in(sorted(k.value for k in (*LOCK_KINDS, *LIFECYCLE)))
    )
    owned = records.join(owners.lazy(), on="source").select("occurrence", "profile").unique()
    pids = (
        records.filter(pl.col("gateway_pid").is_not_null() & pl.col("host").is_not_null())
        .join(owners.lazy(), on="source", how="anti")
        .select("occurrence", "host", pid=pl.col("gateway_pid"))
        .unique()
    )
    # A pid a profile's own logs name is that profile's.
    named_pids = (
        records.join(named.lazy(), on="source")
        .filter(pl.col("gateway_pid").is_not_null())
        .select(pid=pl.col("gateway_pid"), profile="profile")
        .unique()
    )
    votes = (
        pids.join(owned, on="occurrence")
        .group_by("host", "pid", "profile")
        .agg(n=pl.len())
        .sort("n", "profile", descending=[True, False])
        .group_by("host", "pid", maintain_order=True)
        .agg(
            profile=pl.col("profile").first(),
            n=pl.col("n").first(),
            runner_up=pl.col("n").slice(1, 1).first().fill_null(0),
        )
        .filter(pl.col("n") >= LEAD * pl.col("runner_up"))
        .select("host", "pid", "profile")
    )
    by_named_pid = pids.select("host", "pid").unique().join(named_pids, on="pid")
    by_pid = (
        pl.concat([by_named_pid, _started_pids(detail, units), votes])
        .group_by("host", "pid", maintain_order=True)
        .agg(profile=first_value("profile"))
        .filter(pl.col("profile") != "")
        .collect()
    )
    return pl.concat(
        [
            named.select("source", "profile"),
            by_pid,
            commands,
            units.select("occurrence", "profile"),
        ],
        how="diagonal_relaxed",
    ).match_to_schema(empty.schema, missing_columns="insert")


def profiled(rows: pl.LazyFrame, found: pl.DataFrame, fallback: pl.LazyFrame) -> pl.LazyFrame:
    """``rows`` with each profile's lines on the host ``<host> (<profile>)``
    (:func:`profile_hosts`) and every other line on the host it names or takes;
    ``fallback``: per input, the host its lines take when they name none
    (epochs.fallback_hosts)."""
    if found.is_empty():
        return rows
    dtype = rows.collect_schema()["host"]
    by_source = found.filter(pl.col("pid").is_null() & pl.col("occurrence").is_null())
    by_pid = found.filter(pl.col("pid").is_not_null() & pl.col("host").is_not_null()).select(
        "host", "pid", _by_pid="profile"
    )
    # A pid named with no host (a command line): that pid's on every host.
    by_command = found.filter(pl.col("pid").is_not_null() & pl.col("host").is_null()).select(
        "pid", _by_command="profile"
    )
    by_unit = found.filter(pl.col("occurrence").is_not_null()).select(
        "occurrence", _by_unit="profile"
    )
    have = rows.collect_schema().names()
    joined = rows.with_columns(
        _host=pl.col("host").cast(pl.String), _source=pl.col("source").cast(pl.String)
    ).join(
        by_source.select(_source="source", _by_source="profile").lazy(),
        on="_source",
        how="left",
        maintain_order="left",
    )
    joined = joined.join(
        by_pid.lazy(),
        left_on=["_host", "gateway_pid"],
        right_on=["host", "pid"],
        how="left",
        maintain_order="left",
    )
    joined = joined.join(
        by_command.lazy(),
        left_on="gateway_pid",
        right_on="pid",
        how="left",
        maintain_order="left",
    )
    if "occurrence" in have:
        joined = joined.join(by_unit.lazy(), on="occurrence", how="left", maintain_order="left")
    else:
        joined = joined.with_columns(_by_unit=pl.lit(None, pl.String))
    profile = pl.coalesce("_by_source", "_by_unit", "_by_pid", "_by_command")
    base = pl.coalesce("_host", "_fallback")
    return (
        joined.join(
            fallback.select(_source="source", _fallback="_fallback"),
            on="_source",
            how="left",
            maintain_order="left",
        )
        .with_columns(
            # Every line keeps the host it had before the profiles parted
            # them, an unknown one as "" (unknown, said so): left null, a line
            # would take a profile's host from its input's or its folder's
            # other lines.
            host=pl.when(profile.is_not_null() & base.is_not_null())
            .then(pl.format("{} ({})", base, profile))
            .when(profile.is_not_null())
            .then(pl.format("profile {}", profile))
            .otherwise(base.fill_null(""))
            .cast(dtype)
        )
        .select(have)
    )


#: systemd's line naming the default profile's unit.
DEFAULT_UNIT = r"openclaw-gateway\.service"


def _started_pids(detail: pl.LazyFrame, units: pl.DataFrame) -> pl.LazyFrame:
    """(``host``, ``pid``, ``profile``) of each process whose start a unit's
    `Started` line is one occurrence with (``profile`` "" for the default
    unit's): a journal of one unit names no pid on its failures' copies, and
    the process had been taken for a second gateway of the plain host (Z205)."""
    default = (
        detail.filter(
            (pl.col("kind") == EventKind.GATEWAY_START)
            & pl.col("message").str.contains(DEFAULT_UNIT)
            & pl.col("occurrence").is_not_null()
        )
        .select("occurrence", profile=pl.lit(""))
        .unique()
    )
    return (
        detail.filter(
            (pl.col("kind") == EventKind.GATEWAY_START)
            & pl.col("gateway_pid").is_not_null()
            & pl.col("host").is_not_null()
        )
        .join(pl.concat([units.lazy().select("occurrence", "profile"), default]), on="occurrence")
        .select("host", pid=pl.col("gateway_pid"), profile="profile")
        .unique()
    )


def _sectioned(detail: pl.LazyFrame, sections: pl.DataFrame | None) -> pl.DataFrame:
    """(``occurrence``, ``profile``) of the records in a `tail` section of a profile's
    log: `tail -f openclaw-*.log` with a profile's log among them prints each
    file's new lines under its `==> file <==` header."""
    empty = pl.DataFrame(schema={"occurrence": pl.Int64, "profile": pl.String})
    if sections is None or sections.is_empty():
        return empty
    headers = sections.with_columns(profile=_log_profile(pl.col("path"))).filter(
        pl.col("profile").is_not_null() & ~pl.col("profile").is_in(NOT_PROFILES)
    )
    if headers.is_empty():
        return empty
    return (
        detail.filter(
            pl.col("occurrence").is_not_null()
            & pl.col("source").is_in(headers.get_column("source").unique().implode())
        )
        .select("source", "line", "occurrence")
        .sort("line")
        .join_asof(
            sections.lazy().sort("line").select("source", "line", "path"),
            on="line",
            by="source",
            strategy="backward",
            check_sortedness=False,
        )
        .join(headers.lazy().select("source", "path", "profile").unique(), on=["source", "path"])
        .select("occurrence", "profile")
        .unique()
        .collect()
    )
