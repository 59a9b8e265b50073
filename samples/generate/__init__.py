"""Deterministic generator of synthetic OpenClaw gateway log bundles (stdlib only).

A bundle imitates what an operator copies off a Linux gateway host after a
"session lock stale" incident: the tslog JSONL file logs from ``/tmp/openclaw``
(one day gzip'd, one rotated), a ``journalctl --user -u openclaw-gateway``
capture, the text outputs of ``openclaw sessions cleanup`` cron runs, a
``systemctl status`` and an ``openclaw doctor`` run taken during the first burst,
and the ``openclaw gateway diagnostics export`` zip taken after the restart.
Every line shape follows ``/work/shared/openclaw-formats.md``.

    python -m samples.generate                                  # samples/fleet-2026-05-28/
    python -m samples.generate --size 1GB --out /tmp/big        # sparse benchmark bundle
    python -m samples.generate --profile busy --out /tmp/busy   # busy, 1 GB by default

Layout, from the story outwards:

- ``scenario.py``: the incident as constants (agents, sessions, bursts, restart, captures);
- ``timeline.py``: the scenario core, every record of that story plus its ground truth;
- ``render.py``: records as tslog JSON and journald lines;
- ``sources/``: one module per kind of collected file (registry ``DOCUMENT_SOURCES``);
- ``logs.py``: the file logs and journal, the scenario merged with a profile's padding;
- ``profiles/``: one module per ``--profile`` (registry ``PROFILES``);
- ``truth.py``: ``<bundle>.expected.json``, what ingest must find.

Ground truth goes next to (never inside) the bundle, so the analyzer does not
ingest it.  Output is byte-for-byte deterministic for a given seed: no wall
clock, no set iteration, sorted JSON keys in the ground truth, ``mtime=0`` in
gzip headers.  Padding never changes the lock, takeover and lifecycle
occurrences; the occurrences it adds (runs, tool calls, ...) are counted too.
"""

from __future__ import annotations

from samples.generate.build import Generated, build, generate
from samples.generate.sizes import parse_size
from samples.generate.sources.diagnostics import sanitize_record

__all__ = ["Generated", "build", "generate", "parse_size", "sanitize_record"]
