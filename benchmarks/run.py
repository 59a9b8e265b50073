"""Side-by-side benchmark: lockforensics against ripgrep on the same generated bundle.

ripgrep answers the operator's hand-made question ("how many lock lines?");
lockforensics answers the whole question (every line accounted for, events
parsed, occurrences folded, incidents correlated).  For each bundle size the
commands run in turn, ``--repeat`` rounds, so a change in machine load hits all
of them alike; the median wall time of each is reported with the peak RSS of its
whole process tree (sampled from /proc every 20 ms) and checked against the
targets of issue 8.

    python benchmarks/run.py [--profile busy|sparse] [--size 1GB | --series] [--repeat 3]
                             [--dir /tmp/lockforensics-bench] [--json figures.json]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from samples.generate import build, parse_size  # noqa: E402  (path set just above)
from samples.generate.profiles import PROFILES  # noqa: E402

# What an operator greps for: every lock wording OpenClaw has written (formats doc §2-3, §11).
LOCK_LITERALS = (
    "session file locked",
    "session file lock stale",
    "file lock stale",
    "file lock timeout",
    "session file changed while embedded prompt lock",
    "releasing lock held for",
    "session write lease",
    "SessionWriteLock",
    "EmbeddedAttemptSessionTakeoverError",
)
SERIES = ("0.25GB", "0.5GB", "1GB", "2GB")
POLL_S = 0.02
PAGE = os.sysconf("SC_PAGE_SIZE")
GB = 1 << 30

# Targets (issue 8): report wall <= 3x ripgrep (stretch 2x), a cached second
# report under 1x, peak RSS <= 400 MB, --version under 0.3 s.
REPORT_RATIO, REPORT_STRETCH, CACHED_RATIO = 3.0, 2.0, 1.0
RSS_MB, VERSION_S = 400, 0.3


@dataclass(frozen=True, slots=True)
class Run:
    wall_s: float
    peak_rss: int  # bytes, summed over the process tree


def _tree(root: int) -> list[int]:
    """``root`` and all its descendants (from each process's parent in /proc/*/stat)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue  # it exited while we looked
        # The command name may hold spaces and parentheses: fields follow the last ')'.
        ppid = int(stat[stat.rindex(b")") + 2 :].split()[1])
        parents.setdefault(ppid, []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        pid = pending.pop()
        found.append(pid)
        pending.extend(parents.get(pid, ()))
    return found


def _rss(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * PAGE
        except OSError:
            continue
    return total


def timed(cmd: list[str]) -> Run:
    """Run ``cmd`` to completion: wall seconds and the peak RSS of its process tree."""
    peak = 0
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _rss(_tree(proc.pid)))
            done.wait(POLL_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if proc.returncode not in (0, 1):  # rg exits 1 when nothing matched
        sys.exit(f"error: {cmd[0]} exited {proc.returncode}: {err.decode(errors='replace')[-500:]}")
    return Run(wall, peak)


def content_bytes(bundle: Path) -> int:
    """Bytes the tools read: gzip members at their uncompressed size (ISIZE, < 4 GiB)."""
    total = 0
    for path in bundle.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".gz":
            with path.open("rb") as fh:
                fh.seek(-4, os.SEEK_END)
                total += int.from_bytes(fh.read(4), "little")
        else:
            total += path.stat().st_size
    return total


def bundle_for(directory: Path, profile: str, size: str) -> Path:
    """The generated bundle of that profile and size (kept between runs: deterministic)."""
    bundle = directory / f"{profile}-{size}"
    expected = bundle.with_name(bundle.name + ".expected.json")
    if not expected.exists():
        start = time.perf_counter()
        result = build(bundle, parse_size(size), profile=profile)
        print(
            f"generated {bundle} in {time.perf_counter() - start:.1f} s; "
            f"run/lane/fallback/store-lock/compaction lines: {result.busy_share:.1%}",
            file=sys.stderr,
        )
    return bundle


def commands(lf: str, rg: str, bundle: Path, work: Path, no_cache: bool) -> dict[str, list[str]]:
    literals = work / "lock-literals.txt"
    literals.write_text("\n".join(LOCK_LITERALS) + "\n", encoding="utf-8")
    report = [lf, "report", str(bundle), "-f", "json", "-o", str(work / "report.json")]
    return {
        "rg": [rg, "-z", "-c", "-F", "-f", str(literals), str(bundle)],
        "report": report + (["--no-cache"] if no_cache else []),
        "report (2nd, --gap 15m)": [*report, "--gap", "15m"],
        "ingest": [lf, "ingest", str(bundle), "-q", "-o", str(work / "events.parquet")],
        "--version": [lf, "--version"],
    }


def compile_package() -> None:
    """Byte-compile the installed package, as ``pip install`` does.

    An editable install run with PYTHONDONTWRITEBYTECODE set (this machine's
    shell sets it) compiles every module of the package again on each run,
    about 0.1 s that an installed copy never pays.
    """
    where = subprocess.run(
        [
            sys.executable,
            "-c",
            "import lockforensics, os; print(os.path.dirname(lockforensics.__file__))",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd="/",
    ).stdout.strip()
    subprocess.run([sys.executable, "-m", "compileall", "-q", where], check=True)


def measure(cmds: dict[str, list[str]], repeat: int) -> dict[str, list[Run]]:
    """Every command once per round, in turn, after an untimed warm-up.

    The warm-up reads the bundle into the page cache (rg) and fills the ingest
    cache that the second report, with other options, is meant to reuse.
    """
    timed(cmds["rg"])
    timed(cmds["report (2nd, --gap 15m)"])
    runs: dict[str, list[Run]] = {name: [] for name in cmds}
    for _ in range(repeat):
        for name, cmd in cmds.items():
            runs[name].append(timed(cmd))
    return runs


def summarise(runs: dict[str, list[Run]], size: int) -> dict[str, Any]:
    rg_s = statistics.median(r.wall_s for r in runs["rg"])
    out: dict[str, Any] = {}
    for name, rs in runs.items():
        wall = statistics.median(r.wall_s for r in rs)
        out[name] = {
            "median_s": round(wall, 3),
            "runs_s": [round(r.wall_s, 3) for r in rs],
            "ratio_vs_rg": round(wall / rg_s, 2) if rg_s else None,
            "MBps": round(size / wall / 1e6, 1),
            "peak_rss_MB": round(max(r.peak_rss for r in rs) / 1e6, 1),
        }
    return out


def targets(figures: dict[str, Any]) -> list[tuple[str, bool]]:
    report, cached = figures["report"], figures["report (2nd, --gap 15m)"]
    lf_rss = max(v["peak_rss_MB"] for k, v in figures.items() if k != "rg")
    return [
        (
            f"report <= {REPORT_RATIO:g}x rg ({report['ratio_vs_rg']}x)",
            report["ratio_vs_rg"] <= REPORT_RATIO,
        ),
        (f"  stretch <= {REPORT_STRETCH:g}x rg", report["ratio_vs_rg"] <= REPORT_STRETCH),
        (
            f"second report < {CACHED_RATIO:g}x rg ({cached['ratio_vs_rg']}x)",
            cached["ratio_vs_rg"] < CACHED_RATIO,
        ),
        (f"peak RSS <= {RSS_MB} MB ({lf_rss} MB)", lf_rss <= RSS_MB),
        (
            f"--version < {VERSION_S} s ({figures['--version']['median_s']} s)",
            figures["--version"]["median_s"] < VERSION_S,
        ),
    ]


def print_table(label: str, size: int, figures: dict[str, Any]) -> None:
    print(f"\n{label}: {size / 1e9:.2f} GB of content")
    print(f"{'command':26} {'median s':>9} {'x rg':>7} {'MB/s':>8} {'peak RSS MB':>12}")
    for name, f in figures.items():
        print(
            f"{name:26} {f['median_s']:9.3f} {f['ratio_vs_rg']:7.2f} {f['MBps']:8.1f} "
            f"{f['peak_rss_MB']:12.1f}"
        )
    for text, met in targets(figures):
        print(f"  target {text}: {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="busy")
    parser.add_argument("--size", default="1GB", help="bundle content size, e.g. 50MB, 1GB")
    parser.add_argument("--series", action="store_true", help=f"sizes {', '.join(SERIES)}")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/lockforensics-bench"))
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args()

    rg = shutil.which("rg")
    if rg is None:
        sys.exit("error: ripgrep (rg) is not installed (apt-get install ripgrep)")
    lf = str(Path(sys.executable).with_name("lockforensics"))
    compile_package()
    usage = subprocess.run([lf, "report", "--help"], capture_output=True, text=True, check=True)
    no_cache = "--no-cache" in usage.stdout
    args.dir.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"profile": args.profile, "no_cache_flag": no_cache, "sizes": {}}
    for size in SERIES if args.series else (args.size,):
        bundle = bundle_for(args.dir, args.profile, size)
        total = content_bytes(bundle)
        runs = measure(commands(lf, rg, bundle, args.dir, no_cache), args.repeat)
        figures = summarise(runs, total)
        results["sizes"][size] = {
            "content_bytes": total,
            "figures": figures,
            "targets": {text: met for text, met in targets(figures)},
        }
        print_table(f"{args.profile} {size}", total, figures)
    if len(results["sizes"]) > 1:
        print("\nlinearity (median wall per GB of content):")
        for size, entry in results["sizes"].items():
            per_gb = {
                name: round(f["median_s"] / (entry["content_bytes"] / GB), 2)
                for name, f in entry["figures"].items()
                if name != "--version"
            }
            entry["seconds_per_GB"] = per_gb
            print(f"  {size:>7}: " + "  ".join(f"{k} {v} s/GB" for k, v in per_gb.items()))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
