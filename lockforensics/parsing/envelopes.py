"""Envelopes: how one record is wrapped on a line, and how to unwrap it.

The specs (patterns, order, descriptions) live in ``parsers/envelopes.toml``;
this module holds the code hooks for the JSON envelopes and the generic
prefix parser.  Sniffing is by content, never by file name.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from types import MappingProxyType
from typing import Any

from lockforensics.errors import SpecError
from lockforensics.parsing.codepage import CP1252_BYTES
from lockforensics.parsing.fields import int_field
from lockforensics.parsing.literals import CLI_BANNER, SUPERVISOR_IDENT
from lockforensics.parsing.timestamps import (
    Stamp,
    epoch_stamp,
    on_the_day_of,
    parse_any,
    parse_full,
    parse_iso,
    parse_logs_time,
    parse_none,
    parse_runtime,
    parse_syslog,
    parse_time_only,
    parse_unix,
)
from lockforensics.resources import data_dir


@dataclass(slots=True)
class Record:
    """One unwrapped log record: what every envelope hands to the signatures."""

    message: str
    stamp: Stamp | None = None
    level: str | None = None
    subsystem: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    host: str | None = None
    gateway_pid: int | None = None


@dataclass(frozen=True, slots=True)
class EnvelopeSpec:
    """One entry of parsers/envelopes.toml."""

    name: str
    parser: str
    channel: str
    line: str
    description: str
    versions: str
    stamp: str = "iso"
    inner: str | None = None
    #: Records may span lines (pastes, console captures): continuations are joined.
    wraps: bool = False
    #: The runtime that may store one line the program wrote as several records
    #: past 16 KiB (``docker-json``, ``cri``): the pieces are joined.
    partials: str | None = None
    #: The stamp a runtime writes before each piece of a line it stored in
    #: pieces (``docker logs -t`` past 16 KiB): removed inside such lines.
    spliced: str | None = None
    #: Lines whose text the literal prefilter cannot see (written as bytes):
    #: each is read by the per-line reader, which decodes it.
    opaque: str | None = None
    #: A bare clock (``HH:MM:SS``: no date, no zone) on a line dated before this
    #: day (ISO) is UTC: the consoles of then printed ``toISOString().slice(11, 19)``.
    utc_clock_until: str | None = None

    @property
    def regex(self) -> re.Pattern[str]:
        return _compile(self.line)

    @property
    def start(self) -> str:
        """``line`` for a yes/no test: does a line open a record of this envelope."""
        return _head(self.line)

    def parse(self, line: str) -> Record | None:
        """Unwrap ``line``; None when it does not fit this envelope."""
        if self.parser.startswith("json:"):
            # A JSON text sequence (RFC 7464, journalctl -o json-seq) opens each record with RS.
            line = line.removeprefix("\x1e")
            if not line.startswith("{"):
                return _cut_tslog(line) if self.parser == "json:tslog" else None
            obj = json_object(line)
            return None if obj is None else JSON_HOOKS[self.parser[5:]](obj)
        m = self.regex.match(line)
        if m is None:
            return None
        if self.parser == "verbose":
            return _from_verbose(self, m.groupdict())
        return _from_prefix(self, m.groupdict())


PLAIN = EnvelopeSpec(
    name="plain",
    parser="plain",
    channel="text",
    line="",
    description="anything else (tickets, chat pastes): scanned line by line, own stamp if any",
    versions="any",
    wraps=True,
)


@cache
def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


#: A line pattern's trailing catch-all, ``(?P<rest>.*)$`` or ``.*$`` (not an
#: escaped ``\.``).
_CATCH_ALL = re.compile(r"(?:\(\?P<\w+>\.\*\)|(?<!\\)\.\*)\$$")


@cache
def _head(pattern: str) -> str:
    """``pattern`` without its trailing catch-all.  A line holds no newline, so
    the catch-all matches whatever is left of it and a line fits the one
    pattern exactly when it fits the other; without it the regex stops where
    the envelope's head ends instead of running on to the end of every line
    (a journal's ``fits`` test took 10 ms per 8 MB chunk with it, 3 without)."""
    head = _CATCH_ALL.sub("", pattern)
    return head if head and not head.endswith("\\") else pattern


@dataclass(frozen=True, slots=True)
class EnvelopeCatalog:
    """The ordered envelope registry, the known-noise pattern and the lock vocabulary."""

    envelopes: tuple[EnvelopeSpec, ...]
    noise: str
    unclassified: str  # lines worth a look when no signature matched them

    @property
    def record_start(self) -> str:
        """A line that starts a record in some envelope, or the CLI banner: where a
        paste's hard wrap begins, and what continues no record
        (lockforensics/parsing/continuations.py)."""
        return _record_start((*(env.start for env in self.envelopes), CLI_BANNER))


@cache
def _record_start(lines: tuple[str, ...]) -> str:
    # Named groups repeat across envelopes; one alternation needs them unnamed.
    return "|".join(f"(?:{re.sub(r'[(][?]P<[^>]+>', '(?:', line)})" for line in lines)


@cache
def load_envelopes() -> EnvelopeCatalog:
    """Read parsers/envelopes.toml (cached; the file is immutable at run time)."""
    path = data_dir("parsers") / "envelopes.toml"
    try:
        doc = tomllib.loads(path.read_text(encoding="utf-8"))
        specs = tuple(EnvelopeSpec(**entry) for entry in doc["envelope"])
        noise = str(doc["noise"]["line"])
        unclassified = str(doc["unclassified"]["line"])
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as exc:
        raise SpecError(f"{path}: {exc}") from exc
    for spec in specs:
        if spec.parser.startswith("json:") and spec.parser[5:] not in JSON_HOOKS:
            raise SpecError(f"{path}: envelope {spec.name}: unknown hook {spec.parser}")
        if not spec.parser.startswith("json:") and spec.parser not in ("prefix", "verbose"):
            raise SpecError(f"{path}: envelope {spec.name}: unknown parser {spec.parser!r}")
        if spec.stamp not in _STAMP_READERS:
            raise SpecError(f"{path}: envelope {spec.name}: unknown stamp {spec.stamp!r}")
        _compile(spec.line)
        if spec.opaque is not None:
            _compile(spec.opaque)
    _compile(unclassified)
    return EnvelopeCatalog(specs, noise, unclassified)


#: A Markdown code fence (```` ```text ````, ``~~~``): a ticket or a chat, not a log.
_FENCE = re.compile(r"^\s*(?:`{3,}|~{3,})")


def sniff(lines: list[str], catalog: EnvelopeCatalog) -> EnvelopeSpec:
    """Pick the envelope that fits most sample lines (ties: registry order)."""
    sample = [ln for ln in lines if ln.strip()]
    if not sample:
        return PLAIN
    noise = _compile(catalog.noise)
    sample = [ln for ln in sample if not noise.match(ln)] or sample
    best, best_hits = PLAIN, 0
    for env in catalog.envelopes:
        hits = sum(1 for ln in sample if env.regex.match(ln) and env.parse(ln) is not None)
        if hits > best_hits:
            best, best_hits = env, hits
        if best_hits == len(sample):
            break  # no later envelope can fit more (a third of a chunk's sniff)
    # Fewer than a third fitting means the file is something else that merely
    # quotes log lines (a ticket, a chat paste): scan it as plain text.  So does
    # a Markdown code fence with a third of the lines not fitting: a ticket whose
    # blocks paste logs of several kinds (a journal, then a file log hard-wrapped
    # by the browser) is no one envelope's, and only plain text joins each kind's wraps.
    if any(_FENCE.match(ln) for ln in sample):
        return best if best_hits * 3 >= len(sample) * 2 else PLAIN
    return best if best_hits * 3 >= len(sample) else PLAIN


# --------------------------------------------------------------------------- prefix envelopes

_STAMP_READERS: Mapping[str, Callable[[str], Stamp | None]] = {
    "iso": parse_iso,
    "time": parse_time_only,
    "logs-time": parse_logs_time,
    "syslog": parse_syslog,
    "full": parse_full,
    "unix": parse_unix,
    "runtime": parse_runtime,
    "none": parse_none,
    "any": parse_any,
}
#: Colour codes (CSI sequences) a console writes when it thinks it has a terminal,
#: and the window titles (OSC, ended by BEL or ST) a shell prompt sets in a
#: saved terminal session.  The chunk engine strips them from raw lines; a JSON
#: envelope escapes them (\u001b), so its hook strips them from the decoded text.
ANSI_RE = r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
_ANSI = re.compile(ANSI_RE)
#: What a carriage return inside a line went back over on the screen (bash ends
#: its prompt with `ESC[?2004l` CR; a spinner redraws): the text after the last
#: CR that something follows is what showed.  A CRLF's CR is kept.
OVERWRITTEN_RE = r"^.*\r([^\r])"
_OVERWRITTEN = re.compile(OVERWRITTEN_RE)


def on_screen(line: str) -> str:
    """One line of a terminal capture as the screen showed it (the chunk engine
    does the same to a log's lines in polars, with ANSI_RE and OVERWRITTEN_RE)."""
    return _OVERWRITTEN.sub(r"\1", _ANSI.sub("", line))


CONSOLE_RE = re.compile(
    r"^(?:(?P<ts>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})"
    r"|\d{2}:\d{2}:\d{2}(?:[+-]\d{2}:\d{2})?) )?(?:\[(?P<subsystem>[^\]\s]+)\] )?(?P<message>.*)$",
    re.S,
)

_SUPERVISOR = re.compile(SUPERVISOR_IDENT)


def _from_prefix(spec: EnvelopeSpec, groups: dict[str, str | None]) -> Record:
    stamp = _STAMP_READERS[spec.stamp](groups["ts"] or "") if groups.get("ts") else None
    pid = groups.get("pid")
    if _SUPERVISOR.match(groups.get("ident") or ""):
        # `systemd[1102]: Started …` names the supervisor's pid, not the gateway's;
        # epochs are built from gateway pids.
        pid = None
    record = Record(
        message=groups.get("message") or "",
        stamp=stamp,
        level=groups.get("level"),
        subsystem=groups.get("subsystem"),
        host=groups.get("host"),
        gateway_pid=int_field(pid),
    )
    rest = groups.get("rest")
    if spec.inner == "console" and rest is not None:
        inner = around_console(rest, stamp)
        record.message, record.subsystem, record.stamp = inner.message, inner.subsystem, inner.stamp
    return record


#: One field of a ``journalctl -o verbose`` entry, its lines joined: ` KEY=`.
_VERBOSE_FIELD = re.compile(r"(?:^| )([A-Z_][A-Z0-9_]*)=")


def _from_verbose(spec: EnvelopeSpec, groups: dict[str, str | None]) -> Record:
    """A verbose entry read as the short outputs read theirs: the journal's
    stamp, host, identifier and pid, and the console line in MESSAGE."""
    parts = _VERBOSE_FIELD.split(groups.get("rest") or "")
    fields = dict(zip(parts[1::2], parts[2::2], strict=True))
    return _from_prefix(
        spec,
        {
            "ts": groups.get("ts"),
            "host": fields.get("_HOSTNAME"),
            "ident": fields.get("SYSLOG_IDENTIFIER") or fields.get("_COMM"),
            "pid": fields.get("_PID"),
            "rest": fields.get("MESSAGE", ""),
        },
    )


def around_console(text: str, outer: Stamp | None) -> Record:
    """A console line a supervisor (journald, docker) captured, with the
    supervisor's stamp ``outer``.  The console's own stamp wins when it carries
    a date: it is more precise and matches the file log to the millisecond,
    which occurrence matching relies on.

    A JSON object there is a structured record (the gateway's `consoleStyle:
    json`, or another container's: caddy's access log beside it in a compose
    capture), read as one: its message is its ``message`` or ``msg``, not its
    whole text.  Read as text, a lock wording an attacker put in a request's
    User-Agent had been a lock failure of the gateway (Z138)."""
    record = _structured(text) or parse_console_text(text)
    if record.stamp is None or record.stamp.day is None:
        zoned = on_the_day_of(outer, record.stamp) if outer and record.stamp else None
        record.stamp = zoned or outer or record.stamp
    return record


def json_object(text: str) -> dict[str, Any] | None:
    """``text`` decoded, when it is a JSON object."""
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    return obj if isinstance(obj, dict) else None


def _structured(text: str) -> Record | None:
    """``text`` as a JSON record (the file log's, else a console's), when it is one."""
    obj = json_object(text) if text.startswith("{") else None
    if obj is None:
        return None
    if "_meta" in obj or "0" in obj:
        tslog = parse_tslog(obj)
        if tslog is not None:
            return tslog
    # No message field: a record of nothing the signatures read.
    return parse_console_json(obj) or Record(message="")


def parse_console_text(text: str) -> Record:
    """Split a console line into optional stamp, optional [subsystem] and message."""
    m = CONSOLE_RE.match(text)
    if m is None:  # pragma: no cover - the pattern matches any string
        return Record(message=text)
    ts = m["ts"]
    stamp = (parse_iso(ts) or parse_time_only(ts)) if ts else None
    return Record(message=m["message"], stamp=stamp, subsystem=m["subsystem"])


#: What a ticket or a chat puts before a pasted log line: Markdown quote
#: markers, one list bullet, and inline-code backticks (also closed at its end);
#: and what Windows PowerShell 5.1 puts before the first line a native command
#: writes to stderr when redirected (`node.exe : `, its NativeCommandError).
_PASTE_LEAD = re.compile(
    r"\s*(?:[\w.-]+\.exe : )?(?:>[ \t]?)*(?:[-*+][ \t]+)?(?P<ticks>`*)"
    # A quotation mark around a record a note quotes (`“2026-06-10T11:16:05…”`).
    r"(?P<quote>[“„«\"'](?=\d))?",
    re.IGNORECASE,
)
#: The mark that closes each opening quotation mark.
_CLOSING = {"“": "”", "„": "“", "«": "»", '"': '"', "'": "'"}


#: A span of inline code in Markdown prose.
_INLINE_CODE = re.compile(r"`([^`\n]+)`")


def unpaste(line: str) -> str:
    """``line`` without what a ticket or a chat wrapped around it."""
    lead = _PASTE_LEAD.match(line)
    assert lead is not None  # every part of the pattern is optional
    text = line[lead.end() :].rstrip()
    ticks = lead["ticks"]
    if ticks and text.endswith(ticks):
        text = text[: -len(ticks)]
    quote = lead["quote"]
    # A straight mark closes it only where the record's own quotes leave one over.
    if (
        quote
        and text.endswith(close := _CLOSING[quote])
        and (close not in "\"'" or text.count(close) % 2 == 1)
    ):
        text = text[: -len(close)]
    return text


def parse_any_envelope(line: str, catalog: EnvelopeCatalog) -> tuple[Record, EnvelopeSpec]:
    """A line that does not fit its file's envelope (a paste among prose, a
    quoted journal line, a stray record): read in the first envelope it fits
    once the paste's quoting is taken off, else as plain text."""
    text = unpaste(line)
    # A record quoted inline in prose (`…the only line I kept: `<record>``) is
    # that record, stamp and all (Z140: read as prose, it was untimed).
    for candidate in (text, *_INLINE_CODE.findall(text)):
        for env in catalog.envelopes:
            if env.regex.match(candidate):
                record = env.parse(candidate)
                if record is not None:
                    return record, env
    return parse_plain(text), PLAIN


def parse_plain(line: str) -> Record:
    """The fallback: a line of free text, with its own stamp when it has one."""
    text = line.strip()
    stamp = parse_any(text)
    if stamp is not None:
        text = text.lstrip("[ ")[len(stamp.raw) :].lstrip("] ")
    inner = parse_console_text(text)
    return Record(message=inner.message, stamp=stamp, subsystem=inner.subsystem)


# --------------------------------------------------------------------------- JSON hooks

#: tslog logLevelId → level name.
LOG_LEVELS = {0: "silly", 1: "trace", 2: "debug", 3: "info", 4: "warn", 5: "error", 6: "fatal"}
_GCP_LEVELS = {"WARNING": "warn", "CRITICAL": "fatal", "EMERGENCY": "fatal", "ALERT": "fatal"}


def _binding(value: Any) -> Mapping[str, Any] | None:
    """A tslog child-logger binding: a JSON *string* holding an object."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return _decode_binding(value)
    return None


@lru_cache(maxsize=4096)
def _decode_binding(text: str) -> Mapping[str, Any] | None:
    # Every line of a file log repeats a handful of bindings ("0" and
    # _meta.name); decoding each once saves two JSON parses per line.
    obj = json_object(text)
    if obj is not None and ("subsystem" in obj or "module" in obj):
        return MappingProxyType(obj)
    return None


def _stamp(value: Any) -> Stamp | None:
    return parse_iso(value) if isinstance(value, str) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_tslog(obj: dict[str, Any]) -> Record | None:
    """The gateway file log (openclaw-formats §1.2), every era."""
    meta_block = obj.get("_meta")
    meta_info: dict[str, Any] = meta_block if isinstance(meta_block, dict) else {}
    numbered = sorted((n, v) for k, v in obj.items() if (n := int_field(k)) is not None)
    if not numbered and "message" not in obj:
        return None
    binding = _binding(meta_info.get("name")) or {}
    parts: list[str] = []
    meta: dict[str, Any] = {}
    for index, value in numbered:
        if index == 0 and (bound := _binding(value)) is not None:
            binding = bound
        elif isinstance(value, dict):
            meta.update(value)
        elif isinstance(value, str):
            parts.append(value)
        elif value is not None:
            parts.append(json.dumps(value, ensure_ascii=False))
    has_meta = bool(meta)
    # Binding keys such as the web-heartbeat runId are context, weaker than meta.
    for key, value in binding.items():
        meta.setdefault(key, value)
    for key in ("agent_id", "session_id", "channel", "traceId"):
        if key in obj:
            meta.setdefault(key, obj[key])
    # Newer builds add a top-level `message`: the numbered arguments joined, a
    # meta object among them as its JSON.  The console prints the text alone,
    # so that is the message, and the copies read alike and fold (Z151: every
    # model fallback decision counted once per capture); the meta is read apart.
    text = " ".join(parts)
    message = (text if has_meta and text else None) or _str(obj.get("message")) or text
    if "\x1b" in message:
        # A client's text with terminal sequences in it (a session key holding an
        # OSC-8 link): the console and journal copies of the record lost them
        # to the terminal or the capture's stripping, so they go here too, and
        # the copies read alike and fold (Z144: the file log's lane line had
        # stood as an occurrence of its own).
        message = _ANSI.sub("", message)
    level = _str(meta_info.get("logLevelName"))
    if level is None and isinstance(meta_info.get("logLevelId"), int):
        level = LOG_LEVELS.get(meta_info["logLevelId"])
    host = _str(obj.get("hostname")) or _str(meta_info.get("hostname"))
    return Record(
        message=message,
        stamp=_stamp(obj.get("time")) or _stamp(meta_info.get("date")),
        level=level.lower() if level else None,
        subsystem=_str(binding.get("subsystem")) or _str(binding.get("module")),
        meta=meta,
        host=None if host == "unknown" else host,
    )


_CONSOLE_JSON_KEYS = {"severity", "time", "level", "subsystem", "message", "module"}


def parse_console_json(obj: dict[str, Any]) -> Record | None:
    """consoleStyle=json: {severity, time, level, subsystem, message, ...meta}."""
    message = _str(obj.get("message")) or _str(obj.get("msg"))
    if message is None:
        return None
    level = _str(obj.get("level"))
    severity = _str(obj.get("severity"))
    if level is None and severity is not None:
        level = _GCP_LEVELS.get(severity, severity.lower())
    return Record(
        message=message,
        stamp=_stamp(obj.get("time")),
        level=level.lower() if level else None,
        subsystem=_str(obj.get("subsystem")) or _str(obj.get("module")),
        meta={k: v for k, v in obj.items() if k not in _CONSOLE_JSON_KEYS},
    )


_BINDING_TAG = re.compile(r'^\{"(?:subsystem|module)":"[^"\\]*"\} ')


def parse_logs_json(obj: dict[str, Any]) -> Record | None:
    """`openclaw logs --json`: log records (with the raw file line) and raw lines."""
    kind = obj.get("type")
    raw = _str(obj.get("raw"))
    inner: Record | None = None
    decoded = json_object(raw) if raw is not None and raw.startswith("{") else None
    if decoded is not None:
        inner = parse_tslog(decoded)
    if kind == "log":
        message = _str(obj.get("message"))
        if inner is None:
            if message is None:
                return None
            inner = Record(message=message)
        inner.stamp = _stamp(obj.get("time")) or inner.stamp
        inner.level = (_str(obj.get("level")) or inner.level or "").lower() or None
        inner.subsystem = _str(obj.get("subsystem")) or inner.subsystem
        if message:
            # OpenClaw joins every numbered key of the record, its binding tag
            # (`{"subsystem":"gateway"}` in "0") first: the message is what follows.
            inner.message = _BINDING_TAG.sub("", message, count=1)
        return inner
    if kind == "raw" and raw is not None:
        if inner is None and _cut_record(raw):
            # The first line of a truncated tail: a file-log record cut before
            # it began.  What is left of its message (a lock key ending in the
            # record's escaped quote) cannot be read whole, and the record is
            # in the file log: a record of this envelope holding nothing.
            return Record(message="")
        return inner or parse_plain(raw)
    return None  # meta / notice / error: envelope chatter, known noise


def _cut_record(raw: str) -> bool:
    """The end of a file-log (tslog) record whose beginning is cut off: its
    `_meta` object, then its `time`, and the record's closing brace.  Tested by
    searches, not one regex: a regex of two `.*` on a long hostile line backtracks."""
    meta = raw.find('","_meta":{')
    return (
        not raw.startswith("{")
        and meta >= 0
        and raw.find('},"time":"', meta) >= 0
        and raw.rstrip().endswith("}")
    )


def _cut_tslog(raw: str) -> Record | None:
    """The end of a file-log record a ``tail -c`` cut before it began (such a
    capture's first line).  A newer file log writes ``time``, ``hostname`` and
    ``message`` after ``_meta``: whole, they are the record, and the stump of its
    numbered arguments repeats the message (read too, it was a second failure).
    None for an older record, whose stump is all there is."""
    if not _cut_record(raw):
        return None
    tail_at = raw.find('},"time":"', raw.find('","_meta":{'))
    try:
        tail = json.loads("{" + raw[tail_at + 2 :])
    except ValueError:
        return None
    message = _str(tail.get("message")) if isinstance(tail, dict) else None
    if message is None:
        return None
    host = _str(tail.get("hostname"))
    return Record(
        message=message,
        stamp=_stamp(tail.get("time")),
        host=None if host == "unknown" else host,
    )


#: A diagnostics export cuts every string at this many characters, adding nothing
#: (``MAX_LOG_STRING_LENGTH``, ``truncationSuffix: ""``; openclaw-formats §8).
EXPORT_MESSAGE_CUT = 240

# Keys a diagnostics export keeps as record context (the rest is the message's own).
_SANITIZED_KEYS = {"time", "level", "subsystem", "module", "logger", "msg", "omitted"}


def parse_sanitized(obj: dict[str, Any]) -> Record | None:
    """A diagnostics export's `logs/openclaw-sanitized.jsonl` record (openclaw-formats §8).

    The export flattens each file-log record to safe keys: `time`, `level`
    (tslog's logLevelName as written), `subsystem`/`module` from the child
    logger binding (else `logger`), the first string argument as `msg` (cut at
    240 characters), and scalar meta such as `runId`, `sessionId` or
    `durationMs`.  Paths read `$OPENCLAW_STATE_DIR/...` or `~/...` and long
    numbers `<redacted-id>`.  Records whose message was withheld carry
    `omitted` instead of `msg`: recognised, but nothing to read.
    """
    if "msg" not in obj and "omitted" not in obj:
        return None
    level = _str(obj.get("level"))
    logger = _str(obj.get("logger"))
    message = _str(obj.get("msg")) or ""
    if len(message) >= EXPORT_MESSAGE_CUT and " " in message:
        # Cut with no marker: its last word (a lock path, a session key) is
        # likely a stump, and a stump read as a key is a session that never was.
        # A cut inside `error="…"` leaves the quote open; closed, the wrapper
        # still reads the lane and the inner error.
        message = message[: message.rindex(" ")]
        if message.count('"') % 2:
            message += '"'

    return Record(
        message=message,
        stamp=_stamp(obj.get("time")),
        level=level.lower() if level else None,
        subsystem=_str(obj.get("subsystem"))
        or _str(obj.get("module"))
        or (logger if logger != "openclaw" else None),
        meta={k: v for k, v in obj.items() if k not in _SANITIZED_KEYS},
    )


def parse_docker_json(obj: dict[str, Any]) -> Record | None:
    """docker's json-file driver: the console line in ``log``, docker's own
    nanosecond UTC stamp in ``time`` (the fallback, :func:`around_console`)."""
    log, written = obj.get("log"), obj.get("time")
    if not isinstance(log, str):
        return None
    outer = parse_runtime(written) if isinstance(written, str) else None
    return around_console(_ANSI.sub("", log.rstrip("\n")), outer)


#: The journal's microseconds since the epoch: 19 digits reach past year 2286.
_REALTIME_RE = re.compile(r"[0-9]{1,19}")


def parse_journald_json(obj: dict[str, Any]) -> Record | None:
    """``journalctl -o json``: one journal entry per line, the console line in ``MESSAGE``.

    ``MESSAGE`` is a string, or an array of bytes when the text was not valid
    UTF-8 (read with replacement characters).  ``__REALTIME_TIMESTAMP`` is the
    journal's own time in microseconds since the epoch, the fallback when the
    console line has no dated stamp.  ``_PID`` is the gateway's pid unless
    systemd itself wrote the entry (``Started …``), as in the text captures.
    """
    message = _journal_text(obj.get("MESSAGE"))
    if message is None:
        return None
    realtime = obj.get("__REALTIME_TIMESTAMP")
    outer = (
        epoch_stamp(realtime, int(realtime))
        if isinstance(realtime, str) and _REALTIME_RE.fullmatch(realtime)
        else None
    )
    record = around_console(_ANSI.sub("", message), outer)
    record.host = _str(obj.get("_HOSTNAME"))
    ident = _str(obj.get("SYSLOG_IDENTIFIER")) or _str(obj.get("_COMM"))
    pid = obj.get("_PID") or obj.get("SYSLOG_PID")
    if not _SUPERVISOR.match(ident or "") and isinstance(pid, str):
        record.gateway_pid = int_field(pid)
    return record


def _journal_text(value: Any) -> str | None:
    """A journal field as text: a string, or the bytes journald writes as an array
    (text that is not UTF-8: its stray bytes read as cp1252, as a text capture's
    are, so `j\xf6rg` is `jörg` in both, Z163)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(b, int) and 0 <= b < 256 for b in value):
        return bytes(value).decode("utf-8", CP1252_BYTES)
    return None


JSON_HOOKS: dict[str, Callable[[dict[str, Any]], Record | None]] = {
    "docker_json": parse_docker_json,
    "journald_json": parse_journald_json,
    "tslog": parse_tslog,
    "console_json": parse_console_json,
    "logs_json": parse_logs_json,
    "sanitized": parse_sanitized,
}
