"""Hostile log text stays inert in all four report formats (md, html, terminal, json)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import polars as pl
import pytest

from lockforensics.findings import Findings
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions
from lockforensics.textsafety import clean
from tests import hostile

# Characters no report may carry raw: ESC (ANSI/OSC), other C0/C1 controls
# except tab and newline, and bidi embeddings, overrides and isolates.
RAW_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def findings() -> Findings:
    return hostile.findings()


@pytest.fixture(scope="module")
def reports(findings: Findings) -> dict[ReportFormat, str]:
    options = RenderOptions(evidence=True, color=False)
    return {fmt: reporter_for(fmt).render(findings, options) for fmt in ReportFormat}


def test_the_hostile_values_reach_the_findings(findings: Findings) -> None:
    """The fixture is live: signatures fired and every hostile field made it into Findings."""
    assert findings.headline.incidents == 1
    assert findings.headline.takeovers == 2
    agents = set(findings.frequency.filter(pl.col("dimension") == "agent")["value"])
    assert hostile.AGENT_PATH in agents
    assert any(a.startswith("@org/team|```[red]y[/red]") for a in agents)
    assert hostile.SESSION_HOSTILE in set(findings.failures["session_id"])
    assert any("\x1b" in h for h in findings.hosts)
    assert hostile.SOURCE in set(findings.evidence["source"])
    assert any(hostile.OSC_LINK in h for h in findings.hosts)
    # A raw line's terminal codes are stripped as it is read (a saved terminal's
    # colours, titles and links are no text of the record).
    assert not any("\x1b" in raw for raw in findings.evidence["raw"])


@pytest.mark.parametrize("fmt", list(ReportFormat))
def test_no_raw_control_or_bidi_character_in_any_format(
    fmt: ReportFormat, reports: dict[ReportFormat, str]
) -> None:
    """No ESC, other control character or bidi override survives into the output."""
    found = RAW_CONTROL.findall(reports[fmt])
    assert not found, [hex(ord(c)) for c in set(found)]


# -- HTML ----------------------------------------------------------------------


class _Tags(HTMLParser):
    """Every start tag the browser would build, with its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_builds_no_element_from_log_text(reports: dict[ReportFormat, str]) -> None:
    """Log text becomes text nodes only: one script (ours), no img, no on* handler, no link."""
    parser = _Tags()
    parser.feed(reports[ReportFormat.HTML])
    names = [tag for tag, _ in parser.tags]
    assert names.count("script") == 1
    assert names.count("style") == 1
    assert not {"img", "a", "iframe", "object", "embed", "link", "base", "form"} & set(names)
    handlers = [
        (tag, name) for tag, attrs in parser.tags for name, _ in attrs if name.startswith("on")
    ]
    assert not handlers
    text = "".join(parser.text)
    assert hostile.SCRIPT in text  # shown, as text
    assert hostile.IMG in text
    html = reports[ReportFormat.HTML]
    assert "<img" not in html
    assert "<script>alert" not in html
    assert not re.search(r"<[^>]*onerror=", html)


# -- Markdown ------------------------------------------------------------------

# Our own HTML in the Markdown; anything else with `<` came from a log.
# Our markup, and the generator mark that is the report's whole first line.
_OWN_TAGS = re.compile(r"</?(?:details|summary|sub)>|\A<!-- generator: lockforensics [0-9.]+ -->\Z")
_ESCAPED = re.compile(r"\\[!-/:-@\[-`{-~]")


def _outside_code(markdown: str) -> tuple[list[str], bool]:
    """The text GitHub renders as Markdown: lines outside fences, code spans removed.

    Follows CommonMark: a fence closes only on a line of at least as many
    backticks; a code span closes on a backtick run of exactly its length;
    a backslash-escaped backtick opens nothing.  Returns (lines, all fences closed).
    """
    lines: list[str] = []
    fence = ""
    for line in markdown.splitlines():
        if fence:
            if line.startswith(fence) and not line.strip("`"):
                fence = ""
            continue
        if m := re.match(r"(`{3,})", line):
            fence = m.group(1)
            continue
        out, i = [], 0
        while i < len(line):
            if line[i] == "\\" and i + 1 < len(line):
                out.append(line[i : i + 2])
                i += 2
                continue
            if line[i] == "`":
                run = re.match(r"`+", line[i:])
                assert run is not None
                ticks = run.group(0)
                close = re.search(rf"(?<!`){ticks}(?!`)", line[i + len(ticks) :])
                if close:
                    i += len(ticks) + close.end()
                    out.append("CODE")
                    continue
                out.append(ticks)
                i += len(ticks)
                continue
            out.append(line[i])
            i += 1
        lines.append("".join(out))
    return lines, not fence


def test_markdown_renders_log_text_literally(reports: dict[ReportFormat, str]) -> None:
    """Outside code there is no raw tag, link, image, entity or mention, and every fence closes."""
    markdown = reports[ReportFormat.MARKDOWN]
    assert f"{hostile.SCRIPT}" in markdown  # the hostile text is there, inside code
    lines, closed = _outside_code(markdown)
    assert closed
    for line in lines:
        bare = _OWN_TAGS.sub("", _ESCAPED.sub("", line))
        assert "<" not in bare, line
        assert "[" not in bare, line  # no link or image can start
        assert "@" not in bare, line
        assert not re.search(r"&(?!ZeroWidthSpace;)[A-Za-z#]", bare), line
        # An escaped @ still pings on GitHub: each must be broken by a zero-width space.
        assert not re.search(r"@(?!&ZeroWidthSpace;)", line.replace("\\@", "@")), line


def test_markdown_tables_keep_their_columns(reports: dict[ReportFormat, str]) -> None:
    """Every table row has as many unescaped `|` as its header: log text breaks no table."""
    table: list[str] = []
    tables: list[list[str]] = []
    for line in [*reports[ReportFormat.MARKDOWN].splitlines(), ""]:
        if line.startswith("|"):
            table.append(line)
        elif table:
            tables.append(table)
            table = []
    assert len(tables) > 5
    for rows in tables:
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in rows}
        assert len(widths) == 1, rows


def test_markdown_evidence_fence_outlasts_backticks_in_the_lines(
    reports: dict[ReportFormat, str],
) -> None:
    """Evidence lines that start with ``` sit in a longer fence, so they cannot close it."""
    markdown = reports[ReportFormat.MARKDOWN]
    opening = re.search(r"^(`{3,})text$", markdown, flags=re.M)
    assert opening is not None
    assert len(opening.group(1)) > 3
    assert re.search(rf"^{re.escape(hostile.SOURCE)}:1: ", markdown, flags=re.M)


# -- terminal ------------------------------------------------------------------


def test_terminal_shows_markup_literally(reports: dict[ReportFormat, str]) -> None:
    """Rich markup in agent names and paths is printed as written, not applied."""
    text = "".join(reports[ReportFormat.TERMINAL].splitlines())  # undo folding
    assert hostile.RICH in text
    assert "[red]y[/red]" in text
    assert "[red]x" in text
    assert hostile.SCRIPT in text


# -- JSON ----------------------------------------------------------------------


def test_json_is_valid_and_round_trips_the_cleaned_strings(
    findings: Findings, reports: dict[ReportFormat, str]
) -> None:
    """The JSON parses, is ASCII, and gives back each hostile string exactly as clean() leaves it."""
    text = reports[ReportFormat.JSON]
    assert text.isascii()
    doc = json.loads(text)
    agents = findings.frequency.filter(pl.col("dimension") == "agent")["value"].to_list()
    assert [a["agent"] for a in doc["agents"]] == [clean(a) for a in agents]
    assert doc["coverage"]["hosts"] == [clean(h) for h in findings.hosts]
    evidence = [line for i in doc["incidents"] for line in i["evidence"]]
    assert [e["raw"] for e in evidence] == [clean(r) for r in findings.evidence["raw"]]
    assert hostile.SOURCE in {e["source"] for e in evidence}
    assert clean(hostile.AGENT_PATH) in [a["agent"] for a in doc["agents"]]
