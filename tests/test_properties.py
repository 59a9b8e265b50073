"""Property tests: parsers never raise, and the table does not depend on file order."""

from __future__ import annotations

import random

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockforensics.parsing.signatures import load_catalog
from tests.conftest import ingest_files

CATALOG = load_catalog()
EXAMPLE_LINES = [ex.line for rule in CATALOG.rules for ex in rule.examples]
PREFIXES = [
    "",
    "2026-05-28T06:22:13.451+02:00 [diagnostic] ",
    "May 28 06:22:13 gw node[1]: ",
    "06:22:13 ",
    '{"0":"',
    "2026-06-09T09:58:16.123456789Z ",
    '{"type":"log","message":"',
]

lines = st.one_of(
    st.text(max_size=300),
    st.sampled_from(EXAMPLE_LINES),
    st.builds(lambda p, s: p + s, st.sampled_from(PREFIXES), st.sampled_from(EXAMPLE_LINES)),
    # Truncated or spliced real lines: the shapes a broken capture produces.
    st.builds(lambda s, n: s[:n], st.sampled_from(EXAMPLE_LINES), st.integers(0, 400)),
)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(lines, max_size=12))
def test_no_parser_raises_on_arbitrary_text(text_lines: list[str]) -> None:
    """Any mix of text yields a table and accounting that adds up."""
    result = ingest_files({"x.log": "\n".join(text_lines)})
    scan = result.files[0]
    assert scan.event_lines + scan.noise_lines + scan.unrecognized == scan.lines
    # A record joined from several lines is one event holding all of them
    # (parsing/continuations.py), so events are counted by their first line.
    assert (result.events.height > 0) == (scan.event_lines > 0)
    assert result.events.get_column("line").n_unique() <= scan.event_lines


@SETTINGS
@given(st.binary(max_size=2000))
def test_no_parser_raises_on_arbitrary_bytes(data: bytes) -> None:
    """Invalid UTF-8, NUL bytes and broken compression headers never abort a run."""
    result = ingest_files({"x.bin": data, "y.gz": b"\x1f\x8b" + data})
    assert len(result.files) == 2


@settings(max_examples=40, deadline=None)
@given(st.permutations(list(range(5))), st.randoms(use_true_random=False))
def test_file_order_does_not_change_the_table(order: list[int], rnd: random.Random) -> None:
    """Reading the same files in any order gives the identical event table."""
    files = {}
    for index in range(5):
        chosen = rnd.sample(EXAMPLE_LINES, k=min(8, len(EXAMPLE_LINES)))
        files[f"f{index}.log"] = "\n".join(chosen) + "\n"
    names = list(files)
    baseline = ingest_files(files).events
    shuffled = ingest_files({names[i]: files[names[i]] for i in order}).events
    assert baseline.equals(shuffled)
    assert baseline.select(pl.col("occurrence").min()).item() in (None, 1)
