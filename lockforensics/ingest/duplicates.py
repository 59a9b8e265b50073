"""Evidence the bundle holds twice is counted once.

It arrives twice in three ways:

* **the same document twice** (copied into two folders, or both loose and
  inside an archive): the same bytes *and* the same time evidence, i.e. every
  row was given the same time.  Identical bytes alone are not enough: a cron
  job saving ``sessions cleanup`` output every run writes byte-identical
  files when nothing changed, and the stamps in their names say they are
  different runs.  A copy with no time at all beside stamped copies is one
  of their runs (a cron's ``latest.json``).  Every copy keeps its line
  accounting; only the one whose name sorts first gives rows, and the
  manifest (and the report's coverage section) names it for the others.
* **overlapping copies** (a log copied before it rotated beside its rotated
  parts, two captures of one journal): a row equal in every column but its
  provenance (``source``, ``line``) to a row of another input of the same
  channel is dropped (how its time was completed aside).  The fuller copy
  keeps it: the input with more lines, then the one whose name sorts first.  Equal
  rows within one log are kept: a log that says a thing twice said it twice.
* **a paste quoting itself** (a ticket or chat thread, read as plain text or
  as a document): a reply quotes a line with `> `, a `systemctl status` tail
  shows the lines the journal block below it holds.  There a lock failure
  equal to an earlier one of the same input (its instant, lane and message,
  which names its lock, owner and age) is the same failure shown again.
* **the same line in the file log and the journal**: different channels, so
  both rows stay; they share one occurrence (parsers/occurrences.toml).
* **a redacted copy of a log beside the log** (a ticket's attachment, its ids
  replaced by `<redacted-…>`): an input carrying redactions whose records
  are, instant for instant, another input's is dropped whole.
* **a diagnostics export's sanitized log beside the log it was cut from**:
  the export keeps a record's ``time`` as written but cuts its message at 240
  characters and redacts long numbers, so the lock path or session key at a
  lock error's end is often cut short, and an occurrence key built from it
  never equals the full line's (openclaw-formats §8).  An export row of the
  same kind at the same instant as a row of another channel is that record's
  lossy copy: it is dropped, counted as a duplicate on its input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import polars as pl

from lockforensics.activity import TEXT_COLUMNS, as_events
from lockforensics.ingest import occurrences
from lockforensics.parsing.envelopes import load_envelopes
from lockforensics.parsing.filescan import FileScan
from lockforensics.schema import ACTIVITY_KINDS, DOCUMENT_CHANNEL, LOCK_KINDS

#: Columns that say where a row was read, how it was wrapped and how its time
#: was completed, not what it says: one line read from two files may owe its
#: year to a journal header in one and to the file name in the other, and
#: `docker logs -t` and the json-file driver wrap one console line in two
#: envelopes, its stamp written two ways.
PROVENANCE = ("source", "line", "occurrence", "ts_quality", "ts_assumption", "envelope", "ts_raw")


def _time_evidence(scan: FileScan) -> tuple[tuple[str, ...], ...]:
    """The times the input's rows were given (before zones are applied), and the
    sessions their paths name.

    Engine frames are left out: their times are read from the bytes alone
    (explicit stamps), so byte-identical copies cannot differ there.  A lock
    file's session is its path's: two sessions locked by one process in the
    same millisecond hold the same bytes, and are two locks."""
    return tuple(
        sorted(
            tuple(str(r.get(k)) for k in ("ts", "_local", "agent", "session_id")) for r in scan.rows
        )
    )


def _untimed(scan: FileScan) -> bool:
    return all(row.get("ts") is None for row in scan.rows)


def drop_same_files(scans: Sequence[FileScan]) -> None:
    """Empty the rows of every input that another input holds as the same document
    (same bytes, same time evidence, or none); the one whose name sorts first
    keeps them (whatever order they were read in)."""
    by_bytes: dict[str, list[FileScan]] = {}
    for scan in scans:
        if scan.sha256 is not None and scan.lines:  # empty files are all alike, hold nothing
            by_bytes.setdefault(scan.sha256, []).append(scan)
    for copies in by_bytes.values():
        if len(copies) < 2:
            continue
        keeper: dict[tuple[tuple[str, ...], ...], str] = {}
        evidence = {scan.source: _time_evidence(scan) for scan in copies}
        for scan in copies:
            key = evidence[scan.source]
            keeper[key] = min(scan.source, keeper.get(key, scan.source))
        # A copy with no time at all (a cron's `latest.json` beside its stamped
        # outputs) is one of the stamped runs, not a run of its own (Z150).
        timed = sorted(scan.source for scan in copies if not _untimed(scan))
        for scan in copies:
            first = timed[0] if timed and _untimed(scan) else keeper[evidence[scan.source]]
            if first != scan.source:
                scan.duplicate_of = first
                scan.duplicate_rows += scan.row_count
                scan.drop_rows()


def drop_overlaps(
    detail: pl.LazyFrame, activity: pl.LazyFrame, scans: Sequence[FileScan]
) -> pl.DataFrame:
    """The rows that another input of the same channel holds identically, from
    either part of the table (lockforensics/activity.py): their part (0 detail,
    1 activity) and index in it, ``_part`` and ``_i``; counted on their inputs.
    The activity rows may be in files (lockforensics/spill.py): they are read
    lazily, only the columns and rows compared."""
    # The activity part is read through as_events after its rows are chosen:
    # decoding its codes first would be a copy of every row.
    parts = (detail, activity)
    # Left lazy and read twice (the spans, then the rows near them): each read
    # keeps only its few rows, where a collected copy held every row's stamp.
    stamps = pl.concat(
        [
            as_events(p.select("source", "channel", "kind", "ts"))
            .with_row_index("_i")
            .with_columns(_part=pl.lit(n, pl.UInt8))
            for n, p in enumerate(parts)
        ]
    )
    echoes = pl.concat(
        [
            _export_echoes(stamps, scans),
            _stampless_copies(parts, scans),
            _quoted_again(detail, scans),
            _shown_again(detail, activity, scans),
            _cut_copies(detail, scans),
            _redacted_copies(detail, stamps, scans),
        ]
    )
    overlaps = _overlaps(stamps)
    if not overlaps.sources:
        return echoes
    # A row can have a copy in another input only at an instant both inputs'
    # spans share, where that input of its channel has a row too (or both are
    # untimed): only those rows are compared.  Rotated parts that meet at
    # their ends share a few instants, not every row; a copy of every suspect
    # row, and then grouping them all by instant, was the build's peak (about
    # 300 MB on a busy 1 GB bundle).
    shared = (
        stamps.filter(pl.col("source").is_in(overlaps.sources) & overlaps.near())
        .collect()
        .filter(pl.col("source").n_unique().over("channel", _SECOND) > 1)
    )
    # One frame of both parts' compared rows; a narrow row lacks the columns it
    # has null, so the diagonal concat compares it exactly.
    rows = pl.concat(
        [
            as_events(
                p.with_row_index("_i").filter(
                    pl.col("_i").is_in(
                        shared.filter(pl.col("_part") == n).get_column("_i").implode()
                    )
                )
            ).with_columns(_part=pl.lit(n, pl.UInt8))
            for n, p in enumerate(parts)
        ],
        how="diagonal_relaxed",
    ).collect()
    return pl.concat([echoes, _dropped(rows, scans)]).unique(maintain_order=True)


#: A row's instant to the second: the precision every capture of a record shares.
_SECOND = pl.col("ts").dt.truncate("1s").alias("_second")
#: The channel of a diagnostics export's ``logs/openclaw-sanitized.jsonl``.
EXPORT_CHANNEL = "diagnostics"


def _export_echoes(stamps: pl.LazyFrame, scans: Sequence[FileScan]) -> pl.DataFrame:
    """The (_part, _i) of export rows whose record another channel holds whole: the
    same kind at the same instant; counted on their inputs.  ``stamps``: every row's
    source, channel, kind, ts and place (drop_overlaps)."""
    stamped = stamps.filter(pl.col("ts").is_not_null())
    export = stamped.filter(pl.col("channel") == EXPORT_CHANNEL).collect()
    if export.is_empty():
        return pl.DataFrame(schema={"_part": pl.UInt8, "_i": pl.UInt32})
    # Only the instants the export holds are looked up among the other rows.
    instants = export.get_column("ts").unique().implode()
    whole = stamped.filter(
        (pl.col("channel") != EXPORT_CHANNEL) & pl.col("ts").is_in(instants)
    ).select("kind", "ts")
    echoes = export.join(whole.unique().collect(), on=["kind", "ts"], how="semi")
    counts = dict(echoes.group_by("source").len().iter_rows())
    for scan in scans:
        scan.duplicate_rows += counts.get(scan.source, 0)
    return echoes.select("_part", "_i")


#: An input with no time at all is taken for a stamp-less copy when at least
#: this share of its rows are records another input holds stamped.
COPY_SHARE = 0.5


def _stampless_copies(
    parts: tuple[pl.LazyFrame, pl.LazyFrame], scans: Sequence[FileScan]
) -> pl.DataFrame:
    """The (_part, _i) of rows of an input with no stamp at all whose record another
    input holds stamped (the same kind and message); counted on their inputs.

    ``journalctl -o cat`` writes each record's message alone, and a paste may
    keep only the messages: beside the stamped capture of the same records,
    every record was counted twice, once untimed.  A record copied n times
    stamped drops at most n of its untimed lines; the input must be mostly
    such copies (``COPY_SHARE``), else its untimed records are its own.  A
    document's rows are runs of a command, not log records: two runs print
    the same first line."""
    # Whether a row's line wrote a stamp: a time given it from elsewhere (a
    # watchdog release timed by its lock's age) is none.  The activity part's
    # rows were all read from their own stamps.
    keys = pl.concat(
        [
            p.with_row_index("_i")
            .filter(pl.col("channel") != DOCUMENT_CHANNEL)
            .select(
                "_i",
                "source",
                "kind",
                "ts",
                occurrences.MESSAGE_KEY,
                _written=pl.col("ts_raw").is_not_null()
                if "ts_raw" in p.collect_schema()
                else pl.lit(True),
            )
            .with_columns(_part=pl.lit(n, pl.UInt8))
            for n, p in enumerate(parts)
        ]
    )
    timeless = (
        keys.group_by("source")
        .agg((~pl.col("_written")).all().alias("_none"))
        .filter("_none")
        .collect()
        .get_column("source")
    )
    if timeless.is_empty():  # the common case: one pass over two columns
        return pl.DataFrame(schema={"_part": pl.UInt8, "_i": pl.UInt32})
    bare = keys.filter(
        pl.col("source").is_in(timeless.implode()) & pl.col("ts").is_null()
    ).collect()
    record = ["kind", occurrences.MESSAGE_KEY]
    stamped = (
        keys.filter(pl.col("ts").is_not_null())
        .join(bare.lazy().select(record).unique(), on=record, how="semi")
        .group_by(record)
        .agg(_copies=pl.len())
        .collect()
    )
    totals = bare.group_by("source").agg(_rows=pl.len())
    nth = pl.int_range(pl.len()).over("source", *record, order_by=["_part", "_i"])
    copies = (
        bare.join(stamped, on=record)
        .filter(nth < pl.col("_copies"))
        .join(totals, on="source")
        .filter(pl.len().over("source") >= COPY_SHARE * pl.col("_rows"))
    )
    counts = dict(copies.group_by("source").len().iter_rows())
    for scan in scans:
        scan.duplicate_rows += counts.get(scan.source, 0)
    return copies.select("_part", "_i")


#: A stamp that writes no date (`23:58:40-04:00`): its date was assumed.
_TIME_ONLY = pl.col("ts_raw").is_not_null() & ~pl.col("ts_raw").str.contains(
    r"\d{4}|[A-Z][a-z]{2} "
)


def _quoted_again(detail: pl.LazyFrame, scans: Sequence[FileScan]) -> pl.DataFrame:
    """The (_part, _i) of lock failures a paste shows again, and of any line one
    that was quoted or grep'd shows again (grep -C's overlapping contexts print
    a restart line twice); counted on their inputs.  Failures live in the
    detail part (part 0); logs are left alone."""
    logs = {env.name for env in load_envelopes().envelopes}
    pastes = [scan.source for scan in scans if scan.envelope not in logs or scan.pasted]
    if not pastes:
        return pl.DataFrame(schema={"_part": pl.UInt8, "_i": pl.UInt32})
    pasted = [scan.source for scan in scans if scan.pasted]
    said = ["source", "kind", "ts", "lane", occurrences.MESSAGE_KEY]
    again = (
        detail.with_row_index("_i")
        .filter(
            pl.col("source").is_in(pastes)
            & (pl.col("kind").is_in(sorted(LOCK_KINDS)) | pl.col("source").is_in(pasted))
            & (pl.col("ts").is_not_null() | _TIME_ONLY)
            & (pl.col("channel") != DOCUMENT_CHANNEL)
        )
        .select("_i", *said, "ts_raw")
        # A copy stamped with a time of day alone is the line it copies however
        # it was dated, or when neither was: a `> ` quote below a paste that
        # crossed midnight had been dated a day on, a failure of its own (Z214),
        # and one of a paste no date was found for too (Z234).
        .with_columns(
            _said=pl.when(_TIME_ONLY).then(pl.col("ts_raw")).otherwise(pl.col("ts").cast(pl.String))
        )
        .filter(pl.int_range(pl.len()).over(*said[:2], *said[3:], "_said", order_by="_i") > 0)
        .collect()
    )
    # An untimed failure of a paste that names the lock, owner and age of one it
    # holds stamped is that failure quoted (inline in prose, typed off a
    # screen): Z140's ticket counted 11 lock errors for 6.
    # A copy cut short of its path (`…/3f1c9a27-5b0e-….jsonl.lock`) still names
    # its owner and that owner's age, to the millisecond.
    failures = (
        detail.with_row_index("_i")
        .filter(
            pl.col("source").is_in(pastes)
            & pl.col("kind").is_in(sorted(LOCK_KINDS))
            & (pl.col("channel") != DOCUMENT_CHANNEL)
        )
        .select(
            "_i", "ts", "source", "kind", "lock_path", "session_id", "pid", "age_ms", "timeout_ms"
        )
    )
    named = pl.col("lock_path").is_not_null() | pl.col("session_id").is_not_null()
    # A piece naming nothing but the wording and its timeout (a quote whose
    # wrap was not joined: `…session file locked (timeout 60000ms)`) is a piece
    # of a failure with that timeout the paste holds stamped (Z217).
    bare = ~named & pl.col("pid").is_null() & pl.col("age_ms").is_null()
    aged = pl.col("age_ms").is_not_null()
    timed_out = pl.col("timeout_ms").is_not_null()
    # (what both name, which untimed copies, of which stamped failures)
    keys = (
        (["source", "kind", "lock_path", "session_id", "pid", "age_ms"], named, named),
        (["source", "kind", "pid", "age_ms"], aged, aged),
        (["source", "kind", "timeout_ms"], bare & timed_out, timed_out),
    )
    # So is one naming the whole lock path of a failure another input holds
    # stamped (an on-call note quoting a console's time-only line, Z228).
    lock = ["kind", "lock_path", "session_id", "pid", "age_ms"]
    elsewhere = (
        detail.filter(
            pl.col("kind").is_in(sorted(LOCK_KINDS))
            & (pl.col("channel") != DOCUMENT_CHANNEL)
            & pl.col("ts").is_not_null()
            & pl.col("lock_path").is_not_null()
        )
        .select(lock)
        .unique()
    )
    quoted = pl.concat(
        [
            *(
                failures.filter(pl.col("ts").is_null() & where)
                .join(
                    failures.filter(pl.col("ts").is_not_null() & of).select(key).unique(),
                    on=key,
                    how="semi",
                    nulls_equal=True,
                )
                .select("_i", "source")
                for key, where, of in keys
            ),
            failures.filter(pl.col("ts").is_null() & pl.col("lock_path").is_not_null())
            .join(elsewhere, on=lock, how="semi", nulls_equal=True)
            .select("_i", "source"),
        ]
    ).collect()
    again = pl.concat([again.select("_i", "source"), quoted]).unique("_i")
    counts = dict(again.group_by("source").len().iter_rows())
    for scan in scans:
        scan.duplicate_rows += counts.get(scan.source, 0)
    return again.select(_part=pl.lit(0, pl.UInt8), _i="_i")


def _shown_again(
    detail: pl.LazyFrame, activity: pl.LazyFrame, scans: Sequence[FileScan]
) -> pl.DataFrame:
    """The (_part, _i) of high-volume rows (runs, lane tasks: the activity part)
    that a pasted capture shows again (a second `openclaw logs` run, a reset
    cursor re-reading its file), their first showing in either part (an
    input's first rows of a kind stay in the detail part): counted on their
    inputs (Z188: runs and lane tasks counted twice).  The detail part's own
    are :func:`_quoted_again`'s."""
    pasted = [scan.source for scan in scans if scan.pasted]
    if not pasted:
        return pl.DataFrame(schema={"_part": pl.UInt8, "_i": pl.UInt32})
    said = ["source", "kind", "ts", "lane", occurrences.MESSAGE_KEY]

    def rows(part: pl.LazyFrame, n: int) -> pl.LazyFrame:
        present = part.collect_schema().names()
        return (
            part.with_row_index("_i")
            .filter(
                pl.col("source").cast(pl.String).is_in(pasted)
                & pl.col("kind").cast(pl.String).is_in(sorted(ACTIVITY_KINDS))
                & pl.col("ts").is_not_null()
            )
            .select(
                "_i",
                "line",
                *[
                    pl.col(c).cast(pl.String) if c in present else pl.lit(None, pl.String).alias(c)
                    for c in said
                    if c != "ts"
                ],
                "ts",
                _part=pl.lit(n, pl.UInt8),
            )
        )

    again = (
        pl.concat([rows(detail, 0), rows(activity, 1)])
        .filter(pl.int_range(pl.len()).over(said, order_by=["line", "_part", "_i"]) > 0)
        .filter(pl.col("_part") == 1)
        .select("_i", "source")
        .collect()
    )
    counts = dict(again.group_by("source").len().iter_rows())
    for scan in scans:
        scan.duplicate_rows += counts.get(scan.source, 0)
    return again.select(_part=pl.lit(1, pl.UInt8), _i="_i")


#: Where a terminal cut a line to its width: `systemctl status` without -l ends
#: each of its journal lines there with an ellipsis.
ELLIPSIS = "…"


#: What a hand or a tool writes in place of what it hid (`<redacted-uuid>`,
#: `[REDACTED]`): a log carrying it may be another's redacted copy.
REDACTED = r"(?i)[<\[]redacted[^>\]]*[>\]]|\bREDACTED\b"
#: An input carrying redactions is a redacted copy when at least this share of
#: its timed rows are of a kind another input of its channel holds at the same
#: instant, to the microsecond.
REDACTED_SHARE = 0.9


def _redacted_copies(
    detail: pl.LazyFrame, stamps: pl.LazyFrame, scans: Sequence[FileScan]
) -> pl.DataFrame:
    """The (_part, _i) of every row of an input that is a redacted copy of another:
    it carries redactions, and its records are another input's, instant for
    instant, with ids replaced.  A ticket's redacted log beside the log it was cut
    from had been a second gateway, every failure counted twice (Z137).  Counted
    on their inputs."""
    marked = (
        detail.filter(
            (pl.col("channel") != DOCUMENT_CHANNEL)
            & pl.col("message").str.contains(REDACTED).fill_null(False)
        )
        .select("source")
        .unique()
        .collect()
        .get_column("source")
    )
    if marked.is_empty():  # the common case
        return pl.DataFrame(schema={"_part": pl.UInt8, "_i": pl.UInt32})
    copy = pl.col("source").is_in(marked.implode())
    timed = stamps.filter(pl.col("ts").is_not_null())
    record = ["channel", "kind", "ts"]
    others = timed.filter(~copy).select(record).unique()
    share = (
        timed.filter(copy)
        .join(others.with_columns(_seen=pl.lit(True)), on=record, how="left")
        .group_by("source")
        .agg(_share=pl.col("_seen").fill_null(False).mean())
        .filter(pl.col("_share") >= REDACTED_SHARE)
        .collect()
        .get_column("source")
    )
    copies = stamps.filter(pl.col("source").is_in(share.implode())).collect()
    counts = dict(copies.group_by("source").len().iter_rows())
    for scan in scans:
        scan.duplicate_rows += counts.get(scan.source, 0)
    return copies.select("_part", "_i")


def _cut_copies(detail: pl.LazyFrame, scans: Sequence[FileScan]) -> pl.DataFrame:
    """The (_part, _i) of failures and other detail rows cut short with an ellipsis
    whose whole line another row holds (the same instant, its text beginning with
    what the cut kept): a copy, its owner and lock lost to the cut; counted on
    their inputs.  A cut line with no whole copy stays, what it lost unknown."""
    message = pl.col("message")
    rows = (
        detail.with_row_index("_i")
        .filter(pl.col("ts").is_not_null() & message.is_not_null())
        .select("_i", "source", "ts", message, _second=_SECOND)
    )
    cut = rows.filter(message.str.ends_with(ELLIPSIS)).select(
        "_i",
        "source",
        "_second",
        _cut_ts="ts",
        _kept=message.str.strip_suffix(ELLIPSIS).str.strip_chars_end(),
    )
    whole = rows.filter(~message.str.ends_with(ELLIPSIS)).select("_second", "ts", "message")
    # To the millisecond when both lines have it, else the second they share.
    coarse = (pl.col("ts") == pl.col("_second")) | (pl.col("_cut_ts") == pl.col("_second"))
    copies = (
        cut.join(whole, on="_second")
        .filter(
            ((pl.col("ts") == pl.col("_cut_ts")) | coarse)
            & (pl.col("_kept").str.len_chars() > 0)
            & pl.col("message").str.starts_with(pl.col("_kept"))
        )
        .select("_i", "source")
        .unique()
        .collect()
    )
    counts = dict(copies.group_by("source").len().iter_rows())
    for scan in scans:
        scan.duplicate_rows += counts.get(scan.source, 0)
    return copies.select(_part=pl.lit(0, pl.UInt8), _i="_i")


def without(part: pl.DataFrame, dropped: pl.DataFrame, n: int) -> pl.DataFrame:
    """``part`` less its rows listed in ``dropped``; the same frame when none are (a
    filter is a copy of every row, and the activity part is most of the table)."""
    mine = dropped.filter(pl.col("_part") == n).get_column("_i")
    if mine.is_empty():
        return part
    return part.with_row_index("_i").filter(~pl.col("_i").is_in(mine.implode())).drop("_i")


#: Past this many separate shared spans the rows are not narrowed by time
#: first (one term per span): every suspect row is grouped by instant instead.
MAX_WINDOWS = 64


@dataclass(frozen=True, slots=True)
class Overlaps:
    """Inputs whose time span meets another input's of the same channel, and
    where: only their rows, at those times, can be copies of each other."""

    sources: list[str]
    windows: list[tuple[datetime, datetime]]  # shared spans, merged, in order
    untimed: bool  # two such inputs both hold untimed rows

    def near(self) -> pl.Expr:
        """Rows at a time some two inputs both span (or untimed, when two hold such)."""
        if len(self.windows) > MAX_WINDOWS:
            return pl.lit(True)
        ts = pl.col("ts")
        terms = [ts.is_between(lo, hi) for lo, hi in self.windows]
        if self.untimed:
            # Only untimed failures can be copies (_dropped).
            terms.append(ts.is_null() & pl.col("kind").is_in(sorted(LOCK_KINDS)))
        return pl.any_horizontal(terms).fill_null(False) if terms else pl.lit(False)


def _overlaps(stamps: pl.LazyFrame) -> Overlaps:
    """Inputs whose spans meet within a channel (rotated parts follow each other;
    a file log and its journal copy are different channels)."""
    spans = (
        stamps.group_by("source", "channel")
        # To whole seconds, as rows are compared (_dropped).
        .agg(
            start=pl.col("ts").min().dt.truncate("1s"),
            end=pl.col("ts").max().dt.truncate("1s") + timedelta(seconds=1),
            untimed=pl.col("ts").is_null().any(),
        )
        .sort("channel", "start", nulls_last=True)
        .collect()
        .rows(named=True)
    )
    suspects: set[str] = set()
    windows: list[tuple[datetime, datetime]] = []
    both_untimed = False
    for i, a in enumerate(spans):
        for b in spans[i + 1 :]:
            if b["channel"] != a["channel"]:
                break
            both_untimed = both_untimed or (a["untimed"] and b["untimed"])
            timed = a["start"] is not None and b["start"] is not None
            meet = timed and b["start"] <= a["end"]
            if meet or a["untimed"] or b["untimed"] or not timed:
                suspects.update((a["source"], b["source"]))
            if meet:
                windows.append((b["start"], min(a["end"], b["end"])))
    return Overlaps(sorted(suspects), _merged(windows), both_untimed)


def _merged(windows: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """The union of closed spans as disjoint spans, in order."""
    out: list[tuple[datetime, datetime]] = []
    for lo, hi in sorted(windows):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


#: Columns a copy may hold otherwise: the row's place in the parts, its time and
#: host (compared apart), and a document's run number, which counts runs in its
#: own input (a cron's appended log holds the run its saved output holds alone,
#: its 14th where the output's is its 1st: Z150 counted each of 57 runs twice).
_NOT_COMPARED = ("_part", "_i", "ts", "host", "gateway_pid", "doc_run")


def _the_one_named(column: str, said: pl.Expr) -> pl.Expr:
    """``column``, else the one value the row's copies (``said`` in its second) name."""
    named = pl.col(column).drop_nulls()
    only = pl.when(named.n_unique().over(said, _SECOND) == 1).then(
        named.first().over(said, _SECOND)
    )
    return pl.coalesce(pl.col(column), only)


def _dropped(rows: pl.DataFrame, scans: Sequence[FileScan]) -> pl.DataFrame:
    """The (_part, _i) of rows a fuller input holds too; counted on their inputs.

    A row stamped to the whole second is also a copy of a finer row of its
    second: `journalctl -o short` and `-o short-precise` of one journal write
    one record at two precisions (two rows stamped to the millisecond a moment
    apart stay two).  A lock failure is compared by its text (which names its
    lock, owner and age) and host, any other row by its columns and host; a
    copy that names no host takes the one host its copies name: a console
    tail holds the journal's failure though it names no host or pid, an
    `openclaw logs` capture on a laptop holds the start lines of the capture
    that names the gateway's host, while two hosts' journals each hold their
    own.  The fuller input's copy is kept."""
    columns = [
        pl.col(c).list.join("\x1f") if isinstance(rows.schema[c], pl.List) else pl.col(c)
        for c in rows.columns
        if c not in PROVENANCE and c not in TEXT_COLUMNS and c not in _NOT_COMPARED
    ]
    fuller = sorted(scans, key=lambda scan: (-scan.lines, scan.source))
    rank = pl.col("source").replace_strict(
        {scan.source: index for index, scan in enumerate(fuller)}, return_dtype=pl.Int64
    )
    failure = pl.col("kind").is_in(sorted(LOCK_KINDS))
    said = (
        pl.when(failure)
        # The lane too: a lane failure's two mirrors share their message key
        # (occurrences.keyed) and are two lines, not copies of one.
        .then(
            pl.struct(
                pl.col("channel"), pl.col("kind"), pl.col(occurrences.MESSAGE_KEY), pl.col("lane")
            )
        )
        .otherwise(pl.struct(*columns))
        .hash()
    )
    # A copy naming no host, or no pid (`journalctl -o cat` drops the journal's
    # `node[pid]`), takes the one its copies name (Z155: the cat copy's restart
    # stood beside the journal's, a second restart of no pid).
    host, pid = (_the_one_named(column, said) for column in ("host", "gateway_pid"))
    ident = pl.struct(said.alias("_said"), host.alias("_h"), pid.alias("_p")).hash()
    coarse = (pl.col("ts") == _SECOND).fill_null(False)
    copy = rank != rank.min().over(ident, pl.col("ts"))
    coarse_copy = coarse & (~coarse).any().over(ident, _SECOND)
    # An untimed failure may be a pasted copy; an untimed banner or lifecycle
    # line is printed again at every start (a rotated log and the current one
    # each hold one): not a copy.
    copyable = pl.col("ts").is_not_null() | failure
    dropped = rows.filter((copy | coarse_copy) & copyable)
    counts = dict(dropped.group_by("source").len().iter_rows())
    # An input naming no host whose copies all name one: that host's gateway's
    # (a console capture of the journal's lines).  Its other lines, which no
    # copy holds, would otherwise make it look like another gateway's.  The
    # copy kept too: an `openclaw logs --plain` capture holding more lines than
    # each of the two `--json` follows that name the host (Z165: the host lost).
    copied_elsewhere = (copy | coarse_copy | (pl.len().over(ident, pl.col("ts")) > 1)) & copyable
    copied = dict(
        rows.with_columns(_copy_host=pl.when(copied_elsewhere).then(host))
        .group_by("source")
        .agg(
            named=pl.col("host").drop_nulls().len(),
            hosts=pl.col("_copy_host").drop_nulls().unique(),
        )
        .filter((pl.col("named") == 0) & (pl.col("hosts").list.len() == 1))
        .select("source", pl.col("hosts").list.first())
        .iter_rows()
    )
    for scan in scans:
        scan.duplicate_rows += counts.get(scan.source, 0)
        scan.copied_host = copied.get(scan.source, scan.copied_host)
    return dropped.select("_part", "_i")
