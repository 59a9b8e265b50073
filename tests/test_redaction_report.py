"""`report --redact`: no planted identifier survives in any format, evidence included."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lockforensics.cli import app
from lockforensics.reporting.interface import ReportFormat
from tests.conftest import FIXED_EPOCH

S1 = "7c0e2f4a-1b3d-4e5f-8a9b-0c1d2e3f4a5b"
S2 = "8d1f3a5b-2c4e-4f60-9b0c-1d2e3f4a5b6c"
S3 = "9e2a4b6c-3d5f-4071-8c1d-2e3f4a5b6c7d"
RUN = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"
HOST = "gw-secret-07.corp.example"
#: The bundle's folder names the host by its first label, as collectors do.
SHORT_HOST = "gw-secret-07"
LAN_IP = "10.20.30.40"
API_KEY = "sk-ant-api03-Zx9Qw8Er7Ty6Ui5Op4As3Df2Gh1Jk0LmNbVcXz"
EMAIL = "alice.liddell@example.com"
TELEGRAM_PEER = "4917612345"
TELEGRAM_GROUP = "-1002233445566"
SLACK_CHANNEL = "c0a1b2c3d4"
LINUX_USER, MAC_USER, WINDOWS_USER = "alice", "bobsmith", "Jo Smith"

#: Everything planted, with the parts a half-done rewrite would leave behind.
IDENTIFIERS = (
    S1, S2, S3, RUN, S1[:8], RUN[:8], HOST, SHORT_HOST, LAN_IP, API_KEY, API_KEY[:20], EMAIL,
    TELEGRAM_PEER,
    TELEGRAM_GROUP, SLACK_CHANNEL, LINUX_USER, MAC_USER, WINDOWS_USER, "Smith",
)  # fmt: skip

WINDOWS_FILE = rf"C:\Users\{WINDOWS_USER}\.openclaw\agents\main\sessions\{S3}-topic-42.jsonl"


def _journal(stamp: str, message: str) -> str:
    return f"2026-05-28T{stamp}+02:00 {HOST} node[4242]: 2026-05-28T{stamp}.000+02:00 {message}\n"


def _tslog(stamp: str, message: str) -> str:
    return (
        json.dumps(
            {
                "0": json.dumps({"subsystem": "diagnostic"}),
                "1": message,
                "_meta": {
                    "date": f"2026-05-28T{stamp}.000Z",
                    "logLevelName": "ERROR",
                    "hostname": HOST,
                },
                "time": f"2026-05-28T{stamp}.000+02:00",
            }
        )
        + "\n"
    )


def write_bundle(root: Path) -> Path:
    """Three incidents' worth of lines naming every kind of identifier the redactor covers."""
    linux = f"/home/{LINUX_USER}/.openclaw/agents/main/sessions/{S1}.jsonl"
    mac = f"/Users/{MAC_USER}/.openclaw/agents/ops/sessions/{S2}.jsonl"
    direct = f"session:agent:main:telegram:direct:{TELEGRAM_PEER}"
    slack = f"session:agent:ops:slack:channel:{SLACK_CHANNEL}"
    group = f"session:agent:main:telegram:group:{TELEGRAM_GROUP}:topic:42"
    takeover = (
        "EmbeddedAttemptSessionTakeoverError: session file changed while embedded prompt "
        "lock was released: "
    )
    journal = "".join(
        [
            _journal(
                "06:22:10",
                f"[agent/embedded] embedded run start: runId={RUN} sessionId={S1} "
                "provider=anthropic model=claude messageChannel=telegram",
            ),
            # It finished, writing the transcript: a writer the takeover's trigger
            # evidence names (a run that only waited for the lock is none).
            _journal(
                "06:22:12",
                f"[agent/embedded] embedded run done: runId={RUN} sessionId={S1} "
                "durationMs=2000 aborted=false",
            ),
            _journal(
                "06:22:13",
                f"[diagnostic] lane task error: lane={direct} durationMs=61234 "
                'error="SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
                f'pid=4242 alive=true ageMs=70312 {linux}.lock"',
            ),
            _journal(
                "06:22:20",
                f'[diagnostic] lane task error: lane={direct} durationMs=85716 error="{takeover}{linux}"',
            ),
            _journal(
                "06:23:01",
                f"[diagnostic] lane task error: lane={slack} durationMs=1200 "
                'error="SessionWriteLockStaleError: session file lock stale (too-old): pid=4242 '
                f'alive=true ageMs=1830112 {mac}.lock (auth {API_KEY} for {EMAIL} from {LAN_IP})"',
            ),
            _journal(
                "06:23:05",
                f'[diagnostic] lane task error: lane={slack} durationMs=4000 error="{takeover}{mac}"',
            ),
        ]
    )
    tslog = _tslog(
        "06:23:30",
        f'lane task error: lane={group} durationMs=4100 error="Error: session file locked '
        f'(timeout 60000ms): owner=unknown ageMs=4100 {WINDOWS_FILE}.lock"',
    ) + _tslog(
        "06:23:34",
        f'lane task error: lane={group} durationMs=5000 error="{takeover}{WINDOWS_FILE}"',
    )
    bundle = root / "bundle"
    (bundle / SHORT_HOST).mkdir(parents=True)
    (bundle / SHORT_HOST / "journal.txt").write_text(journal, encoding="utf-8")
    (bundle / SHORT_HOST / "openclaw-2026-05-28.log").write_text(tslog, encoding="utf-8")
    return bundle


def render(bundle: Path, out: Path, fmt: ReportFormat, *flags: str) -> str:
    target = out / f"report.{fmt.value}"
    result = CliRunner().invoke(
        app,
        ["report", str(bundle), "-f", fmt.value, "--evidence", "-o", str(target), *flags],
        env={"SOURCE_DATE_EPOCH": FIXED_EPOCH},
    )
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    target.unlink()
    return text


REDACT = ("--redact", "--redact-key", "fixed", "--redact-ids")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(tmp_path_factory.mktemp("redaction"))


@pytest.fixture(scope="module")
def redacted(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[ReportFormat, str]:
    out = tmp_path_factory.mktemp("out")
    return {fmt: render(bundle, out, fmt, *REDACT) for fmt in ReportFormat}


def test_the_planted_identifiers_reach_an_unredacted_report(bundle: Path, tmp_path: Path) -> None:
    """Without --redact the JSON with evidence names every identifier (so the search means something)."""
    text = render(bundle, tmp_path, ReportFormat.JSON)
    doc = json.loads(text)
    assert len(doc["incidents"]) == 1
    assert doc["counts"]["takeover"] == 3
    flat = json.dumps(doc, ensure_ascii=False)
    assert [i for i in IDENTIFIERS if i not in flat] == []


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_no_identifier_survives_redaction(
    fmt: ReportFormat, redacted: dict[ReportFormat, str]
) -> None:
    """With --redact --redact-ids, no planted identifier (or a telling piece of one) is in the output."""
    text = redacted[fmt]
    variants = [text, "".join(text.splitlines())]  # the terminal folds long lines
    if fmt is ReportFormat.JSON:
        variants.append(json.dumps(json.loads(text), ensure_ascii=False))  # undo \\ escaping
    leaked = sorted({i for i in IDENTIFIERS for v in variants if i in v})
    assert leaked == []


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_the_report_states_what_was_redacted(
    fmt: ReportFormat, redacted: dict[ReportFormat, str]
) -> None:
    """Every format says how many distinct values of each kind were rewritten."""
    counts = "email 1, host 1, id 4, ip 1, peer 4, secret 1, user 3"
    if fmt is ReportFormat.JSON:
        assert json.loads(redacted[fmt])["redaction"] == {
            "email": 1, "host": 1, "id": 4, "ip": 1, "peer": 4, "secret": 1, "user": 3,
        }  # fmt: skip
    else:
        assert re.search(rf"[Rr]edacted \(distinct values\): {counts}", redacted[fmt])


def test_the_same_key_gives_the_same_report(
    bundle: Path, tmp_path: Path, redacted: dict[ReportFormat, str]
) -> None:
    """A second run with the same --redact-key is byte-identical; another key changes the pseudonyms."""
    again = render(bundle, tmp_path, ReportFormat.MARKDOWN, *REDACT)
    assert again == redacted[ReportFormat.MARKDOWN]
    other = render(
        bundle, tmp_path, ReportFormat.MARKDOWN, "--redact", "--redact-key", "other", "--redact-ids"
    )
    assert other != again
    assert re.findall(r"peer-[0-9a-f]{8}", other) != re.findall(r"peer-[0-9a-f]{8}", again)
