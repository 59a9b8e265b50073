"""The "Session locks" section of ``openclaw doctor`` (openclaw-formats §4.2).

``src/commands/doctor-session-locks.ts`` prints it through clack's ``note()``,
inside a box even when piped, word-wrapped at 70 columns: a long lock path
is split at a ``/`` and the rest of its line continues underneath::

    ◇  Session locks ─────────────────────────────────────────╮
    │                                                         │
    │  - Found 2 session lock files.                          │
    │  - ~/.openclaw/agents/main/sessions/                    │
    │  80b5c956-0a1e-4051-a456-dcf324444725.jsonl.lock        │
    │    pid=50418 (alive) age=13s stale=no                   │
    ├─────────────────────────────────────────────────────────╯

Each lock line becomes one ``doctor_lock`` event.  The rest of a doctor run
(its other sections) is accepted as noise.
"""

from __future__ import annotations

import re
from typing import Any

from lockforensics.parsing.documents.model import Document, Parsed, event
from lockforensics.parsing.documents.timing import document_time, stamp_line
from lockforensics.parsing.fields import int_field
from lockforensics.parsing.timestamps import Stamp
from lockforensics.schema import EventKind

# clack's box and step glyphs (and ASCII stand-ins) around a note's lines.
_BOX_LEFT = re.compile(r"^[\s│┃|◇◆●○◒◐◓◑▲■□┌┐└┘├┤╭╮╰╯─━+*]*")
_BOX_RIGHT = re.compile(r"[\s│┃|╮╯╰─━]*$")
_TITLE = "Session locks"
_TITLE_MARK = re.compile(r"^\s*[◇◆●○◒◐◓◑▲■□┌├└╭]")
_LOCK = re.compile(
    r"^- (?P<lock_path>.+?) (?:pid=missing|pid=(?P<pid>\d+) \((?P<alive>alive|dead)\)) "
    r"age=(?P<age>unknown|\d+s|\d+m\d+s|\d+h\d+m) "
    r"(?:stale=no|stale=yes \((?P<reasons>[^)]*)\))(?P<removed> \[removed\])?$"
)
_SUMMARY = re.compile(
    r"^- (?:Found \d+ session lock files?\.|\d+ lock files? (?:is|are) stale\."
    r"|Run \"openclaw doctor --fix\" to remove stale lock files automatically\."
    r"|Removed \d+ stale session lock files?\.|Failed to inspect session lock files: .*)$"
)
# A box line whose text runs to the border (one space, then the border).
_FULL = re.compile(r"\S [│┃|]\s*$")
_AGE = re.compile(r"(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?")
_SNIFF_TITLE = re.compile(r"(?m)^[^\n]{0,6}Session locks")
_SNIFF_FOUND = re.compile(r"- Found \d+ session lock files?\.")
#: clack's intro of a doctor run (`┌  OpenClaw doctor`): a lease-era run has
#: no "Session locks" note (its locks are SQLite leases), and is a run all the
#: same, timed by the `date` before it (Z210: untimed, its version lost).
_INTRO = re.compile(r"(?m)^[┌╭+*◇]\s+OpenClaw doctor\s*$")


def sniff(name: str, head: str) -> bool:
    return bool(_SNIFF_TITLE.search(head) and _SNIFF_FOUND.search(head)) or bool(
        _INTRO.search(head)
    )


def _unbox(line: str) -> str:
    return _BOX_RIGHT.sub("", _BOX_LEFT.sub("", line))


def parse(doc: Document) -> Parsed | None:
    out = Parsed()
    run = 0
    stamp: Stamp | None = None
    in_section = False
    introduced = False  # a run's intro seen, its "Session locks" note not yet
    bullet: list[tuple[int, str, bool]] = []  # one logical bullet: its physical lines
    when: dict[str, Any] = {}

    def finish() -> None:
        if bullet:
            _bullet(bullet, when, run, out)
            bullet.clear()

    for number, text in enumerate(doc.lines, start=1):
        line = _unbox(text)
        if (found := stamp_line(line)) is not None:
            finish()
            stamp, in_section = found, False
            out.known_lines.add(number)
            continue
        if _INTRO.match(text.rstrip()):
            finish()
            run += 1
            when = document_time(doc.name, stamp)
            stamp, in_section, introduced = None, False, True
            out.known_lines.add(number)
            continue
        if line == _TITLE or line.startswith(_TITLE + " "):
            finish()
            if not introduced:  # a note of the run its intro began, else a run of its own
                run += 1
                when = document_time(doc.name, stamp)
            stamp, in_section, introduced = None, True, False
            out.known_lines.add(number)
            continue
        if not in_section:
            continue
        if _TITLE_MARK.match(text):
            finish()
            in_section = False  # the next section's title, or the box's end
            continue
        if not line:
            # The box's blank lines; a blank outside a box ends a plain-text section.
            finish()
            in_section = bool(text.strip())
            continue
        full = bool(_FULL.search(text))
        if line.startswith("- "):
            finish()
            bullet.append((number, line, full))
        elif bullet:
            bullet.append((number, line, full))  # a wrapped continuation
        else:
            out.unrecognized.add(number)
    finish()
    return out if run else None


def _bullet(
    parts: list[tuple[int, str, bool]], when: dict[str, Any], run: int, out: Parsed
) -> None:
    text = _joined(parts)
    numbers = [n for n, _, _ in parts]
    if _SUMMARY.match(text):
        out.known_lines.update(numbers)
        return
    m = _LOCK.match(text)
    if m is None:
        out.unrecognized.update(numbers)
        return
    out.event_lines.update(numbers)
    reasons = m["reasons"]
    out.rows.append(
        event(
            EventKind.DOCTOR_LOCK.value,
            numbers[0],
            "\n".join(line for _, line, _ in parts),
            when,
            message=text,
            doc_run=run,
            lock_path=m["lock_path"],
            pid=int_field(m["pid"]),
            owner_alive=None if m["alive"] is None else m["alive"] == "alive",
            age_ms=_age_ms(m["age"]),
            stale=reasons is not None,
            stale_reasons=[r.strip() for r in reasons.split(",") if r.strip()] if reasons else [],
            removed=m["removed"] is not None,
        )
    )


def _joined(parts: list[tuple[int, str, bool]]) -> str:
    """A bullet's physical lines as the one line doctor wrote.

    clack wraps at spaces and splits a path after a separator; a name longer than
    what is left of the box (a transcript's uuid) it cuts where the box ends, so
    a piece that fills its line to the border and is followed by the rest of a
    lock file's name goes on with no space."""
    text, full = parts[0][1], parts[0][2]
    for _, more, more_full in parts[1:]:
        glue = text.endswith(("/", "\\")) or (full and _name_runs_on(text, more))
        text = text + more if glue else text + " " + more
        full = more_full
    return text


def _name_runs_on(text: str, more: str) -> bool:
    """Whether the cut fell inside a lock path's last name: ``text`` holds a path and
    ``more`` begins with the rest of a ``.lock`` file's name, no separator in it."""
    head = more.split(" ", 1)[0]
    return (
        head.endswith(".lock")
        and not any(sep in head for sep in ("/", "\\"))
        and any(sep in text for sep in ("/", "\\"))
    )


def _age_ms(text: str) -> int | None:
    m = _AGE.fullmatch(text)
    if text == "unknown" or m is None:
        return None
    h, mi, s = (int_field(m[k]) if m[k] else 0 for k in ("h", "m", "s"))
    if h is None or mi is None or s is None:  # more digits than any age has
        return None
    total = ((h * 60 + mi) * 60 + s) * 1000
    return total if total < 1 << 63 else None
