"""Records that span lines: continuations joined onto the record they belong to.

Pasted evidence wraps (issue 10 part 5).  For envelopes whose records wrap
(``wraps = true`` in parsers/envelopes.toml, and the plain fallback) a line
continues the record above it when it is:

* a stack frame (``    at fn (file:line:col)``) under a non-blank line;
* the line after one that ends in ``released:`` (a takeover whose path wrapped);
* the rest of a quoted string cut inside a word: the line above leaves a
  ``"`` open and this one closes it before any whitespace (a pid or path
  wrapped in a YAML or JSON value; one wrap per string);
* an indented line or the closing ``}`` of a pretty-printed JSON record that
  opened with ``{`` alone on a line;
* an indented line under a non-blank line, when the envelope can tell record
  lines (``record``, its ``line`` pattern) and this one, indent dropped, is
  not one: a long log line wrapped at a space by a chat box or a terminal
  that indents what it wraps.  A pasted log indented as a whole (a Markdown
  code block) is still one record per line;
* the rest of a JSON record that a soft wrap (``fold -s``, a mail client,
  a terminal copy) broke at its spaces and at its width: from a line that
  opens ``{"`` and leaves the record open, every line up to the one that
  closes it (its quotes balanced, ending in ``}``), at most ``JSON_LINES``,
  and never across a blank line or a Markdown fence.  A piece as wide as the
  record's widest is joined with nothing (broken inside a word); a narrower
  one lost the blank it broke at, and is joined with one;
* in a paste, the rest of a log line a mail client or ``fold -s``
  soft-wrapped at its blanks: under a line that opens a record, the lines
  that open none, while each line above them broke because its next word
  would not fit (its width and the word's pass the wrap's width, and it is no
  wider, unless it is one unbreakable word).  The width must show itself:
  three or more records broke within 25 columns of the widest such break,
  in the stretch between blank lines and fences (each paste of a thread at
  its own width), else in the file's first chunk (:func:`soft_width`);
* a piece of a line hard-wrapped at a fixed column (an old Windows console,
  ``screen``, a web console copied as shown): the record's first line
  (``wrap_start``) and every piece but the last are exactly as wide, at
  least ``WRAP_MIN`` characters.  The width must show itself: two such
  pieces in one record somewhere in the chunk, so one log line that happens
  to be long is not glued to the prose under it.  No piece after the first
  starts a record.

All of it is column arithmetic on the chunk's lines frame: each line gets a
record id (a running count of lines that start a record), and the lines of one
record are joined into one row that keeps the first line's number, with a
``span`` column saying how many physical lines it holds, so the line
accounting stays exact.  Text is joined with one space after the
continuation's indent is dropped, except a string cut inside a word and a
fixed-column wrap, which are joined with nothing so the pid or path reads
whole again.
"""

from __future__ import annotations

import polars as pl

#: A stack frame of a JS error: indented `at …`.
FRAME_RE = r"^\s+at \S"
#: The takeover message whose path went to the next line.
RELEASED_RE = r"released:\s*$"
#: The rest of a string wrapped inside a word: no whitespace before its closing quote.
CLOSES_RE = r'^[^\s"]*"'
#: The closing brace of a pretty-printed top-level JSON object.
CLOSER_RE = r"^\}\s*,?\s*$"
#: The narrowest column a hard wrap is looked for at (terminals are 80 and up).
WRAP_MIN = 60
#: The most lines one soft-wrapped JSON record is joined from (a 2 KB record
#: folded at 40 columns), so one left open at a paste's end swallows no more.
JSON_LINES = 64
#: A JSON record's first line, at the left margin.
JSON_OPEN = '{"'
#: A Markdown code fence.
FENCE_RE = r"^\s*(?:```|~~~)"


def continues(
    text: pl.Expr, record: str = "", wrap_start: str = ""
) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """Per line: does it continue the record above, is it joined with nothing,
    and is it a piece of a fixed-column wrap?

    ``record``: the pattern of a line that starts a record ("" when any line may).
    ``wrap_start``: the pattern of a line a fixed-column wrap may begin at
    ("" for none).
    """
    blank = _blank(text)
    prev_blank = blank.shift(1, fill_value=True)
    odd = (text.str.count_matches('"', literal=True).fill_null(0) % 2) == 1
    closes = text.str.contains(CLOSES_RE).fill_null(False)
    # A closing line is not itself left open, so the line after it does not join.
    cut = (
        odd.shift(1, fill_value=False)
        & odd
        & closes
        & ~(odd.shift(2, fill_value=False) & closes.shift(1, fill_value=False))
    )
    frame = text.str.contains(FRAME_RE).fill_null(False) & ~prev_blank
    released = text.shift(1).str.contains(RELEASED_RE).fill_null(False)
    # Pretty JSON: a group runs from a line at the left margin (or a blank) to
    # the next; when it opened with a lone `{`, its indented lines and its first
    # closing `}` belong to that record.
    closer = text.str.contains(CLOSER_RE).fill_null(False)
    indented = text.str.contains(r"^\s").fill_null(False)
    head = blank | (~indented & ~closer)
    # Each group's first line and closers before it, carried down from where it
    # begins (a head, or the first line) rather than computed `over` groups: a
    # run of blank lines is a group per line, and millions of groups took
    # seconds and gigabytes per chunk.
    begins = head | (pl.int_range(pl.len()) == 0)
    opened = pl.when(begins).then(text.fill_null("").str.strip_chars() == "{").forward_fill()
    closers = closer.cast(pl.Int64)
    seen = closers.cum_sum() - closers
    closed_before = (seen - pl.when(begins).then(seen).forward_fill()) > 0
    pretty = opened & ~head & ~closed_before
    wrapped = pl.lit(False)
    if record:
        starts = text.str.strip_chars_start().str.contains(record).fill_null(False)
        wrapped = indented & ~prev_blank & ~opened & ~starts
    at_width = _at_width(text, blank, wrap_start) if wrap_start else pl.lit(False)
    joined = ~blank & (frame | released | cut | pretty | wrapped | at_width)
    return joined, joined & (cut | at_width), joined & at_width


def _json_pieces(numbered: pl.DataFrame, opener: str) -> pl.DataFrame:
    """``numbered`` with ``_json`` (a piece after the first of a JSON record a soft
    wrap broke: see the module's rules) and ``_json_cut`` (joined with nothing:
    the piece above is as wide as the record's widest, broken inside a word).

    A piece may begin with ``{"`` itself (``{"runtime":…`` inside ``_meta``): a
    line that does, inside a record still open and opening no record of its own
    (``opener``), is that record's.  Found a record at a time, each pass taking
    the next such line in, so this runs a few times on a chunk that holds one."""
    text = pl.col("text")
    starts = text.str.starts_with(JSON_OPEN).fill_null(False)
    if not numbered.select(starts.any()).item():
        return numbered.with_columns(_json=pl.lit(False), _json_cut=pl.lit(False))
    # Quote marks that open or close a string (an escaped one does neither).
    quotes = text.str.count_matches('"', literal=True).fill_null(0).cast(
        pl.Int64
    ) - text.str.count_matches('\\"', literal=True).fill_null(0).cast(pl.Int64)
    # Braces opened less closed: a record's last line closes its outer object
    # (`"logToFile"}}` closes `_meta` alone; the braces inside its string
    # values, `{\"subsystem\":…}`, come in pairs).
    braces = text.str.count_matches("{", literal=True).fill_null(0).cast(
        pl.Int64
    ) - text.str.count_matches("}", literal=True).fill_null(0).cast(pl.Int64)
    ends = text.str.strip_chars_end().str.ends_with("}").fill_null(False)
    real = text.str.contains(opener).fill_null(False) if opener else pl.lit(False)
    frame = numbered.with_columns(
        _start=starts,
        _real=real,
        _q=quotes,
        _b=braces,
        _ends=ends,
        _stop=_blank(text) | text.str.contains(FENCE_RE).fill_null(False),
        _at=pl.int_range(pl.len()),
    ).with_columns(_balance=pl.col("_q").cum_sum(), _depth=pl.col("_b").cum_sum())
    for _ in range(JSON_LINES):
        flagged = _json_runs(frame)
        inside = (
            pl.col("_start")
            & ~pl.col("_real")
            & (pl.col("_json") | pl.col("_opens")).shift(1).fill_null(False)
            & (pl.col("_closes").shift(1) == 0).fill_null(False)
        )
        taken = flagged.select(inside.arg_true()).to_series()
        if taken.is_empty():
            break
        frame = frame.with_columns(_start=frame.get_column("_start").scatter(taken, False))
    flagged = flagged.with_columns(
        # One group per open record; every other line is in the null group.
        _record=pl.when(pl.col("_opens") | pl.col("_json")).then(pl.col("_began")),
        _width=text.str.len_chars().fill_null(0),
    )
    # The wrap's width, where it broke inside a word (fold -s does only where no
    # blank is near): the record's widest line, when two or more are that wide.
    width, record = pl.col("_width"), pl.col("_record")
    widest = width == width.max().over(record)
    hard = widest & (widest.sum().over(record) >= 2)
    spaced = text.shift(1).str.ends_with(" ").fill_null(False)
    return flagged.select(
        *numbered.columns,
        "_json",
        _json_cut=pl.col("_json") & (hard.shift(1).fill_null(False) | spaced),
    )


def _json_runs(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` (columns of :func:`_json_pieces`) with ``_opens`` (a line that opens
    a record it does not close), ``_began`` (where its run began), ``_closes`` and
    ``_json`` (a piece of the open record above)."""
    start, q, b = pl.col("_start"), pl.col("_q"), pl.col("_b")
    whole = start & pl.col("_ends") & (q % 2 == 0) & (b == 0)
    opens = start & ~whole
    # Where a record's run begins (an open record, or what ends one: a blank, a
    # fence, a whole record), carried down without `over` groups.
    begins = opens | pl.col("_stop") | whole
    at = pl.col("_at")
    base = pl.when(begins).then(pl.col("_balance") - q).forward_fill()
    depth = pl.when(begins).then(pl.col("_depth") - b).forward_fill()
    closes = (
        pl.col("_ends") & ((pl.col("_balance") - base) % 2 == 0) & (pl.col("_depth") - depth <= 0)
    ).cast(pl.Int64)
    flagged = frame.with_columns(
        _opens=opens,
        _begins=begins,
        _began=pl.when(begins).then(at).forward_fill(),
        _open=pl.when(begins).then(opens).forward_fill().fill_null(False),
        _closes=closes,
    ).with_columns(_closed=pl.col("_closes").cum_sum() - pl.col("_closes"))
    closed_before = (
        pl.col("_closed") - pl.when(pl.col("_begins")).then(pl.col("_closed")).forward_fill()
    )
    return flagged.with_columns(
        _json=pl.col("_open")
        & ~pl.col("_opens")
        & (closed_before == 0)
        & ((at - pl.col("_began")) < JSON_LINES)
    )


def _runs(numbered: pl.DataFrame, opener: str) -> pl.DataFrame:
    """Per line of a paste: does it open a record, may it continue one (under a
    record's line, no blank or fence between, not indented, opening none), its
    width, its first word's, and the line above's."""
    text = pl.col("text")
    flags = numbered.select(
        starts=text.str.contains(opener).fill_null(False),
        stop=_blank(text) | text.str.contains(FENCE_RE).fill_null(False),
        indented=text.str.contains(r"^\s").fill_null(False),
        width=text.str.len_chars().fill_null(0).cast(pl.Int64),
        word=text.str.extract(r"^(\S+)", 1).str.len_chars().fill_null(0).cast(pl.Int64),
        one_word=~text.str.strip_chars().str.contains(r"\s").fill_null(True),
    )
    starts, stop = pl.col("starts"), pl.col("stop")
    in_run = pl.when(starts | stop).then(starts).forward_fill().fill_null(False)
    return flags.with_columns(
        candidate=in_run & ~starts & ~stop & ~pl.col("indented"),
        above=pl.col("width").shift(1).fill_null(0),
        above_one_word=pl.col("one_word").shift(1).fill_null(False),
        after_start=starts.shift(1).fill_null(False),
    )


def soft_width(numbered: pl.DataFrame, opener: str) -> int | None:
    """The column a paste's log lines were soft-wrapped at, when it shows itself:
    the widest line of a record (50 to 200 columns, more than one word) that
    another line continues, three or more of them within 25 columns of it; else
    None."""
    widths = _shown_widths(_runs(numbered, opener).with_columns(_segment=pl.lit(0)))
    return int(widths.item(0, "_width")) if widths.height else None


def _shown_widths(runs: pl.DataFrame) -> pl.DataFrame:
    """Per ``_segment`` of ``runs`` whose breaks show a soft wrap's width (the
    rule of :func:`soft_width`), that width as ``_width``."""
    breaks = runs.filter(
        pl.col("candidate") & ~pl.col("above_one_word") & pl.col("above").is_between(50, 200)
    )
    return (
        breaks.group_by("_segment")
        .agg(_width=pl.col("above").max(), _near=pl.col("above"))
        .filter(pl.col("_near").list.eval(pl.element() >= pl.element().max() - 25).list.sum() >= 3)
        .select("_segment", "_width")
    )


def _soft_wrapped(numbered: pl.DataFrame, opener: str, soft: int | None) -> pl.Series:
    """Per line of a paste: is it the rest of a log line soft-wrapped (the
    module's rules)?  Each stretch between blank lines and fences is read at
    the width its own breaks show, else at ``soft``, the file's: a thread
    quotes one person's mail wrapped at 72 columns under another's `fold -w 100`."""
    runs = _runs(numbered, opener).with_columns(
        _segment=pl.col("stop").cum_sum(), _order=pl.int_range(pl.len())
    )
    width = pl.col("_width")
    runs = (
        runs.join(_shown_widths(runs), on="_segment", how="left")
        .sort("_order")
        .with_columns(width.fill_null(soft) if soft else width)
    )
    above, one_word = pl.col("above"), pl.col("above_one_word")
    fits = (above <= width) | one_word
    ok = pl.col("candidate") & fits & ((above + 1 + pl.col("word") > width) | one_word)
    ok = ok.fill_null(False)
    # Once a line under a record is no piece of it, nothing below it is.
    bad = (pl.col("candidate") & ~ok).cast(pl.Int64).cum_sum()
    since = bad - pl.when(pl.col("starts")).then(bad).forward_fill().fill_null(0)
    return runs.select((ok & (since == 0)).alias("_soft")).get_column("_soft")


def _blank(text: pl.Expr) -> pl.Expr:
    return text.is_null() | (text.str.strip_chars() == "")


#: How many records opened by one full piece of one width show that width.
_OPENINGS = 3


def _at_width(text: pl.Expr, blank: pl.Expr, wrap_start: str) -> pl.Expr:
    """Pieces after the first of a line hard-wrapped at a fixed column."""
    width = text.str.len_chars().fill_null(0)
    starts = text.str.contains(wrap_start).fill_null(False)
    # Runs of lines of one width, each begun by a blank, a record start or a new width.
    begins = blank | starts | (width != width.shift(1)).fill_null(True)
    # A run's first width and start, and its length, carried from where it
    # begins (not `over` runs: a run of blank lines is a run per line).
    head = pl.when(begins).then(width).forward_fill()
    record = pl.when(begins).then(starts).forward_fill() & (head >= WRAP_MIN)
    at = pl.int_range(pl.len())
    ends = pl.when(begins).then(at).shift(-1).backward_fill().fill_null(pl.len())
    length = ends - pl.when(begins).then(at).forward_fill()
    # Two full pieces show the wrap width; then a line of one full piece at that
    # width, followed by a narrower one, is wrapped too.
    long = record & (length >= 2)
    # So does one full piece, at one width, opening three records or more,
    # each followed by a narrower piece that opens none: a chat that cut six
    # journal lines at column 180 once each (Z217: two lock errors and the
    # watchdog's release lost).
    narrower = ~blank.shift(-1).fill_null(True) & ~starts.shift(-1).fill_null(True)
    opening = starts & (width >= WRAP_MIN) & narrower & (width.shift(-1) < width).fill_null(False)
    opened = pl.when(opening).then(width)
    often = opening & (pl.len().over(opened) >= _OPENINGS)
    shown = head.is_in(pl.when(long).then(head).drop_nulls().implode()) | head.is_in(
        width.filter(often).implode()
    )
    wrapped = record & (long | shown)
    # The last piece is narrower, and no record start of its own.
    last = (
        begins
        & ~blank
        & ~starts
        & wrapped.shift(1).fill_null(False)
        & (width < width.shift(1)).fill_null(False)
    )
    return (wrapped & ~begins) | last


def join_records(
    numbered: pl.DataFrame,
    record: str = "",
    wrap_start: str = "",
    opener: str = "",
    soft: int | None = None,
) -> pl.DataFrame:
    """One row per record of ``numbered`` (columns line, text), with ``span``.

    ``opener``: a line at the left margin that matches it opens a record of
    some envelope and continues none (a tslog record pasted among console
    lines: its `{"` would "close" the quote the record above left open).
    A frame with no continuation comes back as it was, plus ``span`` = 1.
    """
    return _joined(_flags(numbered, record, wrap_start, opener, soft))


def _flags(
    numbered: pl.DataFrame, record: str, wrap_start: str, opener: str, soft: int | None
) -> pl.DataFrame:
    """``numbered`` with ``_join`` (the line continues the record above) and
    ``_cut`` (joined with nothing between).  ``opener`` is tried only on the
    lines a rule would join: a few, where the pattern is every envelope's.
    ``soft``: the width a paste's log lines were soft-wrapped at (:func:`soft_width`)."""
    joined, cut, wrap = continues(pl.col("text"), record, wrap_start)
    if not record and opener:
        joined = joined | _soft_wrapped(numbered, opener, soft)
    flagged = _json_pieces(numbered, opener).with_columns(_join=joined, _cut=cut, _wrap=wrap)
    joins = flagged.get_column("_join")
    if opener and joins.any():
        at = joins.arg_true()
        opens = flagged.get_column("text").gather(at).str.contains(opener).fill_null(False)
        if opens.any():
            kept = joins.scatter(at.filter(opens), False)
            flagged = flagged.with_columns(
                _join=kept, _cut=pl.col("_cut") & kept, _wrap=pl.col("_wrap") & kept
            )
    # A piece of a soft-wrapped JSON record is that record's, whatever else it
    # looks like: a quote of its own, or a record's start (a chat id wrapped to
    # the line's start reads as a `short-unix` stamp).
    piece = pl.col("_json")
    return flagged.with_columns(
        _join=pl.col("_join") | piece,
        _cut=pl.when(piece).then(pl.col("_json_cut")).otherwise(pl.col("_cut")),
        _wrap=pl.col("_wrap") & ~piece,
    ).drop("_json", "_json_cut")


def join_width_wraps(numbered: pl.DataFrame, wrap_start: str) -> pl.DataFrame:
    """:func:`join_records` with only the fixed-column rule: for an envelope whose
    records do not wrap, a hard-wrapped paste of its lines (a journal copied from
    an old console) still reads one record per line it wrote."""
    text = pl.col("text")
    at_width = _at_width(text, _blank(text), wrap_start)
    return _joined(numbered.with_columns(_join=at_width, _cut=at_width, _wrap=at_width))


def _hanging_indent() -> pl.Expr:
    """Per record (``_rid``), the indent a wrapper put before every piece of a
    fixed-column wrap (a chat or mail client's hanging indent, `>   ay]
    listening …`): the least its pieces have, when it is two or more.  One
    leading space is the text's own, where the wrap fell before a space.  Per
    record, not per file: two people's pastes in one chat hang by 4 and by 2
    (Z217: two blanks left inside a session id, its copies a second host's)."""
    text = pl.col("text")
    indent = text.str.len_chars() - text.str.strip_chars_start(" \t").str.len_chars()
    least = pl.when(pl.col("_wrap")).then(indent).min().over("_rid")
    return pl.when(least >= 2).then(least).otherwise(0)


def _joined(flagged: pl.DataFrame) -> pl.DataFrame:
    """Rows flagged ``_join`` appended to the row above (with nothing between
    where ``_cut``, else one space): one row per record, with ``span``."""
    text = pl.col("text")
    if not flagged.get_column("_join").any():
        return flagged.drop("_join", "_cut", "_wrap").with_columns(span=pl.lit(1, pl.Int64))
    spaced = pl.col("_join").shift(-1, fill_value=False) & ~pl.col("_cut").shift(
        -1, fill_value=False
    )
    body = pl.when(pl.col("_wrap")).then(text.str.slice(_hanging_indent())).otherwise(text)
    # Before a space join, trailing blanks go, so `released: ` + path has one space.
    own = pl.when(spaced).then(body.str.strip_chars_end()).otherwise(body)
    piece = (
        pl.when(pl.col("_cut"))
        .then(own)
        .when(pl.col("_join"))
        .then(pl.lit(" ") + own.str.strip_chars_start())
        .otherwise(own)
    )
    # Only the lines of records of two or more go through the group-by (a
    # group per record: millions for a chunk of blank or one-line records).
    alone = ~pl.col("_join") & ~pl.col("_join").shift(-1, fill_value=False)
    single = flagged.filter(alone).select("line", "text", span=pl.lit(1, pl.Int64))
    joined_rows = (
        flagged.filter(~alone)
        .with_columns(_rid=(~pl.col("_join")).cast(pl.Int64).cum_sum())
        .with_columns(_piece=piece)
        .group_by("_rid", maintain_order=True)
        .agg(
            pl.col("line").first(),
            pl.col("text").first().alias("_first"),
            pl.col("_piece").str.join("").alias("text"),
            pl.len().cast(pl.Int64).alias("span"),
        )
        .select(
            "line",
            # A blank line stays null, as lines_frame gives it.
            pl.when(pl.col("span") == 1).then(pl.col("_first")).otherwise(text).alias("text"),
            "span",
        )
    )
    return pl.concat([single, joined_rows]).sort("line")


def trailing_start(
    numbered: pl.DataFrame,
    record: str = "",
    wrap_start: str = "",
    opener: str = "",
    soft: int | None = None,
) -> int:
    """Index of the last line that starts a record: the record from there on may
    go on in the next chunk (0 when the whole frame is one record)."""
    joins = _flags(numbered, record, wrap_start, opener, soft).get_column("_join")
    starts = (~joins).arg_true()
    return int(starts[-1]) if starts.len() else 0


#: The start of a record of docker's json-file driver: its ``log`` string opens.
DOCKER_LOG = '{"log":"'
#: What follows the ``log`` string of a json-file record, to the record's end
#: (``attrs`` when the driver was given ``labels`` or ``env``).
_DOCKER_REST = r'","stream":"(?:stdout|stderr)"(?:,"attrs":\{[^}]*\})?,"time":"[^"]*"\}$'
#: A ``log`` that ends its line: docker keeps the newline, escaped.
_DOCKER_LINE_END = '\\n","stream":'
#: The kubelet's CRI record: the runtime's stamp and the stream before the tag,
#: ``P`` for a piece of a line, ``F`` for its last piece or a whole line.
_CRI_HEAD = r"^\S+ (?:stdout|stderr) [FP] "
_CRI_PIECE = r"^\S+ (?:stdout|stderr) P "


def _pieces(text: pl.Expr, runtime: str) -> tuple[pl.Expr, pl.Expr]:
    """Per line: whether it is a piece of a longer line that goes on in the next
    record, and whether it goes on the piece above."""
    if runtime == "cri":
        partial, record = text.str.contains(_CRI_PIECE), text.str.contains(_CRI_HEAD)
    else:
        record = text.str.starts_with(DOCKER_LOG)
        partial = record & ~text.str.contains(_DOCKER_LINE_END, literal=True)
    partial = partial.fill_null(False)
    return partial, partial.shift(1, fill_value=False) & record.fill_null(False)


def join_partials(numbered: pl.DataFrame, runtime: str) -> pl.DataFrame:
    """A container runtime stores a line longer than 16 KiB as records of 16 KiB,
    each with its own stamp: docker's json-file driver ends only the last ``log``
    in a newline (moby daemon/logger, ``PartialLogMetaData``); the kubelet tags
    each but the last ``P`` (kubernetes/cri-api).  Read as separate lines, a
    takeover's path fell into a record of its own, a lock error's wording was
    cut in two, and a prompt's quoted lock error read as the gateway's (Z162,
    Z168).  The pieces are joined into the one record of the line, with ``span``:
    docker's the first piece's ``log`` opening and the last's stream and time,
    the kubelet's the first piece's stamp and stream."""
    text = pl.col("text")
    partial, goes_on = _pieces(text, runtime)
    flagged = numbered.with_columns(_partial=partial, _join=goes_on)
    if not flagged.get_column("_join").any():
        return numbered.with_columns(span=pl.lit(1, pl.Int64))
    if runtime == "cri":
        body = pl.when(pl.col("_join")).then(text.str.replace(_CRI_HEAD, "")).otherwise(text)
    else:
        body = pl.when(pl.col("_join")).then(text.str.strip_prefix(DOCKER_LOG)).otherwise(text)
        body = (
            pl.when(pl.col("_partial") & pl.col("_join").shift(-1, fill_value=False))
            .then(body.str.replace(_DOCKER_REST, ""))
            .otherwise(body)
        )
    return _joined(
        flagged.with_columns(text=body, _cut=pl.col("_join"), _wrap=pl.lit(False)).drop("_partial")
    )


def partial_start(numbered: pl.DataFrame, runtime: str) -> int:
    """Index of the first piece of the line the frame's last record is a piece
    of, when that line goes on in the next chunk; else the frame's height."""
    partial, goes_on = _pieces(pl.col("text"), runtime)
    flags = numbered.select(partial=partial, goes_on=goes_on)
    if flags.is_empty() or not flags.get_column("partial")[-1]:
        return numbered.height
    starts = (~flags.get_column("goes_on")).arg_true()
    return int(starts[-1]) if starts.len() else 0
