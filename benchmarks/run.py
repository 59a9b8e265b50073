"""Side-by-side benchmark: lockforensics against ripgrep on the same generated bundle.

ripgrep answers the operator's hand-made question ("how many lock lines?");
lockforensics answers the whole ingest question (every line accounted for,
events parsed, occurrences folded) and, with ``report``, the whole analysis.
All read the same files from a warm page cache; each command runs
``--repeat`` times and the median wall time is reported, with the peak RSS
of the children.

    python benchmarks/run.py --size 1GB [--dir /tmp/lf-bench] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samples.generate import generate, parse_size  # noqa: E402  (path set just above)

RG_PATTERN = (
    "session file lock|file lock stale|file lock timeout|"
    "session file changed while embedded prompt lock|releasing lock held for"
)


def _timed(cmd: list[str]) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one child process."""
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start, _peak_kib()


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1GB", help="bundle size, e.g. 200MB, 1GB")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/lockforensics-bench"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    rg = shutil.which("rg")
    if rg is None:
        sys.exit("error: ripgrep (rg) is not installed (apt-get install ripgrep)")
    bundle = args.dir / f"bundle-{args.size}"
    if not bundle.exists():
        generate(bundle, size_bytes=parse_size(args.size))
    total = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    lf = str(Path(sys.executable).with_name("lockforensics"))
    commands = {
        "ripgrep -c (count lock lines)": [rg, "-c", "-z", RG_PATTERN, str(bundle)],
        "lockforensics ingest": [
            lf,
            "ingest",
            str(bundle),
            "-q",
            "-o",
            str(args.dir / "ev.parquet"),
        ],
        "lockforensics report -f json": [
            lf,
            "report",
            str(bundle),
            "-f",
            "json",
            "-o",
            str(args.dir / "report.json"),
        ],
    }
    _timed(commands["ripgrep -c (count lock lines)"])  # warm the page cache
    results = {}
    for name, cmd in commands.items():
        runs = [_timed(cmd) for _ in range(args.repeat)]
        results[name] = {
            "median_s": round(statistics.median(r[0] for r in runs), 3),
            "runs_s": [round(r[0], 3) for r in runs],
        }
    rg_s = results["ripgrep -c (count lock lines)"]["median_s"]
    for result in results.values():
        result["ratio_vs_ripgrep"] = round(result["median_s"] / rg_s, 2) if rg_s else None
        result["MBps"] = round(total / result["median_s"] / 1e6, 1)
    report = {
        "bundle_bytes": total,
        "peak_rss_MiB_max_of_children": round(_peak_kib() / 1024, 1),
        "results": results,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
