"""`systemctl --user status openclaw-gateway`, captured while process A was wedged."""

from __future__ import annotations

from samples.generate.clock import capture_stamp, local_dt, ms_of
from samples.generate.epochs import EPOCHS
from samples.generate.records import Occurrence
from samples.generate.scenario import (
    OPENCLAW_VERSION,
    PID_A,
    STATE_DIR,
    SYSTEMCTL_AT,
    SYSTEMCTL_TAIL,
    SYSTEMD_UNIT,
)
from samples.generate.sources.context import SourceContext


def systemd_ago(ms: int) -> str:
    """format_timestamp_relative() of systemd for spans of a week or more."""
    days = ms // 86_400_000
    weeks, days = divmod(days, 7)
    return f"{weeks} week{'s' if weeks != 1 else ''} {days} day{'s' if days != 1 else ''} ago"


def write(ctx: SourceContext) -> dict[str, int]:
    """`systemctl --user status openclaw-gateway` while A was wedged: its journal tail
    repeats lines of journal/openclaw-gateway.txt (an overlapping copy)."""
    at = ms_of(SYSTEMCTL_AT)
    since = local_dt(EPOCHS.a_start)
    tail = [r.journal_line for r in ctx.rendered if r.journal_line and r.ts <= at][-SYSTEMCTL_TAIL:]
    unit = f"{STATE_DIR.rsplit('/', 1)[0]}/.config/systemd/user/{SYSTEMD_UNIT}"
    lines = [
        f"● {SYSTEMD_UNIT} - OpenClaw Gateway (v{OPENCLAW_VERSION})",
        f"     Loaded: loaded ({unit}; enabled; preset: enabled)",
        f"     Active: active (running) since {since:%a %Y-%m-%d %H:%M:%S %Z}; "
        f"{systemd_ago(at - EPOCHS.a_start)}",
        f"   Main PID: {PID_A} (node)",
        "      Tasks: 23 (limit: 38169)",
        "     Memory: 1.2G (peak: 1.9G)",
        "        CPU: 6h 41min 12.904s",
        f"     CGroup: /user.slice/user-1000.slice/user@1000.service/app.slice/{SYSTEMD_UNIT}",
        f"             └─{PID_A} openclaw-gateway",
        "",
        *tail,
    ]
    directory = ctx.out / "host"
    directory.mkdir(parents=True)
    name = f"systemctl-status-{capture_stamp(SYSTEMCTL_AT)}.txt"
    (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8", newline="\n")
    ctx.timeline.occ.append(Occurrence("uptime", at))
    return {f"host/{name}": len(lines)}
