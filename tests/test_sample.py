"""The bundled sample: ingest recovers exactly what the generator injected."""

from __future__ import annotations

import filecmp
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from typer.testing import CliRunner

from lockforensics.cli import app
from lockforensics.pipeline import ingest
from samples.generate import generate

CONTRACT = {
    "ts": pl.Datetime("us", "UTC"),
    "kind": pl.String,
    "occurrence": pl.Int64,
    "agent": pl.String,
    "session_id": pl.String,
    "session_key": pl.String,
    "source": pl.String,
    "line": pl.Int64,
}


@pytest.fixture(scope="module")
def sample_events(sample_dir: Path) -> pl.DataFrame:
    return ingest([sample_dir]).events


def test_occurrence_counts_match_the_generator(
    sample_events: pl.DataFrame, expected: dict[str, Any]
) -> None:
    """Every injected kind is found as often as it was injected, in occurrences."""
    got = dict(sample_events.group_by("kind").agg(pl.col("occurrence").n_unique()).iter_rows())
    for kind, count in expected["occurrences"].items():
        assert got.get(kind) == count, kind


def test_tool_calls_by_name_match(sample_events: pl.DataFrame, expected: dict[str, Any]) -> None:
    """sessions_send / sessions_spawn and the other tools are told apart."""
    calls = sample_events.filter(pl.col("kind") == "tool_call")
    got = dict(calls.group_by("tool").agg(pl.col("occurrence").n_unique()).iter_rows())
    assert got == expected["tool_calls"]


def test_line_totals_match(sample_dir: Path, expected: dict[str, Any]) -> None:
    """Every line of every log file is accounted for."""
    result = ingest([sample_dir])
    by_name = {s.source.split("/", 1)[1]: s for s in result.files}
    for rel, lines in expected["lines"].items():
        scan = by_name[rel]
        assert scan.lines == lines, rel
        assert scan.event_lines + scan.noise_lines + scan.unrecognized == scan.lines


def test_lock_events_name_agents_and_sessions(
    sample_events: pl.DataFrame, expected: dict[str, Any]
) -> None:
    """Lock and takeover events carry the agents and sessions of the injected incidents."""
    locks = sample_events.filter(pl.col("kind").is_in(["lock_stale", "lock_timeout", "takeover"]))
    assert locks["agent"].null_count() == 0
    agents = set(locks["agent"].unique())
    sessions = set(locks["session_id"].unique())
    for incident in expected["incidents"]:
        assert set(incident["agents"]) <= agents
        assert set(incident["sessions"]) <= sessions


def test_sample_times_are_utc_and_explicit_where_written(sample_events: pl.DataFrame) -> None:
    """File-log events are explicit; stderr-only journal lines record their assumptions."""
    file_rows = sample_events.filter(pl.col("envelope") == "tslog-json")
    assert set(file_rows["ts_quality"].unique()) == {"explicit"}
    watchdog = sample_events.filter(pl.col("kind") == "lock_released_by_watchdog")
    assert watchdog["ts"].null_count() == 0
    assert watchdog["ts_assumption"].str.contains("journal header").all()


def test_parquet_contract(tmp_path: Path, sample_dir: Path) -> None:
    """The Parquet output keeps the contract columns and types other tools rely on."""
    out = tmp_path / "events.parquet"
    result = CliRunner().invoke(app, ["ingest", str(sample_dir), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    frame = pl.read_parquet(out)
    for column, dtype in CONTRACT.items():
        assert frame.schema[column] == dtype, column
    assert frame.height > 0
    metadata = pl.read_parquet_metadata(out)
    manifest = json.loads(metadata["lockforensics.manifest"])
    on_disk = {
        f"{sample_dir.name}/{p.relative_to(sample_dir).as_posix()}"
        for p in sample_dir.rglob("*")
        if p.is_file()
    }
    # Every file is an input, or a container whose members are (named under its path).
    listed = {m["path"] for m in manifest}
    assert {path for path in on_disk if not any(m.startswith(path + "/") for m in listed)} == (
        listed & on_disk
    )
    assert all(any(m == d or m.startswith(d + "/") for d in on_disk) for m in listed)
    assert all(
        m["lines"] == m["event_lines"] + m["noise_lines"] + m["unrecognized"] for m in manifest
    )


def test_generator_is_deterministic_and_matches_committed_sample(
    tmp_path: Path, sample_dir: Path, expected: dict[str, Any]
) -> None:
    """Regenerating the sample reproduces the committed files byte for byte."""
    out = tmp_path / sample_dir.name
    assert generate(out) == expected
    cmp = filecmp.dircmp(out, sample_dir)
    pending = [cmp]
    while pending:
        node = pending.pop()
        assert not node.left_only
        assert not node.right_only
        assert not node.diff_files
        pending.extend(node.subdirs.values())
