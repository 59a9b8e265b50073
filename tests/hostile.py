"""A small bundle whose every report-bound field carries hostile text.

The lines are OpenClaw-realistic (console, tslog JSON and journald envelopes)
so the signatures fire.  What each field may hold is bounded by what parses:

* agent from a path (`/agents/<agent>/sessions/`): no `/`, `\\`, whitespace;
  `<`/`>` would mark it a redaction placeholder and drop it;
* agent from a lane key (`agent:<agent>:`): no `:`, whitespace or `"`;
* lock paths: no `"` or `|`; session ids (file names): no `/`;
* hosts (journald) and lanes: no whitespace.

Everything else (spaces, `<img src=x onerror=...>`, `[bold red]`, `|`) rides
in the lock path's folders and in text after it, which reaches evidence.
"""

from __future__ import annotations

import json

from lockforensics.findings import Findings, Settings
from lockforensics.pipeline import analyze
from tests.conftest import ingest_files

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"
IMG_TIGHT = "<img/src=x/onerror=alert(1)>"  # the same tag without spaces, for \S+ fields
MD_LINK = "[x](http://evil)"
MD_IMAGE = "![x](http://evil/p.png)"
RICH = "[bold red]x[/]"
ANSI = "\x1b[31m"
OSC_LINK = "\x1b]8;;http://evil\x07"  # terminal hyperlink escape
BIDI = "\u202e"
CONTROLS = "\x07\x08\x0b"
FENCE = "```"

#: Path-derived agent: mentions, backticks, an image, rich markup, an entity, bidi.
AGENT_PATH = f"@everyone`x`![i](p.png)[red]x{BIDI}&commat;all"
#: Lane-derived agent: a team mention, a table breaker, a fence, closing markup, ANSI.
AGENT_KEY = f"@org/team|{FENCE}[red]y[/red]{ANSI}"
#: A session id (file name) with an image, a backtick and a mention.
SESSION_HOSTILE = "![s](e.png)`@here"
S1 = "11111111-2222-4333-8444-555555555555"
S2 = "22222222-3333-4444-8555-666666666666"
HOST = f"@everyone{IMG_TIGHT}[red]h{ANSI}"
SOURCE = f"{FENCE}|@everyone{MD_LINK}{SCRIPT}.log"  # an input named by an attacker
TRAIL = (
    f" {SCRIPT} {IMG} {MD_LINK} {MD_IMAGE} @everyone @org/team | {FENCE} {RICH} "
    f"{ANSI}red{OSC_LINK}link {BIDI}evil {CONTROLS}"
)

#: Hostile values as they reach Findings (agents, hosts, session ids, sources).
FIELDS = (AGENT_PATH, AGENT_KEY, SESSION_HOSTILE, HOST, SOURCE)


def _lock_error(agent: str, session: str, home: str) -> str:
    lane = f"session:agent:{agent}:telegram:direct:{IMG_TIGHT}{SCRIPT}"
    path = f"/home/{home}/.openclaw/agents/{agent}/sessions/{session}.jsonl.lock"
    return (
        f'lane task error: lane={lane} durationMs=1 error="session file locked '
        f'(timeout 60000ms): pid=7 alive=true ageMs=9 {path}{TRAIL}"'
    )


def _takeover(agent: str, session_file: str) -> str:
    return (
        f"lane task error: lane=session:agent:{agent}:main durationMs=1 "
        'error="EmbeddedAttemptSessionTakeoverError: session file changed while embedded '
        f'prompt lock was released: {session_file}{TRAIL}"'
    )


def _console(second: int, message: str) -> str:
    return f"2026-05-28T06:22:{second:02d}.451+02:00 [diagnostic] {message}"


def files() -> dict[str, str]:
    """The bundle: a console capture, a tslog file log and a journal capture."""
    home = f"{RICH}{IMG}"
    console = [
        _console(13, _lock_error(AGENT_PATH, S1, home)),
        _console(
            15,
            _takeover(
                AGENT_PATH, f"/home/{home}/.openclaw/agents/{AGENT_PATH}/sessions/{S1}.jsonl"
            ),
        ),
        _console(17, _lock_error(AGENT_PATH, SESSION_HOSTILE, "u")),
        _console(
            19,
            f'lane task error: lane=session:agent:{AGENT_KEY}:main durationMs=1 error="session '
            f"file locked (timeout 60000ms): pid=7 alive=true ageMs=9 /tmp/{IMG}/{S2}.jsonl.lock"
            f'{TRAIL}"',
        ),
        _console(20, _takeover(AGENT_KEY, f"/tmp/{RICH}/{S2}.jsonl")),
    ]
    # JSON-escaped control characters survive the scanner's stripping of raw
    # terminal codes (colours, titles, links), so these reach the reporters as
    # real ESC/bidi characters.
    tslog = json.dumps(
        {
            "0": json.dumps({"subsystem": "diagnostic"}),
            "1": _lock_error(AGENT_PATH, S1, "u"),
            "_meta": {
                "date": "2026-05-28T04:22:21.451Z",
                "logLevelName": "ERROR",
                "hostname": f"gw{IMG_TIGHT}{ANSI}{OSC_LINK}{BIDI}",
            },
            "time": "2026-05-28T06:22:21.451+02:00",
        }
    )
    journal = f"2026-05-28T06:22:23+02:00 {HOST} node[4242]: " + _console(
        23, _lock_error(AGENT_PATH, S1, "u")
    )
    return {
        SOURCE: "\n".join(console) + "\n",
        "tmp/openclaw-2026-05-28.log": tslog + "\n",
        "journal.txt": journal + "\n",
    }


def findings() -> Findings:
    """The hostile bundle, correlated."""
    return analyze(ingest_files(files()), Settings())
