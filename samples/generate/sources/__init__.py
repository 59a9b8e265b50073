"""Source kinds: one module per kind of file an operator collects off a gateway host.

The file logs and the journal capture (``tslog.py``, ``journal.py``) are written
by ``samples/generate/logs.py``, because a profile pads them.  Every other source
is a *document* written from the rendered scenario alone.  To add one, write a
module with ``write(ctx: SourceContext) -> dict[str, int]`` (bundle-relative
path -> line count, for the ground truth) and list it in ``DOCUMENT_SOURCES``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from samples.generate.sources import cleanup, diagnostics, doctor, systemctl
from samples.generate.sources.context import SourceContext

Source = Callable[[SourceContext], dict[str, int]]

# Written in this order, before the logs: the logs are padded to what is left of --size.
DOCUMENT_SOURCES: Final[tuple[Source, ...]] = (
    cleanup.write,
    systemctl.write,
    doctor.write,
    diagnostics.write,
)

__all__ = ["DOCUMENT_SOURCES", "Source", "SourceContext"]
