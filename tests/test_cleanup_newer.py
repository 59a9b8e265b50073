"""`openclaw sessions cleanup` output of 2026.7+ builds: new lines, boxed table, bare tables, .sqlite stores."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

from lockforensics.pipeline import Ingest
from tests.conftest import ingest_files

STATE = "/home/ops/.openclaw/agents"

# Rendered as renderStoreDryRunPlan + renderTable + renderLabelSummaries print it.
BOXED = f"""Session store: {STATE}/main/agent/openclaw-agent.sqlite
Maintenance mode: enforce
Entries: 6 -> 3 (remove 3)
Would prune missing transcripts: 1
Would retire stale direct DM sessions: 0
Would prune stale model-run probes: 1
Would archive inactive sessions: 1
Would archive cap overflow: 1
Would prune stale: 1
Would cap overflow: 0
Would enforce disk budget: 5242880 -> 4194304 bytes (files 2, entries 1)

Planned session actions:
┌─────────────────┬──────────────────────────┬─────────┬───────────────────┬──────────────┐
│ Action          │ Key                      │ Age     │ Model             │ Flags        │
├─────────────────┼──────────────────────────┼─────────┼───────────────────┼──────────────┤
│ keep            │ agent:main:main          │ 2h ago  │ claude-sonnet-4-6 │ system       │
│ prune-missing   │ agent:main:cron:9f1a2b   │ 3d ago  │ claude-sonnet-4-6 │              │
│ prune-model-run │ agent:main:probe:77      │ 9d ago  │ gpt-5.4           │              │
│ prune-stale     │ agent:main:telegram:dm:4 │ 31d ago │ claude-sonnet-4-6 │ id:4a1b2c3d- │
│                 │ 4711                     │         │                   │ 0000         │
│ archive-cap     │ agent:main:slack:c1      │ 12d ago │ claude-sonnet-4-6 │              │
│ archive-age     │ agent:main:slack:c2      │ 40d ago │ claude-sonnet-4-6 │              │
└─────────────────┴──────────────────────────┴─────────┴───────────────────┴──────────────┘

Summary by Label:
(unlabeled)  3 kept, 3 pruned
Total: 3 kept, 3 pruned
"""

BARE_PLAIN = """prune-stale      agent:ops:cron:...9f1a2b   31d ago   claude-sonnet-4-6
prune-stale      agent:ops:cron:...77aa01   35d ago   claude-sonnet-4-6
cap-overflow     agent:ops:slack:c9         20d ago   claude-sonnet-4-6
keep             agent:ops:main             2h ago    claude-sonnet-4-6
"""


def rows(result: Ingest) -> list[dict[str, Any]]:
    return result.events.filter(pl.col("kind") == "cleanup_run").to_dicts()


def accounting(result: Ingest) -> tuple[int, int, int, int]:
    (scan,) = result.files
    return scan.lines, scan.event_lines, scan.noise_lines, scan.unrecognized


def test_boxed_dry_run_is_one_run_with_its_numbers_and_sqlite_agent() -> None:
    """A 2026.7 dry run with the boxed table is one run; the agent comes from the .sqlite store."""
    result = ingest_files({"sessions-cleanup-2026-11-02T0300Z.txt": BOXED})
    (row,) = rows(result)
    assert row["agent"] == "main"
    assert row["store_path"].endswith("/agents/main/agent/openclaw-agent.sqlite")
    assert (row["entries_before"], row["entries_after"], row["pruned_stale"]) == (6, 3, 1)
    assert (row["pruned_missing"], row["capped"], row["maintenance_mode"]) == (1, 0, "enforce")
    assert "Would archive inactive sessions: 1" in row["raw"]
    assert "Would enforce disk budget: 5242880 -> 4194304 bytes" in row["raw"]
    assert result.occurrence_counts() == {"cleanup_run": 1}
    # 28 lines: 2 blank (noise), every other one part of the run.
    assert accounting(result) == (28, 26, 2, 0)


def test_ascii_bordered_table_is_read_like_the_boxed_one() -> None:
    """Legacy Windows consoles draw the table with + and |; it is the same table."""
    ascii_table = BOXED.translate(str.maketrans("┌┬┐├┼┤└┴┘─│", "+++++++++-|"))
    result = ingest_files({"sessions-cleanup-2026-11-02T0300Z.txt": ascii_table})
    (row,) = rows(result)
    assert (row["agent"], row["entries_before"]) == ("main", 6)
    assert accounting(result) == (28, 26, 2, 0)


def test_a_pasted_table_without_its_planned_line_is_still_the_runs() -> None:
    """A paste that dropped `Planned session actions:` keeps the drawn table: its
    border and header open it, and its rows are the run's, not unrecognised."""
    pasted = BOXED.replace("Planned session actions:\n", "")
    result = ingest_files({"sessions-cleanup-2026-11-02T0300Z.txt": pasted})
    (row,) = rows(result)
    assert (row["agent"], row["entries_before"]) == ("main", 6)
    assert accounting(result) == (27, 25, 2, 0)


def test_applied_multi_store_with_a_failed_store() -> None:
    """Applied text of two SQLite stores and an [error] line: one run, two rows, a warning."""
    text = (
        "Agent: main\n"
        f"Session store: {STATE}/main/agent/openclaw-agent.sqlite\n"
        "Applied maintenance. Current entries: 41\n"
        "Pruned unreferenced artifacts: 2\n"
        "\n"
        "Agent: ops\n"
        f"Session store: {STATE}/ops/agent/openclaw-agent.sqlite\n"
        "Applied maintenance. Current entries: 7\n"
        "[error] session cleanup failed for agent pm-a: database is locked\n"
    )
    result = ingest_files({"cleanup-2026-11-02T0300Z.txt": text})
    found = rows(result)
    assert [(r["agent"], r["phase"], r["entries_after"]) for r in found] == [
        ("main", "applied", 41),
        ("ops", "applied", 7),
    ]
    assert result.occurrence_counts() == {"cleanup_run": 1}
    assert any("database is locked" in w for w in result.warnings)
    assert accounting(result) == (9, 8, 1, 0)


def test_json_sqlite_store_path_names_the_agent() -> None:
    """`--json` of a SQLite build without agentId: the agent is read from the .sqlite path."""
    summary = {
        "storePath": f"{STATE}/pm-a/agent/openclaw-agent.sqlite",
        "mode": "warn",
        "dryRun": True,
        "beforeCount": 9,
        "afterCount": 7,
        "missing": 0,
        "pruned": 2,
        "capped": 0,
        "modelRunPruned": 0,
        "wouldMutate": True,
    }
    result = ingest_files({"cleanup-2026-11-02T0300Z.json": json.dumps(summary, indent=2)})
    (row,) = rows(result)
    assert (row["agent"], row["entries_before"], row["pruned_stale"]) == ("pm-a", 9, 2)
    lines, events, noise, unrecognised = accounting(result)
    assert (events, noise, unrecognised) == (lines, 0, 0)


def test_bare_plain_table_counts_its_rows() -> None:
    """A borderless table pasted without any header is a dry run counted from its rows."""
    result = ingest_files({"pasted-2026-11-02T0300Z.txt": BARE_PLAIN})
    (row,) = rows(result)
    assert (row["agent"], row["dry_run"], row["phase"]) == ("ops", True, "dry-run")
    assert (row["entries_before"], row["entries_after"]) == (4, 1)
    assert (row["pruned_stale"], row["capped"], row["pruned_missing"]) == (2, 1, 0)
    assert row["line"] == 1
    assert accounting(result) == (4, 4, 0, 0)


def test_bare_boxed_table_with_summary_and_a_stray_line() -> None:
    """The boxed table alone, with its label summary: archive rows count as kept, stray text is unrecognised."""
    table = BOXED[BOXED.index("┌") :]
    text = table + "that was all it printed\n"
    result = ingest_files({"ticket-2026-11-02T0300Z.txt": text})
    (row,) = rows(result)
    assert (row["agent"], row["entries_before"], row["entries_after"]) == ("main", 6, 3)
    assert (row["pruned_missing"], row["pruned_stale"]) == (1, 1)
    assert result.occurrence_counts() == {"cleanup_run": 1}
    # 11 table lines + 3 summary lines are the event; 1 blank; 1 stray.
    assert accounting(result) == (16, 14, 1, 1)


def test_two_bare_tables_are_two_runs() -> None:
    """A second header after rows starts a second table: one occurrence each."""
    head = "Action           Key                        Age       Model          Flags\n"
    text = head + BARE_PLAIN + "\n" + head + BARE_PLAIN.replace("ops", "main")
    result = ingest_files({"pasted.txt": text})
    found = rows(result)
    assert [(r["agent"], r["doc_run"]) for r in found] == [("ops", 1), ("main", 2)]
    assert {r["ts_quality"] for r in found} == {"untimed"}
    assert result.occurrence_counts() == {"cleanup_run": 2}
    assert accounting(result) == (11, 10, 1, 0)


def test_log_lines_are_not_taken_for_a_bare_table() -> None:
    """A log whose first word is not an action label is not read as a cleanup table."""
    text = "keeping sessions warm\nprune-stale is a cleanup action\n"
    result = ingest_files({"notes.txt": text})
    assert rows(result) == []


def test_a_total_under_a_store_with_nothing_planned_is_its_store() -> None:
    """A 2026.7 store with nothing to do prints no table but still its `Total:`."""
    text = f"""Session store: {STATE}/scribe/agent/openclaw-agent.sqlite
Maintenance mode: warn
Entries: 9 -> 9 (remove 0)
Would prune missing transcripts: 0
Would prune stale model-run probes: 0
Total: 9 kept, 0 pruned
"""
    result = ingest_files({"sessions-cleanup-2026-12-31T0300Z.txt": text})
    assert len(rows(result)) == 1
    assert accounting(result) == (6, 6, 0, 0)
