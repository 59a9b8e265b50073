"""Scanning one input: a structured document, or a log read line by line.

The first 64 KiB decide.  A document (parsers/documents.toml) claims a
whole file and is read by its code hook.  Anything else is a log: its
envelope is sniffed from content and it is streamed in chunks.  For every
chunk, polars (Rust) does the line-level work for all lines at once: one
regex built from the signatures' literals picks candidate lines, the
envelope's own pattern tells known noise from unrecognised text, and the
lock vocabulary flags lines worth a look that no signature read.  Only
candidates reach Python for JSON decoding and signature matching, so the
per-line cost of irrelevant lines stays in Rust.

Every line ends up exactly one of: part of an event, known noise, or
unrecognised (the first few kept as samples).
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any, BinaryIO, cast

import polars as pl

from lockforensics.ingest.bundle import READ_ERRORS, Input
from lockforensics.ingest.containers import Content
from lockforensics.parsing.documents import Document, DocumentCatalog, Parsed, load_documents
from lockforensics.parsing.envelopes import (
    PLAIN,
    EnvelopeCatalog,
    EnvelopeSpec,
    Record,
    load_envelopes,
    parse_plain,
    sniff,
)
from lockforensics.parsing.fields import derive
from lockforensics.parsing.signatures import Catalog, load_catalog
from lockforensics.parsing.timestamps import FileClock, Stamp, date_from_name, format_offset
from lockforensics.schema import TimeQuality

CHUNK_BYTES = 16 << 20
SEPARATOR = b"\x1f"
SNIFF_BYTES = 64 << 10
#: Documents are read whole; a larger file that sniffs like one is read as a log.
DOCUMENT_LIMIT = 8 << 20
SAMPLE_LIMIT = 5
ANSI_RE = r"\x1b\[[0-9;?]*[ -/]*[@-~]"
# Lines the clock must see even though no signature wants them.
CLOCK_LITERALS = ("-- Logs begin at", "-- Journal begins at")
_META_CHARS = frozenset("\\.+*?()|[]{}^$#&-~")
_PY_ANSI = re.compile(ANSI_RE)

ProgressHook = Callable[[int], None]


def literal_regex(literals: tuple[str, ...]) -> str:
    """One alternation of literals, escaped for both Rust and Python regex."""
    return "|".join("".join("\\" + c if c in _META_CHARS else c for c in lit) for lit in literals)


@dataclass(slots=True)
class FileScan:
    """What one input held: its accounting, its events, and the time evidence it showed."""

    source: str
    size: int
    envelope: str = PLAIN.name
    lines: int = 0
    event_lines: int = 0
    noise_lines: int = 0
    unrecognized: int = 0
    unrecognized_samples: list[tuple[int, str]] = field(default_factory=list)
    # Lines with lock vocabulary that no signature read (a subset of noise + unrecognized).
    relevant: int = 0
    relevant_samples: list[tuple[int, str]] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    offsets: Counter[str] = field(default_factory=Counter)
    years: Counter[int] = field(default_factory=Counter)
    header_zone: str | None = None
    header_offset: timedelta | None = None
    warnings: list[str] = field(default_factory=list)
    # For the manifest: the stored bytes, their packing, and the times of the
    # first and last lines (row-shaped, completed like event times).
    sha256: str | None = None
    compression: str | None = None
    packing: str = ""
    bounds: list[dict[str, Any]] = field(default_factory=list)
    last_text: str | None = None
    # What a document says about the whole export it belongs to (version, platform, host).
    facts: dict[str, str] = field(default_factory=dict)
    duplicate_of: str | None = None  # same sha256 as an earlier input: its rows are dropped
    duplicate_rows: int = 0  # rows dropped as copies of lines another file holds


def _lines_frame(chunk: bytes) -> pl.DataFrame:
    # A separator byte that never occurs in text and no quoting: each line is one
    # field, blank lines stay (as null) so line numbers stay true.  Hostile input
    # may hold that byte; it becomes SUB so it cannot split a line.
    if SEPARATOR in chunk:
        chunk = chunk.replace(SEPARATOR, b"\x1a")
    return pl.read_csv(
        io.BytesIO(chunk),
        has_header=False,
        separator="\x1f",
        quote_char=None,
        new_columns=["text"],
        schema={"text": pl.String},
        encoding="utf8-lossy",
        truncate_ragged_lines=True,
    )


def _chunks(stream: BinaryIO, progress: ProgressHook | None) -> Iterator[bytes]:
    rest = b""
    while True:
        block = stream.read(CHUNK_BYTES)
        if progress is not None and block:
            progress(len(block))
        if not block:
            if rest:
                yield rest
            return
        block = rest + block
        cut = block.rfind(b"\n")
        if cut < 0:
            rest = block
            continue
        rest = block[cut + 1 :]
        yield block[: cut + 1]


class Scanner:
    """Scans inputs with one document, envelope and signature catalog."""

    def __init__(
        self,
        catalog: Catalog | None = None,
        envelopes: EnvelopeCatalog | None = None,
        documents: DocumentCatalog | None = None,
    ) -> None:
        self.catalog = catalog or load_catalog()
        self.envelopes = envelopes or load_envelopes()
        self.documents = documents or load_documents()
        self.candidate_re = literal_regex(self.catalog.literals + CLOCK_LITERALS)
        self.relevant_re = re.compile(self.envelopes.unclassified)
        self.candidate_py = re.compile(self.candidate_re)

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
        data = self._document(stream, head, item, clock, result, bundle_year, progress)
        if data is None:
            return
        joined = _prepend(data, cast(BinaryIO, stream))
        env = self._log(joined, data[:SNIFF_BYTES], clock, result, progress)
        result.envelope = env.name

    # ------------------------------------------------------------------ documents

    def _document(
        self,
        stream: Content,
        head: bytes,
        item: Input,
        clock: FileClock,
        result: FileScan,
        bundle_year: int | None,
        progress: ProgressHook | None,
    ) -> bytes | None:
        """Read the input as a document if one claims it: None then, else the bytes
        read so far (the line scan starts with them)."""
        candidates = self.documents.candidates(item.name, head.decode("utf-8", "replace"))
        if not candidates:
            return head
        data = head
        if len(head) == SNIFF_BYTES:
            data += stream.read(DOCUMENT_LIMIT + 1 - len(head))
            if len(data) > DOCUMENT_LIMIT:
                return data
        doc = Document.of(item.name, data.decode("utf-8", "replace"), item.mtime, bundle_year)
        for spec in candidates:
            parsed = spec.parse(doc)
            if parsed is not None:
                if progress is not None:
                    progress(len(data))
                result.envelope = spec.name
                self._account(doc, spec.name, parsed, clock, result)
                return None
        return data

    def _account(
        self, doc: Document, name: str, parsed: Parsed, clock: FileClock, result: FileScan
    ) -> None:
        """Line accounting and rows of a document; a log tail is scanned as a log."""
        count = parsed.tail_from - 1 if parsed.tail_from else len(doc.lines)
        events = {n for n in parsed.event_lines if 1 <= n <= count}
        # A document pasted among log lines (a ticket, a chat) must not swallow
        # them: lines the hook did not read still go through the signatures.
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
            if self.relevant_re.search(text):
                result.relevant += 1
                if len(result.relevant_samples) < SAMPLE_LIMIT:
                    result.relevant_samples.append((number, text))
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
            self._log(io.BytesIO(tail), tail[:SNIFF_BYTES], clock, result, None, base=count)

    def _stray_logs(
        self, doc: Document, count: int, read: set[int], clock: FileClock, result: FileScan
    ) -> set[int]:
        """Scan the candidate lines a document hook left unread; return those that
        became events (the caller counts them as event lines).  The rest keep the
        document's own classification."""
        numbers = [
            n
            for n in range(1, count + 1)
            if n not in read and self.candidate_py.search(doc.lines[n - 1])
        ]
        if not numbers:
            return set()
        env = sniff([doc.lines[n - 1] for n in numbers], self.envelopes)
        return {n for n in numbers if self._emit(n, doc.lines[n - 1], env, clock, result)}

    # ------------------------------------------------------------------ logs

    def _log(
        self,
        stream: BinaryIO,
        head: bytes,
        clock: FileClock,
        result: FileScan,
        progress: ProgressHook | None,
        base: int = 0,
    ) -> EnvelopeSpec:
        env, ansi, sample = self._sniff(head)
        _zone_evidence(env, sample, result)
        first = self._first_bound(env, sample, clock)
        for chunk in _chunks(stream, progress):
            base = self._scan_chunk(chunk, base, env, ansi, clock, result)
        last = _parse(env, result.last_text) if result.last_text else None
        for record in (first, last):
            if record is not None and record.stamp is not None:
                result.bounds.append(_bound(record.stamp, clock))
        return env

    def _first_bound(self, env: EnvelopeSpec, sample: list[str], clock: FileClock) -> Record | None:
        """The first stamped record, completed now so the clock sees it first, as a
        candidate on that line would be."""
        for line in sample:
            if clock.see_header(line):
                continue
            record = _parse(env, line)
            if record.stamp is not None:
                return record
        return None

    def _sniff(self, head: bytes) -> tuple[EnvelopeSpec, bool, list[str]]:
        text = head.decode("utf-8", "replace")
        ansi = "\x1b[" in text
        if ansi:
            text = _PY_ANSI.sub("", text)
        lines = text.splitlines()[:64]
        if len(head) == SNIFF_BYTES and len(lines) > 1:
            lines = lines[:-1]  # the last line may be cut mid-way
        return sniff(lines, self.envelopes), ansi, lines

    def _scan_chunk(
        self,
        chunk: bytes,
        base: int,
        env: EnvelopeSpec,
        ansi: bool,
        clock: FileClock,
        result: FileScan,
    ) -> int:
        frame = _lines_frame(chunk)
        text = pl.col("text")
        if ansi:
            frame = frame.with_columns(text.str.replace_all(ANSI_RE, ""))
        fits = text.str.contains(self.envelopes.noise)
        if env is not PLAIN:
            fits = fits | text.str.contains(env.line)
        # One pass computes every per-line flag (the regexes are the cost);
        # the filters below only read the flags.
        flagged = frame.with_row_index("line", offset=base + 1).with_columns(
            cand=text.str.contains(self.candidate_re).fill_null(False),
            fits=fits.fill_null(False),
            blank=text.is_null() | (text.str.strip_chars() == ""),
            vocab=text.str.contains(self.envelopes.unclassified).fill_null(False),
        )
        cand, blank = pl.col("cand"), pl.col("blank")
        stray = ~cand & ~pl.col("fits") & ~blank
        relevant = ~cand & pl.col("vocab")
        counts = flagged.select(
            pl.len().alias("lines"),
            (~cand & (pl.col("fits") | blank)).sum().alias("noise"),
            stray.sum().alias("stray"),
            relevant.sum().alias("relevant"),
        )
        candidates = flagged.filter(cand).select("line", "text", "fits")
        strays = flagged.filter(stray).select("line", "text").head(SAMPLE_LIMIT)
        flagged_lines = flagged.filter(relevant).select("line", "text").head(SAMPLE_LIMIT)
        last = flagged.filter(~blank).select("text").tail(1)
        lines, noise, unrecognized, vocab = (int(n) for n in counts.row(0))
        result.lines += lines
        result.noise_lines += noise
        result.unrecognized += unrecognized
        result.relevant += vocab
        for line_no, line_text in strays.iter_rows():
            if len(result.unrecognized_samples) < SAMPLE_LIMIT:
                result.unrecognized_samples.append((line_no, line_text))
        for line_no, line_text in flagged_lines.iter_rows():
            if len(result.relevant_samples) < SAMPLE_LIMIT:
                result.relevant_samples.append((line_no, line_text))
        if last.height:
            result.last_text = last.item()
        rollovers = iter(self._rollovers(flagged, env, clock))
        upcoming = next(rollovers, None)
        for line_no, line_text, fit in candidates.iter_rows():
            while upcoming is not None and upcoming <= line_no:
                clock.rollovers_seen = (clock.rollovers_seen or 0) + 1
                upcoming = next(rollovers, None)
            self._candidate(line_no, line_text, bool(fit), env, clock, result)
        while upcoming is not None:
            clock.rollovers_seen = (clock.rollovers_seen or 0) + 1
            upcoming = next(rollovers, None)
        return base + lines

    @staticmethod
    def _rollovers(flagged: pl.DataFrame, env: EnvelopeSpec, clock: FileClock) -> list[int]:
        """Lines where a time-only clock runs back by more than 12 h: a new day.

        Every line's stamp counts, not only the candidates', so a quiet night
        between two events cannot hide a midnight.
        """
        if env.stamp not in ("time", "any") or env is PLAIN:
            return []
        clock.rollovers_seen = clock.rollovers_seen or 0
        parts = pl.col("text").str.extract_groups(r"^(\d{2}):(\d{2}):(\d{2})")
        seconds = (
            parts.struct.field("1").cast(pl.Int32) * 3600
            + parts.struct.field("2").cast(pl.Int32) * 60
            + parts.struct.field("3").cast(pl.Int32)
        )
        timed = flagged.select("line", seconds=seconds).filter(pl.col("seconds").is_not_null())
        if timed.is_empty():
            return []
        previous = timed["seconds"].shift(1, fill_value=clock.carry_seconds)
        clock.carry_seconds = int(timed["seconds"][-1])
        back = timed.filter((previous.is_not_null()) & (pl.col("seconds") < previous - 43200))
        return [int(n) for n in back["line"]]

    def _candidate(
        self,
        line_no: int,
        text: str,
        fit: bool,
        env: EnvelopeSpec,
        clock: FileClock,
        result: FileScan,
    ) -> None:
        if clock.see_header(text):
            result.noise_lines += 1
            return
        if self._emit(line_no, text, env, clock, result):
            result.event_lines += 1
            return
        if fit:
            result.noise_lines += 1
        else:
            result.unrecognized += 1
            if len(result.unrecognized_samples) < SAMPLE_LIMIT:
                result.unrecognized_samples.append((line_no, text))
        if self.relevant_re.search(text):
            result.relevant += 1
            if len(result.relevant_samples) < SAMPLE_LIMIT:
                result.relevant_samples.append((line_no, text))

    def _emit(
        self, line_no: int, text: str, env: EnvelopeSpec, clock: FileClock, result: FileScan
    ) -> bool:
        """Parse one line and add a row per hit; False when no signature matched."""
        record = env.parse(text) if env is not PLAIN else None
        envelope = env
        if record is None:
            record, envelope = parse_plain(text), PLAIN
        hits = self.catalog.match(record.message, record.meta, record.subsystem)
        if not hits:
            return False
        for hit in hits:
            if hit.signature == "gateway-log-file":
                clock.name_date = clock.name_date or date_from_name(record.message)
        when = _when(record, clock, result)
        for index, hit in enumerate(hits):
            row = derive(dict(hit.fields))
            row.update(when)
            row.update(
                kind=hit.kind,
                signature=hit.signature,
                level=record.level,
                subsystem=record.subsystem,
                host=row.get("host") or record.host,
                gateway_pid=row.get("gateway_pid") or record.gateway_pid,
                message=record.message,
                envelope=envelope.name,
                channel=envelope.channel,
                echo_role=hit.role,
                source=result.source,
                line=line_no,
                hit=index,
                raw=text,
            )
            result.rows.append(row)
        return True


def _parse(env: EnvelopeSpec, line: str) -> Record:
    record = env.parse(line) if env is not PLAIN else None
    return record if record is not None else parse_plain(line)


def _bound(stamp: Stamp, clock: FileClock) -> dict[str, Any]:
    """A line's time in row shape (zone-less values are completed by the pipeline)."""
    value, notes = clock.complete(stamp)
    if value is None:
        return {"ts": None}
    if value.tzinfo is not None:
        return {"ts": value.astimezone(UTC)}
    return {"ts": None, "_local": value, "ts_assumption": "; ".join(notes) or None}


def _digest(stream: Content) -> str | None:
    try:
        return stream.digest()
    except READ_ERRORS:
        return None


def _zone_evidence(env: EnvelopeSpec, sample: list[str], result: FileScan) -> None:
    """Offsets written in the first lines count as the zone this file shows,
    even when no candidate line carries one."""
    if env is PLAIN:
        return
    for line in sample:
        record = env.parse(line)
        stamp = record.stamp if record is not None else None
        if stamp is not None and stamp.offset is not None and stamp.day is not None:
            result.offsets[format_offset(stamp.offset)] += 1
            result.years[stamp.day.year] += 1


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


def _when(record: Record, clock: FileClock, result: FileScan) -> dict[str, Any]:
    stamp = record.stamp
    if stamp is None:
        return {"ts": None, "ts_raw": None, "ts_quality": TimeQuality.UNTIMED.value}
    value, notes = clock.complete(stamp)
    if value is None:
        return {
            "ts": None,
            "ts_raw": stamp.raw,
            "ts_quality": TimeQuality.UNTIMED.value,
            "ts_assumption": "; ".join(notes),
        }
    if value.tzinfo is not None:
        offset = value.utcoffset()
        if offset is not None and not notes:
            result.offsets[format_offset(offset)] += 1
            result.years[value.year] += 1
        return {
            "ts": value.astimezone(UTC),
            "ts_raw": stamp.raw,
            "ts_quality": (TimeQuality.ASSUMED if notes else TimeQuality.EXPLICIT).value,
            "ts_assumption": "; ".join(notes) or None,
        }
    # Zone-less: resolved once the whole bundle has been seen (pipeline).
    return {
        "ts": None,
        "_local": value,
        "ts_raw": stamp.raw,
        "ts_quality": TimeQuality.ASSUMED.value,
        "ts_assumption": "; ".join(notes) or None,
    }
