"""The data folders ship inside the wheel and are found both there and in a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from lockforensics.resources import data_dir
from tests.conftest import ROOT


def test_checkout_finds_data_folders() -> None:
    """In a checkout (or editable install) parsers/ and reports/ are the top-level folders."""
    assert data_dir("parsers") == ROOT / "parsers"
    assert (data_dir("parsers") / "envelopes.toml").is_file()


def test_wheel_bundles_specs_and_finds_them(tmp_path: Path) -> None:
    """A built wheel carries parsers/ under lockforensics/_bundled and resolves it there."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("lockforensics-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    specs = sorted(n for n in names if n.startswith("lockforensics/_bundled/parsers/"))
    shipped = sorted(
        "lockforensics/_bundled/" + p.relative_to(ROOT).as_posix()
        for p in (ROOT / "parsers").rglob("*.toml")
    )
    assert specs == shipped
    assert not any(n.startswith(("parsers/", "reports/", "tests/", "samples/")) for n in names)
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from lockforensics.resources import data_dir; print(data_dir('parsers'))",
        ],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert Path(proc.stdout.strip()) == site / "lockforensics" / "_bundled" / "parsers"
