"""The sample generator's profiles: ``busy`` is busy and keeps the scenario's lock ground truth."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from samples.generate import Generated, build, parse_size
from samples.generate.share import is_busy

# Small, but large enough that the padding, not the 2.6 MB scenario, sets the share.
BUSY_SIZE = "16MB"
SCENARIO_KINDS = (
    "lock_stale",
    "lock_timeout",
    "takeover",
    "lock_released_by_watchdog",
    "gateway_restart",
    "gateway_start",
    "gateway_start_failed",
    "stuck_session",
    "uptime",
    "cleanup_run",
    "doctor_lock",
)


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Generated]:
    out = tmp_path_factory.mktemp("busy") / "bundle"
    return out, build(out, parse_size(BUSY_SIZE), profile="busy")


def _log_lines(out: Path) -> list[str]:
    lines: list[str] = []
    for path in [*sorted((out / "tmp-openclaw").iterdir()), out / "journal/openclaw-gateway.txt"]:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            lines.extend(fh)
    return lines


def test_busy_profile_is_at_least_40_percent_busy_lines(busy: tuple[Path, Generated]) -> None:
    """Run/lane/fallback/store-lock/compaction lines are >= 40 % of every line in the bundle."""
    out, result = busy
    matching = sum(is_busy(line) for line in _log_lines(out))
    total = sum(result.truth["lines"].values())
    assert matching == result.busy_lines
    assert matching / total >= 0.40


def test_busy_profile_keeps_the_lock_ground_truth(
    busy: tuple[Path, Generated], expected: dict[str, Any]
) -> None:
    """Lock, takeover and lifecycle occurrences, incidents and takeovers equal the sample's."""
    truth = busy[1].truth
    for kind in SCENARIO_KINDS:
        assert truth["occurrences"][kind] == expected["occurrences"][kind], kind
    assert truth["incidents"] == expected["incidents"]
    assert truth["takeovers"] == expected["takeovers"]


def test_busy_profile_counts_what_it_adds(
    busy: tuple[Path, Generated], expected: dict[str, Any]
) -> None:
    """The padding's runs, tool calls and store-lock timeouts are in the ground truth."""
    truth = busy[1].truth["occurrences"]
    for kind in ("run", "tool_call", "store_lock_timeout"):
        assert truth[kind] > expected["occurrences"][kind], kind


def test_busy_bundle_is_laid_out_like_a_real_one(busy: tuple[Path, Generated]) -> None:
    """One day of file logs is gzip'd, the others are plain, and a journal capture is there."""
    out = busy[0]
    names = sorted(p.name for p in (out / "tmp-openclaw").iterdir())
    assert names == [
        "openclaw-2026-05-26.log.gz",
        "openclaw-2026-05-27.log",
        "openclaw-2026-05-28.log",
    ]
    assert (out / "journal/openclaw-gateway.txt").stat().st_size > 0
