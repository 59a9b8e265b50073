"""Activity rows on disk while a bundle is read, and the ordered part built from them.

A busy bundle's high-volume rows (lockforensics/activity.py) are most of the
event table; held in memory from the scan to the report they were most of its
peak (busy 1 GB: about 290 of 860 MB, and more again while the build put them
in order).  So an ingest keeps them in a private temporary folder:

* the chunk engine writes each chunk's activity rows to a part file as soon as
  it has read them (:meth:`Spill.keep`);
* the build reads back only the columns that order the table and assign
  occurrences, then writes the ordered activity part window by window
  (:func:`ordered`), reading a part file only while a window takes rows from it;
* a report reads that file lazily, as it reads a cache entry's.

Memory then holds one window and a few part files at a time, plus the
per-row sort keys, whatever the bundle's size.  The folder goes at exit.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import tempfile
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path

import polars as pl

from lockforensics.batches import pulled, written
from lockforensics.oncall.procinfo import SystemProbe

#: Rows of the ordered part gathered and written at a time.
WINDOW_ROWS = 1 << 16
#: Part files kept read while windows take rows from them (consecutive
#: windows of a bundle of interleaved inputs read the same few parts).  On
#: the busy 1 GB bundle (31 parts) 4 read 35 parts in all where 8 read 31,
#: and the build's peak was about 40 MB lower (350 against 390 MB).
OPEN_PARTS = 4


class Spill:
    """A private temporary folder holding an ingest's activity rows.

    A folder that cannot be written (a full or read-only ``$TMPDIR``) costs
    memory, not the run: rows it fails to take stay in memory
    (:attr:`failed` says so).
    """

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        self._names = itertools.count()
        self.failed = False
        _OPEN.add(self)
        remove_abandoned(self._folder.parent)

    @classmethod
    def create(cls) -> Spill | None:
        """A new spill folder, or None when none can be made."""
        try:
            return cls()
        except OSError:
            return None

    def path(self, stem: str) -> Path:
        return self._folder / f"{stem}.parquet"

    def keep(self, frame: pl.DataFrame) -> pl.LazyFrame:
        """``frame`` written to a new part file, and read back lazily from it."""
        path = self.path(f"part-{next(self._names):07d}")
        return pl.scan_parquet(path) if self.write(path, frame) else frame.lazy()

    def write(self, path: Path, frame: pl.DataFrame | pl.LazyFrame) -> bool:
        """``frame`` written to ``path`` in the folder (a lazy one sunk, never held
        whole); False, and no file left, when it cannot be.  lz4: what is kept
        here is read back soon (busy 1 GB: 23 MB)."""
        try:
            written(frame, path, compression="lz4")
        except (OSError, pl.exceptions.PolarsError):
            self.failed = True
            path.unlink(missing_ok=True)
            return False
        return True

    def drop_parts(self) -> None:
        """Remove the part files (read into the ordered part, which stays)."""
        for part in self._folder.glob("part-*.parquet"):
            part.unlink(missing_ok=True)

    def close(self) -> None:
        shutil.rmtree(self._folder, ignore_errors=True)
        _OPEN.discard(self)


#: A spill folder's name: this, the pid of the run that made it, a random part.
PREFIX = "lockforensics-spill-"
#: A folder whose run is gone is removed by a later run only after this long
#: untouched: in a $TMPDIR shared between containers a live run's pid may
#: look gone, and no run leaves its folder untouched for a day.
ABANDONED_AFTER_S = 86_400


def remove_abandoned(where: Path) -> None:
    """Remove spill folders in ``where`` that a killed run left (SIGKILL, the
    out-of-memory killer): their pid is not running and they are a day old."""
    now = time.time()
    for folder in where.glob(f"{PREFIX}*"):
        pid = folder.name.removeprefix(PREFIX).split("-", 1)[0]
        try:
            abandoned = (
                pid.isdigit()
                and folder.is_dir()
                and now - folder.lstat().st_mtime > ABANDONED_AFTER_S
                and not SystemProbe().alive(int(pid))
            )
        except OSError:
            continue
        if abandoned:  # rmtree never follows a link (it refuses one named itself)
            shutil.rmtree(folder, ignore_errors=True)


#: Folders not yet removed.  Not when their ingest is let go: the findings
#: of a report read its rows lazily, after it.  So at exit: the CLI leaves
#: without the interpreter's teardown (lockforensics/entry.py) and removes
#: them itself; any other program, by this module's exit hook.
_OPEN: set[Spill] = set()


@atexit.register
def close_all() -> None:
    """Remove every spill folder still there (at exit)."""
    for spill in list(_OPEN):
        spill.close()


class Parts:
    """Activity parts (lazy: in memory or in part files) as one row sequence.

    A row's index is its place in the parts' concatenation, which is the
    order the scans read them in.
    """

    def __init__(self, parts: Sequence[pl.LazyFrame]) -> None:
        self._parts = list(parts)
        heights = pl.collect_all([p.select(pl.len()) for p in self._parts])
        sizes = [int(frame.item()) for frame in heights]
        self._starts = pl.Series(list(itertools.accumulate([0, *sizes])), dtype=pl.Int64)
        self._read: OrderedDict[int, pl.DataFrame] = OrderedDict()

    @property
    def height(self) -> int:
        return int(self._starts[-1])

    def lazy(self) -> pl.LazyFrame:
        """Every row, in index order."""
        return pl.concat(self._parts, how="vertical")

    def take(self, indexes: pl.Series) -> pl.DataFrame:
        """The rows at ``indexes``, in that order."""
        at = indexes.cast(pl.Int64)
        # The part a row is in: the last one that starts at or before it.
        numbers = self._starts.search_sorted(at, side="right") - 1
        involved = numbers.unique().sort().to_list()
        # One gather over the involved parts, end to end (not rechunked): each
        # row's index there is its index less its part's start, plus the rows
        # of the involved parts before its own.
        shift = {}
        before = 0
        for number in involved:
            start = int(self._starts[number])
            shift[number] = before - start
            before += int(self._starts[number + 1]) - start
        local = at + numbers.replace_strict(shift, return_dtype=pl.Int64)
        joined = pl.concat([self._part(n) for n in involved], how="vertical", rechunk=False)
        return joined.select(pl.all().gather(local))

    def _part(self, number: int) -> pl.DataFrame:
        frame = self._read.pop(number, None)
        if frame is None:
            frame = self._parts[number].collect()
            if len(self._read) >= OPEN_PARTS:
                self._read.popitem(last=False)
        self._read[number] = frame
        return frame


def ordered(
    parts: Parts, order: pl.DataFrame, schema: pl.Schema, spill: Spill | None
) -> pl.DataFrame | Path:
    """The rows ``order`` names (its ``_i``: indexes into ``parts``), in its order,
    with its other columns beside them: a frame, or with ``spill`` a file in it
    written a window at a time."""

    def windows() -> Iterator[pl.DataFrame]:
        for low in range(0, order.height, WINDOW_ROWS):
            window = order.slice(low, WINDOW_ROWS)
            rows = parts.take(window.get_column("_i"))
            yield rows.with_columns(window.drop("_i").get_columns()).select(full.names())

    full = pl.Schema({**schema, **order.drop("_i").schema})
    if spill is None or order.is_empty():
        frames = list(windows())
        return pl.concat(frames, how="vertical") if frames else pl.DataFrame(schema=full)
    target = spill.path("activity")
    try:
        pulled(windows, full).sink_parquet(target, compression="lz4")
    except (OSError, pl.exceptions.PolarsError):
        spill.failed = True
        target.unlink(missing_ok=True)
        return ordered(parts, order, schema, None)
    spill.drop_parts()
    return target
