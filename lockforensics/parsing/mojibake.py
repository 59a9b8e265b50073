"""UTF-8 text that a console or an editor showed in another code page, then saved.

PowerShell 5.1 reads a native program's output in the console's OEM code page
(437, 850) before its ``>`` writes UTF-16: node's UTF-8 ``José`` arrives as
``Jos├⌐``.  An editor that opened a UTF-8 log as Windows-1252 and saved it
writes ``JosÃ©``.  A lock path in a user's folder then differs from the file
log's copy of the same line, and the copies of one failure count twice (Z141).

A line is read back through the code page when its characters there are bytes
that decode as UTF-8, strictly: text that is only non-ASCII (``Zoë``, ``São``,
``SÃO``, ``张``, a table's box drawing) stays as it is.  Only the lines a
signature may read are tried, and only those that show what such text shows.
"""

from __future__ import annotations

import re

import polars as pl

#: Windows-1252 first: an editor's; then the consoles' OEM pages.
CODE_PAGES = ("cp1252", "cp437", "cp850")


#: Bytes Windows-1252 leaves undefined: Windows shows each as the C1 control of
#: its value (PowerShell's `Get-Content` turns `Á`, C3 81, into `Ã` U+0081),
#: where Python's codec has no character for them.
_UNDEFINED_1252 = frozenset({0x81, 0x8D, 0x8F, 0x90, 0x9D})


def _decoded(page: str, byte: int) -> str:
    if page == "cp1252" and byte in _UNDEFINED_1252:
        return chr(byte)
    return bytes([byte]).decode(page, "ignore")


def _encoded(text: str, page: str) -> bytes:
    """``text`` as the bytes ``page`` shows so, Windows' C1 stand-ins included."""
    if page != "cp1252":
        return text.encode(page)
    return b"".join(bytes([ord(c)]) if ord(c) in _UNDEFINED_1252 else c.encode(page) for c in text)


def _shown(page: str, first: int, last: int) -> str:
    """The characters ``page`` shows for the bytes ``first`` to ``last``, as a class."""
    shown = (_decoded(page, b) for b in range(first, last + 1))
    return "[" + "".join(re.escape(c) for c in shown if c) + "]"


#: What mangled text shows: a UTF-8 sequence's lead byte (0xC2-0xF4) as a code
#: page shows it, then a continuation byte's (0x80-0xBF): `Ã©`, `Ä€`, `├⌐`.
MARKS = "|".join(_shown(p, 0xC2, 0xF4) + _shown(p, 0x80, 0xBF) for p in CODE_PAGES)


def read_back(frame: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """``frame`` with each mangled ``text`` read back, and how many were."""
    texts = frame.get_column("text")
    # Only lines holding non-ASCII can show mangled text: a length check finds
    # them at memory speed, where the marks' regex over every candidate of a
    # busy gateway cost about 1 ms per 1,000 lines.
    wide = (texts.str.len_bytes() != texts.str.len_chars()).fill_null(False).arg_true()
    at = wide.filter(texts.gather(wide).str.contains(MARKS).fill_null(False))
    if at.is_empty():
        return frame, 0
    repaired = [
        (index, fixed)
        for index, text in zip(at.to_list(), texts.gather(at).to_list(), strict=True)
        if (fixed := _read_back(text)) is not None
    ]
    if not repaired:
        return frame, 0
    indices, values = zip(*repaired, strict=True)
    return frame.with_columns(texts.clone().scatter(list(indices), list(values))), len(indices)


def _read_back(text: str) -> str | None:
    """``text`` as the UTF-8 its characters are in a code page, if they are.
    A reading with C1 controls in it is another page's text (``┬¢`` is ``½`` in
    cp850 and U+009B in cp437)."""
    for page in CODE_PAGES:
        try:
            fixed = _encoded(text, page).decode("utf-8")
        except UnicodeError:
            continue
        if fixed != text and not _C1.search(fixed):
            return fixed
    return None


_C1 = re.compile("[\x80-\x9f]")
