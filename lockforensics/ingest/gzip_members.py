"""gzip read member by member, past a damaged one.

A rotated log gzip'd day by day into one weekly file (``cat *.gz >> week.gz``)
is a gzip stream of several members.  Python's ``gzip`` stops at the first
damaged member: a member cut short by a full disk, or one whose CRC is wrong
over intact data, took every later day with it, unread but for "read stopped
early".  Here each member's header, deflate data and trailer (RFC 1952) are
read on their own: a wrong CRC is said and the data kept; a member whose
data fails is read up to its damage, and reading goes on at the next
member's header.  :attr:`GzipMembers.notes` says what was skipped.

A member cut short runs on into the next member's bytes, which zlib decodes
as garbage until it fails (or ends, its CRC then wrong): the output of the
member's last few input blocks is held back, with the decompressor's state
before each, so what came from past the next member's header (where the cut
must be) is dropped, not read as log lines.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass
from typing import BinaryIO

#: The gzip header's magic and its one compression method (deflate).
HEADER = b"\x1f\x8b\x08"
_FEXTRA, _FNAME, _FCOMMENT, _FHCRC = 4, 8, 16, 2
#: Compressed bytes read at a time: small, as deflate inflates up to 1,032:1
#: and a held block's output is kept whole (64 KiB of a gzip of zeros was
#: 64 MiB each, four held: a 12 KB bundle peaked at 510 MB, Z206).
_BLOCK = 16 * 1024
#: Input blocks of a member whose output waits until the member is known sound,
#: or until this many more have come: an error past a cut comes within them.
_HOLD = 4
#: From a block holding what may be the next member's header, all output waits
#: (zlib may decode a whole next member as garbage without failing), up to this.
_HOLD_MAX = 32 << 20


@dataclass(slots=True)
class _Held:
    state: zlib._Decompress  # the decompressor before ``block`` was fed
    block: bytes
    output: bytes


def next_header(data: bytes, start: int = 0) -> int:
    """Where the next thing in ``data`` that can be a member's header begins (-1 for
    none): the magic, the method, no reserved flag and a known compression level
    (``XFL`` 0, 2 or 4).  The magic alone turns up in any 16 MB of deflate data;
    these checks make a false one a thousand times rarer."""
    at = data.find(HEADER, start)
    while at >= 0:
        flags = data[at + 3] if len(data) > at + 3 else 0
        xfl = data[at + 8] if len(data) > at + 8 else 0
        if not flags & 0xE0 and xfl in (0, 2, 4):
            return at
        at = data.find(HEADER, at + 1)
    return -1


def header_length(data: bytes) -> int | None:
    """The length of the gzip member header ``data`` begins with; None while it
    is incomplete; -1 when ``data`` begins no member."""
    if len(data) < 10:
        return None if HEADER.startswith(data[:3]) else -1
    if not data.startswith(HEADER):
        return -1
    flags, at = data[3], 10
    if flags & _FEXTRA:
        if len(data) < at + 2:
            return None
        at += 2 + int.from_bytes(data[at : at + 2], "little")
    for flag in (_FNAME, _FCOMMENT):
        if flags & flag:
            end = data.find(b"\x00", at)
            if end < 0:
                return None
            at = end + 1
    if flags & _FHCRC:
        at += 2
    return at if len(data) >= at else None


class GzipMembers(io.RawIOBase):
    """Decompressed bytes of every member of a gzip stream, damaged ones skipped
    past (:attr:`notes`).  The input ending inside a member raises ``EOFError``
    once everything before it has been read, as ``gzip`` does."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._pending = b""  # compressed bytes not yet taken
        self._in_body = False
        self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
        self._crc = 0
        self._size = 0
        self._deflated = 0
        self._held: list[_Held] = []
        self._suspect: int | None = None  # the first held block holding a header
        self._ready: list[bytes] = []
        self._at = 0  # how much of the first ready block was read
        self._members = 0  # members begun
        self._done = False
        self._end: Exception | None = None
        self.notes: list[str] = []

    def readable(self) -> bool:
        return True

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)

    def read(self, size: int | None = -1) -> bytes:
        while not self._ready and not self._done:
            block = self._raw.read(_BLOCK)
            if block:
                self._take(block)
            else:
                self._finish()
        if not self._ready:
            if self._end is not None:
                end, self._end = self._end, None
                raise end
            return b""
        # Taken from the first block at an offset, never by slicing its rest
        # off again: tarfile reads a block at a time, and a bomb's 16 MiB blocks
        # cost the square of that (Z225: 65 s of CPU a GiB, all of it here).
        head, at = self._ready[0], self._at
        stop = len(head) if size is None or size < 0 else min(len(head), at + size)
        if stop >= len(head):
            self._ready.pop(0)
            self._at = 0
        else:
            self._at = stop
        return head[at:stop] if at or stop < len(head) else head

    def _finish(self) -> None:
        if self._in_body and next_header(self._window()) >= 0:
            # Cut short: the decoder ran on through the next member(s) to the end.
            self._damaged("it is cut short")
            self._take(b"")
            return
        self._release(len(self._held))
        self._done = True
        if self._in_body or self._pending.strip(b"\x00"):
            # gzip's own words for a stream cut inside a member.
            self._end = EOFError(
                "Compressed file ended before the end-of-stream marker was reached"
            )

    def _take(self, data: bytes) -> None:
        self._pending += data
        while self._pending:
            if self._in_body:
                self._body()
                continue
            if self._decoder.eof:
                if len(self._pending) < 8:
                    return
                self._trailer()
                continue
            length = header_length(self._pending)
            if length is None:
                return
            if length < 0:
                if self._pending.strip(b"\x00"):
                    # Not zeros (which gzip ignores): not a member either.
                    self.notes.append(
                        f"bytes after gzip member {self._members} begin no member; "
                        "reading goes on at the next member"
                    )
                self._pending = self._resume(self._pending, 1)
                continue
            self._pending = self._pending[length:]
            self._members += 1
            self._in_body = True
            self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
            self._crc = self._size = 0

    def _body(self) -> None:
        block, self._pending = self._pending, b""
        state = self._decoder.copy()
        try:
            output = self._decoder.decompress(block)
        except zlib.error as exc:
            self._held.append(_Held(state, block, b""))
            self._damaged(f"its data is damaged ({exc})")
            return
        tail = self._held[-1].block[-(len(HEADER) - 1) :] if self._held else b""
        self._held.append(_Held(state, block, output))
        if self._suspect is None and next_header(tail + block) >= 0:
            self._suspect = len(self._held) - 1
        self._crc = zlib.crc32(output, self._crc)
        self._size += len(output)
        if self._decoder.eof:
            self._in_body = False
            self._pending = self._decoder.unused_data
            # What the member's deflate data took of the held blocks (the rest,
            # from its trailer on, is pending).
            self._deflated = sum(len(held.block) for held in self._held) - len(self._pending)
        else:
            keep = _HOLD if self._suspect is None else len(self._held) - self._suspect
            if sum(len(held.output) for held in self._held) > _HOLD_MAX:
                keep, self._suspect = _HOLD, None
            self._release(len(self._held) - keep)

    def _trailer(self) -> None:
        crc, size = struct.unpack("<II", self._pending[:8])
        if (crc, size) != (self._crc, self._size & 0xFFFFFFFF):
            # The member was cut and its decoder ran on into the next one, whose
            # header came before the trailer's end (the garbage may even end
            # inside that header, which then no prefix of the window shows).
            if 0 <= next_header(self._window()) < self._deflated + 8:
                self._damaged("it is cut short (its CRC is wrong)")
                return
            self.notes.append(f"gzip member {self._members}: CRC check failed; its data was read")
        self._pending = self._pending[8:]
        self._release(len(self._held))
        self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)

    def _window(self) -> bytes:
        return b"".join(held.block for held in self._held)

    def _damaged(self, what: str) -> None:
        """The member failed: keep what it held from before the next member's
        header (the damage lies before it), drop the rest, and go on from there."""
        window = self._window()
        at = next_header(window)
        found = at >= 0
        kept = self._cut_at(at if found else len(window))
        self.notes.append(
            f"gzip member {self._members}: {what}; {kept:,} bytes of it read"
            + ("; reading goes on at the next member" if found else "")
        )
        self._in_body = False
        self._decoder = zlib.decompressobj(-zlib.MAX_WBITS)
        self._pending = window[at:] if found else self._resume(b"", 0)

    def _resume(self, data: bytes, start: int) -> bytes:
        """``data`` from the next member's header at or after ``start``, reading
        ahead to it (empty at the end of the input)."""
        while (at := next_header(data, start)) < 0:
            block = self._raw.read(_BLOCK)
            if not block:
                return b""
            data, start = data[-(len(HEADER) - 1) :] + block, 0
        return data[at:]

    def _cut_at(self, at: int) -> int:
        """Release the held output that came from the window's first ``at`` bytes;
        drop the rest.  Returns the bytes released."""
        released = 0
        for held in self._held:
            if at <= 0:
                break
            if at >= len(held.block):
                output = held.output
            else:
                try:
                    output = held.state.copy().decompress(held.block[:at])
                except zlib.error:
                    output = b""
            at -= len(held.block)
            if output:
                self._ready.append(output)
                released += len(output)
        self._held.clear()
        self._suspect = None
        return released

    def _release(self, count: int) -> None:
        count = max(count, 0)
        self._ready.extend(held.output for held in self._held[:count] if held.output)
        del self._held[:count]
        if self._suspect is not None:
            self._suspect = self._suspect - count if self._held else None

    def close(self) -> None:
        self._raw.close()
        super().close()
