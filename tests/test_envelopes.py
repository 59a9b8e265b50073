"""Envelope sniffing and time handling, one real shape per era (openclaw-formats §1)."""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
from datetime import UTC, datetime

import polars as pl
import pytest
import zstandard

from lockforensics.parsing import chunks
from tests.conftest import IngestText, ingest_files

TAKEOVER = (
    "session file changed while embedded prompt lock was released: "
    "/data/.openclaw/agents/main/sessions/2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl"
)
TIMEOUT = (
    "session file locked (timeout 10000ms): pid=4892 "
    "/home/s/.openclaw/agents/main/sessions/660fdda8-e8a8-44ab-bf1d-facb7e2a8952.jsonl.lock"
)


def _one(result: object) -> dict[str, object]:
    events: pl.DataFrame = result.events  # type: ignore[attr-defined]
    assert events.height == 1, events
    return events.row(0, named=True)


@pytest.mark.parametrize(
    ("line", "envelope", "ts"),
    [
        # tslog, early era: time in UTC.
        (
            '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"'
            + TIMEOUT
            + '","_meta":{"name":"{\\"subsystem\\":\\"diagnostic\\"}","date":"2026-02-28T07:41:37.887Z","logLevelName":"ERROR"},"time":"2026-02-28T07:41:37.887Z"}',
            "tslog-json",
            datetime(2026, 2, 28, 7, 41, 37, 887000, tzinfo=UTC),
        ),
        # tslog, local time with offset.
        (
            '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"'
            + TIMEOUT
            + '","_meta":{"date":"2026-04-08T05:52:10.915Z","logLevelName":"ERROR"},"time":"2026-04-08T13:52:10.915+08:00"}',
            "tslog-json",
            datetime(2026, 4, 8, 5, 52, 10, 915000, tzinfo=UTC),
        ),
        # tslog with only _meta.date (no time key).
        (
            '{"0":"'
            + TIMEOUT
            + '","_meta":{"name":"openclaw","date":"2026-02-06T00:00:18.859Z","logLevelName":"ERROR","path":{"method":"console.error"}}}',
            "tslog-json",
            datetime(2026, 2, 6, 0, 0, 18, 859000, tzinfo=UTC),
        ),
        # Newer top-level keys: message wins over numbered args.
        (
            '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"lane task error: lane=main durationMs=1 error=\\"x\\"","time":"2026-05-19T10:02:11.123+08:00","hostname":"host-a","message":"'
            + TAKEOVER
            + '","agent_id":"main"}',
            "tslog-json",
            datetime(2026, 5, 19, 2, 2, 11, 123000, tzinfo=UTC),
        ),
        # Console JSON style (GCP severities).
        (
            '{"severity":"WARNING","time":"2026-06-09T09:58:16.068Z","level":"warn","subsystem":"agent/embedded","message":"'
            + TAKEOVER
            + '"}',
            "console-json",
            datetime(2026, 6, 9, 9, 58, 16, 68000, tzinfo=UTC),
        ),
        # Diagnostics export sanitized record (flat safe keys, `msg`).
        (
            '{"time":"2026-05-28T06:27:46.682+02:00","level":"WARN","subsystem":"agent/embedded","msg":"'
            + TAKEOVER
            + '"}',
            "diagnostics-sanitized",
            datetime(2026, 5, 28, 4, 27, 46, 682000, tzinfo=UTC),
        ),
        # openclaw logs --json.
        (
            '{"type":"log","time":"2026-07-14T20:24:41.754-04:00","level":"error","subsystem":"diagnostic","message":"'
            + TAKEOVER
            + '"}',
            "logs-json",
            datetime(2026, 7, 15, 0, 24, 41, 754000, tzinfo=UTC),
        ),
        # openclaw logs --json re-serialised with spaces (Python's json.dumps).
        (
            '{"type": "log", "time": "2026-07-14T20:24:41.754-04:00", "level": "error", '
            '"subsystem": "diagnostic", "message": "' + TAKEOVER + '"}',
            "logs-json",
            datetime(2026, 7, 15, 0, 24, 41, 754000, tzinfo=UTC),
        ),
        # openclaw logs --plain.
        (
            "2026-07-14T20:24:41.748-04:00 warn agent/embedded " + TAKEOVER,
            "logs-plain",
            datetime(2026, 7, 15, 0, 24, 41, 748000, tzinfo=UTC),
        ),
        # Console compact (docker-style ISO with offset).
        (
            "2026-06-09T09:58:16.069+00:00 [diagnostic] " + TAKEOVER,
            "console",
            datetime(2026, 6, 9, 9, 58, 16, 69000, tzinfo=UTC),
        ),
        # journalctl -o short-iso around a compact console line.
        (
            "2026-06-09T11:58:16+0200 gw node[311]: 2026-06-09T09:58:16.069+00:00 [diagnostic] "
            + TAKEOVER,
            "journald-short-iso",
            datetime(2026, 6, 9, 9, 58, 16, 69000, tzinfo=UTC),
        ),
        # journalctl -o short-precise: the console's own dated stamp wins.
        (
            "Jun  9 11:58:16.070123 gw node[311]: 2026-06-09T09:58:16.069+00:00 [diagnostic] "
            + TAKEOVER,
            "journald-short",
            datetime(2026, 6, 9, 9, 58, 16, 69000, tzinfo=UTC),
        ),
        # journalctl -o short-full: an unambiguous zone abbreviation is a written zone.
        (
            "Tue 2026-06-09 11:58:16 CEST gw node[311]: [diagnostic] " + TAKEOVER,
            "journald-short-full",
            datetime(2026, 6, 9, 9, 58, 16, tzinfo=UTC),
        ),
        # ... and so is the number journald prints for a zone without an abbreviation.
        (
            "Tue 2026-06-09 13:58:16 +04 gw node[311]: [diagnostic] " + TAKEOVER,
            "journald-short-full",
            datetime(2026, 6, 9, 9, 58, 16, tzinfo=UTC),
        ),
        # journalctl -o short-unix: seconds since the epoch.
        (
            "1781006296.070123 gw node[311]: [diagnostic] " + TAKEOVER,
            "journald-short-unix",
            datetime(2026, 6, 9, 11, 58, 16, 70123, tzinfo=UTC),
        ),
        # journalctl -o short-monotonic: no wall time but the console's.
        (
            "[ 8123.070123] gw node[311]: 2026-06-09T09:58:16.069+00:00 [diagnostic] " + TAKEOVER,
            "journald-short-monotonic",
            datetime(2026, 6, 9, 9, 58, 16, 69000, tzinfo=UTC),
        ),
        # journalctl -o json: the journal's microseconds when the console line has no stamp.
        (
            '{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"1781006296070123","_HOSTNAME":"gw",'
            '"SYSLOG_IDENTIFIER":"node","_PID":"311","MESSAGE":"[diagnostic] '
            + TAKEOVER
            + '","_SYSTEMD_UNIT":"openclaw-gateway.service"}',
            "journald-json",
            datetime(2026, 6, 9, 11, 58, 16, 70123, tzinfo=UTC),
        ),
        # docker's json-file driver around a compact console line.
        (
            '{"log":"2026-06-09T09:58:16.069+00:00 [diagnostic] '
            + TAKEOVER
            + '\\n","stream":"stderr","time":"2026-06-09T09:58:16.070123456Z"}',
            "docker-json",
            datetime(2026, 6, 9, 9, 58, 16, 69000, tzinfo=UTC),
        ),
        # docker compose logs: container name, padding, a bar, the console line.
        (
            "openclaw-gateway-1  | 2026-06-09T09:58:16.069+00:00 [diagnostic] " + TAKEOVER,
            "docker-compose",
            datetime(2026, 6, 9, 9, 58, 16, 69000, tzinfo=UTC),
        ),
        # ... with --timestamps, around a console line without its own stamp.
        (
            "openclaw_gateway_1 | 2026-06-09T09:58:16.123456789Z [diagnostic] " + TAKEOVER,
            "docker-compose",
            datetime(2026, 6, 9, 9, 58, 16, 123456, tzinfo=UTC),
        ),
        # kubectl logs --prefix --timestamps.
        (
            "[pod/openclaw-0/gateway] 2026-06-09T09:58:16.123456789Z [diagnostic] " + TAKEOVER,
            "kubectl-prefix",
            datetime(2026, 6, 9, 9, 58, 16, 123456, tzinfo=UTC),
        ),
        # docker logs --timestamps around a console line without its own stamp.
        (
            "2026-06-09T09:58:16.123456789Z [diagnostic] " + TAKEOVER,
            "docker",
            datetime(2026, 6, 9, 9, 58, 16, 123456, tzinfo=UTC),
        ),
    ],
)
def test_envelope_sniffed_and_time_explicit(
    line: str, envelope: str, ts: datetime, ingest_text: IngestText
) -> None:
    """Each envelope is recognised from content and its stamp becomes the right UTC instant."""
    row = _one(ingest_text(line + "\n"))
    assert row["envelope"] == envelope
    assert row["ts"] == ts
    assert row["ts_quality"] == "explicit"


def test_file_name_is_not_used_for_sniffing(ingest_text: IngestText) -> None:
    """A console capture named like a file log is still read as console output."""
    row = _one(
        ingest_text(
            "2026-06-09T09:58:16.069+00:00 [diagnostic] " + TAKEOVER + "\n",
            name="openclaw-2026-06-09.log",
        )
    )
    assert row["envelope"] == "console"


def test_time_only_stamp_takes_date_from_file_name_and_zone_from_tz(
    ingest_text: IngestText,
) -> None:
    """A pretty console HH:MM:SS stamp gets its date from the name and its zone from --tz."""
    result = ingest_text(
        "06:22:13 [diagnostic] " + TAKEOVER + "\n",
        name="gateway-2026-05-28.log",
        tz="Europe/Berlin",
    )
    row = _one(result)
    assert row["ts"] == datetime(2026, 5, 28, 4, 22, 13, tzinfo=UTC)
    assert row["ts_quality"] == "assumed"
    assert "file name" in row["ts_assumption"]
    assert "Europe/Berlin" in row["ts_assumption"]


def test_time_only_with_offset_keeps_its_zone(ingest_text: IngestText) -> None:
    """HH:MM:SS+01:00 has an explicit zone; only the date is assumed."""
    row = _one(
        ingest_text(
            "08:29:10+01:00 [gateway] removed stale session lock: "
            "/h/.openclaw/agents/main/sessions/da2660dc-ef9b-4fc8-9f25-9e4ace56307e.jsonl.lock (dead-pid)\n",
            name="gateway-2026-04-03.log",
        )
    )
    assert row["ts"] == datetime(2026, 4, 3, 7, 29, 10, tzinfo=UTC)
    assert row["ts_assumption"] == "date 2026-04-03 from file name"


def test_time_only_day_rolls_over_at_midnight(ingest_text: IngestText) -> None:
    """A clock that runs backwards by more than 12 h means the next day."""
    text = f"23:59:58 [diagnostic] {TAKEOVER}\n00:00:03 [diagnostic] {TAKEOVER.replace('2bc0', '3bc0')}\n"
    events = ingest_text(text, name="console-2026-05-28.log", tz="UTC").events
    assert events["ts"].to_list() == [
        datetime(2026, 5, 28, 23, 59, 58, tzinfo=UTC),
        datetime(2026, 5, 29, 0, 0, 3, tzinfo=UTC),
    ]


def test_time_only_without_any_date_is_untimed(ingest_text: IngestText) -> None:
    """No date anywhere: the event stays, marked untimed, with its raw stamp kept."""
    row = _one(ingest_text("06:22:13 [diagnostic] " + TAKEOVER + "\n", name="paste.txt"))
    assert row["ts"] is None
    assert row["ts_quality"] == "untimed"
    assert row["ts_raw"] == "06:22:13"


def test_journald_short_takes_year_and_zone_from_header(ingest_text: IngestText) -> None:
    """`journalctl -o short` has no year or zone; the header supplies both, recorded."""
    text = (
        "-- Logs begin at Tue 2026-05-26 00:00:03 CEST, end at Thu 2026-05-28 23:59:58 CEST. --\n"
        "May 28 06:23:40 gw-prod-01 node[48213]: [session-write-lock] releasing lock held for "
        "731042ms (max=720000ms): /home/ops/.openclaw/agents/woodhouse/sessions/"
        "4a1b2c3d-0000-4000-8000-00000000000f.jsonl.lock\n"
    )
    result = ingest_text(text, name="journal.txt")
    row = _one(result)
    assert row["ts"] == datetime(2026, 5, 28, 4, 23, 40, tzinfo=UTC)
    assert "year 2026 from journal header" in row["ts_assumption"]
    assert "CEST" in row["ts_assumption"]
    assert row["gateway_pid"] == 48213
    assert result.files[0].noise_lines == 1


def test_journald_json_reads_the_console_line_host_and_gateway_pid(
    ingest_text: IngestText,
) -> None:
    """MESSAGE is the console line (colours stripped, bytes decoded); _HOSTNAME is
    the host; _PID is the gateway's, except on systemd's own entries."""
    # journalctl escapes the colour codes (\u001b) and writes no spaces.
    colored = "\x1b[35m[diagnostic]\x1b[39m " + TAKEOVER
    as_bytes = list(("[diagnostic] " + TAKEOVER.replace("2bc0", "3bc0")).encode())
    entry = {"__REALTIME_TIMESTAMP": "1781006296070123", "_HOSTNAME": "gw-7"}
    lines = [
        {**entry, "SYSLOG_IDENTIFIER": "node", "_PID": "311", "MESSAGE": colored},
        {**entry, "SYSLOG_IDENTIFIER": "node", "_PID": "311", "MESSAGE": as_bytes},
        {**entry, "SYSLOG_IDENTIFIER": "systemd", "_PID": "1",
         "MESSAGE": "Started openclaw-gateway.service - OpenClaw Gateway."},
    ]  # fmt: skip
    text = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines)
    events = ingest_text(text, name="journal.json").events.sort("line")
    assert events["envelope"].unique().to_list() == ["journald-json"]
    takeovers = events.filter(pl.col("kind") == "takeover")
    assert takeovers["session_id"].to_list() == [
        "2bc0117f-8cd0-43a6-a382-1b4ebc062f6d",
        "3bc0117f-8cd0-43a6-a382-1b4ebc062f6d",
    ]
    assert takeovers["subsystem"].to_list() == ["diagnostic", "diagnostic"]
    assert takeovers["host"].to_list() == ["gw-7", "gw-7"]
    assert takeovers["gateway_pid"].to_list() == [311, 311]
    systemd = events.filter(pl.col("line") == 3)
    assert systemd["kind"].to_list() == ["gateway_start"]
    assert systemd["gateway_pid"].to_list() == [None]


def test_journald_json_seq_and_a_pretty_entry(ingest_text: IngestText) -> None:
    """`-o json-seq` opens each entry with RS (the file is still a journal, its
    other lines noise); a `-o json-pretty` entry pasted whole is still read."""
    entry = {
        "__REALTIME_TIMESTAMP": "1781006296070123",
        "_PID": "311",
        "MESSAGE": "[diagnostic] " + TAKEOVER,
    }
    quiet = {**entry, "MESSAGE": "[telegram] Inbound message telegram:1 -> @bot (direct, 3 chars)"}
    seq = "".join("\x1e" + json.dumps(e) + "\n" for e in (quiet, entry, quiet))
    result = ingest_text(seq, name="journal.json")
    assert _one(result)["gateway_pid"] == 311
    assert (result.files[0].envelope, result.files[0].noise_lines) == ("journald-json", 2)
    pretty = (
        "Pasted from journalctl:\n" + json.dumps(entry, indent=8, separators=(",", " : ")) + "\n"
    )
    row = _one(ingest_text(pretty, name="paste.txt"))
    assert row["ts"] == datetime(2026, 6, 9, 11, 58, 16, 70123, tzinfo=UTC)
    assert row["envelope"] == "journald-json"


def test_journald_json_pretty_is_read_whole_and_counted_known(ingest_text: IngestText) -> None:
    """A whole `journalctl -o json-pretty` file: each entry is one record; the
    entries that hold no event are known records (noise), not unrecognised
    text, while prose around them still is."""
    entries = [
        {"__REALTIME_TIMESTAMP": str(1781006296070123 + n), "_PID": "311", "MESSAGE": message}
        for n, message in enumerate(
            [
                "[gateway] listening on ws://127.0.0.1:18789",
                "[diagnostic] " + TAKEOVER,
                "[telegram] hi",
            ]
        )
    ]
    pretty = "".join(json.dumps(e, indent=8, separators=(",", " : ")) + "\n" for e in entries)
    result = ingest_text("journalctl -o json-pretty said:\n" + pretty, name="journal.json")
    scan = result.files[0]
    assert _one(result)["gateway_pid"] == 311
    assert (scan.lines, scan.event_lines, scan.noise_lines, scan.unrecognized) == (16, 5, 10, 1)


def test_journald_short_full_with_an_ambiguous_zone_assumes_it(ingest_text: IngestText) -> None:
    """IST is India, Ireland or Israel: not a written zone; the zone is assumed, and said so."""
    row = _one(
        ingest_text(
            "Tue 2026-06-09 15:28:16 IST gw node[311]: [diagnostic] " + TAKEOVER + "\n",
            tz="Asia/Kolkata",
        )
    )
    assert row["ts"] == datetime(2026, 6, 9, 9, 58, 16, tzinfo=UTC)
    assert row["ts_quality"] == "assumed"
    assert "Asia/Kolkata" in row["ts_assumption"]


def test_epoch_stamps_are_no_zone_evidence() -> None:
    """Seconds since the epoch are UTC whatever the host's zone: they must not make
    the zone-less syslog stamps of another file UTC "from other files"."""
    result = ingest_files(
        {
            "a/journal.txt": "1781006296.070123 gw node[311]: [gateway] log file: /tmp/x\n",
            "b/syslog": "Jun  9 11:58:16 gw node[311]: [diagnostic] " + TAKEOVER + "\n",
        }
    )
    row = result.events.filter(pl.col("kind") == "takeover").row(0, named=True)
    assert "other files in the bundle (" not in row["ts_assumption"]
    assert "no zone evidence" in row["ts_assumption"]


_LANE = "[diagnostic] lane enqueue: lane=main queueSize=1"
_RUNTIME_LINES = {
    # Enough lines that the vectorised reader takes them, and the per-line reader too.
    "docker": lambda n: f"2026-06-09T09:{n // 60:02d}:{n % 60:02d}.000000000Z 11:00:00 {_LANE}",
    "docker-compose": lambda n: f"gw-1  | 2026-06-09T09:{n // 60:02d}:{n % 60:02d}.5Z {_LANE}",
    "kubectl-prefix": lambda n: f"[pod/gw-0/gw] 2026-06-09T09:{n // 60:02d}:{n % 60:02d}Z {_LANE}",
    "docker-json": lambda n: json.dumps(
        {"log": _LANE + "\n", "stream": "stdout", "time": f"2026-06-09T09:00:{n % 60:02d}.1Z"}
    ),
}


@pytest.mark.parametrize("envelope", sorted(_RUNTIME_LINES))
@pytest.mark.parametrize("lines", [3, 400])
def test_a_container_runtimes_utc_stamps_are_no_zone_evidence(envelope: str, lines: int) -> None:
    """docker, compose and kubectl stamp what they capture in UTC whatever zone
    the host runs in: a big capture must not make another file's zone-less
    stamps UTC "from other files", while one console line that wrote its own
    offset still says the host's zone."""
    capture = "".join(_RUNTIME_LINES[envelope](n) + "\n" for n in range(lines))
    syslog = "Jun  9 11:58:16 gw node[311]: [diagnostic] " + TAKEOVER + "\n"
    files = {"a/capture.log": capture, "b/syslog": syslog}
    result = ingest_files(files)
    assert result.files[0].envelope == envelope
    assert result.events.filter(pl.col("kind") == "lane_task").height >= lines
    row = result.events.filter(pl.col("kind") == "takeover").row(0, named=True)
    assert "no zone evidence" in row["ts_assumption"]
    zoned = "2026-06-09T11:58:10.000+02:00 [gateway] log file: /tmp/x\n"
    result = ingest_files({**files, "c/console.log": zoned})
    row = result.events.filter(pl.col("kind") == "takeover").row(0, named=True)
    assert "other files in the bundle (1 of 1 zoned stamps)" in row["ts_assumption"]
    assert row["ts"] == datetime(2026, 6, 9, 9, 58, 16, tzinfo=UTC)


def test_a_console_stamp_inside_a_runtime_capture_is_zone_evidence() -> None:
    """The console's own dated stamp, inside docker's, was written in the host's zone."""
    capture = "".join(
        f"2026-06-09T09:00:{n % 60:02d}.000000000Z 2026-06-09T11:00:{n % 60:02d}.000+02:00 "
        + _LANE
        + "\n"
        for n in range(400)
    )
    result = ingest_files(
        {
            "a/capture.log": capture,
            "b/syslog": "Jun  9 11:58:16 gw node[311]: [diagnostic] " + TAKEOVER + "\n",
        }
    )
    row = result.events.filter(pl.col("kind") == "takeover").row(0, named=True)
    assert "other files in the bundle (400 of 400 zoned stamps)" in row["ts_assumption"]


@pytest.mark.parametrize("lines", [3, 400])
def test_kubectl_timestamps_trim_their_zeros_and_still_wrap_the_console(lines: int) -> None:
    """`kubectl logs --timestamps` writes Go's RFC3339Nano: trailing zeros trimmed,
    so the fraction has 1-9 digits or none.  Such a capture is the runtime's
    envelope around console lines, whose own stamp (the file log's, to the
    millisecond) and subsystem are kept; read as a console line it lost both."""
    fractions = ["", ".5", ".25", ".0691", ".06915502", ".069155023"]
    capture = "".join(
        f"2026-06-09T09:00:{n % 60:02d}{fractions[n % len(fractions)]}Z "
        f"2026-06-09T11:00:{n % 60:02d}.{n % 1000:03d}+02:00 {_LANE}\n"
        for n in range(lines)
    )
    result = ingest_files({"pod/gw.log": capture})
    assert (result.files[0].envelope, result.files[0].unrecognized) == ("docker", 0)
    rows = result.events.sort("line")
    assert rows["subsystem"].unique().to_list() == ["diagnostic"]
    assert rows.row(1, named=True)["ts"] == datetime(2026, 6, 9, 9, 0, 1, 1000, tzinfo=UTC)


def test_a_console_writing_javascripts_utc_stamps_is_a_console() -> None:
    """Early consoles printed `toISOString()` (exactly three digits, Z): their own
    stamp, not a runtime's."""
    text = "".join(
        f"2026-02-02T04:50:{n:02d}.524Z [gateway] received SIGUSR1; restarting\n" for n in range(5)
    )
    result = ingest_files({"gateway.log": text})
    assert result.files[0].envelope == "console"


def _verbose_entry(stamp: str, fields: dict[str, str]) -> str:
    cursor = "s=8f1c0a;i=1a2b;b=77aa09;m=1234;t=5678;x=9abc"
    return f"{stamp} [{cursor}]\n" + "".join(f"    {k}={v}\n" for k, v in fields.items())


def test_journald_verbose_reads_each_entry_by_its_fields(ingest_text: IngestText) -> None:
    """`journalctl -o verbose`: a header, then one indented KEY=value line per
    field, in the journal's order.  Each entry is one record (every line counted),
    timed by the console line's own dated stamp or else the header's, with the
    pid, host and identifier of the short outputs (systemd's own pid dropped).
    Before, it was plain text: untimed, no pid or host, fields unrecognized."""
    common = {"_TRANSPORT": "stdout", "PRIORITY": "6", "SYSLOG_IDENTIFIER": "node"}
    text = (
        _verbose_entry(
            "Thu 2026-05-28 06:20:01.123456 CEST",
            {
                **common,
                "MESSAGE": "2026-05-28T06:20:01.123+02:00 [diagnostic] " + TIMEOUT,
                "_PID": "48213",
                "_HOSTNAME": "gw-prod-01",
            },
        )
        + _verbose_entry(
            "Thu 2026-05-28 06:20:05.000001 CEST",
            {
                **common,
                "_PID": "48213",
                "MESSAGE": "06:20:05 [diagnostic] " + TAKEOVER,
                "_HOSTNAME": "gw-prod-01",
            },
        )
        + _verbose_entry(
            "Thu 2026-05-28 06:20:09.500000 CEST",
            {
                "SYSLOG_IDENTIFIER": "systemd",
                "_PID": "1",
                "_HOSTNAME": "gw-prod-01",
                "MESSAGE": "Started openclaw-gateway.service - OpenClaw gateway.",
            },
        )
    )
    result = ingest_text(text, name="journal-verbose.txt")
    scan = result.files[0]
    assert (scan.envelope, scan.lines, scan.unrecognized) == ("journald-verbose", 19, 0)
    rows = result.events.sort("line").to_dicts()
    lock, takeover = rows[0], rows[1]
    assert (lock["kind"], lock["line"], lock["gateway_pid"], lock["host"]) == (
        "lock_timeout",
        1,
        48213,
        "gw-prod-01",
    )
    assert lock["ts"] == datetime(2026, 5, 28, 4, 20, 1, 123000, tzinfo=UTC)
    assert lock["subsystem"] == "diagnostic"
    assert (takeover["kind"], takeover["line"]) == ("takeover", 8)
    assert takeover["ts"] == datetime(2026, 5, 28, 4, 20, 5, 1, tzinfo=UTC)
    assert all(r["gateway_pid"] != 1 for r in rows)


def test_journal_header_with_a_numeric_zone(ingest_text: IngestText) -> None:
    """A zone without an abbreviation is printed as a number (+04) in the header too."""
    text = (
        "-- Logs begin at Tue 2026-06-09 00:00:03 +04, end at Tue 2026-06-09 23:59:58 +04. --\n"
        "Jun  9 13:58:16 gw node[311]: [diagnostic] " + TAKEOVER + "\n"
    )
    row = _one(ingest_text(text, name="journal.txt"))
    assert row["ts"] == datetime(2026, 6, 9, 9, 58, 16, tzinfo=UTC)
    assert "+04" in row["ts_assumption"]


def test_journald_short_precise_keeps_the_microseconds(ingest_text: IngestText) -> None:
    """`journalctl -o short-precise`: the supervisor's stamp to the microsecond,
    year and zone still from the header."""
    text = (
        "-- Journal begins at Tue 2026-05-26 00:00:03 CEST, ends at Thu 2026-05-28 23:59:58 CEST. --\n"
        "May 28 06:23:40.123456 gw-prod-01 node[48213]: [diagnostic] " + TAKEOVER + "\n"
    )
    row = _one(ingest_text(text, name="journal.txt"))
    assert row["envelope"] == "journald-short"
    assert row["ts"] == datetime(2026, 5, 28, 4, 23, 40, 123456, tzinfo=UTC)
    assert row["ts_raw"] == "May 28 06:23:40.123456"


def test_a_journal_header_begun_in_summer_time_reads_winter_lines_by_its_zones_rules(
    ingest_text: IngestText,
) -> None:
    """The header names the zone as it was when the journal began (`EDT`, in
    October); its January lines are EST, by that zone's rules (Z194: read at
    -04:00, an hour early, and the syslog copy of each stop seen apart)."""
    text = (
        "-- Journal begins at Mon 2025-10-06 11:02:33 EDT, ends at Thu 2026-01-01 14:10:12 EST. --\n"
        "Jan 01 00:41:30 gw-nyc-01 node[3188]: [diagnostic] " + TAKEOVER + "\n"
    )
    row = _one(ingest_text(text, name="journal.txt"))
    assert row["ts"] == datetime(2026, 1, 1, 5, 41, 30, tzinfo=UTC)
    assert "EDT" in row["ts_assumption"]


def test_a_journal_kept_since_last_year_dates_its_lines_between_its_first_and_last_entries(
    ingest_text: IngestText,
) -> None:
    """The header names the whole journal's first and last entries, whatever
    `--since` showed: begun in November, its `Jun 18` is of the next year, not
    the June before the journal began (Z201: a year early, phantom processes)."""
    text = (
        "-- Journal begins at Wed 2025-11-12 06:41:09 CST, ends at Fri 2026-06-19 09:36:02 CDT. --\n"
        "Jun 18 14:20:31.838800 gw-ops-02 node[58214]: [diagnostic] " + TAKEOVER + "\n"
    )
    row = _one(ingest_text(text, name="journal.txt"))
    assert row["ts"].year == 2026
    assert "year 2026 from journal header" in row["ts_assumption"]


def test_journald_short_zone_from_other_files_and_year_from_bundle() -> None:
    """Without a header, the syslog year and zone come from the other files of the bundle."""
    result = ingest_files(
        {
            "a/openclaw.log": '{"0":"{\\"subsystem\\":\\"gateway\\"}","1":"log file: /tmp/x","time":"2026-05-28T06:00:00.000+02:00"}\n',
            "b/syslog": "May 28 06:23:40 gw node[1]: [diagnostic] " + TAKEOVER + "\n",
        }
    )
    row = result.events.filter(pl.col("kind") == "takeover").row(0, named=True)
    assert row["ts"] == datetime(2026, 5, 28, 4, 23, 40, tzinfo=UTC)
    assert "other files in the bundle" in row["ts_assumption"]


def test_tz_option_beats_bundle_evidence() -> None:
    """--tz is the operator's word and wins over what other files show."""
    result = ingest_files(
        {
            "a.log": "2026-05-28T06:00:00.000+02:00 [gateway] log file: /tmp/x\n",
            "b.log": "06:23:40 [diagnostic] " + TAKEOVER + "\n",
        },
        tz="America/New_York",
    )
    row = result.events.filter(pl.col("kind") == "takeover").row(0, named=True)
    assert row["ts"] is None  # no date for b.log: zone alone is not enough
    result = ingest_files(
        {"b-2026-05-28.log": "06:23:40 [diagnostic] " + TAKEOVER + "\n"}, tz="America/New_York"
    )
    assert _one(result)["ts"] == datetime(2026, 5, 28, 10, 23, 40, tzinfo=UTC)


def test_plain_text_paste_is_scanned(ingest_text: IngestText) -> None:
    """Ticket text with no known prefix still yields events; unstamped ones are untimed."""
    text = (
        "Hi team, we keep seeing this:\n"
        "```\n"
        f"{TIMEOUT}\n"
        f"[2026-06-26 13:48:30] {TAKEOVER}\n"
        "```\n"
        "Any idea?\n"
    )
    result = ingest_text(text, name="ticket.md", tz="UTC")
    kinds = result.events.select("kind", "ts_quality").rows()
    assert kinds == [("takeover", "assumed"), ("lock_timeout", "untimed")]
    scan = result.files[0]
    assert scan.envelope == "plain"
    assert scan.lines == 6
    assert scan.event_lines + scan.noise_lines + scan.unrecognized == scan.lines


def test_ansi_colours_are_stripped(ingest_text: IngestText) -> None:
    """Pretty TTY output with colours parses like plain output."""
    line = "\x1b[90m20:24:41\x1b[39m \x1b[33mwarn\x1b[39m agent/embedded " + TAKEOVER
    row = _one(ingest_text(line + "\n", name="logs-2026-07-14.txt", tz="UTC"))
    assert row["envelope"] == "logs-pretty"
    assert "\x1b" not in row["message"]


_CODECS = {
    "gzip": gzip.compress,
    "zstd": zstandard.ZstdCompressor().compress,
    "xz": lzma.compress,
    "bzip2": bz2.compress,
}


@pytest.mark.parametrize("codec", sorted(_CODECS))
def test_compressed_inputs_detected_by_magic(codec: str) -> None:
    """gzip, zstd, xz and bzip2 files are read by content, whatever their name."""
    data = ("2026-06-09T09:58:16.069+00:00 [diagnostic] " + TAKEOVER + "\n").encode()
    packed = _CODECS[codec](data)
    result = ingest_files({"openclaw-2026-06-09.log.1": packed})
    assert result.events["kind"].to_list() == ["takeover"]


def test_line_accounting_adds_up(ingest_text: IngestText) -> None:
    """Every line is an event line, known noise or unrecognised; nothing is lost."""
    text = (
        '{"0":"{\\"subsystem\\":\\"gateway\\"}","1":"hello","time":"2026-05-28T06:00:00.000+02:00"}\n'
        "\n"
        "garbage that is not json\n"
        '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"'
        + TIMEOUT
        + '","time":"2026-05-28T06:00:01.000+02:00"}\n'
        '{"broken json ' + TIMEOUT + "\n"
    )
    scan = ingest_text(text).files[0]
    assert scan.envelope == "tslog-json"
    assert (scan.lines, scan.event_lines, scan.noise_lines, scan.unrecognized) == (5, 2, 2, 1)
    assert scan.unrecognized_samples == [(3, "garbage that is not json")]


def test_midnight_seen_between_candidates_through_every_line(ingest_text: IngestText) -> None:
    """A quiet night of non-event lines still moves the date: every line's clock counts."""
    text = (
        f"20:00:00 [diagnostic] {TAKEOVER}\n"
        "23:59:00 [telegram] inbound message\n"
        "00:01:00 [telegram] inbound message\n"
        f"10:00:00 [diagnostic] {TAKEOVER.replace('2bc0', '3bc0')}\n"
    )
    events = ingest_text(text, name="console-2026-05-28.log", tz="UTC").events
    assert events["ts"].to_list() == [
        datetime(2026, 5, 28, 20, 0, tzinfo=UTC),
        datetime(2026, 5, 29, 10, 0, tzinfo=UTC),
    ]
    assert "1 day rollover(s)" in events["ts_assumption"][1]


def test_possibly_relevant_lines_skip_clock_and_block(ingest_text: IngestText) -> None:
    """Lock vocabulary is matched as words: `clock`/`blocked` are not listed, `deadlock` is."""
    text = (
        "2026-06-09T09:58:16.069+00:00 [gateway] clock skew detected\n"
        "2026-06-09T09:58:16.070+00:00 [gateway] event loop blocked for 300ms\n"
        "2026-06-09T09:58:16.071+00:00 [gateway] deadlock suspected on session writer\n"
    )
    scan = ingest_text(text).files[0]
    assert scan.relevant == 1
    assert [n for n, _ in scan.relevant_samples] == [3]


TSLOG_STALE = (
    '{"0":"{\\"subsystem\\":\\"diagnostic\\"}","1":"lane task error: '
    'lane=session:agent:woodhouse:main durationMs=60395 error=\\"SessionWriteLockStaleError: '
    "session file lock stale (hold-exceeded): pid=48213 alive=true ageMs=731042 "
    "/home/ops/.openclaw/agents/woodhouse/sessions/4a1b2c3d-0000-4000-8000-00000000000f.jsonl.lock"
    '\\"","_meta":{"logLevelName":"ERROR"},"time":"2026-05-28T06:22:00.412+02:00"}'
)


def test_a_file_log_line_pasted_in_a_ticket_is_read_as_one(ingest_text: IngestText) -> None:
    """A raw file-log line among prose (too few to make the file a log) is still a
    file-log record: its time, agent and wrapper are read, not lost as plain text."""
    text = (
        "We run 2026.5.18. The gateway has been up for 2 weeks.\n"
        "Yesterday it started failing, log below.\n"
        "Restarting helped for a while.\n\n" + TSLOG_STALE + "\n\nThanks\n"
    )
    row = _one(ingest_text(text, name="ticket.txt"))
    assert row["kind"] == "lock_stale"
    assert row["envelope"] == "tslog-json"
    assert row["ts"] == datetime(2026, 5, 28, 4, 22, 0, 412000, tzinfo=UTC)
    assert row["agent"] == "woodhouse"
    assert str(row["echo_role"]).startswith("lane:")


@pytest.mark.parametrize(
    "quoted",
    [
        "> {line}",
        "> > {line}",
        ">{line}",
        "- {line}",
        "* `{line}`",
        "`{line}`",
        "  > - {line}",
    ],
)
def test_quoted_pasted_lines_keep_their_envelope_and_time(
    quoted: str, ingest_text: IngestText
) -> None:
    """Markdown quotes, list bullets and inline code around a pasted line are
    taken off before it is read."""
    console = "2026-06-09T09:58:16.069+00:00 [diagnostic] " + TIMEOUT
    text = "Seen again today:\n\n" + quoted.format(line=console) + "\n\nAny idea?\n"
    row = _one(ingest_text(text, name="issue.md"))
    assert row["envelope"] == "console"
    assert row["ts"] == datetime(2026, 6, 9, 9, 58, 16, 69000, tzinfo=UTC)
    assert row["lock_path"].endswith(".jsonl.lock")


def test_logs_plain_with_an_empty_subsystem_stays_logs_plain() -> None:
    """`openclaw logs --plain` leaves a record's empty subsystem as two spaces;
    such lines do not turn the capture into a console (whose message would then
    begin with the level and the subsystem)."""
    lines = [
        "2026-05-30T14:37:21.048+02:00 error diagnostic lane task error: lane=main durationMs=1203 "
        'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): pid=4 '
        '/h/.openclaw/agents/main/sessions/0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e.jsonl.lock"',
        "2026-05-30T14:37:21.049+02:00 error  Embedded agent failed before reply: session file "
        "locked (timeout 60000ms): pid=4 "
        "/h/.openclaw/agents/main/sessions/0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e.jsonl.lock",
    ]
    result = ingest_files({"logs-plain.txt": "\n".join(lines) + "\n"})
    (scan,) = result.files
    assert scan.envelope == "logs-plain"
    messages = result.events.get_column("message").to_list()
    assert all(m.startswith(("lane task error", "Embedded agent")) for m in messages)


def test_powershells_native_command_prefix_leaves_the_line_its_stamp() -> None:
    """Windows PowerShell 5.1 redirecting a gateway's output puts `node.exe : ` before
    the first stderr line (its NativeCommandError): the line keeps its stamp."""
    lock = r"C:\Users\marta\.openclaw\agents\main\sessions\e5d2a7b4-91c3-4f08-a6e7-3b1c0d9f2e55"
    text = (
        "2026-06-18T09:48:31.403+02:00 [gateway] log file: C:\\tmp\\openclaw.log\n"
        f"node.exe : 2026-06-18T09:48:31.406+02:00 [gateway] removed stale session lock: "
        f"{lock}.jsonl.lock (dead-pid)\n"
        "At C:\\Users\\marta\\AppData\\Roaming\\npm\\openclaw.ps1:24 char:5\n"
        "+ openclaw gateway *> gateway.log\n"
        "+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n"
        "    + CategoryInfo          : NotSpecified: (2026-06-18T09:4...:String) [], RemoteException\n"
        "    + FullyQualifiedErrorId : NativeCommandError\n"
    )
    result = ingest_files({"gateway.log": text})
    row = result.events.filter(pl.col("kind") == "lock_removed")
    assert row.get_column("ts").to_list() == [datetime(2026, 6, 18, 7, 48, 31, 406000, tzinfo=UTC)]
    # The error record's lines are known; only the command it echoes is not (Z237).
    (scan,) = result.files
    assert (scan.noise_lines, scan.unrecognized) == (4, 1)


def _docker_records(line: str, time: str, size: int = 16384) -> list[str]:
    """``line`` as docker's json-file driver stores it: pieces of ``size``, only
    the last ending in a newline."""
    pieces = [line[i : i + size] for i in range(0, len(line), size)]
    pieces[-1] += "\n"
    return [_docker(p, time, "stderr") for p in pieces]


def _docker(log: str, time: str, stream: str = "stdout") -> str:
    """One json-file record, as docker writes it (no blanks)."""
    return json.dumps({"log": log, "stream": stream, "time": time}, separators=(",", ":"))


@pytest.mark.parametrize("chunk_lines", [None, 5])
def test_a_line_docker_split_past_16_kib_is_read_whole(
    chunk_lines: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lane error whose prompt made it 40 KB long, split by the json-file
    driver with `session file loc|ked` across two records, is one lock timeout
    with its lane and session; the line after it is read as itself, and every
    record is counted (Z162: its wording was cut, its path read alone).  Across
    a chunk boundary too (5 lines a chunk)."""
    if chunk_lines is not None:
        monkeypatch.setattr(chunks, "CHUNK_LINES", chunk_lines)
    head = (
        "2026-06-16T04:58:10.204+02:00 [diagnostic] lane task error: "
        'lane=session:agent:main:main durationMs=61234 error="prompt: '
    )
    filler = "y" * (16384 - len(head) - len("prompt: session file loc") + len("prompt: "))
    long_line = head + filler + TIMEOUT + " and more " + "z" * 20_000 + '"'
    assert long_line[16384 - 3 : 16384] == "loc"
    records = [
        _docker(f"2026-06-16T04:58:0{n}.000+02:00 {_LANE}\n", f"2026-06-16T02:58:0{n}.1Z")
        for n in range(3)
    ]
    records += _docker_records(long_line, "2026-06-16T02:58:10.2Z")
    records.append(_docker(f"2026-06-16T04:58:11.000+02:00 {_LANE}\n", "2026-06-16T02:58:11.1Z"))
    assert len(records) == 7
    result = ingest_files({"9f3c-json.log": "\n".join(records) + "\n"})
    (scan,) = result.files
    assert scan.envelope == "docker-json"
    assert scan.lines == 7
    assert scan.unrecognized == 0
    timeouts = result.events.filter(pl.col("kind") == "lock_timeout")
    assert timeouts.height == 1
    row = timeouts.row(0, named=True)
    assert row["session_id"] == "660fdda8-e8a8-44ab-bf1d-facb7e2a8952"
    assert row["pid"] == 4892
    assert row["ts"] == datetime(2026, 6, 16, 2, 58, 10, 204000, tzinfo=UTC)
    assert result.events.filter(pl.col("kind") == "lane_task").height == 4


def test_docker_logs_t_stamps_inside_a_long_line_are_removed() -> None:
    """`docker logs -t` writes its stamp before each 16 KiB piece of a long line
    (moby#37681): inside the takeover's path it cut the session id in two, and
    the copy folded with no other (Z162).  Short lines keep a quoted stamp."""
    stamp = "2026-06-16T02:58:10.207142679Z "
    head = "2026-06-16T04:58:10.204+02:00 [diagnostic] lane task error: lane=main durationMs=1 "
    # The first piece ends inside the session id: `…660fdda8-e8a8|-44ab…`.
    filler = "p" * (16384 - len(head) - len('error=" ') - TIMEOUT.index("-44ab"))
    long_line = head + 'error="' + filler + " " + TIMEOUT + " " + "q" * 17_000 + '"'
    pieces = [long_line[i : i + 16384] for i in range(0, len(long_line), 16384)]
    assert (len(pieces), pieces[0][-4:], pieces[1][:5]) == (3, "e8a8", "-44ab")
    spliced = "".join(stamp + p for p in pieces) + "\n"
    quoted = f"2026-06-16T02:58:11.000000000Z 04:58:11 [gateway] saw {stamp}in a note\n"
    result = ingest_files({"docker-logs-t.txt": spliced + quoted})
    (scan,) = result.files
    assert scan.envelope == "docker"
    timeouts = result.events.filter(pl.col("kind") == "lock_timeout")
    assert timeouts.get_column("session_id").to_list() == ["660fdda8-e8a8-44ab-bf1d-facb7e2a8952"]
    assert timeouts.get_column("pid").to_list() == [4892]


def test_a_journal_messages_latin1_bytes_read_as_a_text_captures_are(
    ingest_text: IngestText,
) -> None:
    """journald writes a MESSAGE that is not UTF-8 as an array of bytes: its
    stray bytes are read as cp1252, as the text captures' are, so the IRC peer
    `j\\xf6rg` is `jörg` in the lane's key, not `j\\ufffdrg` (Z163)."""
    line = (
        "[diagnostic] lane task error: lane=session:agent:main:irc:direct:j\xf6rg "
        'durationMs=10011 error="Error: ' + TIMEOUT + '"'
    )
    entry = {"__REALTIME_TIMESTAMP": "1781006296070123", "_HOSTNAME": "gw-7", "_PID": "311",
             "SYSLOG_IDENTIFIER": "node", "MESSAGE": list(line.encode("latin-1"))}  # fmt: skip
    events = ingest_text(json.dumps(entry) + "\n", name="journal.json").events
    (row,) = events.filter(pl.col("kind") == "lock_timeout").to_dicts()
    assert row["lane"] == "session:agent:main:irc:direct:jörg"


@pytest.mark.parametrize("chunk_lines", [None, 4])
def test_the_kubelets_cri_log_is_read_with_its_pieces_joined(
    chunk_lines: int | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/var/log/pods/…/0.log: the runtime's stamp, the stream and `F`, or `P` for
    a piece of a line past 16 KiB that the next record goes on with.  The
    console line inside is read, timed by its own stamp, and a line the kubelet
    cut is one failure with its session (Z168: read as docker's with `stderr F`
    in its text, and the pieces apart); `kubectl logs`' copy folds into it."""
    if chunk_lines is not None:
        monkeypatch.setattr(chunks, "CHUNK_LINES", chunk_lines)
    head = "2026-06-12T10:42:30.400+00:00 [diagnostic] lane task error: lane=main durationMs=1 "
    filler = "p" * (16384 - len(head) - len('error=" ') - TIMEOUT.index("-44ab"))
    long_line = head + 'error="' + filler + " " + TIMEOUT + '"'
    pieces = [long_line[i : i + 16384] for i in range(0, len(long_line), 16384)]
    assert len(pieces) == 2
    cri = "".join(
        f"2026-06-12T10:42:{n:02d}.1Z stdout F 2026-06-12T10:42:{n:02d}.100+00:00 {_LANE}\n"
        for n in range(3)
    )
    cri += f"2026-06-12T10:42:30.40056111Z stderr P {pieces[0]}\n"
    cri += f"2026-06-12T10:42:30.40056111Z stderr F {pieces[1]}\n"
    cri += f"2026-06-12T10:42:31.5Z stdout F 2026-06-12T10:42:31.500+00:00 {_LANE}\n"
    result = ingest_files(
        {"pods/gw-0/gateway/0.log": cri, "kubectl-logs-previous.txt": long_line + "\n"}
    )
    scan = next(s for s in result.files if s.source.endswith("0.log"))
    assert (scan.envelope, scan.lines, scan.unrecognized) == ("kubernetes-cri", 6, 0)
    (row,) = result.events.filter(pl.col("kind") == "lock_timeout").to_dicts()
    assert row["session_id"] == "660fdda8-e8a8-44ab-bf1d-facb7e2a8952"
    assert row["ts"] == datetime(2026, 6, 12, 10, 42, 30, 400000, tzinfo=UTC)
    assert result.occurrence_counts()["lock_timeout"] == 1
    assert not any(t.startswith("stdout") for t in result.events.get_column("message").drop_nulls())


@pytest.mark.parametrize(
    "prompt",
    ["deploy@gw-edge:~$", "PS C:\\Users\\dana>", "$"],
    ids=["bash", "powershell", "bare"],
)
def test_the_prompts_around_a_saved_capture_are_known(prompt: str) -> None:
    """Z241: `openclaw logs --plain` saved from a terminal with its prompt before
    and the bare prompt after: two lines of no log, not unrecognised text."""
    text = (
        f"{prompt} openclaw logs --plain --limit 500\n"
        "Log file: /tmp/openclaw/openclaw-2026-05-29.log\n"
        "2026-05-29T00:00:03.118-04:00 warn diagnostic lane wait exceeded: "
        "lane=session:agent:main:main waitedMs=2850 queueAhead=1\n"
        f"{prompt}\n"
    )
    (scan,) = ingest_files({"openclaw-logs.txt": text}).files
    assert (scan.event_lines, scan.noise_lines, scan.unrecognized) == (1, 3, 0)
