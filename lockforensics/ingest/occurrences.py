"""Fold the lines that report one thing into one occurrence.

The rules are data (``parsers/occurrences.toml``); this module applies them.
Assignment is defined as a single pass over the events in the table's total
order (:func:`first_rows`), so the result does not depend on the order files were
read in.  :func:`assign_frame` gives the same ids without visiting every row
in Python: a group of rows with one kind and key whose lines all fall inside
one window with no echo role twice (a run's start and done lines, a file line
and its journal copy) is one occurrence whatever the pass does, and a group
whose lines all share one role is one occurrence per line; only the other
groups go through the pass.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

import polars as pl

from lockforensics.errors import SpecError
from lockforensics.resources import data_dir
from lockforensics.schema import DOCUMENT_CHANNEL


@dataclass(frozen=True, slots=True)
class OccurrenceRule:
    key: tuple[str, ...]
    window_s: float
    window_lines: int
    repeatable: frozenset[str]
    exact_when: tuple[str, ...] = ()
    exact_window_s: float = 0.0
    #: Echo roles whose lines may come this long after their occurrence's first.
    role_windows: tuple[tuple[str, float], ...] = ()
    #: Fields a line may leave unnamed, but never name otherwise than its
    #: occurrence: two processes' starts are two starts, whatever their timing.
    apart: tuple[str, ...] = ()
    #: Phases that are one role: the same step written two ways (a process
    #: killed or exited), so a second of them is a second occurrence.
    same_role: tuple[tuple[str, str], ...] = ()
    #: A line joins the latest open occurrence it fits that holds a line of its
    #: own input, else the latest it fits, rather than the earliest: lifecycle
    #: steps follow their own beginning (a crash loop's next start), and two
    #: profiles starting together each write their own console log.
    newest_first: bool = False
    #: How far apart two lines of one step (phase) may be in one occurrence:
    #: copies of one line in several captures are seconds apart, while the
    #: occurrence's steps may span ``window_s`` (a restart's drain).  0: no bound.
    copy_window_s: float = 0.0
    #: An occurrence holds the rows of one document at most: two saved outputs
    #: are two runs whatever their timing, while the log lines that answered
    #: one of them join it.
    one_document: bool = False
    #: A phase after which the roles of the phases paired with it are free
    #: again in its occurrence: its next line states an earlier step over
    #: (systemd's start limit repeats the last death's result).
    restates: tuple[tuple[str, frozenset[str]], ...] = ()

    def phase_role(self, phase: object) -> object:
        return dict(self.same_role).get(str(phase), phase) if self.same_role else phase

    def window_for(self, event: dict[str, Any]) -> float:
        window = self.window_s
        if self.exact_when and all(event.get(name) is not None for name in self.exact_when):
            window = max(window, self.exact_window_s)
        # A role is its wrapper path (`lane:cron/chain`): the innermost one counts.
        role = str(event.get("echo_role")).rsplit("/", 1)[-1]
        return max([window, *(s for r, s in self.role_windows if r == role)])

    @property
    def widest_s(self) -> float:
        """The longest any line of this kind may come after its occurrence's first."""
        return max([self.window_s, self.exact_window_s, *(s for _, s in self.role_windows)])


@dataclass(frozen=True, slots=True)
class OccurrenceRules:
    default: OccurrenceRule
    by_kind: dict[str, OccurrenceRule]

    def for_kind(self, kind: str) -> OccurrenceRule:
        return self.by_kind.get(kind, self.default)


def _rule(entry: dict[str, Any], fallback: OccurrenceRule | None) -> OccurrenceRule:
    return OccurrenceRule(
        key=tuple(entry.get("key", fallback.key if fallback else ())),
        window_s=float(entry.get("window_s", fallback.window_s if fallback else 2)),
        window_lines=int(entry.get("window_lines", fallback.window_lines if fallback else 3)),
        repeatable=frozenset(entry.get("repeatable", ())),
        exact_when=tuple(entry.get("exact_when", ())),
        exact_window_s=float(entry.get("exact_window_s", 0)),
        role_windows=tuple(
            (str(role), float(seconds)) for role, seconds in entry.get("role_windows", {}).items()
        ),
        apart=tuple(entry.get("apart", ())),
        same_role=tuple(
            (str(phase), str(group[0])) for group in entry.get("same_role", ()) for phase in group
        ),
        newest_first=bool(entry.get("newest_first", False)),
        copy_window_s=float(entry.get("copy_window_s", 0)),
        one_document=bool(entry.get("one_document", False)),
        restates=tuple(
            (str(phase), frozenset(str(p) for p in freed))
            for phase, freed in entry.get("restates", {}).items()
        ),
    )


@cache
def load_rules() -> OccurrenceRules:
    path = data_dir("parsers") / "occurrences.toml"
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        default = _rule(doc.pop("default"), None)
        return OccurrenceRules(default, {k: _rule(v, default) for k, v in doc.items()})
    except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"{path}: {exc}") from exc


@dataclass(slots=True)
class _Open:
    ident: int
    start: datetime | None
    source: str
    last_line: int
    roles: set[str] = field(default_factory=set)
    #: The ``apart`` fields its lines named.
    named: dict[str, Any] = field(default_factory=dict)
    #: The inputs its lines came from.
    sources: set[str] = field(default_factory=set)
    #: Each step's (phase's) first time (OccurrenceRule.copy_window_s).
    steps: dict[object, datetime] = field(default_factory=dict)


def _key_value(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def _column(name: str) -> str:
    return MESSAGE_KEY if name == "message" else name


def role_of(event: dict[str, Any], rule: OccurrenceRule | None = None) -> str:
    """What makes a line an echo rather than a repeat: channel, wrapper path, phase."""
    phase = event.get("phase")
    if rule is not None:
        phase = rule.phase_role(phase)
    wrapper = event.get("echo_role")
    if isinstance(wrapper, str):
        wrapper = _LANE_CLASS.sub(_lane_class, wrapper)
    return f"{event.get('channel')}|{wrapper}|{phase}"


#: A lane wrapper of a role (`lane:cron`, `lane:session:agent:main:main`): a task
#: runs on one global lane and its session's lane, and logs its failure once on
#: each (openclaw-formats §3), so two global lanes' failures are two tasks'
#: (Z224: a cron delivery's and a nested announce's timeouts, 3 s apart, one).
_LANE_CLASS = re.compile(r"lane:(?:(session):[^/]*|[^/]*)")


def _lane_class(found: re.Match[str]) -> str:
    return "lane:session" if found[1] else "lane:global"


#: The column that stands for ``message`` in occurrence keys: a hash of the
#: text, kept when the text itself is dropped (high-volume kinds).
MESSAGE_KEY = "_key"


def _first_line() -> pl.Expr:
    """The message's first line.  A journal or console capture splits a
    multi-line message into a record per line while the file log keeps it whole
    (a failed start and its `If the gateway is supervised` hint): both copies
    share the first line."""
    message = pl.col("message")
    first_line = message.str.extract(r"^([^\n]*)", 1)
    multi_line = message.str.contains("\n", literal=True)
    return pl.when(multi_line).then(first_line).otherwise(message)


def keyed(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``MESSAGE_KEY``: a hash of each message's first line.

    A failed lane task is logged by its global lane and by its session's
    (``lane task error: lane=main durationMs=73412 error=…``, then
    ``lane=session:<key> durationMs=73415``): its key leaves out the lane and
    its own duration, so the two are one failure (the rule keeps two
    sessions' failures apart by their keys).  Only those few rows are read
    again so: a regex over every row of a busy batch cost 5 % of the scan.
    """
    out = frame.with_columns(_first_line().hash().alias(MESSAGE_KEY))
    lane = out.get_column("message").str.starts_with("lane ").fill_null(False)
    if not lane.any():
        return out
    index = lane.arg_true()
    lanes = out.select(pl.col("message").gather(index)).select(
        _first_line().str.replace(_LANE_HEAD, "$1").hash()
    )
    return out.with_columns(out.get_column(MESSAGE_KEY).scatter(index, lanes.to_series()))


#: The head of a lane's failure line: what its two lanes write differently.
_LANE_HEAD = r"^(lane (?:task error|onWait callback failed): )lane=\S+ (?:durationMs=\d+ )?"


#: A frame's column giving each row's place in the total order, when its rows are not in it.
RANK = "_row"


def assign_frame(frame: pl.DataFrame, rules: OccurrenceRules | None = None) -> pl.Series:
    """Occurrence ids for a frame in total order: 1-based, increasing with each
    occurrence's first line, the same ids the single pass gives.

    The rows may instead come in any order with their places in the total
    order as a ``RANK`` column (UInt32, 0-based); the ids are then in that
    order.
    """
    if RANK not in frame.columns:
        frame = frame.with_row_index(RANK)
    kinds = frame.get_column("kind").unique(maintain_order=True).to_list()

    def read(some: list[str], columns: list[str]) -> pl.DataFrame:
        rows = frame.lazy().filter(pl.col("kind").is_in(some, nulls_equal=True))
        return rows.select(*columns, "kind", RANK).collect()

    return assign_kinds(kinds, read, rules)


#: Rows of some kinds: ``(kinds, columns)`` → those columns, ``kind`` and
#: ``RANK``, in any order.
KindReader = Callable[[list[str], list[str]], pl.DataFrame]


def assign_kinds(
    kinds: Iterable[str], read: KindReader, rules: OccurrenceRules | None = None
) -> pl.Series:
    """:func:`assign_frame` over rows that ``read`` gives a few kinds at a time:
    ids in ``RANK`` order, for ranks 0..n-1 all read.

    An occurrence never spans kinds (the kind is part of every key), so only
    the kinds whose rules read the same columns, and only those columns, need
    be held at once: the table build reads them from the spilled parts so.
    """
    rules = rules or load_rules()
    by_columns: dict[tuple[str, ...], list[str]] = {}
    for kind in kinds:
        rule = rules.for_kind(str(kind))
        reads = map(_column, (*rule.key, *rule.exact_when, *rule.apart, *_PASS_COLUMNS))
        by_columns.setdefault(tuple(dict.fromkeys(reads)), []).append(kind)
    firsts: list[pl.DataFrame] = []
    for columns, members in by_columns.items():
        rows = read(members, list(columns))
        for kind in members:
            part = rows.filter(pl.col("kind").eq_missing(kind)).drop("kind")
            firsts.extend(_firsts(kind, part, rules))
    table = (
        pl.concat(firsts)
        if firsts
        else pl.DataFrame(schema={"rows": pl.UInt32, "first": pl.UInt32})
    )
    ids = table.sort("rows").get_column("first").rank("dense").cast(pl.Int64)
    return ids.alias("occurrence")


def _role(rule: OccurrenceRule) -> pl.Expr:
    """:func:`role_of` as an expression."""
    phase = pl.col("phase").cast(pl.String)
    if rule.same_role:
        phase = phase.replace(dict(rule.same_role))
    # _lane_class: a session lane, then any other, then the session ones back.
    wrapper = (
        pl.col("echo_role")
        .cast(pl.String)
        .str.replace_all(r"lane:session:[^/]*", "\x00")
        .str.replace_all(r"lane:[^/\x00]*", "lane:global")
        .str.replace_all("\x00", "lane:session", literal=True)
    )
    parts = [pl.col("channel").cast(pl.String), wrapper, phase]
    return pl.concat_str([part.fill_null("None") for part in parts], separator="|")


def _firsts(kind: str, part: pl.DataFrame, rules: OccurrenceRules) -> list[pl.DataFrame]:
    """Each row of one kind's ``part`` (RANK) with its occurrence's first row."""
    rule = rules.for_kind(str(kind))
    key = [_hashable(part, _column(k)) for k in rule.key]
    names = [k if isinstance(k, str) else k.meta.output_name() for k in key]
    widest = timedelta(seconds=rule.widest_s)
    # Rows of one key more than the widest window apart can never share an
    # occurrence (each line is within the window of its occurrence's first),
    # so every run of rows without such a gap is a problem of its own.
    ordered = part.with_columns(key).sort([*names, "ts", RANK], nulls_last=True)
    changed = pl.any_horizontal(
        [pl.col(n).ne_missing(pl.col(n).shift()) for n in names] or [pl.lit(False)]
    )
    gap = (pl.col("ts") - pl.col("ts").shift()) > widest
    start = (changed | gap.fill_null(True)) | pl.col("ts").is_null()
    repeat = pl.col("phase").is_in(sorted(rule.repeatable)).fill_null(False)
    # Untimed lines fold by line distance in their file, not by time: one
    # that shares its key with another untimed line goes to the pass.
    untimed = pl.col("ts").is_null().sum()
    alone = pl.col("ts").is_not_null() | ((untimed.over(names) if names else untimed) == 1)
    run = start.cum_sum()
    if rule.copy_window_s:
        # The widest any step's lines lie apart within the run (copy_window_s).
        steps = [run, pl.col("phase")]
        step_span = pl.col("ts").max().over(steps) - pl.col("ts").min().over(steps)
        copies = pl.when(~repeat).then(step_span) <= timedelta(seconds=rule.copy_window_s)
    else:
        copies = pl.lit(True)
    document = pl.when(pl.col("channel") == DOCUMENT_CHANNEL).then(pl.col("source"))
    documents = {_DOCUMENT: document} if rule.one_document else {}
    groups = (
        ordered.with_columns(
            _run=run,
            **documents,
            _role=_role(rule),
            _repeat=repeat,
            _alone=alone,
            _copies=copies.fill_null(True),
        )
        .group_by("_run", maintain_order=True)
        .agg(
            rows=pl.col(RANK),
            first=pl.col(RANK).min(),
            simple=pl.col("_alone").all()
            & pl.col("_copies").all()
            & pl.all_horizontal(
                [pl.col(name).drop_nulls().n_unique() <= 1 for name in _apart(rule)]
                or [pl.lit(True)]
            )
            & (
                (pl.len() == 1)
                | (
                    pl.col("ts").is_not_null().all()
                    & (
                        (pl.col("ts").max() - pl.col("ts").min())
                        <= timedelta(seconds=rule.window_s)
                    )
                    & (
                        pl.col("_role").filter(~pl.col("_repeat")).n_unique()
                        == (~pl.col("_repeat")).sum()
                    )
                )
            ),
            # One role throughout and none repeatable: no line can join an
            # earlier one (each already holds that role), so each line is an
            # occurrence of its own (a busy lane logging the same dequeue).
            each=pl.col("ts").is_not_null().all()
            & (pl.col("_role").n_unique() == 1)
            & ~pl.col("_repeat").any(),
        )
    )
    simple = groups.filter(pl.col("simple"))
    each = groups.filter(~pl.col("simple") & pl.col("each")).select("rows").explode("rows")
    firsts = [
        simple.select("rows", "first").explode("rows"),
        each.select("rows", first=pl.col("rows")),
    ]
    complex_rows = groups.filter(~pl.col("simple") & ~pl.col("each")).get_column("rows")
    if complex_rows.len():
        firsts.append(_passed(kind, part, complex_rows.explode(), rules))
    return firsts


#: The ``apart`` field a rule's ``one_document`` adds: a document row's input.
_DOCUMENT = "_document"


def _apart(rule: OccurrenceRule) -> tuple[str, ...]:
    return (*rule.apart, _DOCUMENT) if rule.one_document else rule.apart


#: What the single pass reads besides a rule's key: times, roles, provenance.
_PASS_COLUMNS = ("ts", "channel", "echo_role", "phase", "source", "line")


def _passed(
    kind: str, part: pl.DataFrame, ranks: pl.Series, rules: OccurrenceRules
) -> pl.DataFrame:
    """Rows (``ranks`` of one kind's ``part``) that only the single pass can
    settle, with their occurrences' first ranks."""
    subset = part.filter(pl.col(RANK).is_in(ranks.implode())).sort(RANK)
    local = first_rows(subset.with_columns(kind=pl.lit(kind)).to_dicts(), rules)
    placed = subset.get_column(RANK)
    return pl.DataFrame(
        {"rows": placed, "first": placed.gather(local)},
        schema={"rows": pl.UInt32, "first": pl.UInt32},
    )


def _hashable(part: pl.DataFrame, column: str) -> str | pl.Expr:
    """Lists group by their joined text (group_by keys must be hashable scalars)."""
    if isinstance(part.schema[column], pl.List):
        return pl.col(column).list.join("\x1f").alias(column)
    return column


#: The most occurrences of one key a line may still join: the newest.  A line
#: repeated by the hundred thousand in one millisecond (a runaway loop appending
#: one record, Z171) opened as many, each scanned by every later line: 16 MiB
#: took 128 s, 300 MiB would have taken hours.
MAX_OPEN = 32


def first_rows(events: Sequence[dict[str, Any]], rules: OccurrenceRules | None = None) -> list[int]:
    """The position of each event's occurrence's first line (the single pass)."""
    rules = rules or load_rules()
    open_by_key: dict[tuple[Any, ...], list[_Open]] = {}
    ids: list[int] = []
    for position, event in enumerate(events):
        kind = str(event["kind"])
        rule = rules.for_kind(kind)
        key = (kind, *(_key_value(event.get(_column(name))) for name in rule.key))
        role = role_of(event, rule)
        repeatable = event.get("phase") in rule.repeatable
        ts: datetime | None = event.get("ts")
        source, line = str(event["source"]), int(event["line"])
        window = rule.window_for(event)
        named = {n: v for n in rule.apart if (v := event.get(n)) is not None}
        if rule.one_document and event.get("channel") == DOCUMENT_CHANNEL:
            named[_DOCUMENT] = source
        candidates = open_by_key.setdefault(key, [])
        fits: list[_Open] = []
        for occ in reversed(candidates) if rule.newest_first else candidates:
            if not _within(occ, ts, source, line, window, rule.window_lines):
                continue
            if role in occ.roles and not repeatable:
                continue
            if any(occ.named.get(name, value) != value for name, value in named.items()):
                continue
            if not _a_copy_of_its_step(occ, event, ts, rule, repeatable):
                continue
            fits.append(occ)
            if not rule.newest_first:
                break
        chosen = _preferred(fits, event, named) if fits else None
        if chosen is None:
            chosen = _Open(position, ts, source, line)
            # Drop occurrences that no later line can join (by the rule's widest
            # window: a later echo may reach further back than this line), so
            # the scan stays linear on long bundles.
            candidates[:] = [
                o
                for o in candidates
                if _within(o, ts, source, line, rule.widest_s, rule.window_lines)
            ][-MAX_OPEN + 1 :]
            candidates.append(chosen)
        chosen.roles.add(role)
        freed = dict(rule.restates).get(str(event.get("phase")))
        if freed:
            chosen.roles = {r for r in chosen.roles if r.rsplit("|", 1)[-1] not in freed}
        if ts is not None:
            chosen.steps.setdefault(event.get("phase"), ts)
        chosen.named.update(named)
        chosen.sources.add(source)
        if chosen.source == source:
            chosen.last_line = max(chosen.last_line, line)
        ids.append(chosen.ident)
    return ids


def _preferred(fits: list[_Open], event: dict[str, Any], named: dict[str, Any]) -> _Open:
    """Of the open occurrences a line fits (newest first), the one already
    naming its pid, else one holding its step at its very instant (the line's
    copy in another capture), else one holding a line of its own input, else
    the newest.  Two profiles' units starting in one second interleave their
    processes' lines: joining the other unit's pid-less `Started` had made one
    start of two processes and left the other unit without one (Z205)."""
    phase, ts, source = event.get("phase"), event.get("ts"), str(event["source"])
    return max(
        fits,
        key=lambda occ: (
            bool(named) and all(occ.named.get(n) == v for n, v in named.items()),
            ts is not None and occ.steps.get(phase) == ts,
            source in occ.sources,
        ),
    )


def _a_copy_of_its_step(
    occ: _Open, event: dict[str, Any], ts: datetime | None, rule: OccurrenceRule, repeatable: bool
) -> bool:
    """A line of a step ``occ`` already holds is a copy of it only when it comes
    within the rule's copy window of that step's line: two gateways restarting
    minutes apart write the same steps (a dev profile's file log and the prod
    gateway's journal), each one restart."""
    first = occ.steps.get(event.get("phase"))
    if not rule.copy_window_s or repeatable or ts is None or first is None:
        return True
    return abs((ts - first).total_seconds()) <= rule.copy_window_s


def _within(
    occ: _Open, ts: datetime | None, source: str, line: int, window_s: float, window_lines: int
) -> bool:
    if ts is None or occ.start is None:
        # Untimed lines only fold with their neighbours in the same file.
        return (
            ts is None
            and occ.start is None
            and occ.source == source
            and 0 <= line - occ.last_line <= window_lines
        )
    return 0 <= (ts - occ.start).total_seconds() <= window_s
