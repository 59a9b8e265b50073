"""Line contents shared by the scenario and the profiles: ids, fallback-decision meta."""

from __future__ import annotations

import hashlib
import random
from typing import Any, Final

from samples.generate.scenario import AGENTS, FALLBACK_MODEL
from samples.generate.sessions import model_of, new_uuid


def tool_call_id(rng: random.Random) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "toolu_01" + "".join(rng.choice(alphabet) for _ in range(22))


def error_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:12]


def fallback_decision(
    run_id: str,
    agent: str,
    candidate: tuple[str, str],
    *,
    attempt: int,
    total: int,
    reason: str,
    status: int | None,
    preview: str,
    next_candidate: tuple[str, str] | None,
) -> dict[str, Any]:
    """model-fallback/decision meta for a failed candidate (key order of a real record)."""
    requested = model_of(agent)
    meta: dict[str, Any] = {
        "event": "model_fallback_decision",
        "tags": ["error_handling", "model_fallback", "candidate_failed"],
        "runId": run_id,
        "decision": "candidate_failed",
        "requestedProvider": requested[0],
        "requestedModel": requested[1],
        "candidateProvider": candidate[0],
        "candidateModel": candidate[1],
        "attempt": attempt,
        "total": total,
        "reason": reason,
    }
    if status is not None:
        meta["status"] = status
    meta["errorPreview"] = preview
    meta["errorHash"] = error_hash(preview)
    if next_candidate is not None:
        meta["nextCandidateProvider"] = next_candidate[0]
        meta["nextCandidateModel"] = next_candidate[1]
    meta["isPrimary"] = attempt == 1
    meta["requestedModelMatched"] = candidate == requested
    meta["fallbackConfigured"] = total > 1
    return meta


RATE_LIMIT_PREVIEW: Final = (
    "429 rate_limit_error: This request would exceed the rate limit for your "
    "organization of 450,000 input tokens per minute."
)


def rate_limit_decision(rng: random.Random) -> dict[str, Any]:
    """A distractor: a model-fallback record whose errorPreview is not a lock error."""
    agent = rng.choice(AGENTS)
    return fallback_decision(
        new_uuid(rng),
        agent,
        model_of(agent),
        attempt=1,
        total=2,
        reason="rate_limit",
        status=429,
        preview=RATE_LIMIT_PREVIEW,
        next_candidate=FALLBACK_MODEL,
    )
