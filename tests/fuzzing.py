"""Seeds and mutations shared by the Hypothesis fuzz tests and the atheris target.

Seeds are real inputs from the sample bundle (every envelope and document
kind it holds); mutations are the damage real captures show: truncation,
spliced and dropped lines, flipped bytes, and JSON fields of the wrong type.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import re
import tarfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import zstandard

SAMPLE = Path(__file__).resolve().parent.parent / "samples" / "fleet-2026-05-28"
_LINES_PER_LOG = 40


def _text_seeds() -> dict[str, str]:
    """Every text input of the sample: documents whole, logs by their first lines."""
    seeds: dict[str, str] = {}
    for path in sorted(SAMPLE.rglob("*")):
        if not path.is_file() or path.suffix in (".gz", ".zip"):
            continue
        text = path.read_text(encoding="utf-8")
        if path.parent.name in ("tmp-openclaw", "journal"):
            text = "".join(text.splitlines(keepends=True)[:_LINES_PER_LOG])
        seeds[path.relative_to(SAMPLE).as_posix()] = text
    return seeds


def _zip_seeds() -> dict[str, str]:
    """The diagnostics export's members (manifest, summaries, sanitized log)."""
    seeds: dict[str, str] = {}
    for path in sorted(SAMPLE.rglob("*.zip")):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                text = archive.read(info).decode("utf-8", "replace")
                seeds[f"diag/{info.filename}"] = "".join(
                    text.splitlines(keepends=True)[:_LINES_PER_LOG]
                )
    return seeds


_JOURNAL_LINE = re.compile(
    r"^(?P<md>[A-Z][a-z]{2} [ \d]\d) (?P<hms>\d{2}:\d{2}:\d{2}) (?P<host>\S+) "
    r"(?P<ident>[^\s\[]+?)\[(?P<pid>\d+)\]: (?P<rest>.*)$"
)


def _journal_seeds(journal: str) -> dict[str, str]:
    """The sample's journal as the other outputs of journalctl (and docker compose)
    would write it, so every capture envelope is fuzzed from a real seed."""
    kinds = ("json", "full", "unix", "precise", "compose", "kubectl", "verbose", "wrapped")
    out: dict[str, list[str]] = {k: [] for k in kinds}
    for n, line in enumerate(journal.splitlines()):
        m = _JOURNAL_LINE.match(line)
        if m is None:
            continue
        local = datetime.strptime(f"2026 {m['md']} {m['hms']} +0200", "%Y %b %d %H:%M:%S %z")
        head = f"{m['host']} {m['ident']}[{m['pid']}]: {m['rest']}"
        micros = int(local.timestamp()) * 1_000_000 + n
        entry = {"__REALTIME_TIMESTAMP": str(micros), "_HOSTNAME": m["host"], "_PID": m["pid"]}
        entry |= {"SYSLOG_IDENTIFIER": m["ident"], "MESSAGE": m["rest"]}
        out["json"].append(json.dumps(entry, separators=(",", ":")))
        out["full"].append(f"{local:%a %Y-%m-%d %H:%M:%S} CEST {head}")
        out["unix"].append(f"{micros // 1_000_000}.{n:06d} {head}")
        out["precise"].append(f"{m['md']} {m['hms']}.{n:06d} {head}")
        out["compose"].append(f"openclaw-gateway-1  | {m['rest']}")
        utc = local.astimezone(UTC)
        out["kubectl"].append(f"{utc:%Y-%m-%dT%H:%M:%S}.{n + 1}Z {m['rest']}")
        cursor = f"[s=8f1c;i={n:x};b=77aa;m={micros:x};t={micros:x};x=9abc]"
        fields = {"_PID": m["pid"], "SYSLOG_IDENTIFIER": m["ident"], "MESSAGE": m["rest"]}
        out["verbose"].append(
            f"{local:%a %Y-%m-%d %H:%M:%S}.{n:06d} CEST {cursor}\n"
            + "\n".join(f"    {k}={v}" for k, v in (fields | {"_HOSTNAME": m["host"]}).items())
        )
        out["wrapped"].extend(line[i : i + 80] for i in range(0, len(line), 80))
    return {f"journal/as-{k}.txt": "\n".join(v) + "\n" for k, v in out.items()}


SEEDS: dict[str, str] = {**_text_seeds(), **_zip_seeds()}
SEEDS |= _journal_seeds(SEEDS["journal/openclaw-gateway.txt"])
LOG_NAMES = sorted(n for n in SEEDS if n.startswith(("tmp-openclaw/", "journal/", "diag/logs")))
DOCUMENT_NAMES = sorted(n for n in SEEDS if n not in LOG_NAMES)


def mutate(text: str, cut: int, splice: int, flip: int, junk: str) -> str:
    """Truncate at ``cut``, insert ``junk`` at line ``splice``, drop line ``flip``."""
    lines = text[: cut % (len(text) + 1)].splitlines(keepends=True)
    if lines:
        lines.insert(splice % (len(lines) + 1), junk)
        del lines[flip % len(lines)]
    return "".join(lines)


def container(kind: str, name: str, data: bytes) -> tuple[str, bytes]:
    """``data`` wrapped as ``kind`` (tar, zip, gzip, zstd, xz, bzip2): the container's
    name and bytes."""
    if kind == "gzip":
        return f"{name}.gz", gzip.compress(data, mtime=0)
    if kind == "zstd":
        return f"{name}.zst", zstandard.ZstdCompressor().compress(data)
    if kind == "xz":
        return f"{name}.xz", lzma.compress(data)
    if kind == "bzip2":
        return f"{name}.bz2", bz2.compress(data)
    buffer = io.BytesIO()
    if kind == "zip":
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(name, data)
        return f"{name}.zip", buffer.getvalue()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return f"{name}.tar", buffer.getvalue()


def damage(data: bytes, position: int, byte: int, truncate: bool) -> bytes:
    """Flip one byte at ``position``, or cut the stream there."""
    if not data:
        return data
    at = position % len(data)
    if truncate:
        return data[:at]
    return data[:at] + bytes([byte]) + data[at + 1 :]
