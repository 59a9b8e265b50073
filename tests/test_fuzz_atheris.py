"""The coverage-guided fuzz target runs clean for a few seconds (atheris, libFuzzer)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent / "fuzz" / "bundle_target.py"


def test_coverage_guided_target_finds_no_crash(tmp_path: Path) -> None:
    """Five seconds of libFuzzer over nested, damaged bundles: exit 0, no crash
    artifact, and no temporary folder left behind by its thousands of ingests
    (libFuzzer exits without the interpreter's teardown)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc = subprocess.run(
        [
            sys.executable,
            str(TARGET),
            "-max_total_time=5",
            "-rss_limit_mb=3072",
            f"-artifact_prefix={tmp_path}/",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
        cwd=tmp_path,
        env={**os.environ, "TMPDIR": str(scratch)},
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert not list(tmp_path.glob("crash-*")), proc.stderr[-3000:]
    assert "Done" in proc.stderr
    # The target's own scratch folder only: every ingest's spill was removed.
    assert [p.name[:19] for p in scratch.iterdir()] == ["lockforensics-fuzz-"]
