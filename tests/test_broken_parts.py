"""One bad part never sinks the rest: per-member ratio, nesting limit, unreadable parts."""

from __future__ import annotations

import gzip
import io
import os
import tarfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from lockforensics.errors import NoInputError
from lockforensics.findings import Settings
from lockforensics.ingest.containers import MAX_NESTING
from lockforensics.pipeline import analyze, ingest
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions
from tests.test_cli import TAKEOVER, run


def _tar(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def test_one_compressible_member_skips_only_itself(tmp_path: Path) -> None:
    """A 24 MB member of one repeated line in a .tar.gz trips the ratio; the log after it is read."""
    padding = b"x" * 99 + b"\n"
    bundle = gzip.compress(
        _tar([("a-padding.log", padding * (240_000)), ("b-real.log", TAKEOVER.encode())]),
        compresslevel=9,
    )
    path = tmp_path / "bundle.tar.gz"
    path.write_bytes(bundle)
    result = ingest([path])
    assert result.events.filter(source="b-real.log").height >= 1
    assert any("a-padding.log" in w and "compression ratio" in w for w in result.warnings)
    assert not any("b-real.log" in w for w in result.warnings)


def test_nesting_deeper_than_the_limit_is_a_warning(tmp_path: Path) -> None:
    """90 tars inside each other: the deep ones are skipped with a warning, siblings are read."""
    data = TAKEOVER.encode()
    name = "deep.log"
    for level in range(90):
        data, name = _tar([(name, data)]), f"level{level}.tar"
    (tmp_path / "nested.tar").write_bytes(data)
    (tmp_path / "plain.log").write_text(TAKEOVER)
    result = ingest([tmp_path])
    assert result.events.filter(source=f"{tmp_path.name}/plain.log").height >= 1
    assert any(f"nested more than {MAX_NESTING} deep" in w for w in result.warnings)


def test_nesting_within_the_limit_is_read(tmp_path: Path) -> None:
    """A log three containers deep (zip in tar in tar) is still read."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("x.log", TAKEOVER)
    data = _tar([("b.tar", _tar([("c.zip", inner.getvalue())]))])
    (tmp_path / "a.tar").write_bytes(data)
    result = ingest([tmp_path / "a.tar"])
    assert result.events.filter(source="b.tar/c.zip/x.log").height >= 1
    assert result.warnings == []


@pytest.fixture
def unreadable_dir(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Make listing one directory fail with EACCES (root reads everything, so fake it)."""

    def deny(target: Path) -> None:
        real = os.scandir

        def scandir(path: str | os.PathLike[str] = ".") -> Iterator[os.DirEntry[str]]:
            if Path(path) == target:
                raise PermissionError(13, "Permission denied", str(path))
            return real(path)

        monkeypatch.setattr(os, "scandir", scandir)

    return deny


def test_unreadable_subdirectory_is_a_counted_warning(
    tmp_path: Path, unreadable_dir: Callable[[Path], None]
) -> None:
    """An unreadable subdirectory is named in a warning; the readable files are still read."""
    root = tmp_path / "bundle"
    (root / "secret").mkdir(parents=True)
    (root / "secret" / "x.log").write_text(TAKEOVER)
    (root / "ok.log").write_text(TAKEOVER)
    unreadable_dir(root / "secret")
    result = ingest([root])
    assert result.events.filter(source="bundle/ok.log").height >= 1
    assert any("bundle/secret/: skipped: directory not readable" in w for w in result.warnings)


def test_unreadable_named_directory_is_no_input(
    tmp_path: Path, unreadable_dir: Callable[[Path], None]
) -> None:
    """A directory named on the command line that cannot be listed: NoInputError (exit 66)."""
    (tmp_path / "ok.log").write_text(TAKEOVER)
    unreadable_dir(tmp_path)
    with pytest.raises(NoInputError, match="directory not readable"):
        ingest([tmp_path])


def test_unreadable_file_inside_a_tree_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file that cannot be opened is a warning naming it; its siblings are read."""
    (tmp_path / "bad.log").write_text(TAKEOVER)
    (tmp_path / "ok.log").write_text(TAKEOVER)
    real_open = Path.open

    def refusing_open(self: Path, *args: object, **kwargs: object) -> object:
        if self.name == "bad.log":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(Path, "open", refusing_open)
    result = ingest([tmp_path])
    assert result.events.filter(source=f"{tmp_path.name}/ok.log").height >= 1
    assert any("bad.log: skipped: Permission denied" in w for w in result.warnings)


def test_coverage_line_is_honest_when_something_was_skipped(tmp_path: Path) -> None:
    """With a skipped member, the summary does not claim every input was accounted for."""
    (tmp_path / "ok.log").write_text(TAKEOVER)
    (tmp_path / "b.tar").write_bytes(_tar([("../escape.log", TAKEOVER.encode())]))
    proc = run("ingest", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "every line of every input accounted for" not in proc.stderr
    assert "skipped, cut short or read with care" in proc.stderr


def test_coverage_line_claims_everything_only_when_true(tmp_path: Path) -> None:
    """No warning at all: the summary says every line of every input was accounted for."""
    (tmp_path / "ok.log").write_text(TAKEOVER)
    proc = run("ingest", str(tmp_path))
    assert "every line of every input accounted for" in proc.stderr


@pytest.mark.parametrize("fmt", [ReportFormat.MARKDOWN, ReportFormat.HTML])
def test_skipped_members_are_listed_in_md_and_html(tmp_path: Path, fmt: ReportFormat) -> None:
    """A member refused for its path is named in the Markdown and HTML reports."""
    (tmp_path / "ok.log").write_text(TAKEOVER)
    (tmp_path / "b.tar").write_bytes(_tar([("../escape.log", TAKEOVER.encode())]))
    findings = analyze(ingest([tmp_path]), Settings())
    text = reporter_for(fmt).render(findings, RenderOptions(width=120, color=False))
    assert "Skipped, cut short or set aside" in text
    assert "escape.log" in text
