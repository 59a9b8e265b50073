"""Scanning one input: a structured document, or a log.

The first 64 KiB decide.  A document (parsers/documents.toml) claims a whole
file and is read by its code hook (:mod:`lockforensics.parsing.document_scan`).
Anything else is a log, streamed through the chunk engine
(:mod:`lockforensics.parsing.chunks`), which settles high-volume lines in bulk
(:mod:`lockforensics.parsing.vector`) and hands the rest to the per-line reader
(:mod:`lockforensics.parsing.lines`).
"""

from __future__ import annotations

import codecs
import io
import re
from typing import BinaryIO, cast

from lockforensics.ingest.bundle import READ_ERRORS, Input
from lockforensics.ingest.containers import Content
from lockforensics.parsing.chunks import CHUNK_BYTES, SNIFF_BYTES, LogEngine, ProgressHook
from lockforensics.parsing.document_scan import DOCUMENT_LIMIT, DocumentReader
from lockforensics.parsing.documents import DocumentCatalog, load_documents
from lockforensics.parsing.envelopes import EnvelopeCatalog, load_envelopes, on_screen
from lockforensics.parsing.filescan import FileScan
from lockforensics.parsing.journal_export import EXPORT, ExportLines, is_export
from lockforensics.parsing.lines import LineReader
from lockforensics.parsing.literals import CLOCK_LITERALS, literal_regex
from lockforensics.parsing.signatures import Catalog, load_catalog
from lockforensics.parsing.timestamps import FileClock, date_from_name
from lockforensics.parsing.vector import VectorPlan
from lockforensics.spill import Spill


class Scanner:
    """Scans inputs with one document, envelope and signature catalog.

    ``vectorised=False`` reads every candidate line one at a time: the
    reference the vectorised engine is tested against.  ``spill``: where the
    engine writes high-volume rows as it reads them (lockforensics/spill.py).
    """

    def __init__(
        self,
        catalog: Catalog | None = None,
        envelopes: EnvelopeCatalog | None = None,
        documents: DocumentCatalog | None = None,
        vectorised: bool = True,
        spill: Spill | None = None,
    ) -> None:
        self.catalog = catalog or load_catalog()
        self.envelopes = envelopes or load_envelopes()
        literals = self.catalog.literals + CLOCK_LITERALS
        self.candidate_re = literal_regex(literals)
        self.lines = LineReader(self.catalog, self.envelopes)
        plan = VectorPlan(self.catalog, self.candidate_re) if vectorised else None
        self.logs = LogEngine(self.envelopes, self.lines, literals, plan, spill)
        self.documents = DocumentReader(
            documents or load_documents(),
            self.envelopes,
            self.lines,
            lambda text: self.logs.candidate.search(text) is not None,
        )

    def scan(
        self, item: Input, bundle_year: int | None = None, progress: ProgressHook | None = None
    ) -> FileScan:
        result = FileScan(
            source=item.name, size=item.size, compression=item.compression, packing=item.packing
        )
        clock = FileClock(
            name_date=date_from_name(item.name.rsplit("/", 1)[-1]), bundle_year=bundle_year
        )
        try:
            with item.opener() as stream:
                try:
                    self._read(stream, item, clock, result, bundle_year, progress)
                except READ_ERRORS as exc:
                    # Truncated, corrupt or refused data: keep what was read, say so.
                    result.warnings.append(f"{item.name}: read stopped early: {exc}")
                # Damage read past (a gzip member cut short, its CRC wrong).
                result.warnings.extend(f"{item.name}: {note}" for note in stream.notes)
                result.sha256 = _digest(stream)
        except READ_ERRORS as exc:
            result.warnings.append(f"{item.name}: skipped: {exc}")
        if clock.header_offset is not None:
            result.header_offset = clock.header_offset
            result.header_from, result.header_abbr = clock.header_from, clock.header_abbr
            result.header_at = clock.header_at
        return result

    def _read(
        self,
        stream: Content,
        item: Input,
        clock: FileClock,
        result: FileScan,
        bundle_year: int | None,
        progress: ProgressHook | None,
    ) -> None:
        head = stream.read(SNIFF_BYTES)
        if head and not head.strip(b"\x00"):
            head, skipped = _past_nul(head, cast(BinaryIO, stream))
            if skipped:
                result.warnings.append(
                    f"{item.name}: its first {skipped:,} bytes are NUL, read past (a file "
                    "truncated under a writer that kept its offset: logrotate's copytruncate?)"
                )
        source: BinaryIO = cast(BinaryIO, stream)
        encoding = _bom_encoding(head)
        if encoding is not None:
            # UTF-16 (Windows PowerShell redirects write it): read as UTF-8 from here on.
            source = cast(BinaryIO, _Transcoded(_prepend(head, source), encoding))
            head = source.read(SNIFF_BYTES)
            result.warnings.append(f"{item.name}: read as {encoding} (byte order mark)")
        elif head.startswith(BOM_UTF8):
            head = head[len(BOM_UTF8) :]
        if is_export(head):
            # Binary-safe framing, read as the `-o json` lines it stands for
            # (its binary values' lengths would otherwise read as binary content).
            source = cast(BinaryIO, ExportLines(_prepend(head, source)))
            head = source.read(SNIFF_BYTES)
            result.packing = f"{result.packing} > {EXPORT}" if result.packing else EXPORT
        binary = _binary(head)
        if binary:
            result.warnings.append(f"{item.name}: skipped: {binary}")
            result.envelope = BINARY  # the manifest's format: not read as text at all
            return
        if head.count(b"\r") > 1 and b"\n" not in head:
            # Classic Mac line ends (a paste saved by an old editor): read as
            # one line, its lock errors were lost without a word.
            source = cast(BinaryIO, _CrLines(_prepend(head, source)))
            head = source.read(SNIFF_BYTES)
            result.warnings.append(f"{item.name}: lines end in a CR alone; read as lines")
        if TRANSCRIPT.match(head):
            _count_transcript(head, source, result, progress)
            return
        data = head
        # A saved terminal's commands are read as the screen showed them: its
        # prompts and output carry colours, titles and bracketed-paste modes.
        screen = b"\x1b" in head
        seen = _on_screen(head) if screen else head
        claimed = self.documents.claims(item.name, seen)
        runtime = None if claimed else self._runtime(seen)
        if claimed or runtime is not None:
            if len(head) == SNIFF_BYTES:
                data += source.read(DOCUMENT_LIMIT + 1 - len(head))
            document = _on_screen(data) if screen else data
            document = document if runtime is None else _unwrapped(runtime, document)
            if len(data) <= DOCUMENT_LIMIT and self.documents.read(
                item.name, document, bundle_year, clock, result, self.logs.tail
            ):
                if runtime is not None:
                    result.warnings.append(
                        f"{item.name}: read as {result.envelope} inside the container "
                        "runtime's stamps (docker logs -t, kubectl logs --timestamps)"
                    )
                if progress is not None:
                    progress(len(data))
                return
        joined = _prepend(data, source)
        self.logs.scan(joined, clock, result, progress)

    def _runtime(self, head: bytes) -> re.Pattern[str] | None:
        """The container runtime envelope whose stamp opens every line of ``head``
        (`docker logs -t`, `kubectl logs --timestamps` of one container) when,
        taken off, what is left is a document (a CLI's output in a maintenance
        sidecar's log)."""
        lines = [line for line in head.decode("utf-8", "replace").splitlines() if line.strip()]
        if len(head) == SNIFF_BYTES:
            lines = lines[:-1]  # cut by the sniff, not by its writer
        if not lines:
            return None
        for env in self.envelopes.envelopes:
            # One container's capture only: `docker compose logs` interleaves the
            # gateway's console with a sidecar's, and reads as the gateway's log.
            groups = env.regex.groupindex
            if env.stamp != "runtime" or "rest" not in groups or "host" in groups:
                continue
            if all(_runtime_rest(env.regex, line) is not None for line in lines):
                inner = "\n".join(str(_runtime_rest(env.regex, line)) for line in lines)
                if self.documents.claims("", inner.encode()):
                    return env.regex
                return None
        return None


#: A session transcript (``agents/<id>/sessions/<id>.jsonl``, openclaw-formats §7):
#: the conversation, not the gateway's output.  Gathering a sessions folder for
#: its lock files brings them along; read as text, a user's message quoting a
#: lock error was counted as one.  Its lines are counted as known noise, unread.
TRANSCRIPT = re.compile(
    rb'\s*\{\s*"type"\s*:\s*"(?:session|message|model_change|thinking_level_change|custom|'
    rb'custom_message|compaction|branch_summary)"\s*,'
)
TRANSCRIPT_FORMAT = "session-transcript"


def _count_transcript(
    head: bytes, source: BinaryIO, result: FileScan, progress: ProgressHook | None
) -> None:
    """Count a transcript's lines as noise, reading it through for its hash."""
    result.envelope = TRANSCRIPT_FORMAT
    lines, last = head.count(b"\n"), head[-1:]
    total = len(head)
    while block := source.read(CHUNK_BYTES):
        lines += block.count(b"\n")
        last = block[-1:]
        total += len(block)
    lines += bool(last) and last != b"\n"
    result.lines = result.noise_lines = lines
    if progress is not None:
        progress(total)


BOM_UTF8 = b"\xef\xbb\xbf"
#: The format of an input skipped for binary content (a `.journal` file, an image).
BINARY = "binary"
_BOMS_UTF16 = {b"\xff\xfe": "utf-16-le", b"\xfe\xff": "utf-16-be"}
#: Control bytes that text logs do carry (tab, newline, CR, form feed, escape).
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1b")


def _bom_encoding(head: bytes) -> str | None:
    return next((enc for bom, enc in _BOMS_UTF16.items() if head.startswith(bom)), None)


def _past_nul(head: bytes, stream: BinaryIO) -> tuple[bytes, int]:
    """A head of NUL bytes only: the head past them, and how many there were.
    logrotate's `copytruncate` under a writer that keeps its offset (a `>`
    redirect) leaves the live file a hole as long as the copy, then the new
    lines: a hole of 64 KiB or more had made the whole file "binary content"
    (Z208).  A file of NULs only keeps its head (and stays binary content)."""
    skipped = 0
    block = head
    while block and not block.strip(b"\x00"):
        skipped += len(block)
        block = stream.read(SNIFF_BYTES)
    if not block:
        return head, 0
    rest = block.lstrip(b"\x00")
    skipped += len(block) - len(rest)
    more = stream.read(SNIFF_BYTES - len(rest)) if len(rest) < SNIFF_BYTES else b""
    return rest + more, skipped


def _binary(head: bytes) -> str | None:
    """What binary content the input holds, if it does: a file of a known binary
    format by its magic bytes, else over a tenth of the bytes that are not NUL
    control bytes or broken UTF-8.  NUL runs alone do not count: a
    crash-truncated log is text with a hole in it (chunks._clean reads around
    them).  A lease-era state directory's SQLite files hold the transcripts'
    text, quoted lock errors and all, between their page bytes: read as text
    they had made 46 lock timeouts of one quoted line (Z164)."""
    known = next((what for magic, what in _MAGIC.items() if head.startswith(magic)), None)
    if known is not None:
        return known
    body = head.replace(b"\x00", b"")
    if not body:
        return "binary content" if head else None
    controls = sum(1 for b in body if b < 0x20 and b not in _TEXT_CONTROLS)
    broken = body.decode("utf-8", "replace").count("\ufffd")
    return "binary content" if (controls + broken) * 10 > len(body) else None


#: Binary formats known by their magic bytes: a state directory's, mostly text
#: inside (sqlite.org/fileformat2.html: the database header, the WAL header in
#: either checksum byte order, the rollback journal header), and archives.
_MAGIC = {
    b"SQLite format 3\x00": (
        "binary content (an SQLite database; `lockforensics locks` reads its leases)"
    ),
    b"\x37\x7f\x06\x82": "binary content (an SQLite write-ahead log)",
    b"\x37\x7f\x06\x83": "binary content (an SQLite write-ahead log)",
    b"\xd9\xd5\x05\xf9\x20\xa1\x63\xd7": "binary content (an SQLite rollback journal)",
    # Archives no library of ours opens: said, so the operator extracts them
    # (Z171: a 7-Zip archive holding a burst's only copy was "binary content").
    b"7z\xbc\xaf\x27\x1c": "a 7-Zip archive, not read (extract it and add its files)",
    b"Rar!\x1a\x07": "a RAR archive, not read (extract it and add its files)",
}


class _Transcoded(io.RawIOBase):
    """A UTF-16 stream read as UTF-8 bytes, decoded incrementally."""

    def __init__(self, stream: BinaryIO, encoding: str) -> None:
        self._stream = stream
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
        self._pending = b""
        self._started = False

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        want = size if size >= 0 else 1 << 62
        while len(self._pending) < want:
            block = self._stream.read(1 << 20)
            text = self._decoder.decode(block, final=not block)
            if not self._started and text:
                text, self._started = text.removeprefix("\ufeff"), True
            self._pending += text.encode("utf-8")
            if not block:
                break
        out, self._pending = self._pending[:want], self._pending[want:]
        return out


class _CrLines(io.RawIOBase):
    """A stream whose lines end in a CR alone, read with LF line ends."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size).replace(b"\r", b"\n")


def _on_screen(data: bytes) -> bytes:
    """A terminal capture's text as the screen showed it (as the chunk engine
    reads a log's): colours, titles and modes taken off, and of a line that a
    carriage return went back over, what was written last.  The line count stays."""
    lines = data.decode("utf-8", "replace").split("\n")
    return "\n".join(on_screen(line) for line in lines).encode()


def _unwrapped(runtime: re.Pattern[str], data: bytes) -> bytes:
    """Each line of ``data`` without the runtime's stamp before it (a line it does
    not fit is kept whole); the line count stays."""
    lines = data.decode("utf-8", "replace").split("\n")
    kept = [rest if (rest := _runtime_rest(runtime, line)) is not None else line for line in lines]
    return "\n".join(kept).encode()


def _runtime_rest(runtime: re.Pattern[str], line: str) -> str | None:
    """What the runtime captured after its stamp; a stamp alone (an empty line of
    output, its trailing space trimmed) holds "".  None: the line has no stamp."""
    m = runtime.match(line) or runtime.match(line.rstrip("\r") + " ")
    return None if m is None else str(m["rest"] or "")


def _digest(stream: Content) -> str | None:
    try:
        return stream.digest()
    except READ_ERRORS:
        return None


def _prepend(head: bytes, stream: BinaryIO) -> BinaryIO:
    """A stream that yields ``head`` and then the rest of ``stream``."""

    class _Joined(io.RawIOBase):
        def __init__(self) -> None:
            self._head = head

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            if self._head:
                cut = len(self._head) if size < 0 else size
                out, self._head = self._head[:cut], self._head[cut:]
                return out
            return stream.read(size)

    return _Joined()  # type: ignore[return-value]  # only read() is used
