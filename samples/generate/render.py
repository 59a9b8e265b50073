"""Rendering records as tslog JSON file lines and journald (``journalctl -o short``) lines."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from samples.generate.clock import MS3, TimeFormatter
from samples.generate.epochs import EPOCHS
from samples.generate.records import LEVEL_IDS, Rec, Src
from samples.generate.scenario import HOST, INSTALL_DIST, JOURNAL_DAY, NODE_VERSION

PATH_CACHE: dict[Src, dict[str, str]] = {}


def src_path(src: Src) -> dict[str, str]:
    cached = PATH_CACHE.get(src)
    if cached is None:
        full = f"{INSTALL_DIST}/{src.file}"
        cached = {
            "fullFilePath": f"file://{full}:{src.line}:{src.col}",
            "fileName": src.file,
            "fileNameWithLine": f"{src.file}:{src.line}",
            "fileColumn": str(src.col),
            "fileLine": str(src.line),
            "filePath": full,
            "filePathWithLine": f"{full}:{src.line}",
            "method": src.method,
        }
        PATH_CACHE[src] = cached
    return cached


def file_obj(rec: Rec, utc: str, loc: str) -> dict[str, Any]:
    """tslog record in writer key order: positional args, _meta, then time last."""
    obj: dict[str, Any] = {}
    if rec.binding is None:
        obj["0"] = rec.message
    else:
        obj["0"] = rec.binding
        if rec.meta is None:
            obj["1"] = rec.message
        else:
            obj["1"] = rec.meta
            obj["2"] = rec.message
    meta: dict[str, Any] = {
        "runtime": "node",
        "runtimeVersion": NODE_VERSION,
        "hostname": "unknown",
        "name": rec.binding if rec.binding is not None else "openclaw",
    }
    if rec.binding is not None:
        meta["parentNames"] = ["openclaw"]  # captured console records have none
    meta["date"] = utc
    meta["logLevelId"] = LEVEL_IDS[rec.level]
    meta["logLevelName"] = rec.level
    meta["path"] = src_path(rec.src)
    obj["_meta"] = meta
    obj["time"] = loc
    return obj


def dumps_line(obj: dict[str, Any]) -> str:
    # JSON.stringify: compact, non-ASCII kept as is.
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


@dataclass(slots=True)
class Rendered:
    ts: int
    file_line: str | None
    journal_line: str | None
    local_day: str


def render(recs: Iterable[Rec]) -> list[Rendered]:
    tf = TimeFormatter()
    out: list[Rendered] = []
    for rec in recs:
        sec, ms = divmod(rec.ts, 1000)
        up, lp, off, stamp, day = tf.parts(sec)
        utc = up + MS3[ms] + "Z"
        loc = lp + MS3[ms] + off
        file_line = dumps_line(file_obj(rec, utc, loc)) if rec.in_file else None
        journal_line = None
        if rec.console is not None and day == JOURNAL_DAY:
            body = rec.console if rec.raw_stderr else f"{loc} {rec.console}"
            journal_line = f"{stamp} {HOST} node[{EPOCHS.pid_at(rec.ts)}]: {body}"
        out.append(Rendered(rec.ts, file_line, journal_line, day))
    return out
