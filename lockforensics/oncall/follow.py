"""Following growing log files by polling: rotation, truncation and new files.

Each followed file is known by its (device, inode) and keeps an open handle,
so lines written to a file just before it is rotated away (renamed) are
still read; after draining it, the follower opens the new file at the path
from its start.  A file that shrank under its read offset was truncated
(copytruncate): it is read again from the start.  As with ``tail -F``, a
truncation followed by more bytes than were there before, all within one
poll interval, cannot be told from growth.  A watched directory's new
files, in any folder below it, are followed from their start (a new day's
``openclaw-YYYY-MM-DD.log``), unless the inode is one already followed (a
rotation renamed it), or the file begins as one already read does: the copy
``copytruncate`` made is read from where its original had been read to (Z172:
read whole, it printed the morning's failures again as news).  After a
restart, a file that was not there when the state was saved is new too (a
day's file begun while the watcher was down), from its start.
Compressed rotations (``.gz``, ``.zst``, …) are skipped: their lines were
read while the file was live.

Only complete lines are handed out; a partial last line waits for its
newline.  Offsets and line numbers survive restarts through
:meth:`Follower.snapshot` / :meth:`Follower.restore`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

COMPRESSED_SUFFIXES = (".gz", ".zst", ".zstd", ".xz", ".bz2", ".zip", ".tar", ".tgz")
_READ_LIMIT = 64 << 20  # bytes read from one file per poll: a huge backlog comes in slices


#: How much of a file's start tells a copy of it (``copytruncate``'s) from another
#: file; one shorter than ``_HEAD_MIN`` tells nothing.
_HEAD = 4096
_HEAD_MIN = 64


@dataclass(slots=True)
class _Tracked:
    path: Path
    identity: tuple[int, int]
    handle: BinaryIO
    offset: int
    line: int  # lines already handed out (the next line's number is line + 1)
    partial: bytes = b""
    head: bytes = b""  # its first bytes (up to _HEAD), as read

    @property
    def read_to(self) -> int:
        """The offset of the first byte not yet handed out (a partial line's is not)."""
        return self.offset - len(self.partial)


@dataclass(frozen=True, slots=True)
class _Read:
    """How far a file whose start is ``head`` had been read."""

    head: bytes
    offset: int
    line: int


@dataclass(frozen=True, slots=True)
class Chunk:
    """Complete new lines of one file: ``data`` holds them; the first is number ``first_line``."""

    path: Path
    first_line: int
    data: bytes


@dataclass(slots=True)
class Follower:
    """Polls files and directories for new complete lines."""

    roots: list[Path]
    from_start: bool = False
    warnings: list[str] = field(default_factory=list)
    _files: dict[Path, _Tracked] = field(default_factory=dict)
    _retired: dict[tuple[int, int], _Tracked] = field(default_factory=dict)
    _resume: dict[tuple[int, int], dict[str, int]] = field(default_factory=dict)
    _started: bool = False
    _refused: set[Path] = field(default_factory=set)
    #: Files read and then truncated in place, or read before a restart: a copy
    #: of one starts where its original had been read to.
    _read: list[_Read] = field(default_factory=list)
    #: When the restored state was saved (None: no state).
    _saved_at: float | None = None

    def restore(self, state: dict[str, dict[str, Any]], saved_at: float | None = None) -> None:
        """Resume offsets saved by :meth:`snapshot`, matched by inode (a renamed file keeps its)."""
        self._resume = {(s.get("dev", -1), s.get("ino", -1)): s for s in state.values()}
        self._read = [
            _Read(bytes.fromhex(s["head"]), s.get("offset", 0), s.get("line", 0))
            for s in state.values()
            if isinstance(s.get("head"), str)
        ]
        self._saved_at = saved_at

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Per followed path: device, inode, offset of the next unread byte, lines
        read, and its first bytes (a copy of it is known by them)."""
        return {
            str(t.path): {
                "dev": t.identity[0],
                "ino": t.identity[1],
                "offset": t.read_to,
                "line": t.line,
                "head": t.head.hex(),
            }
            for t in self._files.values()
        }

    def _candidates(self) -> list[Path]:
        found: list[Path] = []
        for root in self.roots:
            if root.is_dir():
                # The whole tree, as `report` reads it (a collected bundle keeps
                # the log at tmp/openclaw/…; Z157: its top alone was followed,
                # and nothing came); links are not followed, into a folder or a file.
                for folder, folders, names in os.walk(root):
                    folders.sort()
                    found.extend(
                        p
                        for name in sorted(names)
                        if (p := Path(folder) / name).is_file()
                        and not p.is_symlink()
                        and not name.lower().endswith(COMPRESSED_SUFFIXES)
                    )
            elif root.is_file():
                found.append(root)
            elif root.exists() and root not in self._refused:
                # A named pipe would block the poll for good.
                self._refused.add(root)
                self.warnings.append(f"{root}: not a regular file or directory; not followed")
        return found

    def _open(self, path: Path, initial: bool) -> _Tracked | None:
        try:
            handle = path.open("rb")
        except OSError as exc:
            self.warnings.append(f"{path}: {exc.strerror or exc}")
            return None
        info = os.fstat(handle.fileno())
        identity = (info.st_dev, info.st_ino)
        head = os.pread(handle.fileno(), _HEAD, 0)
        saved = self._resume.pop(identity, None)
        offset, line = 0, 0
        copied = self._copy_of(head, info.st_size)
        if saved is not None:
            if saved.get("offset", 0) <= info.st_size:
                offset, line = saved.get("offset", 0), saved.get("line", 0)
        elif copied is not None:
            offset, line = copied.offset, copied.line
        elif initial and not self.from_start and not self._begun_since_saved(info.st_mtime):
            # Like `tail -f`: what is already there is history, not news.
            offset, line = info.st_size, _count_lines(handle, info.st_size)
        handle.seek(offset)
        return _Tracked(path, identity, handle, offset, line, head=head)

    def _copy_of(self, head: bytes, size: int) -> _Read | None:
        """What was read of the file this one is a copy of (its start the same as
        one read before, and as long as what was read of it)."""
        known = [
            *self._read,
            *(_Read(t.head, t.read_to, t.line) for t in self._files.values()),
        ]
        for read in known:
            n = min(len(read.head), len(head))
            if n >= _HEAD_MIN and head[:n] == read.head[:n] and read.offset <= size:
                return read
        return None

    def _begun_since_saved(self, modified: float) -> bool:
        """A file written to since the state was saved, and not in it: begun while
        the watcher was down (a new day's log), its lines are news."""
        return self._saved_at is not None and modified > self._saved_at

    def poll(self) -> Iterator[Chunk]:
        """New complete lines since the last poll, file by file."""
        initial = not self._started
        self._started = True
        seen: set[Path] = set()
        for path in self._candidates():
            seen.add(path)
            tracked = self._files.get(path)
            try:
                info = path.stat()
            except OSError:
                continue
            identity = (info.st_dev, info.st_ino)
            if tracked is not None and tracked.identity != identity:
                # Rotated: finish the old file, then start the new one from byte 0.
                yield from self._drain(tracked)
                self._retired[tracked.identity] = self._files.pop(path)
                tracked = None
            if tracked is None:
                # A rotation may have renamed a followed file to this name: keep its offset.
                moved = self._retired.pop(identity, None) or next(
                    (t for t in self._files.values() if t.identity == identity), None
                )
                if moved is not None:
                    self._files.pop(moved.path, None)
                    moved.path = path
                    self._files[path] = moved
                    tracked = moved
                else:
                    opened = self._open(path, initial)
                    if opened is None:
                        continue
                    self._files[path] = tracked = opened
            if info.st_size < tracked.offset:  # truncated in place
                self._read.append(_Read(tracked.head, tracked.read_to, tracked.line))
                tracked.handle.seek(0)
                tracked.offset, tracked.line, tracked.partial = 0, 0, b""
                tracked.head = b""
            yield from self._drain(tracked)
        for path in [p for p in self._files if p not in seen]:
            # Gone (rotated away without a successor yet): read what it still holds.
            tracked = self._files.pop(path)
            yield from self._drain(tracked)
            tracked.handle.close()
        for tracked in self._retired.values():  # rotated out of every watched name
            yield from self._drain(tracked)
            tracked.handle.close()
        self._retired.clear()

    def _drain(self, tracked: _Tracked) -> Iterator[Chunk]:
        data = tracked.handle.read(_READ_LIMIT)
        if not data:
            return
        if len(tracked.head) < _HEAD:
            tracked.head = os.pread(tracked.handle.fileno(), _HEAD, 0)
        tracked.offset += len(data)
        data = tracked.partial + data
        cut = data.rfind(b"\n") + 1
        tracked.partial = data[cut:]
        if cut == 0:
            return
        complete = data[:cut]
        first = tracked.line + 1
        tracked.line += complete.count(b"\n")
        yield Chunk(tracked.path, first, complete)

    def close(self) -> None:
        """Close every handle."""
        for tracked in [*self._files.values(), *self._retired.values()]:
            tracked.handle.close()
        self._files.clear()
        self._retired.clear()


def _count_lines(handle: BinaryIO, size: int) -> int:
    handle.seek(0)
    count = 0
    remaining = size
    while remaining > 0:
        block = handle.read(min(remaining, 1 << 20))
        if not block:
            break
        count += block.count(b"\n")
        remaining -= len(block)
    return count
