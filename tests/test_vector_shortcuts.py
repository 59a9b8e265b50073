"""The vectorised reader's shortcuts give what its general expressions give.

Each shortcut (a fixed-format stamp parse, zones read off distinct stamp
ends) skips work on the common case; these tests hold it to the general
path on common and odd inputs alike.
"""

from __future__ import annotations

import polars as pl
from polars.testing import assert_series_equal

from lockforensics.parsing import vector

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
