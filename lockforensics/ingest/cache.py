"""The ingest cache: a second ``report`` on the same inputs reuses the parsed table.

Operators run ``report`` several times on one bundle (other ``--since``,
``--gap``, ``--agent``, formats).  Parsing is the expensive part, so its
result (the event table and the accounting behind it) is kept in the user's
cache directory, keyed by everything the parse depends on:

* every input file reached from the named paths (directories walked, links
  not followed): its path, size, mtime and inode, and a hash of its first and
  last 64 KiB, so a file rewritten in place with the same size and mtime still
  misses;
* the tool's version and the bytes of the bundled specs (``parsers/``);
* the options that change the parse (``--tz``, archive limits).

A report adds to the entry what it derived from the table alone (epochs,
runs, clears, counts, coverage: pipeline.derived), per scope, so the next
report with another ``--gap``, ``--window`` or format only clusters and renders.

The key is checked with ``stat`` and two small reads per file, never by
reading whole inputs.  Entries are written atomically and the oldest are
evicted past ``KEEP`` entries.  ``--no-cache`` (or ``LOCKFORENSICS_NO_CACHE=1``)
turns it off; ``LOCKFORENSICS_CACHE_DIR`` moves it.  An unreadable or stale
entry is simply a miss.  A report reads a hit's activity rows lazily, so an
entry damaged on disk, or removed by another run's eviction, may fail only in
the middle of a report: :func:`used` then drops it and reads the inputs again.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import polars as pl

from lockforensics import __version__
from lockforensics.batches import written
from lockforensics.resources import data_dir

if TYPE_CHECKING:
    from lockforensics.pipeline import Ingest

KEEP = 8
#: What reading an entry's files raises once they are damaged or gone.
ENTRY_ERRORS = (pl.exceptions.PolarsError, OSError)
_T = TypeVar("_T")
EDGE = 64 << 10
_FORMAT = 149  # bump when the pickled shape, what a scan yields or a derived frame holds changes


def cache_dir() -> Path:
    override = os.environ.get("LOCKFORENSICS_CACHE_DIR")
    if override:
        return Path(override)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "lockforensics"


def enabled(no_cache: bool) -> bool:
    return not no_cache and os.environ.get("LOCKFORENSICS_NO_CACHE") != "1"


def _files(path: Path) -> Iterator[Path]:
    if path.is_symlink():
        return
    if path.is_dir():
        try:
            children = sorted(path.iterdir())
        except OSError:
            return
        for child in children:
            yield from _files(child)
    elif path.is_file():
        yield path


def _edges(path: Path, size: int) -> bytes:
    try:
        with path.open("rb") as handle:
            head = handle.read(EDGE)
            if size > 2 * EDGE:
                handle.seek(size - EDGE)
            return head + handle.read(EDGE)
    except OSError:
        return b"unreadable"


def _specs_digest() -> str:
    digest = hashlib.sha256()
    root = data_dir("parsers")
    for spec in sorted(root.rglob("*.toml")):
        digest.update(spec.relative_to(root).as_posix().encode())
        digest.update(spec.read_bytes())
    return digest.hexdigest()


def key(paths: list[Path], options: tuple[object, ...]) -> str:
    """The cache key of one ingest: inputs by stat and edges, specs, version, options."""
    digest = hashlib.sha256()
    digest.update(f"{_FORMAT}|{__version__}|{_specs_digest()}|{options!r}".encode())
    for named in paths:
        digest.update(b"\0" + str(named.resolve()).encode())
        for path in _files(named):
            st = path.stat()
            digest.update(f"{path}|{st.st_size}|{st.st_mtime_ns}|{st.st_ino}".encode())
            digest.update(hashlib.sha256(_edges(path, st.st_size)).digest())
    return digest.hexdigest()[:32]


def load(entry: str) -> Ingest | None:
    """The cached ingest for ``entry``, or None (missing, unreadable, other format)."""
    folder = cache_dir() / entry
    try:
        with (folder / "ingest.pickle").open("rb") as handle:
            result = pickle.load(handle)  # our own file in the user's cache dir
        result.detail = pl.read_parquet(folder / "detail.parquet")
        activity = folder / "activity.parquet"
        pl.read_parquet_schema(activity)  # there and whole (its footer), or a miss now
        result.keep_activity_in(activity)
        os.utime(folder)  # recently used: evicted last
    except Exception:
        return None
    return result  # type: ignore[no-any-return]


def store(entry: str, result: Ingest) -> None:
    """Keep ``result`` under ``entry``; a cache that cannot be written (full disk,
    ``ulimit -f``, read-only home) is skipped and leaves nothing behind."""
    root = cache_dir()
    staging: Path | None = None
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=root))
        result.detail.write_parquet(staging / "detail.parquet")
        # lz4: the activity rows are most of a cached report's load, and lz4
        # reads them back in about two thirds of zstd's time (busy 1 GB: 0.08-0.10
        # against 0.10-0.15 s) for twice the disk (23 against 12 MB).
        result.write_activity(staging / "activity.parquet")
        # Pickled without its frames and its folder (those are the files above).
        pickled = copy.copy(result)
        pickled.detail, pickled.activity, pickled.spill = pl.DataFrame(), pl.DataFrame(), None
        with (staging / "ingest.pickle").open("wb") as handle:
            pickle.dump(pickled, handle, protocol=pickle.HIGHEST_PROTOCOL)
        target = root / entry
        if target.exists():  # a damaged entry that just missed
            _remove(target)
        staging.rename(target)
        staging = None
        _evict(root)
    except Exception:
        if staging is not None and staging.exists():
            _remove(staging)


def cached(
    paths: list[Path], options: tuple[object, ...], run: Callable[[], Ingest], use: bool
) -> tuple[Ingest, bool]:
    """``run()``'s result, from the cache when it holds one; (result, was it a hit)."""
    if not use:
        return run(), False
    entry = key(paths, options)
    hit = load(entry)
    if hit is not None:
        hit.cache_entry = entry
        return hit, True
    result = run()
    store(entry, result)
    result.cache_entry = entry
    return result, False


def used(
    read: Callable[[], Ingest], use: Callable[[Ingest], _T], warn: Callable[[str], None]
) -> _T:
    """``use(read())``.  When ``read`` gave a cache hit and ``use`` fails reading
    the entry's files, the entry is dropped, ``warn`` is told (not the report:
    the same inputs give the same report), and the inputs are read again, once."""
    result = read()
    try:
        return use(result)
    except ENTRY_ERRORS as exc:
        if not result.from_cache:
            raise
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0]
    discard(result.cache_entry)
    warn(f"the cached parse of these inputs could not be read ({reason}); reading them again")
    return use(read())


def discard(entry: str | None) -> None:
    """Remove ``entry``, so the next ingest of its inputs misses."""
    if entry is None:
        return
    with contextlib.suppress(OSError):  # gone already: another run evicted it
        _remove(cache_dir() / entry)


def load_derived(entry: str | None, name: str) -> pl.DataFrame | None:
    """A frame an earlier report derived from entry's table (pipeline.derived), or None."""
    path = derived_file(entry, name)
    if path is None:
        return None
    try:
        return pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError):
        return None  # not computed yet for this entry


def derived_file(entry: str | None, name: str) -> Path | None:
    """Where entry keeps a derived frame (which may not be there yet)."""
    return None if entry is None else cache_dir() / entry / f"derived-{name}.parquet"


def keep_derived(entry: str | None, name: str, frame: pl.DataFrame | pl.LazyFrame) -> bool:
    """Add a derived frame to the entry, for the next report with other options
    (a lazy one is sunk, never held whole); whether it is there now.  Best
    effort, like ``store``; written aside and renamed, so never read half."""
    if entry is None:
        return False
    target = derived_file(entry, name)
    assert target is not None
    temporary = target.with_name(f".derived-{name}.tmp")
    try:
        written(frame, temporary)
        temporary.replace(target)
    except Exception:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        return False
    return True


def _remove(folder: Path) -> None:
    for child in folder.iterdir():
        child.unlink(missing_ok=True)
    folder.rmdir()


def _evict(root: Path) -> None:
    entries = sorted(
        (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in entries[KEEP:]:
        _remove(old)
