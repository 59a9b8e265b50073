"""Hosts in two zones gathered side by side: an input showing no zone of its own
takes its folder's, not the bundle's most common."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import polars as pl

from lockforensics.findings import Settings
from lockforensics.pipeline import analyze
from lockforensics.reporting.prose import zone_line
from tests.conftest import ingest_files

_CLEANUP = json.dumps(
    {
        "allAgents": True,
        "mode": "enforce",
        "dryRun": False,
        "stores": [{"agentId": "main", "storePath": "/s/sessions.json", "beforeCount": 3}],
    }
)


def _console(offset: str, lines: int) -> str:
    return "".join(
        f"2026-08-20T05:{n % 60:02d}:00.000{offset} [gateway] log file: /tmp/x\n"
        for n in range(lines)
    )


def test_a_zoneless_cleanup_name_is_read_in_its_hosts_zone() -> None:
    """gw-a (+02:00) writes more stamps than gw-b (-04:00); gw-b's cleanup output,
    named with its local time, is gw-b's 05:35, 09:35 UTC, not 03:35."""
    files = {
        "gw-a/console.log": _console("+02:00", 40),
        "gw-b/console.log": _console("-04:00", 5),
        "gw-b/cleanup/cleanup-20260820T0535.json": _CLEANUP,
    }
    rows = ingest_files(files).events.filter(pl.col("kind") == "cleanup_run")
    row = rows.row(0, named=True)
    assert row["ts"] == datetime(2026, 8, 20, 9, 35, tzinfo=UTC)
    assert "the other inputs in gw-b/" in row["ts_assumption"]
    # The bundle's stated zone is the one its only zone-less input was read in,
    # not gw-a's, which no input took.
    zone = ingest_files(files).zone
    assert zone is not None
    assert zone.label == "-04:00"
    assert zone.reason.startswith("the other inputs in gw-b/")
    assert zone.reason.endswith(", for gw-b/cleanup/cleanup-20260820T0535.json")


def test_a_folder_whose_inputs_disagree_gives_no_zone() -> None:
    """Two zones in the cleanup's own folder: the bundle's decides, as before."""
    files = {
        "gw-a/console.log": _console("+02:00", 40),
        "gw-a/other.log": _console("-04:00", 5),
        "gw-a/cleanup-20260820T0535.json": _CLEANUP,
        "gw-b/console.log": _console("+02:00", 5),
    }
    row = ingest_files(files).events.filter(pl.col("kind") == "cleanup_run").row(0, named=True)
    assert row["ts"] == datetime(2026, 8, 20, 3, 35, tzinfo=UTC)
    assert "other files in the bundle" in row["ts_assumption"]


def test_the_stated_zone_is_the_one_the_zoneless_input_took_itself() -> None:
    """The only zone-less input, a journal, read its prefixes in the zone its own
    console stamps show; the bundle's most common offset, the same +05:30, was
    given to nothing, so "taken from other files in the bundle" misstated it."""
    journal = (
        "".join(
            f"Nov 01 11:{n:02d}:10 blr-gw01 node[2417]: 2026-11-01T11:{n:02d}:10.201+05:30"
            " [gateway] log file: /tmp/x\n"
            for n in range(20)
        )
        + "Nov 01 11:49:40 blr-gw01 node[2417]: [session-lock] watchdog tick\n"
    )
    files = {"blr/journal.txt": journal, "blr/console.log": _console("+05:30", 30)}
    zone = ingest_files(files).zone
    assert zone is not None
    assert zone.label == "+05:30"
    assert "other files in the bundle" not in zone.reason
    assert "blr/journal.txt" in zone.reason


def test_no_zone_is_stated_as_taken_when_every_stamp_shows_its_own() -> None:
    """Every stamp of the bundle shows its zone: no input was read in an assumed
    one, and the report says none was needed, not "-04:00, taken from other
    files in the bundle" (Z174)."""
    findings = analyze(ingest_files({"console.log": _console("-04:00", 30)}), Settings())
    assert (findings.coverage.zone, findings.coverage.zone_reason) == (None, None)
    assert zone_line(findings.coverage.zone, findings.coverage.zone_reason) == (
        "none needed: every stamp read shows its zone"
    )
