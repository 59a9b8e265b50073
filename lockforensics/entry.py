"""The console entry point: answers ``--version`` before loading the CLI.

Loading the CLI imports polars, typer and every command; a version check
(scripts, bug reports, `pipx list`) should not pay for that.  Everything
else goes to :func:`lockforensics.cli.main`.
"""

from __future__ import annotations

import sys

from lockforensics import __version__


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        print(f"lockforensics {__version__}")
        return
    from lockforensics.cli import main as cli_main  # noqa: PLC0415 - the point of this module

    cli_main()
