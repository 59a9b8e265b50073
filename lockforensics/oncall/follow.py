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
rotation renamed it).
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
from typing import BinaryIO

COMPRESSED_SUFFIXES = (".gz", ".zst", ".zstd", ".xz", ".bz2", ".zip", ".tar", ".tgz")
_READ_LIMIT = 64 << 20  # bytes read from one file per poll: a huge backlog comes in slices


@dataclass(slots=True)
class _Tracked:
    path: Path
    identity: tuple[int, int]
    handle: BinaryIO
    offset: int
    line: int  # lines already handed out (the next line's number is line + 1)
    partial: bytes = b""


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

    def restore(self, state: dict[str, dict[str, int]]) -> None:
        """Resume offsets saved by :meth:`snapshot`, matched by inode (a renamed file keeps its)."""
        self._resume = {(s.get("dev", -1), s.get("ino", -1)): s for s in state.values()}

    def snapshot(self) -> dict[str, dict[str, int]]:
        """Per followed path: device, inode, offset of the next unread byte, lines read."""
        return {
            str(t.path): {
                "dev": t.identity[0],
                "ino": t.identity[1],
                "offset": t.offset - len(t.partial),
                "line": t.line,
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
        saved = self._resume.pop(identity, None)
        offset, line = 0, 0
        if saved is not None:
            if saved.get("offset", 0) <= info.st_size:
                offset, line = saved.get("offset", 0), saved.get("line", 0)
        elif initial and not self.from_start:
            # Like `tail -f`: what is already there is history, not news.
            offset, line = info.st_size, _count_lines(handle, info.st_size)
        handle.seek(offset)
        return _Tracked(path, identity, handle, offset, line)

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
                tracked.handle.seek(0)
                tracked.offset, tracked.line, tracked.partial = 0, 0, b""
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
