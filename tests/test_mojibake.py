"""UTF-8 that a console or an editor showed in another code page (Z141): read
back, so a Windows user's lock paths match the file log's, and only then."""

from __future__ import annotations

import json

import polars as pl
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from lockforensics.parsing.mojibake import CODE_PAGES, read_back
from tests.conftest import ingest_files

SID = "7c1e9a44-2b7d-4f0e-9d61-0a8f3c55e912"
LOCK = "session file locked (timeout 60000ms): pid=14820 alive=true ageMs=162704 "
PATH = "C:\\Users\\{user}\\.openclaw\\agents\\main\\sessions\\" + SID + ".jsonl.lock"


def _texts(*lines: str) -> list[str]:
    frame = pl.DataFrame({"text": list(lines)})
    return read_back(frame)[0].get_column("text").to_list()


@given(
    st.text(st.characters(min_codepoint=0xA0, max_codepoint=0x17F), min_size=1, max_size=12),
    st.sampled_from(CODE_PAGES),
)
@example("Ángel", "cp1252")
def test_a_name_shown_in_a_code_page_reads_as_written(name: str, page: str) -> None:
    """An accented name whose UTF-8 an editor showed as Windows-1252 comes back
    whole, bytes that page leaves undefined too: Windows shows them as their C1
    controls (Z160: `Ángel` as `Ã` U+0081, every failure counted twice).  The
    consoles' pages show some bytes alike (`─¢` is `Ľ` in cp850 and `ě` in
    cp437): what comes back is a name that page or another shows so."""
    if page == "cp1252":
        shown = "".join(_windows_1252(b) for b in name.encode("utf-8"))
    else:
        shown = name.encode("utf-8").decode(page)
    (line,) = _texts(LOCK + PATH.format(user=shown))
    if page == "cp1252":
        assert line == LOCK + PATH.format(user=name)
    else:
        read = line.removeprefix(LOCK).split("\\")[2]
        assert read != shown
        assert any(_shows(read, other) == shown for other in CODE_PAGES)


def _windows_1252(byte: int) -> str:
    """A byte as Windows shows it in Windows-1252: undefined ones as C1 controls."""
    return chr(byte) if byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([byte]).decode("cp1252")


def _shows(text: str, page: str) -> str | None:
    try:
        return text.encode("utf-8").decode(page)
    except UnicodeDecodeError:
        return None


@pytest.mark.parametrize(
    "line",
    [
        "session file locked: C:\\Users\\Zoë\\x.jsonl.lock",
        "session file locked: /home/joão/SÃO PAULO/x.jsonl.lock",
        "session file locked: /home/张伟/x.jsonl.lock",
        "session file locked ├── agents │ main",
        "session file locked: Ñandú Ôtel Γειά",
    ],
)
def test_text_that_is_only_non_ascii_stays_as_it_is(line: str) -> None:
    assert _texts(line) == [line]


def test_a_powershell_capture_of_a_windows_users_log_adds_nothing() -> None:
    """`openclaw logs > out.txt` in PowerShell 5.1: UTF-16 with the user's folder
    shown in code page 437.  Its lock error is the file log's, counted once."""
    at = "2026-06-17T02:15:31.204-07:00"
    error = f"SessionWriteLockTimeoutError: {LOCK}{PATH.format(user='José')}"
    message = f'lane task error: lane=main durationMs=60097 error="{error}"'
    record = {
        "0": '{"subsystem":"diagnostic"}',
        "1": message,
        "_meta": {"logLevelName": "ERROR", "date": "2026-06-17T09:15:31.204Z"},
        "time": at,
    }
    shown = f"{at} error diagnostic {message}".replace("José", "Jos├⌐")
    capture = "\ufeff" + "\r\n".join(["Log file: C:\\Users\\Jos├⌐\\openclaw.log", shown]) + "\r\n"
    result = ingest_files(
        {
            "openclaw-2026-06-17.log": (json.dumps(record) + "\n").encode(),
            "openclaw-logs.txt": capture.encode("utf-16-le"),
        }
    )
    locks = result.table().filter(pl.col("kind") == "lock_timeout").collect()
    assert locks.get_column("occurrence").n_unique() == 1
    assert set(locks.get_column("lock_path")) == {PATH.format(user="José")}
    assert any("Jos├⌐" in w and "code page" in w for w in result.warnings)
