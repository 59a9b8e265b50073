"""The scenario's sessions: keys, ids, transcript and lock paths, lanes."""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass

from samples.generate.clock import iso_z, ms_of
from samples.generate.scenario import (
    AGENT_MODELS,
    AGENTS,
    DEFAULT_MODEL,
    SESSION_LAYOUT,
    STATE_DIR,
)


@dataclass(frozen=True, slots=True)
class Session:
    agent: str
    slot: str
    key: str
    session_id: str
    file_name: str

    @property
    def path(self) -> str:
        return f"{STATE_DIR}/agents/{self.agent}/sessions/{self.file_name}"

    @property
    def lock_path(self) -> str:
        return self.path + ".lock"

    @property
    def lane(self) -> str:
        return f"session:{self.key}"

    @property
    def global_lane(self) -> str:
        # Cron and spawned sub-agent runs use their own global lanes (src/process/lanes.ts).
        kind = self.key.split(":")[2]
        return {"cron": "cron", "subagent": "subagent"}.get(kind, "main")

    @property
    def channel(self) -> str:
        kind = self.key.split(":")[2]
        if kind in ("telegram", "slack", "whatsapp"):
            return kind
        if self.key.endswith(":heartbeat"):
            return "heartbeat"
        return {"cron": "cron", "subagent": "internal"}.get(kind, "webchat")


def new_uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def build_sessions(seed: int) -> dict[tuple[str, str], Session]:
    rng = random.Random(f"{seed}:sessions")
    created_base = ms_of("2026-05-19T06:00:00.000Z")
    sessions: dict[tuple[str, str], Session] = {}
    for agent in AGENTS:
        for slot, suffix, style in SESSION_LAYOUT[agent]:
            key = "agent:" + agent + ":" + suffix.format(uuid=new_uuid(rng), job=new_uuid(rng))
            sid = new_uuid(rng)
            if style == "iso":
                created = created_base + rng.randrange(0, 7 * 86400 * 1000)
                stamp = iso_z(created).replace(":", "-").replace(".", "-")
                file_name = f"{stamp}_{sid}.jsonl"
            elif style == "topic":
                file_name = f"{sid}-topic-{key.rsplit(':', 1)[1]}.jsonl"
            else:
                file_name = f"{sid}.jsonl"
            sessions[(agent, slot)] = Session(agent, slot, key, sid, file_name)
    return sessions


def model_of(agent: str) -> tuple[str, str]:
    return AGENT_MODELS.get(agent, DEFAULT_MODEL)
