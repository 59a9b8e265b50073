"""One number everywhere: every count the four formats show agrees with the JSON summary.

Checked for the sample and for the ground-truth bundle (samples/truth_bundle.py):
the headline counts, each incident's row (agents, sessions, counts per kind),
the events of each input in the coverage table, and the occurrences an
incident's evidence block says it holds.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from lockforensics.findings import Settings
from lockforensics.pipeline import analyze, ingest
from lockforensics.reporting.interface import ReportFormat, reporter_for
from lockforensics.reporting.options import RenderOptions
from samples.truth_bundle import build

Table = tuple[list[str], list[list[str]]]


def md_tables(text: str) -> list[Table]:
    tables: list[Table] = []
    block: list[str] = []
    for line in [*text.splitlines(), ""]:
        if line.startswith("|"):
            block.append(line)
            continue
        if len(block) > 2:
            cells = [[c.strip().strip("`") for c in row.strip("|").split(" | ")] for row in block]
            tables.append((cells[0], cells[2:]))
        block = []
    return tables


def html_tables(text: str) -> list[Table]:
    tables: list[Table] = []
    for body in re.findall(r"<table.*?</table>", text, re.S):
        rows = [
            [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in cells]
            for cells in (
                re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
                for row in re.findall(r"<tr.*?</tr>", body, re.S)
            )
        ]
        if rows:
            tables.append((rows[0], rows[1:]))
    return tables


def terminal_tables(text: str) -> list[Table]:
    """Rich tables without vertical borders: a header, a rule, then rows whose
    cells start at the header's column offsets."""
    tables: list[Table] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if i == 0 or not line.strip() or set(line.strip()) != {"─"}:
            continue
        head = lines[i - 1]
        starts = [m.start() for m in re.finditer(r"(?:^|(?<=  ))\S", head)]
        header = [head[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
        rows: list[list[str]] = []

        def is_rule(j: int) -> bool:
            return j < len(lines) and bool(lines[j].strip()) and set(lines[j].strip()) == {"─"}

        for j in range(i + 1, len(lines)):
            row = lines[j]
            cells = [row[a:b].strip() for a, b in zip(starts, [*starts[1:], None], strict=True)]
            aligned = all(
                len(row) > o and row[o] != " " and (o == 0 or row[o - 1] == " ") for o in starts
            )
            if aligned:
                rows.append(cells)
            elif (
                rows
                and row.strip()
                and sum(1 for c in cells if c) < len(cells)
                # A wrapped piece starts at its column's offset; prose under the
                # table (a warning) runs across the offsets.
                and all(
                    row[o] != " " and (o == 0 or row[o - 1] == " ")
                    for o, c in zip(starts, cells, strict=True)
                    if c
                )
                and not (is_rule(j + 1) or is_rule(j + 2))  # the next table's title
            ):
                # A wrapped cell continues on the next line: join it to the row above.
                rows[-1] = [a + b for a, b in zip(rows[-1], cells, strict=True)]
            else:
                break
        tables.append((header, rows))
    return tables


PARSERS = {
    ReportFormat.MARKDOWN: md_tables,
    ReportFormat.HTML: html_tables,
    ReportFormat.TERMINAL: terminal_tables,
}


def column(tables: list[Table], needed: set[str]) -> list[dict[str, str]]:
    """The rows of the first table whose header has every ``needed`` column, as dicts."""
    for header, rows in tables:
        if needed <= set(header):
            return [dict(zip(header, row, strict=False)) for row in rows]
    raise AssertionError(f"no table with columns {sorted(needed)}")


def headline_numbers(text: str) -> tuple[int, ...]:
    m = re.search(
        r"(\d+) lock-stale, (\d+) lock-timeout, (\d+) takeovers?.*?(\d+) incidents?", text
    )
    assert m is not None
    return tuple(int(g) for g in m.groups())


@pytest.fixture(scope="module", params=["sample", "truth"])
def rendered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, sample_dir: Path
) -> tuple[dict[str, Any], dict[ReportFormat, str]]:
    if request.param == "sample":
        path = sample_dir
    else:
        path = tmp_path_factory.mktemp("numbers") / "truth-2026-06-02"
        build(path)
    findings = analyze(ingest([path]), Settings())
    options = RenderOptions(evidence=True)
    texts = {fmt: reporter_for(fmt).render(findings, options) for fmt in ReportFormat}
    return json.loads(texts[ReportFormat.JSON]), texts


def test_headline_counts_agree(rendered: tuple[dict[str, Any], dict[ReportFormat, str]]) -> None:
    """Lock-stale, lock-timeout, takeovers and incidents read the same in every format."""
    doc, texts = rendered
    counts = doc["counts"]
    want = (counts["lock_stale"], counts["lock_timeout"], counts["takeover"], len(doc["incidents"]))
    for fmt in PARSERS:
        assert headline_numbers(texts[fmt].replace("\n", " ")) == want, fmt


def test_incident_rows_agree(rendered: tuple[dict[str, Any], dict[ReportFormat, str]]) -> None:
    """Each incident's agents, sessions and counts per kind match the JSON in every table."""
    doc, texts = rendered
    needed = {"#", "agents", "sessions", "stale", "timeout", "takeover"}
    for fmt, parse in PARSERS.items():
        rows = {r["#"]: r for r in column(parse(texts[fmt]), needed)}
        for incident in doc["incidents"]:
            row = rows[str(incident["id"])]
            got = [int(row[k]) for k in ("agents", "sessions", "stale", "timeout", "takeover")]
            want = [len(incident["agents"]), incident["sessions"], incident["lock_stale"],
                    incident["lock_timeout"], incident["takeover"]]  # fmt: skip
            assert got == want, (fmt, incident["id"])
            assert incident["occurrences"] == sum(want[2:])


def test_input_events_agree(rendered: tuple[dict[str, Any], dict[ReportFormat, str]]) -> None:
    """The coverage table's events per input are the JSON manifest's, in every format."""
    doc, texts = rendered
    want = {i["path"]: str(i["events"]) for i in doc["inputs"]}
    for fmt in (ReportFormat.MARKDOWN, ReportFormat.HTML):
        rows = column(PARSERS[fmt](texts[fmt]), {"input", "events"})
        assert {r["input"]: r["events"] for r in rows} == want, fmt
    # The terminal wraps paths; its rows are matched by their sha256 prefix instead.
    rows = column(terminal_tables(texts[ReportFormat.TERMINAL]), {"sha256", "events"})
    by_sha = Counter((r["sha256"], r["events"]) for r in rows if r["sha256"])
    assert by_sha == Counter((i["sha256"][:12], str(i["events"])) for i in doc["inputs"])


def test_evidence_counts_the_incidents_own_occurrences(
    rendered: tuple[dict[str, Any], dict[ReportFormat, str]],
) -> None:
    """The evidence block names the incident's occurrence count, the number in its row."""
    doc, texts = rendered
    said = re.findall(r"the incident's (\d+)", texts[ReportFormat.MARKDOWN])
    assert [int(n) for n in said] == [i["occurrences"] for i in doc["incidents"]]


def test_trigger_table_names_takeovers_by_time(
    rendered: tuple[dict[str, Any], dict[ReportFormat, str]],
) -> None:
    """A takeover in the trigger table is a time, an agent and a session, never a row number."""
    doc, texts = rendered
    if not doc["triggers"]["writers"]:
        pytest.skip("no trigger writers in this bundle")
    for fmt in (ReportFormat.MARKDOWN, ReportFormat.HTML):
        rows = column(PARSERS[fmt](texts[fmt]), {"takeover (UTC)", "agent", "session"})
        assert rows
        assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", r["takeover (UTC)"])
                   for r in rows), fmt  # fmt: skip
