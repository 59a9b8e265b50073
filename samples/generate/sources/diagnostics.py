"""The zip `openclaw gateway diagnostics export --log-lines 60` writes after the restart.

Also ``sanitize_record``: the export's redaction of one file-log line (formats doc §8).
"""

from __future__ import annotations

import json
import re
import zipfile
from typing import Any, Final

from samples.generate.clock import iso_z, local_dt, ms_of
from samples.generate.epochs import EPOCHS
from samples.generate.records import Occurrence
from samples.generate.render import dumps_line
from samples.generate.scenario import (
    EXPORT_AT,
    EXPORT_LOG_LINES,
    EXPORT_PID,
    GATEWAY_PORT,
    HOME,
    LOG_DIR,
    NODE_VERSION,
    OPENCLAW_VERSION,
    PID_A,
    PID_B,
    STABILITY_AT,
    STATE_DIR,
    SYSTEMD_UNIT,
)
from samples.generate.sources.context import SourceContext

# diagnostic-support-redaction.ts (the subset the scenario's records exercise).
SUPPORT_STRING_KEYS: Final = re.compile(
    r"^(?:action|channel|code|component|endpoint|event|handshake|kind|level|localAddr|logger|method"
    r"|model|module|msg|name|outcome|phase|pluginId|provider|reason|remoteAddr|requestId|runId"
    r"|service|sessionId|sessionKey|source|status|subsystem|surface|target|time|traceId|type)$",
    re.I,
)
SUPPORT_SCALAR_KEYS: Final = re.compile(
    r"^(?:active|attempt|bytes|count|durationMs|enabled|exitCode|intervalMs|jobs|limitBytes"
    r"|localPort|nextWakeAtMs|pid|port|queueDepth|queued|remotePort|statusCode|waitMs|waiting)$",
    re.I,
)
SUPPORT_OMITTED_KEYS: Final = re.compile(
    r"(?:authorization|body|chat|content|cookie|credential|detail|error|header|instruction"
    r"|message|password|payload|prompt|result|secret|text|token|tool|transcript|url)",
    re.I,
)
SUPPORT_UNSAFE_MESSAGE: Final = re.compile(
    r"(?:\b(?:ai response|assistant said|chat text|message contents|prompt|raw webhook body"
    r"|tool output|tool result|transcript|user said|webhook body)\b"
    r"|auto-responding\b.*:\s*[\"']|partial for\b.*:)",
    re.I,
)


def redact_support(text: str, max_length: int = 240) -> str:
    text = re.sub(
        r"\b[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}\b", "<redacted-email>", text, flags=re.I
    )
    text = re.sub(r"(^|[^\w:/])@[A-Za-z0-9_]{5,}\b(?!\.)", r"\1<redacted-handle>", text)
    text = re.sub(r"\b\d{9,}\b", "<redacted-id>", text)
    text = text.replace(STATE_DIR, "$OPENCLAW_STATE_DIR").replace(HOME, "~")
    return text[:max_length]


def sanitize_record(line: str) -> dict[str, Any]:
    """sanitizeLogRecord(): a file-log line flattened to safe keys."""
    source = json.loads(line)
    out: dict[str, Any] = {}

    def add(key: str, value: Any) -> None:
        if SUPPORT_OMITTED_KEYS.search(key):
            return
        scalar = value is None or isinstance(value, bool | int | float)
        if isinstance(value, str) and SUPPORT_STRING_KEYS.match(key):
            out[key] = redact_support(value)
        elif scalar and (SUPPORT_STRING_KEYS.match(key) or SUPPORT_SCALAR_KEYS.match(key)):
            out[key] = value

    def record(value: Any) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        if isinstance(value, str) and value.strip().startswith("{") and value.strip().endswith("}"):
            parsed = json.loads(value)
            return parsed if isinstance(parsed, dict) else None
        return None

    for key, value in source.items():
        if key != "_meta" and not key.isdigit():
            add(key, value)
    meta = source.get("_meta", {})
    for src, dst in (("logLevelName", "level"), ("name", "logger")):
        value = meta.get(src)
        if dst in out or not isinstance(value, str):
            continue
        if src == "name" and (bound := record(value)) is not None:
            for k, v in bound.items():
                add(k, v)
            continue
        out[dst] = redact_support(value)
    for key in sorted((k for k in source if k.isdigit()), key=int):
        value = source[key]
        if (bound := record(value)) is not None:
            for k, v in bound.items():
                add(k, v)
        elif isinstance(value, str):
            message = redact_support(value)
            if "msg" not in out and message and not SUPPORT_UNSAFE_MESSAGE.search(message):
                out["msg"] = message
            else:
                out["omitted"] = "log-message"
                out["omittedLogMessageBytes"] = out.get("omittedLogMessageBytes", 0) + len(
                    value.encode()
                )
                out["omittedLogMessageCount"] = out.get("omittedLogMessageCount", 0) + 1
    return out or {"omitted": "no-safe-fields", "bytes": len(line.encode())}


def support_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def write(ctx: SourceContext) -> dict[str, int]:
    """The zip `openclaw gateway diagnostics export --log-lines 60` writes after the restart."""
    at = ms_of(EXPORT_AT)
    generated = iso_z(at)
    tail = [r.file_line for r in ctx.rendered if r.file_line and r.ts < at][-EXPORT_LOG_LINES:]
    log_file = f"{LOG_DIR}/openclaw-{local_dt(at):%Y-%m-%d}.log"
    stability_at = ms_of(STABILITY_AT)
    stability_name = (
        f"openclaw-stability-{iso_z(stability_at).replace(':', '-').replace('.', '-')}"
        f"-{PID_A}-diagnostic.memory.pressure.critical.json"
    )
    stability = {
        "version": 1,
        "generatedAt": iso_z(stability_at),
        "reason": "diagnostic.memory.pressure.critical",
        "process": {
            "pid": PID_A,
            "platform": "linux",
            "arch": "x64",
            "node": NODE_VERSION,
            "uptimeMs": stability_at - EPOCHS.a_start,
        },
        "host": {"hostname": "<redacted-hostname>"},
        "evidence": {
            "memoryPressure": {
                "level": "critical",
                "reason": "rss_threshold",
                "memory": {
                    "rssBytes": 1_932_861_440,
                    "heapTotalBytes": 1_398_145_024,
                    "heapUsedBytes": 1_310_972_216,
                    "externalBytes": 48_211_907,
                    "arrayBuffersBytes": 21_557_102,
                },
                "thresholdBytes": 1_879_048_192,
            }
        },
        "snapshot": {
            "generatedAt": iso_z(stability_at),
            "capacity": 1000,
            "count": 0,
            "dropped": 0,
            "events": [],
            "summary": {"byType": {}},
        },
    }
    ctx.timeline.occ.append(Occurrence("uptime", stability_at))
    shape = {
        "path": "$OPENCLAW_STATE_DIR/openclaw.json",
        "exists": True,
        "parseOk": True,
        "bytes": 6184,
        "mtime": "2026-05-19T08:12:40.511Z",
        "topLevelKeys": ["agents", "channels", "gateway", "logging", "models", "session"],
        "gateway": {"mode": "local", "bind": "loopback", "port": GATEWAY_PORT, "authMode": "token"},
        "channels": {"count": 3, "ids": ["slack", "telegram", "whatsapp"]},
    }
    status = {"status": "included", "path": "status/gateway-status.json"}
    health = {"status": "included", "path": "health/gateway-health.json"}
    files: list[tuple[str, str, str]] = [
        (
            "diagnostics.json",
            "application/json",
            support_json(
                {
                    "generatedAt": generated,
                    "openclawVersion": OPENCLAW_VERSION,
                    "process": {
                        "platform": "linux",
                        "arch": "x64",
                        "node": NODE_VERSION,
                        "pid": EXPORT_PID,
                    },
                    "stateDir": "$OPENCLAW_STATE_DIR",
                    "config": shape,
                    "logs": {
                        "file": log_file,
                        "cursor": 1_693_208,
                        "size": 1_693_208,
                        "lineCount": len(tail),
                        "truncated": True,
                        "reset": False,
                    },
                    "stability": {
                        "status": "found",
                        "path": f"$OPENCLAW_STATE_DIR/logs/stability/{stability_name}",
                        "mtimeMs": stability_at,
                        "eventCount": 0,
                        "reason": stability["reason"],
                        "generatedAt": stability["generatedAt"],
                    },
                    "status": status,
                    "health": health,
                }
            ),
        ),
        ("config/shape.json", "application/json", support_json(shape)),
        (
            "config/sanitized.json",
            "application/json",
            support_json(
                {
                    "gateway": {
                        "auth": {"mode": "token", "token": "<redacted>"},
                        "bind": "loopback",
                        "mode": "local",
                        "port": GATEWAY_PORT,
                    },
                    "logging": {"level": "info"},
                }
            ),
        ),
        (
            "logs/openclaw-sanitized.jsonl",
            "application/x-ndjson",
            "\n".join(dumps_line(sanitize_record(line)) for line in tail) + "\n",
        ),
        (
            "status/gateway-status.json",
            "application/json",
            support_json(
                {
                    "status": "ok",
                    "capturedAt": generated,
                    "data": {
                        "gateway": {"port": GATEWAY_PORT, "reachable": True},
                        "runtime": {"pid": PID_B, "status": "running"},
                        "service": {"label": SYSTEMD_UNIT, "loaded": True},
                    },
                }
            ),
        ),
        (
            "health/gateway-health.json",
            "application/json",
            support_json(
                {
                    "status": "ok",
                    "capturedAt": generated,
                    "data": {
                        "channels": {"slack": {"ok": True}, "telegram": {"ok": True}},
                        "ok": True,
                    },
                }
            ),
        ),
        ("stability/latest.json", "application/json", support_json(stability)),
        (
            "summary.md",
            "text/plain; charset=utf-8",
            "\n".join(
                [
                    "# OpenClaw Diagnostics Export",
                    "",
                    "Attach this zip to the bug report. It is designed for maintainers to inspect "
                    "without asking for raw logs first.",
                    "",
                    "## Generated",
                    "",
                    f"Generated: {generated}",
                    f"OpenClaw: {OPENCLAW_VERSION}",
                    "",
                    "## Contents",
                    "",
                    "- included latest stability bundle (0 event(s))",
                    f"- sanitized log tail ({len(tail)} line(s), inspected 1693208 byte(s), raw "
                    "messages omitted)",
                    "- config shape included (parsed)",
                    "- gateway status snapshot included (status/gateway-status.json)",
                    "- gateway health snapshot included (health/gateway-health.json)",
                ]
            )
            + "\n",
        ),
    ]
    manifest = {
        "version": 1,
        "generatedAt": generated,
        "openclawVersion": OPENCLAW_VERSION,
        "platform": "linux",
        "arch": "x64",
        "node": NODE_VERSION,
        "stateDir": "$OPENCLAW_STATE_DIR",
        "contents": [
            {"path": path, "mediaType": media, "bytes": len(content.encode())}
            for path, media, content in files
        ],
        "privacy": {
            "payloadFree": True,
            "rawLogsIncluded": False,
            "notes": [
                "Stability bundles are payload-free diagnostic snapshots.",
                "Logs keep operational summaries and safe metadata fields; "
                "payload-like fields are omitted.",
            ],
        },
    }
    files.insert(0, ("manifest.json", "application/json", support_json(manifest)))
    directory = ctx.out / "support"
    directory.mkdir(parents=True)
    name = f"openclaw-diagnostics-{generated.replace(':', '-').replace('.', '-')}-{EXPORT_PID}.zip"
    stamp = local_dt(at).timetuple()[:6]
    with zipfile.ZipFile(directory / name, "w") as archive:
        for path, _media, content in files:
            info = zipfile.ZipInfo(path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the same bytes whichever OS generates the sample
            archive.writestr(info, content.encode(), compresslevel=6)
    return {f"support/{name}/{path}": content.count("\n") for path, _media, content in files}
