"""``journalctl -o export``: the journal's binary-safe export, read as ``-o json``.

An export stream is one entry per block of ``KEY=value`` lines, a blank line
after each (systemd's Journal Export Format).  A value that is not plain text
(an escape, a newline, bytes that are not UTF-8) is written as ``KEY``, a
newline, its length as 8 bytes little-endian, the bytes, and a newline.

A line reader sees its fields as separate lines, NUL bytes in its lengths
and, in its binary values, lines that are no field at all: a capture of the
gateway's unit read as text lost every entry's time, pid and host (Z124,
Z130).  So the stream is rewritten, as it is read, into the ``-o json`` lines
the journald-json envelope reads (one object per entry, MESSAGE a string or,
when it is not UTF-8, the array of its bytes), each followed by as many
empty lines as the entry had lines more than one: line numbers and the line
accounting stay the export's own.  A line that is no field (damage, a
hostile file) ends the entry before it and is passed on as it stands.
"""

from __future__ import annotations

import io
import json
import re
from typing import BinaryIO

#: What the manifest names the framing (an input's ``packing``, innermost).
EXPORT = "journal export"
#: The first line of an export entry: its cursor, or (``--output-fields``) its time.
HEAD = re.compile(rb"\A(?:__CURSOR|__REALTIME_TIMESTAMP)=[^\n]*\n")
#: A field name as journald allows them (upper case, digits, underscores).
_NAME = re.compile(rb"[A-Z0-9_]{1,64}")
#: The largest binary value read as one (journald's default field cap is 64 KiB;
#: a longer claimed length is damage, read as text from there).
MAX_BINARY = 1 << 24
_READ = 1 << 20


def is_export(head: bytes) -> bool:
    """Does ``head`` (the stream's first bytes) open a journal export?"""
    return HEAD.match(head) is not None


class ExportLines(io.RawIOBase):
    """An export stream read as ``journalctl -o json`` lines, line for line."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._buffer = b""
        self._done = False
        self._out = bytearray()
        self._fields: dict[str, object] = {}
        self._lines = 0  # lines of the entry so far

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        want = size if size >= 0 else 1 << 62
        while len(self._out) < want and not (self._done and not self._buffer):
            self._fill()
            self._parse()
        if self._done and not self._buffer:
            self._end_entry()
        out = bytes(self._out[:want])
        del self._out[:want]
        return out

    def _fill(self) -> None:
        if self._done:
            return
        block = self._stream.read(_READ)
        if block:
            self._buffer += block
        else:
            self._done = True

    def _parse(self) -> None:
        """Read every whole line (or binary value) the buffer holds."""
        data, at = self._buffer, 0
        while True:
            newline = data.find(b"\n", at)
            if newline < 0:
                if self._done and at < len(data):
                    self._out += data[at:]  # an unterminated last line, as it stands
                    at = len(data)
                break
            line = data[at:newline]
            if not line:
                self._end_entry()
                self._out += b"\n"
                at = newline + 1
                continue
            name, eq, value = line.partition(b"=")
            if eq and _NAME.fullmatch(name):
                self._fields[name.decode()] = value.decode("utf-8", "replace")
                self._lines += 1
                at = newline + 1
                continue
            if not eq and _NAME.fullmatch(line):
                taken = self._binary(data, newline + 1, line.decode())
                if taken is None:
                    break  # its value is not all read yet
                if taken > 0:
                    at = taken
                    continue
            self._end_entry()
            self._out += data[at : newline + 1]
            at = newline + 1
        self._buffer = data[at:]

    def _binary(self, data: bytes, start: int, name: str) -> int | None:
        """Read the binary value of field ``name`` whose length starts at ``start``:
        where the next field begins, None when more bytes are needed, 0 when it
        is no binary value (a length past MAX_BINARY, no newline after it)."""
        if len(data) < start + 8:
            return None if not self._done else 0
        length = int.from_bytes(data[start : start + 8], "little")
        end = start + 8 + length
        if length > MAX_BINARY:
            return 0
        if len(data) < end + 1:
            return None if not self._done else 0
        if data[end : end + 1] != b"\n":
            return 0
        raw = data[start + 8 : end]
        try:
            self._fields[name] = raw.decode("utf-8")
        except UnicodeDecodeError:
            self._fields[name] = list(raw)
        # As a line reader counts them: the name's line, and every newline in
        # the length and the value before the one that ends it.
        self._lines += 1 + data.count(b"\n", start, end) + 1
        return end + 1

    def _end_entry(self) -> None:
        if not self._fields:
            return
        self._out += json.dumps(self._fields, ensure_ascii=False).encode("utf-8", "replace")
        self._out += b"\n" * self._lines
        self._fields, self._lines = {}, 0
