"""Every signature and wrapper in parsers/ proves itself with its own example lines."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from lockforensics.errors import SpecError
from lockforensics.parsing.chunks import VECTOR_MIN
from lockforensics.parsing.documents import load_documents
from lockforensics.parsing.fields import session_type
from lockforensics.parsing.signatures import Example, Rule, load_catalog, load_catalog_from
from lockforensics.schema import EVENT_SCHEMA, EventKind
from tests.conftest import IngestText, ingest_files

CATALOG = load_catalog()
EXAMPLES: list[tuple[Rule, Example]] = [
    (rule, example) for rule in CATALOG.rules for example in rule.examples
]


@pytest.mark.parametrize(
    ("rule", "example"),
    EXAMPLES,
    ids=[f"{rule.id}-{i}" for i, (rule, _) in enumerate(EXAMPLES)],
)
def test_example_parses_to_expected_fields(
    rule: Rule, example: Example, ingest_text: IngestText
) -> None:
    """An example line yields a first event carrying every expected field value
    (after the line its spec puts above it, if any)."""
    above = [example.above] if example.above is not None else []
    events = ingest_text("\n".join([*above, example.line]) + "\n").events
    events = events.filter(pl.col("line") == len(above) + 1)
    assert events.height >= 1, f"{rule.id}: no event from its own example"
    first: dict[str, Any] = events.row(0, named=True)
    mismatched = {
        key: (want, first.get(key))
        for key, want in example.expect.items()
        if first.get(key) != want
    }
    assert not mismatched, f"{rule.id}: (expected, got) {mismatched}"
    if example.hits is not None:
        assert events.height == example.hits


CLIENT_EXAMPLES = [(rule, line) for rule in CATALOG.client_text for line in rule.examples]


@pytest.mark.parametrize(
    ("rule", "line"),
    CLIENT_EXAMPLES,
    ids=[f"{rule.id}-{i}" for i, (rule, _) in enumerate(CLIENT_EXAMPLES)],
)
def test_client_text_reads_as_no_event(rule: Any, line: str, ingest_text: IngestText) -> None:
    """A wording inside the text a client chose is not the gateway's: its
    example holds wordings that signatures read, and yields no event, read
    alone (per line) or among many (the vectorised reader)."""
    clipped = rule.regex.search(line)
    assert clipped is not None
    assert any(lit in clipped.group() for lit in CATALOG.literals)
    for repeats in (1, VECTOR_MIN):
        result = ingest_text((line + "\n") * repeats)
        assert result.events.height == 0
        lines = sum(f.lines for f in result.files)
        assert lines == repeats == sum(f.noise_lines for f in result.files)


def test_every_pattern_compiles_in_rust_regex() -> None:
    """Patterns run in polars too, so each must be valid Rust regex (no look-around)."""
    frame = pl.DataFrame({"text": ["x"]})
    rules = [*CATALOG.rules, *CATALOG.client_text]
    compiled = frame.select(
        pl.col("text").str.contains(rule.pattern).alias(rule.id) for rule in rules
    )
    assert compiled.width == len(rules)


def test_every_kind_is_emitted_by_some_rule_or_document() -> None:
    """No EventKind is dead: a rule, a reclassification or a document hook emits each."""
    emitted = {r.kind for r in CATALOG.rules} | {r.kind for r in CATALOG.reclassify}
    emitted |= load_documents().kinds
    assert not {k.value for k in EventKind} - emitted


def test_named_groups_are_columns_or_helpers() -> None:
    """A capture group that names no column would be silently dropped."""
    for rule in CATALOG.rules:
        for name in rule.regex.groupindex:
            assert name in EVENT_SCHEMA or name in {"inner", "age_s", "signal", "self_pid"}, (
                rule.id,
                name,
            )


def test_store_lock_never_counts_as_session_lock(ingest_text: IngestText) -> None:
    """The sessions.json store lock is a distractor in every wording."""
    lines = [
        "session file locked (timeout 10000ms): pid=1 /h/.openclaw/agents/a/sessions/sessions.json.lock",
        "Error: timeout acquiring session store lock: /h/.openclaw/agents/a/sessions/sessions.json.lock",
        "file lock timeout for /h/.openclaw/agents/a/sessions/sessions.json",
    ]
    kinds = ingest_text("\n".join(lines) + "\n").events["kind"].to_list()
    assert kinds == ["store_lock_timeout"] * 3


def test_all_models_failed_chain_gives_one_hit_per_failure(ingest_text: IngestText) -> None:
    """Each chained failure of `All models failed (N)` is its own occurrence."""
    path = "/h/.openclaw/agents/a/sessions/11111111-1111-4111-8111-111111111111.jsonl.lock"
    chain = " | ".join(
        f"p/m{i}: session file locked (timeout 10000ms): pid=9 {path}" for i in range(3)
    )
    line = f'lane task error: lane=main durationMs=30100 error="FallbackSummaryError: All models failed (3): {chain}"'
    result = ingest_text(line + "\n")
    assert result.events.height == 3
    assert result.occurrence_counts() == {"lock_timeout": 3}


def test_unrelated_lock_words_do_not_match(ingest_text: IngestText) -> None:
    """Wordings near ours (the gateway singleton lock, chat text) are not session locks."""
    lines = [
        "Gateway failed to start: gateway already running (pid 72351); lock timeout after 5000ms",
        "user said: my session file locked up again lol",
        "browser SingletonLock present",
    ]
    kinds = ingest_text("\n".join(lines) + "\n").events["kind"].to_list()
    assert kinds == ["gateway_start_failed"]


def test_other_apps_in_openclaws_words_are_not_the_gateway(ingest_text: IngestText) -> None:
    """A whole-system journal holds other Node apps: a web server's `listening on
    http://… (PID n)` is no gateway start, and its `removed stale session lock`
    of a `.json.lock` is not a transcript lock's removal."""
    lines = [
        "2026-06-15T08:40:34+0200 host node[8844]: Server listening on http://0.0.0.0:3000 (PID 8844)",
        "2026-06-15T08:41:00+0200 host node[8844]: [sessions] removed stale session lock: "
        "/srv/chatbot/data/sessions/u-77.json.lock (too-old)",
        "2026-06-15T08:42:00+0200 host node[41250]: [gateway] listening on "
        "ws://127.0.0.1:18789 (PID 41250)",
    ]
    events = ingest_text("\n".join(lines) + "\n").events
    assert events.select("kind", "gateway_pid").rows() == [
        ("other_file_lock", 8844),
        ("gateway_start", 41250),
    ]


def test_a_top_level_session_id_that_is_a_key_is_the_session_key() -> None:
    """A newer file log's top-level `session_id` holds the id or the key (§1.2): a key
    (it has colons) fills `session_key`, never `session_id`, so it links to the id a
    takeover names; an id stays the id.  Both readers agree (test_engine_equivalence)."""

    def line(minute: int, sid: str) -> str:
        record = {
            "0": '{"subsystem":"diagnostic"}',
            "1": "lane wait exceeded: lane=main waitedMs=3000 queueAhead=1",
            "_meta": {"name": '{"subsystem":"diagnostic"}', "logLevelName": "WARN"},
            "time": f"2026-08-20T05:{minute}:00.000+05:30",
            "session_id": sid,
        }
        return json.dumps(record, separators=(",", ":")) + "\n"

    text = line(11, "agent:main:main") + line(12, "6e0c1a53-7d2b-4f11-8c9e-0a1b2c3d4e5f")
    rows = ingest_files({"openclaw-2026-08-20.log": text}).events
    assert rows.select("session_id", "session_key").rows() == [
        (None, "agent:main:main"),
        ("6e0c1a53-7d2b-4f11-8c9e-0a1b2c3d4e5f", None),
    ]


def test_a_transcript_lock_busy_error_names_a_session_only_by_its_key() -> None:
    """`…transcript lock is still active for agent:main:abc.` names the session;
    `… for agent main` names none (not the session `agent`)."""
    text = (
        "SessionTranscriptLockBusyError: Previous session response is still settling; "
        "transcript lock is still active for agent main\n"
    )
    (row,) = ingest_files({"paste.txt": text}).events.to_dicts()
    assert (row["kind"], row["session_key"], row["agent"]) == ("transcript_lock_busy", None, None)


@pytest.mark.parametrize(
    ("key", "kind"),
    [
        ("agent:main:telegram:group:-1001234567890", "group"),
        ("agent:main:telegram:group:-1001234567890:topic:42", "group"),
        ("agent:ops:slack:channel:c07abc", "channel"),
        ("agent:main:whatsapp:direct:+4917612345678", "direct"),
        ("agent:main:main", "main"),
        ("agent:qa:explicit:model-run-37ff7702-1c2d-4e5f-8a9b-0c1d2e3f4a5b", "probe"),
    ],
)
def test_a_group_chat_is_its_own_session_type(key: str, kind: str) -> None:
    """Group chats and workspace channels are apart, and a model-run probe is
    none of them, as OpenClaw keys them (§7)."""
    assert session_type(key) == kind


@pytest.mark.parametrize(
    ("pattern", "loads"), [("^-- Boot [0-9a-f]+ --$", True), ("-- Boot", False)]
)
def test_a_line_timed_by_the_line_above_must_begin_with_its_literal(
    tmp_path: Path, pattern: str, loads: bool
) -> None:
    """The chunk engine finds the lines a rule times by the line above with a
    prefix test: a spec whose line need not begin with the literal is refused."""
    spec = tmp_path / "boot.toml"
    spec.write_text(
        "[[signature]]\nid = 'boot'\norder = 1\nkind = 'gateway_stop'\n"
        f"literals = ['-- Boot ']\npattern = '{pattern}'\ntime_from = 'line_above'\n"
        "description = 'd'\n[[signature.example]]\nline = '-- Boot ab --'\n"
        "expect = { kind = 'gateway_stop' }\n"
    )
    if loads:
        assert [r.id for r in load_catalog_from([spec]).rules] == ["boot"]
    else:
        with pytest.raises(SpecError, match="must begin with its literal"):
            load_catalog_from([spec])
