"""Turning the paths an operator names into readable inputs.

Directories are walked without following symbolic links; archives and
compressed files found anywhere are opened by their content (see
:mod:`lockforensics.ingest.containers`).  Every input is a stream; nothing is ever
extracted to disk.

Inputs are named by their path inside the bundle, the same whichever way the
bundle travelled: ``fleet/tmp-openclaw/x.log`` read from the directory
``fleet`` and from a tarball whose members start with ``fleet/``.  An archive
named outright contributes its members' names as stored; an archive found
inside the bundle prefixes its members with its own path
(``fleet/support/diag.zip/manifest.json``).
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, cast

from lockforensics.errors import NoInputError
from lockforensics.ingest.containers import (
    HEAD_BYTES,
    MAX_NESTING,
    NESTED_ZIP_LIMIT,
    READ_ERRORS,
    Budget,
    Content,
    Limits,
    Member,
    format_size,
    is_tar,
    is_zip,
    read_bounded,
    readable_name,
    tar_members,
    zip_members,
)
from lockforensics.ingest.own import OWN_HEAD, own_output

__all__ = ["READ_ERRORS", "Input", "Walk", "memory_input", "walk"]


@dataclass(frozen=True, slots=True)
class Input:
    """One readable input: a file, or a member of a container."""

    name: str  # as shown in reports: the path inside the bundle
    size: int  # bytes as stored (compressed, if it is)
    opener: Callable[[], Content]
    compression: str | None = None
    mtime: datetime | None = None  # aware UTC, or naive local time (zip members)
    # A member of a container, readable only while the walk stands on it:
    # scan it before asking for the next input.  Later opens re-read the container.
    streamed: bool = False
    packing: str = ""  # the containers around it, outermost first ("tar+gzip > zip")


def memory_input(name: str, data: bytes, mtime: datetime | None = None) -> Input:
    """An input held in memory (tests, and text already read)."""
    limits = Limits()

    def opener() -> Content:
        return Content(io.BytesIO(data), limits, Budget(limits.max_total))

    with opener() as probe:
        compression = probe.compression
    return Input(name=name, size=len(data), opener=opener, compression=compression, mtime=mtime)


@dataclass(slots=True)
class Walk:
    """The inputs of a bundle, found lazily, and what was skipped on the way."""

    inputs: Iterator[Input]
    warnings: list[str] = field(default_factory=list)
    stored_bytes: int = 0  # on-disk size of everything named (for progress bars)


def walk(paths: list[Path], limits: Limits | None = None) -> Walk:
    """Resolve named paths to inputs, in a stable (sorted) order.

    Raises NoInputError when a named path is missing or unreadable; problems
    with files found *inside* a directory or an archive are warnings, and the
    rest is read.
    """
    limits = limits or Limits()
    roots: list[tuple[Path, bool]] = []
    stored = 0
    for path in paths:
        try:
            st = path.lstat()
        except OSError as exc:
            raise NoInputError(f"{path}: {exc.strerror or exc}") from exc
        if stat.S_ISDIR(st.st_mode):
            try:
                with os.scandir(path):
                    pass
            except OSError as exc:
                raise NoInputError(
                    f"{path}: directory not readable ({exc.strerror or exc})"
                ) from exc
            roots.append((path, True))
            stored += sum(p.stat().st_size for p, _ in _dir_files(path, lambda _m: None))
        elif stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode):
            # A file named outright is the operator's explicit choice, link or not.
            if not os.access(path, os.R_OK) or not path.is_file():
                raise NoInputError(f"{path}: not a readable regular file")
            roots.append((path, False))
            stored += path.stat().st_size
        else:
            raise NoInputError(f"{path}: not a regular file or directory")
    result = Walk(inputs=iter(()), stored_bytes=stored)
    walker = _Walker(limits, Budget(limits.max_total), result.warnings.append)
    result.inputs = walker.roots(roots)
    return result


def _dir_files(root: Path, warn: Callable[[str], None]) -> Iterator[tuple[Path, str]]:
    def unreadable(exc: OSError) -> None:
        where = str(exc.filename or root)
        with contextlib.suppress(ValueError):  # shown as inside the bundle, like its files
            where = Path(where).relative_to(root.parent).as_posix()
        warn(f"{where}/: skipped: directory not readable ({exc.strerror or exc})")

    for dirpath, dirnames, filenames in os.walk(root, followlinks=False, onerror=unreadable):
        dirnames.sort()
        base = Path(dirpath)
        for name in sorted(filenames):
            path = base / name
            rel = readable_name(path.relative_to(root).as_posix())
            try:
                st = path.lstat()
            except OSError as exc:
                warn(f"{rel}: skipped: {exc.strerror or exc}")
                continue
            if stat.S_ISLNK(st.st_mode):
                warn(f"{rel}: skipped: symbolic link (links are never followed)")
                continue
            if not stat.S_ISREG(st.st_mode):
                warn(f"{rel}: skipped: not a regular file")
                continue
            yield path, f"{readable_name(root.name)}/{rel}"


class _Once:
    """The opener of a streamed member: the live stream once, then a fresh re-read."""

    def __init__(self, content: Content, reopen: Callable[[], Content]) -> None:
        self._content: Content | None = content
        self._reopen = reopen

    def __call__(self) -> Content:
        content, self._content = self._content, None
        return content if content is not None else self._reopen()

    def expire(self) -> None:
        """The walk moved past the member: its live stream is gone."""
        if self._content is not None:
            self._content.close()
        self._content = None


class _Walker:
    def __init__(self, limits: Limits, budget: Budget, warn: Callable[[str], None]) -> None:
        self.limits = limits
        self.budget = budget
        self.warn = warn
        # Each input's name, and the archive (or folder) it came from.
        self.names: dict[str, str] = {}

    def roots(self, roots: list[tuple[Path, bool]]) -> Iterator[Input]:
        for path, is_dir in roots:
            if is_dir:
                for file_path, name in _dir_files(path, self.warn):
                    yield from self.file(path, file_path, name, prefix=f"{name}/")
            else:
                yield from self.file(path, path, str(path), prefix="")

    def _content(self, raw: BinaryIO) -> Content:
        return Content(raw, self.limits, self.budget)

    def _unique(self, name: str, container: str) -> str:
        """Two archives named outright may hold the same member path: keep both apart
        by their archive's name.  One archive holding two members of one name (tar
        appends a file again; an extractor keeps only the last) reads both, the
        later as ``name (2).ext``, as a browser saves a second download, and says so."""
        if self.names.get(name, container) != container:
            name = f"{container}/{name}"
        if name in self.names:
            folder, _, base = name.rpartition("/")
            stem, dot, ext = base.partition(".")
            copy = 2
            while (again := f"{folder}/{stem} ({copy}){dot}{ext}".lstrip("/")) in self.names:
                copy += 1
            self.warn(
                f"{name}: a second member of this name in its archive (an extractor "
                f"keeps only the last): both read, this one as {again}"
            )
            name = again
        self.names[name] = container
        return name

    def _own(self, content: Content, name: str, path: Path | None = None) -> bool:
        """One of our own reports or tables (skipped with a note), unless asked to read them."""
        if self.limits.read_own_outputs:
            return False
        try:
            kind = own_output(content.peek(OWN_HEAD), path)
        except READ_ERRORS:
            return False  # the scan reads what it can and says why it stopped
        if kind is None:
            return False
        self.warn(
            f"{name}: skipped: a lockforensics {kind}, our own output and not evidence "
            "(--include-own-reports reads it)"
        )
        return True

    def file(self, root: Path, path: Path, name: str, prefix: str) -> Iterator[Input]:
        """A file on disk: a log, a compressed log, or an archive."""
        try:
            st = path.stat()
            content = self._content(path.open("rb"))
        except READ_ERRORS as exc:
            self.warn(f"{name}: skipped: {getattr(exc, 'strerror', None) or exc}")
            return
        head = _head(content)
        if is_zip(head) and content.compression is None:
            content.close()
            try:
                archive = zipfile.ZipFile(path)
            except READ_ERRORS as exc:
                self.warn(f"{name}: not a readable zip archive ({exc}); skipped")
                return
            with archive:
                yield from self.zip(root, archive, name, prefix, "zip")
            return
        if is_tar(head) or is_zip(head):
            packing = "tar" if is_tar(head) else "zip"
            if content.compression:
                packing += f"+{content.compression}"
            yield from self.container(root, content, head, name, prefix, packing)
            return
        if self._own(content, name, path):
            content.close()
            return
        content.close()
        limits, budget = self.limits, self.budget

        def opener() -> Content:
            return Content(path.open("rb"), limits, budget)

        yield Input(
            name=self._unique(name, str(root)),
            size=st.st_size,
            opener=opener,
            compression=content.compression,
            mtime=datetime.fromtimestamp(st.st_mtime, UTC),
        )

    def container(
        self, root: Path, content: Content, head: bytes, name: str, prefix: str, packing: str
    ) -> Iterator[Input]:
        """A tar stream or an in-memory zip, read member after member."""
        if is_tar(head):
            stream = cast(BinaryIO, content.as_archive())
            stored = content.stored if content.compression else None
            for member in tar_members(stream, name, prefix, self.limits, self.warn, stored):
                yield from self.member(root, member.open(), member, prefix, name, packing)
            content.close()
            return
        data = read_bounded(cast(BinaryIO, content), NESTED_ZIP_LIMIT)
        content.close()
        if data is None:
            self.warn(
                f"{name}: skipped: a zip inside another container is read in memory, "
                f"and this one is over {format_size(NESTED_ZIP_LIMIT)}"
            )
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except READ_ERRORS as exc:
            self.warn(f"{name}: not a readable zip archive ({exc}); skipped")
            return
        with archive:
            yield from self.zip(root, archive, name, prefix, packing)

    def zip(
        self, root: Path, archive: zipfile.ZipFile, name: str, prefix: str, packing: str
    ) -> Iterator[Input]:
        for member in zip_members(archive, prefix, self.limits, self.budget, self.warn):
            try:
                raw = member.open()
            except READ_ERRORS as exc:
                self.warn(f"{prefix}{member.name}: skipped: {exc}")
                continue
            yield from self.member(root, raw, member, prefix, name, packing)

    def member(
        self,
        root: Path,
        raw: BinaryIO,
        member: Member,
        prefix: str,
        container: str,
        packing: str,
    ) -> Iterator[Input]:
        """One member: a leaf input, or a container nested inside."""
        shown = prefix + member.name
        if self.budget.exhausted:
            raw.close()
            self.warn(
                f"{shown}: skipped: the run already decompressed more than "
                f"{format_size(self.budget.limit)} (raise --max-total-size to read it)"
            )
            return
        try:
            content = self._content(raw)
        except READ_ERRORS as exc:
            self.warn(f"{shown}: skipped: {exc}")
            return
        head = _head(content)
        if is_tar(head) or is_zip(head):
            if packing.count(">") + 1 >= MAX_NESTING:
                content.close()
                self.warn(
                    f"{shown}: skipped: a container nested more than {MAX_NESTING} deep "
                    f"({packing.split(' > ', 1)[0]} > …)"
                )
                return
            inner = "tar" if is_tar(head) else "zip"
            if content.compression:
                inner += f"+{content.compression}"
            yield from self.container(
                root, content, head, shown, f"{shown}/", f"{packing} > {inner}"
            )
            return
        if self._own(content, shown):
            content.close()
            return
        name = self._unique(shown, container)
        once = _Once(content, lambda: _reopen(root, name, self.limits))
        yield Input(
            name=name,
            size=member.size,
            opener=once,
            compression=content.compression,
            mtime=member.mtime,
            streamed=True,
            packing=packing,
        )
        once.expire()


def _head(content: Content) -> bytes:
    """The first bytes, to tell an archive; a stream unreadable from its start is an
    input all the same (the manifest lists it, the scan reports why it stopped)."""
    try:
        return content.peek(HEAD_BYTES)
    except READ_ERRORS:
        return b""


def _reopen(root: Path, name: str, limits: Limits) -> Content:
    """Read a member again by walking its container from the start (rare: year re-scans)."""
    is_dir = root.is_dir()
    walker = _Walker(limits, Budget(limits.max_total), lambda _message: None)
    for item in walker.roots([(root, is_dir)]):
        if item.name == name:
            return item.opener()
    raise FileNotFoundError(f"{name}: no longer found in {root}")
