"""Ground truth (issue 9): the report's conclusions on a bundle whose every answer is known.

The bundle (samples/truth_bundle.py) holds a cleanup followed hours later by
a fresh lock at collection time, two byte-identical cleanup captures of two
runs plus one copy of the same document in a tarball, a full restart whose
child logs before its parent's last restart line, and an untimed paste.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from lockforensics.findings import Findings, Settings
from lockforensics.parsing.fields import PLACEHOLDER, is_placeholder
from lockforensics.pipeline import analyze, ingest
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.json_summary import summary
from lockforensics.reporting.options import RenderOptions
from samples.truth_bundle import build


def z(value: datetime | None) -> str | None:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z") if value else None


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("truth") / "truth-2026-06-02"
    return root, build(root)


@pytest.fixture(scope="module")
def truth(bundle: tuple[Path, dict[str, Any]]) -> dict[str, Any]:
    return bundle[1]


@pytest.fixture(scope="module")
def findings(bundle: tuple[Path, dict[str, Any]]) -> Findings:
    return analyze(ingest([bundle[0]]), Settings())


@pytest.fixture(scope="module")
def reports(findings: Findings) -> dict[ReportFormat, str]:
    return {fmt: reporter_for(fmt).render(findings, RenderOptions()) for fmt in ReportFormat}


def test_one_epoch_per_gateway_process(findings: Findings, truth: dict[str, Any]) -> None:
    """A restart yields the old pid's epoch and the new pid's, which starts at its own start line."""
    got = [
        {"pid": e["pid"], "start": z(e["start"]), "end": z(e["end"]), "host": e["host"]}
        for e in findings.epochs.iter_rows(named=True)
    ]
    assert got == truth["epochs"]
    assert findings.epochs["start_known"].to_list() == [True, True]


def test_incidents_resolved_with_the_right_cause_and_exact_uptime(
    findings: Findings, truth: dict[str, Any]
) -> None:
    """Each incident: who, how many, the gateway and its exact uptime, and what cleared it when."""
    got = [
        {
            "start": z(i["start"]),
            "end": z(i["end"]),
            "agents": i["agents"],
            "sessions": i["session_ids"],
            "occurrences": i["occurrences"],
            "gateway_pid": i["gateway_pid"],
            "uptime_s": i["uptime_s"],
            "uptime_is_lower_bound": i["uptime_is_lower_bound"],
            "resolved_by": i["resolved_by"],
            "resolved_at": z(i["resolved_at"]),
            "lanes": i["lanes"],
        }
        for i in findings.incidents.iter_rows(named=True)
    ]
    assert got == truth["incidents"]


def test_fresh_lock_at_collection_does_not_void_the_cleanup(findings: Findings) -> None:
    """Doctor's age=13s and a lock file created seconds before collection are new holds."""
    second = findings.incidents.row(1, named=True)
    assert second["resolved_by"] == "cleanup_run"
    held = findings.events.filter(pl.col("kind").is_in(["doctor_lock", "lock_file"])).collect()
    assert held.height == 3  # the evidence was read, and still did not void the 08:10 run


def test_listing_without_age_is_held_acquired_unknown(
    findings: Findings, truth: dict[str, Any], reports: dict[ReportFormat, str]
) -> None:
    """A doctor line with age=unknown is listed on its incident, in every format."""
    assert findings.incidents["held_acquired_unknown"].to_list() == [[], truth["acquired_unknown"]]
    for fmt in ReportFormat:
        if fmt is not ReportFormat.TERMINAL:
            assert truth["acquired_unknown"][0] in reports[fmt], fmt
    assert "Held, acquired unknown" in reports[ReportFormat.MARKDOWN]


def test_identical_bytes_fold_only_when_they_are_the_same_document(
    findings: Findings, truth: dict[str, Any]
) -> None:
    """Two cron runs with equal bytes stay two runs; the tarball copy of one run folds."""
    folds = [(m["path"], m["duplicate_of"]) for m in findings.coverage.inputs if m["duplicate_of"]]
    assert folds == truth["folds"]
    runs = findings.events.filter(pl.col("kind") == "cleanup_run").collect()
    timed = sorted({z(ts) for ts in runs["ts"].drop_nulls()})
    assert timed == truth["cleanup_runs"]


def test_every_fold_and_untimed_input_is_listed_in_coverage(
    truth: dict[str, Any], reports: dict[ReportFormat, str]
) -> None:
    """The coverage section of each human format names the folded copy and the untimed inputs."""
    (copy, _), *_ = truth["folds"]
    for fmt in (ReportFormat.MARKDOWN, ReportFormat.HTML, ReportFormat.TERMINAL):
        text = reports[fmt].replace("\n", "")
        for path in (copy, *truth["untimed_sources"]):
            assert path.rsplit("/", 1)[-1] in text, (fmt, path)
        assert "same document as" in text, fmt


def test_untimed_documents_stay_out_of_window_and_incidents(
    findings: Findings, truth: dict[str, Any]
) -> None:
    """No stamp in the name or content: unknown time, not the mtime; listed as untimed."""
    assert [path for path, _ in findings.coverage.untimed_inputs] == truth["untimed_sources"]
    untimed = findings.events.filter(pl.col("source").is_in(truth["untimed_sources"])).collect()
    assert untimed["ts"].null_count() == untimed.height > 0
    assert z(findings.window_end) == "2026-06-02T12:00:00.000Z"
    incident_agents = {a for agents in findings.incidents["agents"] for a in agents}
    assert "delta" not in incident_agents


def test_untimed_paste_keeps_its_order(findings: Findings, truth: dict[str, Any]) -> None:
    """A lock error then a takeover on one session in one paste is aligned, lag unknown."""
    untimed = findings.pairs.filter(pl.col("ts").is_null() & pl.col("precursor").is_not_null())
    got = [
        {"agent": r["agent"], "session_id": r["session_id"], "match": r["match"]}
        for r in untimed.iter_rows(named=True)
    ]
    assert got == truth["untimed_pairs"]
    assert untimed["lag_s"].to_list() == [None]


def test_placeholders_are_flagged_and_never_counted(
    findings: Findings, truth: dict[str, Any]
) -> None:
    """Elided ids are flagged session_is_placeholder and left out of every session count."""
    flagged = findings.events.filter(pl.col("session_is_placeholder").fill_null(False)).collect()
    assert set(flagged["session_id"]) == set(truth["placeholder_sessions"])
    assert findings.headline.sessions == len(truth["sessions"])
    assert set(findings.failures["session_id"].drop_nulls()) == set(truth["sessions"])


def test_json_summary_carries_the_same_conclusions(findings: Findings) -> None:
    """The JSON contract shows the resolution and the untimed inputs the findings hold."""
    doc = summary(findings)
    assert [i["resolved_by"] for i in doc["incidents"]] == ["cleanup_run", "cleanup_run"]
    assert [i["uptime_is_lower_bound"] for i in doc["incidents"]] == [False, False]
    assert len(doc["coverage"]["untimed_inputs"]) == 2


PLACEHOLDERS = ("..", "session", "<uuid>", "[session-id]", "<sessionId>", "80b5c956-..", "xxxx")
REAL_IDS = ("4e5b7a96-b182-4fce-a0a5-6c9dbe3f4a55", "main", "sessions", "pm-atlas", "a[1]b")


@pytest.mark.parametrize(("value", "placeholder"), [(v, True) for v in PLACEHOLDERS]
                         + [(v, False) for v in REAL_IDS])  # fmt: skip
def test_placeholder_pattern_in_python_and_polars(value: str, placeholder: bool) -> None:
    """The placeholder pattern says the same in Python and in polars (Rust regex)."""
    assert is_placeholder(value) is placeholder
    assert pl.Series([value]).str.contains(PLACEHOLDER.pattern).item() is placeholder
