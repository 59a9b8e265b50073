"""Scanning one input: a structured document, or a log.

The first 64 KiB decide.  A document (parsers/documents.toml) claims a whole
file and is read by its code hook (:mod:`lockforensics.parsing.document_scan`).
Anything else is a log, streamed through the chunk engine
(:mod:`lockforensics.parsing.chunks`), which settles high-volume lines in bulk
(:mod:`lockforensics.parsing.vector`) and hands the rest to the per-line reader
(:mod:`lockforensics.parsing.lines`).
"""

from __future__ import annotations

import io
import re
from typing import BinaryIO, cast

from lockforensics.ingest.bundle import READ_ERRORS, Input
from lockforensics.ingest.containers import Content
from lockforensics.parsing.chunks import SNIFF_BYTES, LogEngine, ProgressHook
from lockforensics.parsing.document_scan import DOCUMENT_LIMIT, DocumentReader
from lockforensics.parsing.documents import DocumentCatalog, load_documents
from lockforensics.parsing.envelopes import EnvelopeCatalog, load_envelopes
from lockforensics.parsing.filescan import FileScan
from lockforensics.parsing.lines import LineReader
from lockforensics.parsing.signatures import Catalog, load_catalog
from lockforensics.parsing.timestamps import FileClock, date_from_name
from lockforensics.parsing.vector import VectorPlan

# Lines the clock must see even though no signature wants them.
CLOCK_LITERALS = ("-- Logs begin at", "-- Journal begins at")
_META_CHARS = frozenset("\\.+*?()|[]{}^$#&-~")


def literal_regex(literals: tuple[str, ...]) -> str:
    """One alternation of literals, escaped for both Rust and Python regex."""
    return "|".join("".join("\\" + c if c in _META_CHARS else c for c in lit) for lit in literals)


class Scanner:
    """Scans inputs with one document, envelope and signature catalog.

    ``vectorised=False`` reads every candidate line one at a time: the
    reference the vectorised engine is tested against.
    """

    def __init__(
        self,
        catalog: Catalog | None = None,
        envelopes: EnvelopeCatalog | None = None,
        documents: DocumentCatalog | None = None,
        vectorised: bool = True,
    ) -> None:
        self.catalog = catalog or load_catalog()
        self.envelopes = envelopes or load_envelopes()
        self.candidate_re = literal_regex(self.catalog.literals + CLOCK_LITERALS)
        candidate_py = re.compile(self.candidate_re)
        self.lines = LineReader(self.catalog, self.envelopes.unclassified)
        plan = VectorPlan(self.catalog, self.candidate_re) if vectorised else None
        self.logs = LogEngine(self.envelopes, self.lines, self.candidate_re, plan)
        self.documents = DocumentReader(
            documents or load_documents(),
            self.envelopes,
            self.lines,
            lambda text: candidate_py.search(text) is not None,
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
                result.sha256 = _digest(stream)
        except READ_ERRORS as exc:
            result.warnings.append(f"{item.name}: skipped: {exc}")
        if clock.header_offset is not None:
            result.header_offset = clock.header_offset
            result.header_zone = clock.header_abbr
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
        if b"\x00" in head[:8192]:
            result.warnings.append(f"{item.name}: skipped: binary content")
            return
        data = head
        if self.documents.claims(item.name, head):
            if len(head) == SNIFF_BYTES:
                data += stream.read(DOCUMENT_LIMIT + 1 - len(head))
            if len(data) <= DOCUMENT_LIMIT and self.documents.read(
                item.name, data, item.mtime, bundle_year, clock, result, self.logs.tail
            ):
                if progress is not None:
                    progress(len(data))
                return
        joined = _prepend(data, cast(BinaryIO, stream))
        result.envelope = self.logs.scan(joined, data[:SNIFF_BYTES], clock, result, progress).name


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
                out, self._head = self._head, b""
                return out
            return stream.read(size)

    return _Joined()  # type: ignore[return-value]  # only read() is used
