"""zstd streams read frame by frame, so that a stream cut inside a frame says so.

zstandard's stream reader ends quietly where its input ends, even inside a
frame, where gzip, xz and bzip2 raise: a zstd log cut short (a copy of a file
still being written, a full disk) was read as whole and its lost tail never
mentioned.  The compressed bytes are walked on their way to the decompressor
(RFC 8878 §3.1), and the end of the input inside a frame is an error once
every byte before it was given.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, BinaryIO, cast

import zstandard

MAGIC = b"\x28\xb5\x2f\xfd"
_FRAME = int.from_bytes(MAGIC, "little")
#: Skippable frames: 0x184D2A50 to 0x184D2A5F (the low four bits are free).
_SKIPPABLE = 0x184D2A50


class _FrameWalk(io.RawIOBase):
    """Compressed bytes on their way to the decompressor, walked frame by frame
    (magic, header, blocks, checksum; skippable frames), so that where the
    input ends inside a frame is known."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._skip = 0  # bytes of a header, block or skippable frame still to pass
        self._head = b""  # the next structure's first bytes, gathered
        self._want = 4
        self._step: Callable[[bytes], None] = self._magic
        self._checksum = 0
        # Off once the bytes are not zstd: the decompressor then says so itself.
        self._walking = True

    @property
    def inside(self) -> bool:
        """The bytes so far end inside a frame."""
        return self._walking and (self._skip > 0 or bool(self._head) or self._step != self._magic)

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        data = self._raw.read(-1 if size is None else size)
        at, end = 0, len(data)
        while self._walking and at < end:
            if self._skip:
                passed = min(self._skip, end - at)
                self._skip -= passed
                at += passed
                continue
            taken = min(self._want - len(self._head), end - at)
            self._head += data[at : at + taken]
            at += taken
            if len(self._head) == self._want:
                head, self._head = self._head, b""
                self._step(head)
        return data

    def _next(self, size: int, step: Callable[[bytes], None]) -> None:
        self._want, self._step = size, step

    def _magic(self, head: bytes) -> None:
        magic = int.from_bytes(head, "little")
        if magic == _FRAME:
            self._next(1, self._descriptor)
        elif magic & ~0xF == _SKIPPABLE:  # skippable: its length, then that many bytes
            self._next(4, self._skippable)
        else:
            self._walking = False

    def _skippable(self, head: bytes) -> None:
        self._skip = int.from_bytes(head, "little")
        self._next(4, self._magic)

    def _descriptor(self, head: bytes) -> None:
        flags = head[0]
        single = flags >> 5 & 1
        content_size = (1 if single else 0, 2, 4, 8)[flags >> 6]
        self._checksum = 4 if flags >> 2 & 1 else 0
        self._skip = (0 if single else 1) + (0, 1, 2, 4)[flags & 3] + content_size
        self._next(3, self._block)

    def _block(self, head: bytes) -> None:
        header = int.from_bytes(head, "little")
        last, kind, size = header & 1, header >> 1 & 3, header >> 3
        if kind == 3:  # reserved: not zstd
            self._walking = False
            return
        self._skip = (1 if kind == 1 else size) + (self._checksum if last else 0)
        if last:
            self._next(4, self._magic)


class ZstdFrames(io.RawIOBase):
    """zstd frames, one after another, decompressed; a stream that ends inside
    a frame raises once every byte before the cut was given."""

    def __init__(self, raw: BinaryIO) -> None:
        self._frames = _FrameWalk(raw)
        self._reader = zstandard.ZstdDecompressor().stream_reader(
            cast(BinaryIO, self._frames), read_across_frames=True
        )

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        size = self._reader.readinto(buffer)
        if size == 0 and len(buffer) and self._frames.inside:
            raise EOFError("the zstd stream ends inside a frame (truncated)")
        return int(size)
