"""Reading an input as a structured document (parsers/documents.toml), with its accounting.

A document hook claims a whole file and says which of its lines it read.
Lines it did not read still go through the signatures, so a document pasted
among log lines (a ticket, a chat) cannot swallow them; a log tail after the
document is scanned as a log.
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime, time, timezone
from typing import Any, BinaryIO

from lockforensics.parsing.continuations import FENCE_RE
from lockforensics.parsing.documents import Document, DocumentCatalog, DocumentSpec, Parsed
from lockforensics.parsing.documents.listing import LOCK_GLOB, census_run, seen_by_census
from lockforensics.parsing.documents.model import document_row
from lockforensics.parsing.documents.processes import dated_by_elapsed
from lockforensics.parsing.documents.runs import (
    PROMPT,
    Release,
    cat_target,
    exec_pod,
    preamble,
    released_by,
    run_stamps,
    run_starts,
    runs_elsewhere,
)
from lockforensics.parsing.documents.timing import (
    FROM_NAME,
    SEVERAL_UNSTAMPED,
    UTC_NAMES,
    document_time,
    name_stamp,
    shown_zone,
    stamp_line,
    when_from_stamp,
    zone_name,
)
from lockforensics.parsing.envelopes import EnvelopeCatalog, sniff
from lockforensics.parsing.filescan import SAMPLE_LIMIT, FileScan
from lockforensics.parsing.lines import LineReader
from lockforensics.parsing.timestamps import FileClock, Stamp
from lockforensics.schema import LISTED_PAYLOAD

#: A Markdown code fence: the file is a ticket, pasting what its blocks show.
FENCE = re.compile(FENCE_RE)
#: Documents are read whole; a larger file that sniffs like one is read as a log.
DOCUMENT_LIMIT = 8 << 20
#: How much of a file decides what it is.
SNIFF_HEAD = 64 << 10

#: Scans a log tail: (stream, clock, result, first line number - 1).
LogTail = Callable[[BinaryIO, FileClock, FileScan, int], None]


#: Where a saved session's zone was read (Parsed.zone).
_SESSION_DATE = "a `date` line in the session"


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
        text = head.decode("utf-8", "replace")
        if self.documents.candidates(name, text):
            return True
        # A shell session that `cat`s a file a document hook knows by name, or
        # one of whose commands printed a document (`ps` after `whoami`: Z211).
        lines = text.splitlines()
        return any(
            self.documents.candidates(target, "")
            if (target := cat_target(line)) is not None
            else self.documents.candidates(name, "\n".join(lines[at + 1 :]))
            for at, line in enumerate(lines)
            if PROMPT.match(line.strip())
        )

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
        found = self._parsed(doc, candidates)
        # Runs of several commands in one file (a cron log, a saved shell
        # session) read one by one, when that reads more of it.
        runs = self._by_runs(doc)
        if runs is not None and (found is None or _reads_more(runs[1], found[1])):
            found = runs
        if found is None:
            return False
        result.envelope = found[0]
        self._account(doc, *found, clock, result, log_tail)
        return True

    def _parsed(self, doc: Document, candidates: list[DocumentSpec]) -> tuple[str, Parsed] | None:
        """The first of ``candidates`` that parses ``doc``: its name and reading."""
        for spec in candidates:
            parsed = spec.parse(doc)
            if parsed is not None:
                return spec.name, parsed
        return None

    def _by_runs(self, doc: Document) -> tuple[str, Parsed] | None:
        """Each run of an appended command log (documents/runs.py) read as the
        document it is: text, ``--json`` or ``doctor``; lines no document reads
        are left to the signatures.  Named for the kind most runs are."""
        starts = run_starts(doc.lines)
        # One command typed at a prompt is a run too (`$ kubectl exec … cat <lock>`).
        if len(starts) < 2 and not (starts and PROMPT.match(doc.lines[starts[0]].strip())):
            return None
        stamps = dict(run_stamps(doc.lines, starts))
        last_stamped = max(stamps, default=None)
        edges = sorted({0, *starts, len(doc.lines)})
        merged, names, runs = Parsed(), Counter[str](), 0
        carried = None  # the last stamp printed so far (a `$ date`, a typescript's header)
        # Lock files a session printed (`$ cat`), and what it let go of after.
        printed_locks: list[tuple[int, list[dict[str, Any]], Stamp]] = []
        released: list[tuple[int, Release]] = []
        for first, end in itertools.pairwise(edges):
            carried = stamps.get(first, carried)
            name, start = doc.name, first
            shell = PROMPT.match(doc.lines[first].strip()) is not None
            if shell and (release := released_by(doc.lines[first])) is not None:
                released.append((first, release))
            if shell:
                # A command's output follows its prompt; what `$ cat <file>`
                # printed is that file.
                merged.known_lines.add(first + 1)
                name, start = cat_target(doc.lines[first]) or doc.name, first + 1
            part = Document(name, doc.lines[start:end], doc.bundle_year)
            at = stamps.get(first) or carried
            if shell and at is not None and _listed_none(doc.lines[first], part):
                # PowerShell prints nothing for a lock glob that matched none: a
                # census run that listed no lock (Z212).
                runs = _merge(
                    merged, _empty_census(doc.lines[first], at), first, doc.name, True, runs
                )
                continue
            numbered = list(enumerate(part.lines, start=start + 1))
            head = part.text[:SNIFF_HEAD]
            found = self._parsed(part, self.documents.candidates(name, head))
            tail = None if found is None else found[1].tail_from
            if found is None or (tail is not None and len(part.lines) - tail >= STATUS_TAIL):
                # Nothing reads it; or a status whose "tail" is the rest of a paste
                # (a ticket whose one prompt is `$ systemctl status`): the whole
                # file is read as that document, its tail as the log it is.
                merged.unrecognized.update(
                    n for n, line in numbered if line.strip() and not preamble(line)
                )
                continue
            if tail is not None:
                # The journal tail `systemctl status` prints under its header, in
                # the middle of a saved session: its lock and lifecycle lines are
                # read as the file's stray log lines (_stray_logs), the rest noise.
                found[1].unrecognized = {n for n in found[1].unrecognized if n < tail}
                found[1].tail_from = None
            names[found[0]] += 1
            own_stamp = any(stamp_line(line) is not None for _, line in numbered)
            printed = stamps.get(first)
            if not own_stamp and printed is not None:
                # `$ date -u` right before `$ openclaw doctor`: the doctor ran then,
                # whatever the file's name says (the session's start: Z200).
                for row in found[1].rows:
                    if row.get("lock_payload") == LISTED_PAYLOAD:
                        continue  # a listed lock's time is its mtime (seen_by_census)
                    named = str(row.get("ts_assumption") or "").startswith(FROM_NAME)
                    if named or (row.get("ts") is None and "_local" not in row):
                        for key in ("_local", "_utc"):
                            row.pop(key, None)
                        row.update(document_time(doc.name, printed))
                own_stamp = True
            if printed is not None:
                seen_by_census(found[1].rows, printed, latest=first == last_stamped and not shell)
            elif shell and carried is not None:
                # A listing typed in a saved shell session was seen when it ran, at
                # or after the last stamp the session printed: not at collection.
                seen_by_census(found[1].rows, carried, latest=False, files=False)
            at = printed if printed is not None else carried if shell else None
            if at is not None and at.offset is not None and at.day is not None:
                shown = datetime.combine(at.day, at.clock or time(0), timezone(at.offset))
                # `ps` a run after `date` (maybe in a container: any offset).
                dated_by_elapsed(found[1].rows, shown, runs_elsewhere(doc.lines[first]))
            if shell and (pod := exec_pod(doc.lines[first])) is not None:
                # What `kubectl exec <pod> -- …` printed is that pod's, the host
                # its `kubectl logs --prefix` lines name (Z239: its `ps` on no
                # host, the gateway pid it showed lost).
                for row in found[1].rows:
                    row.setdefault("host", pod)
            if shell and at is not None:
                printed_locks.append((first, found[1].rows, at))
            run = census_run(part.lines[0], at) if found[1].lists_locks and at else None
            if run is not None:
                found[1].rows.append(run)
                found[1].event_lines.add(1)
            runs = _merge(merged, found[1], start, doc.name, own_stamp, runs)
        if merged.zone is None and not any(map(runs_elsewhere, doc.lines)):
            # A zone a `date` in the session showed is the host's: `ps` lstart
            # further down prints in it, with no zone (Z211: read as UTC); not
            # a container's or another machine's `ps` (Z213: four hours off).
            # `date -u; date`: the local zone, not the UTC any host shows (Z218).
            zones = [z for line in doc.lines if (z := shown_zone(line, _SESSION_DATE)) is not None]
            local = any(zone_name(line) not in (None, *UTC_NAMES) for line in doc.lines)
            merged.zone = next((z for z in zones if z[0] or not local), None)
        for first, rows, at in printed_locks:
            # A lock file `$ cat` showed, which a later command let go of (`$ rm`
            # of it, `kill` of its owner, a gateway restart): held then, not as
            # the bundle was collected (Z211: the lock an operator printed
            # before `kill`ing its owner voided the restart that cleared it).
            after = [release for later, release in released if later > first]
            freed = [row for row in rows if any(r.frees(row) for r in after)]
            seen_by_census(freed, at, latest=False)
        return (names.most_common(1)[0][0], merged) if names else None

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
        if not self._ticket(doc, count, parsed, clock, result, log_tail):
            self._lines(doc, count, parsed, clock, result)
        for row in parsed.rows:
            result.rows.append(document_row(row, name, result.source))
        result.facts.update(parsed.facts)
        result.warnings.extend(parsed.warnings)
        if parsed.zone is not None and clock.header_offset is None:
            clock.header_offset, clock.header_abbr, clock.header_at, clock.header_from = parsed.zone
        if parsed.tail_from and count < len(doc.lines):
            tail = ("\n".join(doc.lines[count:]) + "\n").encode()
            log_tail(io.BytesIO(tail), clock, result, count)

    def _lines(
        self, doc: Document, count: int, parsed: Parsed, clock: FileClock, result: FileScan
    ) -> None:
        """Lines 1..``count`` accounted as the document read them, the candidate
        lines it left read one by one as log lines."""
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

    def _ticket(
        self,
        doc: Document,
        count: int,
        parsed: Parsed,
        clock: FileClock,
        result: FileScan,
        log_tail: LogTail,
    ) -> bool:
        """A ticket (a Markdown fence) pasting log lines beside a command's
        output: the output's lines as the document read them, every other line
        through the log engine, as a paste naming no document is read, so that
        a record the terminal hard-wrapped is joined whole (Z190: an `ls -la`
        block made an issue's wrapped lock errors 19 failures for 8, none timed
        to an agent).  False when it is no ticket, or pastes no log line."""
        lines = doc.lines[:count]
        fences = {n for n, line in enumerate(lines, start=1) if FENCE.match(line)}
        read = {n for n in parsed.event_lines | parsed.known_lines if 1 <= n <= count} - fences
        stray = any(n not in read and self.candidate(line) for n, line in enumerate(lines, start=1))
        if not fences or not stray:
            return False
        # The document's lines go through as blank lines (noise to the engine,
        # and a record's end), then are counted as the document read them.
        shown = "\n".join("" if n in read else line for n, line in enumerate(lines, start=1))
        log_tail(io.BytesIO((shown + "\n").encode()), clock, result, 0)
        events = {n for n in parsed.event_lines if n in read}
        result.event_lines += len(events)
        result.noise_lines -= len(events)
        return True

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
        # A line the command printed with no stamp (the version banner) was
        # printed when the command ran: the time its run's preamble gives,
        # else the document's name.
        starts = run_starts(doc.lines)
        stamps = dict(run_stamps(doc.lines, starts))
        named = name_stamp(doc.name)
        by_name = (
            when_from_stamp(named, "the name of the document it is printed in") if named else None
        )
        for row in result.rows[before:]:
            if row.get("ts") is not None or "_local" in row or "_yearless" in row:
                continue
            run = bisect.bisect_right(starts, row["line"] - 1) - 1
            own = stamps.get(starts[run]) if run >= 0 else None
            when = document_time(doc.name, own) if own is not None else by_name
            if when is not None:
                row.update(when)
        return found


#: The most lines a `systemctl status` run's journal tail is read as stray lines
#: (it prints 10 unless `-n` says otherwise).
STATUS_TAIL = 60


def _reads_more(runs: Parsed, whole: Parsed) -> bool:
    """Whether reading run by run makes more lines events, or as many with fewer
    left unrecognised (a tie goes to the whole file as one document)."""
    more = len(runs.event_lines) - len(whole.event_lines)
    return more > 0 or (more == 0 and len(runs.unrecognized) < len(whole.unrecognized))


def _listed_none(prompt: str, part: Document) -> bool:
    """A prompt's lock-glob listing (listing.LOCK_GLOB) that printed nothing (the
    next command's header, a transcript's `Command start time:`, is not its)."""
    command = PROMPT.match(prompt.strip())
    return (
        command is not None
        and LOCK_GLOB.match(command["command"].strip()) is not None
        and not any(line.strip() and not preamble(line) for line in part.lines)
    )


def _empty_census(prompt: str, at: Stamp) -> Parsed:
    """The census run of a listing that printed nothing, on its prompt line (1)."""
    out = Parsed(lists_locks=True)
    run = census_run(prompt.strip(), at)
    if run is not None:
        out.rows.append(run)
        out.event_lines.add(1)
    return out


def _merge(into: Parsed, part: Parsed, offset: int, name: str, own_stamp: bool, runs: int) -> int:
    """A run's reading (its lines numbered from 1) into the whole file's, from line
    ``offset`` + 1; returns the last ``doc_run`` number so far.  Its ``doc_run``
    numbers follow the ``runs`` read before it; a run with no stamp of its own is
    untimed, not given the file name's time (which is the time of one run, not
    of each)."""
    last = runs
    for row in part.rows:
        row["line"] += offset
        if row.get("doc_run") is not None:
            row["doc_run"] += runs
            last = max(last, row["doc_run"])
        if not own_stamp and str(row.get("ts_assumption")).startswith(FROM_NAME):
            row.update(SEVERAL_UNSTAMPED)
        into.rows.append(row)
    into.event_lines.update(n + offset for n in part.event_lines)
    into.known_lines.update(n + offset for n in part.known_lines)
    into.unrecognized.update(n + offset for n in part.unrecognized)
    into.facts.update(part.facts)
    into.zone = into.zone or part.zone
    # Warnings name their line as `<name>:<line>:`.
    place = re.compile(rf"^{re.escape(name)}:(\d+):")
    into.warnings.extend(
        place.sub(lambda m: f"{name}:{int(m[1]) + offset}:", w, count=1) for w in part.warnings
    )
    return last
