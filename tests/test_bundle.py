"""Bundles as operators hand them over: directories, tarballs, zips, nested, hostile."""

from __future__ import annotations

import bz2
import contextlib
import gzip
import io
import lzma
import os
import struct
import subprocess
import sys
import tarfile
import threading
import time
import zipfile
import zlib
from pathlib import Path

import polars as pl
import pytest
import zstandard

from lockforensics.errors import DataError, ExitCode
from lockforensics.ingest.bundle import walk
from lockforensics.ingest.containers import Limits, parse_size
from lockforensics.pipeline import Ingest, ingest

LOCK_LINE = (
    "2026-05-28T06:22:13.451+02:00 [diagnostic] lane task error: lane=main durationMs=60123 "
    'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=48213 '
    "alive=true ageMs=70312 /home/ops/.openclaw/agents/main/sessions/"
    '4a1b2c3d-0000-4000-8000-000000000001.jsonl.lock"\n'
)
GIB = 1 << 30


def tar_of(path: Path, members: dict[str, bytes], mode: str = "w:gz") -> Path:
    """A tarball holding regular members with the given contents."""
    with tarfile.open(path, mode) as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_780_000_000
            archive.addfile(info, io.BytesIO(data))
    return path


def pack_sample(sample_dir: Path, target: Path, fmt: str) -> Path:
    """The sample bundle packed the way operators pack it (members start with its folder)."""
    files = sorted(p for p in sample_dir.rglob("*") if p.is_file())
    if fmt == "tar.gz":
        with tarfile.open(target, "w:gz") as archive:
            for path in files:
                archive.add(path, arcname=f"{sample_dir.name}/{path.relative_to(sample_dir)}")
    else:
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in reversed(files):  # member order must not matter either
                archive.write(path, arcname=f"{sample_dir.name}/{path.relative_to(sample_dir)}")
    return target


@pytest.fixture(scope="module")
def from_dir(sample_dir: Path) -> Ingest:
    return ingest([sample_dir])


@pytest.mark.parametrize("fmt", ["tar.gz", "zip"])
def test_packed_sample_gives_the_identical_table(
    fmt: str, sample_dir: Path, from_dir: Ingest, tmp_path: Path
) -> None:
    """The sample as a directory, a .tar.gz and a .zip yields the same table and manifest."""
    packed = ingest([pack_sample(sample_dir, tmp_path / f"fleet.{fmt}", fmt)])
    assert packed.events.equals(from_dir.events)
    assert packed.warnings == []

    def strip(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in r.items() if k != "packing"} for r in rows]

    assert strip(packed.manifest()) == strip(from_dir.manifest())


def test_nested_members_are_named_under_their_container(tmp_path: Path) -> None:
    """A zip inside a tarball: its members carry the zip's path inside the bundle as prefix."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("logs/gateway.log", LOCK_LINE)
    bundle = tar_of(tmp_path / "b.tgz", {"host1/support/diag.zip": inner.getvalue()})
    result = ingest([bundle])
    assert result.events["source"].unique().to_list() == ["host1/support/diag.zip/logs/gateway.log"]
    assert result.manifest()[0]["packing"] == "tar+gzip > zip"


def test_two_members_of_one_name_are_both_read_under_names_that_tell_them_apart(
    tmp_path: Path,
) -> None:
    """tar appends a file again under the same name: both copies are read, the second
    as `gateway (2).log` in its archive (not under the archive's path twice), and a
    warning says so."""
    path = tmp_path / "b.tar"
    with tarfile.open(path, "w") as archive:
        for text in (LOCK_LINE, LOCK_LINE.replace("60000ms", "20000ms")):
            data = text.encode()
            info = tarfile.TarInfo("host1/gateway.log")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    result = ingest([path])
    assert sorted(result.events["source"].unique().to_list()) == [
        "host1/gateway (2).log",
        "host1/gateway.log",
    ]
    assert any("a second member of this name" in w for w in result.warnings)


_COMPRESS = {
    "gzip": gzip.compress,
    "zstd": zstandard.ZstdCompressor().compress,
    "xz": lzma.compress,
    "bzip2": bz2.compress,
}


@pytest.mark.parametrize(
    "packing",
    ["tar", "zip", *_COMPRESS, *(f"tar+{codec}" for codec in _COMPRESS)],
)
def test_every_packing_is_told_by_content(packing: str, tmp_path: Path) -> None:
    """tar, zip, gz, zst, xz and bz2, and tarballs of each, are read whatever
    their file name says."""
    data = LOCK_LINE.encode()
    plain = io.BytesIO()
    if packing.startswith("tar"):
        with tarfile.open(fileobj=plain, mode="w") as archive:
            info = tarfile.TarInfo("x/openclaw.log")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    elif packing == "zip":
        with zipfile.ZipFile(plain, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("x/openclaw.log", data)
    else:
        plain.write(data)
    raw = plain.getvalue()
    codec = packing.removeprefix("tar+")
    if codec in _COMPRESS:
        raw = _COMPRESS[codec](raw)
    (tmp_path / "bundle.txt").write_bytes(raw)
    result = ingest([tmp_path / "bundle.txt"])
    archived = packing.startswith(("tar", "zip"))
    assert result.events["source"].to_list() == [
        "x/openclaw.log" if archived else str(tmp_path / "bundle.txt")
    ]
    assert result.manifest()[0]["packing"] == (packing if archived else None)


def test_archives_inside_a_directory_are_opened_by_content(tmp_path: Path) -> None:
    """Archives with misleading names inside a collected folder are still read as archives."""
    folder = tmp_path / "bundle"
    folder.mkdir()
    tar_of(folder / "logs.txt", {"x/openclaw.log": LOCK_LINE.encode()})
    other = LOCK_LINE.replace("06:22:13", "06:23:13").encode()
    tar_of(folder / "notes.log", {"y/openclaw.log": other}, mode="w")
    result = ingest([folder])
    assert sorted(result.events["source"].to_list()) == [
        "bundle/logs.txt/x/openclaw.log",
        "bundle/notes.log/y/openclaw.log",
    ]
    assert result.warnings == []


# --------------------------------------------------------------------------- hostile archives


def zip_bomb(path: Path, size: int = GIB) -> Path:
    """A zip holding ``size`` bytes of zeros in about a megabyte, built without deflating it.

    After a full flush, deflate output is byte-aligned and independent of what
    came before, so one compressed mebibyte repeated is a valid stream.
    """
    block = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    chunk = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = chunk * (size >> 20) + compressor.flush()
    crc = 0
    for _ in range(size >> 20):
        crc = zlib.crc32(block, crc)
    name = b"zeros.log"
    local = struct.pack(
        "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x5B21, crc, len(data), size, len(name), 0
    )
    central = struct.pack(
        "<IHHHHHHIIIHHHHHII",
        0x02014B50,
        0x0314,
        20,
        0,
        8,
        0,
        0x5B21,
        crc,
        len(data),
        size,
        len(name),
        0,
        0,
        0,
        0,
        0o100644 << 16,
        0,
    )
    offset = len(local) + len(name) + len(data)
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central) + len(name), offset, 0)
    path.write_bytes(local + name + data + central + name + end)
    return path


def gzip_bomb(path: Path, size: int = GIB) -> Path:
    """``size`` bytes of blank lines as a gzip file of about a megabyte (repeated members)."""
    member = gzip.compress(b"\n" * (1 << 20), mtime=0)
    path.write_bytes(member * (size >> 20))
    return path


def hostile_bundle(folder: Path) -> Path:
    folder.mkdir()
    with tarfile.open(folder / "traversal.tgz", "w:gz") as archive:
        for name in ("../../evil.log", "/etc/cron.d/evil.log"):
            info = tarfile.TarInfo(name)
            info.size = len(LOCK_LINE)
            archive.addfile(info, io.BytesIO(LOCK_LINE.encode()))
        link = tarfile.TarInfo("etc-passwd.log")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        archive.addfile(link)
        hard = tarfile.TarInfo("shadow.log")
        hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/shadow"
        archive.addfile(hard)
        device = tarfile.TarInfo("zero.log")
        device.type = tarfile.CHRTYPE
        archive.addfile(device)
    zip_bomb(folder / "bomb.zip")
    gzip_bomb(folder / "blank.log.gz")
    whole = gzip.compress((LOCK_LINE * 400).encode(), mtime=0)
    (folder / "truncated.log.gz").write_bytes(whole[: len(whole) // 2])
    return folder


def test_hostile_members_are_skipped_with_a_warning_naming_them(tmp_path: Path) -> None:
    """Traversal, absolute, link and device members are refused by name, never read."""
    result = ingest([hostile_bundle(tmp_path / "hostile")])
    warnings = "\n".join(result.warnings)
    for needle in (
        "../../evil.log: skipped: path with '..'",
        "traversal.tgz//etc/cron.d/evil.log: skipped: absolute path",
        "etc-passwd.log: skipped: symbolic link to /etc/passwd",
        "shadow.log: skipped: hard link to /etc/shadow",
        "zero.log: skipped: device or special file",
        "bomb.zip/zeros.log: skipped: compression ratio",
        "blank.log.gz: read stopped early: compression ratio above 200:1",
        "truncated.log.gz: read stopped early",
    ):
        assert needle in warnings
    sources = set(result.events["source"].to_list())
    assert sources == {"hostile/truncated.log.gz"}  # what was read before the cut is kept
    kept = next(s for s in result.files if s.source == "hostile/truncated.log.gz")
    assert 0 < kept.event_lines < 400


def test_a_member_name_with_a_line_break_forges_no_line(tmp_path: Path) -> None:
    """Member names and link targets are shown on one line: a newline in them
    forged a whole warning line, and a table row (Z225)."""
    forged = "warning: gateway.log: all 9 lock errors verified benign (no incident)"
    with tarfile.open(tmp_path / "hostile.tgz", "w:gz") as archive:
        link = tarfile.TarInfo(f"x.log: skipped: empty\n{forged}\n.log")
        link.type, link.linkname = tarfile.SYMTYPE, "/root/.ssh/id_rsa\nwarning: forged"
        archive.addfile(link)
        row = tarfile.TarInfo("row|break\n| 9 | 2099-01-01 | forged incident |\n.log")
        row.size = len(LOCK_LINE)
        archive.addfile(row, io.BytesIO(LOCK_LINE.encode()))
    with zipfile.ZipFile(tmp_path / "links.zip", "w") as archive:
        info = zipfile.ZipInfo("zip\nwarning: forged.log")
        info.external_attr = (0o120777) << 16  # a symlink
        archive.writestr(info, "/etc/passwd")
    result = ingest([tmp_path])
    assert all("\n" not in w for w in result.warnings)
    assert all("\n" not in scan.source for scan in result.files)
    assert any(forged in w for w in result.warnings)  # shown, inside its own line


def test_hostile_bundle_writes_nothing_and_stays_small(tmp_path: Path) -> None:
    """A gigabyte of compressed zeros and blank lines is refused within bounded memory,
    and nothing but events.parquet is written to the working directory, $TMPDIR, $HOME or the
    bundle."""
    bundle = hostile_bundle(tmp_path / "hostile")
    before = sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in bundle.iterdir())
    scratch = [tmp_path / name for name in ("cwd", "tmp", "home")]
    for folder in scratch:
        folder.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "lockforensics", "ingest", str(bundle)],
        cwd=scratch[0],
        env={**os.environ, "TMPDIR": str(scratch[1]), "HOME": str(scratch[2]), "COLUMNS": "120"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    peak_kib, stderr = _high_water_until_exit(proc)
    assert proc.returncode == ExitCode.OK, stderr
    assert "Traceback" not in stderr
    assert "bomb.zip/zeros.log: skipped: compression ratio" in stderr
    # The only file written is the event table asked for (ingest's default -o).
    assert [p.name for p in scratch[0].iterdir()] == ["events.parquet"]
    assert all(not any(folder.iterdir()) for folder in scratch[1:])
    assert sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in bundle.iterdir()) == (
        before
    )
    assert 0 < peak_kib < 600 * 1024, f"{peak_kib} KiB: far below the gigabyte a full read takes"


def _high_water_until_exit(proc: subprocess.Popen[bytes]) -> tuple[int, str]:
    """The child's own high-water mark (VmHWM, KiB), read until it exits, and its stderr.

    Not wait4's ru_maxrss: Linux carries the parent's peak into a child's
    through exec, and by the time this runs pytest itself may hold more than
    the bound.  VmHWM only grows, so the last reading misses at most the
    child's final few milliseconds (writing a small table, after its peak).
    """
    assert proc.stderr is not None
    stream = proc.stderr
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(stream.read()))
    reader.start()
    status = Path(f"/proc/{proc.pid}/status")
    peak = 0
    while proc.poll() is None:
        with contextlib.suppress(OSError):  # gone between poll() and the read
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak = max(peak, int(line.split()[1]))
        time.sleep(0.002)
    reader.join()
    return peak, b"".join(chunks).decode()


def test_encrypted_zip_members_are_skipped(tmp_path: Path) -> None:
    """A member with the encryption flag is reported, not read; its siblings are read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("secret.log", LOCK_LINE)
        archive.writestr("plain.log", LOCK_LINE)
    data = bytearray(buffer.getvalue())
    local, central = data.index(b"PK\x03\x04"), data.index(b"PK\x01\x02")
    data[local + 6] |= 1  # general purpose flag bit 0: encrypted
    data[central + 8] |= 1
    (tmp_path / "enc.zip").write_bytes(bytes(data))
    result = ingest([tmp_path / "enc.zip"])
    assert "secret.log: skipped: encrypted" in result.warnings
    assert result.events["source"].to_list() == ["plain.log"]


def test_zip_beyond_what_zipfile_reads_is_skipped_with_a_warning(tmp_path: Path) -> None:
    """A zip whose directory asks for a newer zip version (damage can claim one: the fuzz
    test found 6.4), and a member in an unknown compression method, are reported;
    everything else is read."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("odd.log", LOCK_LINE)
        archive.writestr("plain.log", LOCK_LINE.replace("06:22:13", "06:23:13"))
    good = buffer.getvalue()
    newer = bytearray(good)
    newer[newer.index(b"PK\x01\x02") + 6] = 64  # version needed to extract: 6.4
    (tmp_path / "newer.zip").write_bytes(bytes(newer))
    method = bytearray(good)
    local, central = method.index(b"PK\x03\x04"), method.index(b"PK\x01\x02")
    method[local + 8] = method[central + 10] = 99  # compression method 99 (AES)
    (tmp_path / "method.zip").write_bytes(bytes(method))
    (tmp_path / "loose.log").write_text(LOCK_LINE)
    result = ingest([tmp_path])
    assert any("newer.zip: not a readable zip archive" in w for w in result.warnings)
    assert any("odd.log" in w for w in result.warnings)
    assert sorted(Path(s).name for s in result.events["source"]) == ["loose.log", "plain.log"]


def test_truncated_tarball_keeps_the_members_read(tmp_path: Path) -> None:
    """A .tar.gz cut short: members before the cut are read, and a warning says so."""
    members = {
        f"logs/{i}.log": LOCK_LINE.encode() + os.urandom(20_000).hex().encode() for i in range(4)
    }
    whole = tar_of(tmp_path / "whole.tgz", members).read_bytes()
    (tmp_path / "cut.tgz").write_bytes(whole[: int(len(whole) * 0.6)])
    result = ingest([tmp_path / "cut.tgz"])
    assert 1 <= result.events.height < 4
    assert any(
        "archive truncated or corrupt" in w or "read stopped early" in w for w in result.warnings
    )


@pytest.mark.parametrize("mtime", [10**13, -(10**13)])
def test_a_member_whose_mtime_is_no_instant_is_still_read(mtime: int, tmp_path: Path) -> None:
    """A tar header's mtime (year 318857, or before year 1) says nothing of the
    evidence: the member is read, not taken for a corrupt archive."""
    data = b"2026-05-28T06:20:01.100+02:00 [gateway] log file: /tmp/x\n"
    with tarfile.open(tmp_path / "bundle.tar", "w", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo("gateway.log")
        info.size, info.mtime = len(data), mtime
        tar.addfile(info, io.BytesIO(data))
    result = ingest([tmp_path / "bundle.tar"])
    assert [f.source for f in result.files] == ["gateway.log"]
    assert result.files[0].event_lines == 1
    assert not result.warnings


def test_member_and_total_limits(tmp_path: Path) -> None:
    """Members over --max-member-size and reads past --max-total-size are skipped, by name."""
    big = (LOCK_LINE * 200).encode()
    bundle = tar_of(tmp_path / "b.tgz", {"a/one.log": big, "a/two.log": big, "a/three.log": big})
    with pytest.raises(DataError, match=r"3 skipped; first: a/one.log: skipped: .*member limit"):
        ingest([bundle], limits=Limits(max_member=len(big) - 1))
    result = ingest([bundle], limits=Limits(max_total=len(big) + 1024))
    assert any("--max-total-size" in w for w in result.warnings)
    assert set(result.events["source"]) < {"a/one.log", "a/two.log", "a/three.log"}


@pytest.mark.parametrize(
    ("text", "size"),
    [("123", 123), ("512K", 512 << 10), ("2G", 2 << 30), ("1.5g", 3 << 29), ("8MiB", 8 << 20)],
)
def test_sizes_accept_binary_suffixes(text: str, size: int) -> None:
    """--max-member-size and --max-total-size read K/M/G (binary) suffixes."""
    assert parse_size(text) == size


def test_bad_size_is_a_usage_error(tmp_path: Path) -> None:
    """A size that is not one: exit 2, no traceback."""
    (tmp_path / "a.log").write_text(LOCK_LINE)
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "lockforensics",
            "ingest",
            str(tmp_path),
            "--max-total-size",
            "lots",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == ExitCode.USAGE
    assert "Traceback" not in proc.stderr


# --------------------------------------------------------------------------- duplicates


def test_the_same_file_twice_is_counted_once(tmp_path: Path) -> None:
    """Identical bytes in two places: one input gives rows, the manifest names the copy."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "openclaw.log").write_text(LOCK_LINE)
    (tmp_path / "b" / "copy.log").write_text(LOCK_LINE)
    result = ingest([tmp_path / "a", tmp_path / "b"])
    assert result.events.height == 1
    copy = next(r for r in result.manifest() if r["path"] == "b/copy.log")
    assert copy["duplicate_of"] == "a/openclaw.log"
    assert copy["lines"] == copy["event_lines"] == 1


def test_overlapping_rotated_copies_are_counted_once(tmp_path: Path) -> None:
    """A log copied before it rotated and its rotated part share lines: each line counts once."""
    lines = [LOCK_LINE.replace("06:22:13.451", f"06:22:{s:02d}.451") for s in range(10, 20)]
    (tmp_path / "openclaw-2026-05-28.1.log").write_text("".join(lines[:6]))
    (tmp_path / "openclaw-2026-05-28.log").write_text("".join(lines[6:]))
    (tmp_path / "copy-before-rotation.log").write_text("".join(lines[:8]))
    result = ingest([tmp_path])
    assert result.events.height == 10
    assert result.occurrence_counts() == {"lock_timeout": 10}
    dropped = {r["path"]: r["duplicate_rows"] for r in result.manifest()}
    assert sum(int(str(n)) for n in dropped.values()) == 8


def test_overlapping_copies_of_busy_lines_are_counted_once(tmp_path: Path) -> None:
    """The same, for high-volume lines past their sample (the narrow activity part)."""
    lines = [
        f"2026-05-28T06:22:{s:02d}.451+02:00 [diagnostic] lane dequeue: lane=main waitMs=2 "
        "queueSize=0\n"
        for s in range(10, 30)
    ]
    (tmp_path / "openclaw-2026-05-28.1.log").write_text("".join(lines[:12]))
    (tmp_path / "openclaw-2026-05-28.log").write_text("".join(lines[12:]))
    (tmp_path / "copy-before-rotation.log").write_text("".join(lines[:16]))
    result = ingest([tmp_path])
    assert result.activity.height > 0
    assert result.events.height == 20
    dropped = {Path(str(r["path"])).name: r["duplicate_rows"] for r in result.manifest()}
    assert dropped == {
        "copy-before-rotation.log": 0,
        "openclaw-2026-05-28.1.log": 12,
        "openclaw-2026-05-28.log": 4,
    }


def test_untimed_line_in_two_pastes_is_counted_once(tmp_path: Path) -> None:
    """Two different pastes holding the same unstamped lock error: it counts once,
    from the fuller paste."""
    lock = (
        "session file locked (timeout 10000ms): pid=4242 /data/.openclaw/agents/main/"
        "sessions/2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl.lock\n"
    )
    (tmp_path / "paste-a.txt").write_text(lock + "first paste\n")
    (tmp_path / "paste-b.txt").write_text(lock + "second paste, longer\nand more\n")
    result = ingest([tmp_path])
    assert [Path(s).name for s in result.events.get_column("source")] == ["paste-b.txt"]
    dropped = {Path(str(r["path"])).name: r["duplicate_rows"] for r in result.manifest()}
    assert dropped == {"paste-a.txt": 1, "paste-b.txt": 0}


def test_walk_is_lazy_and_names_members_as_stored(tmp_path: Path) -> None:
    """Walking a tarball yields its members in order, named as stored, one at a time."""
    bundle = tar_of(tmp_path / "b.tgz", {"./x/a.log": b"a\n", "x//b.log": b"b\n"})
    found = walk([bundle])
    first = next(found.inputs)
    assert (first.name, first.streamed) == ("x/a.log", True)
    assert first.opener().read() == b"a\n"
    assert [i.name for i in found.inputs] == ["x/b.log"]


def test_ingest_of_a_packed_bundle_prints_manifest_and_coverage(
    sample_dir: Path, tmp_path: Path
) -> None:
    """`lockforensics ingest fleet.tar.gz` prints every input with its sha256 and the coverage."""
    packed = pack_sample(sample_dir, tmp_path / "fleet.tar.gz", "tar.gz")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "lockforensics",
            "ingest",
            str(packed),
            "-o",
            str(tmp_path / "e.parquet"),
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Inputs (manifest)" in proc.stderr
    assert "fleet-2026-05-28/tmp-openclaw/openclaw-2026-05-28.log" in proc.stderr
    assert "sha256 " in proc.stderr
    assert "every line of every input accounted for" in proc.stderr
    frame = pl.read_parquet(tmp_path / "e.parquet")
    assert frame.height > 0


def test_a_gzip_cut_inside_a_record_shows_the_record_it_cut(tmp_path: Path) -> None:
    """A rotated file log whose gzip stream is cut inside its last record: the
    text before the cut is read, and the cut record, whose time was at its end,
    is counted and shown (unrecognised, with its lock words), never dropped."""
    record = (
        '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"lane task error: lane=main '
        'durationMs=60008 error=\\"SessionWriteLockTimeoutError: session file locked '
        "(timeout 60000ms): pid=40212 alive=true ageMs=199782 sqlite:session-write:agent:main:main"
        '\\"","_meta":{"date":"2026-11-27T20:24:00.700Z"},"time":"2026-11-27T14:24:00.700-06:00"}\n'
    )
    text = "".join(
        record.replace("20:24:00", f"20:{n:02d}:00").replace("14:24:00", f"14:{n:02d}:00")
        for n in range(10)
    )
    cut = text[: text.rindex('"_meta"') + len('"_meta":{"date":"2026-11-27T20:2')]
    stream = gzip.compress(cut.encode())[:-8]  # no trailer: the stream ends unfinished
    (tmp_path / "openclaw-2026-11-27.log.1.gz").write_bytes(stream)
    result = ingest([tmp_path / "openclaw-2026-11-27.log.1.gz"])
    scan = result.files[0]
    assert (scan.lines, scan.event_lines, scan.unrecognized) == (10, 9, 1)
    assert scan.unrecognized_samples[0][0] == 10
    assert result.occurrence_counts() == {"lock_timeout": 9}


def test_members_are_read_again_for_the_bundle_year(tmp_path: Path) -> None:
    """A yearless journal inside a tarball takes the year other members show (a second read)."""
    tslog = (
        '{"0":"{\\"subsystem\\":\\"gateway\\"}","1":"log file: /tmp/openclaw/x.log",'
        '"time":"2026-05-28T06:00:00.000+02:00"}\n'
    )
    journal = (
        "May 28 06:27:46 gw node[1]: [session-write-lock] releasing lock held for 722960ms "
        "(max=720000ms): /h/.openclaw/agents/a/sessions/4a1b2c3d-0000-4000-8000-00000000000f.jsonl.lock\n"
    )
    bundle = tar_of(
        tmp_path / "b.tgz", {"x/openclaw.log": tslog.encode(), "x/syslog": journal.encode()}
    )
    result = ingest([bundle])
    (row,) = result.events.filter(pl.col("kind") == "lock_released_by_watchdog").to_dicts()
    assert row["ts"] is not None
    assert row["ts"].year == 2026
    assert "year 2026 from other files in the bundle" in row["ts_assumption"]


@pytest.mark.parametrize("codec", sorted(_COMPRESS))
def test_a_truncated_stream_keeps_what_was_read_before_the_cut(codec: str, tmp_path: Path) -> None:
    """A compressed log cut short (a copy that stopped, a full disk) gives up the
    lines before the cut, with a warning, in every codec."""
    # Past bzip2's 900 kB block, so that a whole block stands before the cut.
    lines = "".join(
        LOCK_LINE.replace("06:22:13", f"{n // 3600:02d}:{n // 60 % 60:02d}:{n % 60:02d}")
        for n in range(8000)
    )
    whole = _COMPRESS[codec](lines.encode())
    (tmp_path / "cut.log").write_bytes(whole[: len(whole) * 3 // 4])
    result = ingest([tmp_path / "cut.log"])
    assert any("cut.log: read stopped early" in w for w in result.warnings), result.warnings
    assert 0 < result.files[0].event_lines < 8000
    # What it read is still shown for what it is, over the times it covers.
    (row,) = result.manifest()
    assert row["format"] == "console"
    assert row["first"] is not None


def test_names_that_are_not_utf8_are_read_as_text(tmp_path: Path) -> None:
    """A tar member whose stored name is not UTF-8 (a damaged header, a Latin-1
    name), and a file whose own name is not: each is read, its name shown with
    `�` where the bytes were, not a traceback (a fuzzed tar's byte 0x80 had
    stopped the table: polars takes no lone surrogates)."""
    line = (
        b"2026-05-28T06:20:01.000+02:00 [diagnostic] lane task error: lane=main "
        b'durationMs=10012 error="Error: session file locked (timeout 10000ms): pid=7 '
        b'/h/.openclaw/agents/main/sessions/2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl.lock"\n'
    )
    packed = io.BytesIO()
    with tarfile.open(fileobj=packed, mode="w", format=tarfile.GNU_FORMAT) as tar:
        info = tarfile.TarInfo(b"logs/gw\x80.log".decode("utf-8", "surrogateescape"))
        info.size = len(line)
        tar.addfile(info, io.BytesIO(line))
    (tmp_path / "bundle.tar").write_bytes(packed.getvalue())
    (tmp_path / os.fsdecode(b"console-\xe9.log")).write_bytes(line)
    result = ingest([tmp_path])
    names = sorted(scan.source.rsplit("/", 1)[-1] for scan in result.files)
    assert names == ["console-\ufffd.log", "gw\ufffd.log"]
    assert result.occurrence_counts()["lock_timeout"] == 1
