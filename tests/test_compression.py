"""Compressed streams end where their data ends: a cut inside a frame is an error, never a quiet end."""

from __future__ import annotations

import io
import random

import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from lockforensics.ingest.containers import READ_ERRORS, decompressing

_SKIPPABLE_MAGIC = (0x184D2A53).to_bytes(4, "little")


def _read(stream: bytes) -> tuple[bytes, Exception | None]:
    """Everything the zstd reader gives for ``stream``, a step at a time as the
    scanner's Guard reads it, and what it raised at the end."""
    reader = decompressing(io.BytesIO(stream), "zstd")
    out = bytearray()
    try:
        while block := reader.read1(4096):
            out += block
    except READ_ERRORS as exc:
        return bytes(out), exc
    return bytes(out), None


def _frames(
    payloads: list[bytes], checksum: bool, content_size: bool, skippable: bool
) -> list[bytes]:
    compressor = zstandard.ZstdCompressor(write_checksum=checksum, write_content_size=content_size)
    frames = [compressor.compress(p) for p in payloads]
    if skippable:
        note = b"collected by ops"
        frames.insert(1, _SKIPPABLE_MAGIC + len(note).to_bytes(4, "little") + note)
    return frames


@settings(max_examples=300, deadline=None)
@given(
    payloads=st.lists(st.binary(max_size=3000), min_size=1, max_size=4),
    checksum=st.booleans(),
    content_size=st.booleans(),
    skippable=st.booleans(),
    cut=st.integers(min_value=0),
)
def test_a_zstd_stream_cut_inside_a_frame_says_so(
    payloads: list[bytes], checksum: bool, content_size: bool, skippable: bool, cut: int
) -> None:
    """Whole, every frame is read with no error; cut anywhere, what was read is a
    prefix of the data, and a cut that is not between frames raises."""
    frames = _frames(payloads, checksum, content_size, skippable)
    stream = b"".join(frames)
    data = b"".join(payloads)
    assert _read(stream) == (data, None)
    cut %= len(stream)
    ends = {sum(len(f) for f in frames[:n]) for n in range(len(frames) + 1)}
    got, error = _read(stream[:cut])
    assert data.startswith(got)
    assert (error is None) == (cut in ends)


def test_a_long_streamed_zstd_log_cut_short_raises_after_its_blocks() -> None:
    """A frame of many blocks (compressed, raw and RLE) written by a streaming
    compressor (no content size): the blocks before the cut are given, then the
    cut is an error."""
    # Random text, and a run of one byte long enough for whole RLE blocks.
    noise = random.Random(7)
    text = b"".join(noise.randbytes(200) + b" lane task done\n" * 40 for _ in range(200))
    data = text + b"\0" * 400_000 + text
    sink = io.BytesIO()
    with zstandard.ZstdCompressor().stream_writer(sink, closefd=False) as writer:
        writer.write(data)
    stream = sink.getvalue()
    assert _read(stream) == (data, None)
    for part in range(1, 16):
        got, error = _read(stream[: len(stream) * part // 16])
        assert isinstance(error, EOFError | zstandard.ZstdError)
        assert data.startswith(got)
    got, error = _read(stream[:-1])
    assert isinstance(error, EOFError)
    assert got
    assert data.startswith(got)


def test_a_lone_magic_after_the_last_frame_is_a_cut_frame() -> None:
    frame = zstandard.ZstdCompressor().compress(b"gateway ready\n")
    got, error = _read(frame + frame[:4])
    assert (got, type(error)) == (b"gateway ready\n", EOFError)


def test_what_follows_the_last_frame_otherwise_is_the_decompressors_to_judge() -> None:
    frame = zstandard.ZstdCompressor().compress(b"gateway ready\n")
    assert isinstance(_read(frame + b"not zstd at all")[1], zstandard.ZstdError)
