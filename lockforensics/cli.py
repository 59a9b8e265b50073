"""Command line: options → pipeline → output.  No polars logic lives here.

Exit codes (README):  0 ok · 1 incidents found (--fail-on-incident) · 2 usage ·
65 bad data · 66 no input · 70 internal error · 73 cannot write output · 130 interrupted.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import polars as pl
import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from lockforensics import __version__, cli_values
from lockforensics.errors import ExitCode, LockForensicsError, NoInputError
from lockforensics.errors import UsageError as BadUsageError
from lockforensics.findings import Settings
from lockforensics.ingest import cache
from lockforensics.ingest.containers import (
    DEFAULT_MAX_MEMBER,
    DEFAULT_MAX_TOTAL,
    Limits,
    format_size,
    parse_size,
)
from lockforensics.ingest.export import TableFormat, write_events
from lockforensics.ingest.manifest import ManifestRow
from lockforensics.oncall import compare, fleet, locks, locks_render, sql
from lockforensics.oncall import store as fleet_store
from lockforensics.oncall.output import OncallFormat
from lockforensics.oncall.procinfo import SystemProbe
from lockforensics.oncall.sources import events_of_all, findings_of
from lockforensics.oncall.sql import SqlFormat
from lockforensics.oncall.watch import Watcher, WatchOptions
from lockforensics.outputs import (
    Interrupted,
    refuse_overwriting_inputs,
    require_stdout,
    tolerate_closed_stderr,
    trap_interrupts,
    write_text,
)
from lockforensics.parsing.documents import load_documents
from lockforensics.parsing.envelopes import PLAIN, load_envelopes
from lockforensics.parsing.eras import load_eras
from lockforensics.parsing.signatures import load_catalog
from lockforensics.parsing.timestamps import zone_from_option
from lockforensics.pipeline import Ingest, analyze, correlate, ingest
from lockforensics.redaction import Redactor, redact_findings
from lockforensics.reporting import ingest_summary
from lockforensics.reporting.interface import ReportFormat, raw_lines, reporter_for
from lockforensics.reporting.options import GITHUB_COMMENT_LIMIT, RenderOptions
from lockforensics.reporting.scope_notes import scope_warnings
from lockforensics.textsafety import clean
from lockforensics.timespec import parse_instant, parse_span

_N = TypeVar("_N", int, float)


class _PlainArgument(TyperArgument):
    """An argument shown as ``PATH...``, not Typer's ``{paths}...`` and ``<list[Path]>``."""

    def display_type_rich(self, ctx: Any) -> str | None:
        return None

    def _usage_display_name(self) -> str:
        return f"{self.display_name_raw}..." if self.nargs != 1 else self.display_name_raw


class _Command(TyperCommand):
    """A command whose arguments read as plain metavars in the usage line and help."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if isinstance(param, TyperArgument):
                param.__class__ = _PlainArgument
                param.metavar = param.metavar or (param.name or "value").upper()
            elif isinstance(param, TyperOption) and not param.is_flag and param.metavar is None:
                # Typer would print the Python type (`<path>`, `<str>`); name the value instead.
                param.metavar = (param.name or "value").upper()

    def get_params(self, ctx: Any) -> list[Any]:
        # Here, not at __init__: `--help` is made on first use.
        return cli_values.installed(super().get_params(ctx))


class _Group(TyperGroup):
    """The command group, whose options (``--version``, ``--help``) convert as the commands' do."""

    def get_params(self, ctx: Any) -> list[Any]:
        return cli_values.installed(super().get_params(ctx))


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Forensic analyzer for OpenClaw gateway session-lock incidents.\n\n"
    "Exit codes: 0 ok, 1 incidents found (with --fail-on-incident), 2 usage error, "
    "65 bad data, 66 no input, 70 internal error, 73 output not writable, 130 interrupted.",
)
# A fixed width off a terminal keeps captured summaries stable and readable;
# messages (warnings, notes) are printed unwrapped, one line each, whatever it is.
err = Console(
    stderr=True, soft_wrap=False, width=None if sys.stderr and sys.stderr.isatty() else 120
)

PathsArg = Annotated[
    list[Path],
    typer.Argument(
        help="Files or directory trees collected from the gateway host.",
        show_default=False,
        metavar="PATH",
    ),
]


def _checked_zone(tz: str | None) -> str | None:
    """``--tz`` as given, once known to name a zone: refused while the options
    are read, a usage error, before any input is read (a watcher left running
    with a bad zone died as an incident began: Z173)."""
    if tz is not None:
        try:
            zone_from_option(tz)
        except ValueError as exc:
            raise typer.BadParameter(str(exc).removeprefix("--tz: "), param_hint="--tz") from exc
    return tz


TzOpt = Annotated[
    str | None,
    typer.Option(
        "--tz",
        metavar="ZONE",
        callback=_checked_zone,
        help="Zone for stamps that carry none (IANA name or ±HH:MM). "
        "Default: the zone other files in the bundle show, else UTC.",
    ),
]


def _progress_factory() -> Callable[[int], Callable[[int], None]] | None:
    """A rich progress bar on stderr, only on a terminal and only for big inputs."""
    if not err.is_terminal:
        return None

    def factory(total: int) -> Callable[[int], None]:
        if total < 32 << 20:
            return lambda _n: None
        progress = Progress(
            "[progress.description]{task.description}",
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        )
        task = progress.add_task("reading", total=total)
        progress.start()
        started = time.monotonic()

        def advance(n: int) -> None:
            progress.advance(task, n)
            if progress.finished or time.monotonic() - started > 3600:
                progress.stop()

        return advance

    return factory


def _option_parser(parse: Callable[[str], _N], kind: type[_N]) -> Callable[[str | _N], _N]:
    """A Typer option parser: ``parse`` text, pass defaults through, report bad values."""

    def parser(text: str | _N) -> _N:
        if isinstance(text, kind):  # the default, which Click passes through the parser too
            return text
        try:
            return parse(str(text))
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc

    return parser


_size = _option_parser(parse_size, int)
_span = _option_parser(parse_span, float)


#: Files read in parallel: this machine class's two cores.
DEFAULT_JOBS = 2

JobsOpt = Annotated[
    int,
    typer.Option(
        "--jobs", "-j", min=1, metavar="N", show_default=False,
        help="Files read in parallel. Default: 2.",
    ),
]  # fmt: skip
MaxMemberOpt = Annotated[
    int,
    typer.Option(
        "--max-member-size",
        parser=_size,
        metavar="SIZE",
        help="Largest decompressed archive member or compressed file to read (K/M/G). "
        f"Default: {format_size(DEFAULT_MAX_MEMBER)}.",
        show_default=False,
    ),
]
MaxTotalOpt = Annotated[
    int,
    typer.Option(
        "--max-total-size",
        parser=_size,
        metavar="SIZE",
        help="Most bytes to decompress in one run, all inputs together (K/M/G). "
        f"Default: {format_size(DEFAULT_MAX_TOTAL)}.",
        show_default=False,
    ),
]


HostOpt = Annotated[
    str | None,
    typer.Option("--host", metavar="HOST", help="Only this host's failures, incidents and epochs."),
]
StoreOpt = Annotated[
    Path | None,
    typer.Option(
        "--store",
        metavar="DIR",
        help="Fleet store directory (hive-partitioned Parquet, host=…/date=…/).",
    ),
]


GapOpt = Annotated[
    float,
    typer.Option(
        "--gap",
        parser=_span,
        metavar="SPAN",
        help="Quiet time that closes an incident (and separates two). Default: 10m.",
        show_default=False,
    ),
]
NoCacheOpt = Annotated[
    bool,
    typer.Option(
        "--no-cache",
        help="Parse again instead of reusing an earlier run's table "
        "(cache: $LOCKFORENSICS_CACHE_DIR or ~/.cache/lockforensics).",
    ),
]


OwnOpt = Annotated[
    bool,
    typer.Option(
        "--include-own-reports",
        help="Read lockforensics reports and event tables found among the inputs "
        "(skipped by default: they are our output, not evidence).",
    ),
]


@app.command("ingest", cls=_Command)
def ingest_command(
    paths: PathsArg,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            metavar="FILE",
            help="Write the event table here. Default: events.parquet (or .csv, .ndjson) "
            "in the working directory.",
        ),
    ] = None,
    store: StoreOpt = None,
    fmt: Annotated[
        TableFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="parquet|csv|ndjson",
            show_default=False,
            help="Event table format. Default: parquet.",
        ),
    ] = TableFormat.PARQUET,
    tz: TzOpt = None,
    jobs: JobsOpt = DEFAULT_JOBS,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    max_member: MaxMemberOpt = DEFAULT_MAX_MEMBER,
    max_total: MaxTotalOpt = DEFAULT_MAX_TOTAL,
    no_cache: NoCacheOpt = False,
    own: OwnOpt = False,
) -> None:
    """Read logs, archives and command outputs into one event table; print the summary."""
    # With --store alone the store is the output; otherwise a table file is written.
    target = output or (None if store is not None else Path(f"events.{fmt.value}"))
    if target is not None:
        refuse_overwriting_inputs(target, paths)
    limits = Limits(max_member=max_member, max_total=max_total, read_own_outputs=own)

    def prepare(result: Ingest) -> tuple[Ingest, pl.LazyFrame, list[ManifestRow]]:
        # Read here, before any output is opened: a cache entry that fails
        # to read fails now, and cache.used reads the inputs again.
        result.check_activity()
        return result, result.table_to_write(), result.manifest()

    result, table, manifest = cache.used(
        lambda: _read(paths, tz, jobs, limits, no_cache), prepare, _warn
    )
    if not quiet:
        ingest_summary.render(result, err)
    # A failed run never replaces an earlier output with an empty table.
    _require_logs(result)
    if target is not None:
        write_events(table, target, fmt, manifest)
    if store is not None:
        fleet_store.write(result.events, store, manifest)
    if not quiet:
        count = result.height
        if target is not None:
            _say(f"wrote {target} ({_file_size(target)}, {count:,} events)")
        if store is not None:
            _say(f"stored {count:,} events in {store}")


def _read(paths: list[Path], tz: str | None, jobs: int, limits: Limits, no_cache: bool) -> Ingest:
    """The inputs' event table, with progress on a terminal and the cache unless refused."""
    return ingest(
        paths,
        tz=tz,
        jobs=jobs,
        progress=_progress_factory(),
        limits=limits,
        use_cache=cache.enabled(no_cache),
    )


def _require_logs(result: Ingest) -> None:
    """A run that read nothing as OpenClaw output fails as bad data, before any
    output is opened (a failed run never replaces an earlier output)."""
    if all(s.event_lines == 0 and s.noise_lines == 0 for s in result.files):
        # Why, where the walk or the scan said it: a log skipped as binary (a
        # zero-filled or corrupt file) is named (Z206: the reason left unsaid).
        why = result.warnings
        first = f" ({len(why)} warning(s); first: {why[0]})" if why else ""
        raise _Fail(ExitCode.DATA, "none of the input could be read as OpenClaw logs" + first)


def _warn(message: str) -> None:
    _say(f"warning: {message}")


def _say(message: str) -> None:
    """One plain line on stderr (file names are user text: no markup, no highlighting)."""
    err.print(clean(message), markup=False, highlight=False, soft_wrap=True)


def _file_size(path: Path) -> str:
    try:
        return format_size(path.stat().st_size)
    except OSError:
        return "size unknown"


def _phase(text: str) -> AbstractContextManager[object]:
    """A spinner naming the current step, on a terminal only (progress never goes to files)."""
    return err.status(text) if err.is_terminal else nullcontext()


def _report_format(text: str | ReportFormat) -> ReportFormat:
    """``-f``: a known report format, else a usage error that lists the choices."""
    if isinstance(text, ReportFormat):
        return text
    try:
        return ReportFormat(text.lower())
    except ValueError:
        choices = ", ".join(f.value for f in ReportFormat)
        raise typer.BadParameter(f"unknown format {text!r}; choose {choices}") from None


@app.command("report", cls=_Command)
def report_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Files or directory trees collected from the gateway host (or use --store).",
            show_default=False,
            metavar="PATH",
        ),
    ] = None,
    store: StoreOpt = None,
    host: HostOpt = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            metavar="TIME",
            help="Only events at or after this ISO-8601 instant (no zone: --tz, else UTC).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option(
            "--until", metavar="TIME", help="Only events at or before this ISO-8601 instant."
        ),
    ] = None,
    tz: TzOpt = None,
    window: Annotated[
        float,
        typer.Option(
            "--window",
            parser=_span,
            metavar="SPAN",
            help="How far back a takeover looks for its lock error (e.g. 90s, 5m). Default: 5m.",
            show_default=False,
        ),
    ] = 300.0,
    gap: GapOpt = 600.0,
    agent: Annotated[
        list[str] | None,
        typer.Option(
            "--agent",
            metavar="NAME",
            help="Only incidents and lines of this agent (repeatable).",
        ),
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            parser=_report_format,
            metavar="terminal|json|md|html",
            help="Report format. Default: terminal when stdout is a terminal and no -o, else json.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", metavar="FILE", help="Write the report here (not stdout)."),
    ] = None,
    evidence: Annotated[
        bool,
        typer.Option(
            "--evidence",
            help="Include raw log lines (the lines behind every incident, event messages) in "
            "any format. They carry chat ids and paths: add --redact before posting them.",
        ),
    ] = False,
    fail_on_incident: Annotated[
        bool, typer.Option("--fail-on-incident", help="Exit 1 when any incident is found.")
    ] = False,
    jobs: JobsOpt = DEFAULT_JOBS,
    max_member: MaxMemberOpt = DEFAULT_MAX_MEMBER,
    max_total: MaxTotalOpt = DEFAULT_MAX_TOTAL,
    no_cache: NoCacheOpt = False,
    own: OwnOpt = False,
    redact: Annotated[
        bool,
        typer.Option(
            "--redact",
            help="Replace chat/peer ids, user names in paths, hosts, emails and secrets "
            "with stable keyed pseudonyms, in every format and evidence line.",
        ),
    ] = False,
    redact_key: Annotated[
        str | None,
        typer.Option(
            "--redact-key",
            metavar="KEY",
            help="Key for --redact pseudonyms; the same key reproduces the same report "
            "(default: a fresh random key per run).",
        ),
    ] = None,
    redact_ids: Annotated[
        bool,
        typer.Option("--redact-ids", help="With --redact: also pseudonymise session and run ids."),
    ] = False,
    no_mermaid: Annotated[
        bool,
        typer.Option("--no-mermaid", help="Markdown: plain tables instead of Mermaid charts."),
    ] = False,
    max_chars: Annotated[
        int,
        typer.Option(
            "--max-chars",
            min=2000,
            metavar="N",
            show_default=False,
            help="Markdown: size limit, at least 2000. Default: 65536, what one GitHub comment "
            "takes; evidence is trimmed first.",
        ),
    ] = GITHUB_COMMENT_LIMIT,
) -> None:
    """Correlate lock errors, takeovers, restarts and cleanups into incidents; write the report."""
    if output is None:
        require_stdout()
    else:
        refuse_overwriting_inputs(output, paths or [])
    zone = zone_from_option(tz).tz if tz is not None else None
    try:
        settings = Settings(
            window_s=window,
            gap_s=gap,
            since=parse_instant(since, zone) if since else None,
            until=parse_instant(until, zone) if until else None,
            agents=tuple(agent or ()),
            # A store is read for its one host (_store_report): its report is that host's own.
            host=host if store is None else None,
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if settings.since and settings.until and settings.since > settings.until:
        raise typer.BadParameter(
            f"--since {since} is after --until {until}: the window would be empty",
            param_hint="--since/--until",
        )
    if store is not None:
        if paths:
            raise typer.BadParameter("give input paths or --store, not both")
        _store_report(store, host, settings, fmt, output, fail_on_incident)
        return
    if not paths:
        raise typer.BadParameter("give at least one input path (or --store DIR)")
    limits = Limits(max_member=max_member, max_total=max_total, read_own_outputs=own)
    to_terminal = output is None and sys.stdout.isatty()
    chosen = fmt or (ReportFormat.TERMINAL if to_terminal else ReportFormat.JSON)

    def prepare(result: Ingest) -> _Prepared:
        """Everything that reads the table, before anything is written or said."""
        _require_logs(result)
        with _phase("correlating events into incidents"):
            findings = analyze(result, settings)
        notes = scope_warnings(result.table(ordered=False), findings)
        redacted: dict[str, int] = {}
        if redact or redact_key or redact_ids:
            redactor = Redactor(
                key=redact_key.encode() if redact_key else os.urandom(32),
                redact_ids=redact_ids,
                hosts=frozenset(findings.bundle_hosts),
            )
            findings = redact_findings(findings, redactor)
            redacted = redactor.summary
        options = RenderOptions(
            evidence=evidence,
            width=None if to_terminal else 120,
            color=to_terminal,
            mermaid=not no_mermaid,
            max_chars=max_chars,
            redaction=redacted,
        )
        with _phase(f"rendering the {chosen.value} report"):
            text = reporter_for(chosen).render(findings, options)
        raw = 0 if redacted else raw_lines(findings, chosen, options, text)
        return _Prepared(text, notes, result.warnings, findings.headline.incidents, raw)

    report = cache.used(lambda: _read(paths, tz, jobs, limits, no_cache), prepare, _warn)
    for warning in report.scope_notes:
        _warn(warning)
    write_text(report.text, output)
    for warning in report.warnings:
        err.print(f"warning: {clean(warning)}", markup=False, highlight=False, soft_wrap=True)
    incidents, raw = report.incidents, report.raw_lines
    if raw:
        _say(
            f"note: the report contains {raw:,} raw log lines with identifiers; "
            "use --redact before posting publicly"
        )
    if output is not None:
        noun = "incident" if incidents == 1 else "incidents"
        _say(f"wrote {output} ({_file_size(output)}, {incidents} {noun})")
    if fail_on_incident and incidents:
        err.print(f"{incidents} incident(s) found", markup=False, highlight=False)
        raise typer.Exit(ExitCode.INCIDENTS)


@app.command("formats", cls=_Command)
def formats_command() -> None:
    """List the envelopes and signatures lockforensics knows, with OpenClaw versions."""
    out = Console(soft_wrap=False, width=200 if not sys.stdout.isatty() else None)
    eras = Table(title="OpenClaw eras (oldest first)", title_justify="left")
    for column in ("era", "OpenClaw versions", "what changed", "era-only signatures"):
        eras.add_column(column)
    for era in load_eras():
        eras.add_row(era.name, era.versions, era.description, ", ".join(era.signatures))
    out.print(eras)
    envelopes = Table(title="Envelopes (detection order)", title_justify="left")
    for column in ("name", "channel", "OpenClaw versions", "what"):
        envelopes.add_column(column)
    for env in (*load_envelopes().envelopes, PLAIN):
        envelopes.add_row(env.name, env.channel, env.versions, env.description)
    out.print(envelopes)
    documents = Table(title="Documents (detection order, before envelopes)", title_justify="left")
    for column in ("name", "kinds", "OpenClaw versions", "what"):
        documents.add_column(column)
    for spec in load_documents().documents:
        documents.add_row(spec.name, ", ".join(spec.kinds) or "-", spec.versions, spec.description)
    out.print(documents)
    signatures = Table(title="Signatures", title_justify="left")
    for column in ("id", "kind", "type", "OpenClaw versions", "what"):
        signatures.add_column(column)
    catalog = load_catalog()
    for rule in catalog.wrappers:
        signatures.add_row(rule.id, rule.kind or "-", "wrapper", rule.versions, rule.description)
    for rule in catalog.signatures:
        signatures.add_row(rule.id, rule.kind or "-", "signature", rule.versions, rule.description)
    out.print(signatures)


# --- on-call commands (lockforensics/oncall/) --------------------------------------------


def _store_report(
    store: Path,
    host: str | None,
    settings: Settings,
    fmt: ReportFormat | None,
    output: Path | None,
    fail_on_incident: bool,
) -> None:
    """``report --store``: one host's usual report, or the fleet report over every host."""
    to_terminal = output is None and sys.stdout.isatty()
    events = fleet_store.load(store, host)
    if host is not None or len(fleet_store.hosts(store)) == 1:
        findings = correlate(events, settings)
        chosen = fmt or (ReportFormat.TERMINAL if to_terminal else ReportFormat.JSON)
        options = RenderOptions(width=None if to_terminal else 120, color=to_terminal)
        write_text(reporter_for(chosen).render(findings, options), output)
        incidents = findings.headline.incidents
    else:
        report = fleet.fleet(events, settings)
        chosen_fleet = OncallFormat(fmt.value) if fmt else None
        if fmt is not None and fmt.value not in {f.value for f in OncallFormat}:
            raise typer.BadParameter("the fleet report is written as terminal, json or md")
        default = OncallFormat.TERMINAL if to_terminal else OncallFormat.JSON
        width = None if to_terminal else 120
        write_text(fleet.render(report, chosen_fleet or default, width), output)
        incidents = report.incidents.height
    if fail_on_incident and incidents:
        err.print(f"{incidents} incident(s) found", markup=False, highlight=False)
        raise typer.Exit(ExitCode.INCIDENTS)


OncallFormatOpt = Annotated[
    OncallFormat | None,
    typer.Option(
        "--format",
        "-f",
        help="Output format. Default: terminal when stdout is a terminal and no -o, else json.",
        show_default=False,
    ),
]
OutputOpt = Annotated[Path | None, typer.Option("-o", "--output", help="Write here (not stdout).")]


def _oncall_format(fmt: OncallFormat | None, output: Path | None) -> OncallFormat:
    if fmt is not None:
        return fmt
    return OncallFormat.TERMINAL if output is None and sys.stdout.isatty() else OncallFormat.JSON


@app.command("locks", cls=_Command)
def locks_command(
    state_dir: Annotated[
        Path | None,
        typer.Argument(
            help="OpenClaw state dir. Default: $OPENCLAW_STATE_DIR, else ~/.openclaw.",
            show_default=False,
        ),
    ] = None,
    fmt: OncallFormatOpt = None,
    output: OutputOpt = None,
    remove_stale: Annotated[
        bool,
        typer.Option(
            "--remove-stale",
            help="Delete the lock files OpenClaw itself would reclaim (never leases).",
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --remove-stale: do not ask.")
    ] = False,
) -> None:
    """Live census of session locks (.jsonl.lock files and SQLite leases), judged like OpenClaw."""
    root = state_dir or Path(os.environ.get("OPENCLAW_STATE_DIR") or Path.home() / ".openclaw")
    if root.exists() and not root.is_dir():
        raise NoInputError(f"{root}: not a directory (give the state directory, e.g. ~/.openclaw)")
    if not root.is_dir():
        raise NoInputError(f"{root}: no such state directory")
    # Asked before anything is read: off a terminal nobody can answer the question.
    if remove_stale and not yes and not sys.stdin.isatty():
        raise BadUsageError("--remove-stale needs --yes when not interactive")
    found = locks.census(root, SystemProbe())
    chosen = _oncall_format(fmt, output)
    to_terminal = output is None and sys.stdout.isatty()
    write_text(
        locks_render.render(found, chosen, None if to_terminal else 120, to_terminal), output
    )
    if not remove_stale:
        return

    def confirm(targets: list[locks.Lock]) -> bool:
        if yes:
            return True
        for lock in targets:
            err.print(
                f"  {clean(lock.path)} ({', '.join(lock.stale_reasons)})",
                markup=False,
                soft_wrap=True,
            )
        return typer.confirm(f"Remove these {len(targets)} lock file(s)?", err=True)

    def log(message: str) -> None:
        err.print(clean(message), markup=False, highlight=False, soft_wrap=True)

    removed = locks.remove_stale(found, confirm, log)
    err.print(f"{len(removed)} lock file(s) removed", markup=False, highlight=False)


@app.command("watch", cls=_Command)
def watch_command(
    paths: PathsArg,
    gap: GapOpt = 600.0,
    interval: Annotated[
        float,
        typer.Option(
            "--interval",
            parser=_span,
            metavar="SPAN",
            help="Poll interval. Default: 0.5s.",
            show_default=False,
        ),
    ] = 0.5,
    tz: TzOpt = None,
    exec_cmd: Annotated[
        str | None,
        typer.Option("--exec", help="Run this command with the incident JSON on stdin."),
    ] = None,
    exec_interval: Annotated[
        float,
        typer.Option(
            "--exec-interval",
            parser=_span,
            metavar="SPAN",
            help="At most one --exec run per SPAN (an opening incident always runs). Default: 30s.",
            show_default=False,
        ),
    ] = 30.0,
    on_incident_run: Annotated[
        str | None,
        typer.Option(
            "--on-incident-run", help="Run this when an incident opens (e.g. a sessions cleanup)."
        ),
    ] = None,
    cooldown: Annotated[
        float,
        typer.Option(
            "--cooldown",
            parser=_span,
            metavar="SPAN",
            help="Least time between two --on-incident-run runs. Default: 15m.",
            show_default=False,
        ),
    ] = 900.0,
    state: Annotated[
        Path | None,
        typer.Option("--state", help="State file (offsets, open incident); survives restarts."),
    ] = None,
    from_start: Annotated[
        bool, typer.Option("--from-start", help="Read files already there from their start.")
    ] = False,
) -> None:
    """Follow growing logs; print each lock failure and incident openings and closings."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise NoInputError(f"{missing[0]}: no such file or directory")
    options = WatchOptions(
        gap_s=gap,
        interval_s=interval,
        tz=tz,
        exec_cmd=exec_cmd,
        exec_min_interval_s=exec_interval,
        on_incident_run=on_incident_run,
        cooldown_s=cooldown,
        from_start=from_start,
    )

    def say(line: str) -> None:
        print(line, flush=True)

    def note(line: str) -> None:
        err.print(line, markup=False, highlight=False, soft_wrap=True)

    watcher = Watcher(paths, options, say, note, state_path=state)
    watcher.run(lambda: False)


@app.command("compare", cls=_Command)
def compare_command(
    before: Annotated[Path, typer.Argument(help="Bundle or fleet store before the change.")],
    after: Annotated[Path, typer.Argument(help="Bundle or fleet store after the change.")],
    host: HostOpt = None,
    tz: TzOpt = None,
    fmt: OncallFormatOpt = None,
    output: OutputOpt = None,
) -> None:
    """Failure rates per hour of gateway uptime before and after, with an exact rate-ratio test."""
    settings = Settings()
    sides = [
        compare.side_of(str(path), findings_of(path, settings, tz, host))
        for path in (before, after)
    ]
    rows = compare.compare(sides[0], sides[1])
    chosen = _oncall_format(fmt, output)
    width = None if output is None and sys.stdout.isatty() else 160
    write_text(compare.render(sides[0], sides[1], rows, chosen, width), output)


@app.command("sql", cls=_Command)
def sql_command(
    args: Annotated[
        list[str],
        typer.Argument(
            help="Bundles or fleet stores, then one SQL statement (the last argument).",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        SqlFormat, typer.Option("--format", "-f", help="Output format.")
    ] = SqlFormat.TABLE,
    output: OutputOpt = None,
    host: HostOpt = None,
    tz: TzOpt = None,
) -> None:
    """SQL (polars) over tables events, failures, incidents, epochs, pairs, uptime, …"""
    if len(args) < 2:
        raise typer.BadParameter("give at least one PATH and then the SQL statement")
    *names, statement = args
    paths = [Path(name) for name in names]
    if any(fleet_store.is_store(path) for path in paths):
        frames = sql.tables(events_of_all(paths, tz, host), Settings())
    else:
        # Bundles alone: correlated as `report` correlates them, so an incident
        # or epoch id means the same thing in both.
        def tables(result: Ingest) -> dict[str, pl.DataFrame]:
            _require_logs(result)
            return sql.bundle_tables(analyze(result, Settings(host=host)))

        frames = cache.used(lambda: _read(paths, tz, DEFAULT_JOBS, Limits(), False), tables, _warn)
    result_frame = sql.query(frames, statement)
    write_text(sql.render(result_frame, fmt, 160), output)


def _version(value: bool) -> None:
    if value:
        print(f"lockforensics {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Forensic analyzer for OpenClaw gateway session-lock incidents."""


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A report ready to write, and what to say about it."""

    text: str
    scope_notes: list[str]
    warnings: list[str]
    incidents: int
    raw_lines: int  # raw log lines it carries unredacted (the privacy note)


class _Fail(Exception):
    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def main() -> None:
    """Entry point: one-line errors and documented exit codes, never a traceback."""
    trap_interrupts()
    tolerate_closed_stderr()
    try:
        code = app(standalone_mode=False)
        if isinstance(code, int) and code:  # typer.Exit(n), --fail-on-incident
            sys.exit(code)
    except NoArgsIsHelpError as exc:  # `lockforensics` alone, `report` without a path
        exc.show()
        sys.exit(ExitCode.USAGE)
    except UsageError as exc:
        # One line, like every other error; `--help` has the usage.
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        _error(f"{exc.format_message()}{hint}", ExitCode.USAGE)
    except ClickException as exc:
        _error(exc.format_message(), exc.exit_code)
    except _Fail as exc:
        _error(str(exc), exc.code)
    except LockForensicsError as exc:
        _error(str(exc), exc.exit_code)
    except Interrupted as exc:
        if exc.signum == signal.SIGTERM:
            _error("terminated", ExitCode.TERMINATED)
        _error("interrupted", ExitCode.INTERRUPTED)
    except KeyboardInterrupt:
        _error("interrupted", ExitCode.INTERRUPTED)
    except Exception as exc:  # a bug: say so in one line, keep the exit code honest
        _error(f"internal error ({type(exc).__name__}: {exc}); please report it", ExitCode.SOFTWARE)


def _error(message: str, code: int) -> NoReturn:
    """One `error:` line (never wrapped, whatever the width), then exit with ``code``."""
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)
