"""Writes the file logs and the journal: the scenario's lines merged in time order with a
profile's padding."""

from __future__ import annotations

import math

from samples.generate.clock import day_bounds, ms_of
from samples.generate.profiles.base import Padding
from samples.generate.scenario import (
    DAYS,
    GZIPPED_DAY,
    JOURNAL_DAY,
    ROTATE_MAX_ARCHIVES,
    ROTATE_MAX_BYTES,
    SAMPLE_ROTATE_AT,
)
from samples.generate.sources.context import SourceContext
from samples.generate.sources.journal import JournalWriter
from samples.generate.sources.tslog import RotatingDayWriter

SAMPLE_GZIP_LEVEL = 9
JOURNAL_NAME = "journal/openclaw-gateway.txt"


def write_logs(
    ctx: SourceContext, padding: Padding | None, gzip_level: int | None
) -> dict[str, int]:
    """Write ``tmp-openclaw/`` and the journal; returns {relative path: line count}.

    Without padding this is the sample's layout: the 28th rotated at a fixed
    instant and the 26th gzip'd.  With padding, each day rotates at 100 MB, or
    wider so that it never needs more than the five archives OpenClaw keeps.
    """
    log_dir = ctx.out / "tmp-openclaw"
    log_dir.mkdir(parents=True)
    journal = JournalWriter(ctx.out / JOURNAL_NAME)
    lines: dict[str, int] = {}
    for day in DAYS:
        d0, d1 = day_bounds(day)
        base = [r for r in ctx.rendered if r.local_day == day]
        if padding is None:
            max_bytes = None
            split_at = ms_of(SAMPLE_ROTATE_AT) if day == "2026-05-28" else None
            level = SAMPLE_GZIP_LEVEL if day == GZIPPED_DAY else None
        else:
            est = sum(len(r.file_line) + 1 for r in base if r.file_line) + padding.day_bytes(day)
            max_bytes = max(ROTATE_MAX_BYTES, math.ceil(est / (ROTATE_MAX_ARCHIVES + 1)))
            split_at = None
            level = gzip_level if day == GZIPPED_DAY else None
        writer = RotatingDayWriter(log_dir, day, max_bytes, split_at, level)
        to_journal = day == JOURNAL_DAY
        pad = iter(()) if padding is None else padding.lines(day, d0, d1, to_journal)
        nxt = next(pad, None)
        write, add = writer.write, journal.add
        for rec in [*base, None]:
            limit = rec.ts if rec is not None else d1
            # Hot loop: padding lines due before this scenario record.
            while nxt is not None and nxt[0] < limit:
                ts, line, journal_line = nxt
                write(line, ts, len(line))
                if journal_line is not None:
                    add(journal_line)
                nxt = next(pad, None)
            if rec is None:
                break
            if rec.file_line is not None:
                line = rec.file_line + "\n"
                write(line, rec.ts, len(line.encode("utf-8")))
            if rec.journal_line is not None:
                add(rec.journal_line + "\n")
        for name, count in writer.close().items():
            lines[f"tmp-openclaw/{name}"] = count
    lines[JOURNAL_NAME] = journal.close()
    return lines
