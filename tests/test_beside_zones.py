"""A journal whose prefix is in another zone than the console stamps its lines carry."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from lockforensics.findings import Settings
from lockforensics.pipeline import analyze
from tests.conftest import ingest_files

_LOCK = (
    'lane task error: lane=main durationMs=10034 error="Error: session file locked '
    "(timeout 10000ms): pid=2417 /home/ops/.openclaw/agents/main/sessions/"
    'bbde4bef-a2a0-4e92-a52a-10c4f3f288b4.jsonl.lock"'
)


def _journal(prefix_offset_h: int) -> str:
    """A Los Angeles journal (prefix at ``prefix_offset_h``) of a gateway whose
    console stamps are Berlin's (+02:00): systemd's own `Started` line has only
    the prefix."""

    def prefix(utc: datetime) -> str:
        local = utc.timestamp() + prefix_offset_h * 3600
        return datetime.fromtimestamp(local, UTC).strftime("%b %d %H:%M:%S")

    def console(utc: datetime) -> str:
        return datetime.fromtimestamp(utc.timestamp() + 7200, UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.000+02:00"
        )

    start = datetime(2026, 5, 4, 6, 15, 2, tzinfo=UTC)
    listen = datetime(2026, 5, 4, 6, 15, 4, tzinfo=UTC)
    locks = [datetime(2026, 5, 19, 2, 43, s, tzinfo=UTC) for s in (21, 40)]
    return (
        f"{prefix(start)} oc-nuc systemd[1193]: Started openclaw-gateway.service - "
        "OpenClaw Gateway (v2026.3.28).\n"
        f"{prefix(listen)} oc-nuc node[2417]: {console(listen)} [gateway] listening on "
        "ws://127.0.0.1:18789 (PID 2417)\n"
        + "".join(
            f"{prefix(at)} oc-nuc node[2417]: {console(at)} [diagnostic] {_LOCK}\n" for at in locks
        )
    )


def test_a_journal_prefix_in_another_zone_than_its_console_stamps_is_read_in_its_own() -> None:
    """The prefix is Los Angeles time (-07:00), the console stamps Berlin's: the
    `Started` line is read at -07:00, a start two seconds before `listening`, not a
    phantom gateway seven hours earlier (Z120)."""
    result = ingest_files({"journal/openclaw-gateway.txt": _journal(-7)})
    started = result.events.filter(pl.col("line") == 1).get_column("ts").item()
    assert started == datetime(2026, 5, 4, 6, 15, 2, tzinfo=UTC)
    findings = analyze(result, Settings())
    assert findings.epochs.select("pid", "version").rows() == [(2417, "2026.3.28")]


def test_a_journal_prefix_in_its_consoles_zone_is_read_as_before() -> None:
    """The common case: prefix and console in one zone (+02:00)."""
    result = ingest_files({"journal.txt": _journal(2)})
    started = result.events.filter(pl.col("line") == 1).get_column("ts").item()
    assert started == datetime(2026, 5, 4, 6, 15, 2, tzinfo=UTC)


def test_a_utc_capture_keeps_its_zone_under_a_tz_option() -> None:
    """`journalctl --utc` prints its prefixes in UTC; `--tz Europe/Berlin`, the
    host's zone, is for stamps that show none, and this capture's show theirs on
    every console line: its `Started` stays at 06:15:02 UTC (Z124: moved 2 h early,
    a phantom process, an uptime turned lower bound)."""
    result = ingest_files({"journal-today.utc.txt": _journal(0)}, tz="Europe/Berlin")
    started = result.events.filter(pl.col("line") == 1).get_column("ts").item()
    assert started == datetime(2026, 5, 4, 6, 15, 2, tzinfo=UTC)


def test_a_start_copied_by_a_capture_without_pids_is_no_gateway_of_its_own() -> None:
    """`journalctl -o cat` beside `-o short`: the start's lines without the journal's
    `node[pid]` prefix are the same start, not a gateway of no pid whose epoch
    ended before it began (Z124)."""
    start = (
        "2026-06-03T13:12:55.006+00:00 [gateway] agent model: anthropic/claude-sonnet-4-6\n"
        "2026-06-03T13:12:55.706+00:00 [gateway] http server listening (3 plugins: a, b, c; 4.2s)\n"
        "2026-06-03T13:12:55.709+00:00 [gateway] ready\n"
    )
    journal = (
        "Jun 03 13:12:51 gw-lab-07 systemd[1102]: Started openclaw-gateway.service.\n"
        + "".join(f"Jun 03 13:12:55 gw-lab-07 node[3188]: {line}\n" for line in start.splitlines())
    )
    findings = analyze(
        ingest_files({"journal.txt": journal, "journal-tail.cat.txt": start}), Settings()
    )
    assert findings.epochs.select("pid", "ended_by").rows() == [(3188, None)]
