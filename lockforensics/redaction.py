"""Consistent pseudonyms for identifiers before a report leaves the host.

A report is pasted into a public issue, so chat ids, user names, host names,
emails and secrets must not survive in any format, evidence lines included.
Each value maps to a keyed pseudonym (HMAC-SHA256), so the same chat id reads
the same everywhere in one report and ``--redact-key`` reproduces a report,
while nobody without the key can reverse or confirm a guess.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from typing import Any, TypeVar

import polars as pl

from lockforensics.findings import Coverage, Findings

# Order matters: secrets and emails first (they may contain path-like or
# id-like text), then structural identifiers.
_Frame = TypeVar("_Frame", pl.DataFrame, pl.LazyFrame)

_SECRET = re.compile(
    r"\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_-]{16,}|xox[abprs]-[A-Za-z0-9-]{10,}"
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|AKIA[0-9A-Z]{16}"
    r"|AIza[0-9A-Za-z_-]{30,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
    r"|\d{8,10}:AA[A-Za-z0-9_-]{30,})"
)
_BEARER = re.compile(
    r"(?i)\b(bearer|token|api[_-]?key|secret|password)([=: ]+)([A-Za-z0-9._~+/-]{12,})"
)
_EMAIL = re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b")
# Home folders on Linux, macOS and Windows (either slash; JSON-escaped too).
# A Windows user folder may hold spaces (`C:\\Users\\Jo Smith\\...`, as OpenClaw
# logs it): there the name runs on to the next separator, so no surname survives.
_USER = r"[^/\\\s\"'<>|]+"
_WIN_HOME = re.compile(
    r"(?P<pre>[A-Za-z]:(?:\\\\|\\|/)Users(?:\\\\|\\|/))"
    rf"(?P<user>{_USER}(?: {_USER})*(?=[\\/])|{_USER})"
)
_HOME = re.compile(rf"(?P<pre>/home/|/Users/)(?P<user>{_USER})")
# Peer / chat / group / channel ids inside session keys and lanes.
_PEER = re.compile(
    r"(?P<pre>:(?:direct|dm|group|channel|room|thread|topic):)(?P<peer>[^:\s\"'|,)]+)"
)
# IPv4 addresses; loopback and the wildcard say nothing of the host and stay.
_OCTET = r"(?:25[0-5]|2[0-4]\d|1?\d?\d)"
_IPV4 = re.compile(rf"(?<![\d.]){_OCTET}(?:\.{_OCTET}){{3}}(?![\d.])")
_KEPT_IPS = re.compile(r"127\.\d+\.\d+\.\d+|0\.0\.0\.0")
_PSEUDONYM = re.compile(r"(?:secret|email|user|peer|host|ip|id)-[0-9a-f]{8}")
_UUID = re.compile(
    r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"
)


@dataclass
class Redactor:
    """Rewrites identifiers in text to stable keyed pseudonyms, counting each kind."""

    key: bytes
    redact_ids: bool = False
    hosts: frozenset[str] = frozenset()
    counts: Counter[str] = field(default_factory=Counter)
    _seen: dict[tuple[str, str], str] = field(default_factory=dict)

    def pseudonym(self, kind: str, value: str) -> str:
        known = self._seen.get((kind, value))
        if known is not None:
            return known
        digest = hmac.new(self.key, f"{kind}\0{value}".encode(), hashlib.sha256).hexdigest()
        alias = f"{kind}-{digest[:8]}"
        self._seen[(kind, value)] = alias
        self.counts[kind] += 1
        return alias

    def _sub(
        self,
        pattern: re.Pattern[str],
        kind: str,
        group: str | int,
        text: str,
        kept: re.Pattern[str] | None = None,
    ) -> str:
        def repl(m: re.Match[str]) -> str:
            value = m.group(group)
            if _PSEUDONYM.fullmatch(value):  # already rewritten by an earlier rule
                return m.group(0)
            if kept is not None and kept.fullmatch(value):
                return m.group(0)
            start, end = m.span(group)
            whole_start = m.start()
            prefix = m.group(0)[: start - whole_start]
            suffix = m.group(0)[end - whole_start :]
            return prefix + self.pseudonym(kind, value) + suffix

        return pattern.sub(repl, text)

    def text(self, text: str) -> str:
        """Redact one string."""
        text = self._sub(_SECRET, "secret", 0, text)
        text = self._sub(_BEARER, "secret", 3, text)
        text = self._sub(_EMAIL, "email", 0, text)
        text = self._sub(_WIN_HOME, "user", "user", text)
        text = self._sub(_HOME, "user", "user", text)
        text = self._sub(_PEER, "peer", "peer", text)
        text = self._sub(_IPV4, "ip", 0, text, kept=_KEPT_IPS)
        for host in sorted(self.hosts, key=len, reverse=True):
            if host and host in text:
                text = text.replace(host, self.pseudonym("host", host))
        for label, host in self._short_names:
            if label in text:
                text = re.sub(
                    rf"(?<![\w.-]){re.escape(label)}(?![\w-])", self.pseudonym("host", host), text
                )
        if self.redact_ids:
            text = self._sub(_UUID, "id", 0, text)
        return text

    @cached_property
    def _short_names(self) -> list[tuple[str, str]]:
        """(first label, host) of each host named by its full name: a journal or a
        bundle's folder (`karens-macbook/`) names `karens-macbook.fritz.box` by its
        first label.  Labels under four characters are too likely to be words."""
        found = []
        for host in self.hosts:
            label = host.split(".", 1)[0]
            if label != host and len(label) >= 4 and label not in self.hosts:
                found.append((label, host))
        return sorted(found, key=lambda pair: len(pair[0]), reverse=True)

    @property
    def summary(self) -> dict[str, int]:
        """Distinct values redacted, per kind (what the report states)."""
        return dict(sorted(self.counts.items()))


#: Columns whose values come from the specs and enums, never from log text:
#: left as they are, so a report's filters on them run before redaction.
VOCABULARY = frozenset({"kind", "signature", "envelope", "channel", "ts_quality"})


def _redact_column(column: pl.Series, redactor: Redactor) -> pl.Series:
    """Each distinct value redacted once: a busy table repeats a few paths and
    kinds over hundreds of thousands of rows."""
    distinct = column.drop_nulls().unique().to_list()
    redacted = {value: redactor.text(value) for value in distinct}
    return column.replace_strict(redacted, default=None, return_dtype=pl.String)


def redact_frame(frame: _Frame, redactor: Redactor) -> _Frame:
    """Apply ``redactor`` to every string (and list-of-string) cell of ``frame``
    (a lazy frame is redacted as its rows are collected)."""
    exprs = []
    for name, dtype in frame.collect_schema().items():
        if name in VOCABULARY:
            continue
        if dtype == pl.String:
            exprs.append(
                pl.col(name).map_batches(
                    lambda column: _redact_column(column, redactor),
                    return_dtype=pl.String,
                    # Value by value: a lazy table's filters still run first,
                    # so only the rows a report shows are redacted.
                    is_elementwise=True,
                )
            )
        elif dtype == pl.List(pl.String):
            exprs.append(
                pl.col(name).list.eval(
                    pl.element().map_elements(redactor.text, return_dtype=pl.String)
                )
            )
    return frame.with_columns(exprs) if exprs else frame


def redact_findings(findings: Findings, redactor: Redactor) -> Findings:
    """A copy of ``findings`` with every string, in every frame and field, redacted."""

    def value(v: Any) -> Any:
        if isinstance(v, pl.DataFrame):
            return redact_frame(v, redactor)
        if isinstance(v, pl.LazyFrame):
            return redact_frame(v, redactor)
        if isinstance(v, str):
            return redactor.text(v)
        if isinstance(v, tuple):
            return tuple(value(x) for x in v)
        if isinstance(v, Mapping):
            return {k: value(x) for k, x in v.items()}
        return v

    coverage = replace(
        findings.coverage,
        **{f.name: value(getattr(findings.coverage, f.name)) for f in fields(Coverage)},
    )
    changes = {
        f.name: value(getattr(findings, f.name))
        for f in fields(Findings)
        if f.name not in ("coverage", "settings", "headline", "generated_at")
    }
    # The options are the operator's own words, but --host names a host.
    settings = replace(findings.settings, host=value(findings.settings.host))
    return replace(findings, coverage=coverage, settings=settings, **changes)
