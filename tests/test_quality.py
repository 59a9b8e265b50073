"""Static checks run with the suite: mypy --strict on the package and ruff on the tree."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, check=False
    )


def test_mypy_strict() -> None:
    """The package type-checks under mypy --strict."""
    proc = _run("mypy", "--strict", "lockforensics")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_lint() -> None:
    """ruff finds nothing in the package, tests, samples or benchmarks."""
    proc = _run("ruff", "check", "lockforensics", "tests", "samples", "benchmarks")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_ruff_format() -> None:
    """The code is formatted the way ruff formats it."""
    proc = _run("ruff", "format", "--check", "lockforensics", "tests", "samples", "benchmarks")
    assert proc.returncode == 0, proc.stdout + proc.stderr
