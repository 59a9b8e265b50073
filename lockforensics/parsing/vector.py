"""The vectorised reader: high-volume signatures compiled to polars expressions.

A troubled gateway at debug level writes run, lane, tool, compaction,
model-fallback and store-lock lines for every agent nearly every minute:
half of a busy bundle.  Reading those one at a time in Python is what made a
1 GB bundle take minutes.  Here the same specs (``parsers/signatures/*.toml``)
run over a whole chunk of candidate lines at once in Rust:

* the envelope is unwrapped with one regex (tslog JSON in its classic key
  order, or the envelope's own ``line`` pattern for text envelopes);
* the candidate-literal regex says which single signature a line can be;
* that signature's pattern runs as ``str.extract_groups``;
* fields are converted, derived (agent, session) and timed as columns.

Only lines that a vector rule settles exactly are taken here.  Everything
else (a second literal on the line, a wrapper around a lock error, escapes in
JSON strings, time-only or zone-less stamps, unusual key order) goes back to
the per-line reader in :mod:`lockforensics.parsing.lines`, which stays the
reference: tests/test_engine_equivalence.py checks both give the same table.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
import polars.selectors as cs

from lockforensics.parsing import fields as fieldspec
from lockforensics.parsing.envelopes import CONSOLE_RE, LOG_LEVELS, EnvelopeSpec
from lockforensics.parsing.literals import CLOCK_LITERALS as CLOCK_ONLY
from lockforensics.parsing.literals import SUPERVISOR_IDENT, literal_regex
from lockforensics.parsing.signatures import AGE_S_DIGITS, META_FIELDS, Catalog, ClientText, Rule
from lockforensics.schema import ACTIVITY_KINDS, EVENT_SCHEMA, TimeQuality

# The gateway file log as tslog writes it (openclaw-formats §1.2), read with two
# small anchored regexes rather than a JSON parser or one line-long pattern
# (captures over a whole 800-byte line cost ~90 µs a line in Rust's regex):
#   head  binding, then the message, or a flat meta object and the message,
#         then any top-level scalars a newer build put before `_meta`;
#   tail  `time`, then the optional top-level scalars of newer builds
#         (hostname, message, agent_id, ...), then the end of the object.
# The newer keys' place is not known (openclaw-formats §1.2): JavaScript puts
# the numbered keys first and the others in the order they were set.
# Messages may hold \" and \\ (unescaped in bulk); any other escape, a nested
# meta object or another key order does not match: such lines go to the
# per-line reader, which decodes JSON properly.
_JSON_STR = r'[^"\\]*(?:\\.[^"\\]*)*'


def _scalars(string: str) -> str:
    """Top-level scalar keys, each ``,"<key>":<value>``, strings matching ``string``."""
    return rf'(?:,"[A-Za-z_]+":(?:"{string}"|-?[0-9]+|true|false|null))*'


_TSLOG_HEAD = (
    r'^\{"0":"\{\\"(?P<bkey>subsystem|module)\\":\\"(?P<bval>[^"\\]*)\\"\}","1":'
    rf'(?:"(?P<m1>{_JSON_STR})"|(?P<meta>\{{[^{{}}\\]*\}}),"2":"(?P<m2>{_JSON_STR})")'
)
TSLOG_HEAD_RE = _TSLOG_HEAD + r',"_meta":\{'
#: The head of a line that holds top-level keys before `_meta`, tried only on
#: the lines TSLOG_HEAD_RE missed: on every line it cost 13 % of a busy batch.
TSLOG_HEAD_TOP_RE = _TSLOG_HEAD + rf'(?P<mid>{_scalars(_JSON_STR)}),"_meta":\{{'
#: A string with no escapes (the tail's values; an escape goes to the per-line reader).
_PLAIN_STR = r'[^"\\]*'
TSLOG_TAIL_RE = rf'\}},"time":"(?P<ts>{_PLAIN_STR})"(?P<tail>{_scalars(_PLAIN_STR)})\}}\s*$'
#: A stamp the vector path can time on its own: date, time and zone all written.
ZONED_ISO_RE = (
    r"^(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}:\d{2})(?:\.(?P<frac>\d{1,9}))?"
    r"(?P<zone>Z|[+-]\d{2}:?\d{2})$"
)
_LEVELS = {str(level_id): name for level_id, name in LOG_LEVELS.items()}
_INT_COLUMNS = frozenset(n for n, t in EVENT_SCHEMA.items() if t.is_integer())
#: Groups that carry no column (signatures.HELPER_GROUPS minus age_s).
_SKIPPED_GROUPS = frozenset({"inner", "signal"})
#: The empty group put before a rule's pattern to tell a match from optional groups left empty.
_MATCHED = "__matched"


@dataclass(frozen=True, slots=True)
class VectorRule:
    """A signature (or a wrapper whose inner text holds nothing) the engine reads in bulk."""

    rule: Rule
    wrapper: bool
    # The rule's groups over ``_msg`` (:func:`_captures`), worked out once, not per batch.
    captures: pl.Expr

    @property
    def literal(self) -> str:
        return self.rule.literals[0]

    @property
    def kind(self) -> str:
        assert self.rule.kind is not None
        return self.rule.kind

    @property
    def role(self) -> str:
        return self.rule.role if self.wrapper else "direct"


_STAMPS = {"line": pl.Int64, "ts_raw": pl.String}


@dataclass(slots=True)
class VectorResult:
    """What the engine settled in one chunk."""

    frame: pl.DataFrame | None
    stamps: pl.DataFrame  # line, ts_raw: every settled line and its stamp as written, by line
    offsets: Counter[str]
    years: Counter[int]
    # Per zone label seen: its earliest and latest instant (FileScan.offset_spans).
    spans: list[tuple[str, datetime, datetime]] = field(default_factory=list)


class VectorPlan:
    """The catalog's high-volume rules, ready to run over chunks."""

    def __init__(self, catalog: Catalog, candidate_re: str) -> None:
        self.candidate_re = candidate_re
        self.client_text = catalog.client_text
        self.rules: dict[str, VectorRule] = {}
        # Per literal, the literals that an occurrence of it could hide from the
        # one-match-per-line count (inside it, sharing its start, or straddling
        # its end): the rows of that literal are checked for them separately.
        self.hidden: dict[str, str] = {}
        literals = [r.literals[0] for r in catalog.rules]
        shared = {lit for lit in literals if literals.count(lit) > 1}
        for rule in catalog.rules:
            wrapper = rule in catalog.wrappers
            if rule.kind not in ACTIVITY_KINDS or rule.literals[0] in shared:
                continue
            if any(rule.kind in r.kinds for r in catalog.reclassify):
                continue
            literal = rule.literals[0]
            ignorecase = bool(rule.regex.flags & re.IGNORECASE)
            captures = _captures(rule.pattern, literal, ignorecase)
            self.rules[literal] = VectorRule(rule, wrapper, captures)
            hidden = _hidden_by(literal, literals + list(CLOCK_ONLY))
            if hidden:
                self.hidden[literal] = literal_regex(tuple(hidden))

    def supports(self, env: EnvelopeSpec) -> bool:
        return env.parser in ("json:tslog", "prefix")

    # ------------------------------------------------------------------ reading

    def read(self, cand: pl.DataFrame, env: EnvelopeSpec, source: str) -> VectorResult:
        """Settle what can be settled among ``cand`` (columns line, text)."""
        empty = VectorResult(None, pl.DataFrame(schema=_STAMPS), Counter(), Counter())
        if cand.is_empty() or not self.rules:
            return empty
        rec = _with_instant(_unwrap(cand.select("line", "text"), env, self.candidate_re))
        rec = _without_client_text(rec, self.client_text)
        # One pass finds every literal: the first names the rule, and a second
        # one sends the line to the per-line reader.
        # Materialised once: two list expressions over it would run the search twice.
        rec = rec.with_columns(pl.col("_msg").str.extract_all(self.candidate_re).alias("_found"))
        found = pl.col("_found")
        rec = (
            rec.with_columns(_lit=found.list.first(), _n=found.list.len())
            .filter(
                pl.col("_ok")
                & pl.col("_dt").is_not_null()
                & (pl.col("_n") == 1)
                & pl.col("_lit").is_in(list(self.rules))
            )
            .drop("_found")
        )
        if rec.is_empty():
            return empty
        parts: list[pl.DataFrame] = []
        for (literal,), part in rec.partition_by("_lit", as_dict=True).items():
            frame = self._apply(self.rules[str(literal)], part)
            if frame.height:
                parts.append(frame)
        if not parts:
            return empty
        settled = pl.concat(parts, how="diagonal_relaxed")
        # Zones and years are read off the few distinct stamp ends and starts:
        # every zone form is at most six characters, at the end.
        raw = pl.col("_ts")
        # A `Z` stamp says nothing of the host's zone (timestamps.parse_iso).
        evidence = pl.col("_evidence") & ~raw.str.ends_with("Z")
        zones = settled.group_by(
            _end=raw.str.tail(6), _year=raw.str.slice(0, 4), _evidence=evidence
        ).agg(n=pl.len(), first=pl.col("_dt").min(), last=pl.col("_dt").max())
        zones = zones.select(
            zone=_zone_label(pl.col("_end")),
            year=pl.col("_year").cast(pl.Int32),
            evidence=pl.col("_evidence"),
            n=pl.col("n"),
            first=pl.col("first"),
            last=pl.col("last"),
        )
        result = VectorResult(None, pl.DataFrame(schema=_STAMPS), Counter(), Counter())
        for zone, year, evidence, n, first, last in zones.iter_rows():
            if evidence:
                result.offsets[str(zone)] += int(n)
                result.spans.append((str(zone), first, last))
            result.years[int(year)] += int(n)
        result.frame = _finish(settled, env, source).sort("line")
        result.stamps = result.frame.select("line", "ts_raw")
        return result

    def _apply(self, vr: VectorRule, part: pl.DataFrame) -> pl.DataFrame:
        rule = vr.rule
        msg = pl.col("_msg")
        # One capture pass: the empty marker group is "" exactly where the pattern matched.
        part = part.with_columns(vr.captures.alias("_g"))
        keep = pl.col("_g").struct.field(_MATCHED).is_not_null()
        if vr.literal in self.hidden:
            keep = keep & ~msg.str.contains(self.hidden[vr.literal])
        for extra in rule.literals[1:]:
            keep = keep & msg.str.contains(extra, literal=True)
        if rule.subsystems:
            keep = keep & (pl.col("_sub").is_null() | pl.col("_sub").is_in(list(rule.subsystems)))
        part = part.filter(keep)
        if part.is_empty():
            return part
        names = [n for n in rule.regex.groupindex if n not in _SKIPPED_GROUPS]
        columns = [_convert(name, pl.col("_g").struct.field(name)) for name in names]
        frame = part.with_columns(columns).drop("_g")
        if rule.phase is not None:
            phase = pl.lit(rule.phase)
            frame = frame.with_columns(
                phase=pl.coalesce(pl.col("phase"), phase) if "phase" in frame.columns else phase
            )
        return frame.with_columns(
            kind=pl.lit(vr.kind),
            signature=pl.lit(rule.id),
            echo_role=_role(vr.role) if vr.wrapper else pl.lit("direct"),
        )


def _captures(pattern: str, literal: str, ignorecase: bool) -> pl.Expr:
    """``pattern``'s groups over ``_msg``, with the marker group first.

    Every line here holds the rule's ``literal`` exactly once (``read`` keeps
    the lines where the literal search found it and nothing else, and
    :func:`_after_literal` wants a literal that cannot overlap itself).  When
    the pattern is that literal followed by the rest, the rest is matched
    anchored on the text after it: Rust's regex then needs no unanchored
    capture search, which took twice as long.
    """
    rest = None if ignorecase else _after_literal(pattern, literal)
    msg = pl.col("_msg")
    if rest is None:
        return msg.str.extract_groups(f"(?P<{_MATCHED}>){pattern}")
    after = msg.str.splitn(literal, 2).struct.field("field_1")
    return after.str.extract_groups(f"^(?P<{_MATCHED}>){rest}")


def _after_literal(pattern: str, literal: str) -> str | None:
    """``pattern`` past its leading ``literal``, when the pattern is exactly that
    literal followed by the rest; None when splitting there could change a match."""
    head = literal_regex((literal,))
    if not literal or not pattern.startswith(head):
        return None
    rest = pattern[len(head) :]
    overlaps = any(literal[:k] == literal[-k:] for k in range(1, len(literal)))
    # A quantifier would bind to the literal's last character, a top-level
    # `|` to all before it; an anchor or word boundary would look at text
    # that is no longer there.  Verbose mode (`(?x)`) is not read at all.
    if (
        overlaps
        or rest.startswith(("*", "+", "?", "{"))
        or re.search(r"\(\?[a-zA-Z-]*x", rest)
        or _unsafe_outside_classes(rest)
    ):
        return None
    return rest


def _unsafe_outside_classes(pattern: str) -> bool:
    """A top-level ``|``, or an anchor or boundary (``^``, ``\\b``, ``\\B``,
    ``\\A``, ``\\<``, ``\\>``), anywhere in ``pattern`` outside a character class."""
    depth, i, in_class = 0, 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if not in_class and pattern[i + 1 : i + 2] in ("b", "B", "A", "<", ">"):
                return True
            i += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            # A `]` first in a class (after a `^`) is a member, not its end.
            i += 2 if pattern[i + 1 : i + 2] == "^" else 1
            i += 1 if pattern[i : i + 1] == "]" else 0
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "^" or (char == "|" and depth == 0):
            return True
        i += 1
    return False


def _hidden_by(literal: str, literals: list[str]) -> list[str]:
    """The literals whose occurrence a match of ``literal`` could swallow."""
    out = []
    for other in dict.fromkeys(literals):
        if other == literal:
            continue
        inside = other in literal or other.startswith(literal)
        straddles = any(
            literal.endswith(other[:k]) for k in range(1, min(len(other), len(literal)))
        )
        if inside or straddles:
            out.append(other)
    return out


def _role(template: str) -> pl.Expr:
    """A wrapper's echo role (``lane:{lane}``) as an expression; missing fields read '?'."""
    parts: list[pl.Expr] = []
    for text, name, _spec, _conv in string.Formatter().parse(template):
        if text:
            parts.append(pl.lit(text))
        if name is not None:
            parts.append(pl.col(name).cast(pl.String).fill_null("?"))
    return pl.concat_str(parts) if parts else pl.lit("")


def _convert(name: str, value: pl.Expr) -> pl.Expr:
    """A captured group as its column (signatures._convert, column-wise)."""
    digits = value.str.contains(r"^[0-9]+$")
    if name == "owner_alive":
        return (value == "true").alias(name)
    if name == "stale_reasons":
        return (
            value.str.split(",")
            .list.eval(pl.element().str.strip_chars())
            .list.eval(pl.element().filter(pl.element() != ""))
            .alias(name)
        )
    if name == "age_s":
        seconds = digits & (value.str.len_chars() < AGE_S_DIGITS)
        return pl.when(seconds).then(value.cast(pl.Int64, strict=False) * 1000).alias("age_ms")
    if name in _INT_COLUMNS:
        short = value.str.len_chars() < 19
        return pl.when(digits & short).then(value.cast(pl.Int64, strict=False)).alias(name)
    return value.alias(name)


# ---------------------------------------------------------------------- envelopes


def _unwrap(frame: pl.DataFrame, env: EnvelopeSpec, candidate_re: str) -> pl.DataFrame:
    """The record each line holds: _msg, _ts, _level, _sub, _host, _gpid, the meta
    context columns, and _ok (the vector path may read the line)."""
    if env.parser == "json:tslog":
        frame = _unwrap_tslog(frame, candidate_re)
    else:
        frame = _unwrap_prefix(frame, env)
    # The groups and scratch columns (copies of each line's message, meta and
    # tail) are read by now: dropped, not carried through every rule's frame.
    return frame.drop(cs.starts_with("_g_", "_i_", "_u_"))


def _without_client_text(rec: pl.DataFrame, rules: tuple[ClientText, ...]) -> pl.DataFrame:
    """Each record's message without the text a client chose (Catalog.own_text)."""
    for rule in rules:
        theirs = pl.col("_sub").is_in(list(rule.subsystems))
        # A busy batch holds none: one test of the short subsystem column, not
        # a rewrite of every message.
        if not rec.select(theirs.any()).item():
            continue
        cut = pl.col("_msg").str.replace(f"(?s){rule.pattern}", "")
        rec = rec.with_columns(_msg=pl.when(theirs).then(cut).otherwise(pl.col("_msg")))
    return rec


def _groups(text: pl.Expr, pattern: str, prefix: str = "_g_") -> pl.Expr:
    """extract_groups with its fields named ``_g_<group>`` (clear of event columns)."""
    names = [f"{prefix}{n}" for n in re.compile(pattern).groupindex]
    return text.str.extract_groups(pattern).struct.rename_fields(names)


def _nonempty(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr != "").then(expr)


def _unwrap_tslog(frame: pl.DataFrame, candidate_re: str) -> pl.DataFrame:
    text = pl.col("text")
    frame = frame.with_columns(
        _groups(text, TSLOG_HEAD_RE).alias("_h"), _groups(text, TSLOG_TAIL_RE).alias("_t")
    ).unnest("_h", "_t")
    meta, tail = pl.col("_g_meta"), pl.col("_g_tail")
    if frame.select(pl.col("_g_bval").is_null().any()).item():
        frame = _with_top_first(frame)
        # The top-level scalars, before `_meta` and after `time`, as one list.
        tail = pl.concat_str([pl.col("_g_mid").fill_null(""), tail])
    # Each search made once, as a column: an eager frame does not share a
    # subexpression, and `_nonempty` and the host's test read theirs twice (the
    # whole line's hostname search ran four times; a busy batch: 10 % of it).
    frame = frame.with_columns(
        _u_tail_msg=tail.str.extract(r'(?:^|,)"message":"([^"\\]*)"', 1),
        # Unanchored: `_meta` is the first object holding these keys (a flat meta
        # object naming them is not a tslog record the vector path takes).
        _u_level_name=text.str.extract(r'"logLevelName":"([^"\\]*)"', 1),
        _u_tail_host=tail.str.extract(r'(?:^|,)"hostname":"([^"\\]*)"', 1),
        _u_meta_host=text.str.extract(r'"hostname":"([^"\\]*)"', 1),
        _u_escaped=pl.coalesce(pl.col("_g_m1"), pl.col("_g_m2")),
        _u_tail=tail,
    )
    tail, escaped = pl.col("_u_tail"), pl.col("_u_escaped")
    level_name = _nonempty(pl.col("_u_level_name"))
    host = pl.coalesce(_nonempty(pl.col("_u_tail_host")), _nonempty(pl.col("_u_meta_host")))
    # Quotes and backslashes are unescaped here; any other escape (\n, \u...)
    # sends the line to the per-line reader's JSON decoder.
    body = escaped.str.replace_all(r'\\(["\\])', "$1")
    ok = (
        escaped.is_not_null()
        & ~escaped.str.contains(r'\\[^"\\]')
        & pl.col("_g_ts").is_not_null()
        & tail.is_not_null()
        # A lock error inside errorPreview/promptError/... is the per-line reader's.
        & ~meta.fill_null("").str.contains(candidate_re)
    )
    frame = frame.with_columns(
        pl.coalesce(_nonempty(pl.col("_u_tail_msg")), body).alias("_msg"),
        pl.col("_g_ts").alias("_ts"),
        level_name.str.to_lowercase().alias("_level"),
        _nonempty(pl.col("_g_bval")).alias("_sub"),
        pl.when(host != "unknown").then(host).alias("_host"),
        pl.lit(None, pl.Int64).alias("_gpid"),
        ok.fill_null(False).alias("_ok"),
        pl.lit(True).alias("_evidence"),
        *_meta_context(meta, tail),
    )
    # tslog writes the level's name beside its number: the number is looked
    # for (another pass over every line's whole text) only where a name is not.
    if frame.select(pl.col("_level").is_null().any()).item():
        level_id = text.str.extract(r'"logLevelId":([0-9]+)[,}]', 1).replace_strict(
            _LEVELS, default=None, return_dtype=pl.String
        )
        level = pl.coalesce(level_name, level_id).str.to_lowercase()
        frame = frame.with_columns(level.alias("_level"))
    return frame


def _with_top_first(frame: pl.DataFrame) -> pl.DataFrame:
    """The head groups of the lines TSLOG_HEAD_RE missed, read again with
    TSLOG_HEAD_TOP_RE (newer keys before `_meta`); the others left as they are.
    Scattered into place: a join of every row cost a busy batch 4 %."""
    missed = frame.select(pl.col("_g_bval").is_null().arg_true()).to_series()
    wide = (
        frame.select(pl.col("text").gather(missed))
        .select(_groups(pl.col("text"), TSLOG_HEAD_TOP_RE).alias("_w"))
        .unnest("_w")
    )
    empty = pl.repeat(None, frame.height, dtype=pl.String, eager=True)
    return frame.with_columns(
        (frame.get_column(name) if name in frame.columns else empty)
        .scatter(missed, wide.get_column(name))
        .alias(name)
        for name in wide.columns
    )


def _meta_context(meta: pl.Expr, tail: pl.Expr) -> list[pl.Expr]:
    """signatures._meta_context over the meta object (and the top-level keys a
    newer file log adds), in META_FIELDS order; first valid value wins."""
    found: dict[str, list[pl.Expr]] = {}
    for key, column in META_FIELDS.items():
        sources = [meta] + ([tail] if key in ("agent_id", "session_id") else [])
        for src in sources:
            if column in _INT_COLUMNS:
                value = src.str.extract(rf'(?:^\{{|,)"{key}":(-?[0-9]{{1,18}})[,}}]', 1).cast(
                    pl.Int64, strict=False
                )
            else:
                value = _nonempty(src.str.extract(rf'(?:^\{{|,|^)"{key}":"([^"\\]*)"', 1))
            if column == "session_id":
                # signatures._key_or: a session "id" with a colon is a key.
                keyed = value.str.contains(":", literal=True)
                found.setdefault("session_key", []).append(pl.when(keyed).then(value))
                value = pl.when(~keyed).then(value)
            found.setdefault(column, []).append(value)
    return [pl.coalesce(values).alias(f"_ctx_{column}") for column, values in found.items()]


_CONSOLE = "(?s)" + CONSOLE_RE.pattern


def _unwrap_prefix(frame: pl.DataFrame, env: EnvelopeSpec) -> pl.DataFrame:
    names = set(re.compile(env.line).groupindex)
    frame = frame.with_columns(_groups(pl.col("text"), env.line).alias("_g")).unnest("_g")

    def group(name: str) -> pl.Expr:
        return pl.col(f"_g_{name}") if name in names else pl.lit(None, pl.String)

    ts, message, sub = group("ts"), group("message"), group("subsystem")
    # A container runtime's UTC stamp is no evidence of the host's zone
    # (timestamps.parse_runtime); the console's own dated stamp is.
    evidence = pl.lit(env.stamp != "runtime")
    if env.inner == "console":
        frame = frame.with_columns(_groups(group("rest"), _CONSOLE, "_i_").alias("_i")).unnest("_i")
        frame = _with_instant(frame, "_i_ts", "_i_dt")
        inner_ts = pl.col("_i_ts")
        # A dated console stamp wins (it matches the file log to the millisecond);
        # one the vector path cannot read makes the stamp null: the line goes
        # to the per-line reader.
        dated = inner_ts.str.contains(r"^\d{4}-").fill_null(False)
        # A clock with an offset completes a zone-less outer stamp
        # (timestamps.on_the_day_of): the per-line reader's.
        zoned_clock = inner_ts.str.contains(r"^\d{2}:\d{2}:\d{2}(?:\.\d+)?[+-]").fill_null(False)
        ts = (
            pl.when(~dated & ~zoned_clock)
            .then(ts)
            .when(pl.col("_i_dt").is_not_null())
            .then(inner_ts)
        )
        evidence = evidence | dated
        # A JSON record captured by the supervisor is the per-line reader's
        # (envelopes.around_console reads its message field).
        structured = group("rest").str.starts_with("{").fill_null(False)
        message = pl.when(~structured).then(pl.col("_i_message"))
        sub = pl.col("_i_subsystem")
    # `systemd[1]: Started …` names the supervisor, not the gateway (envelopes._from_prefix);
    # a pid of 19 digits or more is no number (fields.int_field).
    written = group("pid")
    pid = pl.when(
        ~group("ident").fill_null("").str.contains(SUPERVISOR_IDENT)
        & (written.str.len_chars() < 19)
    ).then(written.cast(pl.Int64, strict=False))
    return frame.with_columns(
        message.alias("_msg"),
        ts.alias("_ts"),
        group("level").alias("_level"),
        sub.alias("_sub"),
        group("host").alias("_host"),
        pid.alias("_gpid"),
        message.is_not_null().alias("_ok"),
        evidence.alias("_evidence"),
    )


# ---------------------------------------------------------------------- time


#: The stamp nearly every gateway line carries (milliseconds and a +HH:MM offset),
#: read by one fixed-format parse; other stamps take the general path below.
COMMON_ISO_RE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$"
_COMMON_ISO_FORMAT = "%Y-%m-%dT%H:%M:%S%.3f%:z"


def _with_instant(frame: pl.DataFrame, source: str = "_ts", target: str = "_dt") -> pl.DataFrame:
    """``target``: ``source`` as _parse_stamp reads it, the common form read the cheap
    way; the general path runs only when some stamp is not in that form."""
    ts, dt = pl.col(source), pl.col(target)
    common = ts.str.to_datetime(_COMMON_ISO_FORMAT, time_zone="UTC", time_unit="us", strict=False)
    frame = frame.with_columns(pl.when(ts.str.contains(COMMON_ISO_RE)).then(common).alias(target))
    if frame.select((dt.is_null() & ts.is_not_null()).any()).item():
        frame = frame.with_columns(pl.coalesce(dt, _parse_stamp(ts)).alias(target))
    return frame


def _parse_stamp(ts: pl.Expr) -> pl.Expr:
    """A zoned ISO stamp as a UTC instant, cut to microseconds like parse_iso; null otherwise."""
    p = ts.str.extract_groups(ZONED_ISO_RE)
    frac = p.struct.field("frac").fill_null("").str.slice(0, 6).str.pad_end(6, "0")
    text = pl.concat_str(
        p.struct.field("date"),
        pl.lit("T"),
        p.struct.field("time"),
        pl.lit("."),
        frac,
        _zone_label(ts),
    )
    return text.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%:z", time_zone="UTC", time_unit="us", strict=False
    )


def _zone_label(ts: pl.Expr) -> pl.Expr:
    """The offset a stamp was written with, as format_offset spells it (+HH:MM)."""
    zone = ts.str.extract(r"(Z|[+-]\d{2}:?\d{2})$", 1)
    hhmm = zone.str.replace(":", "", literal=True)
    label = pl.concat_str(hhmm.str.slice(0, 3), pl.lit(":"), hhmm.str.slice(3, 2))
    utc = (zone == "Z") | (hhmm.str.slice(1, 4) == "0000")
    return pl.when(utc).then(pl.lit("+00:00")).otherwise(label)


# ---------------------------------------------------------------------- rows


def _finish(frame: pl.DataFrame, env: EnvelopeSpec, source: str) -> pl.DataFrame:
    """Meta context, derived fields, time and provenance: the event columns."""
    context = [c[5:] for c in frame.columns if c.startswith("_ctx_")]
    frame = frame.with_columns(
        (
            pl.coalesce(column, f"_ctx_{column}")
            if column in frame.columns
            else pl.col(f"_ctx_{column}")
        ).alias(column)
        for column in context
    )
    frame = frame.with_columns(
        [pl.lit(None, EVENT_SCHEMA[c]).alias(c) for c in _DERIVED if c not in frame.columns]
    )
    frame = _derive(frame)
    host = pl.col("host") if "host" in frame.columns else pl.lit(None, pl.String)
    gpid = pl.col("gateway_pid") if "gateway_pid" in frame.columns else pl.lit(None, pl.Int64)
    frame = frame.with_columns(
        ts=pl.col("_dt"),
        ts_raw=pl.col("_ts"),
        ts_quality=pl.lit(TimeQuality.EXPLICIT.value),
        level=pl.col("_level"),
        subsystem=pl.col("_sub"),
        host=pl.coalesce(_nonempty(host), pl.col("_host")),
        gateway_pid=pl.when(gpid.fill_null(0) != 0).then(gpid).otherwise(pl.col("_gpid")),
        message=pl.col("_msg"),
        envelope=pl.lit(env.name),
        channel=pl.lit(env.channel),
        source=pl.lit(source),
        hit=pl.lit(0, pl.Int32),
        raw=pl.col("text"),
    )
    keep = [c for c in frame.columns if c in EVENT_SCHEMA]
    return frame.select(keep).with_columns(
        [pl.col(c).cast(EVENT_SCHEMA[c]) for c in keep if frame.schema[c] != EVENT_SCHEMA[c]]
    )


_DERIVED = ("lock_path", "session_file", "lane", "session_key", "session_id", "agent")


def _regex(pattern: re.Pattern[str]) -> str:
    return ("(?i)" if pattern.flags & re.IGNORECASE else "") + pattern.pattern


def _path_agent(path: pl.Expr) -> pl.Expr:
    return path.str.extract(_regex(fieldspec.AGENT_IN_PATH), 1)


def _key_agent(key: pl.Expr) -> pl.Expr:
    return key.str.extract(_regex(fieldspec.AGENT_IN_KEY), 1)


def _session_from_file(path: pl.Expr) -> pl.Expr:
    """fields.session_id_from_file: the transcript's id, None for other files."""
    name = path.str.extract(r"([^/\\]*)$", 1)
    transcript = name.str.contains(_regex(fieldspec.TRANSCRIPT_SUFFIX)) & ~name.str.contains(
        _regex(fieldspec.STORE_FILE)
    )
    stem = (
        name.str.replace(_regex(fieldspec.TRANSCRIPT_SUFFIX), "")
        .str.replace(_regex(fieldspec.ISO_PREFIX), "")
        .str.replace(_regex(fieldspec.TOPIC_SUFFIX), "")
    )
    return pl.when(transcript & (stem != "")).then(stem)


def _falsy(expr: pl.Expr) -> pl.Expr:
    return expr.is_null() | (expr == "")


def _derive(frame: pl.DataFrame) -> pl.DataFrame:
    """fields.derive, column-wise: session file, key, id and agent from paths, keys, lanes.

    What several steps read (the lease's agent, the lock's owner, the key's
    agent) is made once, as a column: an eager frame shares no subexpression."""
    frame = frame.with_columns(
        pl.when(pl.col(name).str.slice(1).str.contains(fieldspec.ESCAPED_SEPARATOR, literal=True))
        .then(pl.col(name).str.replace_all(fieldspec.ESCAPED_SEPARATOR, "\\", literal=True))
        .otherwise(pl.col(name))
        .alias(name)
        for name in ("lock_path", "session_file")
    )
    lock, lane = pl.col("lock_path"), pl.col("lane")
    key = pl.col("session_key")
    frame = frame.with_columns(
        session_file=pl.when(
            _falsy(pl.col("session_file")).fill_null(True)
            & lock.str.ends_with(".jsonl.lock").fill_null(False)
        )
        .then(lock.str.slice(0, lock.str.len_chars() - 5))
        .otherwise(pl.col("session_file")),
        session_key=pl.when(_falsy(key) & lane.str.starts_with("session:").fill_null(False))
        .then(lane.str.slice(len("session:")))
        .otherwise(key),
        # A lease of another agent's session (`sessions_send` from main into ops).
        _lease=lock.str.extract(_regex(fieldspec.AGENT_IN_LEASE), 1),
    )
    sfile, lease = pl.col("session_file"), pl.col("_lease")
    frame = frame.with_columns(
        # The record's context, its session id too, is the sender's.
        session_id=pl.when(
            lease.is_null() | _falsy(pl.col("agent")).fill_null(True) | (pl.col("agent") == lease)
        ).then(pl.col("session_id")),
        _owner=pl.coalesce(_path_agent(lock), _path_agent(sfile), lease),
        _named=_key_agent(key),
    )
    # The lane and the record's context are the sender's: their key is the
    # session's only when it names the agent whose directory the lock lies in.
    owner, named = pl.col("_owner"), pl.col("_named")
    theirs = owner.is_null() | named.is_null() | (named == owner)
    sid = pl.when(_falsy(pl.col("session_id"))).then(
        pl.coalesce(_session_from_file(sfile), _session_from_file(lock))
    )
    frame = frame.with_columns(
        session_key=pl.when(theirs).then(key),
        session_id=pl.coalesce(sid, pl.col("session_id")),
        _key_agent=pl.coalesce(pl.when(theirs).then(named), _key_agent(lane)),
    )
    # Whose directory the lock lies in wins over the record's context (a newer
    # file log's top-level `agent_id` is the sender's run's).
    written = pl.when(~_falsy(pl.col("agent"))).then(pl.col("agent"))
    frame = frame.with_columns(agent=pl.coalesce(owner, written, "_key_agent")).drop(
        "_lease", "_owner", "_named", "_key_agent"
    )
    placeholder = _regex(fieldspec.PLACEHOLDER)
    sid_col, agent_col = pl.col("session_id"), pl.col("agent")
    flag = sid_col.str.contains(placeholder) | (sid_col.str.strip_chars() == "")
    return frame.with_columns(
        session_is_placeholder=pl.when(sid_col.is_not_null()).then(flag),
        agent=pl.when(agent_col.str.contains(placeholder).fill_null(False))
        .then(pl.lit(None, pl.String))
        .otherwise(agent_col),
    )
