"""Command line: options → pipeline → output.  No polars logic lives here.

Exit codes (README):  0 ok · 1 incidents found (--fail-on-incident) · 2 usage ·
65 bad data · 66 no input · 70 internal error · 73 cannot write output · 130 interrupted.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn
from rich.table import Table

from lockforensics import __version__
from lockforensics.errors import ExitCode, LockForensicsError
from lockforensics.findings import Settings
from lockforensics.ingest.containers import (
    DEFAULT_MAX_MEMBER,
    DEFAULT_MAX_TOTAL,
    Limits,
    format_size,
    parse_size,
)
from lockforensics.ingest.export import TableFormat, write_events
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
from lockforensics.parsing.signatures import load_catalog
from lockforensics.parsing.timestamps import zone_from_option
from lockforensics.pipeline import analyze, ingest
from lockforensics.redaction import Redactor, redact_findings
from lockforensics.reporting import ingest_summary
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import GITHUB_COMMENT_LIMIT, RenderOptions
from lockforensics.textsafety import clean
from lockforensics.timespec import parse_instant, parse_span

_N = TypeVar("_N", int, float)

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Forensic analyzer for OpenClaw gateway session-lock incidents.\n\n"
    "Exit codes: 0 ok, 1 incidents found (with --fail-on-incident), 2 usage error, "
    "65 bad data, 66 no input, 70 internal error, 73 output not writable, 130 interrupted.",
)
# A fixed width off a terminal keeps captured summaries stable and readable.
err = Console(
    stderr=True, soft_wrap=False, width=None if sys.stderr and sys.stderr.isatty() else 120
)

PathsArg = Annotated[
    list[Path],
    typer.Argument(
        help="Files or directory trees collected from the gateway host.", show_default=False
    ),
]
TzOpt = Annotated[
    str | None,
    typer.Option(
        "--tz",
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


MaxMemberOpt = Annotated[
    int,
    typer.Option(
        "--max-member-size",
        parser=_size,
        metavar="SIZE",
        help="Largest decompressed archive member or compressed file to read (K/M/G).",
        show_default=format_size(DEFAULT_MAX_MEMBER),
    ),
]
MaxTotalOpt = Annotated[
    int,
    typer.Option(
        "--max-total-size",
        parser=_size,
        metavar="SIZE",
        help="Most bytes to decompress in one run, all inputs together (K/M/G).",
        show_default=format_size(DEFAULT_MAX_TOTAL),
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


@app.command("ingest")
def ingest_command(
    paths: PathsArg,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the event table here.")
    ] = None,
    fmt: Annotated[
        TableFormat, typer.Option("--format", "-f", help="Event table format.")
    ] = TableFormat.PARQUET,
    tz: TzOpt = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Files read in parallel.")] = 2,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No summary on stderr.")] = False,
    max_member: MaxMemberOpt = DEFAULT_MAX_MEMBER,
    max_total: MaxTotalOpt = DEFAULT_MAX_TOTAL,
    own: OwnOpt = False,
) -> None:
    """Read logs, archives and command outputs into one event table; print the summary."""
    if output is not None:
        refuse_overwriting_inputs(output, paths)
    limits = Limits(max_member=max_member, max_total=max_total, read_own_outputs=own)
    result = ingest(paths, tz=tz, jobs=jobs, progress=_progress_factory(), limits=limits)
    if not quiet:
        ingest_summary.render(result, err)
    # A failed run never replaces an earlier output with an empty table.
    if all(s.event_lines == 0 and s.noise_lines == 0 for s in result.files):
        raise _Fail(ExitCode.DATA, "none of the input could be read as OpenClaw logs")
    if output is not None:
        write_events(result.events, output, fmt, result.manifest())


@app.command("report")
def report_command(
    paths: PathsArg,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Only events at or after this ISO-8601 instant (no zone: --tz, else UTC).",
        ),
    ] = None,
    until: Annotated[
        str | None,
        typer.Option("--until", help="Only events at or before this ISO-8601 instant."),
    ] = None,
    tz: TzOpt = None,
    window: Annotated[
        float,
        typer.Option(
            "--window",
            parser=_span,
            metavar="SPAN",
            help="How far back a takeover looks for its lock error (e.g. 90s, 5m).",
            show_default="5m",
        ),
    ] = 300.0,
    gap: Annotated[
        float,
        typer.Option(
            "--gap",
            parser=_span,
            metavar="SPAN",
            help="Quiet time that separates two incidents.",
            show_default="10m",
        ),
    ] = 600.0,
    agent: Annotated[
        list[str] | None, typer.Option("--agent", help="Only this agent (repeatable).")
    ] = None,
    fmt: Annotated[
        ReportFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="Report format. Default: terminal when stdout is a terminal and no -o, else json.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Write the report here (not stdout).")
    ] = None,
    evidence: Annotated[
        bool, typer.Option("--evidence", help="Add the source lines behind every incident.")
    ] = False,
    fail_on_incident: Annotated[
        bool, typer.Option("--fail-on-incident", help="Exit 1 when any incident is found.")
    ] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="Files read in parallel.")] = 2,
    max_member: MaxMemberOpt = DEFAULT_MAX_MEMBER,
    max_total: MaxTotalOpt = DEFAULT_MAX_TOTAL,
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
            help="Markdown: size limit (GitHub comments take 65536); evidence is trimmed first.",
        ),
    ] = GITHUB_COMMENT_LIMIT,
) -> None:
    """Correlate lock errors, takeovers, restarts and cleanups into incidents; write the report."""
    if output is None:
        require_stdout()
    else:
        refuse_overwriting_inputs(output, paths)
    zone = zone_from_option(tz).tz if tz else None
    try:
        settings = Settings(
            window_s=window,
            gap_s=gap,
            since=parse_instant(since, zone) if since else None,
            until=parse_instant(until, zone) if until else None,
            agents=tuple(agent or ()),
        )
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    limits = Limits(max_member=max_member, max_total=max_total, read_own_outputs=own)
    result = ingest(paths, tz=tz, jobs=jobs, progress=_progress_factory(), limits=limits)
    if all(s.event_lines == 0 and s.noise_lines == 0 for s in result.files):
        raise _Fail(ExitCode.DATA, "none of the input could be read as OpenClaw logs")
    findings = analyze(result, settings)
    redacted: dict[str, int] = {}
    if redact or redact_key or redact_ids:
        redactor = Redactor(
            key=redact_key.encode() if redact_key else os.urandom(32),
            redact_ids=redact_ids,
            hosts=frozenset(findings.hosts),
        )
        findings = redact_findings(findings, redactor)
        redacted = redactor.summary
    to_terminal = output is None and sys.stdout.isatty()
    chosen = fmt or (ReportFormat.TERMINAL if to_terminal else ReportFormat.JSON)
    options = RenderOptions(
        evidence=evidence,
        width=None if to_terminal else 120,
        color=to_terminal,
        mermaid=not no_mermaid,
        max_chars=max_chars,
        redaction=redacted,
    )
    write_text(reporter_for(chosen).render(findings, options), output)
    for warning in result.warnings:
        err.print(f"warning: {clean(warning)}", markup=False, highlight=False)
    incidents = findings.headline.incidents
    if fail_on_incident and incidents:
        err.print(f"{incidents} incident(s) found", markup=False, highlight=False)
        raise typer.Exit(ExitCode.INCIDENTS)


@app.command("formats")
def formats_command() -> None:
    """List the envelopes and signatures lockforensics knows, with OpenClaw versions."""
    out = Console(soft_wrap=False, width=200 if not sys.stdout.isatty() else None)
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


class _Fail(Exception):
    def __init__(self, code: ExitCode, message: str) -> None:
        super().__init__(message)
        self.code = code


def main() -> None:
    """Entry point: one-line errors and documented exit codes, never a traceback."""
    trap_interrupts()
    tolerate_closed_stderr()
    try:
        # Standalone mode: Typer itself reports usage errors (exit 2) and exits.
        app()
    except _Fail as exc:
        _error(str(exc), exc.code)
    except LockForensicsError as exc:
        _error(str(exc), exc.exit_code)
    except ValueError as exc:  # bad option values detected after parsing (e.g. --tz)
        _error(str(exc), ExitCode.USAGE)
    except (Interrupted, KeyboardInterrupt):
        _error("interrupted", ExitCode.INTERRUPTED)
    except Exception as exc:  # a bug: say so in one line, keep the exit code honest
        _error(f"internal error ({type(exc).__name__}: {exc}); please report it", ExitCode.SOFTWARE)


def _error(message: str, code: int) -> NoReturn:
    """One `error:` line (never wrapped, whatever the width), then exit with ``code``."""
    err.print(f"error: {message}", markup=False, highlight=False, soft_wrap=True)
    sys.exit(code)
