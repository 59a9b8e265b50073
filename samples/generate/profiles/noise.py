"""A pool of pre-rendered background lines (inbound channel messages and the like).

Rendered once with sentinels where the time goes, then cycled: a padded line
costs a few string concatenations, not a ``json.dumps``.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from samples.generate.clock import MS3, TimeFormatter
from samples.generate.epochs import EPOCHS
from samples.generate.profiles.base import PadLine
from samples.generate.records import Timeline
from samples.generate.render import dumps_line, file_obj
from samples.generate.scenario import TELEGRAM_BOT, WHATSAPP_PEERS, WHATSAPP_SELF
from samples.generate.sessions import Session
from samples.generate.shapes import rate_limit_decision
from samples.generate.sources.journal import node_tag

UTC_SENTINEL: Final = "@@UTC@@"
LOC_SENTINEL: Final = "@@LOC@@"
NOISE_POOL_SIZE: Final = 3001  # prime, so the cycle never lines up with anything periodic


@dataclass(frozen=True, slots=True)
class NoiseEntry:
    before_utc: str
    between: str
    after_loc: str
    console: str


def build_noise_pool(seed: int, sessions: dict[tuple[str, str], Session]) -> list[NoiseEntry]:
    rng = random.Random(f"{seed}:noise")
    tg = [s for s in sessions.values() if s.key.split(":")[2] == "telegram"]
    all_sessions = list(sessions.values())
    pool: list[NoiseEntry] = []
    tl = Timeline()
    for _ in range(NOISE_POOL_SIZE):
        roll = rng.random()
        meta: dict[str, Any] | None = None
        if roll < 0.70:
            s = rng.choice(tg)
            chars = rng.randrange(3, 700)
            if ":group:" in s.key:
                text = (
                    f"Inbound message {s.key.split(':', 2)[2]} -> {TELEGRAM_BOT} "
                    f"(group, {chars} chars)"
                )
            else:
                text = (
                    f"Inbound message telegram:{s.key.rsplit(':', 1)[1]} -> {TELEGRAM_BOT} "
                    f"(direct, {chars} chars)"
                )
            level, sub = "INFO", "gateway/channels/telegram"
        elif roll < 0.96:
            text = (
                f"Inbound message {rng.choice(WHATSAPP_PEERS)} -> {WHATSAPP_SELF} "
                f"(direct, {rng.randrange(2, 400)} chars)"
            )
            level, sub = "INFO", "gateway/channels/whatsapp"
        elif roll < 0.99:
            s = rng.choice(all_sessions)
            text = (
                f"lane wait exceeded: lane={s.lane} waitedMs={rng.randrange(2100, 45000)} "
                f"queueAhead={rng.randrange(1, 5)}"
            )
            level, sub = "WARN", "diagnostic"
        else:
            meta = rate_limit_decision(rng)
            text, level, sub = "model fallback decision", "WARN", "model-fallback/decision"
        tl.add(0, level, sub, text, meta)
        rec = tl.recs[-1]
        line = dumps_line(file_obj(rec, UTC_SENTINEL, LOC_SENTINEL))
        head, rest = line.split(UTC_SENTINEL)
        mid, tail = rest.split(LOC_SENTINEL)
        assert rec.console is not None
        assert line.isascii()  # byte length == len(str) in the hot loop
        pool.append(NoiseEntry(head, mid, tail, rec.console))
    return pool


def render_noise(entry: NoiseEntry, ts: int, tf: TimeFormatter, to_journal: bool) -> PadLine:
    """One pool entry stamped at ``ts``."""
    sec = ts // 1000
    up, lp, off, stamp, _ = tf.parts(sec)
    ms3 = MS3[ts - sec * 1000]
    loc = lp + ms3 + off
    line = entry.before_utc + up + ms3 + "Z" + entry.between + loc + entry.after_loc + "\n"
    journal = stamp + node_tag(ts) + loc + " " + entry.console + "\n" if to_journal else None
    return ts, line, journal


def noise_times(start: int, end: int, n: int, seed: int) -> Iterator[int]:
    """n monotonic, evenly spread instants in [start, end) with small deterministic jitter.

    Instants between process A's exit and process B's first line are left out.
    """
    if n <= 0:
        return
    span = end - start
    step = span // n
    rng = random.Random(f"{seed}:jitter")
    jitter = [rng.randrange(0, max(1, step // 2)) for _ in range(997)]
    for i in range(n):
        t = start + (i * span) // n + jitter[i % 997]
        if EPOCHS.alive(t):
            yield t


def line_sizes(pool: list[NoiseEntry]) -> tuple[float, float]:
    """Average bytes of one pool line in the file log and in the journal."""
    stamps = 24 + 29 + 1  # UTC stamp, local stamp, newline
    file_avg = sum(len(e.before_utc) + len(e.between) + len(e.after_loc) for e in pool) / len(pool)
    journal_avg = sum(len(e.console) for e in pool) / len(pool)
    journal_avg += len(f"May 28 06:22:13{node_tag(0)}") + 29 + 2
    return file_avg + stamps, journal_avg
