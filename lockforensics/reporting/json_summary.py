"""The JSON summary (``lockforensics.summary/1``): the contract other checks build on.

Fields may be added; the ones in the contract are never renamed.  Timestamps
are ISO-8601 UTC ending in ``Z``, durations are seconds (ms precision),
counts are occurrences.  Log text is cleaned like in every other format
(controls, ESC among them, and bidi overrides made U+FFFD), so printing a field
(``jq -r``) cannot drive a terminal; the file is ASCII (``ensure_ascii``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import polars as pl

from lockforensics import __version__
from lockforensics.findings import Findings
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.units import iso_z
from lockforensics.textsafety import clean

SCHEMA = "lockforensics.summary/1"
INPUT_FIELDS = (
    "path", "format", "sha256", "lines", "event_lines", "noise_lines", "unrecognized", "events",
)  # fmt: skip


def _plain(value: Any) -> Any:
    """Frame values as JSON values: instants as ISO Z, seconds rounded to ms."""
    if isinstance(value, datetime):
        return iso_z(value)
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _inert(value: Any) -> Any:
    """Every string in the summary, its controls (ESC too) and bidi overrides shown as U+FFFD."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list):
        return [_inert(v) for v in value]
    if isinstance(value, dict):
        return {k: _inert(v) for k, v in value.items()}
    return value


def _rows(frame: pl.DataFrame, columns: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Frame rows as dicts, optionally selecting and renaming (``{json name: column}``)."""
    if columns is not None:
        frame = frame.select(**{name: pl.col(column) for name, column in columns.items()})
    return [_plain(row) for row in frame.to_dicts()]


def _incidents(findings: Findings, evidence: bool) -> list[dict[str, Any]]:
    rows = _rows(
        findings.incidents,
        {
            "id": "incident",
            "start": "start",
            "start_is_upper_bound": "start_is_upper_bound",
            "end": "end",
            "end_is_lower_bound": "end_is_lower_bound",
            "logs_end": "logs_end",
            "duration_s": "duration_s",
            "agents": "agents",
            "sessions": "sessions",
            "session_ids": "session_ids",
            "occurrences": "occurrences",
            "lock_stale": "lock_stale",
            "lock_timeout": "lock_timeout",
            "takeover": "takeover",
            "session_types": "session_types",
            "lanes": "lanes",
            "epoch": "epoch",
            "host": "host",
            "gateway_pid": "gateway_pid",
            "uptime_s": "uptime_s",
            "uptime_is_lower_bound": "uptime_is_lower_bound",
            "process_uptime_s": "process_uptime_s",
            "process_uptime_is_lower_bound": "process_uptime_is_lower_bound",
            "resolved_by": "resolved_by",
            "resolved_at": "resolved_at",
            "resolution_s": "resolution_s",
            "watchdog_unseen": "watchdog_unseen",
            "held_acquired_unknown": "held_acquired_unknown",
            "targets": "targets",
            "cleared_targets": "cleared_targets",
            "open_targets": "open_targets",
            "other_owner_pids": "other_owner_pids",
            "owner_hosts": "owner_hosts",
            "occurrences_in_bundle": "occurrences_in_bundle",
            "live_owner_pids": "live_owner_pids",
            "dead_owner_pids": "dead_owner_pids",
            "lock_holders": "lock_holders",
        },
    )
    for row in rows:
        incident = row["id"]
        row["cleared_by_kind"] = _rows(
            findings.resolutions.filter(pl.col("incident") == incident).drop("incident")
        )
        if evidence:
            row["evidence"] = _rows(
                findings.evidence.filter(pl.col("incident") == incident).select(
                    "role", "kind", "ts", "source", "line", "raw"
                )
            )
    return rows


def summary(
    findings: Findings, evidence: bool = False, redaction: Mapping[str, int] | None = None
) -> dict[str, Any]:
    """The summary as a JSON-ready dict (``redaction``: distinct values --redact rewrote)."""
    inputs = [
        {
            **{name: row.get(name) for name in INPUT_FIELDS},
            "size": row.get("size"),
            "duplicate_of": row.get("duplicate_of"),
        }
        for row in findings.coverage.inputs
    ]
    agents = findings.frequency.filter(pl.col("dimension") == "agent")
    coverage = findings.coverage
    doc = {
        "schema": SCHEMA,
        "generator": {"name": "lockforensics", "version": __version__},
        "generated_at": iso_z(findings.generated_at),
        "window": {"start": iso_z(findings.window_start), "end": iso_z(findings.window_end)},
        "settings": {
            "window_s": findings.settings.window_s,
            "gap_s": findings.settings.gap_s,
            "since": iso_z(findings.settings.since),
            "until": iso_z(findings.settings.until),
            "agents": list(findings.settings.agents),
            "host": findings.settings.host,
        },
        "inputs": inputs,
        "counts": dict(findings.counts),
        "agents": _rows(
            agents,
            {
                "agent": "value",
                "lock_stale": "lock_stale",
                "lock_timeout": "lock_timeout",
                "takeover": "takeover",
            },
        ),
        "sessions": findings.headline.sessions,
        "sessions_most_hit": _rows(
            findings.frequency.filter(pl.col("dimension") == "session"),
            {
                "session_id": "value",
                "host": "host",
                "lock_stale": "lock_stale",
                "lock_timeout": "lock_timeout",
                "takeover": "takeover",
                "occurrences": "occurrences",
            },
        ),
        "alignment": _plain(dict(findings.alignment)),
        "rates": _plain(dict(findings.rates)),
        "gateway_epochs": _rows(
            findings.epochs.drop("opened_at", "announced_at", "start_occurrence", "end_occurrence")
        ),
        "incidents": _incidents(findings, evidence),
        "triggers": {
            "status": {
                str(status): int(n)
                for status, n in findings.triggers.group_by("status")
                .len()
                .sort("status")
                .iter_rows()
            },
            "writers": _rows(
                findings.trigger_writers.join(
                    findings.triggers.select("takeover", takeover_ts="ts", agent="agent"),
                    on="takeover",
                )
            ),
            # Which takeovers had none in view, and why (Z158: counts alone).
            "without_writer": _rows(
                findings.triggers.filter(pl.col("status") != "found").select(
                    "takeover", "ts", "agent", "session_id", "status"
                )
            ),
        },
        "stuck_alive": _rows(findings.stuck_alive),
        "held_locks": _rows(findings.held_locks),
        "coverage": {
            "zone": coverage.zone,
            "zone_reason": coverage.zone_reason,
            "untimed_events": coverage.untimed_events,
            "untimed_inputs": [
                {"path": path, "events": count} for path, count in coverage.untimed_inputs
            ],
            "unrecognized_lines": coverage.unrecognized_lines,
            "assumptions": _rows(coverage.assumptions),
            "hosts": list(findings.hosts),
            "hostless_inputs": coverage.hostless_inputs,
            "unplaced_inputs": coverage.unplaced_inputs,
            "folder_named_inputs": coverage.folder_named_inputs,
            "folder_hosts": list(coverage.folder_hosts),
            "versions": list(findings.versions),
            "warnings": list(coverage.warnings),
        },
        "redaction": dict(redaction or {}),
    }
    cleaned: dict[str, Any] = _inert(doc)
    return cleaned


class JsonReporter:
    """``-f json``: the summary, pretty-printed, keys in contract order."""

    def render(self, findings: Findings, options: RenderOptions) -> str:
        doc = summary(findings, options.evidence, options.redaction)
        return json.dumps(doc, indent=2) + "\n"
