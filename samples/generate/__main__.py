"""Command line: ``python -m samples.generate [--out DIR] [--size 1GB] [--profile busy]``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from samples.generate.build import build, expected_path
from samples.generate.profiles import PROFILES
from samples.generate.scenario import BUNDLE_NAME, DEFAULT_SEED
from samples.generate.sizes import parse_size

SAMPLE_DIR = Path(__file__).resolve().parent.parent / BUNDLE_NAME


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m samples.generate",
        description="Deterministic generator of synthetic OpenClaw gateway log bundles.",
    )
    parser.add_argument("--out", type=Path, help=f"bundle directory (default: {SAMPLE_DIR})")
    parser.add_argument(
        "--size", type=parse_size, help="pad to this much uncompressed content, e.g. 1GB"
    )
    parser.add_argument(
        "--profile",
        choices=sorted(PROFILES),
        default="sparse",
        help="; ".join(f"{p.name}: {p.summary}" for p in PROFILES.values()).replace("%", "%%"),
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    padded = args.size is not None or PROFILES[args.profile].default_size is not None
    if padded and args.out is None:
        parser.error("--out is required for a padded bundle (the sample is never padded)")
    out: Path = args.out or SAMPLE_DIR
    result = build(out, args.size, args.seed, args.profile)
    total = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    occ = result.truth["occurrences"]
    print(
        f"wrote {out} ({total:,} bytes on disk, {result.total_lines:,} lines); "
        f"lock_stale={occ['lock_stale']} lock_timeout={occ['lock_timeout']} "
        f"takeover={occ['takeover']}; run/lane/fallback/store-lock/compaction lines: "
        f"{result.busy_share:.1%}; ground truth {expected_path(out)}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
