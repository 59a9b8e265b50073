"""The report as an on-call operator meets it (issue 11): CLI feedback, privacy, ids, words."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from lockforensics import cli
from lockforensics.cli import app
from lockforensics.errors import ExitCode
from lockforensics.findings import Findings, Settings
from lockforensics.pipeline import analyze, ingest
from lockforensics.reporting import glossary, units
from lockforensics.reporting.eventlist import key_rows
from lockforensics.reporting.ingest_summary import safe_text
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions
from tests.conftest import FIXED_EPOCH, ingest_files

#: Words of the code that must never reach a human-facing format.
INTERNALS = ("second_run", "cleanup_run", "lower bound only", "lock_stale", "start_line")
HUMAN = (ReportFormat.TERMINAL, ReportFormat.MARKDOWN, ReportFormat.HTML)
#: A chat id from the sample's session keys: the kind of identifier raw lines carry.
RAW_MARKER = re.compile(r"\.jsonl?:\d+:? ")


def invoke(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process: exit code, stdout, stderr."""
    result = CliRunner().invoke(app, list(args), env={"SOURCE_DATE_EPOCH": FIXED_EPOCH})
    return result.exit_code, result.stdout, result.stderr


# -- filters ---------------------------------------------------------------------


def test_since_after_until_is_a_usage_error(sample_dir: Path) -> None:
    """`--since` later than `--until` exits 2 and says the window would be empty."""
    code, _, err = invoke(
        "report", str(sample_dir), "--since", "2026-05-29", "--until", "2026-05-28"
    )
    assert code == ExitCode.USAGE
    assert "is after --until" in err


def test_unknown_agent_warns_and_lists_the_agents(sample_dir: Path, tmp_path: Path) -> None:
    """`--agent nobody` warns that the agent is absent, lists those present, and is no all-clear."""
    out = tmp_path / "r.json"
    code, _, err = invoke("report", str(sample_dir), "--agent", "nobody", "-o", str(out))
    assert code == 0
    assert "agent 'nobody' is not in the bundle; agents present: fleet-ops, main," in err
    assert "this is not an all-clear: the whole bundle has 52" in err


def test_unknown_format_names_the_choices(sample_dir: Path) -> None:
    """`-f pdf` is a usage error that names every format."""
    code, _, err = invoke("report", str(sample_dir), "-f", "pdf")
    assert code == ExitCode.USAGE
    assert "unknown format 'pdf'; choose terminal, json, md, html" in err


@pytest.mark.parametrize(
    "command", ["report", "ingest", "formats", "locks", "watch", "compare", "sql"]
)
def test_help_shows_no_raw_type_names(command: str) -> None:
    """Help texts show metavars like PATH... and TIME, never `<list[Path]>`, `{paths}` or `(5m)`."""
    code, out, _ = invoke(command, "--help")
    assert code == 0
    if command in ("report", "ingest", "watch"):
        assert "PATH..." in out
    for raw in ("<list", "{paths}", "{PATH", "{args}", "[default: (", "<str>", "<int", "<path>"):
        assert raw not in out, raw


# -- stable ids ------------------------------------------------------------------


def _ids(findings: Findings) -> dict[str, int]:
    return {str(r["start"]): r["incident"] for r in findings.incidents.iter_rows(named=True)}


def test_incident_ids_do_not_depend_on_filters(sample_dir: Path, fixed_findings: Findings) -> None:
    """Incident 3 of the whole bundle is still 3 with --since/--until and with --agent."""
    result = ingest([sample_dir])
    since = fixed_findings.incidents.row(2, named=True)["start"]
    windowed = analyze(result, Settings(since=since))
    assert windowed.incidents["incident"].to_list() == [3]
    one_agent = analyze(result, Settings(agents=("scribe",)))
    assert one_agent.incidents["incident"].to_list() == [2]
    assert _ids(windowed).items() <= _ids(fixed_findings).items()


# -- privacy ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_no_raw_line_without_evidence(fmt: ReportFormat, fixed_findings: Findings) -> None:
    """Without --evidence no format carries a raw log line; with it, every format does."""
    raw = [r["raw"] for r in fixed_findings.evidence.iter_rows(named=True)][:5]
    reporter = reporter_for(fmt)
    plain = reporter.render(fixed_findings, RenderOptions(width=400))
    assert not any(line[:60] in plain for line in raw)
    full = reporter.render(fixed_findings, RenderOptions(width=400, evidence=True))
    assert any(line[:60] in full for line in raw)


def test_evidence_without_redact_says_so_on_stderr(sample_dir: Path, tmp_path: Path) -> None:
    """With --evidence and no --redact, stderr counts the raw lines and asks for --redact."""
    out = tmp_path / "r.md"
    code, _, err = invoke("report", str(sample_dir), "-f", "md", "--evidence", "-o", str(out))
    assert code == 0
    said = re.search(r"contains ([\d,]+) raw log lines with identifiers; use --redact", err)
    assert said is not None
    # The lines the written report holds, its evidence trimmed to fit the comment
    # (each block says how many it shows), not every line behind the incidents.
    shown = re.findall(r"<summary>Evidence: first line of (\d+) of", out.read_text())
    assert int(said[1].replace(",", "")) == sum(map(int, shown)) > 0
    code, _, err = invoke(
        "report", str(sample_dir), "-f", "md", "--evidence", "--redact", "-o", str(out)
    )
    assert code == 0
    assert "raw log lines" not in err


# -- feedback --------------------------------------------------------------------


def test_report_to_a_file_ends_with_one_line_naming_it(sample_dir: Path, tmp_path: Path) -> None:
    """`report -o FILE` ends its stderr with the file, its size and the incident count."""
    out = tmp_path / "r.html"
    code, stdout, err = invoke("report", str(sample_dir), "-f", "html", "-o", str(out))
    assert code == 0
    assert stdout == ""
    assert err.splitlines()[-1] == f"wrote {out} ({cli._file_size(out)}, 3 incidents)"


def test_ingest_without_output_writes_events_parquet_here(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`ingest` without -o writes events.parquet in the working directory and says so."""
    monkeypatch.chdir(tmp_path)
    code, _, err = invoke("ingest", str(sample_dir))
    assert code == 0
    written = list(tmp_path.rglob("events.parquet"))
    assert len(written) == 1
    assert re.search(r"^wrote events\.parquet \([\d.]+[KM], [\d,]+ events\)$", err, re.M)


def test_phases_show_on_a_terminal_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """The correlation/rendering spinner draws on a terminal and writes nothing otherwise."""
    tty = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=tty, force_terminal=True, width=80))
    with cli._phase("correlating events into incidents"):
        pass
    assert "correlating" in tty.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(cli, "err", Console(file=piped, force_terminal=False, width=80))
    with cli._phase("correlating events into incidents"):
        pass
    assert piped.getvalue() == ""


# -- words -----------------------------------------------------------------------


@pytest.mark.parametrize("fmt", HUMAN)
def test_reports_use_words_not_internals(fmt: ReportFormat, fixed_findings: Findings) -> None:
    """Human formats say "another run on the session", never `second_run`; no nested parens."""
    text = reporter_for(fmt).render(fixed_findings, RenderOptions(width=200))
    for word in INTERNALS:
        assert word not in text, word
    assert not re.search(r"\([^()]*\([^()]*\)[^()]*\)", text.replace("\n", " "))
    assert "another run on the session" in text


def test_json_keeps_the_contract_values(sample_reports: dict[ReportFormat, str]) -> None:
    """The JSON contract keeps snake_case values: the glossary is for people only."""
    doc = json.loads(sample_reports[ReportFormat.JSON])
    assert {w["trigger"] for w in doc["triggers"]["writers"]} == {"second_run"}
    assert glossary.name("trigger", "second_run") == "another run on the session"


def test_unknown_values_never_show_underscores() -> None:
    """A value the glossary does not know is shown with spaces, not as a code name."""
    assert glossary.kind("brand_new_kind") == "brand new kind"
    assert glossary.name("resolver", None, missing="unresolved") == "unresolved"


@pytest.mark.parametrize(
    "args",
    [
        ("report", "samples/fleet-2026-05-28", "-f", "pdf"),
        ("report", "samples/fleet-2026-05-28", "--since", "2026-05-29", "--until", "2026-05-28"),
        ("report", "samples/fleet-2026-05-28", "--bogus"),
        ("ingest", "samples/fleet-2026-05-28", "--jobs", "zero"),
    ],
)
def test_usage_errors_are_one_error_line(args: tuple[str, ...]) -> None:
    """A bad option is one `error:` line naming the help to read, and exit 2."""
    done = subprocess.run(
        [sys.executable, "-m", "lockforensics", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == ExitCode.USAGE
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    assert "--help" in lines[0]


def test_a_restart_that_cleared_two_incidents_is_one_row_of_the_event_list() -> None:
    """One restart clears both incidents before it: one occurrence, one row,
    naming both."""
    path = "/h/.openclaw/agents/main/sessions/{sid}-0000-4000-8000-000000000000.jsonl.lock"

    def error(at: str, sid: str) -> str:
        return (
            f"{at} [diagnostic] lane task error: lane=main durationMs=10012 "
            f'error="Error: session file locked (timeout 10000ms): pid=7 {path.format(sid=sid)}"\n'
        )

    log = (
        "2026-06-02T09:00:00.000+00:00 [gateway] listening on ws://127.0.0.1:18789 (PID 7)\n"
        + error("2026-06-02T10:00:00.000+00:00", "aaaaaaaa")
        + error("2026-06-02T10:01:00.000+00:00", "aaaaaaaa")
        + error("2026-06-02T11:00:00.000+00:00", "bbbbbbbb")
        + error("2026-06-02T11:01:00.000+00:00", "bbbbbbbb")
        + "2026-06-02T11:29:59.000+00:00 [gateway] received SIGUSR1; restarting\n"
        "2026-06-02T11:30:02.500+00:00 [gateway] restart mode: full process restart "
        "(spawned pid 8)\n"
    )
    findings = analyze(ingest_files({"console.log": log}), Settings())
    _, key = key_rows(findings, evidence=False)
    restarts = [row for row in key if row[1] == "gateway restart"]
    assert [row[4] for row in restarts] == ["cleared 1, 2"]


@pytest.mark.parametrize(
    ("per_hour", "shown"),
    [(0.0, "0.00"), (0.001986, "0.002"), (0.05, "0.05"), (0.25, "0.25"), (105.147, "105.1")],
)
def test_a_rate_keeps_the_digits_it_needs(per_hour: float, shown: str) -> None:
    """One failure in three weeks is 0.002/hour: never "0.00" beside "1 occurrence"."""
    assert units.rate(per_hour) == shown


def test_the_ingest_summary_says_where_it_cut_a_line() -> None:
    """A line the summary cuts ends in an ellipsis; one within its limit is whole
    (Z111: a duplicate's sentence stopped at `coun`, with nothing to say so)."""
    assert str(safe_text("x" * 200)) == "x" * 159 + "…"
    assert str(safe_text("short")) == "short"


@pytest.mark.parametrize("fmt", [ReportFormat.MARKDOWN, ReportFormat.HTML, ReportFormat.TERMINAL])
def test_a_filtered_report_says_it_is_filtered(sample_dir: Path, fmt: ReportFormat) -> None:
    """`--agent`, `--since`: the report says so above its numbers, in every format
    (Z227: a filtered report read as the whole bundle's)."""
    findings = analyze(ingest([sample_dir]), Settings(agents=("fleet-ops",)))
    text = reporter_for(fmt).render(findings, RenderOptions())
    assert "--agent fleet-ops" in text
    assert "in scope only" in text
