"""Hostile log text is inert in every output: terminal, Markdown, and redacted."""

from __future__ import annotations

import html
import re

import polars as pl
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from lockforensics.redaction import Redactor, redact_frame
from lockforensics.textsafety import clean, md_code, md_fence, md_text

HOSTILE = (
    "\x1b[31mred\x1b[0m \u202eevil\u202c <script>alert(1)</script> @everyone [x](http://e) | `tick`"
)


def test_clean_shows_escapes_controls_and_bidi() -> None:
    """An escape's ESC, controls and bidi overrides become U+FFFD; the text stays."""
    out = clean(HOSTILE)
    assert "\x1b" not in out
    assert "\u202e" not in out
    assert out.startswith("\ufffd[31mred\ufffd[0m ")


def test_an_agent_written_with_escapes_does_not_read_as_another() -> None:
    """`ESC[31mops ESC[0m` in a path is no `ops` (a removed escape made it one, Z111)."""
    assert clean("\x1b[2J\x1b[31mops\x1b[0m") != "ops"
    assert clean("o\x1b[Kps") != "ops"


def test_clean_shows_invisible_characters() -> None:
    """A zero-width space or joiner would make two ids look the same: each shows."""
    for invisible in ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"):
        assert clean(f"0000{invisible}4") == "0000\ufffd4"


@given(st.text())
def test_md_text_leaves_no_active_markdown(text: str) -> None:
    """Every Markdown-active character in escaped text is preceded by a backslash."""
    out = md_text(text)
    for index, char in enumerate(out):
        if char in "`*_[]<>|@!#":
            assert index > 0
            assert out[index - 1] == "\\"


def test_md_code_survives_tables_and_backticks() -> None:
    """A code span with pipes and backticks stays one cell and one span."""
    out = md_code("a|b ``c`` d")
    assert "\\|" in out
    assert out.startswith("```")
    assert out.endswith("```")


def test_md_code_outside_a_table_shows_its_pipes_as_written() -> None:
    """In a list item a code span's backslash is literal text: a pipe is left as is,
    and the rendered span reads exactly the log text."""
    text = "session:agent:main:</script>|pipe|`id`"
    item = MarkdownIt("commonmark").render(f"- **Lanes:** {md_code(text, in_table=False)}")
    code = re.search(r"<code>(.*)</code>", item)
    assert code is not None
    assert html.unescape(code.group(1)) == text


def test_md_fence_cannot_be_closed_by_content() -> None:
    """A line of backticks inside evidence does not end the fence early."""
    out = md_fence(["````", "@here"])
    fence = out.splitlines()[0].removesuffix("text")
    assert len(fence) == 5
    assert out.splitlines()[-1] == fence


def test_redactor_is_consistent_and_keyed() -> None:
    """The same value gets the same pseudonym; another key gives another one."""
    text = "lane=session:agent:main:telegram:direct:4917612345 /home/alice/.openclaw x@y.org"
    a = Redactor(key=b"k1")
    first, second = a.text(text), a.text(text)
    assert first == second
    assert "4917612345" not in first
    assert "alice" not in first
    assert "x@y.org" not in first
    assert Redactor(key=b"k2").text(text) != first
    assert a.summary == {"email": 1, "peer": 1, "user": 1}


def test_redactor_covers_windows_paths_hosts_tokens_and_ids() -> None:
    """Windows user folders, hosts, API keys and (optionally) ids are all rewritten."""
    r = Redactor(key=b"k", redact_ids=True, hosts=frozenset({"gw-prod-01"}))
    text = (
        r"C:\Users\Karen\.openclaw\agents\main\sessions\2bc0117f-8cd0-43a6-a382-1b4ebc062f6d.jsonl"
        " on gw-prod-01 with sk-ant-api03-abcdefghijklmnopqrstuvwxyz Authorization: Bearer abcdef1234567890XYZ"
    )
    out = r.text(text)
    for secret in ("Karen", "gw-prod-01", "sk-ant", "abcdef1234567890XYZ", "2bc0117f"):
        assert secret not in out


def test_redact_frame_rewrites_strings_and_lists() -> None:
    """String and list-of-string columns are redacted; numbers are untouched."""
    frame = pl.DataFrame(
        {"raw": ["/home/bob/x"], "reasons": [["/Users/bob/y"]], "pid": [5]},
    )
    out = redact_frame(frame, Redactor(key=b"k"))
    assert "bob" not in out["raw"][0]
    assert "bob" not in out["reasons"][0][0]
    assert out["pid"][0] == 5


def test_a_lazy_table_is_redacted_after_its_filters() -> None:
    """Only the rows a report collects are redacted, each distinct value once, and
    spec vocabulary (kinds) is left as it is."""
    calls: list[str] = []

    class Counting(Redactor):
        def text(self, text: str) -> str:
            calls.append(text)
            return super().text(text)

    table = pl.DataFrame(
        {
            "kind": ["run"] * 1000 + ["takeover"],
            "source": ["/home/alice/a.log"] * 1000 + ["/home/bob/b.log"],
            "run_id": [f"r{n}" for n in range(1001)],
        }
    )
    lazy = redact_frame(table.lazy(), Counting(key=b"k"))
    shown = lazy.filter(pl.col("kind") == "takeover").collect()
    assert shown.get_column("kind").to_list() == ["takeover"]
    assert "bob" not in shown.get_column("source").item()
    assert sorted(calls) == ["/home/bob/b.log", "r1000"]
