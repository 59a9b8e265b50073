"""The HTML report's event list: what the report is about in full, the rest summarised.

A real bundle holds tens of thousands of lines; the first 2,000 in time
order were routine store-lock timeouts and starts from earlier days, and not
one takeover.  So the list is split:

* **key events**, one row per occurrence (its first line), all of them: lock
  errors and takeovers, gateway lifecycle, what clears locks (removals,
  watchdog releases, cleanup and doctor runs) and every event that resolved
  an incident;
* **high-volume kinds** (runs, lane tasks, tool calls, model fallbacks, …),
  counted per hour from their rows, with a few sample lines.  Counts never
  need the raw text (the scan engine keeps only a bounded sample of it for
  these kinds); samples use whatever raw text is there.

Raw text (messages, sample lines) is included only with ``--evidence``.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from lockforensics.correlate.failures import FINE
from lockforensics.correlate.frames import first_value
from lockforensics.findings import Findings
from lockforensics.reporting.glossary import kind as kind_name
from lockforensics.reporting.units import clock

#: Kinds listed in full, one row per occurrence.
KEY_KINDS = frozenset(
    {
        "lock_stale", "lock_timeout", "takeover", "lock_removed", "lock_released_by_watchdog",
        "lock_cleanup_failed", "stuck_session", "gateway_start", "gateway_start_failed",
        "gateway_restart", "gateway_stop", "gateway_reload", "cleanup_run", "doctor_lock",
    }
)  # fmt: skip
#: Sample lines shown per high-volume kind (with --evidence).
SAMPLES = 3
#: Longest message shown in a cell; the full line is in --evidence / JSON.
MESSAGE_CHARS = 300


@dataclass(frozen=True, slots=True)
class Summary:
    """One high-volume kind: how many, when, and a few lines."""

    kind: str
    occurrences: int
    lines: int
    first: str
    last: str
    per_hour: tuple[tuple[str, int], ...]  # hours with any, in order
    samples: tuple[str, ...]  # "source:line raw" (only with --evidence)


def _key_filter(f: Findings) -> pl.Expr:
    resolving = f.incidents.get_column("resolution_occurrence").drop_nulls().to_list()
    return pl.col("kind").is_in(sorted(KEY_KINDS)) | pl.col("occurrence").is_in(resolving)


def key_events(f: Findings) -> pl.DataFrame:
    """Key occurrences in time order, one row each (its first line; of the copies in
    its first second, the one stamped finer than the second; for what cleared an
    incident, its line at the instant the incident names), with its incident
    (``incident``: the one it is a failure of; ``resolved``: the ones it cleared, a
    restart may clear several)."""
    incident = f.failures.select("occurrence", "incident")
    resolved = (
        f.incidents.select(
            occurrence="resolution_occurrence", resolved="incident", _at="resolved_at"
        )
        .drop_nulls("occurrence")
        .group_by("occurrence")
        .agg(pl.col("resolved").sort(), pl.col("_at").min())
    )
    ts = pl.col("ts")
    return (
        f.events.filter(_key_filter(f))
        .join(resolved.lazy().select("occurrence", "_at"), on="occurrence", how="left")
        # What cleared an incident is cited by its line at the instant the
        # incident names (a start's `listening` line, not systemd's `Started`
        # 8 s before it).  Else, of the copies in its first second, the one
        # stamped finer than the second: a journal or console copy cut to the
        # second sorts first (12:30:12 before the file log's 12:30:12.559) but
        # is the coarser.
        .sort(
            (ts != pl.col("_at")).fill_null(True),
            ts.dt.truncate("1s"),
            ~FINE,
            ts,
            "source",
            "line",
            nulls_last=True,
        )
        .drop("_at")
        .group_by("occurrence", maintain_order=True)
        # Its session as the failures name it: the id its lines (or, for a
        # lease error that names only a key, the line linking that key) give.
        .agg(
            pl.all().exclude("session_id").first(),
            session_id=first_value("session"),
            lines=pl.len(),
        )
        .join(incident.lazy(), on="occurrence", how="left")
        .join(resolved.lazy().drop("_at"), on="occurrence", how="left")
        .sort("ts", "source", "line", nulls_last=True)
        .collect()
    )


def key_rows(f: Findings, evidence: bool) -> tuple[tuple[str, ...], list[tuple[object, ...]]]:
    """Header and rows of the key-event table; ``message`` only with ``evidence``."""
    header = ["time (UTC)", "event", "agent", "session", "incident", "source", "line"]
    if evidence:
        header.append("message")
    out: list[tuple[object, ...]] = []
    for r in key_events(f).iter_rows(named=True):
        failure = r["kind"] in ("lock_stale", "lock_timeout", "takeover")
        if r["incident"] is not None:
            which: object = r["incident"]
        elif r["resolved"] is not None:
            which = f"cleared {', '.join(str(n) for n in r['resolved'])}"
        else:
            which = "background" if failure else "-"
        row: list[object] = [
            clock(r["ts"]),
            _event(r),
            r["agent"],
            r["session_id"],
            which,
            r["source"],
            r["line"],
        ]
        if evidence:
            row.append((r["message"] or r["raw"] or "")[:MESSAGE_CHARS])
        out.append(tuple(row))
    return tuple(header), out


def _event(r: dict[str, object]) -> str:
    """The event as people read it; a dry run and a removal said so (a dry-run
    cleanup clears nothing, a doctor line that removed the lock did)."""
    label = kind_name(str(r["kind"]))
    if r["kind"] == "cleanup_run" and r.get("dry_run"):
        return f"{label} (dry run)"
    if r["kind"] == "doctor_lock" and r.get("removed"):
        return f"{label} (removed)"
    return label


def summaries(f: Findings, evidence: bool) -> list[Summary]:
    """One summary per high-volume kind present, the most frequent first: all its
    occurrences (those that cleared an incident are listed above too), each
    counted in the hour of its first line (a run's lines may span two)."""
    rest = (
        f.events.filter(~pl.col("kind").is_in(sorted(KEY_KINDS)))
        .select("kind", "ts", "occurrence", "source", "line", "raw")
        .collect()
    )
    out: list[Summary] = []
    for (kind,), rows in rest.group_by(["kind"]):
        timed = rows.filter(pl.col("ts").is_not_null())
        hours = (
            timed.group_by("occurrence")
            .agg(pl.col("ts").min())
            .group_by(hour=pl.col("ts").dt.truncate("1h"))
            .agg(n=pl.len())
            .sort("hour")
        )
        samples: tuple[str, ...] = ()
        if evidence:
            with_text = rows.filter(pl.col("raw").is_not_null()).sort("ts", "source", "line")
            samples = tuple(
                f"{r['source']}:{r['line']}: {r['raw'][:MESSAGE_CHARS]}"
                for r in with_text.head(SAMPLES).iter_rows(named=True)
            )
        out.append(
            Summary(
                kind=kind_name(str(kind)),
                occurrences=rows.get_column("occurrence").n_unique(),
                lines=rows.height,
                first=clock(timed.get_column("ts").min()) if timed.height else "-",  # type: ignore[arg-type]  # a Datetime column
                last=clock(timed.get_column("ts").max()) if timed.height else "-",  # type: ignore[arg-type]  # a Datetime column
                per_hour=tuple((h.strftime("%m-%d %H:00"), int(n)) for h, n in hours.iter_rows()),
                samples=samples,
            )
        )
    return sorted(out, key=lambda s: (-s.occurrences, s.kind))


def raw_line_count(f: Findings) -> int:
    """Raw log lines the HTML page carries with ``--evidence``: messages and samples."""
    samples = sum(len(s.samples) for s in summaries(f, evidence=True))
    return key_events(f).height + samples
