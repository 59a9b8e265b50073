"""The log chunk engine: a log streamed in chunks, every line accounted for in Rust.

For every chunk, polars does the line-level work for all lines at once: one
regex built from the signatures' literals picks candidate lines, the
envelope's own pattern tells known noise from unrecognised text, and the lock
vocabulary flags lines worth a look that no signature read.  Candidates of
high-volume kinds are then settled in bulk by :mod:`lockforensics.parsing.vector`;
only the rest (lock errors, lifecycle, odd stamps) reach the per-line reader
in Python, so Python's cost follows lock events, not log lines.

Every line ends up exactly one of: part of an event, known noise, or
unrecognised (the first few kept as samples).
"""

from __future__ import annotations

import bisect
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import polars as pl

from lockforensics.activity import split
from lockforensics.ingest import occurrences
from lockforensics.ingest.containers import READ_ERRORS
from lockforensics.parsing.codepage import CP1252_BYTES
from lockforensics.parsing.continuations import (
    FENCE_RE,
    join_partials,
    join_records,
    join_width_wraps,
    partial_start,
    soft_width,
    trailing_start,
)
from lockforensics.parsing.documents.runs import PROMPT_LINE
from lockforensics.parsing.envelopes import (
    ANSI_RE,
    OVERWRITTEN_RE,
    PLAIN,
    EnvelopeCatalog,
    EnvelopeSpec,
    Record,
    sniff,
)
from lockforensics.parsing.filescan import LAST_LINES, SAMPLE_LIMIT, FileScan
from lockforensics.parsing.lines import LineReader, bound_row, cut_short, parse_line
from lockforensics.parsing.literals import literal_regex, prefilter_groups
from lockforensics.parsing.mojibake import read_back
from lockforensics.parsing.pasted_status import take_status_blocks
from lockforensics.parsing.timestamps import LOGS_HEADER, MIDNIGHT_S, FileClock, parse_iso
from lockforensics.parsing.vector import VectorPlan
from lockforensics.spill import Spill

#: Bytes read at a time.  Two scanning threads each hold a chunk's lines and a
#: batch of candidates: 8 MB chunks peaked 60-90 MB lower than 16 MB ones on
#: a busy bundle, for about 6 % more time.
CHUNK_BYTES = 8 << 20
#: The most lines read at once.  A chunk's working set follows its lines more
#: than its bytes (about 110 bytes a line at the peak), and 8 MB of newlines is
#: 8 million lines: a chunk with more is read in slices of this many lines.
#: Logs average far more than 32 bytes a line, so only floods are sliced.
CHUNK_LINES = 1 << 18
SEPARATOR = b"\x1f"
SNIFF_BYTES = 64 << 10
#: The longest line kept; the rest of a longer one is counted and dropped.
MAX_LINE = 1 << 20
#: Every word of the lock vocabulary (parsers/envelopes.toml [unclassified])
#: holds one of these; tests/test_reading_robust.py keeps the two in step.
VOCAB_PREFILTER = "(?i)lock|takeover|stale"
#: A time-only stamp (or a dated one's time of day) at a line's start: a clock
#: running back by more than MIDNIGHT_S between two is a midnight.
_CLOCK_AT_START = r"^(?:\d{4}-\d{2}-\d{2}[T ])?(\d{2}):(\d{2}):(\d{2})"
_CLOCK_AT_START_RE = re.compile(_CLOCK_AT_START)
#: Below this many candidates in a batch the per-line reader is cheaper than
#: the vectorised one's fixed cost (a few dozen polars calls per batch).
VECTOR_MIN = 200
#: Candidates of consecutive chunks are read as one batch of about this many
#: lines: the vectorised reader compiles its fifty-odd regexes again on every
#: call (polars caches 32 per thread), a cost per call, not per line.
BATCH_ROWS = 32_768
#: ... or of about this many bytes of text, whichever comes first: a batch's
#: working set follows its text (every field the reader extracts is a copy of
#: part of it), and records of 1 KB (newer file logs) made 32,768 of them
#: a third more than the busy profile's.
BATCH_BYTES = 24 << 20
#: Lines offered to envelope sniffing per chunk, and how far to look for them.
SNIFF_LINES = 64
SNIFF_WINDOW = 2000
#: The longest record held back for the next chunk; a longer run of
#: continuations (hostile, or not a record at all) is read where it stands.
CARRY_LINES = 1000

ProgressHook = Callable[[int], None]


#: The lock watchdog's release as the gateway writes it, with `process.stderr.write`
#: and no stamp (openclaw-formats §2.4): in a console capture, the stamped lines
#: around it bound when it came.
UNSTAMPED_RELEASE = "[session-write-lock] releasing lock held for"


@dataclass(slots=True)
class Pending:
    """Candidate lines of consecutive chunks, and the day rollovers among them,
    not yet read: they are read in line order, as one batch."""

    frames: list[pl.DataFrame] = field(default_factory=list)
    rollovers: list[int] = field(default_factory=list)
    rows: int = 0
    size: int = 0  # bytes of text

    def add(self, candidates: pl.DataFrame, rollovers: list[int]) -> None:
        # A filtered string column still points into the whole chunk's
        # buffers; copied, a batch holds its candidates, not 8 MB a chunk.
        text = pl.concat_str([pl.col("text"), pl.lit("")])
        copied = candidates.with_columns(text.alias("text"))
        self.frames.append(copied)
        self.rows += copied.height
        self.size += int(copied.get_column("text").str.len_bytes().sum() or 0)
        self.rollovers.extend(rollovers)

    def take(self) -> tuple[pl.DataFrame | None, list[int]]:
        frames, rollovers = self.frames, self.rollovers
        self.frames, self.rollovers, self.rows, self.size = [], [], 0, 0
        return (pl.concat(frames) if frames else None), rollovers


def lines_frame(chunk: bytes) -> pl.DataFrame:
    """The lines of a chunk as one string column, blank lines kept (as null)."""
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


def as_utf8(chunk: bytes) -> tuple[bytes, int]:
    """``chunk`` with the bytes that are not UTF-8 read as Windows-1252 (cp1252),
    and how many lines held such bytes.  A file log copied through a tool that
    re-encoded it (or a journal record with a stray byte) writes `zoë` as one
    byte, 0xEB: replaced, the agent became `zo\ufffd`, a phantom beside the
    real one, and its failures did not fold into their copies elsewhere.  The
    UTF-8 around such bytes on a line stays as it is."""
    if chunk.isascii():  # the usual case, at memory speed
        return chunk, 0
    try:
        chunk.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return chunk, 0
    lines = chunk.split(b"\n")
    repaired = 0
    for index, line in enumerate(lines):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            lines[index] = line.decode("utf-8", CP1252_BYTES).encode("utf-8")
            repaired += 1
    return b"\n".join(lines), repaired


@dataclass(slots=True)
class Cuts:
    """Over-long lines met while chunking: how many, and the bytes dropped; and
    the lines read as cp1252, not being UTF-8."""

    lines: int = 0
    dropped: int = 0
    not_utf8: int = 0
    # The input's last line when a write cut it short inside a JSON record (a
    # full disk, a truncated gzip): its time, at its end, is lost, and read
    # anyway it was a failure of no time beside its whole copies.
    cut_record: bytes | None = None

    def cut(self, dropped: int) -> None:
        self.dropped += dropped

    def last(self, rest: bytes) -> Iterator[bytes]:
        """The unterminated last line, unless it is a JSON record cut short."""
        if rest.lstrip().startswith(b"{") and not rest.rstrip().endswith(b"}"):
            self.cut_record = rest
        elif rest:
            yield rest


def chunks(
    stream: BinaryIO, progress: ProgressHook | None, cuts: Cuts | None = None
) -> Iterator[bytes]:
    """Whole lines, about CHUNK_BYTES at a time; a line longer than MAX_LINE keeps
    its first MAX_LINE bytes and the rest is read past (counted in ``cuts``), so
    one huge line neither fills memory nor hides the lines after it."""
    cuts = cuts if cuts is not None else Cuts()
    rest = b""
    skipping = False  # inside an over-long line: drop bytes up to its newline
    while True:
        try:
            block = stream.read(CHUNK_BYTES)
        except READ_ERRORS:
            # A stream cut short (a truncated gzip): the text before the cut is
            # still read, up to its unfinished last line.
            yield from cuts.last(rest)
            raise
        if progress is not None and block:
            progress(len(block))
        if not block:
            yield from cuts.last(rest)
            return
        if skipping:
            newline = block.find(b"\n")
            if newline < 0:
                cuts.cut(len(block))
                continue
            cuts.cut(newline)
            block, skipping = block[newline:], False
        end = block.rfind(b"\n")
        whole = b""
        if end < 0:
            rest += block
        else:
            # One copy of the 8 MB: the held-back partial line joined to this
            # block's whole lines (a concatenation and a slice were two).
            whole = b"".join((rest, memoryview(block)[: end + 1]))
            rest = block[end + 1 :]
        del block
        if len(rest) > MAX_LINE:
            cuts.lines += 1
            cuts.cut(len(rest) - MAX_LINE)
            rest, skipping = rest[:MAX_LINE], True
        if whole:
            yield whole


class _Stoppable:
    """Chunks until the stream fails (truncated, corrupt): the lines read before
    the failure are still settled, then ``raise_stop`` passes it on to the caller."""

    def __init__(self, source: Iterator[bytes]) -> None:
        self._source = source
        self._error: Exception | None = None

    def __iter__(self) -> Iterator[bytes]:
        try:
            yield from self._source
        except READ_ERRORS as exc:
            self._error = exc

    def raise_stop(self) -> None:
        if self._error is not None:
            raise self._error


class LogEngine:
    """Scans log streams with one envelope catalog, line reader and vector plan."""

    def __init__(
        self,
        envelopes: EnvelopeCatalog,
        lines: LineReader,
        literals: tuple[str, ...],
        vector: VectorPlan | None,
        spill: Spill | None = None,
    ) -> None:
        self.envelopes = envelopes
        self.lines = lines
        # A line holding one of the signatures' literals, for a line in Python;
        # the same lines, found faster over a whole chunk (literals.prefilter_groups).
        self.candidate = re.compile(literal_regex(literals))
        self.prefilter = prefilter_groups(literals)
        self.vector = vector
        self.spill = spill
        # The lines a rule times by the line above begin with its literal
        # (signatures._check): a prefix test finds them, 0.2 ms a chunk.
        self.above = lines.catalog.timed_by_line_above

    def scan(
        self,
        stream: BinaryIO,
        clock: FileClock,
        result: FileScan,
        progress: ProgressHook | None = None,
        base: int = 0,
        names_input: bool = True,
    ) -> EnvelopeSpec:
        """Account every line of ``stream`` (numbered from ``base`` + 1) into ``result``;
        with ``names_input``, the input's format is the envelope read (a
        document's log tail leaves it the document's).

        The envelope is sniffed on each chunk's own first lines that look like
        records (not the file's first bytes: a long first line or a screen of
        stack trace must not make a file log "plain"), and may change between
        chunks (logs of two kinds pasted one after the other).

        Where records wrap, a chunk's last record is held back and read with the
        next chunk, so a record cut by the chunk boundary is still joined whole.
        """
        env: EnvelopeSpec | None = None
        cuts = Cuts()
        carry: pl.DataFrame | None = None
        # The width a paste's log lines were soft-wrapped at, read off its first
        # chunk: its last record, carried to the end alone, shows none.
        soft: int | None = None
        soft_read = False
        pending = Pending()
        read = _Stoppable(chunks(stream, progress, cuts))
        for chunk in read:
            # isspace, not strip: strip copies the chunk (5 ms per 8 MB).
            if carry is None and chunk.isspace():
                # Only blank lines (a flood in a paste, a preallocated file):
                # noise, counted here.  They are no record, start none and
                # tell no envelope; through polars they cost 3 us a line.
                blank = chunk.count(b"\n") + (not chunk.endswith(b"\n"))
                result.lines += blank
                result.noise_lines += blank
                base += blank
                continue
            # One byte, not the two of a CSI: a single-byte search is memchr
            # (GB/s), a two-byte one over an 8 MB chunk costs as much as a regex.
            ansi = b"\x1b" in chunk
            # Byte searches, not a regex over every line: a page's character
            # references are rare, and a busy log's lines are many.  One byte
            # first (memchr, 0.1 ms per 8 MB): the six references searched for
            # on every chunk had cost 29 ms each, 3.7 s of CPU per GB.
            page = b"&" in chunk and any(reference in chunk for reference in _REFERENCES)
            text, repaired = as_utf8(chunk)
            cuts.not_utf8 += repaired
            lines = lines_frame(text)
            del text
            del chunk  # the frame holds the lines now (see below)
            for start in range(0, lines.height, CHUNK_LINES):
                frame = _clean(lines.slice(start, CHUNK_LINES), ansi, page, result, cuts)
                if carry is not None:
                    frame, carry = pl.concat([carry, frame]), None
                found = sniff(_sniff_sample(frame), self.envelopes)
                if env is None:
                    env = found
                    texts = frame.get_column("text").head(SNIFF_LINES).to_list()
                    opening = [(t or "")[:SNIFF_BYTES] for t in texts]
                    others = [t for t in opening if not self.candidate.search(t)]
                    _zone_evidence(env, others, result)
                    first = self._first_bound(env, opening, clock)
                    # Its time now, with the clock as its line left it: at the
                    # end, a time-only stamp would take the last line's day.
                    if first is not None and first.stamp is not None:
                        result.bounds.append(bound_row(first.stamp, clock, env))
                elif found is not PLAIN and found is not env:
                    result.warnings.append(
                        f"{result.source}: line {base + 1}: "
                        f"envelope changes from {env.name} to {found.name}"
                    )
                    self._settle(pending, env, clock, result)
                    env = found
                wrap_start = self._record_start(env)
                if env is PLAIN and not soft_read:
                    soft, soft_read = soft_width(frame, self.envelopes.record_start), True
                cut = self._carry_from(frame, env, wrap_start, soft)
                if cut is not None:
                    frame, carry = frame.head(cut), frame.slice(cut)
                    if frame.is_empty():
                        continue
                _sections(frame, base, result)
                base = self._chunk(frame, base, env, clock, result, pending, soft)
                del frame
            # Let go now, not when the next chunk replaces it: kept, this
            # chunk's lines (and its bytes, above) sat beside the next one
            # being read and split, 40-50 MB more per scanning thread.
            del lines
        if carry is not None and env is not None:
            _sections(carry, base, result)
            base = self._chunk(carry, base, env, clock, result, pending, soft)
        if env is not None:
            self._settle(pending, env, clock, result)
        if cuts.cut_record is not None:
            base += 1
            self._cut_record(cuts.cut_record, base, result)
        if cuts.lines or cuts.dropped:
            result.warnings.append(
                f"{result.source}: {cuts.lines} line(s) longer than {MAX_LINE >> 20} MiB cut; "
                f"{cuts.dropped:,} bytes past the cut not read as text"
            )
        if cuts.not_utf8:
            result.warnings.append(
                f"{result.source}: {cuts.not_utf8} line(s) are not UTF-8; "
                "read as Windows-1252 (cp1252)"
            )
        if result.mojibake:
            result.warnings.append(
                f"{result.source}: {result.mojibake} line(s) hold UTF-8 shown in another "
                "code page (`JosÃ©`, `Jos├⌐`: a console's or an editor's); read as that UTF-8"
            )
        env = env or PLAIN
        self._last_bound(env, clock, result)
        # Set here, not by the caller: a stream that fails part way (a truncated
        # gzip) still read its lines in this envelope, over these times.
        if names_input:
            result.envelope = env.name
        read.raise_stop()
        return env

    def _last_bound(self, env: EnvelopeSpec, clock: FileClock, result: FileScan) -> None:
        """The file's last time: its last line's stamp, or, when a write cut that
        line short (a full disk, a crash), the last of the lines before it that
        has one.  Otherwise the span ended at the last event, hours early."""
        for back, text in enumerate(reversed(result.last_texts)):
            record = parse_line(env, text, self.envelopes)[0]
            if record is not None and record.stamp is not None:
                result.bounds.append(bound_row(record.stamp, clock, env))
                # A JSON record's time is at its end: a record cut short lost
                # it.  (A text line's stamp comes first; a console or a paste
                # may well end in lines that have none; a whole object with no
                # time is a notice, `openclaw logs --json`'s `Log tail truncated`.)
                if back == 1 and cut_short(result.last_texts[-1].lstrip()):
                    result.warnings.append(
                        f"{result.source}: its last line is a record cut short (a full "
                        "disk, a crash?); its time span ends at the line before"
                    )
                return

    def _cut_record(self, record: bytes, line_no: int, result: FileScan) -> None:
        """Count the record a write cut short, unrecognised, where the operator sees it."""
        text = as_utf8(record)[0].decode("utf-8", "replace").rstrip("\r\n")
        result.lines += 1
        result.unrecognized_line(line_no, text)
        relevant = re.search(self.envelopes.unclassified, text) is not None
        if relevant:
            result.relevant_line(line_no, text)
        result.warnings.append(
            f"{result.source}: its last line is a record cut short (a full disk, a crash?), "
            "unrecognised; its time span ends at the line before"
            # The report shows warnings, not the ingest summary's possibly
            # relevant lines (Z183: a lock error lost unsaid).
            + ("; it names a lock: a failure may be missing from the counts" if relevant else "")
        )

    def tail(self, stream: BinaryIO, clock: FileClock, result: FileScan, base: int) -> None:
        """A log after a document (the document reader's hand-off)."""
        self.scan(stream, clock, result, None, base, names_input=False)

    def _first_bound(self, env: EnvelopeSpec, sample: list[str], clock: FileClock) -> Record | None:
        """The first stamped record, completed now so the clock sees it first, as a
        candidate on that line would be."""
        # A capture may begin before midnight and name its file log after it:
        # the date that line names is its own, the lines above it a day earlier
        # for each midnight between (Z155: a whole `journalctl -o cat` copy
        # dated a day late, its burst a second, phantom incident).
        midnights, last = 0, None
        for line in sample:
            clock.see_log_file(line, midnights)
            if (m := _CLOCK_AT_START_RE.match(line)) is not None:
                now = int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])
                midnights += last is not None and now < last - MIDNIGHT_S
                last = now
        for line in sample:
            if clock.see_header(line):
                continue
            record = parse_line(env, line, self.envelopes)[0]
            if record.stamp is not None:
                return record
        return None

    def _carry_from(
        self, frame: pl.DataFrame, env: EnvelopeSpec, wrap_start: str, soft: int | None
    ) -> int | None:
        """Where the frame's last record starts, when it may go on in the next
        chunk and is held back to be read with it: a record that wraps, or a
        line a runtime stored in pieces whose last piece is not in this frame."""
        if env.wraps:
            cut = trailing_start(frame, env.start, wrap_start, self.envelopes.record_start, soft)
        elif env.partials:
            cut = partial_start(frame, env.partials)
            if cut == frame.height:
                return None
        else:
            return None
        return cut if frame.height - cut <= CARRY_LINES else None

    def _chunk(
        self,
        frame: pl.DataFrame,
        base: int,
        env: EnvelopeSpec,
        clock: FileClock,
        result: FileScan,
        pending: Pending,
        soft: int | None = None,
    ) -> int:
        text = pl.col("text")
        # A line of a paste that some envelope fits is a known record, not
        # unrecognised text, event or not (an entry of `journalctl -o json-pretty`).
        known = self._record_start(env)
        fits = text.str.contains(self.envelopes.noise) | text.str.contains(known)
        # One row per record: a line, or a record joined from several (``span``).
        numbered = frame.with_row_index("line", offset=base + 1)
        taken = 0
        if not env.parser.startswith("json:"):
            # A terminal's text (a paste, a saved console) may hold a status
            # header; a JSON log's records never do.
            numbered, taken = take_status_blocks(numbered, result)
        if env.wraps:
            numbered = join_records(numbered, env.start, known, self.envelopes.record_start, soft)
        elif env.partials:
            numbered = join_partials(numbered, env.partials)
        else:
            numbered = numbered.with_columns(span=pl.lit(1, pl.Int64))
        if env.spliced:
            numbered = _unspliced(numbered, env.spliced)
        flagged = self._flagged(numbered, env, fits)
        cand, blank, span = pl.col("cand"), pl.col("blank"), pl.col("span")
        if (
            not env.wraps
            and env is not PLAIN
            and flagged.select((~pl.col("fits") & ~blank).any()).item()
        ):
            # Lines the envelope does not fit may be pieces of its lines that a
            # console or a paste hard-wrapped at a fixed column: joined, they fit.
            joined = join_width_wraps(numbered.drop("span"), env.start)
            if joined.height < numbered.height:
                flagged = self._flagged(joined, env, fits)
        stray = ~cand & ~pl.col("fits") & ~blank
        # A shell prompt around a saved capture (`$ openclaw logs --follow`, the
        # bare prompt after it) is known, no log line (Z241); searched for in the
        # few stray lines only.
        prompts = (
            flagged.filter(stray)
            .filter(text.str.contains(PROMPT_LINE))
            .get_column("line")
            .implode()
        )
        stray = stray & ~pl.col("line").is_in(prompts)
        counts = flagged.select(
            span.sum().alias("lines"),
            span.filter(~cand & (pl.col("fits") | blank)).sum().alias("noise")
            + span.filter(pl.col("line").is_in(prompts)).sum(),
            span.filter(stray).sum().alias("stray"),
        )
        candidates, mangled = read_back(flagged.filter(cand).select("line", "text", "fits", "span"))
        result.mojibake += mangled
        relevant = flagged.filter(~cand & pl.col("maybe")).filter(
            text.str.contains(self.envelopes.unclassified)
        )
        lines, noise, unrecognized = (int(n) for n in counts.row(0))
        result.lines += lines
        result.noise_lines += noise
        result.unrecognized += unrecognized
        result.relevant += relevant.height
        for line_no, line_text in (
            flagged.filter(stray).select("line", "text").head(SAMPLE_LIMIT).iter_rows()
        ):
            if len(result.unrecognized_samples) < SAMPLE_LIMIT:
                result.unrecognized_samples.append((line_no, line_text))
        for line_no, line_text in relevant.select("line", "text").head(SAMPLE_LIMIT).iter_rows():
            if len(result.relevant_samples) < SAMPLE_LIMIT:
                result.relevant_samples.append((line_no, line_text))
        self._lines_above(flagged, result)
        if env is PLAIN:
            fenced = flagged.filter(text.str.contains(FENCE_RE).fill_null(False))
            result.fences += fenced.get_column("line").to_list()
            headers = flagged.filter(text.str.starts_with(LOGS_HEADER).fill_null(False))
            result.log_headers.update(headers.select("line", "text").iter_rows())

        last = flagged.filter(~blank).get_column("text").tail(LAST_LINES).to_list()
        result.last_texts = (result.last_texts + last)[-LAST_LINES:]
        pending.add(candidates, self._rollovers(flagged, env, clock))
        if pending.rows >= BATCH_ROWS or pending.size >= BATCH_BYTES:
            self._settle(pending, env, clock, result)
        return base + lines + taken

    def _lines_above(self, flagged: pl.DataFrame, result: FileScan) -> None:
        """For the few candidates a signature times by the line above (a
        journal's `-- Boot … --`), that line's text: the last one with text
        before it, in this chunk or the one before; and for each unstamped
        watchdog release, the texts above and below it (in this chunk)."""
        text = pl.col("text")
        prefixes = (*self.above, UNSTAMPED_RELEASE)
        begins = pl.any_horizontal([text.str.starts_with(prefix) for prefix in prefixes])
        texts = flagged.get_column("text")
        blank = flagged.get_column("blank")
        # A release that ended the chunk before: its line below begins this one.
        waiting = [n for n, (_, below) in result.around.items() if below is None]
        first = next((i for i in range(len(texts)) if not blank[i]), None) if waiting else None
        if first is not None:
            line = int(flagged.get_column("line")[first])
            for n in waiting:
                if line > n:
                    result.around[n] = (result.around[n][0], str(texts[first]))
        # Candidates first: the prefixes are searched in those few lines only.
        marked = (
            flagged.with_row_index("_at").filter(pl.col("cand")).filter(begins.fill_null(False))
        )
        if marked.is_empty():
            return
        for at, line_no, line_text in marked.select("_at", "line", "text").iter_rows():
            before = [i for i in range(at - 1, -1, -1) if not blank[i]][:1]
            above = (
                str(texts[before[0]])
                if before
                else (result.last_texts[-1] if result.last_texts else None)
            )
            if str(line_text).startswith(UNSTAMPED_RELEASE):
                after = [i for i in range(at + 1, len(texts)) if not blank[i]][:1]
                result.around[int(line_no)] = (above, str(texts[after[0]]) if after else None)
            elif above is not None:
                result.above[int(line_no)] = above

    def _flagged(self, numbered: pl.DataFrame, env: EnvelopeSpec, fits: pl.Expr) -> pl.DataFrame:
        """Every per-line flag in one pass (the regexes are the cost); what
        follows only reads the flags."""
        text = pl.col("text")
        return numbered.with_columns(
            cand=self._candidate(env).fill_null(False),
            fits=fits.fill_null(False),
            blank=~text.str.contains(r"\S").fill_null(False),
            # The word-bounded, case-blind vocabulary regex is slow on every line;
            # a plain case-blind search picks the few lines worth running it on.
            maybe=text.str.contains(VOCAB_PREFILTER).fill_null(False),
        )

    def _record_start(self, env: EnvelopeSpec) -> str:
        """A line that opens a record of this envelope, or, in a paste (plain),
        of any envelope: a known line, and where a hard-wrapped line begins."""
        return self.envelopes.record_start if env is PLAIN else env.start

    def _candidate(self, env: EnvelopeSpec) -> pl.Expr:
        """Lines a signature may want: a literal in the text, or text the
        literals cannot see (the envelope's ``opaque`` lines)."""
        text = pl.col("text")
        found = pl.any_horizontal([text.str.contains(group) for group in self.prefilter])
        return found if env.opaque is None else found | pl.col("text").str.contains(env.opaque)

    def _settle(
        self, pending: Pending, env: EnvelopeSpec, clock: FileClock, result: FileScan
    ) -> None:
        """Read the pending candidates: in bulk what the vector reader can settle,
        the rest line by line."""
        candidates, rollovers = pending.take()
        if candidates is None:
            return
        stamps: pl.DataFrame | None = None
        vector = self.vector if self.vector is not None and self.vector.supports(env) else None
        if vector is not None and candidates.height >= VECTOR_MIN:
            found = vector.read(candidates.select("line", "text"), env, result.source)
            if found.frame is not None:
                _sample_raw(found.frame, result, self.spill)
                # One row per settled record; a joined record counts all its lines.
                settled = candidates.with_columns(pl.col("line").cast(pl.Int64)).join(
                    found.stamps.select("line"), on="line", how="semi"
                )
                result.event_lines += int(settled.get_column("span").sum())
                result.offsets.update(found.offsets)
                for label, first, last in found.spans:
                    result.saw_offset(label, first, last)
                result.years.update(found.years)
                stamps = found.stamps
        self._per_line(candidates, stamps, rollovers, env, clock, result)

    def _per_line(
        self,
        candidates: pl.DataFrame,
        stamps: pl.DataFrame | None,
        rollovers: list[int],
        env: EnvelopeSpec,
        clock: FileClock,
        result: FileScan,
    ) -> None:
        """The candidates the vector path left, in line order, with the clock kept
        as the line-by-line reading would have left it: a dated line the vector
        path read still sets the date that a later time-only stamp takes."""
        pending = iter(rollovers)
        upcoming = next(pending, None)
        applied = -1

        def advance(to: int) -> None:
            nonlocal upcoming
            while upcoming is not None and upcoming <= to:
                clock.rollovers_seen = (clock.rollovers_seen or 0) + 1
                upcoming = next(pending, None)

        def catch_up(line_no: int | None, raw: str | None) -> None:
            """The clock as the settled line ``line_no`` (the last before now) left it."""
            nonlocal applied
            if line_no is None or raw is None or line_no <= applied:
                return
            applied = line_no
            advance(line_no)
            stamp = parse_iso(raw)
            if stamp is not None:
                clock.complete(stamp)

        rows = candidates.with_columns(pl.col("line").cast(pl.Int64))
        if stamps is None or stamps.is_empty():
            rows = rows.with_columns(vline=pl.lit(None, pl.Int64), vraw=pl.lit(None, pl.String))
        else:
            rows = rows.join(
                stamps.select("line"), on="line", how="anti", maintain_order="left"
            ).join_asof(
                stamps.rename({"line": "vline", "ts_raw": "vraw"}),
                left_on="line",
                right_on="vline",
                strategy="backward",
                check_sortedness=False,  # both are in line order
            )
        fences = sorted(result.fences) if env is PLAIN else []
        last = 0
        for line_no, line_text, fit, span, vline, vraw in rows.select(
            "line", "text", "fits", "span", "vline", "vraw"
        ).iter_rows():
            catch_up(vline, vraw)
            advance(line_no)
            if fences and bisect.bisect_left(fences, line_no) > bisect.bisect_right(fences, last):
                clock.new_paste()  # a fence between: another paste (FileClock.new_paste)
                fence = fences[bisect.bisect_left(fences, line_no) - 1]
                for at in sorted(n for n in result.log_headers if fence < n < line_no):
                    clock.see_header(result.log_headers[at])  # that paste's own `Log file:`
            last = line_no
            self.lines.candidate(line_no, line_text, bool(fit), env, clock, result, span)
        if stamps is not None and stamps.height:
            catch_up(*stamps.row(-1))
        advance(1 << 62)

    @staticmethod
    def _rollovers(flagged: pl.DataFrame, env: EnvelopeSpec, clock: FileClock) -> list[int]:
        """Lines where a time-only clock runs back by more than 12 h: a new day.

        Every line's stamp counts, not only the candidates', so a quiet night
        between two events cannot hide a midnight.
        """
        if env.stamp not in ("time", "logs-time", "any") or env is PLAIN:
            return []
        clock.rollovers_seen = clock.rollovers_seen or 0
        # A dated line's time of day counts too: 23:40 dated, then 00:20 alone,
        # is the next day.
        parts = pl.col("text").str.extract_groups(_CLOCK_AT_START)
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
        back = timed.filter((previous.is_not_null()) & (pl.col("seconds") < previous - MIDNIGHT_S))
        return [int(n) for n in back["line"]]


def _sniff_sample(frame: pl.DataFrame) -> list[str]:
    """The lines that can tell an envelope: not blank, not indented (stack frames,
    wrapped continuations), not over-long; picked in polars, so only these few
    become Python strings, not the whole window."""
    text = frame.get_column("text").head(SNIFF_WINDOW).drop_nulls()
    fit = (
        (text.str.len_chars() < SNIFF_BYTES)
        & (text != "")
        & ~text.str.starts_with(" ")
        & ~text.str.starts_with("\t")
    )
    return text.filter(fit).head(SNIFF_LINES).to_list()


#: The marks that quote a line in a chat or mail reply (Markdown's `> `, mail's `>>`).
QUOTE_RE = r"^(?:>[ \t]?)+"
#: Where an `openclaw logs` capture (re)starts reading its file: the plain
#: header and reset notice, and --json's meta record and reset notice (as
#: OpenClaw writes them and as Python's json.dumps re-serialises them).  A reset
#: notice follows the lines read again (src/cli/logs-cli.ts: a payload's lines,
#: then its notices).
LOGS_RUN_PREFIXES = (
    LOGS_HEADER,
    "Log cursor reset",
    '{"type":"meta"',
    '{"type": "meta"',
    '{"type":"notice","message":"Log cursor reset',
    '{"type": "notice", "message": "Log cursor reset',
)
#: The header `tail` prints before each file's lines when it follows several.
TAIL_HEADER = r"^==> (?P<path>.+) <==$"
#: What grep puts before a line it found (`grep -rn`, `zgrep -H`, `grep -n -C2`):
#: the file's path and the line's number (`path:N:`, `path:`, `N:`; `-` for a
#: context line), taken off where a record begins right after it (a JSON
#: record, a dated stamp, a syslog stamp).  A stamp's own colons and dashes
#: never pass for it: a path holds a `/`, `\` or `.` (and no quote or brace:
#: a piece of a wrapped JSON record is none), and a bare number is followed
#: by the start of a record, not by the rest of a date.
GREP_PREFIX = (
    r"^(?:(?:[A-Za-z]:)?[^\s:\"{}]*[/.\\][^\s:\"{}]*?(?::(?:\d+[:-])?|-\d+-)|\d+[:-])"
    r'(\{"|\d{4}-\d{2}-\d{2}[T ]\d{2}:|[A-Z][a-z]{2} [ \d]\d \d{2}:)'
)


#: How long a line a container runtime stores in one piece (docker's json-file
#: and containerd's CRI logs split longer ones).
RUNTIME_PIECE = 16 << 10


def _unspliced(numbered: pl.DataFrame, stamp: str) -> pl.DataFrame:
    """The lines longer than a runtime's piece without the stamps it wrote before
    each piece after the first (``docker logs -t`` of a 49 KB takeover line:
    `…/sessions/d82f5b1c-7a3e2026-06-16T02:58:10.207142679Z -49d6-…`, a session
    id cut in two and a copy that folded with no other, Z162).  Only such lines,
    so a stamp quoted in a short line stays."""
    text = pl.col("text")
    return numbered.with_columns(
        text=pl.when(text.str.len_bytes() > RUNTIME_PIECE)
        .then(text.str.replace_all(f"(.){stamp}", "${1}"))
        .otherwise(text)
    )


def _sections(frame: pl.DataFrame, base: int, result: FileScan) -> None:
    """Note where each `==> file <==` section of a capture begins (its header's
    line number) and the file it shows: `tail -f` of two profiles' logs
    interleaves two gateways, whose file-log records name no pid or host."""
    # A prefix test of each line first (0.3 ms per 8 MB chunk): a search of
    # the chunk's bytes for the header had cost 3.6 ms, 0.5 s per busy GB.
    if not frame.get_column("text").str.starts_with("==> ").any():
        return
    found = (
        frame.with_row_index("line", offset=base + 1)
        .select("line", path=pl.col("text").str.extract(TAIL_HEADER, 1))
        .filter(pl.col("path").is_not_null())
    )
    result.sections.extend((int(line), str(path)) for line, path in found.iter_rows())


#: The HTML character references a rendered page writes for a log's own
#: characters, and what each stands for (``&amp;`` last: decoded first, it
#: would make new references of the text).
_ENTITIES = (
    ("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&#34;", '"'), ("&#x22;", '"'),
    ("&apos;", "'"), ("&#39;", "'"), ("&#x27;", "'"), ("&amp;", "&"),
)  # fmt: skip
_ENTITY = "|".join(re.escape(reference) for reference, _ in _ENTITIES)
#: The references as bytes, looked for in a chunk before any line is.
_REFERENCES = tuple(reference.encode() for reference, _ in _ENTITIES)
#: An HTML tag, and a line of a saved HTML page: one that begins with a tag
#: (no log line does).
_TAG = r"</?[A-Za-z][^<>]*>"
_TAGGED = r"^\s*" + _TAG


def _unescaped(frame: pl.DataFrame, result: FileScan) -> pl.DataFrame:
    """A log pasted as a page rendered it: copied from a browser (`error=&quot;…`)
    or saved with the page (`<p dir="auto">… error=&quot;…</p>`).  Its lines
    are read with the page's tags taken off and its character references
    decoded, so a quoted failure keeps its session and folds with the line it
    quotes (Z167: four re-pastes counted as new failures, a session key ending
    in `&quot;</p>`).  Only lines with no `"` of their own, or that begin with a
    tag: a log line's own `&amp;` (a URL in an error) stays as written."""
    text = pl.col("text")
    entity = text.str.contains(_ENTITY)
    tagged = text.str.contains(_TAGGED).fill_null(False)
    if frame.select(tagged.any()).item():
        # A saved page: a tag inside a line with references too, where a page's
        # attribute copy of a snippet ends and its `<pre>` copy begins.  Not in
        # a log, whose error text may quote a provider's HTML page.
        tagged = tagged | (entity & text.str.contains(_TAG)).fill_null(False)
    escaped = (entity & ~text.str.contains('"', literal=True)).fill_null(False)
    body = pl.when(tagged).then(text.str.replace_all(_TAG, "")).otherwise(text)
    for reference, char in _ENTITIES:
        body = body.str.replace_all(reference, char, literal=True)
    if frame.select((tagged | escaped).any()).item():
        result.pasted = True
    return frame.with_columns(pl.when(tagged | escaped).then(body).otherwise(text).alias("text"))


#: A lock failure's own words, in a record a crash cut short.
LOCK_WORDS = r"session file lock|SessionTakeover|session file changed while"


def _clean(
    frame: pl.DataFrame, ansi: bool, page: bool, result: FileScan, cuts: Cuts
) -> pl.DataFrame:
    """Colours stripped; lines cut at MAX_LINE characters; NUL runs (a crash-
    truncated log, a preallocated tail) leave the text after the last run, or
    before the first when nothing follows, and are counted in a warning."""
    text = pl.col("text")
    if ansi:
        # A terminal capture (`script`, tmux): colours and modes stripped, and a
        # carriage return inside a line overwrote what came before it on the
        # screen (bash ends its prompt with `ESC[?2004l` CR; a spinner redraws).
        frame = frame.with_columns(
            text.str.replace_all(ANSI_RE, "").str.replace(OVERWRITTEN_RE, "$1")
        )
    if page:
        frame = _unescaped(frame, result)
    if frame.get_column("text").str.starts_with(">").any():
        # A paste quoted in a chat or a mail reply (`> Jun 16 14:05:12 …`,
        # `>> {"0":…}`): the quote marks are the reply's, not the log's.  No
        # gateway line begins with `>`.
        result.pasted = True
        frame = frame.with_columns(text.str.replace(QUOTE_RE, ""))
    if frame.select(text.str.contains(GREP_PREFIX).any()).item():
        result.pasted = True
        frame = frame.with_columns(text.str.replace(GREP_PREFIX, "$1"))
    # Each `openclaw logs` run prints its file's tail first: a second run
    # appended to the same capture prints again what the first showed.  So
    # does a follow whose cursor was reset (the file rotated or truncated: it
    # reads the file again from its start, and --json says so in a new meta
    # record).
    reread = pl.any_horizontal([text.str.starts_with(p) for p in LOGS_RUN_PREFIXES])
    result.tails += int(frame.select(reread.sum()).item() or 0)
    result.pasted = result.pasted or result.tails > 1
    over = (text.str.len_bytes().cast(pl.Int64) - MAX_LINE).clip(lower_bound=0)
    flags = frame.select(
        long=(over > 0).sum(),
        dropped=over.sum(),
        nul=text.str.contains("\x00", literal=True).sum(),
    ).row(0)
    if flags[0]:
        cuts.lines += int(flags[0])
        cuts.cut(int(flags[1] or 0))
        frame = frame.with_columns(text.str.slice(0, MAX_LINE))
    if flags[2]:
        after = text.str.extract(r"\x00([^\x00]*)$", 1)
        before = text.str.extract(r"^([^\x00]*)\x00", 1)
        # Text on both sides: a record the crash cut, then what came after the
        # reboot.  The latter is read; the cut record is said, not lost (Z220).
        cut = frame.filter(
            before.str.contains(r"\S").fill_null(False) & after.str.contains(r"\S").fill_null(False)
        ).select(locks=before.str.contains(LOCK_WORDS))
        frame = frame.with_columns(
            pl.when(~text.str.contains("\x00", literal=True))
            .then(text)
            .when(after.str.contains(r"\S"))
            .then(after)
            .otherwise(before)
            .alias("text")
        )
        lost = ""
        if cut.height:
            locks = ", a lock error among them" if cut.get_column("locks").any() else ""
            lost = f"; on {cut.height}, a record cut short before the run, unread{locks}"
        result.warnings.append(
            f"{result.source}: {flags[2]} line(s) hold NUL bytes (a crash or power loss left a "
            f"hole in the file); the text after each run was read{lost}"
        )
    return frame


def _sample_raw(frame: pl.DataFrame, result: FileScan, spill: Spill | None) -> None:
    """Keep the text of high-volume rows only for the first RAW_SAMPLE per kind of
    this input, and the rest narrow, on disk with ``spill``: memory then follows
    lock events, not log lines."""
    keyed = occurrences.keyed(frame)
    detail, activity = split(keyed, result.raw_kept)
    # A kept row's text is a view into the whole chunk's buffers (8 MB of
    # lines): copied out, the few sample rows no longer hold the chunk alive.
    result.frames.append(pl.from_dicts(detail.to_dicts(), schema=detail.schema))
    if not activity.is_empty():
        result.activity.append(spill.keep(activity) if spill else activity.lazy())
        result.activity_rows += activity.height


def _zone_evidence(env: EnvelopeSpec, sample: list[str], result: FileScan) -> None:
    """Offsets written in the first lines count as the zone this file shows,
    even when no candidate line carries one.  ``sample`` holds no candidate
    lines: the reader counts their stamps, and a stamp counts once."""
    if env is PLAIN:
        return
    for line in sample:
        record = env.parse(line)
        if record is not None and record.stamp is not None:
            result.saw_stamp(record.stamp)
