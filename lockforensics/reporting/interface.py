"""The reporter interface and the registry of report formats.

A reporter turns ``Findings`` into one text document.  ``reporter_for`` is the
only place that knows every format; it ends in ``assert_never`` so mypy
rejects a ``ReportFormat`` member without a reporter, and a test asks it for
every member.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol, assert_never

from lockforensics.findings import Findings
from lockforensics.reporting import eventlist, markdown
from lockforensics.reporting.json_summary import JsonReporter
from lockforensics.reporting.markdown import MarkdownReporter
from lockforensics.reporting.options import RenderOptions
from lockforensics.reporting.terminal import TerminalReporter


class ReportFormat(StrEnum):
    TERMINAL = "terminal"
    JSON = "json"
    MARKDOWN = "md"
    HTML = "html"


class Reporter(Protocol):
    def render(self, findings: Findings, options: RenderOptions) -> str: ...


def reporter_for(fmt: ReportFormat) -> Reporter:
    """The reporter that writes ``fmt``."""
    match fmt:
        case ReportFormat.TERMINAL:
            return TerminalReporter()
        case ReportFormat.JSON:
            return JsonReporter()
        case ReportFormat.MARKDOWN:
            return MarkdownReporter()
        case ReportFormat.HTML:
            # Altair and vl-convert take ~0.3 s and ~100 MB to import; only HTML needs them.
            from lockforensics.reporting.html import HtmlReporter  # noqa: PLC0415

            return HtmlReporter()
        case _:
            assert_never(fmt)


def raw_lines(findings: Findings, fmt: ReportFormat, options: RenderOptions, text: str) -> int:
    """Raw log lines the rendered report ``text`` carries (none without
    ``--evidence``): for the privacy note."""
    if not options.evidence:
        return 0
    if fmt is ReportFormat.MARKDOWN:
        return markdown.evidence_shown(text)
    lines = findings.evidence.height
    if fmt is ReportFormat.HTML:
        lines += eventlist.raw_line_count(findings)
    return lines
