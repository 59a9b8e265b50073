"""Shared fixtures: the sample bundle, its rendered reports, and an in-memory ingest helper."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import pytest

from lockforensics.findings import Findings, Settings
from lockforensics.ingest.bundle import memory_input
from lockforensics.pipeline import Ingest, analyze, ingest, ingest_inputs
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "fleet-2026-05-28"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
GOLDEN = Path(__file__).resolve().parent / "golden" / SAMPLE.name
FIXED_EPOCH = "1780000000"  # SOURCE_DATE_EPOCH for every golden report (2026-05-28T20:26:40Z)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The ingest cache lives in a temporary directory, never the user's."""
    os.environ["LOCKFORENSICS_CACHE_DIR"] = str(tmp_path_factory.mktemp("cache"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite tests/golden/ and docs/report-screenshot.png instead of comparing",
    )


@pytest.fixture(scope="session")
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def missing_tool(message: str) -> NoReturn:
    """Skip the test; or fail it when LOCKFORENSICS_REQUIRE_TOOLS=1 (CI has installed the tools)."""
    if os.environ.get("LOCKFORENSICS_REQUIRE_TOOLS") == "1":
        pytest.fail(f"{message}; required because LOCKFORENSICS_REQUIRE_TOOLS=1")
    pytest.skip(message)


def need_tool(path: Path, what: str) -> None:
    """Go on only when the system tool at ``path`` exists (see ``missing_tool``)."""
    if not path.exists():
        missing_tool(f"{what} not found at {path} (.ci/run installs it)")


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    return json.loads((SAMPLE.parent / f"{SAMPLE.name}.expected.json").read_text())


@pytest.fixture(scope="session")
def fixed_findings(sample_dir: Path) -> Findings:
    """The sample's findings, built once, stamped with FIXED_EPOCH."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", FIXED_EPOCH)
        return analyze(ingest([sample_dir]), Settings())


@pytest.fixture(scope="session")
def sample_reports(fixed_findings: Findings) -> dict[ReportFormat, str]:
    """The sample rendered once per format as the CLI writes it to a file (width 120, no colour)."""
    return {fmt: reporter_for(fmt).render(fixed_findings, RenderOptions()) for fmt in ReportFormat}


IngestText = Callable[..., Ingest]


def tslog_line(at: str, message: str, subsystem: str = "diagnostic", level: str = "ERROR") -> str:
    """One gateway file-log record (tslog JSON, openclaw-formats §1.2) written at ``at``."""
    binding = json.dumps({"subsystem": subsystem}, separators=(",", ":"))
    record = {"0": binding, "1": message, "_meta": {"name": binding, "logLevelName": level}}
    # JSON.stringify writes non-ASCII as it is, never as `\u` escapes.
    return json.dumps({**record, "time": at}, separators=(",", ":"), ensure_ascii=False) + "\n"


def ingest_files(files: dict[str, str | bytes], tz: str | None = None) -> Ingest:
    """Ingest in-memory files named like real ones."""
    inputs = [
        memory_input(name, data.encode() if isinstance(data, str) else data)
        for name, data in files.items()
    ]
    return ingest_inputs(inputs, tz=tz, jobs=1)


@pytest.fixture
def ingest_text() -> IngestText:
    def run(text: str | bytes, name: str = "capture.log", tz: str | None = None) -> Ingest:
        return ingest_files({name: text}, tz=tz)

    return run
