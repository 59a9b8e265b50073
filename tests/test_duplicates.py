"""Overlapping copies: narrowing the comparison to shared instants drops the same rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from lockforensics.activity import as_events, conform
from lockforensics.ingest import duplicates
from lockforensics.parsing.filescan import FileScan
from lockforensics.schema import ACTIVITY_SCHEMA, EVENT_SCHEMA

T0 = datetime(2026, 5, 28, 6, 0, tzinfo=UTC)
SOURCES = ("a.log", "b.log", "c.log")

_row = st.tuples(
    st.sampled_from(SOURCES),
    st.sampled_from(("file", "file", "journal")),
    st.one_of(st.none(), st.integers(0, 4).map(lambda s: T0 + timedelta(seconds=s))),
    st.sampled_from(("r1", "r1", "r2")),
    st.booleans(),  # an activity row (narrow part) or a detail row
)


def _parts(rows: list[tuple[str, str, datetime | None, str, bool]]) -> list[pl.DataFrame]:
    frames = []
    for narrow in (False, True):
        mine = [r for r in rows if r[4] is narrow]
        frame = pl.DataFrame(
            {
                "source": [r[0] for r in mine],
                "channel": [r[1] for r in mine],
                "ts": [r[2] for r in mine],
                "run_id": [r[3] for r in mine],
                "kind": ["run" if narrow else "lock_timeout"] * len(mine),
                "line": list(range(1, len(mine) + 1)),
            },
            schema_overrides={"ts": pl.Datetime("us", "UTC")},
        )
        frames.append(conform(frame, ACTIVITY_SCHEMA if narrow else EVENT_SCHEMA))
    return frames


def _scans(lines: list[int]) -> list[FileScan]:
    return [FileScan(source=s, size=0, lines=n) for s, n in zip(SOURCES, lines, strict=True)]


def _every_row_compared(
    detail: pl.DataFrame, activity: pl.DataFrame, scans: list[FileScan]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The reference: every row of every input compared with every other."""
    rows = pl.concat(
        [
            as_events(p.lazy()).with_row_index("_i").with_columns(_part=pl.lit(n, pl.UInt8))
            for n, p in enumerate((detail, activity))
        ],
        how="diagonal_relaxed",
    ).collect()
    dropped = duplicates._dropped(rows, scans)
    return duplicates.without(detail, dropped, 0), duplicates.without(activity, dropped, 1)


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(_row, min_size=4, max_size=30),
    lines=st.lists(st.integers(1, 5), min_size=3, max_size=3),
)
@example(  # twins inside the shared span, not at its edge
    rows=[
        ("a.log", "file", T0, "r1", False),
        ("a.log", "file", T0 + timedelta(seconds=3), "r1", False),
        ("b.log", "file", T0, "r2", False),
        ("b.log", "file", T0 + timedelta(seconds=3), "r1", False),
        ("b.log", "file", T0 + timedelta(seconds=6), "r2", False),
    ],
    lines=[1, 2, 3],
)
def test_narrowed_comparison_drops_what_comparing_every_row_drops(
    rows: list[tuple[str, str, datetime | None, str, bool]], lines: list[int]
) -> None:
    detail, activity = _parts(rows)
    got_scans, want_scans = _scans(lines), _scans(lines)
    dropped = duplicates.drop_overlaps(detail.lazy(), activity.lazy(), got_scans)
    got = duplicates.without(detail, dropped, 0), duplicates.without(activity, dropped, 1)
    want = _every_row_compared(detail, activity, want_scans)
    assert got[0].equals(want[0])
    assert got[1].equals(want[1])
    assert [s.duplicate_rows for s in got_scans] == [s.duplicate_rows for s in want_scans]


def test_many_shared_spans_fall_back_to_grouping_every_suspect_row() -> None:
    """Past MAX_WINDOWS spans the time filter is dropped, not the comparison."""
    spans = [(T0 + timedelta(minutes=2 * k), T0 + timedelta(minutes=2 * k)) for k in range(70)]
    many = duplicates.Overlaps(["a.log"], spans, untimed=False)
    few = duplicates.Overlaps(["a.log"], spans[:2], untimed=False)
    frame = pl.DataFrame({"ts": [T0 + timedelta(minutes=1), T0]})
    assert frame.filter(many.near()).height == 2
    assert frame.filter(few.near()).get_column("ts").to_list() == [T0]


def test_touching_spans_merge() -> None:
    t = [T0 + timedelta(seconds=s) for s in range(6)]
    assert duplicates._merged([(t[3], t[4]), (t[0], t[1]), (t[1], t[2]), (t[5], t[5])]) == [
        (t[0], t[2]),
        (t[3], t[4]),
        (t[5], t[5]),
    ]
