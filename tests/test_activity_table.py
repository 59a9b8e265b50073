"""The event table's two parts: high-volume rows narrow, nothing lost between them."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from lockforensics import activity
from lockforensics.activity import POSITION, TEXT_COLUMNS, split, whole
from lockforensics.parsing.signatures import HELPER_GROUPS, META_FIELDS, load_catalog
from lockforensics.pipeline import ingest
from lockforensics.schema import (
    ACTIVITY_KINDS,
    ACTIVITY_SCHEMA,
    CODED,
    EVENT_SCHEMA,
    RAW_SAMPLE,
    SORT_KEY,
    events_from_rows,
)
from tests.conftest import SAMPLE

BASE = datetime(2026, 5, 28, tzinfo=UTC)


def test_activity_columns_hold_what_activity_signatures_fill() -> None:
    """Every field a high-volume signature or the meta context fills has a narrow column,
    so those rows are stored narrow rather than kept whole for one missing column."""
    catalog = load_catalog()
    filled = {
        name
        for rule in catalog.rules
        if rule.kind in ACTIVITY_KINDS
        for name in rule.regex.groupindex
        if name not in HELPER_GROUPS
    }
    assert filled, "no activity signature captures anything"
    assert filled | set(META_FIELDS.values()) <= set(ACTIVITY_SCHEMA.names())
    # The same types, text stored as codes (schema.ACTIVITY_SCHEMA).
    for name, dtype in ACTIVITY_SCHEMA.items():
        coded = dtype == pl.Categorical and EVENT_SCHEMA[name] == pl.String
        assert dtype == EVENT_SCHEMA[name] or coded, name


row = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["run", "lane_task", "tool_call", "lock_stale", "gateway_start"]),
        "source": st.sampled_from(["a.log", "b.log"]),
        "line": st.integers(1, 400),
        "ts": st.integers(0, 600).map(lambda s: BASE + timedelta(seconds=s)),
        "run_id": st.sampled_from(["r1", "r2", None]),
        "raw": st.sampled_from(["line text", None]),
        "message": st.sampled_from(["embedded run done", None]),
        # Columns the narrow part lacks: a row carrying one must stay whole.
        "pid": st.sampled_from([None, None, None, 4242]),
        "stale_reasons": st.sampled_from([None, None, ["dead-pid"]]),
    }
)


@settings(max_examples=120, deadline=None)
@given(rows=st.lists(row, min_size=1, max_size=80, unique_by=lambda r: (r["source"], r["line"])))
def test_split_loses_nothing_and_samples_each_input_and_kind(rows: list[dict[str, Any]]) -> None:
    """The two parts together are the table (dropped columns were null), and only
    high-volume rows past each input's first RAW_SAMPLE of their kind go narrow."""
    table = events_from_rows([{**r, "hit": 0} for r in rows])
    detail, activity = split(table)
    assert detail.height + activity.height == table.height
    assert set(activity.columns) <= set(ACTIVITY_SCHEMA.names())
    assert activity.get_column("kind").cast(pl.String).is_in(sorted(ACTIVITY_KINDS)).all()
    # Only the text of narrow rows is gone (by design); every other value is kept.
    together = whole(detail.lazy(), activity.lazy()).collect()
    ordered = table.sort(list(SORT_KEY), nulls_last=True)
    assert_frame_equal(together.drop(TEXT_COLUMNS), ordered.drop(TEXT_COLUMNS))
    assert_frame_equal(
        detail, table.join(detail.select("source", "line"), on=["source", "line"], how="semi")
    )
    for (source, kind), group in table.group_by("source", "kind"):
        if kind not in ACTIVITY_KINDS:
            continue
        first = group.sort("line").head(RAW_SAMPLE).get_column("line").to_list()
        kept = detail.filter(source=source, kind=kind).get_column("line").to_list()
        assert set(first) <= set(kept), "a sample row went narrow"


def test_chunked_split_counts_rows_across_chunks() -> None:
    """Split chunk by chunk, an input keeps RAW_SAMPLE rows of a kind in all, not per chunk."""
    rows = [{"kind": "run", "source": "a.log", "line": n, "hit": 0} for n in range(1, 13)]
    kept: Counter[str] = Counter()
    chunks = [events_from_rows(rows[:3]), events_from_rows(rows[3:])]
    details = [split(chunk, kept)[0] for chunk in chunks]
    assert [d.height for d in details] == [3, RAW_SAMPLE - 3]
    assert kept["run"] == 12


def test_busy_rows_of_the_sample_are_stored_narrow() -> None:
    """On the sample bundle most rows are high-volume and stored without text; each
    input keeps at most RAW_SAMPLE rows of such a kind whole."""
    result = ingest([SAMPLE])
    assert result.activity.height > result.detail.height
    assert "raw" not in result.activity.columns
    # Stored as codes (schema.CODED), read back as the event table's strings.
    assert all(result.activity.schema[c] == pl.Categorical for c in CODED)
    assert all(result.events.schema[c] == pl.String for c in CODED)
    sampled = (
        result.detail.filter(pl.col("kind").is_in(sorted(ACTIVITY_KINDS)))
        .group_by("source", "kind")
        .len()
    )
    assert sampled.get_column("len").max() == RAW_SAMPLE


def test_merged_parts_are_the_sorted_table() -> None:
    """The two stored parts merged on their places give exactly the table sorted anew."""
    result = ingest([SAMPLE])
    parts = [p.drop(POSITION).lazy() for p in (result.detail, result.activity)]
    assert POSITION in result.detail.columns
    assert POSITION in result.activity.columns
    assert_frame_equal(result.events, whole(*parts).collect())
    assert result.events.get_column("ts").is_sorted(nulls_last=True)


def test_table_written_in_windows_is_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    """The table a sink writes, merged window by window, is the one table row for row,
    whichever part each window's rows come from (windows far smaller than either part)."""
    result = ingest([SAMPLE])
    monkeypatch.setattr(activity, "WINDOW_ROWS", 7)
    assert result.detail.height > 7
    assert result.activity.height > 7
    assert_frame_equal(result.table_to_write().collect(), result.events)


def test_windowed_table_honours_filters_columns_and_limits(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The windows are a source polars pushes a filter, a column choice and a row
    limit into: each must still give what the same query gives on the table."""
    result = ingest([SAMPLE])
    monkeypatch.setattr(activity, "WINDOW_ROWS", 7)
    runs = pl.col("kind") == "run"
    query = [("kind", "line", "source"), ("ts", "session_id")]
    for columns in query:
        got = result.table_to_write().filter(runs).select(columns).head(11).collect()
        want = result.events.filter(runs).select(columns).head(11)
        assert got.height == 11
        assert_frame_equal(got, want)
    assert result.table_to_write().head(0).collect().schema == result.events.schema
