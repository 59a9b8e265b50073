"""Reading an input as a structured document (parsers/documents.toml), with its accounting.

A document hook claims a whole file and says which of its lines it read.
Lines it did not read still go through the signatures, so a document pasted
among log lines (a ticket, a chat) cannot swallow them; a log tail after the
document is scanned as a log.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

from lockforensics.parsing.documents import Document, DocumentCatalog, Parsed
from lockforensics.parsing.documents.timing import name_stamp, when_from_stamp
from lockforensics.parsing.envelopes import EnvelopeCatalog, sniff
from lockforensics.parsing.fields import derive
from lockforensics.parsing.filescan import SAMPLE_LIMIT, FileScan
from lockforensics.parsing.lines import LineReader
from lockforensics.parsing.timestamps import FileClock

#: Documents are read whole; a larger file that sniffs like one is read as a log.
DOCUMENT_LIMIT = 8 << 20
#: How much of a file decides what it is.
SNIFF_HEAD = 64 << 10

#: Scans a log tail: (stream, clock, result, first line number - 1).
LogTail = Callable[[BinaryIO, FileClock, FileScan, int], None]


class DocumentReader:
    """Tries the document hooks on an input and accounts for the one that claims it."""

    def __init__(
        self,
        documents: DocumentCatalog,
        envelopes: EnvelopeCatalog,
        lines: LineReader,
        candidate: Callable[[str], bool],
    ) -> None:
        self.documents = documents
        self.envelopes = envelopes
        self.lines = lines
        self.candidate = candidate

    def claims(self, name: str, head: bytes) -> bool:
        return bool(self.documents.candidates(name, head.decode("utf-8", "replace")))

    def read(
        self,
        name: str,
        data: bytes,
        bundle_year: int | None,
        clock: FileClock,
        result: FileScan,
        log_tail: LogTail,
    ) -> bool:
        """Read ``data`` as the first document that parses it; False when none does."""
        candidates = self.documents.candidates(name, data[:SNIFF_HEAD].decode("utf-8", "replace"))
        doc = Document.of(name, data.decode("utf-8", "replace"), bundle_year)
        for spec in candidates:
            parsed = spec.parse(doc)
            if parsed is not None:
                result.envelope = spec.name
                self._account(doc, spec.name, parsed, clock, result, log_tail)
                return True
        return False

    def _account(
        self,
        doc: Document,
        name: str,
        parsed: Parsed,
        clock: FileClock,
        result: FileScan,
        log_tail: LogTail,
    ) -> None:
        """Line accounting and rows of a document; a log tail is scanned as a log."""
        count = parsed.tail_from - 1 if parsed.tail_from else len(doc.lines)
        events = {n for n in parsed.event_lines if 1 <= n <= count}
        events |= self._stray_logs(doc, count, events | parsed.known_lines, clock, result)
        unrecognized = {n for n in parsed.unrecognized if 1 <= n <= count} - events
        result.lines += count
        result.event_lines += len(events)
        result.unrecognized += len(unrecognized)
        result.noise_lines += count - len(events) - len(unrecognized)
        for number in sorted(unrecognized)[:SAMPLE_LIMIT]:
            result.unrecognized_samples.append((number, doc.lines[number - 1]))
        for number in range(1, count + 1):
            text = doc.lines[number - 1]
            if number in events or number in parsed.known_lines:
                continue
            if self.lines.relevant_re.search(text):
                result.relevant_line(number, text)
        for row in parsed.rows:
            derive(row)
            row.setdefault("hit", 0)
            row.setdefault("signature", name)
            row.update(envelope=name, channel="document", echo_role="document")
            row["source"] = result.source
            result.rows.append(row)
        result.facts.update(parsed.facts)
        result.warnings.extend(parsed.warnings)
        if parsed.tail_from and count < len(doc.lines):
            tail = ("\n".join(doc.lines[count:]) + "\n").encode()
            log_tail(io.BytesIO(tail), clock, result, count)

    def _stray_logs(
        self, doc: Document, count: int, read: set[int], clock: FileClock, result: FileScan
    ) -> set[int]:
        """Read the candidate lines a hook left unread; return those that became
        events (the caller counts them).  The rest keep the document's own
        classification."""
        numbers = [
            n for n in range(1, count + 1) if n not in read and self.candidate(doc.lines[n - 1])
        ]
        if not numbers:
            return set()
        env = sniff([doc.lines[n - 1] for n in numbers], self.envelopes)
        before = len(result.rows)
        found = {n for n in numbers if self.lines.emit(n, doc.lines[n - 1], env, clock, result)}
        # A line the command printed with no stamp (doctor's version banner) was
        # printed when the command ran: the time the document's name gives.
        named = name_stamp(doc.name)
        if named is not None:
            when = when_from_stamp(named, "the name of the document it is printed in")
            for row in result.rows[before:]:
                if row.get("ts") is None and "_local" not in row and "_yearless" not in row:
                    row.update(when)
        return found
