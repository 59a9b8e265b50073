"""The ingest cache: a second run on the same inputs reuses the table, and only then."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from lockforensics import pipeline
from lockforensics.cli import app
from lockforensics.correlate import epochs, resolution, runs, triggers
from lockforensics.findings import Settings
from lockforensics.ingest import cache
from lockforensics.pipeline import analyze, ingest
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions

LINE = (
    "2026-05-28T06:20:01.000+02:00 [diagnostic] lane task error: lane=session:agent:main:main "
    'durationMs=1 error="session file locked (timeout 60000ms): pid=7 alive=true ageMs=9 '
    '/h/.openclaw/agents/main/sessions/11111111-2222-3333-4444-555555555555.jsonl.lock"\n'
)


@pytest.fixture
def bundle(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LOCKFORENSICS_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "bundle"
    root.mkdir()
    (root / "openclaw-2026-05-28.log").write_text(LINE * 3)
    return root


def test_second_run_is_served_from_the_cache(bundle: Path) -> None:
    """The same inputs and options give the same table, the second time from the cache."""
    first = ingest([bundle], use_cache=True)
    second = ingest([bundle], use_cache=True)
    assert (first.from_cache, second.from_cache) == (False, True)
    assert_frame_equal(first.events, second.events)
    assert [f.lines for f in first.files] == [f.lines for f in second.files]


def test_changed_input_misses(bundle: Path) -> None:
    """A file rewritten with the same size and mtime is still parsed again."""
    log = bundle / "openclaw-2026-05-28.log"
    ingest([bundle], use_cache=True)
    stat = log.stat()
    log.write_text(LINE.replace("ageMs=9", "ageMs=8") * 3)
    os.utime(log, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = ingest([bundle], use_cache=True)
    assert not again.from_cache
    assert again.events.get_column("age_ms").to_list() == [8, 8, 8]


def test_other_options_miss(bundle: Path) -> None:
    """An option that changes the parse (--tz) is part of the key."""
    ingest([bundle], use_cache=True)
    assert not ingest([bundle], tz="UTC", use_cache=True).from_cache


def test_no_cache_flag_and_env_turn_it_off(bundle: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--no-cache and LOCKFORENSICS_NO_CACHE=1 write and read nothing."""
    runner = CliRunner()
    result = runner.invoke(app, ["report", str(bundle), "-f", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    assert not cache.cache_dir().exists()
    monkeypatch.setenv("LOCKFORENSICS_NO_CACHE", "1")
    assert not cache.enabled(no_cache=False)
    result = runner.invoke(app, ["report", str(bundle), "-f", "json"])
    assert result.exit_code == 0
    assert not cache.cache_dir().exists()


def test_old_entries_are_evicted(bundle: Path) -> None:
    """At most KEEP entries stay; the least recently used go first."""
    log = bundle / "openclaw-2026-05-28.log"
    for n in range(cache.KEEP + 3):
        log.write_text(LINE * (n + 1))
        ingest([bundle], use_cache=True)
    entries = [p for p in cache.cache_dir().iterdir() if not p.name.startswith(".")]
    assert len(entries) == cache.KEEP


def test_corrupt_entry_is_a_miss(bundle: Path) -> None:
    """A damaged cache entry is parsed again, not an error."""
    ingest([bundle], use_cache=True)
    for entry in cache.cache_dir().iterdir():
        (entry / "ingest.pickle").write_bytes(b"not a pickle")
    assert not ingest([bundle], use_cache=True).from_cache


def test_a_report_keeps_what_the_table_decides_for_the_next(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Epochs, runs, clears, hosts and the other frames the table alone decides, computed
    by one report, are read back by the next with another gap, not computed again,
    and its findings are those of a report without the cache; a scoped report
    computes its own runs and writers."""
    monkeypatch.setenv("LOCKFORENSICS_CACHE_DIR", str(tmp_path / "cache"))
    first = ingest([sample_dir], use_cache=True)
    assert not first.derived
    analyze(first, Settings())
    again = ingest([sample_dir], use_cache=True)
    assert again.from_cache
    assert not again.derived
    settings = Settings(gap_s=900, window_s=120)
    fresh = analyze(ingest([sample_dir]), settings)
    made: list[str] = []

    def counted(name: str, stage: Callable[..., pl.LazyFrame]) -> Callable[..., pl.LazyFrame]:
        def run(*args: object, **options: bool) -> pl.LazyFrame:
            made.append(name)
            return stage(*args, **options)

        return run

    monkeypatch.setattr(pipeline, "_epochs_of", lambda *a: pytest.fail("epochs again"))
    monkeypatch.setattr(pipeline._Annotating, "_columns", lambda *a: pytest.fail("annotated again"))
    monkeypatch.setattr(runs, "runs", counted("runs", runs.runs))
    monkeypatch.setattr(resolution, "clears", counted("clears", resolution.clears))
    monkeypatch.setattr(triggers, "writers", counted("writers", triggers.writers))
    monkeypatch.setattr(epochs, "placed_hosts", counted("hosts", epochs.placed_hosts))
    after = analyze(again, settings)
    assert made == []
    for name in ("epochs", "incidents", "resolutions", "triggers", "trigger_writers", "evidence"):
        assert_frame_equal(getattr(fresh, name), getattr(after, name))
    assert (fresh.counts, fresh.headline) == (after.counts, after.headline)
    assert_frame_equal(fresh.events.collect(), after.events.collect())
    scoped = analyze(again, Settings(agents=("woodhouse",)))
    # What cleared what is the whole table's, whatever the scope: kept from before.
    assert made == ["runs", "writers"]
    assert scoped.headline != after.headline


def test_a_cached_report_reads_the_activity_rows_from_the_entry_not_whole(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the derived frames kept, a cached report asks the activity part only
    for the columns and rows its stages read (scanned from the entry): the part
    is never read whole into memory, and every format says what it says uncached."""
    monkeypatch.setenv("LOCKFORENSICS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    analyze(ingest([sample_dir], use_cache=True), Settings())
    again = ingest([sample_dir], use_cache=True)
    fresh = ingest([sample_dir])
    settings = Settings(gap_s=900)
    found = analyze(again, settings)
    expected = analyze(fresh, settings)
    options = RenderOptions(evidence=True)
    for fmt in (ReportFormat.JSON, ReportFormat.MARKDOWN, ReportFormat.TERMINAL):
        assert reporter_for(fmt).render(found, options) == reporter_for(fmt).render(
            expected, options
        )
    assert again._activity is None  # never read whole
    assert "annotated-activity" not in again.derived  # scanned from the entry, not read
    assert_frame_equal(again.activity, fresh.activity)  # and whole when asked


def _damage(path: Path) -> None:
    """Flip the bytes of the first half of ``path``: its footer still reads, its pages not."""
    data = bytearray(path.read_bytes())
    for i in range(8, len(data) // 2):
        data[i] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("part", ["activity.parquet", "derived-annotated-activity.parquet"])
def test_an_entry_damaged_past_its_footer_is_read_again_not_an_error(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, part: str
) -> None:
    """A hit's activity rows and annotation are read lazily, in the middle of the
    report: when their pages turn out damaged (or the file gone), the report and
    the table are still those of a fresh read, the operator is told on stderr, and
    the entry is replaced (the run after is a hit, and says nothing)."""
    monkeypatch.setenv("LOCKFORENSICS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    runner = CliRunner()
    report = ["report", str(sample_dir), "-f", "md", "--evidence"]
    expected = runner.invoke(app, [*report, "--no-cache"])
    assert expected.exit_code == 0, expected.output
    assert runner.invoke(app, report).exit_code == 0  # the entry, with its derived frames
    (entry,) = cache.cache_dir().iterdir()
    _damage(entry / part)
    damaged = runner.invoke(app, report)
    assert damaged.exit_code == 0, damaged.output
    assert damaged.stdout == expected.stdout
    assert "could not be read" in damaged.stderr
    again = runner.invoke(app, report)
    assert (again.exit_code, again.stdout) == (0, expected.stdout)
    assert "could not be read" not in again.stderr
    assert ingest([sample_dir], use_cache=True).from_cache
    _damage(next(cache.cache_dir().iterdir()) / part)
    table = tmp_path / "events.parquet"
    written = runner.invoke(app, ["ingest", str(sample_dir), "-o", str(table), "-q"])
    assert written.exit_code == 0, written.output
    assert_frame_equal(pl.read_parquet(table), ingest([sample_dir]).events)


def test_an_entry_evicted_by_another_run_mid_report_is_read_again(
    sample_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another run may evict the entry a report is still reading: the report
    reads its inputs again and finds what a fresh read finds."""
    monkeypatch.setenv("LOCKFORENSICS_CACHE_DIR", str(tmp_path / "cache"))
    analyze(ingest([sample_dir], use_cache=True), Settings())
    said: list[str] = []

    def use(result: pipeline.Ingest) -> object:
        if result.from_cache:
            assert result.cache_entry is not None
            shutil.rmtree(cache.cache_dir() / result.cache_entry)
        return analyze(result, Settings()).headline

    found = cache.used(lambda: ingest([sample_dir], use_cache=True), use, said.append)
    assert found == analyze(ingest([sample_dir]), Settings()).headline
    assert len(said) == 1
    assert "could not be read" in said[0]
