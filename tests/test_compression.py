"""Compressed streams end where their data ends: a cut inside a frame is an error, never a quiet end."""

from __future__ import annotations

import gzip
import io
import random
import subprocess
import sys
from pathlib import Path

import zstandard
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lockforensics.ingest.containers import READ_ERRORS, decompressing

_SKIPPABLE_MAGIC = (0x184D2A53).to_bytes(4, "little")


def _decompressed(
    stream: bytes, compression: str, step: int = 4096
) -> tuple[bytes, Exception | None, list[str]]:
    """Everything the reader gives for ``stream``, a step at a time as the
    scanner's Guard reads it, what it raised at the end, and its notes."""
    reader = decompressing(io.BytesIO(stream), compression)
    out = bytearray()
    end: Exception | None = None
    try:
        while block := reader.read1(step):
            out += block
    except READ_ERRORS as exc:
        end = exc
    return bytes(out), end, list(getattr(reader, "notes", []))


def _read(stream: bytes) -> tuple[bytes, Exception | None]:
    """The zstd reader's bytes and end (:func:`_decompressed`)."""
    out, end, _ = _decompressed(stream, "zstd")
    return out, end


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


def _day(seed: int, lines: int) -> bytes:
    """A day's log: JSON-ish lines, incompressible enough that a member spans blocks."""
    rng = random.Random(seed)
    return b"".join(
        b'{"time":"2026-05-%02d","1":"run %08x done","n":%d}\n'
        % (seed % 28 + 1, rng.getrandbits(32), rng.getrandbits(40))
        for _ in range(lines)
    )


def _gzip_reading(stream: bytes) -> tuple[bytes, list[str], Exception | None]:
    out, end, notes = _decompressed(stream, "gzip", 65536)
    return out, notes, end


@settings(max_examples=40, deadline=None)
@given(
    members=st.integers(min_value=2, max_value=5),
    damaged=st.integers(min_value=0, max_value=4),
    damage=st.sampled_from(["cut", "crc", "none"]),
    lines=st.integers(min_value=50, max_value=6000),
    keep=st.floats(min_value=0.05, max_value=0.95),
)
# Cut 99 bytes into its data: the decoder ran on into the next member and found
# an end inside that member's header, so no part of the data before the
# trailer held a whole header, and the next member was lost.
@example(members=2, damaged=0, damage="cut", lines=129, keep=0.056640625)
def test_a_gzip_member_cut_short_or_with_a_wrong_crc_loses_only_itself(
    members: int, damaged: int, damage: str, lines: int, keep: float
) -> None:
    """Days gzip'd one by one into one file: a member a full disk cut short loses
    only its own rest (what was read of it is a prefix: no garbage decoded past
    the cut into the next member), one whose CRC is wrong over intact data loses
    nothing; every later member is read, and a note says what happened (Z120:
    Python's gzip stopped at the first, 2,779 lines of later days unread)."""
    damaged %= members
    days = [_day(seed, lines) for seed in range(members)]
    packed = [gzip.compress(day, mtime=0) for day in days]
    if damage == "cut":
        packed[damaged] = packed[damaged][: max(20, int(len(packed[damaged]) * keep))]
    elif damage == "crc":
        body = packed[damaged]
        packed[damaged] = body[:-8] + bytes([body[-8] ^ 0xFF]) + body[-7:]
    out, notes, end = _gzip_reading(b"".join(packed))
    last = damaged == members - 1
    if damage == "none":
        assert (out, notes, end) == (b"".join(days), [], None)
        return
    before, after = b"".join(days[:damaged]), b"".join(days[damaged + 1 :])
    assert out.startswith(before)
    assert out.endswith(after)
    middle = out[len(before) : len(out) - len(after)]
    if damage == "crc":
        assert middle == days[damaged]
        assert notes == [f"gzip member {damaged + 1}: CRC check failed; its data was read"]
        assert end is None
    else:
        assert days[damaged].startswith(middle)
        if last:
            assert isinstance(end, EOFError)
        else:
            assert end is None
            assert len(notes) == 1
            assert notes[0].startswith(f"gzip member {damaged + 1}: ")


def test_a_multi_member_gzip_reads_as_gzip_does() -> None:
    """Sound members, trailing zeros (a tape's padding): the bytes gzip gives."""
    data = [_day(seed, 3000) for seed in range(3)]
    stream = b"".join(gzip.compress(d) for d in data) + b"\x00" * 512
    assert _gzip_reading(stream) == (gzip.decompress(stream), [], None)


def test_a_gzip_of_zeros_is_skipped_within_bounded_memory(tmp_path: Path) -> None:
    """Deflate inflates up to 1,032:1, and the reader holds a few blocks' output
    while it checks a member is sound: a 500 KB gzip of 500 MB of zeros (a
    preallocated log, or a bomb) took 325 MiB above a child's floor to skip,
    read 64 KiB at a time (Z206), and 80 MiB at 16 KiB."""
    bomb = tmp_path / "bomb"
    bomb.mkdir()
    zeros = bytes(1 << 20)
    with gzip.open(bomb / "openclaw-2026-05-19.log.gz", "wb", compresslevel=9) as out:
        for _ in range(500):
            out.write(zeros)
    small = tmp_path / "small"
    small.mkdir()
    (small / "openclaw-2026-05-19.log").write_text("hello\n")
    code = (
        "import sys; from pathlib import Path; from lockforensics.pipeline import ingest; "
        "ingest([Path(sys.argv[1])]); "
        "print([x for x in open('/proc/self/status') if x.startswith('VmHWM')][0].split()[1])"
    )

    def peak_kib(path: Path) -> int:
        out = subprocess.run(
            [sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True
        )
        return int(out.stdout.split()[-1])

    growth = (peak_kib(bomb) - peak_kib(small)) // 1024
    assert growth < 200, f"peak RSS {growth} MiB above the floor"
