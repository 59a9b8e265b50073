"""Activity rows kept on disk (lockforensics/spill.py) give the table kept in memory.

The spill changes where the high-volume rows wait between the scan and the
report, and how the ordered activity part is gathered (a window at a time,
from part files); never what the table holds.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from lockforensics import pipeline
from lockforensics import spill as spill_module
from lockforensics.correlate import runs
from lockforensics.errors import DataError
from lockforensics.findings import Settings
from lockforensics.ingest import cache
from lockforensics.ingest.bundle import walk
from lockforensics.parsing import chunks
from lockforensics.pipeline import SPILL_FAILED, Ingest, analyze, ingest, ingest_inputs
from lockforensics.spill import Parts, Spill, ordered
from samples.generate import build, parse_size

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "fleet-2026-05-28"


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small busy bundle: rotated tslog files, a gzip'd day, a journal."""
    root = tmp_path_factory.mktemp("busy") / "bundle"
    build(root, parse_size("3MB"), profile="busy")
    return root


class _Counting(Spill):
    """A spill that counts the part files it was given."""

    def __init__(self) -> None:
        super().__init__()
        self.parts = 0

    def keep(self, frame: pl.DataFrame) -> pl.LazyFrame:
        self.parts += 1
        return super().keep(frame)


def _ingest(path: Path, spill: Spill | None) -> Ingest:
    return ingest_inputs(walk([path]).inputs, jobs=2, spill=spill)


@pytest.mark.parametrize("bundle", ["sample", "busy"])
def test_spilled_table_is_the_table_in_memory(
    bundle: str, busy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small chunks (many part files), small windows that cross them, and few
    parts kept open (so they are read again): the same table, accounting and
    occurrences as without a spill."""
    path = SAMPLE if bundle == "sample" else busy
    monkeypatch.setattr(chunks, "CHUNK_BYTES", 64 << 10)
    monkeypatch.setattr(chunks, "BATCH_ROWS", 500)
    monkeypatch.setattr(spill_module, "WINDOW_ROWS", 97)
    monkeypatch.setattr(spill_module, "OPEN_PARTS", 2)
    kept = _ingest(path, None)
    folder = _Counting()
    spilled = _ingest(path, folder)
    assert spilled.spill is folder
    assert spilled._activity is None  # in its file, not in memory
    assert spilled.activity.height > 97 * 2  # more than two windows of rows
    assert folder.parts > 2
    # The parts are read into the ordered part, and go.
    assert [p.name for p in Path(folder.path("x").parent).iterdir()] == ["activity.parquet"]
    assert_frame_equal(spilled.events, kept.events)
    assert_frame_equal(spilled.activity, kept.activity)
    assert [f.row_count for f in spilled.files] == [f.row_count for f in kept.files]
    assert spilled.height == kept.height == kept.events.height
    assert SPILL_FAILED not in spilled.warnings
    folder.close()
    assert not Path(folder.path("x").parent).exists()


def test_the_annotation_waits_in_the_spill_folder(busy: Path) -> None:
    """Uncached, a report's per-row annotation is read from the spill folder, not
    held (it stood under every later stage), and finds what a held one finds."""
    folder = Spill()
    spilled = _ingest(busy, folder)
    held = _ingest(busy, None)
    options = Settings()
    found = analyze(spilled, options)
    assert folder.path("derived-annotated-activity").exists()
    assert "annotated-activity" not in spilled.derived
    want = analyze(held, options)
    assert_frame_equal(found.incidents, want.incidents)
    assert_frame_equal(found.events.collect(), want.events.collect())
    folder.close()


def test_the_annotation_made_a_batch_at_a_time_is_the_annotation_made_at_once(
    busy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows are annotated ANNOTATION_ROWS at a time, each batch placed with what
    the whole table tells of it (its epochs' spans, its session's links), so the
    columns do not depend on where the batches are cut."""
    result = _ingest(busy, None)
    whole = pipeline.annotation(result.detail, result.activity_rows())
    # Batches of a few rows: the links and the epochs a row takes lie in others.
    monkeypatch.setattr(pipeline, "ANNOTATION_ROWS", 97)
    cut = pipeline.annotation(result.detail, result.activity_rows())
    assert_frame_equal(cut.epochs, whole.epochs)
    assert_frame_equal(cut.detail, whole.detail)
    activity = cut.activity.collect()
    assert_frame_equal(activity, whole.activity.collect())
    assert activity.height == result.height - result.detail.height > 97
    assert activity["session"].null_count() < activity.height
    assert activity["epoch"].n_unique() > 1


def test_runs_read_from_the_merged_table_are_the_runs_of_the_sorted_one(busy: Path) -> None:
    """The report hands runs.runs the two parts merged in the table's order and
    skips the sort of every run line: the first line of a run (its occurrence,
    agent, session) is then the same one."""
    result = _ingest(busy, None)
    # Runs name sessions as identity does (the report's table has `session`).
    named = pl.col("session_id").alias("session")
    merged = result.table().with_columns(named)  # the parts merged on their stored places
    want = runs.runs(result.table(ordered=False).with_columns(named)).collect().sort("run_id")
    assert_frame_equal(runs.runs(merged, in_order=True).collect().sort("run_id"), want)
    assert want.height > 100
    # in_order takes the rows as they come: reversed, a run's first line is its last.
    # Each line is tagged with its own agent, so the first one is told apart.
    tagged = merged.with_columns(agent=pl.format("line {}", pl.col("line")))
    first = runs.runs(tagged).collect().sort("run_id")
    backwards = tagged.reverse()
    assert_frame_equal(runs.runs(backwards).collect().sort("run_id"), first)
    taken = runs.runs(backwards, in_order=True).collect().sort("run_id")
    assert (taken["agent"] != first["agent"]).sum() > 100


def test_a_lazy_frame_is_sunk_into_the_spill_folder_and_the_cache_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Spill.write and the cache's keep_derived take a lazy frame too, written as a
    sink pulls it; what is read back is the frame."""
    frame = pl.DataFrame({"n": list(range(1000)), "s": [str(i) for i in range(1000)]})
    folder = Spill()
    path = folder.path("lazy")
    assert folder.write(path, frame.lazy())
    assert_frame_equal(pl.read_parquet(path), frame)
    folder.close()
    monkeypatch.setenv("LOCKFORENSICS_CACHE_DIR", str(tmp_path / "cache"))
    (cache.cache_dir() / "entry").mkdir(parents=True)
    assert cache.keep_derived("entry", "lazy", frame.lazy())
    kept = cache.derived_file("entry", "lazy")
    assert kept is not None
    assert_frame_equal(pl.read_parquet(kept), frame)
    assert not cache.keep_derived("gone", "lazy", frame.lazy())  # no entry folder: not kept
    assert [p.name for p in cache.cache_dir().rglob("*")] == ["entry", kept.name]


def test_a_spill_that_cannot_be_written_keeps_the_rows_in_memory(busy: Path) -> None:
    """A full or vanished $TMPDIR costs memory, not the run, and says so."""
    folder = Spill()
    shutil.rmtree(folder.path("x").parent)
    result = _ingest(busy, folder)
    assert folder.failed
    assert SPILL_FAILED in result.warnings
    assert_frame_equal(result.events, _ingest(busy, None).events)


def test_close_all_removes_every_open_folder() -> None:
    """The CLI exits without the interpreter's teardown (entry._leave): it removes them."""
    folders = [Spill(), Spill()]
    where = [Path(f.path("x").parent) for f in folders]
    assert all(w.is_dir() for w in where)
    spill_module.close_all()
    assert not any(w.exists() for w in where)


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(0, 9), min_size=1, max_size=6),
    window=st.integers(1, 7),
    open_parts=st.integers(1, 3),
    data=st.data(),
)
def test_windows_gather_any_order_from_any_parts(
    sizes: list[int], window: int, open_parts: int, data: st.DataObject
) -> None:
    """``ordered`` gives the rows an order names, with its columns, whatever the
    parts' sizes (empty ones too), the order, the window and the parts kept
    open; the same in a frame and in a spill file."""
    frames, start = [], 0
    for size in sizes:
        frames.append(pl.DataFrame({"v": list(range(start, start + size))}, schema={"v": pl.Int64}))
        start += size
    total = start
    picked = data.draw(st.permutations(list(range(total))))
    picked = picked[: data.draw(st.integers(0, total))]
    order = pl.DataFrame(
        {"_i": picked, "occurrence": [10 * i for i in picked]},
        schema={"_i": pl.UInt32, "occurrence": pl.Int64},
    )
    schema = pl.Schema({"v": pl.Int64})
    expected = pl.DataFrame(
        {"v": picked, "occurrence": [10 * i for i in picked]},
        schema=schema | {"occurrence": pl.Int64},
    )
    original = spill_module.WINDOW_ROWS, spill_module.OPEN_PARTS
    spill_module.WINDOW_ROWS, spill_module.OPEN_PARTS = window, open_parts
    folder = Spill()
    try:
        parts = Parts([folder.keep(f) for f in frames])
        assert parts.lazy().collect().height == total
        in_memory = ordered(parts, order, schema, None)
        assert isinstance(in_memory, pl.DataFrame)
        assert_frame_equal(in_memory, expected)
        written = ordered(Parts([f.lazy() for f in frames]), order, schema, folder)
        # No rows: nothing is written, the empty frame is the part.
        got = pl.read_parquet(written) if picked else written
        assert isinstance(written, Path) == bool(picked)
        assert isinstance(got, pl.DataFrame)
        assert_frame_equal(got, expected)
    finally:
        spill_module.WINDOW_ROWS, spill_module.OPEN_PARTS = original
        folder.close()


def _dead_pid() -> int:
    """A pid no process has: a child that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_folders_of_killed_runs_are_removed_a_day_later(tmp_path: Path) -> None:
    """A run killed outright (SIGKILL, the out-of-memory killer) leaves its folder;
    a later run removes it once it is a day old and its pid is gone, never a live
    run's, a fresh one, a link or anything not ours."""
    dead, alive = _dead_pid(), os.getpid()
    made = {}
    for name in (
        f"{spill_module.PREFIX}{dead}-old",
        f"{spill_module.PREFIX}{dead}-fresh",
        f"{spill_module.PREFIX}{alive}-old",
        "lockforensics-other",
    ):
        made[name] = tmp_path / name
        made[name].mkdir()
        (made[name] / "part-0000000.parquet").write_bytes(b"x")
    link = tmp_path / f"{spill_module.PREFIX}{dead}-link"
    link.symlink_to(made["lockforensics-other"])
    day_ago = time.time() - spill_module.ABANDONED_AFTER_S - 60
    for name in (f"{spill_module.PREFIX}{dead}-old", f"{spill_module.PREFIX}{alive}-old"):
        os.utime(made[name], (day_ago, day_ago))
    os.utime(link, (day_ago, day_ago), follow_symlinks=False)
    spill_module.remove_abandoned(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [
            f"{spill_module.PREFIX}{dead}-fresh",
            f"{spill_module.PREFIX}{alive}-old",
            f"{spill_module.PREFIX}{dead}-link",
            "lockforensics-other",
        ]
    )
    assert (made["lockforensics-other"] / "part-0000000.parquet").exists()


def test_a_new_spill_removes_abandoned_folders_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    left = tmp_path / f"{spill_module.PREFIX}{_dead_pid()}-abc"
    left.mkdir()
    day_ago = time.time() - spill_module.ABANDONED_AFTER_S - 60
    os.utime(left, (day_ago, day_ago))
    folder = Spill()
    assert not left.exists()
    assert folder.path("x").parent.parent == tmp_path
    folder.close()


def test_an_ingest_that_finds_nothing_leaves_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No readable input: the error, and the spill folder already gone (a program
    that ingests many paths would otherwise keep one per failure until it exits)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    empty = tmp_path / "bundle"
    empty.mkdir()
    with pytest.raises(DataError, match="no readable input files"):
        ingest([empty])
    assert list(scratch.iterdir()) == []
