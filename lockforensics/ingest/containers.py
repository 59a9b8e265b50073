"""Archives and compressed streams, read in place: nothing is ever extracted.

Formats are told by their magic bytes, never by their names: gzip, zstd, xz
and bzip2 streams, tar (plain or compressed) and zip, nested in each other to any depth
(a diagnostics zip inside a tarball).  A tar archive is read front to back,
one member at a time, as the stream passes it, because a ``.tar.gz`` cannot
seek; a zip on disk is read in place.  A zip nested in another container
needs random access, so it alone is held in memory, up to
:data:`NESTED_ZIP_LIMIT`.

Hostile archives are expected.  A member a careful extractor would refuse is
skipped with a warning that names it: absolute or ``..`` paths, links,
devices, encrypted members, members over the size limit, compression
ratios only a bomb reaches, and containers nested more than
:data:`MAX_NESTING` deep.  Decompressed bytes are counted against the
member limit, the run's total and the ratio to the stored bytes while they
stream, so a bomb stops after a bounded read.  The ratio is judged per
member: one very compressible member of a ``.tar.gz`` is skipped, and the
members after it are still read.
"""

from __future__ import annotations

import bz2
import hashlib
import io
import lzma
import re
import stat
import tarfile
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO, cast

import zstandard

from lockforensics.errors import UnsafeInputError
from lockforensics.ingest import zstd
from lockforensics.ingest.gzip_members import GzipMembers
from lockforensics.textsafety import one_line

GZIP_MAGIC = b"\x1f\x8b"
XZ_MAGIC = b"\xfd7zXZ\x00"
#: bzip2: ``BZh``, the block size digit, then a block's magic (pi) or, for an
#: empty stream, the end-of-stream magic (sqrt pi): ten bytes no text starts with.
BZIP2_MAGIC = re.compile(rb"BZh[1-9](?:\x31\x41\x59\x26\x53\x59|\x17\x72\x45\x38\x50\x90)")
#: The bytes :func:`compression_of` looks at.
MAGIC_BYTES = 10
ZIP_MAGICS = (b"PK\x03\x04", b"PK\x05\x06")  # a member, or an empty archive
#: Bytes needed to tell a tar header (its ``ustar`` magic sits at offset 257).
HEAD_BYTES = 512

DEFAULT_MAX_MEMBER = 2 << 30
DEFAULT_MAX_TOTAL = 16 << 30
# Log files compress 5-30:1 (tslog JSON with its repeated keys up to ~60:1);
# deflate reaches ~1000:1 only on degenerate input such as a run of zeros.
DEFAULT_MAX_RATIO = 200
# The ratio is judged only past this many bytes: a small, very repetitive file
# is not a bomb, whatever its ratio.
RATIO_FLOOR = 16 << 20
#: Containers inside containers deeper than this are skipped with a warning.
MAX_NESTING = 16
#: A nested zip is read from memory (zip needs random access); above this it is skipped.
NESTED_ZIP_LIMIT = 256 << 20
_READ_BLOCK = 1 << 20

#: What a corrupt, truncated or refused input can raise while being read.
READ_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    EOFError,
    ValueError,
    zlib.error,
    zstandard.ZstdError,
    lzma.LZMAError,
    tarfile.TarError,
    zipfile.BadZipFile,
    # zipfile's word for a version or compression method it cannot read, which
    # a damaged central directory can claim as well as a real newer zip.
    NotImplementedError,
    UnsafeInputError,
)

_SIZE_RE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
_DRIVE = re.compile(r"^[A-Za-z]:")

Warn = Callable[[str], None]


def parse_size(text: str) -> int:
    """``512M``, ``2G``, ``1.5G``, ``750K``, ``123`` → bytes (binary multiples)."""
    match = _SIZE_RE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a size: {text!r} (try 512M or 4G)")
    number, unit = match.groups()
    return int(float(number) * _UNITS[unit.upper()])


def format_size(size: int) -> str:
    """Bytes in the largest binary unit that keeps a number ≥ 1 (``2G``, ``1.5M``)."""
    for unit in ("T", "G", "M", "K"):
        if size >= _UNITS[unit]:
            return f"{size / _UNITS[unit]:.1f}".removesuffix(".0") + unit
    return f"{size}B"


@dataclass(frozen=True, slots=True)
class Limits:
    """How much decompressed data one member and the whole run may produce, and
    whether our own reports and tables are read (``--include-own-reports``)."""

    max_member: int = DEFAULT_MAX_MEMBER
    max_total: int = DEFAULT_MAX_TOTAL
    max_ratio: int = DEFAULT_MAX_RATIO
    read_own_outputs: bool = False


class Budget:
    """Decompressed bytes of the whole run (shared by the threads that read loose files)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    @property
    def exhausted(self) -> bool:
        return self.used > self.limit

    def spend(self, size: int) -> None:
        with self._lock:
            self.used += size
        if self.used > self.limit:
            raise UnsafeInputError(
                f"the run decompressed more than {format_size(self.limit)} in total "
                "(raise --max-total-size to read further)"
            )


# --------------------------------------------------------------------------- magic bytes


def compression_of(head: bytes) -> str | None:
    if head.startswith(GZIP_MAGIC):
        return "gzip"
    if head.startswith(zstd.MAGIC):
        return "zstd"
    if head.startswith(XZ_MAGIC):
        return "xz"
    if BZIP2_MAGIC.match(head):
        return "bzip2"
    return None


def is_zip(head: bytes) -> bool:
    return head.startswith(ZIP_MAGICS)


def is_tar(head: bytes) -> bool:
    """POSIX and GNU tar headers carry ``ustar`` at offset 257 (pre-POSIX v7 tars are not read)."""
    return head[257:262] == b"ustar"


def decompressing(raw: BinaryIO, compression: str | None) -> BinaryIO:
    """Wrap a raw stream so that reads return decompressed bytes."""
    if compression == "gzip":
        return cast(BinaryIO, GzipMembers(raw))
    if compression == "zstd":
        return cast(BinaryIO, io.BufferedReader(zstd.ZstdFrames(raw)))
    # Both read every concatenated stream, as xz and bzip2 themselves do.
    if compression == "xz":
        return cast(BinaryIO, lzma.LZMAFile(raw, mode="rb", format=lzma.FORMAT_XZ))
    if compression == "bzip2":
        return cast(BinaryIO, bz2.BZ2File(raw, mode="rb"))
    return raw


# --------------------------------------------------------------------------- streams


class _Tap(io.RawIOBase):
    """The stored bytes of one input as they pass: counted and hashed once each."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self._hash = hashlib.sha256()
        self._pending = b""
        self.count = 0

    def readable(self) -> bool:
        return True

    def _pull(self, size: int) -> bytes:
        data = self._raw.read(size)
        self._hash.update(data)
        self.count += len(data)
        return data

    def peek_head(self, size: int) -> bytes:
        while len(self._pending) < size:
            block = self._pull(size - len(self._pending))
            if not block:
                break
            self._pending += block
        return self._pending[:size]

    def read(self, size: int | None = -1) -> bytes:
        if self._pending:
            cut = len(self._pending) if size is None or size < 0 else size
            out, self._pending = self._pending[:cut], self._pending[cut:]
            return out
        return self._pull(-1 if size is None else size)

    def digest(self) -> str:
        """sha256 of every stored byte: what was not read yet is read (and dropped) now."""
        while self._pull(_READ_BLOCK):
            pass
        return self._hash.hexdigest()

    def close(self) -> None:
        self._raw.close()
        super().close()


class Guard(io.RawIOBase):
    """Decompressed bytes, counted against the member limit, the run budget and the ratio.

    ``source`` is the stored stream the bytes come from; without it (zip
    members, whose declared sizes were checked up front) no ratio is judged.
    """

    def __init__(
        self, inner: BinaryIO, limits: Limits, budget: Budget, source: _Tap | None = None
    ) -> None:
        self._inner = inner
        # read1: one decompression step at a time, so a truncated stream gives
        # up everything before the cut instead of failing the whole read.
        self._step: Callable[[int], bytes] = getattr(inner, "read1", inner.read)
        self._limits = limits
        self._budget = budget
        self._source = source
        self._failed: Exception | None = None
        self.produced = 0
        # An archive's own stream is no member: its members are limited one by one.
        self.is_member = True

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            # Never one unbounded read: a bomb would be in memory before any check.
            return b"".join(iter(lambda: self.read(_READ_BLOCK), b""))
        if self._failed is not None:
            raise self._failed
        parts: list[bytes] = []
        got = 0
        while got < size:
            try:
                block = self._step(size - got)
            except READ_ERRORS as exc:
                if not parts:
                    raise
                self._failed = exc  # raised on the next read, after this data is used
                break
            if not block:
                break
            parts.append(block)
            got += len(block)
        data = parts[0] if len(parts) == 1 else b"".join(parts)
        self.produced += len(data)
        limits = self._limits
        if self.is_member and self.produced > limits.max_member:
            raise UnsafeInputError(
                f"more than {format_size(limits.max_member)} decompressed "
                "(raise --max-member-size to read it)"
            )
        if (
            self._source is not None
            and self.is_member
            and self.produced > RATIO_FLOOR
            and self.produced > limits.max_ratio * max(self._source.count, 1)
        ):
            raise UnsafeInputError(
                f"compression ratio above {limits.max_ratio}:1 after "
                f"{format_size(self.produced)} (a decompression bomb?)"
            )
        self._budget.spend(len(data))
        return data

    @property
    def notes(self) -> list[str]:
        """What the decompressor read past (a gzip reader's damaged members)."""
        return list(getattr(self._inner, "notes", []))

    def close(self) -> None:
        self._inner.close()
        super().close()


class Content(io.RawIOBase):
    """One input as the scanner reads it: decompressed by its magic bytes, guarded,
    with the sha256 of its stored bytes.  ``read(n)`` returns ``n`` bytes unless
    the end is reached."""

    def __init__(self, raw: BinaryIO, limits: Limits, budget: Budget) -> None:
        self._tap = _Tap(raw)
        self.compression = compression_of(self._tap.peek_head(MAGIC_BYTES))
        self._stream: BinaryIO = cast(BinaryIO, self._tap)
        self._guard: Guard | None = None
        if self.compression is not None:
            inner = decompressing(cast(BinaryIO, self._tap), self.compression)
            self._guard = Guard(inner, limits, budget, self._tap)
            self._stream = cast(BinaryIO, self._guard)
        self._pending = b""

    def as_archive(self) -> Content:
        """This stream is a compressed archive: its members, not it, meet the member
        limit and the ratio check (see :class:`MemberRatio`)."""
        if self._guard is not None:
            self._guard.is_member = False
        return self

    def readable(self) -> bool:
        return True

    def peek(self, size: int = HEAD_BYTES) -> bytes:
        """The first ``size`` bytes, kept for the next read."""
        while len(self._pending) < size:
            block = self._stream.read(size - len(self._pending))
            if not block:
                break
            self._pending += block
        return self._pending[:size]

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_READ_BLOCK), b""))
        if not self._pending:
            data = self._stream.read(size)
            if len(data) == size or not data:
                return data  # the usual case: no copy
            self._pending = data
        parts = [self._pending[:size]]
        self._pending = self._pending[size:]
        missing = size - len(parts[0])
        while missing > 0:
            try:
                block = self._stream.read(missing)
            except READ_ERRORS:
                if not parts[0] and len(parts) == 1:
                    raise
                break  # what was read is returned; the stream raises again on the next read
            if not block:
                break
            parts.append(block)
            missing -= len(block)
        return b"".join(parts)

    def digest(self) -> str:
        return self._tap.digest()

    @property
    def notes(self) -> list[str]:
        """Damage the decompressor read past (gzip_members.GzipMembers.notes)."""
        return self._guard.notes if self._guard is not None else []

    def stored(self) -> int:
        """Stored (compressed) bytes read so far."""
        return self._tap.count

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            self._tap.close()
        super().close()


class MemberRatio(io.RawIOBase):
    """One tar member's bytes, judged against the stored bytes read while it streamed.

    A compressed tar is one stream: without this, one very compressible member
    trips the ratio of the whole archive and every later member is lost.
    """

    def __init__(self, inner: BinaryIO, stored: Callable[[], int], limits: Limits) -> None:
        self._inner = inner
        self._stored = stored
        self._start = stored()
        self._limits = limits
        self.produced = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(_READ_BLOCK), b""))
        data = self._inner.read(size)
        self.produced += len(data)
        ratio = self._limits.max_ratio
        if self.produced > RATIO_FLOOR and self.produced > ratio * max(
            self._stored() - self._start, 1
        ):
            raise UnsafeInputError(
                f"compression ratio above {ratio}:1 after {format_size(self.produced)} "
                "(a decompression bomb?); the archive's other members are still read"
            )
        return data

    def close(self) -> None:
        self._inner.close()
        super().close()


# --------------------------------------------------------------------------- members


@dataclass(frozen=True, slots=True)
class Member:
    """One regular file inside an archive, as stored."""

    name: str
    size: int
    mtime: datetime | None  # aware for tar; naive local time for zip (zip stores no zone)
    open: Callable[[], BinaryIO]  # tar streams: valid only until the next member


def readable_name(name: str) -> str:
    """A name as text on one line: the bytes of a stored name that are not UTF-8
    (Python keeps them as lone surrogates, which no table or terminal can hold)
    shown as ``�`` (a tar member's damaged header, a Latin-1 file name: a
    traceback before), and so are its control characters, a newline among them
    (Z225: a member name forged whole warning lines and table rows)."""
    return one_line(name.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))


def clean_name(name: str) -> str:
    """``./a//b`` → ``a/b``; Windows separators become ``/``; bytes that are no
    UTF-8 as ``�`` (:func:`readable_name`)."""
    parts = [p for p in re.split(r"[/\\]+", readable_name(name)) if p not in ("", ".")]
    return "/".join(parts)


def unsafe_name(name: str) -> str | None:
    """Why an extractor would refuse this member name, or None."""
    if name.startswith(("/", "\\")) or _DRIVE.match(name):
        return "absolute path"
    if ".." in re.split(r"[/\\]+", name):
        return "path with '..' that leaves the bundle"
    return None


def tar_members(
    stream: BinaryIO,
    label: str,
    prefix: str,
    limits: Limits,
    warn: Warn,
    stored: Callable[[], int] | None = None,
) -> Iterator[Member]:
    """The regular members of a tar stream, in order; refused ones are reported.

    ``stored`` counts the compressed bytes under a compressed tar, so that
    each member's compression ratio is judged on its own.
    """
    try:
        # Not a `with`: the archive is read while this generator is suspended,
        # and closing a stream-mode TarFile does not close the caller's stream.
        archive = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115
    except READ_ERRORS as exc:
        warn(f"{label}: not a readable tar archive ({exc}); skipped")
        return
    read = 0
    try:
        for info in archive:
            refusal = unsafe_name(info.name) or _tar_refusal(info, limits)
            if refusal is not None:
                # As stored, but as text: no cleaning.
                warn(f"{prefix}{readable_name(info.name)}: skipped: {refusal}")
                continue
            if info.isdir():
                continue
            read += 1

            def opener(info: tarfile.TarInfo = info) -> BinaryIO:
                member = cast(BinaryIO, archive.extractfile(info))
                if stored is None:
                    return member
                return cast(BinaryIO, MemberRatio(member, stored, limits))

            yield Member(
                name=clean_name(info.name),
                size=info.size,
                mtime=_tar_time(info),
                open=opener,
            )
    except UnsafeInputError as exc:
        warn(f"{label}: reading stopped after {read} member(s): {exc}")
    except READ_ERRORS as exc:
        warn(
            f"{label}: archive truncated or corrupt after {read} member(s) ({exc}); "
            "what was read is kept"
        )


def _tar_refusal(info: tarfile.TarInfo, limits: Limits) -> str | None:
    if info.issym():
        return f"symbolic link to {readable_name(info.linkname)} (links are never followed)"
    if info.islnk():
        return f"hard link to {readable_name(info.linkname)} (links are never followed)"
    if info.ischr() or info.isblk() or info.isfifo():
        return "device or special file"
    if info.issparse():
        return "sparse file (its declared size is not its stored size)"
    if not (info.isreg() or info.isdir()):
        return "not a regular file"
    if info.size > limits.max_member:
        return _over_limit(info.size, limits)
    return None


def _over_limit(size: int, limits: Limits) -> str:
    return (
        f"{format_size(size)}, over the member limit of {format_size(limits.max_member)} "
        "(raise --max-member-size to read it)"
    )


def zip_members(
    archive: zipfile.ZipFile, prefix: str, limits: Limits, budget: Budget, warn: Warn
) -> Iterator[Member]:
    """The regular members of a zip, in directory order; refused ones are reported."""
    for info in archive.infolist():
        if info.is_dir():
            continue
        refusal = unsafe_name(info.filename) or _zip_refusal(info, limits)
        if refusal is not None:
            warn(f"{prefix}{readable_name(info.filename)}: skipped: {refusal}")
            continue

        def opener(info: zipfile.ZipInfo = info) -> BinaryIO:
            return cast(BinaryIO, Guard(cast(BinaryIO, archive.open(info)), limits, budget))

        yield Member(
            name=clean_name(info.filename),
            size=info.file_size,
            mtime=_zip_time(info),
            open=opener,
        )


def _zip_refusal(info: zipfile.ZipInfo, limits: Limits) -> str | None:
    # The high half of external_attr is a Unix mode only when a Unix host made the zip.
    mode = info.external_attr >> 16 if info.create_system == 3 else 0
    if stat.S_ISLNK(mode):
        return "symbolic link (links are never followed)"
    if stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        return "device or special file"
    if info.flag_bits & 0x1:
        return "encrypted"
    if info.file_size > limits.max_member:
        return _over_limit(info.file_size, limits)
    # The declared sizes bound what zipfile will ever produce for this member.
    if info.file_size > RATIO_FLOOR and info.file_size > limits.max_ratio * max(
        info.compress_size, 1
    ):
        ratio = info.file_size // max(info.compress_size, 1)
        return f"compression ratio {ratio}:1 (a zip bomb?)"
    return None


def _tar_time(info: tarfile.TarInfo) -> datetime | None:
    """A member's mtime; None when the header's number is no instant (hostile or
    damaged: it says nothing of the evidence, so the member is still read)."""
    try:
        return datetime.fromtimestamp(info.mtime, UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _zip_time(info: zipfile.ZipInfo) -> datetime | None:
    try:
        return datetime(*info.date_time)
    except ValueError:
        return None


def read_bounded(stream: BinaryIO, limit: int) -> bytes | None:
    """All of ``stream`` if it holds at most ``limit`` bytes, else None."""
    data = stream.read(limit + 1)
    return data if len(data) <= limit else None
