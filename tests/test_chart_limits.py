"""`report -f html` under an address-space limit: the report is written without charts."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lockforensics.reporting import charts
from lockforensics.reporting.charts import lane_labels
from tests.test_cli import TAKEOVER


def _limit_address_space() -> None:
    # Far more than Python and polars need, far less than V8 reserves.
    resource.setrlimit(resource.RLIMIT_AS, (8 << 30, 8 << 30))


def test_html_under_ulimit_v_is_written_without_charts(tmp_path: Path) -> None:
    """Under `ulimit -v`, V8 cannot start: exit 0, a report saying why, and no chart."""
    log = tmp_path / "in.log"
    log.write_text(TAKEOVER * 3)
    out = tmp_path / "report.html"
    proc = subprocess.run(
        [sys.executable, "-m", "lockforensics", "report", str(log), "-f", "html", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
        preexec_fn=_limit_address_space,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    html = out.read_text()
    assert "Charts left out" in html
    assert "address space" in html
    assert "<svg" not in html


def test_no_limit_means_no_probe(monkeypatch: pytest.MonkeyPatch) -> None:
    """With no address-space limit, charts are drawn in-process and no child is started."""
    monkeypatch.setattr(
        resource, "getrlimit", lambda _which: (resource.RLIM_INFINITY, resource.RLIM_INFINITY)
    )

    def no_child(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("probe started without a limit")

    monkeypatch.setattr(subprocess, "run", no_child)
    charts.unavailable.cache_clear()
    try:
        assert charts.unavailable() is None
    finally:
        charts.unavailable.cache_clear()


@given(
    st.lists(
        st.text(alphabet="abc-", min_size=1, max_size=90).map(lambda t: "customer-support-" + t),
        min_size=1,
        max_size=40,
        unique=True,
    )
)
@settings(max_examples=60, deadline=None)
def test_lane_labels_tell_every_agent_apart(agents: list[str]) -> None:
    """Agents named alike up to their 40th character keep labels of their own (Vega
    had cut them all to one), each short enough to show whole."""
    labels = lane_labels(agents)
    assert len(set(labels.values())) == len(agents)
    assert all(len(label) <= 41 for label in labels.values())
    assert all(labels[a] == a for a in agents if len(a) <= 36)
