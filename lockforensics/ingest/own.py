"""Recognising lockforensics' own outputs inside a bundle: they are not evidence.

A report saved next to the logs and read back would count every incident
again (its evidence lines are log lines).  Our outputs are told by their
generator marks and schema, from their first bytes:

* HTML: ``<meta name="generator" content="lockforensics …">``;
* Markdown: the ``<!-- generator: lockforensics … -->`` first line, or the
  report's title;
* JSON: ``"schema": "lockforensics.summary/…"``;
* terminal captures: the headline, then the ``window … UTC; hosts:`` line,
  or the ingest summary's ``Inputs (manifest)`` opening (a saved stderr);
* event tables: a CSV header or an NDJSON first record with exactly the
  event table's columns, or a Parquet file carrying our manifest metadata.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lockforensics.schema import COLUMNS

#: Bytes looked at: the marks all sit in a report's head.
OWN_HEAD = 16 << 10
_PARQUET_TAIL = 64 << 10

_HTML = re.compile(rb'<meta\s+name="generator"\s+content="lockforensics[\s"]', re.IGNORECASE)
_MARKDOWN = re.compile(
    rb"\A(?:\xef\xbb\xbf)?(?:<!-- generator: lockforensics |## Session-lock incident report)"
)
_JSON = re.compile(rb'\A\s*\{\s*"schema"\s*:\s*"lockforensics\.summary/')
_ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")
_TERMINAL = re.compile(
    rb"\A\d[\d,]* lock-stale, \d[\d,]* lock-timeout, \d[\d,]* takeovers?,.*?\n"
    rb"(?:.*\n)?window \S+ \S+ \.\. \S+ \S+ UTC; hosts: "
)
_SUMMARY = re.compile(rb"\AInputs \(manifest\)\r?\n")
_CSV_HEADER = ",".join(COLUMNS).encode()


def own_output(head: bytes, path: Path | None = None) -> str | None:
    """What kind of our own output ``head`` begins, or None for anything else.

    ``path`` (a file on disk) lets a Parquet table be confirmed by its footer.
    """
    if _HTML.search(head):
        return "HTML report"
    if _MARKDOWN.match(head):
        return "Markdown report"
    if _JSON.match(head):
        return "JSON report"
    plain = _ANSI.sub(b"", head)
    if _TERMINAL.match(plain):
        return "terminal report"
    if _SUMMARY.match(plain):
        return "ingest summary"
    first = head.split(b"\n", 1)[0].rstrip(b"\r")
    if first == _CSV_HEADER:
        return "CSV event table"
    if first.startswith(b"{") and _is_event_record(first):
        return "NDJSON event table"
    if head.startswith(b"PAR1") and path is not None and _parquet_is_ours(path):
        return "Parquet event table"
    return None


def _is_event_record(line: bytes) -> bool:
    try:
        record = json.loads(line)
    except ValueError:
        return False
    return isinstance(record, dict) and tuple(record) == COLUMNS


def _parquet_is_ours(path: Path) -> bool:
    """Our manifest key sits in the footer's key/value metadata, at the file's end."""
    try:
        with path.open("rb") as handle:
            size = handle.seek(0, 2)
            handle.seek(max(0, size - _PARQUET_TAIL))
            return b"lockforensics.manifest" in handle.read()
    except OSError:
        return False
