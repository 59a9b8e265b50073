"""Turning the paths an operator names into readable inputs.

Directories are walked without following symbolic links; compression is
detected from magic bytes, not from the file name.  Every input is read as a
stream; nothing is ever extracted to disk.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, cast

import zstandard

from lockforensics.errors import NoInputError

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
#: What a corrupt or truncated input can raise while being read.
READ_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    EOFError,
    ValueError,
    zlib.error,
    zstandard.ZstdError,
)


@dataclass(frozen=True, slots=True)
class Input:
    """One readable input: a file, or a member of a container."""

    name: str  # as shown in reports: relative to the named path
    size: int
    opener: Callable[[], BinaryIO]
    compression: str | None = None


def memory_input(name: str, data: bytes) -> Input:
    """An input held in memory (tests, and members already read from a container)."""
    compression = _compression(data[:8])
    return Input(
        name=name,
        size=len(data),
        opener=lambda: decompressing(io.BytesIO(data), compression),
        compression=compression,
    )


def _compression(head: bytes) -> str | None:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(ZSTD_MAGIC):
        return "zstd"
    return None


def decompressing(raw: BinaryIO, compression: str | None) -> BinaryIO:
    """Wrap a raw stream so that reads return decompressed bytes."""
    if compression == "gzip":
        return cast(BinaryIO, gzip.GzipFile(fileobj=raw, mode="rb"))
    if compression == "zstd":
        reader = zstandard.ZstdDecompressor().stream_reader(raw, read_across_frames=True)
        return cast(BinaryIO, io.BufferedReader(reader))
    return raw


def _file_input(path: Path, name: str) -> Input:
    with path.open("rb") as fh:
        head = fh.read(512)
    compression = _compression(head)

    def opener() -> BinaryIO:
        return decompressing(path.open("rb"), compression)

    return Input(name=name, size=path.stat().st_size, opener=opener, compression=compression)


@dataclass(slots=True)
class Walk:
    inputs: list[Input]
    warnings: list[str]


def walk(paths: list[Path]) -> Walk:
    """Resolve named paths to inputs, in a stable (sorted) order.

    Raises NoInputError when a named path is missing or unreadable; problems
    with files found *inside* a directory are warnings, and the rest is read.
    """
    inputs: list[Input] = []
    warnings: list[str] = []
    for path in paths:
        try:
            st = path.lstat()
        except OSError as exc:
            raise NoInputError(f"{path}: {exc.strerror or exc}") from exc
        if stat.S_ISDIR(st.st_mode):
            for file_path, rel in _walk_dir(path, warnings):
                _add(inputs, warnings, file_path, rel)
        elif stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
            # A file named outright is the operator's explicit choice, link or not.
            if not os.access(path, os.R_OK):
                raise NoInputError(f"{path}: permission denied")
            _add(inputs, warnings, path, str(path))
        else:
            raise NoInputError(f"{path}: not a regular file or directory")
    return Walk(inputs, warnings)


def _walk_dir(root: Path, warnings: list[str]) -> Iterator[tuple[Path, str]]:
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=None):
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames):
            path = base / name
            rel = path.relative_to(root).as_posix()
            try:
                st = path.lstat()
            except OSError as exc:
                warnings.append(f"{rel}: skipped: {exc.strerror or exc}")
                continue
            if stat.S_ISLNK(st.st_mode):
                warnings.append(f"{rel}: skipped: symbolic link (links are never followed)")
                continue
            if not stat.S_ISREG(st.st_mode):
                warnings.append(f"{rel}: skipped: not a regular file")
                continue
            yield path, f"{root.name}/{rel}"


def _add(inputs: list[Input], warnings: list[str], path: Path, name: str) -> None:
    try:
        inputs.append(_file_input(path, name))
    except OSError as exc:
        warnings.append(f"{name}: skipped: {exc.strerror or exc}")
