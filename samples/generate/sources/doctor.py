"""`openclaw doctor` run during burst 1: its "Session locks" clack note (formats doc §4.2)."""

from __future__ import annotations

import re
from typing import Final

from samples.generate.clock import capture_stamp, ms_of
from samples.generate.records import Occurrence
from samples.generate.scenario import (
    DOCTOR_AT,
    DOCTOR_LOCKS,
    GATEWAY_PORT,
    HOME,
    LOCK_STALE_MS,
    PID_A,
    SYSTEMD_UNIT,
)
from samples.generate.sources.context import SourceContext

NOTE_WIDTH: Final = 70  # clack note word-wrap width on an 80-column terminal
NOTE_INNER: Final = 78  # clack box inner width: longer lines split at a path separator


def wrap_note_line(line: str) -> list[str]:
    """wrapLine() + splitOversizedCopySensitiveLine() of packages/terminal-core/src/note.ts."""
    if not line.strip():
        return [line]
    m = re.match(r"^(\s*)([-*•]\s+)?(.*)$", line)
    assert m is not None
    indent, bullet, content = m[1], m[2] or "", m[3]
    prefix, next_prefix = indent + bullet, indent + " " * len(bullet)
    available, next_width = (
        max(10, NOTE_WIDTH - len(prefix)),
        max(10, NOTE_WIDTH - len(next_prefix)),
    )
    wrapped: list[str] = []
    current = ""
    for word in content.split():
        if current and len(f"{current} {word}") > available:
            wrapped.append(prefix + current)
            prefix, available, current = next_prefix, next_width, word
        else:
            current = f"{current} {word}" if current else word  # paths stay whole
    wrapped.append(prefix + current)
    out: list[str] = []
    for piece in wrapped:
        lead = piece[: len(piece) - len(piece.lstrip())]
        rest = piece[len(lead) :]
        while len(lead + rest) > NOTE_INNER:
            cut = rest[:NOTE_INNER].rfind("/") + 1 or NOTE_INNER
            out.append(lead + rest[:cut])
            rest = rest[cut:]
        out.append(lead + rest)
    return out


def clack_note(title: str, message: list[str]) -> list[str]:
    """@clack/prompts note(): a titled box, drawn even when stdout is not a terminal."""
    body = ["", *(w for line in message for w in wrap_note_line(line)), ""]
    width = max(*(len(b) for b in body), len(title)) + 2
    return [
        "│",
        f"◇  {title} {'─' * max(width - len(title) - 1, 1)}╮",
        *(f"│  {b}{' ' * (width - len(b))}│" for b in body),
        f"├{'─' * (width + 2)}╯",
    ]


def write(ctx: SourceContext) -> dict[str, int]:
    """`openclaw doctor` during burst 1 (src/commands/doctor-session-locks.ts)."""
    at = ms_of(DOCTOR_AT)
    locks = sorted(
        (
            (ctx.sessions[(agent, slot)].lock_path.replace(HOME, "~", 1), age)
            for agent, slot, age in DOCTOR_LOCKS
        ),
    )
    bullets = [f"- Found {len(locks)} session lock files."]
    stale = 0
    for path, age in locks:
        seconds = age // 1000
        age_text = (
            f"{seconds // 60}m{seconds % 60}s"
            if seconds < 3600
            else f"{seconds // 3600}h{seconds % 3600 // 60}m"
        )
        if age > LOCK_STALE_MS:
            stale += 1
            state = "stale=yes (too-old)"
        else:
            state = "stale=no"
        bullets.append(f"- {path} pid={PID_A} (alive) age={age_text} {state}")
        ctx.timeline.occ.append(Occurrence("doctor_lock", at))
    bullets.append(
        f"- {stale} lock file is stale." if stale == 1 else f"- {stale} lock files are stale."
    )
    bullets.append('- Run "openclaw doctor --fix" to remove stale lock files automatically.')
    lines = [
        "┌  OpenClaw doctor",
        *clack_note(
            "Gateway",
            [
                f"Gateway service: systemd user unit {SYSTEMD_UNIT} (running, pid {PID_A})",
                f"Gateway: ws://127.0.0.1:{GATEWAY_PORT} (reachable)",
            ],
        ),
        *clack_note("Session locks", bullets),
        "│",
        "└  Doctor complete.",
    ]
    directory = ctx.out / "doctor"
    directory.mkdir(parents=True)
    name = f"doctor-{capture_stamp(DOCTOR_AT)}.txt"
    (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    return {f"doctor/{name}": len(lines)}


# Safe keys and redactions of src/logging/diagnostic-support-export.ts and
