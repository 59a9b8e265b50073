"""The vectorised reader's shortcuts give what its general expressions give.

Each shortcut (a fixed-format stamp parse, zones read off distinct stamp
ends) skips work on the common case; these tests hold it to the general
path on common and odd inputs alike.
"""

from __future__ import annotations

import re

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal, assert_series_equal

from lockforensics.parsing import vector
from lockforensics.parsing.fields import derive
from lockforensics.parsing.literals import literal_regex, prefilter_groups
from lockforensics.parsing.scan import Scanner

STAMPS = [
    "2026-05-27T14:40:04.107+02:00",
    "2026-05-27T14:40:04.107-00:00",
    "2026-05-27T14:40:04.107+00:00",
    "2026-05-27T23:59:60.999+14:00",
    "2026-02-30T14:40:04.107+02:00",
    "2026-05-27T24:00:00.000+02:00",
    "2026-05-27T14:40:04.107+99:99",
    "2026-05-27T14:40:04.107+24:00",
    "2026-05-27T14:40:04.107Z",
    "2026-05-27T14:40:04Z",
    "2026-05-27T14:40:04.123456789+0530",
    "2026-05-27T14:40:04.1+05:30",
    "2026-05-27 14:40:04.107+02:00",
    "14:40:04.107",
    "",
]


def test_common_stamp_parse_matches_the_general_one() -> None:
    """_with_instant reads every stamp, common or not, to the instant _parse_stamp gives."""
    for stamps in (STAMPS, STAMPS[:1] * 3):
        frame = pl.DataFrame({"_ts": [*stamps, None]}, schema={"_ts": pl.String})
        fast = vector._with_instant(frame).get_column("_dt")
        general = frame.select(_dt=vector._parse_stamp(pl.col("_ts"))).get_column("_dt")
        assert_series_equal(fast, general)
    assert vector._with_instant(pl.DataFrame({"_ts": STAMPS[:1]})).item(0, "_dt") is not None


def test_zone_label_needs_only_the_last_six_characters() -> None:
    """The zone a stamp names is the same read from its last six characters."""
    frame = pl.DataFrame({"ts": STAMPS})
    whole = frame.select(vector._zone_label(pl.col("ts"))).to_series()
    tail = frame.select(vector._zone_label(pl.col("ts").str.tail(6))).to_series()
    assert_series_equal(whole, tail)
    assert whole.drop_nulls().n_unique() >= 4


def _both(messages: list[str], pattern: str, literal: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The captures of ``pattern`` over ``messages``: anchored after the literal
    (``_captures``), and searched for over the whole text."""
    frame = pl.DataFrame({"_msg": messages}, schema={"_msg": pl.String})
    fast = frame.select(vector._captures(pattern, literal, ignorecase=False).alias("g"))
    whole = pl.col("_msg").str.extract_groups(f"(?P<{vector._MATCHED}>){pattern}")
    return fast.unnest("g"), frame.select(whole.alias("g")).unnest("g")


_PLAN = Scanner().logs.vector
assert _PLAN is not None
_SPLIT = {
    literal: vr.rule.pattern
    for literal, vr in _PLAN.rules.items()
    if vector._after_literal(vr.rule.pattern, literal) is not None
}


def test_most_high_volume_rules_are_matched_after_their_literal() -> None:
    """The shortcut applies to the run, lane and session rules; not to a rule
    whose pattern opens with something else (``^``, a longer prefix)."""
    assert {"lane enqueue: ", "session state: ", "embedded run done: "} <= set(_SPLIT)
    assert "heartbeat failed: " not in _SPLIT  # its pattern opens with `^`
    assert "auto-compaction start" not in _SPLIT  # `embedded run ` comes first


@pytest.mark.parametrize("literal", sorted(_SPLIT))
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_rule_matched_after_its_literal_captures_what_its_whole_pattern_does(
    literal: str, data: st.DataObject
) -> None:
    """On lines of the rule, those lines cut short or run on, and with text
    before them, both ways give the same groups, wherever the literal stands
    once."""
    pattern = _SPLIT[literal]
    lines = st.from_regex(pattern, fullmatch=True).filter(lambda t: "\n" not in t)
    noise = st.text(alphabet=" =:()-_.\"'abcXYZ019", max_size=20)
    messages = []
    for _ in range(4):
        line, before, after = data.draw(lines), data.draw(noise), data.draw(noise)
        cut = data.draw(st.integers(min_value=0, max_value=len(line)))
        messages += [line, before + line + after, before + line[:cut], line[:cut] + after]
    once = [m for m in messages if m.count(literal) == 1]
    fast, whole = _both(once, pattern, literal)
    fast.columns = whole.columns
    assert_frame_equal(fast, whole)


# Pieces of a rule's pattern after its literal, including those that splitting
# there would change: alternatives, quantifiers, anchors and boundaries.  The
# atoms become named groups, so a match that starts elsewhere shows.
_ATOMS = ["a", "b", " ", "=", r"\d+", r"\S+", ".*", "(?:a|b)", "[^)]", "[|]", r"\|", "[]a]"]
_OPERATORS = ["|", "?", "*", "+", "{1,2}", r"\b", r"\B", "^", "$", "(", ")"]


@settings(max_examples=300, deadline=None)
@given(
    literal=st.sampled_from(["x=", "ab", "aba", "a(", "lane "]),
    pieces=st.lists(st.sampled_from(_ATOMS + _OPERATORS), max_size=6),
    texts=st.lists(st.text(alphabet="ab1 -()|=x", max_size=16), min_size=1, max_size=8),
)
# Each of these moves the match when the split is taken: a quantifier on the
# literal's last character, an alternative, an anchor or a boundary (which
# would look at text cut away), and a literal that overlaps itself.
@example(literal="x=", pieces=["?", r"\S+"], texts=["xqq x=a"])
@example(literal="x=", pieces=["a", "|", "b"], texts=["b x=a"])
@example(literal="x=", pieces=["(", "^", "a", "|", "b", ")"], texts=["b x=a"])
@example(literal="ab", pieces=[r"\B", "a"], texts=["aba"])
@example(literal="ab", pieces=["(", r"\b", "|", "a", ")", "a"], texts=["aba"])
@example(literal="aba", pieces=["c"], texts=["ababac"])
def test_the_split_is_taken_only_where_it_keeps_every_match(
    literal: str, pieces: list[str], texts: list[str]
) -> None:
    """Whatever follows the literal, a pattern the shortcut takes captures the
    same groups after the literal as over the whole line."""
    rest = "".join(p if p in _OPERATORS else f"(?P<g{n}>{p})" for n, p in enumerate(pieces))
    pattern = vector.literal_regex((literal,)) + rest
    try:
        re.compile(pattern)
        pl.select(pl.lit("").str.contains(pattern))
    except (re.error, pl.exceptions.ComputeError):
        assume(False)
    # Patterns the shortcut refuses are left out (the examples above are such:
    # they fail here once a guard is taken away); hypothesis' health check
    # fails the test if too few are left to compare.
    assume(vector._after_literal(pattern, literal) is not None)
    messages = [*texts, *(t[: len(t) // 2] + literal + t[len(t) // 2 :] for t in texts)]
    once = [m for m in messages if m.count(literal) == 1]
    fast, whole = _both(once, pattern, literal)
    fast.columns = whole.columns
    assert_frame_equal(fast, whole)


@pytest.mark.parametrize(
    ("pattern", "rest"),
    [
        (r"x=(?P<v>\S+) y=(?:a|b)", r"(?P<v>\S+) y=(?:a|b)"),
        (r"x=[^)|]*\|[]^]", r"[^)|]*\|[]^]"),
        ("x=", ""),
        ("x=a|b", None),
        ("x=?a", None),
        (r"x=\ba", None),
        ("x=(?:^a)", None),
        ("y=a", None),
        ("x=(?x) a # [", None),
        ("x=(?P<x>a)", "(?P<x>a)"),
    ],
)
def test_after_literal_cuts_only_a_plain_concatenation(pattern: str, rest: str | None) -> None:
    assert vector._after_literal(pattern, "x=") == rest


def test_a_literal_that_overlaps_itself_is_not_split() -> None:
    """In "abab" the literal "aba" stands twice, overlapping: the split could
    keep the wrong one."""
    assert vector._after_literal("aba(?P<v>b)", "aba") is None
    assert vector._after_literal("abc(?P<v>b)", "abc") == "(?P<v>b)"


_AGENTS = st.sampled_from(["main", "ops", "<agent>"])
_SID = "7c1e0b52-3f4a-4d1e-9a0b-5e2f6c8d1a10"


@settings(max_examples=200, deadline=None)
@given(
    lock_agent=st.none() | _AGENTS,
    lane_agent=st.none() | _AGENTS,
    context_agent=st.none() | st.just("") | _AGENTS,
    key_agent=st.none() | _AGENTS,
)
def test_columnwise_derive_is_the_per_line_derive(
    lock_agent: str | None,
    lane_agent: str | None,
    context_agent: str | None,
    key_agent: str | None,
) -> None:
    """Agent and session key from lock paths, lanes and the record's context: the
    vectorised reader's column-wise derive gives what the per-line reader's does,
    also where the lane and context are another agent's than the lock's."""
    fields: dict[str, object] = {
        "lock_path": f"/h/.openclaw/agents/{lock_agent}/sessions/{_SID}.jsonl.lock"
        if lock_agent
        else None,
        "lane": f"session:agent:{lane_agent}:main" if lane_agent else "main",
        "agent": context_agent,
        "session_key": f"agent:{key_agent}:cron:nightly" if key_agent else None,
    }
    expected = derive(dict(fields))
    columns = {name: [fields.get(name)] for name in vector._DERIVED}
    frame = vector._derive(pl.DataFrame(columns, schema={n: pl.String for n in columns}))
    got = frame.row(0, named=True)
    for name in ("agent", "session_key", "session_id", "session_file"):
        assert got[name] == (expected.get(name) or None), name


_LITERALS = Scanner().catalog.literals


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pieces=st.lists(
        st.one_of(
            st.sampled_from(_LITERALS),
            # A literal cut short or run into its neighbour: near misses.
            st.sampled_from(_LITERALS).map(lambda lit: lit[1:] or lit),
            st.sampled_from(_LITERALS).map(lambda lit: lit[:-1] or lit),
            st.text(alphabet=" -:.[]()|\\{}\"'abcdeflnorst0", max_size=12),
        ),
        max_size=6,
    )
)
@example(pieces=["session file lock stal", "e (pid=1)"])
def test_the_split_prefilter_finds_exactly_the_lines_the_whole_alternation_does(
    pieces: list[str],
) -> None:
    """The chunk prefilter's regexes (the shortest literals, the rest, literals
    holding another dropped) pick the same lines as the one alternation of them all."""
    line = "".join(pieces)
    frame = pl.DataFrame({"text": [line]})
    text = pl.col("text")
    groups = prefilter_groups(_LITERALS)
    assert len(groups) == 2
    split = frame.select(pl.any_horizontal([text.str.contains(g) for g in groups])).item()
    whole = frame.select(text.str.contains(literal_regex(_LITERALS))).item()
    assert split == whole == any(lit in line for lit in _LITERALS)
