"""One lock held across a quiet longer than ``--gap`` is one incident (Z235)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lockforensics.findings import Settings
from lockforensics.pipeline import analyze
from tests.conftest import ingest_files

T0 = datetime(2026, 8, 14, 2, 40, 2, tzinfo=UTC)
#: The failures' instants, seconds after T0: 7 and 11 min apart, with a gap of 10 min.
AT = (303, 748, 1390, 1860)


def _console(taken: list[int | None], at_s: tuple[int, ...] = AT) -> str:
    """A lease-era console: its start, then a lease timeout at each of ``AT`` whose
    owner took the lease ``taken`` seconds after T0 (None: no ageMs)."""
    lines = [f"{T0:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + "+00:00 [gateway] ready"]
    for at, since in zip(at_s, taken, strict=True):
        when = T0 + timedelta(seconds=at)
        age = "" if since is None else f" ageMs={(at - since) * 1000}"
        lines.append(
            f"{when:%Y-%m-%dT%H:%M:%S}.000+00:00 [diagnostic] lane task error: "
            'lane=session:agent:main:main durationMs=60033 error="SessionWriteLockTimeoutError: '
            f"session file locked (timeout 60000ms): pid=7 alive=true{age} "
            'sqlite:session-write:agent:main:main"'
        )
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("taken", "spans"),
    [
        # One hold since T0, failing on: one incident from the first failure.
        ([0, 0, 0, 0], [(303, 1860)]),
        # No ages: nothing says the lock was held across the quiet.
        ([None, None, None, None], [(303, 748), (1390, 1860)]),
        # Taken anew after the first pair's last failure: a second hold.
        ([0, 0, 1000, 1000], [(303, 748), (1390, 1860)]),
    ],
)
def test_a_hold_failing_across_the_gap_is_one_incident(
    taken: list[int | None], spans: list[tuple[int, int]]
) -> None:
    findings = analyze(ingest_files({"console.log": _console(taken)}), Settings(gap_s=600))
    got = findings.incidents.select("start", "end").rows()
    assert got == [(T0 + timedelta(seconds=a), T0 + timedelta(seconds=b)) for a, b in spans]


def test_a_hold_failing_again_hours_later_is_a_burst_of_its_own() -> None:
    """Z216, Z223: one stuck lock, bursts an hour apart: two incidents, not one
    hours long (a quiet of more than twice the gap is not bridged)."""
    log = _console([0, 0, 0, 0], (300, 360, 3900, 3960))
    findings = analyze(ingest_files({"console.log": log}), Settings())
    got = findings.incidents.select("start", "end").rows()
    assert got == [
        (T0 + timedelta(seconds=300), T0 + timedelta(seconds=360)),
        (T0 + timedelta(seconds=3900), T0 + timedelta(seconds=3960)),
    ]
