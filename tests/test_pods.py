"""A Kubernetes pod is a host of its own, its hostname the pod's name."""

from __future__ import annotations

import polars as pl

from lockforensics.findings import Settings
from lockforensics.pipeline import analyze
from tests.conftest import ingest_files

PODS = ("openclaw-gateway-5f7c9d8b6-kx2mq", "openclaw-gateway-5f7c9d8b6-tn8vr")
LEASE = "sqlite:session-write:agent:main:main"


def _pod_log(start: str, owner: int, failures: tuple[str, ...]) -> str:
    """`kubectl logs --timestamps <pod>`: the runtime's stamp, then the console line."""
    lines = [(f"06:02:{start}", "[gateway] starting..."), (f"06:02:{start}5", "[gateway] ready")]
    lines += [
        (
            at,
            "[diagnostic] lane task error: lane=session:agent:main:main durationMs=60213 error="
            '"SessionWriteLockTimeoutError: session file locked (timeout 60000ms): '
            f'pid={owner} alive=true ageMs=62291 {LEASE}"',
        )
        for at in failures
    ]
    return "".join(
        f"2026-08-14T{at}.000000000Z 2026-08-14T{at}.000+00:00 {message}\n" for at, message in lines
    )


def test_two_replicas_logs_saved_under_their_pods_names_are_two_gateways() -> None:
    """Two pods' `kubectl logs`, whose console lines name no host, start within a
    second of each other: two gateways, each on its pod (Z219: one gateway of no
    host, "ended" by the other's start before its own `ready`)."""
    files = {
        f"logs/{PODS[0]}.log": _pod_log("12", 18, ("08:15:07", "08:16:10", "08:17:19")),
        f"logs/{PODS[1]}.log": _pod_log("13", 19, ("10:34:01", "10:35:30")),
    }
    findings = analyze(ingest_files(files), Settings())
    epochs = findings.epochs.sort("host").select("host", "ended_by").rows()
    assert epochs == [(PODS[0], None), (PODS[1], None)]
    assert sorted(findings.incidents.get_column("host").to_list()) == list(PODS)


def test_each_pods_description_is_its_pods() -> None:
    """`describe-<pod>.txt` beside the other pod's: each is its pod's host; one
    pod's files alone stay one host whatever their names (Z193: a pod split in two)."""

    def describe(pod: str) -> str:
        second = 10 + PODS.index(pod)
        return (
            f"Name:             {pod}\nNamespace:        openclaw\nContainers:\n  gateway:\n"
            "    Image:          ghcr.io/openclaw/openclaw:2026.7.3\n"
            f"    State:          Running\n      Started:      Fri, 14 Aug 2026 06:02:{second} +0000\n"
            "Conditions:\n  Type Status\n"
        )

    files = {f"pods/describe-{pod}.txt": describe(pod) for pod in PODS}
    events = ingest_files(files).events.sort("source")
    assert events.filter(pl.col("kind") == "uptime").get_column("host").to_list() == list(PODS)
    alone = ingest_files({f"pods/describe-{PODS[0]}.txt": describe(PODS[0])}).events
    assert alone.get_column("host").to_list() == [None]


def test_a_pods_file_beside_another_pods_prefixed_lines_is_its_pods() -> None:
    """Z239: one pod's `kubectl describe` and `.follow.log`, beside a `kubectl logs
    --prefix` naming both pods in its lines: the files named after a pod are
    that pod's (its OOM kill had gone to a process of no host)."""
    prefixed = "".join(
        f"[pod/{pod}/openclaw] 2026-08-14T06:02:1{n}.000000000Z [gateway] ready\n"
        for n, pod in enumerate(PODS)
    )
    files = {
        "kubectl/logs-deploy-openclaw.txt": prefixed,
        f"kubectl/describe-{PODS[1]}.txt": (
            f"Name:             {PODS[1]}\nNamespace:        openclaw\nContainers:\n  gateway:\n"
            "    Image:          ghcr.io/openclaw/openclaw:2026.7.3\n"
            "    State:          Running\n      Started:      Fri, 14 Aug 2026 06:02:11 +0000\n"
            "Conditions:\n  Type Status\n"
        ),
        f"kubectl/{PODS[0]}.follow.log": _pod_log("12", 18, ("08:15:07",)),
    }
    events = ingest_files(files).events
    by_source = events.group_by("source").agg(pl.col("host").unique()).sort("source").rows()
    assert by_source == [
        (f"kubectl/describe-{PODS[1]}.txt", [PODS[1]]),
        ("kubectl/logs-deploy-openclaw.txt", sorted(PODS)),
        (f"kubectl/{PODS[0]}.follow.log", [PODS[0]]),
    ]
