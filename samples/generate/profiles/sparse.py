"""``sparse``: the sample as it is, or padded with info-level channel traffic.

About 4 % of the padding is lane-wait and rate-limit fallback lines; the rest is
inbound-message lines no signature matches.  Without ``--size`` nothing is added
and the bundle is ``samples/fleet-2026-05-28``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from samples.generate.clock import TimeFormatter, day_bounds
from samples.generate.profiles.base import PaddingTruth, PadLine, Profile
from samples.generate.profiles.noise import build_noise_pool, line_sizes, noise_times, render_noise
from samples.generate.scenario import DAYS, JOURNAL_DAY
from samples.generate.share import is_busy
from samples.generate.sources.context import SourceContext


class SparsePadding:
    """Pool lines spread evenly over the window, each day in proportion to its length."""

    def __init__(self, ctx: SourceContext, add_bytes: int) -> None:
        self.seed = ctx.seed
        self.pool = build_noise_pool(ctx.seed, ctx.sessions)
        self.truth = PaddingTruth()
        avg_file, avg_journal = line_sizes(self.pool)
        spans = {day: day_bounds(day)[1] - day_bounds(day)[0] for day in DAYS}
        total_ms = sum(spans.values())
        per_line = sum(
            spans[d] / total_ms * (avg_file + (avg_journal if d == JOURNAL_DAY else 0))
            for d in DAYS
        )
        n_total = math.ceil(add_bytes / per_line)
        self.per_day = {d: math.ceil(n_total * spans[d] / total_ms) for d in DAYS}
        self.avg_file = avg_file
        self.busy = [is_busy(e.console) for e in self.pool]

    def day_bytes(self, day: str) -> int:
        return math.ceil(self.per_day[day] * self.avg_file)

    def lines(self, day: str, start: int, end: int, to_journal: bool) -> Iterator[PadLine]:
        tf = TimeFormatter()
        pool, size = self.pool, len(self.pool)
        for i, t in enumerate(noise_times(start, end, self.per_day[day], self.seed + start)):
            if self.busy[i % size]:
                self.truth.busy_lines += 2 if to_journal else 1
            yield render_noise(pool[i % size], t, tf, to_journal)


PROFILE = Profile(
    name="sparse",
    summary="the sample; with --size, padded with info-level channel traffic (~4 % events)",
    default_size=None,
    gzip_level=None,  # gzip of a padded day at level 9 would dominate generation time
    pad=SparsePadding,
)
