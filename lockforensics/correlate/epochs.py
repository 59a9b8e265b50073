"""Gateway epochs: one row per gateway process lifetime, and each event's place in one.

An epoch is one gateway process, or one lifecycle of a process that restarted
in place, on one host.  Epochs are cut at:

* a restart (``received SIGUSR1; restarting`` … ``restart mode: …``): the old
  epoch ends at the restart's last line.  A full restart's successor has the
  spawned pid; an in-process restart keeps the pid.  The start the restart
  announces (the next start on the host whose pid is the successor's, before
  any other restart or stop, within ``BOOT_WINDOW`` of its last line) is the
  successor's boot, not another epoch; a start of that pid days later is a
  new process that reused the pid (captures of two periods in one bundle);
* a start (``listening on … (PID n)``, ``ready``, systemd ``Started``) that no
  restart announced;
* the first line of a pid that no start or restart announced (journald
  ``node[PID]``): an unlogged end of the previous process and start of this one;
* a stop (``received SIGTERM; shutting down``, systemd ``Stopped``) ends an
  epoch and opens none, at systemd's ``Main process exited`` when there is
  one; one systemd saw killed or dump core (``code=killed``, ``Failed with
  result 'oom-kill'``) with no shutdown the gateway logged is a ``crash``;
  the server's close inside a restart (``shutdown completed cleanly``,
  between its signal and ``restart mode`` lines) is the restart's.

A start or restart that names no pid (2026.6+ ``ready``) takes the first pid
its host's lines name after it, before the host's next opener, when no
opener names that pid (:func:`_adopted`).

A line that names its writer's pid belongs to that pid's epoch (the latest one
announced at or before it), so a child that logs before its parent's
``restart mode`` line, or a parent's last lines after it, land in their own
process's epoch; other lines belong to the epoch open on their host at their
time.  A line names no host when its envelope carries none (the file log):
it takes the host its own file shows, else the one its directory's files
name (``host-a/…``, ``host-b/…``), else the bundle's only host.

A version banner (``🦞 OpenClaw <version> (<sha>)``) at most ``BANNER_WINDOW``
before a start is the starting process's: it prints it first.

An epoch's start is, in order of preference: its ``listening``/``ready`` line;
the restart that spawned it; uptime evidence (``uptime`` events: process start
= ts - uptime_ms; the earliest claim wins); or else its first line, in which
case every uptime in it is only a lower bound (``start_known`` false).

Invariants (tests/test_epochs_invariants.py, also over shuffled input order):
per host, epochs do not overlap; end ≥ start; one epoch per (host, pid,
start); a restart and the start it announces are one epoch.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import polars as pl

from lockforensics.correlate.frames import (
    finest,
    first_value,
    materialized,
    most_common,
    ordered,
    seconds,
)
from lockforensics.schema import (
    ACTIVITY_KINDS,
    CLI_CHANNEL,
    DOCUMENT_CHANNEL,
    EPOCH_COLUMNS,
    EventKind,
)

LIFECYCLE = (EventKind.GATEWAY_START, EventKind.GATEWAY_RESTART, EventKind.GATEWAY_STOP)
START_PHASES = ("listening", "ready")
#: pm2's `App [openclaw:0] online`: the process it spawned is running.
SUPERVISOR_ONLINE = "supervisor_online"
# `config change requires gateway restart` asks for a restart; it is not one.
NOT_A_TRANSITION = ("reload",)
RESTARTS = ("restart", "in_process_restart")
#: systemd's own lines of the unit (`Started`, `Stopping`, `Stopped`).
SYSTEMD_PHASE = "systemd"
#: A process that ended unasked: systemd saw it killed (OOM killer, a signal)
#: or dump core, or it wrote a stability bundle as it died (``fatal``), and the
#: gateway logged no shutdown of its own.
CRASH = "crash"
CLOSERS = (*RESTARTS, "stop", CRASH)
#: An epoch opened after a hole in its host's logs (days with no file log),
#: and the one before it, ended unseen in the hole.
LOG_GAP = "log_gap"
#: Ends at which the process goes away (an in-process restart keeps it).
_PROCESS_ENDS = ("restart", "stop")
#: Lines that stop a gateway by asking it to (it logs its own shutdown, or
#: its supervisor says it asked: pm2's `Stopping app:`).
_ASKED = ("signal", "signal_received", "completed", "timeout", "supervisor_stop")
#: The OOM killer's lines of a process's end (systemd's, a pod's OOMKilled).
_OOM = ("oom_killed", "oom_failed")
#: The lines of a process's end that nobody asked for.
#: A fatal error: Node's own (a V8 abort), or one OpenClaw's handlers caught
#: before `process.exit(1)`, whose exit handler removed the locks it held.
FATAL_EXIT = "fatal_exit"
_FATAL = ("fatal", FATAL_EXIT)
_UNASKED = ("killed", *_OOM, "failed", *_FATAL, "reboot")
#: systemd's stop timing out and its SIGKILL (Z222: "released on exit" at the
#: SIGTERM, 90 s before the kill that left the lock file on disk).
_FORCED = ("stop_timeout", "sigkill")
#: Phases a start writes beside its start line that a running process may also
#: write alone (config reload, model switch).
SIDE_OF_A_START = (
    "agent_model",
    "heartbeat_started",
    "health_monitor",
    "canvas",
    "hooks",
    "log_file",
)
#: Lines of the process's own end (not systemd's later bookkeeping).
_EXITED = (*_UNASKED, "exited", "exit_pid")
#: Lines that name a pid without showing a gateway running under it: another
#: app's lock (a whole-system journal's other Node apps write `node[N]` too) and
#: Node's own death, which any Node process prints.  They open no epoch of
#: their pid; the epoch open when they were written keeps them.
_NO_GATEWAY_OF_THEIR_OWN = (
    (pl.col("kind") == EventKind.OTHER_FILE_LOCK) | pl.col("phase").is_in(_FATAL)
).fill_null(False)
#: A line the gateway wrote, not a command's output (a cron's `sessions cleanup`,
#: a doctor): the output shows no process running then.
_WRITTEN = (pl.col("channel") != DOCUMENT_CHANNEL).fill_null(True)
# The successor of a restart owns the lines after the restart's last line.
_TICK = timedelta(microseconds=1)
#: How long before a start its process's banner may come (ahead of the start's
#: first line: canvas, heartbeat, listening).
BANNER_WINDOW = timedelta(seconds=60)
#: How many lines above its start's first line an unstamped banner may be (the
#: banner, a tagline, blank lines).
BANNER_LINES = 20
#: How long after a restart's last line (``restart mode``, once the drain,
#: which may have no timeout, is over) the boot it announces may come: the
#: successor is spawned there and boots within minutes, never days.
BOOT_WINDOW = timedelta(minutes=15)
#: The most a copy of a line stamped to the whole second comes before it.
_SECOND = timedelta(seconds=1)
#: The phase of an uptime a channel connection gives (parsers/signatures/30-lifecycle.toml).
CONNECTION_UPTIME = "connection"
#: How long before its `listening`/`ready` line a process's boot may write (its
#: plugins and channels load first; a slow host takes a minute).
BOOT_LINES_BEFORE = timedelta(seconds=120)
#: A stop followed this soon by its host's next start was a restart from outside
#: (`systemctl restart`, `openclaw update`, a supervisor): the logs show it as
#: the two, and the process still ended, releasing its locks.
RESTARTED_WITHIN = timedelta(seconds=60)
#: How soon after a start's first line it may say another gateway already runs.
REFUSAL_WINDOW = timedelta(seconds=90)
#: `gateway already running (pid N)`: the writer is no gateway, pid N is.
_REFUSAL = (pl.col("kind") == EventKind.GATEWAY_START_FAILED) & (
    pl.col("phase") == "already_running"
).fill_null(False)
# Stands in for "before the bundle starts" in the as-of join of events to epochs.
_EARLIEST = datetime(1, 1, 1, tzinfo=UTC)


def with_hosts(events: pl.LazyFrame, of: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """Add ``_host`` (the line's host, else its file's, else its directory's, else the
    bundle's only one; "" if unknown) and ``_pid`` (the pid that wrote the line).

    ``of``: the rows whose hosts decide a file's, directory's and the bundle's
    host (default: ``events`` themselves), so a few of them can be given hosts
    without the whole table passing through the joins.
    """
    return _hosted(events, fallback_hosts(events if of is None else of))


def _hosted(events: pl.LazyFrame, fallback: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`with_hosts` with the hosts of inputs (``source``, ``_fallback``) given."""
    return (
        events.join(fallback, on="source", how="left")
        .with_columns(_host=pl.coalesce("host", "_fallback").fill_null(""), _pid="gateway_pid")
        .drop("_fallback")
    )


#: The columns :func:`fallback_hosts` reads.
HOSTS_INPUT = ("ts", "source", "kind", "host", "occurrence", "channel")


def fallback_hosts(events: pl.LazyFrame) -> pl.LazyFrame:
    """Per input, the host its lines take when they name none (``_fallback``);
    ``events`` needs the columns ``HOSTS_INPUT``."""
    return placed_hosts(events).select("source", "_fallback")


def placed_hosts(events: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`fallback_hosts`, with ``_by_folder``: the host is its folder's name
    (:func:`_folder_hosts`), which the report says."""
    by_source = most_common(events, "source", "host").rename({"host": "_source_host"})
    sources = events.select("source").unique()
    named = materialized(_named_directories(sources, by_source))
    by_directory = _directory_hosts(sources, named)
    hosts = pl.col("host").drop_nulls()
    only = events.select(_only=pl.when(hosts.n_unique() == 1).then(hosts.first()))
    # A row per input, read three times below: made once (each read of the lazy
    # plan grouped every row of the table again).
    placed = materialized(
        sources.join(by_source, on="source", how="left")
        .join(by_directory, on="source", how="left")
        .join(only, how="cross")
    )
    # Read twice below (the logs set apart, the logs with no host to take).
    logs = materialized(_gateway_logs(events))
    # A host-less log in a folder of its own beside a folder named after its host
    # (``gw-west/`` beside ``gw-east/``) may be that folder's host at any time.
    hostless = placed.filter(pl.col("_source_host").is_null()).select("source")
    beside = _folder_hosts(
        logs.select("source").unique().join(hostless, on="source").collect().get_column("source"),
        named,
    )
    taken = pl.coalesce("_dir_host", "_only")
    apart = pl.concat(
        [
            _gateways_apart(events, placed, logs, beside),
            _lifecycle_documents_apart(events, placed, named),
        ]
    )
    kept = pl.coalesce(
        "_source_host", pl.when(~pl.col("source").is_in(apart.implode())).then(taken)
    )
    # Logs with no host to take at all (two hosts named, none above them) may take
    # their folder's name as well as the ones set apart.
    lone = placed.filter(pl.coalesce("_source_host", "_dir_host", "_only").is_null())
    unknown = pl.concat([apart, logs.join(lone, on="source").collect().get_column("source")])
    by_folder = materialized(_folder_hosts(unknown, named))
    # A command's output naming no host, in a folder a log of it was given that
    # way (`gw-b/var/log/…cleanup.log` beside `gw-b/…`'s capture): that host's,
    # before any a directory above the hosts' folders names, and never a
    # gateway of no host (Z187: it opened an epoch of its own, or took the
    # other host, and gw-b's burst went unresolved).  Only there: a `cleanup/`
    # folder beside the hosts' is no host.
    documents = (
        placed.filter(pl.col("_source_host").is_null())
        .join(logs.select("source").unique(), on="source", how="anti")
        .select("source")
    )
    in_host_folders = (
        _folder_hosts(documents.collect().get_column("source"), named)
        .join(by_folder.select("_folder_host").unique(), on="_folder_host", how="semi")
        .rename({"_folder_host": "_document_host"})
    )
    # Read twice below (the hosts clients take, and as the result).
    fallback = materialized(
        placed.join(by_folder, on="source", how="left")
        .join(in_host_folders, on="source", how="left")
        .select(
            "source",
            _fallback=pl.coalesce("_source_host", "_document_host", kept, "_folder_host"),
            _by_folder=pl.col("_source_host").is_null()
            & (
                pl.col("_document_host").is_not_null()
                | (kept.is_null() & pl.col("_folder_host").is_not_null())
            ),
        )
    )
    return _clients_with_their_gateways(events, placed, fallback)


def _clients_with_their_gateways(
    events: pl.LazyFrame, placed: pl.LazyFrame, hosts: pl.LazyFrame
) -> pl.LazyFrame:
    """``hosts`` with each `openclaw logs` capture naming no host given the one
    host of the inputs whose records it holds, however they took theirs.

    The CLI fetches the gateway's file log over RPC from wherever the operator
    runs it: the folder it was saved in names the operator's machine, and a
    capture at the bundle's top names nothing.  Taken for a gateway of its own
    (``laptop/`` beside ``nyc-gw02/``'s docker capture, which names no host
    either), it held that gateway's burst and restart, and the burst came out
    unresolved on a host called ``laptop`` (Z152)."""
    records = _placing_records(events).select("source", "occurrence", "channel")
    clients = (
        records.filter(pl.col("channel") == CLI_CHANNEL)
        .select("source", "occurrence")
        .join(placed.filter(pl.col("_source_host").is_null()), on="source", how="semi")
    )
    theirs = (
        records.filter(pl.col("channel") != CLI_CHANNEL)
        .select("occurrence", _other="source")
        .join(hosts.rename({"source": "_other"}), on="_other")
        .filter(pl.col("_fallback").is_not_null())
        .select("occurrence", _host="_fallback", _folder="_by_folder")
        .unique()
    )
    taken = (
        clients.join(theirs, on="occurrence")
        .group_by("source")
        .agg(
            _n=pl.col("_host").n_unique(),
            _host=pl.col("_host").first(),
            _folder=pl.col("_folder").any(),
        )
        .filter(pl.col("_n") == 1)
    )
    return hosts.join(taken, on="source", how="left").select(
        "source",
        _fallback=pl.coalesce("_host", "_fallback"),
        _by_folder=pl.when(pl.col("_host").is_not_null()).then("_folder").otherwise("_by_folder"),
    )


def _lifecycle_documents_apart(
    events: pl.LazyFrame, placed: pl.LazyFrame, named: pl.LazyFrame
) -> pl.Series:
    """Documents naming no host that show a gateway's life (``ps``, ``docker
    inspect``, ``kubectl describe pod``: its start, its death) in a folder of
    another name beside the one named after the host they would take: that
    folder's host's (Z125: gw-west/'s container, OOM-killed, ended gw-east's
    process)."""
    documents = (
        events.filter(
            (pl.col("channel") == DOCUMENT_CHANNEL)
            & pl.col("kind").is_in([EventKind.UPTIME, *LIFECYCLE])
        )
        .select("source")
        .unique()
        .join(placed.filter(pl.col("_source_host").is_null()), on="source")
    )
    found = _folder_hosts(documents.collect().get_column("source"), named)
    return (
        documents.join(found, on="source")
        .filter(pl.col("_folder_host").ne_missing(pl.coalesce("_dir_host", "_only")))
        .select("source")
        .collect()
        .get_column("source")
    )


#: Folder names that say what a folder holds, not whose it is: never a host's.
_GENERIC_FOLDERS = frozenset(
    {
        "host", "hosts", "log", "logs", "journal", "journald", "systemd", "docker", "k8s",
        "kubernetes", "cleanup", "doctor", "support", "state", "sessions", "agents", "tmp",
        "tmp-openclaw", "openclaw", "var", "etc", "proc", "ps", "export", "diagnostics",
        "notes", "misc", "other", "collect", "collection", "bundle", "evidence", "gateway",
    }
)  # fmt: skip
#: What an archive's name adds to the name of the folder it holds.
_ARCHIVE_SUFFIX = re.compile(r"\.(?:tar(?:\.(?:gz|bz2|xz|zst))?|tgz|zip)$", re.IGNORECASE)
#: A folder name that can be a host's name (RFC 1123 labels, dots between).
_HOST_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)*")


def _folder_hosts(unknown: pl.Series, named: pl.LazyFrame) -> pl.LazyFrame:
    """Per gateway log whose host is unknown (set apart, or none to take), the name of
    its folder when the bundle is laid out a folder per host: a sibling folder is named after
    the host its own inputs name (``gw-prod-01/`` naming gw-prod-01), so
    ``gw-stage-01/``, whose ``openclaw logs`` captures name no host, is gw-stage-01's.
    Only such logs: a ``cleanup/`` folder beside the hosts' holds documents of one of
    them, not a host of its own."""
    # Folders whose parent holds a folder per host: the parents.
    layouts = {
        parent
        for folder, host in named.collect().iter_rows()
        for parent, _, name in [str(folder).rpartition("/")]
        if _ARCHIVE_SUFFIX.sub("", name) == host
    }
    rows = []
    for source in unknown.unique(maintain_order=True):
        parts = str(source).split("/")[:-1]
        for depth in range(len(parts), 0, -1):
            parent, name = "/".join(parts[: depth - 1]), parts[depth - 1]
            # A collection per host as an archive each (`gw-b.tar.gz` beside
            # `gw-a.tar.gz`, Z187) is laid out as a folder per host is.
            name = _ARCHIVE_SUFFIX.sub("", name)
            if (
                parent in layouts
                and _HOST_NAME.fullmatch(name)
                and name.lower() not in _GENERIC_FOLDERS
            ):
                rows.append((source, name))
                break
    return pl.LazyFrame(rows, schema={"source": pl.String, "_folder_host": pl.String}, orient="row")


def _gateway_logs(events: pl.LazyFrame) -> pl.LazyFrame:
    """The inputs holding a gateway's timed lock, takeover or lifecycle records:
    source, ts, occurrence (one row per record)."""
    # Lock, takeover and lifecycle records: what a wrong host misplaces, and few
    # (a busy bundle's run and lane lines are most of its rows).
    records = _placing_records(events)
    # A document's stray log lines (doctor's banner) do not make it a log.
    documents = events.filter(pl.col("channel") == DOCUMENT_CHANNEL).select("source").unique()
    # Nor does a CLI's banner anywhere: every openclaw command prints one, so a
    # doctor that found no lock (all its own lines noise) is no gateway's log.
    return (
        records.filter(
            (pl.col("channel") != DOCUMENT_CHANNEL) & (pl.col("kind") != EventKind.VERSION)
        )
        .select("source", "ts", "occurrence")
        .join(documents, on="source", how="anti")
    )


def _placing_records(events: pl.LazyFrame) -> pl.LazyFrame:
    return events.filter(pl.col("ts").is_not_null() & ~pl.col("kind").is_in(sorted(ACTIVITY_KINDS)))


def _gateways_apart(
    events: pl.LazyFrame, placed: pl.LazyFrame, logs: pl.LazyFrame, beside: pl.LazyFrame
) -> pl.Series:
    """Gateway logs naming no host that are not the gateway of the host they would take.

    A log naming no host takes its directory's host, else the bundle's only
    one.  It is that host's when it shares a record with the inputs naming it
    (a file log and its journal write every line twice), or when that cannot
    be told (its time lies outside theirs), unless it lies in a folder of
    another name beside that host's (``beside``: :func:`_folder_hosts`).  One
    that overlaps their time, or lies beside, and shares no lock, takeover or
    lifecycle record is another gateway's: ``gw-east/`` and ``gw-west/``
    gathered side by side, only ``gw-east`` with a journal naming its host, put
    two gateways' bursts in one incident with one pid, and so did a west burst
    that came just after the east one (Z125).  Documents (cleanup, doctor, lock
    files) share no records by nature and keep the host.
    """
    would = (
        placed.filter(pl.col("_source_host").is_null())
        .select("source", _would=pl.coalesce("_dir_host", "_only"))
        .filter(pl.col("_would").is_not_null())
    )
    named = placed.filter(pl.col("_source_host").is_not_null()).select(
        "source", _would=pl.col("_source_host")
    )
    logs = logs.join(would, on="source")
    theirs = _placing_records(events).select("source", "ts", "occurrence").join(named, on="source")
    spans = theirs.group_by("_would").agg(_lo=pl.col("ts").min(), _hi=pl.col("ts").max())
    shared = logs.join(
        theirs.select("_would", "occurrence").unique(), on=["_would", "occurrence"], how="semi"
    )
    return (
        logs.group_by("source", "_would")
        .agg(_first=pl.col("ts").min(), _last=pl.col("ts").max())
        .join(spans, on="_would")
        .join(beside, on="source", how="left")
        .filter(
            ((pl.col("_first") <= pl.col("_hi")) & (pl.col("_last") >= pl.col("_lo")))
            | (pl.col("_folder_host") != pl.col("_would")).fill_null(False)
        )
        .join(shared.select("source").unique(), on="source", how="anti")
        .select("source")
        .collect()
        .get_column("source")
    )


def _ancestry(sources: pl.LazyFrame) -> pl.LazyFrame:
    """Every directory above each input: source, _depth, _dir."""
    parts = pl.col("source").str.split("/")
    return (
        sources.with_columns(_depth=pl.int_ranges(1, parts.list.len()))
        .explode("_depth")
        .filter(pl.col("_depth").is_not_null())
        .select("source", "_depth", _dir=parts.list.head(pl.col("_depth")).list.join("/"))
    )


def _named_directories(sources: pl.LazyFrame, by_source: pl.LazyFrame) -> pl.LazyFrame:
    """The directories whose inputs name exactly one host: _dir, _dir_host."""
    return (
        _ancestry(sources)
        .join(by_source, on="source")
        .group_by("_dir")
        .agg(_n=pl.col("_source_host").n_unique(), _dir_host=pl.col("_source_host").first())
        .filter(pl.col("_n") == 1)
        .select("_dir", "_dir_host")
    )


def _directory_hosts(sources: pl.LazyFrame, named: pl.LazyFrame) -> pl.LazyFrame:
    """Per input, the host of the nearest directory above it whose inputs name exactly
    one (``named``): a bundle gathered as ``host-a/…`` and ``host-b/…`` puts each file
    log (which names no host) on its own host's timeline, beside the journal that
    names it."""
    return (
        _ancestry(sources)
        .join(named, on="_dir")
        .sort("source", "_depth", descending=[False, True])
        .group_by("source", maintain_order=True)
        .agg(pl.col("_dir_host").first())
    )


#: How close a start naming no pid is to one naming it, on its host, to be its copy.
_COPY_WITHIN = timedelta(seconds=2)


def _without_unnamed_copies(moves: pl.LazyFrame) -> pl.LazyFrame:
    """``moves`` less the starts naming no pid within a moment of a start on the
    same host that names one: that start's copy in a capture that drops the pid
    (`journalctl -o cat` beside the short one), not a process of its own (it had
    opened an epoch of no pid that ended before it began).  The named start
    begins at the copy's first line if that is earlier (systemd's `Started …`,
    which names no pid either, may have joined the copy)."""
    start = pl.col("how") == "start"
    # Its start line's instant, which both copies share.
    at = pl.coalesce("start_line", "first")
    named = moves.filter(start & pl.col("opener_pid").is_not_null()).select(
        "host", _named=pl.col("occurrence"), _at=at
    )
    copies = (
        moves.filter(start & pl.col("opener_pid").is_null())
        .join(named, on="host", nulls_equal=True)
        .filter((at - pl.col("_at")).abs() <= _COPY_WITHIN)
        .group_by("_named")
        .agg(_copy=pl.col("occurrence"), _first=pl.col("first").min())
    )
    dropped = copies.select(occurrence=pl.col("_copy")).explode("occurrence")
    return (
        moves.join(dropped, on="occurrence", how="anti")
        .join(copies.select(occurrence="_named", _first="_first"), on="occurrence", how="left")
        .with_columns(first=pl.min_horizontal("first", "_first"))
        .drop("_first")
    )


def _in_place_by_their_pid(rows: pl.LazyFrame) -> pl.LazyFrame:
    """``rows`` (lifecycle occurrences) with ``in_process`` set on each restart that
    says nothing of how it restarts (no `restart mode:` line, as before 2026.2)
    whose next start on its host, within ``BOOT_WINDOW``, names the pid that
    wrote the restart: the process restarted in place (Z155: a SIGUSR1 restart
    of 2026.1 made an epoch that ended, by that restart, before it began)."""
    restart = pl.col("kind") == EventKind.GATEWAY_RESTART
    silent = (
        rows.filter(
            restart
            & ~pl.col("in_process")
            & pl.col("spawned_pid").is_null()
            & pl.col("line_pid").is_not_null()
        )
        .select("occurrence", "host", "last", "line_pid")
        .sort("last")
    )
    starts = (
        rows.filter(pl.col("kind") == EventKind.GATEWAY_START)
        .select("host", _next=pl.col("first"), _pid=pl.coalesce("start_pid", "line_pid"))
        .sort("_next")
    )
    in_place = (
        silent.join_asof(
            starts,
            left_on="last",
            right_on="_next",
            by="host",
            strategy="forward",
            check_sortedness=False,
        )
        .filter(
            (pl.col("_pid") == pl.col("line_pid"))
            & (pl.col("_next") <= pl.col("last") + BOOT_WINDOW)
        )
        .select("occurrence", _in_place=pl.lit(True))
    )
    return (
        rows.join(in_place, on="occurrence", how="left")
        .with_columns(in_process=pl.col("in_process") | pl.col("_in_place").fill_null(False))
        .drop("_in_place")
    )


def transitions(events: pl.LazyFrame) -> pl.LazyFrame:
    """One row per gateway start, restart or stop occurrence, in time order."""
    lifecycle = events.filter(
        pl.col("kind").is_in(list(LIFECYCLE))
        & pl.col("ts").is_not_null()
        & ~pl.col("phase").is_in(NOT_A_TRANSITION).fill_null(False)
    )
    # Hosts from every line, joined to these few (the joins and the order of
    # every row were 0.3 s and 150 MB on a busy bundle's 800,000 rows).
    life = ordered(with_hosts(lifecycle, of=events))
    at_start_line = pl.col("phase").is_in(START_PHASES)
    rows = life.group_by("occurrence").agg(
        kind=pl.col("kind").first(),
        in_process=(pl.col("phase") == "in_process").any(),
        first=pl.col("ts").min(),
        last=pl.col("ts").max(),
        # Else a supervisor's word that it spawned the process (pm2's `online`),
        # its own start lines rotated away (Z218: "started earlier", at pm2's start).
        start_line=pl.coalesce(
            finest(pl.col("ts").filter(at_start_line)),
            finest(pl.col("ts").filter(pl.col("phase") == SUPERVISOR_ONLINE)),
        ),
        start_pid=pl.col("gateway_pid").filter(at_start_line).drop_nulls().first(),
        line_pid=first_value("_pid"),
        spawned_pid=first_value("spawned_pid"),
        host=pl.col("_host").max(),
        killed=pl.col("phase").is_in(_UNASKED).any(),
        # A stop that hung, finished by SIGKILL: its locks stay, as a crash's.
        forced=pl.col("phase").is_in(_FORCED).any(),
        oom=pl.col("phase").is_in(_OOM).any(),
        # Ended by its own `process.exit`, not killed: its locks went with it.
        exit_released=(pl.col("phase") == FATAL_EXIT).any()
        & ~pl.col("phase").is_in(["killed", *_OOM]).any(),
        asked=pl.col("phase").is_in(_ASKED).any(),
        exited=pl.col("ts").filter(pl.col("phase").is_in(_EXITED)).min(),
        weak=pl.col("phase").is_in(SIDE_OF_A_START).all(),
        # Only `shutdown completed cleanly`: the server closed, whatever followed.
        closed_only=(pl.col("phase") == "completed").all(),
    )
    # Lines a start writes beside its own (`agent model:`, `heartbeat started`)
    # are no start on their own: a model or heartbeat change mid-run.
    rows = _in_place_by_their_pid(
        rows.filter(~((pl.col("kind") == EventKind.GATEWAY_START) & pl.col("weak")))
    )
    how = (
        pl.when(pl.col("kind") == EventKind.GATEWAY_START)
        .then(pl.lit("start"))
        .when(
            (pl.col("kind") == EventKind.GATEWAY_STOP)
            & ((pl.col("killed") & ~pl.col("asked")) | pl.col("forced"))
        )
        .then(pl.lit(CRASH))
        .when(pl.col("kind") == EventKind.GATEWAY_STOP)
        .then(pl.lit("stop"))
        .when(pl.col("in_process"))
        .then(pl.lit("in_process_restart"))
        .otherwise(pl.lit("restart"))
    )
    opener_pid = (
        pl.when(pl.col("how") == "start")
        .then(pl.coalesce("start_pid", "line_pid"))
        .when(pl.col("how") == "restart")
        .then(pl.col("spawned_pid"))
        .when(pl.col("how") == "in_process_restart")
        .then(pl.col("line_pid"))
    )
    moves = (
        rows.with_columns(how=how)
        .with_columns(
            opener_pid=opener_pid,
            # A stop ends where systemd saw the process go, not at its
            # bookkeeping after (`Stopped …`, seconds later, beside the next start).
            last=pl.when(pl.col("how").is_in(["stop", CRASH]))
            .then(pl.coalesce("exited", "last"))
            .otherwise(pl.col("last")),
        )
        .select(
            "occurrence",
            "how",
            "host",
            "first",
            "last",
            "start_line",
            "opener_pid",
            "line_pid",
            "closed_only",
            "oom",
            "exit_released",
        )
        .cache()
    )
    moves = _without_unnamed_copies(moves)
    # A restart closes the server before its `restart mode` line (`shutdown
    # completed cleanly in …`, src/gateway/server-close.ts): a stop inside a
    # restart's lines is that restart's, not a stop that ends the successor's
    # boot before it began.  So is a stop of the old process, or naming no
    # pid, between a full restart's last line and the next start on its host:
    # a supervisor restart's old process exiting (`[shutdown] completed
    # cleanly`, then systemd's `Deactivated`, `Stopped …`).  An in-process
    # restart closes its server too, and may say so just after its `restart
    # mode` line: that shutdown alone, before the next start, is the restart's,
    # not a stop of the process, which runs on.
    starts = moves.filter(pl.col("how") == "start").select("host", _start=pl.col("first"))
    restarts = (
        moves.filter(pl.col("how").is_in(RESTARTS))
        .join(starts, on="host", how="left")
        .filter(pl.col("_start").is_null() | (pl.col("_start") >= pl.col("last")))
        .group_by("occurrence", "how", "host", "first", "last", "line_pid")
        .agg(_next=pl.col("_start").min())
        .select(
            "host",
            _old=pl.col("line_pid"),
            _from=pl.col("first"),
            _to=pl.col("last"),
            _exit=pl.min_horizontal(pl.col("_next"), pl.col("last") + BOOT_WINDOW),
            _in_process=pl.col("how") == "in_process_restart",
        )
    )
    stop = moves.filter(pl.col("how") == "stop")
    within = (
        stop.join(restarts, on="host")
        .filter(
            pl.col("first").is_between(pl.col("_from"), pl.col("_to"))
            | (
                (pl.col("line_pid").is_null() | (pl.col("line_pid") == pl.col("_old")))
                & (pl.col("first") > pl.col("_to"))
                & (pl.col("first") <= pl.col("_exit")).fill_null(False)
                & (~pl.col("_in_process") | pl.col("closed_only"))
            )
        )
        .select("occurrence")
    )
    return (
        moves.join(within, on="occurrence", how="anti")
        .join(_refused(events, moves), on="occurrence", how="anti")
        .drop("closed_only")
        .sort("first", "occurrence")
    )


def _refused(events: pl.LazyFrame, moves: pl.LazyFrame) -> pl.LazyFrame:
    """Starts that failed because a gateway already ran there: `gateway startup
    failed: … gateway already running (pid N)` (or, in the SQLite era, `failed
    to acquire gateway state ownership`) within a start's span of it, plus
    the wait for the lock it names.  Such a process stays alive, unbound,
    beside the gateway, which runs on: its start opens no epoch and ends none."""
    refusals = events.filter(_REFUSAL & pl.col("ts").is_not_null())
    failed = with_hosts(refusals, of=events).select(
        "_host",
        _failed=pl.col("ts"),
        _running=pl.col("pid"),
        _writer=pl.col("_pid"),
        # How long it waited for the lock first (`lock timeout after 5000ms`, the
        # state ownership's `waited 300012ms`): its start came that much earlier.
        _waited=pl.duration(milliseconds=pl.col("timeout_ms").fill_null(0)),
    )
    opener = pl.col("opener_pid")
    return (
        moves.filter(pl.col("how") == "start")
        .join(failed, left_on="host", right_on="_host")
        .filter(
            pl.col("_failed").is_between(
                pl.col("first"), pl.col("first") + REFUSAL_WINDOW + pl.col("_waited")
            )
            # Not the running gateway's own start, nor another pid's than the writer's.
            & (opener.is_null() | pl.col("_running").is_null() | (opener != pl.col("_running")))
            & (opener.is_null() | pl.col("_writer").is_null() | (opener == pl.col("_writer")))
        )
        # The refusal is the latest such start's: a crash loop's earlier start
        # is the process that holds the lock.
        .sort("first")
        .group_by("host", "_failed")
        .agg(pl.col("occurrence").last())
        .select("occurrence")
        .unique()
    )


def _lifecycle_openers(moves: pl.LazyFrame) -> pl.LazyFrame:
    """Epochs opened by a start, or by a restart together with the start it announces.

    A restart announces the first start on its host at or after its first line,
    within ``BOOT_WINDOW`` of its last and before the host's next restart or
    stop, whose pid is the successor's (or unknown).  ``announced_at``: from
    when lines naming the opener's pid are its own (a full restart's child may
    log before its parent's last restart line).
    """
    closers = (
        moves.filter(pl.col("how").is_in(CLOSERS))
        .sort("first", "occurrence")
        .with_columns(next_closer=pl.col("first").shift(-1).over("host"))
    )
    restarts = closers.filter(pl.col("how").is_in(RESTARTS))
    starts = moves.filter(pl.col("how") == "start").select(
        "host",
        start_occurrence=pl.col("occurrence"),
        start_first=pl.col("first"),
        announced_line=pl.col("start_line"),
        start_pid=pl.col("opener_pid"),
    )
    announced = (
        restarts.select("occurrence", "host", "first", "last", "next_closer", "opener_pid")
        .join(starts, on="host")
        .filter(
            (pl.col("start_first") >= pl.col("first"))
            & (pl.col("start_first") <= pl.col("last") + BOOT_WINDOW)
            & (pl.col("next_closer").is_null() | (pl.col("start_first") < pl.col("next_closer")))
            & (
                pl.col("opener_pid").is_null()
                | pl.col("start_pid").is_null()
                | (pl.col("opener_pid") == pl.col("start_pid"))
            )
        )
        .sort("start_first", "start_occurrence")
        .group_by("occurrence", maintain_order=True)
        .agg(pl.col("start_occurrence", "announced_line", "start_pid", "start_first").first())
    )
    # A full restart's successor begins with its own first start line: the lines
    # before it that name no pid (the old process's drain and `[shutdown]
    # completed`, systemd's `Stopped`) are the old process's, after its end.  An
    # in-process restart goes on in the same process from its restart line.
    opened = pl.when(pl.col("how") == "restart").then(pl.col("start_first"))
    successors = restarts.join(announced, on="occurrence", how="left").select(
        "host",
        opened_at=pl.max_horizontal(opened, pl.col("last") + _TICK),
        announced_at=pl.when(pl.col("how") == "restart")
        .then(pl.col("first"))
        .otherwise(pl.col("last") + _TICK),
        opened_by=pl.col("how"),
        opener_pid=pl.coalesce("opener_pid", "start_pid"),
        start_line=pl.col("announced_line"),
        restart_line=pl.col("last"),
        start_occurrence=pl.col("start_occurrence"),
    )
    unannounced = (
        moves.filter(pl.col("how") == "start")
        .join(announced, left_on="occurrence", right_on="start_occurrence", how="anti")
        .select(
            "host",
            opened_at=pl.col("first"),
            announced_at=pl.col("first"),
            opened_by=pl.col("how"),
            opener_pid=pl.col("opener_pid"),
            start_line=pl.col("start_line"),
            start_occurrence=pl.col("occurrence"),
        )
    )
    return pl.concat([successors, unannounced], how="diagonal_relaxed")


def _openers(
    seen: pl.LazyFrame, moves: pl.LazyFrame, gaps: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """Every row that opens an epoch: lifecycle openers, the process already running when
    each host's lines begin (``before_bundle``), pids no opener announced, and
    the processes seen after holes in the logs (``gaps``, :func:`_after_holes`).

    ``seen``: per host and pid (null: lines naming none), its first timed line."""
    firsts = seen.filter(pl.col("_pid").is_not_null()).rename(
        {"_host": "host", "_pid": "opener_pid"}
    )
    lifecycle = _adopted(_lifecycle_openers(moves), firsts).cache()
    # A process seen after a hole, its pid named, is announced there.
    announcing = lifecycle if gaps is None else pl.concat([lifecycle, gaps], how="diagonal_relaxed")
    announced = announcing.group_by("host", "opener_pid").agg(
        announced=pl.col("announced_at").min()
    )
    unexplained = (
        firsts.join(announced, on=["host", "opener_pid"], how="left")
        .filter(pl.col("announced").is_null() | (pl.col("seen") < pl.col("announced")))
        .drop("announced")
    )
    first_lifecycle = lifecycle.group_by("host").agg(lifecycle_at=pl.col("opened_at").min())
    # A host's first line the gateway wrote; a command's output only where it
    # wrote none (Z215: a cron's cleanup log, hours before the first start,
    # had opened a process of its own, "ended" by that start).
    host_lines = (
        seen.group_by("_host")
        .agg(first_line=pl.coalesce(pl.col("written").min(), pl.col("seen").min()))
        .rename({"_host": "host"})
    )
    early = pl.col("lifecycle_at").is_null() | (pl.col("seen") < pl.col("lifecycle_at"))
    # The earliest unexplained pid of a host, seen before any start or restart,
    # is the process that was running when the bundle begins.
    pids = (
        unexplained.join(first_lifecycle, on="host", how="left")
        .sort("seen", "opener_pid")
        .with_columns(before=early & (pl.int_range(pl.len()).over("host") == 0))
    )
    running = pids.filter("before").select(
        "host", "opener_pid", opened_at=pl.lit(None, dtype=pl.Datetime("us", "UTC"))
    )
    # Lines before the first opener that name no pid: a process of unknown pid.
    unnamed = (
        host_lines.join(first_lifecycle, on="host", how="left")
        .join(running.select("host", has=pl.lit(True)), on="host", how="left")
        .filter(
            pl.col("has").is_null()
            & (pl.col("lifecycle_at").is_null() | (pl.col("first_line") < pl.col("lifecycle_at")))
        )
        .select("host", opened_at=pl.lit(None, dtype=pl.Datetime("us", "UTC")))
    )
    later = pids.filter(~pl.col("before"))
    leaving = _leaving(later, lifecycle)
    changes = later.join(leaving, on=["host", "opener_pid"], how="anti").select(
        "host", "opener_pid", opened_at=pl.col("seen"), announced_at=pl.col("seen")
    )
    before = pl.concat([running, unnamed], how="diagonal_relaxed").with_columns(
        announced_at=pl.lit(_EARLIEST), opened_by=pl.lit("before_bundle")
    )
    openers = (
        pl.concat(
            [
                before,
                lifecycle,
                changes.with_columns(opened_by=pl.lit("pid_change")),
                *([gaps] if gaps is not None else []),
            ],
            how="diagonal_relaxed",
        )
        .with_columns(_at=pl.col("opened_at").fill_null(_EARLIEST))
        .sort("_at", "host", "opener_pid", nulls_last=True)
        .with_columns(epoch_key=pl.int_range(1, pl.len() + 1))
    )
    # The leaving process's epoch: the one open on its host before its successor's.
    left = (
        leaving.sort("_successor_at")
        .join_asof(
            openers.select("host", "_at", "epoch_key").sort("_at"),
            left_on="_successor_at",
            right_on="_at",
            by="host",
            strategy="backward",
            allow_exact_matches=False,
            check_sortedness=False,
        )
        .group_by("epoch_key")
        .agg(_leaving_pid=pl.col("opener_pid").first())
    )
    return (
        openers.join(left, on="epoch_key", how="left", maintain_order="left")
        .with_columns(opener_pid=pl.coalesce("opener_pid", "_leaving_pid"))
        .drop("_leaving_pid")
        .with_columns(opener_pid=_same_process("opener_pid"))
    )


def _after_holes(timed: pl.LazyFrame, holes: pl.LazyFrame, moves: pl.LazyFrame) -> pl.LazyFrame:
    """An opener (``log_gap``) at the first line after a hole in a host's file logs
    (a day with no file: ``holes``, source of the day after, ``since``, the last
    line before, and ``until``, the first after), when its lines up to the
    host's next start or restart show another process ran: a pid no line before
    the hole named, as a live lock owner or as a line's writer, and no pid one
    before it did.  Its pid is the first such writer's, else unknown.

    The file log names its writer's pid only at a start, so a process that
    began in the hole is otherwise read as the one before it (Z231: a
    gateway restarted on a missing day was 'up 437 h', its own pid, the
    locks' live owner, 'another process'; Z242: its pid named by a journal
    line days later, the process before it 'ran' 34 days).  Without such a
    pid nothing shows a new process, so the one before is kept."""
    firsts = (
        timed.join(holes.filter(pl.col("since").is_not_null()), on="source")
        .group_by("_host", "since")
        .agg(after=pl.min_horizontal(pl.col("ts").min(), pl.col("until").min()))
    )
    opened = moves.filter(pl.col("how").is_in(["start", *RESTARTS])).select(
        _host=pl.col("host"), _next=pl.col("first")
    )
    sides = (
        firsts.sort("after")
        .join_asof(
            opened.sort("_next"),
            left_on="after",
            right_on="_next",
            by="_host",
            strategy="forward",
            check_sortedness=False,
        )
        .with_row_index("_hole")
    )
    alive = pl.col("owner_alive").fill_null(False) & pl.col("pid").is_not_null()
    named = timed.filter(pl.col("_pid").is_not_null() | alive).select(
        "_host", "ts", _writer=pl.col("_pid"), _owner=pl.when(alive).then(pl.col("pid"))
    )
    rows = sides.join(named, on="_host")
    earlier = (
        rows.filter(pl.col("ts") <= pl.col("since"))
        .select("_hole", _named=pl.concat_list(pl.col("_writer"), pl.col("_owner")))
        .explode("_named")
        .drop_nulls()
        .unique()
        .with_columns(_known=pl.lit(True))
    )
    later = (
        rows.filter(
            (pl.col("ts") >= pl.col("after"))
            & (pl.col("_next").is_null() | (pl.col("ts") < pl.col("_next")))
        )
        .select("_hole", "ts", "_writer", _named=pl.coalesce("_writer", "_owner"))
        .join(earlier, on=["_hole", "_named"], how="left")
    )
    seen = later.group_by("_hole").agg(
        _new=pl.col("_known").is_null().any(),
        _old=pl.col("_known").fill_null(False).any(),
        _pid=pl.col("_writer")
        .sort_by("ts")
        .filter(pl.col("_known").sort_by("ts").is_null())
        .drop_nulls()
        .first(),
    )
    return (
        sides.join(seen, on="_hole")
        .filter(pl.col("_new") & ~pl.col("_old"))
        .select(
            host=pl.col("_host"),
            opened_at=pl.col("after"),
            announced_at=pl.col("after"),
            opened_by=pl.lit(LOG_GAP),
            opener_pid=pl.col("_pid").cast(pl.Int64),
            gap_since=pl.col("since"),
        )
    )


def _leaving(pids: pl.LazyFrame, lifecycle: pl.LazyFrame) -> pl.LazyFrame:
    """Pids first named while a full restart hands over, that are not its successor's:
    the old process's (host, ``opener_pid``, ``_successor_at``: the successor's opening).

    After its `restart mode` line the old process lives on until it exits (a
    shutdown that times out takes 25 s) and may name its pid only then: its
    stability bundle, written as it goes.  That is no process of its own begun
    unannounced, and the epoch it ends is that pid's."""
    handovers = lifecycle.filter(pl.col("opened_by") == "restart").select(
        "host",
        _from=pl.col("announced_at"),
        _to=pl.coalesce("start_line", pl.col("opened_at") + BOOT_WINDOW),
        _successor=pl.col("opener_pid"),
        _successor_at=pl.col("opened_at"),
    )
    return (
        pids.join(handovers, on="host")
        .filter(
            pl.col("seen").is_between(pl.col("_from"), pl.col("_to"), closed="left")
            & (pl.col("_successor").is_null() | (pl.col("opener_pid") != pl.col("_successor")))
        )
        .group_by("host", "opener_pid")
        .agg(pl.col("_successor_at").min())
    )


def _same_process(column: str) -> pl.Expr:
    """An in-process restart's ``column`` (pid, version): its own lines', else its
    process's, the opener before it on its host that was no in-process restart.

    The process restarts inside itself, keeping its pid and its code, but a
    2026.7 file log's restart and ``ready`` lines name no pid, and no banner
    or unit line is printed again."""
    in_process = pl.col("opened_by") == "in_process_restart"
    process = (~in_process).cum_sum().over("host", order_by=["_at", "epoch_key"])
    carried = pl.col(column).filter(~in_process).first().over("host", process)
    return pl.coalesce(column, pl.when(in_process).then(carried))


def _adopted(lifecycle: pl.LazyFrame, firsts: pl.LazyFrame) -> pl.LazyFrame:
    """Lifecycle openers, each that names no pid given the first pid its host's lines
    name after it, before the host's next opener, when no opener names that pid.

    A 2026.6+ start (``ready``) or an in-place restart in a file log names no
    pid; the process shows it later, in a lock that is its own (``orphan-self-pid``,
    ``held by this process (pid N)``) or a journal line.  That pid is the process
    the opener started, not a process of its own that began unannounced.  A pid
    first named by its own end is the process that ran up to it: pm2's `pid=N
    msg=process killed` in the second it starts the next process (Z195: the
    dead pid given to its successor, and the successor read as another owner).
    """
    # Made once: the plan is read by three branches, and each read of a lazy
    # frame whose rows come in no fixed order numbered them anew, so a pid was
    # now and then given to another opener (about one run in eight on one bundle).
    rows = materialized(
        lifecycle.with_row_index("_opener").with_columns(
            _next=pl.col("opened_at").shift(-1).over("host", order_by="opened_at")
        )
    )
    named = rows.filter(pl.col("opener_pid").is_not_null()).select("host", "opener_pid")
    pairs = (
        rows.filter(pl.col("opener_pid").is_null())
        .select("_opener", "host", "opened_at", "_next")
        .join(firsts.join(named, on=["host", "opener_pid"], how="anti"), on="host")
    )
    last = pl.col("_next").is_null()
    # First named by its end: the opener before that end's, even at the next
    # one's instant.
    by_end = (pl.col("ended") < pl.col("alive").fill_null(pl.col("ended") + _TICK)).fill_null(False)
    taken = (
        pl.concat(
            [
                pairs.filter(
                    ~by_end
                    & (pl.col("alive") >= pl.col("opened_at"))
                    & (last | (pl.col("alive") < pl.col("_next")))
                ).select("_opener", "opener_pid", seen="alive"),
                pairs.filter(
                    by_end
                    & (pl.col("ended") > pl.col("opened_at"))
                    & (last | (pl.col("ended") <= pl.col("_next")))
                ).select("_opener", "opener_pid", seen="ended"),
            ]
        )
        .sort("seen", "opener_pid")
        .group_by("_opener")
        .agg(_adopted=pl.col("opener_pid").first())
    )
    return (
        rows.join(taken, on="_opener", how="left")
        .with_columns(opener_pid=pl.coalesce("opener_pid", "_adopted"))
        .drop("_opener", "_next", "_adopted")
    )


#: How long after its process's known end a line naming that pid may still be
#: its (a journal stamps a line when it receives it, up to a second late).
_AFTER_END = timedelta(seconds=2)


#: How long after a start that named no pid a line naming an older epoch's pid
#: is still the older process's (its last lines as the next one boots).
_REUSED_AFTER = timedelta(seconds=60)


def _keyed(
    rows: pl.LazyFrame, openers: pl.LazyFrame, on: str, pid: str, own_pid: bool = False
) -> pl.LazyFrame:
    """Attach the key of the epoch each row belongs to: the latest epoch of its pid
    announced at or before ``on``, else the epoch open on its host then (null: none).

    With ``closed_at`` in ``openers`` (the epochs' known ends), a row after the
    end of its pid's epoch is not that epoch's: a container's next process has
    the same pid (1, or 7 under tini), and the lock errors of a process whose
    start named no pid had gone to a process that died a day before.  For the
    same reason a row is not its pid's epoch's when a later epoch on its host,
    one whose start named no pid, had begun more than ``_REUSED_AFTER`` before
    it: that pid is the later process's (a container's, or the same process
    after an in-process restart); the handover's seconds stay the old one's.

    ``own_pid``: a row naming a pid that no epoch on its host has is not the
    epoch open then if that epoch named another pid.  For stops: a whole-system
    journal holds other Node apps' deaths (`node[9127]: FATAL ERROR: Reached
    heap limit`), and the gateway that was running did not end with them."""
    ends = "closed_at" in openers.collect_schema()
    # The pid's epoch had not ended by the row (give or take a journal's lag).
    still_open = (
        (pl.col(on) <= pl.col("closed_at") + _AFTER_END).fill_null(True) if ends else pl.lit(True)
    )
    # A later epoch that named no pid had begun well before the row: the pid is its.
    reused = (
        (pl.col("_by_time") != pl.col("_by_pid"))
        & pl.col("_time_pid").is_null()
        & (pl.col("_at") > pl.col("announced_at"))
        & (pl.col(on) > pl.col("_at") + _REUSED_AFTER)
    ).fill_null(False)
    # The row names a pid that is no epoch's, and the epoch open then named another.
    foreign = (
        pl.col(pid).is_not_null()
        & pl.col("_by_pid").is_null()
        & (pl.col("_time_pid") != pl.col(pid)).fill_null(False)
    )
    by_pid = (
        openers.filter(pl.col("opener_pid").is_not_null())
        .select(
            "host",
            "opener_pid",
            "announced_at",
            *(["closed_at"] if ends else []),
            _by_pid="epoch_key",
        )
        .sort("announced_at")
    )
    by_time = openers.select("host", "_at", _by_time="epoch_key", _time_pid="opener_pid").sort(
        "_at"
    )
    # Sorted explicitly; polars cannot verify sortedness within `by` groups.
    return (
        rows.sort(on)
        .join_asof(
            by_pid,
            left_on=on,
            right_on="announced_at",
            by_left=["_host", pid],
            by_right=["host", "opener_pid"],
            strategy="backward",
            check_sortedness=False,
        )
        .join_asof(
            by_time,
            left_on=on,
            right_on="_at",
            by_left="_host",
            by_right="host",
            strategy="backward",
            check_sortedness=False,
        )
        .with_columns(
            _by_time=pl.when(~(foreign & own_pid)).then(pl.col("_by_time")),
            _by_pid=pl.when(still_open & ~reused).then(pl.col("_by_pid")),
        )
        .with_columns(epoch_key=pl.coalesce("_by_pid", "_by_time"))
        .drop(
            "_by_pid",
            "_by_time",
            "announced_at",
            "_at",
            "host_right",
            "opener_pid",
            "closed_at",
            "_time_pid",
            strict=False,
        )
    )


def _before_same_instant_start(closers: pl.LazyFrame, openers: pl.LazyFrame) -> pl.LazyFrame:
    """Closers keyed to their epochs, a stop logged before a start at the same
    instant given to the epoch before that start's.

    A journal stamps to the second: systemd's ``Stopped`` of the old process
    and ``Started`` of the next share one, and the as-of key gave the stop to
    the new epoch, which then ended before it began.  Occurrences are numbered
    in the table's order, so the stop's comes before the start's.
    """
    before = openers.select(
        "epoch_key",
        "start_occurrence",
        _opened=pl.col("_at"),
        _previous=pl.col("epoch_key").shift(1).over("host", order_by=["_at", "epoch_key"]),
    )
    earlier = (pl.col("first") == pl.col("_opened")) & (
        pl.col("occurrence") < pl.col("start_occurrence")
    )
    return (
        closers.join(before, on="epoch_key", how="left")
        .with_columns(
            epoch_key=pl.when(earlier.fill_null(False))
            .then(pl.col("_previous"))
            .otherwise(pl.col("epoch_key"))
        )
        .drop("start_occurrence", "_opened", "_previous")
    )


def _instants(openers: pl.LazyFrame) -> pl.Series:
    """The instants at which some epoch opens or is announced, in order."""
    return (
        openers.select(_b=pl.concat([pl.col("announced_at"), pl.col("_at")]))
        .drop_nulls()
        .unique()
        .sort("_b")
        .collect()
        .get_column("_b")
    )


def _in_spans(rows: pl.LazyFrame, instants: pl.Series) -> pl.LazyFrame:
    """``rows`` (timed) with ``_span``: how many of the ``instants`` (:func:`_instants`)
    lie at or before each row.

    Within one span every row of one host and pid belongs to the same epoch
    (:func:`_keyed`'s as-of matches change only at those instants), so rows
    can be keyed per host, pid and span instead of one by one: no sort and no
    as-of join of every row.
    """
    return rows.with_columns(_span=pl.lit(instants).search_sorted(pl.col("ts"), side="right"))


def _timed_with_banners(events: pl.LazyFrame) -> pl.LazyFrame:
    """The timed rows, and each unstamped version banner timed at the start whose
    lines follow it in its input (within ``BANNER_LINES``).

    A capture with no stamps of its own (`kubectl logs` without
    ``--timestamps``) prints the banner bare and then the console's stamped
    start lines: the banner is the starting process's version, which the
    epoch would otherwise not know."""
    # A store entry's time is when its session started, not a line a process wrote.
    timed = events.filter(
        pl.col("ts").is_not_null() & (pl.col("kind") != EventKind.SESSION_STORE).fill_null(True)
    )
    starts = timed.filter(pl.col("kind") == EventKind.GATEWAY_START).select(
        "source", _on=pl.col("line"), _at=pl.col("ts")
    )
    untimed = events.filter((pl.col("kind") == EventKind.VERSION) & pl.col("ts").is_null())
    placed = (
        _next_start(untimed, starts, "line", "source", BANNER_LINES)
        .filter(pl.col("_at").is_not_null())
        .with_columns(ts=pl.col("_at"))
        .drop("_on", "_at", strict=False)
    )
    return pl.concat([timed, placed])


def _banners_at_their_start(timed: pl.LazyFrame, moves: pl.LazyFrame) -> pl.LazyFrame:
    """``timed`` with each version line that comes at most ``BANNER_WINDOW`` before a
    start on its host timed at that start: a process prints its banner
    (``🦞 OpenClaw <version> (<sha>)``) first, so the banner is the starting
    process's, not a line of one running before it (it opened an epoch of its own,
    0 s long, and took the version away from the process that printed it).  So is
    the start a process's uptime evidence gives (``ps`` lstart, ``systemctl``
    since: timed at the start itself), seconds before its start line: its pid
    is the starting process's, not one the process before it met."""
    starts = moves.filter(pl.col("how") == "start").select(
        _host=pl.col("host"), _on=pl.col("first"), _at=pl.col("first")
    )
    at_start = (pl.col("kind") == EventKind.UPTIME) & (pl.col("uptime_ms") == 0)
    banner = (pl.col("kind") == EventKind.VERSION) | at_start.fill_null(False)
    placed = (
        _next_start(timed.filter(banner), starts, "ts", "_host", BANNER_WINDOW)
        .with_columns(ts=pl.coalesce("_at", "ts"))
        .drop("_on", "_at", strict=False)
    )
    return pl.concat([timed.filter(~banner), placed])


def _next_start(
    banners: pl.LazyFrame, starts: pl.LazyFrame, on: str, by: str, within: int | timedelta
) -> pl.LazyFrame:
    """``banners`` with ``_at``: the instant of the first start (``starts``: ``by``,
    ``_on``, ``_at``) of their ``by`` at or after their ``on``, at most ``within`` on."""
    return banners.sort(on).join_asof(
        starts.sort("_on"),
        left_on=on,
        right_on="_on",
        by=by,
        strategy="forward",
        tolerance=within,
        check_sortedness=False,
    )


def _summary(timed: pl.LazyFrame, openers: pl.LazyFrame) -> pl.LazyFrame:
    """What the epochs need of every timed row, summed up per epoch, pid and version
    (and, for uptime lines, the pid they name): first and last line, lines, and
    the earliest start an uptime line gives."""
    # Rows are summed up per span in one pass, and only the sums are keyed.
    ts = pl.col("ts")
    uptime = (pl.col("kind") == EventKind.UPTIME) & pl.col("uptime_ms").is_not_null()
    # A channel connection's uptime (the WhatsApp heartbeat's): the process ran
    # since then at least, not since then exactly.
    connection = uptime & (pl.col("phase") == CONNECTION_UPTIME).fill_null(False)
    evidence_row = uptime & ~connection
    since = ts - pl.duration(milliseconds=pl.col("uptime_ms"))
    # A command's output (a cron's `sessions cleanup`, a doctor) is no line the
    # gateway wrote: it shows no process running then, so it bounds no start.
    written = ts.filter(_WRITTEN)
    # systemd's `Started`/`Stopping`/`Stopped … (v<version>)` name the unit file
    # it last loaded: an upgrade rewrites and reloads it before it stops the old
    # process, and `npm i -g` alone leaves it as it was (Z194: a 2026.1.8 banner
    # under `Started OpenClaw Gateway (v2026.1.5)`).  Their version is the
    # epoch's only when no line of the process names one; the start's before
    # the stop's.
    stop = (pl.col("kind") == EventKind.GATEWAY_STOP).fill_null(False)
    unit_start = ~stop & (pl.col("phase") == SYSTEMD_PHASE).fill_null(False)
    spans = (
        _in_spans(timed, _instants(openers))
        .with_columns(
            _evidence=evidence_row,
            _evidence_pid=pl.when(evidence_row).then(pl.col("gateway_pid")),
            stop_version=pl.when(stop).then(pl.col("version")),
            start_version=pl.when(unit_start).then(pl.col("version")),
            version=pl.when(~stop & ~unit_start).then(pl.col("version")),
        )
        .group_by(
            "_host",
            "_pid",
            "_span",
            "version",
            "start_version",
            "stop_version",
            "_evidence",
            "_evidence_pid",
        )
        .agg(
            first=ts.min(),
            first_written=written.min(),
            last=ts.max(),
            n=pl.len(),
            uptime_start=since.filter(evidence_row).min(),
            running_since=since.filter(connection).min(),
        )
    )
    return (
        _keyed(spans, openers, "first", "_pid")
        .group_by(
            "epoch_key",
            "_pid",
            "version",
            "start_version",
            "stop_version",
            "_evidence",
            "_evidence_pid",
        )
        .agg(
            pl.col("first").min(),
            pl.col("first_written").min(),
            pl.col("last").max(),
            pl.col("n").sum(),
            pl.col("uptime_start").min(),
            pl.col("running_since").min(),
        )
    )


def epochs(events: pl.LazyFrame, holes: pl.LazyFrame | None = None) -> pl.LazyFrame:
    """The gateway epochs the events show, numbered from 1 in time order (then host).

    ``opened_by``: before_bundle, start, restart, in_process_restart, pid_change
    or log_gap (:func:`_after_holes`; ``holes``: source, since, until).  ``ended_by``:
    restart, in_process_restart, stop, unlogged (the host's next epoch began
    with no end logged), log_gap (its logs stop at a hole, and another process
    ran after it), or null (running when the bundle ends).  ``start_source``:
    start_line, restart, uptime or first_line.
    ``announced_at``: from when lines naming the epoch's pid are its own.
    ``process_start`` (and ``process_start_known``): when the epoch's process
    began, its own start unless an in-process restart opened it.
    """
    # Each of these is read several times below, so each is computed once here:
    # polars 2's engine computed a `.cache()`d sub-plan again for branches that
    # read it (1.6 s against 0.55 s over the 800,000 rows of a busy bundle).
    moves = materialized(transitions(events))
    # Every timed row with its host and pid, read twice below and never held:
    # a copy of them all, then sorted for the as-of joins, grew with the table.
    timed = _banners_at_their_start(with_hosts(_timed_with_banners(events)), moves)
    # A process refused because a gateway already ran is none of its own.
    refused = timed.filter(_REFUSAL & pl.col("_pid").is_not_null()).select("_host", "_pid")
    seen = materialized(
        timed.filter(~_NO_GATEWAY_OF_THEIR_OWN)
        .join(refused.unique(), on=["_host", "_pid"], how="anti")
        .group_by("_host", "_pid")
        .agg(
            seen=pl.col("ts").min(),
            # A command's output shows no gateway running then (_summary).
            written=pl.col("ts").filter(_WRITTEN).min(),
            # A line of a process's end naming its pid (pm2's `pid=N msg=process
            # killed`) shows it ran until then, not that it began after then.
            alive=pl.col("ts").filter(pl.col("kind") != EventKind.GATEWAY_STOP).min(),
            ended=pl.col("ts").filter(pl.col("kind") == EventKind.GATEWAY_STOP).min(),
        )
    )
    gaps = _after_holes(timed, holes, moves) if holes is not None else None
    openers = materialized(_openers(seen, moves, gaps))
    summary = materialized(_summary(timed, openers))
    stats = summary.group_by("epoch_key").agg(
        # The gateway's own first line; a command's output only when it wrote none.
        first_line=pl.coalesce(pl.col("first_written").min(), pl.col("first").min()),
        running_since=pl.col("running_since").min(),
        last_line=pl.col("last").max(),
        events=pl.col("n").sum().cast(pl.Int64),
    )
    # The pid most of an epoch's lines were written by, when its opener names none.
    line_pid = most_common(summary, "epoch_key", "_pid", weight="n")
    named = ("version", "start_version", "stop_version")
    version = functools.reduce(
        lambda left, right: left.join(right, on="epoch_key", how="full", coalesce=True),
        [most_common(summary, "epoch_key", column, weight="n") for column in named],
    ).select("epoch_key", version=pl.coalesce(*named))
    closers = (
        _before_same_instant_start(
            _keyed(
                moves.filter(pl.col("how").is_in(CLOSERS)).rename({"host": "_host"}),
                openers,
                "first",
                "line_pid",
                own_pid=True,
            ),
            openers,
        )
        .sort("first", "occurrence")
        .group_by("epoch_key", maintain_order=True)
        .agg(
            end=pl.col("last").first(),
            ended_by=pl.col("how").first(),
            end_occurrence=pl.col("occurrence").first(),
            oom_killed=pl.col("oom").first(),
            exit_released=pl.col("exit_released").first(),
        )
    )
    table = (
        openers.join(stats, on="epoch_key", how="left")
        .join(line_pid, on="epoch_key", how="left")
        .join(version, on="epoch_key", how="left")
        .join(closers, on="epoch_key", how="left")
        .with_columns(pid=pl.coalesce("opener_pid", "_pid"), version=_same_process("version"))
        # A process seen after a hole ran from the first line of the log after
        # it, an event or not (Z242: its first lock error, 8.5 h on, was taken
        # for its start, and the incident there "may have begun in the hole").
        .with_columns(
            first_line=pl.when(pl.col("opened_by") == LOG_GAP)
            .then(pl.min_horizontal("first_line", "opened_at"))
            .otherwise(pl.col("first_line"))
        )
        .cache()
    )
    evidence = (
        summary.filter(pl.col("_evidence"))
        .join(table.select("epoch_key", "pid"), on="epoch_key", how="left")
        # Evidence that names another process says nothing about this one.
        .filter(pl.col("_evidence_pid").is_null() | (pl.col("_evidence_pid") == pl.col("pid")))
        .group_by("epoch_key")
        .agg(uptime_start=pl.col("uptime_start").min())
    )
    # The last line the epoch's own process wrote: one that restarts or stops
    # logs its drain's fallout and its shutdown after the `restart mode` or
    # `shutting down` line that ends its epoch.
    own_last = (
        summary.join(table.select("epoch_key", "pid"), on="epoch_key")
        .group_by("epoch_key")
        .agg(
            # A process none of whose lines names a pid (a container's: compose
            # and the file log name none) began by the lines naming none (Z138:
            # its start came at `listening`, 3-6 s after its boot's first line).
            _own_first=pl.col("first").filter(pl.col("_pid").eq_missing(pl.col("pid"))).min(),
            # A restart's successor boots naming no pid (`starting...` in the
            # file log) though the restart named the pid it spawned.
            _unnamed_first=pl.col("first").filter(pl.col("_pid").is_null()).min(),
            _own_last=pl.col("last").filter(pl.col("_pid") == pl.col("pid")).max(),
        )
    )
    start_source = (
        pl.when(pl.col("start_line").is_not_null())
        .then(pl.lit("start_line"))
        .when(pl.col("restart_line").is_not_null())
        .then(pl.lit("restart"))
        .when(pl.col("uptime_start").is_not_null())
        .then(pl.lit("uptime"))
        .otherwise(pl.lit("first_line"))
    )
    next_on_host = pl.col("_at").shift(-1).over("host", order_by=["_at", "epoch_key"])
    next_by = pl.col("opened_by").shift(-1).over("host", order_by=["_at", "epoch_key"])
    # The last line before the hole the next epoch opened after (a log's, an
    # event or not): the process before it ran at least until then.
    next_since = (
        pl.col("gap_since").shift(-1).over("host", order_by=["_at", "epoch_key"])
        if gaps is not None
        else pl.lit(None, dtype=pl.Datetime("us", "UTC"))
    )
    previous_end = pl.col("end").shift(1).over("host", order_by=["_at", "epoch_key"])
    opened_by_start = pl.col("opened_by") == "start"

    restarted = pl.col("opened_by").is_in(["restart", "in_process_restart"])

    def after_the_one_before(early: str, opened: pl.Expr) -> pl.Expr:
        return (opened & (pl.col(early) > previous_end)).fill_null(False)

    in_process = pl.col("opened_by") == "in_process_restart"
    process = (~in_process).cum_sum().over("host", order_by=["_at", "epoch_key"])
    return (
        table.join(evidence, on="epoch_key", how="left")
        .join(own_last, on="epoch_key", how="left")
        .with_columns(
            # With none of those, no later than its first line, or than a
            # connection of it that was up by then (a lower bound either way).
            start=pl.coalesce(
                "start_line",
                "restart_line",
                "uptime_start",
                pl.min_horizontal("first_line", "running_since"),
            ),
            start_source=start_source,
            next_opened=next_on_host,
        )
        .with_columns(
            # When it said it was up (its startup sweep of stale locks done):
            # what a gateway start clears at (correlate/resolution.py).
            ready=pl.coalesce("start_line", "restart_line"),
            # Its boot wrote before its `listening`/`ready` line (`starting...`,
            # plugins loading), or its uptime (a stability bundle's `uptimeMs`)
            # says it began then: the process began by the earlier, seconds
            # before (Z130, Z133, Z135, Z139: the start, and every uptime, came
            # 5-6 s late while the epoch's own first line was earlier).  Not a
            # restart's successor before the restart that opened it: it may
            # write before its parent's `restart mode` line, which ends the
            # parent's epoch, and the two would overlap.  After it, its boot is
            # its own (Z150, Z152: a restart's and an in-process restart's epoch
            # began at `listening`, 6 s after their own `starting...`).
            start=pl.min_horizontal(
                "start",
                *(
                    pl.when(
                        (pl.col("start_source") == "start_line")
                        & (
                            # A start's own lines name its pid, or none at all;
                            # lines naming none, though its pid is known from
                            # elsewhere (its own lock error, Z164), after the
                            # process before it ended.
                            (
                                after_the_one_before(early, opened_by_start)
                                if early == "_unnamed_first"
                                else opened_by_start
                            )
                            | after_the_one_before(early, restarted)
                        )
                        # Not within its second: a copy of the start line itself,
                        # stamped to the whole second (a console inside a journal).
                        & pl.col(early).is_between(
                            pl.col("start") - BOOT_LINES_BEFORE, pl.col("start") - _SECOND
                        )
                    ).then(pl.col(early))
                    for early in ("_own_first", "_unnamed_first", "uptime_start")
                ),
            ),
        )
        .with_columns(
            # No logged end: the process went away unseen (crash, kill, lost lines)
            # unless it is its host's last epoch, running when the bundle ends.
            ended_by=pl.when(pl.col("ended_by").is_null() & pl.col("next_opened").is_not_null())
            .then(pl.when(next_by == LOG_GAP).then(pl.lit(LOG_GAP)).otherwise(pl.lit("unlogged")))
            .otherwise(pl.col("ended_by")),
        )
        .with_columns(
            start_known=pl.col("start_source") != "first_line",
            # An unseen end lies between its last line and the next process's opening
            # (a straggling line of the old pid cannot make the two overlap).
            end=pl.when(pl.col("ended_by") == LOG_GAP)
            .then(pl.min_horizontal(pl.max_horizontal("last_line", next_since), "next_opened"))
            .when(pl.col("ended_by") == "unlogged")
            .then(pl.min_horizontal("last_line", "next_opened"))
            .otherwise(pl.col("end")),
            end_known=pl.col("ended_by").is_in(CLOSERS).fill_null(False),
            events=pl.col("events").fill_null(0),
        )
        .with_columns(
            # An end stamped to the whole second (systemd's `Main process
            # exited`) is no earlier than the process's own last line in it.
            end=pl.when(
                pl.col("end_known")
                & (pl.col("end") == pl.col("end").dt.truncate("1s"))
                & (pl.col("_own_last") > pl.col("end"))
                & (pl.col("_own_last") < pl.col("end") + timedelta(seconds=1))
            )
            .then(pl.col("_own_last"))
            .otherwise(pl.col("end"))
        )
        .with_columns(
            # When a process that ended asked to exited: its last own line, if
            # it came soon after that end (a drain's fallout, `[shutdown]
            # completed`), else the end.  What it released, it released then.
            exited=pl.when(
                pl.col("ended_by").is_in(_PROCESS_ENDS)
                & (pl.col("_own_last") > pl.col("end"))
                & (pl.col("_own_last") <= pl.col("end") + BOOT_WINDOW)
            )
            .then(pl.col("_own_last"))
            .otherwise(pl.col("end")),
        )
        .with_columns(
            # An in-process restart keeps its process: that process began with
            # the epoch before it that was no in-process restart.
            process_start=pl.col("start").filter(~in_process).first().over("host", process),
            process_start_known=pl.col("start_known")
            .filter(~in_process)
            .first()
            .over("host", process),
        )
        .with_columns(host=pl.when(pl.col("host") != "").then(pl.col("host")))
        .sort("_at", "host", "epoch_key", nulls_last=True)
        .select(
            epoch=pl.int_range(1, pl.len() + 1, dtype=pl.Int64),
            pid=pl.col("pid"),
            opened_at=pl.col("opened_at"),
            opened_by=pl.col("opened_by"),
            start=pl.col("start"),
            ready=pl.col("ready"),
            start_source=pl.col("start_source"),
            start_known=pl.col("start_known"),
            process_start=pl.col("process_start"),
            process_start_known=pl.col("process_start_known"),
            end=pl.col("end"),
            end_known=pl.col("end_known"),
            ended_by=pl.col("ended_by"),
            # The OOM killer ended it (systemd, the kernel's cgroup, a pod's
            # OOMKilled): a crash whose cause the report names.
            oom_killed=(pl.col("ended_by") == CRASH) & pl.col("oom_killed").fill_null(False),
            # A crash by OpenClaw's own fatal-error handler, which exits through
            # `process.exit`: the lock module's exit handler removed its locks.
            released_on_exit=(pl.col("ended_by") == CRASH)
            & pl.col("exit_released").fill_null(False),
            exited=pl.col("exited"),
            first_line=pl.col("first_line"),
            last_line=pl.col("last_line"),
            events=pl.col("events"),
            version=pl.col("version"),
            host=pl.col("host"),
            start_occurrence=pl.col("start_occurrence"),
            end_occurrence=pl.col("end_occurrence"),
            # The process already running when the bundle begins owns its pid's
            # lines from any time: that is no instant to show.
            announced_at=pl.when(pl.col("announced_at") > _EARLIEST).then(pl.col("announced_at")),
        )
        .with_columns(restarted_s=_restarted_after())
    )


def _restarted_after() -> pl.Expr:
    """Per stop, the seconds until its host's next gateway was up, when that came
    within :data:`RESTARTED_WITHIN` (a restart from outside); else null.  Up, not
    begun: its boot may begin within the second its predecessor's exit was
    stamped to."""
    up = pl.coalesce("ready", "start")
    after = up.shift(-1).over("host", order_by="epoch") - pl.col("end")
    opened = pl.col("opened_by").shift(-1).over("host", order_by="epoch")
    return (
        pl.when(
            (pl.col("ended_by") == "stop")
            # The next one opened by a start, or by the restart its process
            # announced (`received SIGTERM; restarting`) before systemd stopped
            # it and started another (Z156: `openclaw gateway restart` whose
            # shutdown timed out read as a stop that cleared the burst).
            & opened.is_in(["start", "restart"])
            & after.is_between(timedelta(0), RESTARTED_WITHIN)
        )
        .then(seconds(after))
        .cast(pl.Float64)
    )


def annotate(events: pl.LazyFrame, epoch_table: pl.LazyFrame) -> pl.LazyFrame:
    """Give every event its ``epoch``, ``gateway_pid``, ``uptime_s`` and lower-bound flag,
    in the table's total order.

    ``gateway_pid`` keeps what the line itself says and otherwise takes the
    epoch's pid.  Lines after an epoch's logged stop or restart belong to no
    running gateway: they keep their epoch but get no uptime.
    """
    return ordered(annotated(events, epoch_table))


@dataclass(frozen=True, slots=True)
class Placement:
    """What placing a row in its epoch needs of all the other rows, each small: the
    host an input's lines take, the instants epochs change at, the epoch of
    every (host, pid, span) and what each epoch gives its rows.  With it the
    rows can be annotated a batch at a time (:func:`placed`)."""

    hosts: pl.DataFrame  # source, _fallback
    instants: pl.Series
    keys: pl.DataFrame  # _host, _pid, _span, epoch_key
    epochs: pl.DataFrame  # epoch_key and the epoch's pid, start and end


_SPAN = ["_host", "_pid", "_span"]


def placement(events: pl.LazyFrame, epoch_table: pl.LazyFrame) -> Placement:
    """The :class:`Placement` of ``events`` among the epochs of ``epoch_table``."""
    openers = epoch_table.select(
        host=pl.col("host").fill_null(""),
        opener_pid=pl.col("pid"),
        announced_at=pl.col("announced_at").fill_null(_EARLIEST),
        _at=pl.col("opened_at").fill_null(_EARLIEST),
        epoch_key=pl.col("epoch"),
        closed_at=pl.when(pl.col("end_known")).then(pl.col("end")),
    )
    timed = events.filter(pl.col("ts").is_not_null())
    hosts = fallback_hosts(timed).collect()
    instants = _instants(openers)
    rows = _in_spans(_hosted(timed, hosts.lazy()), instants)
    keys = _keyed(rows.group_by(_SPAN).agg(pl.col("ts").min()), openers, "ts", "_pid")
    return Placement(
        hosts=hosts,
        instants=instants,
        keys=keys.select(*_SPAN, "epoch_key").collect(),
        epochs=epoch_table.select(
            epoch_key=pl.col("epoch"),
            epoch_pid=pl.col("pid"),
            epoch_start=pl.col("start"),
            epoch_start_known=pl.col("start_known"),
            epoch_end=pl.col("end"),
            epoch_end_known=pl.col("end_known"),
        ).collect(),
    )


def annotated(events: pl.LazyFrame, epoch_table: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`annotate` in no order, for a caller that puts the rows back in its own
    (a sort of every row saved)."""
    return placed(placement(events, epoch_table), events)


def placed(place: Placement, events: pl.LazyFrame) -> pl.LazyFrame:
    """:func:`annotated` for some rows, with what the rest of the table tells of
    them in ``place`` (:func:`placement` of the whole table)."""
    # No total order needed here: the joins do not depend on the order of
    # the rows, and the caller orders them.
    rows = _in_spans(
        _hosted(events.filter(pl.col("ts").is_not_null()), place.hosts.lazy()), place.instants
    )
    timed = (
        rows.join(place.keys.lazy(), on=_SPAN, how="left", nulls_equal=True)
        .join(place.epochs.lazy(), on="epoch_key", how="left")
        .rename({"epoch_key": "epoch"})
    )
    gone = (pl.col("epoch_end_known") & (pl.col("ts") > pl.col("epoch_end"))).fill_null(False)
    uptime = (pl.col("ts") - pl.col("epoch_start")).dt.total_seconds().clip(lower_bound=0)
    timed = timed.with_columns(
        gateway_pid=pl.when(gone)
        .then(pl.col("gateway_pid"))
        .otherwise(pl.coalesce("gateway_pid", "epoch_pid")),
        uptime_s=pl.when(gone).then(None).otherwise(uptime).cast(pl.Int64),
        uptime_is_lower_bound=pl.when(gone).then(None).otherwise(~pl.col("epoch_start_known")),
    ).drop(
        *_SPAN,
        "epoch_pid",
        "epoch_start",
        "epoch_start_known",
        "epoch_end",
        "epoch_end_known",
    )
    untimed = events.filter(pl.col("ts").is_null())
    return pl.concat([timed, untimed], how="diagonal_relaxed").with_columns(
        pl.col(name).cast(dtype) for name, dtype in EPOCH_COLUMNS.items()
    )
