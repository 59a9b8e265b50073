"""The scenario core: every record of the incident story, with its ground truth.

``ScenarioBuilder.build()`` emits the bursts, the restart, quiet-time
distractors, background traffic, the three-hour debug window and the web
heartbeats into one ``Timeline``; profiles only pad around it.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from typing import Any

from samples.generate.clock import ms_of
from samples.generate.epochs import (
    DEBUG_FROM_MS,
    DEBUG_TO_MS,
    EPOCHS,
    WINDOW_END_MS,
    WINDOW_START_MS,
    in_debug,
)
from samples.generate.records import (
    SRC_CLI_ENTRY,
    SRC_CONSOLE_ERROR,
    SRC_CRON,
    SRC_CRON_START,
    SRC_WEB_HEARTBEAT,
    Occurrence,
    Timeline,
)
from samples.generate.scenario import (
    AGENT_MODEL_LINE,
    BURSTS,
    DEBUG_RUNS,
    FALLBACK_MODEL,
    GATEWAY_PORT,
    GATEWAY_START_FAILED_AT,
    LOCK_ACQUIRE_TIMEOUT_MS,
    LOCK_MAX_HOLD_MS,
    LOCK_STALE_MS,
    LOG_DIR,
    MESSAGES_HANDLED_BEFORE_WINDOW,
    PID_A,
    PID_B,
    QUIET_EVENTS,
    RESTART_DRAINED_AT,
    RESTART_SIGNAL_AT,
    STATE_DIR,
    STORE_LOCK_TIMEOUT_MESSAGE,
    TELEGRAM_BOT,
    TZ,
    WEB_HEARTBEAT_DRIFT_MS,
    WEB_HEARTBEAT_EVERY_MS,
    WHATSAPP_PEERS,
    WHATSAPP_SELF,
    Step,
)
from samples.generate.sessions import Session, build_sessions, model_of, new_uuid
from samples.generate.shapes import fallback_decision, rate_limit_decision, tool_call_id

LEASE_LISTENING_LINE = (
    "http server listening (4 plugins: browser, canvas, memory-core, telegram; 6.0s)"
)


class ScenarioBuilder:
    """Emits every record of the scenario into a Timeline, recording ground truth."""

    def __init__(self, seed: int, era: str = "file") -> None:
        self.seed = seed
        # "file": `.jsonl.lock` files (≤ 2026.7); "lease": SQLite session-write
        # leases named `sqlite:session-write:<key>` (2026.7+, OpenClaw 2026.11 lines).
        self.era = era
        # Session ids some line shows next to their key (run attempts, takeover
        # lane mirrors): the analyzer counts these by id, the others by key.
        self.linked: set[str] = set()
        self.sessions = build_sessions(seed)
        self.tl = Timeline()
        self.ids = random.Random(f"{seed}:ids")
        # Per-session busy-until, so background runs never overlap on one session lane.
        self.busy: dict[str, int] = {}

    # -- helpers ----------------------------------------------------------------

    def sess(self, agent: str, slot: str) -> Session:
        return self.sessions[(agent, slot)]

    def lock_of(self, s: Session) -> str:
        return f"sqlite:session-write:{s.key}" if self.era == "lease" else s.lock_path

    def run_start(self, ts: int, run_id: str, s: Session) -> None:
        """Lane + run start lines of an embedded run; debug level, so only inside the window."""
        if not in_debug(ts):
            return
        provider, model = model_of(s.agent)
        add = self.tl.add
        add(ts, "DEBUG", "diagnostic", f"lane enqueue: lane={s.lane} queueSize=1")
        add(ts + 1, "DEBUG", "diagnostic", f"lane dequeue: lane={s.lane} waitMs=1 queueSize=0")
        add(ts + 2, "DEBUG", "diagnostic", f"lane enqueue: lane={s.global_lane} queueSize=1")
        add(
            ts + 3,
            "DEBUG",
            "diagnostic",
            f"lane dequeue: lane={s.global_lane} waitMs=1 queueSize=0",
        )
        add(
            ts + 5,
            "DEBUG",
            "diagnostic",
            f"run attempt: sessionId={s.session_id} sessionKey={s.key} runId={run_id} attempt=1",
        )
        self.linked.add(s.session_id)
        add(
            ts + 7,
            "DEBUG",
            "agent/embedded",
            f"embedded run start: runId={run_id} sessionId={s.session_id} provider={provider} "
            f"model={model} thinking=medium messageChannel={s.channel}",
        )
        self.tl.occ.append(Occurrence("run", ts + 7, s.agent, s.session_id, key=run_id))

    def tool_call(self, ts: int, dur: int, run_id: str, tool: str) -> None:
        call_id = tool_call_id(self.ids)
        self.tl.add(
            ts,
            "DEBUG",
            "agent/embedded",
            f"embedded run tool start: runId={run_id} tool={tool} toolCallId={call_id}",
        )
        self.tl.add(
            ts + dur,
            "DEBUG",
            "agent/embedded",
            f"embedded run tool end: runId={run_id} tool={tool} toolCallId={call_id}",
        )
        self.tl.occ.append(Occurrence("tool_call", ts, key=call_id))
        self.tl.tool_calls[tool] = self.tl.tool_calls.get(tool, 0) + 1

    # -- lock failures -------------------------------------------------------------

    def owner(self, pid: int, age: int) -> str:
        return f"pid={pid} alive=true ageMs={age}"

    def lock_failure(
        self, t: int, step: Step, burst: int, last_age: dict[str, tuple[int, int]]
    ) -> None:
        """One lock_timeout / lock_stale occurrence, logged on 3-4 lines."""
        rng = self.ids
        s = self.sess(step.agent, step.slot)
        pid = EPOCHS.pid_at(t)
        if step.op == "stale":
            default_age = (
                rng.randrange(LOCK_STALE_MS + 1000, LOCK_STALE_MS + 300000)
                if "too-old" in step.reasons
                else rng.randrange(LOCK_MAX_HOLD_MS + 1000, LOCK_MAX_HOLD_MS + 58000)
            )
            age = step.age_ms or default_age
            core = (
                f"session file lock stale ({step.reasons}): "
                f"{self.owner(pid, age)} {self.lock_of(s)}"
            )
            err = f"SessionWriteLockStaleError: {core}"
            kind = "lock_stale"
        else:
            age = step.age_ms or rng.randrange(LOCK_ACQUIRE_TIMEOUT_MS + 2000, 420000)
            core = (
                f"session file locked (timeout {LOCK_ACQUIRE_TIMEOUT_MS}ms): "
                f"{self.owner(pid, age)} {self.lock_of(s)}"
            )
            err = f"SessionWriteLockTimeoutError: {core}"
            kind = "lock_timeout"
        last_age[self.lock_of(s)] = (t, age)
        dur = LOCK_ACQUIRE_TIMEOUT_MS + rng.randrange(40, 420)
        run_id = new_uuid(rng)
        self.run_start(t - dur - 40, run_id, s)
        add = self.tl.add
        add(
            t,
            "ERROR",
            "diagnostic",
            f'lane task error: lane={s.lane} durationMs={dur} error="{err}"',
        )
        if step.echo:
            meta = fallback_decision(
                run_id,
                s.agent,
                model_of(s.agent),
                attempt=1,
                total=1,
                reason="timeout",
                status=408,
                preview=core,
                next_candidate=None,
            )
            add(t + 1, "WARN", "model-fallback/decision", "model fallback decision", meta)
        add(
            t + 4,
            "ERROR",
            "diagnostic",
            f'lane task error: lane={s.global_lane} durationMs={dur + 3} error="{err}"',
        )
        add(
            t + 6,
            "ERROR",
            None,
            f"Embedded agent failed before reply: {core}",
            src=SRC_CONSOLE_ERROR,
        )
        self.tl.occ.append(Occurrence(kind, t, s.agent, s.session_id, s.path, burst))

    def chained_failure(
        self, t: int, step: Step, burst: int, last_age: dict[str, tuple[int, int]]
    ) -> None:
        """FallbackSummaryError with two chained lock timeouts: TWO occurrences.

        Each candidate waited the full acquire timeout, and each candidate failure was
        logged by model-fallback/decision first; the lane error carries both.
        """
        rng = self.ids
        s = self.sess(step.agent, step.slot)
        pid = EPOCHS.pid_at(t)
        primary, fallback = model_of(s.agent), FALLBACK_MODEL
        age1 = rng.randrange(150000, 300000)
        t2 = t + LOCK_ACQUIRE_TIMEOUT_MS + rng.randrange(30, 90)
        age2 = age1 + (t2 - t)
        cores = [
            f"session file locked (timeout {LOCK_ACQUIRE_TIMEOUT_MS}ms): "
            f"{self.owner(pid, a)} {self.lock_of(s)}"
            for a in (age1, age2)
        ]
        run_id = new_uuid(rng)
        self.run_start(t - LOCK_ACQUIRE_TIMEOUT_MS - 60, run_id, s)
        add = self.tl.add
        # Each candidate's failure, logged as it happens: the primary's names the
        # fallback as the next candidate, the fallback's names none.
        for attempt, (at, model, core, after) in enumerate(
            ((t, primary, cores[0], fallback), (t2, fallback, cores[1], None)), start=1
        ):
            decision = fallback_decision(
                run_id,
                s.agent,
                model,
                attempt=attempt,
                total=2,
                reason="timeout",
                status=408,
                preview=core,
                next_candidate=after,
            )
            add(at, "WARN", "model-fallback/decision", "model fallback decision", decision)
        summary = (
            f"All models failed (2): {primary[0]}/{primary[1]}: {cores[0]} | "
            f"{fallback[0]}/{fallback[1]}: {cores[1]}"
        )
        dur = t2 - t + LOCK_ACQUIRE_TIMEOUT_MS + rng.randrange(40, 200)
        err = f"FallbackSummaryError: {summary}"
        add(
            t2 + 3,
            "ERROR",
            "diagnostic",
            f'lane task error: lane={s.lane} durationMs={dur} error="{err}"',
        )
        add(
            t2 + 7,
            "ERROR",
            "diagnostic",
            f'lane task error: lane={s.global_lane} durationMs={dur + 4} error="{err}"',
        )
        add(
            t2 + 9,
            "ERROR",
            None,
            f"Embedded agent failed before reply: {summary}",
            src=SRC_CONSOLE_ERROR,
        )
        last_age[self.lock_of(s)] = (t2, age2)
        for ts in (t, t2):
            self.tl.occ.append(Occurrence("lock_timeout", ts, s.agent, s.session_id, s.path, burst))

    def takeover(self, t: int, step: Step, burst: int) -> None:
        """One takeover occurrence: warn + lane=<global> + lane=session (+ console echo)."""
        rng = self.ids
        s = self.sess(step.agent, step.slot)
        run_id = new_uuid(rng)
        dur = rng.randrange(18000, 300000)
        self.run_start(t - dur - 30, run_id, s)
        msg = f"session file changed while embedded prompt lock was released: {s.path}"
        add = self.tl.add
        add(
            t,
            "WARN",
            "agent/embedded",
            "embedded attempt cleanup detected session takeover after prompt failure; "
            f"preserving prompt error: runId={run_id} sessionId={s.session_id} "
            f"promptError={msg} cleanupError={msg}",
        )
        add(
            t + 6,
            "ERROR",
            "diagnostic",
            f"lane task error: lane={s.global_lane} durationMs={dur} "
            f'error="EmbeddedAttemptSessionTakeoverError: {msg}"',
        )
        add(
            t + 11,
            "ERROR",
            "diagnostic",
            f"lane task error: lane={s.lane} durationMs={dur + 5} "
            f'error="EmbeddedAttemptSessionTakeoverError: {msg}"',
        )
        if step.failed_echo:
            add(
                t + 13,
                "ERROR",
                None,
                f"Embedded agent failed before reply: {msg}",
                src=SRC_CONSOLE_ERROR,
            )
        self.tl.occ.append(Occurrence("takeover", t, s.agent, s.session_id, s.path, burst))
        self.linked.add(s.session_id)  # the lane=session:<key> mirror names the path
        if in_debug(t):
            self.writer(t - dur, t, s)

    def writer(self, released: int, taken: int, s: Session) -> None:
        """What tripped a takeover at debug level: a `sessions_send` delivery into the
        session, a run that starts after the taken-over run released the lock for
        model I/O and finishes (writing the transcript) before it takes it back.
        Its own generator, so the sample's other ids do not move."""
        rng = random.Random(f"{self.seed}:writer:{taken}")
        start = released + rng.randrange(2000, max(2001, (taken - released) // 3))
        end = start + rng.randrange(1500, max(1501, (taken - start) // 2))
        run_id = new_uuid(rng)
        self.run_start(start, run_id, s)
        self.tl.add(
            end,
            "DEBUG",
            "agent/embedded",
            f"embedded run done: runId={run_id} sessionId={s.session_id} "
            f"durationMs={end - start - 7} aborted=false",
        )

    def watchdog(self, t: int, step: Step, last_age: dict[str, tuple[int, int]]) -> None:
        if self.era == "lease":  # a lease has no sidecar watchdog: it is lost, not released
            return
        s = self.sess(step.agent, step.slot)
        if self.lock_of(s) in last_age:
            err_t, age = last_age[self.lock_of(s)]
            held = age + (t - err_t)
        else:
            held = LOCK_MAX_HOLD_MS + self.ids.randrange(1000, 59000)
        self.tl.add_stderr(
            t,
            f"[session-write-lock] releasing lock held for {held}ms "
            f"(max={LOCK_MAX_HOLD_MS}ms): {self.lock_of(s)}",
        )
        self.tl.occ.append(Occurrence("lock_released_by_watchdog", t, s.agent, s.session_id))

    def stuck(self, t: int, s: Session) -> None:
        age = self.ids.randrange(130, 900)
        self.tl.add(
            t,
            "WARN",
            "diagnostic",
            f"stuck session: sessionId={s.session_id} sessionKey={s.key} state=processing "
            f"age={age}s queueDepth={self.ids.randrange(1, 4)}",
        )
        self.tl.occ.append(Occurrence("stuck_session", t, s.agent, s.session_id))

    def store_lock(self, t: int, agent: str) -> None:
        path = f"{STATE_DIR}/agents/{agent}/sessions/sessions.json.lock"
        self.tl.add(
            t,
            "ERROR",
            "gateway/channels/telegram",
            STORE_LOCK_TIMEOUT_MESSAGE.format(store_lock_path=path),
        )
        self.tl.occ.append(Occurrence("store_lock_timeout", t, agent))

    def lane_wait(self, t: int, s: Session) -> None:
        self.tl.add(
            t,
            "WARN",
            "diagnostic",
            f"lane wait exceeded: lane={s.lane} waitedMs={self.ids.randrange(2100, 45000)} "
            f"queueAhead={self.ids.randrange(1, 5)}",
        )

    # -- scenario sections -------------------------------------------------------------

    def bursts(self) -> None:
        for index, burst in enumerate(BURSTS):
            base = ms_of(burst.start)
            last_age: dict[str, tuple[int, int]] = {}
            for step in burst.steps:
                t = base + step.at_ms
                if step.op in ("stale", "timeout"):
                    self.lock_failure(t, step, index, last_age)
                elif step.op == "chained":
                    self.chained_failure(t, step, index, last_age)
                elif step.op == "takeover":
                    self.takeover(t, step, index)
                elif step.op == "watchdog":
                    self.watchdog(t, step, last_age)
                elif step.op == "stuck":
                    self.stuck(t, self.sess(step.agent, step.slot))
                elif step.op == "store_lock":
                    self.store_lock(t, step.agent)
                elif step.op == "lane_wait":
                    self.lane_wait(t, self.sess(step.agent, step.slot))
                else:
                    raise ValueError(f"unknown step op {step.op!r}")

    def quiet_events(self) -> None:
        for when, op, agent, slot in QUIET_EVENTS:
            t = ms_of(when)
            if op == "stuck":
                self.stuck(t, self.sess(agent, slot))
            elif op == "store_lock":
                self.store_lock(t, agent)
            else:
                raise ValueError(f"unknown quiet op {op!r}")

    def lifecycle(self) -> None:
        add = self.tl.add
        sig = ms_of(RESTART_SIGNAL_AT)
        add(sig - 1, "DEBUG", "gateway", "signal SIGUSR1 received")
        add(sig, "INFO", "gateway", "received SIGUSR1; restarting")
        add(
            sig + 3,
            "INFO",
            "gateway",
            "draining 2 active task(s) and 1 active embedded run(s) before restart "
            "with timeout 300000ms",
        )
        # The one embedded run being drained finishes before the drain completes.
        s = self.sess("research", "tg")
        run_id = new_uuid(self.ids)
        started = sig - 41230
        self.run_start(started, run_id, s)
        self.tool_call(started + 2900, 1840, run_id, "read")
        done = ms_of(RESTART_DRAINED_AT) - 380
        add(
            done,
            "DEBUG",
            "agent/embedded",
            f"embedded run done: runId={run_id} sessionId={s.session_id} "
            f"durationMs={done - started - 7} aborted=false",
        )
        add(
            done + 2,
            "DEBUG",
            "diagnostic",
            f"lane task done: lane={s.global_lane} durationMs={done - started} active=0 queued=0",
        )
        add(
            done + 3,
            "DEBUG",
            "diagnostic",
            f"lane task done: lane={s.lane} durationMs={done - started + 2} active=0 queued=0",
        )
        add(ms_of(RESTART_DRAINED_AT), "INFO", "gateway", "all active work drained")
        add(
            EPOCHS.a_end,
            "INFO",
            "gateway",
            f"restart mode: full process restart (spawned pid {PID_B})",
        )
        self.tl.occ.append(Occurrence("gateway_restart", sig))

        # Process B boot sequence (formats doc §5).
        boot = EPOCHS.b_boot
        add(
            boot,
            "INFO",
            "canvas",
            f"host mounted at http://127.0.0.1:{GATEWAY_PORT}/__openclaw__/canvas/ "
            f"(root {STATE_DIR}/canvas)",
        )
        add(
            boot + 6,
            "INFO",
            "gateway/heartbeat",
            "heartbeat: started",
            {"intervalMs": 1800000},
            console="started",
        )
        add(
            boot + 8,
            "INFO",
            "gateway/health-monitor",
            "started (interval: 300s, startup-grace: 60s, channel-connect-grace: 120s)",
        )
        add(boot + 11, "INFO", "gateway", f"agent model: {AGENT_MODEL_LINE}")
        if self.era == "lease":
            # 2026.6+: no `(PID n)` on the listening line; a bare `ready` follows it.
            add(EPOCHS.b_start, "INFO", "gateway", LEASE_LISTENING_LINE)
            add(EPOCHS.b_start + 4, "INFO", "gateway", "ready")
        else:
            add(
                EPOCHS.b_start,
                "INFO",
                "gateway",
                f"listening on ws://127.0.0.1:{GATEWAY_PORT}, ws://[::1]:{GATEWAY_PORT} "
                f"(PID {PID_B})",
            )
        day = datetime.fromtimestamp(EPOCHS.b_start / 1000, tz=TZ).strftime("%Y-%m-%d")
        add(EPOCHS.b_start + 1, "INFO", "gateway", f"log file: {LOG_DIR}/openclaw-{day}.log")
        add(EPOCHS.b_start + 7, "INFO", "hooks", "loaded 4 internal hook handlers")
        add(
            EPOCHS.b_start + 12,
            "INFO",
            None,
            "cron: started",
            {"enabled": True, "jobs": 6, "nextWakeAtMs": EPOCHS.b_start + 45088},
            binding=json.dumps(
                {"module": "cron", "storePath": f"{STATE_DIR}/cron/jobs.json"},
                separators=(",", ":"),
            ),
            src=SRC_CRON_START,
        )
        add(
            EPOCHS.b_start + 480,
            "INFO",
            "gateway/channels/telegram",
            f"[default] starting provider ({TELEGRAM_BOT})",
        )
        add(EPOCHS.b_start + 512, "INFO", "gateway/channels/slack", "[default] starting provider")
        add(EPOCHS.b_start + 1290, "INFO", "gateway/channels/slack", "slack socket mode connected")
        self.tl.occ.append(Occurrence("gateway_start", boot))

        # An operator's `openclaw gateway` while A was wedged: a separate CLI process whose
        # console.error is captured into the same file log (never reaches the unit's journal).
        self.tl.add(
            ms_of(GATEWAY_START_FAILED_AT),
            "ERROR",
            None,
            f"Gateway failed to start: gateway already running (pid {PID_A}); lock timeout "
            "after 5000ms\nIf the gateway is supervised, stop it with: openclaw gateway stop",
            src=SRC_CLI_ENTRY,
            to_console=False,
        )
        self.tl.occ.append(Occurrence("gateway_start_failed", ms_of(GATEWAY_START_FAILED_AT)))

        # logging.level flipped to debug and back (hot reload).
        for edge in (DEBUG_FROM_MS - 1840, DEBUG_TO_MS + 260):
            add(
                edge,
                "INFO",
                "gateway/reload",
                "config change detected; evaluating reload (logging.level)",
            )

    def web_heartbeats(self) -> None:
        """WhatsApp web heartbeat every 30 min; its uptimeMs is the only uptime evidence for A."""
        rng = random.Random(f"{self.seed}:web-heartbeat")
        inbound = sorted(
            r.ts for r in self.tl.recs if r.binding is not None and "whatsapp" in r.binding
        )
        for start, end, pid_run in (
            (EPOCHS.a_start, EPOCHS.a_end, new_uuid(rng)),
            (EPOCHS.b_start, WINDOW_END_MS, new_uuid(rng)),
        ):
            connection = new_uuid(rng)
            auth_age = rng.uniform(40000, 900000)
            binding = json.dumps(
                {"module": "web-heartbeat", "runId": pid_run}, separators=(",", ":")
            )
            k = 1
            while True:
                t = start + k * (WEB_HEARTBEAT_EVERY_MS + WEB_HEARTBEAT_DRIFT_MS)
                k += 1
                if t > end:
                    break
                if t < WINDOW_START_MS:
                    continue
                seen = [x for x in inbound if start <= x <= t]
                handled = len(seen) + (
                    MESSAGES_HANDLED_BEFORE_WINDOW if start < WINDOW_START_MS else 0
                )
                meta: dict[str, Any] = {
                    "connectionId": connection,
                    "reconnectAttempts": 0,
                    "messagesHandled": handled,
                    "lastMessageAt": seen[-1] if seen else None,
                    "authAgeMs": auth_age + (t - start) % 3600000,
                    "uptimeMs": t - start,
                }
                self.tl.add(
                    t,
                    "INFO",
                    None,
                    "web gateway heartbeat",
                    meta,
                    binding=binding,
                    src=SRC_WEB_HEARTBEAT,
                )
                self.tl.occ.append(Occurrence("uptime", t))

    def background(self) -> None:
        """Modest info/warn traffic across the whole window (file log; journal on the 28th)."""
        rng = random.Random(f"{self.seed}:background")
        tg = [s for s in self.sessions.values() if s.key.split(":")[2] == "telegram"]
        all_sessions = list(self.sessions.values())
        hour = WINDOW_START_MS
        while hour < WINDOW_END_MS:
            local_hour = datetime.fromtimestamp(hour / 1000, tz=TZ).hour
            busy = 7 <= local_hour <= 22
            for _ in range(rng.randrange(16, 28) if busy else rng.randrange(1, 5)):
                t = hour + rng.randrange(0, 3600000)
                s = rng.choice(tg)
                chars = rng.randrange(3, 700)
                if ":group:" in s.key:
                    src = s.key.split(":", 2)[2]
                    text = f"Inbound message {src} -> {TELEGRAM_BOT} (group, {chars} chars)"
                else:
                    peer = s.key.rsplit(":", 1)[1]
                    text = (
                        f"Inbound message telegram:{peer} -> {TELEGRAM_BOT} (direct, {chars} chars)"
                    )
                self.maybe_add(t, "INFO", "gateway/channels/telegram", text)
            for _ in range(rng.randrange(3, 8) if busy else rng.randrange(0, 2)):
                t = hour + rng.randrange(0, 3600000)
                text = (
                    f"Inbound message {rng.choice(WHATSAPP_PEERS)} -> {WHATSAPP_SELF} "
                    f"(direct, {rng.randrange(2, 400)} chars)"
                )
                self.maybe_add(t, "INFO", "gateway/channels/whatsapp", text)
            if rng.random() < 0.09:
                t = hour + rng.randrange(0, 3600000)
                self.maybe_add(t, "INFO", "gateway/channels/slack", "[default] starting provider")
                self.maybe_add(
                    t + rng.randrange(500, 1900),
                    "INFO",
                    "gateway/channels/slack",
                    "slack socket mode connected",
                )
            if busy and rng.random() < 0.2:
                t = hour + rng.randrange(0, 3600000)
                if EPOCHS.alive(t):
                    self.lane_wait(t, rng.choice(all_sessions))
            if busy and rng.random() < 0.12:
                t = hour + rng.randrange(0, 3600000)
                meta = rate_limit_decision(rng)
                self.maybe_add(
                    t, "WARN", "model-fallback/decision", "model fallback decision", meta
                )
            hour += 3600000

    def maybe_add(
        self, t: int, level: str, subsystem: str, message: str, meta: dict[str, Any] | None = None
    ) -> None:
        if EPOCHS.alive(t) and WINDOW_START_MS <= t <= WINDOW_END_MS:
            self.tl.add(t, level, subsystem, message, meta)

    def debug_window(self) -> None:
        """Runs, tools, lanes and compactions: visible only while logging.level=debug."""
        rng = random.Random(f"{self.seed}:debug")
        add = self.tl.add
        # cron module re-arms its timer every minute (debug).
        cron_binding = json.dumps(
            {"module": "cron", "storePath": f"{STATE_DIR}/cron/jobs.json"}, separators=(",", ":")
        )
        t = DEBUG_FROM_MS + 17342
        while t < DEBUG_TO_MS:
            if EPOCHS.alive(t):
                add(
                    t,
                    "DEBUG",
                    None,
                    "cron: timer armed",
                    {"nextAt": t + 60000, "delayMs": 60000, "clamped": False},
                    binding=cron_binding,
                    src=SRC_CRON,
                )
            t += 60000 + rng.randrange(0, 4)
        tools = (
            ("read", 30),
            ("exec", 22),
            ("sessions_send", 12),
            ("sessions_spawn", 6),
            ("edit", 10),
            ("write", 6),
            ("web_fetch", 8),
            ("memory_search", 6),
        )
        names = [n for n, _ in tools]
        weights = [w for _, w in tools]
        sessions = list(self.sessions.values())
        made = 0
        while made < DEBUG_RUNS:
            start = DEBUG_FROM_MS + rng.randrange(5000, DEBUG_TO_MS - DEBUG_FROM_MS - 200000)
            dur = rng.randrange(3500, 150000)
            end = start + dur
            s = rng.choice(sessions)
            # Stay clear of the restart (drain handled in lifecycle()) and of busy lanes.
            if not (end < EPOCHS.a_end - 60000 or start > EPOCHS.b_start + 5000):
                continue
            if self.busy.get(s.key, 0) > start:
                continue
            self.busy[s.key] = end + 1000
            made += 1
            run_id = new_uuid(rng)
            self.run_start(start, run_id, s)
            cursor = start + 900 + rng.randrange(0, 3000)
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
                tdur = rng.randrange(40, 6000)
                if cursor + tdur >= end - 500:
                    break
                self.tool_call(cursor, tdur, run_id, rng.choices(names, weights)[0])
                cursor += tdur + rng.randrange(300, 9000)
            if rng.random() < 0.08 and cursor < end - 2500:
                reason = rng.choice(("threshold", "threshold", "overflow"))
                add(
                    cursor,
                    "DEBUG",
                    "agent/embedded",
                    "embedded run auto-compaction start",
                    {"event": "embedded_run_compaction_start", "reason": reason, "runId": run_id},
                )
                add(
                    cursor + 1900,
                    "DEBUG",
                    "agent/embedded",
                    "embedded run auto-compaction complete",
                    {
                        "event": "embedded_run_compaction_end",
                        "runId": run_id,
                        "reason": reason,
                        "completed": True,
                        "compactionCount": 1,
                        "willRetry": True,
                    },
                )
                self.tl.occ.append(
                    Occurrence("compaction", cursor, s.agent, s.session_id, key=run_id)
                )
            aborted = made == DEBUG_RUNS // 2  # one run hits the embedded run timeout
            if aborted:
                add(
                    end - 2,
                    "WARN",
                    "agent/embedded",
                    f"embedded run timeout: runId={run_id} sessionId={s.session_id} "
                    f"timeoutMs={dur - 9}",
                )
            add(
                end,
                "DEBUG",
                "agent/embedded",
                f"embedded run done: runId={run_id} sessionId={s.session_id} durationMs={dur - 7} "
                f"aborted={'true' if aborted else 'false'}",
            )
            add(
                end + 2,
                "DEBUG",
                "diagnostic",
                f"lane task done: lane={s.global_lane} durationMs={dur} active=0 queued=0",
            )
            add(
                end + 3,
                "DEBUG",
                "diagnostic",
                f"lane task done: lane={s.lane} durationMs={dur + 2} active=0 queued=0",
            )

    def build(self) -> Timeline:
        self.lifecycle()
        self.bursts()
        self.quiet_events()
        self.background()
        self.debug_window()
        self.web_heartbeats()  # last: it counts the WhatsApp inbound lines above
        self.tl.recs.sort(key=lambda r: (r.ts, r.seq))
        return self.tl
