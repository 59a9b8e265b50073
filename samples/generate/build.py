"""Entry point of the generator: scenario → documents → padded logs → ground truth."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from samples.generate.logs import write_logs
from samples.generate.profiles import PROFILES, PaddingTruth
from samples.generate.render import render
from samples.generate.scenario import DEFAULT_SEED, JOURNAL_HEADER
from samples.generate.share import is_busy
from samples.generate.sources import DOCUMENT_SOURCES, SourceContext
from samples.generate.timeline import ScenarioBuilder
from samples.generate.truth import check_scenario, expected_truth

OWNED_DIRS = ("tmp-openclaw", "journal", "cleanup", "host", "doctor", "support")


@dataclass(frozen=True, slots=True)
class Generated:
    """A written bundle: its ground truth and how busy its lines are."""

    truth: dict[str, Any]
    busy_lines: int  # run/lane/fallback/store-lock/compaction/session-state lines
    total_lines: int  # every line of every file (archive members included)

    @property
    def busy_share(self) -> float:
        return self.busy_lines / self.total_lines


def expected_path(out: Path) -> Path:
    return out.with_name(out.name + ".expected.json")


def build(
    out: Path,
    size_bytes: int | None = None,
    seed: int = DEFAULT_SEED,
    profile: str = "sparse",
) -> Generated:
    """Write a bundle into ``out`` (+ ``<out>.expected.json``).

    Only the generator-owned subdirectories of ``out`` are replaced.  The profile
    pads the file logs and the journal until the bundle holds about ``size_bytes``
    (its default size when None) of uncompressed content.
    """
    chosen = PROFILES[profile]
    size = size_bytes if size_bytes is not None else chosen.default_size
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for sub in OWNED_DIRS:
        if (out / sub).exists():
            shutil.rmtree(out / sub)

    builder = ScenarioBuilder(seed, chosen.era)
    tl = builder.build()
    ctx = SourceContext(out, seed, tl, builder.sessions, render(tl.recs))
    lines: dict[str, int] = {}
    for source in DOCUMENT_SOURCES:
        lines |= source(ctx)
    padding = None
    if size is not None:
        base = sum(len(r.file_line.encode()) + 1 for r in ctx.rendered if r.file_line)
        base += sum(len(r.journal_line.encode()) + 1 for r in ctx.rendered if r.journal_line)
        base += sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
        padding = chosen.pad(ctx, max(0, size - base - len(JOURNAL_HEADER) - 1))
    lines |= write_logs(ctx, padding, chosen.gzip_level)
    pad_truth = padding.truth if padding is not None else PaddingTruth()
    # A session is counted by id when some line links its key to it, else by key.
    names = {
        s.session_id: s.session_id
        if chosen.era == "file" or s.session_id in builder.linked
        else s.key
        for s in builder.sessions.values()
    }
    truth = expected_truth(tl, out.name, lines, builder.sessions, pad_truth, names)
    check_scenario(truth)
    expected_path(out).write_text(
        json.dumps(truth, indent=2, sort_keys=True) + "\n", encoding="utf-8", newline="\n"
    )
    scenario_busy = sum(
        is_busy(line) for r in ctx.rendered for line in (r.file_line, r.journal_line) if line
    )
    return Generated(truth, scenario_busy + pad_truth.busy_lines, sum(lines.values()))


def generate(
    out: Path,
    size_bytes: int | None = None,
    seed: int = DEFAULT_SEED,
    profile: str = "sparse",
) -> dict[str, Any]:
    """``build()``, returning only the ground truth."""
    return build(out, size_bytes, seed, profile).truth
