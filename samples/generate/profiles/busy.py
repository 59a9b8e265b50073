"""``busy``: a troubled gateway at debug level, every agent busy nearly every minute.

Around the same incident scenario, each agent runs embedded runs on sessions of
its own that no incident touches (so resolution and precursors are unchanged):
session state, lane enqueue/dequeue, run attempt/start, tool start/end, now and
then a lane wait, a non-lock model-fallback decision, an auto-compaction or a
non-lock lane task error, then run done, lane task done and session state idle.
Session *store* lock timeouts come on top.  About half the padding is such
lines; the other half is inbound channel traffic, so that with the scenario at
least 40 % of all lines are run/lane/fallback/store-lock/compaction lines.

Lines are rendered once per session and shape as %-templates (``render.py``'s
own JSON with slots for the stamps and ids) and filled in per line, which keeps
1 GB within about a minute.  Every run, tool call, compaction and store-lock
timeout it adds is counted into the ground truth.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass
from string import ascii_letters
from typing import Any, Final

from samples.generate.clock import MS3, TimeFormatter, day_bounds
from samples.generate.epochs import EPOCHS
from samples.generate.profiles.base import PaddingTruth, PadLine, Profile
from samples.generate.profiles.noise import LOC_SENTINEL, UTC_SENTINEL, build_noise_pool
from samples.generate.records import Timeline
from samples.generate.render import dumps_line, file_obj
from samples.generate.scenario import (
    AGENTS,
    DAYS,
    FALLBACK_MODEL,
    JOURNAL_DAY,
    STATE_DIR,
    STORE_LOCK_TIMEOUT_MESSAGE,
    WHATSAPP_PEERS,
)
from samples.generate.sessions import Session, model_of, new_uuid
from samples.generate.shapes import RATE_LIMIT_PREVIEW, fallback_decision
from samples.generate.share import is_busy
from samples.generate.sizes import parse_size
from samples.generate.sources.context import SourceContext
from samples.generate.sources.journal import node_tag

MINUTE_MS: Final = 60_000
BUSY_SHARE: Final = 0.6  # of padding lines; the rest is inbound channel traffic
MIN_SESSIONS: Final = 4  # padding sessions per agent (more when runs are denser)
SAMPLE_UNITS: Final = 600  # runs rendered up front to measure bytes per run
# A run starts in its minute's first 5 s and ends 53 s in at the latest, so
# runs on one session lane never overlap and never cross a minute.
START_JITTER_MS: Final = 5000
RUN_MS: Final = (2500, 48000)
TOOLS: Final = (("read", 30), ("exec", 22), ("edit", 10), ("write", 6), ("web_fetch", 8))
FALLBACKS: Final = (  # (reason, status, errorPreview): candidate failures that are not locks
    ("rate_limit", 429, RATE_LIMIT_PREVIEW),
    ("overloaded", 529, "529 overloaded_error: Overloaded"),
    ("timeout", 408, "LLM request timed out."),
)
LANE_ERRORS: Final = (
    "FailoverError: LLM request timed out.",
    "Error: 529 overloaded_error: Overloaded",
)
P_WAIT, P_FALLBACK, P_COMPACTION, P_ERROR = 0.15, 0.12, 0.05, 0.06
STORE_LOCKS_PER_RUN: Final = 0.04  # at most one per agent-minute, so never two within 5 s

# Slots of a template: stamps, then the per-run values.  Sentinels are ASCII that
# json.dumps keeps as they are.
SLOTS: Final = {
    UTC_SENTINEL: "u",
    LOC_SENTINEL: "l",
    "@@J@@": "j",  # journal stamp
    "@@N@@": "n",  # " <host> node[<pid>]: "
    "@@R@@": "r",  # run id
    "@@C@@": "c",  # tool call id
    "@@D@@": "d",  # run durationMs
    "@@G@@": "g",  # global lane durationMs
    "@@H@@": "h",  # session lane durationMs
    "@@W@@": "w",  # lane waitedMs
}


def _slotted(text: str) -> str:
    text = text.replace("%", "%%")
    for sentinel, name in SLOTS.items():
        text = text.replace(sentinel, f"%({name})s")
    return text


@dataclass(frozen=True, slots=True)
class Template:
    """One line shape: file-log and journal %-templates, and whether it is a busy line."""

    file: str
    journal: str | None
    busy: bool


def template(
    level: str, subsystem: str, message: str, meta: dict[str, Any] | None = None
) -> Template:
    """Render one record the way the scenario does, with slots where values vary."""
    tl = Timeline()
    tl.add(0, level, subsystem, message, meta)
    rec = tl.recs[-1]
    line = dumps_line(file_obj(rec, UTC_SENTINEL, LOC_SENTINEL))
    assert line.isascii()  # byte length == len(str) in the write loop
    journal = None
    if rec.console is not None:
        journal = _slotted(f"@@J@@@@N@@{LOC_SENTINEL} {rec.console}\n")
    return Template(_slotted(line + "\n"), journal, is_busy(message))


@dataclass(frozen=True, slots=True)
class SessionShapes:
    """Every line of a run on one padding session."""

    state_busy: Template
    state_idle: Template
    enqueue: tuple[Template, Template]  # session lane, global lane
    dequeue: tuple[Template, Template]
    wait: Template
    attempt: Template
    start: Template
    done: Template
    task_done: tuple[Template, Template]  # global lane, session lane
    errors: tuple[tuple[Template, Template], ...]  # per LANE_ERRORS: global, session lane


def session_shapes(s: Session) -> SessionShapes:
    provider, model = model_of(s.agent)
    ids = f"sessionId={s.session_id} sessionKey={s.key}"
    lanes = (s.lane, s.global_lane)
    return SessionShapes(
        state_busy=template(
            "DEBUG",
            "diagnostic",
            f'session state: {ids} prev=idle new=processing reason="message" queueDepth=0',
        ),
        state_idle=template(
            "DEBUG",
            "diagnostic",
            f'session state: {ids} prev=processing new=idle reason="run_completed" queueDepth=0',
        ),
        enqueue=tuple(  # type: ignore[arg-type]
            template("DEBUG", "diagnostic", f"lane enqueue: lane={lane} queueSize=1")
            for lane in lanes
        ),
        dequeue=tuple(  # type: ignore[arg-type]
            template("DEBUG", "diagnostic", f"lane dequeue: lane={lane} waitMs=2 queueSize=0")
            for lane in lanes
        ),
        wait=template(
            "WARN",
            "diagnostic",
            f"lane wait exceeded: lane={s.lane} waitedMs=@@W@@ queueAhead=1",
        ),
        attempt=template("DEBUG", "diagnostic", f"run attempt: {ids} runId=@@R@@ attempt=1"),
        start=template(
            "DEBUG",
            "agent/embedded",
            f"embedded run start: runId=@@R@@ sessionId={s.session_id} provider={provider} "
            f"model={model} thinking=medium messageChannel={s.channel}",
        ),
        done=template(
            "DEBUG",
            "agent/embedded",
            f"embedded run done: runId=@@R@@ sessionId={s.session_id} durationMs=@@D@@ "
            "aborted=false",
        ),
        task_done=(
            template(
                "DEBUG",
                "diagnostic",
                f"lane task done: lane={s.global_lane} durationMs=@@G@@ active=0 queued=0",
            ),
            template(
                "DEBUG",
                "diagnostic",
                f"lane task done: lane={s.lane} durationMs=@@H@@ active=0 queued=0",
            ),
        ),
        errors=tuple(
            (
                template(
                    "ERROR",
                    "diagnostic",
                    f'lane task error: lane={s.global_lane} durationMs=@@G@@ error="{err}"',
                ),
                template(
                    "ERROR",
                    "diagnostic",
                    f'lane task error: lane={s.lane} durationMs=@@H@@ error="{err}"',
                ),
            )
            for err in LANE_ERRORS
        ),
    )


def padding_sessions(rng: random.Random, agent: str, count: int) -> list[Session]:
    """Sessions of ``agent`` that no incident touches: DMs, channels, cron jobs."""
    out: list[Session] = []
    for i in range(count):
        kind = i % 4
        if kind == 0:
            suffix = f"telegram:direct:{rng.randrange(10**9, 10**10)}"
        elif kind == 1:
            suffix = f"slack:channel:C0{rng.randrange(16**8, 16**9):X}"
        elif kind == 2:
            suffix = f"cron:{new_uuid(rng)}"
        else:
            suffix = f"whatsapp:direct:{rng.choice(WHATSAPP_PEERS)}"
        sid = new_uuid(rng)
        out.append(Session(agent, f"pad-{i}", f"agent:{agent}:{suffix}", sid, f"{sid}.jsonl"))
    return out


# One scheduled line: (ts, seq, template, values).  seq keeps a run's lines in order.
Item = tuple[int, int, Template, dict[str, str]]


class BusyPadding:
    """Runs on every agent's padding sessions, minute by minute, plus channel traffic."""

    def __init__(self, ctx: SourceContext, add_bytes: int) -> None:
        self.seed = ctx.seed
        self.truth = PaddingTruth()
        rng = random.Random(f"{ctx.seed}:busy")
        self.run_prefix = new_uuid(rng)[:24]
        self.call_prefix = "toolu_01" + "".join(rng.choice(ascii_letters) for _ in range(10))
        self._seq = itertools.count()
        self.fillers = [
            Template(
                _slotted(e.before_utc + UTC_SENTINEL + e.between + LOC_SENTINEL + e.after_loc)
                + "\n",
                _slotted(f"@@J@@@@N@@{LOC_SENTINEL} {e.console}\n"),
                is_busy(e.console),
            )
            for e in build_noise_pool(ctx.seed, ctx.sessions)
        ]
        self.tool_start, self.tool_end = (
            {
                name: template(
                    "DEBUG",
                    "agent/embedded",
                    f"embedded run tool {edge}: runId=@@R@@ tool={name} toolCallId=@@C@@",
                )
                for name, _ in TOOLS
            }
            for edge in ("start", "end")
        )
        self.tool_names = [n for n, _ in TOOLS]
        self.tool_weights = [w for _, w in TOOLS]
        self.compaction = {
            reason: (
                template(
                    "DEBUG",
                    "agent/embedded",
                    "embedded run auto-compaction start",
                    {"event": "embedded_run_compaction_start", "reason": reason, "runId": "@@R@@"},
                ),
                template(
                    "DEBUG",
                    "agent/embedded",
                    "embedded run auto-compaction complete",
                    {
                        "event": "embedded_run_compaction_end",
                        "runId": "@@R@@",
                        "reason": reason,
                        "completed": True,
                        "compactionCount": 1,
                        "willRetry": True,
                    },
                ),
            )
            for reason in ("threshold", "overflow")
        }
        self.fallback = {
            agent: [
                template(
                    "WARN",
                    "model-fallback/decision",
                    "model fallback decision",
                    fallback_decision(
                        "@@R@@",
                        agent,
                        model_of(agent),
                        attempt=1,
                        total=2,
                        reason=reason,
                        status=status,
                        preview=preview,
                        next_candidate=FALLBACK_MODEL,
                    ),
                )
                for reason, status, preview in FALLBACKS
            ]
            for agent in AGENTS
        }
        self.store_lock = {
            agent: template(
                "ERROR",
                "gateway/channels/telegram",
                STORE_LOCK_TIMEOUT_MESSAGE.format(
                    store_lock_path=f"{STATE_DIR}/agents/{agent}/sessions/sessions.json.lock"
                ),
            )
            for agent in AGENTS
        }
        # Scenario store-lock timeouts: padding keeps 10 s away, so none folds into one.
        self.scenario_store_locks = [
            (o.agent, o.ts) for o in ctx.timeline.occ if o.kind == "store_lock_timeout"
        ]
        self.runs = 0
        self.calls = 0

        # Density: measure a sample of runs (with their share of channel traffic).
        self._plan_sessions(rng, 1)
        sample = random.Random(f"{ctx.seed}:busy-sample")
        probe: list[Item] = []
        for _ in range(SAMPLE_UNITS):
            before = len(probe)
            self._unit(probe, sample, 0, sample.choice(self.sessions[AGENTS[0]]))
            self._fill(probe, sample, 0, len(probe) - before)
        file_bytes = journal_bytes = 0
        for _, line, journal in self._render(sorted(probe, key=_order), True):
            file_bytes += len(line)
            journal_bytes += len(journal) if journal else 0
        unit_file, unit_journal = file_bytes / SAMPLE_UNITS, journal_bytes / SAMPLE_UNITS
        self.runs = self.calls = 0
        self.truth = PaddingTruth()
        minutes = {d: (day_bounds(d)[1] - day_bounds(d)[0]) // MINUTE_MS for d in DAYS}
        per_run = sum(
            minutes[d] * (unit_file + (unit_journal if d == JOURNAL_DAY else 0)) for d in DAYS
        ) / sum(minutes.values())
        runs = add_bytes / per_run
        self.density = runs / (sum(minutes.values()) * len(AGENTS))  # runs per agent-minute
        # Enough sessions that each runs in at most 80 % of minutes (one lane, one run at a time).
        self._plan_sessions(rng, max(MIN_SESSIONS, math.ceil(self.density / 0.8)))
        self.per_session = self.density / len(self.sessions[AGENTS[0]])
        self.store_lock_rate = min(1.0, self.density * STORE_LOCKS_PER_RUN)
        runs_per_minute = len(AGENTS) * self.density
        self.day_file_bytes = {d: math.ceil(minutes[d] * runs_per_minute * unit_file) for d in DAYS}

    def _plan_sessions(self, rng: random.Random, count: int) -> None:
        self.sessions = {a: padding_sessions(rng, a, count) for a in AGENTS}
        self.shapes = {s.key: session_shapes(s) for ss in self.sessions.values() for s in ss}

    def day_bytes(self, day: str) -> int:
        return self.day_file_bytes[day]

    def _unit(self, items: list[Item], rng: random.Random, minute: int, s: Session) -> None:
        """Schedule one run (and its share of channel traffic) in the minute from ``minute``."""
        shapes = self.shapes[s.key]
        t0 = minute + rng.randrange(START_JITTER_MS)
        dur = rng.randrange(*RUN_MS)
        end = t0 + dur
        self.runs += 1
        run: dict[str, str] = {
            "r": f"{self.run_prefix}{self.runs:012x}",
            "d": str(dur - 7),
            "g": str(dur),
            "h": str(dur + 2),
        }
        lines = [
            (t0, shapes.state_busy),
            (t0 + 1, shapes.enqueue[0]),
            (t0 + 2, shapes.dequeue[0]),
            (t0 + 3, shapes.enqueue[1]),
            (t0 + 4, shapes.dequeue[1]),
            (t0 + 5, shapes.attempt),
            (t0 + 7, shapes.start),
        ]
        if rng.random() < P_WAIT:
            run["w"] = str(rng.randrange(2100, 45000))
            lines.insert(2, (t0 + 2, shapes.wait))
        counts = self.truth.occurrences
        counts["run"] = counts.get("run", 0) + 1
        seq = self._seq
        for ts, shape in lines:
            items.append((ts, next(seq), shape, run))
        cursor = t0 + 900 + rng.randrange(3000)
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            tdur = rng.randrange(40, 6000)
            if cursor + tdur >= end - 500:
                break
            name = rng.choices(self.tool_names, self.tool_weights)[0]
            self.calls += 1
            call = run | {"c": f"{self.call_prefix}{self.calls:012d}"}
            items.append((cursor, next(seq), self.tool_start[name], call))
            items.append((cursor + tdur, next(seq), self.tool_end[name], call))
            self.truth.tool_calls[name] = self.truth.tool_calls.get(name, 0) + 1
            counts["tool_call"] = counts.get("tool_call", 0) + 1
            cursor += tdur + rng.randrange(300, 9000)
        if rng.random() < P_FALLBACK and cursor < end - 100:
            items.append((cursor, next(seq), rng.choice(self.fallback[s.agent]), run))
        if rng.random() < P_COMPACTION and cursor < end - 2500:
            start, complete = self.compaction[rng.choice(("threshold", "threshold", "overflow"))]
            items.append((cursor + 50, next(seq), start, run))
            items.append((cursor + 1950, next(seq), complete, run))
            counts["compaction"] = counts.get("compaction", 0) + 1
        if rng.random() < P_ERROR:
            on_global, on_session = rng.choice(shapes.errors)
            tail = [(end, on_global), (end + 5, on_session), (end + 6, shapes.state_idle)]
        else:
            tail = [
                (end, shapes.done),
                (end + 2, shapes.task_done[0]),
                (end + 3, shapes.task_done[1]),
                (end + 4, shapes.state_idle),
            ]
        for ts, shape in tail:
            items.append((ts, next(seq), shape, run))

    def lines(self, day: str, start: int, end: int, to_journal: bool) -> Iterator[PadLine]:
        rng = random.Random(f"{self.seed}:busy:{day}")
        hour = start
        while hour < end:
            items: list[Item] = []
            stop = min(hour + 60 * MINUTE_MS, end)
            for minute in range(hour, stop, MINUTE_MS):
                # The last minute of a day, and the restart gap, get no runs.
                if minute + MINUTE_MS >= end or not (
                    minute + MINUTE_MS < EPOCHS.a_end - 5000 or minute > EPOCHS.b_boot + 5000
                ):
                    continue
                self._minute(items, rng, minute)
            items.sort(key=_order)
            yield from self._render(items, to_journal)
            hour = stop

    def _minute(self, items: list[Item], rng: random.Random, minute: int) -> None:
        for agent in AGENTS:
            for s in self.sessions[agent]:
                if rng.random() < self.per_session:
                    before = len(items)
                    self._unit(items, rng, minute, s)
                    self._fill(items, rng, minute, len(items) - before)
            if rng.random() < self.store_lock_rate:
                ts = minute + rng.randrange(10000, 50000)
                if all(a != agent or abs(t - ts) > 10000 for a, t in self.scenario_store_locks):
                    items.append((ts, next(self._seq), self.store_lock[agent], {}))
                    counts = self.truth.occurrences
                    counts["store_lock_timeout"] = counts.get("store_lock_timeout", 0) + 1

    def _fill(self, items: list[Item], rng: random.Random, minute: int, run_lines: int) -> None:
        """Inbound channel traffic: as many lines as the run had, times the share ratio."""
        want = run_lines * (1 - BUSY_SHARE) / BUSY_SHARE
        n = int(want) + (rng.random() < want - int(want))
        pool = self.fillers
        for _ in range(n):
            items.append((minute + rng.randrange(MINUTE_MS), next(self._seq), rng.choice(pool), {}))

    def _render(self, items: list[Item], to_journal: bool) -> Iterator[PadLine]:
        tf = TimeFormatter()
        busy = 0
        last_sec = -1
        up = lp = off = stamp = ""
        for ts, _, shape, values in items:
            sec = ts // 1000
            if sec != last_sec:
                up, lp, off, stamp, _ = tf.parts(sec)
                last_sec = sec
            ms3 = MS3[ts - sec * 1000]
            values["u"] = up + ms3 + "Z"
            values["l"] = lp + ms3 + off
            journal = None
            if to_journal and shape.journal is not None:
                values["j"] = stamp
                values["n"] = node_tag(ts)
                journal = shape.journal % values
                busy += shape.busy
            busy += shape.busy
            yield ts, shape.file % values, journal
        self.truth.busy_lines += busy


def _order(item: Item) -> tuple[int, int]:
    return item[0], item[1]


PROFILE = Profile(
    name="busy",
    summary="a troubled gateway at debug level: >= 40 % run/lane/fallback/store-lock lines",
    default_size=parse_size("1GB"),
    gzip_level=6,
    pad=BusyPadding,
)
