"""Bytes that are not UTF-8, read as Windows-1252 (cp1252).

A log copied through a tool that re-encoded it, or a journal record with a
stray byte, writes `zoë` as one byte, 0xEB.  Decoded with replacement, the
agent became `zo\ufffd`, a phantom beside the real one, and its failures did
not fold into their copies elsewhere.  The UTF-8 around such bytes stays.
"""

from __future__ import annotations

import codecs


def _cp1252_bytes(error: UnicodeError) -> tuple[str, int]:
    """A codec error handler: the bytes that are not UTF-8, read as cp1252."""
    assert isinstance(error, UnicodeDecodeError)
    wrong = error.object[error.start : error.end]
    return bytes(wrong).decode("cp1252", "replace"), error.end


#: The error handler's name: ``data.decode("utf-8", CP1252_BYTES)``.
CP1252_BYTES = "lockforensics-cp1252"
codecs.register_error(CP1252_BYTES, _cp1252_bytes)
