"""The tslog file log (``/tmp/openclaw/openclaw-<day>.log``): one writer per local day.

OpenClaw rotates when the next write would pass ``logging.maxFileBytes`` (100 MB),
keeping ``.1.log`` ... ``.5.log`` (formats doc §1.1); an operator may gzip a day.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import TextIO


class RotatingDayWriter:
    """Writes one local day's file log, rotating like logging.maxFileBytes does.

    Parts are written in time order to temporary names; at close() the newest part
    becomes openclaw-<day>.log and older ones .1.log, .2.log, ... (.1 = most recent).
    """

    def __init__(
        self,
        directory: Path,
        day: str,
        max_bytes: int | None,
        split_at: int | None,
        gzip_level: int | None,
    ) -> None:
        self.directory = directory
        self.gzip_level = gzip_level
        self.day = day
        self.max_bytes = max_bytes
        self.split_at = split_at
        self.parts: list[tuple[Path, int]] = []  # (temp path, line count)
        self._buf: list[str] = []
        self._bytes = 0
        self._lines = 0
        self._fh: TextIO | None = None
        self._open()

    def _open(self) -> None:
        path = self.directory / f".part-{self.day}-{len(self.parts):03d}.tmp"
        self._fh = path.open("w", encoding="utf-8", newline="\n")
        self.parts.append((path, 0))
        self._bytes = 0
        self._lines = 0

    def _flush(self) -> None:
        if self._buf and self._fh is not None:
            self._fh.write("".join(self._buf))
            self._buf.clear()

    def _rotate(self) -> None:
        self._flush()
        assert self._fh is not None
        self._fh.close()
        path, _ = self.parts[-1]
        self.parts[-1] = (path, self._lines)
        self._open()

    def write(self, line: str, ts: int, size: int) -> None:
        """line already ends with a newline; size is its UTF-8 byte length."""
        if self.split_at is not None and ts >= self.split_at and len(self.parts) == 1:
            if self._lines:
                self._rotate()
            self.split_at = None
        elif self.max_bytes is not None and self._bytes + size > self.max_bytes and self._lines:
            self._rotate()
        self._buf.append(line)
        self._bytes += size
        self._lines += 1
        if len(self._buf) >= 20000:
            self._flush()

    def close(self) -> dict[str, int]:
        """Finish and rename the parts; returns {relative name: line count}."""
        self._flush()
        assert self._fh is not None
        self._fh.close()
        path, _ = self.parts[-1]
        self.parts[-1] = (path, self._lines)
        names: dict[str, int] = {}
        count = len(self.parts)
        for index, (tmp, lines) in enumerate(self.parts):
            age = count - 1 - index  # 0 = current file
            name = f"openclaw-{self.day}.log" if age == 0 else f"openclaw-{self.day}.{age}.log"
            if self.gzip_level is not None:
                target = self.directory / (name + ".gz")
                with (
                    tmp.open("rb") as src,
                    target.open("wb") as raw,
                    gzip.GzipFile(
                        filename=name,
                        mode="wb",
                        fileobj=raw,
                        mtime=0,
                        compresslevel=self.gzip_level,
                    ) as gz,
                ):
                    shutil.copyfileobj(src, gz, 1 << 20)
                tmp.unlink()
                names[target.name] = lines
            else:
                tmp.replace(self.directory / name)
                names[name] = lines
        return names
