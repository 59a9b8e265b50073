"""Output helpers shared by the on-call commands: formats, instants, durations, tables."""

from __future__ import annotations

import shutil
from datetime import datetime
from enum import StrEnum
from io import StringIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lockforensics.textsafety import clean, md_text


class OncallFormat(StrEnum):
    TERMINAL = "terminal"
    JSON = "json"
    MD = "md"


def iso(value: datetime | None) -> str | None:
    """ISO-8601 UTC with a ``Z``, as in the JSON summary."""
    if value is None:
        return None
    return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def rich_table(
    title: str, header: list[str], rows: list[list[str]], width: int | None, color: bool
) -> str:
    """A rich table rendered to text; cells are hostile text, so markup is off.

    ``width`` None: the terminal's (``COLUMNS``, else the tty's, else 120); a
    long cell (a lock's path) folds onto more lines rather than losing its end
    (Z157: `state/ag…` at 80 columns, the session unknowable)."""
    table = Table(title=Text(title), title_justify="left")
    for column in header:
        table.add_column(Text(column), overflow="fold")
    for row in rows:
        table.add_row(*(Text(clean(cell)) for cell in row))
    buffer = StringIO()
    console = Console(
        file=buffer,
        width=width or shutil.get_terminal_size((120, 24)).columns,
        force_terminal=color,
        no_color=not color,
        soft_wrap=False,
    )
    console.print(table)
    return buffer.getvalue()


def md_table(header: list[str], rows: list[list[str]]) -> str:
    """A GitHub table whose cells are escaped text."""
    lines = [
        "| " + " | ".join(md_text(h) for h in header) + " |",
        "| " + " | ".join("---" for _ in header) + " |",
    ]
    lines += ["| " + " | ".join(md_text(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"
