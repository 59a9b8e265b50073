"""The signature catalog: what a message means, read from ``parsers/signatures/*.toml``.

Two kinds of entries:

* **wrappers** recognise a message that carries another message inside it
  (``lane task error: ... error="..."``, ``Embedded agent failed before reply:``,
  ``All models failed (N): a | b``).  They contribute context fields and an
  *echo role*, then the inner text is scanned again.
* **signatures** (leaves) say what the innermost text is.  Every
  non-overlapping match is a hit, so a chain of failures yields one hit each.

A record's meta object is scanned too (``errorPreview`` of a model-fallback
decision and friends), each such field with its own echo role.  The echo role
is what lets :mod:`lockforensics.ingest.occurrences` fold the several lines OpenClaw
writes for one failure into one occurrence.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from lockforensics.errors import SpecError
from lockforensics.parsing.fields import int_field
from lockforensics.resources import data_dir
from lockforensics.schema import EVENT_SCHEMA, EventKind

#: Named groups a pattern may use beyond the schema's own columns.
HELPER_GROUPS = frozenset({"inner", "age_s", "signal", "self_pid"})
#: A stale reason that names the writer itself: the lock's pid is the pid of the
#: process that logs the error (``shouldTreatAsOrphanSelfLock``, openclaw-formats §11).
SELF_REASON = "orphan-self-pid"
#: Meta keys whose string value is itself an error message worth scanning.
NESTED_META_KEYS = ("errorPreview", "error", "promptError", "cleanupError", "reason")
#: Meta keys that fill event columns when the text did not.
META_FIELDS: Mapping[str, str] = {
    "runId": "run_id",
    "sessionKey": "session_key",
    "sessionId": "session_id",
    "session_id": "session_id",
    "agent_id": "agent",
    "agentId": "agent",
    "lane": "lane",
    "durationMs": "duration_ms",
    "uptimeMs": "uptime_ms",
    "toolCallId": "tool_call_id",
    "tool": "tool",
    "toolName": "tool",
}
_INT_FIELDS = frozenset(n for n, t in EVENT_SCHEMA.items() if t.is_integer())
#: An age in seconds longer than this many digits has no millisecond value in Int64.
AGE_S_DIGITS = 16
#: Text longer than this is matched only near each occurrence of a rule's
#: literal: from ``NEAR_BEFORE`` characters before it to ``NEAR_AFTER`` after,
#: at most ``NEAR_WINDOWS`` times.  Python's regexes backtrack: a pattern
#: opening with ``[A-Za-z]*Error`` tried at every place of a 200 KB base64
#: run took 20 s, and a 3 MB debug frame quoting a lock error never ended.
#: A real message around its literal is far shorter than the windows.
LONG_TEXT = 16_384
NEAR_BEFORE = 256
NEAR_AFTER = 8_192
NEAR_WINDOWS = 16


@dataclass(frozen=True, slots=True)
class Example:
    """A line from a spec that must parse to the given fields (run by tests)."""

    line: str
    expect: dict[str, Any]
    hits: int | None = None
    envelope: str | None = None
    #: A line written before it, that the example needs (``time_from``).
    above: str | None = None


#: ``time_from`` of a rule whose lines take the time of the line with text above them.
TIME_FROM_LINE_ABOVE = "line_above"


@dataclass(frozen=True, slots=True)
class Rule:
    """A wrapper or a leaf signature."""

    id: str
    pattern: str
    literals: tuple[str, ...]
    description: str
    versions: str
    source: str
    kind: str | None = None  # leaves: the kind emitted; wrappers: fallback kind
    phase: str | None = None
    role: str = ""
    distinct: bool = False  # wrappers: keep every inner hit, even repeats
    low_priority: bool = False  # leaves: only when nothing else hit the record
    subsystems: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()
    # "line_above": a line that writes no time of its own (journalctl's
    # `-- Boot … --`) is timed by the last line with text above it.
    time_from: str = ""
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "regex", re.compile(self.pattern))
        except re.error as exc:
            raise SpecError(f"{self.source}: {self.id}: bad pattern: {exc}") from exc

    def applies_to(self, subsystem: str | None) -> bool:
        """Subsystem-bound rules skip records of other subsystems (unknown passes)."""
        return not self.subsystems or subsystem is None or subsystem in self.subsystems


@dataclass(frozen=True, slots=True)
class Reclassify:
    """Moves a hit to another kind when a field matches (store lock vs session lock)."""

    kinds: tuple[str, ...]
    fields: tuple[str, ...]
    pattern: re.Pattern[str]
    kind: str
    why: str
    negate: bool = False  # reclassify when the pattern does NOT match


@dataclass(frozen=True, slots=True)
class ClientText:
    """Where a record of ``subsystems`` turns to text a remote client chose (to its end)."""

    id: str
    subsystems: tuple[str, ...]
    pattern: str
    source: str
    examples: tuple[str, ...]
    regex: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "regex", re.compile(self.pattern, re.DOTALL))
        except re.error as exc:
            raise SpecError(f"{self.source}: {self.id}: bad pattern: {exc}") from exc


@dataclass(slots=True)
class Hit:
    """One thing a record reports."""

    kind: str
    signature: str
    fields: dict[str, Any]
    role: str
    span: tuple[int, int]
    fallback: bool = False
    chained: bool = False  # one of several failures a chain reports: never collapsed


@dataclass(frozen=True)
class Catalog:
    wrappers: tuple[Rule, ...]
    signatures: tuple[Rule, ...]
    reclassify: tuple[Reclassify, ...]
    client_text: tuple[ClientText, ...] = ()

    @cached_property
    def _first_literals(self) -> tuple[str, ...]:
        return self.literals

    def _present(self, rules: tuple[Rule, ...], text: str) -> list[Rule]:
        """The rules whose literals all occur in ``text``, in catalog order.

        Each distinct first literal is searched once per text, not once per
        rule: this loop runs for every candidate line.
        """
        found = {lit for lit in self._first_literals if lit in text}
        return [
            r for r in rules if r.literals[0] in found and all(x in text for x in r.literals[1:])
        ]

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.wrappers + self.signatures

    @cached_property
    def timed_by_line_above(self) -> tuple[str, ...]:
        """The first literals of rules whose lines take the time of the line above."""
        return tuple(dict.fromkeys(r.literals[0] for r in self.rules if r.time_from))

    @property
    def literals(self) -> tuple[str, ...]:
        """Every literal any rule needs: the prefilter for candidate lines."""
        seen: dict[str, None] = {}
        for rule in self.rules:
            for lit in rule.literals[:1]:
                seen.setdefault(lit, None)
        return tuple(seen)

    # ------------------------------------------------------------------ matching

    def match(self, message: str, meta: Mapping[str, Any], subsystem: str | None) -> list[Hit]:
        """All hits of one record: the message, then the nested meta fields."""
        message = self.own_text(message, subsystem)
        nested: list[Hit] = []
        for key in NESTED_META_KEYS:
            value = meta.get(key)
            if isinstance(value, str) and value:
                nested.extend(self._scan(value, {}, f"meta:{key}", None, depth=1))
                # A newer file log's top-level `message` holds its object argument
                # JSON-stringified: the field read again, scanned once, as itself.
                message = message.replace(_as_json(key, value), "")
        hits = self._scan(message, {}, "", subsystem, depth=0) + nested
        if any(not h.fallback for h in hits):
            hits = [h for h in hits if not h.fallback]
        context = _meta_context(meta)
        for hit in hits:
            for name, value in context.items():
                if hit.fields.get(name) is None:
                    hit.fields[name] = value
            self._reclassify(hit)
        return hits

    def own_text(self, message: str, subsystem: str | None) -> str:
        """``message`` without the text a client chose, if its subsystem logs any."""
        for rule in self.client_text:
            if subsystem in rule.subsystems:
                message = rule.regex.sub("", message, count=1)
        return message

    def _scan(
        self, text: str, context: dict[str, Any], role: str, subsystem: str | None, depth: int
    ) -> list[Hit]:
        if depth > 6:  # hostile input nesting wrappers forever
            return []
        for wrapper in self._present(self.wrappers, text):
            if not wrapper.applies_to(subsystem):
                continue
            m = next(_matches(wrapper, text), None)
            if m is None:
                continue
            fields = {**context, **_fields(m)}
            inner = m.groupdict().get("inner") or ""
            sub_role = _join_role(role, wrapper.role.format_map(_Default(fields)))
            hits = self._scan(inner, fields, sub_role, None, depth + 1)
            if wrapper.distinct:
                for hit in hits:
                    hit.chained = True
            else:
                hits = _collapse(hits)
            if hits:
                return hits
            if wrapper.kind is not None:
                return [
                    Hit(
                        wrapper.kind,
                        wrapper.id,
                        _with_phase(fields, wrapper),
                        sub_role,
                        m.span(),
                        fallback=True,
                    )
                ]
            return []
        return self._leaves(text, context, role, subsystem)

    def _leaves(
        self, text: str, context: dict[str, Any], role: str, subsystem: str | None
    ) -> list[Hit]:
        hits: list[Hit] = []
        taken: list[tuple[int, int]] = []
        for rule in self._present(self.signatures, text):
            if not rule.applies_to(subsystem):
                continue
            for m in _matches(rule, text):
                span = m.span()
                if any(span[0] < end and start < span[1] for start, end in taken):
                    continue
                taken.append(span)
                fields = {**context, **_fields(m)}
                assert rule.kind is not None
                hits.append(
                    Hit(
                        rule.kind,
                        rule.id,
                        _with_phase(fields, rule),
                        role or "direct",
                        span,
                        fallback=rule.low_priority,
                    )
                )
        hits.sort(key=lambda h: h.span)
        return hits

    def _reclassify(self, hit: Hit) -> None:
        for rule in self.reclassify:
            if hit.kind not in rule.kinds:
                continue
            value = next((v for f in rule.fields if isinstance(v := hit.fields.get(f), str)), None)
            if value is not None and bool(rule.pattern.search(value)) != rule.negate:
                hit.kind = rule.kind
                return


def _as_json(key: str, value: str) -> str:
    """``"key":"value"`` as JavaScript's JSON.stringify writes it inside an object."""
    return json.dumps({key: value}, ensure_ascii=False, separators=(",", ":"))[1:-1]


class _Default(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def _join_role(outer: str, inner: str) -> str:
    return f"{outer}/{inner}" if outer else inner


def _with_phase(fields: dict[str, Any], rule: Rule) -> dict[str, Any]:
    if rule.phase is not None and fields.get("phase") is None:
        fields["phase"] = rule.phase
    return fields


def _collapse(hits: list[Hit]) -> list[Hit]:
    """One wrapper line naming the same failure twice (promptError and
    cleanupError of a takeover cleanup) reports it once."""
    if any(hit.chained for hit in hits):
        # Chained failures share one role on purpose: a role may appear once
        # per occurrence, so each failure of the chain stays its own.
        return hits
    seen: set[tuple[str, str]] = set()
    out: list[Hit] = []
    for hit in hits:
        key = (hit.kind, str(hit.fields.get("lock_path") or hit.fields.get("session_file")))
        if key in seen:
            continue
        seen.add(key)
        out.append(hit)
    return out


def _convert(name: str, value: str) -> Any:
    if name == "owner_alive":
        return value == "true"
    if name == "stale_reasons":
        return [r.strip() for r in value.split(",") if r.strip()]
    if name == "age_s":
        # Seconds as milliseconds: fewer digits, so the product fits too.
        seconds = int_field(value) if len(value) < AGE_S_DIGITS else None
        return None if seconds is None else seconds * 1000
    if name in _INT_FIELDS:
        return int_field(value)
    return value


def _matches(rule: Rule, text: str) -> Iterator[re.Match[str]]:
    """``rule``'s matches in ``text``, in order; in a long text, only those near
    its literal (LONG_TEXT), each once, none cut short by a window's end."""
    if len(text) <= LONG_TEXT:
        yield from rule.regex.finditer(text)
        return
    literal = rule.literals[0]
    seen: set[tuple[int, int]] = set()
    at = text.find(literal)
    for _ in range(NEAR_WINDOWS):
        if at < 0:
            return
        end = min(len(text), at + len(literal) + NEAR_AFTER)
        for m in rule.regex.finditer(text, max(0, at - NEAR_BEFORE), end):
            # `$` matches at a window's end as if the text ended there.
            if m.span() not in seen and (m.end() < end or end == len(text)):
                seen.add(m.span())
                yield m
        at = text.find(literal, max(at + 1, end - NEAR_AFTER // 2))


def _fields(m: re.Match[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in m.groupdict().items():
        if value is None or name in ("inner", "signal"):
            continue
        if name == "age_s":
            out["age_ms"] = _convert(name, value)
        elif name == "self_pid":
            # `held by this process (pid N)`: the owner is the writer, alive.
            pid = int_field(value)
            out.update(pid=pid, owner_alive=True, gateway_pid=pid)
        else:
            out[name] = _convert(name, value)
    return _self_owned(out)


def _self_owned(fields: dict[str, Any]) -> dict[str, Any]:
    """A lock stale for being its own writer's names the writer's pid: ``gateway_pid``
    is the owner's.  A 2026.6+ gateway logs its pid nowhere else (``ready`` has
    none), so such lines (and ``held by this process (pid N)``) are how its
    epoch learns it (epochs._adopted)."""
    if SELF_REASON in (fields.get("stale_reasons") or ()) and fields.get("pid") is not None:
        fields.setdefault("gateway_pid", fields["pid"])
    return fields


def _meta_context(meta: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, column in META_FIELDS.items():
        value = meta.get(key)
        if value is None or isinstance(value, dict | list | bool):
            continue
        if column in _INT_FIELDS:
            # At most 18 digits, as the vectorised reader takes them (vector._meta_context).
            if isinstance(value, int) and abs(value) < 10**18:
                out.setdefault(column, value)
        elif isinstance(value, str) and value:
            out.setdefault(_key_or(column, value), value)
    return out


def _key_or(column: str, value: str) -> str:
    """``session_key`` for a session "id" that is a key: a newer file log's top-level
    ``session_id`` holds the id *or the key* (openclaw-formats §1.2), and a key
    (``agent:main:main``, ``cron:<job>``) has a colon, a transcript's id never."""
    return "session_key" if column == "session_id" and ":" in value else column


# ---------------------------------------------------------------------- loading


def _rule(entry: dict[str, Any], source: str, wrapper: bool) -> Rule:
    try:
        examples = tuple(
            Example(
                line=str(ex["line"]),
                expect=dict(ex.get("expect", {})),
                hits=ex.get("hits"),
                envelope=ex.get("envelope"),
                above=ex.get("above"),
            )
            for ex in entry.get("example", [])
        )
        rule = Rule(
            id=str(entry["id"]),
            pattern=str(entry["pattern"]),
            literals=tuple(entry["literals"]),
            description=str(entry["description"]),
            versions=str(entry.get("versions", "")),
            source=source,
            kind=entry.get("fallback_kind") if wrapper else str(entry["kind"]),
            phase=entry.get("phase"),
            role=str(entry.get("role", "")),
            distinct=bool(entry.get("distinct", False)),
            low_priority=bool(entry.get("low_priority", False)),
            subsystems=tuple(entry.get("subsystems", ())),
            examples=examples,
            time_from=str(entry.get("time_from", "")),
        )
    except (KeyError, TypeError) as exc:
        raise SpecError(f"{source}: malformed entry {entry.get('id')!r}: {exc}") from exc
    _check(rule, wrapper)
    return rule


def _check(rule: Rule, wrapper: bool) -> None:
    kinds = {k.value for k in EventKind}
    if rule.kind is not None and rule.kind not in kinds:
        raise SpecError(f"{rule.source}: {rule.id}: unknown kind {rule.kind!r}")
    if not rule.literals:
        raise SpecError(f"{rule.source}: {rule.id}: needs at least one literal")
    for name in rule.regex.groupindex:
        if name not in EVENT_SCHEMA and name not in HELPER_GROUPS:
            raise SpecError(f"{rule.source}: {rule.id}: group {name!r} is not a column")
    if wrapper and "inner" not in rule.regex.groupindex:
        raise SpecError(f"{rule.source}: {rule.id}: a wrapper needs an (?P<inner>...) group")
    if not rule.examples:
        raise SpecError(f"{rule.source}: {rule.id}: needs at least one example")
    if rule.time_from not in ("", TIME_FROM_LINE_ABOVE):
        raise SpecError(f"{rule.source}: {rule.id}: unknown time_from {rule.time_from!r}")
    literal = rule.literals[0]
    if rule.time_from and not rule.pattern.startswith(("^" + literal, "^" + re.escape(literal))):
        # The chunk engine finds such lines by a prefix test (chunks._lines_above).
        raise SpecError(f"{rule.source}: {rule.id}: a time_from line must begin with its literal")


def load_catalog_from(paths: Iterable[Path]) -> Catalog:
    wrappers: list[tuple[int, Rule]] = []
    leaves: list[tuple[int, Rule]] = []
    reclassify: list[Reclassify] = []
    client_text: list[ClientText] = []
    ids: set[str] = set()
    for path in sorted(paths):
        try:
            doc = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise SpecError(f"{path}: {exc}") from exc
        for key, target, is_wrapper in (("wrapper", wrappers, True), ("signature", leaves, False)):
            for entry in doc.get(key, []):
                rule = _rule(entry, path.name, is_wrapper)
                if rule.id in ids:
                    raise SpecError(f"{path.name}: duplicate id {rule.id!r}")
                ids.add(rule.id)
                target.append((int(entry.get("order", 100)), rule))
        for entry in doc.get("reclassify", []):
            reclassify.append(
                Reclassify(
                    kinds=tuple(entry["kinds"]),
                    fields=tuple(entry["fields"]),
                    pattern=re.compile(entry["pattern"]),
                    kind=str(entry["kind"]),
                    why=str(entry["why"]),
                    negate=bool(entry.get("negate", False)),
                )
            )
        for entry in doc.get("client_text", []):
            try:
                client_text.append(
                    ClientText(
                        id=str(entry["id"]),
                        subsystems=tuple(entry["subsystems"]),
                        pattern=str(entry["pattern"]),
                        source=path.name,
                        examples=tuple(str(ex["line"]) for ex in entry["example"]),
                    )
                )
            except (KeyError, TypeError) as exc:
                raise SpecError(
                    f"{path.name}: malformed client_text {entry.get('id')!r}: {exc}"
                ) from exc
    # `order` breaks ties between files: lower first; within a file, file order.
    return Catalog(
        wrappers=tuple(r for _, r in sorted(wrappers, key=lambda p: p[0])),
        signatures=tuple(r for _, r in sorted(leaves, key=lambda p: p[0])),
        reclassify=tuple(reclassify),
        client_text=tuple(client_text),
    )


@cache
def load_catalog() -> Catalog:
    """The bundled catalog (cached)."""
    return load_catalog_from(Path(data_dir("parsers") / "signatures").glob("*.toml"))
