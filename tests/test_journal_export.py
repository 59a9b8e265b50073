"""`journalctl -o export` (binary-safe framing) read as the `-o json` lines it stands for."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from lockforensics.ingest.bundle import memory_input
from lockforensics.parsing.journal_export import ExportLines
from lockforensics.parsing.scan import Scanner

LOCK = (
    "2026-06-15T15:17:31.112+05:30 [diagnostic] lane task error: lane=session:agent:main:main "
    'durationMs=60231 error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
    "pid=48211 alive=true ageMs=61022 /var/lib/oc/agents/main/sessions/"
    '4a1b2c3d-0000-4000-8000-0000000000a1.jsonl.lock"'
)


def _entry(fields: list[tuple[str, str | bytes]]) -> bytes:
    """One export entry: text fields as KEY=value, bytes as KEY, length, data."""
    out = b""
    for name, value in fields:
        if isinstance(value, bytes):
            out += name.encode() + b"\n" + len(value).to_bytes(8, "little") + value + b"\n"
        else:
            out += f"{name}={value}\n".encode()
    return out + b"\n"


def _head(realtime: int) -> list[tuple[str, str | bytes]]:
    return [
        ("__CURSOR", f"s=0;i={realtime:x}"),
        ("__REALTIME_TIMESTAMP", str(realtime)),
        ("_HOSTNAME", "gw-mum-01"),
        ("SYSLOG_IDENTIFIER", "openclaw"),
        ("_PID", "48211"),
    ]


def test_an_export_entry_is_read_with_its_time_host_and_pid() -> None:
    """A lock error in an export (Z124, Z130: read as plain text, its entries were
    untimed fragments, and one whose MESSAGE was binary lost its text) is one event
    at the journal's time, on its host, in its gateway; a binary MESSAGE (an
    escape in it) is read too, and every line is accounted for."""
    realtime = int(datetime(2026, 6, 15, 9, 47, 31, 112000, tzinfo=UTC).timestamp() * 1e6)
    data = _entry([*_head(realtime), ("MESSAGE", LOCK)])
    binary = LOCK.replace("[diagnostic]", "\x1b[35m[diagnostic]\x1b[39m").replace("60231", "60232")
    data += _entry([*_head(realtime + 5_000_000), ("MESSAGE", binary.encode() + b"\nrest")])
    data += _entry([*_head(realtime + 6_000_000), ("_SELINUX_CONTEXT", b"unconfined\n")])
    result = Scanner().scan(memory_input("gateway.export", data))
    assert result.lines == data.count(b"\n")
    assert result.lines == result.event_lines + result.noise_lines + result.unrecognized
    assert not result.warnings
    rows = [row for frame in result.frames for row in frame.to_dicts()] + result.rows
    locks = sorted(
        (r["ts"], r["host"], r["gateway_pid"], r["line"])
        for r in rows
        if r["kind"] == "lock_timeout"
    )
    first = datetime(2026, 6, 15, 9, 47, 31, 112000, tzinfo=UTC)
    assert [(ts, host, pid) for ts, host, pid, _ in locks] == [
        (first, "gw-mum-01", 48211),
        (first, "gw-mum-01", 48211),  # the console's own stamp, as the text captures read it
    ]
    assert [line for *_, line in locks] == [1, 8]
    assert result.packing == "journal export"


_NAMES = st.from_regex(r"[A-Z_][A-Z0-9_]{0,12}", fullmatch=True)
_VALUES = st.one_of(
    st.text(alphabet=st.characters(blacklist_characters="\n", codec="utf-8"), max_size=40),
    st.binary(max_size=40),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.tuples(_NAMES, _VALUES), min_size=1, max_size=6), max_size=6))
def test_an_export_keeps_its_line_count_and_every_field(
    entries: list[list[tuple[str, str | bytes]]],
) -> None:
    """Whatever its values hold (newlines, NULs, bytes that are not UTF-8), the
    rewritten stream has the export's lines, one JSON object per entry at the
    entry's first line holding every field, and empty lines for the rest."""
    data = b"".join(_entry([("__CURSOR", "s=1"), *fields]) for fields in entries)
    out = ExportLines(io.BytesIO(data)).read()
    assert out.count(b"\n") == data.count(b"\n")
    objects = [json.loads(line) for line in out.split(b"\n") if line]
    assert len(objects) == len(entries)
    for obj, fields in zip(objects, entries, strict=True):
        expected: dict[str, object] = {"__CURSOR": "s=1"}
        for name, value in fields:
            if isinstance(value, bytes):
                try:
                    expected[name] = value.decode("utf-8")
                except UnicodeDecodeError:
                    expected[name] = list(value)
            else:
                expected[name] = value
        assert obj == expected


def test_damage_in_an_export_is_passed_on_as_text() -> None:
    """A line that is no field ends its entry and is read as it stands (counted, not
    lost); a binary value claiming more bytes than follow is read as text."""
    data = _entry([("__CURSOR", "s=1"), ("MESSAGE", "ok")])[:-1] + b"not a field\n\n"
    data += b"__CURSOR=s=2\nMESSAGE\n" + (1 << 40).to_bytes(8, "little") + b"short\n"
    out = ExportLines(io.BytesIO(data)).read()
    assert out.count(b"\n") == data.count(b"\n")
    assert b"not a field\n" in out
    assert json.loads(out.split(b"\n")[0]) == {"__CURSOR": "s=1", "MESSAGE": "ok"}
