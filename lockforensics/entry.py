"""The console entry point: answers ``--version`` before loading the CLI.

Loading the CLI imports polars, typer and every command; a version check
(scripts, bug reports, `pipx list`) should not pay for that.  Everything
else goes to :func:`lockforensics.cli.main`.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

from lockforensics import __version__


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"lockforensics {__version__}")
        return
    # polars' allocator (jemalloc, on Linux) reads this when polars loads.  By
    # default it keeps freed pages for 10 s, and every stage of a report then
    # stands on the pages the stages before it freed: a background thread
    # returning them after 200 ms lowered the busy 1 GB report's peak from
    # 0.96-1.00 to 0.83-0.86 GB for about 2 % of the time (sparse: 340-347 ->
    # 319-323 MB).  Returning them at once cost 4-5 s.  An operator's own
    # setting wins; elsewhere (other allocators) the variable is not read.
    os.environ.setdefault(
        "_RJEM_MALLOC_CONF", "background_thread:true,dirty_decay_ms:200,muzzy_decay_ms:0"
    )
    from lockforensics.cli import main as cli_main  # noqa: PLC0415 - the point of this module

    try:
        cli_main()
    except SystemExit as exc:
        _leave(exc.code)
    _leave(None)


def _leave(code: str | int | None) -> NoReturn:
    """Exit without the interpreter's teardown.

    By now every output is written and closed (outputs.atomic_path) and the
    scan's threads are joined; what is left is freeing the event table and
    polars' buffers object by object, 0.1-0.2 s on a busy bundle (a tenth of
    a cached report), which the kernel does at once when the process ends.
    Only the standard streams still hold buffered text, and the temporary
    folders of ingests (lockforensics/spill.py) are still there.  ``code`` is what
    ``sys.exit`` was given, read the way the interpreter reads it.
    """
    from lockforensics.spill import close_all  # noqa: PLC0415 - loaded by the CLI already

    close_all()
    if isinstance(code, str):
        print(code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more to say
            pass
    os._exit(code if isinstance(code, int) else int(code is not None))
