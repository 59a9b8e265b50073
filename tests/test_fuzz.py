"""Fuzzing in CI: envelopes, documents and the archive reader never crash a run.

Hypothesis drives mutations of real inputs (see :mod:`tests.fuzzing`); each
test is bounded to a few seconds by its example count.  A run may skip what
it cannot read, with a warning, but never raises, and every line it read is
accounted for.  Crashes found here become regression tests below.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lockforensics.errors import DataError
from lockforensics.findings import Settings
from lockforensics.pipeline import Ingest, analyze, ingest
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions
from tests.conftest import ingest_files
from tests.fuzzing import DOCUMENT_NAMES, LOG_NAMES, SEEDS, container, damage, mutate

# A few seconds each in CI; LOCKFORENSICS_FUZZ_EXAMPLES=5000 digs deeper by hand.
EXAMPLES = int(os.environ.get("LOCKFORENSICS_FUZZ_EXAMPLES", "100"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
# Whole reports per example: fewer of them for the same few seconds.
FUZZ_REPORTS = settings(FUZZ, max_examples=max(10, EXAMPLES // 3))

junk = st.one_of(
    st.text(max_size=200),
    st.sampled_from(
        ["\x00" * 20 + "\n", "\ufeff\n", "\r\n", "x" * 5000 + "\n", "}{\n", "\u202e\n"]
    ),
)
json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


def _accounted(result: Ingest) -> None:
    for scan in result.files:
        assert scan.event_lines + scan.noise_lines + scan.unrecognized == scan.lines, scan.source


@FUZZ
@given(
    st.sampled_from(LOG_NAMES),
    st.integers(0, 1 << 16),
    st.integers(0, 100),
    st.integers(0, 100),
    junk,
)
def test_envelopes_survive_damaged_logs(
    name: str, cut: int, splice: int, flip: int, bad: str
) -> None:
    """Truncated, spliced and mangled real log lines (every envelope) never raise."""
    _accounted(ingest_files({name: mutate(SEEDS[name], cut, splice, flip, bad)}))


@FUZZ
@given(st.sampled_from(LOG_NAMES), st.integers(0, 39), st.text(max_size=12), json_values)
def test_json_envelopes_survive_fields_of_the_wrong_type(
    name: str, index: int, key: str, value: object
) -> None:
    """A JSON record with any field replaced by any JSON value is read or counted, never raises."""
    lines = SEEDS[name].splitlines()
    line = lines[index % len(lines)]
    try:
        record = json.loads(line)
    except ValueError:
        record = {"message": line}
    if isinstance(record, dict):
        keys = sorted(record) or [key]
        record[keys[len(key) % len(keys)]] = value
        record[key] = value
    lines[index % len(lines)] = json.dumps(record)
    _accounted(ingest_files({name: "\n".join(lines)}))


@FUZZ
@given(
    st.sampled_from(DOCUMENT_NAMES),
    st.integers(0, 1 << 16),
    st.integers(0, 200),
    st.integers(0, 200),
    junk,
)
def test_documents_survive_damage(name: str, cut: int, splice: int, flip: int, bad: str) -> None:
    """cleanup, doctor, systemctl, lock files and diagnostics JSON, damaged: never raise."""
    _accounted(ingest_files({name: mutate(SEEDS[name], cut, splice, flip, bad)}))


kinds = st.sampled_from(["tar", "zip", "gzip", "zstd", "xz", "bzip2"])
member_names = st.one_of(
    st.sampled_from([*LOG_NAMES, *DOCUMENT_NAMES]),
    st.sampled_from(["../x.log", "/abs.log", "a//./b.log", "C:\\w.log", "é/ü.log", ".", "x" * 300]),
)


@FUZZ
@given(
    member_names,
    st.lists(kinds, min_size=1, max_size=4),
    st.integers(0, 1 << 20),
    st.integers(0, 255),
    st.booleans(),
    st.booleans(),
)
def test_archive_reader_survives_damaged_containers(
    name: str, layers: list[str], position: int, byte: int, truncate: bool, damaged: bool
) -> None:
    """Nested tar/zip/gzip/zstd around a real input, cut or with a flipped byte: never raises."""
    data = SEEDS.get(name, SEEDS[LOG_NAMES[0]]).encode()
    shown = name
    for kind in layers:
        shown, data = container(kind, shown, data)
    if damaged:
        data = damage(data, position, byte, truncate)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bundle.bin"
        path.write_bytes(data)
        try:
            result = ingest([path])
        except DataError:
            return  # nothing readable at all: exit 65, a documented outcome
        _accounted(result)


@pytest.mark.parametrize(
    "text",
    [
        "\ufeff" + SEEDS[LOG_NAMES[0]],  # a BOM before the first record
        SEEDS[LOG_NAMES[0]].replace("\n", "\r\n"),  # CRLF line ends
        "\x00" * 10 + "\n" + SEEDS[LOG_NAMES[0]],  # a NUL run at the start
    ],
)
def test_known_damage_shapes_keep_the_accounting(text: str) -> None:
    """Regression seeds: BOM, CRLF and NUL-run shapes of a real log never raise."""
    _accounted(ingest_files({LOG_NAMES[0]: text}))


stamps = st.builds(
    lambda d, h, m, zone: f"{d.isoformat()}T{h:02d}:{m:02d}:00{zone}",
    st.dates(),
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(["Z", "+14:00", "-12:00", "+05:30", ""]),
)


@FUZZ_REPORTS
@given(st.lists(stamps, min_size=1, max_size=4), st.sampled_from([None, "America/New_York"]))
def test_any_stamp_in_the_calendar_reaches_a_report(when: list[str], tz: str | None) -> None:
    """Stamps from year 1 to 9999, in any zone, never overflow ingest, analysis or a report."""
    line = (
        " [diagnostic] session file changed while embedded prompt lock was released: "
        "/d/.openclaw/agents/main/sessions/2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl\n"
    )
    result = ingest_files({"a.log": "".join(w + line for w in when)}, tz=tz)
    _accounted(result)
    findings = analyze(result, Settings())
    for fmt in (ReportFormat.MARKDOWN, ReportFormat.JSON):
        assert reporter_for(fmt).render(findings, RenderOptions())
