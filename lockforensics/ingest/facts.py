"""What a document says about the export it came in: OpenClaw version, platform, host.

A diagnostics export names its OpenClaw version once (``manifest.json``,
``diagnostics.json``, ``summary.md``) and none of its log records do.  Facts
found in any member of an export therefore apply to every member: the
export's root is the folder holding its ``manifest.json`` (the zip itself,
when it was not unpacked).  Rows keep a version or host their own line named;
only missing ones are filled.  Facts of an input outside any export (the
version in a systemd unit description) stay with that input.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from lockforensics.activity import FrameT
from lockforensics.parsing.documents.diagnostics import EXPORT_ROOT
from lockforensics.parsing.filescan import FileScan

#: Facts that fill event columns of the same name.
ROW_FACTS = ("version", "host")


def _folder(source: str) -> str:
    return source.rsplit("/", 1)[0] if "/" in source else ""


def apply_facts(scans: Sequence[FileScan]) -> None:
    """Merge each export's facts and give them to all of its members and their rows."""
    roots = sorted(
        {_folder(s.source) for s in scans if EXPORT_ROOT in s.facts}, key=len, reverse=True
    )

    def root_of(source: str) -> str | None:
        folder = _folder(source)
        return next((r for r in roots if r in ("", folder) or folder.startswith(r + "/")), None)

    merged: dict[str, dict[str, str]] = {root: {} for root in roots}
    for scan in scans:
        root = root_of(scan.source)
        if root is not None:
            for name, value in scan.facts.items():
                merged[root].setdefault(name, value)
    for scan in scans:
        root = root_of(scan.source)
        if root is None:
            continue
        scan.facts = {k: v for k, v in merged[root].items() if k != EXPORT_ROOT}
        for row in scan.rows:
            for name in ROW_FACTS:
                if not row.get(name) and name in scan.facts:
                    row[name] = scan.facts[name]
        fill = [name for name in ROW_FACTS if name in scan.facts]
        scan.frames = [_fill(frame, fill, scan.facts) for frame in scan.frames]
        scan.activity = [_fill(frame, fill, scan.facts) for frame in scan.activity]


def _fill(frame: FrameT, names: list[str], facts: dict[str, str]) -> FrameT:
    """The same filling for engine frames, which may lack the columns altogether."""
    columns = frame.collect_schema().names()
    for name in names:
        have = pl.col(name) if name in columns else pl.lit(None, pl.String)
        frame = frame.with_columns(
            pl.when(have.is_null() | (have == ""))
            .then(pl.lit(facts[name]))
            .otherwise(have)
            .alias(name)
        )
    return frame
