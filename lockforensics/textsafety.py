"""Making hostile log text inert before any output format sees it.

Log lines are attacker-controlled (chat messages end up in them).  Every
reporter shows control characters (a terminal escape's ESC among them), bidi
overrides and invisible characters as U+FFFD first, then applies its own
format's escaping.
"""

from __future__ import annotations

import re

# C0/C1 controls except tab and newline (ESC among them), bidi overrides/isolates
# (Trojan Source), and the invisible joiners and spaces (U+200B-U+200D, U+2060,
# U+FEFF) that make two different ids look the same.
CONTROLS = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]"
)


def clean(text: str) -> str:
    """Control, bidi and invisible characters shown as U+FFFD.  A terminal escape
    shows its ESC so, and keeps its visible rest (``ESC[31mops`` reads
    ``U+FFFD[31mops``): a log's colours are stripped as it is read, so an escape
    left in a value was written into it, and an agent ``ESC[31mops ESC[0m``
    must not read as ``ops``."""
    return CONTROLS.sub("\ufffd", text)


def one_line(text: str) -> str:
    """:func:`clean`, and its tabs and newlines too: a name (a file's, an archive
    member's) is one line wherever it is shown, a warning or a table row."""
    return _BREAKS.sub("\ufffd", clean(text))


_BREAKS = re.compile(r"[\t\n\u2028\u2029]")


# Characters that GitHub-flavoured Markdown would turn into markup: tables,
# links, images, emphasis, HTML, headings, entities (`&commat;` is an `@`),
# and @mentions / #refs that ping.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~@&])")
# GitHub links @mentions and #refs AFTER Markdown rendering, so `\@` alone
# still pings (github/markup#1168, cmark-gfm#181).  A zero-width space after
# the sign breaks the mention and renders invisibly; the named entity keeps
# the Markdown source readable.
_NO_PING = re.compile(r"\\([@#])")


def md_text(text: str) -> str:
    """Inline Markdown text: escaped so it renders literally and pings nobody."""
    escaped = _MD_SPECIAL.sub(r"\\\1", clean(text).replace("\n", " "))
    return _NO_PING.sub(r"\\\1&ZeroWidthSpace;", escaped)


def md_code(text: str, in_table: bool = True) -> str:
    """An inline code span; ``in_table``: safe inside a GFM table cell, where a pipe
    must be escaped even in code (outside a table the backslash would show)."""
    body = clean(text).replace("\n", " ")
    if in_table:
        body = body.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", body)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if body.startswith("`") or body.endswith("`") or not body else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def md_fence(lines: list[str], info: str = "text") -> str:
    """A fenced code block whose fence no line can close early."""
    body = "\n".join(clean(line) for line in lines)
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{info}\n{body}\n{fence}"
