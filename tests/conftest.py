"""Shared fixtures: the sample bundle and an in-memory ingest helper."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from lockforensics.bundle import memory_input
from lockforensics.pipeline import Ingest, ingest_inputs

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "fleet-2026-05-28"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def expected() -> dict[str, Any]:
    return json.loads((SAMPLE.parent / f"{SAMPLE.name}.expected.json").read_text())


IngestText = Callable[..., Ingest]


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
