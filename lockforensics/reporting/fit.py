"""Terminal tables that fit the console: drop low-value columns, wrap text, never cut a value.

rich shrinks a table that is too wide by folding every column, which cut
stamps to ``2026-05-28 03:17:0`` and headers to ``stal``.  Here each column
has a minimum width: the whole cell for stamps, numbers and ids (``atomic``),
the longest word for text that may wrap.  While the minimums do not fit,
the table drops the next column of its ``drop`` order, and says which
columns it left out, so nothing disappears silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from lockforensics.textsafety import clean

#: Between two columns: one space of padding each side and the (blank) rule.
_GUTTER = 3
#: Text columns never get narrower than this (a long word folds inside it).
_MIN_TEXT = 8
#: A long unbreakable word in a text column folds rather than widening the table beyond this.
_MAX_WORD = 24


@dataclass(frozen=True, slots=True)
class Layout:
    """How one table gives way on a narrow console."""

    wrap: tuple[str, ...] = ()  # headers of columns whose text may wrap at spaces
    drop: tuple[str, ...] = ()  # headers to leave out first, in order, when too wide


def _cell(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, list | tuple):
        return ", ".join(clean(str(v)) for v in value) or "-"
    return clean(str(value))


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _min_width(header: str, cells: Sequence[str], wrap: bool) -> int:
    head = _longest_word(header)
    if not wrap:
        return max([head, *(len(c) for c in cells)])
    longest = max([0, *(_longest_word(c) for c in cells)])
    return max(head, min(max(longest, _MIN_TEXT), _MAX_WORD))


def _needed(mins: dict[int, int], columns: list[int]) -> int:
    return sum(mins[i] for i in columns) + _GUTTER * (len(columns) - 1)


def _widths(
    header: Sequence[str],
    cells: Sequence[Sequence[str]],
    columns: list[int],
    mins: dict[int, int],
    width: int,
) -> dict[int, int]:
    """Minimum widths, then spare columns to whichever column needs fewest to stop wrapping."""
    widths = dict(mins)
    spare = width - _needed(mins, columns)
    natural = {i: max([len(header[i]), *(len(row[i]) for row in cells)]) for i in columns}
    for i in sorted(columns, key=lambda i: (natural[i] - mins[i], i)):
        grow = max(0, min(spare, natural[i] - widths[i]))
        widths[i] += grow
        spare -= grow
    return widths


def fitted(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    width: int,
    layout: Layout = Layout(),  # frozen, so one shared default is safe
) -> RenderableType:
    """A table of ``rows`` that fits ``width`` columns, with a note naming dropped columns."""
    cells = [[_cell(v) for v in row] for row in rows]
    columns = list(range(len(header)))
    mins = {
        i: _min_width(header[i], [row[i] for row in cells], header[i] in layout.wrap)
        for i in columns
    }
    dropped: list[str] = []
    for name in layout.drop:
        if _needed(mins, columns) <= width:
            break
        index = header.index(name)
        columns.remove(index)
        dropped.append(name)
    widths = _widths(header, cells, columns, mins, width)
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1),
        pad_edge=False,
        header_style="bold",
    )
    for i in columns:
        # A fixed width per column: rich never squeezes it, and a header wraps at spaces.
        table.add_column(header[i], width=widths[i], overflow="fold")
    for row in cells:
        table.add_row(*(Text(row[i]) for i in columns))
    if not dropped:
        return table
    note = Text(
        f"not shown at {width} columns: {', '.join(dropped)}; widen the terminal or use -f md",
        style="dim",
    )
    return Group(table, note)
